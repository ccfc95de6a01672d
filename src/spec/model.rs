//! The spec as written: serde types mirroring the YAML, with source locations.
//!
//! Nothing here is checked beyond its YAML shape; [`super::check`] turns it into a
//! validated [`super::Design`].

use serde::de::{Deserializer, Visitor};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::fmt;

use super::quantity::Quantity;

/// A YAML mapping whose keys keep their location and whose order is kept.
pub use crate::analysis::checks::NamedMap as OrderedMap;

/// The whole spec file for an SFQ network.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecFile {
    /// Design name: names the output netlist (`<name>.cir`).
    pub name: Spanned<String>,
    #[serde(default)]
    pub technology: TechnologySpec,
    /// User cell files (JoSIM `.subckt` files).
    #[serde(default)]
    pub cells: Vec<Spanned<UserCellSpec>>,
    pub network: NetworkSpec,
    /// Per input: its pulse train.
    #[serde(default)]
    pub stimulus: OrderedMap<Spanned<StimulusSpec>>,
    /// Global parameters that stay symbolic in the netlist (`.param`).
    #[serde(default)]
    pub parameters: OrderedMap<Spanned<Quantity>>,
    /// Pass/fail checks on the output pulses (`nmgen check`, and the judge of margins).
    #[serde(default)]
    pub checks: Vec<crate::analysis::Check>,
    /// What `nmgen margins`, `nmgen shmoo` and `nmgen yield` sweep.
    #[serde(default)]
    pub margins: Option<MarginsSpec>,
    /// Thermal noise for checks: every check must pass for every seed.
    #[serde(default)]
    pub noise: Option<NoiseSpec>,
}

/// A fraction: a number (`0.005`) or a percentage (`0.5%`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fraction(pub f64);

impl<'de> Deserialize<'de> for Fraction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Fraction;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a fraction (`0.005`) or a percentage (`0.5%`)")
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Fraction, E> {
                Ok(Fraction(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Fraction, E> {
                Ok(Fraction(v as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Fraction, E> {
                Ok(Fraction(v as f64))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Fraction, E> {
                let t = v.trim();
                let (num, scale) = match t.strip_suffix('%') {
                    Some(n) => (n.trim(), 0.01),
                    None => (t, 1.0),
                };
                num.parse::<f64>()
                    .map(|x| Fraction(x * scale))
                    .map_err(|_| {
                        E::custom(format!(
                            "`{v}` is not a fraction or percentage (e.g. `0.5%`)"
                        ))
                    })
            }
        }
        d.deserialize_any(V)
    }
}

/// `margins:`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarginsSpec {
    /// `bias`, `inductors`, `critical_currents`, `resistors`, a parameter name, or an
    /// element (`L1|XJ1`, built-in engine). Default: `[bias]`.
    #[serde(default)]
    pub parameters: Vec<Spanned<String>>,
    /// Bisection resolution. Default 0.5 %.
    pub resolution: Option<Spanned<Fraction>>,
    /// Step of the coarse scan. Default 5 %.
    pub coarse_step: Option<Spanned<Fraction>>,
    /// `[lowest, highest]` multipliers searched. Default `[0.05, 3.0]`.
    pub range: Option<Spanned<Vec<f64>>>,
    pub shmoo: Option<ShmooSpec>,
    pub monte_carlo: Option<MonteCarloSpec>,
    /// `nmgen check` fails when the critical margin is below this (e.g. `20%`).
    pub minimum: Option<Spanned<Fraction>>,
}

/// A 2-D pass/fail map over two parameters' multipliers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShmooSpec {
    pub x: Spanned<String>,
    pub y: Spanned<String>,
    /// `[from, to, steps]` multipliers.
    pub x_range: Spanned<Vec<f64>>,
    pub y_range: Spanned<Vec<f64>>,
}

/// Monte Carlo yield: Gaussian spreads, σ as fractions.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonteCarloSpec {
    pub samples: Spanned<u32>,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// One draw per sample for a whole group (`bias`, `inductors`, …): process shifts.
    #[serde(default)]
    pub global: OrderedMap<Spanned<Fraction>>,
    /// One draw per element of the group (`inductors`, `critical_currents`,
    /// `resistors`): local mismatch; needs the built-in engine.
    #[serde(default)]
    pub local: OrderedMap<Spanned<Fraction>>,
}

fn default_seed() -> u64 {
    1
}

/// `noise:` thermal noise for checks.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoiseSpec {
    /// Temperature (K), e.g. 4.2.
    pub temperature: Spanned<Quantity>,
    /// Seeds 1..=seeds are simulated; every check must pass for each.
    pub seeds: Spanned<u32>,
}

