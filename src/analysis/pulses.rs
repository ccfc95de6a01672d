//! Pulse times per circuit output, from the phase slips of the junctions that
//! watch them, and their CSV form.

use std::fmt::Write as _;

use super::slips::{detect_slips, SlipOptions};
use super::traces::Traces;
use super::AnalysisError;

/// The pulses of one output: times (s) of its +2π slips, and of any −2π slips.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct OutputPulses {
    pub name: String,
    /// Times of the SFQ pulses (+2π slips), ascending.
    pub times: Vec<f64>,
    /// Times of −2π slips (a junction slipping backwards), ascending.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reverse: Vec<f64>,
}

/// Pulse times of every observed output, in a fixed order (the order given).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct PulseTimes {
    pub outputs: Vec<OutputPulses>,
}

impl PulseTimes {
    /// Adds (or replaces) an output's pulses.
    pub fn insert(&mut self, name: impl Into<String>, times: Vec<f64>) {
        let name = name.into();
        match self.outputs.iter_mut().find(|o| o.name == name) {
            Some(o) => o.times = times,
            None => self.outputs.push(OutputPulses {
                name,
                times,
                reverse: Vec::new(),
            }),
        }
    }

    /// Builds pulse times from phase traces: each `(output, column)` pair names
    /// the phase column (`P(B1|XLOADOUTQ)`) whose slips are that output's pulses.
    pub fn from_traces(
        traces: &Traces,
        outputs: &[(&str, &str)],
        options: &SlipOptions,
    ) -> Result<PulseTimes, AnalysisError> {
        let mut pulses = PulseTimes::default();
        for &(output, column) in outputs {
            let phase = traces
                .column(column)
                .ok_or_else(|| AnalysisError::MissingColumn {
                    column: column.to_string(),
                    available: traces.names().collect::<Vec<_>>().join(", "),
                })?;
            let slips = detect_slips(&traces.time, phase, options);
            pulses.outputs.push(OutputPulses {
                name: output.to_string(),
                times: slips
                    .iter()
                    .filter(|s| s.sign > 0)
                    .map(|s| s.time)
                    .collect(),
                reverse: slips
                    .iter()
                    .filter(|s| s.sign < 0)
                    .map(|s| s.time)
                    .collect(),
            });
        }
        Ok(pulses)
    }

    /// The pulse times of `output`, if it is observed.
    pub fn get(&self, output: &str) -> Option<&[f64]> {
        self.outputs
            .iter()
            .find(|o| o.name == output)
            .map(|o| o.times.as_slice())
    }

    /// Number of pulses of `output` with `start <= t < end`.
    pub fn count_in(&self, output: &str, start: f64, end: f64) -> Option<usize> {
        self.get(output)
            .map(|t| t.iter().filter(|&&x| x >= start && x < end).count())
    }

    /// The latest pulse time of any output, if any.
    pub fn last_time(&self) -> Option<f64> {
        self.outputs
            .iter()
            .flat_map(|o| o.times.iter().chain(o.reverse.iter()))
            .copied()
            .fold(None, |m: Option<f64>, t| Some(m.map_or(t, |m| m.max(t))))
    }

    /// CSV with one row per pulse: `output,index,time_ps,sign`, outputs in
    /// order, pulses by time (index counts the +2π pulses from 1; reverse slips
    /// have index 0 and sign -1).
    pub fn to_csv(&self) -> String {
        let mut out = String::from("output,index,time_ps,sign\n");
        for o in &self.outputs {
            let mut rows: Vec<(f64, usize, i8)> = o
                .times
                .iter()
                .enumerate()
                .map(|(i, &t)| (t, i + 1, 1))
                .chain(o.reverse.iter().map(|&t| (t, 0, -1)))
                .collect();
            rows.sort_by(|a, b| a.0.total_cmp(&b.0));
            for (t, index, sign) in rows {
                let _ = writeln!(out, "{},{index},{:.4},{sign}", csv_field(&o.name), t * 1e12);
            }
        }
        out
    }
}

/// A CSV field, quoted when it holds a comma, quote or newline.
pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
