//! examples/xor.yaml classifies the four XOR patterns with thermal noise (4.2 K) over
//! 10 seeds in nmgen's own simulator. The input trains are cut to 15 pulses (of 30)
//! to keep the test short; the margin is already clear there.

use std::path::Path;

use nmgen::analysis::Progress;
use nmgen::characterize::xor_classification;
use nmgen::engine::Engine;

#[test]
fn xor_classifies_all_patterns_with_noise() {
    let design = nmgen::spec::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/xor.yaml"
    )))
    .unwrap();
    let seeds: Vec<u64> = (1..=10).collect();
    let report = xor_classification(
        &design,
        ("x1", "x2"),
        "y",
        &seeds,
        Some(4.2),
        Some(15),
        &Engine::default(),
        Progress::Hidden,
    )
    .unwrap();
    println!("{}", report.to_table());
    assert_eq!(report.input_pulses, 15);
    assert_eq!(report.patterns.len(), 4);
    for r in &report.patterns {
        assert_eq!(r.counts.len(), 10);
        for &c in &r.counts {
            if r.pattern.expected {
                assert!(c as f64 > report.threshold, "{}: {c}", r.pattern.name);
            } else {
                assert!((c as f64) < report.threshold, "{}: {c}", r.pattern.name);
            }
        }
    }
    assert!(report.correct && report.margin > 0, "{}", report.to_table());
    // the active patterns fire at a substantial fraction of the input rate
    let ones = report.patterns.iter().filter(|r| r.pattern.expected);
    assert!(ones.clone().all(|r| r.mean >= 5.0));
    // (0,0) has no input pulses: the output stays silent
    assert_eq!(report.patterns[0].max, 0);
}

#[test]
fn unknown_output_or_input_is_an_error() {
    let design = nmgen::spec::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/xor.yaml"
    )))
    .unwrap();
    let e = Engine::default();
    assert!(xor_classification(
        &design,
        ("x1", "x2"),
        "nope",
        &[1],
        None,
        Some(1),
        &e,
        Progress::Hidden
    )
    .is_err());
    assert!(xor_classification(
        &design,
        ("x1", "zz"),
        "y",
        &[1],
        None,
        Some(1),
        &e,
        Progress::Hidden
    )
    .is_err());
}
