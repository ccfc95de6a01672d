//! Test benches as nmgen specs: a YAML text compiled through the normal spec path
//! (so a bench is exactly what `nmgen build` would write), simulated with thermal
//! noise, output pulses counted as forward 2π slips of the output's load JTL.

use std::path::PathBuf;

use rayon::prelude::*;

use super::CharacterizeError;
use crate::analysis::{detect_slips, Progress, PulseTimes, SlipOptions};
use crate::backend::josim::Netlist;
use crate::diagnostic::SourceFile;
use crate::engine::{Engine, Run};
use crate::spec::Design;

/// Checks a spec given as text (`name` names it in errors, as `<name>.yaml`).
pub fn design_from_yaml(name: &str, yaml: &str) -> Result<Design, CharacterizeError> {
    let file = SourceFile::new(PathBuf::from(format!("{name}.yaml")), yaml.to_string());
    let spec = crate::spec::parse(&file)?;
    Ok(crate::spec::check(&file, &spec)?)
}

/// One simulation of a compiled bench: parameter values, temperature and seed.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchRun {
    pub parameters: Vec<(String, f64)>,
    pub temperature: Option<f64>,
    pub seed: u64,
}

/// The last printed phase column of each network output (its load JTL's second junction).
pub fn output_columns(netlist: &Netlist) -> Vec<(String, String)> {
    netlist
        .output_phase_columns()
        .into_iter()
        .map(|(o, c)| (o.to_string(), c.to_string()))
        .collect()
}

/// Adds `.print p(<junction>.X<INSTANCE>)` lines for extra junction phases.
pub fn with_prints(text: &str, phases: &[String]) -> String {
    let mut extra = String::new();
    for p in phases {
        extra.push_str(&format!(".print p({p})\n"));
    }
    match text.rfind("\n.end") {
        Some(i) => format!("{}\n{}{}", &text[..i], extra, &text[i + 1..]),
        None => format!("{text}{extra}"),
    }
}

/// Simulates one run and returns the pulse times of every output.
pub fn simulate_pulses(
    engine: &Engine,
    text: &str,
    path: &std::path::Path,
    outputs: &[(String, String)],
    run: &BenchRun,
) -> Result<(PulseTimes, crate::analysis::Traces), CharacterizeError> {
    let mut r = Run::new(text, path);
    r.parameters = run.parameters.clone();
    r.temperature = run.temperature;
    r.seed = Some(run.seed);
    let traces = engine.simulate(&r)?;
    let pairs: Vec<(&str, &str)> = outputs
        .iter()
        .map(|(o, c)| (o.as_str(), c.as_str()))
        .collect();
    let pulses = PulseTimes::from_traces(&traces, &pairs, &SlipOptions::default())?;
    Ok((pulses, traces))
}

/// Forward 2π slips of one printed phase column.
pub fn forward_slips(
    traces: &crate::analysis::Traces,
    column: &str,
) -> Result<Vec<f64>, CharacterizeError> {
    let phase =
        traces
            .column(column)
            .ok_or_else(|| crate::analysis::AnalysisError::MissingColumn {
                column: column.to_string(),
                available: traces.names().collect::<Vec<_>>().join(", "),
            })?;
    Ok(detect_slips(&traces.time, phase, &SlipOptions::default())
        .into_iter()
        .filter(|s| s.sign > 0)
        .map(|s| s.time)
        .collect())
}

/// Runs a compiled design once per [`BenchRun`] (in parallel) and counts the pulses
/// of `output` in each. Results are in the order of `runs`, whatever the scheduling.
pub fn count_pulses(
    engine: &Engine,
    design: &Design,
    output: &str,
    runs: &[BenchRun],
    progress: Progress,
) -> Result<Vec<usize>, CharacterizeError> {
    let netlist = crate::build::compile(design);
    let outputs: Vec<(String, String)> = output_columns(&netlist)
        .into_iter()
        .filter(|(o, _)| o == output)
        .collect();
    if outputs.is_empty() {
        return Err(CharacterizeError::NoOutput(output.to_string()));
    }
    let path = design
        .spec_path
        .with_file_name(format!("{}.cir", design.name));
    let bar = progress.bar(
        runs.len() as u64,
        0,
        &format!("{}: simulating", design.name),
    );
    let counts = runs
        .par_iter()
        .map(|run| {
            let (pulses, _) = simulate_pulses(engine, &netlist.text, &path, &outputs, run)?;
            bar.inc(1);
            Ok(pulses.get(output).map_or(0, <[f64]>::len))
        })
        .collect::<Result<Vec<_>, CharacterizeError>>();
    bar.finish_and_clear();
    counts
}

/// The netlist instance name of a spec instance (`n` → `XN`).
pub fn instance_name(instance: &str) -> String {
    format!("X{}", instance.to_ascii_uppercase())
}
