//! Classification results: accuracy with its 95 % Wilson interval, and the
//! confusion matrix as text and as an SVG heat map.

use std::fmt::Write as _;

use plotters::prelude::*;
use serde::Serialize;

use crate::analysis::wilson_interval;

/// Counts of (true class, decision); a decision of `None` is a tie for the most
/// output pulses (always wrong).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Confusion {
    pub classes: Vec<String>,
    /// `matrix[true][predicted]`; the extra last column counts ties.
    pub matrix: Vec<Vec<usize>>,
    /// How the decision was made (labels of the table and plot).
    #[serde(skip)]
    pub rule: DecisionRule,
}

/// How a classifier decides, which says whether it can tie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecisionRule {
    /// The output with the most pulses; two or more outputs sharing the most pulses (e.g.
    /// all silent) decide no class: a tie, counted wrong, in its own column.
    #[default]
    MostPulses,
    /// The largest readout score; equal scores go to the lowest class index, so there are
    /// no ties (no tie column).
    HighestScore,
}

impl DecisionRule {
    fn axis(self) -> &'static str {
        match self {
            DecisionRule::MostPulses => "decided class (most output pulses) →",
            DecisionRule::HighestScore => {
                "decided class (largest readout score; equal scores: lowest class) →"
            }
        }
    }
    fn ties(self) -> bool {
        self == DecisionRule::MostPulses
    }
}

/// What the tie column counts.
const TIE_NOTE: &str =
    "tie: two or more outputs share the most pulses, no class decided (counted wrong)";

impl Confusion {
    pub fn new(classes: Vec<String>) -> Confusion {
        let n = classes.len();
        Confusion {
            classes,
            matrix: vec![vec![0; n + 1]; n],
            rule: DecisionRule::MostPulses,
        }
    }

    /// A confusion table for a classifier that decides by `rule`.
    pub fn with_rule(classes: Vec<String>, rule: DecisionRule) -> Confusion {
        Confusion {
            rule,
            ..Confusion::new(classes)
        }
    }

    /// Columns shown: the classes, then the tie column when the rule can tie.
    fn shown(&self) -> usize {
        self.classes.len() + usize::from(self.rule.ties())
    }

    pub fn add(&mut self, truth: usize, decision: Option<usize>) {
        let n = self.classes.len();
        self.matrix[truth][decision.unwrap_or(n)] += 1;
    }

    pub fn total(&self) -> usize {
        self.matrix.iter().flatten().sum()
    }

    pub fn correct(&self) -> usize {
        (0..self.classes.len()).map(|i| self.matrix[i][i]).sum()
    }

    pub fn accuracy(&self) -> f64 {
        self.correct() as f64 / self.total().max(1) as f64
    }

    /// The 95 % Wilson score interval of the accuracy.
    pub fn interval(&self) -> (f64, f64) {
        wilson_interval(self.correct() as u32, self.total() as u32)
    }

    /// `accuracy 93.3 % (42/45), 95 % interval 82.1–97.7 %`.
    pub fn summary(&self) -> String {
        let (lo, hi) = self.interval();
        format!(
            "accuracy {:.1} % ({}/{}), 95 % interval {:.1}–{:.1} %",
            100.0 * self.accuracy(),
            self.correct(),
            self.total(),
            100.0 * lo,
            100.0 * hi
        )
    }

    /// Rows: true class; columns: decided class, then ties.
    pub fn to_table(&self) -> String {
        let w = self
            .classes
            .iter()
            .map(|c| c.len())
            .max()
            .unwrap_or(1)
            .max(5);
        let mut s = format!("{:>w$} |", "true\\out");
        for c in &self.classes {
            let _ = write!(s, " {c:>w$}");
        }
        if self.rule.ties() {
            let _ = write!(s, " {:>w$}", "tie");
        }
        s.push('\n');
        for (c, row) in self.classes.iter().zip(&self.matrix) {
            let _ = write!(s, "{c:>w$} |");
            for v in &row[..self.shown()] {
                let _ = write!(s, " {v:>w$}");
            }
            s.push('\n');
        }
        if self.rule.ties() {
            let _ = writeln!(s, "({TIE_NOTE})");
        }
        s
    }

    /// The matrix as an SVG heat map (cells shaded by the fraction of their row).
    pub fn to_svg(&self, title: &str) -> Result<String, String> {
        let n = self.classes.len();
        let cols = self.shown();
        let cell = if n > 5 { 44 } else { 80 };
        let note = if self.rule.ties() { 20 } else { 0 };
        let (w, h) = (
            (160 + cols * cell).max(620) as u32,
            (110 + note + n * cell) as u32,
        );
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, (w, h)).into_drawing_area();
            root.fill(&WHITE).map_err(|e| e.to_string())?;
            let font = ("sans-serif", 15).into_font();
            let small = ("sans-serif", if n > 5 { 12 } else { 15 }).into_font();
            root.draw(&Text::new(title.to_string(), (10, 8), font.clone()))
                .map_err(|e| e.to_string())?;
            root.draw(&Text::new(
                self.rule.axis().to_string(),
                (120, 32),
                small.clone(),
            ))
            .map_err(|e| e.to_string())?;
            let (x0, y0) = (120i32, 70i32);
            let c = cell as i32;
            for (j, name) in self
                .classes
                .iter()
                .map(String::as_str)
                .chain(["tie"])
                .take(cols)
                .enumerate()
            {
                root.draw(&Text::new(
                    name.to_string(),
                    (x0 + j as i32 * c + 4, y0 - 18),
                    small.clone(),
                ))
                .map_err(|e| e.to_string())?;
            }
            for (i, row) in self.matrix.iter().enumerate() {
                let total = row.iter().sum::<usize>().max(1) as f64;
                root.draw(&Text::new(
                    self.classes[i].clone(),
                    (8, y0 + i as i32 * c + c / 2 - 7),
                    small.clone(),
                ))
                .map_err(|e| e.to_string())?;
                for (j, &v) in row[..cols].iter().enumerate() {
                    let f = v as f64 / total;
                    let shade = (255.0 * (1.0 - 0.8 * f)) as u8;
                    let colour = if i == j {
                        RGBColor(shade, 255, shade)
                    } else if v > 0 {
                        RGBColor(255, shade, shade)
                    } else {
                        RGBColor(250, 250, 250)
                    };
                    let (x, y) = (x0 + j as i32 * c, y0 + i as i32 * c);
                    root.draw(&Rectangle::new(
                        [(x, y), (x + c - 2, y + c - 2)],
                        colour.filled(),
                    ))
                    .map_err(|e| e.to_string())?;
                    root.draw(&Text::new(
                        v.to_string(),
                        (x + c / 2 - 8, y + c / 2 - 8),
                        small.clone(),
                    ))
                    .map_err(|e| e.to_string())?;
                }
            }
            root.draw(&Text::new(
                format!("rows: true class · {}", self.summary()),
                (10, y0 + n as i32 * c + 12),
                small.clone(),
            ))
            .map_err(|e| e.to_string())?;
            if self.rule.ties() {
                root.draw(&Text::new(
                    TIE_NOTE.to_string(),
                    (10, y0 + n as i32 * c + 32),
                    small,
                ))
                .map_err(|e| e.to_string())?;
            }
            root.present().map_err(|e| e.to_string())?;
        }
        Ok(out)
    }
}
