//! The bit-accurate model of the macro: the same integer operations, in the same order,
//! as the RTL.
//!
//! One time step:
//! 1. the active word lines are this step's input spikes (rows `0..inputs`) and the
//!    previous step's reservoir spikes (rows `inputs..inputs+neurons`);
//! 2. row groups of `rows_per_cycle` word lines are read in order; for each group and
//!    column, the partial sum `Σ (level+ − level−)` over the group's active rows is
//!    digitized by a signed `adc_bits` ADC (saturating) and added to the column accumulator;
//! 3. each neuron: `v ← sat(leak(v)·(1 − s_prev) + (acc << frac_bits))`, `s ← v > θ`,
//!    where `leak(v) = trunc(v·L / 2^LF)` (rounded toward zero; a shift leak is
//!    `L = 2^shift − 1`, `LF = shift`) and `sat` clamps to the `membrane_bits` register;
//! 4. spike counters (saturating at `2^count_bits − 1`) add the new spikes.
//!
//! A sample ends with its `last` beat: membranes, spikes and counters are cleared.

use super::events::SpikeTrain;
use super::spec::{Leak, LsmDesign};
use super::weights::Weights;

/// The run of one sample.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Raster {
    /// `spikes[t][n]`: neuron `n` fired at step `t`.
    pub spikes: Vec<Vec<bool>>,
    /// `membrane[t][n]`: membrane after the update of step `t` (membrane units).
    pub membrane: Vec<Vec<i64>>,
    /// Active word lines at each step (input spikes plus previous reservoir spikes).
    pub active_rows: Vec<usize>,
    /// Spike count per neuron at the end of the sample.
    pub counts: Vec<u32>,
    /// ADC conversions (column reads of groups with at least one active word line).
    pub adc_conversions: u64,
    /// Conversions that saturated.
    pub adc_clips: u64,
    /// Synaptic events: active word line × column.
    pub synaptic_events: u64,
}

impl Raster {
    /// Membrane values after the last step.
    pub fn final_membrane(&self) -> &[i64] {
        self.membrane.last().map_or(&[], |v| v.as_slice())
    }
    /// Total spikes.
    pub fn total_spikes(&self) -> u64 {
        self.spikes
            .iter()
            .map(|s| s.iter().filter(|&&b| b).count() as u64)
            .sum()
    }
}

/// Reservoir state between steps.
///
/// The step does what the RTL does, with fewer operations: a row group whose active word
/// lines cannot push any column past the ADC's rails (at most `direct_rows` of them, each
/// code within `±Q`) is added straight into the `i32` column accumulators, since its
/// conversion cannot clip; only larger groups go through a partial sum and the ADC
/// clamp. The leak is a shift with a rounding bias (the truncating division of
/// [`leak`]). [`super::reference_model`] is the plain transcription it is checked against.
#[derive(Debug, Clone)]
pub struct Reservoir<'a> {
    design: &'a LsmDesign,
    weights: &'a Weights,
    pub v: Vec<i64>,
    pub s: Vec<bool>,
    pub counts: Vec<u32>,
    acc: Vec<i32>,
    partial: Vec<i32>,
    active: Vec<usize>,
    /// Active word lines a row group may have and still not clip (`min(rails)/Q`).
    direct_rows: usize,
}

impl<'a> Reservoir<'a> {
    pub fn new(design: &'a LsmDesign, weights: &'a Weights) -> Self {
        let n = design.neurons;
        let (amin, amax) = design.adc_limits();
        let q = design.q().max(1);
        Reservoir {
            design,
            weights,
            v: vec![0; n],
            s: vec![false; n],
            counts: vec![0; n],
            acc: vec![0; n],
            partial: vec![0; n],
            active: Vec::with_capacity(design.rows()),
            direct_rows: (amax.min(-amin) / q) as usize,
        }
    }

    /// Clears the state (the `last` beat of a sample).
    pub fn clear(&mut self) {
        self.v.fill(0);
        self.s.fill(false);
        self.counts.fill(0);
    }

