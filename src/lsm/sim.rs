//! `nmgen sim` for an LSM spec: the bit-accurate model and, optionally, Verilator on the
//! same events; the VCD is read back and compared spike by spike and membrane by membrane.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::build::{memory_images, readout_of, verilog_sources};
use super::events::{bin_events, EventSet, SpikeTrain};
use super::model::{run_sample, Raster};
use super::rtl::{expect_files, TbLimits};
use super::spec::LsmDesign;
use super::vcd_read::{read_vcd, Observed};
use super::verilator::{self, Flow};
use super::weights::draw_weights;
use super::{plot, Artifact, LsmError};

/// How to simulate.
#[derive(Debug, Clone)]
pub struct SimSettings {
    /// Also run the RTL under Verilator and compare.
    pub verilator: bool,
    /// Where Verilator builds (cached by a hash of what the binary depends on) and runs.
    pub work_dir: PathBuf,
    /// How the testbench is built; [`Flow::default`] is the C++ harness without a waveform
    /// (the outputs are read back from the testbench's `lsm_out.txt`).
    pub flow: Flow,
}

impl SimSettings {
    /// The default flow (no waveform).
    pub fn new(verilator: bool, work_dir: PathBuf) -> SimSettings {
        SimSettings {
            verilator,
            work_dir,
            flow: Flow::default(),
        }
    }
}

/// One disagreement between the RTL and the model.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Mismatch {
    pub sample: usize,
    /// Time step within the sample (spike mismatches only).
    pub step: Option<usize>,
    /// Neuron (None for class or count-of-beats mismatches).
    pub neuron: Option<usize>,
    /// `spike`, `membrane`, `count`, `class` or `missing`.
    pub what: String,
    pub expected: i64,
    pub got: i64,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sample {}", self.sample)?;
        if let Some(t) = self.step {
            write!(f, " step {t}")?;
        }
        if let Some(n) = self.neuron {
            write!(f, " neuron {n}")?;
        }
        write!(
            f,
            ": {} expected {} got {}",
            self.what, self.expected, self.got
        )
    }
}

/// What Verilator did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VerilatorRun {
    pub version: String,
    pub build_seconds: f64,
    pub build_cached: bool,
    /// Verilator's runtime objects (the same for every design) came from the cache.
    pub runtime_cached: bool,
    pub run_seconds: f64,
    pub cycles: u64,
    /// Bytes the testbench wrote: `lsm_out.txt` and the waveform, when one is dumped.
    pub trace_bytes: u64,
    /// The testbench's own check (`LSM_TB PASS`).
    pub testbench_passed: bool,
    pub log: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SimReport {
    #[serde(skip)]
    pub rasters: Vec<Raster>,
    /// Readout class per sample (when the design has a readout).
    pub classes: Vec<Option<usize>>,
    /// The winning class's integer score per sample (when the design has a readout).
    pub scores: Vec<Option<i64>>,
    pub labels: Vec<Option<u32>>,
    pub mismatches: Vec<Mismatch>,
    pub verilator: Option<VerilatorRun>,
    pub input_spikes: usize,
    pub reservoir_spikes: u64,
    pub synaptic_events: u64,
    #[serde(skip)]
    pub artifacts: Vec<Artifact>,
}

impl SimReport {
    /// True when Verilator ran, its testbench passed and the VCD matched the model.
    pub fn rtl_matches(&self) -> bool {
        self.verilator
            .as_ref()
            .is_some_and(|v| v.testbench_passed && self.mismatches.is_empty())
    }
}

/// Raster CSV: `sample,step,neuron,membrane,spike` for every neuron and step.
pub fn raster_csv(rasters: &[Raster]) -> Vec<u8> {
    let mut out = RASTER_HEADER.to_vec();
    let _ = raster_rows(&mut out, 0, rasters);
    out
}

const RASTER_HEADER: &[u8] = b"sample,step,neuron,membrane,spike\n";

/// The raster CSV rows of `rasters`, numbered from sample `first`.
fn raster_rows(
    out: &mut dyn std::io::Write,
    first: usize,
    rasters: &[Raster],
) -> std::io::Result<()> {
    let mut s = String::new();
    for (i, r) in rasters.iter().enumerate() {
        s.clear();
        for (t, (sp, v)) in r.spikes.iter().zip(&r.membrane).enumerate() {
            for (n, (b, m)) in sp.iter().zip(v).enumerate() {
                let _ = writeln!(s, "{},{t},{n},{m},{}", first + i, u8::from(*b));
            }
        }
        out.write_all(s.as_bytes())?;
    }
    Ok(())
}

