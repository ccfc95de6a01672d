//! `nmgen check SPEC --level pulse` scores the trained Iris network's accuracy check
//! over the whole test split with the pulse-level simulator; `--report` writes the
//! per-sample counts, `--against` compares them with another run sample by sample, and
//! a malformed `--against` file is a located error (exit 2).

use std::path::Path;

use crate::util::nmgen;

fn samples(json: &Path) -> Vec<serde_json::Value> {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert!(v["level"].as_str().unwrap().starts_with("pulse level"));
    v["samples"].as_array().unwrap().clone()
}

#[test]
fn iris_accuracy_at_pulse_level_with_agreement() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let out = nmgen(&[
        "check",
        "examples/iris.yaml",
        "--level",
        "pulse",
        "--report",
        a.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("over 45 sample(s) × 1 seed(s), pulse level"),
        "{text}"
    );
    let json = a.join("iris_test_split_accuracy.json");
    let first = samples(&json);
    assert_eq!(first.len(), 45);
    assert!(a.join("iris_test_split_confusion.svg").exists());
    // the same seeds give the same counts: a second run agrees on every sample
    let b = dir.path().join("b");
    let out = nmgen(&[
        "check",
        "examples/iris.yaml",
        "--level",
        "pulse",
        "--report",
        b.to_str().unwrap(),
        "--against",
        json.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("agree on 45 of 45 sample(s) (100.0 %)"),
        "{text}"
    );
    assert_eq!(samples(&b.join("iris_test_split_accuracy.json")), first);
    let agreement: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(b.join("iris_test_split_agreement.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(agreement["agreement"]["matched"], 45);
    assert_eq!(agreement["agreement"]["mean_abs_count_difference"], 0.0);
}

#[test]
fn malformed_against_file_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("circuit.json");
    std::fs::write(
        &bad,
        "{\n  \"level\": \"circuit\",\n  \"samples\": [1, 2]\n}\n",
    )
    .unwrap();
    let out = nmgen(&[
        "check",
        "examples/iris.yaml",
        "--level",
        "pulse",
        "--against",
        bad.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("circuit.json:3:"), "{err}");
    assert!(err.contains("accuracy report"), "{err}");
}
