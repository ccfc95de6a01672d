//! Output pulse counts of a design at both levels, per pattern and seed, and how well
//! they agree. The patterns are those of the spec's checks (or the spec's own stimulus
//! when it has no checks); seeds are 1..=N. The circuit-level counts are expensive, so
//! `nmgen characterize levels` records them as reference data (JSON) with a hash of
//! what they depend on; the pulse level recomputes its side in seconds.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::models::CellModels;
use super::network::PulseNet;
use super::sim::Simulator;
use super::stats::{mann_whitney, mean, MannWhitney};
use super::PulseError;
use crate::analysis::checks::Check;
use crate::analysis::Progress;
use crate::characterize::bench::{output_columns, simulate_pulses, BenchRun};
use crate::characterize::CharacterizeError;
use crate::engine::Engine;
use crate::spec::Design;

/// The format tag of a levels file.
pub const FORMAT: &str = "nmgen-levels/1";

/// Output counts of one pattern: per output, one count per seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatternCounts {
    pub name: String,
    /// The class a rate-classes check expects (empty otherwise).
    #[serde(default)]
    pub class: String,
    pub outputs: Vec<OutputCounts>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputCounts {
    pub output: String,
    pub counts: Vec<u32>,
}

/// Counts of every pattern at one level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelCounts {
    pub format: String,
    /// How the counts were made (`circuit (built-in engine)`, `pulse`).
    pub level: String,
    /// The command that regenerates the file.
    pub command: String,
    /// SHA-256 of the spec text, its lowered netlist and, at circuit level, the cell
    /// netlists and the simulator's noise model ([`design_hash`]).
    pub source_sha256: String,
    pub temperature_k: f64,
    pub seeds: Vec<u64>,
    pub patterns: Vec<PatternCounts>,
}

/// One pattern to count: its name and class, and the design that drives it.
pub struct CountPattern {
    pub name: String,
    pub class: String,
    pub design: Design,
}

/// The patterns of a design's first check that has patterns, or the design's own
/// stimulus as one pattern `nominal`.
pub fn count_patterns(
    design: &Design,
) -> Result<Vec<CountPattern>, crate::diagnostic::SourceError> {
    for (check, designs) in crate::verify::pattern_designs(design)? {
        let Some(designs) = designs else { continue };
        let labels: Vec<(String, String)> = match &check {
            Check::RateClasses(r) => r
                .patterns
                .value
                .iter()
                .map(|p| {
                    let class = p.value.class.value.clone();
                    (p.value.name.clone().unwrap_or_else(|| class.clone()), class)
                })
                .collect(),
            Check::TruthTable(t) => (0..t.patterns.value.len())
                .map(|i| (format!("pattern {}", i + 1), String::new()))
                .collect(),
            Check::Timing(_) | Check::Accuracy(_) => continue,
        };
        return Ok(labels
            .into_iter()
            .zip(designs)
            .map(|((name, class), design)| CountPattern {
                name,
                class,
                design,
            })
            .collect());
    }
    Ok(vec![CountPattern {
        name: "nominal".into(),
        class: String::new(),
        design: design.clone(),
    }])
}

