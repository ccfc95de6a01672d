//! The forward model's cells, from the pulse-level cell models
//! ([`crate::pulse::CellModels`], `models/default.json`): the synapse pass curve as it
//! is, and the neuron's **rate response** measured by running the pulse-level automaton
//! of one neuron (with a merger on each input) over a grid of excitatory input rate E,
//! inhibitory input rate I and threshold current th.
//!
//! Each grid point is the mean output count of `seeds` runs whose inputs are Poisson
//! trains over the rate code's window (the excitatory rate split over the two inputs
//! of a merger, as a merger tree collects a neuron's synapses), counted until 200 ps
//! after the window, as the accuracy check counts, divided by the window: so the
//! first fire's latency, the leak, the refractory time and merger collisions are all
//! in the table. Between grid points the response is trilinear; outside the grid it
//! is clamped to its edge. The same seeds are used at every point (common random
//! numbers), so the table is smooth in each axis.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::pulse::models::Sigmoid;
use crate::pulse::{CellModels, Kind, NetBuilder, Simulator};

/// Excitatory input rates of the grid (GHz).
pub const E_AXIS: [f64; 20] = [
    0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 10.0, 12.0, 15.0, 18.0, 21.0, 25.0, 30.0, 35.0, 40.0, 50.0,
    60.0, 80.0, 100.0,
];
/// Inhibitory input rates of the grid (GHz).
pub const I_AXIS: [f64; 9] = [0.0, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0, 18.0, 25.0];
/// Threshold currents of the grid (µA).
pub const TH_AXIS: [f64; 12] = [
    255.0, 260.0, 265.0, 270.0, 275.0, 280.0, 285.0, 290.0, 295.0, 300.0, 305.0, 310.0,
];

/// Smallest slopes the gradient uses where the table is flat (a silent neuron still
/// learns which way to go): dr/dE (per GHz of input), −dr/dI, dr/dth (GHz per µA).
const FLOOR_E: f64 = 0.02;
const FLOOR_I: f64 = 0.01;
const FLOOR_TH: f64 = 0.002;

/// The output rate of a neuron as a function of (E, I, th), with its derivatives.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// `rate[(t · I_AXIS.len() + i) · E_AXIS.len() + e]` in GHz.
    rate: Vec<f64>,
}

/// The value and the partial derivatives of the response at one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub r: f64,
    pub d_e: f64,
    pub d_i: f64,
    pub d_th: f64,
}

/// Segment of a sorted axis holding x (clamped), and the fraction along it.
fn locate(axis: &[f64], x: f64) -> (usize, f64, f64) {
    let n = axis.len();
    let k = axis.partition_point(|&a| a <= x).clamp(1, n - 1) - 1;
    let width = axis[k + 1] - axis[k];
    let f = ((x - axis[k]) / width).clamp(0.0, 1.0);
    (k, f, width)
}

/// Poisson pulse times (s) at `rate_ghz` over `[0, window_s)`.
fn poisson(rng: &mut ChaCha8Rng, rate_ghz: f64, window_s: f64) -> Vec<f64> {
    let mut out = Vec::new();
    if rate_ghz <= 0.0 {
        return out;
    }
    let mean = 1e-9 / rate_ghz;
    let mut t = 0.0;
    loop {
        t += -mean * (1.0 - rng.random::<f64>()).ln();
        if t >= window_s {
            return out;
        }
        out.push(t);
    }
}

impl Response {
    /// Measures the table at pulse level over a window of `window_s` seconds, `seeds`
    /// runs per point. Deterministic for the same models, window and seeds.
    pub fn measure(models: &CellModels, window_s: f64, seeds: u64) -> Response {
        let c = &models.cells;
        let mut rate = Vec::with_capacity(TH_AXIS.len() * I_AXIS.len() * E_AXIS.len());
        for &th in &TH_AXIS {
            let mut b = NetBuilder::new(models);
            let me = b.add(
                "me".into(),
                Kind::Merger,
                c.merger.delay_ps,
                c.merger.collision_ps * 1e-12,
            );
            let mi = b.add(
                "mi".into(),
                Kind::Merger,
                c.merger.delay_ps,
                c.merger.collision_ps * 1e-12,
            );
            let n = b.add(
                "n".into(),
                Kind::Neuron,
                c.neuron.delay_ps,
                c.neuron.threshold_at(th),
            );
            b.connect(me, 0, n, 0);
            b.connect(mi, 0, n, 1);
            b.observe("q", n);
            let base = b.finish();
            for &i in &I_AXIS {
                for &e in &E_AXIS {
                    let mut total = 0usize;
                    for s in 0..seeds {
                        let mut rng = ChaCha8Rng::seed_from_u64(1_000 + s);
                        let mut net = base.clone();
                        for (rate_ghz, cell, port) in
                            [(e / 2.0, me, 0), (e / 2.0, me, 1), (i, mi, 0)]
                        {
                            for t in poisson(&mut rng, rate_ghz, window_s) {
                                net.stimulus.push((t, (cell << 1) | port));
                            }
                        }
                        net.stimulus
                            .sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                        let out = Simulator::new(&net).run(s, window_s + 200e-12);
                        total += out.pulses.get("q").map_or(0, <[f64]>::len);
                    }
                    rate.push(total as f64 / seeds as f64 / (window_s * 1e9));
                }
            }
        }
        Response { rate }
    }

