//! Checks from YAML: parsing, located validation errors, and verdicts on
//! synthetic pulse times.

use nmgen::analysis::{evaluate, evaluate_runs, validate, Check, KnownNames, PulseTimes};
use nmgen::diagnostic::{SourceError, SourceFile};

const PS: f64 = 1e-12;

fn parse(yaml: &str) -> (SourceFile, Vec<Check>) {
    let file = SourceFile::new("spec.yaml", yaml);
    let checks: Vec<Check> = serde_saphyr::from_str(yaml).expect("checks parse");
    (file, checks)
}

fn known() -> KnownNames {
    KnownNames {
        outputs: vec!["q".into(), "spike".into()],
        inputs: Some(vec!["a".into(), "clk".into(), "in".into()]),
        tstep: None,
    }
}

fn pulses(list: &[(&str, &[f64])]) -> PulseTimes {
    let mut p = PulseTimes::default();
    for (name, ps) in list {
        p.insert(*name, ps.iter().map(|t| t * PS).collect());
    }
    p
}

const DFF: &str = "\
- truth_table:
    name: dff
    patterns:
      - name: store and read
        stimulus: {a: 1, clk: 1}
        window: [0, 100ps]
        expect: {q: 1}
      - stimulus: {a: 0, clk: 1}
        window: [100ps, 0.2ns]
        expect: {q: 0}
      - stimulus: {a: 1, clk: 1}
        expect:
          q: [{window: [200p, 250p], count: 0}, {window: [250p, 300p], count: 1}]
- timing: {output: q, pulse: 1, after: 30ps, before: 40ps}
";

#[test]
fn truth_table_and_timing_verdicts() {
    let (file, checks) = parse(DFF);
    validate(&checks, &file, &known()).expect("valid settings");
    assert_eq!(checks[0].name(), "dff");
    assert_eq!(checks[1].name(), "timing of q pulse 1");

    let good = pulses(&[("q", &[34.0, 270.0])]);
    let outcomes: Vec<_> = checks.iter().map(|c| evaluate(c, &good)).collect();
    assert!(outcomes.iter().all(|o| o.passed), "{outcomes:?}");
    assert!(
        outcomes[0].explanation.contains("4 windows"),
        "{}",
        outcomes[0].explanation
    );

    // An extra pulse in pattern 2, the third pattern's pulse in the wrong half,
    // and pulse 1 late.
    let bad = pulses(&[("q", &[45.0, 150.0, 220.0])]);
    let table = evaluate(&checks[0], &bad);
    assert!(!table.passed);
    assert!(
        table.explanation.contains(
            "pattern 2: `q` expected 0 pulse(s) in [100.0, 200.0) ps, got 1 at [150.0] ps"
        ),
        "{}",
        table.explanation
    );
    assert!(table
        .explanation
        .contains("pattern 3: `q` expected 1 pulse(s) in [250.0, 300.0) ps, got 0"));
    assert!(!table.explanation.contains("pattern 1 (store and read)"));
    let timing = evaluate(&checks[1], &bad);
    assert!(!timing.passed);
    assert!(
        timing.explanation.contains("45.00 ps is 5.00 ps late"),
        "{}",
        timing.explanation
    );
    let early = evaluate(&checks[1], &pulses(&[("q", &[12.0])]));
    assert!(
        early.explanation.contains("18.00 ps early"),
        "{}",
        early.explanation
    );
    let none = evaluate(&checks[1], &pulses(&[("q", &[])]));
    assert!(
        !none.passed && none.explanation.contains("no pulse 1"),
        "{}",
        none.explanation
    );
    let unobserved = evaluate(&checks[0], &pulses(&[("x", &[1.0])]));
    assert!(!unobserved.passed && unobserved.explanation.contains("`q` was not observed"));
}

#[test]
fn one_run_per_pattern() {
    let (_, checks) = parse(DFF);
    let runs = [
        pulses(&[("q", &[30.0])]),
        pulses(&[("q", &[])]),
        pulses(&[("q", &[260.0])]),
    ];
    assert!(evaluate_runs(&checks[0], &runs).passed);
    let wrong = evaluate_runs(&checks[0], &runs[..2]);
    assert!(
        !wrong.passed
            && wrong
                .explanation
                .contains("2 simulation results given for 3 patterns")
    );
}

const RATES: &str = "\
- rate_classes:
    output: spike
    window: [0, 1ns]
    margin: 2GHz
    patterns:
      - {class: high, stimulus: {in: 20GHz}}
      - {class: high, stimulus: {in: 18GHz}}
      - {class: low, stimulus: {in: 5GHz}}
";

fn train(n: usize) -> PulseTimes {
    let times: Vec<f64> = (0..n)
        .map(|i| (i as f64 + 0.5) * 1000.0 / n as f64)
        .collect();
    pulses(&[("spike", &times)])
}

