//! Trained weights → synapse currents → a spec nmgen builds.
//!
//! A weight file (JSON, documented in docs/characterization.md) holds, per layer, the
//! neurons, their threshold currents and a weight matrix `weights[neuron][source]`
//! whose sources are the previous layer's neurons (the network inputs for the first
//! layer). A weight is a pass probability (`encoding: probability`, in [0, 1]) or a
//! signed weight (`encoding: signed`, in [−1, 1]: |w| is the probability, the sign
//! chooses an excitatory `synapse` into the neuron's `a` or an inhibitory
//! `synapse_inh` into its `inh`). A probability p becomes the current of the
//! characterized sigmoid, w0 + s·ln(p/(1−p)), clamped to [p_min, p_max]; a zero
//! weight is no synapse.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::fit::Logistic;
use super::synapse::SynapseKind;
use crate::diagnostic::{SourceError, SourceFile};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    Signed,
    Probability,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub neurons: Vec<String>,
    /// Threshold current of each neuron, µA.
    pub thresholds_ua: Vec<f64>,
    /// `weights[neuron][source]`.
    pub weights: Vec<Vec<f64>>,
}

/// The weight file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightFile {
    /// Name of the spec to write.
    pub name: String,
    pub encoding: Encoding,
    /// Network inputs (the sources of the first layer).
    pub inputs: Vec<String>,
    pub layers: Vec<Layer>,
    /// Probabilities are clamped to [p_min, p_max] before inversion.
    #[serde(default = "default_p_min")]
    pub p_min: f64,
    #[serde(default = "default_p_max")]
    pub p_max: f64,
    /// Optional spec `stimulus` entries, copied as they are.
    #[serde(default)]
    pub stimulus: BTreeMap<String, serde_json::Value>,
}

fn default_p_min() -> f64 {
    0.001
}
fn default_p_max() -> f64 {
    0.999
}

/// One synapse of the mapped network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MappedSynapse {
    pub from: String,
    pub to: String,
    pub kind: SynapseKind,
    pub weight: f64,
    /// The probability aimed at (after clamping).
    pub probability: f64,
    pub current_ua: f64,
    /// The spec parameter holding the current.
    pub parameter: String,
}

/// The mapped network: its synapses and the spec text.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    pub synapses: Vec<MappedSynapse>,
    pub spec: String,
}

/// Reads a weight file, errors located in it.
pub fn read_weight_file(path: &Path) -> Result<(SourceFile, WeightFile), SourceError> {
    let file = SourceFile::read(path)?;
    let w = parse_weight_file(&file)?;
    Ok((file, w))
}

/// Parses and checks a weight file.
pub fn parse_weight_file(file: &SourceFile) -> Result<WeightFile, SourceError> {
    let w: WeightFile = serde_json::from_str(&file.text).map_err(|e| {
        file.error_at(
            e.line().max(1),
            e.column().max(1),
            1,
            format!("weight file: {e}"),
        )
    })?;
    let at = |needle: &str, nth: usize, msg: String| {
        let offset = file
            .text
            .match_indices(needle)
            .nth(nth)
            .map_or(0, |(i, _)| i);
        file.error(
            offset..offset + needle.len().min(file.text.len() - offset),
            msg,
        )
    };
    if !(0.0 < w.p_min && w.p_min < w.p_max && w.p_max < 1.0) {
        return Err(at("\"p_m", 0, "need 0 < p_min < p_max < 1".into()));
    }
    let mut sources = w.inputs.clone();
    for (l, layer) in w.layers.iter().enumerate() {
        if layer.thresholds_ua.len() != layer.neurons.len() {
            return Err(at(
                "\"thresholds_ua\"",
                l,
                format!(
                    "layer {l}: {} thresholds for {} neurons",
                    layer.thresholds_ua.len(),
                    layer.neurons.len()
                ),
            ));
        }
        if layer.weights.len() != layer.neurons.len()
            || layer.weights.iter().any(|r| r.len() != sources.len())
        {
            return Err(at(
                "\"weights\"",
                l,
                format!(
                    "layer {l}: weights must be {} rows (neurons) of {} columns (sources {})",
                    layer.neurons.len(),
                    sources.len(),
                    sources.join(", ")
                ),
            ));
        }
        let (lo, hi) = match w.encoding {
            Encoding::Signed => (-1.0, 1.0),
            Encoding::Probability => (0.0, 1.0),
        };
        if let Some(bad) = layer
            .weights
            .iter()
            .flatten()
            .find(|v| !(lo..=hi).contains(*v))
        {
            return Err(at(
                "\"weights\"",
                l,
                format!(
                    "layer {l}: weight {bad} outside [{lo}, {hi}] ({:?} encoding)",
                    w.encoding
                ),
            ));
        }
        sources = layer.neurons.clone();
    }
    if w.layers.is_empty() {
        return Err(at("\"layers\"", 0, "need at least one layer".into()));
    }
    Ok(w)
}

