//! Early exit for sweep points: a simulation stops as soon as its check's outcome
//! is decided — every window it is judged in has closed (or the timing bound has
//! passed), or an output has more pulses in a truth-table window than expected.
//!
//! Sound because pulse detection is causal: [`detect_slips`] finds a pulse at time
//! t from the phase up to t only, so the pulses of a run cut at time T are exactly
//! the full run's pulses before T. The watch below runs the same detector on the
//! rows as they are printed.
//!
//! [`detect_slips`]: crate::analysis::detect_slips

use std::f64::consts::PI;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::analysis::checks::{Check, Window};
use crate::analysis::SlipOptions;
use crate::sim::Stop;

/// One observed phase column and the windows its pulses are counted in.
#[derive(Debug, Clone)]
struct Watched {
    /// Index of the column among the circuit's probes.
    column: usize,
    /// (window, the most pulses that can still pass).
    windows: Vec<(Window, u32)>,
}

/// What one simulation is judged on, for stopping it early.
#[derive(Debug, Clone)]
pub struct Watch {
    watched: Vec<Watched>,
    /// No check reads anything after this time.
    horizon: f64,
}

impl Watch {
    /// Pattern `i` of a truth table; `column(output)` gives the probe index of an
    /// output's phase column. `None` when the pattern reads something this watch
    /// cannot follow (then the run goes to the end).
    pub fn truth_table(
        check: &Check,
        i: usize,
        column: &dyn Fn(&str) -> Option<usize>,
    ) -> Option<Watch> {
        let Check::TruthTable(t) = check else {
            return None;
        };
        let p = &t.patterns.value.get(i)?.value;
        let mut watched = Vec::new();
        let mut horizon = f64::NEG_INFINITY;
        for (output, expected) in p.expect.iter() {
            let windows: Vec<(Window, u32)> = match &expected.value {
                crate::analysis::checks::Expected::Count(n) => {
                    vec![(p.window_or(t.window.as_ref())?, *n)]
                }
                crate::analysis::checks::Expected::Windows(list) => {
                    list.iter().map(|c| (c.window, c.count)).collect()
                }
            };
            for (w, _) in &windows {
                horizon = horizon.max(w.end.0);
            }
            watched.push(Watched {
                column: column(output)?,
                windows,
            });
        }
        Some(Watch { watched, horizon })
    }

    /// A timing check: nothing after its `before` bound matters.
    pub fn timing(check: &Check) -> Option<Watch> {
        let Check::Timing(t) = check else {
            return None;
        };
        Some(Watch {
            watched: Vec::new(),
            horizon: t.before.value.0,
        })
    }

    /// The simulation's stop hook. Between slips a row only reads each column's
    /// base phase and slip level (atomics, no lock); the lock is taken when a level
    /// is crossed.
    pub fn hook(self) -> Arc<Stop> {
        let half_h = SlipOptions::default().hysteresis * PI;
        let levels: Vec<Level> = self.watched.iter().map(|_| Level::default()).collect();
        let counts: Mutex<Vec<Vec<u32>>> = Mutex::new(
            self.watched
                .iter()
                .map(|w| vec![0; w.windows.len()])
                .collect(),
        );
        Arc::new(move |t: f64, row: &[f64]| {
            if t >= self.horizon {
                return true;
            }
            for (c, (w, level)) in self.watched.iter().zip(&levels).enumerate() {
                let Some(&phase) = row.get(w.column) else {
                    continue;
                };
                let base = level.base(phase);
                let d = phase - base;
                let mut k = level.k.load(Ordering::Relaxed);
                // the same levels as detect_slips; only positive slips are pulses
                loop {
                    let up = (2 * k + 1) as f64 * PI + half_h;
                    let down = (2 * k - 1) as f64 * PI - half_h;
                    if d > up {
                        k += 1;
                        level.k.store(k, Ordering::Relaxed);
                        let Ok(mut counts) = counts.lock() else {
                            return false;
                        };
                        for (n, (win, most)) in counts[c].iter_mut().zip(&w.windows) {
                            if win.contains(t) {
                                *n += 1;
                                if *n > *most {
                                    return true;
                                }
                            }
                        }
                    } else if d < down {
                        k -= 1;
                        level.k.store(k, Ordering::Relaxed);
                    } else {
                        break;
                    }
                }
            }
            false
        })
    }
}

/// One watched column's phase at its first row and the slip level k reached.
struct Level {
    /// The first row's phase (its bits), `u64::MAX` before it.
    base: AtomicU64,
    k: AtomicI64,
}

impl Default for Level {
    fn default() -> Self {
        Level {
            base: AtomicU64::new(u64::MAX),
            k: AtomicI64::new(0),
        }
    }
}

impl Level {
    /// The base phase, set from `phase` at the first row.
    fn base(&self, phase: f64) -> f64 {
        let bits = self.base.load(Ordering::Relaxed);
        if bits != u64::MAX {
            return f64::from_bits(bits);
        }
        self.base.store(phase.to_bits(), Ordering::Relaxed);
        phase
    }
}
