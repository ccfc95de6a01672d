//! `nmgen margins`: sweep the parameters of a design (`nmgen check` is in `check.rs`).

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use nmgen::analysis::{self, Progress, Shard, SweepPlan, SweepReport};
use nmgen::output::Artifact;
use nmgen::verify::{plan, Bench};

use super::engine_args::EngineArgs;
use super::Failure;

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
    #[command(flatten)]
    pub level: super::pulse::LevelArgs,
    #[command(flatten)]
    pub slurm: Box<super::slurm::SlurmArgs>,
    /// Print, per cell, the bias sources found and their currents, and the elements
    /// each margin parameter scales; then stop (no sweep).
    #[arg(long)]
    pub explain: bool,
    /// Refuse a user cell with current sources nmgen cannot classify as bias or
    /// signal (a warning otherwise).
    #[arg(long)]
    pub strict: bool,
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
        /// A yield over the finished samples when some shards are unfinished
        /// (margins and shmoos always need every point).
        #[arg(long)]
        allow_incomplete: bool,
    },
    /// Which shards of a `--slurm DIR` job are complete, partial or missing, and
    /// which Slurm still has queued or running.
    Status { dir: PathBuf },
    /// Submit again the array tasks of the unfinished shards of a `--slurm DIR` job
    /// that Slurm no longer runs; they resume from their journals.
    Resubmit {
        dir: PathBuf,
        /// Print the sbatch command instead of running it.
        #[arg(long)]
        dry_run: bool,
    },
}

/// `design` is the spec's, read once by the caller (`None` for `margins collect`).
pub fn margins(design: Option<&nmgen::spec::Design>, args: &MarginsArgs) -> Result<(), Failure> {
    match &args.command {
        Some(MarginsCommand::Collect {
            dir,
            report,
            allow_incomplete,
        }) => {
            super::slurm::check_collect(dir)?;
            let options = analysis::CollectOptions {
                allow_incomplete: *allow_incomplete,
            };
            let collected = analysis::collect_with(dir, options).map_err(anyhow::Error::from)?;
            return write_report(&collected, report);
        }
        Some(MarginsCommand::Status { dir }) => return super::slurm::status(dir),
        Some(MarginsCommand::Resubmit { dir, dry_run }) => {
            return super::slurm::resubmit(dir, *dry_run)
        }
        None => {}
    }
    let spec = args
        .spec
        .as_deref()
        .context("give a spec: nmgen margins SPEC.yaml")?;
    let design = design.context("give a spec: nmgen margins SPEC.yaml")?;
    let bench = Bench::new(design, args.engine.engine()?)?;
    if let Some(nominal) = bench.netlists().next() {
        let mut unclassified = nmgen::verify::sources::unclassified(design, nominal);
        if args.strict && !unclassified.is_empty() {
            return Err(Failure::Input(Box::new(unclassified.remove(0))));
        }
        for w in &unclassified {
            eprintln!("warning: {w}");
        }
        if args.explain {
            let names: Vec<String> = plan::margin_plan(design)
                .map(|p| p.parameters.into_iter().map(|p| p.name).collect())
                .unwrap_or_default();
            print!(
                "{}",
                nmgen::verify::sources::explain(design, nominal, &names)
            );
            return Ok(());
        }
    }
    if !bench.has_checks() {
        return Err(Failure::Other(anyhow::anyhow!(
            "{}: margins need `checks:` to judge each point",
            spec.display()
        )));
    }
    let sweep = match args.sweep {
        Sweep::Margins => SweepPlan::Margins(plan::margin_plan(design)?),
        Sweep::Shmoo => {
            SweepPlan::Shmoo(plan::shmoo_plan(design)?.context("the spec has no `margins.shmoo`")?)
        }
        Sweep::Yield => SweepPlan::MonteCarlo(
            plan::monte_carlo_plan(design)?.context("the spec has no `margins.monte_carlo`")?,
        ),
    };
    let stamp = super::slurm::stamp(design, spec, &sweep, &args.engine)?;
    if let Some(dir) = &args.slurm.slurm {
        return super::slurm::generate(
            spec,
            &design.name,
            &sweep,
            &stamp,
            &args.engine,
            &args.slurm,
            dir,
        );
    }
    match (args.shard, &args.dir) {
        (Some(shard), Some(dir)) => {
            let summary =
                analysis::run_shard_stamped(&sweep, &bench, dir, shard, &stamp, Progress::Auto)
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

pub fn write_report(report: &SweepReport, out: &ReportArgs) -> Result<(), Failure> {
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
