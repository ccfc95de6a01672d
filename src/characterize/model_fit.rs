//! Fitting the pulse-level neuron model to the circuit-level neuron benches.
//!
//! The model (see [`crate::pulse::models::NeuronModel`]): stored flux u in input quanta,
//! +1 per excitatory pulse, −`inh_fluxons` per inhibitory pulse, decaying with τ; an
//! excitatory pulse fires when u ≥ θ(th) + σ·N(0,1), a fire removes one quantum.
//!
//! - refractory time: the pair spacing at which a neuron that fires on every pulse
//!   gives 1.5 output pulses on average;
//! - for each (τ, σ) of a grid: θ(th) for each threshold of the rate bench so that the
//!   model's output count, summed over the bench's input rates, is the measured one
//!   (simulated with the pulse-level simulator, so the fit is of the simulator itself);
//!   score = the fit of every rate point plus the mean log-likelihood per seed of the
//!   pulse-pair fire counts (analytic; each spacing weighs like one rate point, so the
//!   rate regime the networks run in decides); the best score wins. The pulses to the first fire (20 ps apart)
//!   are recorded as measured (`pulses_to_fire`); networks run in the rate regime, so
//!   the rate bench decides θ;
//! - inh_fluxons: so that the model's mean pulses to fire after one inhibitory pulse
//!   is the measured one.

use crate::pulse::models::{CellModels, Delay, NeuronModel, ThresholdPoint};
use crate::pulse::network::{Kind, NetBuilder};
use crate::pulse::sim::Simulator;
use crate::pulse::stats::erfc;

/// The output counts of one rate bench (one threshold, one input train).
#[derive(Debug, Clone, PartialEq)]
pub struct RateData {
    pub th_ua: f64,
    /// Input pulse times (s).
    pub times: Vec<f64>,
    /// Output pulses, one per seed.
    pub counts: Vec<usize>,
}

/// Everything the circuit-level neuron benches measured.
#[derive(Debug, Clone, PartialEq)]
pub struct NeuronData {
    /// Spacing of the pulses-to-fire train (s).
    pub fire_spacing: f64,
    /// Per threshold (µA): input pulses to the first fire per seed (None: no fire).
    pub fire: Vec<(f64, Vec<Option<usize>>)>,
    pub inh_th_ua: f64,
    /// Time from the inhibitory pulse to the first excitatory one (s).
    pub inh_lead: f64,
    pub inh: Vec<Option<usize>>,
    pub pair_th_ua: f64,
    /// (spacing ps, output pulses per seed).
    pub pairs: Vec<(f64, Vec<usize>)>,
    /// (spacing ps, output pulses per seed) at a threshold that fires on every pulse.
    pub refractory: Vec<(f64, Vec<usize>)>,
    pub rates: Vec<RateData>,
}

/// The fitted neuron constants.
#[derive(Debug, Clone, PartialEq)]
pub struct NeuronFit {
    pub leak_tau_ps: f64,
    pub sigma: f64,
    pub threshold: Vec<ThresholdPoint>,
    pub inh_fluxons: f64,
    pub refractory_ps: f64,
}

