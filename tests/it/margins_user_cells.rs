//! Issue #17: margins of designs with user cells. ColdFlux RSFQlib v3p0 AND2 and DFF
//! files, kept unchanged in tests/data/coldflux, imported as user cells and driven
//! by nmgen's inputs and clock: the global margin parameters reach the cell's own
//! bias lines, inductors, junctions and shunts.

use std::path::{Path, PathBuf};

use nmgen::analysis::margins::{search_bound, BoundStatus, Direction, MarginBound};
use nmgen::analysis::{self, Evaluator, FnEvaluator, Progress, SweepPlan, SweepReport};
use nmgen::engine::{Engine, EngineError};
use nmgen::netlist::bias::SourceRole;
use nmgen::verify::{plan, sources, Bench};

fn spec(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/specs/coldflux/{name}.yaml"))
}

fn margins(design: &nmgen::spec::Design) -> nmgen::analysis::MarginReport {
    let bench = Bench::new(design, Engine::default()).expect("bench");
    let plan = SweepPlan::Margins(plan::margin_plan(design).expect("plan"));
    match analysis::run(&plan, &bench, Progress::Hidden).expect("sweep") {
        SweepReport::Margins(r) => r,
        _ => unreachable!(),
    }
}

fn bounds(r: &nmgen::analysis::MarginReport, name: &str) -> (MarginBound, MarginBound) {
    let p = r
        .parameters
        .iter()
        .find(|p| p.parameter.name == name)
        .unwrap_or_else(|| panic!("no margin of {name}"));
    (p.low, p.high)
}

/// The same design with the cell's bias scaled by hand: a copy of the cell file
/// whose bias currents are multiplied by a spec parameter `hb`, its sources marked
/// as signals so that `bias` reaches them only through `hb`. Returns the margin of
/// `bias` and `hb` moved together.
fn hand_scaled_bias(name: &str, cell: &str, edits: &[(&str, &str)]) -> (MarginBound, MarginBound) {
    let dir = tempfile::tempdir().expect("temp dir");
    let original = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/coldflux")
        .join(cell);
    let mut text = std::fs::read_to_string(&original).expect("cell file");
    for (from, to) in edits {
        assert!(text.contains(from), "{from} not in {cell}");
        text = text.replacen(from, to, 1);
    }
    std::fs::write(dir.path().join(cell), &text).expect("hand-scaled cell");
    let yaml = std::fs::read_to_string(spec(name)).expect("spec");
    let sources: Vec<String> = text
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.starts_with("IB"))
        .map(str::to_string)
        .collect();
    let yaml = yaml
        .replace(&format!("../../data/coldflux/{cell}"), cell)
        .replace(
            "    outputs: [q]\n",
            &format!(
                "    outputs: [q]\n    signal_sources: [{}]\n",
                sources.join(", ")
            ),
        )
        .replacen("network:", "parameters: { hb: 1 }\nnetwork:", 1);
    let spec_path = dir.path().join(format!("{name}.yaml"));
    std::fs::write(&spec_path, yaml).expect("spec copy");
    let design = nmgen::spec::load(&spec_path).expect("hand-scaled spec loads");
    let bench = Bench::new(&design, Engine::default()).expect("bench");
    let search = plan::margin_plan(&design).expect("plan").search;
    let both = FnEvaluator::new(|a: &[(String, f64)]| -> Result<bool, EngineError> {
        let x = a[0].1;
        bench.passes(&[("bias".to_string(), x), ("hb".to_string(), x)])
    });
    (
        search_bound(&both, "bias", Direction::Low, &search).expect("low"),
        search_bound(&both, "bias", Direction::High, &search).expect("high"),
    )
}

fn assert_found(name: &str, b: (MarginBound, MarginBound), highest: f64) {
    for side in [b.0, b.1] {
        assert_eq!(side.status, BoundStatus::Found, "{name}: {side:?}");
    }
    assert!(b.1.bound < highest, "{name} high side at the search limit");
}

#[test]
fn coldflux_and2_is_margined_with_its_own_elements() {
    let design = nmgen::spec::load(&spec("and2")).expect("spec loads");
    // the AND2's seven bias lines are found, 175 µA each (BiasCoef 0.7 × 2.5 × 100 µA)
    let bench = Bench::new(&design, Engine::default()).expect("bench");
    let nominal = bench.netlists().next().expect("a netlist");
    let cell_bias: Vec<_> = nominal
        .sources
        .iter()
        .filter(|s| s.instance.as_deref() == Some("XG1"))
        .collect();
    assert_eq!(cell_bias.len(), 7, "{cell_bias:?}");
    for s in &cell_bias {
        assert_eq!(s.role, SourceRole::Bias, "{s:?}");
        assert!((s.current - 175e-6).abs() < 1e-12, "{s:?}");
    }
    assert!(sources::unclassified(&design, nominal).is_empty());
    let explained = sources::explain(&design, nominal, &["bias:g1".to_string()]);
    assert!(explained.contains("cell and2 (user cell"), "{explained}");
    assert!(
        explained.contains("bias:g1: 7 element(s): IB1|XG1"),
        "{explained}"
    );

    let report = margins(&design);
    let search = report.search;
    let bias = bounds(&report, "bias");
    let hand = hand_scaled_bias(
        "and2",
        "THmitll_AND2_v3p0_base.cir",
        &[(".param BiasCoef=0.7", ".param BiasCoef=0.7*hb")],
    );
    for (got, want) in [(bias.0, hand.0), (bias.1, hand.1)] {
        assert!(
            (got.bound - want.bound).abs() <= search.resolution,
            "bias margin {got:?}, hand-scaled {want:?}"
        );
    }
    for name in [
        "bias",
        "inductors",
        "critical_currents",
        "resistors",
        "bias:g1",
    ] {
        assert_found(name, bounds(&report, name), search.highest);
    }
}

