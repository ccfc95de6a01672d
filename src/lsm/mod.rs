//! Resistive-memory liquid state machine (LSM) macro: weights, RTL, bit-accurate model.
//!
//! After N. Lin et al., "Resistive memory-based zero-shot liquid state machine for
//! multimodal event data learning", Nature Computational Science 5, 37–47 (2025): a fixed,
//! random, recurrent spiking reservoir whose weights are the stochastic conductances of a
//! resistive-memory crossbar, read row-serially through column ADCs, followed by a trained
//! digital readout.
//!
//! - [`load`] parses an LSM spec (`name:`, `lsm:`, optional `margins:`) into an [`LsmDesign`];
//! - [`weights`] draws the conductances (seeded) and quantizes them to signed codes;
//! - [`model`] is the bit-accurate integer model of the macro;
//! - [`build`] emits the Verilog-2005 RTL, `$readmemh` weight files and a self-checking
//!   testbench;
//! - [`simulate`] runs the model and Verilator, reads the VCD back and compares;
//! - [`train_readout`] fits the int8 readout on spike counts;
//! - [`variation_margins`] sweeps device variation (Monte Carlo).

pub mod build;
pub mod energy;
pub mod events;
pub mod float_rule;
pub mod images;
pub mod margins;
pub mod mlp;
pub mod model;
pub mod plot;
pub mod readout;
mod readout_fit;
pub mod reference_model;
pub mod rtl;
pub mod sim;
pub mod spec;
pub mod synth;
pub mod tb_out;
pub mod vcd_read;
pub mod verilator;
pub mod weights;

use std::path::PathBuf;

pub use build::build;
pub use events::{bin_events, read_events, EventSample, EventSet, SpikeTrain};
pub use margins::{variation_margins, MarginPoint, MarginReport, MarginSettings};
pub use model::{run_sample, Raster, Reservoir};
pub use readout::{train_readout, TrainReport, TrainSettings, TrainedReadout};
pub use sim::{simulate, Mismatch, SimReport, SimSettings};
pub use spec::{load, load_str, LsmDesign};
pub use synth::{synthetic_events, SyntheticSettings};
pub use weights::{draw_weights, Weights};

use crate::diagnostic::SourceError;

/// One output file: a path relative to the output directory, and its bytes.
pub type Artifact = (PathBuf, Vec<u8>);

/// Everything that can go wrong in the LSM flow.
#[derive(Debug, thiserror::Error)]
pub enum LsmError {
    /// Bad input located in a file (spec, event file).
    #[error(transparent)]
    Source(#[from] Box<SourceError>),
    /// A tool (Verilator, the compiled model) failed; `log` has its output.
    #[error("{tool} failed: {message}\n{log}")]
    Tool {
        tool: String,
        message: String,
        log: String,
    },
    /// Verilator is not installed (or not on PATH).
    #[error("verilator not found on PATH ({0}); install it (Debian: apt-get install verilator)")]
    NoVerilator(String),
    /// Files could not be written or read in the work directory.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The VCD written by the simulation could not be read back.
    #[error("VCD {path}: {message}")]
    Vcd { path: PathBuf, message: String },
    /// The testbench's output file (`lsm_out.txt`) could not be read back.
    #[error("testbench output {path}: {message}")]
    TbOutput { path: PathBuf, message: String },
    /// A request that does not fit the design (e.g. wrong event width, no labelled data).
    #[error("{0}")]
    Invalid(String),
    /// Plotting failed.
    #[error("plot: {0}")]
    Plot(String),
}

impl From<SourceError> for LsmError {
    fn from(e: SourceError) -> Self {
        LsmError::Source(Box::new(e))
    }
}

impl LsmError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        LsmError::Io {
            path: path.into(),
            source,
        }
    }
}
