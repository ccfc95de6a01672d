//! Verification of an SFQ design: simulate each check's input patterns, read the
//! output pulses back and judge them; with thermal noise, for every seed. A
//! [`Bench`] is also the judge of margin, shmoo and yield sweeps ([`Evaluator`]).

pub mod accuracy;
pub mod agreement;
pub mod batch;
pub mod early;
pub mod parameters;
pub mod plan;
pub mod pulse_level;
pub mod sources;
pub mod stimulus;

use crate::analysis::checks::{Check, Window};
use crate::analysis::{evaluate_runs, CheckOutcome, Evaluator, PulseTimes, SlipOptions};
use crate::diagnostic::SourceError;
use crate::engine::{Engine, EngineError, Run};
use crate::netlist::edit::Prepared;
use crate::spec::Design;

/// One check with the netlist of each of its patterns, read and expanded once.
struct CheckRuns {
    check: Check,
    netlists: Vec<Prepared>,
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
}

impl Bench {
    /// Compiles the netlist of every pattern of every check.
    pub fn new(design: &Design, engine: Engine) -> Result<Bench, SourceError> {
        let nominal = crate::build::compile(design);
        let path = design
            .spec_path
            .with_file_name(format!("{}.cir", design.name));
        let observed = crate::characterize::bench::output_columns(&nominal);
        let mut runs = Vec::new();
        for (check, designs) in pattern_designs(design)? {
            let accuracy = match &check {
                Check::Accuracy(a) => Some(accuracy::prepare(design, a)?),
                _ => None,
            };
            let texts = match designs {
                _ if accuracy.is_some() => Vec::new(),
                Some(designs) => designs
                    .iter()
                    .map(|d| crate::build::compile(d).text)
                    .collect(),
                None => vec![nominal.text.clone()],
            };
            let netlists = texts
                .iter()
                .map(|t| sources::prepare(design, t, &path))
                .collect::<Result<Vec<_>, _>>()?;
            runs.push(CheckRuns {
                check,
                netlists,
                accuracy,
            });
        }
        Ok(Bench {
            design: design.clone(),
            engine,
            runs,
            observed,
        })
    }

    /// Whether the spec has anything to judge.
    pub fn has_checks(&self) -> bool {
        !self.runs.is_empty()
    }

    /// Every netlist the checks simulate (one per pattern), read once.
    pub fn netlists(&self) -> impl Iterator<Item = &Prepared> {
        self.runs.iter().flat_map(|r| r.netlists.iter())
    }

    /// The output pulses of one netlist under an assignment and seed.
    pub fn pulses(
        &self,
        netlist: &Prepared,
        assignment: &[(String, f64)],
        seed: Option<u64>,
    ) -> Result<PulseTimes, EngineError> {
        self.pulses_until(netlist, assignment, seed, None)
    }

    /// [`Bench::pulses`], the simulation ending early once `watch` has decided.
    fn pulses_until(
        &self,
        netlist: &Prepared,
        assignment: &[(String, f64)],
        seed: Option<u64>,
        watch: Option<early::Watch>,
    ) -> Result<PulseTimes, EngineError> {
        let run = self.run_of(netlist, assignment, seed, watch);
        let traces = self.engine.simulate(&run)?;
        let observed: Vec<(&str, &str)> = self
            .observed
            .iter()
            .map(|(o, c)| (o.as_str(), c.as_str()))
            .collect();
        PulseTimes::from_traces(&traces, &observed, &SlipOptions::default())
            .map_err(|e| EngineError::Io(e.to_string()))
    }

