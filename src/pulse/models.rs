//! The cell-model file (`nmgen-cell-models/3`): what the pulse-level simulator knows
//! about each built-in cell, measured at the circuit level by
//! `nmgen characterize models` (delays, the synapse sigmoid, the neuron's response).
//!
//! Times are in ps and currents in µA, as the field names say. The file records a
//! SHA-256 of everything it was measured from ([`source_hash`]), so a test can tell
//! when it is stale.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diagnostic::{SourceError, SourceFile};
use crate::spec::Technology;

/// The format tag of the file.
pub const FORMAT: &str = "nmgen-cell-models/3";

/// The built-in simulator's noise model, as compiled in: part of what a model file is
/// measured from (its hash changes when the noise model does).
const SIM_NOISE_SOURCE: &str = include_str!("../sim/noise.rs");

/// Most points of the neuron's threshold table.
pub const MAX_THRESHOLD_POINTS: usize = 32;

/// A delay distribution (ps): normal, truncated at zero when sampled.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Delay {
    pub mean: f64,
    pub std: f64,
}

/// A cell whose only property is its delay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DelayModel {
    pub delay_ps: Delay,
}

/// Merger: input-to-output delay, and the spacing below which two input pulses
/// (on either input) leave as one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct MergerModel {
    pub delay_ps: Delay,
    pub collision_ps: f64,
}

/// Pass probability p(w) = 1 / (1 + exp(−(w − centre_ua)/scale_ua)).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Sigmoid {
    pub centre_ua: f64,
    pub scale_ua: f64,
}

impl Sigmoid {
    /// Pass probability at a weight current (µA).
    pub fn probability(&self, w_ua: f64) -> f64 {
        1.0 / (1.0 + (-(w_ua - self.centre_ua) / self.scale_ua).exp())
    }
}

/// A stochastic synapse: delay of a passed pulse and its pass probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SynapseModel {
    pub delay_ps: Delay,
    pub pass: Sigmoid,
}

/// Mean input pulses (arriving quickly, 20 ps apart) to the first fire at a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FirePoint {
    pub th_ua: f64,
    pub pulses: f64,
}

/// The stored flux, in input quanta, at which the neuron fires at a threshold (half the
/// time), and the width of its logistic fire probability there.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdPoint {
    pub th_ua: f64,
    pub fluxons: f64,
    pub width_fluxons: f64,
}

/// The neuron's fire decision and latency, evaluated when a quantum enters the loop (and
/// again a refractory time after a fire). With the overdrive x = D − θ(th) (D = s − κh):
/// - the neuron fires with probability 1/(1 + exp(−x/w)), w the width of the threshold
///   point ([`ThresholdPoint`]);
/// - the fire junction switches a latency after the entry that is lognormal with median
///   `latency_median_ps`·exp(−`latency_slope_per_fluxon`·x) and σ of its logarithm
///   `latency_log_sigma` (the further above threshold, the faster the fire).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Fire {
    pub latency_median_ps: f64,
    pub latency_slope_per_fluxon: f64,
    pub latency_log_sigma: f64,
}

/// Entry of an excitatory quantum into the storage loop: probability
/// 1/(1 + exp((s − `centre_fluxons`)/`scale_fluxons`)) at stored flux s; otherwise the
/// pulse escapes (through B2). `scale_fluxons` 0: every pulse enters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub centre_fluxons: f64,
    pub scale_fluxons: f64,
}

/// A loss that grows with the inhibition h and levels off: a pulse is lost with
/// probability `loss_max`/(1 + exp(−(h − `centre_fluxons`)/`scale_fluxons`)).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PlateauEntry {
    pub centre_fluxons: f64,
    pub scale_fluxons: f64,
    pub loss_max: f64,
}

impl PlateauEntry {
    /// Probability that a pulse passes at inhibition `h`.
    pub fn pass_probability(&self, h: f64) -> f64 {
        1.0 - self.loss_max / (1.0 + (-(h - self.centre_fluxons) / self.scale_fluxons).exp())
    }
}

