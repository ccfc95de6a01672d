//! SVG plots: spike rasters and variation margins (plotters' SVG backend).

use plotters::prelude::*;

use super::margins::MarginReport;
use super::model::Raster;
use super::LsmError;

fn perr(e: impl std::fmt::Display) -> LsmError {
    LsmError::Plot(e.to_string())
}

/// A labelled, coloured line of (sigma, value) points.
type Series<'a> = (&'a str, RGBColor, Vec<(f64, f64)>);

/// A spike raster: time step on x, neuron on y, one dot per spike.
pub fn raster_svg(raster: &Raster, title: &str) -> Result<Vec<u8>, LsmError> {
    let steps = raster.spikes.len().max(1);
    let neurons = raster.spikes.first().map_or(1, |s| s.len()).max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (800, 500)).into_drawing_area();
        root.fill(&WHITE).map_err(perr)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..steps as f64, 0f64..neurons as f64)
            .map_err(perr)?;
        chart
            .configure_mesh()
            .x_desc("time step")
            .y_desc("neuron")
            .disable_mesh()
            .draw()
            .map_err(perr)?;
        let dots = raster.spikes.iter().enumerate().flat_map(|(t, s)| {
            s.iter().enumerate().filter(|(_, &b)| b).map(move |(n, _)| {
                Circle::new((t as f64 + 0.5, n as f64 + 0.5), 2.5, BLACK.filled())
            })
        });
        chart.draw_series(dots).map_err(perr)?;
        root.present().map_err(perr)?;
    }
    Ok(svg.into_bytes())
}

/// Variation margins: raster Hamming distance, firing-rate change, fragile decisions and
/// (with a readout) accuracy against conductance sigma.
pub fn margins_svg(report: &MarginReport) -> Result<Vec<u8>, LsmError> {
    let xs: Vec<f64> = report.points.iter().map(|p| p.sigma_us).collect();
    let xmax = xs.iter().cloned().fold(1.0, f64::max) * 1.05;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(perr)?;
        let (left, right) = root.split_horizontally(450);
        let mut a = ChartBuilder::on(&left)
            .caption("raster disturbance vs device sigma", ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..xmax, 0f64..100f64)
            .map_err(perr)?;
        a.configure_mesh()
            .x_desc("sigma (uS)")
            .y_desc("%")
            .draw()
            .map_err(perr)?;
        let series: [Series; 3] = [
            (
                "Hamming distance (% of decisions)",
                BLUE,
                report
                    .points
                    .iter()
                    .map(|p| (p.sigma_us, 100.0 * p.hamming_fraction_mean))
                    .collect(),
            ),
            (
                "|firing-rate change| (%)",
                RED,
                report
                    .points
                    .iter()
                    .map(|p| (p.sigma_us, p.rate_change_pct_mean.abs().min(100.0)))
                    .collect(),
            ),
            (
                "fragile decisions (%)",
                GREEN,
                report
                    .points
                    .iter()
                    .map(|p| (p.sigma_us, 100.0 * p.fragile_fraction))
                    .collect(),
            ),
        ];
        for (label, color, pts) in series {
            a.draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
                .map_err(perr)?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], color));
            a.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled())))
                .map_err(perr)?;
        }
        a.configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(perr)?;
        let mut b = ChartBuilder::on(&right)
            .caption("readout accuracy vs device sigma", ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..xmax, 0f64..100f64)
            .map_err(perr)?;
        b.configure_mesh()
            .x_desc("sigma (uS)")
            .y_desc("accuracy (%)")
            .draw()
            .map_err(perr)?;
        let acc: Vec<(f64, f64)> = report
            .points
            .iter()
            .filter_map(|p| p.accuracy_mean.map(|a| (p.sigma_us, 100.0 * a)))
            .collect();
        if !acc.is_empty() {
            b.draw_series(LineSeries::new(acc.clone(), BLUE.stroke_width(2)))
                .map_err(perr)?;
            b.draw_series(acc.into_iter().map(|p| Circle::new(p, 3, BLUE.filled())))
                .map_err(perr)?;
            if let Some(n) = report.nominal_accuracy {
                b.draw_series(LineSeries::new(
                    vec![(0.0, 100.0 * n), (xmax, 100.0 * n)],
                    BLACK.stroke_width(1),
                ))
                .map_err(perr)?;
            }
        }
        root.present().map_err(perr)?;
    }
    Ok(svg.into_bytes())
}
