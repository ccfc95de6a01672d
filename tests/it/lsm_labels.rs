//! Labels outside the readout's classes are errors in every command: located in the
//! event file (file:line:col, exit 2, nothing written), and for sets built in memory.

use std::path::Path;
use std::process::Command;

use nmgen::diagnostic::SourceFile;
use nmgen::lsm::events::parse_csv;
use nmgen::lsm::{
    draw_weights, load, simulate, synthetic_events, train_readout, variation_margins, SimSettings,
    SyntheticSettings, TrainSettings,
};

fn example(name: &str) -> nmgen::lsm::LsmDesign {
    load(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name),
    )
    .expect("loads")
}

#[test]
fn csv_label_beyond_the_classes_is_located() {
    let d = example("lsm_tidigits.yaml"); // 11 classes: 0..=10
    let ok = "sample,label,t,channel\n0,10,0,5\n";
    assert!(parse_csv(&SourceFile::new("ev.csv", ok), &d).is_ok());
    let bad = "sample,label,t,channel\n0,10,0,5\n1,11,0,5\n";
    let e = parse_csv(&SourceFile::new("ev.csv", bad), &d).expect_err("label 11");
    assert_eq!((e.line, e.column), (3, 3), "{e}");
    assert!(e.to_string().contains("label 11 outside"), "{e}");
}

#[test]
fn sets_built_in_memory_are_checked_by_every_entry_point() {
    let d = example("lsm_nmnist.yaml"); // 10 classes
    let mut set = synthetic_events(&d, &SyntheticSettings::new(2, 2, 3));
    set.samples[1].label = Some(10);
    let sim = simulate(
        &d,
        &set,
        &SimSettings {
            verilator: false,
            work_dir: std::env::temp_dir(),
            flow: Default::default(),
        },
    )
    .expect_err("sim");
    assert!(sim.to_string().contains("sample 1 has label 10"), "{sim}");
    let w = draw_weights(&d);
    let tr = train_readout(&d, &w, &set, &TrainSettings::default()).expect_err("train");
    assert!(tr.to_string().contains("sample 1 has label 10"), "{tr}");
    let mr = variation_margins(&d, Some(&set)).expect_err("margins");
    assert!(mr.to_string().contains("sample 1 has label 10"), "{mr}");
}

#[test]
fn every_command_rejects_the_file_with_exit_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let ev = dir.path().join("ev.csv");
    std::fs::write(&ev, "sample,label,t,x,y,p\n0,3,0,9,9,1\n1,12,0,9,9,1\n").unwrap();
    for cmd in ["sim", "train", "margins"] {
        let out = dir.path().join(format!("out_{cmd}"));
        let mut args = vec![cmd, "examples/lsm_nmnist.yaml", "--events"];
        args.push(ev.to_str().unwrap());
        if cmd == "sim" {
            args.push("--no-verilator");
        }
        args.extend(["-o", out.to_str().unwrap()]);
        let run = Command::new(env!("CARGO_BIN_EXE_nmgen"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(&args)
            .env("CI", "true")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{cmd}: {stderr}");
        assert!(stderr.contains("ev.csv:3:3"), "{cmd}: {stderr}");
        assert!(stderr.contains("label 12 outside"), "{cmd}: {stderr}");
        assert!(!out.exists(), "{cmd} wrote output");
    }
}

#[test]
fn margin_classes_beyond_the_readout_are_a_spec_error() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/lsm_nmnist.yaml"),
    )
    .unwrap()
    .replace("  seeds: 4\n", "  seeds: 4\n  classes: 12\n");
    let e = nmgen::lsm::load_str(&text, Path::new("m.yaml")).expect_err("12 > 10");
    assert!(
        e.to_string().contains("margins.classes must be in 2..=10"),
        "{e}"
    );
}
