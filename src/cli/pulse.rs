//! The pulse level on the command line: `--level pulse` for `sim`, `check` and
//! `margins`, and `characterize models|levels|random-net`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use nmgen::analysis::plot::plot_raster;
use nmgen::analysis::{self, Progress, SweepPlan};
use nmgen::characterize::models::{characterize_models, ModelsPlan};
use nmgen::output::Artifact;
use nmgen::pulse::bench::BenchError;
use nmgen::pulse::levels::{self, LevelCounts};
use nmgen::pulse::random_net::RandomNet;
use nmgen::pulse::{CellModels, PulseBench, PulseError, PulseNet, Simulator};
use nmgen::spec::Design;
use nmgen::verify::plan;

use super::engine_args::EngineArgs;
use super::Failure;

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq, Default)]
pub enum Level {
    /// Circuit simulation (built-in simulator or JoSIM).
    #[default]
    Circuit,
    /// The event-driven pulse-level simulator with measured cell models.
    Pulse,
}

#[derive(Args, Debug, Clone, Default)]
pub struct LevelArgs {
    /// Simulation level: a circuit simulation, or the pulse-level simulator.
    #[arg(long, value_enum, default_value = "circuit")]
    pub level: Level,
    /// Pulse level: the cell-model file (default: the shipped models/default.json).
    #[arg(long, value_name = "FILE")]
    pub models: Option<PathBuf>,
}

impl LevelArgs {
    pub fn is_pulse(&self) -> bool {
        self.level == Level::Pulse
    }

    fn models(&self) -> Result<CellModels, Failure> {
        Ok(match &self.models {
            Some(p) => CellModels::read(p)?,
            None => nmgen::pulse::default_models()?,
        })
    }
}

fn bench_error(design: &Design, e: BenchError) -> Failure {
    match e {
        BenchError::Spec(e) => Failure::Input(e),
        BenchError::Pulse(e) => pulse_failure(design, e),
    }
}

/// A cell without a pulse-level model is bad input, located at its instance in the spec.
fn pulse_failure(design: &Design, e: PulseError) -> Failure {
    let (PulseError::NoModel { instance, .. } | PulseError::Level { instance }) = &e else {
        return Failure::Other(e.into());
    };
    let file = &design.source;
    let mut offset = 0;
    for line in file.text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with(&format!("{instance}:")) {
            let start = offset + (line.len() - trimmed.len());
            return Failure::Input(Box::new(
                file.error(start..start + instance.len(), e.to_string()),
            ));
        }
        offset += line.len();
    }
    Failure::Other(e.into())
}

/// `nmgen sim SPEC --level pulse -o DIR`: pulse raster (CSV + SVG).
pub fn sim(spec: &Path, out: &Path, level: &LevelArgs, seed: Option<u64>) -> Result<(), Failure> {
    let design = nmgen::spec::load(spec)?;
    let models = level.models()?;
    let net =
        PulseNet::from_design(&design, &models, &[]).map_err(|e| pulse_failure(&design, e))?;
    let tstop = design.technology.tstop;
    let outcome = Simulator::new(&net).run(seed.unwrap_or(1), tstop);
    let pulses = outcome.pulses;
    let raster = plot_raster(
        &pulses,
        &format!(
            "{}: output pulses (pulse level, seed {})",
            design.name,
            seed.unwrap_or(1)
        ),
        Some(tstop),
    )
    .map_err(anyhow::Error::from)?;
    for o in &pulses.outputs {
        println!("{:>12}: {} pulse(s)", o.name, o.times.len());
    }
    println!(
        "pulse level: {} cells, {} pulse events",
        net.cells(),
        outcome.events
    );
    let name = &design.name;
    let artifacts = vec![
        Artifact::new(format!("{name}.pulses.csv"), pulses.to_csv()),
        Artifact::new(format!("{name}.raster.svg"), raster),
    ];
    let written = nmgen::output::write_all(out, spec, &artifacts).context("writing outputs")?;
    for p in written {
        println!("wrote {}", p.display());
    }
    Ok(())
}

