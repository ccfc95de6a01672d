//! The trained Iris network of examples/iris.yaml at circuit level: the built-in
//! simulator with thermal noise at 4.2 K (one fixed seed per sample, 1000 + row)
//! over the whole test split (45 samples), through the spec's own `accuracy` check.

use std::path::Path;

use nmgen::engine::Engine;
use nmgen::verify::Bench;

#[test]
fn iris_test_split_at_circuit_level() {
    let design = nmgen::spec::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/iris.yaml"
    )))
    .unwrap();
    assert_eq!(design.noise, Some((4.2, 1)));
    let bench = Bench::new(&design, Engine::default()).unwrap();
    let verdict = bench.judge(&[]).unwrap();
    let (_, report) = &verdict.accuracy[0];
    let c = &report.confusion;
    println!("{}\n{}", c.summary(), c.to_table());
    assert_eq!(c.total(), 45);
    assert!(report
        .results
        .iter()
        .all(|r| r.seed == Some(1000 + r.row as u64)));
    // every setosa sample is recognised; the whole split gave 34/45 (75.6 %)
    assert_eq!(c.matrix[0][0], 15, "{}", c.to_table());
    assert!(c.accuracy() >= MINIMUM, "{}", c.summary());
}

/// The circuit-level accuracy measured for examples/iris.yaml (34/45, docs/training.md),
/// less a margin of two samples for a change in the simulator's noise stream. The
/// project's goal is 90 %; this network reaches it at pulse level (43/45) but not yet
/// at circuit level.
const MINIMUM: f64 = 32.0 / 45.0;
