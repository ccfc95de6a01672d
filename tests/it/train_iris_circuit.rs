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
    // setosa is recognised (15/15); the whole split gave 43/45 (95.6 %)
    assert!(c.matrix[0][0] >= 14, "{}", c.to_table());
    assert!(c.accuracy() >= MINIMUM, "{}", c.summary());
}

/// The project's goal, 90 %: 41 of 45. Measured for examples/iris.yaml: 43/45 (95.6 %)
/// at circuit level and 43/45 at pulse level with the shipped models (docs/training.md).
const MINIMUM: f64 = 41.0 / 45.0;
