//! Hardware-aware training: deterministic for a seed, the forward model classifies the
//! held-out Iris and digits splits, currents and thresholds stay in the cells' range,
//! and the written spec and weight CSVs describe the same network.

use std::path::{Path, PathBuf};

use nmgen::train::{self, ForwardModel, TrainSettings};

fn path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The forward model of the shipped pulse-level cell models, for the 2 ns window.
fn models() -> ForwardModel {
    ForwardModel::new(nmgen::pulse::default_models().unwrap(), 2e-9)
}

#[test]
fn iris_training_is_deterministic_and_accurate() {
    let data = nmgen::dataset::read(&path("data/iris.csv")).unwrap();
    let m = models();
    // seed 3, the seed of examples/iris.yaml (written by the trainer before the
    // fine-tuning fix that keeps absent synapses absent; docs/training.md)
    let mut s = TrainSettings::new(vec![8, 8], 3);
    // the CLI's default rate, `--rate 14.286GHz`: exactly what the CLI trains
    s.code.rate_max = 14.286e9;
    let a = train::train_on(&data, &m, &s, 0.3, 1).unwrap();
    let b = train::train_on(&data, &m, &s, 0.3, 1).unwrap();
    assert_eq!(a.network, b.network);
    let other = train::train_on(&data, &m, &TrainSettings::new(vec![8, 8], 4), 0.3, 1).unwrap();
    assert_ne!(a.network, other.network);
    println!(
        "forward model {}, baseline {}",
        a.model_test.summary(),
        b.baseline_test.summary()
    );
    // measured: forward model 42/45 (93.3 %) on the test split, pulse level after
    // fine-tuning 96.2 % on the train split (docs/training.md)
    assert!(
        a.model_test.accuracy() >= 41.0 / 45.0,
        "{}",
        a.model_test.summary()
    );
    let pulse = a.pulse_train_accuracy.unwrap();
    assert!(pulse >= 0.95, "pulse level, train split: {pulse}");
    assert!(
        a.baseline_test.accuracy() >= 0.9,
        "{}",
        a.baseline_test.summary()
    );
    let sizes: Vec<usize> = a
        .network
        .layers
        .iter()
        .map(|l| l.thresholds.len())
        .collect();
    assert_eq!(sizes, [8, 8, 3]);
    for l in &a.network.layers {
        for &c in l.currents.iter().flatten() {
            assert!(
                c == 0.0 || (s.w_off_ua..=s.w_max_ua).contains(&c.abs()),
                "{c}"
            );
        }
        for &th in &l.thresholds {
            assert!((s.th_range_ua.0..=s.th_range_ua.1).contains(&th), "{th}");
        }
    }
    // the spec and the CSVs carry the trained currents
    let spec = train::emit::spec_text(&a.network, "iris", train::emit::Weights::Inline, "");
    let design = nmgen::characterize::design_from_yaml("iris", &spec).unwrap();
    let first = a.network.layers[0].currents[0]
        .iter()
        .position(|&c| c > 0.0)
        .unwrap();
    let c = a.network.layers[0].currents[0][first];
    let value = |p: &str| {
        design
            .parameters
            .iter()
            .find(|(n, _)| n == p)
            .map(|(_, v)| *v)
    };
    let w = value(&format!("w_x_{first}_h1_0")).unwrap();
    assert!(
        (w - c * 1e-6).abs() < 1e-12,
        "w_x_{first}_h1_0 = {w}, trained {c}"
    );
    let th = value("h1_0_th").unwrap();
    assert!((th - a.network.layers[0].thresholds[0] * 1e-6).abs() < 1e-12);
    let csv_spec =
        train::emit::spec_text(&a.network, "iris", train::emit::Weights::Csv("iris"), "");
    assert!(
        csv_spec.contains("- { from: h1, to: h2, weights: iris_l2.csv }"),
        "{csv_spec}"
    );
    let csvs = train::emit::layer_csvs(&a.network, "iris");
    assert_eq!(csvs.len(), 3);
    let rows: Vec<&str> = csvs[1].1.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(rows.len(), 8);
    assert!(rows.iter().all(|r| r.split(',').count() == 8));
}

#[test]
fn digits_forward_model_without_fine_tuning() {
    let data = nmgen::dataset::read(&path("data/digits.csv")).unwrap();
    let m = models();
    let mut s = TrainSettings::new(vec![16], 1);
    // fine-tuning digits at pulse level takes minutes; the forward model alone here
    s.finetune_epochs = 0;
    let t = train::train_on(&data, &m, &s, 0.3, 1).unwrap();
    println!(
        "digits forward model {}, baseline {}",
        t.model_test.summary(),
        t.baseline_test.summary()
    );
    assert!(
        t.model_test.accuracy() >= 0.85,
        "{}",
        t.model_test.summary()
    );
}
