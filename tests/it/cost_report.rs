//! The cost report (issue #10): junctions counted from the flattened netlist, bias
//! current and static power P = V_b·ΣI_b, switching energy and latency from a run.

use std::path::Path;

use crate::util::nmgen;
use nmgen::cost::{self, PHI0};

fn design(name: &str) -> nmgen::spec::Design {
    nmgen::spec::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{name}.yaml")))
        .unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1e-30)
}

/// The JTL cell: 2 junctions of area 2.5, one bias of 0.7·5.0·Ic; the DC/SFQ
/// converter: 3 junctions, biases 0.7·3.9286·Ic and 0.7·2.5·Ic (netlists/*.cir).
const IC: f64 = 100e-6;

#[test]
fn jtl_chain_junctions_and_bias_are_exact() {
    let r = cost::static_cost(&design("jtl_chain"), 2.5e-3).unwrap();
    let row = |cell: &str, role: &str| {
        r.kinds
            .iter()
            .find(|k| k.cell == cell && k.role == role)
            .unwrap_or_else(|| panic!("no {cell}/{role} in {:?}", r.kinds))
    };
    // four JTLs of the spec
    let jtl = row("jtl", "network");
    assert_eq!((jtl.instances, jtl.junctions), (4, 8));
    assert!(close(jtl.critical_current, 8.0 * 2.5 * IC));
    assert!(close(jtl.bias_current, 4.0 * 0.7 * 5.0 * IC));
    // the input stage (DC/SFQ + source JTL) and the output's load JTL and sink
    let io_jtl = row("jtl", "io");
    assert_eq!((io_jtl.instances, io_jtl.junctions), (2, 4));
    let dcsfq = row("dcsfq", "io");
    assert_eq!((dcsfq.instances, dcsfq.junctions), (1, 3));
    assert!(close(dcsfq.bias_current, 0.7 * (3.9286 + 2.5) * IC));
    assert_eq!(row("sink", "io").junctions, 0);
    assert_eq!(r.junctions, 15);
    let total = 6.0 * 0.7 * 5.0 * IC + 0.7 * (3.9286 + 2.5) * IC;
    assert!(
        close(r.bias_current, total),
        "{} vs {total}",
        r.bias_current
    );
    // P = V_b·ΣI_b
    assert!(close(r.static_power, 2.5e-3 * total));
}

#[test]
fn bias_currents_follow_the_global_bias_and_power_the_bias_voltage() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/jtl_chain.yaml"),
    )
    .unwrap()
    .replace("technology:\n", "parameters: { bias: 1.2 }\ntechnology:\n");
    let spec = dir.path().join("jtl_chain.yaml");
    std::fs::write(&spec, text).unwrap();
    let d = nmgen::spec::load(&spec).unwrap();
    let nominal = cost::static_cost(&design("jtl_chain"), 2.5e-3).unwrap();
    let r = cost::static_cost(&d, 4e-3).unwrap();
    assert_eq!(r.bias, 1.2);
    assert!(close(r.bias_current, 1.2 * nominal.bias_current));
    assert!(close(r.static_power, 4e-3 * r.bias_current));
}

#[test]
fn switching_energy_counts_every_slip_at_ic_phi0() {
    let d = design("jtl_chain");
    let s = cost::count_switching(&d, &nmgen::engine::Engine::default()).unwrap();
    let r = cost::static_cost(&d, 2.5e-3)
        .unwrap()
        .with_inference(&d, &s, "built-in");
    let jtl = r
        .kinds
        .iter()
        .find(|k| k.cell == "jtl" && k.role == "network")
        .unwrap();
    // three input pulses through four JTLs of two junctions each
    assert_eq!(jtl.switchings, Some(24));
    let e = jtl.switching_energy.unwrap();
    assert!(close(e, 24.0 * 2.5 * IC * PHI0), "{e}");
    let i = r.inference.as_ref().unwrap();
    assert!(i.switchings >= 24 + 3 * 4, "{}", i.switchings);
    // first input at 50 ps; the third, at 250 ps, leaves the chain 10–40 ps later
    // (the chain delay check: the first pulse arrives 60–90 ps, i.e. 10–40 ps after it)
    assert_eq!(i.first_input, Some(50e-12));
    let latency = i.latency.unwrap();
    assert!(latency > 210e-12 && latency < 240e-12, "{latency}");
}

#[test]
fn build_writes_the_cost_files_and_report_prints_them() {
    let dir = tempfile::tempdir().unwrap();
    let run = nmgen(&[
        "build",
        "examples/jtl_chain.yaml",
        "-o",
        dir.path().to_str().unwrap(),
        "--bias-voltage",
        "3mV",
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("jtl_chain.cost.json")).unwrap())
            .unwrap();
    assert_eq!(json["junctions"], 15);
    assert_eq!(json["bias_voltage"], 3e-3);
    let text = std::fs::read_to_string(dir.path().join("jtl_chain.cost.txt")).unwrap();
    assert!(text.contains("P = V_b·ΣI_b = 3 mV ×"), "{text}");
    let manifest = std::fs::read_to_string(dir.path().join("manifest.json")).unwrap();
    assert!(
        manifest.contains("\"jtl_chain.cost.json\"") && manifest.contains("\"jtl_chain.cost.txt\"")
    );

    let run = nmgen(&["report", "examples/jtl_chain.yaml"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let out = String::from_utf8(run.stdout).unwrap();
    assert!(out.contains("total: 15 junctions"), "{out}");
    assert!(out.contains("2.5 mV ×"), "{out}");
    // the spec has checks and a stimulus: the report simulates it
    assert!(
        out.contains("junction switchings") && out.contains("latency: first input pulse 50.0 ps"),
        "{out}"
    );

    let bad = nmgen(&["report", "examples/jtl_chain.yaml", "--bias-voltage", "0mV"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn splitters_and_mergers_nmgen_inserts_count_as_network() {
    let r = cost::static_cost(&design("fanout"), 2.5e-3).unwrap();
    let network: usize = r
        .kinds
        .iter()
        .filter(|k| k.role == "network")
        .map(|k| k.junctions)
        .sum();
    // 3 splitters (3 junctions) and 3 mergers (7 junctions) between the terminals
    assert_eq!(network, 3 * 3 + 3 * 7);
    assert_eq!(r.junctions, 65);
    assert!(r
        .kinds
        .iter()
        .all(|k| k.role == "network" || ["dcsfq", "jtl", "sink"].contains(&k.cell.as_str())));
}
