//! SVG curves for the characterization reports: measured points with error bars
//! and, optionally, a smooth model curve per series.

use plotters::prelude::*;

use crate::analysis::AnalysisError;

const FONT: &str = "sans-serif";

fn draw_err<E: std::fmt::Display>(e: E) -> AnalysisError {
    AnalysisError::Plot(e.to_string())
}

/// One data series: points `(x, y, y_low, y_high)` and an optional model curve.
#[derive(Debug, Clone, Default)]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64, f64, f64)>,
    pub curve: Vec<(f64, f64)>,
    /// Join the points with straight lines (when there is no model curve).
    pub join: bool,
}

/// A chart: title, axis labels and series.
#[derive(Debug, Clone, Default)]
pub struct Chart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
}

fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.05).max(1e-9);
    (lo - pad, hi + pad)
}

/// Draws the chart as SVG text.
pub fn plot_chart(chart: &Chart) -> Result<String, AnalysisError> {
    let xs = chart.series.iter().flat_map(|s| {
        s.points
            .iter()
            .map(|p| p.0)
            .chain(s.curve.iter().map(|c| c.0))
    });
    let ys = chart.series.iter().flat_map(|s| {
        s.points
            .iter()
            .flat_map(|p| [p.1, p.2, p.3])
            .chain(s.curve.iter().map(|c| c.1))
    });
    let (x0, x1) = range(xs);
    let (y0, y1) = range(ys);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (800, 520)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let mut c = ChartBuilder::on(&root)
            .caption(&chart.title, (FONT, 20))
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(draw_err)?;
        c.configure_mesh()
            .x_desc(chart.x_label.as_str())
            .y_desc(chart.y_label.as_str())
            .axis_desc_style((FONT, 15))
            .label_style((FONT, 13))
            .draw()
            .map_err(draw_err)?;
        for (i, s) in chart.series.iter().enumerate() {
            let color = Palette99::pick(i).to_rgba();
            let anno = c
                .draw_series(s.points.iter().map(|&(x, _, lo, hi)| {
                    PathElement::new(vec![(x, lo), (x, hi)], color.stroke_width(1))
                }))
                .map_err(draw_err)?;
            anno.label(s.label.as_str()).legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
            c.draw_series(
                s.points
                    .iter()
                    .map(|&(x, y, _, _)| Circle::new((x, y), 3, color.filled())),
            )
            .map_err(draw_err)?;
            let line: Vec<(f64, f64)> = if s.curve.is_empty() && s.join {
                s.points.iter().map(|p| (p.0, p.1)).collect()
            } else {
                s.curve.clone()
            };
            if !line.is_empty() {
                c.draw_series(LineSeries::new(line, color.stroke_width(2)))
                    .map_err(draw_err)?;
            }
        }
        c.configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font((FONT, 13))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}
