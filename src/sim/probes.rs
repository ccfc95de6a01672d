//! Output quantities, computed per stored step the way JoSIM's output stage
//! derives them from the solution (e.g. voltages in phase mode are the BDF2
//! derivative of the stored phases).

use crate::circuit::{Circuit, Node, ProbeKind};

use super::build::{Slot, System};
use super::consts::SIGMA;
use super::mna::Pair;
use super::{Mode, SimError};

#[derive(Debug, Clone)]
enum Quantity {
    /// Difference of the node unknowns (phase in phase mode, voltage in voltage mode).
    Across(Pair),
    /// Voltage from stored phases (phase mode).
    Derivative(Pair),
    /// Phase integrated from stored voltages (voltage mode).
    Integral(Pair),
    /// The junction's own unknown (voltage in phase mode, phase in voltage mode).
    JunctionVar(usize),
    Current(Slot),
}

#[derive(Debug, Clone)]
pub struct Probe {
    q: Quantity,
    n1: f64,
    n2: f64,
    count: u64,
}

fn node_pair(p: Node, n: Node) -> Pair {
    let ix = |x: Node| match x {
        Node::Ground => None,
        Node::Index(i) => Some(i),
    };
    Pair::new(ix(p), ix(n))
}

fn element_pair(s: &System, slot: Slot) -> Option<Pair> {
    Some(match slot {
        Slot::Resistor(i) => s.resistors[i].pair,
        Slot::Capacitor(i) => s.capacitors[i].pair,
        Slot::Inductor(i) => s.inductors[i].pair,
        Slot::BranchInductor(i) => s.branch_inductors[i].pair,
        Slot::Junction(i) => s.junctions[i].pair,
        Slot::VoltageSource(i) => s.vsources[i].pair,
        Slot::PhaseSource(i) => s.psources[i].pair,
        Slot::CurrentSource(i) => s.isources[i].pair,
        Slot::TransmissionLine(i) => s.tlines[i].port1,
        Slot::Vcvs(i) => s.vcvs[i].out,
        Slot::Cccs(i) => s.cccs[i].out,
        Slot::Vccs(i) => s.vccs[i].out,
        Slot::Ccvs(i) => s.ccvs[i].out,
        Slot::None => return None,
    })
}

/// Resolves the circuit's probes against a built system.
pub fn resolve(c: &Circuit, s: &System) -> Result<Vec<Probe>, SimError> {
    let mut out = Vec::with_capacity(c.probes.len());
    for p in &c.probes {
        let elem = |e: usize| -> Result<Slot, SimError> {
            s.slots
                .get(e)
                .copied()
                .filter(|sl| *sl != Slot::None)
                .ok_or_else(|| SimError::Invalid(format!("{}: no such device", p.header)))
        };
        let q = match (&p.kind, s.mode) {
            (&ProbeKind::NodePhase { p, n }, Mode::Phase) => Quantity::Across(node_pair(p, n)),
            (&ProbeKind::NodePhase { p, n }, Mode::Voltage) => Quantity::Integral(node_pair(p, n)),
            (&ProbeKind::NodeVoltage { p, n }, Mode::Phase) => {
                Quantity::Derivative(node_pair(p, n))
            }
            (&ProbeKind::NodeVoltage { p, n }, Mode::Voltage) => Quantity::Across(node_pair(p, n)),
            (&ProbeKind::DeviceCurrent(e), _) => Quantity::Current(elem(e)?),
            (&ProbeKind::DeviceVoltage(e), mode) | (&ProbeKind::DevicePhase(e), mode) => {
                let slot = elem(e)?;
                let pair = element_pair(s, slot)
                    .ok_or_else(|| SimError::Invalid(format!("{}: no such device", p.header)))?;
                let voltage = matches!(p.kind, ProbeKind::DeviceVoltage(_));
                match (slot, voltage, mode) {
                    (Slot::Junction(j), true, Mode::Phase) => Quantity::JunctionVar(j),
                    (Slot::Junction(j), false, Mode::Voltage) => Quantity::JunctionVar(j),
                    (_, true, Mode::Phase) => Quantity::Derivative(pair),
                    (_, true, Mode::Voltage) => Quantity::Across(pair),
                    (_, false, Mode::Phase) => Quantity::Across(pair),
                    (_, false, Mode::Voltage) => Quantity::Integral(pair),
                }
            }
        };
        out.push(Probe {
            q,
            n1: 0.0,
            n2: 0.0,
            count: 0,
        });
    }
    Ok(out)
}

