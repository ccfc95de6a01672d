//! Margin search on synthetic pass/fail functions, the report forms, and the
//! shmoo grid.

use std::convert::Infallible;
use std::sync::atomic::{AtomicU32, Ordering};

use nmgen::analysis::margins::{search_bound, BoundStatus, Direction};
use nmgen::analysis::{
    run, FnEvaluator, MarginParameter, MarginPlan, MarginSearch, ParameterKind, Progress,
    ShmooAxis, ShmooPlan, SweepPlan, SweepReport,
};

fn value(a: &[(String, f64)], name: &str) -> f64 {
    a.iter().find(|(n, _)| n == name).map_or(1.0, |(_, v)| *v)
}

#[test]
fn finds_a_known_interval() {
    let eval = FnEvaluator::new(|a: &[(String, f64)]| {
        let x = value(a, "bias");
        Ok::<_, Infallible>((0.8..=1.3).contains(&x))
    });
    let s = MarginSearch::default();
    let low = search_bound(&eval, "bias", Direction::Low, &s).unwrap();
    let high = search_bound(&eval, "bias", Direction::High, &s).unwrap();
    assert_eq!(low.status, BoundStatus::Found);
    assert!(low.bound >= 0.8 && low.bound - 0.8 <= 0.005, "{low:?}");
    assert!(high.bound <= 1.3 && 1.3 - high.bound <= 0.005, "{high:?}");
    // Coarse scan 5 % steps then bisection of a 5 % interval down to 0.5 %.
    assert!(low.evaluations <= 1 + 5 + 4, "{low:?}");
}

#[test]
fn edge_cases_of_the_search() {
    let s = MarginSearch::default();
    let never = FnEvaluator::new(|_: &[(String, f64)]| Ok::<_, Infallible>(false));
    let b = search_bound(&never, "x", Direction::High, &s).unwrap();
    assert_eq!(
        (b.status, b.bound, b.evaluations),
        (BoundStatus::FailsAtNominal, 1.0, 1)
    );
    let always = FnEvaluator::new(|_: &[(String, f64)]| Ok::<_, Infallible>(true));
    let b = search_bound(&always, "x", Direction::High, &s).unwrap();
    assert_eq!((b.status, b.bound), (BoundStatus::Unbounded, s.highest));
    let b = search_bound(&always, "x", Direction::Low, &s).unwrap();
    assert_eq!((b.status, b.bound), (BoundStatus::Unbounded, s.lowest));
    // A finer resolution is honoured.
    let fine = MarginSearch {
        resolution: 0.0001,
        ..s
    };
    let narrow =
        FnEvaluator::new(|a: &[(String, f64)]| Ok::<_, Infallible>(value(a, "x") < 1.0123));
    let b = search_bound(&narrow, "x", Direction::High, &fine).unwrap();
    assert!(b.bound < 1.0123 && 1.0123 - b.bound <= 0.0001, "{b:?}");
    assert!(SweepPlan::Margins(MarginPlan {
        parameters: vec![MarginParameter::new("x", ParameterKind::Param)],
        search: MarginSearch {
            resolution: 0.1,
            ..s
        },
    })
    .check()
    .is_err());
}

/// Three parameters with different windows, and one that is fine everywhere.
fn plan() -> MarginPlan {
    MarginPlan {
        parameters: vec![
            MarginParameter::new("bias", ParameterKind::GlobalBias),
            MarginParameter::new("L", ParameterKind::AllInductors),
            MarginParameter::new("Ic", ParameterKind::AllCriticalCurrents),
            MarginParameter::new("RB1", ParameterKind::Element),
        ],
        search: MarginSearch::default(),
    }
}

fn windows(a: &[(String, f64)]) -> bool {
    let (b, l, ic) = (value(a, "bias"), value(a, "L"), value(a, "Ic"));
    (0.72..=1.27).contains(&b) && (0.55..=1.9).contains(&l) && (0.88..=1.15).contains(&ic)
}