/// `technology:`: the process and the simulation settings.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TechnologySpec {
    /// Junction model card (area 1); defaults to MIT-LL SFQ5ee as in ColdFlux.
    pub junction: Option<Spanned<JunctionSpec>>,
    /// Shunt product Ic·Rs (V); Rs = shunt_product / Ic. Default 686 µV (βc ≈ 1).
    pub shunt_product: Option<Spanned<Quantity>>,
    /// Parasitic inductance of a shunt per ohm (H/Ω). Default 0.565 pH/Ω (1.13 pH per 2 Ω square).
    pub shunt_inductance_per_ohm: Option<Spanned<Quantity>>,
    /// Bias current as a fraction of a junction's Ic. Default 0.7.
    pub bias_fraction: Option<Spanned<Quantity>>,
    /// Inductance rule L·Ic = k·Φ0. Default 0.25 (L = Φ0 / (4·Ic)).
    pub inductance_factor: Option<Spanned<Quantity>>,
    /// Transient time step (s). Default 0.1 ps.
    pub tstep: Option<Spanned<Quantity>>,
    /// Stop time (s). Default: 100 ps after the last stimulus pulse.
    pub tstop: Option<Spanned<Quantity>>,
    /// Peak of the triangular input current pulse (A). Default 600 µA.
    pub source_amplitude: Option<Spanned<Quantity>>,
    /// Rise (= fall) time of the input current pulse (s). Default 3 ps.
    pub source_rise: Option<Spanned<Quantity>>,
}

/// The junction model card.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JunctionSpec {
    /// Model name in the netlist. Default `nmg_jj`.
    pub model: Option<Spanned<String>>,
    pub rtype: Option<Spanned<i64>>,
    pub vg: Option<Spanned<Quantity>>,
    pub cap: Option<Spanned<Quantity>>,
    pub r0: Option<Spanned<Quantity>>,
    pub rn: Option<Spanned<Quantity>>,
    pub icrit: Option<Spanned<Quantity>>,
    pub delv: Option<Spanned<Quantity>>,
    pub icfct: Option<Spanned<Quantity>>,
}

/// `cells:` entry: a user cell file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserCellSpec {
    /// Path of the `.cir` file, relative to the spec file.
    pub file: Spanned<String>,
    /// The `.subckt` to use; default: the only one in the file.
    pub subckt: Option<Spanned<String>>,
    /// Name the network uses for this cell; default: the subcircuit name in lower case.
    pub name: Option<Spanned<String>>,
    /// Pulse input ports.
    pub inputs: Vec<Spanned<String>>,
    /// Pulse output ports.
    pub outputs: Vec<Spanned<String>>,
    /// Control ports, each fed by a DC current from a global parameter (weights, thresholds).
    #[serde(default)]
    pub controls: Vec<Spanned<String>>,
    /// The cell may sit in a connection loop (it holds state, e.g. a flip-flop).
    #[serde(default)]
    pub loop_ok: bool,
    /// Current sources of the cell that are bias supplies, whatever their waveform
    /// (overrides nmgen's classification; names as in the `.subckt`).
    #[serde(default)]
    pub bias_sources: Vec<Spanned<String>>,
    /// Current sources of the cell that are not bias supplies (never scaled by
    /// `bias`), whatever their waveform.
    #[serde(default)]
    pub signal_sources: Vec<Spanned<String>>,
}

/// `network:`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    pub inputs: Vec<Spanned<String>>,
    pub outputs: Vec<Spanned<String>>,
    /// Instance name → cell name, or `{ cell: NAME, PORT: current }` for cells with
    /// control ports (synapse weights, neuron thresholds).
    #[serde(default)]
    pub cells: OrderedMap<Spanned<InstanceSpec>>,
    /// `source -> target`, e.g. `a -> j1.a`, `d1.q -> out`.
    #[serde(default)]
    pub connections: Vec<Spanned<String>>,
    /// Full connection between groups (every `from` to every `to`), or weighted layers.
    #[serde(default)]
    pub layers: Vec<Spanned<LayerSpec>>,
}

