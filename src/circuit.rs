//! The flat circuit: what the netlist front end hands to the simulation engines.
//!
//! A JoSIM netlist, once parsed, its parameters evaluated and its subcircuits
//! expanded, becomes one [`Circuit`]: a list of elements between numbered nodes,
//! with every value a plain SI number. Names follow JoSIM's output convention:
//! upper case, and an element or node inside subcircuit instances carries the
//! instance path after `|`, innermost first (`B1|XDUT`, `L2|X1|X2`).
//!
//! This module holds data only; the parser (`crate::netlist`) builds it and the
//! engines (`crate::sim`) read it.

/// A node of the flat circuit: ground, or an index into [`Circuit::nodes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    Ground,
    Index(usize),
}

/// Josephson junction model, after `area=` / `ic=` scaling has been applied
/// (so `ic`, `cap`, `rn`, `r0` are those of this junction, not of the model card).
#[derive(Debug, Clone, PartialEq)]
pub struct JunctionModel {
    /// Model card name as written (upper case), for messages.
    pub name: String,
    /// 0: no quasiparticle resistance switching (resistive only, rn), 1: piecewise-linear
    /// subgap/normal resistance as JoSIM's rtype=1.
    pub rtype: i64,
    /// Gap voltage (V).
    pub vg: f64,
    /// Width of the transition at the gap (V).
    pub delv: f64,
    /// Critical current (A).
    pub ic: f64,
    /// Normal-state resistance (ohm).
    pub rn: f64,
    /// Subgap resistance (ohm).
    pub r0: f64,
    /// Junction capacitance (F).
    pub cap: f64,
    /// Ic·Rn product correction factor (JoSIM's icfct, default pi/4).
    pub icfct: f64,
    /// Phase offset (rad); pi gives a pi-junction.
    pub phi: f64,
    /// Temperature (K) and critical temperature (K) of the model (JoSIM's t, tc).
    pub t: f64,
    pub tc: f64,
    /// Transparency (JoSIM's d); 0 for the tunnel junction's sine current-phase relation.
    pub d: f64,
    /// Current-phase relation harmonics (JoSIM's cpr), `[1.0]` for a pure sine.
    pub cpr: Vec<f64>,
    /// The area multiplier that was applied (for reporting).
    pub area: f64,
}

/// A source waveform in SI units (time in s).
#[derive(Debug, Clone, PartialEq)]
pub enum Waveform {
    Dc(f64),
    /// Piecewise linear: (time, value) points in the order written.
    Pwl(Vec<(f64, f64)>),
    Pulse {
        v1: f64,
        v2: f64,
        td: f64,
        tr: f64,
        tf: f64,
        pw: f64,
        per: f64,
    },
    Sin {
        vo: f64,
        va: f64,
        freq: f64,
        td: f64,
        theta: f64,
    },
    Exp {
        v1: f64,
        v2: f64,
        td1: f64,
        tau1: f64,
        td2: f64,
        tau2: f64,
    },
    /// JoSIM's `noise(vo, va, tstep)`-style source (amplitude and time step as written).
    Noise {
        vo: f64,
        va: f64,
        td: f64,
        tstep: f64,
    },
}

/// What an element is, with its terminals and values.
#[derive(Debug, Clone, PartialEq)]
pub enum ElementKind {
    Resistor {
        p: Node,
        n: Node,
        r: f64,
    },
    Inductor {
        p: Node,
        n: Node,
        l: f64,
    },
    Capacitor {
        p: Node,
        n: Node,
        c: f64,
    },
    /// Mutual coupling between two inductors, as indices into [`Circuit::elements`].
    Mutual {
        l1: usize,
        l2: usize,
        k: f64,
    },
    Junction {
        p: Node,
        n: Node,
        model: JunctionModel,
    },
    VoltageSource {
        p: Node,
        n: Node,
        wave: Waveform,
    },
    /// Current flows from `p` through the source into `n` (SPICE convention: `I 0 1` pushes into node 1).
    CurrentSource {
        p: Node,
        n: Node,
        wave: Waveform,
    },
    PhaseSource {
        p: Node,
        n: Node,
        wave: Waveform,
    },
    /// Ideal lossless line: port 1 (p1, n1), port 2 (p2, n2).
    TransmissionLine {
        p1: Node,
        n1: Node,
        p2: Node,
        n2: Node,
        z0: f64,
        td: f64,
    },
    /// E: voltage-controlled voltage source.
    Vcvs {
        p: Node,
        n: Node,
        cp: Node,
        cn: Node,
        gain: f64,
    },
    /// G: voltage-controlled current source.
    Vccs {
        p: Node,
        n: Node,
        cp: Node,
        cn: Node,
        gain: f64,
    },
    /// F: current-controlled current source; the controlling current flows through a
    /// zero-volt branch between `cp` and `cn`.
    Cccs {
        p: Node,
        n: Node,
        cp: Node,
        cn: Node,
        gain: f64,
    },
    /// H: current-controlled voltage source, control as for [`ElementKind::Cccs`].
    Ccvs {
        p: Node,
        n: Node,
        cp: Node,
        cn: Node,
        gain: f64,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    /// JoSIM output name, upper case, hierarchical with `|` (e.g. `B1|XDUT`).
    pub name: String,
    pub kind: ElementKind,
}

/// One column the user asked for with `.print`, `.plot` or `.save`.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// The CSV column header exactly as JoSIM writes it, without quotes
    /// (e.g. `P(B1|XDUT)`, `V(3,0)`, `I(ROUT)`, `V(1)`).
    pub header: String,
    pub kind: ProbeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProbeKind {
    /// Voltage of `p` with respect to `n`.
    NodeVoltage { p: Node, n: Node },
    /// Phase of `p` with respect to `n`.
    NodePhase { p: Node, n: Node },
    /// Voltage across an element (index into [`Circuit::elements`]).
    DeviceVoltage(usize),
    /// Current through an element.
    DeviceCurrent(usize),
    /// Phase across an element.
    DevicePhase(usize),
}

/// `.tran tstep tstop [pstart [pstep]]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transient {
    pub tstep: f64,
    pub tstop: f64,
    pub pstart: f64,
    pub pstep: f64,
}

/// `.spread` settings: relative uniform spreads applied by JoSIM to element values.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Spread {
    pub global: Option<f64>,
    pub inductance: Option<f64>,
    pub capacitance: Option<f64>,
    pub resistance: Option<f64>,
    pub junction: Option<f64>,
}

/// A fully expanded circuit, ready to simulate.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Circuit {
    /// Node names (JoSIM output form), indexed by [`Node::Index`].
    pub nodes: Vec<String>,
    pub elements: Vec<Element>,
    pub transient: Option<Transient>,
    pub probes: Vec<Probe>,
    /// `.temp` in kelvin: thermal noise currents on resistors when set.
    pub temperature: Option<f64>,
    /// `.neb` noise effective bandwidth in Hz.
    pub noise_bandwidth: Option<f64>,
    /// `.option seed=`.
    pub seed: Option<u64>,
    pub spread: Spread,
}

impl Circuit {
    /// Index of the element with this (upper-case, hierarchical) name.
    pub fn element_index(&self, name: &str) -> Option<usize> {
        self.elements.iter().position(|e| e.name == name)
    }

    /// The node with this name, `Ground` for `0` and `GND`.
    pub fn node(&self, name: &str) -> Option<Node> {
        if name == "0" || name.eq_ignore_ascii_case("gnd") {
            return Some(Node::Ground);
        }
        self.nodes.iter().position(|n| n == name).map(Node::Index)
    }
}
