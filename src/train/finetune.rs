//! Fine-tuning a trained network against the pulse-level simulator: each training
//! sample runs through the pulse-level network the spec builds (`PulseNet` of the
//! design in the `layers:` form, the sample's rate code on its inputs, a fresh noise
//! seed per epoch), every neuron's measured rate replaces the forward model's, and the
//! gradient flows back through the forward model's derivatives at the measured
//! operating point ([`SfqNetwork::measured`]). The synapses kept by training stay (their
//! sign and |c| ∈ [w_off, w_max]); after every epoch the network is scored at pulse
//! level on the training split with fixed seeds, and the best epoch is kept (ties:
//! the earlier one). Same network, samples and settings → the same result.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::adam::{winner, Adam};
use super::emit::{self, Weights};
use super::network::SfqNetwork;
use super::response::ForwardModel;
use super::sfq::{flatten, input_rates, loss_gradient, unflatten, TrainSettings};
use crate::pulse::{PulseNet, Simulator};

/// The pulse-level network of a trained network, with the cells whose parameters and
/// pulses training touches.
struct Hardware {
    net: PulseNet,
    /// Per network input: the cell and port its pulses enter.
    inputs: Vec<u32>,
    /// Per layer, per neuron: its cell; per synapse (layer, target, source): its cell.
    neurons: Vec<Vec<u32>>,
    synapses: Vec<(usize, usize, usize, u32)>,
}

impl Hardware {
    fn new(net: &SfqNetwork, models: &ForwardModel) -> Result<Hardware, String> {
        let inputs = net.layers[0].currents[0].len();
        // input i carries one pulse at (i + 1) ps: the stimulus then names its cell
        let mut extra = String::from("stimulus:\n");
        for i in 0..inputs {
            extra.push_str(&format!("  x_{i}: {{ times: [{}ps] }}\n", i + 1));
        }
        let yaml = emit::spec_text(net, "finetune", Weights::Inline, &extra);
        let design = crate::characterize::design_from_yaml("finetune", &yaml)
            .map_err(|e| format!("the trained network does not build: {e}"))?;
        let mut pulse = PulseNet::from_design(&design, &models.cells, &[])
            .map_err(|e| format!("the trained network has no pulse-level model: {e}"))?;
        let mut input_cells = vec![u32::MAX; inputs];
        for &(t, target) in &pulse.stimulus {
            let i = (t * 1e12).round() as usize;
            if (1..=inputs).contains(&i) {
                input_cells[i - 1] = target;
            }
        }
        if input_cells.contains(&u32::MAX) {
            return Err("an input of the trained network drives no cell".into());
        }
        let cell = |name: &str| {
            pulse
                .names
                .iter()
                .position(|n| n == name)
                .map(|k| k as u32)
                .ok_or_else(|| format!("no cell `{name}` in the pulse-level network"))
        };
        let names = emit::neuron_names(net);
        let neurons = names
            .iter()
            .map(|l| l.iter().map(|n| cell(n)).collect::<Result<Vec<_>, _>>())
            .collect::<Result<Vec<_>, _>>()?;
        let mut synapses = Vec::new();
        let mut sources = emit::input_names(inputs);
        for (l, layer) in net.layers.iter().enumerate() {
            for (j, row) in layer.currents.iter().enumerate() {
                for (k, &c) in row.iter().enumerate() {
                    if c != 0.0 {
                        let s = cell(&format!("s_{}_{}", sources[k], names[l][j]))?;
                        synapses.push((l, j, k, s));
                    }
                }
            }
            sources = names[l].clone();
        }
        pulse.observed = names
            .iter()
            .flatten()
            .zip(neurons.iter().flatten())
            .map(|(n, &c)| (n.clone(), c))
            .collect();
        Ok(Hardware {
            net: pulse,
            inputs: input_cells,
            neurons,
            synapses,
        })
    }

    /// Sets the synapse probabilities and neuron thresholds of `net`.
    fn set(&mut self, net: &SfqNetwork, models: &ForwardModel) {
        for &(l, j, k, cell) in &self.synapses {
            self.net.param[cell as usize] =
                SfqNetwork::probability(models, net.layers[l].currents[j][k]);
        }
        for (l, layer) in net.layers.iter().enumerate() {
            for (j, &th) in layer.thresholds.iter().enumerate() {
                self.net.param[self.neurons[l][j] as usize] =
                    models.cells.cells.neuron.threshold_at(th);
            }
        }
    }

    /// Every layer's measured rates (GHz; `[0]` the input rates) for one sample.
    fn run(&self, s: &TrainSettings, x: &[f64], seed: u64) -> Vec<Vec<f64>> {
        let mut net = self.net.clone();
        net.stimulus.clear();
        for (i, &v) in x.iter().enumerate() {
            for t in s.code.pulses(i, v) {
                net.stimulus.push((t, self.inputs[i]));
            }
        }
        net.stimulus
            .sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let out = Simulator::new(&net).run(seed, s.code.end + 200e-12);
        let t = s.code.window_ns();
        let mut rates = vec![input_rates(&s.code, x)];
        let mut k = 0;
        for layer in &self.neurons {
            rates.push(
                layer
                    .iter()
                    .map(|_| {
                        let name = &net.observed[k].0;
                        k += 1;
                        out.pulses.get(name).map_or(0, <[f64]>::len) as f64 / t
                    })
                    .collect(),
            );
        }
        rates
    }

    /// Pulse-level accuracy on samples, seed `base + index` each (ties wrong).
    fn accuracy(&self, s: &TrainSettings, samples: &[(Vec<f64>, usize)], base: u64) -> f64 {
        let right = samples
            .par_iter()
            .enumerate()
            .filter(|(k, (x, y))| {
                let r = self.run(s, x, base + *k as u64);
                winner(r.last().expect("outputs")) == Some(*y)
            })
            .count();
        right as f64 / samples.len().max(1) as f64
    }
}

