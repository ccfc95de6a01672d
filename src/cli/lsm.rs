//! The LSM commands: build the macro, simulate it (Rust model and Verilator), train
//! its readout, and run device-variation margins.

use std::path::Path;

use anyhow::Context;
use nmgen::lsm::mlp::MlpSettings;
use nmgen::lsm::readout::TrainMethod;
use nmgen::lsm::verilator::{Flow, Trace};
use nmgen::lsm::{
    self, EventSet, LsmDesign, LsmError, SimSettings, SyntheticSettings, TrainSettings,
};
use nmgen::output::Artifact;

use super::Failure;

fn failure(e: LsmError) -> Failure {
    match e {
        LsmError::Source(s) => Failure::Input(s),
        other => Failure::Other(anyhow::Error::from(other)),
    }
}

fn artifacts(list: Vec<lsm::Artifact>) -> Vec<Artifact> {
    list.into_iter().map(|(p, b)| Artifact::new(p, b)).collect()
}

fn write(out: &Path, spec: &Path, list: Vec<Artifact>) -> Result<(), Failure> {
    let written = nmgen::output::write_all(out, spec, &list).context("writing outputs")?;
    for p in written {
        println!("wrote {}", p.display());
    }
    Ok(())
}

/// The event set: a file (CSV or N-MNIST .bin), or a seeded synthetic set.
fn events(
    design: &LsmDesign,
    path: Option<&Path>,
    classes: u32,
    per_class: u32,
    seed: u64,
) -> Result<EventSet, Failure> {
    match path {
        Some(p) => Ok(lsm::read_events(p, design)?),
        None => Ok(lsm::synthetic_events(
            design,
            &SyntheticSettings::new(classes, per_class, seed),
        )),
    }
}

pub fn build(design: &LsmDesign, spec: &Path, out: &Path) -> Result<(), Failure> {
    let list = lsm::build(design).map_err(failure)?;
    write(out, spec, artifacts(list))
}

pub fn sim(
    design: &LsmDesign,
    spec: &Path,
    out: &Path,
    event_file: Option<&Path>,
    verilator: bool,
    trace: Option<RtlTrace>,
) -> Result<(), Failure> {
    let set = events(design, event_file, 4, 2, 1)?;
    if event_file.is_none() {
        println!(
            "no --events given: a synthetic set of {} samples (seed 1)",
            set.samples.len()
        );
    }
    let cache = std::env::temp_dir().join("nmgen-verilator");
    // raster.csv streams into its staging file: memory stays one batch of samples
    let out_existed = out.exists();
    let mut raster =
        nmgen::output::StreamedFile::create(out, "raster.csv").context("writing outputs")?;
    let trace = match trace {
        None => Trace::None,
        Some(RtlTrace::Vcd) => Trace::Vcd,
        Some(RtlTrace::Fst) => Trace::Fst,
    };
    let settings = SimSettings {
        verilator,
        work_dir: cache,
        flow: Flow::Harness { trace },
    };
    let report = match lsm::sim::simulate_into(design, &set, &settings, &mut raster, false) {
        Ok(r) => r,
        Err(e) => {
            drop(raster); // deletes the staging file
            if !out_existed {
                let _ = std::fs::remove_dir(out); // the folder it made, now empty
            }
            return Err(failure(e));
        }
    };
    println!(
        "{}: {} sample(s), {} input spikes, {} reservoir spikes, {} synaptic events",
        design.name,
        set.samples.len(),
        report.input_spikes,
        report.reservoir_spikes,
        report.synaptic_events
    );
    let mismatches = report.mismatches.len();
    for m in report.mismatches.iter().take(20) {
        println!("MISMATCH {m}");
    }
    let written = nmgen::output::write_all_streamed(
        out,
        spec,
        &artifacts(report.artifacts.clone()),
        vec![raster],
    )
    .context("writing outputs")?;
    for p in written {
        println!("wrote {}", p.display());
    }
    match (verilator, mismatches) {
        (false, _) => Ok(()),
        (true, 0) => {
            println!("PASS Verilator RTL matches the bit-accurate model exactly");
            Ok(())
        }
        (true, n) => Err(Failure::Failed(format!(
            "{n} mismatch(es) between the RTL and the model"
        ))),
    }
}

