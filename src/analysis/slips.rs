//! 2π phase slips: each one is an SFQ pulse through the junction (or node).
//!
//! The definition is the one of the JoSIM reference comparison (`compare.py`):
//! the phase is measured from its value at the first time point; the slip
//! counter `k` goes up when the phase passes `(2k+1)π + h/2` and down when it
//! falls below `(2k−1)π − h/2`, with hysteresis `h = 0.1·2π` by default.

use std::f64::consts::PI;

/// One 2π slip: when it happened and which way.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PhaseSlip {
    /// Time of the slip (s).
    pub time: f64,
    /// +1 for a phase advance of 2π (an SFQ pulse), −1 for a retreat.
    pub sign: i8,
}

/// How slips are detected.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlipOptions {
    /// Hysteresis as a fraction of 2π (default 0.1, as in `compare.py`).
    pub hysteresis: f64,
    /// `false`: the slip time is the first sample past the threshold (as
    /// `compare.py`); `true`: linear interpolation between that sample and the
    /// one before gives the sub-sample crossing time.
    pub interpolate: bool,
}

impl Default for SlipOptions {
    fn default() -> Self {
        SlipOptions {
            hysteresis: 0.1,
            interpolate: false,
        }
    }
}

/// The 2π slips of a phase trace sampled at `time` (same length; extra samples
/// of the longer one are ignored). An empty trace has no slips.
pub fn detect_slips(time: &[f64], phase: &[f64], options: &SlipOptions) -> Vec<PhaseSlip> {
    let n = time.len().min(phase.len());
    let mut slips = Vec::new();
    if n == 0 {
        return slips;
    }
    let base = phase[0];
    let half_h = options.hysteresis * PI; // h/2 = 0.5 · fraction · 2π
    let mut k: i64 = 0;
    for i in 0..n {
        let d = phase[i] - base;
        loop {
            let up = (2 * k + 1) as f64 * PI + half_h;
            let down = (2 * k - 1) as f64 * PI - half_h;
            if d > up {
                k += 1;
                slips.push(PhaseSlip {
                    time: crossing_time(time, phase, base, i, up, options.interpolate),
                    sign: 1,
                });
            } else if d < down {
                k -= 1;
                slips.push(PhaseSlip {
                    time: crossing_time(time, phase, base, i, down, options.interpolate),
                    sign: -1,
                });
            } else {
                break;
            }
        }
    }
    slips
}

/// The time at which the relative phase crosses `level` between samples i−1 and i.
fn crossing_time(
    time: &[f64],
    phase: &[f64],
    base: f64,
    i: usize,
    level: f64,
    interpolate: bool,
) -> f64 {
    if !interpolate || i == 0 {
        return time[i];
    }
    let (d0, d1) = (phase[i - 1] - base, phase[i] - base);
    let (t0, t1) = (time[i - 1], time[i]);
    // The previous sample may already lie past `level` when one step jumps
    // several thresholds; then the crossing is clamped to the step's start.
    if d1 == d0 {
        return t1;
    }
    let w = ((level - d0) / (d1 - d0)).clamp(0.0, 1.0);
    t0 + w * (t1 - t0)
}

/// Number of +2π slips minus number of −2π slips.
pub fn net_slips(slips: &[PhaseSlip]) -> i64 {
    slips.iter().map(|s| i64::from(s.sign)).sum()
}