/// A fire led by the output junction B5 (B5 switches before the fire junction B4):
/// strong inhibition returns through B4 and L5 and biases B5 forward, so that the
/// inhibitory current, which holds B4 back, pushes B5 over. Decided with the fire of
/// [`Fire`] at every decision: with x₅ = s + `inh_fluxons`·h − `centre_fluxons` −
/// `theta_slope`·θ(th) it fires with probability 1/(1 + exp(−x₅/`width_fluxons`)); the
/// neuron fires when either path does (the probabilities combine as independent).
/// `centre_fluxons` includes the shift of `count_calibration`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct OutputFire {
    pub centre_fluxons: f64,
    pub inh_fluxons: f64,
    pub theta_slope: f64,
    pub width_fluxons: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count_calibration: Option<OutputFireCalibration>,
}

/// What the count calibration of the output junction's path did: the centre moved by
/// `centre_shift_fluxons` so that the strong-inhibition runs, replayed at pulse level,
/// fire as often as at the circuit level (mean squared count error per run, pulses²,
/// before and after).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct OutputFireCalibration {
    pub runs: usize,
    pub centre_shift_fluxons: f64,
    pub mse_decision_fit: f64,
    pub mse: f64,
}

impl OutputFire {
    /// The overdrive x₅ (fluxons) at stored flux `s`, inhibition `h`, threshold `theta`.
    pub fn overdrive(&self, s: f64, h: f64, theta: f64) -> f64 {
        s + self.inh_fluxons * h - self.centre_fluxons - self.theta_slope * theta
    }
}

/// The leaky integrate-and-fire neuron as a stochastic automaton (fitted to the
/// circuit's own junction switchings by maximum likelihood):
/// - an excitatory pulse adds one quantum to the stored flux s (unless it escapes, see
///   [`Entry`]); s decays with `leak_tau_ps`;
/// - an inhibitory pulse adds one to the inhibition h, which decays with `inh_tau_ps`
///   and counts `inh_fluxons` quanta against s;
/// - when a quantum enters, the neuron decides whether to fire from the overdrive
///   D − θ(th) (θ from `threshold`, interpolated in th) as [`Fire`] says; a fire removes
///   one quantum, and the decision is taken again `refractory_ps` after the fire (a
///   strongly driven neuron fires twice); the pulse leaves on q the fire latency plus
///   `delay_ps` after the entry (the latency from the input port to the loop plus that
///   from the fire junction to q);
/// - under strong inhibition the output junction can lead the fire ([`OutputFire`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct NeuronModel {
    pub delay_ps: Delay,
    /// Measured at the circuit level: mean input pulses to fire vs th (decreasing in th).
    pub pulses_to_fire: Vec<FirePoint>,
    pub leak_tau_ps: f64,
    pub inh_tau_ps: f64,
    pub inh_fluxons: f64,
    pub refractory_ps: f64,
    /// Fitted: θ, the drive at which a fire is as likely as not, and the width of the
    /// fire probability, vs th.
    pub threshold: Vec<ThresholdPoint>,
    pub fire: Fire,
    pub entry: Entry,
    /// The fire led by the output junction (absent: the neuron has no such path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_fire: Option<OutputFire>,
    /// A merger driving the `inh` input directly: each pulse it passes (not merged by a
    /// collision) reaches the neuron with probability
    /// 1/(1 + exp((h − `centre_fluxons`)/`scale_fluxons`)) at the neuron's inhibition h
    /// (the inhibition loop's current holds the merger's output junction back; behind a
    /// JTL every pulse enters). Absent: every pulse passes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inh_merger_entry: Option<Entry>,
    /// A synapse (`synapse` or `synapse_inh`) driving the `inh` input through its load
    /// JTL: each pulse the synapse passes by its weight reaches the neuron with
    /// probability 1 − `loss_max`/(1 + exp(−(h − `centre_fluxons`)/`scale_fluxons`)) at
    /// the neuron's inhibition h (the inhibition loop's current reaches back into the
    /// synapse's output stage; the loss levels off at `loss_max`). Absent: every pulse
    /// passes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inh_synapse_entry: Option<PlateauEntry>,
    /// How well the fire counts of the identification runs are reproduced, per threshold
    /// current: mean squared count error of the decision fit and of the calibrated θ, w
    /// (`src/characterize/count_fit.rs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub count_calibration: Vec<CountCalibration>,
}

