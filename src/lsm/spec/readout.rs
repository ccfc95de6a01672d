//! The `readout:` section: the readout's shape, its trained weights (one layer or an MLP
//! with a hidden layer) and their `$readmemh` images, and the section's validation.

use serde_saphyr::Spanned;

use super::{beside, locate, RawReadout};
use crate::diagnostic::{SourceError, SourceFile};
use crate::lsm::mlp::MlpReadout;
use crate::lsm::readout::TrainedReadout;

/// Trained readout weights: one layer (neurons → classes), or the MLP with a hidden layer.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum ReadoutWeights {
    Linear(TrainedReadout),
    Mlp(MlpReadout),
}

impl From<TrainedReadout> for ReadoutWeights {
    fn from(t: TrainedReadout) -> Self {
        ReadoutWeights::Linear(t)
    }
}

impl From<MlpReadout> for ReadoutWeights {
    fn from(m: MlpReadout) -> Self {
        ReadoutWeights::Mlp(m)
    }
}

impl ReadoutWeights {
    /// The class the integer readout (the RTL's arithmetic) picks for these spike counts.
    pub fn classify(&self, counts: &[u32]) -> usize {
        match self {
            ReadoutWeights::Linear(t) => t.classify(counts),
            ReadoutWeights::Mlp(m) => m.classify(counts),
        }
    }
    /// The integer class scores (the RTL's 32-bit scores).
    pub fn scores(&self, counts: &[u32]) -> Vec<i64> {
        match self {
            ReadoutWeights::Linear(t) => {
                crate::lsm::model::readout_scores(&t.weights, &t.biases, counts)
            }
            ReadoutWeights::Mlp(m) => m.scores(counts),
        }
    }
    /// Hidden neurons (0 for one layer).
    pub fn hidden(&self) -> usize {
        match self {
            ReadoutWeights::Linear(_) => 0,
            ReadoutWeights::Mlp(m) => m.hidden,
        }
    }
    /// The `$readmemh` images the RTL readout loads: `(file name, bytes)`.
    pub fn memory_images(&self) -> Vec<(String, Vec<u8>)> {
        match self {
            ReadoutWeights::Linear(t) => vec![
                ("readout_w.hex".to_string(), t.weights_hex()),
                ("readout_b.hex".to_string(), t.biases_hex()),
            ],
            ReadoutWeights::Mlp(m) => mlp_images(m),
        }
    }
}

/// The readout stage (int8 weights, int32 biases).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReadoutSpec {
    pub classes: u32,
    /// Hidden ReLU neurons of an MLP readout (0: one layer, neurons → classes).
    pub hidden: u32,
    /// Trained weights loaded from `readout.weights`; `None` means all-zero (untrained).
    pub trained: Option<ReadoutWeights>,
    /// Multiply-accumulate units of the readout (`1..=classes`): the classes are scored
    /// `mac_units` at a time, one reservoir neuron per cycle.
    pub mac_units: u32,
}

impl ReadoutSpec {
    /// Blocks of `mac_units` classes.
    pub fn blocks(&self) -> u32 {
        self.classes.div_ceil(self.mac_units)
    }
    /// Blocks of `mac_units` hidden neurons (0 without a hidden layer).
    pub fn hidden_blocks(&self) -> u32 {
        self.hidden.div_ceil(self.mac_units)
    }
    /// Readout cycles per sample: every block of a layer takes one cycle per input of the
    /// layer (reservoir neurons, then hidden neurons), then one argmax cycle per class.
    pub fn cycles(&self, neurons: usize) -> usize {
        if self.hidden == 0 {
            self.blocks() as usize * neurons + self.classes as usize
        } else {
            self.hidden_blocks() as usize * neurons
                + self.blocks() as usize * self.hidden as usize
                + self.classes as usize
        }
    }
    /// The weights the RTL is built with: the trained ones, else all zeros.
    pub fn weights(&self, neurons: usize) -> ReadoutWeights {
        match &self.trained {
            Some(t) => t.clone(),
            None if self.hidden == 0 => {
                TrainedReadout::zeros(self.classes as usize, neurons).into()
            }
            None => MlpReadout::zeros(self.classes as usize, neurons, self.hidden as usize).into(),
        }
    }
}

