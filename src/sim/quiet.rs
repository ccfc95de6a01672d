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
use super::parts::Parts;
use super::probes::Probe;
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
/// A decay at least this fast per block (twice in a row) is extrapolated even when
/// its ratio jitters upwards: the sampled peaks of several ringing modes.
pub const FAST_RATIO: f64 = 0.5;

/// The block over which motion is compared, in seconds: one to two plasma periods of
/// a biased ColdFlux junction (≈ 3 ps), so that a block's largest step samples the
/// oscillation's peak (round 11 had 10 ps).
const BLOCK_S: f64 = 5e-12;

/// Watches a run's node phases after the last source change, part by part
/// ([`Parts`]): a part whose sources are constant for good rests on its own, and the
/// run is at rest once every part is.
#[derive(Debug, Clone)]
pub struct Rest {
    /// The run's last step.
    until: i64,
    /// Node unknowns (`x[..nodes]`).
    nodes: usize,
    block: u32,
    /// The solution of the step before (node unknowns), from the first watched step.
    prev: Vec<f64>,
    parts: Parts,
    watch: Vec<PartWatch>,
    /// The first step any part is watched at.
    first: i64,
    /// Per part: at rest for good.
    resting: Vec<bool>,
    /// The part of each probe (it holds its value once the part rests); `None`
    /// for a probe reading no unknown.
    probe_parts: Vec<Option<u32>>,
    /// Probes held already.
    held: Vec<bool>,
    /// Whether a part came to rest at the last step taken in.
    news: bool,
}

/// One part's motion over blocks of steps.
#[derive(Debug, Clone)]
struct PartWatch {
    /// The first step at which every source of the part is constant for good
    /// (`i64::MAX`: never).
    from: i64,
    /// The part's node unknowns; `None`: all of `x[..nodes]` (a single part).
    nodes: Option<Vec<u32>>,
    in_block: u32,
    block_max: f64,
    /// The largest step of the last block and of the one before it.
    last_block: Option<f64>,
    block_before: Option<f64>,
}

impl Rest {
    /// `None` when the run may not end at rest (noise, transmission lines, voltage
    /// mode, or a source that never stops changing in every part).
    /// `until` is the run's last step; `probes` the run's probes.
    pub fn new(s: &System, probes: &[Probe], until: i64) -> Option<Rest> {
        if s.mode != Mode::Phase
            || !s.tlines.is_empty()
            || s.junctions.iter().any(|j| j.noise.is_some())
            || s.resistors.iter().any(|r| r.noise.is_some())
        {
            return None;
        }
        // a probe reading two parts joins them: it holds only when both rest, and
        // until then each run of a family sees it as its own run does
        let read: Vec<Vec<usize>> = probes.iter().map(|p| p.unknowns(s)).collect();
        let parts = Parts::joining(s, &read);
        let mut after = vec![f64::NEG_INFINITY; parts.count];
        let mut note = |part: Option<u32>, t: f64| {
            if let Some(p) = part {
                let a = &mut after[p as usize];
                // NaN (never constant) sticks
                *a = if t.is_nan() || a.is_nan() {
                    f64::NAN
                } else {
                    a.max(t)
                };
            }
        };
        for c in &s.isources {
            note(parts.of_pair(c.pair), c.source.constant_after());
        }
        for v in &s.vsources {
            note(Some(parts.of_unknown[v.var]), v.source.constant_after());
        }
        for p in &s.psources {
            note(Some(parts.of_unknown[p.var]), p.source.constant_after());
        }
        let from_step = |a: f64| {
            if a.is_nan() || a == f64::INFINITY {
                i64::MAX
            } else if a <= 0.0 {
                0
            } else {
                (a / s.h).ceil() as i64 + 1
            }
        };
        if after.iter().all(|&a| from_step(a) == i64::MAX) && parts.count > 0 {
            return None;
        }
        let nodes = s.nodes.min(s.n);
        let watch = if parts.count <= 1 {
            vec![PartWatch::new(
                from_step(after.first().copied().unwrap_or(f64::NEG_INFINITY)),
                None,
            )]
        } else {
            let mut lists = vec![Vec::new(); parts.count];
            for u in 0..nodes {
                lists[parts.of_unknown[u] as usize].push(u as u32);
            }
            lists
                .into_iter()
                .zip(&after)
                .map(|(list, &a)| PartWatch::new(from_step(a), Some(list)))
                .collect()
        };
        let probe_parts = read
            .iter()
            .map(|u| u.first().map(|&u| parts.of_unknown[u]))
            .collect();
        let first = watch.iter().map(|w| w.from).min().unwrap_or(i64::MAX);
        Some(Rest {
            first,
            until,
            nodes,
            block: ((BLOCK_S / s.h).ceil() as u32).max(8),
            prev: Vec::new(),
            resting: vec![false; watch.len()],
            watch,
            parts,
            held: vec![false; probes.len()],
            probe_parts,
            news: false,
        })
    }

