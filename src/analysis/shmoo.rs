//! 2-D shmoo: pass/fail over a grid of two parameters' multipliers.

use std::fmt::Write as _;

use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use super::evaluator::MarginParameter;
use super::plot::{draw_err, FONT};
use super::pulses::csv_field;
use super::AnalysisError;

/// One axis: a parameter and the multipliers tried, ascending.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShmooAxis {
    pub parameter: MarginParameter,
    pub values: Vec<f64>,
}

impl ShmooAxis {
    /// `steps` evenly spaced multipliers from `from` to `to` inclusive (steps ≥ 2).
    pub fn linear(parameter: MarginParameter, from: f64, to: f64, steps: usize) -> Self {
        let n = steps.max(2);
        let values = (0..n)
            .map(|i| from + (to - from) * i as f64 / (n - 1) as f64)
            // 12 significant digits: 0.9 rather than 0.8999999999999999 in reports
            .map(|v: f64| format!("{v:.12e}").parse().unwrap_or(v))
            .collect();
        ShmooAxis { parameter, values }
    }

    fn check(&self) -> Result<(), String> {
        if self.values.is_empty() {
            return Err(format!(
                "shmoo axis `{}` has no values",
                self.parameter.name
            ));
        }
        if self.values.iter().any(|v| !v.is_finite())
            || self.values.windows(2).any(|w| w[1] <= w[0])
        {
            return Err(format!(
                "shmoo axis `{}`: values must be finite and strictly ascending",
                self.parameter.name
            ));
        }
        Ok(())
    }

    /// Cell edges: midpoints between values, half a gap beyond the ends.
    fn edges(&self) -> Vec<f64> {
        let v = &self.values;
        if v.len() == 1 {
            return vec![v[0] - 0.05, v[0] + 0.05];
        }
        let mut e = vec![v[0] - 0.5 * (v[1] - v[0])];
        e.extend(v.windows(2).map(|w| 0.5 * (w[0] + w[1])));
        let n = v.len();
        e.push(v[n - 1] + 0.5 * (v[n - 1] - v[n - 2]));
        e
    }
}

/// A shmoo sweep: every (x, y) pair of the two axes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShmooPlan {
    pub x: ShmooAxis,
    pub y: ShmooAxis,
}

impl ShmooPlan {
    pub fn check(&self) -> Result<(), String> {
        self.x.check()?;
        self.y.check()?;
        if self.x.parameter.name == self.y.parameter.name {
            return Err("shmoo: the two axes must be different parameters".into());
        }
        Ok(())
    }

    /// Number of cells; cell `i` is x index `i % nx`, y index `i / nx`.
    pub fn cells(&self) -> usize {
        self.x.values.len() * self.y.values.len()
    }

    /// The assignment of cell `i`.
    pub fn cell(&self, i: usize) -> Vec<(String, f64)> {
        let nx = self.x.values.len();
        vec![
            (self.x.parameter.name.clone(), self.x.values[i % nx]),
            (self.y.parameter.name.clone(), self.y.values[i / nx]),
        ]
    }
}

/// Pass/fail of every cell.
#[derive(Debug, Clone, PartialEq)]
pub struct ShmooReport {
    pub plan: ShmooPlan,
    /// Row-major from the lowest y: `pass[iy * nx + ix]`.
    pub pass: Vec<bool>,
}

#[derive(Serialize)]
struct JsonShmoo<'a> {
    x: &'a ShmooAxis,
    y: &'a ShmooAxis,
    /// One string per y value (lowest first), one character per x value: `#` pass, `.` fail.
    rows: Vec<String>,
    passed: usize,
    cells: usize,
}

impl ShmooReport {
    pub fn passes(&self, ix: usize, iy: usize) -> bool {
        self.pass[iy * self.plan.x.values.len() + ix]
    }