    /// The run of one netlist under an assignment and seed, watched by `watch`.
    fn run_of<'a>(
        &self,
        netlist: &'a Prepared,
        assignment: &[(String, f64)],
        seed: Option<u64>,
        watch: Option<early::Watch>,
    ) -> Run<'a> {
        let mut run = Run::prepared(netlist);
        run.stop = watch.map(early::Watch::hook);
        parameters::apply(&self.design, assignment, &mut run);
        if let Some((t, _)) = self.design.noise {
            run.temperature = Some(t);
        }
        run.seed = seed;
        run
    }

    /// Judges every check under an assignment (multipliers by parameter name).
    /// With noise, a check passes only if it passes for every seed; the outcome shown
    /// is the first failing seed's, or the last seed's.
    pub fn judge(&self, assignment: &[(String, f64)]) -> Result<Verdict, EngineError> {
        self.judge_recorded(assignment).map(|(v, _)| v)
    }

    /// [`Bench::judge`], also returning the simulations behind each check's outcome
    /// (for per-pattern reports), one record per check in order.
    pub fn judge_recorded(
        &self,
        assignment: &[(String, f64)],
    ) -> Result<(Verdict, Vec<CheckRecord>), EngineError> {
        let seeds = seeds(&self.design);
        // accuracy checks score a data set; the others are judged from pulses per
        // (pattern, seed)
        let pulse_runs: Vec<usize> = (0..self.runs.len())
            .filter(|&c| self.runs[c].accuracy.is_none())
            .collect();
        let checks: Vec<Check> = pulse_runs
            .iter()
            .map(|&c| self.runs[c].check.clone())
            .collect();
        let mut records: Vec<CheckRecord> = checks
            .iter()
            .map(|check| CheckRecord {
                check: check.clone(),
                seeds: Vec::new(),
                runs: Vec::new(),
                seconds: Vec::new(),
                total: 0.0,
            })
            .collect();
        let judged = judge_with(&checks, &seeds, |k, p, seed| {
            let record = &mut records[k];
            if p == 0 {
                record.seeds.push(seed);
                record.runs.push(Vec::new());
                record.seconds.push(Vec::new());
            }
            let t = std::time::Instant::now();
            let pulses = self.pulses(&self.runs[pulse_runs[k]].netlists[p], assignment, seed)?;
            let dt = t.elapsed().as_secs_f64();
            if let (Some(runs), Some(seconds)) = (record.runs.last_mut(), record.seconds.last_mut())
            {
                runs.push(pulses.clone());
                seconds.push(dt);
            }
            record.total += dt;
            Ok::<_, EngineError>(pulses)
        })?;
        let mut judged = judged.into_iter().zip(records);
        let mut outcomes = Vec::new();
        let mut all_records = Vec::new();
        let mut scores = Vec::new();
        for runs in &self.runs {
            let Some(plan) = &runs.accuracy else {
                if let Some((o, r)) = judged.next() {
                    outcomes.push(o);
                    all_records.push(r);
                }
                continue;
            };
            let started = std::time::Instant::now();
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
            )
            .map_err(|e| match e {
                accuracy::LevelError::Engine(e) => e,
                other => EngineError::Unsupported(other.to_string()),
            })?;
            outcomes.push(accuracy::outcome(
                runs.check.name(),
                plan,
                &report,
                seeds.len(),
            ));
            all_records.push(CheckRecord {
                check: runs.check.clone(),
                seeds: Vec::new(),
                runs: Vec::new(),
                seconds: Vec::new(),
                total: started.elapsed().as_secs_f64(),
            });
            scores.push((runs.check.name(), report));
        }
        Ok((
            Verdict {
                outcomes,
                seeds: seeds.len() as u32,
                accuracy: scores,
            },
            all_records,
        ))
    }
}

impl Bench {
    /// Whether every check passes, each simulation ending as soon as its outcome is
    /// decided and the first failing pattern ending the judgement: the same verdict
    /// as [`Bench::judge`] (see [`early`]). Rate-class and accuracy checks are judged
    /// in full.
    pub fn passes_early(&self, assignment: &[(String, f64)]) -> Result<bool, EngineError> {
        let whole = self
            .runs
            .iter()
            .any(|r| !matches!(r.check, Check::TruthTable(_) | Check::Timing(_)));
        if whole {
            return self.judge(assignment).map(|v| v.passed());
        }
        let observed: Vec<(&str, &str)> = self
            .observed
            .iter()
            .map(|(o, c)| (o.as_str(), c.as_str()))
            .collect();
        for seed in seeds(&self.design) {
            // every pattern of every check, in order, each judged alone: the engine
            // shares what their runs have in common, the first failure ends them
            let mut runs = Vec::new();
            let mut judged = Vec::new();
            for r in &self.runs {
                for (i, netlist) in r.netlists.iter().enumerate() {
                    let (watch, check) = pattern_watch(&r.check, i, netlist, &observed);
                    runs.push(self.run_of(netlist, assignment, seed, watch));
                    judged.push(check);
                }
            }
            let mut outcome: Result<bool, EngineError> = Ok(true);
            self.engine.simulate_each(&runs, &mut |k, traces| {
                let passed = traces.and_then(|t| {
                    PulseTimes::from_traces(&t, &observed, &SlipOptions::default())
                        .map_err(|e| EngineError::Io(e.to_string()))
                        .map(|pulses| evaluate_runs(&judged[k], &[pulses]).passed)
                });
                match passed {
                    Ok(true) => true,
                    other => {
                        outcome = other;
                        false
                    }
                }
            });
            if !matches!(outcome, Ok(true)) {
                return outcome;
            }
        }
        Ok(true)
    }
}

/// What a sweep point's run of pattern `i` of `check` is watched for (to end it early)
/// and the check that judges that one run.
fn pattern_watch(
    check: &Check,
    i: usize,
    netlist: &Prepared,
    observed: &[(&str, &str)],
) -> (Option<early::Watch>, Check) {
    let probes = &netlist.nominal().probes;
    let column = |output: &str| {
        let (_, header) = observed.iter().find(|(o, _)| *o == output)?;
        probes.iter().position(|p| p.header == *header)
    };
    match check {
        Check::TruthTable(t) => {
            let mut one = t.clone();
            one.patterns.value = vec![t.patterns.value[i].clone()];
            (
                early::Watch::truth_table(check, i, &column),
                Check::TruthTable(one),
            )
        }
        other => (early::Watch::timing(other), other.clone()),
    }
}

