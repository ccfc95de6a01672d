//! Maximum-likelihood logistic fit of a pass probability vs a current:
//! p(w) = 1 / (1 + exp(−(w − w0)/s)), from binomial counts (passed of total per point).

use serde::{Deserialize, Serialize};

use super::CharacterizeError;

/// ln 9: the 10–90 % width of a logistic is 2·ln 9·s.
const LN9: f64 = 2.197_224_577_336_219_6;

/// A fitted logistic curve, currents in the unit of the data (µA in nmgen's reports).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Logistic {
    /// Current at p = 1/2.
    pub centre: f64,
    /// Scale s: p = 1/(1+exp(−(w−centre)/s)).
    pub scale: f64,
    /// 10–90 % width, 2·ln 9·s.
    pub width: f64,
    /// Standard error of the centre (from the Fisher information).
    pub centre_se: f64,
    /// Standard error of the width.
    pub width_se: f64,
}

impl Logistic {
    pub fn new(centre: f64, scale: f64) -> Self {
        Logistic {
            centre,
            scale,
            width: 2.0 * LN9 * scale,
            centre_se: 0.0,
            width_se: 0.0,
        }
    }

    /// Pass probability at current `w`.
    pub fn probability(&self, w: f64) -> f64 {
        1.0 / (1.0 + (-(w - self.centre) / self.scale).exp())
    }

    /// The current giving probability `p` (0 < p < 1): the inverse sigmoid.
    pub fn current(&self, p: f64) -> f64 {
        self.centre + self.scale * (p / (1.0 - p)).ln()
    }
}

/// Binomial log-likelihood of σ(a + b·x) and its gradient and Hessian.
/// Returns (log-likelihood, gradient [∂a, ∂b], information matrix [Iaa, Iab, Ibb]).
fn likelihood(points: &[(f64, u32, u32)], a: f64, b: f64) -> (f64, [f64; 2], [f64; 3]) {
    let (mut ll, mut g0, mut g1, mut h00, mut h01, mut h11) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for &(x, k, n) in points {
        let z = a + b * x;
        let (k, n) = (f64::from(k), f64::from(n));
        // log σ(z) and log(1 − σ(z)), stable for large |z|
        let log_p = -softplus(-z);
        let log_q = -softplus(z);
        ll += k * log_p + (n - k) * log_q;
        let p = 1.0 / (1.0 + (-z).exp());
        let r = k - n * p;
        g0 += r;
        g1 += r * x;
        let w = n * p * (1.0 - p);
        h00 += w;
        h01 += w * x;
        h11 += w * x * x;
    }
    (ll, [g0, g1], [h00, h01, h11])
}

fn softplus(z: f64) -> f64 {
    if z > 30.0 {
        z
    } else {
        z.exp().ln_1p()
    }
}

/// Fits a loss that levels off, P(lost) = a/(1 + exp(−(x − c)/s)), to `(x, lost,
/// total)` points by maximum likelihood: a grid over (a, c, s), then grids ten times
/// finer around the best point. Returns (c, s, a); `None` without a loss or points.
pub fn fit_plateau_logistic(points: &[(f64, u32, u32)]) -> Option<(f64, f64, f64)> {
    let lost: u32 = points.iter().map(|p| p.1).sum();
    if lost == 0 || points.len() < 2 {
        return None;
    }
    let nll = |a: f64, c: f64, s: f64| -> f64 {
        points
            .iter()
            .map(|&(x, k, n)| {
                let p = (a / (1.0 + (-(x - c) / s).exp())).clamp(1e-12, 1.0 - 1e-12);
                -(f64::from(k) * p.ln() + f64::from(n - k) * (1.0 - p).ln())
            })
            .sum()
    };
    let (lo, hi) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), p| {
            (l.min(p.0), h.max(p.0))
        });
    // (a, c, s) and the grid steps
    let mut best = (0.5, 0.5 * (lo + hi), 1.0);
    let mut step = (0.02, (hi - lo).max(1.0) / 100.0, 0.05);
    let mut ranges = ((0.02, 1.0), (lo, hi), (0.05, 5.0));
    let mut best_nll = f64::INFINITY;
    for _ in 0..3 {
        let count = |(l, h): (f64, f64), d: f64| ((h - l) / d).round() as usize + 1;
        for i in 0..count(ranges.0, step.0) {
            let a = ranges.0 .0 + step.0 * i as f64;
            for j in 0..count(ranges.1, step.1) {
                let c = ranges.1 .0 + step.1 * j as f64;
                for k in 0..count(ranges.2, step.2) {
                    let s = ranges.2 .0 + step.2 * k as f64;
                    let v = nll(a, c, s);
                    if v < best_nll {
                        (best_nll, best) = (v, (a, c, s));
                    }
                }
            }
        }
        ranges = (
            ((best.0 - step.0).max(1e-3), (best.0 + step.0).min(1.0)),
            (best.1 - step.1, best.1 + step.1),
            ((best.2 - step.2).max(1e-3), best.2 + step.2),
        );
        step = (step.0 / 10.0, step.1 / 10.0, step.2 / 10.0);
    }
    Some((best.1, best.2, best.0))
}

