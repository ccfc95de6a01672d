//! The `lsm:` spec: parsing (serde-saphyr, located values) and validation into an [`LsmDesign`].

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use crate::diagnostic::{SourceError, SourceFile};

use super::energy::EnergyModel;
use super::margins::MarginSettings;

mod check;
mod readout;

pub use readout::{ReadoutSpec, ReadoutWeights};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    name: Spanned<String>,
    lsm: RawLsm,
    #[serde(default)]
    margins: Option<RawMargins>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLsm {
    inputs: Spanned<u64>,
    neurons: Spanned<u64>,
    recurrent_probability: Spanned<f64>,
    weight_bits: Spanned<u32>,
    conductance: RawConductance,
    lif: RawLif,
    time_steps: Spanned<u64>,
    adc: RawAdc,
    input: RawInput,
    #[serde(default)]
    readout: Option<RawReadout>,
    #[serde(default)]
    energy: Option<RawEnergy>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnergy {
    #[serde(default)]
    read_voltage_v: Option<Spanned<f64>>,
    #[serde(default)]
    read_pulse_ns: Option<Spanned<f64>>,
    #[serde(default)]
    adc_conversion_pj: Option<Spanned<f64>>,
    #[serde(default)]
    add_pj: Option<Spanned<f64>>,
    #[serde(default)]
    multiply_pj: Option<Spanned<f64>>,
    #[serde(default)]
    mac_pj: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConductance {
    g_min_us: Spanned<f64>,
    g_max_us: Spanned<f64>,
    mean_us: Spanned<f64>,
    sigma_us: Spanned<f64>,
    #[serde(default = "yes")]
    differential: bool,
    #[serde(default)]
    sparsity: Option<Spanned<f64>>,
    seed: u64,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLif {
    threshold: Spanned<f64>,
    leak: Spanned<RawLeak>,
    #[serde(default)]
    frac_bits: Option<Spanned<u32>>,
    #[serde(default)]
    membrane_bits: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLeak {
    #[serde(default)]
    multiply: Option<Spanned<f64>>,
    #[serde(default)]
    frac_bits: Option<Spanned<u32>>,
    #[serde(default)]
    shift: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAdc {
    bits: Spanned<u32>,
    rows_per_cycle: Spanned<u64>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum RawInputKind {
    Pixels,
    Channels,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInput {
    kind: Spanned<RawInputKind>,
    #[serde(default)]
    sensor: Option<Spanned<[u32; 2]>>,
    #[serde(default)]
    crop: Option<Spanned<RawCrop>>,
    #[serde(default)]
    polarity: Option<Polarity>,
    #[serde(default)]
    channels: Option<Spanned<u32>>,
    #[serde(default)]
    step_us: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
struct RawCrop {
    x: u32,
    y: u32,
    width: u32,
    height: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReadout {
    classes: Spanned<u32>,
    #[serde(default)]
    weights: Option<Spanned<String>>,
    #[serde(default)]
    mac_units: Option<Spanned<u32>>,
    #[serde(default)]
    hidden: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMargins {
    #[serde(default)]
    sigmas_us: Option<Spanned<Vec<f64>>>,
    #[serde(default)]
    seeds: Option<Spanned<u32>>,
    #[serde(default)]
    samples_per_class: Option<Spanned<u32>>,
    #[serde(default)]
    classes: Option<Spanned<u32>>,
    #[serde(default)]
    seed: Option<u64>,
}

/// Which events feed the reservoir: an event camera crop, or a cochlea's channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Polarity {
    /// ON events only (p = 1).
    On,
    /// OFF events only (p = 0).
    Off,
    /// Both polarities merged into the same input.
    Both,
}

/// The input mapping: events → input lines.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum InputMap {
    /// DVS pixels: `sensor` size, a crop window, a polarity filter. Input index is
    /// `(y − crop_y)·crop_width + (x − crop_x)`.
    Pixels {
        sensor_width: u32,
        sensor_height: u32,
        crop_x: u32,
        crop_y: u32,
        crop_width: u32,
        crop_height: u32,
        polarity: Polarity,
    },
    /// Cochlea channels: input index is the channel.
    Channels { channels: u32 },
}

/// How the membrane leaks each time step.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum Leak {
    /// `trunc(v·L / 2^frac_bits)` with `L = round(factor·2^frac_bits)` (rounded toward zero,
    /// so a membrane of either sign decays to 0).
    Multiply {
        factor: f64,
        code: u32,
        frac_bits: u32,
    },
    /// A factor of `1 − 2^−shift`: `trunc(v·(2^shift − 1) / 2^shift)` (a subtract in
    /// hardware, rounded toward zero like the multiply).
    Shift { shift: u32 },
}

impl Leak {
    /// The leak as a fixed-point multiplier `(L, LF)`: `leak(v) = trunc(v·L / 2^LF)`. A
    /// shift leak is `L = 2^shift − 1`, `LF = shift`.
    pub fn multiplier(&self) -> (u32, u32) {
        match *self {
            Leak::Multiply {
                code, frac_bits, ..
            } => (code, frac_bits),
            Leak::Shift { shift } => ((1u32 << shift) - 1, shift),
        }
    }
    /// The effective leak factor after quantization.
    pub fn effective(&self) -> f64 {
        let (code, frac_bits) = self.multiplier();
        code as f64 / (1u64 << frac_bits) as f64
    }
    /// The factor the spec asks for (`1 − 2^−shift` for a shift leak).
    pub fn factor(&self) -> f64 {
        match *self {
            Leak::Multiply { factor, .. } => factor,
            Leak::Shift { .. } => self.effective(),
        }
    }
}

/// The conductance model of the resistive-memory crossbar (µS).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Conductance {
    pub g_min_us: f64,
    pub g_max_us: f64,
    pub mean_us: f64,
    pub sigma_us: f64,
    /// Each synapse is a pair G+ − G− (true), or one device against a mid-window reference.
    pub differential: bool,
    /// Fraction of input synapses left unformed (both devices at g_min: weight 0).
    pub sparsity: f64,
    pub seed: u64,
}

/// A validated LSM design.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LsmDesign {
    pub name: String,
    pub inputs: usize,
    pub neurons: usize,
    pub recurrent_probability: f64,
    pub weight_bits: u32,
    pub conductance: Conductance,
    pub threshold: f64,
    pub leak: Leak,
    /// Fractional bits of the membrane (units of one weight LSB).
    pub frac_bits: u32,
    pub membrane_bits: u32,
    pub time_steps: usize,
    pub adc_bits: u32,
    pub rows_per_cycle: usize,
    pub input: InputMap,
    /// Fixed time-bin width in µs; `None` spreads each sample's span over `time_steps`.
    pub step_us: Option<f64>,
    pub readout: Option<ReadoutSpec>,
    /// Per-event energies of the PPA report.
    pub energy: EnergyModel,
    pub margins: MarginSettings,
}

impl LsmDesign {
    /// Largest weight code, `2^(weight_bits−1) − 1` (= one full conductance window).
    pub fn q(&self) -> i32 {
        (1i32 << (self.weight_bits - 1)) - 1
    }
    /// Crossbar rows: inputs then reservoir neurons.
    pub fn rows(&self) -> usize {
        self.inputs + self.neurons
    }
    /// Row groups read per step (`rows_per_cycle` word lines each).
    pub fn groups(&self) -> usize {
        self.rows().div_ceil(self.rows_per_cycle)
    }
    /// Threshold in membrane units (weight LSB · 2^frac_bits).
    pub fn threshold_code(&self) -> i64 {
        (self.threshold * self.q() as f64 * (1u64 << self.frac_bits) as f64).round() as i64
    }
    /// Saturation limits of the membrane register.
    pub fn membrane_limits(&self) -> (i64, i64) {
        let h = 1i64 << (self.membrane_bits - 1);
        (-h, h - 1)
    }
    /// Saturation limits of one ADC conversion.
    pub fn adc_limits(&self) -> (i32, i32) {
        let h = 1i32 << (self.adc_bits - 1);
        (-h, h - 1)
    }
    /// Bits of a per-neuron spike counter (holds 0..=time_steps).
    pub fn count_bits(&self) -> u32 {
        bits_for(self.time_steps as u64)
    }
    /// Readout classes (0 without a readout).
    pub fn classes(&self) -> usize {
        self.readout.as_ref().map_or(0, |r| r.classes as usize)
    }
}

/// Bits needed to hold `0..=n` (at least 1).
pub fn bits_for(n: u64) -> u32 {
    (64 - n.leading_zeros()).max(1)
}

/// Parses and validates an LSM spec file.
pub fn load(path: &Path) -> Result<LsmDesign, SourceError> {
    let file = SourceFile::read(path)?;
    load_file(&file)
}

/// Parses and validates spec text as if read from `path` (relative paths resolve beside it).
pub fn load_str(text: &str, path: &Path) -> Result<LsmDesign, SourceError> {
    load_file(&SourceFile::new(path, text))
}

fn token_len(file: &SourceFile, offset: usize) -> usize {
    let rest = &file.text[offset.min(file.text.len())..];
    rest.find(['\n', ',', ']', '}', '#'])
        .unwrap_or(rest.len())
        .max(1)
}

fn err_at(file: &SourceFile, loc: &Location, msg: impl Into<String>) -> SourceError {
    let (line, col) = (loc.line().max(1) as usize, loc.column().max(1) as usize);
    let start = file.offset_of(line, col);
    file.error_at(line, col, token_len(file, start), msg)
}

fn spanned_err<T>(file: &SourceFile, s: &Spanned<T>, msg: impl Into<String>) -> SourceError {
    err_at(file, &s.referenced, msg)
}

fn load_file(file: &SourceFile) -> Result<LsmDesign, SourceError> {
    let raw: RawSpec = serde_saphyr::from_str(&file.text).map_err(|e| {
        let text = e.without_snippet().to_string();
        let first = text.lines().next().unwrap_or("invalid spec");
        let message = crate::spec::plain::plain_message(&strip_location(first))
            .replace("invalid u64", "expected a non-negative integer")
            .replace("invalid u32", "expected a non-negative integer")
            .replace("invalid f64", "expected a number");
        match e.location() {
            Some(loc) if loc.line() > 0 => err_at(file, &loc, message),
            _ => SourceError::file(&file.path, message),
        }
    })?;
    check::validate(file, raw)
}

/// Drops serde-saphyr's trailing "at line L, column C" (the location is in the error itself).
fn strip_location(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) if msg[i + 9..].starts_with(|c: char| c.is_ascii_digit()) => msg[..i].to_string(),
        _ => msg.to_string(),
    }
}

fn locate<T>(file: &SourceFile, s: &Spanned<T>, msg: impl Into<String>) -> SourceError {
    spanned_err(file, s, msg)
}

/// Resolves a path written in the spec relative to the spec's directory.
fn beside(file: &SourceFile, rel: &str) -> PathBuf {
    let p = Path::new(rel);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        file.path.parent().unwrap_or(Path::new(".")).join(p)
    }
}
