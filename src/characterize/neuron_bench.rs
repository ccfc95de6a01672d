//! The circuit-level neuron benches of `characterize models`:
//!
//! - pulses to fire: 10 pulses 20 ps apart at each threshold of `fire_th_ua`; input
//!   pulses at the input junction B1 before the fire junction B4 first switches (mean
//!   over the noise seeds), recorded as measured;
//! - identification: at every threshold, 14 input trains of `neuron_train_ps` — periodic
//!   at 10, 14.3, 20, 30 and 50 GHz, random (exponential gaps after a 12 ps dead time)
//!   at 8, 15, 25 and 40 GHz, random at 20 GHz with random inhibition at 5, 10 and
//!   20 GHz, periodic 14.3 GHz with periodic inhibition at 7.1 GHz, and random 30 GHz
//!   with random 30 GHz inhibition — and, for each rate g of `neuron_strong_inh_ghz`
//!   (strong inhibition, where the output junction leads fires), periodic 66.7 GHz with
//!   periodic inhibition at g and random 50 GHz with random inhibition at g; each run
//!   with `neuron_seeds` noise seeds, recording when B1, B3 (a quantum enters the
//!   storage loop), B4 (fire), B5 (output) and B7 (an inhibitory quantum enters) switch.
//!   [`super::model_fit`] fits the model to these times.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::bench::instance_name;
use super::model_fit::{decayed_sum, NeuronTrace};
use super::models::{bench_yaml, Runner};
use super::CharacterizeError;
use crate::pulse::models::FirePoint;

/// Periodic pulses (s) from `start` ps at `ghz` over `length` ps.
fn periodic(ghz: f64, start: f64, length: f64) -> Vec<f64> {
    let period = 1e3 / ghz;
    let n = (length / period).round() as usize;
    (0..n)
        .map(|k| (start + period * k as f64) * 1e-12)
        .collect()
}

/// Random pulses (s): a 12 ps dead time plus exponential gaps, mean rate `ghz`.
fn random(ghz: f64, length: f64, rng: &mut ChaCha8Rng) -> Vec<f64> {
    let dead = 12.0;
    let mean_gap = (1e3 / ghz - dead).max(1.0);
    let (mut t, mut out) = (50.0, Vec::new());
    loop {
        let u: f64 = rng.random();
        t += dead - mean_gap * (1.0 - u).ln();
        if t > 50.0 + length {
            return out;
        }
        out.push((t * 10.0).round() / 10.0 * 1e-12);
    }
}

/// The identification stimuli before the strong-inhibition ones.
const ORDINARY_STIMULI: usize = 14;

/// The identification stimuli: (excitatory, inhibitory) pulse times in s.
fn stimuli(length: f64, seed: u64, strong_inh_ghz: &[f64]) -> Vec<(Vec<f64>, Vec<f64>)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut s = Vec::new();
    for ghz in [10.0, 1e3 / 70.0, 20.0, 30.0, 50.0] {
        s.push((periodic(ghz, 50.0, length), vec![]));
    }
    for ghz in [8.0, 15.0, 25.0, 40.0] {
        s.push((random(ghz, length, &mut rng), vec![]));
    }
    for inh in [5.0, 10.0, 20.0] {
        let x = random(20.0, length, &mut rng);
        s.push((x, random(inh, length, &mut rng)));
    }
    s.push((
        periodic(1e3 / 70.0, 50.0, length),
        periodic(1e3 / 140.0, 85.0, length),
    ));
    let x = random(30.0, length, &mut rng);
    s.push((x, random(30.0, length, &mut rng)));
    for &g in strong_inh_ghz {
        s.push((
            periodic(1e3 / 15.0, 50.0, length),
            periodic(g, 57.0, length),
        ));
        let x = random(50.0, length, &mut rng);
        s.push((x, random(g, length, &mut rng)));
    }
    s
}

