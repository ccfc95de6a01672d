//! The pulse level: a fast event-driven stochastic simulator of an SFQ network, whose
//! cell models are measured at the circuit level (`nmgen characterize models`).
//!
//! - [`models`]: the cell-model file (`models/default.json` for the default technology);
//! - [`network`]: a lowered design as flat arrays of cells and point-to-point wires;
//! - [`sim`]: the event-driven simulator (binary heap of pulse arrivals);
//! - [`bench`]: the spec's checks judged at pulse level (same reports as the circuit level);
//! - [`levels`]: output pulse counts of both levels per pattern and seed, and their agreement;
//! - [`stats`]: the two-sample tests that compare them;
//! - [`random_net`]: seeded random layered networks (agreement and speed benches);
//! - [`chains`]: the large synthetic network of the speed benchmark.

pub mod bench;
pub mod chains;
pub mod levels;
pub mod models;
pub mod network;
pub mod random_net;
pub mod sim;
pub mod stats;

pub use bench::PulseBench;
pub use models::CellModels;
pub use network::{Kind, NetBuilder, PulseNet};
pub use sim::{simulate, Outcome, Simulator};

/// The cell-model file shipped for the default technology, as compiled in.
pub const DEFAULT_MODELS: &str = include_str!("../../models/default.json");

/// The path of the shipped default model file, relative to the repository.
pub const DEFAULT_MODELS_PATH: &str = "models/default.json";

/// The default technology's models (the shipped file, compiled in).
pub fn default_models() -> Result<CellModels, crate::diagnostic::SourceError> {
    CellModels::parse(&crate::diagnostic::SourceFile::new(
        DEFAULT_MODELS_PATH,
        DEFAULT_MODELS,
    ))
}

/// Why a design cannot be simulated at pulse level.
#[derive(Debug, thiserror::Error)]
pub enum PulseError {
    #[error("instance `{instance}` is a `{cell}` cell, which has no pulse-level model (only nmgen's built-in cells have one); simulate it with --level circuit")]
    NoModel { instance: String, cell: String },
    #[error("instance `{instance}` is an `sfqdc` cell: its output is a DC level, which the pulse level does not model; use --level circuit")]
    Level { instance: String },
    #[error("the global bias is {bias}, but the cell models were measured at bias {measured}: the pulse level cannot scale the bias (measure models at that bias with `nmgen characterize models --bias {bias}`, or use --level circuit)")]
    Bias { bias: f64, measured: f64 },
    #[error("`{0}` cannot be varied at pulse level: the cell models know weight and threshold currents (spec parameters), not the global bias or circuit elements; use --level circuit")]
    Parameter(String),
    #[error("check `{0}` scores a labelled data set, which the pulse level does not run: use --level circuit")]
    Accuracy(String),
}
