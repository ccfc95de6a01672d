//! Subcommands and their exit codes: 0 success, 1 a check or margin failed,
//! 2 bad input (spec, netlist, event file, flags).

mod build;
mod characterize;
mod engine_args;
mod lsm;
mod report;
mod sim;
mod train_sfq;
mod verify;

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
    /// Simulate a JoSIM netlist (`.cir` → CSV in JoSIM's format) or a spec
    /// (waveforms, pulse raster CSV and SVG plots in a folder).
    Sim {
        /// A JoSIM netlist (`.cir`) or a YAML spec.
        input: PathBuf,
        /// The CSV to write (netlist) or the output folder (spec).
        #[arg(short, long)]
        out: PathBuf,
        #[command(flatten)]
        engine: engine_args::EngineArgs,
        /// Random seed for thermal noise and `.spread` (overrides `.option seed=`).
        #[arg(long)]
        seed: Option<u64>,
        /// Turn on thermal noise at this temperature in kelvin (specs only), e.g. 4.2.
        #[arg(long)]
        temperature: Option<f64>,
        /// LSM specs: the event file (CSV `t,x,y,p` / `t,channel`, or N-MNIST `.bin`);
        /// without it a seeded synthetic set is used.
        #[arg(long)]
        events: Option<PathBuf>,
        /// LSM specs: run only the bit-accurate Rust model, not Verilator.
        #[arg(long)]
        no_verilator: bool,
    },
    /// LSM specs: train the int8 readout on the spike counts of a labelled event set.
    Train {
        spec: PathBuf,
        #[arg(short, long, default_value = "out")]
        out: PathBuf,
        /// Labelled events; without it a seeded synthetic 10-class set is used.
        #[arg(long)]
        events: Option<PathBuf>,
    },
    /// Run the spec's checks (and its minimum margin): exit 0 pass, 1 fail, 2 bad input.
    Check {
        spec: PathBuf,
        #[command(flatten)]
        engine: engine_args::EngineArgs,
        /// Write accuracy checks' confusion matrices (SVG) and per-sample counts (JSON) here.
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Margins of the spec's parameters (or, with --sweep, a shmoo or Monte Carlo
    /// yield): table on stdout, JSON and SVG on request; shardable.
    Margins(verify::MarginsArgs),
    /// Characterize the neuromorphic cells with thermal noise (synapse curve, neuron
    /// rates) or check a rate-coded XOR spec over noise seeds.
    Characterize {
        #[command(subcommand)]
        what: characterize::What,
    },
    /// Map trained weights onto synapse currents through a characterized sigmoid,
    /// writing a spec (format: docs/characterization.md).
    MapWeights {
        /// The weight file (JSON).
        weights: std::path::PathBuf,
        /// The synapse characterization (`nmgen characterize synapse` → synapse.json).
        #[arg(long)]
        curve: std::path::PathBuf,
        /// The inhibitory synapse's characterization (default: --curve).
        #[arg(long)]
        curve_inh: Option<std::path::PathBuf>,
        /// The spec YAML to write.
        #[arg(short, long)]
        out: std::path::PathBuf,
    },
    /// Train a rate-coded SFQ network on a labelled data set (hardware-aware: synapse
    /// currents and threshold currents on the cell models); writes a spec with an
    /// accuracy check and per-layer weight CSVs (docs/training.md).
    TrainSfq(train_sfq::TrainSfqArgs),
}

pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Build { spec, out } if lsm::is_lsm_spec(&spec) => lsm::build(&spec, &out),
        Command::Build { spec, out } => build::run(&spec, &out),
        Command::Train { spec, out, events } => lsm::train(&spec, &out, events.as_deref()),
        Command::Check {
            spec,
            engine,
            report,
        } => verify::check(&spec, &engine, report.as_deref()),
        Command::TrainSfq(args) => train_sfq::run(&args),
        Command::Margins(args) => match &args.spec {
            Some(spec) if lsm::is_lsm_spec(spec) => {
                lsm::margins(spec, &args.out, args.events.as_deref())
            }
            _ => verify::margins(&args),
        },
        Command::Sim {
            input,
            out,
            engine,
            seed,
            temperature,
            events,
            no_verilator,
        } => {
            if is_spec(&input) && lsm::is_lsm_spec(&input) {
                lsm::sim(&input, &out, events.as_deref(), !no_verilator)
            } else if is_spec(&input) {
                sim::spec(&input, &out, &engine, seed, temperature)
            } else {
                sim::netlist(&input, &out, &engine, seed)
            }
        }
        Command::Characterize { what } => characterize::run(what),
        Command::MapWeights {
            weights,
            curve,
            curve_inh,
            out,
        } => characterize::map_weights(&weights, &curve, curve_inh.as_deref(), &out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => f.report(),
    }
}

/// A YAML spec (by extension), as opposed to a JoSIM netlist.
fn is_spec(path: &std::path::Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref(),
        Some("yaml") | Some("yml")
    )
}