/// The waveform `nmgen sim --rtl-trace` dumps from the Verilator testbench.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RtlTrace {
    /// Value change dump, `lsm.vcd`.
    Vcd,
    /// Compressed FST, `lsm.fst` (GTKWave opens it directly).
    Fst,
}

/// The readout `nmgen train` fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReadoutKind {
    /// The paper's readout: an MLP on the firing rates trained with Adam (hidden layer
    /// optional, see --hidden).
    Mlp,
    /// Closed-form ridge regression on one-hot targets (λ = 1).
    Ridge,
}

/// `nmgen train` options for LSM specs.
#[derive(Debug, Clone, clap::Args)]
pub struct TrainArgs {
    /// LSM specs: the readout to train.
    #[arg(long, value_enum, default_value = "mlp")]
    pub readout: ReadoutKind,
    /// LSM specs: hidden neurons of the MLP readout (0: one layer, neurons → classes, as
    /// in the paper).
    #[arg(long, default_value_t = 0)]
    pub hidden: usize,
    /// LSM specs: fraction of the labelled samples held out for the test report.
    #[arg(long, default_value_t = 0.25)]
    pub test_fraction: f64,
    /// LSM specs: seed of the train/test shuffle and of the MLP's initialization and batches.
    #[arg(long, default_value_t = 1)]
    pub split_seed: u64,
}

pub fn train(
    design: &LsmDesign,
    spec: &Path,
    out: &Path,
    event_file: Option<&Path>,
    args: &TrainArgs,
) -> Result<(), Failure> {
    if !(args.test_fraction > 0.0 && args.test_fraction < 1.0) {
        return Err(Failure::Other(anyhow::anyhow!(
            "--test-fraction must be between 0 and 1 (exclusive), got {}",
            args.test_fraction
        )));
    }
    if args.readout == ReadoutKind::Ridge && args.hidden > 0 {
        return Err(Failure::Other(anyhow::anyhow!(
            "--hidden {} applies to --readout mlp, not ridge",
            args.hidden
        )));
    }
    let set = events(design, event_file, 10, 20, 1)?;
    let weights = lsm::draw_weights(design);
    let settings = TrainSettings {
        method: match args.readout {
            ReadoutKind::Ridge => TrainMethod::Ridge { lambda: 1.0 },
            ReadoutKind::Mlp => TrainMethod::Mlp(MlpSettings::new(args.hidden, args.split_seed)),
        },
        test_fraction: args.test_fraction,
        seed: args.split_seed,
    };
    let report = lsm::train_readout(design, &weights, &set, &settings).map_err(failure)?;
    if let Some((_, text)) = report
        .artifacts
        .iter()
        .find(|(p, _)| p.ends_with("confusion.txt"))
    {
        print!("{}", String::from_utf8_lossy(text));
    }
    println!(
        "readout ({}): train accuracy {:.1} %, held-out accuracy {:.1} % (95 % interval {:.1}–{:.1} %; float {:.1} %, chance {:.1} %) on {} + {} samples",
        report.method,
        report.train_accuracy * 100.0,
        report.test_accuracy * 100.0,
        report.test_interval.0 * 100.0,
        report.test_interval.1 * 100.0,
        report.float_test_accuracy * 100.0,
        report.chance * 100.0,
        report.samples_train,
        report.samples_test
    );
    write(out, spec, artifacts(report.artifacts.clone()))
}

pub fn margins(
    design: &LsmDesign,
    spec: &Path,
    out: &Path,
    event_file: Option<&Path>,
) -> Result<(), Failure> {
    let set = match event_file {
        Some(p) => Some(lsm::read_events(p, design)?),
        None => None,
    };
    let report = lsm::variation_margins(design, set.as_ref()).map_err(failure)?;
    if let Some((_, text)) = report
        .artifacts
        .iter()
        .find(|(p, _)| p.ends_with("margins.txt"))
    {
        print!("{}", String::from_utf8_lossy(text));
    }
    write(out, spec, artifacts(report.artifacts.clone()))
}

