//! Second stage of the neuron fit: the threshold θ and width w of each threshold
//! current, calibrated on what a network reads, the number of fires in a run.
//!
//! The decision fit ([`super::model_fit`]) explains each single decision of the
//! identification runs by the drive D. What D does not carry (the state of the loop
//! between entries, the last fire) it can only absorb in a wider logistic, and a wide
//! logistic makes the pulse-level neuron noisier than the circuit: at 4.2 K two noise
//! seeds of one stimulus mostly give the same fire count (a count variance of about
//! 0.2 pulses²), the decision-fit model wanders by ±1 pulse (0.5–0.8 pulses²).
//!
//! This stage keeps τ_s, τ_h, κ, the latency and the entry model, replays every
//! identification run through the pulse-level simulator itself (its recorded arrivals
//! and inhibitory quanta, seeds 1..=16) and
//! 1. scales all widths by one factor, the one whose seed-to-seed count variance is
//!    closest to the circuit's (so the width stays a smooth function of θ);
//! 2. moves each threshold current's θ by the offset (steps of 0.025 fluxons) that
//!    minimises the mean squared count error E[(n_pulse − n_circuit)²] at that width.
//!
//! Then, on the strong-inhibition runs, it moves the centre of the output junction's
//! path by the one shift (steps of 0.025 fluxons) that minimises their squared count
//! error ([`calibrate_output_fire`]): its logistic is fitted per decision like the
//! fire junction's, and what the decisions do not carry (a fire pending through its
//! latency hides the entries that follow) it cannot absorb either.

use rayon::prelude::*;

use super::model_fit::NeuronTrace;
use crate::pulse::models::{CellModels, Delay, OutputFire, OutputFireCalibration, ThresholdPoint};
use crate::pulse::network::{Kind, NetBuilder};
use crate::pulse::sim::Simulator;

/// Offsets of θ around the decision fit (fluxons): −0.6 … +0.6 in steps of 0.025. Where
/// the neuron fires on most entries (th ≥ 305 µA) a run's fire count moves by about 10
/// pulses per fluxon of θ, so a step of 0.05 alone could leave it 0.5 pulses off.
const THETA_STEPS: i32 = 24;
const THETA_STEP: f64 = 0.025;
/// Multiples of the decision fit's width tried.
const WIDTH_FACTORS: [f64; 10] = [1.0, 0.75, 0.5, 0.35, 0.25, 0.18, 0.12, 0.08, 0.05, 0.03];
/// Pulse-level replays of each run per candidate (seeds 1..=REPLAYS).
const REPLAYS: u64 = 16;

/// One threshold current's calibration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CountFit {
    pub point: ThresholdPoint,
    /// Mean squared fire-count error of the decision fit and of the chosen point.
    pub mse_before: f64,
    pub mse_after: f64,
    /// Mean seed-to-seed count variance: circuit, decision fit, chosen point.
    pub circuit_variance: f64,
    pub variance_before: f64,
    pub variance_after: f64,
    pub runs: usize,
}

/// How the pulse-level neuron reproduces a set of runs.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CountError {
    /// Mean over runs and seeds of (pulse-level fire count − circuit fire count)².
    pub mse: f64,
    /// Mean over runs of the variance of the pulse-level count over the seeds.
    pub variance: f64,
}

/// The fire counts of the pulse-level neuron with threshold `theta` and width `width`
/// (the other constants from `models`) against the circuit's, over `traces`.
pub fn count_error(
    models: &CellModels,
    traces: &[&NeuronTrace],
    theta: f64,
    width: f64,
) -> CountError {
    let mut m = models.clone();
    m.cells.neuron.threshold = vec![ThresholdPoint {
        th_ua: 0.0,
        fluxons: theta,
        width_fluxons: width,
    }];
    let mut out = CountError::default();
    for trace in traces {
        let counts = replay(&m, trace, theta);
        let target = trace.fires.len() as f64;
        out.mse += counts.iter().map(|c| (c - target).powi(2)).sum::<f64>() / counts.len() as f64;
        out.variance += variance(&counts);
    }
    let n = traces.len().max(1) as f64;
    CountError {
        mse: out.mse / n,
        variance: out.variance / n,
    }
}

