//! Random numbers and JoSIM's sampled noise function.
//!
//! JoSIM models thermal noise of a resistor `R` at temperature `T` as a current
//! source in parallel with spectral amplitude `sqrt(4 kB T / R)`, evaluated by its
//! `noise(A, TD, TSTEP)` function with `TSTEP = 1 / neb` (`.neb`, default 1 THz):
//! a new Gaussian sample `A * N(0,1) / sqrt(2 TSTEP)` is drawn whenever the
//! simulation time reaches the next sample point, and the source value is the
//! straight line between the last two samples. The sample points follow JoSIM's
//! floating-point bookkeeping exactly (including the case where the simulation
//! time overshoots a sample point by rounding, after which JoSIM draws a fresh
//! sample on every time step), because that decides the noise spectrum.
//! The Gaussian samples come from JoSIM's own random stream ([`super::rng`]), so
//! the same seed gives JoSIM's samples (docs/noise.md).

use super::consts::BOLTZMANN;
use super::rng::{josim_stream, Mt64};

/// Gaussian generator on one of JoSIM's seeded streams: Box-Muller with a spare,
/// exactly as JoSIM's `Rng::normal01_noise` (cosine first, the sine kept for the
/// next call), so the same seed gives JoSIM's sequence of samples.
#[derive(Debug, Clone)]
pub struct Gaussian {
    rng: Mt64,
    spare: Option<f64>,
}

impl Gaussian {
    /// JoSIM's stream `tag` ([`super::rng::NOISE_TAG`] or [`super::rng::SPREAD_TAG`]) for `seed`.
    pub fn new(seed: u64, tag: (u64, u32)) -> Self {
        Gaussian {
            rng: josim_stream(seed, tag),
            spare: None,
        }
    }

    fn uniform(&mut self) -> f64 {
        self.rng.canonical()
    }

    /// A standard normal sample from a fresh Box-Muller pair, the second value
    /// discarded: JoSIM's `Rng::normal_spread`, which uses a new pair per spread value.
    pub fn sample_fresh(&mut self) -> f64 {
        let mut u1 = self.uniform();
        let u2 = self.uniform();
        if u1 <= 0.0 {
            u1 = f64::MIN_POSITIVE;
        }
        (-2.0 * u1.ln()).sqrt() * (2.0 * super::consts::PI * u2).cos()
    }

    /// A standard normal sample.
    pub fn sample(&mut self) -> f64 {
        if let Some(s) = self.spare.take() {
            return s;
        }
        let mut u1 = self.uniform();
        let u2 = self.uniform();
        if u1 <= 0.0 {
            u1 = f64::MIN_POSITIVE;
        }
        let r = (-2.0 * u1.ln()).sqrt();
        let t = 2.0 * super::consts::PI * u2;
        self.spare = Some(r * t.sin());
        r * t.cos()
    }
}

/// Spectral amplitude `sqrt(4 kB T / R)` of a resistor's thermal noise current.
pub fn spectral_amplitude(r: f64, temperature: f64) -> f64 {
    ((4.0 * BOLTZMANN * temperature) / r).sqrt()
}

/// JoSIM's `noise(A, TD, TSTEP)` source with its sampling state.
#[derive(Debug, Clone)]
pub struct SampledNoise {
    /// Amplitude `A`: fixed for the run (a junction keeps its R0 value, as in JoSIM 2.7).
    pub amp: f64,
    td: f64,
    tstep: f64,
    y1: f64,
    y2: f64,
    x1: f64,
    x2: f64,
}

impl SampledNoise {
    /// Creates the source; like JoSIM it draws its first sample immediately.
    pub fn new(amp: f64, td: f64, tstep: f64, g: &mut Gaussian) -> Self {
        let y2 = amp * g.sample() / (2.0 * tstep).sqrt();
        SampledNoise {
            amp,
            td,
            tstep,
            y1: 0.0,
            y2,
            x1: td,
            x2: td + tstep,
        }
    }

