//! Fitting the pulse-level neuron model to the circuit neuron's own junction switchings.
//!
//! The model (see [`crate::pulse::models::NeuronModel`]) decides at each entry of a
//! quantum into the storage loop: the stored flux s (entries, each decaying with τ_s;
//! −1 per fire) and the inhibition h (inhibitory quanta, decaying with τ_h) give the
//! drive D = s − κh, and the neuron fires with the logistic probability of the
//! overdrive x = D − θ(th) (width w), after a latency that shortens as x grows.
//!
//! The benches record, for random and periodic input trains at every threshold, when
//! each quantum enters the loop (the storage junction B3 switches), when each
//! inhibitory quantum enters (B7), and when the neuron fires (the fire junction B4).
//! With those times the drive just after every entry is known, and whether a fire
//! followed before the next entry. For given (τ_s, τ_h, κ) the fire decisions of each
//! threshold are a logistic regression on D (its θ and width) — convex, solved by
//! Newton's method — and Nelder–Mead maximises that profile likelihood over
//! (τ_s, τ_h, κ). The latency of the first fire after an entry is then a least-squares
//! line of its logarithm against x (median, slope and residual σ).
//!
//! The entry of an excitatory quantum (else it escapes through B2 when the loop is
//! full) is a logistic in s, fitted by maximum likelihood to the arrivals at B1.
//!
//! Under strong inhibition (h ≳ 9 quanta at 293 µA) the circuit fires again: the
//! inhibitory current returning through B4 and L5 biases the output junction B5
//! forward, B5 switches first and B4 follows (3–8 ps later). Those fires (B5 before its
//! B4) are left out of the fire junction's decisions and fitted as a second path: a
//! logistic regression of "a fire led by B5 followed" on s, h and θ(th) over all
//! decisions ([`crate::pulse::models::OutputFire`]).

use super::fit::fit_logistic;

/// One circuit-level run of the identification bench (times in ps).
#[derive(Debug, Clone, PartialEq)]
pub struct NeuronTrace {
    /// Which stimulus of the bench (runs of one stimulus and threshold differ only in
    /// the noise seed).
    pub stimulus: usize,
    /// A strong-inhibition stimulus: it identifies the fire led by the output junction
    /// only (the fire junction's decisions, the entry, latency and refractory time come
    /// from the other stimuli).
    pub strong_inhibition: bool,
    pub th_ua: f64,
    /// Length of the run.
    pub tstop: f64,
    /// Excitatory pulses arriving at the input junction B1.
    pub arrivals: Vec<f64>,
    /// Quanta entering the storage loop (B3 switches).
    pub entries: Vec<f64>,
    /// Inhibitory quanta entering (B7 switches).
    pub inhibitions: Vec<f64>,
    /// Fires (B4 switches).
    pub fires: Vec<f64>,
    /// Output junction switches (B5): after its B4 in an ordinary fire, before it in a
    /// fire led by the output junction.
    pub outputs: Vec<f64>,
}

impl NeuronTrace {
    /// Whether each fire was led by the output junction (B5 switched before its B4).
    /// The k-th B5 switch is the k-th fire's when the counts agree, else the nearest.
    pub fn output_led(&self) -> Vec<bool> {
        let b5 = &self.outputs;
        self.fires
            .iter()
            .enumerate()
            .map(|(k, &f)| {
                let o = if b5.len() == self.fires.len() {
                    Some(b5[k])
                } else {
                    b5.iter()
                        .copied()
                        .min_by(|a, b| (a - f).abs().total_cmp(&(b - f).abs()))
                };
                o.is_some_and(|o| o < f)
            })
            .collect()
    }
}

/// The fitted constants (ps, fluxons).
#[derive(Debug, Clone, PartialEq)]
pub struct NeuronFit {
    pub leak_tau_ps: f64,
    pub inh_tau_ps: f64,
    pub inh_fluxons: f64,
    /// Fire latency at zero overdrive (median), its e-folding per fluxon of overdrive,
    /// and the σ of its logarithm.
    pub latency_median_ps: f64,
    pub latency_slope_per_fluxon: f64,
    pub latency_log_sigma: f64,
    pub refractory_ps: f64,
    /// θ(th) and the width of the fire probability: (th µA, fluxons, fluxons).
    pub threshold: Vec<(f64, f64, f64)>,
    /// Entry of an excitatory quantum: logistic (centre, scale) in s; scale 0 when no
    /// pulse escaped.
    pub entry: (f64, f64),
    /// The fire led by the output junction: (centre, inh, theta_slope, width) as in
    /// [`crate::pulse::models::OutputFire`]; `None` with fewer than
    /// [`MIN_OUTPUT_LED`] such fires.
    pub output_fire: Option<(f64, f64, f64, f64)>,
    /// Fires led by the output junction in the traces.
    pub output_led_fires: usize,
    /// Log-likelihood of the fire decisions at the optimum.
    pub log_likelihood: f64,
    /// Entries (decisions) and first-fire latencies the fit used.
    pub decisions: usize,
    pub latencies: usize,
}

