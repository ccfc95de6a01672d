//! Writes a flat [`Circuit`] (after sweep edits) back as a JoSIM netlist, so an
//! installed JoSIM simulates exactly the circuit the built-in engine would: every
//! element at the top level under its hierarchical name, one `.model` per distinct
//! junction (area 1, its own critical current), the controls and the output
//! requests in the circuit's order (the reader maps JoSIM's columns back by position
//! to [`Circuit::probes`]' headers).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::circuit::{Circuit, ElementKind, JunctionModel, Node, ProbeKind, Waveform};

/// Why a circuit cannot be written for JoSIM.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the circuit for JoSIM: {0}")]
pub struct WriteError(pub String);

fn num(x: f64) -> String {
    format!("{x:e}")
}

fn model_card(name: &str, m: &JunctionModel) -> Result<String, WriteError> {
    if m.cpr.len() > 1 || m.cpr.first().is_some_and(|&c| c != 1.0) || m.d != 0.0 {
        return Err(WriteError(format!(
            "junction model {} has a non-sinusoidal current-phase relation",
            m.name
        )));
    }
    let mut s = format!(
        ".model {name} jj(rtype={}, vg={}, delv={}, icrit={}, rn={}, r0={}, cap={}, icfct={}",
        m.rtype,
        num(m.vg),
        num(m.delv),
        num(m.ic),
        num(m.rn),
        num(m.r0),
        num(m.cap),
        num(m.icfct)
    );
    if m.phi != 0.0 {
        let _ = write!(s, ", phi={}", num(m.phi));
    }
    s.push(')');
    Ok(s)
}

fn wave(w: &Waveform) -> String {
    match w {
        Waveform::Dc(v) => format!("dc {}", num(*v)),
        Waveform::Pwl(points) => {
            let body: Vec<String> = points
                .iter()
                .map(|(t, v)| format!("{} {}", num(*t), num(*v)))
                .collect();
            format!("pwl({})", body.join(" "))
        }
        Waveform::Pulse {
            v1,
            v2,
            td,
            tr,
            tf,
            pw,
            per,
        } => format!(
            "pulse({} {} {} {} {} {} {})",
            num(*v1),
            num(*v2),
            num(*td),
            num(*tr),
            num(*tf),
            num(*pw),
            num(*per)
        ),
        Waveform::Sin {
            vo,
            va,
            freq,
            td,
            theta,
        } => format!(
            "sin({} {} {} {} {})",
            num(*vo),
            num(*va),
            num(*freq),
            num(*td),
            num(*theta)
        ),
        Waveform::Exp {
            v1,
            v2,
            td1,
            tau1,
            td2,
            tau2,
        } => format!(
            "exp({} {} {} {} {} {})",
            num(*v1),
            num(*v2),
            num(*td1),
            num(*tau1),
            num(*td2),
            num(*tau2)
        ),
        Waveform::Noise { va, td, tstep, .. } => {
            format!("noise({} {} {})", num(*va), num(*td), num(*tstep))
        }
    }
}

