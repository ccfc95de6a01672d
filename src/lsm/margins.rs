//! Device-variation margins: Monte Carlo over the programming sigma of the conductances.
//!
//! For each sigma and seed, every formed device of the nominal crossbar gets `N(0, sigma)`
//! added (clamped, requantized); the labelled event set is run on the varied crossbar and
//! compared with the nominal run: raster Hamming distance, firing-rate change, ADC clipping
//! rate and, with a readout, accuracy. Fragile decisions are counted on the nominal run:
//! threshold decisions with `|v − θ|` below the membrane noise of that step,
//! `σ_v = √(active rows) · √2·sigma/g_step · 2^frac_bits`.

use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use super::build::readout_of;
use super::events::{bin_events, EventSet, SpikeTrain};
use super::model::{run_sample, Raster};
use super::readout::{train_readout, TrainSettings};
use super::spec::{LsmDesign, ReadoutWeights};
use super::synth::{synthetic_events, SyntheticSettings};
use super::weights::{draw_weights, Weights};
use super::{plot, Artifact, LsmError};

/// Monte Carlo settings (the spec's `margins:` section).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarginSettings {
    pub sigmas_us: Vec<f64>,
    pub seeds: u32,
    /// Synthetic data set used when no event set is given.
    pub samples_per_class: u32,
    pub classes: u32,
    pub seed: u64,
}

impl Default for MarginSettings {
    fn default() -> Self {
        MarginSettings {
            sigmas_us: vec![1.0, 2.0, 4.0, 6.0, 8.0, 10.0],
            seeds: 8,
            samples_per_class: 8,
            classes: 4,
            seed: 7,
        }
    }
}

impl MarginSettings {
    pub fn for_design(d: &LsmDesign) -> Self {
        MarginSettings {
            classes: if d.classes() > 0 {
                d.classes() as u32
            } else {
                4
            },
            seed: d.conductance.seed.wrapping_add(1),
            ..Default::default()
        }
    }
}

/// Results at one sigma (means and standard deviations over the seeds).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarginPoint {
    pub sigma_us: f64,
    /// Fraction of (sample, step, neuron) spike decisions that differ from nominal.
    pub hamming_fraction_mean: f64,
    pub hamming_fraction_std: f64,
    /// Mean differing spikes per sample.
    pub hamming_per_sample_mean: f64,
    /// Relative change of the total spike count (%).
    pub rate_change_pct_mean: f64,
    pub rate_change_pct_std: f64,
    /// Fraction of ADC conversions that saturated.
    pub clip_rate_mean: f64,
    /// Fraction of nominal decisions within the membrane noise of the threshold.
    pub fragile_fraction: f64,
    pub accuracy_mean: Option<f64>,
    pub accuracy_std: Option<f64>,
    /// Nominal accuracy minus mean varied accuracy.
    pub accuracy_drop: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MarginReport {
    pub settings: MarginSettings,
    pub samples: usize,
    pub nominal_spikes_per_sample: f64,
    pub nominal_clip_rate: f64,
    pub nominal_accuracy: Option<f64>,
    /// Where the readout came from: "spec", "trained on the nominal crossbar" or none.
    pub readout_source: Option<String>,
    pub points: Vec<MarginPoint>,
    #[serde(skip)]
    pub artifacts: Vec<Artifact>,
}

fn mean_std(v: &[f64]) -> (f64, f64) {
    let n = v.len().max(1) as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n;
    (m, var.sqrt())
}

struct Run {
    rasters: Vec<Raster>,
}

fn run_all(design: &LsmDesign, w: &Weights, trains: &[SpikeTrain]) -> Run {
    Run {
        rasters: trains.iter().map(|t| run_sample(design, w, t)).collect(),
    }
}

fn accuracy(r: &Run, ro: &ReadoutWeights, labels: &[usize]) -> f64 {
    let ok = r
        .rasters
        .iter()
        .zip(labels)
        .filter(|(x, &l)| ro.classify(&x.counts) == l)
        .count();
    ok as f64 / labels.len().max(1) as f64
}

