//! Line plots of selected waveforms against time in ps.

use plotters::prelude::*;

use super::{draw_err, tick_formatter, FONT};
use crate::analysis::traces::{normalize_column_name, Traces};
use crate::analysis::AnalysisError;

/// What to draw: columns (by name) and a title.
#[derive(Debug, Clone, Default)]
pub struct WaveformPlot {
    pub title: String,
    pub columns: Vec<String>,
    /// Time window (s); `None` is the whole trace.
    pub window: Option<(f64, f64)>,
}

/// Quantity of a JoSIM column by its prefix: axis label and scale to display units.
fn quantity(name: &str) -> (&'static str, f64) {
    let n = normalize_column_name(name);
    if n.starts_with("P(") || n.starts_with("PHASE") {
        ("phase (rad)", 1.0)
    } else if n.starts_with("V(") || n.starts_with("DEVV") || n.starts_with("NODEV") {
        ("voltage (mV)", 1e3)
    } else if n.starts_with("I(") || n.starts_with("DEVI") {
        ("current (µA)", 1e6)
    } else {
        ("value", 1.0)
    }
}

/// Draws the selected columns as one SVG line plot with a legend. Columns of
/// one kind share their unit (phase in rad, voltage in mV, current in µA).
pub fn plot_waveforms(traces: &Traces, plot: &WaveformPlot) -> Result<String, AnalysisError> {
    if plot.columns.is_empty() {
        return Err(AnalysisError::Plot("no waveform columns chosen".into()));
    }
    let mut series = Vec::new();
    for name in &plot.columns {
        let values = traces
            .column(name)
            .ok_or_else(|| AnalysisError::MissingColumn {
                column: name.clone(),
                available: traces.names().collect::<Vec<_>>().join(", "),
            })?;
        series.push((name.as_str(), values));
    }
    let kinds: Vec<_> = plot.columns.iter().map(|c| quantity(c)).collect();
    let same = kinds.iter().all(|k| k.0 == kinds[0].0);
    let (y_desc, _) = if same { kinds[0] } else { ("value (SI)", 1.0) };
    let (t0, t1) = plot.window.unwrap_or((
        traces.time.first().copied().unwrap_or(0.0),
        traces.time.last().copied().unwrap_or(1e-12),
    ));
    let inside = |t: f64| t >= t0 && t <= t1;
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for (i, (_, values)) in series.iter().enumerate() {
        let scale = if same { kinds[i].1 } else { 1.0 };
        for (t, v) in traces.time.iter().zip(values.iter()) {
            if inside(*t) {
                lo = lo.min(v * scale);
                hi = hi.max(v * scale);
            }
        }
    }
    if !lo.is_finite() {
        return Err(AnalysisError::Plot(
            "no samples in the chosen window".into(),
        ));
    }
    let pad = ((hi - lo) * 0.05).max(1e-12);
    let tick = tick_formatter((t1 - t0) * 1e12);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 500)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&plot.title, (FONT, 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(t0 * 1e12..t1.max(t0 + 1e-15) * 1e12, lo - pad..hi + pad)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .x_desc("time (ps)")
            .x_label_formatter(&tick)
            .y_desc(y_desc)
            .axis_desc_style((FONT, 15))
            .label_style((FONT, 13))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(draw_err)?;
        for (i, (name, values)) in series.iter().enumerate() {
            let scale = if same { kinds[i].1 } else { 1.0 };
            let color = Palette99::pick(i).to_rgba();
            chart
                .draw_series(LineSeries::new(
                    traces
                        .time
                        .iter()
                        .zip(values.iter())
                        .filter(|(t, _)| inside(**t))
                        .map(|(t, v)| (t * 1e12, v * scale)),
                    color.stroke_width(2),
                ))
                .map_err(draw_err)?
                .label(*name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font((FONT, 13))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}
