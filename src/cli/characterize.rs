//! `nmgen characterize synapse|neuron|xor` and `nmgen map-weights`.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use clap::{Subcommand, ValueEnum};
use nmgen::analysis::Progress;
use nmgen::characterize::{
    characterize_neuron, characterize_synapse, weights, xor_classification, NeuronPlan,
    SynapseKind, SynapsePlan,
};
use nmgen::output::Artifact;

use super::engine_args::EngineArgs;
use super::Failure;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum KindArg {
    Exc,
    Inh,
}

/// What to characterize.
#[derive(Subcommand)]
pub enum What {
    /// Pass probability vs weight current of a stochastic synapse, with a logistic fit
    /// (synapse.csv, synapse.json, synapse.svg).
    Synapse {
        #[arg(long, value_enum, default_value = "exc")]
        kind: KindArg,
        /// First weight current, e.g. 100uA.
        #[arg(long, default_value = "100uA")]
        from: String,
        /// Last weight current.
        #[arg(long, default_value = "130uA")]
        to: String,
        /// Weight currents from --from to --to.
        #[arg(long, default_value_t = 16)]
        points: usize,
        /// Noise seeds 1..=N per weight.
        #[arg(long, default_value_t = 25)]
        seeds: u64,
        /// Pulses per simulation (60 ps apart).
        #[arg(long, default_value_t = 8)]
        pulses: usize,
        #[arg(long, default_value_t = 4.2)]
        temperature: f64,
        /// Global bias scale.
        #[arg(long, default_value_t = 1.0)]
        bias: f64,
        #[command(flatten)]
        engine: EngineArgs,
        /// Output folder.
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Output rate vs input rate, and input pulses to fire, vs threshold current
    /// (neuron_rates.csv/.svg, neuron_fire.csv/.svg, neuron.json).
    Neuron {
        /// Threshold currents.
        #[arg(long, value_delimiter = ',', default_value = "270uA,290uA,310uA")]
        th: Vec<String>,
        /// Input rates of the periodic excitatory train.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "5GHz,10GHz,14.3GHz,20GHz,30GHz,40GHz,50GHz"
        )]
        rates: Vec<String>,
        /// Length of the input train.
        #[arg(long, default_value = "2ns")]
        window: String,
        #[arg(long, default_value_t = 10)]
        seeds: u64,
        #[arg(long, default_value_t = 4.2)]
        temperature: f64,
        #[command(flatten)]
        engine: EngineArgs,
        #[arg(short, long)]
        out: PathBuf,
    },
    /// The four XOR patterns of a rate-coded spec over noise seeds: output counts and
    /// margin (xor.txt, xor.json); exit 1 when a pattern is misclassified.
    Xor {
        /// The spec (e.g. examples/xor.yaml).
        spec: PathBuf,
        /// The two inputs.
        #[arg(long, value_delimiter = ',', default_value = "x1,x2")]
        inputs: Vec<String>,
        /// The output whose pulses are counted.
        #[arg(long, default_value = "y")]
        output: String,
        #[arg(long, default_value_t = 10)]
        seeds: u64,
        #[arg(long, default_value_t = 4.2)]
        temperature: f64,
        /// Keep only the first N pulses of each active input.
        #[arg(long)]
        pulses: Option<usize>,
        #[command(flatten)]
        engine: EngineArgs,
        #[arg(short, long)]
        out: PathBuf,
    },
    #[command(flatten)]
    Pulse(super::pulse::PulseWhat),
}

fn quantity(text: &str, what: &str) -> anyhow::Result<f64> {
    nmgen::spec::parse_quantity(text)
        .ok_or_else(|| anyhow!("{what}: `{text}` is not a value (e.g. 100uA, 20GHz, 2ns)"))
}

fn write(out: &Path, artifacts: Vec<Artifact>) -> Result<(), Failure> {
    let written = nmgen::output::write_files(out, &artifacts)
        .with_context(|| format!("writing {}", out.display()))?;
    for p in written {
        println!("wrote {}", p.display());
    }
    Ok(())
}

