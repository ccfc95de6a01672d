//! The pass-probability curve of a stochastic synapse: a bench (source → DC/SFQ →
//! JTL → synapse → load JTL → sink, as nmgen builds it) driven by a periodic train,
//! swept over the weight current with thermal noise over many seeds, fitted with a
//! logistic.

use serde::{Deserialize, Serialize};

use super::bench::{count_pulses, design_from_yaml, BenchRun};
use super::fit::{fit_logistic, Logistic};
use super::plot::{plot_chart, Chart, Series};
use super::CharacterizeError;
use crate::analysis::{wilson_interval, Progress};
use crate::engine::Engine;

/// Which synapse cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SynapseKind {
    /// `synapse` (NMG_SYN), into a neuron's excitatory input.
    Exc,
    /// `synapse_inh` (NMG_SYN_INH), into a neuron's inhibitory input.
    Inh,
}

impl SynapseKind {
    pub fn cell(self) -> &'static str {
        match self {
            SynapseKind::Exc => "synapse",
            SynapseKind::Inh => "synapse_inh",
        }
    }
}

/// What to sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynapsePlan {
    pub kind: SynapseKind,
    /// Weight currents (A), ascending.
    pub weights: Vec<f64>,
    /// Noise seeds; one simulation per seed and weight.
    pub seeds: Vec<u64>,
    /// Pulses per simulation.
    pub pulses: usize,
    /// Pulse period (s); 60 ps in the design note's bench.
    pub period: f64,
    /// Temperature (K) of the thermal noise.
    pub temperature: f64,
    /// Global bias scale.
    pub bias: f64,
}

impl SynapsePlan {
    /// `points` weights evenly from `from` to `to` (A), seeds 1..=`seeds`.
    pub fn sweep(kind: SynapseKind, from: f64, to: f64, points: usize, seeds: u64) -> Self {
        let weights = (0..points)
            .map(|i| {
                if points < 2 {
                    from
                } else {
                    from + (to - from) * i as f64 / (points - 1) as f64
                }
            })
            .collect();
        SynapsePlan {
            kind,
            weights,
            seeds: (1..=seeds).collect(),
            pulses: 8,
            period: 60e-12,
            temperature: 4.2,
            bias: 1.0,
        }
    }

    fn check(&self) -> Result<(), CharacterizeError> {
        let bad = |m: &str| Err(CharacterizeError::Plan(m.to_string()));
        if self.weights.is_empty() || self.seeds.is_empty() || self.pulses == 0 {
            return bad("need at least one weight, one seed and one pulse");
        }
        if self.period.is_nan() || self.period <= 20e-12 {
            return bad("the pulse period must be longer than 20 ps");
        }
        if self.temperature.is_nan()
            || self.temperature < 0.0
            || self.bias.is_nan()
            || self.bias <= 0.0
        {
            return bad("temperature must be ≥ 0 K and bias > 0");
        }
        Ok(())
    }
}

/// One weight current: pulses passed of pulses sent, with the 95 % Wilson interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynapsePoint {
    pub weight_ua: f64,
    pub passed: u32,
    pub total: u32,
    pub probability: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// The measured curve and its logistic fit (currents in µA).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynapseReport {
    pub cell: String,
    pub engine: String,
    pub plan: SynapsePlan,
    pub points: Vec<SynapsePoint>,
    /// `None` when the sweep shows no transition.
    pub fit: Option<Logistic>,
}

/// The bench spec: one synapse between a periodic source and an output.
pub fn bench_yaml(plan: &SynapsePlan) -> String {
    format!(
        "name: {cell}_bench\n\
         parameters: {{ bias: {bias}, w: 150uA }}\n\
         network:\n  inputs: [x]\n  outputs: [q]\n  cells:\n    s: {{ cell: {cell}, w: w }}\n  \
         connections: [x -> s.a, s.q -> q]\n\
         stimulus:\n  x: {{ periodic: {{ start: 20ps, period: {period:e}, count: {n} }} }}\n",
        cell = plan.kind.cell(),
        bias = plan.bias,
        period = plan.period,
        n = plan.pulses,
    )
}

