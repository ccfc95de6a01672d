//! Hardware-aware training of a rate-coded SFQ network on the forward model of
//! [`super::network`]: weights are synapse currents, thresholds are threshold
//! currents, both kept inside what the cells realise.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::adam::{cross_entropy, winner, Adam};
use super::encoding::RateCode;
use super::network::{SfqLayer, SfqNetwork};
use super::response::ForwardModel;

/// Training settings (docs/training.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainSettings {
    /// Neurons per hidden layer.
    pub hidden: Vec<usize>,
    pub epochs: usize,
    pub batch: usize,
    /// Adam step, µA per step for currents (thresholds move at `th_step_ratio` of it).
    pub lr_ua: f64,
    pub th_step_ratio: f64,
    pub seed: u64,
    pub code: RateCode,
    /// Largest synapse current magnitude (µA); currents live in [−max, max].
    pub w_max_ua: f64,
    /// Synapses whose current magnitude ends below this (µA) are left out.
    pub w_off_ua: f64,
    /// Threshold current range (µA).
    pub th_range_ua: (f64, f64),
    /// Logit per output pulse in the softmax loss (larger asks for wider margins).
    pub logit_per_pulse: f64,
    /// Neuron rates above this (GHz) are penalised (mergers and neurons saturate).
    pub rate_cap_ghz: f64,
    pub rate_penalty: f64,
    /// The true class's output should reach at least this many pulses (a silent
    /// output is a tie, which counts as wrong); below it the loss adds
    /// `silent_penalty` × the shortfall².
    pub min_true_pulses: f64,
    pub silent_penalty: f64,
    /// Epochs of fine-tuning against the pulse-level simulator after training
    /// ([`super::finetune`]); 0 for none.
    pub finetune_epochs: usize,
}

impl TrainSettings {
    /// Defaults for a network with these hidden layers (docs/training.md).
    pub fn new(hidden: Vec<usize>, seed: u64) -> TrainSettings {
        TrainSettings {
            hidden,
            epochs: 300,
            batch: 16,
            lr_ua: 0.5,
            th_step_ratio: 0.5,
            seed,
            code: RateCode {
                rate_max: 1.0 / 70e-12,
                start: 50e-12,
                end: 2050e-12,
            },
            w_max_ua: 135.0,
            w_off_ua: 100.0,
            th_range_ua: (260.0, 305.0),
            logit_per_pulse: 0.5,
            rate_cap_ghz: 15.0,
            rate_penalty: 0.05,
            min_true_pulses: 6.0,
            silent_penalty: 0.05,
            finetune_epochs: 30,
        }
    }
}

/// Accuracy of the forward model on some samples (ties count as wrong).
pub fn model_accuracy(
    net: &SfqNetwork,
    models: &ForwardModel,
    code: &RateCode,
    samples: &[(Vec<f64>, usize)],
) -> f64 {
    let right = samples
        .iter()
        .filter(|(x, y)| predict(net, models, code, x) == Some(*y))
        .count();
    right as f64 / samples.len().max(1) as f64
}

/// Input rates (GHz) of scaled features: the mean rate of each rate-coded train.
pub fn input_rates(code: &RateCode, x: &[f64]) -> Vec<f64> {
    x.iter()
        .enumerate()
        .map(|(i, &v)| code.pulses(i, v).len() as f64 / code.window_ns())
        .collect()
}

/// Expected output pulse counts of the forward model for scaled features.
pub fn expected_counts(
    net: &SfqNetwork,
    models: &ForwardModel,
    code: &RateCode,
    x: &[f64],
) -> Vec<f64> {
    let act = net.forward(models, &input_rates(code, x));
    let t = code.window_ns();
    act.rates
        .last()
        .expect("outputs")
        .iter()
        .map(|r| r * t)
        .collect()
}

/// The forward model's class: the most expected output pulses, rounded to whole
/// pulses as the circuit counts them (a tie, e.g. all outputs silent, is `None`).
pub fn predict(
    net: &SfqNetwork,
    models: &ForwardModel,
    code: &RateCode,
    x: &[f64],
) -> Option<usize> {
    let counts: Vec<f64> = expected_counts(net, models, code, x)
        .iter()
        .map(|c| c.round())
        .collect();
    winner(&counts)
}

/// dLoss/d(rate) of every layer's neurons for one sample (`rates[0]` the inputs, then
/// each layer's rates, GHz): the softmax cross-entropy of `logit_per_pulse` × the
/// output counts, the true output's shortfall below `min_true_pulses`, and the rates
/// above `rate_cap_ghz`.
pub(super) fn loss_gradient(s: &TrainSettings, rates: &[Vec<f64>], label: usize) -> Vec<Vec<f64>> {
    let t = s.code.window_ns();
    let out = rates.last().expect("outputs");
    let logits: Vec<f64> = out.iter().map(|r| r * t * s.logit_per_pulse).collect();
    let (_, d) = cross_entropy(&logits, label);
    let mut d_rates: Vec<Vec<f64>> = rates[1..]
        .iter()
        .map(|layer| {
            layer
                .iter()
                .map(|r| 2.0 * s.rate_penalty * (r - s.rate_cap_ghz).max(0.0))
                .collect()
        })
        .collect();
    let last = d_rates.len() - 1;
    for (dr, dz) in d_rates[last].iter_mut().zip(&d) {
        *dr += dz * t * s.logit_per_pulse;
    }
    let short = s.min_true_pulses - out[label] * t;
    if short > 0.0 {
        d_rates[last][label] -= 2.0 * s.silent_penalty * short * t;
    }
    d_rates
}