/// Maps the weights through the synapse curves (`inh` defaults to `exc`) and writes the
/// spec in the `layers:` form (docs/spec.md): one neuron instance per neuron with its
/// threshold current (parameter `<neuron>_th`), one weighted layer per layer with the
/// currents inline (µA; parameter `w_<source>_<neuron>` per synapse), outputs
/// `<neuron>_out`; unused `inh` ports are left to nmgen.
pub fn map_weights(w: &WeightFile, exc: &Logistic, inh: Option<&Logistic>) -> Mapping {
    let inh = inh.unwrap_or(exc);
    let mut synapses = Vec::new();
    let mut sources: Vec<String> = w.inputs.clone();
    let mut currents: Vec<Vec<Vec<f64>>> = Vec::new();
    for layer in &w.layers {
        let mut matrix = Vec::new();
        for (j, neuron) in layer.neurons.iter().enumerate() {
            let mut row = Vec::new();
            for (i, src) in sources.iter().enumerate() {
                let weight = layer.weights[j][i];
                if weight == 0.0 {
                    row.push(0.0);
                    continue;
                }
                let kind = if weight < 0.0 {
                    SynapseKind::Inh
                } else {
                    SynapseKind::Exc
                };
                let curve = if kind == SynapseKind::Inh { inh } else { exc };
                let probability = weight.abs().clamp(w.p_min, w.p_max);
                let current_ua = curve.current(probability);
                let rounded = (current_ua * 1e3).round() / 1e3;
                row.push(if kind == SynapseKind::Inh {
                    -rounded
                } else {
                    rounded
                });
                synapses.push(MappedSynapse {
                    from: src.clone(),
                    to: neuron.clone(),
                    kind,
                    weight,
                    probability,
                    current_ua,
                    parameter: format!("w_{src}_{neuron}"),
                });
            }
            matrix.push(row);
        }
        currents.push(matrix);
        sources = layer.neurons.clone();
    }
    // an input whose weights are all zero drives nothing: it is left out (with its
    // stimulus and its column of the first layer)
    let used = |i: &String| synapses.iter().any(|s| &s.from == i);
    let inputs: Vec<String> = w.inputs.iter().filter(|i| used(i)).cloned().collect();
    let unused: Vec<&String> = w.inputs.iter().filter(|i| !used(i)).collect();
    let mut cells = String::new();
    for layer in &w.layers {
        for (n, th) in layer.neurons.iter().zip(&layer.thresholds_ua) {
            let _ = writeln!(cells, "    {n}: {{ cell: neuron, th: {th:.3}uA }}");
        }
    }
    let outputs: Vec<String> = sources.iter().map(|n| format!("{n}_out")).collect();
    let connections: Vec<String> = sources
        .iter()
        .zip(&outputs)
        .map(|(n, o)| format!("{n}.q -> {o}"))
        .collect();
    let mut layers = String::new();
    let mut from: Vec<String> = w.inputs.clone();
    for (l, (layer, matrix)) in w.layers.iter().zip(&currents).enumerate() {
        let keep: Vec<usize> = (0..from.len())
            .filter(|&i| l > 0 || used(&from[i]))
            .collect();
        let rows: Vec<String> = matrix
            .iter()
            .map(|row| {
                let v: Vec<String> = keep.iter().map(|&i| format!("{:.3}uA", row[i])).collect();
                format!("[{}]", v.join(", "))
            })
            .collect();
        let names: Vec<&str> = keep.iter().map(|&i| from[i].as_str()).collect();
        let _ = writeln!(
            layers,
            "    - {{ from: [{}], to: [{}], weights: [{}] }}",
            names.join(", "),
            layer.neurons.join(", "),
            rows.join(", ")
        );
        from = layer.neurons.clone();
    }
    let mut spec = format!(
        "# Written by `nmgen map-weights` from trained weights ({:?} encoding).\n\
         # Synapse currents (µA) from the characterized sigmoid: p -> w0 + s*ln(p/(1-p));\n\
         # > 0 a synapse into a, < 0 a synapse_inh into inh, 0 none. Each synapse's current\n\
         # is the parameter w_<source>_<neuron>, each threshold <neuron>_th.\n\
         # Inputs without any synapse (all weights zero), left out: [{}]\n\
         name: {}\nnetwork:\n  inputs: [{}]\n  outputs: [{}]\n  cells:\n{cells}  connections: [{}]\n  layers:\n{layers}",
        w.encoding,
        unused.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
        w.name,
        inputs.join(", "),
        outputs.join(", "),
        connections.join(", ")
    );
    if !w.stimulus.is_empty() {
        spec.push_str("stimulus:\n");
        for (k, v) in w.stimulus.iter().filter(|(k, _)| !unused.contains(k)) {
            let _ = writeln!(spec, "  {k}: {v}");
        }
    }
    Mapping { synapses, spec }
}
