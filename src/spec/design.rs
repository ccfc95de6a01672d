//! The checked design: every name resolved, every value physical, in SI units.

use std::path::PathBuf;

/// The junction model card for an area-1 junction.
#[derive(Debug, Clone, PartialEq)]
pub struct JunctionCard {
    pub model: String,
    pub rtype: i64,
    pub vg: f64,
    pub cap: f64,
    pub r0: f64,
    pub rn: f64,
    pub icrit: f64,
    pub delv: Option<f64>,
    pub icfct: Option<f64>,
}

impl Default for JunctionCard {
    /// MIT-LL SFQ5ee as used by the ColdFlux RSFQ library.
    fn default() -> Self {
        JunctionCard {
            model: "nmg_jj".into(),
            rtype: 1,
            vg: 2.8e-3,
            cap: 0.07e-12,
            r0: 160.0,
            rn: 16.0,
            icrit: 0.1e-3,
            delv: None,
            icfct: None,
        }
    }
}

/// Process and simulation settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Technology {
    pub junction: JunctionCard,
    /// Ic·Rs of every shunt (V).
    pub shunt_product: f64,
    /// Parasitic shunt inductance per ohm (H/Ω).
    pub shunt_inductance_per_ohm: f64,
    pub bias_fraction: f64,
    /// k in L·Ic = k·Φ0.
    pub inductance_factor: f64,
    pub tstep: f64,
    pub tstop: f64,
    pub source_amplitude: f64,
    pub source_rise: f64,
}

impl Technology {
    /// The defaults, with a stop time to be filled in.
    pub fn defaults() -> Self {
        Technology {
            junction: JunctionCard::default(),
            shunt_product: 686e-6,
            shunt_inductance_per_ohm: 0.565e-12,
            bias_fraction: 0.7,
            inductance_factor: 0.25,
            tstep: 0.1e-12,
            tstop: 0.0,
            source_amplitude: 600e-6,
            source_rise: 3e-12,
        }
    }
}

/// One end of a connection.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    /// A network input (as a source) or output (as a target).
    Terminal(String),
    /// `instance.port`.
    Port { instance: String, port: String },
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Terminal(n) => f.write_str(n),
            Endpoint::Port { instance, port } => write!(f, "{instance}.{port}"),
        }
    }
}

/// A checked connection, with where it was written (for messages).
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    pub from: Endpoint,
    pub to: Endpoint,
    /// 1-based line of the spec where it was written.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub name: String,
    pub cell: String,
    /// Control port → the global parameter holding its current (A).
    pub controls: Vec<(String, String)>,
}

/// A network input and its pulse times (s), ascending.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    pub name: String,
    pub pulses: Vec<f64>,
}

/// A validated SFQ network design.
#[derive(Debug, Clone)]
pub struct Design {
    pub name: String,
    pub spec_path: PathBuf,
    pub technology: Technology,
    pub library: crate::cells::Library,
    pub inputs: Vec<Input>,
    pub outputs: Vec<String>,
    pub instances: Vec<Instance>,
    pub connections: Vec<Connection>,
    /// Global parameters in order, `bias` first.
    pub parameters: Vec<(String, f64)>,
    /// Checks on the output pulses (validated against the network's names).
    pub checks: Vec<crate::analysis::Check>,
    /// The `margins:` section as written (resolved by [`crate::verify`]).
    pub margins: Option<super::model::MarginsSpec>,
    /// Thermal noise for checks: (temperature in K, number of seeds).
    pub noise: Option<(f64, u32)>,
    /// The spec text, for errors found after loading (margin settings).
    pub source: crate::diagnostic::SourceFile,
}
