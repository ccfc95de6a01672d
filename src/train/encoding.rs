//! Rate coding: each feature of a sample becomes a periodic SFQ pulse train on its
//! own network input, at a rate proportional to the min–max scaled value.
//!
//! A scaled value v ∈ [0, 1] gives the rate v · `rate_max` over the window
//! [start, end): pulses every 1/(v·rate_max), the first one a fraction
//! frac(0.618·i) of a period after the start for feature i (so trains of equal rate
//! do not arrive in phase at a merger), as many as fit before the end. v = 0 gives
//! no pulses. The expected count is v · rate_max · (end − start).

use serde::{Deserialize, Serialize};

/// The rate code of a network's inputs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RateCode {
    /// Rate of a feature at its maximum (Hz).
    pub rate_max: f64,
    /// Window start (s).
    pub start: f64,
    /// Window end (s).
    pub end: f64,
}

impl RateCode {
    /// Window length in ns.
    pub fn window_ns(&self) -> f64 {
        (self.end - self.start) * 1e9
    }

    /// Maximum rate in GHz.
    pub fn rate_max_ghz(&self) -> f64 {
        self.rate_max * 1e-9
    }

    /// The pulse times (s) of feature `index` at scaled value `v`.
    pub fn pulses(&self, index: usize, v: f64) -> Vec<f64> {
        let rate = v.clamp(0.0, 1.0) * self.rate_max;
        if rate.is_nan() || rate <= 0.0 {
            return Vec::new();
        }
        let period = 1.0 / rate;
        let phase = (index as f64 * 0.618_033_988_75).fract();
        let mut out = Vec::new();
        let mut k = 0.0;
        loop {
            let t = self.start + (phase + k) * period;
            if t >= self.end - 1e-15 {
                break;
            }
            // whole femtoseconds, so the netlist text is the same on every machine
            out.push((t * 1e15).round() / 1e15);
            k += 1.0;
        }
        out
    }
}
