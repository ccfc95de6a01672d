//! `nmgen characterize models`: the pulse-level cell models measured at the circuit
//! level, with thermal noise, on nmgen's own benches (source → DC/SFQ → JTL → cell →
//! load JTL → sink, as `nmgen build` writes them).
//!
//! - delays: output pulse time minus input pulse time, against benches of 1 and 3
//!   JTLs (the JTL's delay is their difference / 2; the DC/SFQ takes the rest of the
//!   path, so the pulse level reproduces each bench's end-to-end time);
//! - merger collision: pulse pairs on a and b at growing offsets, the offset at which
//!   half of the pairs leave as two pulses;
//! - synapse: the logistic fit of [`super::synapse`];
//! - neuron: input pulses to the first fire vs th (pulses 20 ps apart), fire
//!   probability of pulse pairs at varying spacing, output vs input rate, pulses to
//!   fire after one inhibitory pulse, output count of close pairs (refractory time).
//!   The leak time constant and threshold noise are fitted by [`super::model_fit`].

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::bench::{
    design_from_yaml, forward_slips, output_columns, simulate_pulses, with_prints, BenchRun,
};
use super::neuron_bench::{fire_bench, inh_merger_bench, inh_synapse_bench, neuron_identification};
use super::synapse::{characterize_synapse, SynapseKind, SynapsePlan};
use super::CharacterizeError;
use super::{count_fit, model_fit};
use crate::analysis::{Progress, PulseTimes};
use crate::engine::Engine;
use crate::pulse::models::{
    self, CellModels, Cells, CountCalibration, Delay, DelayModel, Entry, Fire, MergerModel,
    NeuronModel, OutputFire, OutputFireCalibration, PlateauEntry, Sigmoid, SynapseModel,
    TechnologyRecord, ThresholdPoint,
};
use crate::spec::{Design, Technology};

/// What to measure (recorded in the model file, part of its hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelsPlan {
    pub temperature_k: f64,
    pub bias: f64,
    /// Noise seeds 1..=N of the delay and neuron benches.
    pub seeds: u64,
    pub synapse_from_ua: f64,
    pub synapse_to_ua: f64,
    pub synapse_points: usize,
    pub synapse_seeds: u64,
    pub synapse_pulses: usize,
    /// Merger: offsets of the b pulse after the a pulse.
    pub collision_offsets_ps: Vec<f64>,
    /// Neuron: thresholds of the pulses-to-fire bench (10 pulses 20 ps apart) and of the
    /// identification (every 2.5 µA: between two points the simulator interpolates θ
    /// linearly, and every 5 µA left its fire counts up to 1.3 pulses off mid-way).
    pub fire_th_ua: Vec<f64>,
    /// Neuron identification: noise seeds per stimulus and threshold, length of the
    /// input trains (ps), and the seed of the random trains.
    pub neuron_seeds: u64,
    pub neuron_train_ps: f64,
    pub neuron_stimulus_seed: u64,
    /// Neuron identification: inhibition rates (GHz) of the strong-inhibition stimuli
    /// (periodic 66.7 GHz and random 50 GHz excitation), where the output junction
    /// leads fires.
    pub neuron_strong_inh_ghz: Vec<f64>,
}

impl Default for ModelsPlan {
    fn default() -> Self {
        ModelsPlan {
            temperature_k: 4.2,
            bias: 1.0,
            seeds: 20,
            synapse_from_ua: 100.0,
            synapse_to_ua: 132.0,
            synapse_points: 17,
            synapse_seeds: 20,
            synapse_pulses: 8,
            collision_offsets_ps: (0..=12).map(|k| f64::from(k) * 2.0).collect(),
            fire_th_ua: (0..=24).map(|k| 260.0 + 2.5 * f64::from(k)).collect(),
            neuron_seeds: 2,
            neuron_train_ps: 2000.0,
            neuron_stimulus_seed: 7,
            neuron_strong_inh_ghz: vec![40.0, 50.0],
        }
    }
}

/// One run's output pulses and the forward slips of each printed junction.
pub(super) type Traced = (PulseTimes, Vec<Vec<f64>>);

