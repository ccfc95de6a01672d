//! The rate-level forward model of a layered SFQ network, built from the cell models,
//! and its gradient.
//!
//! A synapse with signed weight current c (µA) passes each pulse with probability
//! p(|c|) (the pass curve of the cell models: `synapse` for c > 0 into the neuron's
//! `a`, `synapse_inh` for c < 0 into its `inh`); c = 0 is no synapse. A neuron j sees
//! the excitatory rate E = Σ p·r over its excitatory synapses and the inhibitory rate
//! I = Σ p·r over the others (GHz), and fires at R(E, I, th_j), the rate response
//! measured at pulse level ([`super::response::Response`]: merger collisions, leak,
//! inhibition, refractory time and the first fire's latency are in it).

use serde::{Deserialize, Serialize};

use super::response::{slope, ForwardModel};

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

/// Per layer: the neurons' rates (GHz, `rates[0]` are the inputs) and the response's
/// derivatives at each neuron (dr/dE, dr/dI, dr/dth).
#[derive(Debug, Clone)]
pub struct Activity {
    pub rates: Vec<Vec<f64>>,
    pub slopes: Vec<Vec<(f64, f64, f64)>>,
}

/// Gradients with the shape of the network.
#[derive(Debug, Clone)]
pub struct Gradient {
    pub currents: Vec<Vec<Vec<f64>>>,
    pub thresholds: Vec<Vec<f64>>,
}

/// Smallest slope dp/d|c| used in the gradient (per µA), so that a synapse far below
/// its transition still learns which way to go.
const SURROGATE_SLOPE: f64 = 2e-3;

impl SfqNetwork {
    /// The pass probability of a synapse (0 for no synapse) and dp/d|c| per µA
    /// (at least the surrogate slope).
    fn pass(models: &ForwardModel, c: f64) -> (f64, f64) {
        let s = if c > 0.0 {
            models.synapse()
        } else if c < 0.0 {
            models.synapse_inh()
        } else {
            return (0.0, SURROGATE_SLOPE);
        };
        (
            s.probability(c.abs()),
            slope(s, c.abs()).max(SURROGATE_SLOPE),
        )
    }

    /// The pass probability of a synapse (0 for no synapse).
    pub fn probability(models: &ForwardModel, c: f64) -> f64 {
        Self::pass(models, c).0
    }

    /// Rates of every layer for input rates `x` (GHz).
    pub fn forward(&self, models: &ForwardModel, x: &[f64]) -> Activity {
        let mut rates = vec![x.to_vec()];
        let mut slopes = Vec::new();
        for layer in &self.layers {
            let src = rates.last().expect("inputs");
            let mut r = Vec::with_capacity(layer.thresholds.len());
            let mut d = Vec::with_capacity(layer.thresholds.len());
            for (row, &th) in layer.currents.iter().zip(&layer.thresholds) {
                let (mut e, mut i) = (0.0, 0.0);
                for (&c, &ri) in row.iter().zip(src) {
                    let p = Self::probability(models, c);
                    if c > 0.0 {
                        e += p * ri;
                    } else if c < 0.0 {
                        i += p * ri;
                    }
                }
                let out = models.response.eval(e, i, th);
                r.push(out.r);
                d.push((out.d_e, out.d_i, out.d_th));
            }
            slopes.push(d);
            rates.push(r);
        }
        Activity { rates, slopes }
    }

    /// The activity of a run measured elsewhere (e.g. at pulse level): `rates[0]` the
    /// inputs, `rates[l + 1]` layer l's measured output rates (GHz); the response's
    /// slopes are taken at the input rates each neuron measurably received. With
    /// [`SfqNetwork::backward`] this trains on the measured forward pass through the
    /// model's derivatives.
    pub fn measured(&self, models: &ForwardModel, rates: Vec<Vec<f64>>) -> Activity {
        let mut slopes = Vec::new();
        for (l, layer) in self.layers.iter().enumerate() {
            let src = &rates[l];
            let d = layer
                .currents
                .iter()
                .zip(&layer.thresholds)
                .map(|(row, &th)| {
                    let (mut e, mut i) = (0.0, 0.0);
                    for (&c, &ri) in row.iter().zip(src) {
                        let p = Self::probability(models, c);
                        if c > 0.0 {
                            e += p * ri;
                        } else if c < 0.0 {
                            i += p * ri;
                        }
                    }
                    let out = models.response.eval(e, i, th);
                    (out.d_e, out.d_i, out.d_th)
                })
                .collect();
            slopes.push(d);
        }
        Activity { rates, slopes }
    }

    #[allow(clippy::needless_range_loop)] // j indexes several per-neuron arrays
    /// Back-propagates dLoss/d(rate) of every layer's neurons (`d_rates[l]` for layer
    /// l, added to what flows back from above) into the gradient of the parameters.
    pub fn backward(
        &self,
        models: &ForwardModel,
        act: &Activity,
        mut d_rates: Vec<Vec<f64>>,
    ) -> Gradient {
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
                let dr = d_rates[l][j];
                let (d_e, d_i, d_th) = act.slopes[l][j];
                g.thresholds[l][j] = dr * d_th;
                for (k, &c) in layer.currents[j].iter().enumerate() {
                    let (p, dp) = Self::pass(models, c);
                    // c > 0 moves E; c < 0 moves I, and |c| grows as c falls
                    let (w, dw) = if c > 0.0 {
                        (d_e * p, d_e * dp)
                    } else if c < 0.0 {
                        (d_i * p, -d_i * dp)
                    } else {
                        (0.0, d_e * dp)
                    };
                    g.currents[l][j][k] = dr * dw * src[k];
                    d_src[k] += dr * w;
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