/// `nmgen events …`.
#[derive(Debug, clap::Subcommand)]
pub enum EventsCommand {
    /// Images (a data set CSV: one row-major image per line, then its label, e.g.
    /// data/digits.csv) → labelled pixel events `sample,label,t,x,y,p` (docs/lsm.md).
    FromImages(FromImagesArgs),
}

/// How the images are coded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Coding {
    /// Independent Bernoulli spikes per pixel and step, probability ∝ intensity.
    Rate,
    /// The image moves along three saccades; DVS pixels fire on log-intensity changes.
    Saccade,
}

#[derive(Debug, Clone, clap::Args)]
pub struct FromImagesArgs {
    /// The image data set (CSV, see docs/training.md).
    pub data: std::path::PathBuf,
    /// Image width in pixels (8 for the digits).
    #[arg(long)]
    pub width: usize,
    #[arg(long, value_enum, default_value = "rate")]
    pub coding: Coding,
    /// Time steps per sample.
    #[arg(long, default_value_t = 20)]
    pub steps: usize,
    /// Time between steps in µs.
    #[arg(long, default_value_t = 1000)]
    pub step_us: u64,
    /// Rate coding: spike probability per step of a full-intensity pixel.
    #[arg(long, default_value_t = 0.5)]
    pub max_rate: f64,
    /// Saccade: DVS contrast threshold (change of ln intensity per event).
    #[arg(long, default_value_t = 0.3)]
    pub contrast: f64,
    /// Saccade: probability that an event is lost.
    #[arg(long, default_value_t = 0.0)]
    pub dropout: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output folder (writes `<data stem>_events.csv`).
    #[arg(short, long, default_value = "out")]
    pub out: std::path::PathBuf,
}

pub fn events_command(cmd: &EventsCommand) -> Result<(), Failure> {
    let EventsCommand::FromImages(a) = cmd;
    let bad = |m: String| Err(Failure::Other(anyhow::anyhow!(m)));
    if a.steps == 0 || a.step_us == 0 {
        return bad("--steps and --step-us must be at least 1".into());
    }
    if !(0.0..=1.0).contains(&a.max_rate) || !(0.0..1.0).contains(&a.dropout) {
        return bad(format!(
            "--max-rate must be in [0, 1] (got {}), --dropout in [0, 1) (got {})",
            a.max_rate, a.dropout
        ));
    }
    if !(a.contrast > 0.0 && a.contrast.is_finite()) {
        return bad(format!("--contrast must be > 0, got {}", a.contrast));
    }
    let data = nmgen::dataset::read(&a.data)?;
    let settings = nmgen::lsm::images::ImageEvents {
        width: a.width,
        steps: a.steps,
        step_us: a.step_us,
        coding: match a.coding {
            Coding::Rate => nmgen::lsm::images::ImageCoding::Rate {
                max_rate: a.max_rate,
            },
            Coding::Saccade => nmgen::lsm::images::ImageCoding::Saccade {
                contrast: a.contrast,
                dropout: a.dropout,
            },
        },
        seed: a.seed,
    };
    let set = nmgen::lsm::images::images_to_events(&data, &settings)
        .map_err(|m| Failure::Other(anyhow::anyhow!("{}: {m}", a.data.display())))?;
    let events: usize = set.samples.iter().map(|s| s.events.len()).sum();
    println!(
        "{}: {} images -> {events} events ({:.1} per image)",
        a.data.display(),
        set.samples.len(),
        events as f64 / set.samples.len().max(1) as f64
    );
    let stem = a
        .data
        .file_stem()
        .map_or("images".into(), |s| s.to_string_lossy().to_string());
    let list = vec![Artifact::new(
        format!("{stem}_events.csv"),
        lsm::events::write_csv(&set),
    )];
    write(&a.out, &a.data, list)
}