/// Runs one bench design for every seed (in parallel), returning each run's pulses
/// and, when `prints` names junctions, their forward slips.
pub(super) struct Runner<'a> {
    pub(super) engine: &'a Engine,
    pub(super) technology: &'a Technology,
    pub(super) plan: &'a ModelsPlan,
    pub(super) progress: Progress,
}

impl Runner<'_> {
    pub(super) fn design(&self, name: &str, yaml: &str) -> Result<Design, CharacterizeError> {
        let mut d = design_from_yaml(name, yaml)?;
        d.technology = Technology {
            tstop: d.technology.tstop,
            ..self.technology.clone()
        };
        Ok(d)
    }

    fn seeds(&self) -> Vec<u64> {
        (1..=self.plan.seeds).collect()
    }

    /// Pulses of every output, one entry per (parameter set, seed), in that order.
    pub(super) fn pulses(
        &self,
        design: &Design,
        parameters: &[Vec<(String, f64)>],
    ) -> Result<Vec<PulseTimes>, CharacterizeError> {
        Ok(self
            .traced(design, parameters, &[])?
            .into_iter()
            .map(|(p, _)| p)
            .collect())
    }

    /// Pulses and forward slips of extra printed junctions (`B1.XN`).
    pub(super) fn traced(
        &self,
        design: &Design,
        parameters: &[Vec<(String, f64)>],
        prints: &[String],
    ) -> Result<Vec<Traced>, CharacterizeError> {
        let netlist = crate::build::compile(design);
        let text = with_prints(&netlist.text, prints);
        let outputs = output_columns(&netlist);
        let columns: Vec<String> = prints
            .iter()
            .map(|p| {
                let (j, x) = p.split_once('.').unwrap_or((p, ""));
                format!("P({j}|{x})")
            })
            .collect();
        let path = std::path::PathBuf::from(format!("{}.cir", design.name));
        let runs: Vec<BenchRun> = parameters
            .iter()
            .flat_map(|params| {
                self.seeds().into_iter().map(move |seed| BenchRun {
                    parameters: params.clone(),
                    temperature: Some(self.plan.temperature_k),
                    seed,
                })
            })
            .collect();
        let bar = self.progress.bar(
            runs.len() as u64,
            0,
            &format!("{}: simulating", design.name),
        );
        let out = runs
            .par_iter()
            .map(|run| {
                let (pulses, traces) = simulate_pulses(self.engine, &text, &path, &outputs, run)?;
                let slips = columns
                    .iter()
                    .map(|c| forward_slips(&traces, c))
                    .collect::<Result<Vec<_>, _>>()?;
                bar.inc(1);
                Ok((pulses, slips))
            })
            .collect::<Result<Vec<_>, CharacterizeError>>();
        bar.finish_and_clear();
        out
    }
}

/// Delays (s) of every output pulse after the latest input pulse before it.
fn delays(runs: &[PulseTimes], inputs: &[f64], outputs: &[&str]) -> Vec<f64> {
    let mut d = Vec::new();
    for run in runs {
        for o in outputs {
            for &t in run.get(o).unwrap_or(&[]) {
                if let Some(&t_in) = inputs.iter().rev().find(|&&ti| ti <= t) {
                    d.push(t - t_in);
                }
            }
        }
    }
    d
}

/// Robust mean and variance: the median, and the squared scaled median absolute
/// deviation (1.4826·MAD estimates σ of a normal), so that a stray pulse (a neuron
/// firing on its own) does not move them.
pub(super) fn moments(x: &[f64]) -> (f64, f64) {
    if x.is_empty() {
        return (0.0, 0.0);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    };
    let m = median(&mut x.to_vec());
    let mad = median(&mut x.iter().map(|v| (v - m).abs()).collect());
    (m, (1.4826 * mad).powi(2))
}

/// A delay (ps, rounded to 1 fs) from a mean and a variance in s and s².
fn delay(mean: f64, var: f64) -> Delay {
    Delay {
        mean: round(mean * 1e12, 3),
        std: round(var.max(0.0).sqrt() * 1e12, 3),
    }
}

pub(super) fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

const SPACED: [f64; 4] = [50e-12, 250e-12, 450e-12, 650e-12];

