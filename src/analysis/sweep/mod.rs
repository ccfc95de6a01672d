//! Sweeps (margins, shmoo, Monte Carlo) as deterministic lists of work items,
//! run in parallel, shardable across machines and resumable.
//!
//! A sweep is a [`SweepPlan`]; its items are numbered `0..plan.items()`:
//! margins: item `2p` is parameter p's low side, `2p+1` its high side (each
//! search is sequential); shmoo: one cell per item; Monte Carlo: one sample
//! per item. [`run`] computes everything in memory; [`run_shard`] computes the
//! items `i` with `i % N == index` of shard `index/N` and appends one JSON line
//! per finished item to `DIR/shard-index-of-N.jsonl`, skipping items already
//! there; [`collect`] merges a directory of shard files into the very report
//! [`run`] gives. Each journal carries a [`Stamp`] (nmgen version, hash of the
//! spec and settings) and is locked while written; [`status`] tells which shards
//! of a folder are complete, partial or missing.

mod collect;
mod journal;
mod progress;
mod stamp;

pub use collect::{
    collect, collect_with, status, CollectOptions, ShardState, ShardStatus, SweepStatus,
};
pub use journal::{run_shard, run_shard_stamped, shard_of_path, shard_path, Shard, ShardSummary};
pub use progress::Progress;
pub use stamp::Stamp;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::evaluator::{Evaluator, MarginParameter};
use super::margins::{search_bound, Direction, MarginBound, MarginReport, MarginSearch};
use super::montecarlo::{MonteCarloPlan, YieldReport};
use super::shmoo::{ShmooPlan, ShmooReport};

/// Margin analysis of several parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarginPlan {
    pub parameters: Vec<MarginParameter>,
    #[serde(default)]
    pub search: MarginSearch,
}

/// Any sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SweepPlan {
    Margins(MarginPlan),
    Shmoo(ShmooPlan),
    MonteCarlo(MonteCarloPlan),
}

/// The result of one work item, as stored in a shard file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemResult {
    Bound(MarginBound),
    Pass(bool),
}

/// The finished report of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub enum SweepReport {
    Margins(MarginReport),
    Shmoo(ShmooReport),
    MonteCarlo(YieldReport),
}

impl SweepReport {
    pub fn to_json(&self) -> String {
        match self {
            SweepReport::Margins(r) => r.to_json(),
            SweepReport::Shmoo(r) => r.to_json(),
            SweepReport::MonteCarlo(r) => r.to_json(),
        }
    }
}

/// Why a sweep stopped.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("{0}")]
    Plan(String),
    /// The evaluator failed; `cause` is in the message (not a `source`, so error
    /// chains do not print it twice).
    #[error("{item}: {cause}")]
    Evaluator {
        item: String,
        cause: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Journal {
        path: std::path::PathBuf,
        line: usize,
        message: String,
    },
    #[error("{0}")]
    Incomplete(String),
}

impl SweepPlan {
    /// Why the plan cannot run, if it cannot.
    pub fn check(&self) -> Result<(), SweepError> {
        match self {
            SweepPlan::Margins(m) => {
                if m.parameters.is_empty() {
                    return Err(SweepError::Plan("margin analysis of no parameters".into()));
                }
                m.search.check()
            }
            SweepPlan::Shmoo(s) => s.check(),
            SweepPlan::MonteCarlo(mc) => mc.check(),
        }
        .map_err(SweepError::Plan)
    }

    /// Number of work items.
    pub fn items(&self) -> usize {
        match self {
            SweepPlan::Margins(m) => 2 * m.parameters.len(),
            SweepPlan::Shmoo(s) => s.cells(),
            SweepPlan::MonteCarlo(mc) => mc.samples as usize,
        }
    }

    /// A name for item `i`, for messages.
    pub fn item_name(&self, i: usize) -> String {
        match self {
            SweepPlan::Margins(m) => format!(
                "margin of `{}`, {} side",
                m.parameters[i / 2].name,
                if i.is_multiple_of(2) { "low" } else { "high" }
            ),
            SweepPlan::Shmoo(s) => {
                let a = s.cell(i);
                format!("shmoo cell {}={}, {}={}", a[0].0, a[0].1, a[1].0, a[1].1)
            }
            SweepPlan::MonteCarlo(_) => format!("Monte Carlo sample {i}"),
        }
    }

