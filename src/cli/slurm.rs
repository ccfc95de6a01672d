//! `nmgen margins SPEC --sweep … --slurm DIR`: the sweep as a Slurm job array
//! (script, `slurm.json`, logs folder; `--submit` runs sbatch), and the
//! `status` / `resubmit` views of such a folder (docs/cluster.md).

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use nmgen::analysis::sweep::ShardState;
use nmgen::analysis::{self, Stamp, SweepPlan};
use nmgen::output::Artifact;
use nmgen::slurm::{self, ScriptOptions, SlurmJob};

use super::engine_args::{EngineArgs, EngineKind, ModeArg};
use super::Failure;

/// Array tasks when `--tasks` is not given (at most one per work item).
const DEFAULT_TASKS: u32 = 16;

#[derive(Args, Debug, Clone, Default)]
pub struct SlurmArgs {
    /// Write a Slurm job-array script into DIR instead of running the sweep: one array
    /// task per shard, journals and per-task logs in DIR (docs/cluster.md).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["shard", "dir"])]
    pub slurm: Option<PathBuf>,
    /// --slurm: array tasks, i.e. shards [default: 16, at most one per item].
    #[arg(long, requires = "slurm", value_name = "N")]
    pub tasks: Option<u32>,
    /// --slurm: the partition (queue) to run in.
    #[arg(long, requires = "slurm", value_name = "P")]
    pub partition: Option<String>,
    /// --slurm: wall-time limit of each task (Slurm's format, e.g. 2:00:00).
    #[arg(long, requires = "slurm", value_name = "TIME")]
    pub time: Option<String>,
    /// --slurm: CPUs of each task; its points run in parallel on them [default: 1].
    #[arg(long, requires = "slurm", value_name = "C")]
    pub cpus_per_task: Option<u32>,
    /// --slurm: a shell line each task runs before nmgen (`module load …`); repeatable.
    #[arg(long, requires = "slurm", value_name = "LINE")]
    pub setup: Vec<String>,
    /// --slurm: submit the script with sbatch and print the job id.
    #[arg(long, requires = "slurm")]
    pub submit: bool,
}

/// What a sweep's journals must be stamped with: the spec's bytes, the design as
/// loaded (which holds the files it includes) and the settings that change results.
pub fn stamp(
    design: &nmgen::spec::Design,
    spec: &Path,
    sweep: &SweepPlan,
    engine: &EngineArgs,
) -> Result<Stamp, Failure> {
    let text = std::fs::read(spec).with_context(|| format!("reading {}", spec.display()))?;
    let loaded = format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        design.technology,
        design.library,
        design.inputs,
        design.outputs,
        design.instances,
        design.connections,
        design.parameters,
        design.checks,
        design.noise
    );
    let settings = format!(
        "engine={:?} josim={} mode={:?} max_steps={}",
        engine.engine,
        engine.josim.is_some(),
        engine.mode,
        nmgen::sim::max_steps()
    );
    Ok(Stamp::new(
        sweep,
        &[
            ("spec", &text),
            ("design", loaded.as_bytes()),
            ("settings", settings.as_bytes()),
        ],
    ))
}

fn absolute(path: &Path) -> Result<PathBuf, Failure> {
    Ok(std::fs::canonicalize(path).with_context(|| format!("{}", path.display()))?)
}