    /// CSV: `x_name,y_name,pass` then one row per cell.
    pub fn to_csv(&self) -> String {
        let mut out = format!(
            "{},{},pass\n",
            csv_field(&self.plan.x.parameter.name),
            csv_field(&self.plan.y.parameter.name)
        );
        let nx = self.plan.x.values.len();
        for (i, &p) in self.pass.iter().enumerate() {
            let _ = writeln!(
                out,
                "{},{},{}",
                self.plan.x.values[i % nx],
                self.plan.y.values[i / nx],
                u8::from(p)
            );
        }
        out
    }

    pub fn to_json(&self) -> String {
        let nx = self.plan.x.values.len();
        let rows = self
            .pass
            .chunks(nx)
            .map(|r| r.iter().map(|&p| if p { '#' } else { '.' }).collect())
            .collect();
        let j = JsonShmoo {
            x: &self.plan.x,
            y: &self.plan.y,
            rows,
            passed: self.pass.iter().filter(|&&p| p).count(),
            cells: self.pass.len(),
        };
        let mut s = serde_json::to_string_pretty(&j).unwrap_or_default();
        s.push('\n');
        s
    }

    /// SVG map: green cells pass, red fail, nominal (1, 1) marked.
    pub fn to_svg(&self) -> Result<String, AnalysisError> {
        let (xe, ye) = (self.plan.x.edges(), self.plan.y.edges());
        let nx = self.plan.x.values.len();
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (760, 680)).into_drawing_area();
            root.fill(&WHITE).map_err(draw_err)?;
            let mut chart = ChartBuilder::on(&root)
                .caption(
                    format!(
                        "Shmoo: {} vs {}",
                        self.plan.y.parameter.name, self.plan.x.parameter.name
                    ),
                    (FONT, 20),
                )
                .margin(14)
                .x_label_area_size(45)
                .y_label_area_size(60)
                .build_cartesian_2d(xe[0]..xe[nx], ye[0]..ye[ye.len() - 1])
                .map_err(draw_err)?;
            chart
                .configure_mesh()
                .disable_mesh()
                .x_desc(format!("{} (× nominal)", self.plan.x.parameter.name))
                .y_desc(format!("{} (× nominal)", self.plan.y.parameter.name))
                .axis_desc_style((FONT, 15))
                .label_style((FONT, 13))
                .draw()
                .map_err(draw_err)?;
            let pass = RGBColor(90, 180, 90);
            let fail = RGBColor(215, 80, 70);
            chart
                .draw_series(self.pass.iter().enumerate().map(|(i, &p)| {
                    let (ix, iy) = (i % nx, i / nx);
                    Rectangle::new(
                        [(xe[ix], ye[iy]), (xe[ix + 1], ye[iy + 1])],
                        if p { pass.filled() } else { fail.filled() },
                    )
                }))
                .map_err(draw_err)?
                .label("pass")
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], pass.filled()));
            chart
                .draw_series(self.pass.iter().enumerate().map(|(i, _)| {
                    let (ix, iy) = (i % nx, i / nx);
                    Rectangle::new(
                        [(xe[ix], ye[iy]), (xe[ix + 1], ye[iy + 1])],
                        WHITE.stroke_width(1),
                    )
                }))
                .map_err(draw_err)?;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(xe[0], ye[0]), (xe[0], ye[0])],
                    fail.filled(),
                )))
                .map_err(draw_err)?
                .label("fail")
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], fail.filled()));
            let inside = |e: &[f64]| e[0] <= 1.0 && 1.0 <= e[e.len() - 1];
            if inside(&xe) && inside(&ye) {
                chart
                    .draw_series(std::iter::once(Cross::new(
                        (1.0, 1.0),
                        6,
                        BLACK.stroke_width(2),
                    )))
                    .map_err(draw_err)?
                    .label("nominal")
                    .legend(|(x, y)| Cross::new((x + 6, y), 5, BLACK.stroke_width(2)));
            }
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.9))
                .border_style(BLACK)
                .label_font((FONT, 13))
                .position(SeriesLabelPosition::UpperRight)
                .draw()
                .map_err(draw_err)?;
            root.present().map_err(draw_err)?;
        }
        Ok(svg)
    }
}
