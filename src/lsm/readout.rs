//! Readout training on spike-count features: ridge regression (closed form) or softmax
//! logistic regression (gradient descent), then quantization to int8 weights and int32
//! biases for the RTL readout.

use std::path::PathBuf;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::events::{bin_events, EventSet};
use super::model::{argmax, readout_scores, run_sample};
use super::spec::LsmDesign;
use super::weights::{push_hex, Weights};
use super::{Artifact, LsmError};

/// Trained, quantized readout: `score_c = bias_c + Σ_n weights[c][n]·count_n`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedReadout {
    pub classes: usize,
    pub neurons: usize,
    /// int8 weights, `classes × neurons`.
    pub weights: Vec<Vec<i8>>,
    /// int32 biases (bounded to ±2^23 so the 32-bit score cannot overflow).
    pub biases: Vec<i32>,
    /// Float-to-integer scale used for quantization.
    pub scale: f64,
}

impl TrainedReadout {
    pub fn is_consistent(&self) -> bool {
        self.weights.len() == self.classes
            && self.biases.len() == self.classes
            && self.weights.iter().all(|w| w.len() == self.neurons)
            && self
                .biases
                .iter()
                .all(|b| b.unsigned_abs() <= BIAS_LIMIT as u32)
    }

    /// All-zero readout (the RTL before training).
    pub fn zeros(classes: usize, neurons: usize) -> Self {
        TrainedReadout {
            classes,
            neurons,
            weights: vec![vec![0; neurons]; classes],
            biases: vec![0; classes],
            scale: 1.0,
        }
    }

    /// The class the integer readout picks for these spike counts.
    pub fn classify(&self, counts: &[u32]) -> usize {
        argmax(&readout_scores(&self.weights, &self.biases, counts))
    }

    /// `$readmemh` image of the weights: one line per neuron, class `c` at bits `[8c +: 8]`.
    pub fn weights_hex(&self) -> Vec<u8> {
        let mut s = String::new();
        for n in 0..self.neurons {
            let mut bits = Vec::with_capacity(self.classes * 8);
            for c in 0..self.classes {
                let v = self.weights[c][n] as u8;
                bits.extend((0..8).map(|b| (v >> b) & 1 == 1));
            }
            push_hex(&mut s, &bits);
            s.push('\n');
        }
        s.into_bytes()
    }

    /// `$readmemh` image of the biases: one 32-bit two's complement word per class.
    pub fn biases_hex(&self) -> Vec<u8> {
        self.biases
            .iter()
            .map(|b| format!("{:08x}\n", *b as u32))
            .collect::<String>()
            .into_bytes()
    }
}

const BIAS_LIMIT: i32 = 1 << 23;

