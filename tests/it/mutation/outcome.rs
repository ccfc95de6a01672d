//! Running one mutated input in its sandbox, under a memory limit and a timeout, and
//! classifying what happened.

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::corpus::File;

/// What one run did. The first two are the acceptable outcomes (with `Failed`, exit 1,
/// a design that was judged and failed its checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    Ok,
    Failed,
    CleanError,
    UnclearMessage,
    Panic,
    Abort,
    Timeout,
    PartialOutput,
    InputOverwritten,
}

impl Class {
    pub const ALL: [Class; 9] = [
        Class::Ok,
        Class::Failed,
        Class::CleanError,
        Class::UnclearMessage,
        Class::Panic,
        Class::Abort,
        Class::Timeout,
        Class::PartialOutput,
        Class::InputOverwritten,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Class::Ok => "ok",
            Class::Failed => "check failed (1)",
            Class::CleanError => "clean error (2)",
            Class::UnclearMessage => "unclear message",
            Class::Panic => "panic",
            Class::Abort => "abort/signal",
            Class::Timeout => "timeout",
            Class::PartialOutput => "partial output",
            Class::InputOverwritten => "input overwritten",
        }
    }

    /// Whether the campaign fails on this outcome.
    pub fn is_bug(self) -> bool {
        !matches!(self, Class::Ok | Class::Failed | Class::CleanError)
    }
}

/// Limits of one run.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Address space, KiB (`ulimit -v`).
    pub memory_kib: u64,
    pub timeout: Duration,
}

/// The result of one run: its class, exit status text, stderr and wall time.
#[derive(Debug, Clone)]
pub struct Run {
    pub class: Class,
    pub status: String,
    pub stderr: String,
    pub wall: Duration,
}

/// Serde and parser internals that must not reach the user.
const INTERNALS: &[&str] = &[
    "untagged enum",
    "DuplicateKeyPolicy",
    "budget breached",
    "RUST_BACKTRACE",
    "Os {",
    "Error {",
    "Some(",
];

/// Every file under `dir` (relative paths), folders left out.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(p),
                _ => out.push(p.strip_prefix(dir).unwrap().to_path_buf()),
            }
        }
    }
    out.sort();
    out
}

/// Writes `files` into the empty folder `sandbox`.
pub fn populate(sandbox: &Path, files: &[File]) {
    for f in files {
        let p = sandbox.join(&f.path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, &f.bytes).unwrap();
    }
}

/// Runs `bin args` in `sandbox` (already holding `files`) and classifies the outcome.
pub fn run(bin: &Path, sandbox: &Path, files: &[File], args: &[String], limits: Limits) -> Run {
    let before = files_under(sandbox);
    let start = Instant::now();
    let secs = limits.timeout.as_secs_f64();
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {}; exec timeout -k 2 {secs} \"$0\" \"$@\"",
            limits.memory_kib
        ))
        .arg(bin)
        .args(args)
        .current_dir(sandbox)
        .env("CI", "true")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .output()
        .expect("sh runs");
    let wall = start.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let code = output.status.code();
    let signal = output.status.signal();
    let status = match (code, signal) {
        (Some(c), _) => format!("exit {c}"),
        (None, Some(s)) => format!("signal {s}"),
        _ => "unknown".into(),
    };
    let overwritten = files.iter().any(|f| {
        std::fs::read(sandbox.join(&f.path))
            .map(|b| b != f.bytes)
            .unwrap_or(true)
    });
    let after = files_under(sandbox);
    let staging_left = after.iter().any(|p| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(".nmgen-"))
    });
    let new_files = after.iter().any(|p| !before.contains(p));
    let class = if stderr.contains("panicked") || code == Some(101) {
        Class::Panic
    } else if code == Some(124) || code == Some(137) && wall >= limits.timeout {
        Class::Timeout
    } else if signal.is_some()
        || code.is_some_and(|c| c > 128)
        || stderr.contains("memory allocation of")
        || stderr.contains("overflowed its stack")
    {
        Class::Abort
    } else if overwritten {
        Class::InputOverwritten
    } else if staging_left || (code != Some(0) && new_files) {
        Class::PartialOutput
    } else {
        match code {
            Some(0) => Class::Ok,
            Some(1) => Class::Failed,
            Some(2) => {
                // warnings may come first; the error must be there, in plain words
                // (no command at all: clap's usage and the list of commands)
                let error = stderr.lines().any(|l| l.starts_with("error"))
                    || stderr.contains("\nUsage: nmgen");
                if !error || INTERNALS.iter().any(|t| stderr.contains(t)) {
                    Class::UnclearMessage
                } else {
                    Class::CleanError
                }
            }
            _ => Class::UnclearMessage,
        }
    };
    Run {
        class,
        status,
        stderr,
        wall,
    }
}

