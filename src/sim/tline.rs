//! Ideal lossless transmission line with JoSIM's delay history.
//!
//! Port currents `I1`, `I2` are unknowns; the delay is `k = round(TD / h)` steps.
//! Phase mode (JoSIM 2.7):
//! `phi1 - Z(2e/hbar)(2h/3) I1 = Z(2e/hbar)(2h/3) I2[n-k] + 4/3 phi1[n-1] - 1/3 phi1[n-2]
//!   + phi2[n-k] - 4/3 phi2[n-k-1] + 1/3 phi2[n-k-2]` (terms before t = 0 dropped),
//! and symmetrically for port 2. Voltage mode: `V1 - Z I1 = Z I2[n-k] + V2[n-k]`.

use super::consts::SIGMA;
use super::mna::{MatrixBuilder, Pair};
use super::Mode;

#[derive(Debug, Clone)]
pub struct TransmissionLine {
    pub port1: Pair,
    pub port2: Pair,
    pub var1: usize,
    pub var2: usize,
    z: f64,
    pub k: usize,
    /// Per stored step: (port-1 across, port-2 across, I1, I2), the last
    /// `history.len()` steps in a ring (a power of two above `k + 2`: the rows read
    /// are `k`, `k + 1` and `k + 2` steps back).
    history: Vec<[f64; 4]>,
    /// Steps recorded so far.
    recorded: usize,
    n1_1: f64,
    n1_2: f64,
    n2_1: f64,
    n2_2: f64,
}

impl TransmissionLine {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        port1: Pair,
        port2: Pair,
        var1: usize,
        var2: usize,
        z: f64,
        k: usize,
        mode: Mode,
        h: f64,
        mb: &mut MatrixBuilder,
    ) -> Self {
        let a = match mode {
            Mode::Voltage => -z,
            Mode::Phase => -(2.0 * h / 3.0) * (z / SIGMA),
        };
        mb.kcl(port1, var1, 1.0);
        mb.kcl(port2, var2, 1.0);
        mb.across(var1, port1, 1.0);
        mb.add(var1, var1, a);
        mb.across(var2, port2, 1.0);
        mb.add(var2, var2, a);
        TransmissionLine {
            port1,
            port2,
            var1,
            var2,
            z,
            k,
            history: Vec::new(),
            recorded: 0,
            n1_1: 0.0,
            n1_2: 0.0,
            n2_1: 0.0,
            n2_2: 0.0,
        }
    }

    /// Sizes the history ring for a run of `steps` main steps (call before the run).
    pub fn reserve(&mut self, steps: usize) {
        let rows = (self.k.min(steps) + 3).next_power_of_two();
        self.history = vec![[0.0; 4]; rows];
        self.recorded = 0;
    }

    /// The row recorded at main step `step` (one of the last `history.len()`).
    #[inline]
    fn past(&self, step: i64) -> [f64; 4] {
        self.history[step as usize & (self.history.len() - 1)]
    }

    pub fn rhs(&mut self, x: &[f64], b: &mut [f64], i: i64, h: f64, mode: Mode) {
        // A delay longer than the run (even beyond i64) never reaches back into history.
        let k = i64::try_from(self.k).unwrap_or(i64::MAX);
        match mode {
            Mode::Voltage => {
                if i >= k {
                    let d = self.past(i - k);
                    b[self.var1] = self.z * d[3] + d[1];
                    b[self.var2] = self.z * d[2] + d[0];
                }
            }
            Mode::Phase => {
                if i > 0 {
                    self.n2_1 = self.n1_1;
                    self.n2_2 = self.n1_2;
                    self.n1_1 = self.port1.diff(x);
                    self.n1_2 = self.port2.diff(x);
                }
                let own1 = (4.0 / 3.0) * self.n1_1 - (1.0 / 3.0) * self.n2_1;
                let own2 = (4.0 / 3.0) * self.n1_2 - (1.0 / 3.0) * self.n2_2;
                if i >= k {
                    let zc = (self.z / SIGMA) * ((2.0 * h) / 3.0);
                    let d = self.past(i - k);
                    let mut r1 = zc * d[3] + own1 + d[1];
                    let mut r2 = zc * d[2] + own2 + d[0];
                    if i > k {
                        let d1 = self.past(i - k - 1);
                        r1 -= (4.0 / 3.0) * d1[1];
                        r2 -= (4.0 / 3.0) * d1[0];
                    }
                    if i > k + 1 {
                        let d2 = self.past(i - k - 2);
                        r1 += (1.0 / 3.0) * d2[1];
                        r2 += (1.0 / 3.0) * d2[0];
                    }
                    b[self.var1] = r1;
                    b[self.var2] = r2;
                } else {
                    b[self.var1] = own1;
                    b[self.var2] = own2;
                }
            }
        }
    }

    /// Stores the solution of main step `i` (i >= 0) in the delay history.
    pub fn record(&mut self, x: &[f64]) {
        let at = self.recorded & (self.history.len() - 1);
        self.history[at] = [
            self.port1.diff(x),
            self.port2.diff(x),
            x[self.var1],
            x[self.var2],
        ];
        self.recorded += 1;
    }
}
