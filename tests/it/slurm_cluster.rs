//! `nmgen margins --slurm` against a real Slurm: a one-node cluster on localhost
//! (`.ci/slurm-up`, which `.ci/run` calls). A Monte Carlo yield of
//! examples/fanout.yaml as a 4-task job array gives the byte-identical report of
//! the unsharded run, also when one task is cancelled midway and resubmitted.
//!
//! Without a reachable Slurm these tests say so and pass, except under `CI=true`,
//! where they fail: CI must run them.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{nmgen, succeeded, text};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Samples of the yield: enough that a task runs for a few seconds.
const SAMPLES: u32 = 160;
const TASKS: u32 = 4;

fn ok(args: &[&str]) -> String {
    succeeded(nmgen(args))
}

/// Whether a Slurm controller answers; panics under CI=true when none does.
fn slurm_reachable() -> bool {
    let up = Command::new("sinfo")
        .arg("-h")
        .output()
        .is_ok_and(|o| o.status.success());
    if !up {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but no Slurm controller answers `sinfo`: .ci/run starts one with .ci/slurm-up (as root)");
        }
        eprintln!(
            "SKIPPED: no Slurm reachable (`sinfo` fails); start a local one with `sudo .ci/slurm-up`"
        );
    }
    up
}

/// examples/fanout.yaml with `SAMPLES` Monte Carlo samples, in `dir`.
fn spec_in(dir: &Path) -> PathBuf {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/fanout.yaml"))
            .unwrap();
    let edited = text.replacen("samples: 100", &format!("samples: {SAMPLES}"), 1);
    assert_ne!(edited, text);
    let path = dir.join("fanout.yaml");
    std::fs::write(&path, edited).unwrap();
    path
}

/// The unsharded run: (stdout, JSON report), computed once for both tests.
fn unsharded() -> &'static (String, String) {
    static WHOLE: OnceLock<(String, String)> = OnceLock::new();
    WHOLE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let spec = spec_in(dir.path());
        let json = dir.path().join("whole.json");
        let out = ok(&[
            "margins",
            spec.to_str().unwrap(),
            "--sweep",
            "yield",
            "--json",
            json.to_str().unwrap(),
        ]);
        let table = out.lines().next().unwrap().to_string();
        assert!(table.starts_with("yield "), "{out}");
        (table, std::fs::read_to_string(json).unwrap())
    })
}

/// `submitted job 12` / `resubmitted shard(s) 1 as job 13` → `12` / `13`.
fn job_id(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.split(" job ").nth(1))
        .map(|id| id.trim().to_string())
        .unwrap_or_else(|| panic!("no job id in {stdout}"))
}

fn squeue(job: &str) -> String {
    let o = Command::new("squeue")
        .args(["-h", "-r", "-o", "%i %T", "-j", job])
        .output()
        .unwrap();
    text(&o.stdout)
}

