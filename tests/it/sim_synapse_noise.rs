//! Thermal noise in a circuit with junctions in series: the stochastic synapse of
//! `tests/data/design-notes/stochastic-synapse.md` (escape junction BE in series
//! with the weight junction B2, both shunted, five noisy resistors and six
//! noisy junctions at 4.2 K). For each of the design note's nine weight currents
//! the built-in simulator runs seeds 1–25 with 4 input pulses each, counts the
//! pulses that reach the output as forward 2π slips of B4 (as the note counts
//! them), and the count must lie in the 99 % binomial (Wilson score) interval
//! around JoSIM 2.7's count. JoSIM's counts are copied from the design note into
//! `tests/data/design-notes/stochastic-synapse.csv`.

use std::path::Path;

use rayon::prelude::*;

use crate::util::wilson;
use nmgen::analysis::{detect_slips, SlipOptions};
use nmgen::sim::{simulate, SimOptions};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/design-notes");

struct Point {
    iw: String,
    seeds: u64,
    pulses: usize,
    josim: usize,
}

fn reference() -> Vec<Point> {
    let table =
        std::fs::read_to_string(Path::new(DIR).join("stochastic-synapse.csv")).expect("counts");
    table
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split(',').map(str::trim).collect();
            Point {
                iw: f[0].to_string(),
                seeds: f[1].parse().expect("seeds"),
                pulses: f[2].parse().expect("pulses per run"),
                josim: f[3].parse().expect("passed"),
            }
        })
        .collect()
}

fn netlist(iw: &str, noise: bool) -> nmgen::circuit::Circuit {
    let template = std::fs::read_to_string(Path::new(DIR).join("stochastic-synapse.cir.template"))
        .expect("template");
    // One parse per current; the seed is set per run (as `.option seed=`).
    let temp = if noise {
        ".temp 4.2\n.option seed=1"
    } else {
        ""
    };
    let text = template.replace("@IW@", iw).replace("@TEMP@", temp);
    nmgen::netlist::parse_str(&text, Path::new("stochastic-synapse.cir")).expect("template parses")
}

/// Pulses that reached the output in one run: forward 2π slips of B4.
fn passed(circuit: &nmgen::circuit::Circuit, seed: u64) -> usize {
    let opts = SimOptions {
        seed: Some(seed),
        ..SimOptions::new()
    };
    let w = simulate(circuit, &opts).expect("simulates");
    let p = w.column("P(B4)").expect("phase column of B4");
    detect_slips(&w.time, p, &SlipOptions::default())
        .iter()
        .filter(|s| s.sign > 0)
        .count()
}

#[test]
fn reference_table_is_the_design_note() {
    let note = std::fs::read_to_string(Path::new(DIR).join("stochastic-synapse.md")).expect("note");
    let points = reference();
    assert_eq!(points.len(), 9);
    for p in &points {
        assert_eq!((p.seeds, p.pulses), (25, 4));
        let row = format!("| {} | {} |", p.iw, p.josim);
        assert!(note.contains(&row), "design note has no row `{row}`");
    }
}

#[test]
fn noiseless_boundary_is_the_design_notes() {
    // Deterministic: the pulse passes for iw >= 133.7 uA.
    let below = netlist("133.5", false);
    let above = netlist("133.9", false);
    assert_eq!(passed(&below, 1), 0);
    assert_eq!(passed(&above, 1), 4);
}

#[test]
fn pass_counts_match_josim() {
    let points = reference();
    let runs: Vec<(usize, u64)> = (0..points.len())
        .flat_map(|k| (1..=points[k].seeds).map(move |s| (k, s)))
        .collect();
    let circuits: Vec<_> = points.iter().map(|p| netlist(&p.iw, true)).collect();
    let counts: Vec<(usize, usize)> = runs
        .par_iter()
        .map(|&(k, seed)| (k, passed(&circuits[k], seed)))
        .collect();
    let mut failures = Vec::new();
    for (k, p) in points.iter().enumerate() {
        let got: usize = counts.iter().filter(|c| c.0 == k).map(|c| c.1).sum();
        let total = p.seeds as usize * p.pulses;
        let (lo, hi) = wilson(p.josim, total);
        let ok = (got as f64) >= lo.floor() && (got as f64) <= hi.ceil();
        println!(
            "{} iw {:>6} uA: nmgen {got:3}/{total}, JoSIM {:3}/{total}, 99% interval [{:.1}, {:.1}]",
            if ok { "ok  " } else { "FAIL" },
            p.iw,
            p.josim,
            lo.max(0.0),
            hi.min(total as f64)
        );
        if !ok {
            failures.push(p.iw.clone());
        }
    }
    assert!(
        failures.is_empty(),
        "pass counts outside JoSIM's 99 % interval at iw = {failures:?} uA"
    );
}
