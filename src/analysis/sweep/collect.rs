//! Reading a folder of shard journals: merging them into the sweep's report
//! ([`collect`]) and telling which shards are complete, partial or missing
//! ([`status`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::journal::{io, read_journal, shard_of_path, shard_path, Header};
use super::{ItemResult, Shard, Stamp, SweepError, SweepPlan, SweepReport};

/// How strict [`collect_with`] is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CollectOptions {
    /// A Monte Carlo yield over the finished samples only, instead of an error,
    /// when some are missing (margins and shmoos always need every item).
    pub allow_incomplete: bool,
}

/// What the journals of a folder hold.
struct Found {
    plan: SweepPlan,
    stamp: Stamp,
    results: BTreeMap<usize, ItemResult>,
    /// Per journal: its shard and the number of its finished items.
    journals: Vec<(Shard, usize)>,
}

fn journal_paths(dir: &Path) -> Result<Vec<PathBuf>, SweepError> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| shard_of_path(p).is_some())
        .collect();
    paths.sort();
    Ok(paths)
}

/// Reads every `shard-i-of-N.jsonl` of `dir`; `None` when none has a header yet.
fn read_all(dir: &Path) -> Result<Option<Found>, SweepError> {
    let paths = journal_paths(dir)?;
    let mut first: Option<(PathBuf, Header)> = None;
    let mut results: BTreeMap<usize, ItemResult> = BTreeMap::new();
    let mut journals = Vec::new();
    for path in &paths {
        let journal = read_journal(path)?;
        let Some(header) = journal.header else {
            // created, then killed before the header was whole: nothing finished
            if let Some(shard) = shard_of_path(path) {
                journals.push((shard, 0));
            }
            continue;
        };
        match &first {
            None => first = Some((path.clone(), header)),
            Some((first_path, h)) => {
                let why = (h.plan != header.plan)
                    .then(|| "it holds a different sweep".to_string())
                    .or_else(|| h.stamp.mismatch(&header.stamp));
                if let Some(why) = why {
                    return Err(SweepError::Journal {
                        path: path.clone(),
                        line: 1,
                        message: format!(
                            "does not belong with {}: {why}; keep one sweep per directory",
                            first_path.display()
                        ),
                    });
                }
            }
        }
        let items = first.as_ref().map_or(0, |(_, h)| h.plan.items());
        let shard = shard_of_path(path).unwrap_or(Shard::ALL);
        let mut finished = 0;
        for (n, line) in journal.lines.into_iter().enumerate() {
            let bad = |message: String| SweepError::Journal {
                path: path.clone(),
                line: n + 2,
                message,
            };
            if line.item >= items {
                return Err(bad(format!(
                    "item {} is beyond the sweep's {items} items",
                    line.item
                )));
            }
            if let Some(old) = results.get(&line.item) {
                if *old != line.result {
                    return Err(bad(format!(
                        "item {} disagrees with another shard file",
                        line.item
                    )));
                }
            }
            results.insert(line.item, line.result);
            finished += 1;
        }
        journals.push((shard, finished));
    }
    Ok(first.map(|(_, h)| Found {
        plan: h.plan,
        stamp: h.stamp,
        results,
        journals,
    }))
}

/// Merges every `shard-*-of-*.jsonl` in `dir` into the report of the sweep.
/// All files must belong to the same sweep, and together hold every item.
pub fn collect(dir: &Path) -> Result<SweepReport, SweepError> {
    collect_with(dir, CollectOptions::default())
}

