//! Agreement of two simulations, as `compare.py` of the JoSIM reference defines it:
//! columns matched by name; the candidate interpolated linearly onto the reference's
//! times; per column the RMS difference over the reference's peak-to-peak range
//! (nrmse); for phase columns the same 2π slips with the same signs, each within a
//! time tolerance.

use super::slips::{detect_slips, SlipOptions};
use super::traces::{normalize_column_name, Traces};

/// How one column compares.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnAgreement {
    pub name: String,
    /// `None` when the candidate lacks the column.
    pub nrmse: Option<f64>,
    pub slips_reference: usize,
    pub slips_candidate: usize,
    /// Largest slip time difference (s), when the slips pair up.
    pub worst_slip_dt: Option<f64>,
    pub ok: bool,
}

/// Linear interpolation of `(ts, ys)` at `t`, clamped at the ends.
pub fn interpolate(ts: &[f64], ys: &[f64], t: f64) -> f64 {
    let n = ts.len();
    if n == 0 {
        return 0.0;
    }
    if t <= ts[0] {
        return ys[0];
    }
    if t >= ts[n - 1] {
        return ys[n - 1];
    }
    let hi = ts.partition_point(|&x| x <= t);
    let lo = hi - 1;
    let w = if ts[hi] > ts[lo] {
        (t - ts[lo]) / (ts[hi] - ts[lo])
    } else {
        0.0
    };
    ys[lo] * (1.0 - w) + ys[hi] * w
}

/// Compares every reference column with the candidate's.
pub fn compare(
    reference: &Traces,
    candidate: &Traces,
    nrmse_tol: f64,
    slip_tol: f64,
) -> Vec<ColumnAgreement> {
    let rt = &reference.time;
    let options = SlipOptions::default();
    reference
        .columns
        .iter()
        .map(|col| {
            let name = normalize_column_name(&col.name);
            let Some(cy) = candidate.column(&col.name) else {
                return ColumnAgreement {
                    name,
                    nrmse: None,
                    slips_reference: 0,
                    slips_candidate: 0,
                    worst_slip_dt: None,
                    ok: false,
                };
            };
            let ry = &col.values;
            let c: Vec<f64> = rt
                .iter()
                .map(|&t| interpolate(&candidate.time, cy, t))
                .collect();
            let max = ry.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let min = ry.iter().copied().fold(f64::INFINITY, f64::min);
            let p2p = if max - min == 0.0 { 1.0 } else { max - min };
            let rmse = (c.iter().zip(ry).map(|(a, b)| (a - b).powi(2)).sum::<f64>()
                / ry.len().max(1) as f64)
                .sqrt();
            let nrmse = rmse / p2p;
            let mut ok = nrmse <= nrmse_tol;
            let (mut sr, mut sc, mut worst) = (0, 0, None);
            if name.starts_with("P(") {
                let rs = detect_slips(rt, ry, &options);
                let cs = detect_slips(rt, &c, &options);
                sr = rs.len();
                sc = cs.len();
                if rs.len() != cs.len() || rs.iter().zip(&cs).any(|(a, b)| a.sign != b.sign) {
                    ok = false;
                } else if !rs.is_empty() {
                    let w = rs
                        .iter()
                        .zip(&cs)
                        .map(|(a, b)| (a.time - b.time).abs())
                        .fold(0.0, f64::max);
                    worst = Some(w);
                    ok = ok && w <= slip_tol;
                }
            }
            ColumnAgreement {
                name,
                nrmse: Some(nrmse),
                slips_reference: sr,
                slips_candidate: sc,
                worst_slip_dt: worst,
                ok,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Column;
    use std::f64::consts::PI;

    fn traces(step_at: f64) -> Traces {
        let t: Vec<f64> = (0..100).map(|i| i as f64).collect();
        let p = t
            .iter()
            .map(|&x| if x < step_at { 0.0 } else { 2.0 * PI })
            .collect();
        Traces {
            time: t,
            columns: vec![Column {
                name: "P(B1|X1)".into(),
                values: p,
            }],
        }
    }

    #[test]
    fn identical_traces_agree_and_a_late_slip_does_not() {
        let r = compare(&traces(50.0), &traces(50.0), 0.01, 0.5);
        assert!(r[0].ok);
        assert_eq!(r[0].slips_reference, 1);
        let r = compare(&traces(50.0), &traces(60.0), 1.0, 0.5);
        assert!(!r[0].ok, "a slip 10 s late must fail");
        assert_eq!(interpolate(&[0.0, 1.0], &[0.0, 2.0], 0.25), 0.5);
    }
}
