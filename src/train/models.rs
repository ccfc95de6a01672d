//! The cell models training reads: a small serde view of the shared cell-model file
//! (`format: nmgen-cell-models/1`, written by `nmgen characterize models`). Only the
//! fields training uses are read; other fields are ignored, so the full file of the
//! pulse-level simulator reads as well.

use std::path::Path;

use serde::Deserialize;

use crate::diagnostic::{SourceError, SourceFile};

/// Pass probability p(w) = 1 / (1 + exp(−(w − centre_ua) / scale_ua)).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Pass {
    pub centre_ua: f64,
    pub scale_ua: f64,
}

impl Pass {
    pub fn probability(&self, current_ua: f64) -> f64 {
        1.0 / (1.0 + (-(current_ua - self.centre_ua) / self.scale_ua).exp())
    }
    /// dp/dw at a current, per µA.
    pub fn slope(&self, current_ua: f64) -> f64 {
        let p = self.probability(current_ua);
        p * (1.0 - p) / self.scale_ua
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SynapseModel {
    pub pass: Pass,
}

/// Mean input pulses (arriving quickly) to make the neuron fire at one threshold current.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct PulsesToFire {
    pub th_ua: f64,
    pub pulses: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NeuronModel {
    /// Ascending in `th_ua`, `pulses` decreasing.
    pub pulses_to_fire: Vec<PulsesToFire>,
    /// Time constant of the stored flux's decay.
    pub leak_tau_ps: f64,
    /// Excitatory pulses one inhibitory pulse cancels.
    pub inh_fluxons: f64,
    /// Output pulses per input pulse above the leak, at a steady rate (rate response slope).
    #[serde(default = "default_gain")]
    pub rate_gain: f64,
}

fn default_gain() -> f64 {
    1.0
}

/// A merger passes one pulse of two that arrive closer than `collision_ps`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MergerModel {
    pub collision_ps: f64,
}

impl Default for MergerModel {
    fn default() -> Self {
        MergerModel { collision_ps: 0.0 }
    }
}

impl MergerModel {
    /// The rate (GHz) out of a merger tree fed `r` GHz in total, as a counter with a
    /// dead time: r / (1 + r·τ); with its derivative.
    pub fn passed(&self, r: f64) -> (f64, f64) {
        let tau = self.collision_ps * 1e-3;
        let d = 1.0 + r * tau;
        (r / d, 1.0 / (d * d))
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Cells {
    #[serde(default)]
    pub merger: MergerModel,
    pub synapse: SynapseModel,
    pub synapse_inh: SynapseModel,
    pub neuron: NeuronModel,
}

/// The fields of a cell-model file that training uses.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CellModels {
    pub format: String,
    pub temperature_k: f64,
    pub cells: Cells,
}

impl NeuronModel {
    /// Pulses to fire at a threshold current, linear between the table's points
    /// (and along the end segments outside them), with its slope per µA.
    pub fn pulses(&self, th_ua: f64) -> (f64, f64) {
        let t = &self.pulses_to_fire;
        let k = t
            .windows(2)
            .position(|w| th_ua < w[1].th_ua)
            .unwrap_or(t.len() - 2);
        let (a, b) = (t[k], t[k + 1]);
        let slope = (b.pulses - a.pulses) / (b.th_ua - a.th_ua);
        (a.pulses + slope * (th_ua - a.th_ua), slope)
    }

    /// The input rate (GHz) the leak absorbs at a threshold current: the neuron holds
    /// about N(th) − 1 fluxons while it fires at a steady rate, and they decay with
    /// `leak_tau_ps`; with its derivative per µA.
    pub fn leak_rate_ghz(&self, th_ua: f64) -> (f64, f64) {
        let (n, dn) = self.pulses(th_ua);
        let tau_ns = self.leak_tau_ps * 1e-3;
        (
            (n - 1.0).max(0.0) / tau_ns,
            if n > 1.0 { dn / tau_ns } else { 0.0 },
        )
    }
}

impl CellModels {
    /// Reads a cell-model file; errors name the file, line and column.
    pub fn read(path: &Path) -> Result<CellModels, SourceError> {
        let file = SourceFile::read(path)?;
        let m: CellModels = serde_json::from_str(&file.text).map_err(|e| {
            file.error_at(
                e.line().max(1),
                e.column().max(1),
                1,
                format!("cell models: {e}"),
            )
        })?;
        let at = |key: &str, msg: &str| {
            let i = file.text.find(key).unwrap_or(0);
            file.error(i..i + key.len(), msg.to_string())
        };
        if m.format != "nmgen-cell-models/1" {
            return Err(at("\"format\"", "expected format `nmgen-cell-models/1`"));
        }
        let t = &m.cells.neuron.pulses_to_fire;
        if t.len() < 2 || t.windows(2).any(|w| w[1].th_ua <= w[0].th_ua) {
            return Err(at(
                "\"pulses_to_fire\"",
                "pulses_to_fire needs at least two points in ascending th_ua",
            ));
        }
        if m.cells.neuron.leak_tau_ps.is_nan() || m.cells.neuron.leak_tau_ps <= 0.0 {
            return Err(at("\"leak_tau_ps\"", "leak_tau_ps must be > 0"));
        }
        for (key, s) in [
            ("\"synapse\"", &m.cells.synapse),
            ("\"synapse_inh\"", &m.cells.synapse_inh),
        ] {
            if s.pass.scale_ua.is_nan() || s.pass.scale_ua <= 0.0 {
                return Err(at(key, "pass.scale_ua must be > 0"));
            }
        }
        Ok(m)
    }
}