#[test]
fn coldflux_dff_is_margined_with_its_own_elements() {
    let design = nmgen::spec::load(&spec("dff")).expect("spec loads");
    let report = margins(&design);
    let search = report.search;
    let bias = bounds(&report, "bias");
    // IB2 is `Ic0*Ic` (250 µA), not written with BiasCoef: scaled by hand too
    let hand = hand_scaled_bias(
        "dff",
        "THmitll_DFF_v3p0_base.cir",
        &[
            (".param BiasCoef=0.7", ".param BiasCoef=0.7*hb"),
            (".param IB2=Ic0*Ic", ".param IB2=Ic0*Ic*hb"),
        ],
    );
    for (got, want) in [(bias.0, hand.0), (bias.1, hand.1)] {
        assert!(
            (got.bound - want.bound).abs() <= search.resolution,
            "bias margin {got:?}, hand-scaled {want:?}"
        );
    }
    for name in ["bias", "inductors", "critical_currents", "resistors"] {
        assert_found(name, bounds(&report, name), search.highest);
    }
}

#[test]
fn unknown_bias_line_is_a_located_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let yaml = std::fs::read_to_string(spec("and2"))
        .expect("spec")
        .replace(
            "../../data",
            &format!("{}/tests/data", env!("CARGO_MANIFEST_DIR")),
        )
        .replace("bias:g1]", "bias:g2]");
    let path = dir.path().join("and2.yaml");
    std::fs::write(&path, yaml).expect("spec copy");
    let design = nmgen::spec::load(&path).expect("spec loads");
    let err = plan::margin_plan(&design).expect_err("bias:g2 names nothing");
    let text = format!("{err}");
    assert!(text.contains("bias:g2"), "{text}");
    assert!(text.contains("no instance or cell named `g2`"), "{text}");
}

/// `nmgen margins` on a copy of the AND2 whose IB7 is a `sin`: nmgen cannot tell
/// whether it is a bias line.
fn nmgen_on_sine_cell(entry_extra: &str, args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().expect("temp dir");
    let cell = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/coldflux/THmitll_AND2_v3p0_base.cir"),
    )
    .expect("cell")
    .replace("IB7 0 33 pwl(0 0 5p IB7)", "IB7 0 33 sin(IB7 1u 1G)");
    std::fs::write(dir.path().join("and2s.cir"), cell).expect("cell copy");
    let yaml = std::fs::read_to_string(spec("and2"))
        .expect("spec")
        .replace(
            "../../data/coldflux/THmitll_AND2_v3p0_base.cir",
            "and2s.cir",
        )
        .replace(
            "    outputs: [q]\n",
            &format!("    outputs: [q]\n{entry_extra}"),
        );
    let path = dir.path().join("s.yaml");
    std::fs::write(&path, yaml).expect("spec copy");
    std::process::Command::new(env!("CARGO_BIN_EXE_nmgen"))
        .arg("margins")
        .arg(&path)
        .args(args)
        .env("CI", "true")
        .output()
        .expect("nmgen runs")
}

#[test]
fn unclassified_sources_warn_and_strict_refuses_them() {
    let strict = nmgen_on_sine_cell("", &["--strict"]);
    let err = String::from_utf8_lossy(&strict.stderr);
    assert_eq!(strict.status.code(), Some(2), "{err}");
    assert!(
        err.contains("and2s.cir:157:1") && err.contains("IB7"),
        "{err}"
    );

    let explain = nmgen_on_sine_cell("", &["--explain"]);
    let (out, err) = (
        String::from_utf8_lossy(&explain.stdout),
        String::from_utf8_lossy(&explain.stderr),
    );
    assert_eq!(explain.status.code(), Some(0), "{err}");
    assert!(err.contains("warning:") && err.contains("IB7"), "{err}");
    assert!(
        out.contains("IB7|XG1") && out.contains("unclassified"),
        "{out}"
    );
    assert!(out.contains("bias:g1: 6 element(s)"), "{out}");

    // the cell's entry settles it: no warning, and the line is scaled by `bias`
    let settled = nmgen_on_sine_cell("    bias_sources: [IB7]\n", &["--explain", "--strict"]);
    let (out, err) = (
        String::from_utf8_lossy(&settled.stdout),
        String::from_utf8_lossy(&settled.stderr),
    );
    assert_eq!(settled.status.code(), Some(0), "{err}");
    assert!(!err.contains("warning"), "{err}");
    assert!(out.contains("`bias_sources:` of cell and2"), "{out}");
    assert!(out.contains("bias:g1: 7 element(s)"), "{out}");
}
