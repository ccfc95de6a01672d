//! Readout training and device-variation margins on synthetic event data.

use std::path::Path;

use nmgen::lsm::readout::{TrainMethod, TrainSettings};
use nmgen::lsm::{
    draw_weights, load_str, synthetic_events, train_readout, variation_margins, LsmDesign,
    SyntheticSettings, TrainedReadout,
};

const SMALL: &str = "name: small
lsm:
  inputs: 64
  neurons: 60
  recurrent_probability: 0.1
  weight_bits: 4
  conductance: { g_min_us: 2.0, g_max_us: 40.0, mean_us: 15.0, sigma_us: 12.0, sparsity: 0.2, seed: 5 }
  lif:
    threshold: 2.0
    leak: { multiply: 0.9 }
  time_steps: 40
  adc: { bits: 6, rows_per_cycle: 8 }
  input: { kind: channels, channels: 64 }
  readout: { classes: 4 }
margins:
  sigmas_us: [0.5, 4, 10]
  seeds: 3
  samples_per_class: 6
";

fn small() -> LsmDesign {
    load_str(SMALL, Path::new("small.yaml")).expect("loads")
}

#[test]
fn ridge_readout_is_well_above_chance() {
    let d = small();
    let w = draw_weights(&d);
    let set = synthetic_events(&d, &SyntheticSettings::new(4, 20, 99));
    let rep = train_readout(&d, &w, &set, &TrainSettings::default()).expect("trains");
    assert_eq!(rep.chance, 0.25);
    assert!(
        rep.test_accuracy >= 0.6,
        "test accuracy {}",
        rep.test_accuracy
    );
    assert!(rep.train_accuracy >= rep.test_accuracy - 0.2);
    let ro = &rep.readout;
    assert!(ro.is_consistent());
    assert!(
        ro.weights
            .iter()
            .flatten()
            .any(|&x| x.unsigned_abs() == 127),
        "full int8 scale used"
    );
    // The artifacts carry the same weights as the report.
    let json = rep
        .artifacts
        .iter()
        .find(|(p, _)| p.to_string_lossy().ends_with("_readout.json"))
        .expect("json");
    let back: TrainedReadout = serde_json::from_slice(&json.1).expect("parses");
    assert_eq!((&back.weights, &back.biases), (&ro.weights, &ro.biases));
    let hex = rep
        .artifacts
        .iter()
        .find(|(p, _)| p.ends_with("readout_w.hex"))
        .expect("hex");
    assert_eq!(String::from_utf8_lossy(&hex.1).lines().count(), d.neurons);
    // Deterministic.
    let again = train_readout(&d, &w, &set, &TrainSettings::default()).expect("trains");
    assert_eq!(again.readout, rep.readout);
}

#[test]
fn logistic_readout_is_well_above_chance() {
    let d = small();
    let w = draw_weights(&d);
    let set = synthetic_events(&d, &SyntheticSettings::new(4, 20, 98));
    let settings = TrainSettings {
        method: TrainMethod::Logistic {
            epochs: 300,
            learning_rate: 0.5,
            l2: 1e-3,
        },
        ..TrainSettings::default()
    };
    let rep = train_readout(&d, &w, &set, &settings).expect("trains");
    assert!(
        rep.test_accuracy >= 0.6,
        "test accuracy {}",
        rep.test_accuracy
    );
}

#[test]
fn training_needs_labels_and_a_readout() {
    let mut d = small();
    let w = draw_weights(&d);
    let mut set = synthetic_events(&d, &SyntheticSettings::new(2, 3, 1));
    set.samples[2].label = None;
    let e = train_readout(&d, &w, &set, &TrainSettings::default()).expect_err("unlabelled");
    assert!(e.to_string().contains("sample 2 has no label"), "{e}");
    d.readout = None;
    assert!(train_readout(&d, &w, &set, &TrainSettings::default()).is_err());
}

#[test]
fn margins_grow_with_device_sigma() {
    let d = small();
    let rep = variation_margins(&d, None).expect("margins");
    assert_eq!(rep.points.len(), 3);
    assert_eq!(rep.samples, 24);
    let (lo, hi) = (&rep.points[0], &rep.points[2]);
    assert!(
        hi.hamming_fraction_mean > lo.hamming_fraction_mean,
        "{lo:?} {hi:?}"
    );
    assert!(hi.fragile_fraction > lo.fragile_fraction);
    assert!(rep.nominal_accuracy.is_some());
    assert!(hi.accuracy_drop.is_some());
    assert!(rep
        .readout_source
        .as_deref()
        .is_some_and(|s| s.contains("separate synthetic set")));
    let names: Vec<String> = rep
        .artifacts
        .iter()
        .map(|(p, _)| p.to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["margins.txt", "margins.json", "margins.svg"]);
    let table = String::from_utf8(rep.artifacts[0].1.clone()).expect("utf8");
    assert!(table.contains("sigma_uS"));
    assert_eq!(table.lines().count(), 2 + 3);
    let svg = String::from_utf8(rep.artifacts[2].1.clone()).expect("utf8");
    assert!(svg.starts_with("<svg") && svg.contains("sigma (uS)"));
    // Same seeds, same numbers.
    let again = variation_margins(&d, None).expect("margins");
    assert_eq!(again.points, rep.points);
}

#[test]
fn readout_generalizes_to_other_samples_of_the_same_classes() {
    let d = small();
    let w = draw_weights(&d);
    let train = synthetic_events(&d, &SyntheticSettings::new(4, 20, 31));
    let test = synthetic_events(
        &d,
        &SyntheticSettings {
            variant: 1,
            ..SyntheticSettings::new(4, 10, 31)
        },
    );
    assert_ne!(train.samples[0].events, test.samples[0].events);
    let rep = train_readout(&d, &w, &train, &TrainSettings::default()).expect("trains");
    let features = nmgen::lsm::readout::features(&d, &w, &test);
    let ok = features
        .iter()
        .zip(&test.samples)
        .filter(|(f, s)| Some(rep.readout.classify(f) as u32) == s.label)
        .count();
    let acc = ok as f64 / test.samples.len() as f64;
    assert!(acc >= 0.6, "held-out accuracy {acc}");
}