/// Measured mean input pulses to the first fire at each threshold of `fire_th_ua`.
pub(super) fn fire_bench(r: &Runner, bias: &str) -> Result<Vec<FirePoint>, CharacterizeError> {
    let plan = r.plan;
    let x = instance_name("n");
    let prints = [format!("B1.{x}"), format!("B4.{x}")];
    let train: Vec<f64> = (0..10).map(|k| 20e-12 + 20e-12 * f64::from(k)).collect();
    let design = r.design(
        "neuron_fire_bench",
        &bench_yaml(
            "neuron_fire_bench",
            &format!("{bias}, th: 290uA"),
            &[("x", &train)],
            &["q"],
            &[("n", "{ cell: neuron, th: th }")],
            &["x -> n.a".into(), "n.q -> q".into()],
            400.0,
        ),
    )?;
    let params: Vec<_> = plan
        .fire_th_ua
        .iter()
        .map(|&t| vec![("th".to_string(), t * 1e-6)])
        .collect();
    let runs = r.traced(&design, &params, &prints)?;
    Ok(plan
        .fire_th_ua
        .iter()
        .zip(runs.chunks(plan.seeds as usize))
        .filter_map(|(&th_ua, chunk)| {
            let fired: Vec<f64> = chunk
                .iter()
                .filter_map(|(_, slips)| {
                    let (ins, fires) = (&slips[0], &slips[1]);
                    fires
                        .first()
                        .map(|&t| ins.iter().filter(|&&s| s < t).count() as f64)
                })
                .collect();
            (!fired.is_empty()).then(|| FirePoint {
                th_ua,
                pulses: super::models::round(fired.iter().sum::<f64>() / fired.len() as f64, 3),
            })
        })
        .collect())
}

/// The identification runs, and the latencies (s) that place the model in time: from
/// the source pulse to the quantum's entry (B3), and from a fire (B4) to the output
/// pulse counted after the load JTL.
pub(super) struct Identification {
    pub traces: Vec<NeuronTrace>,
    pub entry_latency: Vec<f64>,
    pub output_latency: Vec<f64>,
}

pub(super) fn neuron_identification(
    r: &Runner,
    bias: &str,
) -> Result<Identification, CharacterizeError> {
    let plan = r.plan;
    let x = instance_name("n");
    let prints: Vec<String> = ["B1", "B3", "B4", "B7", "B5"]
        .iter()
        .map(|j| format!("{j}.{x}"))
        .collect();
    let params: Vec<_> = plan
        .fire_th_ua
        .iter()
        .map(|&t| vec![("th".to_string(), t * 1e-6)])
        .collect();
    let tstop = plan.neuron_train_ps + 200.0;
    let ps = |v: &[f64]| v.iter().map(|t| t * 1e12).collect::<Vec<_>>();
    let mut out = Identification {
        traces: Vec::new(),
        entry_latency: Vec::new(),
        output_latency: Vec::new(),
    };
    for (k, (exc, inh)) in stimuli(
        plan.neuron_train_ps,
        plan.neuron_stimulus_seed,
        &plan.neuron_strong_inh_ghz,
    )
    .into_iter()
    .enumerate()
    {
        let name = format!("neuron_id_bench_{k}");
        let mut inputs: Vec<(&str, &[f64])> = vec![("x", &exc)];
        let mut conns = vec!["x -> n.a".to_string(), "n.q -> q".to_string()];
        if !inh.is_empty() {
            inputs.push(("z", &inh));
            conns.push("z -> n.inh".into());
        }
        let design = r.design(
            &name,
            &bench_yaml(
                &name,
                &format!("{bias}, th: 290uA"),
                &inputs,
                &["q"],
                &[("n", "{ cell: neuron, th: th }")],
                &conns,
                tstop,
            ),
        )?;
        let runs = r.traced(&design, &params, &prints)?;
        for (run, (pulses, slips)) in runs.iter().enumerate() {
            let th_ua = plan.fire_th_ua[run / plan.seeds as usize];
            let entries = &slips[1];
            let fires = &slips[2];
            // the latencies of the ordinary stimuli (under strong inhibition B5 leads the
            // fire, and the output leaves before B4 switches)
            let ordinary = k < ORDINARY_STIMULI;
            // entry latency: each source pulse to the first entry within 40 ps after it
            for &t in exc.iter().filter(|_| ordinary) {
                if let Some(&e) = entries.iter().find(|&&e| e >= t && e - t < 40e-12) {
                    out.entry_latency.push(e - t);
                }
            }
            for &q in pulses.get("q").unwrap_or(&[]).iter().filter(|_| ordinary) {
                if let Some(&f) = fires.iter().rev().find(|&&f| f <= q) {
                    out.output_latency.push(q - f);
                }
            }
            out.traces.push(NeuronTrace {
                stimulus: k,
                strong_inhibition: k >= ORDINARY_STIMULI,
                th_ua,
                tstop,
                arrivals: ps(&slips[0]),
                entries: ps(entries),
                inhibitions: ps(&slips[3]),
                fires: ps(fires),
                outputs: ps(&slips[4]),
            });
        }
    }
    Ok(out)
}

