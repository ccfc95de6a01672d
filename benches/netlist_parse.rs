//! Parsing speed of the largest reference netlists (read, evaluate, flatten, probes).

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/josim-reference/cases"
);

fn parse_large_netlists(c: &mut Criterion) {
    for name in [
        "ex_gen_pp_ipht.cir",
        "ex_ksa4bit.cir",
        "coldflux_tb_NDRO.cir",
    ] {
        let path = Path::new(CASES).join(name);
        let text = std::fs::read_to_string(&path).expect("reference netlist readable");
        c.bench_function(&format!("parse {name}"), |b| {
            b.iter(|| nmgen::netlist::parse_str(&text, &path).expect("parses"))
        });
    }
}

criterion_group!(benches, parse_large_netlists);
criterion_main!(benches);
