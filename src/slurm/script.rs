//! The `sbatch` job-array script: readable, commented, self-contained (absolute
//! paths of nmgen, the spec and the folder; no environment from the login shell
//! needed beyond what the `setup` lines load).

use std::fmt::Write;
use std::path::PathBuf;

use super::SlurmError;

/// What goes into the script.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptOptions {
    /// `--job-name`.
    pub job_name: String,
    /// The script's file name in `dir`.
    pub script_name: String,
    /// One line saying what the job computes (a comment at the top).
    pub summary: String,
    /// Array tasks = shards (`--array=0-(N-1)`).
    pub tasks: u32,
    pub partition: Option<String>,
    /// `--time`: minutes, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM` or `D-HH:MM:SS`.
    pub time: Option<String>,
    pub cpus_per_task: u32,
    /// Shell lines run before nmgen (`module load …`, `source venv/bin/activate`).
    pub setup: Vec<String>,
    /// The nmgen executable the tasks run.
    pub nmgen: PathBuf,
    /// nmgen's arguments before `--shard i/N --dir DIR`.
    pub args: Vec<String>,
    /// The folder of journals and logs (absolute).
    pub dir: PathBuf,
}

/// Checks the options that Slurm would otherwise reject later, or that would
/// break the script.
pub fn check(o: &ScriptOptions) -> Result<(), SlurmError> {
    let bad = |m: String| Err(SlurmError::Option(m));
    if o.tasks == 0 {
        return bad("--tasks must be at least 1".into());
    }
    if o.cpus_per_task == 0 {
        return bad("--cpus-per-task must be at least 1".into());
    }
    if let Some(p) = &o.partition {
        let ok = !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.,".contains(c));
        if !ok {
            return bad(format!(
                "--partition `{p}`: a partition name is letters, digits, `-`, `_` and `.` (a comma separates several)"
            ));
        }
    }
    if let Some(t) = &o.time {
        if !valid_time(t) {
            return bad(format!(
                "--time `{t}`: Slurm takes minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS (e.g. 2:00:00)"
            ));
        }
    }
    if let Some(line) = o
        .setup
        .iter()
        .find(|l| l.contains('\n') || l.contains('\r'))
    {
        return bad(format!(
            "--setup `{}`: one shell line per --setup",
            line.escape_debug()
        ));
    }
    Ok(())
}

/// Slurm's time formats.
fn valid_time(t: &str) -> bool {
    let (days, rest) = match t.split_once('-') {
        Some((d, r)) => (Some(d), r),
        None => (None, t),
    };
    let num = |s: &str| !s.is_empty() && s.len() <= 6 && s.chars().all(|c| c.is_ascii_digit());
    if days.is_some_and(|d| !num(d)) {
        return false;
    }
    let parts: Vec<&str> = rest.split(':').collect();
    parts.len() <= 3 && parts.iter().all(|p| num(p))
}