/// The inhibition through a merger: two periodic inhibitory trains (GHz pairs of
/// `INH_MERGER_GHZ`) merged into the neuron's `inh` input, as nmgen lowers two
/// connections to one input. Returns, for every merger input pulse at least
/// `collision_ps` after the one before it (one the merger model does not merge), the
/// neuron's inhibition h (decayed with `inh_tau_ps`) at that time and whether the pulse
/// was lost (no merger output within 15 ps).
pub(super) fn inh_merger_bench(
    r: &Runner,
    bias: &str,
    collision_ps: f64,
    inh_tau_ps: f64,
) -> Result<Vec<(f64, bool)>, CharacterizeError> {
    let n = instance_name("n");
    let m = format!("{n}_INH__MRG");
    let prints = [
        format!("B1.{m}"),
        format!("B4.{m}"),
        format!("B7.{m}"),
        format!("B7.{n}"),
    ];
    let length = r.plan.neuron_train_ps;
    let mut out = Vec::new();
    for (k, &(g0, g1)) in INH_MERGER_GHZ.iter().enumerate() {
        let (z0, z1) = (periodic(g0, 50.0, length), periodic(g1, 53.0, length));
        let name = format!("neuron_inh_merger_bench_{k}");
        let design = r.design(
            &name,
            &bench_yaml(
                &name,
                &format!("{bias}, th: 290uA"),
                &[("x", &[]), ("z0", &z0), ("z1", &z1)],
                &["q"],
                &[("n", "{ cell: neuron, th: th }")],
                &[
                    "x -> n.a".into(),
                    "z0 -> n.inh".into(),
                    "z1 -> n.inh".into(),
                    "n.q -> q".into(),
                ],
                length + 200.0,
            ),
        )?;
        for (_, slips) in r.traced(&design, &[vec![]], &prints)? {
            let ps = |v: &[f64]| v.iter().map(|t| t * 1e12).collect::<Vec<_>>();
            let (a, b, q, h) = (ps(&slips[0]), ps(&slips[1]), ps(&slips[2]), ps(&slips[3]));
            let mut inputs: Vec<f64> = a.iter().chain(&b).copied().collect();
            inputs.sort_by(f64::total_cmp);
            let mut used = vec![false; q.len()];
            let mut last = f64::NEG_INFINITY;
            for &t in &inputs {
                let hit = claim_within(&q, &mut used, t, 15.0);
                if t - last >= collision_ps {
                    let inhibition = decayed_sum(&h, t, inh_tau_ps, false);
                    out.push((inhibition, hit.is_none()));
                }
                last = t;
            }
        }
    }
    Ok(out)
}

/// Inhibitory rate pairs (GHz) of [`inh_merger_bench`]: from where every pulse passes
/// to an inhibition of ~15 quanta.
const INH_MERGER_GHZ: [(f64, f64); 5] = [
    (10.0, 7.0),
    (20.0, 13.0),
    (25.0, 19.0),
    (30.0, 23.0),
    (35.0, 27.0),
];