pub(super) fn validate(
    file: &SourceFile,
    r: &RawReadout,
    neurons: usize,
    time_steps: usize,
) -> Result<ReadoutSpec, SourceError> {
    let classes = super::check::range(file, &r.classes, 2, 256, "readout.classes")?;
    let spec_hidden = match &r.hidden {
        None => None,
        Some(h) => Some(super::check::range(file, h, 0, 1024, "readout.hidden")?),
    };
    // The RTL accumulates in 32 bits; the largest layer-1 sum must fit (biases are ±2^23).
    let peak = neurons as u64 * 127 * time_steps as u64 + (1 << 23);
    if peak >= 1 << 31 {
        return Err(locate(
            file,
            &r.classes,
            format!(
                "a readout on {neurons} neurons × {time_steps} time steps can reach |score| {peak} with int8 weights, beyond the RTL's 32-bit accumulators; use fewer neurons or time steps"
            ),
        ));
    }
    let trained = match &r.weights {
        None => None,
        Some(w) => Some(readout_weights(file, w, classes as usize, neurons)?),
    };
    let file_hidden = trained.as_ref().map(|t| t.hidden() as u32);
    let hidden = match (spec_hidden, file_hidden) {
        (Some(s), Some(f)) if s != f => {
            let h = r.hidden.as_ref().unwrap_or(&r.classes);
            return Err(locate(
                file,
                h,
                format!("readout.hidden is {s}, but the readout weights have {f} hidden neurons"),
            ));
        }
        (Some(h), _) | (None, Some(h)) => h,
        (None, None) => 0,
    };
    let mac_units = match &r.mac_units {
        None => classes,
        Some(m) => super::check::range(file, m, 1, classes.max(hidden), "readout.mac_units")?,
    };
    Ok(ReadoutSpec {
        classes,
        hidden,
        trained,
        mac_units,
    })
}

/// Reads `readout.weights`: a one-layer readout or an MLP with a hidden layer (the JSON
/// `nmgen train` writes), checked against the spec's classes and neurons.
fn readout_weights(
    file: &SourceFile,
    w: &Spanned<String>,
    classes: usize,
    neurons: usize,
) -> Result<ReadoutWeights, SourceError> {
    let path = beside(file, &w.value);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        locate(
            file,
            w,
            format!("cannot read readout weights {}: {e}", path.display()),
        )
    })?;
    crate::output::note_input(&path);
    let bad =
        |e: serde_json::Error| locate(file, w, format!("readout weights {}: {e}", path.display()));
    let value: serde_json::Value =
        serde_json::from_str(crate::diagnostic::strip_bom(&text)).map_err(bad)?;
    let (t, shape_ok): (ReadoutWeights, bool) = if value.get("w1").is_some() {
        let m: MlpReadout = serde_json::from_value(value).map_err(bad)?;
        let ok = m.is_consistent();
        (m.into(), ok)
    } else {
        let t: TrainedReadout = serde_json::from_value(value).map_err(bad)?;
        let ok = t.is_consistent();
        (t.into(), ok)
    };
    let (c, n) = match &t {
        ReadoutWeights::Linear(t) => (t.classes, t.neurons),
        ReadoutWeights::Mlp(m) => (m.classes, m.neurons),
    };
    if c != classes || n != neurons || !shape_ok {
        return Err(locate(
            file,
            w,
            format!(
                "readout weights {} are for {c} classes × {n} neurons, the spec has {classes} × {neurons}",
                path.display(),
            ),
        ));
    }
    Ok(t)
}

/// The `$readmemh` images of the RTL readout: `readout_w1.hex` (one line per reservoir
/// neuron, hidden neuron `j` at bits `[8j +: 8]`), `readout_b1.hex` (one 32-bit word per
/// hidden neuron), `readout_w2.hex` (one line per hidden neuron, class `c` at
/// `[8c +: 8]`), `readout_b2.hex` (one word per class), `readout_shift.hex` (the
/// requantization shift, 5 bits).
fn mlp_images(m: &MlpReadout) -> Vec<(String, Vec<u8>)> {
    let w1: Vec<Vec<i8>> = (0..m.neurons)
        .map(|n| m.w1.iter().map(|r| r[n]).collect())
        .collect();
    let w2: Vec<Vec<i8>> = (0..m.hidden)
        .map(|j| m.w2.iter().map(|r| r[j]).collect())
        .collect();
    vec![
        ("readout_w1.hex".to_string(), int8_rows_hex(&w1)),
        ("readout_b1.hex".to_string(), words_hex(&m.b1)),
        ("readout_w2.hex".to_string(), int8_rows_hex(&w2)),
        ("readout_b2.hex".to_string(), words_hex(&m.b2)),
        (
            "readout_shift.hex".to_string(),
            format!("{:02x}\n", m.shift).into_bytes(),
        ),
    ]
}

/// One `$readmemh` line per row, element `i` at bits `[8i +: 8]`.
fn int8_rows_hex(rows: &[Vec<i8>]) -> Vec<u8> {
    let mut s = String::new();
    for r in rows {
        for v in r.iter().rev() {
            s.push_str(&format!("{:02x}", *v as u8));
        }
        s.push('\n');
    }
    s.into_bytes()
}

/// One 32-bit two's complement word per line.
fn words_hex(v: &[i32]) -> Vec<u8> {
    v.iter()
        .map(|b| format!("{:08x}\n", *b as u32))
        .collect::<String>()
        .into_bytes()
}