/// Fine-tunes `net` for `epochs` epochs at pulse level; returns the best network
/// (by pulse-level training accuracy) and that accuracy.
pub fn finetune(
    net: &SfqNetwork,
    models: &ForwardModel,
    s: &TrainSettings,
    samples: &[(Vec<f64>, usize)],
    epochs: usize,
) -> Result<(SfqNetwork, f64), String> {
    let mut hw = Hardware::new(net, models)?;
    let mut net = net.clone();
    hw.set(&net, models);
    let score_seed = 7_000_000;
    let mut best = (net.clone(), hw.accuracy(s, samples, score_seed));
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
    let mut adam = Adam::new(params.len(), 0.5 * s.lr_ua);
    let mut rng = ChaCha8Rng::seed_from_u64(s.seed ^ 0x5eed);
    let mut order: Vec<usize> = (0..samples.len()).collect();
    // 0 for an absent synapse (f64::signum(0.0) is 1: it would grow a synapse that the
    // pulse-level network being tuned does not have, and the spec would)
    let sign: Vec<f64> = params
        .iter()
        .map(|&c| if c == 0.0 { 0.0 } else { c.signum() })
        .collect();
    let (th_lo, th_hi) = s.th_range_ua;
    for epoch in 0..epochs {
        order.shuffle(&mut rng);
        for chunk in order.chunks(s.batch.max(1)) {
            let grads: Vec<Vec<f64>> = chunk
                .par_iter()
                .map(|&k| {
                    let seed = 1_000_000 * (epoch as u64 + 1) + k as u64;
                    let rates = hw.run(s, &samples[k].0, seed);
                    let d = loss_gradient(s, &rates, samples[k].1);
                    let act = net.measured(models, rates);
                    let g = net.backward(models, &act, d);
                    g.currents
                        .iter()
                        .zip(&g.thresholds)
                        .flat_map(|(c, th)| c.iter().flatten().chain(th))
                        .copied()
                        .collect()
                })
                .collect();
            let mut grad = vec![0.0; params.len()];
            for g in &grads {
                for (acc, v) in grad.iter_mut().zip(g) {
                    *acc += v / chunk.len() as f64;
                }
            }
            adam.step(&mut params, &grad, &scale);
            unflatten(&mut net, &params);
            // synapses keep their sign and stay realisable; absent ones stay absent
            let mut k = 0;
            for l in &mut net.layers {
                for c in l.currents.iter_mut().flatten() {
                    let sg = sign[k];
                    k += 1;
                    *c = if sg == 0.0 {
                        0.0
                    } else {
                        sg * (*c * sg).clamp(s.w_off_ua, s.w_max_ua)
                    };
                }
                k += l.thresholds.len();
                for th in &mut l.thresholds {
                    *th = th.clamp(th_lo, th_hi);
                }
            }
            params = flatten(&net);
            hw.set(&net, models);
        }
        let mut rounded = net.clone();
        round(&mut rounded);
        hw.set(&rounded, models);
        let acc = hw.accuracy(s, samples, score_seed);
        hw.set(&net, models);
        if acc > best.1 {
            best = (rounded, acc);
        }
    }
    Ok(best)
}

/// Currents and thresholds rounded to 1 nA, as the spec writes them.
pub(super) fn round(net: &mut SfqNetwork) {
    for l in &mut net.layers {
        for v in l
            .currents
            .iter_mut()
            .flatten()
            .chain(l.thresholds.iter_mut())
        {
            *v = (*v * 1e3).round() / 1e3;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::SfqLayer;

    /// Fine-tuning moves the synapses it has and no other: an absent synapse (current 0)
    /// stays absent, every other one keeps its sign.
    #[test]
    fn fine_tuning_keeps_absent_synapses_absent() {
        let mut s = TrainSettings::new(vec![2], 1);
        s.batch = 4;
        s.lr_ua = 30.0; // big steps: a few epochs must change the decisions
        let models = ForwardModel::new(
            crate::pulse::default_models().unwrap(),
            s.code.end - s.code.start,
        );
        let net = SfqNetwork {
            layers: vec![
                SfqLayer {
                    currents: vec![vec![120.0, 0.0, -120.0, 110.0], vec![0.0, 125.0, 0.0, 0.0]],
                    thresholds: vec![280.0, 280.0],
                },
                SfqLayer {
                    // outputs nearly silent: every sample a tie, so any epoch that makes
                    // one output fire is kept
                    currents: vec![vec![101.0, 0.0], vec![0.0, 101.0], vec![101.0, -101.0]],
                    thresholds: vec![305.0; 3],
                },
            ],
        };
        let samples: Vec<(Vec<f64>, usize)> = (0..12)
            .map(|k| {
                let v = k as f64 / 11.0;
                (vec![v, 1.0 - v, 0.5, v * v], k % 3)
            })
            .collect();
        let (tuned, acc) = finetune(&net, &models, &s, &samples, 4).unwrap();
        assert!(acc > 0.0, "no epoch was kept");
        let mut moved = 0;
        for (a, b) in net.layers.iter().zip(&tuned.layers) {
            for (ra, rb) in a.currents.iter().zip(&b.currents) {
                for (&ca, &cb) in ra.iter().zip(rb) {
                    if ca == 0.0 {
                        assert_eq!(cb, 0.0, "an absent synapse grew to {cb} µA");
                    } else {
                        assert_eq!(ca.signum(), cb.signum(), "{ca} → {cb}");
                        moved += usize::from(ca != cb);
                    }
                }
            }
        }
        assert!(moved > 0, "fine-tuning moved no synapse");
    }
}
