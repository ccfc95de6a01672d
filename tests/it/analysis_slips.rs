//! Phase-slip detection on the JoSIM reference waveforms, on synthetic
//! staircases, and the JoSIM CSV reader's errors.

use std::f64::consts::PI;

use crate::util::josim_case as case;
use nmgen::analysis::{
    detect_slips, net_slips, parse_josim_csv, read_josim_csv, PulseTimes, SlipOptions,
};
use nmgen::diagnostic::SourceFile;
use proptest::prelude::*;

/// Expected +2π slip counts of the junction phase columns, derived from each
/// test bench's stimulus (and, for the output junctions, the cell's function);
/// cross-checked by running compare.py's `slips()` on the same files by hand.
/// Every column here has only +2π slips.
///
/// - JTL: I_a pwl peaks at 23p, 73p → 2 pulses through B1, B2 and the load.
/// - DCSFQ, SFQDC: `pulse(0 600u 20p 2p 2p 1p 100p)` over 1000p → 10 pulses.
/// - SPLIT: 7 input pulses (150,250,280,540,600,640,780p) → 7 on each branch.
/// - MERGE: a has 7 pulses, b 7 (350,450,480,560,580,660,740p), none
///   coincident → 14 at the output.
/// - DFF: data 7 pulses, clock 10 (20p+100p·k); Q fires at each clock whose
///   preceding period holds data: clocks 220,320,620,720,820p → 5.
/// - NDRO: set a (7), reset b (7), clock 10; Q fires at clocks while set:
///   220,320 (set 150p), 620 (set 600p), 820,920 (set 780p) → 5.
/// - ex_jtl_basic / ex_jtl_param_times: VIN pwl pulses at 300p, 600p → 2.
/// - ex_dcsfq_jtl_sink: IA pulses at 176, 376, 606, 706p → 4 at node 3.
/// - comp_ps: a phase source ramps 0 → 2π at 300p → 1 slip.
const EXPECTED: &[(&str, &str, usize)] = &[
    ("coldflux_tb_JTL.csv", "P(B1|XDUT)", 2),
    ("coldflux_tb_JTL.csv", "P(B2|XDUT)", 2),
    ("coldflux_tb_JTL.csv", "P(B1|XLOADOUTQ)", 2),
    ("coldflux_tb_DCSFQ.csv", "P(B3|XDUT)", 10),
    ("coldflux_tb_DCSFQ.csv", "P(B1|XLOADOUT)", 10),
    ("coldflux_tb_SFQDC.csv", "P(B1|XDUT)", 10),
    ("coldflux_tb_SPLIT.csv", "P(B1|XDUT)", 7),
    ("coldflux_tb_SPLIT.csv", "P(B2|XDUT)", 7),
    ("coldflux_tb_SPLIT.csv", "P(B3|XDUT)", 7),
    ("coldflux_tb_SPLIT.csv", "P(B1|XLOADOUTQ0)", 7),
    ("coldflux_tb_SPLIT.csv", "P(B1|XLOADOUTQ1)", 7),
    ("coldflux_tb_MERGE.csv", "P(B1|XDUT)", 7),
    ("coldflux_tb_MERGE.csv", "P(B4|XDUT)", 7),
    ("coldflux_tb_MERGE.csv", "P(B7|XDUT)", 14),
    ("coldflux_tb_MERGE.csv", "P(B1|XLOADOUTQ)", 14),
    ("coldflux_tb_DFF.csv", "P(B1|XDUT)", 7),
    ("coldflux_tb_DFF.csv", "P(B5|XDUT)", 10),
    ("coldflux_tb_DFF.csv", "P(B7|XDUT)", 5),
    ("coldflux_tb_DFF.csv", "P(B1|XLOADOUTQ)", 5),
    ("coldflux_tb_NDRO.csv", "P(B1|XDUT)", 7),
    ("coldflux_tb_NDRO.csv", "P(B4|XDUT)", 7),
    ("coldflux_tb_NDRO.csv", "P(B9|XDUT)", 10),
    ("coldflux_tb_NDRO.csv", "P(B11|XDUT)", 5),
    ("coldflux_tb_NDRO.csv", "P(B1|XLOADOUTQ)", 5),
    ("ex_jtl_basic.csv", "P(B01)", 2),
    ("ex_jtl_basic.csv", "P(B02)", 2),
    ("ex_jtl_param_times.csv", "P(B01)", 2),
    ("ex_jtl_param_times.csv", "P(B02)", 2),
    ("ex_dcsfq_jtl_sink.csv", "P(3,0)", 4),
    ("comp_ps.csv", "P(RA)", 1),
];