/// Writes `DIR/nmgen-<sweep>.sbatch`, `DIR/slurm.json` and `DIR/logs/`; submits
/// with `--submit`.
pub fn generate(
    spec: &Path,
    design_name: &str,
    sweep: &SweepPlan,
    stamp: &Stamp,
    engine: &EngineArgs,
    args: &SlurmArgs,
    dir: &Path,
) -> Result<(), Failure> {
    let items = sweep.items();
    let tasks = args.tasks.unwrap_or(DEFAULT_TASKS.min(items as u32).max(1));
    if tasks as usize > items {
        return Err(Failure::Other(anyhow::anyhow!(
            "--tasks {tasks}: the {} has {items} item(s); use at most one task per item",
            sweep.what()
        )));
    }
    if let Ok(old) = SlurmJob::read(dir) {
        if old.stamp != *stamp {
            return Err(Failure::Other(anyhow::anyhow!(
                "{}: this folder holds a {} job of {} with other inputs or settings (stamp {}, now {}); use another folder",
                dir.display(),
                old.sweep,
                old.spec.display(),
                old.stamp.short(),
                stamp.short()
            )));
        }
    }
    std::fs::create_dir_all(dir.join("logs"))
        .with_context(|| format!("creating {}", dir.join("logs").display()))?;
    let dir = absolute(dir)?;
    let spec = absolute(spec)?;
    let what = sweep.what();
    let mut task_args = vec![
        "margins".to_string(),
        spec.display().to_string(),
        "--sweep".into(),
        what.into(),
    ];
    if matches!(engine.engine, EngineKind::Josim) || engine.josim.is_some() {
        task_args.extend(["--engine".into(), "josim".into()]);
    }
    if let Some(j) = &engine.josim {
        task_args.extend(["--josim".into(), absolute(j)?.display().to_string()]);
    }
    if matches!(engine.mode, ModeArg::Voltage) {
        task_args.extend(["--mode".into(), "voltage".into()]);
    }
    if engine.timeout != 600 {
        task_args.extend(["--timeout".into(), engine.timeout.to_string()]);
    }
    if nmgen::sim::max_steps() != nmgen::sim::DEFAULT_MAX_STEPS {
        task_args.extend(["--max-steps".into(), nmgen::sim::max_steps().to_string()]);
    }
    let script_name = format!("nmgen-{what}.sbatch");
    let options = ScriptOptions {
        job_name: format!("nmgen-{design_name}-{what}"),
        script_name: script_name.clone(),
        summary: format!(
            "{} of {} ({items} items in {tasks} shards)",
            match sweep {
                SweepPlan::Margins(_) => "Margins",
                SweepPlan::Shmoo(_) => "Shmoo",
                SweepPlan::MonteCarlo(_) => "Monte Carlo yield",
            },
            spec.display()
        ),
        tasks,
        partition: args.partition.clone(),
        time: args.time.clone(),
        cpus_per_task: args.cpus_per_task.unwrap_or(1),
        setup: args.setup.clone(),
        nmgen: std::env::current_exe().context("locating the nmgen executable")?,
        args: task_args,
        dir: dir.clone(),
    };
    let script = slurm::render(&options).map_err(anyhow::Error::from)?;
    let mut job = SlurmJob {
        nmgen: env!("CARGO_PKG_VERSION").into(),
        sweep: what.into(),
        spec,
        tasks,
        items,
        script: script_name.clone(),
        stamp: stamp.clone(),
        jobs: Vec::new(),
    };
    if let Ok(old) = SlurmJob::read(&dir) {
        if old.tasks == tasks {
            job.jobs = old.jobs; // regenerated: keep the history of submissions
        }
    }
    nmgen::output::write_files(
        &dir,
        &[
            Artifact::new(&script_name, script),
            Artifact::new(SlurmJob::FILE, job.to_json()),
        ],
    )
    .context("writing the Slurm job")?;
    let script_path = dir.join(&script_name);
    println!(
        "wrote {} ({tasks} array tasks, {items} items)",
        script_path.display()
    );
    if args.submit {
        let id = slurm::submit(&script_path, None).map_err(anyhow::Error::from)?;
        record_job(&dir, &mut job, &id)?;
        println!("submitted job {id}");
        println!("progress: nmgen margins status {}", dir.display());
    } else {
        println!("submit:   sbatch {}", script_path.display());
    }
    Ok(())
}

fn record_job(dir: &Path, job: &mut SlurmJob, id: &str) -> Result<(), Failure> {
    job.jobs.push(id.to_string());
    nmgen::output::write_files(dir, &[Artifact::new(SlurmJob::FILE, job.to_json())])
        .context("recording the job id")?;
    Ok(())
}

/// Shards that are unfinished, and those of them Slurm still has queued or running.
struct Unfinished {
    idle: Vec<u32>,
    queued: usize,
    squeue: bool,
}