/// Counts per kind and class, and the slowest run.
#[derive(Debug, Default)]
pub struct Tally {
    pub counts: BTreeMap<(String, Class), usize>,
    pub mutations: BTreeMap<String, usize>,
    pub slowest: Duration,
    /// Runs that took longer than [`SLOW`] (wall time) and yet ended on their own.
    pub slow: usize,
}

/// A run this long without a result is what the campaign calls a hang when it times out;
/// with a longer timeout (a loaded machine), such runs are counted.
pub const SLOW: Duration = Duration::from_secs(20);

impl Tally {
    pub fn add(&mut self, kind: &str, mutation: &str, run: &Run) {
        *self
            .counts
            .entry((kind.to_string(), run.class))
            .or_default() += 1;
        for m in mutation.split(" + ") {
            *self.mutations.entry(m.to_string()).or_default() += 1;
        }
        self.slowest = self.slowest.max(run.wall);
        if run.wall > SLOW && run.class != Class::Timeout {
            self.slow += 1;
        }
    }

    /// Inputs that ended in a bug class.
    pub fn bugs(&self) -> usize {
        self.counts
            .iter()
            .filter(|((_, c), _)| c.is_bug())
            .map(|(_, n)| n)
            .sum()
    }

    /// The summary table: one row per kind, one column per class, totals.
    pub fn table(&self, kinds: &[&str]) -> String {
        let mut s = format!("{:<14}", "kind");
        for c in Class::ALL {
            s += &format!(" {:>9}", short(c));
        }
        s += &format!(" {:>8}\n", "inputs");
        let mut totals = [0usize; Class::ALL.len()];
        for kind in kinds {
            let row: Vec<usize> = Class::ALL
                .iter()
                .map(|&c| {
                    self.counts
                        .get(&(kind.to_string(), c))
                        .copied()
                        .unwrap_or(0)
                })
                .collect();
            let n: usize = row.iter().sum();
            if n == 0 {
                continue;
            }
            s += &format!("{kind:<14}");
            for (i, v) in row.iter().enumerate() {
                s += &format!(" {v:>9}");
                totals[i] += v;
            }
            s += &format!(" {n:>8}\n");
        }
        s += &format!("{:<14}", "total");
        for v in totals {
            s += &format!(" {v:>9}");
        }
        s += &format!(" {:>8}\n", totals.iter().sum::<usize>());
        s += "\ncolumns: ";
        s += &Class::ALL
            .iter()
            .map(|&c| format!("{} = {}", short(c), c.name()))
            .collect::<Vec<_>>()
            .join(", ");
        s += "\nmutations applied (an input has one or two): ";
        s += &self
            .mutations
            .iter()
            .map(|(m, n)| format!("{m} {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        s += &format!(
            "\nslowest run: {:.2} s; runs over {} s that ended on their own: {}\n",
            self.slowest.as_secs_f64(),
            SLOW.as_secs(),
            self.slow
        );
        s
    }
}

fn short(c: Class) -> &'static str {
    match c {
        Class::Ok => "ok",
        Class::Failed => "failed",
        Class::CleanError => "error",
        Class::UnclearMessage => "unclear",
        Class::Panic => "panic",
        Class::Abort => "abort",
        Class::Timeout => "timeout",
        Class::PartialOutput => "partial",
        Class::InputOverwritten => "overwrite",
    }
}