#[test]
fn reference_slip_counts_match_the_stimulus() {
    for &(file, column, expected) in EXPECTED {
        let traces = read_josim_csv(&case(file)).expect("reference CSV reads");
        let phase = traces
            .column(column)
            .unwrap_or_else(|| panic!("{file}: no column {column}"));
        let slips = detect_slips(&traces.time, phase, &SlipOptions::default());
        assert_eq!(slips.len(), expected, "{file} {column}: {slips:?}");
        assert!(slips.iter().all(|s| s.sign == 1), "{file} {column}");
        assert_eq!(net_slips(&slips), expected as i64);
    }
}

/// The JTL's slip times as compare.py prints them (first sample past the
/// threshold), and interpolated times one step earlier at most.
#[test]
fn jtl_slip_times_and_interpolation() {
    let traces = read_josim_csv(&case("coldflux_tb_JTL.csv")).unwrap();
    let phase = traces
        .column("p(b1.xloadoutq)")
        .expect("name matching ignores case and .|");
    let plain = detect_slips(&traces.time, phase, &SlipOptions::default());
    let ps: Vec<f64> = plain.iter().map(|s| s.time * 1e12).collect();
    assert_eq!(ps.len(), 2);
    assert!(
        (ps[0] - 34.75).abs() < 1e-6 && (ps[1] - 84.75).abs() < 1e-6,
        "{ps:?}"
    );
    let fine = detect_slips(
        &traces.time,
        phase,
        &SlipOptions {
            interpolate: true,
            ..SlipOptions::default()
        },
    );
    for (a, b) in plain.iter().zip(&fine) {
        assert!(
            b.time <= a.time && b.time > a.time - 0.25e-12,
            "{a:?} {b:?}"
        );
    }
    // The interpolated crossing is at the threshold π + 0.1π, by construction.
    let i = traces
        .time
        .iter()
        .position(|&t| t == plain[0].time)
        .unwrap();
    let (t0, t1) = (traces.time[i - 1], traces.time[i]);
    let (p0, p1) = (phase[i - 1] - phase[0], phase[i] - phase[0]);
    let at = p0 + (p1 - p0) * (fine[0].time - t0) / (t1 - t0);
    assert!((at - 1.1 * PI).abs() < 1e-9, "{at}");
}

/// A junction in the voltage state: positive slips under positive bias, and a
/// net negative count under the negative bias between 300 and 450 ps.
#[test]
fn comp_jj_slip_signs_follow_the_bias() {
    let traces = read_josim_csv(&case("comp_jj.csv")).unwrap();
    let slips = detect_slips(
        &traces.time,
        traces.column("P(B1)").unwrap(),
        &SlipOptions::default(),
    );
    assert!(slips
        .iter()
        .filter(|s| s.time < 240e-12)
        .all(|s| s.sign == 1));
    assert!(slips.iter().filter(|s| s.time < 240e-12).count() > 100);
    let late: Vec<_> = slips
        .iter()
        .filter(|s| s.time > 300e-12 && s.time < 450e-12)
        .copied()
        .collect();
    assert!(net_slips(&late) < -100, "{}", net_slips(&late));
}

