//! Shmoo cells and Monte Carlo samples judged in batches (one factorisation for the
//! points of a pattern that share the system matrix, issue #12) give exactly the
//! reports of the point-by-point path, on the examples' own plans (axes and samples
//! thinned to keep the test short).

use std::path::Path;

use nmgen::analysis::{self, Evaluator, FnEvaluator, Progress, SweepPlan, SweepReport};
use nmgen::engine::{Engine, EngineError};
use nmgen::verify::batch::Batched;
use nmgen::verify::{plan, Bench};

fn bench(name: &str) -> (nmgen::spec::Design, Bench) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{name}.yaml"));
    let design = nmgen::spec::load(&path).expect("example loads");
    let bench = Bench::new(&design, Engine::default()).expect("bench builds");
    (design, bench)
}

/// The sweep batched (`Batched` as the evaluator) and point by point (`Bench::passes`
/// behind an evaluator without batching): the same report.
fn both_ways(bench: &Bench, sweep: &SweepPlan) -> SweepReport {
    let one_by_one =
        FnEvaluator::new(|a: &[(String, f64)]| -> Result<bool, EngineError> { bench.passes(a) });
    let batched = analysis::run(sweep, &Batched(bench), Progress::Hidden).expect("batched sweep");
    let alone = analysis::run(sweep, &one_by_one, Progress::Hidden).expect("point-by-point sweep");
    assert_eq!(batched, alone, "{}", sweep.what());
    batched
}

#[test]
fn fanout_shmoo_batched_equals_point_by_point() {
    let (design, bench) = bench("fanout");
    let mut shmoo = plan::shmoo_plan(&design).expect("plan").expect("a shmoo");
    // bias 0.6..1.4 in 0.2 steps (a row shares the matrix), three Ic values
    shmoo.x.values = shmoo.x.values.iter().step_by(4).copied().collect();
    shmoo.y.values = vec![0.7, 1.0, 1.3];
    assert_eq!(shmoo.x.parameter.name, "bias");
    let SweepReport::Shmoo(r) = both_ways(&bench, &SweepPlan::Shmoo(shmoo)) else {
        unreachable!()
    };
    // the map has both passing and failing cells, so the comparison can tell
    assert!(
        r.pass.iter().any(|p| *p) && r.pass.iter().any(|p| !*p),
        "{:?}",
        r.pass
    );
}

#[test]
fn jtl_chain_bias_shmoo_batched_equals_point_by_point() {
    let (_, bench) = bench("jtl_chain");
    let axis = |name: &str, kind, from, to, n| {
        analysis::ShmooAxis::linear(analysis::MarginParameter::new(name, kind), from, to, n)
    };
    let shmoo = analysis::ShmooPlan {
        x: axis("bias", analysis::ParameterKind::GlobalBias, 0.6, 1.5, 7),
        y: axis(
            "inductors",
            analysis::ParameterKind::AllInductors,
            0.8,
            1.2,
            2,
        ),
    };
    let SweepReport::Shmoo(r) = both_ways(&bench, &SweepPlan::Shmoo(shmoo)) else {
        unreachable!()
    };
    assert!(
        r.pass.iter().any(|p| *p) && r.pass.iter().any(|p| !*p),
        "{:?}",
        r.pass
    );
}

#[test]
fn fanout_yield_batched_equals_point_by_point() {
    let (design, bench) = bench("fanout");
    let mut mc = plan::monte_carlo_plan(&design)
        .expect("plan")
        .expect("a Monte Carlo plan");
    mc.samples = 12;
    // wider spreads than the example's, so that some samples fail
    for v in &mut mc.variations {
        v.sigma_percent *= 4.0;
    }
    let SweepReport::MonteCarlo(r) = both_ways(&bench, &SweepPlan::MonteCarlo(mc)) else {
        unreachable!()
    };
    assert!(r.passed > 0 && r.passed < r.samples, "{r:?}");
}

#[test]
fn batched_verdicts_follow_each_point() {
    // bias points on both sides of the margin in one call: each verdict its own
    let (_, bench) = bench("jtl_chain");
    let points: Vec<Vec<(String, f64)>> = [0.5, 1.0, 0.9, 1.6, 1.2]
        .iter()
        .map(|m| vec![("bias".to_string(), *m)])
        .collect();
    let batched = bench.passes_batched(&points).expect("judged");
    let alone: Vec<bool> = points
        .iter()
        .map(|p| bench.passes(p).expect("judged"))
        .collect();
    assert_eq!(batched, alone);
    assert_eq!(batched, vec![false, true, true, false, true]);
}
