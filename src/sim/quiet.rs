//! Ending a watched run once the circuit is at rest for good.
//!
//! A sweep point is judged on its output pulses only (a run with a stop hook, see
//! [`super::Stop`]). Once every source holds its value for the rest of the run (DC, a
//! PWL past its last point, a single pulse past its end), nothing drives the circuit
//! any more: it rings down through its shunts to a stationary state, and a junction at
//! rest does not slip. [`Rest`] declares the run at rest when, over a block of steps
//! after the last source change, no node phase moved more than [`REST_RAD`] in one
//! step, and that block moved no more than the block before it (the motion is not
//! growing, so no unstable mode is starting). Even if the motion stayed at that level
//! for every step the run may still take (at most [`super::max_steps`], 10⁷ by
//! default), a phase would drift by 10⁻⁹ × 10⁷ = 0.01 rad, far from the π a pulse
//! needs: the rest of the run holds no pulse, and the run ends there.
//!
//! Not applied (the run goes on as before): with thermal or source noise (never
//! constant), with transmission lines (a pulse can travel inside a line while every
//! node is at rest) and in voltage mode (the unknowns are voltages, not phases).
//!
//! The floating-point solution does not become stationary bit for bit: it settles
//! into last-bit wobble (~10⁻¹⁵ rad per step, measured on the JTL chain), so a
//! bit-exact criterion would never fire.

use super::build::System;
use super::Mode;

/// The largest per-step phase motion of any node at rest, in radians.
pub const REST_RAD: f64 = 1e-9;

/// The block over which motion is compared, in seconds (several plasma periods).
const BLOCK_S: f64 = 10e-12;

/// Watches a run's node phases after its last source change.
#[derive(Debug, Clone)]
pub struct Rest {
    /// The first step at which every source is constant for good.
    from: i64,
    nodes: usize,
    block: u32,
    prev: Vec<f64>,
    in_block: u32,
    block_max: f64,
    last_block: Option<f64>,
}

impl Rest {
    /// `None` when the run may not end at rest (noise, transmission lines, voltage
    /// mode, or a source that never stops changing).
    pub fn new(s: &System) -> Option<Rest> {
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
            nodes: s.nodes.min(s.n),
            block: ((BLOCK_S / s.h).ceil() as u32).max(8),
            prev: Vec::new(),
            in_block: 0,
            block_max: 0.0,
            last_block: None,
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
        let rest = this < REST_RAD && self.last_block.is_some_and(|before| this <= before);
        self.last_block = Some(this);
        rest
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
            nodes,
            block,
            prev: Vec::new(),
            in_block: 0,
            block_max: 0.0,
            last_block: None,
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
}