    /// `margins`, `shmoo` or `yield` (the `--sweep` value).
    pub fn what(&self) -> &'static str {
        match self {
            SweepPlan::Margins(_) => "margins",
            SweepPlan::Shmoo(_) => "shmoo",
            SweepPlan::MonteCarlo(_) => "yield",
        }
    }

    /// Computes item `i`.
    pub fn run_item<E: Evaluator>(&self, i: usize, eval: &E) -> Result<ItemResult, SweepError> {
        let wrap = |e: E::Error| SweepError::Evaluator {
            item: self.item_name(i),
            cause: Box::new(e),
        };
        match self {
            SweepPlan::Margins(m) => {
                let dir = if i.is_multiple_of(2) {
                    Direction::Low
                } else {
                    Direction::High
                };
                search_bound(eval, &m.parameters[i / 2].name, dir, &m.search)
                    .map(ItemResult::Bound)
                    .map_err(wrap)
            }
            SweepPlan::Shmoo(s) => eval.passes(&s.cell(i)).map(ItemResult::Pass).map_err(wrap),
            SweepPlan::MonteCarlo(mc) => eval
                .passes(&mc.sample(i as u64))
                .map(ItemResult::Pass)
                .map_err(wrap),
        }
    }

    /// Builds the report from all item results, in item order.
    pub fn report(&self, results: &[ItemResult]) -> Result<SweepReport, SweepError> {
        let kind_err = || SweepError::Incomplete("item results do not fit the sweep".into());
        if results.len() != self.items() {
            return Err(kind_err());
        }
        let passes = || -> Result<Vec<bool>, SweepError> {
            results
                .iter()
                .map(|r| match r {
                    ItemResult::Pass(p) => Ok(*p),
                    ItemResult::Bound(_) => Err(kind_err()),
                })
                .collect()
        };
        Ok(match self {
            SweepPlan::Margins(m) => {
                let bounds = results
                    .chunks(2)
                    .map(|pair| match pair {
                        [ItemResult::Bound(lo), ItemResult::Bound(hi)] => Ok((*lo, *hi)),
                        _ => Err(kind_err()),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                SweepReport::Margins(MarginReport::new(m.search, m.parameters.clone(), bounds))
            }
            SweepPlan::Shmoo(s) => SweepReport::Shmoo(ShmooReport {
                plan: s.clone(),
                pass: passes()?,
            }),
            SweepPlan::MonteCarlo(mc) => SweepReport::MonteCarlo(YieldReport::new(mc, &passes()?)),
        })
    }
}

/// Runs the whole sweep in memory, in parallel over the machine's cores.
pub fn run<E: Evaluator>(
    plan: &SweepPlan,
    eval: &E,
    progress: Progress,
) -> Result<SweepReport, SweepError> {
    plan.check()?;
    let bar = progress.bar(plan.items() as u64, 0, plan.what());
    let chunk = plan.batch_size();
    let results = if chunk > 1 {
        let starts: Vec<usize> = (0..plan.items()).step_by(chunk).collect();
        let chunks = starts
            .into_par_iter()
            .map(|start| {
                let items: Vec<usize> = (start..(start + chunk).min(plan.items())).collect();
                let r = plan.run_items(&items, eval);
                bar.inc(items.len() as u64);
                r
            })
            .collect::<Result<Vec<_>, _>>()?;
        chunks.into_iter().flatten().collect()
    } else {
        (0..plan.items())
            .into_par_iter()
            .map(|i| {
                let r = plan.run_item(i, eval);
                bar.inc(1);
                r
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    bar.finish_and_clear();
    plan.report(&results)
}

/// Monte Carlo samples judged together (one [`Evaluator::passes_many`] call).
pub const YIELD_BATCH: usize = 8;

impl SweepPlan {
    /// How many consecutive items [`run`] judges together: a shmoo row (the x axis
    /// varies fastest, so with x a bias the row's points share the system matrix), a
    /// chunk of Monte Carlo samples; margins searches are sequential (1).
    pub fn batch_size(&self) -> usize {
        match self {
            SweepPlan::Margins(_) => 1,
            SweepPlan::Shmoo(s) => s.x.values.len().max(1),
            SweepPlan::MonteCarlo(_) => YIELD_BATCH,
        }
    }

    /// Computes shmoo cells or Monte Carlo samples `items` together (their points
    /// judged by one [`Evaluator::passes_many`] call); the same results as
    /// [`SweepPlan::run_item`] on each.
    pub fn run_items<E: Evaluator>(
        &self,
        items: &[usize],
        eval: &E,
    ) -> Result<Vec<ItemResult>, SweepError> {
        let points: Vec<Vec<(String, f64)>> = match self {
            SweepPlan::Margins(_) => {
                return items.iter().map(|&i| self.run_item(i, eval)).collect()
            }
            SweepPlan::Shmoo(s) => items.iter().map(|&i| s.cell(i)).collect(),
            SweepPlan::MonteCarlo(mc) => items.iter().map(|&i| mc.sample(i as u64)).collect(),
        };
        let verdicts = eval
            .passes_many(&points)
            .map_err(|e| SweepError::Evaluator {
                item: match items {
                    [one] => self.item_name(*one),
                    [first, .., last] => {
                        format!("{} to {}", self.item_name(*first), self.item_name(*last))
                    }
                    [] => String::new(),
                },
                cause: Box::new(e),
            })?;
        Ok(verdicts.into_iter().map(ItemResult::Pass).collect())
    }
}

/// The yield of the finished samples of a Monte Carlo plan (`results` by item).
fn partial_yield(
    plan: &MonteCarloPlan,
    results: &std::collections::BTreeMap<usize, ItemResult>,
) -> Result<YieldReport, SweepError> {
    let mut samples = Vec::with_capacity(results.len());
    for (&i, r) in results {
        match r {
            ItemResult::Pass(p) => samples.push((i, *p)),
            ItemResult::Bound(_) => {
                return Err(SweepError::Incomplete(
                    "item results do not fit the sweep".into(),
                ))
            }
        }
    }
    let passes: Vec<bool> = samples.iter().map(|s| s.1).collect();
    let mut report = YieldReport::new(plan, &passes);
    report.failing_samples = samples
        .iter()
        .filter(|s| !s.1)
        .map(|s| s.0 as u32)
        .collect();
    Ok(report)
}
