//! Ending a watched run once the circuit is at rest for good.
//!
//! A sweep point is judged on its output pulses only (a run with a stop hook, see
//! [`super::Stop`]). Once every source holds its value for the rest of the run (DC, a
//! PWL past its last point, a single pulse past its end), nothing drives the circuit
//! any more: it rings down through its shunts to a stationary state, and a junction at
//! rest does not slip. [`Rest`] watches the largest per-step motion of any node phase
//! over blocks of steps after the last source change, and declares the run at rest
//! when what the phases can still move before the run ends is bounded by
//! [`DRIFT_RAD`] (0.01 rad, far from the π a pulse needs), in one of two ways:
//!
//! - **still**: the block moved no more than the one before it (the motion is not
//!   growing) and, even if every remaining step of the run moved as much as the
//!   block's largest step, the phases would drift by at most [`DRIFT_RAD`];
//! - **ringing down**: three blocks in a row each moved less than the one before, by
//!   a ratio q ≤ [`MAX_RATIO`] that is not growing (by more than 5 %, the jitter
//!   of sampled peaks), the block's largest step is below [`RINGING_RAD`] (the
//!   small-signal regime, where a shunted circuit's motion decays geometrically),
//!   and the geometric tail, block × largest step × q / (1 − q), is at most
//!   [`DRIFT_RAD`].
//!
//! A motion that slows down on its way to a switch (a junction approaching its
//! critical current) has a growing or near-1 ratio and never passes the second
//! test; a motion that grows fails both.
//!
//! Not applied (the run goes on as before): with thermal or source noise (never
//! constant), with transmission lines (a pulse can travel inside a line while every
//! node is at rest) and in voltage mode (the unknowns are voltages, not phases).
//!
//! The floating-point solution does not become stationary bit for bit: it settles
//! into last-bit wobble (~10⁻¹⁵ rad per step, measured on the JTL chain), so a
//! bit-exact criterion would never fire; the first test covers it.

use super::build::System;
use super::Mode;

/// The most any node phase may still move, in radians, after a run is declared at rest.
pub const DRIFT_RAD: f64 = 0.01;
/// The largest per-step motion, in radians, from which a geometric ring-down is
/// extrapolated: at 0.1 ps steps and a plasma frequency near 0.4 THz an
/// oscillation of about 4·10⁻³ rad, deep in the small-signal regime (round 11 had
/// 10⁻⁴; every margin, shmoo and yield of the examples is the same with either).
pub const RINGING_RAD: f64 = 1e-3;
/// The slowest decay per block that is extrapolated.
pub const MAX_RATIO: f64 = 0.8;

/// The block over which motion is compared, in seconds: one to two plasma periods of
/// a biased ColdFlux junction (≈ 3 ps), so that a block's largest step samples the
/// oscillation's peak (round 11 had 10 ps).
const BLOCK_S: f64 = 5e-12;

/// Watches a run's node phases after its last source change.
#[derive(Debug, Clone)]
pub struct Rest {
    /// The first step at which every source is constant for good.
    from: i64,
    /// The run's last step.
    until: i64,
    nodes: usize,
    block: u32,
    prev: Vec<f64>,
    in_block: u32,
    block_max: f64,
    /// The largest step of the last block and of the one before it.
    last_block: Option<f64>,
    block_before: Option<f64>,
}

impl Rest {
    /// `None` when the run may not end at rest (noise, transmission lines, voltage
    /// mode, or a source that never stops changing).
    /// `until` is the run's last step.
    pub fn new(s: &System, until: i64) -> Option<Rest> {
        if s.mode != Mode::Phase
            || !s.tlines.is_empty()
            || s.junctions.iter().any(|j| j.noise.is_some())
            || s.resistors.iter().any(|r| r.noise.is_some())
        {
            return None;
        }
        let after = s
            .isources
            .iter()
            .map(|c| c.source.constant_after())
            .chain(s.vsources.iter().map(|v| v.source.constant_after()))
            .chain(s.psources.iter().map(|p| p.source.constant_after()))
            .fold(f64::NEG_INFINITY, f64::max);
        if after.is_nan() || after == f64::INFINITY {
            return None;
        }
        let from = if after <= 0.0 {
            0
        } else {
            (after / s.h).ceil() as i64 + 1
        };
        Some(Rest {
            from,
            until,
            nodes: s.nodes.min(s.n),
            block: ((BLOCK_S / s.h).ceil() as u32).max(8),
            prev: Vec::new(),
            in_block: 0,
            block_max: 0.0,
            last_block: None,
            block_before: None,
        })
    }

