//! The paper's LIF rule in floating point, on the same quantized weights and the same
//! column ADC: `v ← λ·v·(1 − s) + Σ w`, `s ← v > θ` with the spec's exact `λ` and `θ`
//! (no fraction bits, no rounding, no membrane register). It is the reference the
//! fixed-point model is measured against ([`agreement`]): the two differ only by the
//! quantized leak and threshold constants and the rounding of the leak.

use serde::Serialize;

use super::events::SpikeTrain;
use super::model::run_sample;
use super::spec::LsmDesign;
use super::weights::Weights;

/// Spikes of one sample under the float rule.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FloatRun {
    /// `spikes[t][n]`.
    pub spikes: Vec<Vec<bool>>,
    pub counts: Vec<u32>,
}

/// Runs one sample under the float rule (membranes in weight LSBs).
pub fn run_sample_float(design: &LsmDesign, weights: &Weights, train: &SpikeTrain) -> FloatRun {
    let n = design.neurons;
    let k = design.rows_per_cycle;
    let (amin, amax) = design.adc_limits();
    let lambda = design.leak.factor();
    let theta = design.threshold * design.q() as f64;
    let mut v = vec![0.0f64; n];
    let mut s = vec![false; n];
    let mut run = FloatRun {
        spikes: Vec::with_capacity(train.steps.len()),
        counts: vec![0; n],
    };
    let mut acc = vec![0i64; n];
    let mut partial = vec![0i32; n];
    let mut active = Vec::new();
    for x in &train.steps {
        active.clear();
        active.extend(x.iter().enumerate().filter(|(_, &b)| b).map(|(i, _)| i));
        active.extend(
            s.iter()
                .enumerate()
                .filter(|(_, &b)| b)
                .map(|(i, _)| design.inputs + i),
        );
        acc.fill(0);
        let mut i = 0;
        while i < active.len() {
            let group = active[i] / k;
            partial.fill(0);
            while i < active.len() && active[i] / k == group {
                let row = &weights.code[active[i] * n..(active[i] + 1) * n];
                for (p, &w) in partial.iter_mut().zip(row) {
                    *p += w as i32;
                }
                i += 1;
            }
            for (a, &p) in acc.iter_mut().zip(&partial) {
                *a += p.clamp(amin, amax) as i64;
            }
        }
        for j in 0..n {
            let kept = if s[j] { 0.0 } else { lambda * v[j] };
            v[j] = kept + acc[j] as f64;
            s[j] = v[j] > theta;
            run.counts[j] += u32::from(s[j]);
        }
        run.spikes.push(s.clone());
    }
    run
}

/// How closely the fixed-point model follows the float rule on a set of spike trains.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Agreement {
    /// Spike decisions compared (steps × neurons over all samples).
    pub decisions: u64,
    /// Decisions where both fire or both stay silent.
    pub agreeing: u64,
    pub spikes_fixed: u64,
    pub spikes_float: u64,
    /// Largest relative difference of one sample's total spike count.
    pub worst_sample_count_error: f64,
}

impl Agreement {
    /// Fraction of agreeing spike decisions.
    pub fn fraction(&self) -> f64 {
        self.agreeing as f64 / self.decisions.max(1) as f64
    }
    /// Relative difference of the total spike counts, `|fixed − float| / float`.
    pub fn count_error(&self) -> f64 {
        (self.spikes_fixed as f64 - self.spikes_float as f64).abs()
            / (self.spikes_float.max(1)) as f64
    }
}

/// Runs every train through the fixed-point model and the float rule and compares their
/// spike decisions step by step (each run free, from its own previous spikes).
pub fn agreement(design: &LsmDesign, weights: &Weights, trains: &[SpikeTrain]) -> Agreement {
    let mut a = Agreement::default();
    for t in trains {
        let fixed = run_sample(design, weights, t);
        let float = run_sample_float(design, weights, t);
        for (sf, sq) in fixed.spikes.iter().zip(&float.spikes) {
            a.decisions += sf.len() as u64;
            a.agreeing += sf.iter().zip(sq).filter(|(x, y)| x == y).count() as u64;
        }
        let nf: u64 = fixed.counts.iter().map(|&c| c as u64).sum();
        let nq: u64 = float.counts.iter().map(|&c| c as u64).sum();
        a.spikes_fixed += nf;
        a.spikes_float += nq;
        if nq > 0 {
            a.worst_sample_count_error = a
                .worst_sample_count_error
                .max((nf as f64 - nq as f64).abs() / nq as f64);
        }
    }
    a
}