/// How to fit the readout.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum TrainMethod {
    /// Closed-form ridge regression on one-hot targets.
    Ridge { lambda: f64 },
    /// Softmax regression by full-batch gradient descent on standardized counts.
    Logistic {
        epochs: u32,
        learning_rate: f64,
        l2: f64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainSettings {
    pub method: TrainMethod,
    /// Fraction of samples held out for testing (deterministic shuffle by `seed`).
    pub test_fraction: f64,
    pub seed: u64,
}

impl Default for TrainSettings {
    fn default() -> Self {
        TrainSettings {
            method: TrainMethod::Ridge { lambda: 1.0 },
            test_fraction: 0.25,
            seed: 1,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TrainReport {
    pub readout: TrainedReadout,
    pub samples_train: usize,
    pub samples_test: usize,
    /// Accuracy of the int8 readout on the training split.
    pub train_accuracy: f64,
    /// Accuracy of the int8 readout on the test split.
    pub test_accuracy: f64,
    /// Accuracy of the unquantized readout on the test split.
    pub float_test_accuracy: f64,
    pub chance: f64,
    /// `confusion[true][predicted]` on the test split (int8 readout).
    pub confusion: Vec<Vec<u32>>,
    #[serde(skip)]
    pub artifacts: Vec<Artifact>,
}

/// Spike-count features of every sample (parallel).
pub fn features(design: &LsmDesign, weights: &Weights, set: &EventSet) -> Vec<Vec<u32>> {
    set.samples
        .par_iter()
        .map(|s| run_sample(design, weights, &bin_events(design, s)).counts)
        .collect()
}

/// Trains the readout on a labelled event set and quantizes it.
pub fn train_readout(
    design: &LsmDesign,
    weights: &Weights,
    set: &EventSet,
    settings: &TrainSettings,
) -> Result<TrainReport, LsmError> {
    let classes = design.classes();
    if classes == 0 {
        return Err(LsmError::Invalid(
            "the spec has no `readout:` section to train".into(),
        ));
    }
    let mut labels = Vec::with_capacity(set.samples.len());
    for (i, s) in set.samples.iter().enumerate() {
        match s.label {
            Some(l) if (l as usize) < classes => labels.push(l as usize),
            Some(l) => {
                return Err(LsmError::Invalid(format!(
                    "sample {i} has label {l}, the readout has {classes} classes"
                )))
            }
            None => return Err(LsmError::Invalid(format!("sample {i} has no label"))),
        }
    }
    if set.samples.len() < 4 {
        return Err(LsmError::Invalid("need at least 4 labelled samples".into()));
    }
    let x = features(design, weights, set);
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(settings.seed));
    let n_test = ((x.len() as f64 * settings.test_fraction).round() as usize).clamp(1, x.len() - 1);
    let (test, train) = order.split_at(n_test);
    let (wf, bf) = super::readout_fit::fit(
        &settings.method,
        &x,
        &labels,
        train,
        classes,
        design.neurons,
    );
    let readout = quantize(&wf, &bf, design.neurons);
    let float_pred = |i: usize| {
        let s: Vec<f64> = (0..classes)
            .map(|c| {
                bf[c]
                    + wf[c]
                        .iter()
                        .zip(&x[i])
                        .map(|(w, &f)| w * f as f64)
                        .sum::<f64>()
            })
            .collect();
        (0..classes).fold(0, |b, c| if s[c] > s[b] { c } else { b })
    };
    let acc = |idx: &[usize], f: &dyn Fn(usize) -> usize| {
        idx.iter().filter(|&&i| f(i) == labels[i]).count() as f64 / idx.len().max(1) as f64
    };
    let int_pred = |i: usize| readout.classify(&x[i]);
    let mut confusion = vec![vec![0u32; classes]; classes];
    for &i in test {
        confusion[labels[i]][int_pred(i)] += 1;
    }
    let mut report = TrainReport {
        train_accuracy: acc(train, &int_pred),
        test_accuracy: acc(test, &int_pred),
        float_test_accuracy: acc(test, &float_pred),
        chance: 1.0 / classes as f64,
        samples_train: train.len(),
        samples_test: test.len(),
        confusion,
        readout,
        artifacts: Vec::new(),
    };
    let json = serde_json::to_vec_pretty(&report.readout)
        .map_err(|e| LsmError::Invalid(format!("readout JSON: {e}")))?;
    let summary = serde_json::to_vec_pretty(&report)
        .map_err(|e| LsmError::Invalid(format!("train report JSON: {e}")))?;
    report.artifacts = vec![
        (PathBuf::from(format!("{}_readout.json", design.name)), json),
        (PathBuf::from("readout_w.hex"), report.readout.weights_hex()),
        (PathBuf::from("readout_b.hex"), report.readout.biases_hex()),
        (PathBuf::from("train_report.json"), summary),
    ];
    Ok(report)
}

/// Scales float weights so the largest magnitude maps to 127.
pub fn quantize(w: &[Vec<f64>], b: &[f64], neurons: usize) -> TrainedReadout {
    let max = w
        .iter()
        .flatten()
        .fold(0.0f64, |m, v| m.max(v.abs()))
        .max(1e-12);
    let scale = 127.0 / max;
    TrainedReadout {
        classes: w.len(),
        neurons,
        weights: w
            .iter()
            .map(|r| {
                r.iter()
                    .map(|v| (v * scale).round().clamp(-127.0, 127.0) as i8)
                    .collect()
            })
            .collect(),
        biases: b
            .iter()
            .map(|v| {
                (v * scale)
                    .round()
                    .clamp(-(BIAS_LIMIT as f64), BIAS_LIMIT as f64) as i32
            })
            .collect(),
        scale,
    }
}
