//! Fitting the pulse-level neuron model to the circuit neuron's own junction switchings.
//!
//! The model (see [`crate::pulse::models::NeuronModel`]) is a point process: the
//! stored flux s (input quanta entering the storage loop, each decaying with τ_s; −1
//! per fire) and the inhibition h (inhibitory quanta, decaying with τ_h) set the drive
//! D = s − κh, and the fire junction escapes at the rate
//! λ = r·exp(−b·(θ(th) − D)^γ) below θ and r at or above it (a Kramers-like escape
//! over a barrier that shrinks as (θ − D)^γ; γ = 3/2 for a junction biased near its
//! critical current), zero within the refractory time of a fire.
//!
//! The benches record, for random and periodic input trains at every threshold, when
//! each quantum enters the loop (the storage junction B3 switches), when each
//! inhibitory quantum enters (B7), and when the neuron fires (the fire junction B4).
//! With those times s(t) and h(t) are known, and the log-likelihood of the observed
//! fires is Σ log λ(t_fire) − ∫ λ dt. Nelder–Mead maximises it over (τ_s, κ, τ_h, b,
//! δ, ln r, γ) — δ the delay from a junction's switching to its effect on the fire
//! junction — and γ, with, at every step, the best θ of each threshold found by golden-section
//! search (the thresholds' terms are independent; the integral runs over a fine
//! histogram of the drive, so each search is cheap).
//!
//! The entry of an excitatory quantum (else it escapes through B2 when the loop is
//! full) is a logistic in s, fitted by maximum likelihood to the arrivals at B1.

use super::fit::fit_logistic;

/// Integration step of the likelihood (ps): the circuit's time step is 0.1 ps.
const DT: f64 = 0.25;

/// One circuit-level run of the identification bench (times in ps).
#[derive(Debug, Clone, PartialEq)]
pub struct NeuronTrace {
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
}

/// The fitted constants (ps, fluxons).
#[derive(Debug, Clone, PartialEq)]
pub struct NeuronFit {
    pub leak_tau_ps: f64,
    pub inh_tau_ps: f64,
    pub inh_fluxons: f64,
    /// Escape rate at and above θ (per ps), barrier coefficient b and exponent γ.
    pub rate_per_ps: f64,
    pub barrier: f64,
    pub exponent: f64,
    /// From a junction's switching to its effect on the escape rate.
    pub effect_delay_ps: f64,
    pub refractory_ps: f64,
    /// θ(th): (th µA, fluxons).
    pub threshold: Vec<(f64, f64)>,
    /// Entry of an excitatory quantum: logistic (centre, scale) in s; scale 0 when no
    /// pulse escaped.
    pub entry: (f64, f64),
    /// Log-likelihood of the fires at the optimum.
    pub log_likelihood: f64,
}

/// Switching times binned on the likelihood grid (shifted by `shift` ps).
fn binned(times: &[f64], shift: f64, n: usize) -> Vec<f64> {
    let mut b = vec![0.0; n];
    for &t in times {
        let i = ((t + shift) / DT).floor();
        if i >= 0.0 && (i as usize) < n {
            b[i as usize] += 1.0;
        }
    }
    b
}

/// y[k] = a·y[k−1] + x[k], a = exp(−DT/τ): a sum of decaying unit steps.
fn decayed(x: &mut [f64], tau: f64) {
    let a = (-DT / tau).exp();
    for k in 1..x.len() {
        x[k] += a * x[k - 1];
    }
}

/// What the likelihood needs of one trace, prepared once.
struct Prepared<'a> {
    trace: &'a NeuronTrace,
    th: usize,
    n: usize,
    /// Fires, one step late (a fire lowers s after it).
    fired: Vec<f64>,
    /// 0 within the refractory time after a fire, else 1.
    open: Vec<f64>,
    fire_bins: Vec<usize>,
}

/// The model's constants during a fit: ln τ_s, κ, ln τ_h, ln b, δ, ln r, ln γ.
type Point = [f64; 7];

/// Width of a drive histogram bin (fluxons).
const BIN: f64 = 0.002;

struct Problem<'a> {
    runs: Vec<Prepared<'a>>,
    thresholds: Vec<f64>,
}

/// log λ at drive `d` for threshold `theta`.
fn log_rate(d: f64, theta: f64, log_r: f64, b: f64, gamma: f64) -> f64 {
    log_r - b * (theta - d).max(0.0).powf(gamma)
}

/// Golden-section search for the minimum of `f` on [lo, hi].
fn golden(f: impl Fn(f64) -> f64, mut lo: f64, mut hi: f64) -> f64 {
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (hi - g * (hi - lo), lo + g * (hi - lo));
    let (mut fa, mut fb) = (f(a), f(b));
    while hi - lo > 1e-4 {
        if fa < fb {
            hi = b;
            (b, fb) = (a, fa);
            a = hi - g * (hi - lo);
            fa = f(a);
        } else {
            lo = a;
            (a, fa) = (b, fb);
            b = lo + g * (hi - lo);
            fb = f(b);
        }
    }
    (lo + hi) / 2.0
}

