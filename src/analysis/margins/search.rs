//! One side of one parameter's margin: coarse scan away from nominal until the
//! first failure, then bisection between the last pass and that failure.

use serde::{Deserialize, Serialize};

use crate::analysis::evaluator::Evaluator;

/// Finest bisection resolution accepted (a multiplier of nominal): finer than any
/// fabrication tolerance, and far above the spacing of doubles near 1.
pub const MIN_RESOLUTION: f64 = 1e-6;

/// Search settings (multipliers of the nominal value).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MarginSearch {
    /// Step of the coarse scan (0.05 = 5 % of nominal).
    pub coarse_step: f64,
    /// Bisection stops when pass and fail are this close (0.005 = 0.5 %).
    pub resolution: f64,
    /// Lowest multiplier tried.
    pub lowest: f64,
    /// Highest multiplier tried.
    pub highest: f64,
}

impl Default for MarginSearch {
    fn default() -> Self {
        MarginSearch {
            coarse_step: 0.05,
            resolution: 0.005,
            lowest: 0.05,
            highest: 3.0,
        }
    }
}

impl MarginSearch {
    /// Why these settings cannot work, if they cannot.
    pub fn check(&self) -> Result<(), String> {
        let ok = |x: f64| x.is_finite() && x > 0.0;
        if !ok(self.coarse_step) || !ok(self.resolution) {
            return Err("margin search: coarse_step and resolution must be > 0".into());
        }
        if self.resolution < MIN_RESOLUTION {
            return Err(format!(
                "margin search: resolution must be at least {MIN_RESOLUTION:e} (got {:e})",
                self.resolution
            ));
        }
        if self.resolution > self.coarse_step {
            return Err("margin search: resolution must not exceed coarse_step".into());
        }
        if !(self.lowest >= 0.0
            && self.lowest < 1.0
            && self.highest > 1.0
            && self.highest.is_finite())
        {
            return Err(format!(
                "margin search: need 0 <= lowest < 1 < highest (got {} and {})",
                self.lowest, self.highest
            ));
        }
        Ok(())
    }
}

/// Which way from nominal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Low,
    High,
}

/// How a search ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoundStatus {
    /// A failure was found; the bound is the last passing multiplier.
    Found,
    /// Still passing at `lowest` / `highest`: the margin is at least this wide.
    Unbounded,
    /// The circuit fails at nominal: no margin.
    FailsAtNominal,
}

/// The result of one (parameter, direction) search.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MarginBound {
    /// Last passing multiplier (1.0 when failing at nominal).
    pub bound: f64,
    pub status: BoundStatus,
    /// Simulations run.
    pub evaluations: u32,
}

/// Judges `x`, and `next` too unless `x` is known to fail before `next` starts:
/// `next` is offered to an idle worker (`rayon::join`) and otherwise judged after
/// `x` on this thread, only if `x` passed. `None` for `next`: not judged.
#[allow(clippy::type_complexity)]
fn judge_with_next<R: Send>(
    x: f64,
    next: Option<f64>,
    judge: &(dyn Fn(f64) -> Result<bool, R> + Sync),
) -> (Result<bool, R>, Option<Result<bool, R>>) {
    let Some(y) = next else {
        return (judge(x), None);
    };
    // 0: x not judged yet, 1: x passed, 2: x failed (or could not be judged)
    let state = std::sync::atomic::AtomicU8::new(0);
    rayon::join(
        || {
            let r = judge(x);
            let failed = !matches!(r, Ok(true));
            state.store(1 + u8::from(failed), std::sync::atomic::Ordering::Release);
            r
        },
        || match state.load(std::sync::atomic::Ordering::Acquire) {
            2 => None,
            _ => Some(judge(y)),
        },
    )
}

/// Finds how far `name` can move in `direction` with `eval` still passing.
pub fn search_bound<E: Evaluator>(
    eval: &E,
    name: &str,
    direction: Direction,
    search: &MarginSearch,
) -> Result<MarginBound, E::Error> {
    let count = std::cell::Cell::new(0u32);
    let judge = |x: f64| eval.passes(&[(name.to_string(), x)]);
    let passes = |x: f64| {
        count.set(count.get() + 1);
        judge(x)
    };
    if !passes(1.0)? {
        return Ok(MarginBound {
            bound: 1.0,
            status: BoundStatus::FailsAtNominal,
            evaluations: 1,
        });
    }
    let (sign, limit) = match direction {
        Direction::Low => (-1.0, search.lowest),
        Direction::High => (1.0, search.highest),
    };
    let beyond = |x: f64| sign * (x - limit) >= 0.0;
    let coarse = |k: u32| {
        let x = 1.0 + sign * f64::from(k) * search.coarse_step;
        if beyond(x) {
            limit
        } else {
            x
        }
    };
    let mut pass = 1.0;
    let mut fail = None;
    // The coarse points are judged in order; a worker left idle (at the end of a
    // sweep) judges the next one meanwhile, which is kept only if this one passes:
    // the points judged, and so the result, are those of one after the other.
    let mut k = 1;
    'scan: loop {
        let x = coarse(k);
        let next = (x != limit).then(|| coarse(k + 1));
        let (this, ahead) = judge_with_next(x, next, &judge);
        count.set(count.get() + 1);
        let mut verdicts = [(x, this?), (0.0, false)];
        let mut judged = 1;
        if verdicts[0].1 {
            if let (Some(y), Some(r)) = (next, ahead) {
                count.set(count.get() + 1);
                verdicts[1] = (y, r?);
                judged = 2;
            }
        }
        for &(x, ok) in &verdicts[..judged] {
            if ok {
                pass = x;
                if x == limit {
                    break 'scan;
                }
            } else {
                fail = Some(x);
                break 'scan;
            }
        }
        k += judged as u32;
    }
    let Some(mut fail) = fail else {
        return Ok(MarginBound {
            bound: pass,
            status: BoundStatus::Unbounded,
            evaluations: count.get(),
        });
    };
    // The resolution is floored: bisection also stops once the interval no longer
    // shrinks in floating point (or is below 1e-9 of the bound), whatever was asked.
    let floor = search.resolution.max(1e-9 * pass.abs().max(fail.abs()));
    while (fail - pass).abs() > floor {
        let mid = 0.5 * (pass + fail);
        if mid == pass || mid == fail {
            break;
        }
        if passes(mid)? {
            pass = mid;
        } else {
            fail = mid;
        }
    }
    Ok(MarginBound {
        bound: pass,
        status: BoundStatus::Found,
        evaluations: count.get(),
    })
}