/// Runs the Monte Carlo. `set` is a labelled event set; `None` uses the synthetic set the
/// margins settings describe. Without a trained readout in the spec (but with a `readout:`
/// section) a ridge readout is trained on the nominal crossbar first: on `set` itself when
/// one is given, else on a separate synthetic set (same classes, other samples) so the accuracy is held out.
pub fn variation_margins(
    design: &LsmDesign,
    set: Option<&EventSet>,
) -> Result<MarginReport, LsmError> {
    let s = design.margins.clone();
    let given = set.is_some();
    let synthetic;
    let set = match set {
        Some(x) => x,
        None => {
            synthetic = synthetic_events(
                design,
                &SyntheticSettings::new(s.classes, s.samples_per_class, s.seed),
            );
            &synthetic
        }
    };
    if set.samples.is_empty() {
        return Err(LsmError::Invalid(
            "no samples for the margin analysis".into(),
        ));
    }
    super::events::check_labels(design, set)?;
    let nominal_w = draw_weights(design);
    let trains: Vec<SpikeTrain> = set.samples.iter().map(|x| bin_events(design, x)).collect();
    let nominal = run_all(design, &nominal_w, &trains);
    let labels: Option<Vec<usize>> = set
        .samples
        .iter()
        .map(|x| x.label.map(|l| l as usize))
        .collect();
    let (readout, readout_source) = match (&design.readout, &labels) {
        (Some(r), Some(_)) if r.trained.is_some() => (readout_of(design), Some("spec".to_string())),
        (Some(_), Some(_)) if given => {
            let rep = train_readout(design, &nominal_w, set, &TrainSettings::default())?;
            (
                Some(rep.readout.into()),
                Some("ridge, trained on this set on the nominal crossbar".to_string()),
            )
        }
        (Some(_), Some(_)) => {
            // A separate synthetic training set (same classes, other samples): the margins set
            // is then held out.
            let train_set = synthetic_events(
                design,
                &SyntheticSettings {
                    variant: 1,
                    ..SyntheticSettings::new(s.classes, s.samples_per_class, s.seed)
                },
            );
            let rep = train_readout(design, &nominal_w, &train_set, &TrainSettings::default())?;
            (
                Some(rep.readout.into()),
                Some(
                    "ridge, trained on a separate synthetic set on the nominal crossbar"
                        .to_string(),
                ),
            )
        }
        _ => (None, None),
    };
    let nominal_spikes: u64 = nominal.rasters.iter().map(Raster::total_spikes).sum();
    let conv: u64 = nominal.rasters.iter().map(|r| r.adc_conversions).sum();
    let clips: u64 = nominal.rasters.iter().map(|r| r.adc_clips).sum();
    let nominal_accuracy = match (&readout, &labels) {
        (Some(ro), Some(l)) => Some(accuracy(&nominal, ro, l)),
        _ => None,
    };
    let decisions: u64 = nominal
        .rasters
        .iter()
        .map(|r| (r.spikes.len() * design.neurons) as u64)
        .sum();
    let g_step = (design.conductance.g_max_us - design.conductance.g_min_us) / design.q() as f64;
    let theta = design.threshold_code() as f64;
    let jobs: Vec<(usize, u32)> = (0..s.sigmas_us.len())
        .flat_map(|i| (0..s.seeds).map(move |k| (i, k)))
        .collect();
    let results: Vec<(usize, f64, f64, f64, Option<f64>)> = jobs
        .par_iter()
        .map(|&(i, k)| {
            let sigma = s.sigmas_us[i];
            let seed =
                s.seed ^ (0x9E37_79B9_7F4A_7C15u64.wrapping_mul(i as u64 * 1000 + k as u64 + 1));
            let w = nominal_w.with_variation(design, sigma, seed);
            let run = run_all(design, &w, &trains);
            let mut diff = 0u64;
            for (a, b) in run.rasters.iter().zip(&nominal.rasters) {
                for (sa, sb) in a.spikes.iter().zip(&b.spikes) {
                    diff += sa.iter().zip(sb).filter(|(x, y)| x != y).count() as u64;
                }
            }
            let spikes: u64 = run.rasters.iter().map(Raster::total_spikes).sum();
            let conv: u64 = run.rasters.iter().map(|r| r.adc_conversions).sum();
            let clips: u64 = run.rasters.iter().map(|r| r.adc_clips).sum();
            let rate =
                100.0 * (spikes as f64 - nominal_spikes as f64) / (nominal_spikes.max(1) as f64);
            let acc = match (&readout, &labels) {
                (Some(ro), Some(l)) => Some(accuracy(&run, ro, l)),
                _ => None,
            };
            (
                i,
                diff as f64 / decisions.max(1) as f64,
                rate,
                clips as f64 / conv.max(1) as f64,
                acc,
            )
        })
        .collect();
    let mut points = Vec::new();
    for (i, &sigma) in s.sigmas_us.iter().enumerate() {
        let mine: Vec<_> = results.iter().filter(|r| r.0 == i).collect();
        let (hm, hs) = mean_std(&mine.iter().map(|r| r.1).collect::<Vec<_>>());
        let (rm, rs) = mean_std(&mine.iter().map(|r| r.2).collect::<Vec<_>>());
        let (cm, _) = mean_std(&mine.iter().map(|r| r.3).collect::<Vec<_>>());
        let accs: Option<Vec<f64>> = mine.iter().map(|r| r.4).collect();
        let (am, asd) = match &accs {
            Some(a) => {
                let (m, sd) = mean_std(a);
                (Some(m), Some(sd))
            }
            None => (None, None),
        };
        let per_unit =
            std::f64::consts::SQRT_2 * sigma / g_step * (1u64 << design.frac_bits) as f64;
        let mut fragile = 0u64;
        for r in &nominal.rasters {
            for (t, v) in r.membrane.iter().enumerate() {
                let noise = per_unit * (r.active_rows[t] as f64).sqrt();
                fragile += v
                    .iter()
                    .filter(|&&x| (x as f64 - theta).abs() < noise)
                    .count() as u64;
            }
        }
        points.push(MarginPoint {
            sigma_us: sigma,
            hamming_fraction_mean: hm,
            hamming_fraction_std: hs,
            hamming_per_sample_mean: hm * decisions as f64 / trains.len() as f64,
            rate_change_pct_mean: rm,
            rate_change_pct_std: rs,
            clip_rate_mean: cm,
            fragile_fraction: fragile as f64 / decisions.max(1) as f64,
            accuracy_mean: am,
            accuracy_std: asd,
            accuracy_drop: match (nominal_accuracy, am) {
                (Some(n), Some(a)) => Some(n - a),
                _ => None,
            },
        });
    }
    let mut report = MarginReport {
        settings: s,
        samples: trains.len(),
        nominal_spikes_per_sample: nominal_spikes as f64 / trains.len() as f64,
        nominal_clip_rate: clips as f64 / conv.max(1) as f64,
        nominal_accuracy,
        readout_source,
        points,
        artifacts: Vec::new(),
    };
    let json = serde_json::to_vec_pretty(&report)
        .map_err(|e| LsmError::Invalid(format!("margins JSON: {e}")))?;
    let svg = plot::margins_svg(&report)?;
    report.artifacts = vec![
        (
            PathBuf::from("margins.txt"),
            margins_table(&report).into_bytes(),
        ),
        (PathBuf::from("margins.json"), json),
        (PathBuf::from("margins.svg"), svg),
    ];
    Ok(report)
}

