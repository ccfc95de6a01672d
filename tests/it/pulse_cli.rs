//! `--level pulse` end to end: the pulse raster of a spec, the spec's checks at pulse
//! level, margins of spec parameters, and bad input (a user cell, a malformed model
//! file, a global bias sweep) as exit 2 with a clear message.

use crate::util::nmgen;
use std::process::Output;

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn sim_at_pulse_level_writes_the_raster() {
    // the XOR with only x1 active (pattern (1,0), XOR = 1): its output fires
    let dir = tempfile::tempdir().unwrap();
    let xor = std::fs::read_to_string("examples/xor.yaml").unwrap();
    let x2 = "  x2: { periodic: { start: 50ps, period: 70ps, count: 30 } }\n";
    assert!(xor.contains(x2));
    let spec = dir.path().join("xor.yaml");
    std::fs::write(&spec, xor.replace(x2, "")).unwrap();
    let run = |name: &str| {
        let out = dir.path().join(name);
        let o = nmgen(&[
            "sim",
            spec.to_str().unwrap(),
            "--level",
            "pulse",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", text(&o));
        out
    };
    let out = run("xor");
    let csv = std::fs::read_to_string(out.join("xor.pulses.csv")).unwrap();
    // header + the output's pulses: (1,0) gives about 15 of them at pulse level
    assert!(csv.lines().count() > 6, "{csv}");
    let svg = std::fs::read_to_string(out.join("xor.raster.svg")).unwrap();
    assert!(svg.starts_with("<svg"));
    // the same seed gives the same bytes
    let out2 = run("xor2");
    assert_eq!(
        csv,
        std::fs::read_to_string(out2.join("xor.pulses.csv")).unwrap()
    );
}

#[test]
fn the_xor_passes_its_checks_at_pulse_level() {
    let o = nmgen(&["check", "examples/xor.yaml", "--level", "pulse"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(t.contains("PASS XOR") && t.contains("pulse level"), "{t}");
}

#[test]
fn margins_at_pulse_level_sweep_weights_and_refuse_the_bias() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("xor.yaml");
    let xor = std::fs::read_to_string("examples/xor.yaml").unwrap();
    std::fs::write(&spec, &xor).unwrap();
    let o = nmgen(&["margins", spec.to_str().unwrap(), "--level", "pulse"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("`bias` cannot be varied at pulse level"));
    std::fs::write(
        &spec,
        xor.replace("parameters: [bias]", "parameters: [w_h1_o, th_o]"),
    )
    .unwrap();
    let o = nmgen(&["margins", spec.to_str().unwrap(), "--level", "pulse"]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("w_h1_o") && t.contains("th_o"), "{t}");
}

#[test]
fn a_user_cell_has_no_pulse_level_model() {
    let o = nmgen(&[
        "check",
        "tests/specs/good_user_cell.yaml",
        "--level",
        "pulse",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let t = text(&o);
    assert!(
        t.contains("good_user_cell.yaml:") && t.contains("`buf`") && t.contains("u1"),
        "{t}"
    );
}

#[test]
fn a_malformed_model_file_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("models.json");
    std::fs::write(
        &bad,
        nmgen::pulse::DEFAULT_MODELS.replacen("\"inh_fluxons\": ", "\"inh_fluxons\": \"x", 1),
    )
    .unwrap();
    let o = nmgen(&[
        "check",
        "examples/xor.yaml",
        "--level",
        "pulse",
        "--models",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let t = text(&o);
    assert!(t.contains(&format!("{}:", bad.display())), "{t}");
    assert!(t.contains("cell-model file"), "{t}");
}