#[test]
fn pulse_times_from_traces_and_csv() {
    let traces = read_josim_csv(&case("coldflux_tb_SPLIT.csv")).unwrap();
    let pulses = PulseTimes::from_traces(
        &traces,
        &[("q0", "P(B1|XLOADOUTQ0)"), ("q1", "P(B1|XLOADOUTQ1)")],
        &SlipOptions::default(),
    )
    .unwrap();
    assert_eq!(pulses.count_in("q0", 0.0, 1e-9), Some(7));
    assert_eq!(pulses.count_in("q1", 200e-12, 600e-12), Some(3));
    let csv = pulses.to_csv();
    assert_eq!(csv.lines().count(), 1 + 14);
    assert!(
        csv.starts_with("output,index,time_ps,sign\nq0,1,167."),
        "{csv}"
    );
    let err =
        PulseTimes::from_traces(&traces, &[("x", "P(B9)")], &SlipOptions::default()).unwrap_err();
    assert!(err.to_string().contains("P(B9)"), "{err}");
}

#[test]
fn csv_errors_point_at_the_cell() {
    let file = SourceFile::new("bad.csv", "time,\"P(B1)\"\n0,0\n1e-12,zz\n");
    let err = parse_josim_csv(&file).unwrap_err();
    assert_eq!((err.line, err.column), (3, 7), "{err}");
    assert!(err.message.contains("`zz` is not a number"), "{err}");
    let short = SourceFile::new("short.csv", "time,\"P(B1)\",\"P(B2)\"\n0,0\n");
    let err = parse_josim_csv(&short).unwrap_err();
    assert_eq!(err.line, 2);
    assert!(err.message.contains("row has 2 values"), "{err}");
    let back = SourceFile::new("back.csv", "time,P(B1)\n1e-12,0\n0,0\n");
    assert!(parse_josim_csv(&back)
        .unwrap_err()
        .message
        .contains("backwards"));
    let missing = read_josim_csv(&case("no_such_file.csv")).unwrap_err();
    assert!(missing.to_string().contains("no_such_file.csv"));
}

/// A staircase phase: each step is a smooth 2π ramp (up or down) between
/// plateaus carrying ripple well inside the hysteresis band.
fn staircase(steps: &[bool], ramp: usize, plateau: usize, ripple: f64) -> (Vec<f64>, Vec<f64>) {
    let mut phase = vec![0.3];
    let mut level = 0.3;
    for &up in steps {
        for j in 0..plateau {
            phase.push(level + ripple * ((j as f64) * 0.7).sin());
        }
        let d = if up { 2.0 * PI } else { -2.0 * PI };
        for j in 1..=ramp {
            let x = j as f64 / ramp as f64;
            phase.push(level + d * (0.5 - 0.5 * (PI * x).cos()));
        }
        level += d;
    }
    for j in 0..plateau {
        phase.push(level + ripple * ((j as f64) * 0.7).sin());
    }
    let time = (0..phase.len()).map(|i| i as f64 * 1e-13).collect();
    (time, phase)
}

proptest! {
    #[test]
    fn staircase_slips_are_its_steps(
        steps in proptest::collection::vec(any::<bool>(), 0..40),
        ramp in 1usize..12,
        plateau in 1usize..10,
        ripple in 0.0f64..0.8,
        interpolate in any::<bool>(),
    ) {
        let (time, phase) = staircase(&steps, ramp, plateau, ripple);
        let opts = SlipOptions { interpolate, ..SlipOptions::default() };
        let slips = detect_slips(&time, &phase, &opts);
        // Ripple of up to 0.8 rad never reaches the ±(π + 0.1π) thresholds
        // measured from the plateau, so each ramp is exactly one slip.
        prop_assert_eq!(slips.len(), steps.len());
        for (s, &up) in slips.iter().zip(&steps) {
            prop_assert_eq!(s.sign, if up { 1 } else { -1 });
        }
        let net: i64 = steps.iter().map(|&u| if u { 1 } else { -1 }).sum();
        prop_assert_eq!(net_slips(&slips), net);
        prop_assert!(slips.windows(2).all(|w| w[0].time <= w[1].time));
    }
}