    /// Thermal noise of a resistance at a temperature, bandwidth `neb`.
    pub fn thermal(r: f64, temperature: f64, neb: f64, g: &mut Gaussian) -> Self {
        // JoSIM writes 1/neb with 19 significant digits and reads it back: the same double.
        SampledNoise::new(spectral_amplitude(r, temperature), 0.0, 1.0 / neb, g)
    }

    /// The source value at time `x` (calls must come in time order, as JoSIM makes them).
    pub fn value(&mut self, x: f64, g: &mut Gaussian) -> f64 {
        if x < self.td {
            return 0.0;
        }
        if x >= self.x2 {
            self.y1 = self.y2;
            self.y2 = self.amp * g.sample() / (2.0 * self.tstep).sqrt();
            self.x1 = self.x2;
            if x == self.x2 {
                self.x2 = self.x1 + self.tstep;
            }
            if x > self.x2 {
                self.x2 = x;
            }
        }
        self.y1 + ((self.y2 - self.y1) / (self.x2 - self.x1)) * (x - self.x1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaussian_has_unit_variance() {
        let mut g = Gaussian::new(7, super::super::rng::NOISE_TAG);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| g.sample()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.01, "var {var}");
    }

    #[test]
    fn first_samples_are_josims() {
        // JoSIM's Box-Muller on its seed-1 noise stream (printed by a C++ program with
        // JoSIM's Rng code): 0.47356243655588137, -1.9170306187451385, 1.6639946919866653.
        let mut g = Gaussian::new(1, super::super::rng::NOISE_TAG);
        assert_eq!(g.sample(), 0.473_562_436_555_881_37);
        assert_eq!(g.sample(), -1.917_030_618_745_138_5);
        assert!((g.sample() - 1.663_994_691_986_665_3).abs() < 1e-15);
    }

    #[test]
    fn spread_samples_take_a_fresh_pair_each() {
        // JoSIM's Rng::normal_spread on its seed-5 spread stream (C++ with JoSIM's code).
        let mut g = Gaussian::new(5, super::super::rng::SPREAD_TAG);
        assert!((g.sample_fresh() - 0.096_950_669_168_469_92).abs() < 1e-15);
        assert!((g.sample_fresh() - 0.159_766_342_487_270_15).abs() < 1e-15);
    }

    #[test]
    fn aligned_samples_are_interpolated() {
        let mut g = Gaussian::new(1, super::super::rng::NOISE_TAG);
        let mut n = SampledNoise::new(1.0, 0.0, 1.0, &mut g);
        let first = n.value(0.0, &mut g);
        assert_eq!(first, 0.0);
        let mid = n.value(0.5, &mut g);
        let end = n.value(0.999_999, &mut g);
        // Straight line from 0 towards the first sample.
        assert!((mid * 2.0 - end / 0.999_999).abs() < 1e-9);
    }

    #[test]
    fn overshoot_draws_every_step() {
        // 50 * 0.1e-12 rounds above the accumulated sample point 5e-12: from then
        // on JoSIM draws a new sample on every step.
        let h = 0.1 * 1e-12;
        let mut g = Gaussian::new(3, super::super::rng::NOISE_TAG);
        let mut n = SampledNoise::new(1.0, 0.0, 1e-12, &mut g);
        let mut vals = Vec::new();
        for i in 0..80 {
            vals.push(n.value(i as f64 * h, &mut g));
        }
        // Before the overshoot consecutive values lie on straight segments.
        let d1 = vals[21] - vals[20];
        let d2 = vals[22] - vals[21];
        assert!((d1 - d2).abs() < 1e-9 * d1.abs().max(1e-300) + 1e-12);
        // After it they are independent samples.
        let e1 = vals[61] - vals[60];
        let e2 = vals[62] - vals[61];
        assert!((e1 - e2).abs() > 1e-6);
    }
}
