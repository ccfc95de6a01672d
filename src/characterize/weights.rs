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

fn ident(s: &str) -> String {
    s.to_ascii_lowercase()
}

/// Maps the weights through the synapse curves (`inh` defaults to `exc`) and writes the spec.
pub fn map_weights(w: &WeightFile, exc: &Logistic, inh: Option<&Logistic>) -> Mapping {
    let inh = inh.unwrap_or(exc);
    let mut synapses = Vec::new();
    let mut sources: Vec<String> = w.inputs.clone();
    let mut params = String::new();
    let mut cells = String::new();
    let mut conns = String::new();
    let mut inh_driven = BTreeMap::new();
    for layer in &w.layers {
        for (j, neuron) in layer.neurons.iter().enumerate() {
            let th = format!("th_{}", ident(neuron));
            let _ = writeln!(params, "  {th}: {:.3}uA", layer.thresholds_ua[j]);
            let _ = writeln!(cells, "    {neuron}: {{ cell: neuron, th: {th} }}");
            let _ = writeln!(cells, "    j_{}: jtl", ident(neuron));
            let _ = writeln!(conns, "    - {neuron}.q -> j_{}.a", ident(neuron));
            for (i, src) in sources.iter().enumerate() {
                let weight = layer.weights[j][i];
                if weight == 0.0 {
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
                let stem = format!("{}_{}", ident(src), ident(neuron));
                let parameter = format!("w_{stem}");
                let _ = writeln!(params, "  {parameter}: {current_ua:.3}uA");
                let _ = writeln!(
                    cells,
                    "    s_{stem}: {{ cell: {}, w: {parameter} }}",
                    kind.cell()
                );
                let driver = if w.inputs.contains(src) {
                    src.clone()
                } else {
                    format!("j_{}.q", ident(src))
                };
                let port = if kind == SynapseKind::Inh { "inh" } else { "a" };
                if kind == SynapseKind::Inh {
                    inh_driven.insert(neuron.clone(), true);
                }
                let _ = writeln!(conns, "    - {driver} -> s_{stem}.a");
                let _ = writeln!(conns, "    - s_{stem}.q -> {neuron}.{port}");
                synapses.push(MappedSynapse {
                    from: src.clone(),
                    to: neuron.clone(),
                    kind,
                    weight,
                    probability,
                    current_ua,
                    parameter,
                });
            }
        }
        sources = layer.neurons.clone();
    }
    let all: Vec<&String> = w.layers.iter().flat_map(|l| &l.neurons).collect();
    let idle: Vec<&&String> = all
        .iter()
        .filter(|n| !inh_driven.contains_key(**n))
        .collect();
    // an input whose weights are all zero drives nothing: it is left out (with its stimulus)
    let used = |i: &String| synapses.iter().any(|s| &s.from == i);
    let mut inputs: Vec<String> = w.inputs.iter().filter(|i| used(i)).cloned().collect();
    let unused: Vec<&String> = w.inputs.iter().filter(|i| !used(i)).collect();
    if !idle.is_empty() {
        inputs.push("idle".into());
        for n in &idle {
            let _ = writeln!(conns, "    - idle -> {n}.inh");
        }
    }
    let outputs: Vec<String> = sources
        .iter()
        .map(|n| format!("{}_out", ident(n)))
        .collect();
    for (n, o) in sources.iter().zip(&outputs) {
        let _ = writeln!(conns, "    - j_{}.q -> {o}", ident(n));
    }
    let mut spec = format!(
        "# Written by `nmgen map-weights` from trained weights ({:?} encoding).\n\
         # Synapse currents from the characterized sigmoid: p -> w0 + s*ln(p/(1-p)).\n\
         # `idle` is an input without pulses feeding the neurons' unused inh ports.\n\
         # Inputs without any synapse (all weights zero), left out: [{}]\n\
         name: {}\nparameters:\n{params}network:\n  inputs: [{}]\n  outputs: [{}]\n  cells:\n{cells}  connections:\n{conns}",
        w.encoding,
        unused.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
        w.name,
        inputs.join(", "),
        outputs.join(", ")
    );
    if !w.stimulus.is_empty() {
        spec.push_str("stimulus:\n");
        for (k, v) in w.stimulus.iter().filter(|(k, _)| !unused.contains(k)) {
            let _ = writeln!(spec, "  {k}: {v}");
        }
    }
    Mapping { synapses, spec }
}