/// The fire counts of the pulse-level neuron (threshold `theta`) fed a run's recorded
/// arrivals and inhibitory quanta, seeds 1..=[`REPLAYS`].
fn replay(models: &CellModels, trace: &NeuronTrace, theta: f64) -> Vec<f64> {
    let mut b = NetBuilder::new(models);
    let cell = b.add("n".into(), Kind::Neuron, Delay::default(), theta);
    for &t in &trace.arrivals {
        b.pulse(t * 1e-12, cell, 0);
    }
    for &t in &trace.inhibitions {
        b.pulse(t * 1e-12, cell, 1);
    }
    b.observe("n", cell);
    let net = b.finish();
    let mut sim = Simulator::new(&net);
    (1..=REPLAYS)
        .map(|seed| {
            let run = sim.run(seed, trace.tstop * 1e-12);
            run.pulses.get("n").map_or(0, <[f64]>::len) as f64
        })
        .collect()
}

/// Sample variance (n − 1); 0 for fewer than two values.
fn variance(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return 0.0;
    }
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64
}

/// The circuit's seed-to-seed variance of the fire count at threshold `th_ua`: the
/// sample variance of each stimulus's runs, averaged over the stimuli.
pub fn circuit_variance(traces: &[NeuronTrace], th_ua: f64) -> f64 {
    let mut stimuli: Vec<usize> = traces.iter().map(|t| t.stimulus).collect();
    stimuli.sort_unstable();
    stimuli.dedup();
    let per: Vec<f64> = stimuli
        .iter()
        .filter_map(|&s| {
            let counts: Vec<f64> = traces
                .iter()
                .filter(|t| t.stimulus == s && t.th_ua == th_ua)
                .map(|t| t.fires.len() as f64)
                .collect();
            (counts.len() >= 2).then(|| variance(&counts))
        })
        .collect();
    per.iter().sum::<f64>() / per.len().max(1) as f64
}

/// Calibrates every threshold point of `models` (the decision fit) on `traces`.
pub fn calibrate_counts(models: &CellModels, traces: &[NeuronTrace]) -> Vec<CountFit> {
    let points = &models.cells.neuron.threshold;
    let offsets: Vec<f64> = (-THETA_STEPS..=THETA_STEPS)
        .map(|k| f64::from(k) * THETA_STEP)
        .collect();
    let centre = THETA_STEPS as usize;
    // errors[point][factor][offset]
    let errors: Vec<(usize, Vec<Vec<CountError>>)> = points
        .iter()
        .map(|p| {
            let runs: Vec<&NeuronTrace> = traces.iter().filter(|t| t.th_ua == p.th_ua).collect();
            let grid: Vec<(f64, f64)> = WIDTH_FACTORS
                .iter()
                .flat_map(|&f| offsets.iter().map(move |&d| (f, d)))
                .collect();
            let flat: Vec<CountError> = grid
                .par_iter()
                .map(|&(f, d)| count_error(models, &runs, p.fluxons + d, p.width_fluxons * f))
                .collect();
            let table = flat.chunks(offsets.len()).map(<[_]>::to_vec).collect();
            (runs.len(), table)
        })
        .collect();
    // the offset with the least squared error; ties keep the smaller |offset|
    let best_offset = |row: &[CountError]| -> usize {
        (0..row.len()).fold(centre, |b, k| {
            let closer = k.abs_diff(centre) < b.abs_diff(centre);
            if row[k].mse < row[b].mse || (row[k].mse == row[b].mse && closer) {
                k
            } else {
                b
            }
        })
    };
    let circuit: Vec<f64> = points
        .iter()
        .map(|p| circuit_variance(traces, p.th_ua))
        .collect();
    let target = circuit.iter().sum::<f64>() / circuit.len().max(1) as f64;
    let pulse_variance = |f: usize| -> f64 {
        errors
            .iter()
            .map(|(_, t)| t[f][best_offset(&t[f])].variance)
            .sum::<f64>()
            / errors.len().max(1) as f64
    };
    // the factor whose variance is closest to the circuit's; ties keep the wider width
    let factor = (0..WIDTH_FACTORS.len()).fold(0, |b, f| {
        if (pulse_variance(f) - target).abs() < (pulse_variance(b) - target).abs() {
            f
        } else {
            b
        }
    });
    points
        .iter()
        .zip(&errors)
        .zip(&circuit)
        .map(|((p, (runs, table)), &circuit_variance)| {
            let k = best_offset(&table[factor]);
            CountFit {
                point: ThresholdPoint {
                    th_ua: p.th_ua,
                    fluxons: p.fluxons + offsets[k],
                    width_fluxons: p.width_fluxons * WIDTH_FACTORS[factor],
                },
                mse_before: table[0][centre].mse,
                mse_after: table[factor][k].mse,
                circuit_variance,
                variance_before: table[0][centre].variance,
                variance_after: table[factor][k].variance,
                runs: *runs,
            }
        })
        .collect()
}