    /// One time step with input spikes `x` (`inputs` long); returns the active row count.
    pub fn step(&mut self, x: &[bool], raster: &mut Raster) -> usize {
        let d = self.design;
        let n = d.neurons;
        let k = d.rows_per_cycle;
        self.active.clear();
        self.active
            .extend(x.iter().enumerate().filter(|(_, &b)| b).map(|(i, _)| i));
        self.active.extend(
            self.s
                .iter()
                .enumerate()
                .filter(|(_, &b)| b)
                .map(|(i, _)| d.inputs + i),
        );
        self.acc.fill(0);
        let (amin, amax) = d.adc_limits();
        let code = &self.weights.code;
        let mut i = 0;
        while i < self.active.len() {
            let group = self.active[i] / k;
            let mut end = i + 1;
            while end < self.active.len() && self.active[end] / k == group {
                end += 1;
            }
            let rows = &self.active[i..end];
            if rows.len() <= self.direct_rows {
                for &r in rows {
                    add_row(&mut self.acc, &code[r * n..(r + 1) * n]);
                }
            } else {
                self.partial.fill(0);
                for &r in rows {
                    add_row(&mut self.partial, &code[r * n..(r + 1) * n]);
                }
                let mut clips = 0u32;
                for (a, &p) in self.acc.iter_mut().zip(&self.partial) {
                    let q = p.clamp(amin, amax);
                    clips += u32::from(q != p);
                    *a += q;
                }
                raster.adc_clips += u64::from(clips);
            }
            raster.synaptic_events += (rows.len() * n) as u64;
            raster.adc_conversions += n as u64;
            i = end;
        }
        let (vmin, vmax) = d.membrane_limits();
        let theta = d.threshold_code();
        let cmax = (1u32 << d.count_bits()) - 1;
        let (leak_code, leak_frac) = d.leak.multiplier();
        let (leak_code, round) = (leak_code as i64, (1i64 << leak_frac) - 1);
        let f = d.frac_bits;
        for (((v, s), c), &a) in self
            .v
            .iter_mut()
            .zip(self.s.iter_mut())
            .zip(self.counts.iter_mut())
            .zip(&self.acc)
        {
            let p = *v * leak_code;
            // trunc(p / 2^LF): a negative product gets 2^LF − 1 added before the shift
            let leaked = (p + ((p >> 63) & round)) >> leak_frac;
            let kept = if *s { 0 } else { leaked };
            *v = (kept + ((a as i64) << f)).clamp(vmin, vmax);
            *s = *v > theta;
            *c += u32::from(*s && *c < cmax);
        }
        self.active.len()
    }
}

/// `acc[c] += row[c]` for every column.
#[inline]
fn add_row(acc: &mut [i32], row: &[i16]) {
    for (a, &w) in acc.iter_mut().zip(row) {
        *a += w as i32;
    }
}

/// The leak of one membrane value, `trunc(v·L / 2^LF)`: rounded toward zero (as in the
/// RTL), so a small membrane of either sign decays to 0 instead of sticking at −1 LSB.
pub fn leak(leak: Leak, v: i64) -> i64 {
    let (code, frac_bits) = leak.multiplier();
    (v * code as i64) / (1i64 << frac_bits)
}

/// Runs one sample from a cleared state; every step of `train` is one beat, the last
/// one carrying `last`.
pub fn run_sample(design: &LsmDesign, weights: &Weights, train: &SpikeTrain) -> Raster {
    let mut res = Reservoir::new(design, weights);
    let mut raster = Raster::default();
    for x in &train.steps {
        let active = res.step(x, &mut raster);
        raster.active_rows.push(active);
        raster.spikes.push(res.s.clone());
        raster.membrane.push(res.v.clone());
    }
    raster.counts = res.counts.clone();
    raster
}

/// Integer readout: `score_c = bias_c + Σ_n w[c][n]·count_n`; the class is the first
/// index of the maximum (the RTL's strict `>` scan).
pub fn readout_scores(weights: &[Vec<i8>], biases: &[i32], counts: &[u32]) -> Vec<i64> {
    weights
        .iter()
        .zip(biases)
        .map(|(w, &b)| {
            b as i64
                + w.iter()
                    .zip(counts)
                    .map(|(&wi, &c)| wi as i64 * c as i64)
                    .sum::<i64>()
        })
        .collect()
}

/// Index of the first maximum.
pub fn argmax(scores: &[i64]) -> usize {
    let mut best = 0;
    for (i, &s) in scores.iter().enumerate() {
        if s > scores[best] {
            best = i;
        }
    }
    best
}
