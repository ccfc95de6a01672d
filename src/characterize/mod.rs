//! Characterization of the neuromorphic cells and networks under thermal noise:
//!
//! - [`bench`]: test benches built through nmgen's own spec path, run over noise seeds;
//! - [`fit`]: the logistic (sigmoid) fit of a synapse's pass probability vs weight current;
//! - [`synapse`]: the pass-probability curve of `synapse` / `synapse_inh`;
//! - [`neuron`]: output rate vs input rate, and input pulses needed to fire, vs threshold;
//! - [`weights`]: trained weight matrices mapped onto synapse currents (a spec YAML);
//! - [`classify`]: rate-coded classification of input patterns (the XOR network);
//! - [`plot`]: SVG curves with error bars;
//! - [`models`], [`neuron_bench`], [`model_fit`]: the pulse-level cell models measured and
//!   fitted (`characterize models`).

pub mod bench;
pub mod classify;
pub mod count_fit;
pub mod fit;
pub mod model_fit;
pub mod models;
pub mod neuron;
pub mod neuron_bench;
pub mod plot;
pub mod synapse;
pub mod weights;

pub use bench::{count_pulses, design_from_yaml, BenchRun};
pub use classify::xor_patterns;
pub use classify::{
    rate_classification, xor_classification, ClassificationReport, Pattern, PatternResult,
};
pub use fit::{fit_logistic, Logistic};
pub use neuron::{characterize_neuron, NeuronPlan, NeuronReport};
pub use synapse::{characterize_synapse, SynapseKind, SynapsePlan, SynapseReport};
pub use weights::{map_weights, WeightFile};

use crate::engine::EngineError;

/// Why a characterization could not be done.
#[derive(Debug, thiserror::Error)]
pub enum CharacterizeError {
    #[error(transparent)]
    Spec(Box<crate::diagnostic::SourceError>),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Analysis(#[from] crate::analysis::AnalysisError),
    #[error("the design has no output `{0}`")]
    NoOutput(String),
    #[error("the design has no input `{0}`")]
    NoInput(String),
    #[error("logistic fit: {0}")]
    Fit(String),
    #[error("{0}")]
    Plan(String),
}

impl From<crate::diagnostic::SourceError> for CharacterizeError {
    fn from(e: crate::diagnostic::SourceError) -> Self {
        CharacterizeError::Spec(Box::new(e))
    }
}