/// A layer: every `from` to every `to` (a full connection), or, with `weights`, one
/// synapse per non-zero weight from a source to a neuron.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerSpec {
    pub from: Spanned<NameList>,
    pub to: Spanned<NameList>,
    /// `weights[target][source]`: an inline matrix of signed currents, or a file
    /// (`.csv` in µA, or a `map-weights` `.json` with `layer` and `curve`).
    pub weights: Option<Spanned<WeightsSpec>>,
    /// With a `.json` weight file: which of its layers (from 0).
    pub layer: Option<Spanned<usize>>,
    /// With a `.json` weight file: the `characterize synapse` JSON mapping |w| to a current.
    pub curve: Option<Spanned<String>>,
    /// With a `.json` weight file: the curve of the inhibitory synapse (default: `curve`).
    pub curve_inh: Option<Spanned<String>>,
    /// Multiplies every weight current of the layer. Default 1.
    pub scale: Option<Spanned<f64>>,
}

/// One name (`x[0..63]`, `h1`) or a list of names.
#[derive(Debug, Clone)]
pub enum NameList {
    One(String),
    Many(Vec<Spanned<String>>),
}

impl<'de> Deserialize<'de> for NameList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = NameList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a name (`x[0..63]`) or a list of names (`[x1, x2]`)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<NameList, E> {
                Ok(NameList::One(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<NameList, A::Error> {
                let mut v = Vec::new();
                while let Some(s) = seq.next_element::<Spanned<String>>()? {
                    v.push(s);
                }
                Ok(NameList::Many(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// A weight matrix: a file path, or rows of signed currents written inline.
#[derive(Debug, Clone)]
pub enum WeightsSpec {
    File(String),
    Inline(Vec<Spanned<Vec<Spanned<RawWeight>>>>),
}

/// One inline weight as written: a number (A) or text (`140uA`, or a mistake).
#[derive(Debug, Clone)]
pub enum RawWeight {
    Number(f64),
    Text(String),
}

impl<'de> Deserialize<'de> for WeightsSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = WeightsSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a weight file (`l1.csv`) or a matrix (`[[140uA, -135uA], ...]`)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<WeightsSpec, E> {
                Ok(WeightsSpec::File(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<WeightsSpec, A::Error> {
                let mut rows = Vec::new();
                while let Some(r) = seq.next_element::<Spanned<Vec<Spanned<RawWeight>>>>()? {
                    rows.push(r);
                }
                Ok(WeightsSpec::Inline(rows))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for RawWeight {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RawWeight;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a weight current such as `140uA` or `-135uA`")
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<RawWeight, E> {
                Ok(RawWeight::Number(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RawWeight, E> {
                Ok(RawWeight::Number(v as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<RawWeight, E> {
                Ok(RawWeight::Number(v as f64))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawWeight, E> {
                Ok(RawWeight::Text(v.to_string()))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<RawWeight, E> {
                Ok(RawWeight::Text(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// One input's pulse train: exactly one of `times`, `periodic`, `rate`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StimulusSpec {
    /// Explicit pulse times.
    pub times: Option<Vec<Spanned<Quantity>>>,
    pub periodic: Option<PeriodicSpec>,
    pub rate: Option<RateSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodicSpec {
    pub start: Spanned<Quantity>,
    pub period: Spanned<Quantity>,
    pub count: Spanned<u32>,
}

/// A rate-coded (Poisson) pulse train with a dead time between pulses.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateSpec {
    /// Mean pulse rate (Hz), e.g. `20GHz`.
    pub rate: Spanned<Quantity>,
    /// `[start, stop]` of the window (s).
    pub window: Spanned<Vec<Quantity>>,
    pub seed: Spanned<u64>,
    /// Shortest allowed interval between two pulses (s). Default 10 ps.
    pub min_interval: Option<Spanned<Quantity>>,
}

/// An instance: just its cell, or its cell and the currents of its control ports.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum InstanceSpec {
    Cell(String),
    WithControls(std::collections::BTreeMap<String, ControlValue>),
}

/// A control current: a number (A), a quantity (`135uA`) or a parameter name; for an
/// array, a list of them (one per element). Also the `chain:` cell and its `length:`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ControlValue {
    Number(f64),
    Text(String),
    List(Vec<ControlValue>),
}
