//! Talking to Slurm through its own commands: `sbatch --parsable` to submit,
//! `squeue` to see which array tasks are still queued or running.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use super::SlurmError;

/// Submits `script` (all its array tasks, or only `array`, e.g. `1,3-5`);
/// returns the job id.
pub fn submit(script: &Path, array: Option<&str>) -> Result<String, SlurmError> {
    let mut cmd = Command::new("sbatch");
    cmd.arg("--parsable");
    if let Some(list) = array {
        cmd.arg(format!("--array={list}"));
    }
    cmd.arg(script);
    let out = cmd
        .output()
        .map_err(|e| SlurmError::NoSbatch(e.to_string(), script.to_path_buf()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        let message = stderr
            .lines()
            .chain(stdout.lines())
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        return Err(SlurmError::Rejected {
            script: script.to_path_buf(),
            message: if message.is_empty() {
                format!("sbatch exited with {}", out.status)
            } else {
                message
            },
        });
    }
    // `--parsable` prints `jobid` or `jobid;cluster`
    let id = stdout
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .and_then(|l| l.split(';').next())
        .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()))
        .ok_or_else(|| SlurmError::Rejected {
            script: script.to_path_buf(),
            message: format!("sbatch printed no job id: `{}`", stdout.trim()),
        })?;
    Ok(id.to_string())
}

/// What `squeue` says of an array task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskState {
    pub job: String,
    /// `PENDING`, `RUNNING`, `COMPLETING`, …
    pub state: String,
}

/// Array tasks of `jobs` that Slurm still has queued or running, by task index.
/// `None` when `squeue` cannot be asked (not installed, controller down).
pub fn queued_tasks(jobs: &[String]) -> Option<BTreeMap<u32, TaskState>> {
    if jobs.is_empty() {
        return Some(BTreeMap::new());
    }
    let out = Command::new("squeue")
        .args(["-h", "-r", "-o", "%i %T", "-j"])
        .arg(jobs.join(","))
        .output()
        .ok()?;
    if !out.status.success() {
        // squeue fails on job ids it has forgotten: ask one by one
        if jobs.len() > 1 {
            let mut all = BTreeMap::new();
            for job in jobs {
                all.extend(queued_tasks(std::slice::from_ref(job)).unwrap_or_default());
            }
            return Some(all);
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        return stderr.contains("Invalid job id").then(BTreeMap::new);
    }
    Some(parse_squeue(&String::from_utf8_lossy(&out.stdout)))
}

/// `12_3 RUNNING` lines → task 3: job 12, RUNNING (the newest job wins).
fn parse_squeue(text: &str) -> BTreeMap<u32, TaskState> {
    let mut tasks = BTreeMap::new();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        let (Some(id), Some(state)) = (words.next(), words.next()) else {
            continue;
        };
        let Some((job, task)) = id.split_once('_') else {
            continue;
        };
        let job = job.to_string();
        let state = state.to_string();
        // an unexpanded pending range `12_[2-3]` or `12_[1,4%2]`
        let indices: Vec<u32> = match task.strip_prefix('[') {
            Some(range) => expand(range.trim_end_matches(']')),
            None => task.parse().ok().into_iter().collect(),
        };
        for i in indices {
            tasks.insert(
                i,
                TaskState {
                    job: job.clone(),
                    state: state.clone(),
                },
            );
        }
    }
    tasks
}

/// `1,3-5%2` → 1, 3, 4, 5.
fn expand(list: &str) -> Vec<u32> {
    let list = list.split('%').next().unwrap_or("");
    let mut out = Vec::new();
    for part in list.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                if let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>()) {
                    out.extend(a..=b.min(a.saturating_add(1_000_000)));
                }
            }
            None => out.extend(part.parse::<u32>().ok()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squeue_lines_give_task_states() {
        let t = parse_squeue("12_0 RUNNING\n12_[2-3,5%2] PENDING\n13_1 COMPLETING\n");
        assert_eq!(t.len(), 5);
        assert_eq!(t[&0].state, "RUNNING");
        assert_eq!(t[&1].job, "13");
        assert_eq!(t[&3].state, "PENDING");
        assert_eq!(t[&5].job, "12");
        assert!(!t.contains_key(&4));
    }
}
