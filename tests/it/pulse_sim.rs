//! The pulse-level simulator's cells as timed stochastic automata: delays, merger
//! collisions, DFF/TFF logic, synapse pass rates, neuron integrate/leak/fire/inhibit
//! and refractory time; determinism; lowering a spec through nmgen's passes.

use nmgen::pulse::models::{Delay, Entry, Fire, OutputFire, PlateauEntry, ThresholdPoint};
use nmgen::pulse::{default_models, CellModels, Kind, NetBuilder, PulseNet, Simulator};

fn models() -> CellModels {
    let mut m = default_models().expect("the shipped model file parses");
    // a fixed 1 ps fire latency (and, below, a sharp threshold: width 0.02 fluxon)
    m.cells.neuron.fire = Fire {
        latency_median_ps: 1.0,
        latency_slope_per_fluxon: 0.0,
        latency_log_sigma: 0.0,
    };
    m.cells.neuron.entry = Entry {
        centre_fluxons: 0.0,
        scale_fluxons: 0.0,
    };
    m.cells.neuron.leak_tau_ps = 300.0;
    m.cells.neuron.inh_tau_ps = 300.0;
    m.cells.neuron.refractory_ps = 5.0;
    m.cells.neuron.inh_fluxons = 1.0;
    // the fire junction alone (the output junction's path: its own test), and every
    // pulse of a merger or synapse into inh passes (their own tests)
    m.cells.neuron.output_fire = None;
    m.cells.neuron.inh_merger_entry = None;
    m.cells.neuron.inh_synapse_entry = None;
    m.cells.neuron.threshold = vec![
        ThresholdPoint {
            th_ua: 260.0,
            fluxons: 8.0,
            width_fluxons: 0.02,
        },
        ThresholdPoint {
            th_ua: 320.0,
            fluxons: 2.0,
            width_fluxons: 0.02,
        },
    ];
    m
}

const D: Delay = Delay {
    mean: 5.0,
    std: 0.0,
};

/// One cell fed on port 0 (and optionally port 1), observed on port 0.
fn one(kind: Kind, param: f64, a: &[f64], b: &[f64]) -> Vec<f64> {
    let m = models();
    let mut nb = NetBuilder::new(&m);
    let c = nb.add("c".into(), kind, D, param);
    for &t in a {
        nb.pulse(t, c, 0);
    }
    for &t in b {
        nb.pulse(t, c, 1);
    }
    nb.observe("q", c);
    let net = nb.finish();
    Simulator::new(&net)
        .run(1, 1e-6)
        .pulses
        .get("q")
        .unwrap()
        .to_vec()
}

#[test]
fn a_delay_cell_shifts_each_pulse_by_its_delay() {
    let out = one(Kind::Delay, 0.0, &[10e-12, 50e-12], &[]);
    assert_eq!(out.len(), 2);
    assert!((out[0] - 15e-12).abs() < 1e-18 && (out[1] - 55e-12).abs() < 1e-18);
}

#[test]
fn merger_pulses_closer_than_the_collision_time_leave_as_one() {
    // a at 10 ps, b at 12 ps (2 ps apart, collision 5 ps): one pulse
    assert_eq!(one(Kind::Merger, 5e-12, &[10e-12], &[12e-12]).len(), 1);
    // 20 ps apart: two
    assert_eq!(one(Kind::Merger, 5e-12, &[10e-12], &[30e-12]).len(), 2);
}

#[test]
fn dff_reads_out_on_clk_only_after_data() {
    // clk at 5 (nothing stored), data at 20, clk at 40 → q at 45; clk at 60 → nothing
    let out = one(Kind::Dff, 0.0, &[20e-12], &[5e-12, 40e-12, 60e-12]);
    assert_eq!(out.len(), 1);
    assert!((out[0] - 45e-12).abs() < 1e-18);
}

#[test]
fn tff_gives_q_on_every_second_pulse() {
    let out = one(Kind::Tff, 0.0, &[10e-12, 30e-12, 50e-12, 70e-12], &[]);
    assert_eq!(out.len(), 2, "{out:?}");
    assert!((out[0] - 35e-12).abs() < 1e-18);
}