fn opt_pct(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |x| format!("{:.1}", 100.0 * x))
}

/// The margins as a text table.
pub fn margins_table(r: &MarginReport) -> String {
    let mut s = format!(
        "device-variation margins: {} samples, {} seeds per sigma; nominal {:.1} spikes/sample, ADC clip rate {:.3}%{}\n",
        r.samples,
        r.settings.seeds,
        r.nominal_spikes_per_sample,
        100.0 * r.nominal_clip_rate,
        r.nominal_accuracy
            .map_or(String::new(), |a| format!(", accuracy {:.1}%", 100.0 * a))
    );
    s.push_str("sigma_uS  hamming_%  (std)   diff_spk/sample  rate_chg_%  (std)   adc_clip_%  fragile_%  acc_%  (std)  acc_drop_%\n");
    for p in &r.points {
        s.push_str(&format!(
            "{:>8.2}  {:>9.3}  {:>6.3}  {:>15.1}  {:>10.2}  {:>6.2}  {:>10.3}  {:>9.3}  {:>5}  {:>5}  {:>10}\n",
            p.sigma_us,
            100.0 * p.hamming_fraction_mean,
            100.0 * p.hamming_fraction_std,
            p.hamming_per_sample_mean,
            p.rate_change_pct_mean,
            p.rate_change_pct_std,
            100.0 * p.clip_rate_mean,
            100.0 * p.fragile_fraction,
            opt_pct(p.accuracy_mean),
            opt_pct(p.accuracy_std),
            opt_pct(p.accuracy_drop),
        ));
    }
    s
}
