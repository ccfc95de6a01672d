//! Elements that keep their branch currents as unknowns, as in JoSIM's matrix:
//! voltage and phase sources, coupled inductors (and every inductor in voltage
//! mode), and the controlled sources E, F, G, H.

use super::consts::SIGMA;
use super::mna::{MatrixBuilder, Pair};
use super::noise::Gaussian;
use super::waveform::Source;
use super::Mode;

/// Voltage source. Phase mode: `phi = (2e/hbar)(2h/3) V(t) + 4/3 phi[n-1] - 1/3 phi[n-2]`.
#[derive(Debug, Clone)]
pub struct VoltageSource {
    pub pair: Pair,
    pub var: usize,
    pub source: Source,
    pn2: f64,
}

impl VoltageSource {
    pub fn new(pair: Pair, var: usize, source: Source, mb: &mut MatrixBuilder) -> Self {
        mb.kcl(pair, var, 1.0);
        mb.across(var, pair, 1.0);
        VoltageSource {
            pair,
            var,
            source,
            pn2: 0.0,
        }
    }

    #[inline(always)]
    pub fn rhs(&mut self, x: &[f64], b: &mut [f64], t: f64, h: f64, mode: Mode, g: &mut Gaussian) {
        let v = self.source.value(t, g);
        match mode {
            Mode::Voltage => b[self.var] = v,
            Mode::Phase => {
                let pn1 = self.pair.diff(x);
                b[self.var] =
                    ((2.0 * h) / (3.0 * SIGMA)) * v + (4.0 / 3.0) * pn1 - (1.0 / 3.0) * self.pn2;
                self.pn2 = pn1;
            }
        }
    }
}

/// Phase source: `phi = P(t)` in phase mode, its BDF2 derivative in voltage mode.
#[derive(Debug, Clone)]
pub struct PhaseSource {
    pub pair: Pair,
    pub var: usize,
    pub source: Source,
}

impl PhaseSource {
    pub fn new(pair: Pair, var: usize, source: Source, mb: &mut MatrixBuilder) -> Self {
        mb.kcl(pair, var, 1.0);
        mb.across(var, pair, 1.0);
        PhaseSource { pair, var, source }
    }

    pub fn rhs(&mut self, b: &mut [f64], i: i64, t: f64, h: f64, mode: Mode, g: &mut Gaussian) {
        match mode {
            Mode::Phase => b[self.var] = self.source.value(t, g),
            Mode::Voltage => {
                let k = SIGMA / h;
                let p0 = self.source.value(t, g);
                b[self.var] = if i == 0 {
                    k * ((3.0 / 2.0) * p0)
                } else if i == 1 {
                    k * ((3.0 / 2.0) * p0 - 2.0 * self.source.value(t - h, g))
                } else {
                    k * ((3.0 / 2.0) * p0 - 2.0 * self.source.value(t - h, g)
                        + 0.5 * self.source.value(t - 2.0 * h, g))
                };
            }
        }
    }
}

/// Inductor with its current as unknown (coupled inductors; all inductors in voltage mode).
#[derive(Debug, Clone)]
pub struct BranchInductor {
    pub pair: Pair,
    pub var: usize,
    pub l: f64,
    /// (index into the branch inductor list, mutual inductance M).
    pub mutuals: Vec<(usize, f64)>,
    pub in2: f64,
}

impl BranchInductor {
    /// Stamps the branch row (mutual terms are added by [`BranchInductor::stamp_mutual`]).
    pub fn new(pair: Pair, var: usize, l: f64, mode: Mode, h: f64, mb: &mut MatrixBuilder) -> Self {
        mb.kcl(pair, var, 1.0);
        mb.across(var, pair, 1.0);
        let a = match mode {
            Mode::Voltage => -(3.0 / 2.0) * (l / h),
            Mode::Phase => -l / SIGMA,
        };
        mb.add(var, var, a);
        BranchInductor {
            pair,
            var,
            l,
            mutuals: Vec::new(),
            in2: 0.0,
        }
    }

    pub fn stamp_mutual(
        &self,
        other_var: usize,
        m: f64,
        mode: Mode,
        h: f64,
        mb: &mut MatrixBuilder,
    ) {
        let a = match mode {
            Mode::Voltage => -(3.0 / 2.0) * (m / h),
            Mode::Phase => -m / SIGMA,
        };
        mb.add(self.var, other_var, a);
    }
}

