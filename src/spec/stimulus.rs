//! Checking `stimulus:` and expanding it into pulse times.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp};
use serde_saphyr::Spanned;

use super::located::error_at;
use super::model::StimulusSpec;
use crate::diagnostic::{SourceError, SourceFile};

/// Times are rounded to 10 fs so the netlist text stays clean and exact.
fn round_time(t: f64) -> f64 {
    (t * 1e14).round() / 1e14
}

/// Most pulses one input's stimulus may hold (`periodic.count`, or `rate` × window).
pub const MAX_PULSES: u32 = 100_000;

/// The pulse times of one input, ascending.
pub fn pulse_times(file: &SourceFile, s: &Spanned<StimulusSpec>) -> Result<Vec<f64>, SourceError> {
    let spec = &s.value;
    let given = [
        spec.times.is_some(),
        spec.periodic.is_some(),
        spec.rate.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if given != 1 {
        return Err(error_at(
            file,
            s,
            "a stimulus needs exactly one of `times`, `periodic` or `rate`",
        ));
    }
    let mut out = Vec::new();
    if let Some(times) = &spec.times {
        for t in times {
            if !(t.value.0.is_finite() && t.value.0 >= 0.0) {
                return Err(error_at(
                    file,
                    t,
                    format!("pulse time {} is negative", t.value.0),
                ));
            }
            out.push(round_time(t.value.0));
        }
    }
    if let Some(p) = &spec.periodic {
        if p.start.value.0.is_nan() || p.start.value.0 < 0.0 {
            return Err(error_at(
                file,
                &p.start,
                "the start time must not be negative",
            ));
        }
        if p.period.value.0.is_nan() || p.period.value.0 <= 0.0 {
            return Err(error_at(
                file,
                &p.period,
                "non-physical period: it must be greater than zero",
            ));
        }
        if p.count.value > MAX_PULSES {
            return Err(error_at(
                file,
                &p.count,
                format!(
                    "periodic.count must be at most {MAX_PULSES} pulses, got {}",
                    p.count.value
                ),
            ));
        }
        for k in 0..p.count.value {
            out.push(round_time(p.start.value.0 + k as f64 * p.period.value.0));
        }
    }
    if let Some(r) = &spec.rate {
        let rate = r.rate.value.0;
        if !(rate > 0.0 && rate.is_finite()) {
            return Err(error_at(
                file,
                &r.rate,
                "non-physical rate: it must be greater than zero",
            ));
        }
        let w = &r.window.value;
        if w.len() != 2 || w[0].0.is_nan() || w[0].0 < 0.0 || w[1].0.is_nan() || w[1].0 <= w[0].0 {
            return Err(error_at(
                file,
                &r.window,
                "the window must be `[start, stop]` with 0 <= start < stop",
            ));
        }
        let dead = match &r.min_interval {
            Some(m) if m.value.0 > 0.0 => m.value.0,
            Some(m) => return Err(error_at(file, m, "min_interval must be greater than zero")),
            None => 10e-12,
        };
        let expected = rate * (w[1].0 - w[0].0);
        if expected.is_nan() || expected > MAX_PULSES as f64 {
            return Err(error_at(
                file,
                &r.window,
                format!(
                    "rate × window gives about {expected:.3e} pulses; at most {MAX_PULSES} are allowed"
                ),
            ));
        }
        let mean = 1.0 / rate;
        if mean <= dead {
            return Err(error_at(
                file,
                &r.rate,
                format!(
                    "a rate of {rate:e} Hz leaves no room for the {:.3} ps minimum interval between pulses",
                    dead * 1e12
                ),
            ));
        }
        // Poisson train with dead time: intervals are dead + Exp(mean - dead), so the mean rate is `rate`.
        let mut rng = ChaCha8Rng::seed_from_u64(r.seed.value);
        let exp =
            Exp::new(1.0 / (mean - dead)).map_err(|e| error_at(file, &r.rate, e.to_string()))?;
        let mut t = w[0].0 + exp.sample(&mut rng);
        while t < w[1].0 {
            out.push(round_time(t));
            t += dead + exp.sample(&mut rng);
        }
    }
    out.sort_by(f64::total_cmp);
    out.dedup();
    Ok(out)
}
