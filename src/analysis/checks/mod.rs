//! Pass/fail checks on pulse times, as written in a spec (YAML):
//!
//! ```yaml
//! - truth_table:
//!     window: [0ps, 100ps]              # default window of every pattern
//!     patterns:
//!       - name: a then clk
//!         stimulus: {a: 1, clk: 1}
//!         window: [100ps, 200ps]
//!         expect: {q: 1}
//!       - stimulus: {a: 0, clk: 1}
//!         expect: {q: [{window: [0ps, 50ps], count: 0}, {window: [50ps, 100ps], count: 0}]}
//! - timing: {output: q, pulse: 1, after: 130ps, before: 140ps}
//! - rate_classes:
//!     output: spike
//!     window: [0, 1ns]
//!     margin: 2GHz
//!     patterns:
//!       - {class: high, stimulus: {in: 20GHz}}
//!       - {class: low, stimulus: {in: 5GHz}}
//! ```
//!
//! Times and rates: strings with a unit (`130ps`, `20GHz`) or bare SI numbers.

mod accuracy;
mod eval;
mod named_map;
mod patterns;
mod validate;

pub use accuracy::{Accuracy, ScaleSpec, SplitSpec};
pub use eval::{evaluate, evaluate_runs, CheckOutcome};
pub use named_map::NamedMap;
pub use patterns::{pattern_outcomes, PatternOutcome};
pub use validate::{validate, KnownNames};

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use super::units::{Rate, Time};

/// One check.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// Expected pulse counts per output and window, for each input pattern.
    TruthTable(TruthTable),
    /// Pulse k of an output between two times.
    Timing(PulseTiming),
    /// Output rates of labelled patterns must fall into separated classes.
    RateClasses(RateClasses),
    /// A rate-coded classifier scored over a labelled data set.
    Accuracy(Box<Accuracy>),
}

/// A time window `[start, end)`, written `[start, end]`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(from = "(Time, Time)")]
pub struct Window {
    pub start: Time,
    pub end: Time,
}

impl From<(Time, Time)> for Window {
    fn from((start, end): (Time, Time)) -> Self {
        Window { start, end }
    }
}

impl Window {
    pub fn duration(&self) -> f64 {
        self.end.0 - self.start.0
    }
    pub fn contains(&self, t: f64) -> bool {
        t >= self.start.0 && t < self.end.0
    }
}

impl std::fmt::Display for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "[{:.1}, {:.1}) ps", self.start.ps(), self.end.ps())
    }
}

/// A stimulus setting, passed on to whoever builds the stimulus.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum StimulusSetting {
    Flag(bool),
    Number(f64),
    Text(String),
    List(Vec<Time>),
}

/// Expected pulses of one output: a count in the pattern's window, or counts
/// in several windows.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Expected {
    Count(u32),
    Windows(Vec<CountWindow>),
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountWindow {
    pub window: Window,
    pub count: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TruthTable {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub window: Option<Spanned<Window>>,
    pub patterns: Spanned<Vec<Spanned<Pattern>>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub stimulus: NamedMap<Spanned<StimulusSetting>>,
    #[serde(default)]
    pub window: Option<Spanned<Window>>,
    pub expect: NamedMap<Spanned<Expected>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PulseTiming {
    #[serde(default)]
    pub name: Option<String>,
    pub output: Spanned<String>,
    /// Which pulse, counting from 1.
    pub pulse: Spanned<u32>,
    pub after: Spanned<Time>,
    pub before: Spanned<Time>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateClasses {
    #[serde(default)]
    pub name: Option<String>,
    pub output: Spanned<String>,
    #[serde(default)]
    pub window: Option<Spanned<Window>>,
    /// Smallest allowed gap between the rates of two classes.
    pub margin: Spanned<Rate>,
    pub patterns: Spanned<Vec<Spanned<RatePattern>>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatePattern {
    #[serde(default)]
    pub name: Option<String>,
    pub class: Spanned<String>,
    #[serde(default)]
    pub stimulus: NamedMap<Spanned<StimulusSetting>>,
    #[serde(default)]
    pub window: Option<Spanned<Window>>,
}

impl Check {
    /// A name for reports: the one given, or one made from the check.
    pub fn name(&self) -> String {
        match self {
            Check::TruthTable(t) => t.name.clone().unwrap_or_else(|| "truth table".into()),
            Check::Timing(t) => t
                .name
                .clone()
                .unwrap_or_else(|| format!("timing of {} pulse {}", t.output.value, t.pulse.value)),
            Check::RateClasses(r) => r
                .name
                .clone()
                .unwrap_or_else(|| format!("rate classes of {}", r.output.value)),
            Check::Accuracy(a) => a
                .name
                .clone()
                .unwrap_or_else(|| format!("accuracy on {}", a.data.value)),
        }
    }

    /// How many separate input patterns (simulations, or time slots) it has.
    pub fn pattern_count(&self) -> usize {
        match self {
            Check::TruthTable(t) => t.patterns.value.len(),
            Check::Timing(_) => 1,
            Check::RateClasses(r) => r.patterns.value.len(),
            Check::Accuracy(_) => 1,
        }
    }
}

impl Pattern {
    /// The pattern's window, or the table's default.
    pub fn window_or<'a>(&'a self, table: Option<&'a Spanned<Window>>) -> Option<Window> {
        self.window.as_ref().or(table).map(|w| w.value)
    }
}
