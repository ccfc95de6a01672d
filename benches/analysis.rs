//! Throughput of the analysis kernels: slip detection, JoSIM CSV reading, and
//! the margin search overhead around a trivial evaluator.

use std::convert::Infallible;
use std::f64::consts::PI;
use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nmgen::analysis::margins::{search_bound, Direction};
use nmgen::analysis::{detect_slips, read_josim_csv, FnEvaluator, MarginSearch, SlipOptions};

fn slips(c: &mut Criterion) {
    // 1 M samples, a 2π ramp every 1000 samples.
    let n = 1_000_000;
    let time: Vec<f64> = (0..n).map(|i| i as f64 * 1e-14).collect();
    let phase: Vec<f64> = (0..n)
        .map(|i| {
            let k = (i / 1000) as f64;
            let x = ((i % 1000) as f64 / 50.0).min(1.0);
            2.0 * PI * (k + 0.5 - 0.5 * (PI * x).cos())
        })
        .collect();
    let mut g = c.benchmark_group("slips");
    g.throughput(Throughput::Elements(n as u64));
    for interpolate in [false, true] {
        let opts = SlipOptions {
            interpolate,
            ..SlipOptions::default()
        };
        g.bench_function(format!("detect_1M_interpolate_{interpolate}"), |b| {
            b.iter(|| detect_slips(black_box(&time), black_box(&phase), &opts).len())
        });
    }
    g.finish();
}

fn csv(c: &mut Criterion) {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/josim-reference/cases/coldflux_tb_NDRO.csv"
    ));
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let mut g = c.benchmark_group("josim_csv");
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("read_ndro_592kB", |b| {
        b.iter(|| read_josim_csv(black_box(&path)).map(|t| t.len()))
    });
    g.finish();
}

fn margins(c: &mut Criterion) {
    let eval =
        FnEvaluator::new(|a: &[(String, f64)]| Ok::<_, Infallible>((0.8..=1.3).contains(&a[0].1)));
    let search = MarginSearch::default();
    c.bench_function("margin_search_both_sides", |b| {
        b.iter(|| {
            let lo = search_bound(&eval, "bias", Direction::Low, &search);
            let hi = search_bound(&eval, "bias", Direction::High, &search);
            (lo.map(|x| x.bound), hi.map(|x| x.bound))
        })
    });
}

criterion_group!(benches, slips, csv, margins);
criterion_main!(benches);