/// The netlist text of `circuit` for JoSIM.
pub fn josim_text(circuit: &Circuit) -> Result<String, WriteError> {
    let node = |n: &Node| match n {
        Node::Ground => "0".to_string(),
        Node::Index(i) => circuit.nodes[*i].clone(),
    };
    let mut out = String::from("* flat circuit written by nmgen for JoSIM (sweep point)\n");
    let mut models: BTreeMap<String, String> = BTreeMap::new();
    let mut body = String::new();
    for e in &circuit.elements {
        let line = match &e.kind {
            ElementKind::Resistor { p, n, r } => format!("{} {} {}", node(p), node(n), num(*r)),
            ElementKind::Inductor { p, n, l } => format!("{} {} {}", node(p), node(n), num(*l)),
            ElementKind::Capacitor { p, n, c } => format!("{} {} {}", node(p), node(n), num(*c)),
            ElementKind::Mutual { l1, l2, k } => format!(
                "{} {} {}",
                circuit.elements[*l1].name,
                circuit.elements[*l2].name,
                num(*k)
            ),
            ElementKind::Junction { p, n, model } => {
                let card = model_card("M", model)?;
                let next = format!("NMGJJ{}", models.len() + 1);
                let name = models.entry(card).or_insert(next).clone();
                format!("{} {} {name} area=1", node(p), node(n))
            }
            ElementKind::VoltageSource { p, n, wave: w }
            | ElementKind::CurrentSource { p, n, wave: w }
            | ElementKind::PhaseSource { p, n, wave: w } => {
                format!("{} {} {}", node(p), node(n), wave(w))
            }
            ElementKind::TransmissionLine {
                p1,
                n1,
                p2,
                n2,
                z0,
                td,
            } => format!(
                "{} {} {} {} td={} z0={}",
                node(p1),
                node(n1),
                node(p2),
                node(n2),
                num(*td),
                num(*z0)
            ),
            ElementKind::Vcvs { p, n, cp, cn, gain }
            | ElementKind::Vccs { p, n, cp, cn, gain }
            | ElementKind::Cccs { p, n, cp, cn, gain }
            | ElementKind::Ccvs { p, n, cp, cn, gain } => format!(
                "{} {} {} {} {}",
                node(p),
                node(n),
                node(cp),
                node(cn),
                num(*gain)
            ),
        };
        let _ = writeln!(body, "{} {line}", e.name);
    }
    for (card, name) in &models {
        // the card was written with a placeholder name
        let _ = writeln!(out, ".model {name}{}", &card[".model M".len()..]);
    }
    out.push_str(&body);
    let t = circuit
        .transient
        .ok_or_else(|| WriteError("the circuit has no .tran".into()))?;
    let _ = writeln!(
        out,
        ".tran {} {} {} {}",
        num(t.tstep),
        num(t.tstop),
        num(t.pstart),
        num(t.pstep)
    );
    if let Some(temp) = circuit.temperature {
        let _ = writeln!(out, ".temp {}", num(temp));
    }
    if let Some(neb) = circuit.noise_bandwidth {
        let _ = writeln!(out, ".neb {}", num(neb));
    }
    if let Some(seed) = circuit.seed {
        let _ = writeln!(out, ".option seed={seed}");
    }
    let s = &circuit.spread;
    let mut spread = String::new();
    for (key, v) in [
        ("", s.global),
        ("l=", s.inductance),
        ("c=", s.capacitance),
        ("r=", s.resistance),
        ("b=", s.junction),
    ] {
        if let Some(v) = v {
            let _ = write!(spread, " {key}{}", num(v));
        }
    }
    if !spread.is_empty() {
        let _ = writeln!(out, ".spread{spread}");
    }
    for p in &circuit.probes {
        let dev = |i: &usize| circuit.elements[*i].name.clone();
        let pair = |a: &Node, b: &Node| match b {
            Node::Ground => node(a),
            _ => format!("{},{}", node(a), node(b)),
        };
        let req = match &p.kind {
            ProbeKind::NodeVoltage { p, n } => format!("v({})", pair(p, n)),
            ProbeKind::NodePhase { p, n } => format!("p({})", pair(p, n)),
            ProbeKind::DeviceVoltage(i) => format!("v({})", dev(i)),
            ProbeKind::DeviceCurrent(i) => format!("i({})", dev(i)),
            ProbeKind::DevicePhase(i) => format!("p({})", dev(i)),
        };
        let _ = writeln!(out, ".print {req}");
    }
    out.push_str(".end\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn written_circuit_reads_back_the_same() {
        let text = "\
.model jj1 jj(rtype=1, vg=2.8mV, cap=0.07pF, r0=160, rn=16, icrit=0.1mA)
.subckt CELL a
B1 a 0 jj1 area=2
R1 a 1 4
L1 1 0 2p
L2 a 2 1p
R2 2 0 1
K1 L1 L2 0.1
IB1 0 a pwl(0 0 5p 175u)
.ends
XC CELL n1
XD CELL n2
IIN 0 n1 pulse(0 100u 10p 2p 2p 3p 50p)
.tran 0.1p 100p 0 0.1p
.temp 4.2
.print p(B1.XC)
.print i(L1.XD)
.print v(n1)
.end
";
        let c = crate::netlist::parse_str(text, Path::new("t.cir")).unwrap();
        let written = josim_text(&c).unwrap();
        let back = crate::netlist::parse_str(&written, Path::new("w.cir")).unwrap();
        assert_eq!(back.elements.len(), c.elements.len());
        for (a, b) in c.elements.iter().zip(&back.elements) {
            assert_eq!(a.name, b.name);
            match (&a.kind, &b.kind) {
                (
                    ElementKind::Junction { model: ma, .. },
                    ElementKind::Junction { model: mb, .. },
                ) => {
                    assert_eq!((ma.ic, ma.rn, ma.r0, ma.cap), (mb.ic, mb.rn, mb.r0, mb.cap));
                }
                (ka, kb) => assert_eq!(ka, kb, "{}", a.name),
            }
        }
        assert_eq!(back.transient, c.transient);
        assert_eq!(back.temperature, c.temperature);
        assert_eq!(back.probes.len(), 3);
        assert!(written.contains(".model NMGJJ1 jj("), "{written}");
    }
}
