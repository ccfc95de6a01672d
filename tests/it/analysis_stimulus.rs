//! The expected slip counts of the reference benches, derived from the
//! stimulus sources written in each `.cir` and the cell's logic function, and
//! compared with the slips detected in JoSIM's output.

use crate::util::josim_case as case;
use nmgen::analysis::{detect_slips, read_josim_csv, SlipOptions};

/// A SPICE number: `150p`, `600u`, `1e-12`.
fn spice(s: &str) -> f64 {
    let s = s.trim().to_ascii_lowercase();
    let split = s
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e')
        .unwrap_or(s.len());
    let (num, suffix) = s.split_at(split);
    let scale = match suffix {
        "" => 1.0,
        "f" => 1e-15,
        "p" => 1e-12,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        other => panic!("suffix {other} in {s}"),
    };
    num.parse::<f64>().unwrap() * scale
}

/// Start times of the pulses of source `name` in `cir` (pwl or pulse).
fn stimulus(cir: &str, name: &str) -> Vec<f64> {
    let text = std::fs::read_to_string(case(cir)).unwrap();
    let tstop = text
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with(".tran"))
        .map(|l| spice(l.split_whitespace().nth(2).unwrap()))
        .unwrap();
    let line = text
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("{cir}: no source {name}"));
    let lower = line.to_ascii_lowercase();
    let open = lower.find('(').unwrap();
    let args: Vec<f64> = lower[open + 1..lower.rfind(')').unwrap()]
        .split_whitespace()
        .map(spice)
        .collect();
    if lower[..open].trim_end().ends_with("pwl") {
        // (t, v) pairs: a pulse starts where the value leaves 0.
        let pts: Vec<(f64, f64)> = args.chunks(2).map(|p| (p[0], p[1])).collect();
        pts.windows(2)
            .filter(|w| w[0].1 == 0.0 && w[1].1 != 0.0)
            .map(|w| w[0].0)
            .collect()
    } else {
        // pulse(v1 v2 td tr tf pw per)
        let (td, per) = (args[2], args[6]);
        (0..)
            .map(|k| td + k as f64 * per)
            .take_while(|&t| t < tstop)
            .collect()
    }
}

/// DFF: one output per clock whose preceding clock period holds data.
fn dff(data: &[f64], clk: &[f64]) -> usize {
    let mut prev = f64::NEG_INFINITY;
    let mut out = 0;
    for &c in clk {
        if data.iter().any(|&d| d > prev && d < c) {
            out += 1;
        }
        prev = c;
    }
    out
}

/// NDRO: set by a, reset by b, one output per clock while set.
fn ndro(a: &[f64], b: &[f64], clk: &[f64]) -> usize {
    let mut events: Vec<(f64, char)> = a.iter().map(|&t| (t, 's')).collect();
    events.extend(b.iter().map(|&t| (t, 'r')));
    events.extend(clk.iter().map(|&t| (t, 'c')));
    events.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut set = false;
    let mut out = 0;
    for (_, e) in events {
        match e {
            's' => set = true,
            'r' => set = false,
            _ => out += usize::from(set),
        }
    }
    out
}

fn slips(csv: &str, column: &str) -> usize {
    let t = read_josim_csv(&case(csv)).unwrap();
    let s = detect_slips(&t.time, t.column(column).unwrap(), &SlipOptions::default());
    assert!(s.iter().all(|x| x.sign == 1), "{csv} {column}");
    s.len()
}

#[test]
fn input_junctions_slip_once_per_stimulus_pulse() {
    let cases = [
        ("coldflux_tb_JTL", "I_a", "P(B1|XDUT)"),
        ("coldflux_tb_DFF", "I_a", "P(B1|XDUT)"),
        ("coldflux_tb_DFF", "I_clk", "P(B5|XDUT)"),
        ("coldflux_tb_MERGE", "I_a", "P(B1|XDUT)"),
        ("coldflux_tb_MERGE", "I_b", "P(B4|XDUT)"),
        ("coldflux_tb_NDRO", "I_a", "P(B1|XDUT)"),
        ("coldflux_tb_NDRO", "I_b", "P(B4|XDUT)"),
        ("coldflux_tb_NDRO", "I_clk", "P(B9|XDUT)"),
        ("coldflux_tb_SPLIT", "I_a", "P(B1|XDUT)"),
        ("coldflux_tb_DCSFQ", "I_a", "P(B3|XDUT)"),
        ("coldflux_tb_SFQDC", "Ia", "P(B1|XDUT)"),
        ("ex_jtl_basic", "VIN", "P(B01)"),
        ("ex_dcsfq_jtl_sink", "IA", "P(3,0)"),
    ];
    for (bench, source, column) in cases {
        let pulses = stimulus(&format!("{bench}.cir"), source);
        assert!(!pulses.is_empty(), "{bench} {source}");
        assert_eq!(
            slips(&format!("{bench}.csv"), column),
            pulses.len(),
            "{bench} {column}"
        );
    }
}

#[test]
fn output_junctions_follow_the_cell_function() {
    let a = |b: &str| stimulus(&format!("{b}.cir"), "I_a");
    let b = |b: &str| stimulus(&format!("{b}.cir"), "I_b");
    let clk = |b: &str| stimulus(&format!("{b}.cir"), "I_clk");
    let jtl = a("coldflux_tb_JTL").len();
    assert_eq!(slips("coldflux_tb_JTL.csv", "P(B1|XLOADOUTQ)"), jtl);
    let split = a("coldflux_tb_SPLIT").len();
    assert_eq!(slips("coldflux_tb_SPLIT.csv", "P(B1|XLOADOUTQ0)"), split);
    assert_eq!(slips("coldflux_tb_SPLIT.csv", "P(B1|XLOADOUTQ1)"), split);
    let merge = a("coldflux_tb_MERGE").len() + b("coldflux_tb_MERGE").len();
    assert_eq!(slips("coldflux_tb_MERGE.csv", "P(B1|XLOADOUTQ)"), merge);
    let d = dff(&a("coldflux_tb_DFF"), &clk("coldflux_tb_DFF"));
    assert_eq!(d, 5);
    assert_eq!(slips("coldflux_tb_DFF.csv", "P(B1|XLOADOUTQ)"), d);
    let n = ndro(
        &a("coldflux_tb_NDRO"),
        &b("coldflux_tb_NDRO"),
        &clk("coldflux_tb_NDRO"),
    );
    assert_eq!(n, 5);
    assert_eq!(slips("coldflux_tb_NDRO.csv", "P(B1|XLOADOUTQ)"), n);
    let dc = stimulus("coldflux_tb_DCSFQ.cir", "I_a").len();
    assert_eq!(slips("coldflux_tb_DCSFQ.csv", "P(B1|XLOADOUT)"), dc);
}
