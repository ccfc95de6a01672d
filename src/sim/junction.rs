//! The Josephson junction (RCSJ with JoSIM's piecewise-linear quasiparticle
//! branch), stepped exactly as JoSIM 2.7's `handle_jj`.
//!
//! Per step JoSIM predicts the junction voltage `v0 = 5/2 V[n-1] - 2 V[n-2] +
//! 1/2 V[n-3]` and phase `phi0 = 4/3 phi[n-1] - 1/3 phi[n-2] + (2e/hbar)(2h/3) v0`,
//! linearises the supercurrent as `Ic sin(phi0)` and, for rtype=1, picks the
//! quasiparticle conductance (subgap 1/R0, transition Ic/(icfct*delv) with an
//! offset current, normal 1/RN) from `|v0|`. A change of conductance is the only
//! event that changes the matrix, and triggers a numeric refactorisation.

use crate::circuit::JunctionModel;

use super::consts::{BOLTZMANN, EV, HBAR, PI, SIGMA};
use super::mna::{MatrixBuilder, Pair};
use super::noise::SampledNoise;
use super::Mode;

/// Temperature-dependent (Ambegaokar-Baratoff) supercurrent parameters.
#[derive(Debug, Clone)]
struct TempDep {
    del: f64,
    t: f64,
    d: f64,
}

/// A junction's state and constants read in every step, kept together and small
/// (192 bytes, aligned to three cache lines, against 456 with everything inline):
/// the transient loop walks thousands of junctions twice a step, and with
/// everything inline they outgrew the core's own cache along with the factors
/// (docs/simulator-speed.md, "Round 14").
#[derive(Debug, Clone)]
#[repr(align(64))]
pub struct Junction {
    pub pair: Pair,
    vn1: f64,
    vn2: f64,
    vn3: f64,
    pn2: f64,
    /// The predicted voltage and phase of this step ([`Junction::predict`]).
    v0: f64,
    phi0: f64,
    /// Right-hand side of the voltage/phase row in this step.
    b1: f64,
    /// Current offset `Ic sin(phi0) - 2C/h V[n-1] + C/2h V[n-2] + It` in this step.
    s: f64,
    it: f64,
    /// `y / pc`, the conductance stamped in phase mode (kept with `y`).
    y_pc: f64,
    /// Step constants, computed once with the same expressions as JoSIM per step:
    /// `(1/sigma)(2h/3)`, `2C/h`, `C/2h`.
    k_phi: f64,
    k_c1: f64,
    k_c2: f64,
    /// `1 / pc`: the predictor and [`Junction::var`] multiply (a division per
    /// junction and step cost more than the rest of it).
    inv_pc: f64,
    phi_off: f64,
    ic: f64,
    /// `cpr[0]`, kept inline for the usual single-harmonic current-phase relation.
    cpr0: f64,
    lower: f64,
    upper: f64,
    /// 0 subgap, 1 transition, 2 normal.
    state: u8,
    /// rtype=1: the quasiparticle branch follows the voltage.
    branches: bool,
    /// One harmonic and no temperature dependence: the supercurrent is `Ic cpr0 sin`.
    simple: bool,
    phase_mode: bool,
    pub noise: Option<Box<SampledNoise>>,
    cold: Box<Cold>,
}

/// What a junction reads only when its branch changes, in voltage mode, for an
/// unusual current-phase relation or when a probe asks.
#[derive(Debug, Clone)]
struct Cold {
    r0: f64,
    rn: f64,
    cpr: Vec<f64>,
    tdep: Option<TempDep>,
    /// Quasiparticle admittance including the capacitor's BDF2 term (JoSIM's "impedance").
    y: f64,
    /// The admittances of the subgap, transition and normal branches (computed
    /// once), and each divided by `pc`.
    y_branch: [f64; 3],
    y_pc_branch: [f64; 3],
    /// The offset current of the transition branch, `lower (1/R0 - g_large)`.
    it_transition: f64,
    /// Voltage mode's `-(2/h)` and `1/2h`.
    k_v1: f64,
    k_v2: f64,
    /// Triplet ids of the conductance stamp.
    slots: Vec<usize>,
}