/// `nmgen check SPEC --level pulse`: the checks judged by the pulse-level simulator;
/// `accuracy` checks over their whole data-set part (src/cli/pulse_accuracy.rs).
pub fn check(
    spec: &Path,
    level: &LevelArgs,
    report: Option<&Path>,
    against: Option<&Path>,
) -> Result<(), Failure> {
    let design = nmgen::spec::load(spec)?;
    let models = level.models()?;
    let (accuracy, others) = super::pulse_accuracy::split_checks(&design);
    if accuracy.is_empty() && others.checks.is_empty() {
        // a design the pulse level cannot model says so first (the more useful error)
        PulseBench::new(&others, models.clone()).map_err(|e| bench_error(&design, e))?;
        return Err(Failure::Other(anyhow::anyhow!(
            "{}: the spec has no `checks:` to run",
            spec.display()
        )));
    }
    let mut outcomes = Vec::new();
    if !others.checks.is_empty() {
        let bench =
            PulseBench::new(&others, models.clone()).map_err(|e| bench_error(&design, e))?;
        outcomes = bench.judge(&[]).map_err(anyhow::Error::from)?.outcomes;
    }
    let noise = match design.noise {
        Some((_, n)) => format!(", {n} seed(s)"),
        None => String::new(),
    };
    println!(
        "{}: {} check(s), pulse level{noise}",
        design.name,
        outcomes.len() + accuracy.len()
    );
    let scored = super::pulse_accuracy::run(&design, &accuracy, models, report, against).map_err(
        |e| match e {
            super::pulse_accuracy::RunError::Pulse(e) => pulse_failure(&design, e),
            super::pulse_accuracy::RunError::Other(f) => f,
        },
    )?;
    outcomes.extend(scored);
    for o in &outcomes {
        println!(
            "{} {}: {}",
            if o.passed { "PASS" } else { "FAIL" },
            o.check,
            o.explanation
        );
    }
    let failed: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.passed)
        .map(|o| o.check.clone())
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::Failed(format!(
            "{}: {}",
            design.name,
            failed.join(", ")
        )))
    }
}

/// `nmgen margins SPEC --level pulse`: margins and shmoos of spec parameters.
pub fn margins(args: &super::verify::MarginsArgs) -> Result<(), Failure> {
    let spec = args
        .spec
        .as_deref()
        .context("give a spec: nmgen margins SPEC.yaml --level pulse")?;
    let design = nmgen::spec::load(spec)?;
    let bench =
        PulseBench::new(&design, args.level.models()?).map_err(|e| bench_error(&design, e))?;
    if !bench.has_checks() {
        return Err(Failure::Other(anyhow::anyhow!(
            "{}: margins need `checks:` to judge each point",
            spec.display()
        )));
    }
    let sweep = match args.sweep {
        super::verify::Sweep::Margins => {
            let p = plan::margin_plan(&design)?;
            PulseBench::check_parameters(&p.parameters).map_err(anyhow::Error::from)?;
            SweepPlan::Margins(p)
        }
        super::verify::Sweep::Shmoo => {
            let p = plan::shmoo_plan(&design)?.context("the spec has no `margins.shmoo`")?;
            PulseBench::check_parameters([&p.x.parameter, &p.y.parameter])
                .map_err(anyhow::Error::from)?;
            SweepPlan::Shmoo(p)
        }
        super::verify::Sweep::Yield => {
            return Err(Failure::Other(anyhow::anyhow!(
                "Monte Carlo yield varies circuit elements, which the pulse level does not model; use --level circuit"
            )))
        }
    };
    let report = analysis::run(&sweep, &bench, Progress::Auto).map_err(anyhow::Error::from)?;
    super::verify::write_report(&report, &args.report)
}