/// A synapse driving the neuron's `inh` input through its load JTL, as nmgen lowers a
/// connection to `inh`, at the operating point of a strongly driven, strongly inhibited
/// neuron: periodic excitation into `a` and periodic inhibitory trains through a
/// `synapse_inh` at a weight that passes every pulse on its own (`INH_SYNAPSE_UA`), at
/// the rate pairs of `INH_SYNAPSE_GHZ`. Returns, for every pulse at the synapse's input
/// junction B1, the neuron's inhibition h there (decayed with `inh_tau_ps`, from its
/// B7 switches, as the fit counts it) and whether the pulse was lost (no B7 switch
/// within [`INH_SYNAPSE_WINDOW_PS`]).
pub(super) fn inh_synapse_bench(
    r: &Runner,
    bias: &str,
    inh_tau_ps: f64,
) -> Result<Vec<(f64, bool)>, CharacterizeError> {
    let (n, syn) = (instance_name("n"), instance_name("s"));
    let prints = [format!("B1.{syn}"), format!("B7.{n}")];
    let length = r.plan.neuron_train_ps;
    let mut out = Vec::new();
    for (k, &(gx, gz)) in INH_SYNAPSE_GHZ.iter().enumerate() {
        let (x, z) = (periodic(gx, 20.0, length), periodic(gz, 50.0, length));
        let name = format!("neuron_inh_synapse_bench_{k}");
        let design = r.design(
            &name,
            &bench_yaml(
                &name,
                &format!("{bias}, th: 293uA, w: {INH_SYNAPSE_UA}uA"),
                &[("x", &x), ("z", &z)],
                &["q"],
                &[
                    ("n", "{ cell: neuron, th: th }"),
                    ("s", "{ cell: synapse_inh, w: w }"),
                ],
                &[
                    "x -> n.a".into(),
                    "z -> s.a".into(),
                    "s.q -> n.inh".into(),
                    "n.q -> q".into(),
                ],
                length + 200.0,
            ),
        )?;
        for (_, slips) in r.traced(&design, &[vec![]], &prints)? {
            let ps = |v: &[f64]| v.iter().map(|t| t * 1e12).collect::<Vec<_>>();
            let (a, h) = (ps(&slips[0]), ps(&slips[1]));
            let mut used = vec![false; h.len()];
            for &t in &a {
                let hit = claim_within(&h, &mut used, t, INH_SYNAPSE_WINDOW_PS);
                let inhibition = decayed_sum(&h, t, inh_tau_ps, false);
                out.push((inhibition, hit.is_none()));
            }
        }
    }
    Ok(out)
}

/// (excitation, inhibition) rates (GHz) of [`inh_synapse_bench`]: excitation as strong
/// as one input carries, inhibition from where every pulse passes to h ~ 15.
const INH_SYNAPSE_GHZ: [(f64, f64); 8] = [
    (50.0, 20.0),
    (50.0, 30.0),
    (50.0, 40.0),
    (50.0, 50.0),
    (66.7, 25.0),
    (66.7, 33.3),
    (66.7, 40.0),
    (66.7, 50.0),
];

/// How long (ps) after the synapse's input junction B1 a pulse may reach the neuron's
/// B7 in [`inh_synapse_bench`]. The path takes ~12 ps with little inhibition, but the
/// inhibition loop's current also slows the synapse's output stage: at h ≈ 9–12 many
/// pulses take 18–33 ps. With 40 GHz of inhibition (66.7 GHz excitation) a window of
/// 18 ps counted 23 of 80 inputs lost where 5 were (80 inputs, 75 B7 switches); 30, 35
/// and 40 ps count the 5 (and 16 for the 15 of 50 GHz).
const INH_SYNAPSE_WINDOW_PS: f64 = 35.0;

/// The weight (µA) of [`inh_synapse_bench`]'s synapse: the network's 127.6 µA, where the
/// synapse's own sigmoid passes > 99 %.
const INH_SYNAPSE_UA: f64 = 128.0;

/// The first output of `outputs` not yet `used` that follows `t` within `window` ps,
/// marked used (the output an input at `t` caused, if any).
fn claim_within(outputs: &[f64], used: &mut [bool], t: f64, window: f64) -> Option<usize> {
    let hit = outputs
        .iter()
        .enumerate()
        .find(|&(i, &o)| !used[i] && o > t && o - t < window)
        .map(|(i, _)| i);
    if let Some(i) = hit {
        used[i] = true;
    }
    hit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stimuli_are_seeded_and_respect_the_dead_time() {
        let a = stimuli(2000.0, 7, &[40.0, 50.0]);
        assert_eq!(a, stimuli(2000.0, 7, &[40.0, 50.0]));
        assert_ne!(a, stimuli(2000.0, 8, &[40.0, 50.0]));
        assert_eq!(a.len(), 18);
        // the strong-inhibition stimuli come last: the first 14 are as without them
        assert_eq!(a[..ORDINARY_STIMULI], stimuli(2000.0, 7, &[])[..]);
        // periodic 66.7 GHz with 50 GHz inhibition: 133 and 100 pulses
        assert_eq!((a[16].0.len(), a[16].1.len()), (133, 100));
        for (x, z) in &a {
            for v in [x, z] {
                assert!(v.windows(2).all(|w| w[1] - w[0] >= 11.9e-12));
            }
        }
        // the 50 GHz train: 100 pulses 20 ps apart
        assert_eq!(a[4].0.len(), 100);
    }
}