#[test]
fn multi_parameter_report() {
    let calls = AtomicU32::new(0);
    let eval = FnEvaluator::new(|a: &[(String, f64)]| {
        calls.fetch_add(1, Ordering::Relaxed);
        assert_eq!(a.len(), 1, "margins move one parameter at a time");
        Ok::<_, Infallible>(windows(a))
    });
    let SweepReport::Margins(report) =
        run(&SweepPlan::Margins(plan()), &eval, Progress::Hidden).unwrap()
    else {
        panic!("margin report expected")
    };
    let expect = [(0.72, 1.27), (0.55, 1.9), (0.88, 1.15)];
    for (p, (lo, hi)) in report.parameters.iter().zip(expect) {
        assert!(p.low.bound >= lo && p.low.bound - lo <= 0.005, "{p:?}");
        assert!(p.high.bound <= hi && hi - p.high.bound <= 0.005, "{p:?}");
    }
    assert_eq!(report.parameters[3].high.status, BoundStatus::Unbounded);
    let critical = report.critical.clone().unwrap();
    assert_eq!(
        (critical.name.as_str(), critical.side),
        ("Ic", Direction::Low)
    );
    assert!(
        (critical.margin_percent - 12.0).abs() <= 0.5,
        "{critical:?}"
    );
    let total: u32 = report
        .parameters
        .iter()
        .map(|p| p.low.evaluations + p.high.evaluations)
        .sum();
    assert_eq!(total, calls.load(Ordering::Relaxed));

    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["parameters"][2]["name"], "Ic");
    assert_eq!(json["parameters"][0]["kind"], "global_bias");
    assert_eq!(json["critical"]["name"], "Ic");
    assert!(json["parameters"][1]["low"].as_f64().unwrap() >= 0.55);
    assert_eq!(json["parameters"][3]["high_status"], "unbounded");

    let table = report.to_table();
    assert!(
        table.lines().next().unwrap().starts_with("parameter"),
        "{table}"
    );
    assert!(table.contains("critical margin: Ic ±"), "{table}");
    assert!(table.contains("RB1") && table.contains("*"), "{table}");

    let svg = report.to_svg().unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
    assert!(svg.contains("margin (% of nominal)") && svg.contains("critical: Ic"));
    // The critical bar in red, the others in blue.
    assert!(
        svg.contains("#D2322") && svg.contains("#4678B4"),
        "bar colours"
    );
    assert_eq!(svg, report.to_svg().unwrap(), "deterministic");
}

#[test]
fn shmoo_grid_matches_the_function() {
    let plan = ShmooPlan {
        x: ShmooAxis::linear(
            MarginParameter::new("bias", ParameterKind::GlobalBias),
            0.6,
            1.4,
            9,
        ),
        y: ShmooAxis::linear(
            MarginParameter::new("Ic", ParameterKind::AllCriticalCurrents),
            0.8,
            1.2,
            5,
        ),
    };
    let eval = FnEvaluator::new(|a: &[(String, f64)]| Ok::<_, Infallible>(windows(a)));
    let SweepReport::Shmoo(report) =
        run(&SweepPlan::Shmoo(plan.clone()), &eval, Progress::Hidden).unwrap()
    else {
        panic!("shmoo report expected")
    };
    for (iy, &y) in plan.y.values.iter().enumerate() {
        for (ix, &x) in plan.x.values.iter().enumerate() {
            let a = [("bias".to_string(), x), ("Ic".to_string(), y)];
            assert_eq!(report.passes(ix, iy), windows(&a), "x={x} y={y}");
        }
    }
    let csv = report.to_csv();
    assert_eq!(csv.lines().count(), 1 + 45);
    assert!(csv.starts_with("bias,Ic,pass\n0.6,0.8,0\n"), "{csv}");
    assert!(csv.contains("\n1,1,1\n"), "{csv}");
    let svg = report.to_svg().unwrap();
    assert!(svg.contains("bias (× nominal)") && svg.contains("Ic (× nominal)"));
    assert!(svg.contains("nominal"));
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["rows"][2], "..#####..", "{json}");
}

