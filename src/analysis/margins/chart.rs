//! The usual margin bar chart: one horizontal bar per parameter from its low
//! to its high margin (% of nominal) around 0, the critical one in red.

use plotters::prelude::*;

use super::report::{percent, MarginReport};
use super::search::BoundStatus;
use crate::analysis::plot::{draw_err, tick_formatter, FONT};
use crate::analysis::AnalysisError;

const BAR: RGBColor = RGBColor(70, 120, 180);
const CRITICAL: RGBColor = RGBColor(210, 50, 40);

impl MarginReport {
    /// SVG bar chart of the margins.
    pub fn to_svg(&self) -> Result<String, AnalysisError> {
        let rows = self.parameters.len().max(1);
        let lo = self
            .parameters
            .iter()
            .map(|p| percent(p.low.bound))
            .fold(-10.0f64, f64::min);
        let hi = self
            .parameters
            .iter()
            .map(|p| percent(p.high.bound))
            .fold(10.0f64, f64::max);
        let pad = 0.12 * (hi - lo);
        let x0 = ((lo - pad) / 10.0).floor() * 10.0;
        let x1 = ((hi + pad) / 10.0).ceil() * 10.0;
        let tick = tick_formatter(x1 - x0);
        let names: Vec<String> = self
            .parameters
            .iter()
            .map(|p| p.parameter.name.clone())
            .collect();
        let label_width =
            names.iter().map(|n| n.chars().count()).max().unwrap_or(4) as u32 * 8 + 20;
        let label = |y: &f64| -> String {
            let r = y.round();
            if (y - r).abs() > 1e-9 || r < 0.0 {
                return String::new();
            }
            let idx = rows as i64 - 1 - r as i64;
            usize::try_from(idx)
                .ok()
                .and_then(|i| names.get(i).cloned())
                .unwrap_or_default()
        };
        let critical = self.critical.as_ref().map(|c| c.name.as_str());
        let mut svg = String::new();
        {
            let height = 130 + 34 * rows as u32;
            let root = SVGBackend::with_string(&mut svg, (900, height)).into_drawing_area();
            root.fill(&WHITE).map_err(draw_err)?;
            let caption = match &self.critical {
                Some(c) => format!("Margins (critical: {} ±{:.1} %)", c.name, c.margin_percent),
                None => "Margins".to_string(),
            };
            let mut chart = ChartBuilder::on(&root)
                .caption(caption, (FONT, 20))
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(label_width.clamp(60, 260))
                .build_cartesian_2d(x0..x1, -0.5..(rows as f64 - 0.5))
                .map_err(draw_err)?;
            chart
                .configure_mesh()
                .x_desc("margin (% of nominal)")
                .x_label_formatter(&tick)
                .y_labels(rows * 2 + 1)
                .y_label_formatter(&label)
                .disable_y_mesh()
                .axis_desc_style((FONT, 15))
                .label_style((FONT, 13))
                .light_line_style(RGBColor(235, 235, 235))
                .draw()
                .map_err(draw_err)?;
            for (i, p) in self.parameters.iter().enumerate() {
                let y = (rows - 1 - i) as f64;
                let (a, b) = (percent(p.low.bound), percent(p.high.bound));
                let color = if Some(p.parameter.name.as_str()) == critical {
                    CRITICAL
                } else {
                    BAR
                };
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(a, y - 0.3), (b, y + 0.3)],
                        color.filled(),
                    )))
                    .map_err(draw_err)?;
                let text = |v: f64, status: BoundStatus| match status {
                    BoundStatus::Unbounded => format!("{v:+.1}+"),
                    BoundStatus::FailsAtNominal => "fails".to_string(),
                    BoundStatus::Found => format!("{v:+.1}"),
                };
                let style = TextStyle::from((FONT, 12).into_font()).color(&BLACK);
                let span = x1 - x0;
                chart
                    .draw_series([
                        Text::new(
                            text(a, p.low.status),
                            (a - 0.07 * span, y + 0.15),
                            style.clone(),
                        ),
                        Text::new(
                            text(b, p.high.status),
                            (b + 0.01 * span, y + 0.15),
                            style.clone(),
                        ),
                    ])
                    .map_err(draw_err)?;
            }
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(0.0, -0.5), (0.0, rows as f64 - 0.5)],
                    BLACK.stroke_width(1),
                )))
                .map_err(draw_err)?;
            root.present().map_err(draw_err)?;
        }
        Ok(svg)
    }
}
