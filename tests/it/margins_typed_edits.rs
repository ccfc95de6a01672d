//! Sweep points as typed edits of the expanded circuit (issue #12 item 2) give the
//! results the text-rewriting path gave. The numbers below were recorded with
//! that path (nmgen at commit dcf98e8, `nmgen margins examples/... --json`,
//! release build) before it was removed. `inductors` and `resistors` are left
//! out on purpose: they now scale every inductor and every resistor (issue #17),
//! where the old path scaled only what `nmg_lic` and `nmg_icrs` reached (the old
//! `resistors` also moved the shunts' parasitic inductors); docs/margins.md lists
//! the old and new figures.

use std::path::Path;

use nmgen::analysis::{self, Evaluator, MarginParameter, MarginPlan, Progress, SweepPlan};
use nmgen::analysis::{ParameterKind, SweepReport};
use nmgen::engine::Engine;
use nmgen::verify::{plan, Bench};

fn design(name: &str) -> nmgen::spec::Design {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{name}.yaml"));
    nmgen::spec::load(&path).expect("example loads")
}

/// (parameter, old low bound, old high bound, old evaluations)
fn check_margins(name: &str, old: &[(&str, f64, f64, u32)]) {
    let d = design(name);
    let bench = Bench::new(&d, Engine::default()).expect("bench");
    let spec_plan = plan::margin_plan(&d).expect("plan");
    let parameters = old
        .iter()
        .map(|(p, ..)| {
            let kind = match *p {
                "bias" => ParameterKind::GlobalBias,
                _ => ParameterKind::AllCriticalCurrents,
            };
            MarginParameter::new(*p, kind)
        })
        .collect();
    let sweep = SweepPlan::Margins(MarginPlan {
        parameters,
        search: spec_plan.search,
    });
    let SweepReport::Margins(r) = analysis::run(&sweep, &bench, Progress::Hidden).expect("sweep")
    else {
        unreachable!()
    };
    for ((p, low, high, evaluations), got) in old.iter().zip(&r.parameters) {
        assert_eq!(
            (got.low.bound, got.high.bound),
            (*low, *high),
            "{name} {p}: {got:?}"
        );
        assert_eq!(
            got.low.evaluations + got.high.evaluations,
            *evaluations,
            "{name} {p}: the same points were judged"
        );
    }
}

#[test]
fn jtl_chain_bias_and_ic_margins_are_unchanged() {
    check_margins(
        "jtl_chain",
        &[
            ("bias", 0.7937500000000001, 1.378125, 23),
            (
                "critical_currents",
                0.7093749999999999,
                1.2937500000000002,
                22,
            ),
        ],
    );
}

#[test]
fn fanout_bias_and_ic_margins_are_unchanged() {
    check_margins(
        "fanout",
        &[
            ("bias", 0.8, 1.359375, 23),
            ("critical_currents", 0.7375, 1.246875, 21),
        ],
    );
}

#[test]
fn fanout_shmoo_and_yield_samples_are_unchanged() {
    let d = design("fanout");
    let bench = Bench::new(&d, Engine::default()).expect("bench");
    // shmoo cells on the bias axis at nominal Ic, across the pass/fail edge
    let shmoo = plan::shmoo_plan(&d)
        .expect("plan")
        .expect("fanout has a shmoo");
    let row: Vec<bool> = (0..17)
        .map(|ix| bench.passes(&shmoo.cell(8 * 17 + ix)).expect("judges"))
        .collect();
    // the old report's row 8: `....############.`
    let old_row: Vec<bool> = "....############.".chars().map(|c| c == '#').collect();
    assert_eq!(row, old_row, "shmoo row at critical_currents = 1.0");
    // a yield with wide global spreads, so that samples fail (and the example's
    // per-element spreads): the old path failed samples 0, 2, 9, 12 and 18 of 24
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(&d.spec_path)
        .expect("spec")
        .replace("samples: 100", "samples: 24")
        .replace(
            "global: { bias: 5%, critical_currents: 3% }",
            "global: { bias: 20%, critical_currents: 15% }",
        );
    let wide = dir.path().join("fanout.yaml");
    std::fs::write(&wide, text).expect("spec copy");
    let wide = nmgen::spec::load(&wide).expect("wide spreads load");
    let bench = Bench::new(&wide, Engine::default()).expect("bench");
    let mc = plan::monte_carlo_plan(&wide)
        .expect("plan")
        .expect("a yield plan");
    assert_eq!(mc.samples, 24);
    let failing: Vec<u32> = (0..mc.samples)
        .filter(|&i| !bench.passes(&mc.sample(u64::from(i))).expect("judges"))
        .collect();
    assert_eq!(failing, vec![0, 2, 9, 12, 18]);
}
