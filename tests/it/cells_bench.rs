//! Every built-in cell does its job: its JoSIM test bench (`tests/cells/*_tb.cir`),
//! simulated by nmgen's own simulator, slips the junctions the expected number of
//! times, in the expected direction, at the times JoSIM 2.7 gives (±1 ps).
//! The expected figures are those measured with JoSIM in `tests/cells/README.md`.

use std::path::Path;

use nmgen::analysis::{detect_slips, SlipOptions, Traces};

fn simulate(bench: &str) -> Traces {
    let path = format!("{}/tests/cells/{bench}_tb.cir", env!("CARGO_MANIFEST_DIR"));
    let circuit = nmgen::netlist::load(Path::new(&path)).unwrap();
    let waves = nmgen::sim::simulate(&circuit, &nmgen::sim::SimOptions::default()).unwrap();
    nmgen::engine::traces(waves)
}

/// Signed slip times (ps) of a phase column: positive for +2π, negative for −2π.
fn slips(traces: &Traces, column: &str) -> Vec<f64> {
    let phase = traces
        .column(column)
        .unwrap_or_else(|| panic!("no column {column}"));
    detect_slips(&traces.time, phase, &SlipOptions::default())
        .iter()
        .map(|s| f64::from(s.sign) * s.time * 1e12)
        .collect()
}

/// (column, signed slip times in ps as JoSIM gives them)
fn check(bench: &str, expected: &[(&str, &[f64])]) {
    let traces = simulate(bench);
    for (column, want) in expected {
        let got = slips(&traces, column);
        assert_eq!(
            got.len(),
            want.len(),
            "{bench} {column}: slips at {got:?}, want {want:?}"
        );
        for (g, w) in got.iter().zip(want.iter()) {
            assert_eq!(
                g.signum(),
                w.signum(),
                "{bench} {column}: direction {got:?} vs {want:?}"
            );
            assert!(
                (g - w).abs() < 1.0,
                "{bench} {column}: slip at {g:.1} ps, JoSIM {w:.1} ps"
            );
        }
    }
}

#[test]
fn jtl_passes_every_pulse() {
    check(
        "jtl",
        &[
            ("P(B1|XDUT)", &[30.5, 90.5, 150.5]),
            ("P(B2|XDUT)", &[32.2, 92.2, 152.2]),
            ("P(B2|XLQ)", &[35.8, 95.8, 155.8]),
        ],
    );
}

#[test]
fn splitter_gives_a_pulse_on_each_output() {
    check(
        "splitter",
        &[
            ("P(B1|XDUT)", &[30.7, 90.7, 150.7]),
            ("P(B2|XDUT)", &[34.2, 94.2, 154.2]),
            ("P(B3|XDUT)", &[34.2, 94.2, 154.2]),
            ("P(B2|XLQ0)", &[37.9, 97.9, 157.9]),
            ("P(B2|XLQ1)", &[37.9, 97.9, 157.9]),
        ],
    );
}

#[test]
fn merger_passes_pulses_from_either_input() {
    check(
        "merger",
        &[
            ("P(B1|XDUT)", &[32.0, 132.0, 232.0]),
            ("P(B4|XDUT)", &[82.0, 161.9, 282.0]),
            ("P(B3|XDUT)", &[-85.8, -165.8, -285.8]),
            ("P(B6|XDUT)", &[-35.8, -135.8, -235.8]),
            ("P(B7|XDUT)", &[37.4, 87.4, 137.4, 167.4, 237.4, 287.4]),
            ("P(B2|XLQ)", &[40.6, 90.6, 140.6, 170.6, 240.6, 290.6]),
        ],
    );
}

#[test]
fn dcsfq_makes_one_pulse_per_rising_edge() {
    check(
        "dcsfq",
        &[
            ("P(B1|XDUT)", &[-28.0, -108.0, -236.2, -308.0]),
            ("P(B2|XDUT)", &[23.2, 103.2, 164.5, 303.2]),
            ("P(B3|XDUT)", &[25.1, 105.1, 166.3, 305.1]),
            ("P(B2|XLQ)", &[28.8, 108.8, 169.8, 308.8]),
        ],
    );
}

#[test]
fn dff_outputs_on_clock_only_after_data() {
    check(
        "dff",
        &[
            ("P(B1|XDUT)", &[30.2, 210.2, 230.7, 310.2]),
            ("P(B2|XDUT)", &[232.8]),
            ("P(B3|XDUT)", &[31.6, 211.6, 311.6]),
            ("P(B4|XDUT)", &[61.7, 261.7, 361.7]),
            ("P(B5|XDUT)", &[60.2, 160.6, 260.2, 360.2]),
            ("P(B6|XDUT)", &[162.9]),
            ("P(B7|XDUT)", &[64.1, 264.1, 364.1]),
            ("P(B2|XLQ)", &[67.7, 267.7, 367.7]),
        ],
    );
}

#[test]
fn tff_divides_by_two() {
    check(
        "tff",
        &[
            ("P(B1|XDUT)", &[31.3, 91.3, 151.3, 211.3, 271.3]),
            ("P(B6|XDUT)", &[94.4, 214.4]),
            ("P(B7|XDUT)", &[34.4, 154.4, 274.4]),
            ("P(B2|XLQ)", &[97.9, 217.9]),
            ("P(B2|XLQB)", &[37.9, 157.9, 277.9]),
        ],
    );
}

#[test]
fn sfqdc_toggles_its_output_level() {
    let traces = simulate("sfqdc");
    assert_eq!(slips(&traces, "P(B3|XDUT)").len(), 2);
    assert_eq!(slips(&traces, "P(B5|XDUT)").len(), 2);
    let out = slips(&traces, "P(B8|XDUT)");
    assert!(
        out.iter().all(|t| *t > 0.0),
        "output junction slips backwards: {out:?}"
    );
    let count = |a: f64, b: f64| out.iter().filter(|t| **t >= a && **t < b).count();
    // on, off, on, off: JoSIM gives 11 / 0 / 11 / 0 at bias 1
    let windows = [
        count(45.0, 190.0),
        count(205.0, 330.0),
        count(345.0, 490.0),
        count(505.0, 630.0),
    ];
    assert_eq!(windows, [11, 0, 11, 0], "B8 slips per window");
    // the level: mean voltage on the sink, ~159 µV on, ~0 off
    let v = traces.column("V(Q)").unwrap();
    let mean = |a: f64, b: f64| {
        let pts: Vec<f64> = traces
            .time
            .iter()
            .zip(v)
            .filter(|(t, _)| **t * 1e12 >= a && **t * 1e12 < b)
            .map(|(_, v)| *v)
            .collect();
        pts.iter().sum::<f64>() / pts.len() as f64
    };
    let on = mean(45.0, 190.0);
    let off = mean(205.0, 330.0);
    assert!((on - 159e-6).abs() < 10e-6, "on level {on:e} V");
    assert!(off.abs() < 2e-6, "off level {off:e} V");
}
