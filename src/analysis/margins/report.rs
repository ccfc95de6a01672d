//! The margin report: text table, JSON, and (in `chart`) the SVG bar chart.

use std::fmt::Write as _;

use serde::Serialize;

use super::search::{BoundStatus, Direction, MarginBound, MarginSearch};
use crate::analysis::evaluator::MarginParameter;

/// Both bounds of one parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterMargin {
    pub parameter: MarginParameter,
    pub low: MarginBound,
    pub high: MarginBound,
}

/// The narrowest margin: which parameter, which side, how wide (in % of nominal).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriticalMargin {
    pub name: String,
    pub side: Direction,
    pub margin_percent: f64,
}

/// Margins of every parameter, in the order given.
#[derive(Debug, Clone, PartialEq)]
pub struct MarginReport {
    pub search: MarginSearch,
    pub parameters: Vec<ParameterMargin>,
    pub critical: Option<CriticalMargin>,
}

/// A percent rounded to 1e-3, so reports do not show float noise.
pub(crate) fn percent(multiplier: f64) -> f64 {
    ((multiplier - 1.0) * 100.0 * 1000.0).round() / 1000.0
}

impl ParameterMargin {
    /// Width of the narrower side, in % of nominal.
    pub fn margin_percent(&self) -> (f64, Direction) {
        let low = percent(self.low.bound).abs();
        let high = percent(self.high.bound).abs();
        if low <= high {
            (low, Direction::Low)
        } else {
            (high, Direction::High)
        }
    }
}

#[derive(Serialize)]
struct JsonParameter<'a> {
    name: &'a str,
    kind: crate::analysis::evaluator::ParameterKind,
    low: f64,
    high: f64,
    low_percent: f64,
    high_percent: f64,
    low_status: BoundStatus,
    high_status: BoundStatus,
    evaluations: u32,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    parameters: Vec<JsonParameter<'a>>,
    critical: &'a Option<CriticalMargin>,
    search: &'a MarginSearch,
    evaluations: u32,
}

impl MarginReport {
    /// Assembles the report from the bounds found, computing the critical margin.
    pub fn new(
        search: MarginSearch,
        parameters: Vec<MarginParameter>,
        bounds: Vec<(MarginBound, MarginBound)>,
    ) -> Self {
        let parameters: Vec<ParameterMargin> = parameters
            .into_iter()
            .zip(bounds)
            .map(|(parameter, (low, high))| ParameterMargin {
                parameter,
                low,
                high,
            })
            .collect();
        let mut critical: Option<CriticalMargin> = None;
        for p in &parameters {
            let (m, side) = p.margin_percent();
            if critical.as_ref().is_none_or(|c| m < c.margin_percent) {
                critical = Some(CriticalMargin {
                    name: p.parameter.name.clone(),
                    side,
                    margin_percent: m,
                });
            }
        }
        MarginReport {
            search,
            parameters,
            critical,
        }
    }

    /// JSON: `{"parameters":[{"name","kind","low","high",...}],"critical":{"name","side","margin_percent"},...}`.
    pub fn to_json(&self) -> String {
        let report = JsonReport {
            parameters: self
                .parameters
                .iter()
                .map(|p| JsonParameter {
                    name: &p.parameter.name,
                    kind: p.parameter.kind,
                    low: p.low.bound,
                    high: p.high.bound,
                    low_percent: percent(p.low.bound),
                    high_percent: percent(p.high.bound),
                    low_status: p.low.status,
                    high_status: p.high.status,
                    evaluations: p.low.evaluations + p.high.evaluations,
                })
                .collect(),
            critical: &self.critical,
            search: &self.search,
            evaluations: self
                .parameters
                .iter()
                .map(|p| p.low.evaluations + p.high.evaluations)
                .sum(),
        };
        let mut s = serde_json::to_string_pretty(&report).unwrap_or_default();
        s.push('\n');
        s
    }

    /// A fixed-width table for the terminal.
    pub fn to_table(&self) -> String {
        let width = self
            .parameters
            .iter()
            .map(|p| p.parameter.name.chars().count())
            .chain(std::iter::once(9))
            .max()
            .unwrap_or(9);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<width$}  {:<16}  {:>8}  {:>8}  {:>9}  {:>9}",
            "parameter", "kind", "low", "high", "low %", "high %"
        );
        for p in &self.parameters {
            let mark = |b: &MarginBound| match b.status {
                BoundStatus::Found => " ",
                BoundStatus::Unbounded => "*",
                BoundStatus::FailsAtNominal => "!",
            };
            let _ = writeln!(
                out,
                "{:<width$}  {:<16}  {:>8.4}  {:>8.4}  {:>+8.2}{}  {:>+8.2}{}",
                p.parameter.name,
                p.parameter.kind.label(),
                p.low.bound,
                p.high.bound,
                percent(p.low.bound),
                mark(&p.low),
                percent(p.high.bound),
                mark(&p.high),
            );
        }
        if self.parameters.iter().any(|p| {
            p.low.status == BoundStatus::Unbounded || p.high.status == BoundStatus::Unbounded
        }) {
            let _ = writeln!(
                out,
                "* still passing at the end of the search range ({}–{})",
                self.search.lowest, self.search.highest
            );
        }
        if self
            .parameters
            .iter()
            .any(|p| p.low.status == BoundStatus::FailsAtNominal)
        {
            let _ = writeln!(out, "! fails at nominal values");
        }
        match &self.critical {
            Some(c) => {
                let side = match c.side {
                    Direction::Low => "low",
                    Direction::High => "high",
                };
                let _ = writeln!(
                    out,
                    "critical margin: {} ±{:.2} % ({side} side)",
                    c.name, c.margin_percent
                );
            }
            None => {
                let _ = writeln!(out, "no parameters");
            }
        }
        out
    }
}
