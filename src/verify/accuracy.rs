//! Judging an `accuracy` check: every sample of the data set's chosen part becomes
//! the rate-coded stimulus of one simulation (per noise seed), the output with the
//! most pulses is the decision, and the decisions are scored against the labels.
//!
//! Simulating one sample is behind [`SampleLevel`]: [`CircuitLevel`] (the netlist in
//! an engine) or [`super::pulse_level::PulseLevel`] (the event-driven pulse-level
//! simulator); [`super::agreement`] compares the decisions of two runs sample by sample.

use std::path::Path;

use rayon::prelude::*;

use crate::analysis::checks::Accuracy;
use crate::analysis::{Progress, PulseTimes, SlipOptions};
use crate::dataset::{self, Scaling, Split};
use crate::diagnostic::SourceError;
use crate::engine::{Engine, EngineError, Run};
use crate::spec::located::error_at;
use crate::spec::Design;
use crate::train::{Confusion, RateCode};

/// Simulates one stimulus and counts the pulses of some outputs.
pub trait SampleLevel: Sync {
    /// For reports: `circuit (built-in engine)`, ….
    fn describe(&self) -> String;
    /// Pulses of each of `outputs` over the whole run of `design` (its inputs already
    /// carry the sample's pulses), under a margin assignment, with noise and a seed.
    fn output_counts(
        &self,
        design: &Design,
        outputs: &[String],
        assignment: &[(String, f64)],
        temperature: Option<f64>,
        seed: Option<u64>,
    ) -> Result<Vec<usize>, LevelError>;
}

/// Why a sample could not be simulated.
#[derive(Debug, thiserror::Error)]
pub enum LevelError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Pulse(#[from] crate::pulse::PulseError),
}

/// Circuit level: the netlist `nmgen build` writes, in an engine (built-in or JoSIM).
pub struct CircuitLevel<'a> {
    pub engine: &'a Engine,
}

impl SampleLevel for CircuitLevel<'_> {
    fn describe(&self) -> String {
        format!("circuit level, {} engine", self.engine.name())
    }

    fn output_counts(
        &self,
        design: &Design,
        outputs: &[String],
        assignment: &[(String, f64)],
        temperature: Option<f64>,
        seed: Option<u64>,
    ) -> Result<Vec<usize>, LevelError> {
        let netlist = crate::build::compile(design);
        let columns = crate::characterize::bench::output_columns(&netlist);
        let path = design
            .spec_path
            .with_file_name(format!("{}.cir", design.name));
        let mut run = Run::new(&netlist.text, &path);
        super::parameters::apply(design, assignment, &mut run);
        run.temperature = temperature;
        run.seed = seed;
        let traces = self.engine.simulate(&run)?;
        let pairs: Vec<(&str, &str)> = columns
            .iter()
            .filter(|(o, _)| outputs.contains(o))
            .map(|(o, c)| (o.as_str(), c.as_str()))
            .collect();
        let pulses = PulseTimes::from_traces(&traces, &pairs, &SlipOptions::default())
            .map_err(|e| EngineError::Io(e.to_string()))?;
        Ok(outputs
            .iter()
            .map(|o| pulses.get(o).map_or(0, <[f64]>::len))
            .collect())
    }
}

/// One sample ready to simulate.
#[derive(Debug, Clone)]
pub struct SampleRun {
    /// Row of the sample in the data file (0-based, samples only).
    pub row: usize,
    pub label: usize,
    /// The design driven by the sample.
    pub design: Design,
}

/// An accuracy check resolved against its data set.
#[derive(Debug, Clone)]
pub struct AccuracyPlan {
    pub classes: Vec<String>,
    pub outputs: Vec<String>,
    pub samples: Vec<SampleRun>,
    pub minimum: f64,
}

/// Output counts of one (sample, seed) and the decision.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SampleResult {
    pub row: usize,
    pub label: usize,
    pub seed: Option<u64>,
    pub counts: Vec<usize>,
    pub decision: Option<usize>,
}

/// The scored check.
#[derive(Debug, Clone)]
pub struct AccuracyReport {
    pub confusion: Confusion,
    pub results: Vec<SampleResult>,
    pub level: String,
}

