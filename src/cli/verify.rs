//! `nmgen check` and `nmgen margins`: judge a design, and sweep its parameters.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use nmgen::analysis::{self, Progress, Shard, SweepPlan, SweepReport};
use nmgen::output::Artifact;
use nmgen::verify::{plan, Bench};

use super::engine_args::EngineArgs;
use super::Failure;

/// `nmgen check SPEC`: every check of the spec, and the minimum margin if the spec
/// sets one. Exit 0 pass, 1 fail, 2 bad input.
pub fn check(spec: &Path, args: &EngineArgs, report: Option<&Path>) -> Result<(), Failure> {
    let design = nmgen::spec::load(spec)?;
    let bench = Bench::new(&design, args.engine()?)?;
    let minimum = design
        .margins
        .as_ref()
        .and_then(|m| m.minimum.as_ref())
        .map(|m| m.value.0);
    if !bench.has_checks() {
        return Err(Failure::Other(anyhow::anyhow!(
            "{}: the spec has no `checks:` to run",
            spec.display()
        )));
    }
    let margin_plan = plan::margin_plan(&design)?;
    let verdict = bench.judge(&[]).map_err(anyhow::Error::from)?;
    let noise = match design.noise {
        Some((t, n)) => format!(", thermal noise at {t} K, {n} seed(s)"),
        None => String::new(),
    };
    println!(
        "{}: {} check(s), {} engine{noise}",
        design.name,
        verdict.outcomes.len(),
        bench.engine.name()
    );
    for o in &verdict.outcomes {
        println!(
            "{} {}: {}",
            if o.passed { "PASS" } else { "FAIL" },
            o.check,
            o.explanation
        );
    }
    if let Some(dir) = report {
        write_accuracy_reports(dir, &verdict)?;
    }
    let mut failed: Vec<String> = verdict
        .outcomes
        .iter()
        .filter(|o| !o.passed)
        .map(|o| o.check.clone())
        .collect();
    if let (Some(min), true) = (minimum, failed.is_empty()) {
        let report = match analysis::run(&SweepPlan::Margins(margin_plan), &bench, Progress::Auto)
            .map_err(anyhow::Error::from)?
        {
            SweepReport::Margins(r) => r,
            _ => unreachable!("a margin plan gives a margin report"),
        };
        print!("{}", report.to_table());
        match &report.critical {
            Some(c) if c.margin_percent + 1e-9 < min * 100.0 => {
                println!(
                    "FAIL critical margin {:.1} % ({}) is below the required {:.1} %",
                    c.margin_percent,
                    c.name,
                    min * 100.0
                );
                failed.push(format!("margin of {}", c.name));
            }
            Some(c) => println!(
                "PASS critical margin {:.1} % ({}) ≥ {:.1} %",
                c.margin_percent,
                c.name,
                min * 100.0
            ),
            None => {}
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::Failed(format!(
            "{}: {}",
            design.name,
            failed.join(", ")
        )))
    }
}

