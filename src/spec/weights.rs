//! The weight matrix of a layer, `weights[target][source]` in amperes: written inline
//! (`[[140uA, -135uA], …]`), in a CSV file (one row per target, µA, `#` comments), or in
//! a `map-weights` JSON file mapped through a `characterize synapse` curve.

use std::path::{Path, PathBuf};

use serde_saphyr::Spanned;

use super::located::{error_at, error_at_str};
use super::model::{LayerSpec, RawWeight, WeightsSpec};
use crate::characterize::weights::{parse_weight_file, Encoding};
use crate::characterize::{Logistic, SynapseReport};
use crate::diagnostic::{SourceError, SourceFile};

/// Currents above this are a unit mistake (`140` for `140uA`).
const LARGEST_WEIGHT: f64 = 10e-3;

/// The layer's matrix, `targets` rows of `sources` signed currents (A).
pub fn matrix(
    file: &SourceFile,
    layer: &Spanned<LayerSpec>,
    weights: &Spanned<WeightsSpec>,
    targets: usize,
    sources: usize,
) -> Result<Vec<Vec<f64>>, SourceError> {
    let l = &layer.value;
    let json =
        matches!(&weights.value, WeightsSpec::File(f) if f.to_ascii_lowercase().ends_with(".json"));
    if !json {
        if let Some(knob) = l.curve.as_ref().or(l.curve_inh.as_ref()) {
            return Err(error_at_str(
                file,
                knob,
                "`curve` maps the weights of a `.json` weight file; this layer's weights are currents",
            ));
        }
        if let Some(k) = &l.layer {
            return Err(error_at(
                file,
                k,
                "`layer` picks a layer of a `.json` weight file; this layer's weights are currents",
            ));
        }
    }
    let shape = |what: &str, rows: usize| {
        format!(
            "{what} has {rows} row(s); the layer needs {targets}, one per `to` neuron (weights[target][source])"
        )
    };
    let mut m = match &weights.value {
        WeightsSpec::Inline(rows) => {
            if rows.len() != targets {
                return Err(error_at(
                    file,
                    weights,
                    shape("the weight matrix", rows.len()),
                ));
            }
            let mut m = Vec::new();
            for (j, row) in rows.iter().enumerate() {
                if row.value.len() != sources {
                    return Err(error_at(
                        file,
                        row,
                        format!(
                            "row {j} has {} weight(s); the layer needs {sources}, one per `from` source",
                            row.value.len()
                        ),
                    ));
                }
                let mut r = Vec::new();
                for w in &row.value {
                    let value = match &w.value {
                        RawWeight::Number(v) => Some(*v),
                        RawWeight::Text(t) => super::quantity::parse_quantity(t),
                    };
                    let value = value.filter(|v| v.is_finite()).ok_or_else(|| {
                        let text = match &w.value {
                            RawWeight::Text(t) => t.clone(),
                            RawWeight::Number(v) => v.to_string(),
                        };
                        error_at(
                            file,
                            w,
                            format!(
                                "`{text}` is not a weight current (e.g. `140uA`, `-135uA`, `0`)"
                            ),
                        )
                    })?;
                    if value.abs() > LARGEST_WEIGHT {
                        return Err(error_at(
                            file,
                            w,
                            format!("weight current {value} A is not physical: write the unit, e.g. `140uA`"),
                        ));
                    }
                    r.push(value);
                }
                m.push(r);
            }
            m
        }
        WeightsSpec::File(name) => {
            let path = relative_to(file, name);
            let at_spec = |msg: String| error_at(file, weights, msg);
            if json {
                from_json(file, layer, &path, targets, sources, at_spec)?
            } else if name.to_ascii_lowercase().ends_with(".csv") {
                let csv = SourceFile::read(&path).map_err(|e| at_spec(e.message))?;
                let m = from_csv(&csv, sources)?;
                if m.len() != targets {
                    return Err(at_spec(shape(&format!("`{name}`"), m.len())));
                }
                m
            } else {
                return Err(at_spec(format!(
                    "weight file `{name}`: give a `.csv` (currents in µA) or a `map-weights` `.json`"
                )));
            }
        }
    };
    if let Some(scale) = &l.scale {
        if !(scale.value.is_finite() && scale.value > 0.0) {
            return Err(error_at(
                file,
                scale,
                "`scale` must be a number greater than zero",
            ));
        }
        for v in m.iter_mut().flatten() {
            *v *= scale.value;
        }
    }
    Ok(m)
}