fn times_yaml(times: &[f64]) -> String {
    let t: Vec<String> = times
        .iter()
        .map(|t| format!("{}ps", round(t * 1e12, 3)))
        .collect();
    format!("{{ times: [{}] }}", t.join(", "))
}

/// A bench: inputs (with pulse times), outputs, cells and connections.
pub(super) fn bench_yaml(
    name: &str,
    params: &str,
    inputs: &[(&str, &[f64])],
    outputs: &[&str],
    cells: &[(&str, &str)],
    connections: &[String],
    tstop_ps: f64,
) -> String {
    let mut s = format!(
        "name: {name}\ntechnology: {{ tstop: {tstop_ps}ps }}\nparameters: {{ {params} }}\nnetwork:\n  inputs: [{}]\n  outputs: [{}]\n  cells:\n",
        inputs.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "),
        outputs.join(", ")
    );
    for (n, c) in cells {
        s.push_str(&format!("    {n}: {c}\n"));
    }
    s.push_str("  connections:\n");
    for c in connections {
        s.push_str(&format!("    - {c}\n"));
    }
    let driven: Vec<_> = inputs.iter().filter(|(_, t)| !t.is_empty()).collect();
    if !driven.is_empty() {
        s.push_str("stimulus:\n");
        for (n, t) in driven {
            s.push_str(&format!("  {n}: {}\n", times_yaml(t)));
        }
    }
    s
}

fn bias_param(plan: &ModelsPlan) -> String {
    format!("bias: {}", plan.bias)
}

/// Delays (s) through a bench of `k` JTLs in series.
fn chain(r: &Runner, k: usize) -> Result<Vec<f64>, CharacterizeError> {
    let c = |a: &str, b: &str| format!("{a} -> {b}");
    let cells: Vec<(String, &str)> = (0..k).map(|i| (format!("d{i}"), "jtl")).collect();
    let cells_ref: Vec<(&str, &str)> = cells.iter().map(|(n, c)| (n.as_str(), *c)).collect();
    let mut conns = vec![c("x", "d0.a")];
    for i in 1..k {
        conns.push(c(&format!("d{}.q", i - 1), &format!("d{i}.a")));
    }
    conns.push(c(&format!("d{}.q", k - 1), "q"));
    let name = format!("jtl{k}_bench");
    let d = r.design(
        &name,
        &bench_yaml(
            &name,
            &bias_param(r.plan),
            &[("x", &SPACED)],
            &["q"],
            &cells_ref,
            &conns,
            900.0,
        ),
    )?;
    Ok(delays(&r.pulses(&d, &[vec![]])?, &SPACED, &["q"]))
}

/// The JTL's delay (mean, std in ps) alone, over seeds 1..=`seeds`: a cheap spot
/// re-measurement of a model file.
pub fn jtl_delay(
    technology: &Technology,
    engine: &Engine,
    temperature_k: f64,
    bias: f64,
    seeds: u64,
) -> Result<(f64, f64), CharacterizeError> {
    let plan = ModelsPlan {
        temperature_k,
        bias,
        seeds,
        ..ModelsPlan::default()
    };
    let r = Runner {
        engine,
        technology,
        plan: &plan,
        progress: Progress::Hidden,
    };
    let (m1, v1) = moments(&chain(&r, 1)?);
    let (m3, v3) = moments(&chain(&r, 3)?);
    let d = delay((m3 - m1) / 2.0, (v3 - v1) / 2.0);
    Ok((d.mean, d.std))
}