#[test]
fn synapse_passes_pulses_with_its_probability() {
    let times: Vec<f64> = (0..4000).map(|k| 10e-12 * f64::from(k)).collect();
    let passed = one(Kind::Synapse, 0.3, &times, &[]).len() as f64 / 4000.0;
    assert!((passed - 0.3).abs() < 0.03, "passed {passed}");
    assert_eq!(one(Kind::Synapse, 0.0, &times, &[]).len(), 0);
}

#[test]
fn neuron_integrates_leaks_fires_and_is_inhibited() {
    // θ = 2.5 fluxons: three quick pulses fire once (u = 1, 1.93, 2.81)
    let quick = [20e-12, 40e-12, 60e-12];
    assert_eq!(one(Kind::Neuron, 2.5, &quick, &[]).len(), 1);
    // the same pulses 300 ps apart leak away between pulses: no fire
    assert_eq!(
        one(Kind::Neuron, 2.5, &[20e-12, 320e-12, 620e-12], &[]).len(),
        0
    );
    // one inhibitory pulse before the train cancels about one pulse: no fire by the third
    assert_eq!(one(Kind::Neuron, 2.5, &quick, &[10e-12]).len(), 0);
    // θ = 0.5 fires on every pulse, but not within the refractory time (5 ps): the
    // pulse entering at 22 ps is decided when the refractory time of the fire at 21 ps
    // ends (26 ps) and fires 1 ps later
    let out = one(Kind::Neuron, 0.5, &[20e-12, 22e-12, 40e-12], &[]);
    assert_eq!(out.len(), 3, "{out:?}");
    assert!((out[1] - out[0] - 6e-12).abs() < 1e-15, "{out:?}");
}

#[test]
fn a_fire_takes_its_quantum_out_of_the_loop_when_the_fire_junction_switches() {
    // a 100 ps fire latency, τ_s = 300 ps, θ = 0.85: the entry at 10 ps fires (s = 1),
    // the fire junction switches at 110 ps; at the entry at 120 ps the loop holds
    // e^(−110/300) − e^(−10/300) + 1 = 0.73 quanta (the quantum left at 110 ps, as the
    // fit counts it), under θ: no second fire. Taken out at the decision (10 ps) it
    // would hold 1.0 and fire again.
    let mut m = models();
    m.cells.neuron.fire.latency_median_ps = 100.0;
    let mut nb = NetBuilder::new(&m);
    let c = nb.add("c".into(), Kind::Neuron, D, 0.85);
    nb.pulse(10e-12, c, 0);
    nb.pulse(120e-12, c, 0);
    nb.observe("q", c);
    let net = nb.finish();
    let out = Simulator::new(&net)
        .run(1, 1e-9)
        .pulses
        .get("q")
        .unwrap()
        .to_vec();
    assert_eq!(out.len(), 1, "{out:?}");
    assert!((out[0] - 115e-12).abs() < 1e-15, "{out:?}");
}

#[test]
fn a_full_storage_loop_lets_pulses_escape() {
    let mut m = models();
    m.cells.neuron.entry = Entry {
        centre_fluxons: 3.0,
        scale_fluxons: 0.01,
    };
    let mut nb = NetBuilder::new(&m);
    let c = nb.add("c".into(), Kind::Neuron, D, 4.5);
    for k in 0..10 {
        nb.pulse(10e-12 + 2e-12 * f64::from(k), c, 0);
    }
    nb.observe("q", c);
    let net = nb.finish();
    // with entry capped near 3 quanta the stored flux stays below 4 quanta, under θ = 4.5
    assert!(Simulator::new(&net)
        .run(1, 1e-9)
        .pulses
        .get("q")
        .is_none_or(<[f64]>::is_empty));
    // without the cap it does
    let mut free = NetBuilder::new(&models());
    let c = free.add("c".into(), Kind::Neuron, D, 4.5);
    for k in 0..10 {
        free.pulse(10e-12 + 2e-12 * f64::from(k), c, 0);
    }
    free.observe("q", c);
    let net = free.finish();
    assert!(!Simulator::new(&net)
        .run(1, 1e-9)
        .pulses
        .get("q")
        .is_none_or(<[f64]>::is_empty));
}

