//! Compiles a [`Circuit`] into the element lists and matrix of one simulation.

use crate::circuit::{Circuit, ElementKind, Node};

use super::branches::{BranchInductor, Cccs, Ccvs, PhaseSource, Vccs, Vcvs, VoltageSource};
use super::junction::Junction;
use super::mna::{MatrixBuilder, Pair};
use super::noise::{Gaussian, SampledNoise};
use super::passive::{Capacitor, CurrentSource, Inductor, Resistor};
use super::rng::{NOISE_TAG, SPREAD_TAG};
use super::tline::TransmissionLine;
use super::waveform::Source;
use super::{Mode, SimError};

/// Where an element of the circuit ended up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Slot {
    Resistor(usize),
    Capacitor(usize),
    Inductor(usize),
    BranchInductor(usize),
    Junction(usize),
    VoltageSource(usize),
    PhaseSource(usize),
    CurrentSource(usize),
    TransmissionLine(usize),
    Vcvs(usize),
    Cccs(usize),
    Vccs(usize),
    Ccvs(usize),
    /// Mutual couplings have no branch of their own.
    None,
}

/// One simulation's elements and matrix, for a fixed time step.
#[derive(Clone)]
pub struct System {
    pub mode: Mode,
    pub h: f64,
    pub n: usize,
    /// Node unknowns: `x[..nodes]` (node phases in phase mode), branch unknowns after.
    pub nodes: usize,
    pub resistors: Vec<Resistor>,
    pub capacitors: Vec<Capacitor>,
    pub inductors: Vec<Inductor>,
    pub branch_inductors: Vec<BranchInductor>,
    pub junctions: Vec<Junction>,
    /// Per junction, this step's sine argument and its sine (scratch of `assemble`).
    pub sine_args: Vec<f64>,
    pub sines: Vec<f64>,
    pub vsources: Vec<VoltageSource>,
    pub psources: Vec<PhaseSource>,
    pub isources: Vec<CurrentSource>,
    pub tlines: Vec<TransmissionLine>,
    pub vcvs: Vec<Vcvs>,
    pub cccs: Vec<Cccs>,
    pub vccs: Vec<Vccs>,
    pub ccvs: Vec<Ccvs>,
    pub slots: Vec<Slot>,
    pub matrix: MatrixBuilder,
    pub noise_rng: Gaussian,
}

/// Outcome of building: a system, or JoSIM's request to halve the step
/// (a transmission line shorter than one step).
pub enum Built {
    System(Box<System>),
    StepTooLarge,
}

/// Below these values a resistor or inductor keeps JoSIM's branch row instead of
/// being stamped as a (huge) conductance, which would ruin the matrix conditioning.
const TINY_RESISTANCE: f64 = 1e-3;
const TINY_INDUCTANCE: f64 = 1e-15;

fn pair(p: Node, n: Node) -> Pair {
    let ix = |x: Node| match x {
        Node::Ground => None,
        Node::Index(i) => Some(i),
    };
    Pair::new(ix(p), ix(n))
}

/// Spreads element values as JoSIM does (normal, sigma = value * spread / 3), one
/// fresh Box-Muller pair per value from JoSIM's spread stream (`Spread::spread_value`).
struct Spreader {
    rng: Gaussian,
    spread: crate::circuit::Spread,
    enabled: bool,
}

impl Spreader {
    fn apply(&mut self, value: f64, specific: Option<f64>) -> f64 {
        if !self.enabled {
            return value;
        }
        match specific.or(self.spread.global) {
            Some(s) if s != 0.0 => {
                let sigma = (value.abs() * s) / 3.0;
                value + sigma * self.rng.sample_fresh()
            }
            _ => value,
        }
    }
}