/// The simulations behind one check's outcome: for each seed simulated (`None`
/// without noise), every pattern's output pulses and its simulation time.
#[derive(Debug, Clone)]
pub struct CheckRecord {
    pub check: Check,
    pub seeds: Vec<Option<u64>>,
    /// `runs[s][i]`: pattern i under `seeds[s]`.
    pub runs: Vec<Vec<PulseTimes>>,
    /// `seconds[s][i]`: wall-clock seconds of that simulation.
    pub seconds: Vec<Vec<f64>>,
    /// Wall-clock seconds of the whole check.
    pub total: f64,
}

/// The noise seeds of a design's checks (`[None]` without noise).
pub fn seeds(design: &Design) -> Vec<Option<u64>> {
    match design.noise {
        Some((_, n)) => (1..=u64::from(n)).map(Some).collect(),
        None => vec![None],
    }
}

/// A check and the design of each of its patterns (`None`: the nominal design).
pub type CheckPatterns = (Check, Option<Vec<Design>>);

/// Every check of a design with the design of each of its patterns (inputs driven as
/// the pattern says); `None` for a check on the nominal design (timing).
pub fn pattern_designs(design: &Design) -> Result<Vec<CheckPatterns>, SourceError> {
    let whole = Window {
        start: crate::analysis::Time(0.0),
        end: crate::analysis::Time(design.technology.tstop),
    };
    let mut out = Vec::new();
    for check in &design.checks {
        let designs = match check {
            Check::TruthTable(t) => Some(
                t.patterns
                    .value
                    .iter()
                    .map(|p| {
                        let window = p.value.window_or(t.window.as_ref()).unwrap_or(whole);
                        stimulus::pattern_design(design, &p.value.stimulus, window)
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Check::RateClasses(r) => Some(
                r.patterns
                    .value
                    .iter()
                    .map(|p| {
                        let window = p
                            .value
                            .window
                            .as_ref()
                            .or(r.window.as_ref())
                            .map(|w| w.value)
                            .unwrap_or(whole);
                        stimulus::pattern_design(design, &p.value.stimulus, window)
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Check::Timing(_) | Check::Accuracy(_) => None,
        };
        out.push((check.clone(), designs));
    }
    Ok(out)
}

/// Judges checks from the output pulses of each (check, pattern, seed), which
/// `pulses(check index, pattern index, seed)` gives. With noise, a check passes only
/// if it passes for every seed; rate classes take every (pattern, seed) as a sample
/// of its class, so their margin is the worst case over all seeds.
pub fn judge_with<E>(
    checks: &[Check],
    seeds: &[Option<u64>],
    mut pulses: impl FnMut(usize, usize, Option<u64>) -> Result<PulseTimes, E>,
) -> Result<Vec<CheckOutcome>, E> {
    let mut outcomes = Vec::new();
    for (c, check) in checks.iter().enumerate() {
        if let (Check::RateClasses(r), true) = (check, seeds.len() > 1) {
            let mut expanded = r.clone();
            let mut all = Vec::new();
            expanded.patterns.value.clear();
            for seed in seeds {
                for (i, p) in r.patterns.value.iter().enumerate() {
                    let mut p = p.clone();
                    let label = p
                        .value
                        .name
                        .clone()
                        .unwrap_or_else(|| p.value.class.value.clone());
                    p.value.name = Some(format!("{label} seed {}", seed.unwrap_or(0)));
                    expanded.patterns.value.push(p);
                    all.push(pulses(c, i, *seed)?);
                }
            }
            let mut o = evaluate_runs(&Check::RateClasses(expanded), &all);
            o.check = check.name();
            o.explanation = format!("over {} seeds: {}", seeds.len(), o.explanation);
            outcomes.push(o);
            continue;
        }
        let mut outcome = None;
        for seed in seeds {
            let runs = (0..check.pattern_count())
                .map(|i| pulses(c, i, *seed))
                .collect::<Result<Vec<_>, _>>()?;
            let mut o = evaluate_runs(check, &runs);
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
    Ok(outcomes)
}

/// A simulation that fails at an extreme parameter value counts as a failing point;
/// a missing JoSIM or a bad netlist stops the sweep.
impl Evaluator for Bench {
    type Error = EngineError;
    fn passes(&self, assignment: &[(String, f64)]) -> Result<bool, EngineError> {
        match self.passes_early(assignment) {
            Ok(v) => Ok(v),
            Err(EngineError::Sim(_)) | Err(EngineError::Timeout(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    // `passes_many` judges point by point: each point's patterns share their first
    // steps (`Engine::simulate_each`), which beats batching points on one
    // factorisation for the examples' shmoos and yields (docs/margins.md);
    // [`batch::Batched`] judges them in batches.
}
