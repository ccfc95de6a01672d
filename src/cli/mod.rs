//! Subcommands and their exit codes: 0 success, 1 a check or margin failed,
//! 2 bad input (spec, netlist, event file, flags).

mod build;
mod characterize;
mod check;
mod cost;
mod engine_args;
mod flags;
mod lsm;
mod manual;
mod pulse;
mod pulse_accuracy;
mod report;
mod sim;
mod slurm;
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
    /// Most time steps one transient run may take (tstop / tstep; default 10000000).
    #[arg(long, global = true, value_name = "N")]
    pub max_steps: Option<u64>,
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
        #[command(flatten)]
        cost: cost::CostArgs,
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
        /// LSM specs: also dump the RTL testbench's waveform for GTKWave (first batch of up
        /// to 64 samples, OUT/lsm.vcd or OUT/lsm.fst); the check reads the testbench's outputs
        /// either way.
        #[arg(long, value_enum, value_name = "FORMAT")]
        rtl_trace: Option<lsm::RtlTrace>,
        /// Netlists: also write the printed waveforms and every phase's 2π slips as a
        /// VCD (specs always write `OUT/<name>.vcd`).
        #[arg(long, value_name = "FILE")]
        vcd: Option<PathBuf>,
        #[command(flatten)]
        level: pulse::LevelArgs,
    },
    /// LSM specs: train the int8 readout on the spike counts of a labelled event set.
    Train {
        spec: PathBuf,
        #[arg(short, long, default_value = "out")]
        out: PathBuf,
        /// Labelled events; without it a seeded synthetic 10-class set is used.
        #[arg(long)]
        events: Option<PathBuf>,
        #[command(flatten)]
        readout: lsm::TrainArgs,
    },
    /// Run the checks (and minimum margin) of one or more specs: exit 0 pass, 1 fail,
    /// 2 bad input; `--junit FILE` writes a JUnit XML report for CI.
    Check {
        #[arg(required = true, value_name = "SPEC")]
        specs: Vec<PathBuf>,
        /// Write the verdicts as JUnit XML: one testsuite per spec, one testcase per
        /// check, pattern, margin parameter and the minimum margin.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        #[command(flatten)]
        engine: engine_args::EngineArgs,
        #[command(flatten)]
        level: pulse::LevelArgs,
        /// Write accuracy checks' confusion matrices (SVG) and per-sample counts (JSON) here.
        #[arg(long)]
        report: Option<PathBuf>,
        /// With --level pulse: a circuit-level `<check>_accuracy.json` (from `--report`)
        /// to compare the decisions with, sample by sample.
        #[arg(long, value_name = "FILE")]
        against: Option<PathBuf>,
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
    /// SFQ specs: the cost of the design (junctions by cell kind, bias current, static
    /// power; with a simulation, switching energy and latency per inference).
    Report(cost::ReportArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff), e.g. `nmgen man > nmgen.1`.
    Man,
    /// Train a rate-coded SFQ network on a labelled data set (hardware-aware: synapse
    /// currents and threshold currents on the cell models); writes a spec with an
    /// accuracy check and per-layer weight CSVs (docs/training.md).
    TrainSfq(train_sfq::TrainSfqArgs),
    /// LSM event files: convert an image data set into labelled address events.
    Events {
        #[command(subcommand)]
        what: lsm::EventsCommand,
    },
}

pub fn run(cli: Cli, matches: &clap::ArgMatches) -> ExitCode {
    if let Some(n) = cli.max_steps {
        nmgen::sim::set_max_steps(n);
    }
    let result = dispatch(cli.command, matches);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => f.report(),
    }
}

