//! Shard files: a header line naming the sweep, then one JSON line per
//! finished item. Appending per item makes an interrupted run resumable.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{ItemResult, Progress, SweepError, SweepPlan, SweepReport};
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

#[derive(Serialize, Deserialize)]
struct Header {
    nmgen_sweep: u32,
    shard: Shard,
    items: usize,
    plan: SweepPlan,
}

#[derive(Serialize, Deserialize)]
struct Line {
    item: usize,
    result: ItemResult,
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

fn io(path: &Path) -> impl Fn(std::io::Error) -> SweepError + '_ {
    move |source| SweepError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads a shard file: its header and finished items. A last line cut short
/// (the run was killed mid-write) is dropped; `valid_len` is where it began.
fn read_journal(path: &Path) -> Result<(Header, Vec<Line>, usize), SweepError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
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
            let h: Header = serde_json::from_str(raw)
                .map_err(|e| journal_err(1, format!("not a sweep shard header: {e}")))?;
            header = Some(h);
        } else {
            let l: Line =
                serde_json::from_str(raw).map_err(|e| journal_err(n + 1, e.to_string()))?;
            lines.push(l);
        }
        valid_len += raw.len();
    }
    let header = header.ok_or_else(|| journal_err(1, "no header line".into()))?;
    Ok((header, lines, valid_len))
}

/// Runs (or resumes) shard `shard` of `plan`, appending to [`shard_path`].
pub fn run_shard<E: Evaluator>(
    plan: &SweepPlan,
    eval: &E,
    dir: &Path,
    shard: Shard,
    progress: Progress,
) -> Result<ShardSummary, SweepError> {
    plan.check()?;
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let path = shard_path(dir, shard);
    let mine: Vec<usize> = (0..plan.items()).filter(|&i| shard.owns(i)).collect();
    let mut done = std::collections::BTreeSet::new();
    let file = if path.exists() {
        let (header, lines, valid_len) = read_journal(&path)?;
        if header.plan != *plan || header.shard != shard {
            return Err(SweepError::Journal {
                path: path.clone(),
                line: 1,
                message: "this file belongs to a different sweep or shard; use another directory"
                    .into(),
            });
        }
        done.extend(lines.iter().map(|l| l.item));
        let file = OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(io(&path))?;
        file.set_len(valid_len as u64).map_err(io(&path))?;
        drop(file);
        OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(io(&path))?
    } else {
        let mut file = File::create(&path).map_err(io(&path))?;
        let header = Header {
            nmgen_sweep: 1,
            shard,
            items: plan.items(),
            plan: plan.clone(),
        };
        let mut text =
            serde_json::to_string(&header).map_err(|e| SweepError::Plan(e.to_string()))?;
        text.push('\n');
        file.write_all(text.as_bytes()).map_err(io(&path))?;
        file
    };
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

/// Merges every `shard-*-of-*.jsonl` in `dir` into the report of the sweep.
/// All files must belong to the same sweep, and together hold every item.
pub fn collect(dir: &Path) -> Result<SweepReport, SweepError> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("shard-") && n.ends_with(".jsonl"))
        })
        .collect();
    paths.sort();
    let mut plan: Option<SweepPlan> = None;
    let mut results: BTreeMap<usize, ItemResult> = BTreeMap::new();
    for path in &paths {
        let (header, lines, _) = read_journal(path)?;
        match &plan {
            None => plan = Some(header.plan),
            Some(p) if *p != header.plan => {
                return Err(SweepError::Journal {
                    path: path.clone(),
                    line: 1,
                    message: format!("belongs to a different sweep than {}", paths[0].display()),
                })
            }
            Some(_) => {}
        }
        for (n, line) in lines.into_iter().enumerate() {
            if let Some(old) = results.get(&line.item) {
                if *old != line.result {
                    return Err(SweepError::Journal {
                        path: path.clone(),
                        line: n + 2,
                        message: format!("item {} disagrees with another shard file", line.item),
                    });
                }
            }
            results.insert(line.item, line.result);
        }
    }
    let plan = plan.ok_or_else(|| {
        SweepError::Incomplete(format!(
            "no shard files (shard-*.jsonl) in {}",
            dir.display()
        ))
    })?;
    let missing: Vec<usize> = (0..plan.items())
        .filter(|i| !results.contains_key(i))
        .collect();
    if !missing.is_empty() {
        let first: Vec<String> = missing.iter().take(10).map(|i| i.to_string()).collect();
        return Err(SweepError::Incomplete(format!(
            "{} of {} items are not finished (items {}{}): run or resume the missing shards",
            missing.len(),
            plan.items(),
            first.join(", "),
            if missing.len() > 10 { ", …" } else { "" }
        )));
    }
    let ordered: Vec<ItemResult> = results.into_values().collect();
    plan.report(&ordered)
}
