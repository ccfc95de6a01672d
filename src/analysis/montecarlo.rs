//! Monte Carlo yield: Gaussian spreads of global and per-element multipliers,
//! drawn by nmgen itself so every run, sharded or not, sees the same samples.
//!
//! The draw of one quantity in one sample depends only on (seed, sample index,
//! parameter name): its ChaCha20 stream is keyed by SHA-256 of those three.

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::evaluator::MarginParameter;

/// One varied quantity: a global one (all inductors, the bias scale) or one
/// element, with its Gaussian spread σ in % of nominal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variation {
    pub parameter: MarginParameter,
    pub sigma_percent: f64,
}

/// A Monte Carlo run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonteCarloPlan {
    pub seed: u64,
    pub samples: u32,
    pub variations: Vec<Variation>,
}

/// The RNG of one (seed, sample, name).
fn stream(seed: u64, sample: u64, name: &str) -> ChaCha20Rng {
    let mut h = Sha256::new();
    h.update(b"nmgen-monte-carlo-v1");
    h.update(seed.to_le_bytes());
    h.update(sample.to_le_bytes());
    h.update((name.len() as u64).to_le_bytes());
    h.update(name.as_bytes());
    ChaCha20Rng::from_seed(h.finalize().into())
}

/// The multiplier of `name` in `sample`: 1 + σ·z with z standard normal,
/// redrawn (from the same stream) while it would not be positive.
pub fn draw_multiplier(seed: u64, sample: u64, name: &str, sigma_percent: f64) -> f64 {
    let mut rng = stream(seed, sample, name);
    let sigma = sigma_percent / 100.0;
    for _ in 0..64 {
        let z: f64 = StandardNormal.sample(&mut rng);
        let m = 1.0 + sigma * z;
        if m > 0.0 {
            return m;
        }
    }
    f64::MIN_POSITIVE
}

impl MonteCarloPlan {
    /// The multipliers of sample `index`, one per variation, in order.
    pub fn sample(&self, index: u64) -> Vec<(String, f64)> {
        self.variations
            .iter()
            .map(|v| {
                (
                    v.parameter.name.clone(),
                    draw_multiplier(self.seed, index, &v.parameter.name, v.sigma_percent),
                )
            })
            .collect()
    }

    /// Why the plan cannot run, if it cannot.
    pub fn check(&self) -> Result<(), String> {
        if self.samples == 0 {
            return Err("Monte Carlo: samples must be at least 1".into());
        }
        for v in &self.variations {
            if !(v.sigma_percent >= 0.0 && v.sigma_percent.is_finite()) {
                return Err(format!(
                    "Monte Carlo: σ of `{}` must be ≥ 0 % (got {})",
                    v.parameter.name, v.sigma_percent
                ));
            }
        }
        let mut names: Vec<&str> = self
            .variations
            .iter()
            .map(|v| v.parameter.name.as_str())
            .collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(format!("Monte Carlo: `{}` is varied twice", w[0]));
        }
        Ok(())
    }
}

/// z of the two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Wilson score interval (95 %) of a binomial proportion `passed / samples`.
pub fn wilson_interval(passed: u32, samples: u32) -> (f64, f64) {
    if samples == 0 {
        return (0.0, 1.0);
    }
    let n = f64::from(samples);
    let p = f64::from(passed) / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    let lo = if passed == 0 {
        0.0
    } else {
        (center - half).max(0.0)
    };
    let hi = if passed == samples {
        1.0
    } else {
        (center + half).min(1.0)
    };
    (lo, hi)
}

/// The yield of a Monte Carlo run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YieldReport {
    pub seed: u64,
    pub samples: u32,
    pub passed: u32,
    /// passed / samples.
    pub yield_fraction: f64,
    /// 95 % Wilson score interval of the yield.
    pub ci95_low: f64,
    pub ci95_high: f64,
    pub variations: Vec<Variation>,
    /// Indices of the failing samples (rerun one with [`MonteCarloPlan::sample`]).
    pub failing_samples: Vec<u32>,
}

impl YieldReport {
    /// Builds the report from per-sample verdicts (index order).
    pub fn new(plan: &MonteCarloPlan, passes: &[bool]) -> Self {
        let passed = passes.iter().filter(|&&p| p).count() as u32;
        let samples = passes.len() as u32;
        let (ci95_low, ci95_high) = wilson_interval(passed, samples);
        YieldReport {
            seed: plan.seed,
            samples,
            passed,
            yield_fraction: if samples == 0 {
                0.0
            } else {
                f64::from(passed) / f64::from(samples)
            },
            ci95_low,
            ci95_high,
            variations: plan.variations.clone(),
            failing_samples: (0..samples).filter(|&i| !passes[i as usize]).collect(),
        }
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    pub fn to_table(&self) -> String {
        format!(
            "yield {}/{} = {:.2} % (95 % CI {:.2}–{:.2} %, Wilson), seed {}\n",
            self.passed,
            self.samples,
            self.yield_fraction * 100.0,
            self.ci95_low * 100.0,
            self.ci95_high * 100.0,
            self.seed
        )
    }
}
