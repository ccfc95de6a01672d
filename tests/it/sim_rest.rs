//! Watched runs end once the circuit is at rest for good (`src/sim/quiet.rs`, issue
//! #12): a pattern whose last input has passed stops early, its pulses are those of
//! the full run, and a margin sweep judged with early exits gives the report of one
//! judged from full runs.

use std::path::Path;
use std::sync::Arc;

use nmgen::analysis::{
    self, detect_slips, FnEvaluator, Progress, SlipOptions, SweepPlan, SweepReport,
};
use nmgen::engine::{Engine, EngineError};
use nmgen::sim::{simulate, SimOptions, Stop, Waveforms};
use nmgen::verify::{plan, Bench};

fn design(name: &str) -> nmgen::spec::Design {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{name}.yaml"));
    nmgen::spec::load(&path).expect("example loads")
}

/// Pulse times of every phase column.
fn pulses(w: &Waveforms) -> Vec<Vec<f64>> {
    w.columns
        .iter()
        .map(|c| {
            detect_slips(&w.time, c, &SlipOptions::default())
                .into_iter()
                .filter(|s| s.sign > 0)
                .map(|s| s.time)
                .collect()
        })
        .collect()
}

/// The JTL chain's netlist with its input pulses removed, or kept.
fn jtl_chain(inputs: bool) -> nmgen::circuit::Circuit {
    let text = nmgen::build::compile(&design("jtl_chain")).text;
    let text = if inputs {
        text
    } else {
        let mut out = String::new();
        let mut skipping = false;
        for line in text.lines() {
            if line.starts_with("IA__IN") {
                skipping = true;
                continue;
            }
            if skipping && line.starts_with('+') {
                continue;
            }
            skipping = false;
            out.push_str(line);
            out.push('\n');
        }
        assert_ne!(out, text, "the input source was found");
        out
    };
    nmgen::netlist::parse_str(&text, Path::new("jtl_chain.cir")).expect("netlist parses")
}

fn watched() -> SimOptions {
    let never: Arc<Stop> = Arc::new(|_, _| false);
    SimOptions {
        stop: Some(never),
        ..SimOptions::default()
    }
}

#[test]
fn a_watched_run_ends_at_rest_with_the_pulses_of_the_full_run() {
    for inputs in [false, true] {
        let c = jtl_chain(inputs);
        let full = simulate(&c, &SimOptions::default()).expect("full run");
        let cut = simulate(&c, &watched()).expect("watched run");
        let (end_full, end_cut) = (*full.time.last().unwrap(), *cut.time.last().unwrap());
        assert!(
            end_cut < end_full,
            "inputs {inputs}: the watched run should end before {end_full:e}, ended {end_cut:e}"
        );
        // the cut run is the full run's beginning, bit for bit
        for (a, b) in cut.columns.iter().zip(&full.columns) {
            assert_eq!(a[..], b[..a.len()], "inputs {inputs}");
        }
        assert_eq!(pulses(&cut), pulses(&full), "inputs {inputs}");
        if !inputs {
            // nothing in: at rest well before the run's first third
            assert!(end_cut < end_full / 3.0, "ended at {end_cut:e}");
        } else {
            assert_eq!(pulses(&full)[0].len(), 3, "three pulses reach q");
        }
    }
}

#[test]
fn noise_keeps_a_watched_run_going_to_the_end() {
    let mut c = jtl_chain(false);
    c.temperature = Some(4.2);
    let options = SimOptions {
        seed: Some(3),
        ..watched()
    };
    let w = simulate(&c, &options).expect("noisy run");
    let full = simulate(
        &c,
        &SimOptions {
            seed: Some(3),
            ..SimOptions::default()
        },
    )
    .unwrap();
    assert_eq!(w.time.len(), full.time.len());
}

/// Margins judged with early exits and rest (the `Bench`) against margins judged from
/// full runs of every pattern (`Bench::judge`).
#[test]
fn margins_with_early_exits_equal_margins_from_full_runs() {
    for name in ["jtl_chain", "fanout"] {
        let design = design(name);
        let bench = Bench::new(&design, Engine::default()).expect("bench builds");
        let full = FnEvaluator::new(|a: &[(String, f64)]| -> Result<bool, EngineError> {
            bench.judge(a).map(|v| v.passed())
        });
        let mut margins = plan::margin_plan(&design).expect("plan");
        if name == "fanout" {
            // two parameters keep the full-run side short
            margins.parameters.truncate(2);
        }
        let sweep = SweepPlan::Margins(margins);
        let early = analysis::run(&sweep, &bench, Progress::Hidden).expect("early sweep");
        let whole = analysis::run(&sweep, &full, Progress::Hidden).expect("full sweep");
        assert_eq!(early, whole, "{name}");
        let SweepReport::Margins(r) = early else {
            panic!("a margin report")
        };
        assert!(r.parameters.iter().all(|p| p.low.evaluations > 2), "{name}");
    }
}