pub fn run(what: What) -> Result<(), Failure> {
    match what {
        What::Pulse(what) => super::pulse::run(what),
        What::Synapse {
            kind,
            from,
            to,
            points,
            seeds,
            pulses,
            temperature,
            bias,
            engine,
            out,
        } => {
            let kind = match kind {
                KindArg::Exc => SynapseKind::Exc,
                KindArg::Inh => SynapseKind::Inh,
            };
            let mut plan = SynapsePlan::sweep(
                kind,
                quantity(&from, "--from")?,
                quantity(&to, "--to")?,
                points,
                seeds,
            );
            plan.pulses = pulses;
            plan.temperature = temperature;
            plan.bias = bias;
            let report = characterize_synapse(&plan, &engine.engine()?, Progress::Auto)
                .map_err(anyhow::Error::from)?;
            print!("{}", report.to_csv());
            match report.fit {
                Some(f) => println!(
                    "logistic fit: centre {:.2} ± {:.2} µA, 10–90 % width {:.2} ± {:.2} µA",
                    f.centre, f.centre_se, f.width, f.width_se
                ),
                None => println!("no transition in the range: no fit"),
            }
            let stem = report.cell.clone();
            write(
                &out,
                vec![
                    Artifact::new(format!("{stem}.csv"), report.to_csv()),
                    Artifact::new(format!("{stem}.json"), report.to_json()),
                    Artifact::new(
                        format!("{stem}.svg"),
                        report.to_svg().map_err(anyhow::Error::from)?,
                    ),
                ],
            )
        }
        What::Neuron {
            th,
            rates,
            window,
            seeds,
            temperature,
            engine,
            out,
        } => {
            let plan = NeuronPlan {
                thresholds: th
                    .iter()
                    .map(|t| quantity(t, "--th"))
                    .collect::<anyhow::Result<_>>()?,
                rates: rates
                    .iter()
                    .map(|r| quantity(r, "--rates"))
                    .collect::<anyhow::Result<_>>()?,
                window: quantity(&window, "--window")?,
                seeds: (1..=seeds).collect(),
                temperature,
                fire_pulses: 10,
            };
            let report = characterize_neuron(&plan, &engine.engine()?, Progress::Auto)
                .map_err(anyhow::Error::from)?;
            print!("{}{}", report.rates_csv(), report.fire_csv());
            write(
                &out,
                vec![
                    Artifact::new("neuron_rates.csv", report.rates_csv()),
                    Artifact::new("neuron_fire.csv", report.fire_csv()),
                    Artifact::new("neuron.json", report.to_json()),
                    Artifact::new(
                        "neuron_rates.svg",
                        report.rates_svg().map_err(anyhow::Error::from)?,
                    ),
                    Artifact::new(
                        "neuron_fire.svg",
                        report.fire_svg().map_err(anyhow::Error::from)?,
                    ),
                ],
            )
        }
        What::Xor {
            spec,
            inputs,
            output,
            seeds,
            temperature,
            pulses,
            engine,
            out,
        } => {
            let [a, b] = inputs.as_slice() else {
                return Err(anyhow!("--inputs takes two input names, e.g. x1,x2").into());
            };
            let design = nmgen::spec::load(&spec)?;
            let seeds: Vec<u64> = (1..=seeds).collect();
            let report = xor_classification(
                &design,
                (a, b),
                &output,
                &seeds,
                Some(temperature),
                pulses,
                &engine.engine()?,
                Progress::Auto,
            )
            .map_err(anyhow::Error::from)?;
            print!("{}", report.to_table());
            write(
                &out,
                vec![
                    Artifact::new("xor.txt", report.to_table()),
                    Artifact::new("xor.json", report.to_json()),
                ],
            )?;
            if report.correct {
                Ok(())
            } else {
                Err(Failure::Failed(format!(
                    "XOR misclassified (margin {} pulses)",
                    report.margin
                )))
            }
        }
    }
}

/// `nmgen map-weights WEIGHTS --curve synapse.json [--curve-inh synapse_inh.json] -o spec.yaml`.
pub fn map_weights(
    weights_path: &Path,
    curve: &Path,
    curve_inh: Option<&Path>,
    out: &Path,
) -> Result<(), Failure> {
    let (weights_file, w) = weights::read_weight_file(weights_path)?;
    let exc = weights::read_curve_file(curve)?;
    let inh = curve_inh.map(weights::read_curve_file).transpose()?;
    let mapping = weights::map_weights(&w, &exc, inh.as_ref());
    // the written spec must build; what stops it is in the weight file (its stimulus,
    // copied as written, or its currents), so the error points there
    let file = nmgen::diagnostic::SourceFile::new(out.to_path_buf(), mapping.spec.clone());
    let checked = match nmgen::spec::parse(&file) {
        Ok(parsed) => nmgen::spec::check(&file, &parsed).map(|_| ()),
        Err(e) => Err(e),
    };
    if let Err(e) = checked {
        return Err(weights::in_weight_file(&weights_file, &file, &e).into());
    }
    for s in &mapping.synapses {
        println!(
            "{:>10} -> {:<10} {:>+7.3}  p = {:.3}  {:<11} {:>8.2} µA  ({})",
            s.from,
            s.to,
            s.weight,
            s.probability,
            s.kind.cell(),
            s.current_ua,
            s.parameter
        );
    }
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = out
        .file_name()
        .context("the output must be a file name, e.g. mapped.yaml")?;
    write(dir, vec![Artifact::new(name, mapping.spec)])
}
