//! Voltage mode (JoSIM's `-a 0`) integrates the same circuits with a different
//! formulation; on well-resolved cases it must agree with JoSIM's phase-mode
//! reference output. (Coupled inductors are left out: JoSIM's voltage mode reads
//! the partner inductor's history after updating it, which nmgen reproduces, so
//! its voltage-mode `comp_mutual` differs from the phase-mode reference.)

use std::path::Path;

use nmgen::analysis::{compare, parse_josim_csv, read_josim_csv};
use nmgen::diagnostic::SourceFile;
use nmgen::sim::{simulate, Mode, SimOptions};

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/josim-reference/cases"
);

fn check(name: &str, tol: f64) {
    let cir = Path::new(CASES).join(format!("{name}.cir"));
    let circuit = nmgen::netlist::load(&cir).expect("parses");
    let opts = SimOptions {
        mode: Mode::Voltage,
        ..SimOptions::new()
    };
    let w = simulate(&circuit, &opts).expect("simulates in voltage mode");
    let mut buf = Vec::new();
    w.write_josim_csv(&mut buf).expect("csv");
    let cand = parse_josim_csv(&SourceFile::new(
        "voltage.csv",
        String::from_utf8(buf).expect("utf8"),
    ))
    .expect("parses");
    let reference = read_josim_csv(&cir.with_extension("csv")).expect("ref parses");
    let reports = compare(&reference, &cand, tol, 0.5e-12);
    for r in &reports {
        println!("{name} {} nrmse={:?} ok={}", r.name, r.nrmse, r.ok);
    }
    assert!(
        reports.iter().all(|r| r.ok),
        "{name} differs in voltage mode"
    );
}

#[test]
fn voltage_mode_matches_components() {
    for c in [
        "comp_resistor",
        "comp_capacitor",
        "comp_inductor",
        "comp_vs",
        "comp_tx",
        "comp_ps",
    ] {
        check(c, 0.01);
    }
}

#[test]
fn voltage_mode_matches_jtl() {
    check("ex_jtl_basic", 0.01);
    check("coldflux_tb_JTL", 0.01);
}