/// Fires of a neuron at θ = 4 (fire junction) fed `inh` inhibitory pulses 1 ps apart
/// from 10 ps, then one excitatory pulse at 40 ps.
fn after_inhibition(output_fire: Option<OutputFire>, inh: u32) -> usize {
    let mut m = models();
    m.cells.neuron.output_fire = output_fire;
    let mut nb = NetBuilder::new(&m);
    let c = nb.add("c".into(), Kind::Neuron, D, 4.0);
    for k in 0..inh {
        nb.pulse(10e-12 + 1e-12 * f64::from(k), c, 1);
    }
    nb.pulse(40e-12, c, 0);
    nb.observe("q", c);
    let net = nb.finish();
    Simulator::new(&net)
        .run(1, 1e-9)
        .pulses
        .get("q")
        .map_or(0, <[f64]>::len)
}

#[test]
fn strong_inhibition_fires_the_neuron_through_the_output_junction() {
    // x₅ = s + 1.5 h − 10 − 0.5 θ: one quantum and 12 inhibitory ones (h ≈ 11.1 at the
    // entry) give x₅ ≈ +5.6 while the fire junction's overdrive is 1 − 11.1 − 4 ≪ 0.
    // Each fire takes its quantum out of the loop and the neuron decides again a
    // refractory time later: it fires while x₅ > 0, s = 1, 0, −1, −2, −3: 5 times
    let path = OutputFire {
        centre_fluxons: 10.0,
        inh_fluxons: 1.5,
        theta_slope: 0.5,
        width_fluxons: 0.02,
        count_calibration: None,
    };
    assert_eq!(after_inhibition(Some(path), 12), 5);
    // without that path the inhibition silences the neuron
    assert_eq!(after_inhibition(None, 12), 0);
    // and with it, moderate inhibition still does (h ≈ 4.7: x₅ ≈ −3.9)
    assert_eq!(after_inhibition(Some(path), 5), 0);
    // the output junction's threshold rises with θ: at θ = 4 a larger slope (2: x₅ ≈
    // −0.4 with 12 inhibitory quanta) holds it back
    let steep = OutputFire {
        theta_slope: 2.0,
        ..path
    };
    assert_eq!(after_inhibition(Some(steep), 12), 0);
}

/// Pulses a merger driving a neuron's `inh` input passes on, after `inh` inhibitory
/// pulses straight into the neuron (1 ps apart from 10 ps) and one merger pulse at 40 ps.
fn merger_into_inhibition(entry: Option<Entry>, inh: u32) -> usize {
    let mut m = models();
    m.cells.neuron.inh_merger_entry = entry;
    let mut nb = NetBuilder::new(&m);
    let n = nb.add("n".into(), Kind::Neuron, D, 4.0);
    let mrg = nb.add("m".into(), Kind::Merger, D, 5e-12);
    nb.connect(mrg, 0, n, 1);
    for k in 0..inh {
        nb.pulse(10e-12 + 1e-12 * f64::from(k), n, 1);
    }
    nb.pulse(40e-12, mrg, 0);
    nb.observe("m", mrg);
    let net = nb.finish();
    Simulator::new(&net)
        .run(1, 1e-9)
        .pulses
        .get("m")
        .map_or(0, <[f64]>::len)
}

#[test]
fn a_merger_into_inh_loses_pulses_when_the_inhibition_is_strong() {
    // centre 10 quanta, sharp: 15 inhibitory quanta (h ≈ 13.5 at 40 ps) hold the
    // merger's pulse back, 5 (h ≈ 4.7) do not
    let entry = Entry {
        centre_fluxons: 10.0,
        scale_fluxons: 0.01,
    };
    assert_eq!(merger_into_inhibition(Some(entry), 15), 0);
    assert_eq!(merger_into_inhibition(Some(entry), 5), 1);
    // without the model every pulse passes
    assert_eq!(merger_into_inhibition(None, 15), 1);
}