fn phi(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// P(u ≥ θ + σ·z).
fn p_fire(u: f64, theta: f64, sigma: f64) -> f64 {
    if sigma > 0.0 {
        phi((u - theta) / sigma)
    } else if u >= theta {
        1.0
    } else {
        0.0
    }
}

/// Mean index (1-based) of the first fire over runs that fire, when the stored flux
/// before the decision at pulse k is `u[k-1]`; None when no fire is possible.
fn mean_first_fire(u: &[f64], theta: f64, sigma: f64) -> Option<f64> {
    let (mut none, mut total, mut weighted) = (1.0, 0.0, 0.0);
    for (k, &uk) in u.iter().enumerate() {
        let p = none * p_fire(uk, theta, sigma);
        total += p;
        weighted += p * (k + 1) as f64;
        none *= 1.0 - p_fire(uk, theta, sigma);
    }
    (total > 1e-12).then(|| weighted / total)
}

/// Stored flux at each pulse of a train `spacing` apart, with an optional initial
/// offset decaying from `lead` before the first pulse.
fn train_flux(n: usize, spacing: f64, tau: f64, offset: f64, lead: f64) -> Vec<f64> {
    let mut u = Vec::with_capacity(n);
    let mut s = 0.0;
    for k in 0..n {
        s = s * (-spacing / tau).exp() + 1.0;
        let t = lead + spacing * k as f64;
        u.push(s + offset * (-t / tau).exp());
    }
    u
}

fn mean_of(x: impl Iterator<Item = f64>) -> Option<f64> {
    let v: Vec<f64> = x.collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// A model with one neuron and no delays, for simulating benches.
fn probe_models(fit: &NeuronFit) -> CellModels {
    CellModels {
        format: crate::pulse::models::FORMAT.into(),
        command: String::new(),
        temperature_k: 0.0,
        bias: 1.0,
        technology: crate::pulse::models::TechnologyRecord::of(&crate::spec::Technology::defaults()),
        source_sha256: String::new(),
        benches: serde_json::Value::Null,
        cells: crate::pulse::models::Cells {
            neuron: NeuronModel {
                leak_tau_ps: fit.leak_tau_ps,
                refractory_ps: fit.refractory_ps,
                threshold_sigma_fluxons: fit.sigma,
                inh_fluxons: fit.inh_fluxons,
                threshold: fit.threshold.clone(),
                ..NeuronModel::default()
            },
            ..Default::default()
        },
    }
}

/// Mean and variance of the output count of the pulse-level neuron of threshold
/// `theta` (fluxons) for an input train, over `seeds` seeds.
fn simulated_count(fit: &NeuronFit, theta: f64, times: &[f64], seeds: u64) -> (f64, f64) {
    let models = probe_models(fit);
    let mut b = NetBuilder::new(&models);
    let n = b.add("n".into(), Kind::Neuron, Delay::default(), theta);
    for &t in times {
        b.pulse(t, n, 0);
    }
    b.observe("q", n);
    let net = b.finish();
    let mut sim = Simulator::new(&net);
    let counts: Vec<f64> = (1..=seeds)
        .map(|s| {
            sim.run(s, f64::INFINITY)
                .pulses
                .get("q")
                .map_or(0, <[f64]>::len) as f64
        })
        .collect();
    let m = counts.iter().sum::<f64>() / counts.len() as f64;
    let v = counts.iter().map(|c| (c - m) * (c - m)).sum::<f64>() / (counts.len() as f64 - 1.0);
    (m, v)
}

/// Fits the neuron model to the benches.
pub fn fit_neuron(data: &NeuronData) -> NeuronFit {
    let refractory_ps = {
        let pts: Vec<(f64, f64)> = data
            .refractory
            .iter()
            .map(|(s, c)| (*s, c.iter().sum::<usize>() as f64 / c.len().max(1) as f64))
            .collect();
        super::models::crossing(&pts, 1.5).unwrap_or_else(|| pts.last().map_or(0.0, |p| p.0))
    };
    let mut best: Option<(f64, NeuronFit)> = None;
    let rate_ths: Vec<f64> = {
        let mut t: Vec<f64> = data.rates.iter().map(|r| r.th_ua).collect();
        t.sort_by(f64::total_cmp);
        t.dedup();
        t
    };
    for tau_step in 0..=18 {
        let tau = 150e-12 + 25e-12 * f64::from(tau_step);
        for &sigma in &[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8] {
            let mut fit = NeuronFit {
                leak_tau_ps: tau * 1e12,
                sigma,
                threshold: Vec::new(),
                inh_fluxons: 1.0,
                refractory_ps,
            };
            // θ(th): the output counts of the rate bench, summed over its rates
            for &th in &rate_ths {
                let runs: Vec<&RateData> = data.rates.iter().filter(|r| r.th_ua == th).collect();
                let observed: f64 = runs
                    .iter()
                    .map(|r| r.counts.iter().sum::<usize>() as f64 / r.counts.len() as f64)
                    .sum();
                let (mut lo, mut hi) = (0.05, 20.0);
                for _ in 0..30 {
                    let mid = (lo + hi) / 2.0;
                    let predicted: f64 = runs
                        .iter()
                        .map(|r| simulated_count(&fit, mid, &r.times, 40).0)
                        .sum();
                    if predicted > observed {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                fit.threshold.push(ThresholdPoint {
                    th_ua: th,
                    fluxons: (((lo + hi) / 2.0) * 1e4).round() / 1e4,
                });
            }
            if fit.threshold.is_empty() {
                continue;
            }
            let model = probe_models(&fit);
            let theta_pair = model.cells.neuron.threshold_at(data.pair_th_ua);
            let mut score = 0.0;
            for (s, counts) in &data.pairs {
                let p1 = p_fire(1.0, theta_pair, sigma);
                let p2 = p_fire(1.0 + (-s * 1e-12 / tau).exp(), theta_pair, sigma);
                let p = (1.0 - (1.0 - p1) * (1.0 - p2)).clamp(1e-6, 1.0 - 1e-6);
                let k = counts.iter().filter(|&&c| c > 0).count() as f64;
                let n = counts.len() as f64;
                // per seed: each spacing weighs like one rate point
                score += (k * p.ln() + (n - k) * (1.0 - p).ln()) / n;
            }
            for r in &data.rates {
                let n = r.counts.len() as f64;
                let mc = r.counts.iter().sum::<usize>() as f64 / n;
                let vc = r
                    .counts
                    .iter()
                    .map(|&c| (c as f64 - mc).powi(2))
                    .sum::<f64>()
                    / (n - 1.0).max(1.0);
                let theta = model.cells.neuron.threshold_at(r.th_ua);
                let (mm, vm) = simulated_count(&fit, theta, &r.times, 40);
                score -= (mm - mc).powi(2) / (2.0 * (vc / n + vm / 40.0 + 0.25));
            }
            if best.as_ref().is_none_or(|(b, _)| score > *b) {
                best = Some((score, fit));
            }
        }
    }
    let mut fit = best.map(|(_, f)| f).unwrap_or(NeuronFit {
        leak_tau_ps: 300.0,
        sigma: 0.1,
        threshold: Vec::new(),
        inh_fluxons: 1.0,
        refractory_ps,
    });
    fit.inh_fluxons = fit_inhibition(data, &fit);
    fit
}

/// inh_fluxons reproducing the mean pulses to fire after one inhibitory pulse.
fn fit_inhibition(data: &NeuronData, fit: &NeuronFit) -> f64 {
    let Some(target) = mean_of(data.inh.iter().flatten().map(|&k| k as f64)) else {
        // never fired after inhibition within the train: at least as strong as the train
        return data.inh.len() as f64;
    };
    let theta = probe_models(fit).cells.neuron.threshold_at(data.inh_th_ua);
    let tau = fit.leak_tau_ps * 1e-12;
    let n = data
        .inh
        .iter()
        .flatten()
        .max()
        .copied()
        .unwrap_or(1)
        .max(10)
        + 5;
    let mean = |inh: f64| {
        let u = train_flux(n, data.fire_spacing, tau, -inh, data.inh_lead);
        mean_first_fire(&u, theta, fit.sigma).unwrap_or(f64::INFINITY)
    };
    let (mut lo, mut hi) = (0.0, 8.0);
    for _ in 0..50 {
        let mid = (lo + hi) / 2.0;
        if mean(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_fire_comes_where_the_flux_reaches_the_threshold() {
        let u = train_flux(10, 20e-12, 300e-12, 0.0, 0.0);
        // u = 1, 1.94, 2.81, ...: θ = 2.5 needs three pulses without noise
        assert_eq!(mean_first_fire(&u, 2.5, 0.0), Some(3.0));
        // an inhibitory offset of one fluxon delays it by a pulse
        let v = train_flux(10, 20e-12, 300e-12, -1.0, 20e-12);
        assert_eq!(mean_first_fire(&v, 2.5, 0.0), Some(4.0));
    }
}
