//! Hand-built circuits: analytic checks independent of the netlist parser.

use crate::circuit::{
    Circuit, Element, ElementKind, JunctionModel, Node, Probe, ProbeKind, Transient, Waveform,
};

use super::{simulate, Mode, SimError, SimOptions};

fn tran(tstep: f64, tstop: f64) -> Option<Transient> {
    Some(Transient {
        tstep,
        tstop,
        pstart: 0.0,
        pstep: tstep,
    })
}

fn el(name: &str, kind: ElementKind) -> Element {
    Element {
        name: name.into(),
        kind,
    }
}

fn n(i: usize) -> Node {
    Node::Index(i)
}

/// A current step into an inductor with a parallel resistor: I_L(t) = I (1 - exp(-t R/L)).
fn lr_circuit() -> Circuit {
    Circuit {
        nodes: vec!["1".into()],
        elements: vec![
            el(
                "I1",
                ElementKind::CurrentSource {
                    p: Node::Ground,
                    n: n(0),
                    wave: Waveform::Pwl(vec![(0.0, 0.0), (1e-13, 1e-3)]),
                },
            ),
            el(
                "L1",
                ElementKind::Inductor {
                    p: n(0),
                    n: Node::Ground,
                    l: 10e-12,
                },
            ),
            el(
                "R1",
                ElementKind::Resistor {
                    p: n(0),
                    n: Node::Ground,
                    r: 1.0,
                },
            ),
        ],
        transient: tran(0.01e-12, 100e-12),
        probes: vec![Probe {
            header: "I(L1)".into(),
            kind: ProbeKind::DeviceCurrent(1),
        }],
        ..Default::default()
    }
}

#[test]
fn lr_step_response_follows_the_time_constant() {
    for mode in [Mode::Phase, Mode::Voltage] {
        let opts = SimOptions {
            mode,
            ..SimOptions::new()
        };
        let w = simulate(&lr_circuit(), &opts).expect("simulates");
        let il = w.column("I(L1)").expect("column");
        for (t, i) in w.time.iter().zip(il).skip(100).step_by(500) {
            let expect = 1e-3 * (1.0 - (-(t - 0.05e-12) / 10e-12).exp());
            assert!(
                (i - expect).abs() < 2e-6,
                "{mode:?} t={t:e}: {i:e} vs {expect:e}"
            );
        }
    }
}

fn junction(ic: f64) -> JunctionModel {
    JunctionModel {
        name: "JJ1".into(),
        rtype: 1,
        vg: 2.8e-3,
        delv: 0.1e-3,
        ic,
        rn: 16.0,
        r0: 160.0,
        cap: 0.07e-12,
        icfct: std::f64::consts::FRAC_PI_4,
        phi: 0.0,
        t: 4.2,
        tc: 9.1,
        d: 0.0,
        cpr: vec![1.0],
        area: 1.0,
    }
}

fn biased_junction(bias: f64) -> Circuit {
    Circuit {
        nodes: vec!["1".into()],
        elements: vec![
            el(
                "B1",
                ElementKind::Junction {
                    p: n(0),
                    n: Node::Ground,
                    model: junction(100e-6),
                },
            ),
            el(
                "RS",
                ElementKind::Resistor {
                    p: n(0),
                    n: Node::Ground,
                    r: 4.0,
                },
            ),
            el(
                "IB",
                ElementKind::CurrentSource {
                    p: Node::Ground,
                    n: n(0),
                    wave: Waveform::Pwl(vec![(0.0, 0.0), (20e-12, bias)]),
                },
            ),
        ],
        transient: tran(0.1e-12, 200e-12),
        probes: vec![
            Probe {
                header: "P(B1)".into(),
                kind: ProbeKind::DevicePhase(0),
            },
            Probe {
                header: "V(B1)".into(),
                kind: ProbeKind::DeviceVoltage(0),
            },
        ],
        ..Default::default()
    }
}

#[test]
fn junction_stays_superconducting_below_ic_and_switches_above() {
    let w = simulate(&biased_junction(70e-6), &SimOptions::new()).expect("simulates");
    let p = w.column("P(B1)").expect("phase");
    let last = p[p.len() - 1];
    // Static phase asin(0.7).
    assert!((last - 0.7f64.asin()).abs() < 1e-3, "phase {last}");
    let w = simulate(&biased_junction(150e-6), &SimOptions::new()).expect("simulates");
    let p = w.column("P(B1)").expect("phase");
    assert!(
        p[p.len() - 1] > 20.0,
        "running junction phase {}",
        p[p.len() - 1]
    );
    let v = w.column("V(B1)").expect("voltage");
    let mean_v: f64 = v[v.len() / 2..].iter().sum::<f64>() / (v.len() - v.len() / 2) as f64;
    assert!(mean_v > 50e-6 && mean_v < 1e-3, "mean voltage {mean_v}");
}

#[test]
fn noise_is_reproducible_per_seed() {
    let mut c = biased_junction(95e-6);
    c.temperature = Some(4.2);
    let run = |seed| {
        let opts = SimOptions {
            seed: Some(seed),
            ..SimOptions::new()
        };
        simulate(&c, &opts).expect("simulates")
    };
    let (a, b, other) = (run(5), run(5), run(6));
    assert_eq!(a, b);
    assert_ne!(a.column("P(B1)"), other.column("P(B1)"));
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let mut c = lr_circuit();
    c.transient = None;
    assert_eq!(simulate(&c, &SimOptions::new()), Err(SimError::NoTransient));
    let mut c = lr_circuit();
    c.elements[0].kind = ElementKind::CurrentSource {
        p: Node::Ground,
        n: n(0),
        wave: Waveform::Pwl(vec![(0.0, 0.0), (2e-12, 1.0), (1e-12, 0.0)]),
    };
    assert!(matches!(
        simulate(&c, &SimOptions::new()),
        Err(SimError::Invalid(_))
    ));
    let mut c = lr_circuit();
    c.elements.push(el(
        "R2",
        ElementKind::Resistor {
            p: n(0),
            n: Node::Ground,
            r: f64::NAN,
        },
    ));
    assert!(matches!(
        simulate(&c, &SimOptions::new()),
        Err(SimError::Invalid(_))
    ));
}

#[test]
fn floating_node_is_reported() {
    let mut c = lr_circuit();
    c.nodes.push("2".into());
    c.elements.push(el(
        "C1",
        ElementKind::Capacitor {
            p: n(1),
            n: n(1),
            c: 1e-12,
        },
    ));
    assert!(matches!(
        simulate(&c, &SimOptions::new()),
        Err(SimError::Solver(_))
    ));
}

#[test]
fn without_probes_every_node_is_printed() {
    let mut c = lr_circuit();
    c.probes.clear();
    let w = simulate(&c, &SimOptions::new()).expect("simulates");
    assert_eq!(w.headers, vec!["P(1)".to_string()]);
    assert_eq!(w.time.len(), w.columns[0].len());
}

#[test]
fn spread_varies_values_per_seed_and_can_be_disabled() {
    let mut c = lr_circuit();
    c.spread.global = Some(0.2);
    let run = |seed, apply_spread| {
        let opts = SimOptions {
            seed: Some(seed),
            apply_spread,
            ..SimOptions::new()
        };
        simulate(&c, &opts).expect("simulates")
    };
    let nominal = simulate(&lr_circuit(), &SimOptions::new()).expect("simulates");
    let (a, b, other) = (run(1, true), run(1, true), run(2, true));
    assert_eq!(a, b);
    assert_ne!(a.columns, other.columns);
    assert_ne!(a.columns, nominal.columns);
    assert_eq!(run(1, false).columns, nominal.columns);
}