    /// Takes in step `i`'s solution; true once the circuit is at rest for good.
    pub fn at_rest(&mut self, x: &[f64], i: i64) -> bool {
        if i < self.from {
            return false;
        }
        let x = &x[..self.nodes];
        if self.prev.len() != x.len() {
            self.prev.clear();
            self.prev.extend_from_slice(x);
            return false;
        }
        let moved = largest_motion(x, &self.prev);
        self.prev.copy_from_slice(x);
        if moved > self.block_max || moved.is_nan() {
            self.block_max = moved;
        }
        self.in_block += 1;
        if self.in_block < self.block {
            return false;
        }
        let this = self.block_max;
        self.block_max = 0.0;
        self.in_block = 0;
        let rest = self.still(this, i) || self.ringing_down(this);
        self.block_before = self.last_block;
        self.last_block = Some(this);
        rest
    }

    /// Not growing, and small enough to move less than [`DRIFT_RAD`] in every
    /// remaining step.
    fn still(&self, this: f64, i: i64) -> bool {
        let left = (self.until - i).max(0) as f64;
        self.last_block.is_some_and(|before| this <= before) && this * left <= DRIFT_RAD
    }

    /// Decaying geometrically over three blocks with a tail below [`DRIFT_RAD`].
    fn ringing_down(&self, this: f64) -> bool {
        let (Some(b1), Some(b2)) = (self.last_block, self.block_before) else {
            return false;
        };
        if !(this < b1 && b1 < b2 && this < RINGING_RAD) {
            return false;
        }
        let (q_now, q_before) = (this / b1, b1 / b2);
        // the decay must be fast and must not be slowing down
        if q_now > MAX_RATIO || q_before > MAX_RATIO || q_now > 1.05 * q_before {
            return false;
        }
        let q = q_now.max(q_before);
        f64::from(self.block) * this * q / (1.0 - q) <= DRIFT_RAD
    }
}