/// Waits until Slurm no longer lists `job`; panics with the task logs after 5 min.
fn wait_for(job: &str, dir: &Path) {
    let start = Instant::now();
    while !squeue(job).trim().is_empty() {
        if start.elapsed() > Duration::from_secs(300) {
            panic!(
                "job {job} still queued after 5 min:\n{}\n{}",
                squeue(job),
                logs(dir)
            );
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn logs(dir: &Path) -> String {
    let mut all = String::new();
    if let Ok(entries) = std::fs::read_dir(dir.join("logs")) {
        for e in entries.flatten() {
            all.push_str(&format!("--- {}\n", e.path().display()));
            all.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
        }
    }
    all
}

fn collect(dir: &Path) -> (String, String) {
    let json = dir.join("collected.json");
    let out = ok(&[
        "margins",
        "collect",
        dir.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    let table = out.lines().next().unwrap().to_string();
    (table, std::fs::read_to_string(json).unwrap())
}

fn submit(spec: &Path, dir: &Path) -> String {
    let out = ok(&[
        "margins",
        spec.to_str().unwrap(),
        "--sweep",
        "yield",
        "--slurm",
        dir.to_str().unwrap(),
        "--tasks",
        &TASKS.to_string(),
        "--cpus-per-task",
        "1",
        "--time",
        "10:00",
        "--submit",
    ]);
    assert!(out.contains("4 array tasks"), "{out}");
    job_id(&out)
}

#[test]
fn a_job_array_gives_the_unsharded_report() {
    if !slurm_reachable() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let spec = spec_in(tmp.path());
    let dir = tmp.path().join("run");
    let job = submit(&spec, &dir);
    wait_for(&job, &dir);
    let status = ok(&["margins", "status", dir.to_str().unwrap()]);
    assert!(
        status.contains("all 4 shards complete"),
        "{status}\n{}",
        logs(&dir)
    );
    for i in 0..TASKS {
        let log = std::fs::read_to_string(dir.join(format!("logs/task-{i}.log"))).unwrap();
        assert!(
            log.contains(&format!("== nmgen shard {i}/4: job {job}_{i}")),
            "{log}"
        );
        assert!(
            log.contains(&format!("shard {i}/4: 40 item(s), 40 computed, 0 resumed")),
            "{log}"
        );
    }
    let (table, json) = collect(&dir);
    let (whole_table, whole_json) = unsharded();
    assert_eq!(&table, whole_table);
    assert_eq!(
        &json, whole_json,
        "the collected JSON differs from the unsharded run's"
    );
}

/// Journal lines (items) of shard `i`.
fn journal_items(dir: &Path, i: u32) -> Vec<usize> {
    let text =
        std::fs::read_to_string(dir.join(format!("shard-{i}-of-4.jsonl"))).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            v["item"].as_u64().map(|i| i as usize)
        })
        .collect()
}

#[test]
fn a_cancelled_task_resumes_without_losing_or_repeating_a_point() {
    if !slurm_reachable() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let spec = spec_in(tmp.path());
    let dir = tmp.path().join("run");
    let job = submit(&spec, &dir);
    // Cancel task 1 as soon as it has finished a few points, well before its 40.
    let start = Instant::now();
    loop {
        let done = journal_items(&dir, 1).len();
        if done >= 3 {
            assert!(done < 40, "task 1 finished before it could be cancelled");
            break;
        }
        if start.elapsed() > Duration::from_secs(300) {
            panic!("task 1 never started:\n{}\n{}", squeue(&job), logs(&dir));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let cancel = Command::new("scancel")
        .arg(format!("{job}_1"))
        .output()
        .unwrap();
    assert!(cancel.status.success(), "{}", text(&cancel.stderr));
    wait_for(&job, &dir);
    let before = journal_items(&dir, 1);
    assert!(before.len() < 40, "{before:?}");

    let status = ok(&["margins", "status", dir.to_str().unwrap()]);
    assert!(status.contains("shard 1/4  partial"), "{status}");
    assert!(
        status.contains("unfinished and not queued (1): nmgen margins resubmit"),
        "{status}"
    );
    // collect refuses and says what is missing
    let refused = nmgen(&["margins", "collect", dir.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    let err = text(&refused.stderr);
    assert!(err.contains("shards: 1/4 partial"), "{err}");

    let again = ok(&["margins", "resubmit", dir.to_str().unwrap()]);
    assert!(again.contains("resubmitted shard(s) 1 as job "), "{again}");
    let second = job_id(&again);
    assert_ne!(second, job);
    wait_for(&second, &dir);
    let log = std::fs::read_to_string(dir.join("logs/task-1.log")).unwrap();
    let resumed = format!(
        "shard 1/4: 40 item(s), {} computed, {} resumed",
        40 - before.len(),
        before.len()
    );
    assert!(log.contains(&resumed), "expected `{resumed}` in\n{log}");
    // every point of shard 1 exactly once
    let mut after = journal_items(&dir, 1);
    assert_eq!(after.len(), 40, "{after:?}");
    after.sort();
    after.dedup();
    assert_eq!(after, (1..160).step_by(4).collect::<Vec<_>>());

    let (table, json) = collect(&dir);
    let (whole_table, whole_json) = unsharded();
    assert_eq!(&table, whole_table);
    assert_eq!(&json, whole_json);
    let status = ok(&["margins", "status", dir.to_str().unwrap()]);
    assert!(
        status.contains(&format!("job(s) {job}, {second}")),
        "{status}"
    );
}

#[test]
fn a_rejected_partition_is_a_clear_error() {
    if !slurm_reachable() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let spec = spec_in(tmp.path());
    let dir = tmp.path().join("run");
    let o = nmgen(&[
        "margins",
        spec.to_str().unwrap(),
        "--sweep",
        "yield",
        "--slurm",
        dir.to_str().unwrap(),
        "--partition",
        "no_such_partition",
        "--submit",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("sbatch refused"), "{err}");
    assert!(err.contains("invalid partition"), "{err}");
    // the script stays for a submission by hand
    assert!(dir.join("nmgen-yield.sbatch").exists());
}