impl Problem<'_> {
    /// s − κh on the grid of one run.
    fn drive(&self, r: &Prepared, p: &Point) -> Vec<f64> {
        let (tau_s, kappa, tau_h, delta) = (p[0].exp(), p[1], p[2].exp(), p[4]);
        let mut s = binned(&r.trace.entries, delta, r.n);
        for (x, f) in s.iter_mut().zip(&r.fired) {
            *x -= f;
        }
        decayed(&mut s, tau_s);
        if !r.trace.inhibitions.is_empty() {
            let mut h = binned(&r.trace.inhibitions, delta, r.n);
            decayed(&mut h, tau_h);
            for (x, y) in s.iter_mut().zip(&h) {
                *x -= kappa * y;
            }
        }
        s
    }

    /// The profile log-likelihood at `p` and the best θ of each threshold.
    fn profile(&self, p: &Point) -> (f64, Vec<f64>) {
        if !p.iter().all(|x| x.is_finite()) {
            return (f64::NEG_INFINITY, vec![]);
        }
        let (b, log_r, gamma) = (p[3].exp(), p[5], p[6].exp());
        let m = self.thresholds.len();
        // per threshold: histogram of the drive where the neuron may fire (time spent,
        // ps, per bin from `lowest`), and the drive at each fire
        let mut spent: Vec<Vec<f64>> = vec![Vec::new(); m];
        let mut lowest = vec![f64::INFINITY; m];
        let mut at_fires: Vec<Vec<f64>> = vec![Vec::new(); m];
        let drives: Vec<Vec<f64>> = self.runs.iter().map(|r| self.drive(r, p)).collect();
        for (r, d) in self.runs.iter().zip(&drives) {
            let lo = d.iter().copied().fold(f64::INFINITY, f64::min);
            lowest[r.th] = lowest[r.th].min(lo);
        }
        for (r, d) in self.runs.iter().zip(&drives) {
            let h = &mut spent[r.th];
            for (x, &open) in d.iter().zip(&r.open) {
                if open > 0.0 {
                    let i = ((x - lowest[r.th]) / BIN) as usize;
                    if i >= h.len() {
                        h.resize(i + 1, 0.0);
                    }
                    h[i] += DT;
                }
            }
            at_fires[r.th].extend(r.fire_bins.iter().map(|&i| d[i]));
        }
        let mut ll = 0.0;
        let mut thetas = vec![0.0; m];
        for k in 0..m {
            let nll = |theta: f64| {
                let integral: f64 = spent[k]
                    .iter()
                    .enumerate()
                    .filter(|(_, &t)| t > 0.0)
                    .map(|(i, &t)| {
                        let d = lowest[k] + (i as f64 + 0.5) * BIN;
                        t * log_rate(d, theta, log_r, b, gamma).exp()
                    })
                    .sum();
                let fires: f64 = at_fires[k]
                    .iter()
                    .map(|&d| log_rate(d, theta, log_r, b, gamma))
                    .sum();
                integral - fires
            };
            thetas[k] = golden(nll, 0.0, 15.0);
            ll -= nll(thetas[k]);
        }
        if !ll.is_finite() {
            return (f64::NEG_INFINITY, thetas);
        }
        (ll, thetas)
    }
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

/// Fits the model to the traces, starting from the barrier exponent γ = `exponent`. The
/// refractory time is 0.85 × the shortest interval between two fires seen in any trace.
pub fn fit_neuron(traces: &[NeuronTrace], exponent: f64) -> NeuronFit {
    let mut thresholds: Vec<f64> = traces.iter().map(|t| t.th_ua).collect();
    thresholds.sort_by(f64::total_cmp);
    thresholds.dedup();
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
    let runs = traces
        .iter()
        .map(|t| {
            let n = (t.tstop / DT).ceil() as usize + 1;
            let fires = binned(&t.fires, 0.0, n);
            let mut fired = vec![0.0; n];
            fired[1..].copy_from_slice(&fires[..n - 1]);
            let mut open = vec![1.0; n];
            for &f in &t.fires {
                let a = (f / DT) as usize + 1;
                let b = (((f + refractory) / DT) as usize + 1).min(n);
                if a < b {
                    open[a..b].fill(0.0);
                }
            }
            let fire_bins = t
                .fires
                .iter()
                .map(|&f| (f / DT).floor() as usize)
                .filter(|&i| i < n)
                .collect();
            Prepared {
                trace: t,
                th: thresholds.iter().position(|&x| x == t.th_ua).unwrap_or(0),
                n,
                fired,
                open,
                fire_bins,
            }
        })
        .collect();
    let problem = Problem { runs, thresholds };
    let start: Point = [
        270f64.ln(),
        1.0,
        250f64.ln(),
        1.5f64.ln(),
        4.0,
        0.0,
        exponent.ln(),
    ];
    let (best, neg_ll) = nelder_mead(
        |p| -problem.profile(p).0,
        start,
        [0.2, 0.2, 0.2, 0.3, 2.0, 0.5, 0.2],
        500,
    );
    let (_, thetas) = problem.profile(&best);
    let leak_tau_ps = best[0].exp();
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
        inh_tau_ps: best[2].exp(),
        inh_fluxons: best[1],
        rate_per_ps: best[5].exp(),
        barrier: best[3].exp(),
        exponent: best[6].exp(),
        effect_delay_ps: best[4],
        refractory_ps: refractory,
        threshold: problem.thresholds.iter().copied().zip(thetas).collect(),
        entry,
        log_likelihood: -neg_ll,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn golden_section_finds_a_minimum() {
        let x = golden(|x| (x - 3.3).powi(2), 0.0, 15.0);
        assert!((x - 3.3).abs() < 1e-3, "{x}");
    }

    #[test]
    fn decayed_steps_sum_exponentials() {
        let mut x = vec![0.0; 9];
        x[0] = 1.0;
        x[4] = 1.0;
        decayed(&mut x, DT);
        let a = (-1.0f64).exp();
        assert!((x[4] - (a.powi(4) + 1.0)).abs() < 1e-12);
        assert!((x[8] - (a.powi(8) + a.powi(4))).abs() < 1e-12);
    }
}