/// Of `runs` seeds, how many times a synapse (pass probability 1) driving the neuron's
/// input `port` through a JTL passes its one pulse at 40 ps, after `inh` inhibitory
/// pulses straight into the neuron (1 ps apart from 10 ps).
fn synapse_into_inhibition(entry: Option<PlateauEntry>, inh: u32, port: u32, runs: u64) -> u64 {
    let mut m = models();
    m.cells.neuron.inh_synapse_entry = entry;
    let mut nb = NetBuilder::new(&m);
    let n = nb.add("n".into(), Kind::Neuron, D, 40.0);
    let syn = nb.add("s".into(), Kind::Synapse, D, 1.0);
    let jtl = nb.add("j".into(), Kind::Delay, D, 0.0);
    nb.connect(syn, 0, jtl, 0);
    nb.connect(jtl, 0, n, port);
    for k in 0..inh {
        nb.pulse(10e-12 + 1e-12 * f64::from(k), n, 1);
    }
    nb.pulse(40e-12, syn, 0);
    nb.observe("j", jtl);
    let net = nb.finish();
    let mut sim = Simulator::new(&net);
    (0..runs)
        .map(|seed| sim.run(seed, 1e-9).pulses.get("j").map_or(0, <[f64]>::len) as u64)
        .sum()
}

#[test]
fn a_synapse_into_inh_loses_pulses_up_to_a_plateau_when_the_inhibition_is_strong() {
    // centre 10 quanta, sharp, at most 30 % lost: at h ≈ 13.5 (15 inhibitory quanta)
    // 70 % of the pulses pass, at h ≈ 4.7 (5 quanta) all
    let entry = PlateauEntry {
        centre_fluxons: 10.0,
        scale_fluxons: 0.01,
        loss_max: 0.3,
    };
    assert!((entry.pass_probability(13.5) - 0.7).abs() < 1e-9);
    let passed = synapse_into_inhibition(Some(entry), 15, 1, 2000);
    assert!((1310..=1490).contains(&passed), "{passed} of 2000");
    assert_eq!(synapse_into_inhibition(Some(entry), 5, 1, 200), 200);
    // a synapse into `a` is not affected, and without the model every pulse passes
    assert_eq!(synapse_into_inhibition(Some(entry), 15, 0, 200), 200);
    assert_eq!(synapse_into_inhibition(None, 15, 1, 200), 200);
    // a full loss
    let all = PlateauEntry {
        loss_max: 1.0,
        ..entry
    };
    assert_eq!(synapse_into_inhibition(Some(all), 15, 1, 200), 0);
}

#[test]
fn a_spec_lowers_to_the_cells_of_the_circuit_level_and_runs_deterministically() {
    let design = nmgen::spec::load(std::path::Path::new("examples/xor.yaml")).unwrap();
    let m = default_models().unwrap();
    let net = PulseNet::from_design(&design, &m, &[]).unwrap();
    // what nmgen's passes make: DC/SFQ per input, splitters, mergers, load JTL, sinks
    assert_eq!(net.kinds.iter().filter(|k| **k == Kind::Neuron).count(), 3);
    assert_eq!(net.kinds.iter().filter(|k| **k == Kind::Synapse).count(), 7);
    assert!(net.kinds.contains(&Kind::Splitter) && net.kinds.contains(&Kind::Merger));
    assert_eq!(net.observed.len(), 1);
    let a = Simulator::new(&net).run(7, design.technology.tstop);
    let b = Simulator::new(&net).run(7, design.technology.tstop);
    assert_eq!(a, b);
    assert!(a.events > 100);
}

#[test]
fn a_bias_the_models_were_not_measured_at_is_refused() {
    let design = nmgen::spec::load(std::path::Path::new("examples/xor.yaml")).unwrap();
    let m = default_models().unwrap();
    let e = PulseNet::from_design(&design, &m, &[("bias".into(), 0.9)]).unwrap_err();
    assert!(e.to_string().contains("bias"), "{e}");
}