/// SHA-256 of what circuit-level counts of a design depend on: the spec text, the
/// netlist the passes lower it to, the built-in cell netlists and the simulator's
/// noise model (the same inputs as a model file's hash, without the benches).
pub fn design_hash(design: &Design) -> String {
    let mut h = Sha256::new();
    h.update(design.source.text.as_bytes());
    h.update([0]);
    // the lowered netlist, so that a change in the passes makes the counts stale too
    // (comment lines name the spec's path and nmgen's version: left out)
    let netlist = crate::backend::josim::write(design, &crate::passes::lower(design));
    for line in netlist.text.lines().filter(|l| !l.starts_with('*')) {
        h.update(line.as_bytes());
        h.update([b'\n']);
    }
    h.update([0]);
    h.update(
        super::models::source_hash(
            &super::models::TechnologyRecord::of(&design.technology),
            &serde_json::Value::Null,
        )
        .as_bytes(),
    );
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn temperature(design: &Design) -> f64 {
    design.noise.map_or(4.2, |(t, _)| t)
}

/// Circuit-level counts: every pattern simulated with thermal noise for every seed.
pub fn circuit_counts(
    design: &Design,
    engine: &Engine,
    seeds: &[u64],
    command: &str,
    progress: Progress,
) -> Result<LevelCounts, CharacterizeError> {
    let patterns = count_patterns(design)?;
    let t = temperature(design);
    let jobs: Vec<(usize, u64)> = (0..patterns.len())
        .flat_map(|p| seeds.iter().map(move |&s| (p, s)))
        .collect();
    let compiled: Vec<_> = patterns
        .iter()
        .map(|p| {
            let netlist = crate::build::compile(&p.design);
            let outputs = output_columns(&netlist);
            (netlist, outputs)
        })
        .collect();
    let path = design
        .spec_path
        .with_file_name(format!("{}.cir", design.name));
    let bar = progress.bar(
        jobs.len() as u64,
        0,
        &format!("{}: circuit level", design.name),
    );
    let results = jobs
        .par_iter()
        .map(|&(p, seed)| {
            let (netlist, outputs) = &compiled[p];
            let run = BenchRun {
                parameters: Vec::new(),
                temperature: Some(t),
                seed,
            };
            let (pulses, _) = simulate_pulses(engine, &netlist.text, &path, outputs, &run)?;
            bar.inc(1);
            Ok(pulses)
        })
        .collect::<Result<Vec<_>, CharacterizeError>>();
    bar.finish_and_clear();
    let results = results?;
    let level = format!("circuit ({} engine)", engine.name());
    Ok(assemble(
        design,
        &patterns,
        seeds,
        &level,
        command,
        t,
        |p, k| &results[p * seeds.len() + k],
    ))
}

/// Pulse-level counts: the same patterns and seeds through the pulse-level simulator.
pub fn pulse_counts(
    design: &Design,
    models: &CellModels,
    seeds: &[u64],
) -> Result<LevelCounts, LevelsError> {
    let patterns = count_patterns(design)?;
    let mut results = Vec::new();
    for p in &patterns {
        let net = PulseNet::from_design(&p.design, models, &[])?;
        let mut sim = Simulator::new(&net);
        for &seed in seeds {
            results.push(sim.run(seed, p.design.technology.tstop).pulses);
        }
    }
    Ok(assemble(
        design,
        &patterns,
        seeds,
        "pulse",
        "",
        temperature(design),
        |p, k| &results[p * seeds.len() + k],
    ))
}

fn assemble<'a>(
    design: &Design,
    patterns: &[CountPattern],
    seeds: &[u64],
    level: &str,
    command: &str,
    temperature_k: f64,
    result: impl Fn(usize, usize) -> &'a crate::analysis::PulseTimes,
) -> LevelCounts {
    LevelCounts {
        format: FORMAT.into(),
        level: level.into(),
        command: command.into(),
        source_sha256: design_hash(design),
        temperature_k,
        seeds: seeds.to_vec(),
        patterns: patterns
            .iter()
            .enumerate()
            .map(|(p, pat)| PatternCounts {
                name: pat.name.clone(),
                class: pat.class.clone(),
                outputs: design
                    .outputs
                    .iter()
                    .map(|o| OutputCounts {
                        output: o.clone(),
                        counts: (0..seeds.len())
                            .map(|k| result(p, k).get(o).map_or(0, |t| t.len() as u32))
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Bad input while counting at pulse level.
#[derive(Debug, thiserror::Error)]
pub enum LevelsError {
    #[error(transparent)]
    Spec(Box<crate::diagnostic::SourceError>),
    #[error(transparent)]
    Pulse(#[from] PulseError),
}

impl From<crate::diagnostic::SourceError> for LevelsError {
    fn from(e: crate::diagnostic::SourceError) -> Self {
        LevelsError::Spec(Box::new(e))
    }
}

/// How one output of one pattern compares between the levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    pub pattern: String,
    pub output: String,
    pub circuit_mean: f64,
    pub pulse_mean: f64,
    pub test: MannWhitney,
}

impl Agreement {
    /// |pulse mean − circuit mean|.
    pub fn mean_difference(&self) -> f64 {
        (self.pulse_mean - self.circuit_mean).abs()
    }
}

/// Per-pattern, per-output comparison of two count sets (matched by names).
pub fn compare(circuit: &LevelCounts, pulse: &LevelCounts) -> Vec<Agreement> {
    let mut out = Vec::new();
    for pc in &circuit.patterns {
        let Some(pp) = pulse.patterns.iter().find(|p| p.name == pc.name) else {
            continue;
        };
        for oc in &pc.outputs {
            let Some(op) = pp.outputs.iter().find(|o| o.output == oc.output) else {
                continue;
            };
            let a: Vec<f64> = oc.counts.iter().map(|&c| f64::from(c)).collect();
            let b: Vec<f64> = op.counts.iter().map(|&c| f64::from(c)).collect();
            out.push(Agreement {
                pattern: pc.name.clone(),
                output: oc.output.clone(),
                circuit_mean: mean(&a),
                pulse_mean: mean(&b),
                test: mann_whitney(&a, &b),
            });
        }
    }
    out
}

impl LevelCounts {
    /// The rate-classification margin of `output` (pulses): the lowest count of any
    /// pattern of the highest class minus the highest count of any pattern of the
    /// other classes, over all seeds. `None` without two classes.
    pub fn margin(&self, output: &str) -> Option<i64> {
        let counts = |p: &PatternCounts| -> Vec<u32> {
            p.outputs
                .iter()
                .find(|o| o.output == output)
                .map(|o| o.counts.clone())
                .unwrap_or_default()
        };
        let high = self.patterns.iter().map(|p| p.class.as_str()).max()?;
        let (mut low_max, mut high_min) = (None::<u32>, None::<u32>);
        for p in &self.patterns {
            let c = counts(p);
            if p.class == high {
                high_min = c.iter().copied().min().into_iter().chain(high_min).min();
            } else {
                low_max = c.iter().copied().max().into_iter().chain(low_max).max();
            }
        }
        Some(i64::from(high_min?) - i64::from(low_max?))
    }

    /// Mean count of an output in a pattern.
    pub fn mean(&self, pattern: &str, output: &str) -> Option<f64> {
        let p = self.patterns.iter().find(|p| p.name == pattern)?;
        let o = p.outputs.iter().find(|o| o.output == output)?;
        Some(mean(
            &o.counts.iter().map(|&c| f64::from(c)).collect::<Vec<_>>(),
        ))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Reads a levels file; errors name file:line:col.
    pub fn read(path: &std::path::Path) -> Result<LevelCounts, crate::diagnostic::SourceError> {
        let file = crate::diagnostic::SourceFile::read(path)?;
        let l: LevelCounts = serde_json::from_str(&file.text).map_err(|e| {
            file.error_at(
                e.line().max(1),
                e.column().max(1),
                1,
                format!("levels file: {e}"),
            )
        })?;
        if l.format != FORMAT {
            let offset = file.text.find("\"format\"").unwrap_or(0);
            return Err(file.error(
                offset..offset + 8,
                format!(
                    "unknown format `{}` (this nmgen reads `{FORMAT}`)",
                    l.format
                ),
            ));
        }
        Ok(l)
    }
}

/// A Markdown table of an agreement: means of both levels and the test's p-value.
pub fn table(agreement: &[Agreement]) -> String {
    {
        let mut s = String::from(
            "| pattern | output | circuit mean | pulse mean | difference | Mann-Whitney p |\n|---|---|---|---|---|---|\n",
        );
        for a in agreement {
            s.push_str(&format!(
                "| {} | {} | {:.2} | {:.2} | {:+.2} | {:.3} |\n",
                a.pattern,
                a.output,
                a.circuit_mean,
                a.pulse_mean,
                a.pulse_mean - a.circuit_mean,
                a.test.p
            ));
        }
        s
    }
}
