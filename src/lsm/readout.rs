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
use super::mlp::{quantize_mlp, train_mlp, FloatMlp, MlpReadout, MlpSettings};
use super::model::{argmax, readout_scores, run_sample};
use super::readout_fit::{fit, LinearFit};
use super::spec::{LsmDesign, ReadoutWeights};
use super::weights::{push_hex, Weights};
use super::{Artifact, LsmError};
use crate::train::{Confusion, DecisionRule};

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
    /// The paper's readout: an MLP (hidden layer optional) trained with Adam on
    /// mini-batches ([`super::mlp`]).
    Mlp(MlpSettings),
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
    /// 95 % Wilson interval of `test_accuracy`.
    pub test_interval: (f64, f64),
    /// `confusion[true][predicted]` on the test split (int8 readout).
    pub confusion: Vec<Vec<u32>>,
    /// The two-layer readout, when the MLP has a hidden layer (`readout` is then unused
    /// zeros of the linear shape).
    pub mlp: Option<MlpReadout>,
    /// The readout's kind: `ridge`, `logistic`, `mlp N` (hidden neurons).
    pub method: String,
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
                    "sample {i} has label {l}, outside the readout's classes 0..{classes}"
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
    let float = fit_float(settings, &x, &labels, train, classes, design.neurons);
    let (readout, mlp) = match &float {
        FloatReadout::Linear(wf, bf) => (quantize(wf, bf, design.neurons), None),
        FloatReadout::Mlp(f) => {
            let calibration: Vec<&[u32]> = train.iter().map(|&i| x[i].as_slice()).collect();
            (
                TrainedReadout::zeros(classes, design.neurons),
                Some(quantize_mlp(f, design.neurons, &calibration)),
            )
        }
    };
    let float_pred = |i: usize| float.classify(&x[i]);
    let acc = |idx: &[usize], f: &dyn Fn(usize) -> usize| {
        idx.iter().filter(|&&i| f(i) == labels[i]).count() as f64 / idx.len().max(1) as f64
    };
    let int_pred = |i: usize| match &mlp {
        Some(m) => m.classify(&x[i]),
        None => readout.classify(&x[i]),
    };
    let names: Vec<String> = (0..classes).map(|c| c.to_string()).collect();
    let mut table = Confusion::with_rule(names, DecisionRule::HighestScore);
    for &i in test {
        table.add(labels[i], Some(int_pred(i)));
    }
    let confusion = table
        .matrix
        .iter()
        .map(|r| r[..classes].iter().map(|&v| v as u32).collect())
        .collect();
    let mut report = TrainReport {
        train_accuracy: acc(train, &int_pred),
        test_accuracy: acc(test, &int_pred),
        test_interval: table.interval(),
        float_test_accuracy: acc(test, &float_pred),
        chance: 1.0 / classes as f64,
        samples_train: train.len(),
        samples_test: test.len(),
        confusion,
        readout,
        mlp,
        method: method_name(&settings.method),
        artifacts: Vec::new(),
    };
    let json = match &report.mlp {
        Some(m) => serde_json::to_vec_pretty(m),
        None => serde_json::to_vec_pretty(&report.readout),
    }
    .map_err(|e| LsmError::Invalid(format!("readout JSON: {e}")))?;
    let summary = serde_json::to_vec_pretty(&report)
        .map_err(|e| LsmError::Invalid(format!("train report JSON: {e}")))?;
    let title = format!(
        "{}: held-out {} readout, {}",
        design.name,
        report.method,
        table.summary()
    );
    let svg = table.to_svg(&title).map_err(LsmError::Plot)?;
    let text = format!(
        "{title}\n(int8 readout on {} held-out samples; float readout {:.1} %, chance {:.1} %)\n{}",
        report.samples_test,
        100.0 * report.float_test_accuracy,
        100.0 * report.chance,
        table.to_table()
    );
    let mut artifacts = vec![(PathBuf::from(format!("{}_readout.json", design.name)), json)];
    let images = match &report.mlp {
        Some(m) => ReadoutWeights::Mlp(m.clone()).memory_images(),
        None => ReadoutWeights::Linear(report.readout.clone()).memory_images(),
    };
    artifacts.extend(images.into_iter().map(|(n, b)| (PathBuf::from(n), b)));
    artifacts.push((PathBuf::from("train_report.json"), summary));
    artifacts.push((PathBuf::from("confusion.txt"), text.into_bytes()));
    artifacts.push((PathBuf::from("confusion.svg"), svg.into_bytes()));
    report.artifacts = artifacts;
    Ok(report)
}

fn method_name(m: &TrainMethod) -> String {
    match m {
        TrainMethod::Ridge { .. } => "ridge".into(),
        TrainMethod::Logistic { .. } => "logistic".into(),
        TrainMethod::Mlp(s) if s.hidden == 0 => "mlp (no hidden layer)".into(),
        TrainMethod::Mlp(s) => format!("mlp (hidden {})", s.hidden),
    }
}

/// A fitted float readout on raw counts.
enum FloatReadout {
    Linear(Vec<Vec<f64>>, Vec<f64>),
    Mlp(FloatMlp),
}

impl FloatReadout {
    fn classify(&self, counts: &[u32]) -> usize {
        match self {
            FloatReadout::Linear(w, b) => {
                let s: Vec<f64> = w
                    .iter()
                    .zip(b)
                    .map(|(w, b)| {
                        b + w
                            .iter()
                            .zip(counts)
                            .map(|(w, &f)| w * f as f64)
                            .sum::<f64>()
                    })
                    .collect();
                (0..s.len()).fold(0, |b, c| if s[c] > s[b] { c } else { b })
            }
            FloatReadout::Mlp(f) => f.classify(counts),
        }
    }
}

fn fit_float(
    settings: &TrainSettings,
    x: &[Vec<u32>],
    labels: &[usize],
    train: &[usize],
    classes: usize,
    neurons: usize,
) -> FloatReadout {
    match &settings.method {
        TrainMethod::Mlp(m) => {
            let f = train_mlp(x, labels, train, classes, m);
            if m.hidden == 0 {
                FloatReadout::Linear(f.w2, f.b2)
            } else {
                FloatReadout::Mlp(f)
            }
        }
        TrainMethod::Ridge { lambda } => {
            let method = LinearFit::Ridge { lambda: *lambda };
            let (w, b) = fit(method, x, labels, train, classes, neurons);
            FloatReadout::Linear(w, b)
        }
        &TrainMethod::Logistic {
            epochs,
            learning_rate,
            l2,
        } => {
            let method = LinearFit::Logistic {
                epochs,
                learning_rate,
                l2,
            };
            let (w, b) = fit(method, x, labels, train, classes, neurons);
            FloatReadout::Linear(w, b)
        }
    }
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
