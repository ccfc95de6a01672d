//! The paper's readout: a small MLP on the reservoir's firing rates (spike counts over the
//! sample), trained in floating point with Adam on mini-batches (seeded), then quantized
//! for the integer datapath of the RTL.
//!
//! Float network (on standardized counts `z = (count − μ)/σ`, statistics of the training
//! split): `h = ReLU(W1·z + b1)`, `scores = W2·h + b2`, softmax cross-entropy, He
//! initialization, Adam (β1 0.9, β2 0.999, ε 1e−8), L2 weight decay.
//!
//! Quantization (int8 weights, int32 biases, integer arithmetic only):
//! 1. the standardization is folded into layer 1 (`W1' = W1/σ`, `b1' = b1 − W1'·μ`), so the
//!    RTL takes raw spike counts;
//! 2. layer 1 is scaled by `s1 = 127 / max|W1'|`: `W1q = round(s1·W1')`, `b1q = round(s1·b1')`;
//! 3. hidden activations are `h = min(127, max(0, acc1) >>> k1)` (ReLU, an arithmetic shift
//!    rounding toward −∞, saturation to int8) with the smallest `k1` that keeps the largest
//!    training-set activation ≤ 127 — so `h ≈ a·h_float`, `a = s1/2^k1`;
//! 4. layer 2 is scaled by `s2 = 127 / max|W2|`: `W2q = round(s2·W2)`, `b2q = round(s2·a·b2)`;
//!    the class is the first maximum of `b2q + W2q·h` (a positive rescaling of the float
//!    scores, so only rounding separates the two).

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

use super::model::argmax;

/// Training hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MlpSettings {
    /// Hidden neurons (0: a single softmax layer).
    pub hidden: usize,
    pub epochs: u32,
    pub batch: usize,
    pub learning_rate: f64,
    /// L2 weight decay.
    pub l2: f64,
    pub seed: u64,
}

impl MlpSettings {
    pub fn new(hidden: usize, seed: u64) -> Self {
        MlpSettings {
            hidden,
            epochs: 200,
            batch: 32,
            learning_rate: 2e-3,
            l2: 1e-4,
            seed,
        }
    }
}

/// The float network on raw counts (standardization folded in). With `hidden == 0`,
/// `w1`/`b1` are empty and `w2` maps counts to scores directly.
#[derive(Debug, Clone, PartialEq)]
pub struct FloatMlp {
    pub hidden: usize,
    pub w1: Vec<Vec<f64>>,
    pub b1: Vec<f64>,
    pub w2: Vec<Vec<f64>>,
    pub b2: Vec<f64>,
}