/// The largest `|now - before|`, or NaN if any difference is NaN (never at rest);
/// four independent lanes so that it vectorises.
fn largest_motion(now: &[f64], before: &[f64]) -> f64 {
    let mut lanes = [0.0f64; 4];
    let mut nan = false;
    let (a4, b4) = (now.chunks_exact(4), before.chunks_exact(4));
    let (ar, br) = (a4.remainder(), b4.remainder());
    for (a, b) in a4.zip(b4) {
        for k in 0..4 {
            let d = (a[k] - b[k]).abs();
            nan |= d.is_nan();
            lanes[k] = if d > lanes[k] { d } else { lanes[k] };
        }
    }
    for (a, b) in ar.iter().zip(br) {
        let d = (a - b).abs();
        nan |= d.is_nan();
        lanes[0] = if d > lanes[0] { d } else { lanes[0] };
    }
    if nan {
        f64::NAN
    } else {
        lanes[0].max(lanes[1]).max(lanes[2].max(lanes[3]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rest(from: i64, nodes: usize, block: u32) -> Rest {
        Rest {
            from,
            until: 10_000_000,
            nodes,
            block,
            prev: Vec::new(),
            in_block: 0,
            block_max: 0.0,
            last_block: None,
            block_before: None,
        }
    }

    #[test]
    fn largest_motion_sees_every_element_and_nan() {
        let before = [0.0; 7];
        for k in 0..7 {
            let mut now = [0.0; 7];
            now[k] = -3e-9;
            assert_eq!(largest_motion(&now, &before), 3e-9, "element {k}");
            now[k] = f64::NAN;
            assert!(largest_motion(&now, &before).is_nan(), "element {k}");
        }
    }

    #[test]
    fn a_decaying_motion_is_at_rest_after_two_quiet_blocks() {
        let mut r = rest(0, 1, 4);
        let mut phase = 1.0;
        let mut step = 1e-10;
        let mut at = None;
        for i in 0..40 {
            phase += step;
            step *= 0.9;
            if r.at_rest(&[phase], i) {
                at = Some(i);
                break;
            }
        }
        // step 0 is the first solution seen; block 1 (steps 1–4) sets the
        // reference, block 2 (steps 5–8) is quieter
        assert_eq!(at, Some(8));
    }

    #[test]
    fn growing_or_large_motion_and_steps_before_the_last_source_change_are_not_rest() {
        let mut r = rest(0, 1, 4);
        let mut phase = 0.0;
        let mut step = 1e-12;
        for i in 0..40 {
            phase += step;
            step *= 1.5;
            assert!(!r.at_rest(&[phase], i), "growing from 1e-12 per step");
        }
        let mut r = rest(0, 1, 4);
        for i in 0..40 {
            assert!(!r.at_rest(&[i as f64 * 1e-8], i), "moving 1e-8 per step");
        }
        let mut r = rest(100, 1, 4);
        for i in 0..100 {
            assert!(!r.at_rest(&[1.0], i), "before the last source change");
        }
        let mut r = rest(0, 1, 4);
        for i in 0..40 {
            assert!(!r.at_rest(&[f64::NAN], i));
        }
    }

    /// Steps until `r` declares rest for a motion starting at `step` per step and
    /// shrinking by `ratio` each step.
    fn rest_after(mut r: Rest, mut step: f64, ratio: f64, steps: i64) -> Option<i64> {
        let mut phase = 0.5;
        for i in 0..steps {
            phase += step;
            step *= ratio;
            if r.at_rest(&[phase], i) {
                return Some(i);
            }
        }
        None
    }

    #[test]
    fn a_fast_ring_down_is_at_rest_long_before_it_is_still() {
        // 5e-5 rad per step, shrinking tenfold every ten steps (blocks of 10)
        let ratio = 0.1f64.powf(0.1);
        let at = rest_after(rest(0, 1, 10), 5e-5, ratio, 1000).expect("at rest");
        // blocks 1-3 set the ratios (q = 0.1); block 3's largest step is 5e-7 and
        // its tail 10 × 5e-7 × 0.1 / 0.9 = 5.6e-7 rad: at rest at its end
        assert_eq!(at, 30);
        // the still test alone (1e7 steps left) would wait for ~1e-9 per step
        assert!(5e-5 * ratio.powi(30) * 1e7 > DRIFT_RAD);
    }

    #[test]
    fn a_slow_decay_and_a_large_ringing_are_not_extrapolated() {
        // q = 0.99 per step, 0.90 per block of 10: too slow to extrapolate; the
        // still test needs steps × motion ≤ 0.01 over 1e7 steps, so not at rest
        // while the motion is above 1e-9 (≈ 900 steps)
        let at = rest_after(rest(0, 1, 10), 1e-5, 0.99, 3000).expect("at rest at last");
        assert!(at > 800, "rest at step {at}");
        // fast decay but above RINGING_RAD: not extrapolated until below it
        let at = rest_after(rest(0, 1, 10), 1e-1, 0.5, 3000).expect("at rest at last");
        assert!(
            0.1 * 0.5f64.powi(at as i32 - 10) < RINGING_RAD,
            "rest at step {at}"
        );
    }

    #[test]
    fn few_steps_left_let_a_still_run_end_sooner() {
        let mut r = rest(0, 1, 10);
        r.until = 1000;
        // 1e-6 per step, not decaying: 1e-6 × ~980 steps left < 0.01
        let at = rest_after(r, 1e-6, 1.0, 100).expect("at rest");
        assert_eq!(at, 20);
    }
}