/// A path written in the spec, relative to the spec file's directory.
pub fn relative_to(file: &SourceFile, name: &str) -> PathBuf {
    let base = file.path.parent().unwrap_or(Path::new("."));
    base.join(name)
}

/// A CSV weight file: one row per target, comma-separated µA, no header, `#` comments.
/// Errors point into the CSV file.
pub fn from_csv(csv: &SourceFile, sources: usize) -> Result<Vec<Vec<f64>>, SourceError> {
    let mut m = Vec::new();
    for (n, line) in csv.text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut row = Vec::new();
        let mut col = 0;
        for field in line.split(',') {
            let lead = field.len() - field.trim_start().len();
            let text = field.trim();
            let column = line[..col + lead].chars().count() + 1;
            let value = text.parse::<f64>().ok().filter(|v| v.is_finite());
            let Some(value) = value else {
                return Err(csv.error_at(
                    n + 1,
                    column,
                    text.len(),
                    format!("`{text}` is not a number (weights are plain numbers in µA, e.g. `140` or `-135.5`)"),
                ));
            };
            row.push(value * 1e-6);
            col += field.len() + 1;
        }
        if row.len() != sources {
            return Err(csv.error_at(
                n + 1,
                1,
                line.len(),
                format!(
                    "this row has {} weight(s); the layer needs {sources}, one per `from` source",
                    row.len()
                ),
            ));
        }
        m.push(row);
    }
    Ok(m)
}

/// A `map-weights` JSON weight file: layer `layer`'s weights mapped to currents through
/// the synapse curve(s) exactly as `nmgen map-weights` maps them.
fn from_json(
    file: &SourceFile,
    layer: &Spanned<LayerSpec>,
    path: &Path,
    targets: usize,
    sources: usize,
    at_spec: impl Fn(String) -> SourceError,
) -> Result<Vec<Vec<f64>>, SourceError> {
    let l = &layer.value;
    let (Some(k), Some(curve)) = (&l.layer, &l.curve) else {
        return Err(error_at(
            file,
            layer,
            "a `.json` weight file needs `layer: K` (which of its layers, from 0) and `curve: synapse.json` (a `characterize synapse` result)",
        ));
    };
    let wf_file = SourceFile::read(path).map_err(|e| at_spec(e.message))?;
    let w = parse_weight_file(&wf_file)?;
    let Some(weights) = w.layers.get(k.value).map(|x| &x.weights) else {
        return Err(error_at(
            file,
            k,
            format!(
                "`{}` has {} layer(s) (0..{})",
                path.display(),
                w.layers.len(),
                w.layers.len().saturating_sub(1)
            ),
        ));
    };
    if weights.len() != targets || weights.iter().any(|r| r.len() != sources) {
        return Err(at_spec(format!(
            "layer {} of `{}` is {} × {}; this layer needs {targets} × {sources} (one row per `to` neuron, one column per `from` source)",
            k.value,
            path.display(),
            weights.len(),
            weights.first().map_or(0, Vec::len)
        )));
    }
    let exc = read_curve(file, curve)?;
    let inh = match &l.curve_inh {
        Some(c) => read_curve(file, c)?,
        None => exc,
    };
    Ok(weights
        .iter()
        .map(|row| {
            row.iter()
                .map(|&x| {
                    if x == 0.0 {
                        return 0.0;
                    }
                    let negative = x < 0.0 && w.encoding == Encoding::Signed;
                    let curve = if negative { &inh } else { &exc };
                    let p = x.abs().clamp(w.p_min, w.p_max);
                    let ua = curve.current(p);
                    if negative {
                        -ua * 1e-6
                    } else {
                        ua * 1e-6
                    }
                })
                .collect()
        })
        .collect())
}

/// The logistic fit of a `characterize synapse` JSON report (µA).
fn read_curve(file: &SourceFile, name: &Spanned<String>) -> Result<Logistic, SourceError> {
    let path = relative_to(file, &name.value);
    let json = SourceFile::read(&path).map_err(|e| error_at_str(file, name, e.message))?;
    let report: SynapseReport = serde_json::from_str(&json.text).map_err(|e| {
        json.error_at(
            e.line().max(1),
            e.column().max(1),
            1,
            format!(
                "not a synapse characterization (write one with `nmgen characterize synapse`): {e}"
            ),
        )
    })?;
    let fit = report.fit.ok_or_else(|| {
        error_at_str(
            file,
            name,
            format!(
                "`{}` has no fitted curve (the sweep showed no transition)",
                name.value
            ),
        )
    })?;
    crate::characterize::weights::check_curve(&json, &fit)?;
    Ok(fit)
}