/// Runs the sweep (weights × seeds in parallel) and fits the curve.
pub fn characterize_synapse(
    plan: &SynapsePlan,
    engine: &Engine,
    progress: Progress,
) -> Result<SynapseReport, CharacterizeError> {
    plan.check()?;
    let design = design_from_yaml(&format!("{}_bench", plan.kind.cell()), &bench_yaml(plan))?;
    let runs: Vec<BenchRun> = plan
        .weights
        .iter()
        .flat_map(|&w| {
            plan.seeds.iter().map(move |&seed| BenchRun {
                parameters: vec![("w".to_string(), w)],
                temperature: Some(plan.temperature),
                seed,
            })
        })
        .collect();
    let counts = count_pulses(engine, &design, "q", &runs, progress)?;
    let per_weight = plan.seeds.len();
    let total = (per_weight * plan.pulses) as u32;
    let points: Vec<SynapsePoint> = plan
        .weights
        .iter()
        .enumerate()
        .map(|(i, &w)| {
            // a run can never pass more pulses than it was sent
            let passed: usize = counts[i * per_weight..(i + 1) * per_weight]
                .iter()
                .map(|&c| c.min(plan.pulses))
                .sum();
            let passed = passed as u32;
            let (ci_low, ci_high) = wilson_interval(passed, total);
            SynapsePoint {
                weight_ua: w * 1e6,
                passed,
                total,
                probability: f64::from(passed) / f64::from(total),
                ci_low,
                ci_high,
            }
        })
        .collect();
    let data: Vec<(f64, u32, u32)> = points
        .iter()
        .map(|p| (p.weight_ua, p.passed, p.total))
        .collect();
    Ok(SynapseReport {
        cell: plan.kind.cell().to_string(),
        engine: engine.name().to_string(),
        plan: plan.clone(),
        points,
        fit: fit_logistic(&data).ok(),
    })
}

impl SynapseReport {
    /// `weight_uA,passed,total,probability,ci_low,ci_high`, one row per weight.
    pub fn to_csv(&self) -> String {
        let mut s = String::from("weight_uA,passed,total,probability,ci_low,ci_high\n");
        for p in &self.points {
            s.push_str(&format!(
                "{:.4},{},{},{:.6},{:.6},{:.6}\n",
                p.weight_ua, p.passed, p.total, p.probability, p.ci_low, p.ci_high
            ));
        }
        s
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// The curve: measured points with 95 % intervals and the fitted sigmoid.
    pub fn to_svg(&self) -> Result<String, CharacterizeError> {
        let mut series = Series {
            label: format!(
                "{} ({} pulses per point)",
                self.cell,
                self.points.first().map_or(0, |p| p.total)
            ),
            points: self
                .points
                .iter()
                .map(|p| (p.weight_ua, p.probability, p.ci_low, p.ci_high))
                .collect(),
            curve: Vec::new(),
            join: true,
        };
        let title = format!(
            "{}: pass probability at {} K ({} engine)",
            self.cell, self.plan.temperature, self.engine
        );
        if let (Some(f), Some(a), Some(b)) = (self.fit, self.points.first(), self.points.last()) {
            series.curve = (0..=200)
                .map(|i| {
                    let w = a.weight_ua + (b.weight_ua - a.weight_ua) * f64::from(i) / 200.0;
                    (w, f.probability(w))
                })
                .collect();
            series.label = format!(
                "{}; fit: centre {:.1} µA, 10–90 % width {:.1} µA",
                series.label, f.centre, f.width
            );
        }
        Ok(plot_chart(&Chart {
            title,
            x_label: "weight current (µA)".into(),
            y_label: "pass probability".into(),
            series: vec![series],
        })?)
    }
}