/// Fits a logistic to `(current, passed, total)` points by maximum likelihood
/// (Newton's method with step halving). Fails when the data show no transition
/// (all passed, or none, or a perfect step with no point inside it).
pub fn fit_logistic(points: &[(f64, u32, u32)]) -> Result<Logistic, CharacterizeError> {
    let n_total: u32 = points.iter().map(|p| p.2).sum();
    let k_total: u32 = points.iter().map(|p| p.1).sum();
    if points.len() < 2 || n_total == 0 {
        return Err(CharacterizeError::Fit(
            "need at least two points with pulses".into(),
        ));
    }
    if k_total == 0 || k_total == n_total {
        return Err(CharacterizeError::Fit(format!(
            "no transition: {k_total} of {n_total} pulses passed; widen the current range"
        )));
    }
    // standardize the currents for a well-conditioned Newton iteration
    let mean = points.iter().map(|p| p.0).sum::<f64>() / points.len() as f64;
    let sd = (points.iter().map(|p| (p.0 - mean).powi(2)).sum::<f64>() / points.len() as f64)
        .sqrt()
        .max(f64::MIN_POSITIVE);
    let xs: Vec<(f64, u32, u32)> = points
        .iter()
        .map(|&(w, k, n)| ((w - mean) / sd, k, n))
        .collect();
    let (mut a, mut b) = (0.0, 1.0);
    let (mut ll, mut g, mut h) = likelihood(&xs, a, b);
    for _ in 0..200 {
        let [h00, h01, h11] = h;
        let det = h00 * h11 - h01 * h01;
        if det <= 0.0 || !det.is_finite() {
            break;
        }
        // Newton step: H⁻¹·g (H is the negative Hessian, positive definite)
        let da = (h11 * g[0] - h01 * g[1]) / det;
        let db = (h00 * g[1] - h01 * g[0]) / det;
        let mut t = 1.0;
        let mut improved = false;
        for _ in 0..40 {
            let (na, nb) = (a + t * da, b + t * db);
            let (nll, ng, nh) = likelihood(&xs, na, nb);
            if nll.is_finite() && nll >= ll - 1e-12 {
                (a, b, ll, g, h) = (na, nb, nll, ng, nh);
                improved = true;
                break;
            }
            t *= 0.5;
        }
        if !improved || (da * t).abs() + (db * t).abs() < 1e-12 {
            break;
        }
        if b.abs() > 1e6 {
            break;
        }
    }
    if !(b.is_finite() && a.is_finite()) || b <= 0.0 || b > 1e3 {
        return Err(CharacterizeError::Fit(format!(
            "no increasing sigmoid fits (slope {b:.3e} per standard deviation); \
             add points inside the transition"
        )));
    }
    let centre = mean - a / b * sd;
    let scale = sd / b;
    let mut fit = Logistic::new(centre, scale);
    // covariance of (a, b) = H⁻¹; propagate to centre = mean − sd·a/b and s = sd/b
    let [h00, h01, h11] = h;
    let det = h00 * h11 - h01 * h01;
    if det > 0.0 {
        let (vaa, vab, vbb) = (h11 / det, -h01 / det, h00 / det);
        let (dca, dcb) = (-sd / b, sd * a / (b * b));
        let var_c = dca * dca * vaa + 2.0 * dca * dcb * vab + dcb * dcb * vbb;
        let ds = -sd / (b * b);
        fit.centre_se = var_c.max(0.0).sqrt();
        fit.width_se = 2.0 * LN9 * (ds * ds * vbb).sqrt();
    }
    Ok(fit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_the_design_note_fit() {
        // the JoSIM counts of docs/neuro-design.md (25 seeds × 8 pulses)
        let data = [
            (101.0, 4),
            (104.0, 10),
            (107.0, 26),
            (109.0, 47),
            (111.0, 75),
            (113.0, 104),
            (115.0, 130),
            (117.0, 150),
            (119.0, 171),
            (122.0, 191),
            (125.0, 198),
        ];
        let points: Vec<_> = data.iter().map(|&(w, k)| (w, k, 200)).collect();
        let f = fit_logistic(&points).unwrap();
        assert!((f.centre - 112.9).abs() < 0.1, "{f:?}");
        assert!((f.width - 13.9).abs() < 0.1, "{f:?}");
        assert!(f.centre_se > 0.05 && f.centre_se < 1.0, "{f:?}");
        let p = 0.3;
        assert!((f.probability(f.current(p)) - p).abs() < 1e-12);
    }

    #[test]
    fn no_transition_is_an_error() {
        assert!(fit_logistic(&[(100.0, 0, 8), (110.0, 0, 8)]).is_err());
        assert!(fit_logistic(&[(100.0, 8, 8), (110.0, 8, 8)]).is_err());
    }
}
