//! Every netlist of the JoSIM reference corpus, simulated and compared with
//! JoSIM 2.7's own output using the metric of `compare.py` (nrmse <= 0.01 per
//! column after interpolation onto the reference times; phase columns: the same
//! 2*pi slips with the same signs, each within 0.5 ps).

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use nmgen::analysis::{compare, read_josim_csv, ColumnAgreement};
use nmgen::sim::{simulate, SimOptions};

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/josim-reference/cases"
);

/// Our simulation as JoSIM would have printed it: through the CSV, so the
/// comparison sees the same 7 significant digits as JoSIM's file.
fn printed(w: &nmgen::sim::Waveforms, path: &Path) -> nmgen::analysis::Traces {
    let mut csv = Vec::new();
    w.write_josim_csv(&mut csv).expect("write csv");
    std::fs::write(path, &csv).expect("write csv file");
    read_josim_csv(path).expect("own csv parses")
}

struct Outcome {
    name: String,
    reports: Vec<ColumnAgreement>,
    error: Option<String>,
}

fn run_case(cir: &Path, out_dir: &Path) -> Outcome {
    let name = cir
        .file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    let fail = |e: String| Outcome {
        name: name.clone(),
        reports: Vec::new(),
        error: Some(e),
    };
    let circuit = match nmgen::netlist::load(cir) {
        Ok(c) => c,
        Err(e) => return fail(format!("parse: {e}")),
    };
    let w = match simulate(&circuit, &SimOptions::new()) {
        Ok(w) => w,
        Err(e) => return fail(format!("simulate: {e}")),
    };
    let candidate = printed(&w, &out_dir.join(format!("{name}.csv")));
    let reference = match read_josim_csv(&cir.with_extension("csv")) {
        Ok(t) => t,
        Err(e) => return fail(format!("reference: {e}")),
    };
    Outcome {
        name,
        reports: compare(&reference, &candidate, 0.01, 0.5e-12),
        error: None,
    }
}

#[test]
fn josim_reference_corpus_matches() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(CASES)
        .expect("reference cases directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "cir"))
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 29,
        "expected the whole corpus, found {}",
        cases.len()
    );
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("josim-reference");
    std::fs::create_dir_all(&out_dir).expect("output dir");
    let outcomes: Vec<Outcome> = cases.par_iter().map(|c| run_case(c, &out_dir)).collect();
    let mut failures = Vec::new();
    for o in &outcomes {
        if let Some(e) = &o.error {
            println!("FAIL {:32} {e}", o.name);
            failures.push(o.name.clone());
            continue;
        }
        let worst = o
            .reports
            .iter()
            .map(|r| r.nrmse.unwrap_or(f64::INFINITY))
            .fold(0.0, f64::max);
        let slip = o
            .reports
            .iter()
            .filter_map(|r| r.worst_slip_dt)
            .fold(0.0, f64::max);
        let ok = o.reports.iter().all(|r| r.ok);
        println!(
            "{} {:32} columns={:3} worst_nrmse={:.2e} worst_slip_dt={:.3}ps",
            if ok { "ok  " } else { "FAIL" },
            o.name,
            o.reports.len(),
            worst,
            slip * 1e12
        );
        for r in o.reports.iter().filter(|r| !r.ok) {
            println!(
                "       {} nrmse={:?} slips ref={} cand={} dt={:?}",
                r.name, r.nrmse, r.slips_reference, r.slips_candidate, r.worst_slip_dt
            );
        }
        if !ok {
            failures.push(o.name.clone());
        }
    }
    println!("CSV output in {}", out_dir.display());
    assert!(failures.is_empty(), "cases failing: {failures:?}");
}
