//! Pulse-level simulator speed: pulse events per second on the XOR and on a network
//! of 10⁵ cells carrying 10⁷ pulse events, and the speed ratio against the circuit
//! level (built-in simulator, thermal noise) on the same XOR pattern, measured in the
//! same run (`cargo bench --bench pulse`).

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nmgen::engine::{Engine, Run};
use nmgen::pulse::models::Delay;
use nmgen::pulse::{default_models, CellModels, Kind, NetBuilder, PulseNet, Simulator};
use nmgen::spec::Design;

/// The XOR with input x1 active: the (1,0) pattern of its check.
fn xor_pattern() -> Design {
    let design = nmgen::spec::load(Path::new("examples/xor.yaml")).expect("examples/xor.yaml");
    let mut patterns = nmgen::pulse::levels::count_patterns(&design).expect("patterns");
    patterns.swap_remove(2).design
}

/// 1000 chains of 100 cells (JTL, synapse p = 1, neuron firing on every entry,
/// merger), each fed 100 pulses 20 ps apart: 10⁵ cells, ≥ 10⁷ pulse events (the neurons
/// also fire again while their overdrive stays positive: 2.2·10⁷ measured).
fn large_net(models: &CellModels) -> PulseNet {
    let (chains, length, pulses) = (1000u32, 100u32, 100u32);
    let mut b = NetBuilder::new(models).with_capacity((chains * length) as usize);
    let d = |m: f64| Delay { mean: m, std: 0.3 };
    for c in 0..chains {
        let mut prev = None;
        for k in 0..length {
            let (kind, param) = match k % 4 {
                0 => (Kind::Delay, 0.0),
                1 => (Kind::Synapse, 1.0),
                // θ = −2 quanta: an entry is 3 quanta over threshold, it fires every time
                2 => (Kind::Neuron, -2.0),
                _ => (Kind::Merger, 2e-12),
            };
            let cell = b.add(format!("c{c}_{k}"), kind, d(5.0), param);
            match prev {
                Some(p) => b.connect(p, 0, cell, 0),
                None => {
                    for i in 0..pulses {
                        b.pulse(20e-12 * f64::from(i), cell, 0);
                    }
                }
            }
            prev = Some(cell);
        }
        if let Some(last) = prev {
            b.observe(&format!("y{c}"), last);
        }
    }
    b.finish()
}

fn bench(c: &mut Criterion) {
    let models = default_models().expect("shipped models");
    let xor = xor_pattern();
    let net = PulseNet::from_design(&xor, &models, &[]).expect("xor at pulse level");
    let tstop = xor.technology.tstop;
    let events = Simulator::new(&net).run(1, tstop).events;

    // the ratio, measured here: one circuit-level run against many pulse-level runs
    let netlist = nmgen::build::compile(&xor);
    let engine = Engine::Builtin {
        mode: nmgen::sim::Mode::Phase,
    };
    let circuit = {
        let mut run = Run::new(&netlist.text, Path::new("xor.cir"));
        run.temperature = Some(4.2);
        run.seed = Some(1);
        let t = Instant::now();
        black_box(engine.simulate(&run).expect("circuit-level xor"));
        t.elapsed()
    };
    let pulse = {
        let mut sim = Simulator::new(&net);
        let n = 2000u32;
        let t = Instant::now();
        for s in 0..n {
            black_box(sim.run(u64::from(s), tstop));
        }
        t.elapsed() / n
    };
    println!(
        "xor (1,0): circuit level {:.3} s, pulse level {:.2} µs ({events} pulse events): {:.0}× faster",
        circuit.as_secs_f64(),
        pulse.as_secs_f64() * 1e6,
        circuit.as_secs_f64() / pulse.as_secs_f64()
    );

    let mut g = c.benchmark_group("pulse_xor");
    g.throughput(Throughput::Elements(events));
    g.bench_function("pulse level, one seed", |b| {
        let mut sim = Simulator::new(&net);
        let mut seed = 0;
        b.iter(|| {
            seed += 1;
            black_box(sim.run(seed, tstop))
        })
    });
    g.finish();

    let large = large_net(&models);
    let large_events = Simulator::new(&large).run(1, f64::INFINITY).events;
    println!(
        "large network: {} cells, {large_events} pulse events per run",
        large.cells()
    );
    let mut g = c.benchmark_group("pulse_large");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(large_events));
    g.bench_function("1e5 cells, 1e7 events", |b| {
        let mut sim = Simulator::new(&large);
        b.iter(|| black_box(sim.run(1, f64::INFINITY)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
