//! Several sweep points judged together: each pattern's simulations of the points
//! still undecided run as one batch of the built-in simulator (points whose system
//! matrix is the same — bias-only edits — share one factorisation and one
//! multi-right-hand-side solve per step), each with its own early-exit watch.
//!
//! The verdicts are exactly those of [`Bench::passes`] point by point: a batched run
//! gives each point the waveforms [`crate::sim::simulate`] gives it (bit for bit, cut
//! at the same step by the same watch), the patterns are judged in the same order, and
//! a point leaves at its first failing pattern.

use crate::analysis::checks::Check;
use crate::analysis::{evaluate_runs, Evaluator, PulseTimes, SlipOptions};
use crate::engine::{self, Engine, EngineError, Run};
use crate::sim::{self, SimOptions};

use super::{early, parameters, pattern_watch, seeds, Bench};

/// A bench whose sweeps judge shmoo rows and Monte Carlo chunks in batches
/// ([`Bench::passes_batched`]) instead of point by point.
pub struct Batched<'a>(pub &'a Bench);

impl Evaluator for Batched<'_> {
    type Error = EngineError;
    fn passes(&self, assignment: &[(String, f64)]) -> Result<bool, EngineError> {
        self.0.passes(assignment)
    }
    fn passes_many(&self, assignments: &[Vec<(String, f64)>]) -> Result<Vec<bool>, EngineError> {
        self.0.passes_batched(assignments)
    }
}

impl Bench {
    /// Whether each assignment passes, the points of each pattern simulated as one
    /// batch (see the module): the verdicts of [`Bench::passes`] on each.
    pub fn passes_batched(
        &self,
        assignments: &[Vec<(String, f64)>],
    ) -> Result<Vec<bool>, EngineError> {
        let whole = self
            .runs
            .iter()
            .any(|r| !matches!(r.check, Check::TruthTable(_) | Check::Timing(_)));
        let mode = match self.engine {
            Engine::Builtin { mode } if !whole && assignments.len() > 1 => mode,
            _ => return assignments.iter().map(|a| self.passes(a)).collect(),
        };
        let observed: Vec<(&str, &str)> = self
            .observed
            .iter()
            .map(|(o, c)| (o.as_str(), c.as_str()))
            .collect();
        let mut verdict: Vec<Option<bool>> = vec![None; assignments.len()];
        for seed in seeds(&self.design) {
            for runs in &self.runs {
                for (i, netlist) in runs.netlists.iter().enumerate() {
                    let open: Vec<usize> = (0..assignments.len())
                        .filter(|&k| verdict[k].is_none())
                        .collect();
                    if open.is_empty() {
                        return Ok(vec![false; assignments.len()]);
                    }
                    let (_, judged) = pattern_watch(&runs.check, i, netlist, &observed);
                    let mut circuits = Vec::with_capacity(open.len());
                    let mut stops = Vec::with_capacity(open.len());
                    for &k in &open {
                        // a watch per point: its state follows that point's run
                        let (watch, _) = pattern_watch(&runs.check, i, netlist, &observed);
                        let mut run = Run::prepared(netlist);
                        parameters::apply(&self.design, &assignments[k], &mut run);
                        if let Some((t, _)) = self.design.noise {
                            run.temperature = Some(t);
                        }
                        run.seed = seed;
                        circuits.push(run.circuit()?);
                        stops.push(watch.map(early::Watch::hook));
                    }
                    let options = SimOptions {
                        mode,
                        seed,
                        ..SimOptions::default()
                    };
                    let refs: Vec<&crate::circuit::Circuit> = circuits.iter().collect();
                    let results = sim::simulate_batch_until(&refs, &stops, &options);
                    for (&k, result) in open.iter().zip(results) {
                        // a run that fails (no convergence at an extreme value) is a
                        // failing point, as in `Bench::passes`
                        let Ok(waveforms) = result else {
                            verdict[k] = Some(false);
                            continue;
                        };
                        let traces = engine::traces(waveforms);
                        let pulses =
                            PulseTimes::from_traces(&traces, &observed, &SlipOptions::default())
                                .map_err(|e| EngineError::Io(e.to_string()))?;
                        if !evaluate_runs(&judged, &[pulses]).passed {
                            verdict[k] = Some(false);
                        }
                    }
                }
            }
        }
        Ok(verdict.into_iter().map(|v| v.unwrap_or(true)).collect())
    }
}
