//! Verification of an SFQ design: simulate each check's input patterns, read the
//! output pulses back and judge them; with thermal noise, for every seed. A
//! [`Bench`] is also the judge of margin, shmoo and yield sweeps ([`Evaluator`]).

pub mod accuracy;
pub mod parameters;
pub mod plan;
pub mod stimulus;

use std::path::PathBuf;

use crate::analysis::checks::{Check, Window};
use crate::analysis::{evaluate_runs, CheckOutcome, Evaluator, PulseTimes, SlipOptions};
use crate::diagnostic::SourceError;
use crate::engine::{Engine, EngineError, Run};
use crate::spec::Design;

/// One check with the netlist of each of its patterns.
struct CheckRuns {
    check: Check,
    netlists: Vec<String>,
    /// An accuracy check's samples.
    accuracy: Option<accuracy::AccuracyPlan>,
}

/// The outcome of every check, for one parameter assignment.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub outcomes: Vec<CheckOutcome>,
    /// Seeds simulated per pattern (1 without noise).
    pub seeds: u32,
    /// The scores of the accuracy checks, by check name.
    pub accuracy: Vec<(String, accuracy::AccuracyReport)>,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.outcomes.iter().all(|o| o.passed)
    }
}

/// A design ready to be judged.
pub struct Bench {
    pub design: Design,
    pub engine: Engine,
    runs: Vec<CheckRuns>,
    /// (output, phase column whose slips are its pulses).
    observed: Vec<(String, String)>,
    path: PathBuf,
}

impl Bench {
    /// Compiles the netlist of every pattern of every check.
    pub fn new(design: &Design, engine: Engine) -> Result<Bench, SourceError> {
        let nominal = crate::build::compile(design);
        let observed = nominal
            .probes
            .iter()
            .filter_map(|p| {
                let last = p.columns.last()?;
                last.starts_with("P(")
                    .then(|| (p.output.clone(), last.clone()))
            })
            .collect();
        let mut runs = Vec::new();
        for check in &design.checks {
            let plan = match check {
                Check::Accuracy(a) => Some(accuracy::prepare(design, a)?),
                _ => None,
            };
            let netlists = match check {
                Check::Accuracy(_) => Vec::new(),
                Check::TruthTable(t) => t
                    .patterns
                    .value
                    .iter()
                    .map(|p| {
                        let window = p.value.window_or(t.window.as_ref()).unwrap_or(Window {
                            start: crate::analysis::Time(0.0),
                            end: crate::analysis::Time(design.technology.tstop),
                        });
                        stimulus::pattern_design(design, &p.value.stimulus, window)
                            .map(|d| crate::build::compile(&d).text)
                    })
                    .collect::<Result<Vec<_>, _>>()?,
                Check::RateClasses(r) => r
                    .patterns
                    .value
                    .iter()
                    .map(|p| {
                        let window = p
                            .value
                            .window
                            .as_ref()
                            .or(r.window.as_ref())
                            .map(|w| w.value)
                            .unwrap_or(Window {
                                start: crate::analysis::Time(0.0),
                                end: crate::analysis::Time(design.technology.tstop),
                            });
                        stimulus::pattern_design(design, &p.value.stimulus, window)
                            .map(|d| crate::build::compile(&d).text)
                    })
                    .collect::<Result<Vec<_>, _>>()?,
                Check::Timing(_) => vec![nominal.text.clone()],
            };
            runs.push(CheckRuns {
                check: check.clone(),
                netlists,
                accuracy: plan,
            });
        }
        Ok(Bench {
            design: design.clone(),
            engine,
            runs,
            observed,
            path: design
                .spec_path
                .with_file_name(format!("{}.cir", design.name)),
        })
    }

    /// Whether the spec has anything to judge.
    pub fn has_checks(&self) -> bool {
        !self.runs.is_empty()
    }