/// The fire-count error of one threshold current before and after the count
/// calibration (pulses², over the identification runs replayed at pulse level).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountCalibration {
    pub th_ua: f64,
    pub runs: usize,
    pub mse_decision_fit: f64,
    pub mse: f64,
    /// Seed-to-seed variance of the count: the circuit's, the decision fit's, the
    /// calibrated model's.
    pub circuit_variance: f64,
    pub variance_decision_fit: f64,
    pub variance: f64,
}

impl NeuronModel {
    /// The threshold (fluxons) at a threshold current (µA): linear between the points,
    /// extrapolated linearly beyond them (at or below 0 the neuron fires on nearly every
    /// entry).
    pub fn threshold_at(&self, th_ua: f64) -> f64 {
        interpolate(self.threshold.iter().map(|p| (p.th_ua, p.fluxons)), th_ua)
    }
}

/// Linear interpolation over points sorted by x, linear extrapolation at both ends.
fn interpolate(points: impl Iterator<Item = (f64, f64)>, x: f64) -> f64 {
    let p: Vec<(f64, f64)> = points.collect();
    match p.len() {
        0 => 0.0,
        1 => p[0].1,
        n => {
            let i = p
                .windows(2)
                .position(|w| x <= w[1].0)
                .unwrap_or(n - 2)
                .min(n - 2);
            let ((x0, y0), (x1, y1)) = (p[i], p[i + 1]);
            y0 + (y1 - y0) * (x - x0) / (x1 - x0)
        }
    }
}

/// Whether `a < b` (false when either is NaN).
fn ascending(a: f64, b: f64) -> bool {
    a.partial_cmp(&b) == Some(std::cmp::Ordering::Less)
}

/// The models of every built-in cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Cells {
    pub jtl: DelayModel,
    pub splitter: DelayModel,
    pub merger: MergerModel,
    pub dcsfq: DelayModel,
    pub dff: DelayModel,
    pub tff: DelayModel,
    pub synapse: SynapseModel,
    pub synapse_inh: SynapseModel,
    pub neuron: NeuronModel,
}

/// The junction card and sizing the models were measured with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TechnologyRecord {
    pub junction_model: String,
    pub rtype: i64,
    pub vg_v: f64,
    pub cap_f: f64,
    pub r0_ohm: f64,
    pub rn_ohm: f64,
    pub icrit_a: f64,
    pub shunt_product_v: f64,
    pub shunt_inductance_per_ohm_h: f64,
    pub bias_fraction: f64,
    pub inductance_factor: f64,
    pub tstep_s: f64,
}

impl TechnologyRecord {
    pub fn of(t: &Technology) -> Self {
        TechnologyRecord {
            junction_model: t.junction.model.clone(),
            rtype: t.junction.rtype,
            vg_v: t.junction.vg,
            cap_f: t.junction.cap,
            r0_ohm: t.junction.r0,
            rn_ohm: t.junction.rn,
            icrit_a: t.junction.icrit,
            shunt_product_v: t.shunt_product,
            shunt_inductance_per_ohm_h: t.shunt_inductance_per_ohm,
            bias_fraction: t.bias_fraction,
            inductance_factor: t.inductance_factor,
            tstep_s: t.tstep,
        }
    }
}

/// The cell-model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellModels {
    pub format: String,
    /// The command that wrote it (regenerates it byte for byte).
    pub command: String,
    pub temperature_k: f64,
    /// The global bias the cells were measured at.
    pub bias: f64,
    pub technology: TechnologyRecord,
    /// SHA-256 of what the file was measured from: [`source_hash`].
    pub source_sha256: String,
    /// The bench settings (seeds, sweeps) the file was measured with.
    pub benches: serde_json::Value,
    pub cells: Cells,
}

