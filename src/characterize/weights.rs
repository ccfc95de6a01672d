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
    check_names(file, &w)?;
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
        if let Some(th) = layer
            .thresholds_ua
            .iter()
            .find(|t| !(**t > 0.0 && **t <= MAX_THRESHOLD_UA))
        {
            return Err(at(
                "\"thresholds_ua\"",
                l,
                format!(
                    "layer {l}: threshold {th} µA; a neuron's threshold current must be above 0 and at most {MAX_THRESHOLD_UA} µA"
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

/// The largest threshold current a weight file may ask for (µA): 10 mA, far above any
/// SFQ neuron (a few hundred µA).
pub const MAX_THRESHOLD_UA: f64 = 10_000.0;

/// A name the spec accepts for an input or a neuron: a letter, then letters, digits or
/// single `_` (the written spec derives `<neuron>_th`, `<neuron>_out`, `w_<a>_<b>`).
fn plain_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.contains("__")
}

/// Offset of the JSON string `"text"` in the file, for errors about a value.
fn string_span(file: &SourceFile, text: &str) -> std::ops::Range<usize> {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    match file.text.find(&quoted) {
        Some(i) => i..i + quoted.len(),
        None => 0..0,
    }
}

/// The design name, inputs and neurons: valid, distinct names; stimulus only for inputs.
fn check_names(file: &SourceFile, w: &WeightFile) -> Result<(), SourceError> {
    let valid_design = !w.name.is_empty()
        && w.name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid_design {
        return Err(file.error(
            string_span(file, &w.name),
            format!(
                "`{}` is not a valid design name (letters, digits, `_`, `-`)",
                w.name
            ),
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    let names = w.inputs.iter().map(|n| ("input", n)).chain(
        w.layers
            .iter()
            .flat_map(|l| l.neurons.iter().map(|n| ("neuron", n))),
    );
    for (what, name) in names {
        if !plain_name(name) {
            return Err(file.error(
                string_span(file, name),
                format!(
                    "`{name}` is not a valid {what} name (a letter, then letters, digits or single `_`)"
                ),
            ));
        }
        if !seen.insert(name.to_ascii_lowercase()) {
            return Err(file.error(
                string_span(file, name),
                format!("`{name}` is named twice (inputs and neurons need distinct names)"),
            ));
        }
    }
    if let Some(k) = w.stimulus.keys().find(|k| !w.inputs.contains(k)) {
        return Err(file.error(
            string_span(file, k),
            format!("stimulus for `{k}`, which is not one of the inputs"),
        ));
    }
    Ok(())
}

/// Checks a fitted synapse curve read from `file`: a finite centre and a positive,
/// finite scale (a zero or negative scale has no inverse).
pub fn check_curve(file: &SourceFile, fit: &Logistic) -> Result<(), SourceError> {
    let at = |key: &str, msg: String| {
        let needle = format!("\"{key}\"");
        // the last occurrence: the fit comes after the plan and points
        let span = match file.text.rfind(&needle) {
            Some(i) => i..i + needle.len(),
            None => 0..0,
        };
        file.error(span, msg)
    };
    if !fit.centre.is_finite() {
        return Err(at(
            "centre",
            format!(
                "the curve's centre is {}; it must be a finite current (µA)",
                fit.centre
            ),
        ));
    }
    if !(fit.scale > 0.0 && fit.scale.is_finite()) {
        return Err(at(
            "scale",
            format!(
                "the curve's scale is {}; it must be positive and finite (p = 1/(1+exp(-(w-centre)/scale)))",
                fit.scale
            ),
        ));
    }
    Ok(())
}

/// Reads the logistic fit of a `characterize synapse` JSON report, errors located in it.
pub fn read_curve_file(path: &Path) -> Result<Logistic, SourceError> {
    let file = SourceFile::read(path)?;
    let report: super::synapse::SynapseReport = serde_json::from_str(&file.text).map_err(|e| {
        file.error_at(
            e.line().max(1),
            e.column().max(1),
            1,
            format!(
                "not a synapse characterization (write one with `nmgen characterize synapse`): {e}"
            ),
        )
    })?;
    let fit = report.fit.ok_or_else(|| {
        let span = string_span(&file, "fit");
        file.error(
            span,
            "the characterization has no fitted curve (the sweep showed no transition)",
        )
    })?;
    check_curve(&file, &fit)?;
    Ok(fit)
}

/// An error of the spec `map-weights` would write (`spec`), told against the weight file
/// it came from: at its `stimulus` when the spec's stimulus section is at fault, else at
/// its `layers`, with the line of the spec that failed.
pub fn in_weight_file(weights: &SourceFile, spec: &SourceFile, e: &SourceError) -> SourceError {
    let stimulus_line = spec
        .text
        .lines()
        .position(|l| l.starts_with("stimulus:"))
        .map(|i| i + 1);
    let key = match stimulus_line {
        Some(s) if e.line >= s => "stimulus",
        _ => "layers",
    };
    let span = string_span(weights, key);
    weights.error(
        span,
        format!(
            "the mapped spec does not build: {} (at `{}` in the spec it maps to)",
            e.message,
            e.excerpt.trim()
        ),
    )
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