fn unfinished(dir: &Path, job: &SlurmJob, print: bool) -> Result<Unfinished, Failure> {
    let status =
        analysis::status(dir, Some(job.tasks), Some(job.items)).map_err(anyhow::Error::from)?;
    if let Some(stamp) = &status.stamp {
        if *stamp != job.stamp {
            return Err(Failure::Other(anyhow::anyhow!(
                "{}: the journals were computed from other inputs or settings than {} (stamp {} ≠ {})",
                dir.display(),
                SlurmJob::path(dir).display(),
                stamp.short(),
                job.stamp.short()
            )));
        }
    }
    let queue = slurm::queued_tasks(&job.jobs);
    let mut idle = Vec::new();
    let mut queued = 0;
    let width = job.tasks.to_string().len() * 2 + 1;
    for s in &status.shards {
        let q = queue.as_ref().and_then(|q| q.get(&s.shard.index));
        let finished = s.state() == ShardState::Complete;
        if !finished {
            if q.is_some() {
                queued += 1;
            } else {
                idle.push(s.shard.index);
            }
        }
        if print {
            let slurm = match q {
                Some(t) => format!("  {} (job {}_{})", t.state, t.job, s.shard.index),
                None => String::new(),
            };
            println!(
                "shard {:<width$}  {:<8}  {:>w2$}/{}{slurm}",
                s.shard.to_string(),
                s.state().word(),
                s.finished,
                s.items,
                w2 = s.items.to_string().len()
            );
        }
    }
    Ok(Unfinished {
        idle,
        queued,
        squeue: queue.is_some(),
    })
}

/// `nmgen margins status DIR`.
pub fn status(dir: &Path) -> Result<(), Failure> {
    let job = SlurmJob::read(dir).map_err(anyhow::Error::from)?;
    println!(
        "{} of {}: {} items in {} shards; job(s) {}",
        job.sweep,
        job.spec.display(),
        job.items,
        job.tasks,
        if job.jobs.is_empty() {
            "none submitted".to_string()
        } else {
            job.jobs.join(", ")
        }
    );
    let u = unfinished(dir, &job, true)?;
    if !u.squeue {
        println!("(squeue did not answer: queued or running tasks are not shown)");
    }
    if u.idle.is_empty() && u.queued == 0 {
        println!(
            "all {} shards complete: nmgen margins collect {}",
            job.tasks,
            dir.display()
        );
    } else if u.idle.is_empty() {
        println!("{} shard(s) queued or running", u.queued);
    } else {
        println!(
            "{} shard(s) unfinished and not queued ({}): nmgen margins resubmit {}",
            u.idle.len(),
            SlurmJob::array_list(&u.idle),
            dir.display()
        );
    }
    Ok(())
}

/// `nmgen margins resubmit DIR`: submits the array tasks of the shards that are
/// unfinished and not queued; they resume from their journals.
pub fn resubmit(dir: &Path, dry_run: bool) -> Result<(), Failure> {
    let mut job = SlurmJob::read(dir).map_err(anyhow::Error::from)?;
    let u = unfinished(dir, &job, false)?;
    if u.idle.is_empty() {
        println!(
            "nothing to resubmit: {} shard(s) queued or running, the others complete",
            u.queued
        );
        return Ok(());
    }
    let list = SlurmJob::array_list(&u.idle);
    let script = dir.join(&job.script);
    if dry_run {
        println!("sbatch --array={list} {}", script.display());
        return Ok(());
    }
    let id = slurm::submit(&script, Some(&list)).map_err(anyhow::Error::from)?;
    record_job(dir, &mut job, &id)?;
    println!("resubmitted shard(s) {list} as job {id}");
    Ok(())
}

/// For `margins collect`: a folder written by `--slurm` must hold that job's journals.
pub fn check_collect(dir: &Path) -> Result<(), Failure> {
    let Ok(job) = SlurmJob::read(dir) else {
        return Ok(());
    };
    unfinished(dir, &job, false).map(|_| ())
}
