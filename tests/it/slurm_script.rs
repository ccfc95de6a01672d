//! `nmgen margins --slurm DIR` without a cluster: the job-array script for
//! margins, shmoo and yield, its errors (no sbatch, bad options), the journal
//! stamp that refuses points of another spec, and the script run by hand as
//! Slurm would run one task.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn nmgen_in(args: &[&str], path_env: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nmgen"));
    cmd.args(args).env("CI", "true");
    if let Some(p) = path_env {
        cmd.env("PATH", p);
    }
    cmd.output().expect("nmgen runs")
}

fn nmgen(args: &[&str]) -> Output {
    nmgen_in(args, None)
}

use crate::util::{succeeded as ok, text};

/// examples/fanout.yaml with `samples` Monte Carlo samples, in `dir`.
fn spec_in(dir: &Path, samples: u32) -> PathBuf {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/fanout.yaml"))
            .unwrap();
    let edited = text.replacen("samples: 100", &format!("samples: {samples}"), 1);
    let path = dir.join("fanout.yaml");
    std::fs::write(&path, edited).unwrap();
    path
}

#[test]
fn every_sweep_writes_a_commented_job_array() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = spec_in(tmp.path(), 100);
    let spec_abs = spec.canonicalize().unwrap();
    // items: margins 2 × 4 parameters, shmoo 17 × 17 cells, yield 100 samples
    for (sweep, tasks, items) in [
        ("margins", "8", 8),
        ("shmoo", "17", 289),
        ("yield", "4", 100),
    ] {
        let dir = tmp.path().join(sweep);
        let out = ok(nmgen(&[
            "margins",
            spec.to_str().unwrap(),
            "--sweep",
            sweep,
            "--slurm",
            dir.to_str().unwrap(),
            "--tasks",
            tasks,
            "--partition",
            "short",
            "--time",
            "0:30:00",
            "--cpus-per-task",
            "4",
            "--setup",
            "module load gcc/12",
        ]));
        let script_path = dir.join(format!("nmgen-{sweep}.sbatch"));
        assert!(
            out.contains(&format!(
                "wrote {}",
                script_path.canonicalize().unwrap().display()
            )),
            "{out}"
        );
        assert!(
            out.contains(&format!("({tasks} array tasks, {items} items)")),
            "{out}"
        );
        assert!(out.contains("submit:   sbatch "), "{out}");
        let script = std::fs::read_to_string(&script_path).unwrap();
        let dir_abs = dir.canonicalize().unwrap();
        let last: u32 = tasks.parse::<u32>().unwrap() - 1;
        for line in [
            "#!/bin/bash\n".to_string(),
            format!("#SBATCH --array=0-{last}\n"),
            "#SBATCH --partition=short\n".into(),
            "#SBATCH --time=0:30:00\n".into(),
            "#SBATCH --cpus-per-task=4\n".into(),
            format!("#SBATCH --output={}/logs/task-%a.log\n", dir_abs.display()),
            "\nmodule load gcc/12\n".into(),
            format!("SHARD=\"${{SLURM_ARRAY_TASK_ID:?run this script with sbatch}}/{tasks}\""),
            format!(
                "exec \"$NMGEN\" margins {} --sweep {sweep} --shard \"$SHARD\" --dir \"$DIR\"\n",
                spec_abs.display()
            ),
            format!("#   result:    nmgen margins collect {}", dir_abs.display()),
        ] {
            assert!(script.contains(&line), "`{line}` not in\n{script}");
        }
        // every line is a comment, a directive or a command a reader can follow
        let comments = script.lines().filter(|l| l.starts_with("# ")).count();
        assert!(comments >= 10, "{script}");
        assert!(dir.join("logs").is_dir());
        let job: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("slurm.json")).unwrap())
                .unwrap();
        assert_eq!(job["sweep"], sweep);
        assert_eq!(job["tasks"], tasks.parse::<u32>().unwrap());
        assert_eq!(job["items"], items);
        assert_eq!(job["jobs"], serde_json::json!([]));
        let status = ok(nmgen(&["margins", "status", dir.to_str().unwrap()]));
        assert!(
            status.contains(&format!("{sweep} of {}", spec_abs.display())),
            "{status}"
        );
        assert!(status.contains(&format!("shard 0/{tasks}")), "{status}");
        assert!(status.contains("missing"), "{status}");
    }
}

