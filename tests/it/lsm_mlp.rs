//! The MLP readout (Adam, mini-batches, seeded) and `nmgen train`'s held-out report.

use crate::util::nmgen;
use std::path::Path;

use nmgen::lsm::mlp::MlpSettings;
use nmgen::lsm::readout::{TrainMethod, TrainSettings};
use nmgen::lsm::{draw_weights, load_str, synthetic_events, train_readout, SyntheticSettings};

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
";

fn settings(hidden: usize) -> TrainSettings {
    TrainSettings {
        method: TrainMethod::Mlp(MlpSettings {
            epochs: 60,
            ..MlpSettings::new(hidden, 3)
        }),
        test_fraction: 0.3,
        seed: 3,
    }
}

#[test]
fn mlp_readouts_learn_and_the_int8_model_follows_the_float_one() {
    let d = load_str(SMALL, Path::new("small.yaml")).expect("loads");
    let w = draw_weights(&d);
    let set = synthetic_events(&d, &SyntheticSettings::new(4, 15, 21));
    for hidden in [0, 16] {
        let rep = train_readout(&d, &w, &set, &settings(hidden)).expect("trains");
        assert_eq!(rep.samples_test, 18);
        assert!(rep.test_accuracy >= 0.8, "hidden {hidden}: {rep:?}");
        assert!(
            (rep.test_accuracy - rep.float_test_accuracy).abs() <= 0.12,
            "hidden {hidden}: int8 {} vs float {}",
            rep.test_accuracy,
            rep.float_test_accuracy
        );
        let (lo, hi) = rep.test_interval;
        assert!(lo < rep.test_accuracy && rep.test_accuracy <= hi && hi <= 1.0);
        let held_out: u32 = rep.confusion.iter().flatten().sum();
        assert_eq!(held_out, 18);
        assert_eq!(rep.mlp.is_some(), hidden > 0);
        if let Some(m) = &rep.mlp {
            assert!(m.is_consistent());
            assert_eq!((m.hidden, m.w1.len(), m.w2.len()), (16, 16, 4));
            // Every int8 weight range is used: the scheme maps the largest to ±127.
            assert_eq!(
                m.w1.iter().flatten().map(|v| v.unsigned_abs()).max(),
                Some(127)
            );
        }
        for name in ["confusion.svg", "confusion.txt", "train_report.json"] {
            assert!(
                rep.artifacts.iter().any(|(p, _)| p.ends_with(name)),
                "{name}"
            );
        }
        // Seeded: the same settings give the same bytes.
        let again = train_readout(&d, &w, &set, &settings(hidden)).expect("trains");
        assert_eq!(rep.artifacts, again.artifacts);
    }
}

#[test]
fn train_cli_sets_the_split_and_reports_held_out_accuracy() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    let spec = "examples/lsm_tidigits.yaml";
    let run = nmgen(&["train", spec, "--test-fraction", "0.4", "-o", o]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        stdout.contains("readout (mlp (no hidden layer))"),
        "{stdout}"
    );
    assert!(stdout.contains("on 120 + 80 samples"), "{stdout}");
    assert!(stdout.contains("95 % interval"), "{stdout}");
    assert!(
        stdout.contains("true\\out") && !stdout.contains(" tie"),
        "{stdout}"
    );
    assert!(out.join("confusion.svg").exists() && out.join("readout_w.hex").exists());
    // The trained readout loads back into the spec.
    let json = out.join("lsm_tidigits_readout.json");
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(spec))
        .unwrap()
        .replace(
            "    classes: 11\n",
            &format!("    classes: 11\n    weights: {}\n", json.display()),
        );
    let d = load_str(&text, Path::new("t.yaml")).expect("trained readout loads");
    assert!(d.readout.unwrap().trained.is_some());
    for (args, needle) in [
        (
            vec!["--test-fraction", "1.5"],
            "--test-fraction must be between 0 and 1",
        ),
        (
            vec!["--readout", "ridge", "--hidden", "8"],
            "--hidden 8 applies to --readout mlp",
        ),
    ] {
        let bad = dir.path().join("bad");
        let mut all = vec!["train", spec, "-o", bad.to_str().unwrap()];
        all.extend(args);
        let run = nmgen(&all);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(needle), "{stderr}");
        assert!(!bad.exists());
    }
}

#[test]
fn confusion_says_how_classes_are_decided() {
    use nmgen::train::{Confusion, DecisionRule};
    let names = vec!["a".to_string(), "b".to_string()];
    // SFQ networks decide by the most output pulses: a tie is its own, explained column.
    let mut sfq = Confusion::new(names.clone());
    sfq.add(0, None);
    sfq.add(1, Some(1));
    let table = sfq.to_table();
    assert!(table.lines().next().unwrap().ends_with("tie"), "{table}");
    assert!(
        table.contains("tie: two or more outputs share the most pulses"),
        "{table}"
    );
    let svg = sfq.to_svg("sfq").expect("svg");
    assert!(svg.contains("most output pulses") && svg.contains("no class decided"));
    // The LSM readout takes the largest score (first maximum): no ties, no tie column.
    let mut lsm = Confusion::with_rule(names, DecisionRule::HighestScore);
    lsm.add(0, Some(0));
    lsm.add(1, Some(0));
    let table = lsm.to_table();
    assert!(!table.contains("tie"), "{table}");
    assert_eq!(table.lines().nth(2).unwrap().split_whitespace().count(), 4);
    let svg = lsm.to_svg("lsm").expect("svg");
    assert!(svg.contains("largest readout score") && !svg.contains(">tie<"));
}