impl Probe {
    /// The unknowns the probe reads (directly or through an element's state).
    pub fn unknowns(&self, s: &System) -> Vec<usize> {
        let ends = |pr: Pair| [pr.p(), pr.n()].into_iter().flatten().collect();
        match &self.q {
            Quantity::Across(pr) | Quantity::Derivative(pr) | Quantity::Integral(pr) => ends(*pr),
            Quantity::JunctionVar(j) => ends(s.junctions[*j].pair),
            Quantity::Current(slot) => element_pair(s, *slot).map_or_else(Vec::new, ends),
        }
    }

    /// The probe's value for the stored step whose solution is `x`. Must be called on
    /// every stored step (voltages and integrated phases carry history).
    pub fn sample(&mut self, s: &System, x: &[f64]) -> f64 {
        let h = s.h;
        let v = match &self.q {
            Quantity::Across(pr) => pr.diff(x),
            Quantity::Derivative(pr) => {
                let d = pr.diff(x);
                let (n1, n2) = match self.count {
                    0 => (d, d),
                    1 => (self.n1, self.n1),
                    _ => (self.n1, self.n2),
                };
                self.n2 = self.n1;
                self.n1 = d;
                ((3.0 * SIGMA) / (2.0 * h)) * (d - (4.0 / 3.0) * n1 + (1.0 / 3.0) * n2)
            }
            Quantity::Integral(pr) => {
                let d = pr.diff(x);
                let v =
                    ((2.0 * h) / (3.0 * SIGMA)) * d + (4.0 / 3.0) * self.n1 - (1.0 / 3.0) * self.n2;
                self.n2 = self.n1;
                self.n1 = v;
                v
            }
            Quantity::JunctionVar(j) => s.junctions[*j].var(x),
            Quantity::Current(slot) => match *slot {
                Slot::Resistor(i) => s.resistors[i].current(x),
                Slot::Capacitor(i) => s.capacitors[i].current(x),
                Slot::Inductor(i) => s.inductors[i].current(x),
                Slot::BranchInductor(i) => x[s.branch_inductors[i].var],
                Slot::Junction(i) => s.junctions[i].current(x),
                Slot::VoltageSource(i) => x[s.vsources[i].var],
                Slot::PhaseSource(i) => x[s.psources[i].var],
                Slot::CurrentSource(i) => s.isources[i].last,
                Slot::TransmissionLine(i) => x[s.tlines[i].var1],
                Slot::Vcvs(i) => x[s.vcvs[i].var],
                Slot::Cccs(i) => x[s.cccs[i].var],
                Slot::Vccs(i) => x[s.vccs[i].var],
                Slot::Ccvs(i) => x[s.ccvs[i].var_ctrl],
                Slot::None => 0.0,
            },
        };
        self.count += 1;
        v
    }
}

/// JoSIM's choice of output rows: the first step at or after `pstart`, then each
/// step at or after the next multiple of `pstep` (accumulated in floating point).
#[derive(Debug, Clone)]
pub struct PrintSchedule {
    pstart: f64,
    pstep: f64,
    started: bool,
    next: f64,
}

impl PrintSchedule {
    pub fn new(pstart: f64, pstep: f64) -> Self {
        PrintSchedule {
            pstart,
            pstep,
            started: false,
            next: 0.0,
        }
    }

    /// How many rows step time `t` produces (JoSIM can repeat the first row).
    pub fn rows(&mut self, t: f64) -> usize {
        let mut rows = 0;
        if !self.started {
            if t < self.pstart {
                return 0;
            }
            self.started = true;
            self.next = self.pstart + self.pstep;
            rows += 1;
        }
        if t >= self.next {
            self.next += self.pstep;
            rows += 1;
        }
        rows
    }
}
