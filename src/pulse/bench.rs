//! A spec's checks judged at pulse level: the same patterns, seeds (`noise.seeds`) and
//! reports as [`crate::verify::Bench`], with the pulse-level simulator instead of a
//! circuit simulation. Margins at pulse level sweep spec parameters (weights,
//! thresholds) only: the cell models are measured at one global bias.

use super::models::CellModels;
use super::network::PulseNet;
use super::sim::Simulator;
use super::PulseError;
use crate::analysis::checks::Check;
use crate::analysis::{Evaluator, MarginParameter, ParameterKind, PulseTimes};
use crate::diagnostic::SourceError;
use crate::spec::Design;
use crate::verify::{judge_with, pattern_designs, seeds, Verdict};

/// A design ready to be judged at pulse level.
pub struct PulseBench {
    pub design: Design,
    pub models: CellModels,
    checks: Vec<Check>,
    /// The design of each pattern of each check (the nominal design for timing checks).
    patterns: Vec<Vec<Design>>,
}

impl PulseBench {
    /// Prepares every pattern and checks that the nominal design has a pulse-level model.
    pub fn new(design: &Design, models: CellModels) -> Result<PulseBench, BenchError> {
        PulseNet::from_design(design, &models, &[])?;
        let mut checks = Vec::new();
        let mut patterns = Vec::new();
        for (check, designs) in pattern_designs(design)? {
            if let crate::analysis::Check::Accuracy(_) = &check {
                return Err(BenchError::Pulse(PulseError::Accuracy(check.name())));
            }
            checks.push(check);
            patterns.push(designs.unwrap_or_else(|| vec![design.clone()]));
        }
        Ok(PulseBench {
            design: design.clone(),
            models,
            checks,
            patterns,
        })
    }

    pub fn has_checks(&self) -> bool {
        !self.checks.is_empty()
    }

    /// Checks that every parameter of a sweep can be varied at pulse level.
    pub fn check_parameters<'a>(
        parameters: impl IntoIterator<Item = &'a MarginParameter>,
    ) -> Result<(), PulseError> {
        for p in parameters {
            if p.kind != ParameterKind::Param {
                return Err(PulseError::Parameter(p.name.clone()));
            }
        }
        Ok(())
    }

    /// Judges every check under an assignment (multipliers by spec parameter name).
    pub fn judge(&self, assignment: &[(String, f64)]) -> Result<Verdict, PulseError> {
        let nets = self
            .patterns
            .iter()
            .map(|designs| {
                designs
                    .iter()
                    .map(|d| {
                        PulseNet::from_design(d, &self.models, assignment)
                            .map(|n| (n, d.technology.tstop))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
        let seeds = seeds(&self.design);
        let outcomes = judge_with(&self.checks, &seeds, |c, p, seed| {
            Ok::<PulseTimes, PulseError>(self.pulses_of(&nets[c][p].0, nets[c][p].1, seed))
        })?;
        Ok(Verdict {
            outcomes,
            seeds: seeds.len() as u32,
            accuracy: Vec::new(),
        })
    }

    fn pulses_of(&self, net: &PulseNet, tstop: f64, seed: Option<u64>) -> PulseTimes {
        Simulator::new(net).run(seed.unwrap_or(0), tstop).pulses
    }
}

/// Bad input found while preparing a pulse-level bench.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(transparent)]
    Spec(Box<SourceError>),
    #[error(transparent)]
    Pulse(#[from] PulseError),
}

impl From<SourceError> for BenchError {
    fn from(e: SourceError) -> Self {
        BenchError::Spec(Box::new(e))
    }
}

impl Evaluator for PulseBench {
    type Error = PulseError;
    fn passes(&self, assignment: &[(String, f64)]) -> Result<bool, PulseError> {
        Ok(self.judge(assignment)?.passed())
    }
}
