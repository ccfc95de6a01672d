//! The rate-level forward model of a layered SFQ network, built from the cell models,
//! and its gradient.
//!
//! A synapse with signed weight current c (µA) passes each pulse with probability
//! p(|c|) (the logistic of the cell model: `synapse` for c > 0 into the neuron's `a`,
//! `synapse_inh` for c < 0 into its `inh`); c = 0 is no synapse. A neuron j sees the
//! excitatory rate E = Σ p·r over its excitatory synapses and the inhibitory rate
//! I = Σ p·r over the others (GHz), and fires at
//!
//! r_j = g · softplus_β(M(E) − k·M(I) − L(th_j)),
//!
//! where g is the rate gain, k the excitatory pulses one inhibitory pulse cancels,
//! L(th) = (N(th) − 1)/τ the input rate the leak absorbs (N: pulses to fire, τ: the
//! leak time constant), M(r) = r/(1 + r·τ_c) the rate out of the merger tree that
//! collects the synapses (two pulses closer than the collision time τ_c give one)
//! and softplus_β(u) = ln(1 + e^{βu})/β a smooth max(0, u).

use serde::{Deserialize, Serialize};

use super::models::CellModels;

/// Sharpness of the softplus (per GHz).
pub const BETA: f64 = 1.0;

/// One layer: `currents[target][source]` in µA (signed), thresholds in µA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SfqLayer {
    pub currents: Vec<Vec<f64>>,
    pub thresholds: Vec<f64>,
}

/// A layered network of synapses and neurons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SfqNetwork {
    pub layers: Vec<SfqLayer>,
}

/// Per layer: the neurons' net drive u and their rates (GHz); `rates[0]` are the inputs.
#[derive(Debug, Clone)]
pub struct Activity {
    pub rates: Vec<Vec<f64>>,
    pub drive: Vec<Vec<f64>>,
    /// Excitatory and inhibitory input rate of each neuron (merged, GHz).
    pub merged: Vec<Vec<(f64, f64)>>,
}

/// Gradients with the shape of the network.
#[derive(Debug, Clone)]
pub struct Gradient {
    pub currents: Vec<Vec<Vec<f64>>>,
    pub thresholds: Vec<Vec<f64>>,
}

fn softplus(u: f64) -> f64 {
    let x = BETA * u;
    (if x > 30.0 { x } else { x.exp().ln_1p() }) / BETA
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Smallest slope dp/d|c| used in the gradient (per µA), so that a synapse far below
/// its transition still learns which way to go.
const SURROGATE_SLOPE: f64 = 2e-3;

impl SfqNetwork {
    /// Effective weight of a synapse (pulses passed per input pulse, inhibitory
    /// counted negative times k) and its derivative per µA.
    fn weight(models: &CellModels, c: f64) -> (f64, f64) {
        let n = &models.cells.neuron;
        if c > 0.0 {
            let s = &models.cells.synapse.pass;
            (s.probability(c), s.slope(c).max(SURROGATE_SLOPE))
        } else if c < 0.0 {
            let s = &models.cells.synapse_inh.pass;
            let k = n.inh_fluxons;
            (-k * s.probability(-c), k * s.slope(-c).max(SURROGATE_SLOPE))
        } else {
            (0.0, SURROGATE_SLOPE)
        }
    }

    /// The pass probability of a synapse (0 for no synapse).
    pub fn probability(models: &CellModels, c: f64) -> f64 {
        if c > 0.0 {
            models.cells.synapse.pass.probability(c)
        } else if c < 0.0 {
            models.cells.synapse_inh.pass.probability(-c)
        } else {
            0.0
        }
    }

    /// Rates of every layer for input rates `x` (GHz).
    pub fn forward(&self, models: &CellModels, x: &[f64]) -> Activity {
        let n = &models.cells.neuron;
        let mut rates = vec![x.to_vec()];
        let mut drive = Vec::new();
        let mut merged = Vec::new();
        for layer in &self.layers {
            let src = rates.last().expect("inputs");
            let mut u = Vec::with_capacity(layer.thresholds.len());
            let mut m = Vec::with_capacity(layer.thresholds.len());
            let mut r = Vec::with_capacity(layer.thresholds.len());
            for (row, &th) in layer.currents.iter().zip(&layer.thresholds) {
                let (mut e, mut i) = (0.0, 0.0);
                for (&c, &ri) in row.iter().zip(src) {
                    if c > 0.0 {
                        e += Self::probability(models, c) * ri;
                    } else if c < 0.0 {
                        i += Self::probability(models, c) * ri;
                    }
                }
                let merger = &models.cells.merger;
                let uj =
                    merger.passed(e).0 - n.inh_fluxons * merger.passed(i).0 - n.leak_rate_ghz(th).0;
                u.push(uj);
                m.push((e, i));
                r.push(n.rate_gain * softplus(uj));
            }
            drive.push(u);
            merged.push(m);
            rates.push(r);
        }
        Activity {
            rates,
            drive,
            merged,
        }
    }

    #[allow(clippy::needless_range_loop)] // j indexes several per-neuron arrays
    /// Back-propagates dLoss/d(rate) of every layer's neurons (`d_rates[l]` for layer
    /// l, added to what flows back from above) into the gradient of the parameters.
    pub fn backward(
        &self,
        models: &CellModels,
        act: &Activity,
        mut d_rates: Vec<Vec<f64>>,
    ) -> Gradient {
        let n = &models.cells.neuron;
        let mut g = Gradient {
            currents: self
                .layers
                .iter()
                .map(|l| vec![vec![0.0; l.currents[0].len()]; l.currents.len()])
                .collect(),
            thresholds: self
                .layers
                .iter()
                .map(|l| vec![0.0; l.thresholds.len()])
                .collect(),
        };
        for l in (0..self.layers.len()).rev() {
            let layer = &self.layers[l];
            let src = &act.rates[l];
            let mut d_src = vec![0.0; src.len()];
            for j in 0..layer.thresholds.len() {
                let du = d_rates[l][j] * n.rate_gain * sigmoid(BETA * act.drive[l][j]);
                g.thresholds[l][j] = -du * n.leak_rate_ghz(layer.thresholds[j]).1;
                let (e, i) = act.merged[l][j];
                let fe = models.cells.merger.passed(e).1;
                let fi = models.cells.merger.passed(i).1;
                for (k, &c) in layer.currents[j].iter().enumerate() {
                    let (w, dw) = Self::weight(models, c);
                    let f = if c < 0.0 { fi } else { fe };
                    g.currents[l][j][k] = du * dw * src[k] * f;
                    d_src[k] += du * w * f;
                }
            }
            if l > 0 {
                for (d, s) in d_rates[l - 1].iter_mut().zip(d_src) {
                    *d += s;
                }
            }
        }
        g
    }
}
