//! Time per test sample of the trained Iris network (examples/iris.yaml) at each level:
//! the pulse-level simulator and the circuit level (built-in simulator, thermal noise
//! at 4.2 K), one sample of the test split each, as `nmgen check` runs them
//! (`cargo bench --bench accuracy`); the ratio is printed from the same run.

use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use nmgen::analysis::checks::Check;
use nmgen::engine::Engine;
use nmgen::verify::accuracy::{self, CircuitLevel, SampleLevel};
use nmgen::verify::pulse_level::PulseLevel;

fn bench(c: &mut Criterion) {
    let design = nmgen::spec::load(Path::new("examples/iris.yaml")).expect("examples/iris.yaml");
    let Some(Check::Accuracy(a)) = design.checks.first() else {
        panic!("examples/iris.yaml has an accuracy check first");
    };
    let plan = accuracy::prepare(&design, a).expect("the Iris data set");
    let sample = &plan.samples[0];
    let seed = accuracy::sample_seed(sample.row, Some(1));
    let pulse = PulseLevel {
        models: nmgen::pulse::default_models().expect("shipped models"),
    };
    let engine = Engine::default();
    let circuit = CircuitLevel { engine: &engine };
    let time = |level: &dyn SampleLevel, runs: u32| {
        let t = Instant::now();
        for _ in 0..runs {
            level
                .output_counts(&sample.design, &plan.outputs, &[], Some(4.2), seed)
                .expect("simulates");
        }
        t.elapsed().as_secs_f64() / f64::from(runs)
    };
    let tp = time(&pulse, 20);
    let tc = time(&circuit, 1);
    println!(
        "iris, one test sample: pulse level {:.3} ms, circuit level {:.2} s, ratio {:.0}×",
        tp * 1e3,
        tc,
        tc / tp
    );
    let mut g = c.benchmark_group("accuracy_sample");
    g.bench_function("iris_pulse_level", |b| {
        b.iter(|| {
            pulse
                .output_counts(&sample.design, &plan.outputs, &[], Some(4.2), seed)
                .expect("simulates")
        })
    });
    g.sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .warm_up_time(Duration::from_millis(1));
    g.bench_function("iris_circuit_level", |b| {
        b.iter(|| {
            circuit
                .output_counts(&sample.design, &plan.outputs, &[], Some(4.2), seed)
                .expect("simulates")
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