pub(super) fn flatten(net: &SfqNetwork) -> Vec<f64> {
    net.layers
        .iter()
        .flat_map(|l| l.currents.iter().flatten().chain(&l.thresholds))
        .copied()
        .collect()
}

pub(super) fn unflatten(net: &mut SfqNetwork, values: &[f64]) {
    let mut it = values.iter();
    for l in &mut net.layers {
        for v in l
            .currents
            .iter_mut()
            .flatten()
            .chain(l.thresholds.iter_mut())
        {
            *v = *it.next().expect("same size");
        }
    }
}

/// Trains on `(scaled features, label)` pairs; the same settings and samples give the
/// same network. The result has currents rounded to 1 nA, synapses below
/// `w_off_ua` removed (0) and thresholds rounded to 1 nA: exactly what the spec gets.
pub fn train_sfq(
    models: &ForwardModel,
    settings: &TrainSettings,
    classes: usize,
    samples: &[(Vec<f64>, usize)],
) -> SfqNetwork {
    let s = settings;
    let mut rng = ChaCha8Rng::seed_from_u64(s.seed);
    let inputs = samples.first().map_or(0, |(x, _)| x.len());
    let mut sizes = vec![inputs];
    sizes.extend(&s.hidden);
    sizes.push(classes);
    let (th_lo, th_hi) = s.th_range_ua;
    let mut net = SfqNetwork {
        layers: sizes
            .windows(2)
            .map(|w| SfqLayer {
                currents: (0..w[1])
                    .map(|_| {
                        // start where about two synapses of the fan-in pass (p ≈ 2/fan-in)
                        let q = (2.0 / w[0] as f64).min(0.5);
                        let pass = models.synapse();
                        let mid = pass.centre_ua + pass.scale_ua * (q / (1.0 - q)).ln();
                        (0..w[0])
                            .map(|_| {
                                let sign = if rng.random_bool(0.5) { 1.0 } else { -1.0 };
                                sign * rng.random_range(mid - 6.0..mid + 6.0)
                            })
                            .collect()
                    })
                    .collect(),
                thresholds: vec![0.5 * (th_lo + th_hi); w[1]],
            })
            .collect(),
    };
    let mut params = flatten(&net);
    let scale: Vec<f64> = net
        .layers
        .iter()
        .flat_map(|l| {
            l.currents
                .iter()
                .flatten()
                .map(|_| 1.0)
                .chain(l.thresholds.iter().map(|_| s.th_step_ratio))
        })
        .collect();
    let mut adam = Adam::new(params.len(), s.lr_ua);
    let rates: Vec<Vec<f64>> = samples
        .iter()
        .map(|(x, _)| input_rates(&s.code, x))
        .collect();
    let mut order: Vec<usize> = (0..samples.len()).collect();
    for _ in 0..s.epochs {
        order.shuffle(&mut rng);
        for chunk in order.chunks(s.batch.max(1)) {
            let mut grad = vec![0.0; params.len()];
            for &k in chunk {
                let act = net.forward(models, &rates[k]);
                let d_rates = loss_gradient(s, &act.rates, samples[k].1);
                let g = net.backward(models, &act, d_rates);
                let flat = g
                    .currents
                    .iter()
                    .zip(&g.thresholds)
                    .flat_map(|(c, th)| c.iter().flatten().chain(th));
                for (acc, v) in grad.iter_mut().zip(flat) {
                    *acc += v / chunk.len() as f64;
                }
            }
            adam.step(&mut params, &grad, &scale);
            unflatten(&mut net, &params);
            for l in &mut net.layers {
                for c in l.currents.iter_mut().flatten() {
                    *c = c.clamp(-s.w_max_ua, s.w_max_ua);
                }
                for th in &mut l.thresholds {
                    *th = th.clamp(th_lo, th_hi);
                }
            }
            params = flatten(&net);
        }
    }
    // every network input must drive something: an input left without a synapse gets
    // the weakest one kept (w_off, p ≈ 0.6 %) into the first neuron
    if let Some(first) = net.layers.first_mut() {
        for k in 0..first.currents[0].len() {
            if first.currents.iter().all(|row| row[k].abs() < s.w_off_ua) {
                first.currents[0][k] = s.w_off_ua;
            }
        }
    }
    for l in &mut net.layers {
        for row in &mut l.currents {
            // a neuron needs a driven `a`: if no excitatory synapse is left, its
            // largest current becomes the weakest one kept (p(w_off) ≈ 0.6 %)
            if !row.iter().any(|&c| c >= s.w_off_ua) {
                if let Some(c) = row.iter_mut().max_by(|a, b| a.total_cmp(b)) {
                    *c = s.w_off_ua;
                }
            }
        }
        for c in l.currents.iter_mut().flatten() {
            *c = if c.abs() < s.w_off_ua {
                0.0
            } else {
                (*c * 1e3).round() / 1e3
            };
        }
        for th in &mut l.thresholds {
            *th = (*th * 1e3).round() / 1e3;
        }
    }
    net
}
