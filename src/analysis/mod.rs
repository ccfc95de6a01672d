//! Waveform analysis, checks and margins, independent of the simulation engine.
//!
//! - [`traces`], [`josim_csv`]: waveforms (time + named columns), JoSIM CSV reading;
//! - [`slips`], [`pulses`]: 2π phase slips and per-output pulse times;
//! - [`plot`]: SVG rasters and waveform plots;
//! - [`checks`], [`units`]: truth tables, timing bounds, rate classes from the spec;
//! - [`evaluator`]: what a simulator offers the sweeps (pass/fail under multipliers);
//! - [`margins`], [`shmoo`], [`montecarlo`]: margin search, 2-D shmoo, yield;
//! - [`sweep`]: running those in parallel, sharded and resumable.

pub mod agreement;
pub mod checks;
pub mod evaluator;
pub mod josim_csv;
pub mod junit;
pub mod margins;
pub mod montecarlo;
pub mod plot;
pub mod pulses;
pub mod shmoo;
pub mod slips;
pub mod sweep;
pub mod traces;
pub mod units;
pub mod vcd;

pub use agreement::{compare, ColumnAgreement};
pub use checks::{evaluate, evaluate_runs, validate, Check, CheckOutcome, KnownNames};
pub use evaluator::{ChecksEvaluator, Evaluator, FnEvaluator, MarginParameter, ParameterKind};
pub use josim_csv::{parse_josim_csv, read_josim_csv};
pub use margins::{MarginReport, MarginSearch};
pub use montecarlo::{wilson_interval, MonteCarloPlan, Variation, YieldReport};
pub use pulses::{OutputPulses, PulseTimes};
pub use shmoo::{ShmooAxis, ShmooPlan, ShmooReport};
pub use slips::{detect_slips, net_slips, PhaseSlip, SlipOptions};
pub use sweep::{
    collect, run, run_shard, MarginPlan, Progress, Shard, SweepError, SweepPlan, SweepReport,
};
pub use sweep::{collect_with, run_shard_stamped, status, CollectOptions, Stamp};
pub use traces::{normalize_column_name, Column, Traces};
pub use units::{parse_rate, parse_time, Rate, Time};

/// Errors of the analysis functions that are not located in a source file.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error("no waveform column `{column}` (columns: {available})")]
    MissingColumn { column: String, available: String },
    #[error("plot: {0}")]
    Plot(String),
}