    /// Takes in step `i`'s solution; true once every part is at rest for good.
    pub fn at_rest(&mut self, x: &[f64], i: i64) -> bool {
        self.news = false;
        if i < self.first {
            return false;
        }
        let x = &x[..self.nodes];
        if self.prev.len() != x.len() {
            self.prev.clear();
            self.prev.extend_from_slice(x);
            return false;
        }
        let (until, block) = (self.until, self.block);
        let mut all = true;
        for (k, w) in self.watch.iter_mut().enumerate() {
            if self.resting[k] {
                continue;
            }
            // a part's first watched step is only seen (as the whole run's was)
            if i > w.from {
                let moved = match &w.nodes {
                    None => largest_motion(x, &self.prev),
                    Some(list) => largest_motion_of(list, x, &self.prev),
                };
                if w.stepped(moved, i, until, block) {
                    self.resting[k] = true;
                    self.news = true;
                    continue;
                }
            }
            all = false;
        }
        self.prev.copy_from_slice(x);
        all
    }

    /// Whether a part came to rest at the last step taken in.
    pub fn news(&self) -> bool {
        self.news
    }

    /// The circuit's parts.
    pub fn parts(&self) -> &Parts {
        &self.parts
    }

    /// Per part, whether it is at rest for good.
    pub fn resting(&self) -> &[bool] {
        &self.resting
    }

    /// Probes whose parts have all come to rest since the last call: they hold the
    /// value of the step at which the last of them did.
    pub fn newly_held(&mut self) -> Vec<usize> {
        let mut out = Vec::new();
        for (k, part) in self.probe_parts.iter().enumerate() {
            if !self.held[k] && part.is_some_and(|p| self.resting[p as usize]) {
                self.held[k] = true;
                out.push(k);
            }
        }
        out
    }
}

impl PartWatch {
    fn new(from: i64, nodes: Option<Vec<u32>>) -> PartWatch {
        PartWatch {
            from,
            nodes,
            in_block: 0,
            block_max: 0.0,
            last_block: None,
            block_before: None,
        }
    }

    /// Takes in one step's largest motion; true when the part is at rest for good.
    fn stepped(&mut self, moved: f64, i: i64, until: i64, block: u32) -> bool {
        if moved > self.block_max || moved.is_nan() {
            self.block_max = moved;
        }
        self.in_block += 1;
        if self.in_block < block {
            return false;
        }
        let this = self.block_max;
        self.block_max = 0.0;
        self.in_block = 0;
        let rest = self.still(this, i, until) || self.ringing_down(this, block);
        self.block_before = self.last_block;
        self.last_block = Some(this);
        rest
    }

    /// Not growing, and small enough to move less than [`DRIFT_RAD`] in every
    /// remaining step.
    fn still(&self, this: f64, i: i64, until: i64) -> bool {
        let left = (until - i).max(0) as f64;
        self.last_block.is_some_and(|before| this <= before) && this * left <= DRIFT_RAD
    }

    /// Decaying geometrically over three blocks with a tail below [`DRIFT_RAD`].
    fn ringing_down(&self, this: f64, block: u32) -> bool {
        let (Some(b1), Some(b2)) = (self.last_block, self.block_before) else {
            return false;
        };
        if !(this < b1 && b1 < b2 && this < RINGING_RAD) {
            return false;
        }
        let (q_now, q_before) = (this / b1, b1 / b2);
        let q = q_now.max(q_before);
        // the decay must be fast; a decay slower than halving per block must also
        // not be slowing down
        if q > MAX_RATIO || (q > FAST_RATIO && q_now > 1.05 * q_before) {
            return false;
        }
        f64::from(block) * this * q / (1.0 - q) <= DRIFT_RAD
    }
}

/// [`largest_motion`] over the unknowns `list`.
fn largest_motion_of(list: &[u32], now: &[f64], before: &[f64]) -> f64 {
    let mut m = 0.0f64;
    for &u in list {
        let d = (now[u as usize] - before[u as usize]).abs();
        if d.is_nan() {
            return f64::NAN;
        }
        m = if d > m { d } else { m };
    }
    m
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
            first: from,
            until: 10_000_000,
            nodes,
            block,
            prev: Vec::new(),
            parts: Parts::default(),
            watch: vec![PartWatch::new(from, None)],
            resting: vec![false],
            probe_parts: Vec::new(),
            held: Vec::new(),
            news: false,
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