/// Compares what the RTL put out with the model, sample by sample: spikes per step,
/// final membranes and counts, the readout's class and its score.
pub fn compare(
    design: &LsmDesign,
    rasters: &[Raster],
    classes: &[Option<usize>],
    scores: &[Option<i64>],
    obs: &Observed,
    first_sample: usize,
) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let mut beat = 0;
    for (i, r) in rasters.iter().enumerate() {
        let sample = first_sample + i;
        for (t, exp) in r.spikes.iter().enumerate() {
            match obs.beats.get(beat) {
                None => out.push(Mismatch {
                    sample,
                    step: Some(t),
                    neuron: None,
                    what: "missing".into(),
                    expected: 1,
                    got: 0,
                }),
                Some(got) => {
                    for (n, (&e, &g)) in exp.iter().zip(got).enumerate() {
                        if e != g {
                            out.push(Mismatch {
                                sample,
                                step: Some(t),
                                neuron: Some(n),
                                what: "spike".into(),
                                expected: e as i64,
                                got: g as i64,
                            });
                        }
                    }
                }
            }
            beat += 1;
        }
        let fm = r.final_membrane();
        #[allow(clippy::needless_range_loop)]
        for n in 0..design.neurons {
            let Some(&(idx, v, c)) = obs.readback.get(i * design.neurons + n) else {
                out.push(Mismatch {
                    sample,
                    step: None,
                    neuron: Some(n),
                    what: "missing".into(),
                    expected: 1,
                    got: 0,
                });
                continue;
            };
            if idx != n || v != fm[n] {
                out.push(Mismatch {
                    sample,
                    step: None,
                    neuron: Some(n),
                    what: "membrane".into(),
                    expected: fm[n],
                    got: v,
                });
            }
            if c != r.counts[n] as u64 {
                out.push(Mismatch {
                    sample,
                    step: None,
                    neuron: Some(n),
                    what: "count".into(),
                    expected: r.counts[n] as i64,
                    got: c as i64,
                });
            }
        }
        if let Some(Some(cls)) = classes.get(i) {
            let got = obs.classes.get(i).map_or(-1, |&c| c as i64);
            if got != *cls as i64 {
                out.push(Mismatch {
                    sample,
                    step: None,
                    neuron: None,
                    what: "class".into(),
                    expected: *cls as i64,
                    got,
                });
            }
        }
        if let Some(Some(score)) = scores.get(i) {
            match obs.scores.get(i) {
                Some(&got) if got == *score => {}
                got => out.push(Mismatch {
                    sample,
                    step: None,
                    neuron: None,
                    what: "class score".into(),
                    expected: *score,
                    got: got.copied().unwrap_or(i64::MIN),
                }),
            }
        }
    }
    if obs.beats.len() > beat {
        out.push(Mismatch {
            sample: first_sample + rasters.len(),
            step: None,
            neuron: None,
            what: "extra beats".into(),
            expected: beat as i64,
            got: obs.beats.len() as i64,
        });
    }
    out
}

/// Samples the model runs at a time when no Verilator batch sets the size: a run holds
/// one batch of rasters, whatever the number of samples.
const MODEL_BATCH: usize = 64;

/// Runs the model on every sample and, with `settings.verilator`, the RTL (in batches of
/// the testbench's capacity), comparing spikes per step and final membranes and counts.
/// `raster.csv` is the first artifact; every raster is kept in the report.
pub fn simulate(
    design: &LsmDesign,
    events: &EventSet,
    settings: &SimSettings,
) -> Result<SimReport, LsmError> {
    let mut csv = Vec::new();
    let mut report = simulate_into(design, events, settings, &mut csv, true)?;
    report
        .artifacts
        .insert(0, (PathBuf::from("raster.csv"), csv));
    Ok(report)
}