/// What `characterize` measures for the pulse level.
#[derive(Subcommand)]
pub enum PulseWhat {
    /// Measure the pulse-level cell models (delays, synapse sigmoid, neuron response)
    /// at the circuit level with thermal noise, into a model file.
    Models {
        /// A spec whose technology to measure (default: nmgen's default technology).
        spec: Option<PathBuf>,
        /// Noise seeds of the delay and neuron benches.
        #[arg(long, default_value_t = 20)]
        seeds: u64,
        #[command(flatten)]
        engine: EngineArgs,
        /// The model file to write, e.g. models/default.json.
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Circuit-level output pulse counts of a spec's check patterns over noise seeds
    /// 1..=N (reference data for the level agreement), or with --level pulse the
    /// pulse-level counts and their agreement with a recorded circuit-level file.
    Levels {
        spec: PathBuf,
        #[arg(long, default_value_t = 50)]
        seeds: u64,
        #[command(flatten)]
        engine: EngineArgs,
        #[command(flatten)]
        level: LevelArgs,
        /// Pulse level: the circuit-level counts to compare with.
        #[arg(long)]
        against: Option<PathBuf>,
        /// The JSON to write.
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Write a seeded random layered network of synapses and neurons as a spec.
    RandomNet {
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(short, long)]
        out: PathBuf,
    },
}

fn display(p: &Path) -> String {
    p.display().to_string().replace('\\', "/")
}

fn write_one(out: &Path, text: String) -> Result<(), Failure> {
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = out.file_name().context("the output must be a file name")?;
    nmgen::output::write_files(dir, &[Artifact::new(name, text)])
        .with_context(|| format!("writing {}", out.display()))?;
    println!("wrote {}", out.display());
    Ok(())
}

pub fn run(what: PulseWhat) -> Result<(), Failure> {
    match what {
        PulseWhat::Models {
            spec,
            seeds,
            engine,
            out,
        } => {
            let technology = match &spec {
                Some(s) => nmgen::spec::load(s)?.technology,
                None => nmgen::spec::Technology::defaults(),
            };
            let mut command = String::from("nmgen characterize models");
            if let Some(s) = &spec {
                command.push_str(&format!(" {}", display(s)));
            }
            let plan = ModelsPlan {
                seeds,
                ..ModelsPlan::default()
            };
            if seeds != ModelsPlan::default().seeds {
                command.push_str(&format!(" --seeds {seeds}"));
            }
            command.push_str(&format!(" -o {}", display(&out)));
            let models = characterize_models(
                &plan,
                &technology,
                &engine.engine()?,
                &command,
                Progress::Auto,
            )
            .map_err(anyhow::Error::from)?;
            write_one(&out, models.to_json())
        }
        PulseWhat::Levels {
            spec,
            seeds,
            engine,
            level,
            against,
            out,
        } => {
            let design = nmgen::spec::load(&spec)?;
            let seed_list: Vec<u64> = (1..=seeds).collect();
            let counts = if level.is_pulse() {
                levels::pulse_counts(&design, &level.models()?, &seed_list)
                    .map_err(anyhow::Error::from)?
            } else {
                let command = format!(
                    "nmgen characterize levels {} --seeds {seeds} -o {}",
                    display(&spec),
                    display(&out)
                );
                levels::circuit_counts(
                    &design,
                    &engine.engine()?,
                    &seed_list,
                    &command,
                    Progress::Auto,
                )
                .map_err(anyhow::Error::from)?
            };
            if let Some(path) = &against {
                let circuit = LevelCounts::read(path)?;
                let agreement = levels::compare(&circuit, &counts);
                print!("{}", levels::table(&agreement));
                for o in &design.outputs {
                    if let (Some(c), Some(p)) = (circuit.margin(o), counts.margin(o)) {
                        println!("classification margin of {o}: circuit {c}, pulse {p} pulses");
                    }
                }
            }
            write_one(&out, counts.to_json())
        }
        PulseWhat::RandomNet { seed, out } => {
            let net = RandomNet {
                seed,
                ..RandomNet::default()
            };
            write_one(&out, net.spec())
        }
    }
}
