//! Two-sample comparison of pulse counts: the Mann-Whitney U test (normal
//! approximation with tie correction and continuity correction, two-sided).

/// The outcome of a Mann-Whitney U test of samples `a` and `b`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MannWhitney {
    /// U of sample `a`.
    pub u: f64,
    /// Standardized statistic (0 when both samples are one identical value).
    pub z: f64,
    /// Two-sided p-value.
    pub p: f64,
}

/// Mann-Whitney U test (two-sided). Ties get mid-ranks; the variance is tie-corrected.
pub fn mann_whitney(a: &[f64], b: &[f64]) -> MannWhitney {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    if a.is_empty() || b.is_empty() {
        return MannWhitney {
            u: 0.0,
            z: 0.0,
            p: 1.0,
        };
    }
    let mut all: Vec<(f64, bool)> = a
        .iter()
        .map(|&x| (x, true))
        .chain(b.iter().map(|&x| (x, false)))
        .collect();
    all.sort_by(|x, y| x.0.total_cmp(&y.0));
    let n = all.len();
    let (mut rank_a, mut ties) = (0.0, 0.0);
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        let mid = (i + j) as f64 / 2.0 + 1.0;
        let t = (j - i + 1) as f64;
        ties += t * t * t - t;
        rank_a += all[i..=j].iter().filter(|x| x.1).count() as f64 * mid;
        i = j + 1;
    }
    let u = rank_a - n1 * (n1 + 1.0) / 2.0;
    let mean = n1 * n2 / 2.0;
    let nn = n1 + n2;
    let var = n1 * n2 / 12.0 * ((nn + 1.0) - ties / (nn * (nn - 1.0)));
    if var <= 0.0 {
        return MannWhitney { u, z: 0.0, p: 1.0 };
    }
    let d = (u - mean).abs();
    let z = ((d - 0.5).max(0.0) / var.sqrt()).copysign(u - mean);
    MannWhitney {
        u,
        z,
        p: erfc(z.abs() / std::f64::consts::SQRT_2).min(1.0),
    }
}

/// Complementary error function (Chebyshev fit, relative error < 1.2e-7).
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// Mean of a sample (0 for none).
pub fn mean(x: &[f64]) -> f64 {
    if x.is_empty() {
        0.0
    } else {
        x.iter().sum::<f64>() / x.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erfc_known_values() {
        assert!((erfc(0.0) - 1.0).abs() < 1e-7);
        assert!((erfc(1.0) - 0.157_299_207).abs() < 1e-7);
        assert!((erfc(-1.0) - 1.842_700_793).abs() < 1e-7);
    }

    #[test]
    fn identical_samples_do_not_reject_and_shifted_ones_do() {
        let a: Vec<f64> = (0..50).map(|i| (i % 7) as f64).collect();
        assert!(mann_whitney(&a, &a).p > 0.9);
        let b: Vec<f64> = a.iter().map(|x| x + 3.0).collect();
        assert!(mann_whitney(&a, &b).p < 1e-6);
        let same = vec![4.0; 20];
        assert_eq!(mann_whitney(&same, &same).p, 1.0);
    }

    #[test]
    fn u_matches_a_hand_count() {
        // a = [1, 2], b = [3]: a never beats b, U_a = 0
        let r = mann_whitney(&[1.0, 2.0], &[3.0]);
        assert_eq!(r.u, 0.0);
    }
}