#[test]
fn rate_classes_separate_by_the_margin() {
    let (file, checks) = parse(RATES);
    validate(&checks, &file, &known()).expect("valid");
    // 10, 8 pulses per ns (high) against 3 (low): gap 5 GHz ≥ 2 GHz.
    let ok = evaluate_runs(&checks[0], &[train(10), train(8), train(3)]);
    assert!(ok.passed, "{}", ok.explanation);
    assert!(
        ok.explanation
            .contains("closest are low and high, 5.000 GHz apart"),
        "{}",
        ok.explanation
    );
    // 10, 4 against 3: gap 1 GHz < 2 GHz.
    let close = evaluate_runs(&checks[0], &[train(10), train(4), train(3)]);
    assert!(!close.passed);
    assert!(
        close
            .explanation
            .contains("1.000 GHz apart, less than the margin 2.000 GHz"),
        "{}",
        close.explanation
    );
    // 10, 2 against 3: the classes overlap.
    let overlap = evaluate_runs(&checks[0], &[train(10), train(2), train(3)]);
    assert!(
        !overlap.passed && overlap.explanation.contains("overlap"),
        "{}",
        overlap.explanation
    );
}

/// The error's line and the text it points at.
fn at(e: &SourceError, file: &SourceFile) -> (usize, String) {
    let span = e.span.expect("located");
    let text = file.text[span.offset()..span.offset() + span.len()].to_string();
    (e.line, text)
}

#[test]
fn bad_settings_are_located_errors() {
    let yaml = "\
- truth_table:
    window: [100ps, 50ps]
    patterns:
      - stimulus: {a: 1, b: 0}
        expect: {q: 1, z: 2}
      - window: [-5ps, 10ps]
        expect: {q: 0}
- timing: {output: qq, pulse: 0, after: 50ps, before: 40ps}
- rate_classes:
    output: spike
    margin: -1GHz
    patterns:
      - {class: high}
";
    let (file, checks) = parse(yaml);
    let errors = validate(&checks, &file, &known()).unwrap_err();
    let found: Vec<(usize, String, String)> = errors
        .iter()
        .map(|e| {
            let (line, text) = at(e, &file);
            (line, text, e.message.clone())
        })
        .collect();
    let has = |line: usize, text: &str, msg: &str| {
        assert!(
            found
                .iter()
                .any(|(l, t, m)| *l == line && t.starts_with(text) && m.contains(msg)),
            "no error at line {line} on `{text}` saying `{msg}` in {found:#?}"
        );
    };
    has(2, "[100ps, 50ps]", "is empty or negative");
    has(4, "b", "unknown input `b`");
    has(5, "z", "unknown output `z` (outputs: q, spike)");
    has(6, "[-5ps, 10ps]", "starts before t = 0");
    has(8, "qq", "unknown output `qq`");
    has(8, "0", "pulses are counted from 1");
    has(8, "40ps", "must come after");
    has(11, "-1GHz", "must be a rate ≥ 0");
    has(13, "{class: high}", "no window");
    has(13, "-", "at least two classes");
    assert_eq!(errors.len(), 10, "{found:#?}");
    // Display form: path:line:col, message, offending line.
    let shown = errors[1].to_string();
    assert!(
        shown.starts_with("spec.yaml:4:26: unknown input `b`"),
        "{shown}"
    );
    assert!(
        shown.contains("|       - stimulus: {a: 1, b: 0}"),
        "{shown}"
    );
}

#[test]
fn unknown_fields_and_bad_units_are_rejected_by_the_parser() {
    let typo = "- timing: {output: q, pulse: 1, after: 1ps, before: 2ps, jitter: 1ps}\n";
    let err = serde_saphyr::from_str::<Vec<Check>>(typo)
        .unwrap_err()
        .to_string();
    assert!(err.contains("jitter"), "{err}");
    let unit = "- timing: {output: q, pulse: 1, after: 1 parsec, before: 2ps}\n";
    let err = serde_saphyr::from_str::<Vec<Check>>(unit)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown time unit"), "{err}");
    let count = "- truth_table:\n    window: [0, 1ns]\n    patterns:\n      - expect: {q: -1}\n";
    assert!(serde_saphyr::from_str::<Vec<Check>>(count).is_err());
}

#[test]
fn times_and_rates_with_units() {
    use nmgen::analysis::{parse_rate, parse_time};
    let ps = |s: &str| parse_time(s).unwrap().ps();
    assert!((ps("30ps") - 30.0).abs() < 1e-9);
    assert!((ps("30p") - 30.0).abs() < 1e-9);
    assert!((ps("0.2ns") - 200.0).abs() < 1e-9);
    assert!((ps("1e-12s") - 1.0).abs() < 1e-9);
    assert!((ps("1.5e3fs") - 1.5).abs() < 1e-9);
    assert!(parse_time("12 parsecs")
        .unwrap_err()
        .contains("unknown time unit"));
    assert!(parse_time("ps").is_err());
    let ghz = |s: &str| parse_rate(s).unwrap().ghz();
    assert!((ghz("5MHz") - 0.005).abs() < 1e-12);
    assert!((ghz("20GHz") - 20.0).abs() < 1e-12);
    assert!((ghz("3e9") - 3.0).abs() < 1e-12);
    // Bare YAML numbers are SI, as everywhere in a spec: seconds and hertz.
    let t: nmgen::analysis::Time = serde_saphyr::from_str("25e-12").unwrap();
    assert!((t.ps() - 25.0).abs() < 1e-9);
    let r: nmgen::analysis::Rate = serde_saphyr::from_str("2.5e9").unwrap();
    assert!((r.ghz() - 2.5).abs() < 1e-12);
}
