//! Sharded sweeps as Slurm job arrays: one array task per shard
//! (`SLURM_ARRAY_TASK_ID` → `--shard i/N`), journals and per-task logs in one
//! folder on a shared file system.
//!
//! - [`script`]: the self-contained, commented `sbatch` script;
//! - [`sbatch`]: submitting it (whole or only some tasks) and asking `squeue`
//!   what is still queued or running;
//! - [`SlurmJob`]: `DIR/slurm.json`, what was generated and submitted, read back
//!   by `nmgen margins status` and `resubmit`.

pub mod sbatch;
pub mod script;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::analysis::Stamp;

pub use sbatch::{queued_tasks, submit, TaskState};
pub use script::{render, ScriptOptions};

/// Why a Slurm step failed.
#[derive(Debug, thiserror::Error)]
pub enum SlurmError {
    #[error(
        "cannot run `sbatch`: {0}; is Slurm's client on PATH (e.g. `module load slurm`)? The script is {1}; submit it by hand with `sbatch {1}`"
    )]
    NoSbatch(String, PathBuf),
    #[error("sbatch refused {script}: {message}")]
    Rejected { script: PathBuf, message: String },
    #[error("{0}")]
    Option(String),
    #[error("{path}: {message}")]
    Job { path: PathBuf, message: String },
}

/// `DIR/slurm.json`: the job array written into DIR and the jobs submitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlurmJob {
    /// nmgen's version that wrote the script.
    pub nmgen: String,
    /// `margins`, `shmoo` or `yield`.
    pub sweep: String,
    /// The spec (absolute path, as the tasks read it).
    pub spec: PathBuf,
    /// Array tasks = shards.
    pub tasks: u32,
    /// Work items of the sweep (parameter sides, shmoo cells, samples).
    pub items: usize,
    /// The script's file name in DIR.
    pub script: String,
    /// The stamp every journal of DIR must carry.
    pub stamp: Stamp,
    /// Job ids of the submissions, oldest first.
    #[serde(default)]
    pub jobs: Vec<String>,
}

impl SlurmJob {
    pub const FILE: &'static str = "slurm.json";

    pub fn path(dir: &Path) -> PathBuf {
        dir.join(Self::FILE)
    }

    /// Reads `DIR/slurm.json`.
    pub fn read(dir: &Path) -> Result<SlurmJob, SlurmError> {
        let path = Self::path(dir);
        let text = std::fs::read_to_string(&path).map_err(|e| SlurmError::Job {
            path: path.clone(),
            message: if e.kind() == std::io::ErrorKind::NotFound {
                "no such file: this folder was not written by `nmgen margins … --slurm DIR`".into()
            } else {
                e.to_string()
            },
        })?;
        serde_json::from_str(&text).map_err(|e| SlurmError::Job {
            path: path.clone(),
            message: format!("line {}, column {}: {e}", e.line(), e.column()),
        })
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// `0-3,7` style list of task indices.
    pub fn array_list(tasks: &[u32]) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut i = 0;
        while i < tasks.len() {
            let start = tasks[i];
            let mut end = start;
            while i + 1 < tasks.len() && tasks[i + 1] == end + 1 {
                i += 1;
                end = tasks[i];
            }
            parts.push(if start == end {
                start.to_string()
            } else {
                format!("{start}-{end}")
            });
            i += 1;
        }
        parts.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::SlurmJob;

    #[test]
    fn array_lists_join_runs() {
        assert_eq!(SlurmJob::array_list(&[0, 1, 2, 3]), "0-3");
        assert_eq!(SlurmJob::array_list(&[1, 3, 4, 5, 9]), "1,3-5,9");
        assert_eq!(SlurmJob::array_list(&[2]), "2");
        assert_eq!(SlurmJob::array_list(&[]), "");
    }
}
