//! The MLP readout with a hidden layer in RTL: trained on rate-coded digits
//! (examples/lsm_digits.yaml), loaded from the JSON `nmgen train --hidden` writes, and run
//! under Verilator on held-out digits: spikes, membranes, counts, the class and its score
//! must equal the Rust model's integer arithmetic exactly.

use std::path::Path;

use nmgen::lsm::images::{images_to_events, ImageCoding, ImageEvents};
use nmgen::lsm::mlp::MlpSettings;
use nmgen::lsm::readout::{TrainMethod, TrainSettings};
use nmgen::lsm::{draw_weights, load, load_str, simulate, train_readout, EventSet, SimSettings};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn digits_mlp_readout_rtl_matches_the_model() {
    let spec = root().join("examples/lsm_digits.yaml");
    let d = load(&spec).expect("loads");
    let data = nmgen::dataset::read(&root().join("data/digits.csv")).expect("digits");
    let set = images_to_events(
        &data,
        &ImageEvents {
            width: 8,
            steps: 20,
            step_us: 1000,
            coding: ImageCoding::Rate { max_rate: 0.5 },
            seed: 1,
        },
    )
    .expect("codes");
    // Train on the first 400 digits (16 hidden ReLUs), test on 8 others.
    let train = EventSet {
        samples: set.samples[..400].to_vec(),
    };
    let test = EventSet {
        samples: set.samples[400..408].to_vec(),
    };
    let settings = TrainSettings {
        method: TrainMethod::Mlp(MlpSettings {
            epochs: 60,
            ..MlpSettings::new(16, 1)
        }),
        test_fraction: 0.25,
        seed: 1,
    };
    let rep = train_readout(&d, &draw_weights(&d), &train, &settings).expect("trains");
    let mlp = rep.mlp.as_ref().expect("a hidden layer");
    assert!(rep.test_accuracy > 0.75, "{}", rep.test_accuracy);
    // The JSON loads into the spec; 6 MAC units: 3 blocks of hidden neurons (the last
    // padded), 2 blocks of classes.
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, json) = rep
        .artifacts
        .iter()
        .find(|(p, _)| p.ends_with("lsm_digits_readout.json"))
        .expect("readout JSON");
    let weights = dir.path().join("mlp.json");
    std::fs::write(&weights, json).expect("write");
    let text = std::fs::read_to_string(&spec).expect("spec").replace(
        "    classes: 10\n",
        &format!(
            "    classes: 10\n    mac_units: 6\n    weights: {}\n",
            weights.display()
        ),
    );
    let d = load_str(&text, &spec).expect("MLP readout loads");
    let ro = d.readout.as_ref().expect("readout");
    assert_eq!((ro.hidden, ro.hidden_blocks(), ro.blocks()), (16, 3, 2));
    // A mismatching `hidden:` is an error at the key.
    let bad = load_str(
        &text.replace("mac_units: 6", "mac_units: 6\n    hidden: 8"),
        &spec,
    )
    .expect_err("hidden mismatch");
    assert!(
        bad.to_string().contains("readout.hidden is 8") && bad.to_string().contains("16"),
        "{bad}"
    );

    let have = std::process::Command::new("verilator")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "verilator is required in CI"
        );
        eprintln!("verilator not installed: skipping the RTL run");
        return;
    }
    let report = simulate(
        &d,
        &test,
        &SimSettings {
            verilator: true,
            work_dir: std::env::temp_dir().join("nmgen-lsm-tests"),
            flow: Default::default(),
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    for m in report.mismatches.iter().take(20) {
        eprintln!("{m}");
    }
    assert!(
        report.rtl_matches(),
        "{:?}",
        report.verilator.as_ref().map(|v| &v.log)
    );
    // The model's classes are the MLP's, decide several digits, and mostly the right ones.
    let classes: Vec<usize> = report.classes.iter().map(|c| c.expect("class")).collect();
    let labels: Vec<usize> = test
        .samples
        .iter()
        .map(|s| s.label.expect("label") as usize)
        .collect();
    for (r, &c) in report.rasters.iter().zip(&classes) {
        assert_eq!(c, mlp.classify(&r.counts));
    }
    let distinct: std::collections::BTreeSet<_> = classes.iter().collect();
    assert!(distinct.len() >= 3, "{classes:?}");
    let right = classes.iter().zip(&labels).filter(|(c, l)| c == l).count();
    eprintln!("MLP RTL on 8 held-out digits: classes {classes:?}, labels {labels:?}");
    assert!(right >= 5, "{right}/8: {classes:?} vs {labels:?}");
}