/// A first fire later than this after an entry (ps) is not counted as its latency.
const LATENCY_WINDOW_PS: f64 = 60.0;

/// Fewest fires led by the output junction to fit that path.
pub const MIN_OUTPUT_LED: usize = 20;

/// The drive just after one entry and what followed it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Decision {
    /// Index of the threshold current.
    th: usize,
    drive: f64,
    /// Stored flux and inhibition (D = s − κh).
    stored: f64,
    inhibition: f64,
    fired: bool,
    /// The fire that followed was led by the output junction.
    output_led: bool,
    /// Time from the entry to the first fire before the next entry.
    latency: Option<f64>,
}

/// Sum of exp(−(t − x)/τ) over the times x in `times` before `t` (or at it, `inclusive`).
pub(super) fn decayed_sum(times: &[f64], t: f64, tau: f64, inclusive: bool) -> f64 {
    times
        .iter()
        .take_while(|&&x| x < t || (inclusive && x == t))
        .map(|&x| (-(t - x) / tau).exp())
        .sum()
}

/// The decisions of every trace for (τ_s, τ_h, κ), taken as the simulator takes them:
/// at each entry, or — for an entry within `refractory` of the last fire — when that
/// time ends, unless another entry comes first (which then decides).
fn decisions(
    traces: &[NeuronTrace],
    thresholds: &[f64],
    (tau_s, tau_h, kappa): (f64, f64, f64),
    refractory: f64,
) -> Vec<Decision> {
    let mut out = Vec::new();
    for t in traces {
        let th = thresholds.iter().position(|&x| x == t.th_ua).unwrap_or(0);
        let led = t.output_led();
        for (i, &entry) in t.entries.iter().enumerate() {
            let next = t.entries.get(i + 1).copied().unwrap_or(f64::INFINITY);
            let last_fire = t
                .fires
                .iter()
                .take_while(|&&f| f < entry)
                .last()
                .copied()
                .unwrap_or(f64::NEG_INFINITY);
            let at = entry.max(last_fire + refractory);
            if at >= next {
                continue;
            }
            let stored =
                decayed_sum(&t.entries, at, tau_s, true) - decayed_sum(&t.fires, at, tau_s, false);
            let inhibition = decayed_sum(&t.inhibitions, at, tau_h, true);
            let first = t.fires.iter().position(|&f| f >= entry && f < next);
            let fire = first.map(|k| t.fires[k]);
            out.push(Decision {
                th,
                drive: stored - kappa * inhibition,
                stored,
                inhibition,
                fired: fire.is_some(),
                output_led: first.is_some_and(|k| led[k]),
                latency: fire
                    .map(|f| f - at)
                    .filter(|&l| (0.0..LATENCY_WINDOW_PS).contains(&l)),
            });
        }
    }
    out
}

/// ln(1 + e^z) without overflow.
fn softplus(z: f64) -> f64 {
    if z > 30.0 {
        z
    } else {
        z.exp().ln_1p()
    }
}