pub fn build(c: &Circuit, mode: Mode, h: f64, seed: u64, spread: bool) -> Result<Built, SimError> {
    let n_nodes = c.nodes.len();
    let mut next = n_nodes;
    let mut alloc = || {
        next += 1;
        next - 1
    };
    let mut mb = MatrixBuilder::default();
    let mut noise_rng = Gaussian::new(seed, NOISE_TAG);
    let mut spreader = Spreader {
        rng: Gaussian::new(seed, SPREAD_TAG),
        spread: c.spread,
        enabled: spread,
    };
    let temperature = c.temperature;
    let neb = c.noise_bandwidth.unwrap_or(1e12);
    if temperature.is_some() && (neb.is_nan() || neb <= 0.0) {
        return Err(SimError::Invalid(format!(
            ".neb must be positive, got {neb:e}"
        )));
    }

    // Which inductors need their current as an unknown.
    let mut coupled = vec![false; c.elements.len()];
    for e in &c.elements {
        if let ElementKind::Mutual { l1, l2, .. } = e.kind {
            for l in [l1, l2] {
                match c.elements.get(l).map(|x| &x.kind) {
                    Some(ElementKind::Inductor { .. }) => coupled[l] = true,
                    _ => {
                        return Err(SimError::Invalid(format!(
                            "{}: coupling refers to element #{l}, which is not an inductor",
                            e.name
                        )))
                    }
                }
            }
        }
    }

    let mut s = System {
        mode,
        h,
        n: 0,
        nodes: n_nodes,
        resistors: Vec::new(),
        capacitors: Vec::new(),
        inductors: Vec::new(),
        branch_inductors: Vec::new(),
        junctions: Vec::new(),
        sine_args: Vec::new(),
        sines: Vec::new(),
        vsources: Vec::new(),
        psources: Vec::new(),
        isources: Vec::new(),
        tlines: Vec::new(),
        vcvs: Vec::new(),
        cccs: Vec::new(),
        vccs: Vec::new(),
        ccvs: Vec::new(),
        slots: Vec::with_capacity(c.elements.len()),
        matrix: MatrixBuilder::default(),
        noise_rng: Gaussian::new(0, NOISE_TAG),
    };
    let bad = |name: &str, what: &str, v: f64| {
        SimError::Invalid(format!(
            "{name}: {what} must be finite (and non-zero where it divides), got {v:e}"
        ))
    };
    let src = |name: &str, w, g: &mut Gaussian| {
        Source::new(w, g).map_err(|e| SimError::Invalid(format!("{name}: {e}")))
    };
    for (idx, e) in c.elements.iter().enumerate() {
        let slot = match &e.kind {
            &ElementKind::Resistor { p, n, r } => {
                let r = spreader.apply(r, c.spread.resistance);
                if !r.is_finite() {
                    return Err(bad(&e.name, "resistance", r));
                }
                // Milliohm-and-below resistors keep their current unknown (conditioning).
                let var = (r.abs() < TINY_RESISTANCE).then(&mut alloc);
                let mut res = Resistor::new(pair(p, n), var, r, mode, h, &mut mb);
                if let Some(t) = temperature {
                    res.noise = Some(Box::new(SampledNoise::thermal(r, t, neb, &mut noise_rng)));
                }
                s.resistors.push(res);
                Slot::Resistor(s.resistors.len() - 1)
            }
            &ElementKind::Capacitor { p, n, c: cap } => {
                let cap = spreader.apply(cap, c.spread.capacitance);
                if !cap.is_finite() || cap == 0.0 {
                    return Err(bad(&e.name, "capacitance", cap));
                }
                s.capacitors
                    .push(Capacitor::new(pair(p, n), cap, mode, h, &mut mb));
                Slot::Capacitor(s.capacitors.len() - 1)
            }
            &ElementKind::Inductor { p, n, l } => {
                let l = spreader.apply(l, c.spread.inductance);
                if !l.is_finite() {
                    return Err(bad(&e.name, "inductance", l));
                }
                // A zero inductance is a short with a current unknown, as in JoSIM.
                if coupled[idx] || mode == Mode::Voltage || l.abs() < TINY_INDUCTANCE {
                    let var = alloc();
                    s.branch_inductors.push(BranchInductor::new(
                        pair(p, n),
                        var,
                        l,
                        mode,
                        h,
                        &mut mb,
                    ));
                    Slot::BranchInductor(s.branch_inductors.len() - 1)
                } else {
                    s.inductors.push(Inductor::new(pair(p, n), l, &mut mb));
                    Slot::Inductor(s.inductors.len() - 1)
                }
            }
            ElementKind::Mutual { .. } => Slot::None,
            ElementKind::Junction { p, n, model } => {
                let mut m = model.clone();
                if let (true, Some(sp)) = (spread, c.spread.junction.or(c.spread.global)) {
                    let f = spreader.apply(1.0, Some(sp));
                    m.ic *= f;
                    m.cap *= f;
                    m.rn /= f;
                    m.r0 /= f;
                }
                for (what, v) in [("ic", m.ic), ("rn", m.rn), ("r0", m.r0), ("cap", m.cap)] {
                    if !v.is_finite() || v <= 0.0 {
                        return Err(SimError::Invalid(format!(
                            "{}: junction {what} must be positive, got {v:e}",
                            e.name
                        )));
                    }
                }
                let mut j = Junction::new(pair(*p, *n), &m, mode, h, &mut mb);
                if let Some(t) = temperature {
                    j.set_noise(t, neb, &mut noise_rng);
                }
                s.junctions.push(j);
                Slot::Junction(s.junctions.len() - 1)
            }
            ElementKind::VoltageSource { p, n, wave } => {
                let var = alloc();
                let so = src(&e.name, wave, &mut noise_rng)?;
                s.vsources
                    .push(VoltageSource::new(pair(*p, *n), var, so, &mut mb));
                Slot::VoltageSource(s.vsources.len() - 1)
            }
            ElementKind::PhaseSource { p, n, wave } => {
                let var = alloc();
                let so = src(&e.name, wave, &mut noise_rng)?;
                s.psources
                    .push(PhaseSource::new(pair(*p, *n), var, so, &mut mb));
                Slot::PhaseSource(s.psources.len() - 1)
            }
            ElementKind::CurrentSource { p, n, wave } => {
                let so = src(&e.name, wave, &mut noise_rng)?;
                s.isources.push(CurrentSource {
                    pair: pair(*p, *n),
                    source: so,
                    last: 0.0,
                });
                Slot::CurrentSource(s.isources.len() - 1)
            }
            &ElementKind::TransmissionLine {
                p1,
                n1,
                p2,
                n2,
                z0,
                td,
            } => {
                let k = (td / h).round();
                if k < 1.0 {
                    return Ok(Built::StepTooLarge);
                }
                let (v1, v2) = (alloc(), alloc());
                s.tlines.push(TransmissionLine::new(
                    pair(p1, n1),
                    pair(p2, n2),
                    v1,
                    v2,
                    z0,
                    k as usize,
                    mode,
                    h,
                    &mut mb,
                ));
                Slot::TransmissionLine(s.tlines.len() - 1)
            }
            &ElementKind::Vcvs { p, n, cp, cn, gain } => {
                let var = alloc();
                s.vcvs
                    .push(Vcvs::new(pair(p, n), pair(cp, cn), var, gain, &mut mb));
                Slot::Vcvs(s.vcvs.len() - 1)
            }
            &ElementKind::Cccs { p, n, cp, cn, gain } => {
                if gain == 0.0 {
                    return Err(bad(&e.name, "gain", gain));
                }
                let var = alloc();
                s.cccs
                    .push(Cccs::new(pair(p, n), pair(cp, cn), var, gain, &mut mb));
                Slot::Cccs(s.cccs.len() - 1)
            }
            &ElementKind::Vccs { p, n, cp, cn, gain } => {
                if gain == 0.0 {
                    return Err(bad(&e.name, "gain", gain));
                }
                let var = alloc();
                s.vccs.push(Vccs::new(
                    pair(p, n),
                    pair(cp, cn),
                    var,
                    gain,
                    mode,
                    h,
                    &mut mb,
                ));
                Slot::Vccs(s.vccs.len() - 1)
            }
            &ElementKind::Ccvs { p, n, cp, cn, gain } => {
                let (vc, vo) = (alloc(), alloc());
                s.ccvs.push(Ccvs::new(
                    pair(p, n),
                    pair(cp, cn),
                    vc,
                    vo,
                    gain,
                    mode,
                    h,
                    &mut mb,
                ));
                Slot::Ccvs(s.ccvs.len() - 1)
            }
        };
        s.slots.push(slot);
    }
    // Mutual inductances, M = k sqrt(L1 L2), after all inductors exist.
    for e in &c.elements {
        if let ElementKind::Mutual { l1, l2, k } = e.kind {
            let (Slot::BranchInductor(a), Slot::BranchInductor(b)) = (s.slots[l1], s.slots[l2])
            else {
                continue;
            };
            let m = k * (s.branch_inductors[a].l * s.branch_inductors[b].l).sqrt();
            if m != 0.0 {
                let (va, vb) = (s.branch_inductors[a].var, s.branch_inductors[b].var);
                s.branch_inductors[a].stamp_mutual(vb, m, mode, h, &mut mb);
                s.branch_inductors[b].stamp_mutual(va, m, mode, h, &mut mb);
                s.branch_inductors[a].mutuals.push((b, m));
                s.branch_inductors[b].mutuals.push((a, m));
            }
        }
    }
    s.n = next;
    s.matrix = mb;
    s.noise_rng = noise_rng;
    Ok(Built::System(Box::new(s)))
}
