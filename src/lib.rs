//! nmgen: a hardware generator for neuromorphic circuits.
//!
//! Laid out as a compiler with simulators attached:
//! - front ends: [`spec`] (YAML network spec) and [`netlist`] (JoSIM netlists);
//! - the network IR [`ir`] and the [`passes`] that transform it;
//! - back ends: [`backend`] (JoSIM netlists) and [`lsm`] (Verilog);
//! - engines: [`sim`] (built-in simulator), [`pulse`] (pulse-level simulator);
//! - [`analysis`]: waveforms, checks and margins.

// Located errors carry their source text; they are the cold path, size is fine.
#![allow(clippy::result_large_err)]

pub mod analysis;
pub mod backend;
pub mod build;
pub mod cells;
pub mod characterize;
pub mod circuit;
pub mod cost;
pub mod dataset;
pub mod diagnostic;
pub mod engine;
pub mod ir;
pub mod lsm;
pub mod netlist;
pub mod output;
pub mod passes;
pub mod pulse;
pub mod sim;
pub mod slurm;
pub mod spec;
pub mod train;
pub mod verify;
