//! Subcommands and their exit codes: 0 success, 1 a check or margin failed,
//! 2 bad input (spec, netlist, event file, flags).

mod build;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use report::Failure;

/// nmgen: a hardware generator for neuromorphic circuits (SFQ netlists for JoSIM,
/// resistive-memory LSM Verilog).
#[derive(Parser)]
#[command(name = "nmgen", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Compile a spec into JoSIM netlists (SFQ) or Verilog (LSM), with a manifest.
    Build {
        /// The YAML spec.
        spec: PathBuf,
        /// Output folder.
        #[arg(short, long, default_value = "out")]
        out: PathBuf,
    },
}

pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Build { spec, out } => build::run(&spec, &out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => f.report(),
    }
}