/// `'…'` quoting for the shell.
pub fn quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The script.
pub fn render(o: &ScriptOptions) -> Result<String, SlurmError> {
    check(o)?;
    let dir = o.dir.display().to_string();
    let logs = o.dir.join("logs").display().to_string();
    let last = o.tasks - 1;
    let mut s = String::new();
    let _ = writeln!(s, "#!/bin/bash");
    let _ = writeln!(s, "# {}", o.summary);
    let _ = writeln!(
        s,
        "# Written by nmgen {} (`--slurm`). Slurm job array: task i computes shard i/{} of",
        env!("CARGO_PKG_VERSION"),
        o.tasks
    );
    let _ = writeln!(
        s,
        "# the sweep and appends each finished point to {dir}/shard-i-of-{}.jsonl.",
        o.tasks
    );
    let _ = writeln!(s, "#");
    let _ = writeln!(
        s,
        "#   submit:    sbatch {}",
        quote(&format!("{dir}/{}", o.script_name))
    );
    let _ = writeln!(s, "#   progress:  nmgen margins status {}", quote(&dir));
    let _ = writeln!(
        s,
        "#   unfinished tasks (cancelled, preempted, node failure): nmgen margins resubmit {}",
        quote(&dir)
    );
    let _ = writeln!(
        s,
        "#              (resumes them from their journals: no point lost or computed twice)"
    );
    let _ = writeln!(s, "#   result:    nmgen margins collect {}", quote(&dir));
    let _ = writeln!(s, "#");
    let _ = writeln!(
        s,
        "# The folder must be on a file system every compute node sees (home, project or"
    );
    let _ = writeln!(
        s,
        "# scratch space), with file locks: a journal is locked while its task writes it."
    );
    let _ = writeln!(s);
    let _ = writeln!(s, "#SBATCH --job-name={}", o.job_name);
    let _ = writeln!(s, "#SBATCH --array=0-{last}");
    let _ = writeln!(s, "#SBATCH --ntasks=1");
    let _ = writeln!(s, "#SBATCH --cpus-per-task={}", o.cpus_per_task);
    if let Some(p) = &o.partition {
        let _ = writeln!(s, "#SBATCH --partition={p}");
    }
    if let Some(t) = &o.time {
        let _ = writeln!(s, "#SBATCH --time={t}");
    }
    let _ = writeln!(
        s,
        "# one log per task (%a = array index); a resubmitted task appends to it"
    );
    let _ = writeln!(s, "#SBATCH --output={logs}/task-%a.log");
    let _ = writeln!(s, "#SBATCH --open-mode=append");
    let _ = writeln!(s);
    let _ = writeln!(s, "set -euo pipefail");
    if !o.setup.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "# Environment (from --setup):");
        for line in &o.setup {
            let _ = writeln!(s, "{line}");
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "# The sweep runs its points in parallel on the task's CPUs (--cpus-per-task)."
    );
    let _ = writeln!(
        s,
        "export RAYON_NUM_THREADS=\"${{SLURM_CPUS_PER_TASK:-{}}}\"",
        o.cpus_per_task
    );
    let _ = writeln!(s, "# No progress bar in a log file.");
    let _ = writeln!(s, "export CI=\"${{CI:-slurm}}\"");
    let _ = writeln!(s);
    let _ = writeln!(s, "NMGEN={}", quote(&o.nmgen.display().to_string()));
    let _ = writeln!(s, "DIR={}", quote(&dir));
    let _ = writeln!(
        s,
        "SHARD=\"${{SLURM_ARRAY_TASK_ID:?run this script with sbatch}}/{}\"",
        o.tasks
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "echo \"== nmgen shard $SHARD: job ${{SLURM_ARRAY_JOB_ID:-?}}_${{SLURM_ARRAY_TASK_ID}} on $(hostname) at $(date -u +%FT%TZ)\""
    );
    let _ = writeln!(
        s,
        "# Resumes from DIR/shard-$SLURM_ARRAY_TASK_ID-of-{}.jsonl if an earlier run left one.",
        o.tasks
    );
    let args: Vec<String> = o.args.iter().map(|a| quote(a)).collect();
    let _ = writeln!(
        s,
        "exec \"$NMGEN\" {} --shard \"$SHARD\" --dir \"$DIR\"",
        args.join(" ")
    );
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> ScriptOptions {
        ScriptOptions {
            job_name: "nmgen-fanout-yield".into(),
            script_name: "nmgen-yield.sbatch".into(),
            summary: "Monte Carlo yield of fanout".into(),
            tasks: 4,
            partition: Some("debug".into()),
            time: Some("1:00:00".into()),
            cpus_per_task: 2,
            setup: vec!["module load gcc/12".into()],
            nmgen: "/opt/nmgen bin/nmgen".into(),
            args: vec![
                "margins".into(),
                "/home/a/fanout.yaml".into(),
                "--sweep".into(),
                "yield".into(),
            ],
            dir: "/scratch/a/run".into(),
        }
    }

    #[test]
    fn the_script_maps_array_tasks_to_shards() {
        let s = render(&options()).unwrap();
        assert!(s.starts_with("#!/bin/bash\n"));
        assert!(s.contains("#SBATCH --array=0-3\n"));
        assert!(s.contains("#SBATCH --partition=debug\n"));
        assert!(s.contains("#SBATCH --time=1:00:00\n"));
        assert!(s.contains("#SBATCH --cpus-per-task=2\n"));
        assert!(s.contains("#SBATCH --output=/scratch/a/run/logs/task-%a.log\n"));
        assert!(s.contains("\nmodule load gcc/12\n"));
        assert!(s.contains("NMGEN='/opt/nmgen bin/nmgen'\n"));
        assert!(s.contains("SHARD=\"${SLURM_ARRAY_TASK_ID:?run this script with sbatch}/4\""));
        assert!(s.contains(
            "exec \"$NMGEN\" margins /home/a/fanout.yaml --sweep yield --shard \"$SHARD\" --dir \"$DIR\"\n"
        ));
    }

    #[test]
    fn bad_options_are_refused() {
        for (edit, needle) in [
            (
                (|o: &mut ScriptOptions| o.time = Some("1h".into())) as fn(&mut ScriptOptions),
                "--time `1h`",
            ),
            (|o| o.partition = Some("a b".into()), "--partition `a b`"),
            (|o| o.tasks = 0, "--tasks"),
            (|o| o.setup = vec!["a\nb".into()], "--setup"),
        ] {
            let mut o = options();
            edit(&mut o);
            let e = render(&o).unwrap_err().to_string();
            assert!(e.contains(needle), "{e}");
        }
        for t in ["30", "10:00", "2:00:00", "1-0", "1-12:00", "2-00:00:00"] {
            assert!(valid_time(t), "{t}");
        }
        for t in ["", "1-", "a", "1:2:3:4", "-5"] {
            assert!(!valid_time(t), "{t}");
        }
    }

    #[test]
    fn quoting_keeps_words_whole() {
        assert_eq!(quote("plain/path.yaml"), "plain/path.yaml");
        assert_eq!(quote("it's here"), r"'it'\''s here'");
        assert_eq!(quote(""), "''");
    }
}
