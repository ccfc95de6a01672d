//! The integrate-and-fire neuron: output rate vs input rate for several threshold
//! currents, and the number of input pulses needed for the first fire vs threshold,
//! with thermal noise over many seeds. The bench is nmgen's own: source → DC/SFQ →
//! JTL → neuron → load JTL → sink; the unused `inh` input sits on an idle source.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::bench::{
    count_pulses, design_from_yaml, forward_slips, instance_name, output_columns, simulate_pulses,
    with_prints, BenchRun,
};
use super::plot::{plot_chart, Chart, Series};
use super::CharacterizeError;
use crate::analysis::Progress;
use crate::engine::Engine;

/// What to measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeuronPlan {
    /// Threshold currents (A).
    pub thresholds: Vec<f64>,
    /// Input rates (Hz) of the periodic excitatory train.
    pub rates: Vec<f64>,
    /// Length of the input train (s).
    pub window: f64,
    /// Noise seeds.
    pub seeds: Vec<u64>,
    pub temperature: f64,
    /// Pulses of the fire-count bench (20 ps apart).
    pub fire_pulses: usize,
}

impl Default for NeuronPlan {
    fn default() -> Self {
        NeuronPlan {
            thresholds: vec![270e-6, 290e-6, 310e-6],
            rates: vec![5e9, 10e9, 14.3e9, 20e9, 30e9, 40e9, 50e9],
            window: 2e-9,
            seeds: (1..=10).collect(),
            temperature: 4.2,
            fire_pulses: 10,
        }
    }
}

/// Output pulses for one threshold and input rate, over the seeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatePoint {
    pub th_ua: f64,
    pub input_ghz: f64,
    pub n_in: usize,
    pub out_mean: f64,
    pub out_min: usize,
    pub out_max: usize,
    /// Mean output rate over the input window (GHz).
    pub output_ghz: f64,
}

/// Input pulses stored at the first fire, for one threshold, over the seeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirePoint {
    pub th_ua: f64,
    /// Seeds in which the neuron fired within the train.
    pub fired: usize,
    pub seeds: usize,
    /// Mean / min / max input pulses up to the first fire, over the seeds that fired.
    pub mean: Option<f64>,
    pub min: Option<usize>,
    pub max: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeuronReport {
    pub engine: String,
    pub plan: NeuronPlan,
    pub rates: Vec<RatePoint>,
    pub fire: Vec<FirePoint>,
}

fn bench_yaml(name: &str, start: f64, period: f64, count: usize) -> String {
    format!(
        "name: {name}\n\
         parameters: {{ th: 290uA }}\n\
         network:\n  inputs: [x, idle]\n  outputs: [q]\n  cells:\n    n: {{ cell: neuron, th: th }}\n  \
         connections: [x -> n.a, idle -> n.inh, n.q -> q]\n\
         stimulus:\n  x: {{ periodic: {{ start: {start:e}, period: {period:e}, count: {count} }} }}\n"
    )
}

fn check(plan: &NeuronPlan) -> Result<(), CharacterizeError> {
    if plan.thresholds.is_empty() || plan.seeds.is_empty() {
        return Err(CharacterizeError::Plan(
            "need at least one threshold and one seed".into(),
        ));
    }
    if plan.rates.iter().any(|&r| !(r > 0.0 && r <= 60e9)) {
        return Err(CharacterizeError::Plan(
            "input rates must be in (0, 60 GHz]".into(),
        ));
    }
    if plan.window.is_nan()
        || plan.window <= 0.0
        || plan.fire_pulses == 0
        || plan.temperature.is_nan()
        || plan.temperature < 0.0
    {
        return Err(CharacterizeError::Plan(
            "window, fire_pulses must be positive and temperature ≥ 0 K".into(),
        ));
    }
    Ok(())
}

fn runs(plan: &NeuronPlan, th: f64) -> impl Iterator<Item = BenchRun> + '_ {
    plan.seeds.iter().map(move |&seed| BenchRun {
        parameters: vec![("th".to_string(), th)],
        temperature: Some(plan.temperature),
        seed,
    })
}

/// Output rate vs input rate per threshold.
pub fn rate_sweep(
    plan: &NeuronPlan,
    engine: &Engine,
    progress: Progress,
) -> Result<Vec<RatePoint>, CharacterizeError> {
    check(plan)?;
    let mut out = Vec::new();
    for &rate in &plan.rates {
        let period = 1.0 / rate;
        let n_in = ((plan.window / period).round() as usize).max(1);
        let design = design_from_yaml(
            "neuron_rate_bench",
            &bench_yaml("neuron_rate_bench", 50e-12, period, n_in),
        )?;
        let all: Vec<BenchRun> = plan
            .thresholds
            .iter()
            .flat_map(|&th| runs(plan, th))
            .collect();
        let counts = count_pulses(engine, &design, "q", &all, progress)?;
        for (i, &th) in plan.thresholds.iter().enumerate() {
            let c = &counts[i * plan.seeds.len()..(i + 1) * plan.seeds.len()];
            let mean = c.iter().sum::<usize>() as f64 / c.len() as f64;
            out.push(RatePoint {
                th_ua: th * 1e6,
                input_ghz: rate * 1e-9,
                n_in,
                out_mean: mean,
                out_min: c.iter().copied().min().unwrap_or(0),
                out_max: c.iter().copied().max().unwrap_or(0),
                output_ghz: mean / (n_in as f64 * period) * 1e-9,
            });
        }
    }
    out.sort_by(|a, b| {
        a.th_ua
            .total_cmp(&b.th_ua)
            .then(a.input_ghz.total_cmp(&b.input_ghz))
    });
    Ok(out)
}

