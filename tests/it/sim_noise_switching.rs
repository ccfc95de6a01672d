//! Thermal noise statistics against JoSIM: a shunted junction biased at 70 uA
//! (Ic = 100 uA) at 4.2 K is hit by a trigger pulse; for each trigger amplitude the
//! fraction of 200 seeds in which it switches (final phase > pi) must lie in the
//! 99 % (Wilson score) interval around JoSIM's own count.

use std::path::Path;

use rayon::prelude::*;

use crate::util::wilson;
use nmgen::sim::{simulate, SimOptions};

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/josim-reference/noise"
);

#[test]
fn wilson_interval_is_sane() {
    let (lo, hi) = wilson(0, 200);
    assert_eq!(lo.max(0.0), 0.0);
    assert!(hi > 4.0 && hi < 8.0, "{hi}");
    let (lo, hi) = wilson(100, 200);
    assert!(
        lo > 78.0 && lo < 84.0 && hi > 116.0 && hi < 122.0,
        "{lo} {hi}"
    );
}

#[test]
fn switching_fractions_match_josim() {
    let template = std::fs::read_to_string(Path::new(DIR).join("switching.cir.template"))
        .expect("noise template");
    let table = std::fs::read_to_string(Path::new(DIR).join("switching.csv")).expect("counts");
    let mut failures = Vec::new();
    for line in table.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split(',').collect();
        let amp = f[0].trim();
        let runs: usize = f[1].trim().parse().expect("runs");
        let josim: usize = f[2].trim().parse().expect("switched");
        // One parse per amplitude; the seed is overridden per run (as `.option seed=`).
        let text = template.replace("AMP", amp).replace("SEED", "1");
        let circuit =
            nmgen::netlist::parse_str(&text, Path::new("switching.cir")).expect("template parses");
        let switched: usize = (1..=runs as u64)
            .into_par_iter()
            .map(|seed| {
                let opts = SimOptions {
                    seed: Some(seed),
                    ..SimOptions::new()
                };
                let w = simulate(&circuit, &opts).expect("simulates");
                let p = w.column("P(B1)").expect("phase column");
                usize::from(p[p.len() - 1] > std::f64::consts::PI)
            })
            .sum();
        let (lo, hi) = wilson(josim, runs);
        let ok = (switched as f64) >= lo.floor() && (switched as f64) <= hi.ceil();
        println!(
            "{} trigger {amp:>3} uA: nmgen {switched:3}/{runs}, JoSIM {josim:3}/{runs}, 99% interval [{:.1}, {:.1}]",
            if ok { "ok  " } else { "FAIL" },
            lo.max(0.0),
            hi.min(runs as f64)
        );
        if !ok {
            failures.push(amp.to_string());
        }
    }
    assert!(
        failures.is_empty(),
        "amplitudes outside JoSIM's interval: {failures:?}"
    );
}