/// Per accuracy check: `<slug>_confusion.svg` and `<slug>_accuracy.json`.
fn write_accuracy_reports(dir: &Path, verdict: &nmgen::verify::Verdict) -> Result<(), Failure> {
    let mut files = Vec::new();
    for (name, r) in &verdict.accuracy {
        let slug: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let svg = r
            .confusion
            .to_svg(&format!("{name}: {}", r.level))
            .map_err(|e| anyhow::anyhow!("confusion SVG: {e}"))?;
        let (lo, hi) = r.confusion.interval();
        let json = serde_json::json!({
            "check": name, "level": r.level, "accuracy": r.confusion.accuracy(),
            "wilson95": [lo, hi], "confusion": r.confusion, "samples": r.results,
        });
        files.push(Artifact::new(format!("{slug}_confusion.svg"), svg));
        files.push(Artifact::new(
            format!("{slug}_accuracy.json"),
            serde_json::to_string_pretty(&json).unwrap_or_default() + "\n",
        ));
    }
    for p in nmgen::output::write_files(dir, &files).context("writing the accuracy report")? {
        println!("wrote {}", p.display());
    }
    Ok(())
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Sweep {
    /// Lower and upper margin of each parameter (`margins.parameters`).
    Margins,
    /// Pass/fail over two parameters (`margins.shmoo`).
    Shmoo,
    /// Monte Carlo yield (`margins.monte_carlo`).
    Yield,
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct MarginsArgs {
    #[command(subcommand)]
    pub command: Option<MarginsCommand>,
    /// The YAML spec.
    pub spec: Option<PathBuf>,
    /// Which sweep to run.
    #[arg(long, value_enum, default_value = "margins")]
    pub sweep: Sweep,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Compute only shard i of N, counted from 0 (`--shard 2/8`), appending to DIR/shard-i-of-N.jsonl;
    /// rerun to resume, then `nmgen margins collect DIR`.
    #[arg(long, requires = "dir")]
    pub shard: Option<Shard>,
    /// Folder of the shard journals.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// LSM specs: output folder of the device-variation report.
    #[arg(short, long, default_value = "out")]
    pub out: PathBuf,
    /// LSM specs: the event set (default: a seeded synthetic one).
    #[arg(long)]
    pub events: Option<PathBuf>,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Args, Debug, Clone)]
pub struct ReportArgs {
    /// Write the report as JSON.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write the chart (margin bars, shmoo map) as SVG.
    #[arg(long)]
    pub svg: Option<PathBuf>,
    /// Write the shmoo map as CSV.
    #[arg(long)]
    pub csv: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum MarginsCommand {
    /// Merge the shard journals of DIR into the report of an unsharded run.
    Collect {
        dir: PathBuf,
        #[command(flatten)]
        report: ReportArgs,
    },
}

pub fn margins(args: &MarginsArgs) -> Result<(), Failure> {
    if let Some(MarginsCommand::Collect { dir, report }) = &args.command {
        let collected = analysis::collect(dir).map_err(anyhow::Error::from)?;
        return write_report(&collected, report);
    }
    let spec = args
        .spec
        .as_deref()
        .context("give a spec: nmgen margins SPEC.yaml")?;
    let design = nmgen::spec::load(spec)?;
    let bench = Bench::new(&design, args.engine.engine()?)?;
    if !bench.has_checks() {
        return Err(Failure::Other(anyhow::anyhow!(
            "{}: margins need `checks:` to judge each point",
            spec.display()
        )));
    }
    let sweep = match args.sweep {
        Sweep::Margins => SweepPlan::Margins(plan::margin_plan(&design)?),
        Sweep::Shmoo => {
            SweepPlan::Shmoo(plan::shmoo_plan(&design)?.context("the spec has no `margins.shmoo`")?)
        }
        Sweep::Yield => SweepPlan::MonteCarlo(
            plan::monte_carlo_plan(&design)?.context("the spec has no `margins.monte_carlo`")?,
        ),
    };
    match (args.shard, &args.dir) {
        (Some(shard), Some(dir)) => {
            let summary = analysis::run_shard(&sweep, &bench, dir, shard, Progress::Auto)
                .map_err(anyhow::Error::from)?;
            println!(
                "shard {}: {} item(s), {} computed, {} resumed → {}",
                shard,
                summary.items,
                summary.computed,
                summary.resumed,
                summary.path.display()
            );
            Ok(())
        }
        _ => {
            let report =
                analysis::run(&sweep, &bench, Progress::Auto).map_err(anyhow::Error::from)?;
            write_report(&report, &args.report)
        }
    }
}

fn write_report(report: &SweepReport, out: &ReportArgs) -> Result<(), Failure> {
    let mut files = Vec::new();
    match report {
        SweepReport::Margins(r) => {
            print!("{}", r.to_table());
            if let Some(p) = &out.svg {
                files.push((p.clone(), r.to_svg().map_err(anyhow::Error::from)?));
            }
        }
        SweepReport::Shmoo(r) => {
            print!("{}", r.to_csv());
            if let Some(p) = &out.svg {
                files.push((p.clone(), r.to_svg().map_err(anyhow::Error::from)?));
            }
            if let Some(p) = &out.csv {
                files.push((p.clone(), r.to_csv()));
            }
        }
        SweepReport::MonteCarlo(r) => print!("{}", r.to_table()),
    }
    if let Some(p) = &out.json {
        files.push((p.clone(), report.to_json()));
    }
    for (path, text) in files {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path.file_name().context("an output must be a file name")?;
        nmgen::output::write_files(dir, &[Artifact::new(name, text)])
            .context("writing the report")?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
