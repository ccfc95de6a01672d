//! `nmgen sim` for an LSM spec: the bit-accurate model and, optionally, Verilator on the
//! same events; the VCD is read back and compared spike by spike and membrane by membrane.

use std::path::PathBuf;

use super::build::{memory_images, readout_of, verilog_sources};
use super::events::{bin_events, EventSet, SpikeTrain};
use super::model::{run_sample, Raster};
use super::rtl::{expect_files, TbLimits};
use super::spec::LsmDesign;
use super::vcd_read::{read_vcd, Observed};
use super::verilator;
use super::weights::draw_weights;
use super::{plot, Artifact, LsmError};

/// How to simulate.
#[derive(Debug, Clone)]
pub struct SimSettings {
    /// Also run the RTL under Verilator and compare.
    pub verilator: bool,
    /// Where Verilator builds (cached by source hash) and runs.
    pub work_dir: PathBuf,
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
    pub run_seconds: f64,
    pub cycles: u64,
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
    let mut s = String::from("sample,step,neuron,membrane,spike\n");
    for (i, r) in rasters.iter().enumerate() {
        for (t, (sp, v)) in r.spikes.iter().zip(&r.membrane).enumerate() {
            for (n, (b, m)) in sp.iter().zip(v).enumerate() {
                s.push_str(&format!("{i},{t},{n},{m},{}\n", u8::from(*b)));
            }
        }
    }
    s.into_bytes()
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

/// Runs the model on every sample and, with `settings.verilator`, the RTL (in batches of
/// the testbench's capacity), comparing spikes per step and final membranes and counts.
pub fn simulate(
    design: &LsmDesign,
    events: &EventSet,
    settings: &SimSettings,
) -> Result<SimReport, LsmError> {
    if events.samples.is_empty() {
        return Err(LsmError::Invalid("no event samples to simulate".into()));
    }
    super::events::check_labels(design, events)?;
    let weights = draw_weights(design);
    let trains: Vec<SpikeTrain> = events
        .samples
        .iter()
        .map(|s| bin_events(design, s))
        .collect();
    let rasters: Vec<Raster> = trains
        .iter()
        .map(|t| run_sample(design, &weights, t))
        .collect();
    let readout = readout_of(design);
    let classes: Vec<Option<usize>> = rasters
        .iter()
        .map(|r| readout.as_ref().map(|ro| ro.classify(&r.counts)))
        .collect();
    let scores: Vec<Option<i64>> = rasters
        .iter()
        .zip(&classes)
        .map(|(r, c)| Some(readout.as_ref()?.scores(&r.counts)[(*c)?]))
        .collect();
    let mut artifacts: Vec<Artifact> = vec![
        (PathBuf::from("raster.csv"), raster_csv(&rasters)),
        (
            PathBuf::from("raster.svg"),
            plot::raster_svg(
                &rasters[0],
                &format!("{}: reservoir spikes, sample 0", design.name),
            )?,
        ),
    ];
    let mut report = SimReport {
        classes: classes.clone(),
        scores: scores.clone(),
        labels: events.samples.iter().map(|s| s.label).collect(),
        mismatches: Vec::new(),
        verilator: None,
        input_spikes: trains.iter().map(SpikeTrain::total_spikes).sum(),
        reservoir_spikes: rasters.iter().map(Raster::total_spikes).sum(),
        synaptic_events: rasters.iter().map(|r| r.synaptic_events).sum(),
        rasters: Vec::new(),
        artifacts: Vec::new(),
    };
    if settings.verilator {
        let version = verilator::version()?;
        let compiled = verilator::compile(&verilog_sources(design), &settings.work_dir)?;
        let lim = TbLimits::of(design);
        let mut run = VerilatorRun {
            version,
            build_seconds: compiled.build_seconds,
            build_cached: compiled.cached,
            run_seconds: 0.0,
            cycles: 0,
            testbench_passed: true,
            log: String::new(),
        };
        let mut first = 0;
        while first < trains.len() {
            let end = (first + lim.max_samples).min(trains.len());
            let cls: Vec<usize> = classes[first..end].iter().map(|c| c.unwrap_or(0)).collect();
            let mut files = memory_images(design, &weights);
            files.extend(expect_files(
                design,
                &trains[first..end],
                &rasters[first..end],
                &cls,
            ));
            std::fs::create_dir_all(&settings.work_dir)
                .map_err(|e| LsmError::io(&settings.work_dir, e))?;
            let dir = tempfile::Builder::new()
                .prefix("run-")
                .tempdir_in(&settings.work_dir)
                .map_err(|e| LsmError::io(&settings.work_dir, e))?;
            let beats: usize = trains[first..end].iter().map(|t| t.steps.len()).sum();
            let tb = verilator::run(&compiled, dir.path(), &files, beats, end - first)?;
            let obs = read_vcd(&tb.vcd, design.membrane_bits)?;
            report.mismatches.extend(compare(
                design,
                &rasters[first..end],
                &classes[first..end],
                &scores[first..end],
                &obs,
                first,
            ));
            run.run_seconds += tb.run_seconds;
            run.cycles += obs.cycles;
            run.testbench_passed &= tb.passed;
            run.log.push_str(&tb.log);
            if first == 0 {
                let vcd = std::fs::read(&tb.vcd).map_err(|e| LsmError::io(&tb.vcd, e))?;
                artifacts.push((PathBuf::from("lsm.vcd"), vcd));
            }
            first = end;
        }
        report.verilator = Some(run);
    }
    let summary = serde_json::to_vec_pretty(&report)
        .map_err(|e| LsmError::Invalid(format!("sim report JSON: {e}")))?;
    artifacts.push((PathBuf::from("sim_report.json"), summary));
    report.rasters = rasters;
    report.artifacts = artifacts;
    Ok(report)
}
