//! Shard files: a header line naming the sweep and its [`Stamp`], then one JSON
//! line per finished item. Appending per item makes an interrupted run resumable;
//! an exclusive lock on the file keeps a second writer (another array task, a
//! resubmitted task while the first still runs) out.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{ItemResult, Progress, Stamp, SweepError, SweepPlan};
use crate::analysis::evaluator::Evaluator;

/// Shard `index` of `count` (written `index/count`, 0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// The single shard of an unsharded run.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Whether item `i` belongs to this shard.
    pub fn owns(&self, i: usize) -> bool {
        i % self.count as usize == self.index as usize
    }
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}`: a shard is written i/N with 0 <= i < N (e.g. 0/4)");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = i.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The journal format written by this nmgen (format 1 had no stamp).
const FORMAT: u32 = 2;

#[derive(Serialize, Deserialize)]
pub(super) struct Header {
    pub nmgen_sweep: u32,
    pub shard: Shard,
    pub items: usize,
    pub stamp: Stamp,
    pub plan: SweepPlan,
}

#[derive(Serialize, Deserialize)]
pub(super) struct Line {
    pub item: usize,
    pub result: ItemResult,
}

/// What one shard run did.
#[derive(Debug, Clone, PartialEq)]
pub struct ShardSummary {
    pub path: PathBuf,
    /// Items of this shard.
    pub items: usize,
    /// Items already in the file when the run started.
    pub resumed: usize,
    /// Items computed by this run.
    pub computed: usize,
}

/// `DIR/shard-i-of-N.jsonl`.
pub fn shard_path(dir: &Path, shard: Shard) -> PathBuf {
    dir.join(format!("shard-{}-of-{}.jsonl", shard.index, shard.count))
}

/// The shard a journal's file name names (`shard-i-of-N.jsonl`).
pub fn shard_of_path(path: &Path) -> Option<Shard> {
    let name = path.file_name()?.to_str()?;
    let rest = name.strip_prefix("shard-")?.strip_suffix(".jsonl")?;
    let (i, n) = rest.split_once("-of-")?;
    let shard = Shard {
        index: i.parse().ok()?,
        count: n.parse().ok()?,
    };
    (shard.count > 0 && shard.index < shard.count).then_some(shard)
}

pub(super) fn io(path: &Path) -> impl Fn(std::io::Error) -> SweepError + '_ {
    move |source| SweepError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A journal's header and finished items. A last line cut short (the run was
/// killed mid-write) is dropped; `valid_len` is where it began. A file without a
/// whole header line (killed before it was written) has no header and no items.
pub(super) struct Journal {
    pub header: Option<Header>,
    pub lines: Vec<Line>,
    pub valid_len: usize,
}

/// Reads a shard file.
pub(super) fn read_journal(path: &Path) -> Result<Journal, SweepError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    parse_journal(path, &text)
}

fn parse_journal(path: &Path, text: &str) -> Result<Journal, SweepError> {
    let journal_err = |line: usize, message: String| SweepError::Journal {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut header = None;
    let mut lines = Vec::new();
    let mut valid_len = 0;
    for (n, raw) in text.split_inclusive('\n').enumerate() {
        if !raw.ends_with('\n') {
            break; // cut short: the item is recomputed
        }
        if n == 0 {
            header = Some(parse_header(raw).map_err(|m| journal_err(1, m))?);
        } else {
            let l: Line = serde_json::from_str(raw).map_err(|e| {
                journal_err(
                    n + 1,
                    format!("not a finished sweep item ({e}): `{}`", raw.trim_end()),
                )
            })?;
            lines.push(l);
        }
        valid_len += raw.len();
    }
    Ok(Journal {
        header,
        lines,
        valid_len,
    })
}

fn parse_header(raw: &str) -> Result<Header, String> {
    let value: serde_json::Value = serde_json::from_str(raw)
        .map_err(|_| "not a sweep shard journal (its first line is not JSON)".to_string())?;
    match value.get("nmgen_sweep").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(FORMAT) => {}
        Some(v) => {
            return Err(format!(
                "journal format {v} (this nmgen reads format {FORMAT}): it was written by another nmgen version; use another directory"
            ))
        }
        None => return Err("not a sweep shard journal (no `nmgen_sweep` in its header)".into()),
    }
    serde_json::from_value(value).map_err(|e| format!("a damaged journal header: {e}"))
}

/// Opens the journal of `shard` for writing, locked against every other writer
/// (another array task, a second terminal). The lock lasts as long as the file.
fn open_locked(path: &Path) -> Result<File, SweepError> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(io(path))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(SweepError::Journal {
            path: path.to_path_buf(),
            line: 1,
            message: "another process is computing this shard (the journal is locked); \
                      two tasks must not run the same shard: wait for it, or cancel it (scancel) and resume"
                .into(),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(SweepError::Journal {
            path: path.to_path_buf(),
            line: 1,
            message: format!(
                "cannot lock the journal ({e}); the shard folder must be on a file system with \
                 file locks (NFSv4, or Lustre mounted with -o flock)"
            ),
        }),
    }
}

/// Runs (or resumes) shard `shard` of `plan`, appending to [`shard_path`]; the
/// journal is stamped with the plan alone ([`Stamp::of_plan`]).
pub fn run_shard<E: Evaluator>(
    plan: &SweepPlan,
    eval: &E,
    dir: &Path,
    shard: Shard,
    progress: Progress,
) -> Result<ShardSummary, SweepError> {
    run_shard_stamped(plan, eval, dir, shard, &Stamp::of_plan(plan), progress)
}

/// Runs (or resumes) shard `shard` of `plan`, appending to [`shard_path`]. A
/// journal already there must carry `stamp` and the same plan and shard, or the
/// run is refused; an item cut short by a kill is recomputed, none twice.
pub fn run_shard_stamped<E: Evaluator>(
    plan: &SweepPlan,
    eval: &E,
    dir: &Path,
    shard: Shard,
    stamp: &Stamp,
    progress: Progress,
) -> Result<ShardSummary, SweepError> {
    plan.check()?;
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let path = shard_path(dir, shard);
    let mine: Vec<usize> = (0..plan.items()).filter(|&i| shard.owns(i)).collect();
    let mut done = std::collections::BTreeSet::new();
    let mut file = open_locked(&path)?;
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(io(&path))?;
    let journal = parse_journal(&path, &text)?;
    if let Some(header) = &journal.header {
        let refuse = |message: String| SweepError::Journal {
            path: path.clone(),
            line: 1,
            message,
        };
        if header.plan != *plan || header.shard != shard {
            return Err(refuse(
                "this file belongs to a different sweep or shard; use another directory".into(),
            ));
        }
        if let Some(why) = header.stamp.mismatch(stamp) {
            return Err(refuse(format!(
                "refusing to resume this journal: {why}; use another directory, or delete the journal to start over"
            )));
        }
        for (n, line) in journal.lines.iter().enumerate() {
            if !shard.owns(line.item) || line.item >= plan.items() {
                return Err(SweepError::Journal {
                    path: path.clone(),
                    line: n + 2,
                    message: format!("item {} is not one of shard {shard}'s items", line.item),
                });
            }
        }
        done.extend(journal.lines.iter().map(|l| l.item));
        file.set_len(journal.valid_len as u64).map_err(io(&path))?;
        file.seek(SeekFrom::End(0)).map_err(io(&path))?;
    } else {
        // new, or killed before its header was whole
        file.set_len(0).map_err(io(&path))?;
        file.seek(SeekFrom::Start(0)).map_err(io(&path))?;
        let header = Header {
            nmgen_sweep: FORMAT,
            shard,
            items: plan.items(),
            stamp: stamp.clone(),
            plan: plan.clone(),
        };
        let mut line =
            serde_json::to_string(&header).map_err(|e| SweepError::Plan(e.to_string()))?;
        line.push('\n');
        file.write_all(line.as_bytes()).map_err(io(&path))?;
        file.flush().map_err(io(&path))?;
    }
    let todo: Vec<usize> = mine.iter().copied().filter(|i| !done.contains(i)).collect();
    let bar = progress.bar(
        mine.len() as u64,
        (mine.len() - todo.len()) as u64,
        plan.what(),
    );
    let file = Mutex::new(file);
    todo.par_iter()
        .map(|&i| {
            let result = plan.run_item(i, eval)?;
            let mut text = serde_json::to_string(&Line { item: i, result })
                .map_err(|e| SweepError::Plan(e.to_string()))?;
            text.push('\n');
            let mut f = file.lock().unwrap_or_else(|p| p.into_inner());
            f.write_all(text.as_bytes()).map_err(io(&path))?;
            f.flush().map_err(io(&path))?;
            bar.inc(1);
            Ok(())
        })
        .collect::<Result<(), SweepError>>()?;
    bar.finish_and_clear();
    Ok(ShardSummary {
        path: path.clone(),
        items: mine.len(),
        resumed: mine.len() - todo.len(),
        computed: todo.len(),
    })
}