    fn at(&self, t: usize, i: usize, e: usize) -> f64 {
        self.rate[(t * I_AXIS.len() + i) * E_AXIS.len() + e]
    }

    /// The output rate (GHz) at excitatory and inhibitory input rates (GHz) and a
    /// threshold current (µA), trilinear, with derivatives (floored where flat).
    pub fn eval(&self, e: f64, i: f64, th: f64) -> Rate {
        let (ke, fe, we) = locate(&E_AXIS, e);
        let (ki, fi, wi) = locate(&I_AXIS, i);
        let (kt, ft, wt) = locate(&TH_AXIS, th);
        let mut v = [[[0.0; 2]; 2]; 2];
        for (dt, vt) in v.iter_mut().enumerate() {
            for (di, vi) in vt.iter_mut().enumerate() {
                for (de, x) in vi.iter_mut().enumerate() {
                    *x = self.at(kt + dt, ki + di, ke + de);
                }
            }
        }
        let lerp = |a: f64, b: f64, f: f64| a + (b - a) * f;
        // interpolate along e, then i, then th; derivatives of the same blend
        let along_e = |t: usize, i: usize| lerp(v[t][i][0], v[t][i][1], fe);
        let de_at = |t: usize, i: usize| (v[t][i][1] - v[t][i][0]) / we;
        let plane = |t: usize| lerp(along_e(t, 0), along_e(t, 1), fi);
        let r = lerp(plane(0), plane(1), ft);
        let d_e = lerp(
            lerp(de_at(0, 0), de_at(0, 1), fi),
            lerp(de_at(1, 0), de_at(1, 1), fi),
            ft,
        );
        let d_i = lerp(
            (along_e(0, 1) - along_e(0, 0)) / wi,
            (along_e(1, 1) - along_e(1, 0)) / wi,
            ft,
        );
        let d_th = (plane(1) - plane(0)) / wt;
        Rate {
            r,
            d_e: d_e.max(FLOOR_E),
            d_i: d_i.min(-FLOOR_I),
            d_th: d_th.max(FLOOR_TH),
        }
    }
}

/// What training simulates: the synapse pass curves of the cell models and the
/// measured neuron response.
#[derive(Debug, Clone)]
pub struct ForwardModel {
    pub cells: CellModels,
    pub response: Response,
}

impl ForwardModel {
    /// The forward model of these cell models for inputs over a window of `window_s`.
    pub fn new(cells: CellModels, window_s: f64) -> ForwardModel {
        let response = Response::measure(&cells, window_s, 16);
        ForwardModel { cells, response }
    }

    pub fn synapse(&self) -> &Sigmoid {
        &self.cells.cells.synapse.pass
    }

    pub fn synapse_inh(&self) -> &Sigmoid {
        &self.cells.cells.synapse_inh.pass
    }
}

/// dp/dw of a pass curve at a current, per µA.
pub fn slope(s: &Sigmoid, w_ua: f64) -> f64 {
    let p = s.probability(w_ua);
    p * (1.0 - p) / s.scale_ua
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_rises_with_input_and_threshold_and_falls_with_inhibition() {
        let models = crate::pulse::default_models().unwrap();
        let r = Response::measure(&models, 2e-9, 4);
        let at = |e, i, th| r.eval(e, i, th).r;
        assert_eq!(at(0.0, 0.0, 300.0), 0.0);
        assert!(at(30.0, 0.0, 300.0) > at(10.0, 0.0, 300.0));
        assert!(at(30.0, 0.0, 305.0) > at(30.0, 0.0, 265.0));
        assert!(at(30.0, 12.0, 300.0) < at(30.0, 0.0, 300.0));
        // the interpolation reproduces the grid points
        assert_eq!(at(E_AXIS[7], I_AXIS[0], TH_AXIS[9]), r.at(9, 0, 7));
        let g = r.eval(13.0, 2.5, 282.0);
        assert!(g.d_e > 0.0 && g.d_i < 0.0 && g.d_th > 0.0);
    }
}
