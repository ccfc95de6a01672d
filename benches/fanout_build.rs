//! Build time of one input fanning out to 1,000, 2,000 and 4,000 outputs (spec
//! load, splitter tree, JoSIM netlist, cost report: what `nmgen build` does).
//! Near-linear: doubling the fan-out should roughly double the time.

use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

/// A spec with input `a` driving outputs `q0` … `q{n-1}`.
fn fanout_spec(n: usize) -> String {
    let outputs: Vec<String> = (0..n).map(|i| format!("q{i}")).collect();
    let mut s = format!(
        "name: fan{n}\nnetwork:\n  inputs: [a]\n  outputs: [{}]\n  connections:\n",
        outputs.join(", ")
    );
    for o in &outputs {
        s.push_str(&format!("    - a -> {o}\n"));
    }
    s.push_str("stimulus:\n  a: { times: [50ps] }\n");
    s
}

fn build(path: &Path) -> usize {
    let design = nmgen::spec::load(path).expect("the spec loads");
    let netlist = nmgen::build::compile(&design);
    let cost = nmgen::cost::static_cost(&design, 2.6e-3).expect("cost");
    netlist.text.len() + cost.junctions
}

fn fanout(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("build fan-out");
    group.sample_size(10);
    for n in [1_000usize, 2_000, 4_000] {
        let path = dir.path().join(format!("fan{n}.yaml"));
        std::fs::write(&path, fanout_spec(n)).expect("spec written");
        group.bench_with_input(BenchmarkId::from_parameter(n), &path, |b, p| {
            b.iter(|| build(p))
        });
    }
    group.finish();
}

criterion_group!(benches, fanout);
criterion_main!(benches);