/// Measures every model. `technology` is the one to measure (a spec's, or the defaults).
pub fn characterize_models(
    plan: &ModelsPlan,
    technology: &Technology,
    engine: &Engine,
    command: &str,
    progress: Progress,
) -> Result<CellModels, CharacterizeError> {
    let r = Runner {
        engine,
        technology,
        plan,
        progress,
    };
    let bias = bias_param(plan);
    let c = |a: &str, b: &str| format!("{a} -> {b}");
    let (m1, v1) = moments(&chain(&r, 1)?);
    let (m3, v3) = moments(&chain(&r, 3)?);
    let (dj, vj) = ((m3 - m1) / 2.0, ((v3 - v1) / 2.0).max(0.0));
    // the path without a cell: source, DC/SFQ, source JTL, load JTL
    let (m0, v0) = (m1 - dj, (v1 - vj).max(0.0));
    let cell_delay = |name: &str,
                      params: &str,
                      inputs: &[(&str, &[f64])],
                      outputs: &[&str],
                      cells: &[(&str, &str)],
                      conns: &[String],
                      from: &[f64]|
     -> Result<Delay, CharacterizeError> {
        let d = r.design(
            name,
            &bench_yaml(name, params, inputs, outputs, cells, conns, 900.0),
        )?;
        let (m, v) = moments(&delays(&r.pulses(&d, &[vec![]])?, from, outputs));
        Ok(delay(m - m0, v - v0))
    };
    let none: &[f64] = &[];
    let splitter = cell_delay(
        "splitter_bench",
        &bias,
        &[("x", &SPACED)],
        &["q0", "q1"],
        &[("sp", "splitter")],
        &[c("x", "sp.a"), c("sp.q0", "q0"), c("sp.q1", "q1")],
        &SPACED,
    )?;
    let merger_a = cell_delay(
        "merger_a_bench",
        &bias,
        &[("x", &SPACED), ("z", none)],
        &["q"],
        &[("m", "merger")],
        &[c("x", "m.a"), c("z", "m.b"), c("m.q", "q")],
        &SPACED,
    )?;
    let merger_b = cell_delay(
        "merger_b_bench",
        &bias,
        &[("x", none), ("z", &SPACED)],
        &["q"],
        &[("m", "merger")],
        &[c("x", "m.a"), c("z", "m.b"), c("m.q", "q")],
        &SPACED,
    )?;
    let clk: Vec<f64> = SPACED.iter().map(|t| t + 100e-12).collect();
    let dff = cell_delay(
        "dff_bench",
        &bias,
        &[("x", &SPACED), ("c", &clk)],
        &["q"],
        &[("f", "dff")],
        &[c("x", "f.a"), c("c", "f.clk"), c("f.q", "q")],
        &clk,
    )?;
    let tff = cell_delay(
        "tff_bench",
        &bias,
        &[("x", &SPACED)],
        &["q", "qb"],
        &[("t", "tff")],
        &[c("x", "t.a"), c("t.q", "q"), c("t.qb", "qb")],
        &SPACED,
    )?;
    let syn_delay = |cell: &str| {
        cell_delay(
            &format!("{cell}_delay_bench"),
            &format!("{bias}, w: 150uA"),
            &[("x", &SPACED)],
            &["q"],
            &[("s", &format!("{{ cell: {cell}, w: w }}"))],
            &[c("x", "s.a"), c("s.q", "q")],
            &SPACED,
        )
    };
    let (syn_d, syn_inh_d) = (syn_delay("synapse")?, syn_delay("synapse_inh")?);
    let dcsfq = delay(m0 - 2.0 * dj, v0 - 2.0 * vj);
    let jtl = delay(dj, vj);
    let merger_delay = Delay {
        mean: round((merger_a.mean + merger_b.mean) / 2.0, 3),
        std: round((merger_a.std + merger_b.std) / 2.0, 3),
    };

    // merger collisions: pairs a, b at an offset; outputs per pair
    let collision_ps = {
        let pairs = [50e-12, 350e-12, 650e-12];
        let mut two = Vec::new();
        for &off in &plan.collision_offsets_ps {
            let b: Vec<f64> = pairs.iter().map(|t| t + off * 1e-12).collect();
            let d = r.design(
                "merger_collision_bench",
                &bench_yaml(
                    "merger_collision_bench",
                    &bias,
                    &[("x", &pairs), ("z", &b)],
                    &["q"],
                    &[("m", "merger")],
                    &[c("x", "m.a"), c("z", "m.b"), c("m.q", "q")],
                    1000.0,
                ),
            )?;
            let runs = r.pulses(&d, &[vec![]])?;
            let outs: usize = runs
                .iter()
                .map(|p| p.get("q").map_or(0, <[f64]>::len))
                .sum();
            // fraction of pairs leaving as two pulses
            two.push((
                off,
                (outs as f64 / (runs.len() * pairs.len()) as f64 - 1.0).clamp(0.0, 1.0),
            ));
        }
        crossing(&two, 0.5).unwrap_or(0.0)
    };

    // synapses
    let sigmoid = |kind: SynapseKind| -> Result<(Sigmoid, Delay), CharacterizeError> {
        let mut p = SynapsePlan::sweep(
            kind,
            plan.synapse_from_ua * 1e-6,
            plan.synapse_to_ua * 1e-6,
            plan.synapse_points,
            plan.synapse_seeds,
        );
        p.pulses = plan.synapse_pulses;
        p.temperature = plan.temperature_k;
        p.bias = plan.bias;
        let rep = characterize_synapse(&p, engine, progress)?;
        let fit = rep.fit.ok_or_else(|| {
            CharacterizeError::Fit(format!("{}: the sweep shows no transition", kind.cell()))
        })?;
        Ok((
            Sigmoid {
                centre_ua: round(fit.centre, 4),
                scale_ua: round(fit.scale, 4),
            },
            Delay::default(),
        ))
    };
    let (syn_pass, _) = sigmoid(SynapseKind::Exc)?;
    let (syn_inh_pass, _) = sigmoid(SynapseKind::Inh)?;

    // neuron
    let pulses_to_fire = fire_bench(&r, &bias)?;
    let id_plan = ModelsPlan {
        seeds: plan.neuron_seeds,
        ..plan.clone()
    };
    let id_runner = Runner {
        plan: &id_plan,
        ..r
    };
    let traces = neuron_identification(&id_runner, &bias)?;
    let fit = model_fit::fit_neuron(&traces.traces);
    // a merger driving inh: logistic of a lost pulse against h (bins of ¼ quantum)
    let inh_merger_entry = {
        let bins = quarter_bins(inh_merger_bench(
            &id_runner,
            &bias,
            collision_ps,
            fit.inh_tau_ps,
        )?);
        super::fit::fit_logistic(&bins).ok().map(|l| Entry {
            centre_fluxons: round(l.centre, 4),
            scale_fluxons: round(l.scale, 4),
        })
    };
    // a synapse driving inh: a loss rising with h to a plateau (bins of ¼ quantum)
    let inh_synapse_entry = {
        let bins = quarter_bins(inh_synapse_bench(&id_runner, &bias, fit.inh_tau_ps)?);
        super::fit::fit_plateau_logistic(&bins).map(|(c, s, a)| PlateauEntry {
            centre_fluxons: round(c, 4),
            scale_fluxons: round(s, 4),
            loss_max: round(a, 4),
        })
    };
    let source = (dcsfq.mean + jtl.mean) * 1e-12;
    let (entry, _) = moments(&traces.entry_latency);
    let (out, out_var) = moments(&traces.output_latency);
    let neuron = NeuronModel {
        delay_ps: delay(entry - source + out - jtl.mean * 1e-12, out_var),
        pulses_to_fire,
        leak_tau_ps: round(fit.leak_tau_ps, 2),
        inh_tau_ps: round(fit.inh_tau_ps, 2),
        inh_fluxons: round(fit.inh_fluxons, 4),
        refractory_ps: round(fit.refractory_ps, 2),
        threshold: fit
            .threshold
            .iter()
            .map(|&(th_ua, fluxons, width)| ThresholdPoint {
                th_ua,
                fluxons: round(fluxons, 4),
                width_fluxons: round(width, 4),
            })
            .collect(),
        fire: Fire {
            latency_median_ps: round(fit.latency_median_ps, 3),
            latency_slope_per_fluxon: round(fit.latency_slope_per_fluxon, 4),
            latency_log_sigma: round(fit.latency_log_sigma, 4),
        },
        entry: Entry {
            centre_fluxons: round(fit.entry.0, 4),
            scale_fluxons: round(fit.entry.1, 4),
        },
        output_fire: fit
            .output_fire
            .map(|(centre, inh, slope, width)| OutputFire {
                centre_fluxons: round(centre, 4),
                inh_fluxons: round(inh, 4),
                theta_slope: round(slope, 4),
                width_fluxons: round(width, 4),
                count_calibration: None,
            }),
        inh_merger_entry,
        inh_synapse_entry,
        count_calibration: Vec::new(),
    };

    let tech = TechnologyRecord::of(technology);
    let benches = serde_json::to_value(plan).unwrap_or_default();
    let mut models = CellModels {
        format: models::FORMAT.into(),
        command: command.into(),
        temperature_k: plan.temperature_k,
        bias: plan.bias,
        source_sha256: models::source_hash(&tech, &benches),
        technology: tech,
        benches,
        cells: Cells {
            jtl: DelayModel { delay_ps: jtl },
            splitter: DelayModel { delay_ps: splitter },
            merger: MergerModel {
                delay_ps: merger_delay,
                collision_ps: round(collision_ps, 2),
            },
            dcsfq: DelayModel { delay_ps: dcsfq },
            dff: DelayModel { delay_ps: dff },
            tff: DelayModel { delay_ps: tff },
            synapse: SynapseModel {
                delay_ps: syn_d,
                pass: syn_pass,
            },
            synapse_inh: SynapseModel {
                delay_ps: syn_inh_d,
                pass: syn_inh_pass,
            },
            neuron,
        },
    };
    // the calibration moves the fire junction's θ and width: on the ordinary runs (the
    // replays have both paths; the strong-inhibition runs are the output junction's)
    let calibration: Vec<_> = traces
        .traces
        .iter()
        .filter(|t| !t.strong_inhibition)
        .cloned()
        .collect();
    let fits = count_fit::calibrate_counts(&models, &calibration);
    let neuron = &mut models.cells.neuron;
    for (point, f) in neuron.threshold.iter_mut().zip(&fits) {
        point.fluxons = round(f.point.fluxons, 4);
        point.width_fluxons = round(f.point.width_fluxons, 4);
    }
    neuron.count_calibration = fits
        .iter()
        .map(|f| CountCalibration {
            th_ua: f.point.th_ua,
            runs: f.runs,
            mse_decision_fit: round(f.mse_before, 4),
            mse: round(f.mse_after, 4),
            circuit_variance: round(f.circuit_variance, 4),
            variance_decision_fit: round(f.variance_before, 4),
            variance: round(f.variance_after, 4),
        })
        .collect();
    // then the output junction's path, on the strong-inhibition runs
    let strong: Vec<_> = traces
        .traces
        .iter()
        .filter(|t| t.strong_inhibition)
        .cloned()
        .collect();
    if let Some(c) = count_fit::calibrate_output_fire(&models, &strong) {
        if let Some(o) = &mut models.cells.neuron.output_fire {
            o.centre_fluxons = round(o.centre_fluxons + c.centre_shift_fluxons, 4);
            o.count_calibration = Some(OutputFireCalibration {
                centre_shift_fluxons: round(c.centre_shift_fluxons, 4),
                mse_decision_fit: round(c.mse_decision_fit, 4),
                mse: round(c.mse, 4),
                ..c
            });
        }
    }
    Ok(models)
}

/// Where a curve of (x, y) points first crosses `level` (linear between points).
pub fn crossing(points: &[(f64, f64)], level: f64) -> Option<f64> {
    if points.first().is_some_and(|p| p.1 >= level) {
        return points.first().map(|p| p.0);
    }
    points.windows(2).find_map(|w| {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        (y0 < level && y1 >= level).then(|| x0 + (x1 - x0) * (level - y0) / (y1 - y0))
    })
}

/// (h, lost) samples as (h, lost, total) in bins of a quarter quantum, ascending.
fn quarter_bins(samples: Vec<(f64, bool)>) -> Vec<(f64, u32, u32)> {
    let mut bins: Vec<(f64, u32, u32)> = Vec::new();
    for (h, lost) in samples {
        let h = (h * 4.0).round() / 4.0;
        match bins.iter_mut().find(|b| b.0 == h) {
            Some(b) => {
                b.1 += u32::from(lost);
                b.2 += 1;
            }
            None => bins.push((h, u32::from(lost), 1)),
        }
    }
    bins.sort_by(|a, b| a.0.total_cmp(&b.0));
    bins
}