/// [`collect`], optionally accepting a Monte Carlo yield with missing samples.
pub fn collect_with(dir: &Path, options: CollectOptions) -> Result<SweepReport, SweepError> {
    let found = read_all(dir)?.ok_or_else(|| {
        SweepError::Incomplete(format!(
            "no shard files (shard-i-of-N.jsonl) in {}",
            dir.display()
        ))
    })?;
    let plan = &found.plan;
    let missing: Vec<usize> = (0..plan.items())
        .filter(|i| !found.results.contains_key(i))
        .collect();
    if missing.is_empty() {
        let ordered: Vec<ItemResult> = found.results.into_values().collect();
        return plan.report(&ordered);
    }
    if options.allow_incomplete {
        if let SweepPlan::MonteCarlo(mc) = plan {
            return Ok(SweepReport::MonteCarlo(super::partial_yield(
                mc,
                &found.results,
            )?));
        }
    }
    let first: Vec<String> = missing.iter().take(10).map(|i| i.to_string()).collect();
    let shards = status_of(dir, &found, None)
        .into_iter()
        .filter(|s| s.state() != ShardState::Complete)
        .map(|s| format!("{} {}", s.shard, s.state().word()))
        .collect::<Vec<_>>();
    let hint = if matches!(plan, SweepPlan::MonteCarlo(_)) {
        "; finish them (nmgen margins status DIR), or collect with --allow-incomplete for a yield of the finished samples"
    } else {
        "; run or resume the missing shards (nmgen margins status DIR)"
    };
    Err(SweepError::Incomplete(format!(
        "{}: {} of {} items are not finished (items {}{}; shards: {}){hint}",
        dir.display(),
        missing.len(),
        plan.items(),
        first.join(", "),
        if missing.len() > 10 { ", …" } else { "" },
        if shards.is_empty() {
            "journals of another shard count".to_string()
        } else {
            shards.join(", ")
        }
    )))
}

/// Whether a shard is finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardState {
    Complete,
    Partial,
    Missing,
}

impl ShardState {
    pub fn word(self) -> &'static str {
        match self {
            ShardState::Complete => "complete",
            ShardState::Partial => "partial",
            ShardState::Missing => "missing",
        }
    }
}

/// One shard of a sharded sweep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardStatus {
    pub shard: Shard,
    pub path: PathBuf,
    /// Items of this shard.
    pub items: usize,
    /// Of those, finished (in any journal of the folder).
    pub finished: usize,
}

impl ShardStatus {
    pub fn state(&self) -> ShardState {
        if self.finished == self.items {
            ShardState::Complete
        } else if self.finished == 0 {
            ShardState::Missing
        } else {
            ShardState::Partial
        }
    }
}

/// The sweep a folder of journals holds, shard by shard.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepStatus {
    /// `None` when no journal has been written yet.
    pub plan: Option<SweepPlan>,
    pub stamp: Option<Stamp>,
    pub shards: Vec<ShardStatus>,
}

fn status_of(dir: &Path, found: &Found, count: Option<u32>) -> Vec<ShardStatus> {
    let items = found.plan.items();
    let count = count.or_else(|| {
        let counts: std::collections::BTreeSet<u32> =
            found.journals.iter().map(|(s, _)| s.count).collect();
        (counts.len() == 1).then(|| counts.into_iter().next().unwrap_or(1))
    });
    let Some(count) = count else {
        return Vec::new();
    };
    (0..count)
        .map(|index| {
            let shard = Shard { index, count };
            let owned: Vec<usize> = (0..items).filter(|&i| shard.owns(i)).collect();
            ShardStatus {
                shard,
                path: shard_path(dir, shard),
                items: owned.len(),
                finished: owned
                    .iter()
                    .filter(|i| found.results.contains_key(i))
                    .count(),
            }
        })
        .collect()
}

/// Which of the `count` shards of the sweep in `dir` are complete, partial or
/// missing. `count` and `items` come from the job that wrote the folder (the
/// journals alone cannot tell of a shard that never started); without `count`
/// the shard count of the journals is used.
pub fn status(
    dir: &Path,
    count: Option<u32>,
    items: Option<usize>,
) -> Result<SweepStatus, SweepError> {
    if !dir.exists() {
        return Err(SweepError::Incomplete(format!(
            "{}: no such folder of shard journals",
            dir.display()
        )));
    }
    match read_all(dir)? {
        Some(found) => Ok(SweepStatus {
            shards: status_of(dir, &found, count),
            plan: Some(found.plan),
            stamp: Some(found.stamp),
        }),
        None => {
            let shards = match (count, items) {
                (Some(count), Some(items)) => (0..count)
                    .map(|index| {
                        let shard = Shard { index, count };
                        ShardStatus {
                            shard,
                            path: shard_path(dir, shard),
                            items: (0..items).filter(|&i| shard.owns(i)).count(),
                            finished: 0,
                        }
                    })
                    .collect(),
                _ => Vec::new(),
            };
            Ok(SweepStatus {
                plan: None,
                stamp: None,
                shards,
            })
        }
    }
}
