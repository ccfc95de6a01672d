//! Pulse raster: one row per output, one tick per pulse, time in ps.

use plotters::prelude::*;

use super::{draw_err, nice_ceiling, tick_formatter, FONT};
use crate::analysis::pulses::PulseTimes;
use crate::analysis::AnalysisError;

/// Draws the pulses of every output as a raster plot (SVG text). `t_end` (s)
/// sets the time axis; `None` takes the last pulse (rounded up).
pub fn plot_raster(
    pulses: &PulseTimes,
    title: &str,
    t_end: Option<f64>,
) -> Result<String, AnalysisError> {
    let rows = pulses.outputs.len().max(1);
    let end_ps = match t_end {
        Some(t) if t > 0.0 => t * 1e12,
        _ => nice_ceiling(pulses.last_time().unwrap_or(1e-9) * 1e12),
    };
    let tick = tick_formatter(end_ps);
    let height = 120 + 40 * rows as u32;
    let names: Vec<String> = pulses.outputs.iter().map(|o| o.name.clone()).collect();
    let label = |y: &f64| -> String {
        let r = y.round();
        if (y - r).abs() > 1e-9 || r < 0.0 {
            return String::new();
        }
        // Row 0 is drawn at the top.
        let idx = rows as i64 - 1 - r as i64;
        usize::try_from(idx)
            .ok()
            .and_then(|i| names.get(i).cloned())
            .unwrap_or_default()
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(110)
            .build_cartesian_2d(0.0..end_ps, -0.5..(rows as f64 - 0.5))
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .x_desc("time (ps)")
            .x_label_formatter(&tick)
            .y_desc("output")
            .y_labels(rows * 2 + 1)
            .y_label_formatter(&label)
            .disable_y_mesh()
            .axis_desc_style((FONT, 15))
            .label_style((FONT, 13))
            .draw()
            .map_err(draw_err)?;
        for (i, o) in pulses.outputs.iter().enumerate() {
            let y = (rows - 1 - i) as f64;
            let color = Palette99::pick(i).to_rgba();
            chart
                .draw_series(o.times.iter().map(|&t| {
                    let x = t * 1e12;
                    PathElement::new(vec![(x, y - 0.35), (x, y + 0.35)], color.stroke_width(2))
                }))
                .map_err(draw_err)?;
            chart
                .draw_series(o.reverse.iter().map(|&t| {
                    let x = t * 1e12;
                    PathElement::new(vec![(x, y - 0.35), (x, y + 0.35)], RED.stroke_width(2))
                }))
                .map_err(draw_err)?;
        }
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}
