//! Pulse-level simulator speed: pulse events per second on the XOR and on a network
//! of 10⁵ cells carrying 10⁷ pulse events, and the speed ratio against the circuit
//! level (built-in simulator, thermal noise) on the same XOR pattern, measured in the
//! same run (`cargo bench --bench pulse`); and the memory the large network holds at
//! 10³, 10⁴ and 10⁵ cells (a counting global allocator), to show it is linear.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nmgen::engine::{Engine, Run};
use nmgen::pulse::{chains, default_models, CellModels, PulseNet, Simulator};
use nmgen::spec::Design;

/// The XOR with input x1 active: the (1,0) pattern of its check.
fn xor_pattern() -> Design {
    let design = nmgen::spec::load(Path::new("examples/xor.yaml")).expect("examples/xor.yaml");
    let mut patterns = nmgen::pulse::levels::count_patterns(&design).expect("patterns");
    patterns.swap_remove(2).design
}

/// Counts the bytes the bench binary holds on the heap: live now and the peak since
/// [`Counting::reset_peak`].
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

impl Counting {
    fn live() -> usize {
        LIVE.load(Relaxed)
    }
    fn peak() -> usize {
        PEAK.load(Relaxed)
    }
    fn reset_peak() {
        PEAK.store(LIVE.load(Relaxed), Relaxed);
    }
    fn grew(by: usize) {
        let now = LIVE.fetch_add(by, Relaxed) + by;
        PEAK.fetch_max(now, Relaxed);
    }
}

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            Counting::grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            Counting::grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                Counting::grew(new_size - layout.size());
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The large network at 10³, 10⁴ and 10⁵ cells (10, 100, 1000 chains of 100 cells, 100
/// pulses each): heap bytes of the network, peak and live bytes while building it and
/// running it once, per cell, and the run's pulse events per second. Linear memory:
/// the bytes per cell stay the same.
fn memory_table(models: &CellModels) {
    println!("large network memory (counting allocator; one run each):");
    println!(
        "{:>8} {:>10} {:>12} {:>12} {:>12} {:>10} {:>10} {:>12} {:>10}",
        "cells",
        "net B",
        "peak B",
        "live B",
        "B/cell peak",
        "B/cell",
        "events",
        "events/s",
        "run s"
    );
    for n_chains in [10u32, 100, 1000] {
        let base = Counting::live();
        Counting::reset_peak();
        let net = chains::chains(models, n_chains, 100, 100);
        let net_bytes = Counting::live() - base;
        let mut sim = Simulator::new(&net);
        let t = Instant::now();
        let run = black_box(sim.run(1, f64::INFINITY));
        let secs = t.elapsed().as_secs_f64();
        // the run's outcome (output pulse times) is counted too: it is what a run gives
        let (peak, live) = (Counting::peak() - base, Counting::live() - base);
        let cells = net.cells();
        assert_eq!(
            net_bytes,
            net.heap_bytes(),
            "the network's own accounting (PulseNet::heap_bytes) matches the allocator"
        );
        println!(
            "{cells:>8} {net_bytes:>10} {peak:>12} {live:>12} {:>12.1} {:>10.1} {:>10} {:>12.3e} {secs:>10.3}",
            peak as f64 / cells as f64,
            live as f64 / cells as f64,
            run.events,
            run.events as f64 / secs,
        );
        drop(run);
        drop(sim);
    }
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

    memory_table(&models);
    let large = chains::chains(&models, 1000, 100, 100);
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