impl Junction {
    pub fn new(pair: Pair, m: &JunctionModel, mode: Mode, h: f64, mb: &mut MatrixBuilder) -> Self {
        let tdep_flag = m.d != 0.0 || m.t != 4.2 || m.tc != 9.1;
        let mut rn = m.rn;
        let tdep = if tdep_flag {
            let del0 = 1.76 * BOLTZMANN * m.tc;
            let del = del0 * ((PI / 2.0) * (m.t / m.tc) * (m.t / m.tc)).cos().sqrt();
            rn = ((PI * del) / (2.0 * EV * m.ic)) * (del / (2.0 * BOLTZMANN * m.t)).tanh();
            Some(TempDep {
                del,
                t: m.t,
                d: m.d,
            })
        } else {
            None
        };
        let r0 = if m.rtype == 0 { rn } else { m.r0 };
        // JoSIM's phaseConst: coefficient linking the junction voltage and phase rows.
        let pc = match mode {
            Mode::Voltage => (3.0 * HBAR) / (4.0 * h * EV),
            Mode::Phase => (4.0 * h * EV) / (3.0 * HBAR),
        };
        let cpr = if m.cpr.is_empty() {
            vec![1.0]
        } else {
            m.cpr.clone()
        };
        let lower = m.vg - 0.5 * m.delv;
        let g_large = m.ic / (m.icfct * m.delv);
        let c = m.cap;
        let y_branch = [
            (1.0 / r0) + ((3.0 * c) / (2.0 * h)),
            g_large + ((3.0 * c) / (2.0 * h)),
            (1.0 / rn) + ((3.0 * c) / (2.0 * h)),
        ];
        let cold = Cold {
            r0,
            rn,
            cpr,
            tdep,
            y: y_branch[0],
            y_branch,
            y_pc_branch: y_branch.map(|y| y / pc),
            it_transition: lower * ((1.0 / r0) - g_large),
            k_v1: -(2.0 / h),
            k_v2: 1.0 / (2.0 * h),
            slots: Vec::new(),
        };
        let mut j = Junction {
            pair,
            vn1: 0.0,
            vn2: 0.0,
            vn3: 0.0,
            pn2: 0.0,
            v0: 0.0,
            phi0: 0.0,
            b1: 0.0,
            s: 0.0,
            it: 0.0,
            y_pc: cold.y_pc_branch[0],
            k_phi: (1.0 / SIGMA) * ((2.0 * h) / 3.0),
            k_c1: (2.0 * c) / h,
            k_c2: c / (2.0 * h),
            inv_pc: 1.0 / pc,
            phi_off: m.phi,
            ic: m.ic,
            cpr0: m.cpr.first().copied().unwrap_or(1.0),
            lower,
            upper: m.vg + 0.5 * m.delv,
            state: 0,
            branches: m.rtype == 1,
            simple: cold.tdep.is_none() && cold.cpr.len() == 1,
            phase_mode: mode == Mode::Phase,
            noise: None,
            cold: Box::new(cold),
        };
        j.cold.slots = mb.conductance(pair, j.conductance());
        j
    }

    /// Adds thermal noise at `temperature` with bandwidth `neb`.
    ///
    /// The amplitude is that of the subgap resistance R0 (area-scaled; RN for
    /// rtype=0) and stays so in every state, as JoSIM 2.7 simulates: its
    /// `JJ::update_value` means to switch to RN in the normal state, but assigns
    /// through `Function::ampValues()`, which returns a copy, so the source keeps
    /// the amplitude `JJ::JJ` gave it (docs/noise.md).
    pub fn set_noise(&mut self, temperature: f64, neb: f64, g: &mut super::noise::Gaussian) {
        self.noise = Some(Box::new(SampledNoise::thermal(
            self.cold.r0,
            temperature,
            neb,
            g,
        )));
    }

    /// Conductance stamped between the nodes with the junction's own unknown eliminated.
    fn conductance(&self) -> f64 {
        if self.phase_mode {
            self.y_pc
        } else {
            self.cold.y
        }
    }

    /// Writes the current conductance into the triplets.
    pub fn restamp(&self, mb: &mut MatrixBuilder) {
        let g = self.conductance();
        let mut k = 0;
        let pair = self.pair;
        let slots = &self.cold.slots;
        if pair.shorted() {
            return;
        }
        if pair.p.is_some() {
            mb.vals[slots[k]] = g;
            k += 1;
        }
        if pair.n.is_some() {
            mb.vals[slots[k]] = g;
            k += 1;
        }
        if pair.p.is_some() && pair.n.is_some() {
            mb.vals[slots[k]] = -g;
            mb.vals[slots[k + 1]] = -g;
        }
    }

    /// JoSIM's `update_value`: picks the quasiparticle branch from the predicted voltage.
    #[inline(always)]
    fn update_value(&mut self, v: f64) -> bool {
        let state = if v.abs() < self.lower {
            self.it = 0.0;
            0
        } else if v.abs() < self.upper {
            self.it = self.cold.it_transition;
            if v < 0.0 {
                self.it = -self.it;
            }
            1
        } else {
            self.it = 0.0;
            2
        };
        let changed = state != self.state;
        if changed {
            self.set_state(state);
        }
        changed
    }

    /// Switches to quasiparticle branch `state` (JoSIM's `impedance` and its
    /// phase-mode conductance).
    #[cold]
    #[inline(never)]
    fn set_state(&mut self, state: u8) {
        let k = usize::from(state);
        self.cold.y = self.cold.y_branch[k];
        self.y_pc = self.cold.y_pc_branch[k];
        self.state = state;
    }