#[test]
fn submission_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = spec_in(tmp.path(), 100);
    let dir = tmp.path().join("run");
    let empty = tempfile::tempdir().unwrap();
    let o = nmgen_in(
        &[
            "margins",
            spec.to_str().unwrap(),
            "--sweep",
            "yield",
            "--slurm",
            dir.to_str().unwrap(),
            "--submit",
        ],
        Some(empty.path().to_str().unwrap()),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("cannot run `sbatch`"), "{err}");
    assert!(err.contains("submit it by hand with `sbatch "), "{err}");

    for (flag, value, needle) in [
        ("--time", "2h", "--time `2h`: Slurm takes minutes"),
        ("--partition", "a;rm", "--partition `a;rm`"),
        ("--tasks", "101", "--tasks 101: the yield has 100 item(s)"),
        ("--cpus-per-task", "0", "--cpus-per-task must be at least 1"),
    ] {
        let o = nmgen(&[
            "margins",
            spec.to_str().unwrap(),
            "--sweep",
            "yield",
            "--slurm",
            dir.to_str().unwrap(),
            flag,
            value,
        ]);
        assert_eq!(o.status.code(), Some(2), "{flag} {value}");
        let err = text(&o.stderr);
        assert!(err.contains(needle), "{flag}: {err}");
    }
    // --slurm flags without --slurm, or with --shard
    let o = nmgen(&["margins", spec.to_str().unwrap(), "--tasks", "4"]);
    assert_eq!(o.status.code(), Some(2));
    let o = nmgen(&[
        "margins",
        spec.to_str().unwrap(),
        "--slurm",
        "x",
        "--shard",
        "0/2",
        "--dir",
        "y",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("cannot be used with"),
        "{}",
        text(&o.stderr)
    );
    // a folder that is no --slurm job
    let o = nmgen(&["margins", "status", empty.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("slurm.json: no such file"),
        "{}",
        text(&o.stderr)
    );
}

/// One array task run by hand, as Slurm runs it; then a changed spec is refused.
#[test]
fn the_script_runs_a_task_and_a_changed_spec_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = spec_in(tmp.path(), 60);
    let dir = tmp.path().join("run");
    ok(nmgen(&[
        "margins",
        spec.to_str().unwrap(),
        "--sweep",
        "yield",
        "--slurm",
        dir.to_str().unwrap(),
        "--tasks",
        "20",
    ]));
    let script = dir.join("nmgen-yield.sbatch");
    let run_task = |task: &str| {
        Command::new("bash")
            .arg(&script)
            .env("SLURM_ARRAY_TASK_ID", task)
            .env("SLURM_CPUS_PER_TASK", "1")
            .output()
            .unwrap()
    };
    let o = run_task("3");
    let out = ok(o);
    assert!(out.contains("== nmgen shard 3/20"), "{out}");
    assert!(
        out.contains("shard 3/20: 3 item(s), 3 computed, 0 resumed"),
        "{out}"
    );
    let journal = std::fs::read_to_string(dir.join("shard-3-of-20.jsonl")).unwrap();
    assert_eq!(journal.lines().count(), 4);
    let header: serde_json::Value = serde_json::from_str(journal.lines().next().unwrap()).unwrap();
    assert_eq!(header["stamp"]["nmgen"], env!("CARGO_PKG_VERSION"));
    assert_eq!(header["stamp"]["sha256"].as_str().unwrap().len(), 64);
    // without sbatch's variable the script says how it is meant to run
    let o = Command::new("bash").arg(&script).output().unwrap();
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("run this script with sbatch"));

    // The spec changes (a comment is enough): the journal is not resumed.
    let mut changed = std::fs::read_to_string(&spec).unwrap();
    changed.push_str("# tuned\n");
    std::fs::write(&spec, changed).unwrap();
    let o = run_task("3");
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("shard-3-of-20.jsonl:1: refusing to resume this journal: it was computed from another spec or other settings"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("shard-3-of-20.jsonl")).unwrap(),
        journal,
        "the refused journal is untouched"
    );
    // another shard of the changed spec cannot be collected with it
    let o = run_task("4");
    ok(o);
    let o = nmgen(&[
        "margins",
        "collect",
        dir.to_str().unwrap(),
        "--allow-incomplete",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("does not belong with"), "{err}");
    // regenerating the job over the old folder is refused too
    let o = nmgen(&[
        "margins",
        spec.to_str().unwrap(),
        "--sweep",
        "yield",
        "--slurm",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("with other inputs or settings"),
        "{}",
        text(&o.stderr)
    );
}