/// Input pulses (20 ps apart) stored when the fire junction first switches, per threshold.
pub fn fire_sweep(plan: &NeuronPlan, engine: &Engine) -> Result<Vec<FirePoint>, CharacterizeError> {
    check(plan)?;
    let design = design_from_yaml(
        "neuron_fire_bench",
        &bench_yaml("neuron_fire_bench", 20e-12, 20e-12, plan.fire_pulses),
    )?;
    let netlist = crate::build::compile(&design);
    let x = instance_name("n");
    let (b1, b4) = (format!("B1.{x}"), format!("B4.{x}"));
    let text = with_prints(&netlist.text, &[b1.clone(), b4.clone()]);
    let (c1, c4) = (format!("P(B1|{x})"), format!("P(B4|{x})"));
    let outputs = output_columns(&netlist);
    let path = std::path::PathBuf::from("neuron_fire_bench.cir");
    let mut out = Vec::new();
    for &th in &plan.thresholds {
        let all: Vec<BenchRun> = runs(plan, th).collect();
        let stored = all
            .par_iter()
            .map(|run| {
                let (_, traces) = simulate_pulses(engine, &text, &path, &outputs, run)?;
                let ins = forward_slips(&traces, &c1)?;
                let fires = forward_slips(&traces, &c4)?;
                Ok(fires
                    .first()
                    .map(|&t| ins.iter().filter(|&&s| s < t).count()))
            })
            .collect::<Result<Vec<Option<usize>>, CharacterizeError>>()?;
        let fired: Vec<usize> = stored.iter().flatten().copied().collect();
        out.push(FirePoint {
            th_ua: th * 1e6,
            fired: fired.len(),
            seeds: stored.len(),
            mean: (!fired.is_empty())
                .then(|| fired.iter().sum::<usize>() as f64 / fired.len() as f64),
            min: fired.iter().copied().min(),
            max: fired.iter().copied().max(),
        });
    }
    Ok(out)
}

/// Both measurements.
pub fn characterize_neuron(
    plan: &NeuronPlan,
    engine: &Engine,
    progress: Progress,
) -> Result<NeuronReport, CharacterizeError> {
    let rates = if plan.rates.is_empty() {
        Vec::new()
    } else {
        rate_sweep(plan, engine, progress)?
    };
    Ok(NeuronReport {
        engine: engine.name().to_string(),
        plan: plan.clone(),
        rates,
        fire: fire_sweep(plan, engine)?,
    })
}

impl NeuronReport {
    /// `th_uA,input_GHz,n_in,out_mean,out_min,out_max,output_GHz`.
    pub fn rates_csv(&self) -> String {
        let mut s = String::from("th_uA,input_GHz,n_in,out_mean,out_min,out_max,output_GHz\n");
        for r in &self.rates {
            s.push_str(&format!(
                "{:.2},{:.4},{},{:.3},{},{},{:.4}\n",
                r.th_ua, r.input_ghz, r.n_in, r.out_mean, r.out_min, r.out_max, r.output_ghz
            ));
        }
        s
    }

    /// `th_uA,fired,seeds,pulses_mean,pulses_min,pulses_max` (empty when it never fired).
    pub fn fire_csv(&self) -> String {
        let mut s = String::from("th_uA,fired,seeds,pulses_mean,pulses_min,pulses_max\n");
        let opt = |v: Option<usize>| v.map(|v| v.to_string()).unwrap_or_default();
        for f in &self.fire {
            s.push_str(&format!(
                "{:.2},{},{},{},{},{}\n",
                f.th_ua,
                f.fired,
                f.seeds,
                f.mean.map(|m| format!("{m:.3}")).unwrap_or_default(),
                opt(f.min),
                opt(f.max)
            ));
        }
        s
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Output rate vs input rate, one series per threshold (min–max bars).
    pub fn rates_svg(&self) -> Result<String, CharacterizeError> {
        let mut series: Vec<Series> = Vec::new();
        for r in &self.rates {
            let label = format!("th = {:.0} µA", r.th_ua);
            let scale = r.output_ghz / r.out_mean.max(f64::MIN_POSITIVE);
            let point = if r.out_mean > 0.0 {
                (
                    r.input_ghz,
                    r.output_ghz,
                    r.out_min as f64 * scale,
                    r.out_max as f64 * scale,
                )
            } else {
                (r.input_ghz, 0.0, 0.0, 0.0)
            };
            match series.iter_mut().find(|s| s.label == label) {
                Some(s) => s.points.push(point),
                None => series.push(Series {
                    label,
                    points: vec![point],
                    curve: Vec::new(),
                    join: true,
                }),
            }
        }
        Ok(plot_chart(&Chart {
            title: format!(
                "neuron: output vs input rate at {} K ({} engine)",
                self.plan.temperature, self.engine
            ),
            x_label: "input rate (GHz)".into(),
            y_label: "output rate (GHz)".into(),
            series,
        })?)
    }

    /// Input pulses to the first fire vs threshold (min–max bars).
    pub fn fire_svg(&self) -> Result<String, CharacterizeError> {
        let points = self
            .fire
            .iter()
            .filter_map(|f| Some((f.th_ua, f.mean?, f.min? as f64, f.max? as f64)))
            .collect();
        Ok(plot_chart(&Chart {
            title: format!(
                "neuron: input pulses to fire at {} K",
                self.plan.temperature
            ),
            x_label: "threshold current th (µA)".into(),
            y_label: "input pulses stored at the first fire".into(),
            series: vec![Series {
                label: format!("{} seeds, pulses 20 ps apart", self.plan.seeds.len()),
                points,
                curve: Vec::new(),
                join: true,
            }],
        })?)
    }
}