    /// The output pulses of one netlist under an assignment and seed.
    pub fn pulses(
        &self,
        netlist: &str,
        assignment: &[(String, f64)],
        seed: Option<u64>,
    ) -> Result<PulseTimes, EngineError> {
        let mut run = Run::new(netlist, &self.path);
        parameters::apply(&self.design, assignment, &mut run);
        if let Some((t, _)) = self.design.noise {
            run.temperature = Some(t);
        }
        run.seed = seed;
        let traces = self.engine.simulate(&run)?;
        let observed: Vec<(&str, &str)> = self
            .observed
            .iter()
            .map(|(o, c)| (o.as_str(), c.as_str()))
            .collect();
        PulseTimes::from_traces(&traces, &observed, &SlipOptions::default())
            .map_err(|e| EngineError::Io(e.to_string()))
    }

    /// Judges every check under an assignment (multipliers by parameter name).
    /// With noise, a check passes only if it passes for every seed; the outcome shown
    /// is the first failing seed's, or the last seed's.
    pub fn judge(&self, assignment: &[(String, f64)]) -> Result<Verdict, EngineError> {
        let seeds: Vec<Option<u64>> = match self.design.noise {
            Some((_, n)) => (1..=u64::from(n)).map(Some).collect(),
            None => vec![None],
        };
        let mut outcomes = Vec::new();
        let mut scores = Vec::new();
        for runs in &self.runs {
            if let Some(plan) = &runs.accuracy {
                let level = accuracy::CircuitLevel {
                    engine: &self.engine,
                };
                let temperature = self.design.noise.map(|(t, _)| t);
                let report = accuracy::run(
                    plan,
                    &level,
                    assignment,
                    temperature,
                    &seeds,
                    crate::analysis::Progress::Auto,
                )?;
                let c = &report.confusion;
                outcomes.push(CheckOutcome {
                    check: runs.check.name(),
                    passed: c.accuracy() + 1e-12 >= plan.minimum,
                    explanation: format!(
                        "{} over {} sample(s) × {} seed(s), {}; minimum {:.1} %\n{}",
                        c.summary(),
                        plan.samples.len(),
                        seeds.len(),
                        report.level,
                        100.0 * plan.minimum,
                        c.to_table().trim_end()
                    ),
                });
                scores.push((runs.check.name(), report));
                continue;
            }
            // rate classes over noise: every (pattern, seed) is a sample of its class, so
            // the margin is the worst case over all seeds
            if let (Check::RateClasses(r), true) = (&runs.check, seeds.len() > 1) {
                let mut expanded = r.clone();
                let mut all = Vec::new();
                expanded.patterns.value.clear();
                for seed in &seeds {
                    for (p, netlist) in r.patterns.value.iter().zip(&runs.netlists) {
                        let mut p = p.clone();
                        let label = p
                            .value
                            .name
                            .clone()
                            .unwrap_or_else(|| p.value.class.value.clone());
                        p.value.name = Some(format!("{label} seed {}", seed.unwrap_or(0)));
                        expanded.patterns.value.push(p);
                        all.push(self.pulses(netlist, assignment, *seed)?);
                    }
                }
                let mut o = evaluate_runs(&Check::RateClasses(expanded), &all);
                o.check = runs.check.name();
                o.explanation = format!("over {} seeds: {}", seeds.len(), o.explanation);
                outcomes.push(o);
                continue;
            }
            let mut outcome = None;
            for seed in &seeds {
                let pulses = runs
                    .netlists
                    .iter()
                    .map(|n| self.pulses(n, assignment, *seed))
                    .collect::<Result<Vec<_>, _>>()?;
                let mut o = evaluate_runs(&runs.check, &pulses);
                if let Some(s) = seed {
                    o.explanation = format!("seed {s}: {}", o.explanation);
                }
                let failed = !o.passed;
                outcome = Some(o);
                if failed {
                    break;
                }
            }
            outcomes.extend(outcome);
        }
        Ok(Verdict {
            outcomes,
            seeds: seeds.len() as u32,
            accuracy: scores,
        })
    }
}

/// A simulation that fails at an extreme parameter value counts as a failing point;
/// a missing JoSIM or a bad netlist stops the sweep.
impl Evaluator for Bench {
    type Error = EngineError;
    fn passes(&self, assignment: &[(String, f64)]) -> Result<bool, EngineError> {
        match self.judge(assignment) {
            Ok(v) => Ok(v.passed()),
            Err(EngineError::Sim(_)) | Err(EngineError::Timeout(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