impl FloatMlp {
    fn hidden_of(&self, x: &[f64]) -> Vec<f64> {
        self.w1
            .iter()
            .zip(&self.b1)
            .map(|(w, b)| (b + dot(w, x)).max(0.0))
            .collect()
    }
    /// Class scores for raw counts.
    pub fn scores(&self, counts: &[u32]) -> Vec<f64> {
        let x: Vec<f64> = counts.iter().map(|&c| c as f64).collect();
        let h = if self.hidden == 0 {
            x
        } else {
            self.hidden_of(&x)
        };
        self.w2
            .iter()
            .zip(&self.b2)
            .map(|(w, b)| b + dot(w, &h))
            .collect()
    }
    pub fn classify(&self, counts: &[u32]) -> usize {
        let s = self.scores(counts);
        (0..s.len()).fold(0, |b, c| if s[c] > s[b] { c } else { b })
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The quantized two-layer readout the RTL computes (see the module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MlpReadout {
    pub classes: usize,
    pub neurons: usize,
    pub hidden: usize,
    /// int8, `hidden × neurons`.
    pub w1: Vec<Vec<i8>>,
    pub b1: Vec<i32>,
    /// Requantization shift of the hidden layer.
    pub shift: u32,
    /// int8, `classes × hidden`.
    pub w2: Vec<Vec<i8>>,
    pub b2: Vec<i32>,
}

/// Bias bound, as for the linear readout (±2^23), so the 32-bit scores keep headroom.
pub const BIAS_LIMIT: i64 = 1 << 23;

impl MlpReadout {
    /// All-zero weights (the RTL before training).
    pub fn zeros(classes: usize, neurons: usize, hidden: usize) -> Self {
        MlpReadout {
            classes,
            neurons,
            hidden,
            w1: vec![vec![0; neurons]; hidden],
            b1: vec![0; hidden],
            shift: 0,
            w2: vec![vec![0; hidden]; classes],
            b2: vec![0; classes],
        }
    }
    pub fn is_consistent(&self) -> bool {
        self.hidden > 0
            && self.w1.len() == self.hidden
            && self.b1.len() == self.hidden
            && self.w1.iter().all(|r| r.len() == self.neurons)
            && self.w2.len() == self.classes
            && self.b2.len() == self.classes
            && self.w2.iter().all(|r| r.len() == self.hidden)
            && self.shift < 32
            && self
                .b1
                .iter()
                .chain(&self.b2)
                .all(|b| (*b as i64).abs() <= BIAS_LIMIT)
    }
    /// Layer-1 accumulators (before ReLU and the shift).
    pub fn hidden_acc(&self, counts: &[u32]) -> Vec<i64> {
        self.w1
            .iter()
            .zip(&self.b1)
            .map(|(w, &b)| {
                b as i64
                    + w.iter()
                        .zip(counts)
                        .map(|(&wi, &c)| wi as i64 * c as i64)
                        .sum::<i64>()
            })
            .collect()
    }
    /// The int8 hidden activations.
    pub fn hidden(&self, counts: &[u32]) -> Vec<u8> {
        self.hidden_acc(counts)
            .into_iter()
            .map(|a| (a.max(0) >> self.shift).min(127) as u8)
            .collect()
    }
    /// Class scores (int32 in the RTL).
    pub fn scores(&self, counts: &[u32]) -> Vec<i64> {
        let h = self.hidden(counts);
        self.w2
            .iter()
            .zip(&self.b2)
            .map(|(w, &b)| {
                b as i64
                    + w.iter()
                        .zip(&h)
                        .map(|(&wi, &x)| wi as i64 * x as i64)
                        .sum::<i64>()
            })
            .collect()
    }
    /// The first class of maximum score.
    pub fn classify(&self, counts: &[u32]) -> usize {
        argmax(&self.scores(counts))
    }
}

/// Standardization statistics of the training rows.
fn stats(x: &[Vec<u32>], train: &[usize], n: usize) -> (Vec<f64>, Vec<f64>) {
    let m = train.len().max(1) as f64;
    let mut mean = vec![0.0; n];
    let mut var = vec![0.0; n];
    for &i in train {
        for (a, &v) in mean.iter_mut().zip(&x[i]) {
            *a += v as f64 / m;
        }
    }
    for &i in train {
        for k in 0..n {
            let d = x[i][k] as f64 - mean[k];
            var[k] += d * d / m;
        }
    }
    (mean, var.iter().map(|v| v.sqrt().max(1e-9)).collect())
}

/// One Adam-updated parameter tensor (flat).
struct Param {
    w: Vec<f64>,
    g: Vec<f64>,
    m: Vec<f64>,
    v: Vec<f64>,
}

impl Param {
    fn new(w: Vec<f64>) -> Self {
        let n = w.len();
        Param {
            w,
            g: vec![0.0; n],
            m: vec![0.0; n],
            v: vec![0.0; n],
        }
    }
    fn step(&mut self, lr: f64, t: i32, decay: f64) {
        let (b1, b2, eps) = (0.9, 0.999, 1e-8);
        let c1 = 1.0 - f64::powi(b1, t);
        let c2 = 1.0 - f64::powi(b2, t);
        for i in 0..self.w.len() {
            let g = self.g[i] + decay * self.w[i];
            self.m[i] = b1 * self.m[i] + (1.0 - b1) * g;
            self.v[i] = b2 * self.v[i] + (1.0 - b2) * g * g;
            self.w[i] -= lr * (self.m[i] / c1) / ((self.v[i] / c2).sqrt() + eps);
        }
        self.g.fill(0.0);
    }
}

/// Trains the float network on rows `train` of the count matrix `x` (Adam, mini-batches,
/// seeded shuffles and initialization).
pub fn train_mlp(
    x: &[Vec<u32>],
    labels: &[usize],
    train: &[usize],
    classes: usize,
    settings: &MlpSettings,
) -> FloatMlp {
    let n = x.first().map_or(0, Vec::len);
    let h = settings.hidden;
    let (mean, sd) = stats(x, train, n);
    let z: Vec<Vec<f64>> = x
        .iter()
        .map(|r| (0..n).map(|k| (r[k] as f64 - mean[k]) / sd[k]).collect())
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
    let width = if h == 0 { n } else { h };
    let mut init = |fan_in: usize, len: usize| -> Vec<f64> {
        let d = Normal::new(0.0, (2.0 / fan_in.max(1) as f64).sqrt()).expect("valid sigma");
        (0..len).map(|_| d.sample(&mut rng)).collect()
    };
    let mut w1 = Param::new(if h == 0 { Vec::new() } else { init(n, h * n) });
    let mut b1 = Param::new(vec![0.0; h]);
    let mut w2 = Param::new(init(width, classes * width));
    let mut b2 = Param::new(vec![0.0; classes]);
    let mut order = train.to_vec();
    let mut t = 0;
    let mut hid = vec![0.0; h];
    let mut dh = vec![0.0; h];
    let mut p = vec![0.0; classes];
    for _ in 0..settings.epochs {
        order.shuffle(&mut rng);
        for batch in order.chunks(settings.batch.max(1)) {
            let scale = 1.0 / batch.len() as f64;
            for &i in batch {
                let xi = &z[i];
                let input: &[f64] = if h == 0 {
                    xi
                } else {
                    for (j, hj) in hid.iter_mut().enumerate() {
                        *hj = (b1.w[j] + dot(&w1.w[j * n..(j + 1) * n], xi)).max(0.0);
                    }
                    &hid
                };
                for (c, pc) in p.iter_mut().enumerate() {
                    *pc = b2.w[c] + dot(&w2.w[c * width..(c + 1) * width], input);
                }
                let mx = p.iter().cloned().fold(f64::MIN, f64::max);
                let mut tot = 0.0;
                for v in p.iter_mut() {
                    *v = (*v - mx).exp();
                    tot += *v;
                }
                dh.fill(0.0);
                for (c, &pc) in p.iter().enumerate() {
                    let e = (pc / tot - f64::from(u8::from(labels[i] == c))) * scale;
                    b2.g[c] += e;
                    let row = c * width;
                    for k in 0..width {
                        w2.g[row + k] += e * input[k];
                        if h > 0 {
                            dh[k] += e * w2.w[row + k];
                        }
                    }
                }
                for (j, (&hj, &dj)) in hid.iter().zip(&dh).enumerate() {
                    if hj > 0.0 {
                        b1.g[j] += dj;
                        let row = &mut w1.g[j * n..(j + 1) * n];
                        for (g, &x) in row.iter_mut().zip(xi) {
                            *g += dj * x;
                        }
                    }
                }
            }
            t += 1;
            let lr = settings.learning_rate;
            w1.step(lr, t, settings.l2);
            b1.step(lr, t, 0.0);
            w2.step(lr, t, settings.l2);
            b2.step(lr, t, 0.0);
        }
    }
    // Fold the standardization into the first layer (raw counts in).
    let fold = |w: &[f64], b: f64| -> (Vec<f64>, f64) {
        let wf: Vec<f64> = (0..n).map(|k| w[k] / sd[k]).collect();
        let bf = b - (0..n).map(|k| wf[k] * mean[k]).sum::<f64>();
        (wf, bf)
    };
    let (mut l1w, mut l1b, mut l2w, mut l2b) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    if h == 0 {
        for c in 0..classes {
            let (w, b) = fold(&w2.w[c * n..(c + 1) * n], b2.w[c]);
            l2w.push(w);
            l2b.push(b);
        }
    } else {
        for j in 0..h {
            let (w, b) = fold(&w1.w[j * n..(j + 1) * n], b1.w[j]);
            l1w.push(w);
            l1b.push(b);
        }
        l2w = (0..classes)
            .map(|c| w2.w[c * h..(c + 1) * h].to_vec())
            .collect();
        l2b = b2.w.clone();
    }
    FloatMlp {
        hidden: h,
        w1: l1w,
        b1: l1b,
        w2: l2w,
        b2: l2b,
    }
}

fn max_abs(w: &[Vec<f64>]) -> f64 {
    w.iter()
        .flatten()
        .fold(0.0f64, |m, v| m.max(v.abs()))
        .max(1e-12)
}

fn q8(v: f64) -> i8 {
    v.round().clamp(-127.0, 127.0) as i8
}

fn q32(v: f64) -> i32 {
    v.round().clamp(-(BIAS_LIMIT as f64), BIAS_LIMIT as f64) as i32
}

/// Quantizes a network with a hidden layer (see the module docs); `calibration` are the
/// training rows' counts that fix the hidden shift.
pub fn quantize_mlp(f: &FloatMlp, neurons: usize, calibration: &[&[u32]]) -> MlpReadout {
    let s1 = 127.0 / max_abs(&f.w1);
    let mut q = MlpReadout {
        classes: f.w2.len(),
        neurons,
        hidden: f.hidden,
        w1: f
            .w1
            .iter()
            .map(|r| r.iter().map(|v| q8(v * s1)).collect())
            .collect(),
        b1: f.b1.iter().map(|v| q32(v * s1)).collect(),
        shift: 0,
        w2: Vec::new(),
        b2: Vec::new(),
    };
    let peak = calibration
        .iter()
        .flat_map(|c| q.hidden_acc(c))
        .max()
        .unwrap_or(0)
        .max(0);
    while (peak >> q.shift) > 127 && q.shift < 31 {
        q.shift += 1;
    }
    let a = s1 / (1u64 << q.shift) as f64;
    let s2 = 127.0 / max_abs(&f.w2);
    q.w2 =
        f.w2.iter()
            .map(|r| r.iter().map(|v| q8(v * s2)).collect())
            .collect();
    q.b2 = f.b2.iter().map(|v| q32(v * s2 * a)).collect();
    q
}