/// Logistic regression of the decisions: P(fire) = σ(a·D − c_th). Newton's method on
/// the convex negative log-likelihood; returns (a, c per threshold, −log-likelihood).
fn fit_decisions(d: &[Decision], m: usize) -> (f64, Vec<f64>, f64) {
    let n = m + 1;
    // β = [a, c_0 .. c_{m-1}], from 0 (every p = ½: Newton's method, started where no
    // decision is saturated, converges on non-separable data)
    let mut beta = vec![0.0; n];
    let nll = |beta: &[f64]| -> f64 {
        d.iter()
            .map(|x| {
                let z = beta[0] * x.drive - beta[1 + x.th];
                if x.fired {
                    softplus(-z)
                } else {
                    softplus(z)
                }
            })
            .sum()
    };
    let mut f = nll(&beta);
    for _ in 0..100 {
        let mut grad = vec![0.0; n];
        let mut hess = vec![vec![0.0; n]; n];
        for x in d {
            let z = beta[0] * x.drive - beta[1 + x.th];
            let p = 1.0 / (1.0 + (-z).exp());
            let r = p - f64::from(u8::from(x.fired));
            let w = p * (1.0 - p);
            let (i, gi) = (1 + x.th, [x.drive, -1.0]);
            grad[0] += r * gi[0];
            grad[i] += r * gi[1];
            hess[0][0] += w * gi[0] * gi[0];
            hess[0][i] += w * gi[0] * gi[1];
            hess[i][0] += w * gi[0] * gi[1];
            hess[i][i] += w;
        }
        for (k, row) in hess.iter_mut().enumerate() {
            row[k] += 1e-9;
        }
        let Some(step) = solve(hess, grad) else { break };
        // damped: halve the step until the likelihood does not fall
        let mut t = 1.0;
        let mut improved = false;
        for _ in 0..30 {
            let trial: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b - t * s).collect();
            let ft = nll(&trial);
            if ft <= f {
                improved = f - ft > 1e-10;
                beta = trial;
                f = ft;
                break;
            }
            t /= 2.0;
        }
        if !improved {
            break;
        }
    }
    (beta[0], beta[1..].to_vec(), f)
}

/// The logistic regression of each threshold's decisions on its own: P(fire) =
/// σ(a_k·D − c_k). Returns (a_k, c_k) per threshold and the summed −log-likelihood.
fn fit_per_threshold(d: &[Decision], m: usize) -> (Vec<(f64, f64)>, f64) {
    let mut total = 0.0;
    let fits = (0..m)
        .map(|k| {
            let own: Vec<Decision> = d
                .iter()
                .filter(|x| x.th == k)
                .map(|x| Decision { th: 0, ..*x })
                .collect();
            let (a, c, f) = fit_decisions(&own, 1);
            total += f;
            (a, c[0])
        })
        .collect();
    (fits, total)
}

/// Logistic regression P(y) = σ(β·x) by Newton's method (damped, from β = 0) on the
/// convex negative log-likelihood; `None` if the system is singular at the start.
fn fit_logistic_features<const N: usize>(rows: &[([f64; N], bool)]) -> Option<[f64; N]> {
    let nll = |beta: &[f64; N]| -> f64 {
        rows.iter()
            .map(|(x, y)| {
                let z: f64 = x.iter().zip(beta).map(|(a, b)| a * b).sum();
                if *y {
                    softplus(-z)
                } else {
                    softplus(z)
                }
            })
            .sum()
    };
    let mut beta = [0.0; N];
    let mut f = nll(&beta);
    for iteration in 0..100 {
        let mut grad = vec![0.0; N];
        let mut hess = vec![vec![0.0; N]; N];
        for (x, y) in rows {
            let z: f64 = x.iter().zip(&beta).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let r = p - f64::from(u8::from(*y));
            let w = p * (1.0 - p);
            for i in 0..N {
                grad[i] += r * x[i];
                for j in 0..N {
                    hess[i][j] += w * x[i] * x[j];
                }
            }
        }
        for (k, row) in hess.iter_mut().enumerate() {
            row[k] += 1e-9;
        }
        let Some(step) = solve(hess, grad) else {
            return (iteration > 0).then_some(beta);
        };
        let mut t = 1.0;
        let mut improved = false;
        for _ in 0..30 {
            let mut trial = beta;
            for i in 0..N {
                trial[i] -= t * step[i];
            }
            let ft = nll(&trial);
            if ft <= f {
                improved = f - ft > 1e-10;
                beta = trial;
                f = ft;
                break;
            }
            t /= 2.0;
        }
        if !improved {
            break;
        }
    }
    Some(beta)
}