/// Shifts of the output path's centre tried (fluxons): −1 … +1 in steps of 0.025. Under
/// strong inhibition a neuron's count moves by about 15 % per quarter quantum of it.
const CENTRE_STEPS: i32 = 40;
const CENTRE_STEP: f64 = 0.025;

/// The count calibration of the output junction's path
/// ([`crate::pulse::models::OutputFire`]), after that of the fire junction: replays the
/// strong-inhibition `traces` (recorded arrivals and inhibitory quanta, each at its own
/// threshold current, seeds 1..=16) and moves the path's centre by the shift that
/// minimises the mean squared fire-count error (ties keep the smaller |shift|). `None`
/// when `models` has no output path or there are no traces.
pub fn calibrate_output_fire(
    models: &CellModels,
    traces: &[NeuronTrace],
) -> Option<OutputFireCalibration> {
    let path = models.cells.neuron.output_fire?;
    if traces.is_empty() {
        return None;
    }
    let shifts: Vec<f64> = (-CENTRE_STEPS..=CENTRE_STEPS)
        .map(|k| f64::from(k) * CENTRE_STEP)
        .collect();
    let mse: Vec<f64> = shifts
        .par_iter()
        .map(|&d| {
            let mut m = models.clone();
            m.cells.neuron.output_fire = Some(OutputFire {
                centre_fluxons: path.centre_fluxons + d,
                ..path
            });
            let total: f64 = traces
                .iter()
                .map(|trace| {
                    let theta = m.cells.neuron.threshold_at(trace.th_ua);
                    let target = trace.fires.len() as f64;
                    let counts = replay(&m, trace, theta);
                    counts.iter().map(|c| (c - target).powi(2)).sum::<f64>() / counts.len() as f64
                })
                .sum();
            total / traces.len() as f64
        })
        .collect();
    let centre = CENTRE_STEPS as usize;
    let best = (0..mse.len()).fold(centre, |b, k| {
        let closer = k.abs_diff(centre) < b.abs_diff(centre);
        if mse[k] < mse[b] || (mse[k] == mse[b] && closer) {
            k
        } else {
            b
        }
    });
    Some(OutputFireCalibration {
        runs: traces.len(),
        centre_shift_fluxons: shifts[best],
        mse_decision_fit: mse[centre],
        mse: mse[best],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pulse::default_models;

    /// Two runs (two "seeds") of a 70 ps train whose fire counts a sharp neuron at
    /// θ = 1.45 gives; the models start from θ, w = `theta`, 0.3. The fire latency is
    /// fixed (σ of its logarithm 0): a fire's quantum leaves the loop when it switches,
    /// so a random latency alone would make even the sharp neuron's count vary. (At
    /// θ = 1.4 or 1.5 one decision of the train lands within the sharp width of θ and
    /// one replay in 16 differs: the test needs a count that every replay gives.)
    fn regular(theta: f64) -> (CellModels, Vec<NeuronTrace>) {
        let mut models = default_models().unwrap();
        models.cells.neuron.fire.latency_log_sigma = 0.0;
        models.cells.neuron.threshold = vec![ThresholdPoint {
            th_ua: 300.0,
            fluxons: theta,
            width_fluxons: 0.3,
        }];
        let sharp = {
            let mut m = models.clone();
            m.cells.neuron.threshold[0].width_fluxons = 0.005;
            m
        };
        let arrivals: Vec<f64> = (0..29).map(|k| 50.0 + 70.0 * f64::from(k)).collect();
        let trace = NeuronTrace {
            stimulus: 0,
            strong_inhibition: false,
            th_ua: 300.0,
            tstop: 2200.0,
            arrivals: arrivals.clone(),
            entries: arrivals,
            inhibitions: vec![],
            fires: vec![],
            outputs: vec![],
        };
        let fires = (0..=29)
            .map(|k| vec![0.0; k])
            .find(|f| {
                let t = NeuronTrace {
                    fires: f.clone(),
                    ..trace.clone()
                };
                count_error(&sharp, &[&t], 1.45, 0.005).mse == 0.0
            })
            .expect("the sharp neuron's count is the same in every replay");
        let run = NeuronTrace { fires, ..trace };
        (models, vec![run.clone(), run])
    }

    #[test]
    fn calibration_finds_the_sharp_threshold_that_made_the_counts() {
        let (models, traces) = regular(1.2);
        assert_eq!(circuit_variance(&traces, 300.0), 0.0);
        let fits = calibrate_counts(&models, &traces);
        assert_eq!(fits.len(), 1);
        let f = fits[0];
        assert!(f.mse_before > 0.5, "{f:?}");
        assert!(f.variance_before > 0.2, "{f:?}");
        assert!(f.mse_after < 0.1, "{f:?}");
        assert!(f.variance_after < 0.05, "{f:?}");
        assert!(f.point.width_fluxons < 0.1, "{f:?}");
        assert!((f.point.fluxons - 1.45).abs() <= 0.15, "{f:?}");
    }

    /// A dense train (15 ps) under 40 GHz of inhibition at 293 µA, its "circuit" fire
    /// count made by the pulse level itself with the output path's centre at `centre`
    /// (the mean over the replays, rounded).
    fn strongly_inhibited(models: &CellModels, centre: f64) -> NeuronTrace {
        let mut truth = models.clone();
        if let Some(o) = &mut truth.cells.neuron.output_fire {
            o.centre_fluxons = centre;
        }
        let arrivals: Vec<f64> = (0..120).map(|k| 50.0 + 15.0 * f64::from(k)).collect();
        let mut trace = NeuronTrace {
            stimulus: 0,
            strong_inhibition: true,
            th_ua: 293.0,
            tstop: 2000.0,
            arrivals: arrivals.clone(),
            entries: arrivals,
            inhibitions: (0..72).map(|k| 57.0 + 25.0 * f64::from(k)).collect(),
            fires: vec![],
            outputs: vec![],
        };
        let theta = truth.cells.neuron.threshold_at(293.0);
        let counts = replay(&truth, &trace, theta);
        let mean = counts.iter().sum::<f64>() / counts.len() as f64;
        trace.fires = vec![0.0; mean.round() as usize];
        trace
    }

    #[test]
    fn the_output_path_calibration_moves_its_centre_to_the_counts() {
        let mut models = default_models().unwrap();
        let path = models
            .cells
            .neuron
            .output_fire
            .expect("the shipped output path");
        let truth = path.centre_fluxons;
        let trace = strongly_inhibited(&models, truth);
        assert!(trace.fires.len() > 10, "{} fires", trace.fires.len());
        // the decision fit 0.4 quanta too high: the path fires too rarely
        models.cells.neuron.output_fire = Some(OutputFire {
            centre_fluxons: truth + 0.4,
            ..path
        });
        let c = calibrate_output_fire(&models, std::slice::from_ref(&trace)).unwrap();
        assert_eq!(c.runs, 1);
        assert!(c.mse < c.mse_decision_fit, "{c:?}");
        assert!((c.centre_shift_fluxons + 0.4).abs() <= 0.1, "{c:?}");
        // nothing to calibrate without the path or without runs
        assert!(calibrate_output_fire(&models, &[]).is_none());
        models.cells.neuron.output_fire = None;
        assert!(calibrate_output_fire(&models, &[trace]).is_none());
    }

    #[test]
    fn circuit_variance_pools_the_seeds_of_each_stimulus() {
        let run = |stimulus, n| NeuronTrace {
            stimulus,
            strong_inhibition: false,
            th_ua: 300.0,
            tstop: 100.0,
            arrivals: vec![],
            entries: vec![],
            inhibitions: vec![],
            fires: vec![0.0; n],
            outputs: vec![],
        };
        let t = [run(0, 3), run(0, 5), run(1, 7), run(1, 7)];
        // stimulus 0: variance 2, stimulus 1: 0
        assert_eq!(circuit_variance(&t, 300.0), 1.0);
        assert_eq!(circuit_variance(&t, 310.0), 0.0);
    }
}