/// SHA-256 (hex) of the inputs of a measurement: the built-in cell netlists, the
/// technology, the bench settings (JSON) and the built-in simulator's noise model.
pub fn source_hash(technology: &TechnologyRecord, benches: &serde_json::Value) -> String {
    let mut h = Sha256::new();
    for (name, text, _) in crate::cells::BUILTIN_CELLS {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
        h.update([0]);
    }
    h.update(
        serde_json::to_string(technology)
            .unwrap_or_default()
            .as_bytes(),
    );
    h.update([0]);
    h.update(
        serde_json::to_string(benches)
            .unwrap_or_default()
            .as_bytes(),
    );
    h.update([0]);
    h.update(SIM_NOISE_SOURCE.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl CellModels {
    /// Reads and checks a model file; errors name file:line:col.
    pub fn read(path: &Path) -> Result<CellModels, SourceError> {
        let file = SourceFile::read(path)?;
        CellModels::parse(&file)
    }

    /// Parses and checks a model file's text.
    pub fn parse(file: &SourceFile) -> Result<CellModels, SourceError> {
        let m: CellModels = serde_json::from_str(&file.text).map_err(|e| {
            file.error_at(
                e.line().max(1),
                e.column().max(1),
                1,
                format!("cell-model file: {e}"),
            )
        })?;
        m.validate(file)?;
        Ok(m)
    }

    /// The JSON text (pretty, newline-terminated): what `characterize models` writes.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Whether the hash recorded in the file matches its technology and benches as
    /// measured by this build of nmgen.
    pub fn is_current(&self) -> bool {
        self.source_sha256 == source_hash(&self.technology, &self.benches)
    }

    fn validate(&self, file: &SourceFile) -> Result<(), SourceError> {
        // the error points at the (first) key that holds the bad value
        let at = |key: &str, msg: String| {
            let needle = format!("\"{key}\"");
            let offset = file.text.find(&needle).unwrap_or(0);
            file.error(offset..offset + needle.len().min(file.text.len()), msg)
        };
        if self.format != FORMAT {
            return Err(at(
                "format",
                format!(
                    "unknown format `{}` (this nmgen reads `{FORMAT}`)",
                    self.format
                ),
            ));
        }
        let c = &self.cells;
        let delays: [(&str, &Delay); 9] = [
            ("jtl", &c.jtl.delay_ps),
            ("splitter", &c.splitter.delay_ps),
            ("merger", &c.merger.delay_ps),
            ("dcsfq", &c.dcsfq.delay_ps),
            ("dff", &c.dff.delay_ps),
            ("tff", &c.tff.delay_ps),
            ("synapse", &c.synapse.delay_ps),
            ("synapse_inh", &c.synapse_inh.delay_ps),
            ("neuron", &c.neuron.delay_ps),
        ];
        for (cell, d) in delays {
            if !(d.mean.is_finite() && d.std.is_finite() && d.std >= 0.0) {
                return Err(at(
                    cell,
                    format!("{cell}: delay_ps needs a finite mean and a std ≥ 0"),
                ));
            }
        }
        for (cell, s) in [
            ("synapse", &c.synapse.pass),
            ("synapse_inh", &c.synapse_inh.pass),
        ] {
            if !(s.centre_ua.is_finite() && s.scale_ua.is_finite() && s.scale_ua > 0.0) {
                return Err(at(
                    cell,
                    format!("{cell}: pass needs a finite centre_ua and a scale_ua > 0"),
                ));
            }
        }
        let n = &c.neuron;
        let positive = |v: f64| v.is_finite() && v > 0.0;
        if !positive(n.leak_tau_ps) {
            return Err(at("leak_tau_ps", "leak_tau_ps must be > 0".into()));
        }
        if !(n.inh_fluxons.is_finite() && n.inh_fluxons >= 0.0) {
            return Err(at("inh_fluxons", "inh_fluxons must be ≥ 0".into()));
        }
        if !(n.refractory_ps.is_finite() && n.refractory_ps >= 0.0) {
            return Err(at("refractory_ps", "refractory_ps must be ≥ 0".into()));
        }
        if !positive(n.inh_tau_ps) {
            return Err(at("inh_tau_ps", "inh_tau_ps must be > 0".into()));
        }
        if !(positive(n.fire.latency_median_ps)
            && n.fire.latency_slope_per_fluxon.is_finite()
            && n.fire.latency_log_sigma.is_finite()
            && n.fire.latency_log_sigma >= 0.0)
        {
            return Err(at(
                "fire",
                "fire: latency_median_ps must be > 0, latency_slope_per_fluxon finite, latency_log_sigma ≥ 0".into(),
            ));
        }
        if !(n.entry.centre_fluxons.is_finite()
            && n.entry.scale_fluxons.is_finite()
            && n.entry.scale_fluxons >= 0.0)
        {
            return Err(at(
                "entry",
                "entry: centre_fluxons finite and scale_fluxons ≥ 0".into(),
            ));
        }
        if let Some(o) = &n.output_fire {
            if !([o.centre_fluxons, o.inh_fluxons, o.theta_slope]
                .iter()
                .all(|v| v.is_finite())
                && positive(o.width_fluxons))
            {
                return Err(at(
                    "output_fire",
                    "output_fire: centre_fluxons, inh_fluxons, theta_slope finite and width_fluxons > 0".into(),
                ));
            }
        }
        if let Some(e) = &n.inh_merger_entry {
            if !(e.centre_fluxons.is_finite() && positive(e.scale_fluxons)) {
                return Err(at(
                    "inh_merger_entry",
                    "inh_merger_entry: centre_fluxons finite and scale_fluxons > 0".into(),
                ));
            }
        }
        if let Some(e) = &n.inh_synapse_entry {
            if !(e.centre_fluxons.is_finite()
                && positive(e.scale_fluxons)
                && (0.0..=1.0).contains(&e.loss_max))
            {
                return Err(at(
                    "inh_synapse_entry",
                    "inh_synapse_entry: centre_fluxons finite, scale_fluxons > 0 and loss_max in [0, 1]"
                        .into(),
                ));
            }
        }
        if !(c.merger.collision_ps.is_finite() && c.merger.collision_ps >= 0.0) {
            return Err(at("collision_ps", "collision_ps must be ≥ 0".into()));
        }
        if n.threshold.is_empty()
            || n.threshold
                .windows(2)
                .any(|w| !ascending(w[0].th_ua, w[1].th_ua))
            || n.threshold
                .iter()
                .any(|p| !p.fluxons.is_finite() || !positive(p.width_fluxons))
            || n.threshold.len() > MAX_THRESHOLD_POINTS
        {
            return Err(at(
                "threshold",
                format!("neuron threshold: 1 to {MAX_THRESHOLD_POINTS} points, th_ua ascending, fluxons finite, width_fluxons > 0"),
            ));
        }
        if n.pulses_to_fire
            .windows(2)
            .any(|w| !ascending(w[0].th_ua, w[1].th_ua))
        {
            return Err(at(
                "pulses_to_fire",
                "pulses_to_fire: th_ua must be ascending".into(),
            ));
        }
        if !(positive(self.bias) && self.temperature_k.is_finite() && self.temperature_k >= 0.0) {
            return Err(at("bias", "bias must be > 0 and temperature_k ≥ 0".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_is_linear_and_extrapolates() {
        let pts = [(260.0, 8.0), (300.0, 3.0), (320.0, 1.0)];
        assert!((interpolate(pts.iter().copied(), 280.0) - 5.5).abs() < 1e-12);
        assert!((interpolate(pts.iter().copied(), 330.0) - 0.0).abs() < 1e-12);
        assert!((interpolate(pts.iter().copied(), 250.0) - 9.25).abs() < 1e-12);
    }

    #[test]
    fn sigmoid_is_one_half_at_the_centre() {
        let s = Sigmoid {
            centre_ua: 113.0,
            scale_ua: 2.5,
        };
        assert!((s.probability(113.0) - 0.5).abs() < 1e-12);
        assert!(s.probability(140.0) > 0.99);
    }
}
