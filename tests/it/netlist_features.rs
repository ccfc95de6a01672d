//! The netlist dialect feature by feature: continuation lines, comments, suffixes,
//! parameters in any order, both X orders, nesting and names, include, models.

use std::collections::BTreeMap;
use std::path::Path;

use nmgen::circuit::{Circuit, ElementKind, Node, ProbeKind, Waveform};
use nmgen::netlist;

const NETLISTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/netlists");

fn parse(text: &str) -> Circuit {
    match netlist::parse_str(text, Path::new("test.cir")) {
        Ok(c) => c,
        Err(e) => panic!("parse failed:\n{e}"),
    }
}

fn element<'c>(c: &'c Circuit, name: &str) -> &'c ElementKind {
    let i = c
        .element_index(name)
        .unwrap_or_else(|| panic!("no element {name}"));
    &c.elements[i].kind
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1e-30)
}

#[test]
fn continuation_lines_comments_and_case() {
    let c = parse(
        "* title\n\
         # hash comment\n\
         i1 0 1 pwl(0 0\n\
         + 5p 100u\n\
         +10p 0)\n\
         \tr1 1 0 2OHM\n\
         .TRAN 0.25P 100p\n\
         .print DEVI i1\n",
    );
    match element(&c, "I1") {
        ElementKind::CurrentSource {
            wave: Waveform::Pwl(p),
            ..
        } => {
            assert_eq!(p.len(), 3);
            assert!(close(p[1].0, 5e-12) && close(p[1].1, 100e-6) && close(p[2].0, 10e-12));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(element(&c, "R1"), ElementKind::Resistor { r, .. } if *r == 2.0));
    assert_eq!(c.probes[0].header, "I(I1)");
}

#[test]
fn parameters_in_any_order_with_functions_and_constants() {
    let c = parse(
        ".param l2=l1*2\n\
         .param l1 = phi_zero / (2 * ic)\n\
         .param ic=100u\n\
         .param r=sqrt(16)+abs(-1)+2^3\n\
         L1 1 0 l1\n\
         L2 1 2 l2\n\
         R1 2 0 r\n\
         R2 2 0 {r*2}\n\
         R3 2 0 { r * 3 }\n\
         I1 0 2 pwl(0 0 5p {r / 13 * 1m})\n\
         .tran 0.25p 10p\n",
    );
    let l1 = 2.067833831170082e-15 / 200e-6;
    assert!(matches!(element(&c, "L1"), ElementKind::Inductor { l, .. } if close(*l, l1)));
    assert!(matches!(element(&c, "L2"), ElementKind::Inductor { l, .. } if close(*l, 2.0 * l1)));
    assert!(matches!(element(&c, "R1"), ElementKind::Resistor { r, .. } if close(*r, 13.0)));
    assert!(matches!(element(&c, "R2"), ElementKind::Resistor { r, .. } if close(*r, 26.0)));
    assert!(matches!(element(&c, "R3"), ElementKind::Resistor { r, .. } if close(*r, 39.0)));
    assert!(
        matches!(element(&c, "I1"), ElementKind::CurrentSource { wave: Waveform::Pwl(p), .. } if close(p[1].1, 1e-3))
    );
}

#[test]
fn both_instance_orders_and_hierarchical_names() {
    let text = ".subckt CELL a b\n\
                L1 a mid 2p\n\
                R1 mid b 1\n\
                .ends\n\
                X1 CELL 1 2\n\
                X2 2 3 CELL\n\
                R9 3 0 1\n\
                .tran 0.25p 10p\n\
                .print i(L1.X1) i(L1|X2) v(MID.X2)\n";
    let c = parse(text);
    for name in ["L1|X1", "R1|X1", "L1|X2", "R1|X2", "R9"] {
        assert!(c.element_index(name).is_some(), "{name} exists");
    }
    // X1's b and X2's a are the same node 2; the internal nodes are distinct.
    let (ElementKind::Resistor { n: b1, .. }, ElementKind::Inductor { p: a2, .. }) =
        (element(&c, "R1|X1"), element(&c, "L1|X2"))
    else {
        panic!("kinds");
    };
    assert_eq!(b1, a2);
    assert_eq!(c.node("2"), Some(*b1));
    assert!(c.node("MID|X1").is_some() && c.node("MID|X2").is_some());
    let headers: Vec<&str> = c.probes.iter().map(|p| p.header.as_str()).collect();
    assert_eq!(headers, ["I(L1|X1)", "I(L1|X2)", "V(MID|X2)"]);
}

#[test]
fn nested_subcircuits_with_local_params_models_and_mutuals() {
    let text = ".param lb=1p\n\
                .subckt INNER a\n\
                .param lb=3p\n\
                .model jm jj(icrit=0.2mA, cap=0.1pF, rn=10, r0=100)\n\
                L1 a x lb\n\
                L2 x 0 lb\n\
                K1 L1 L2 0.5\n\
                B1 x 0 jm area=2\n\
                .ends INNER\n\
                .subckt OUTER in\n\
                L1 in y lb\n\
                XI INNER y\n\
                .ends OUTER\n\
                XO OUTER 1\n\
                .tran 0.25p 10p\n\
                .print p(B1.XI.XO) i(L1.XO)\n";
    let c = parse(text);
    assert!(matches!(element(&c, "L1|XO"), ElementKind::Inductor { l, .. } if close(*l, 1e-12)));
    assert!(matches!(element(&c, "L1|XI|XO"), ElementKind::Inductor { l, .. } if close(*l, 3e-12)));
    let (l1, l2) = (c.element_index("L1|XI|XO"), c.element_index("L2|XI|XO"));
    match element(&c, "K1|XI|XO") {
        ElementKind::Mutual { l1: a, l2: b, k } => {
            assert_eq!((Some(*a), Some(*b)), (l1, l2));
            assert_eq!(*k, 0.5);
        }
        other => panic!("{other:?}"),
    }
    match element(&c, "B1|XI|XO") {
        ElementKind::Junction { model, .. } => {
            assert!(close(model.ic, 0.4e-3) && close(model.cap, 0.2e-12));
            assert!(close(model.rn, 5.0) && close(model.r0, 50.0) && model.area == 2.0);
        }
        other => panic!("{other:?}"),
    }
    assert!(c.node("X|XI|XO").is_some());
    let headers: Vec<&str> = c.probes.iter().map(|p| p.header.as_str()).collect();
    assert_eq!(headers, ["P(B1|XI|XO)", "I(L1|XO)"]);
}

#[test]
fn include_is_relative_to_the_including_file() {
    let c = netlist::load(&Path::new(NETLISTS).join("include_main.cir")).expect("parses");
    assert!(c.element_index("B1|X1").is_some() && c.element_index("B1|X2").is_some());
    let headers: Vec<&str> = c.probes.iter().map(|p| p.header.as_str()).collect();
    assert_eq!(headers, ["P(B1|X1)", "P(B1|X2)", "V(3)"]);
    match element(&c, "B1|X2") {
        ElementKind::Junction { model, .. } => assert!(close(model.ic, 0.216e-3)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn subcircuit_listing_reads_ports_as_written() {
    let subs = netlist::subcircuits(&Path::new(NETLISTS).join("include_main.cir")).expect("lists");
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].name, "JTL_STAGE");
    assert_eq!(subs[0].ports, ["in", "out"]);
    assert_eq!(subs[0].line, 2);
    assert!(subs[0].path.ends_with("cells/jtl_cell.cir"));
}

#[test]
fn junction_scaling_follows_josim() {
    let c = parse(
        ".model j1 jj(rtype=1, vg=2.8mV, cap=0.07pF, r0=160, rn=16, icrit=0.1mA)\n\
         .model j0 jj(rtype=0, icrit=250uA, cap=1.32PF, rn=90)\n\
         .model jt jj(icrit=0.1mA, t=4.2, tc=9.1)\n\
         B1 1 0 j1 area=2.5\n\
         B2 1 0 j1 ic=250u\n\
         B3 1 0 j0\n\
         B4 1 0 jt area=2\n\
         R1 1 0 1\n\
         .tran 0.25p 10p\n",
    );
    let model = |n: &str| match element(&c, n) {
        ElementKind::Junction { model, .. } => model.clone(),
        other => panic!("{other:?}"),
    };
    let (b1, b2, b3, b4) = (model("B1"), model("B2"), model("B3"), model("B4"));
    assert!(
        close(b1.ic, 250e-6) && close(b1.cap, 0.175e-12) && close(b1.rn, 6.4) && close(b1.r0, 64.0)
    );
    assert_eq!(b1, b2, "ic=250u on a 0.1mA card is area 2.5");
    assert_eq!(b3.area, 1.0);
    assert!(close(b3.r0, 90.0), "rtype=0 uses rn as subgap resistance");
    assert!(close(b3.icfct, std::f64::consts::PI / 4.0) && close(b3.vg, 2.8e-3));
    // Temperature-dependent rn: pi*Delta/(2e*Ic) * tanh(Delta/(2kT)).
    let (kb, ev) = (1.38064852e-23_f64, 1.6021766208e-19_f64);
    let del = 1.76
        * kb
        * 9.1
        * ((std::f64::consts::PI / 2.0) * (4.2f64 / 9.1).powi(2))
            .cos()
            .sqrt();
    let rn = std::f64::consts::PI * del / (2.0 * ev * 0.2e-3) * (del / (2.0 * kb * 4.2)).tanh();
    assert!(close(b4.rn, rn), "{} vs {rn}", b4.rn);
}

#[test]
fn sources_take_josim_defaults_from_tran() {
    let c = parse(
        "I1 0 1 pulse(0 600u 20p)\n\
         V1 1 0 sin(0 5)\n\
         V2 2 0 exp(0 1)\n\
         P1 3 0 dc 2*pi\n\
         I2 0 3 noise(1u 0)\n\
         V3 4 0 5m\n\
         R1 1 0 1\n\
         .tran 0.5p 200p 10p 1p\n",
    );
    assert_eq!(
        element(&c, "I1"),
        &ElementKind::CurrentSource {
            p: Node::Ground,
            n: c.node("1").expect("node 1"),
            wave: Waveform::Pulse {
                v1: 0.0,
                v2: 600e-6,
                td: 20e-12,
                tr: 0.5e-12,
                tf: 0.5e-12,
                pw: 200e-12,
                per: 200e-12
            }
        }
    );
    assert!(
        matches!(element(&c, "V1"), ElementKind::VoltageSource { wave: Waveform::Sin { freq, .. }, .. } if close(*freq, 1.0 / 200e-12))
    );
    assert!(
        matches!(element(&c, "V2"), ElementKind::VoltageSource { wave: Waveform::Exp { tau1, td2, tau2, .. }, .. } if *tau1 == 0.5e-12 && *td2 == 0.5e-12 && *tau2 == 0.5e-12)
    );
    assert!(
        matches!(element(&c, "P1"), ElementKind::PhaseSource { wave: Waveform::Dc(v), .. } if close(*v, 2.0 * std::f64::consts::PI))
    );
    assert!(
        matches!(element(&c, "I2"), ElementKind::CurrentSource { wave: Waveform::Noise { va, td, tstep, .. }, .. } if *va == 1e-6 && *td == 0.0 && *tstep == 0.5e-12)
    );
    assert!(
        matches!(element(&c, "V3"), ElementKind::VoltageSource { wave: Waveform::Dc(v), .. } if close(*v, 5e-3))
    );
    assert_eq!(
        c.transient.map(|t| (t.tstep, t.tstop, t.pstart, t.pstep)),
        Some((0.5e-12, 200e-12, 10e-12, 1e-12))
    );
}

#[test]
fn transient_defaults_and_controls() {
    let c = parse(
        "R1 1 0 1\n\
         .tran 2p 100p\n\
         .temp 4.2\n\
         .neb 100G\n\
         .option seed=4190754512324517577\n\
         .spread 0.05 L=0.1 B=0.02\n\
         .control\n\
         print v(1) nodep 1\n\
         .endc\n",
    );
    let t = c.transient.expect("tran");
    assert_eq!((t.tstep, t.pstart, t.pstep), (2e-12, 0.0, 2e-12));
    assert_eq!(c.temperature, Some(4.2));
    assert_eq!(c.noise_bandwidth, Some(100e9));
    assert_eq!(c.seed, Some(4190754512324517577));
    assert_eq!(c.spread.global, Some(0.05));
    assert_eq!(c.spread.inductance, Some(0.1));
    assert_eq!(c.spread.junction, Some(0.02));
    assert_eq!(c.spread.resistance, None);
    let headers: Vec<&str> = c.probes.iter().map(|p| p.header.as_str()).collect();
    assert_eq!(headers, ["V(1)", "P(1)"]);
}

#[test]
fn print_forms_and_their_headers() {
    let c = parse(
        "V1 1 0 pwl(0 0 5p 1m)\n\
         R1 1 2 1\n\
         B1 2 0 jj1\n\
         .model jj1 jj(icrit=0.1mA)\n\
         .tran 0.25p 10p\n\
         .print nodev 1 0\n\
         .print nodep 2\n\
         .print devp B1\n\
         .plot @R1[c] @B1[p] v1#branch\n\
         .save v(1, 2) p(2,0)\n\
         .print devv NOSUCH\n\
         .print p(I9) i(I9)\n\
         I9 0 2 pwl(0 0 5p 1u)\n",
    );
    let headers: Vec<&str> = c.probes.iter().map(|p| p.header.as_str()).collect();
    assert_eq!(
        headers,
        ["V(1,0)", "P(2)", "P(B1)", "I(R1)", "P(B1)", "I(V1)", "V(1,2)", "P(2,0)", "I(I9)"]
    );
    assert!(matches!(
        c.probes[0].kind,
        ProbeKind::NodeVoltage {
            n: Node::Ground,
            ..
        }
    ));
    assert!(matches!(c.probes[2].kind, ProbeKind::DevicePhase(i) if c.elements[i].name == "B1"));
}

#[test]
fn instance_value_overrides() {
    let text = ".subckt S a\n\
         .model jm jj(icrit=0.1mA)\n\
         L1 a b 2p\n\
         B1 b 0 jm area=1\n\
         .ends\n\
         X1 S 1 L1=5p B1=3\n\
         X2 S 2 L9=1p\n\
         R1 1 0 1\n\
         .tran 0.25p 10p\n";
    let c = parse(text);
    assert!(matches!(element(&c, "L1|X1"), ElementKind::Inductor { l, .. } if close(*l, 5e-12)));
    assert!(
        matches!(element(&c, "B1|X1"), ElementKind::Junction { model, .. } if model.area == 3.0)
    );
    assert!(matches!(element(&c, "L1|X2"), ElementKind::Inductor { l, .. } if close(*l, 2e-12)));
    let report = netlist::parse_report(text, Path::new("o.cir"), &BTreeMap::new()).expect("parses");
    assert_eq!(report.warnings.len(), 1);
    let message = &report.warnings[0].message;
    assert!(
        message.contains("L9= on X2 matches no element of S"),
        "{message}"
    );
}

#[test]
fn parameter_overrides_reach_dependents() {
    let path = Path::new(NETLISTS).join("include_main.cir");
    let text = ".param ib=280u\n.param ib2=ib*2\nI1 0 1 ib2\nR1 1 0 1\n.tran 0.25p 10p\n";
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("p.cir");
    std::fs::write(&file, text).expect("write");
    let mut over = BTreeMap::new();
    over.insert("IB".to_string(), 100e-6);
    let c = netlist::load_with_params(&file, &over).expect("loads");
    assert!(
        matches!(element(&c, "I1"), ElementKind::CurrentSource { wave: Waveform::Dc(v), .. } if close(*v, 200e-6))
    );
    over.insert("nope".to_string(), 1.0);
    let err = netlist::load_with_params(&file, &over).expect_err("unknown override");
    assert!(
        err.message.contains("NOPE") || err.message.contains("nope"),
        "{}",
        err.message
    );
    assert!(path.exists());
}

#[test]
fn warnings_for_what_josim_only_warns_about() {
    let report = netlist::parse_report(
        ".param a=1\n.param a=2\nR1 1 0 a\n.tran 0.25p 10p\n.print devv X1_L6\n.print v(1)\n",
        Path::new("w.cir"),
        &BTreeMap::new(),
    )
    .expect("parses");
    assert!(
        matches!(report.circuit.elements[0].kind, ElementKind::Resistor { r, .. } if r == 1.0),
        "first .param wins"
    );
    assert_eq!(report.circuit.probes.len(), 1);
    assert_eq!(
        report.warnings.len(),
        2,
        "{:?}",
        report
            .warnings
            .iter()
            .map(|w| &w.message)
            .collect::<Vec<_>>()
    );
    assert_eq!(report.warnings[1].line, 5);
}

#[test]
fn a_read_netlist_builds_again_with_new_parameter_values() {
    let text =
        ".param lb=2p\n.param ib=100u\n.param l2=lb*2\nL1 1 0 l2\nI1 0 1 ib\n.tran 0.25p 10p\n";
    let n = netlist::Netlist::parse(text, Path::new("sweep.cir")).expect("reads");
    assert_eq!(n.global_params(), ["LB", "IB", "L2"]);
    for scale in [0.5, 1.0, 1.5] {
        let mut over = BTreeMap::new();
        over.insert("lb".to_string(), 2e-12 * scale);
        let c = n.build(&over).expect("builds").circuit;
        assert!(
            matches!(element(&c, "L1"), ElementKind::Inductor { l, .. } if close(*l, 4e-12 * scale))
        );
    }
}

#[test]
fn a_cell_is_checked_on_its_own() {
    let cell = Path::new(NETLISTS).join("cells/jtl_cell.cir");
    let c = netlist::check_subcircuit(&cell, "jtl_stage").expect("the cell expands");
    assert!(c.element_index("B1|XJTL_STAGE").is_some());
    assert!(c.node("IN").is_some() && c.node("OUT").is_some());
    assert!(c.probes.is_empty() && c.transient.is_none());
    let err = netlist::check_subcircuit(&cell, "nope").expect_err("no such cell");
    assert!(
        err.message.contains("no subcircuit named nope"),
        "{}",
        err.message
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad_cell.cir");
    std::fs::write(&bad, ".subckt BAD a b\nL1 a b lx\n.ends\n").expect("write");
    let err = netlist::check_subcircuit(&bad, "BAD").expect_err("undefined parameter");
    assert_eq!((err.line, err.column), (2, 8));
    assert!(
        err.message.contains("undefined parameter `LX`"),
        "{}",
        err.message
    );
}

#[test]
fn nodes_are_numbered_in_order_of_first_use_by_an_element() {
    // As in JoSIM: an X line numbers no node; its ports get numbers when the
    // expanded elements use them.
    let c = parse(
        ".subckt S a b\n\
         R1 mid a 1\n\
         R2 mid b 1\n\
         .ends\n\
         X1 S in out\n\
         R9 out 0 1\n\
         .tran 0.25p 10p\n",
    );
    assert_eq!(c.nodes, ["MID|X1", "IN", "OUT"]);
}