/// As [`simulate`], streaming: the raster CSV goes to `raster` batch by batch (it is
/// not among the artifacts) and the rasters are kept only with `keep_rasters`, so that
/// memory does not grow with the number of samples.
pub fn simulate_into(
    design: &LsmDesign,
    events: &EventSet,
    settings: &SimSettings,
    raster: &mut dyn std::io::Write,
    keep_rasters: bool,
) -> Result<SimReport, LsmError> {
    if events.samples.is_empty() {
        return Err(LsmError::Invalid("no event samples to simulate".into()));
    }
    super::events::check_labels(design, events)?;
    let weights = draw_weights(design);
    let readout = readout_of(design);
    let csv_error = |e| LsmError::io("raster.csv", e);
    raster.write_all(RASTER_HEADER).map_err(csv_error)?;
    let mut report = SimReport {
        rasters: Vec::new(),
        classes: Vec::new(),
        scores: Vec::new(),
        labels: events.samples.iter().map(|s| s.label).collect(),
        mismatches: Vec::new(),
        verilator: None,
        input_spikes: 0,
        reservoir_spikes: 0,
        synaptic_events: 0,
        artifacts: Vec::new(),
    };
    let mut artifacts: Vec<Artifact> = Vec::new();
    let rtl = if settings.verilator {
        let version = verilator::version()?;
        let compiled =
            verilator::compile(&verilog_sources(design), &settings.work_dir, settings.flow)?;
        let run = VerilatorRun {
            version,
            build_seconds: compiled.build_seconds,
            build_cached: compiled.cached,
            runtime_cached: compiled.runtime_cached,
            run_seconds: 0.0,
            cycles: 0,
            trace_bytes: 0,
            testbench_passed: true,
            log: String::new(),
        };
        Some((compiled, run, TbLimits::of(design)))
    } else {
        None
    };
    let mut rtl = rtl;
    let batch = rtl
        .as_ref()
        .map_or(MODEL_BATCH, |(_, _, lim)| lim.max_samples);
    let total = events.samples.len();
    let mut first = 0;
    while first < total {
        let end = (first + batch.max(1)).min(total);
        let trains: Vec<SpikeTrain> = events.samples[first..end]
            .iter()
            .map(|s| bin_events(design, s))
            .collect();
        let rasters: Vec<Raster> = trains
            .iter()
            .map(|t| run_sample(design, &weights, t))
            .collect();
        let classes: Vec<Option<usize>> = rasters
            .iter()
            .map(|r| readout.as_ref().map(|ro| ro.classify(&r.counts)))
            .collect();
        let scores: Vec<Option<i64>> = rasters
            .iter()
            .zip(&classes)
            .map(|(r, c)| Some(readout.as_ref()?.scores(&r.counts)[(*c)?]))
            .collect();
        raster_rows(raster, first, &rasters).map_err(csv_error)?;
        if first == 0 {
            artifacts.push((
                PathBuf::from("raster.svg"),
                plot::raster_svg(
                    &rasters[0],
                    &format!("{}: reservoir spikes, sample 0", design.name),
                )?,
            ));
        }
        report.input_spikes += trains.iter().map(SpikeTrain::total_spikes).sum::<usize>();
        report.reservoir_spikes += rasters.iter().map(Raster::total_spikes).sum::<u64>();
        report.synaptic_events += rasters.iter().map(|r| r.synaptic_events).sum::<u64>();
        if let Some((compiled, run, _)) = rtl.as_mut() {
            let cls: Vec<usize> = classes.iter().map(|c| c.unwrap_or(0)).collect();
            let mut files = memory_images(design, &weights);
            files.extend(expect_files(design, &trains, &rasters, &cls));
            std::fs::create_dir_all(&settings.work_dir)
                .map_err(|e| LsmError::io(&settings.work_dir, e))?;
            let dir = tempfile::Builder::new()
                .prefix("run-")
                .tempdir_in(&settings.work_dir)
                .map_err(|e| LsmError::io(&settings.work_dir, e))?;
            let beats: usize = trains.iter().map(|t| t.steps.len()).sum();
            let tb = verilator::run(compiled, dir.path(), &files, beats, end - first)?;
            let obs = match settings.flow {
                Flow::Timing => read_vcd(
                    &tb.waveform.clone().unwrap_or_default(),
                    design.membrane_bits,
                )?,
                Flow::Harness { .. } => super::tb_out::read(&tb.outputs, design.neurons)?,
            };
            let size = |p: &std::path::Path| std::fs::metadata(p).map_or(0, |m| m.len());
            run.trace_bytes += size(&tb.outputs) + tb.waveform.as_deref().map_or(0, size);
            report
                .mismatches
                .extend(compare(design, &rasters, &classes, &scores, &obs, first));
            run.run_seconds += tb.run_seconds;
            run.cycles += obs.cycles;
            run.testbench_passed &= tb.passed;
            run.log.push_str(&tb.log);
            if let (0, Some(wave)) = (first, &tb.waveform) {
                let bytes = std::fs::read(wave).map_err(|e| LsmError::io(wave, e))?;
                let name = wave.file_name().map_or("lsm.vcd".into(), PathBuf::from);
                artifacts.push((name, bytes));
            }
        }
        report.classes.extend(classes);
        report.scores.extend(scores);
        if keep_rasters {
            report.rasters.extend(rasters);
        }
        first = end;
    }
    report.verilator = rtl.map(|(_, run, _)| run);
    let summary = serde_json::to_vec_pretty(&report)
        .map_err(|e| LsmError::Invalid(format!("sim report JSON: {e}")))?;
    artifacts.push((PathBuf::from("sim_report.json"), summary));
    report.artifacts = artifacts;
    Ok(report)
}
