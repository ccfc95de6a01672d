//! Resistors, capacitors, uncoupled inductors and current sources: JoSIM's
//! branch equations with the branch current eliminated.

use super::consts::SIGMA;
use super::mna::{narrow, MatrixBuilder, Pair};
use super::noise::{Gaussian, SampledNoise};
use super::waveform::Source;
use super::Mode;

/// Calls a noise source as often as JoSIM does for this node configuration
/// (once per non-ground terminal) and returns the value it stamps.
pub fn noise_value(noise: &mut SampledNoise, pair: Pair, t: f64, g: &mut Gaussian) -> f64 {
    let calls = usize::from(pair.p.is_some()) + usize::from(pair.n.is_some());
    let mut v = 0.0;
    for _ in 0..calls.max(1) {
        v = noise.value(t, g);
    }
    v
}

/// Resistor. Phase mode: `phi - (2h/3)(R/sigma) I = (4/3)phi[n-1] - (1/3)phi[n-2]`.
///
/// Normally stamped as a conductance; a resistor so small that its conductance
/// would swamp the matrix (`var` set) keeps JoSIM's branch row and current unknown.
/// (64 bytes, aligned to a cache line: each resistor is one line.)
#[derive(Debug, Clone)]
#[repr(align(64))]
pub struct Resistor {
    pub pair: Pair,
    /// The branch current's unknown, in 32 bits (see [`Pair`]).
    pub var: Option<u32>,
    /// Coefficient of the branch current in the branch row.
    pub a: f64,
    /// `1 / a`: the history current is a product, not a division, each step.
    g: f64,
    pn2: f64,
    /// Right-hand side of the branch row in the current step.
    hist: f64,
    /// Thermal noise (boxed: most resistors have none, and every resistor is
    /// read each step).
    pub noise: Option<Box<SampledNoise>>,
}

impl Resistor {
    pub fn new(
        pair: Pair,
        var: Option<usize>,
        r: f64,
        mode: Mode,
        h: f64,
        mb: &mut MatrixBuilder,
    ) -> Self {
        let a = match mode {
            Mode::Voltage => r,
            Mode::Phase => ((2.0 * h) / 3.0) * (r / SIGMA),
        };
        match var {
            Some(v) => {
                mb.kcl(pair, v, 1.0);
                mb.across(v, pair, 1.0);
                mb.add(v, v, -a);
            }
            None => {
                mb.conductance(pair, 1.0 / a);
            }
        }
        Resistor {
            pair,
            var: var.map(narrow),
            a,
            g: 1.0 / a,
            pn2: 0.0,
            hist: 0.0,
            noise: None,
        }
    }

    #[inline(always)]
    pub fn rhs(&mut self, x: &[f64], b: &mut [f64], t: f64, mode: Mode, g: &mut Gaussian) {
        if self.noise.is_some() {
            self.noise_rhs(b, t, g);
        }
        if mode == Mode::Phase {
            let pn1 = self.pair.diff(x);
            self.hist = (4.0 / 3.0) * pn1 - (1.0 / 3.0) * self.pn2;
            self.pn2 = pn1;
            match self.var {
                Some(v) => b[v as usize] = self.hist,
                // I = (dphi - hist) / a: the history part is a source from n to p.
                None => self.pair.source(b, -self.hist * self.g),
            }
        }
    }

    /// Branch current in the solution `x` of this step.
    /// The thermal noise current (kept out of line: most resistors have none).
    #[cold]
    #[inline(never)]
    fn noise_rhs(&mut self, b: &mut [f64], t: f64, g: &mut Gaussian) {
        if let Some(noise) = &mut self.noise {
            let v = noise_value(noise, self.pair, t, g);
            self.pair.source(b, v);
        }
    }

    pub fn current(&self, x: &[f64]) -> f64 {
        match self.var {
            Some(v) => x[v as usize],
            None => (self.pair.diff(x) - self.hist) / self.a,
        }
    }
}

/// Capacitor. Phase mode uses JoSIM's twice-applied BDF2 (four past phases).
#[derive(Debug, Clone)]
pub struct Capacitor {
    pub pair: Pair,
    pub a: f64,
    /// `1 / a`.
    g: f64,
    pn2: f64,
    pn3: f64,
    pn4: f64,
    hist: f64,
}

impl Capacitor {
    pub fn new(pair: Pair, c: f64, mode: Mode, h: f64, mb: &mut MatrixBuilder) -> Self {
        let a = match mode {
            Mode::Voltage => (2.0 / 3.0) * (h / c),
            Mode::Phase => (4.0 / 9.0) * ((h * h) / c) * (1.0 / SIGMA),
        };
        mb.conductance(pair, 1.0 / a);
        Capacitor {
            pair,
            a,
            g: 1.0 / a,
            pn2: 0.0,
            pn3: 0.0,
            pn4: 0.0,
            hist: 0.0,
        }
    }

    #[inline(always)]
    pub fn rhs(&mut self, x: &[f64], b: &mut [f64], mode: Mode) {
        let pn1 = self.pair.diff(x);
        match mode {
            Mode::Voltage => {
                self.hist = (4.0 / 3.0) * pn1 - (1.0 / 3.0) * self.pn2;
            }
            Mode::Phase => {
                self.hist = (8.0 / 3.0) * pn1 - (22.0 / 9.0) * self.pn2 + (8.0 / 9.0) * self.pn3
                    - (1.0 / 9.0) * self.pn4;
                self.pn4 = self.pn3;
                self.pn3 = self.pn2;
            }
        }
        self.pn2 = pn1;
        self.pair.source(b, -self.hist * self.g);
    }

    pub fn current(&self, x: &[f64]) -> f64 {
        (self.pair.diff(x) - self.hist) / self.a
    }
}

/// Inductor without mutual coupling in phase mode: `phi - (L/sigma) I = 0`.
#[derive(Debug, Clone)]
pub struct Inductor {
    pub pair: Pair,
    pub a: f64,
}

impl Inductor {
    pub fn new(pair: Pair, l: f64, mb: &mut MatrixBuilder) -> Self {
        let a = l / SIGMA;
        mb.conductance(pair, 1.0 / a);
        Inductor { pair, a }
    }

    pub fn current(&self, x: &[f64]) -> f64 {
        self.pair.diff(x) / self.a
    }
}

/// Independent current source (from `p` through the source to `n`).
#[derive(Debug, Clone)]
pub struct CurrentSource {
    pub pair: Pair,
    pub source: Source,
    /// Value used in the current step (for `I(...)` probes).
    pub last: f64,
}

impl CurrentSource {
    #[inline(always)]
    pub fn rhs(&mut self, b: &mut [f64], t: f64, g: &mut Gaussian) {
        // JoSIM evaluates the function once per non-ground terminal.
        let calls = usize::from(self.pair.p.is_some()) + usize::from(self.pair.n.is_some());
        let mut v = 0.0;
        for _ in 0..calls.max(1) {
            v = self.source.value(t, g);
        }
        self.last = v;
        self.pair.source(b, v);
    }
}