/// Voltage-mode inductor rows, in JoSIM's order: each inductor's `In2` is updated right
/// after its own row is built, so later inductors see their partners' updated value.
pub fn inductor_rhs(list: &mut [BranchInductor], x: &[f64], b: &mut [f64], h: f64) {
    for k in 0..list.len() {
        let (var, l, in2) = (list[k].var, list[k].l, list[k].in2);
        let mut v = -(2.0 * l / h) * x[var] + ((l / (2.0 * h)) * in2);
        for &(o, m) in &list[k].mutuals {
            v += -((2.0 * m) / h) * x[list[o].var] + (m / (2.0 * h)) * list[o].in2;
        }
        b[var] = v;
        list[k].in2 = x[var];
    }
}

/// E: voltage-controlled voltage source `Vo = G Vc`.
#[derive(Debug, Clone)]
pub struct Vcvs {
    pub out: Pair,
    pub var: usize,
}

impl Vcvs {
    pub fn new(out: Pair, ctrl: Pair, var: usize, gain: f64, mb: &mut MatrixBuilder) -> Self {
        mb.kcl(out, var, 1.0);
        mb.across(var, out, -1.0);
        mb.across(var, ctrl, gain);
        Vcvs { out, var }
    }
}

/// F: current-controlled current source; the control branch is a short carrying `Io/G`.
#[derive(Debug, Clone)]
pub struct Cccs {
    pub out: Pair,
    pub var: usize,
}

impl Cccs {
    pub fn new(out: Pair, ctrl: Pair, var: usize, gain: f64, mb: &mut MatrixBuilder) -> Self {
        mb.kcl(out, var, 1.0);
        mb.kcl(ctrl, var, 1.0 / gain);
        mb.across(var, ctrl, 1.0);
        Cccs { out, var }
    }
}

/// G: voltage-controlled current source `Io = G Vc`.
#[derive(Debug, Clone)]
pub struct Vccs {
    pub out: Pair,
    pub ctrl: Pair,
    pub var: usize,
    pn2: f64,
}

impl Vccs {
    pub fn new(
        out: Pair,
        ctrl: Pair,
        var: usize,
        gain: f64,
        mode: Mode,
        h: f64,
        mb: &mut MatrixBuilder,
    ) -> Self {
        mb.kcl(out, var, 1.0);
        mb.across(var, ctrl, 1.0);
        let a = match mode {
            Mode::Voltage => -(1.0 / gain),
            Mode::Phase => -(1.0 / SIGMA) * ((2.0 * h) / (3.0 * gain)),
        };
        mb.add(var, var, a);
        Vccs {
            out,
            ctrl,
            var,
            pn2: 0.0,
        }
    }

    pub fn rhs(&mut self, x: &[f64], b: &mut [f64]) {
        let pn1 = self.ctrl.diff(x);
        b[self.var] = (4.0 / 3.0) * pn1 - (1.0 / 3.0) * self.pn2;
        self.pn2 = pn1;
    }
}

/// H: current-controlled voltage source `Vo = G Ic`; `var_ctrl` is the control current.
#[derive(Debug, Clone)]
pub struct Ccvs {
    pub out: Pair,
    pub var_ctrl: usize,
    pn2: f64,
}

impl Ccvs {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        out: Pair,
        ctrl: Pair,
        var_ctrl: usize,
        var_out: usize,
        gain: f64,
        mode: Mode,
        h: f64,
        mb: &mut MatrixBuilder,
    ) -> Self {
        mb.kcl(out, var_out, 1.0);
        mb.kcl(ctrl, var_ctrl, 1.0);
        mb.across(var_ctrl, out, 1.0);
        let a = match mode {
            Mode::Voltage => -gain,
            Mode::Phase => -gain * (1.0 / SIGMA) * ((2.0 * h) / 3.0),
        };
        mb.add(var_ctrl, var_ctrl, a);
        mb.across(var_out, ctrl, 1.0);
        Ccvs {
            out,
            var_ctrl,
            pn2: 0.0,
        }
    }

    pub fn rhs(&mut self, x: &[f64], b: &mut [f64]) {
        let pn1 = self.out.diff(x);
        b[self.var_ctrl] = (4.0 / 3.0) * pn1 - (1.0 / 3.0) * self.pn2;
        self.pn2 = pn1;
    }
}