proptest::proptest! {
    /// Any interval [a, b] around nominal inside the search range is found to
    /// within the resolution, from the passing side.
    #[test]
    fn any_interval_is_found(a in 0.06f64..0.99, b in 1.01f64..2.99) {
        let eval = FnEvaluator::new(move |x: &[(String, f64)]| {
            Ok::<_, Infallible>((a..=b).contains(&value(x, "p")))
        });
        let s = MarginSearch::default();
        let low = search_bound(&eval, "p", Direction::Low, &s).unwrap();
        let high = search_bound(&eval, "p", Direction::High, &s).unwrap();
        proptest::prop_assert_eq!(low.status, BoundStatus::Found);
        proptest::prop_assert!(low.bound >= a && low.bound - a <= s.resolution);
        proptest::prop_assert!(high.bound <= b && b - high.bound <= s.resolution);
    }
}

/// Margins of a toy "circuit" judged by a YAML timing check: the output
/// pulse arrives at 30 ps / bias, and must come between 25 and 40 ps.
#[test]
fn margins_through_checks() {
    use nmgen::analysis::{Check, ChecksEvaluator, PulseTimes};
    let checks: Vec<Check> =
        serde_saphyr::from_str("- timing: {output: q, pulse: 1, after: 25ps, before: 40ps}\n")
            .unwrap();
    let eval = ChecksEvaluator::new(&checks, |a: &[(String, f64)]| {
        let mut p = PulseTimes::default();
        p.insert("q", vec![30e-12 / value(a, "bias")]);
        Ok::<_, Infallible>(p)
    });
    let s = MarginSearch::default();
    let low = search_bound(&eval, "bias", Direction::Low, &s).unwrap();
    let high = search_bound(&eval, "bias", Direction::High, &s).unwrap();
    // 30/b ≤ 40 → b ≥ 0.75; 30/b ≥ 25 → b ≤ 1.2.
    assert!(low.bound >= 0.75 && low.bound - 0.75 <= 0.005, "{low:?}");
    assert!(high.bound <= 1.2 && 1.2 - high.bound <= 0.005, "{high:?}");
}

/// With a second worker idle, the coarse scan judges the next point meanwhile; the
/// bound, the status and the evaluations counted are those of one point after the
/// other, and an error at a point the scan never needs (beyond the first failure)
/// is not reported.
#[test]
fn judging_the_next_coarse_point_on_an_idle_worker_changes_nothing() {
    let s = MarginSearch::default();
    for (edge, failing_beyond) in [(1.37, 1.45), (2.9, f64::INFINITY), (0.62, 0.5)] {
        let judged = AtomicU32::new(0);
        let f = |a: &[(String, f64)]| {
            judged.fetch_add(1, Ordering::Relaxed);
            let x = value(a, "bias");
            let bad = if edge > 1.0 {
                x >= failing_beyond
            } else {
                x <= failing_beyond
            };
            if bad {
                return Err(std::fmt::Error);
            }
            // a little work, so that the other worker can take the next point
            std::thread::sleep(std::time::Duration::from_millis(1));
            Ok(if edge > 1.0 { x <= edge } else { x >= edge })
        };
        let eval = FnEvaluator::new(f);
        let dir = if edge > 1.0 {
            Direction::High
        } else {
            Direction::Low
        };
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let two = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let alone = one
            .install(|| search_bound(&eval, "bias", dir, &s))
            .unwrap();
        let judged_alone = judged.swap(0, Ordering::Relaxed);
        assert_eq!(
            judged_alone, alone.evaluations,
            "one worker judges only what it needs"
        );
        let paired = two
            .install(|| search_bound(&eval, "bias", dir, &s))
            .unwrap();
        assert_eq!(paired, alone, "edge {edge}");
        assert!(judged.load(Ordering::Relaxed) >= alone.evaluations);
    }
}
