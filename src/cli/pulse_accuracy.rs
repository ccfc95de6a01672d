//! `nmgen check SPEC --level pulse` for `accuracy` checks: every sample of the check's
//! data-set part through the pulse-level simulator (in parallel, with a progress bar),
//! scored like the circuit level; `--report DIR` writes the same confusion SVG and
//! per-sample JSON, and `--against FILE` compares the decisions sample by sample with a
//! recorded circuit-level `<check>_accuracy.json`.

use std::path::Path;

use anyhow::Context;
use nmgen::analysis::checks::Accuracy;
use nmgen::analysis::{CheckOutcome, Progress};
use nmgen::diagnostic::SourceFile;
use nmgen::output::Artifact;
use nmgen::pulse::{CellModels, PulseError};
use nmgen::spec::Design;
use nmgen::verify::accuracy::{self, LevelError, SampleResult};
use nmgen::verify::agreement::Agreement;
use nmgen::verify::pulse_level::PulseLevel;

use super::Failure;

/// The accuracy checks of a design, and the design with only its other checks.
pub fn split_checks(design: &Design) -> (Vec<Accuracy>, Design) {
    let mut others = design.clone();
    let mut acc = Vec::new();
    others.checks.retain(|c| match c {
        nmgen::analysis::Check::Accuracy(a) => {
            acc.push((**a).clone());
            false
        }
        _ => true,
    });
    (acc, others)
}

pub enum RunError {
    /// A cell without a pulse-level model (located by the caller).
    Pulse(PulseError),
    Other(Failure),
}

impl<T: Into<Failure>> From<T> for RunError {
    fn from(e: T) -> Self {
        RunError::Other(e.into())
    }
}

/// The per-sample results of a recorded accuracy report (`samples` of the JSON that
/// `nmgen check --report` writes); a malformed file is an error at its line and column.
fn read_samples(path: &Path) -> Result<(String, Vec<SampleResult>), Failure> {
    #[derive(serde::Deserialize)]
    struct Recorded {
        level: String,
        samples: Vec<SampleResult>,
    }
    let file = SourceFile::read(path)?;
    let r: Recorded = serde_json::from_str(&file.text).map_err(|e| {
        Failure::Input(Box::new(file.error_at(
            e.line().max(1),
            e.column().max(1),
            1,
            format!("accuracy report: {e}"),
        )))
    })?;
    Ok((r.level, r.samples))
}

/// Scores every accuracy check at pulse level; returns their outcomes.
pub fn run(
    design: &Design,
    checks: &[Accuracy],
    models: CellModels,
    report: Option<&Path>,
    against: Option<&Path>,
) -> Result<Vec<CheckOutcome>, RunError> {
    let recorded = against.map(read_samples).transpose()?;
    let level = PulseLevel { models };
    let seeds = nmgen::verify::seeds(design);
    let mut outcomes = Vec::new();
    let mut scores = Vec::new();
    let mut files = Vec::new();
    for a in checks {
        let name = nmgen::analysis::Check::Accuracy(Box::new(a.clone())).name();
        let plan = accuracy::prepare(design, a)?;
        let scored = accuracy::run(&plan, &level, &[], None, &seeds, Progress::Auto);
        let scored = match scored {
            Ok(r) => r,
            Err(LevelError::Pulse(e)) => return Err(RunError::Pulse(e)),
            Err(LevelError::Engine(e)) => return Err(anyhow::Error::from(e).into()),
        };
        let mut o = accuracy::outcome(name.clone(), &plan, &scored, seeds.len());
        if let Some((other, samples)) = &recorded {
            let g = Agreement::of(&scored.results, samples);
            o.explanation = format!("{}\nagainst {other}: {}", o.explanation, g.summary());
            let json = serde_json::json!({
                "check": name, "levels": [scored.level, other], "agreement": g,
            });
            files.push(Artifact::new(
                format!("{}_agreement.json", super::check::slug(&name)),
                serde_json::to_string_pretty(&json).unwrap_or_default() + "\n",
            ));
        }
        outcomes.push(o);
        scores.push((name, scored));
    }
    if let Some(dir) = report {
        let verdict = nmgen::verify::Verdict {
            outcomes: Vec::new(),
            seeds: seeds.len() as u32,
            accuracy: scores,
        };
        super::check::write_accuracy_reports(dir, &verdict)?;
        for p in nmgen::output::write_files(dir, &files)
            .context("writing the level agreement")
            .map_err(Failure::from)?
        {
            println!("wrote {}", p.display());
        }
    }
    Ok(outcomes)
}