    /// First half of preparing step `i` from the previous solution `x`: the
    /// predictor. Returns the argument of the supercurrent's sine, `φ0 − φoff`, or
    /// `None` when JoSIM's step-size test fails (`check`). [`Junction::complete`]
    /// takes the sine and does the rest.
    #[inline(always)]
    pub fn predict(&mut self, x: &[f64], i: i64, check: bool, mode: Mode) -> Option<f64> {
        let mut pn1 = self.pair.diff(x);
        if i > 0 {
            // the junction's own unknown in `x`, read here rather than in a pass of
            // its own after each solve (as `var` computes it)
            let var_last = (pn1 - self.b1) * self.inv_pc;
            match mode {
                Mode::Voltage => {
                    self.vn1 = pn1;
                    pn1 = var_last;
                }
                Mode::Phase => self.vn1 = var_last,
            }
        }
        let v0 = (5.0 / 2.0) * self.vn1 - 2.0 * self.vn2 + (1.0 / 2.0) * self.vn3;
        let phi0 = (4.0 / 3.0) * pn1 - (1.0 / 3.0) * self.pn2 + self.k_phi * v0;
        if check && (phi0 - pn1).abs() > (0.20 * 2.0 * PI) {
            return None;
        }
        self.b1 = match mode {
            Mode::Voltage => SIGMA * (self.cold.k_v1 * pn1 + self.cold.k_v2 * self.pn2),
            Mode::Phase => (4.0 / 3.0) * pn1 - (1.0 / 3.0) * self.pn2,
        };
        self.pn2 = pn1;
        self.vn3 = self.vn2;
        self.v0 = v0;
        self.phi0 = phi0;
        Some(1.0 * (phi0 - self.phi_off))
    }

    /// Second half: with `sine` = sin of what [`Junction::predict`] returned, picks
    /// the quasiparticle branch and forms the step's current offset. True when the
    /// branch changed (the matrix must be refactorised).
    #[inline(always)]
    pub fn complete(&mut self, sine: f64) -> bool {
        let changed = self.branches && self.update_value(self.v0);
        let super_current = if self.simple {
            // The loop of `harmonics` for one harmonic, without reading the vector.
            0.0 + self.ic * (self.cpr0 * sine)
        } else {
            self.harmonics()
        };
        self.s = super_current - (self.k_c1 * self.vn1) + (self.k_c2 * self.vn2) + self.it;
        self.vn2 = self.vn1;
        changed
    }

    /// The supercurrent of a current-phase relation with several harmonics, or
    /// temperature-dependent (Ambegaokar-Baratoff).
    #[cold]
    #[inline(never)]
    fn harmonics(&self) -> f64 {
        let phi0 = self.phi0;
        let c = &self.cold;
        match &c.tdep {
            None => {
                let mut s = 0.0;
                for (k, cc) in c.cpr.iter().enumerate() {
                    s += self.ic * (cc * (((k + 1) as f64) * (phi0 - self.phi_off)).sin());
                }
                s
            }
            Some(td) => {
                let mut half = 0.0;
                let mut full = 0.0;
                for (k, cc) in c.cpr.iter().enumerate() {
                    let kk = (k + 1) as f64;
                    half += cc * (kk * (phi0 - self.phi_off) / 2.0).sin();
                    full += cc * (kk * (phi0 - self.phi_off)).sin();
                }
                let sqrt_part = (1.0 - td.d * half * half).sqrt();
                ((PI * td.del) / (2.0 * EV * c.rn))
                    * (full / sqrt_part)
                    * (td.del / (2.0 * BOLTZMANN * td.t) * sqrt_part).tanh()
            }
        }
    }

    /// Adds the junction's constant currents to the right-hand side.
    #[inline(always)]
    pub fn rhs(&self, b: &mut [f64]) {
        // Io = Y V + S with V = (dphi - b1)/pc (phase mode) or V = dv (voltage mode).
        let offset = if self.phase_mode {
            self.s - self.y_pc * self.b1
        } else {
            self.s
        };
        self.pair.source(b, offset);
    }

    /// The junction's own unknown (voltage in phase mode, phase in voltage mode) in
    /// `x`, the solution of the step this junction was last prepared for
    /// ([`Junction::predict`] reads it the same way for the next step).
    #[inline]
    pub fn var(&self, x: &[f64]) -> f64 {
        (self.pair.diff(x) - self.b1) * self.inv_pc
    }

    /// The junction current in `x`, the solution of the step this junction was last
    /// prepared for (computed when a probe asks, not every step).
    #[inline]
    pub fn current(&self, x: &[f64]) -> f64 {
        let v = if self.phase_mode {
            self.var(x)
        } else {
            self.pair.diff(x)
        };
        self.cold.y * v + self.s
    }
}