/// Solves a small dense system by Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-300 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let (upper, lower) = a.split_at_mut(col + 1);
        let pivot_row = &upper[col];
        for (k, row) in lower.iter_mut().enumerate() {
            let f = row[col] / pivot_row[col];
            for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            b[col + 1 + k] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// Nelder–Mead minimisation of `f` from `x0` with initial steps `step`.
fn nelder_mead<const N: usize>(
    f: impl Fn(&[f64; N]) -> f64,
    x0: [f64; N],
    step: [f64; N],
    iterations: usize,
) -> ([f64; N], f64) {
    let mut simplex: Vec<([f64; N], f64)> = (0..=N)
        .map(|i| {
            let mut x = x0;
            if i > 0 {
                x[i - 1] += step[i - 1];
            }
            (x, f(&x))
        })
        .collect();
    let along = |a: &[f64; N], b: &[f64; N], t: f64| {
        let mut x = *a;
        for k in 0..N {
            x[k] = a[k] + t * (b[k] - a[k]);
        }
        x
    };
    for _ in 0..iterations {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        if (simplex[N].1 - simplex[0].1).abs() < 1e-4 {
            break;
        }
        let mut centroid = [0.0; N];
        for (x, _) in &simplex[..N] {
            for k in 0..N {
                centroid[k] += x[k] / N as f64;
            }
        }
        let worst = simplex[N];
        let reflected = along(&centroid, &worst.0, -1.0);
        let fr = f(&reflected);
        if fr < simplex[0].1 {
            let expanded = along(&centroid, &worst.0, -2.0);
            let fe = f(&expanded);
            simplex[N] = if fe < fr {
                (expanded, fe)
            } else {
                (reflected, fr)
            };
        } else if fr < simplex[N - 1].1 {
            simplex[N] = (reflected, fr);
        } else {
            let contracted = along(&centroid, &worst.0, 0.5);
            let fc = f(&contracted);
            if fc < worst.1 {
                simplex[N] = (contracted, fc);
            } else {
                let best = simplex[0].0;
                for v in simplex.iter_mut().skip(1) {
                    v.0 = along(&best, &v.0, 0.5);
                    v.1 = f(&v.0);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    simplex[0]
}

/// Stored flux (decayed entries minus fires, τ in ps) just before `t`.
fn stored_at(trace: &NeuronTrace, t: f64, tau: f64) -> f64 {
    let sum = |v: &[f64]| -> f64 {
        v.iter()
            .filter(|&&x| x < t)
            .map(|&x| (-(t - x) / tau).exp())
            .sum()
    };
    sum(&trace.entries) - sum(&trace.fires)
}

/// Fits the model to the traces. The refractory time is 0.85 × the shortest interval
/// between two fires seen in any trace.
pub fn fit_neuron(all_traces: &[NeuronTrace]) -> NeuronFit {
    let ordinary: Vec<NeuronTrace> = all_traces
        .iter()
        .filter(|t| !t.strong_inhibition)
        .cloned()
        .collect();
    let traces = &ordinary[..];
    let mut thresholds: Vec<f64> = traces.iter().map(|t| t.th_ua).collect();
    thresholds.sort_by(f64::total_cmp);
    thresholds.dedup();
    let m = thresholds.len();
    let refractory = 0.85
        * traces
            .iter()
            .flat_map(|t| t.fires.windows(2).map(|w| w[1] - w[0]))
            .fold(f64::INFINITY, f64::min);
    let refractory = if refractory.is_finite() {
        refractory
    } else {
        0.0
    };
    let profile = |p: &[f64; 3]| -> f64 {
        if !p.iter().all(|x| x.is_finite()) {
            return f64::INFINITY;
        }
        let mut d = decisions(
            traces,
            &thresholds,
            (p[0].exp(), p[1].exp(), p[2]),
            refractory,
        );
        d.retain(|x| !x.output_led);
        let nll = fit_per_threshold(&d, m).1;
        if nll.is_finite() {
            nll
        } else {
            f64::INFINITY
        }
    };
    let (best, neg_ll) = nelder_mead(
        profile,
        [270f64.ln(), 270f64.ln(), 1.0],
        [0.2, 0.2, 0.2],
        200,
    );
    let (leak_tau_ps, inh_tau_ps, kappa) = (best[0].exp(), best[1].exp(), best[2]);
    let mut d = decisions(
        traces,
        &thresholds,
        (leak_tau_ps, inh_tau_ps, kappa),
        refractory,
    );
    d.retain(|x| !x.output_led);
    let (fits, _) = fit_per_threshold(&d, m);
    let theta: Vec<f64> = fits.iter().map(|(a, c)| c / a).collect();
    // the output junction's path: P = σ(β·(s, h, θ, 1)) over all decisions
    let all = decisions(
        all_traces,
        &thresholds,
        (leak_tau_ps, inh_tau_ps, kappa),
        refractory,
    );
    let output_led_fires: usize = all_traces
        .iter()
        .map(|t| t.output_led().iter().filter(|&&l| l).count())
        .sum();
    let output_fire = (output_led_fires >= MIN_OUTPUT_LED)
        .then(|| {
            let rows: Vec<([f64; 4], bool)> = all
                .iter()
                .map(|x| {
                    (
                        [x.stored, x.inhibition, theta[x.th], 1.0],
                        x.fired && x.output_led,
                    )
                })
                .collect();
            fit_logistic_features(&rows)
        })
        .flatten()
        .filter(|b| b[0] > 0.0)
        .map(|b| (-b[3] / b[0], b[1] / b[0], -b[2] / b[0], 1.0 / b[0]));
    let widths: Vec<f64> = fits.iter().map(|(a, _)| 1.0 / a).collect();
    // latency: ln(latency) = α + β·x by least squares
    let points: Vec<(f64, f64)> = d
        .iter()
        .filter_map(|x| x.latency.map(|l| (x.drive - theta[x.th], l.max(0.3).ln())))
        .collect();
    let k = points.len() as f64;
    let (mx, my) = (
        points.iter().map(|p| p.0).sum::<f64>() / k,
        points.iter().map(|p| p.1).sum::<f64>() / k,
    );
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let intercept = my - slope * mx;
    let sigma = if points.len() > 2 {
        (points
            .iter()
            .map(|p| (p.1 - intercept - slope * p.0).powi(2))
            .sum::<f64>()
            / (k - 2.0))
            .sqrt()
    } else {
        0.0
    };
    // entry: arrivals at B1 that did not enter (no B3 switch within 6 ps) escaped
    let mut bins: Vec<(f64, u32, u32)> = Vec::new();
    for t in traces {
        for &a in &t.arrivals {
            let s = (stored_at(t, a, leak_tau_ps) * 4.0).round() / 4.0;
            let escaped = !t.entries.iter().any(|&e| e >= a && e - a < 6.0);
            match bins.iter_mut().find(|b| b.0 == s) {
                Some(b) => {
                    b.1 += u32::from(escaped);
                    b.2 += 1;
                }
                None => bins.push((s, u32::from(escaped), 1)),
            }
        }
    }
    bins.sort_by(|a, b| a.0.total_cmp(&b.0));
    let entry = fit_logistic(&bins)
        .map(|l| (l.centre, l.scale))
        .unwrap_or((0.0, 0.0));
    NeuronFit {
        leak_tau_ps,
        inh_tau_ps,
        inh_fluxons: kappa,
        latency_median_ps: intercept.exp(),
        latency_slope_per_fluxon: -slope,
        latency_log_sigma: sigma,
        refractory_ps: refractory,
        threshold: thresholds
            .iter()
            .zip(theta.iter().zip(&widths))
            .map(|(&th, (&theta, &w))| (th, theta, w))
            .collect(),
        entry,
        output_fire,
        output_led_fires,
        log_likelihood: -neg_ll,
        decisions: d.len(),
        latencies: points.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn nelder_mead_finds_a_quadratic_minimum() {
        let (x, f) = nelder_mead(
            |p: &[f64; 2]| (p[0] - 1.5).powi(2) + 3.0 * (p[1] + 0.5).powi(2),
            [0.0, 0.0],
            [0.5, 0.5],
            500,
        );
        assert!(
            (x[0] - 1.5).abs() < 1e-2 && (x[1] + 0.5).abs() < 1e-2,
            "{x:?}"
        );
        assert!(f < 1e-4);
    }

    #[test]
    fn logistic_decisions_recover_width_and_thresholds() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let (w, theta) = (0.25, [4.0, 2.5]);
        let d: Vec<Decision> = (0..20_000)
            .map(|i| {
                let th = i % 2;
                let drive = rng.random::<f64>() * 7.0;
                let p = 1.0 / (1.0 + (-(drive - theta[th]) / w).exp());
                Decision {
                    th,
                    drive,
                    stored: drive,
                    inhibition: 0.0,
                    fired: rng.random::<f64>() < p,
                    output_led: false,
                    latency: None,
                }
            })
            .collect();
        let (a, c, _) = fit_decisions(&d, 2);
        assert!((1.0 / a - w).abs() < 0.02, "width {}", 1.0 / a);
        for k in 0..2 {
            assert!((c[k] / a - theta[k]).abs() < 0.03, "θ{k} {}", c[k] / a);
        }
    }

    #[test]
    fn each_threshold_gets_its_own_width() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let (w, theta) = ([0.15, 0.3], [4.0, 1.0]);
        let d: Vec<Decision> = (0..60_000)
            .map(|i| {
                let th = i % 2;
                let drive = rng.random::<f64>() * 7.0;
                let p = 1.0 / (1.0 + (-(drive - theta[th]) / w[th]).exp());
                Decision {
                    th,
                    drive,
                    stored: drive,
                    inhibition: 0.0,
                    fired: rng.random::<f64>() < p,
                    output_led: false,
                    latency: None,
                }
            })
            .collect();
        let (fits, _) = fit_per_threshold(&d, 2);
        for k in 0..2 {
            let (a, c) = fits[k];
            assert!((1.0 / a - w[k]).abs() < 0.03, "width {k}: {}", 1.0 / a);
            assert!((c / a - theta[k]).abs() < 0.05, "θ{k}: {}", c / a);
        }
    }

    #[test]
    fn decisions_follow_entries_and_fires() {
        let t = NeuronTrace {
            stimulus: 0,
            strong_inhibition: false,
            th_ua: 300.0,
            tstop: 500.0,
            arrivals: vec![],
            entries: vec![10.0, 30.0, 100.0],
            inhibitions: vec![],
            fires: vec![42.0],
            outputs: vec![49.0],
        };
        let d = decisions(std::slice::from_ref(&t), &[300.0], (1e9, 1e9, 1.0), 5.0);
        assert_eq!(d.len(), 3);
        assert!(!d[0].fired && d[1].fired && !d[2].fired);
        assert!((d[1].drive - 2.0).abs() < 1e-6 && (d[2].drive - 2.0).abs() < 1e-6);
        assert_eq!(d[1].latency, Some(12.0));
        // an entry 3 ps after the fire is decided when the refractory time (5 ps) ends
        let mut late = t;
        late.entries = vec![10.0, 30.0, 45.0];
        let d = decisions(&[late], &[300.0], (1e9, 1e9, 1.0), 5.0);
        assert!((d[2].drive - 2.0).abs() < 1e-6);
    }

    #[test]
    fn a_fire_is_output_led_when_its_b5_switches_before_its_b4() {
        let mut t = NeuronTrace {
            stimulus: 0,
            strong_inhibition: false,
            th_ua: 300.0,
            tstop: 500.0,
            arrivals: vec![],
            entries: vec![],
            inhibitions: vec![],
            fires: vec![100.0, 120.0, 200.0],
            outputs: vec![107.0, 115.0, 206.0],
        };
        assert_eq!(t.output_led(), [false, true, false]);
        // counts differ (a B5 switch without a fire): the nearest B5 switch
        t.fires = vec![100.0, 200.0];
        t.outputs = vec![107.0, 196.0, 250.0];
        assert_eq!(t.output_led(), [false, true]);
    }

    #[test]
    fn logistic_features_recover_the_output_fire_path() {
        // P = σ((s + 1.2 h − 14 − 0.5 θ)/0.4)
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let rows: Vec<([f64; 4], bool)> = (0..40_000)
            .map(|_| {
                let (s, h, theta) = (
                    rng.random::<f64>() * 9.0,
                    rng.random::<f64>() * 14.0,
                    1.0 + rng.random::<f64>() * 4.0,
                );
                let x = s + 1.2 * h - 14.0 - 0.5 * theta;
                let p = 1.0 / (1.0 + (-x / 0.4).exp());
                ([s, h, theta, 1.0], rng.random::<f64>() < p)
            })
            .collect();
        let b = fit_logistic_features(&rows).unwrap();
        let (centre, inh, slope, width) = (-b[3] / b[0], b[1] / b[0], -b[2] / b[0], 1.0 / b[0]);
        assert!((width - 0.4).abs() < 0.03, "width {width}");
        assert!((inh - 1.2).abs() < 0.03, "inh {inh}");
        assert!((slope - 0.5).abs() < 0.05, "slope {slope}");
        assert!((centre - 14.0).abs() < 0.3, "centre {centre}");
    }
}
