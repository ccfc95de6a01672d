//! Monte Carlo draws: reproducible from the seed, independent per (sample,
//! element); yield and its Wilson interval on known cases.

use std::convert::Infallible;

use nmgen::analysis::montecarlo::draw_multiplier;
use nmgen::analysis::{
    run, wilson_interval, FnEvaluator, MarginParameter, MonteCarloPlan, ParameterKind, Progress,
    SweepPlan, SweepReport, Variation,
};

fn plan(seed: u64, samples: u32, names: &[(&str, f64)]) -> MonteCarloPlan {
    MonteCarloPlan {
        seed,
        samples,
        variations: names
            .iter()
            .map(|&(n, s)| Variation {
                parameter: MarginParameter::new(n, ParameterKind::Element),
                sigma_percent: s,
            })
            .collect(),
    }
}

#[test]
fn draws_depend_only_on_seed_sample_and_name() {
    let a = plan(42, 10, &[("B1", 5.0), ("L1", 10.0)]);
    let b = plan(42, 10, &[("XJ", 3.0), ("L1", 10.0), ("B1", 5.0)]);
    for i in 0..10 {
        let (sa, sb) = (a.sample(i), b.sample(i));
        assert_eq!(sa[0], sb[2], "B1 of sample {i}");
        assert_eq!(sa[1], sb[1], "L1 of sample {i}");
        assert_ne!(sa[0].1, sa[1].1);
    }
    assert_ne!(a.sample(0), a.sample(1));
    assert_ne!(plan(43, 1, &[("B1", 5.0)]).sample(0)[0], a.sample(0)[0]);
    assert_eq!(draw_multiplier(42, 3, "B1", 5.0), a.sample(3)[0].1);
    assert_eq!(draw_multiplier(42, 3, "B1", 0.0), 1.0);
}

#[test]
fn draws_are_gaussian_with_the_given_sigma() {
    let n = 20_000u64;
    let xs: Vec<f64> = (0..n)
        .map(|i| draw_multiplier(1, i, "LB1|XDUT", 10.0))
        .collect();
    let mean = xs.iter().sum::<f64>() / n as f64;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    // Standard errors: 0.1/√n ≈ 7e-4 for the mean, ~5e-4 for σ.
    assert!((mean - 1.0).abs() < 0.003, "{mean}");
    assert!((var.sqrt() - 0.1).abs() < 0.003, "{}", var.sqrt());
    let within = xs.iter().filter(|x| (**x - 1.0).abs() < 0.1).count() as f64 / n as f64;
    assert!((within - 0.6827).abs() < 0.015, "{within}");
}

#[test]
fn yield_is_reproducible_and_close_to_the_analytic_value() {
    // Passes while the bias multiplier stays within ±1σ: yield ≈ 68.27 %.
    let p = plan(2024, 2000, &[("bias", 10.0), ("L1", 20.0)]);
    let eval = FnEvaluator::new(|a: &[(String, f64)]| {
        let b = a.iter().find(|(n, _)| n == "bias").map_or(1.0, |x| x.1);
        Ok::<_, Infallible>((b - 1.0).abs() < 0.1)
    });
    let SweepReport::MonteCarlo(r) =
        run(&SweepPlan::MonteCarlo(p.clone()), &eval, Progress::Hidden).unwrap()
    else {
        panic!("yield report expected")
    };
    assert_eq!(r.samples, 2000);
    assert!(r.ci95_low < 0.6827 && 0.6827 < r.ci95_high, "{r:?}");
    assert!(r.ci95_high - r.ci95_low < 0.05);
    assert_eq!(r.failing_samples.len() as u32, r.samples - r.passed);
    for &i in r.failing_samples.iter().take(20) {
        let b = p.sample(u64::from(i))[0].1;
        assert!((b - 1.0).abs() >= 0.1);
    }
    let again = run(&SweepPlan::MonteCarlo(p), &eval, Progress::Hidden).unwrap();
    assert_eq!(
        again.to_json(),
        SweepReport::MonteCarlo(r.clone()).to_json()
    );
    assert!(r
        .to_table()
        .starts_with(&format!("yield {}/2000 = ", r.passed)));
}

/// Wilson 95 % intervals, computed independently (p̂, z = 1.959964).
#[test]
fn wilson_interval_known_cases() {
    let cases = [
        (0, 10, 0.0, 0.277_532_8),
        (10, 10, 0.722_467_2, 1.0),
        (5, 10, 0.236_593_1, 0.763_406_9),
        (95, 100, 0.888_249_5, 0.978_456_3),
        (180, 200, 0.850_594_2, 0.934_329_6),
    ];
    for (k, n, lo, hi) in cases {
        let (a, b) = wilson_interval(k, n);
        assert!(
            (a - lo).abs() < 1e-6 && (b - hi).abs() < 1e-6,
            "{k}/{n}: {a} {b}"
        );
    }
    assert_eq!(wilson_interval(0, 0), (0.0, 1.0));
}

#[test]
fn bad_plans_are_refused() {
    let eval = FnEvaluator::new(|_: &[(String, f64)]| Ok::<_, Infallible>(true));
    let no_samples = SweepPlan::MonteCarlo(plan(1, 0, &[("B1", 5.0)]));
    assert!(run(&no_samples, &eval, Progress::Hidden).is_err());
    let negative = SweepPlan::MonteCarlo(plan(1, 5, &[("B1", -5.0)]));
    let err = run(&negative, &eval, Progress::Hidden)
        .unwrap_err()
        .to_string();
    assert!(err.contains("B1"), "{err}");
    let twice = SweepPlan::MonteCarlo(plan(1, 5, &[("B1", 5.0), ("B1", 2.0)]));
    assert!(run(&twice, &eval, Progress::Hidden)
        .unwrap_err()
        .to_string()
        .contains("twice"));
}

proptest::proptest! {
    /// The interval holds the observed proportion and lies within [0, 1].
    #[test]
    fn wilson_interval_brackets_the_proportion(n in 1u32..5000, frac in 0.0f64..=1.0) {
        let k = ((f64::from(n) * frac).round() as u32).min(n);
        let (lo, hi) = wilson_interval(k, n);
        let p = f64::from(k) / f64::from(n);
        proptest::prop_assert!(0.0 <= lo && lo <= p + 1e-12 && p <= hi + 1e-12 && hi <= 1.0);
        // More samples, narrower interval, at the same proportion.
        let (lo4, hi4) = wilson_interval(4 * k, 4 * n);
        proptest::prop_assert!(hi4 - lo4 < hi - lo);
    }
}