/// Reads the data set (relative to the spec), takes the split's part and builds
/// one design per sample. Bad data files and mismatched inputs/outputs are located
/// errors.
pub fn prepare(design: &Design, a: &Accuracy) -> Result<AccuracyPlan, SourceError> {
    let file = &design.source;
    let base = design.spec_path.parent().unwrap_or(Path::new("."));
    let data = dataset::read(&base.join(&a.data.value))?;
    let inputs: Vec<&str> = a.inputs.value.iter().map(|s| s.value.as_str()).collect();
    if inputs.len() != data.feature_count() {
        return Err(error_at(
            file,
            &a.inputs,
            format!(
                "{} inputs for the {} features of {}",
                inputs.len(),
                data.feature_count(),
                a.data.value
            ),
        ));
    }
    if a.outputs.value.len() != data.classes.len() {
        return Err(error_at(
            file,
            &a.outputs,
            format!(
                "{} outputs for the {} classes of {} ({})",
                a.outputs.value.len(),
                data.classes.len(),
                a.data.value,
                data.classes.join(", ")
            ),
        ));
    }
    let s = a
        .split
        .as_ref()
        .map(|s| s.value.clone())
        .unwrap_or_default();
    let split = Split::stratified(&data, s.test_fraction, s.seed);
    let scaling = match &a.scale {
        Some(sc) => Scaling {
            min: sc.value.min.clone(),
            max: sc.value.max.clone(),
        },
        None => Scaling::fit(&data, &split.train),
    };
    let code = RateCode {
        rate_max: a.rate.value.0,
        start: a.window.value.start.0,
        end: a.window.value.end.0,
    };
    let mut rows = split.part(s.part);
    if let Some(n) = &a.samples {
        if n.value > rows.len() {
            return Err(error_at(
                file,
                n,
                format!(
                    "{} samples asked, the {:?} part has {}",
                    n.value,
                    s.part,
                    rows.len()
                ),
            ));
        }
        rows.truncate(n.value);
    }
    let samples = rows
        .into_iter()
        .map(|row| {
            let x = scaling.apply(&data.features[row]);
            let mut d = design.clone();
            for input in &mut d.inputs {
                input.pulses = match inputs.iter().position(|i| *i == input.name) {
                    Some(k) => code.pulses(k, x[k]),
                    None => Vec::new(),
                };
            }
            // room for the pulses to cross the layers after the window
            d.technology.tstop = code.end + 200e-12;
            SampleRun {
                row,
                label: data.labels[row],
                design: d,
            }
        })
        .collect();
    Ok(AccuracyPlan {
        classes: data.classes.clone(),
        outputs: a.outputs.value.iter().map(|o| o.value.clone()).collect(),
        samples,
        minimum: a.minimum.value.0,
    })
}

/// The noise seed of a sample: `1000·s + row` for seed number s = 1, 2, … (None
/// without noise).
pub fn sample_seed(row: usize, s: Option<u64>) -> Option<u64> {
    s.map(|s| 1000 * s + row as u64)
}

/// Simulates every sample for every seed number (in parallel) and scores them.
pub fn run(
    plan: &AccuracyPlan,
    level: &dyn SampleLevel,
    assignment: &[(String, f64)],
    temperature: Option<f64>,
    seeds: &[Option<u64>],
    progress: Progress,
) -> Result<AccuracyReport, LevelError> {
    let jobs: Vec<(&SampleRun, Option<u64>)> = plan
        .samples
        .iter()
        .flat_map(|s| seeds.iter().map(move |&k| (s, sample_seed(s.row, k))))
        .collect();
    let bar = progress.bar(jobs.len() as u64, 0, "accuracy: simulating samples");
    let results = jobs
        .par_iter()
        .map(|(s, seed)| {
            let counts =
                level.output_counts(&s.design, &plan.outputs, assignment, temperature, *seed)?;
            bar.inc(1);
            let as_f: Vec<f64> = counts.iter().map(|&c| c as f64).collect();
            Ok(SampleResult {
                row: s.row,
                label: s.label,
                seed: *seed,
                decision: crate::train::adam::winner(&as_f),
                counts,
            })
        })
        .collect::<Result<Vec<_>, LevelError>>();
    bar.finish_and_clear();
    let results = results?;
    let mut confusion = Confusion::new(plan.classes.clone());
    for r in &results {
        confusion.add(r.label, r.decision);
    }
    Ok(AccuracyReport {
        confusion,
        results,
        level: level.describe(),
    })
}

/// The check's verdict: passed when the accuracy reaches the plan's minimum; the
/// explanation gives the accuracy with its interval, the level and the confusion matrix.
pub fn outcome(
    check: String,
    plan: &AccuracyPlan,
    report: &AccuracyReport,
    seeds: usize,
) -> crate::analysis::CheckOutcome {
    let c = &report.confusion;
    crate::analysis::CheckOutcome {
        check,
        passed: c.accuracy() + 1e-12 >= plan.minimum,
        explanation: format!(
            "{} over {} sample(s) × {} seed(s), {}; minimum {:.1} %\n{}",
            c.summary(),
            plan.samples.len(),
            seeds,
            report.level,
            100.0 * plan.minimum,
            c.to_table().trim_end()
        ),
    }
}