/// Every command that takes a spec reads it once ([`nmgen::spec::load_any`]) and
/// goes down the SFQ or LSM path by what it read; flags of the other kind are errors.
fn dispatch(command: Command, matches: &clap::ArgMatches) -> Result<(), Failure> {
    use nmgen::spec::LoadedSpec;
    let given = flags::Given::of(matches);
    match command {
        Command::Build { spec, out, cost } => match nmgen::spec::load_any(&spec)? {
            LoadedSpec::Lsm(d) => {
                given.reject(&spec, "an LSM spec", &["bias_voltage"])?;
                lsm::build(&d, &spec, &out)
            }
            LoadedSpec::Sfq(d) => build::run(&d, &spec, &out, &cost),
        },
        Command::Train {
            spec,
            out,
            events,
            readout,
        } => match nmgen::spec::load_any(&spec)? {
            LoadedSpec::Lsm(d) => lsm::train(&d, &spec, &out, events.as_deref(), &readout),
            LoadedSpec::Sfq(_) => Err(flags::wrong_kind(&spec, "train", "an SFQ spec")),
        },
        Command::Check {
            specs,
            junit,
            level,
            report,
            against,
            ..
        } if level.is_pulse() => {
            if junit.is_some() {
                return Err(Failure::Other(anyhow::anyhow!(
                    "--junit reports circuit-level checks; run `nmgen check` without --level pulse for a JUnit report"
                )));
            }
            specs.iter().try_for_each(|spec| {
                pulse::check(spec, &level, report.as_deref(), against.as_deref())
            })
        }
        Command::Check {
            specs,
            junit,
            engine,
            report,
            ..
        } => check::run(&specs, junit.as_deref(), report.as_deref(), &engine),
        Command::TrainSfq(args) => train_sfq::run(&args),
        Command::Events { what } => lsm::events_command(&what),
        Command::Margins(args) if args.level.is_pulse() => {
            let spec = args.spec.clone().unwrap_or_default();
            given.reject(&spec, "the pulse level", &flags::SLURM)?;
            pulse::margins(&args)
        }
        Command::Margins(args) => match &args.spec {
            Some(spec) if args.command.is_none() => match nmgen::spec::load_any(spec)? {
                LoadedSpec::Lsm(d) => {
                    given.reject(spec, "an LSM spec", &flags::SFQ_MARGINS)?;
                    lsm::margins(&d, spec, &args.out, args.events.as_deref())
                }
                LoadedSpec::Sfq(d) => {
                    given.reject(spec, "an SFQ spec", &["events", "out"])?;
                    verify::margins(Some(&d), &args)
                }
            },
            _ => verify::margins(None, &args),
        },
        Command::Sim {
            input,
            out,
            engine,
            seed,
            temperature,
            events,
            no_verilator,
            rtl_trace,
            vcd,
            level,
        } => {
            if level.is_pulse() {
                if !is_spec(&input) || matches!(nmgen::spec::load_any(&input)?, LoadedSpec::Lsm(_))
                {
                    return Err(Failure::Other(anyhow::anyhow!(
                        "{}: --level pulse simulates SFQ specs (YAML), not netlists or LSM specs",
                        input.display()
                    )));
                }
                given.reject(
                    &input,
                    "the pulse level",
                    &[
                        "engine",
                        "josim",
                        "mode",
                        "timeout",
                        "temperature",
                        "vcd",
                        "rtl_trace",
                    ],
                )?;
                return pulse::sim(&input, &out, &level, seed);
            }
            if !is_spec(&input) {
                given.reject(
                    &input,
                    "a netlist",
                    &["temperature", "events", "no_verilator", "rtl_trace"],
                )?;
                return sim::netlist(&input, &out, &engine, seed, vcd.as_deref());
            }
            match nmgen::spec::load_any(&input)? {
                LoadedSpec::Lsm(d) => {
                    given.reject(&input, "an LSM spec", &flags::SFQ_SIM)?;
                    if no_verilator {
                        given.reject(
                            &input,
                            "a model-only run (--no-verilator)",
                            &["rtl_trace"],
                        )?;
                    }
                    lsm::sim(
                        &d,
                        &input,
                        &out,
                        events.as_deref(),
                        !no_verilator,
                        rtl_trace,
                    )
                }
                LoadedSpec::Sfq(d) => {
                    given.reject(
                        &input,
                        "an SFQ spec",
                        &["events", "no_verilator", "vcd", "rtl_trace"],
                    )?;
                    sim::spec(&d, &input, &out, &engine, seed, temperature)
                }
            }
        }
        Command::Report(args) => match nmgen::spec::load_any(&args.spec)? {
            LoadedSpec::Sfq(d) => cost::report(&d, &args),
            LoadedSpec::Lsm(_) => Err(flags::wrong_kind(&args.spec, "report", "an LSM spec")),
        },
        Command::Characterize { what } => characterize::run(what),
        Command::MapWeights {
            weights,
            curve,
            curve_inh,
            out,
        } => characterize::map_weights(&weights, &curve, curve_inh.as_deref(), &out),
        Command::Completions { shell } => manual::completions(shell),
        Command::Man => manual::man(),
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
