//! Every netlist of the JoSIM reference corpus parses, and its probes carry exactly the
//! column headers JoSIM wrote in the reference CSV.

use std::path::{Path, PathBuf};

use nmgen::circuit::{Circuit, ElementKind};
use nmgen::netlist;

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/josim-reference/cases"
);
const NOISE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/josim-reference/noise"
);

fn reference_headers(csv: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(csv).expect("reference CSV readable");
    let first = text.lines().next().expect("CSV has a header line");
    let cols: Vec<String> = first
        .split(',')
        .map(|c| c.trim_matches('"').to_string())
        .collect();
    // JoSIM quotes each header, and a two-node header `"V(1,0)"` contains a comma.
    let mut merged = Vec::new();
    let mut pending: Option<String> = None;
    for c in first.split(',') {
        match pending.take() {
            Some(mut p) => {
                p.push(',');
                p.push_str(c);
                if c.ends_with('"') {
                    merged.push(p.trim_matches('"').to_string());
                } else {
                    pending = Some(p);
                }
            }
            None if c.starts_with('"') && !c.ends_with('"') => pending = Some(c.to_string()),
            None => merged.push(c.trim_matches('"').to_string()),
        }
    }
    assert!(!cols.is_empty());
    assert_eq!(merged[0], "time");
    merged[1..].to_vec()
}

fn cases() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(CASES)
        .expect("corpus present")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "cir"))
        .collect();
    v.sort();
    v
}

fn junctions(c: &Circuit) -> usize {
    c.elements
        .iter()
        .filter(|e| matches!(e.kind, ElementKind::Junction { .. }))
        .count()
}

#[test]
fn every_case_parses_with_josim_headers() {
    let all = cases();
    assert!(all.len() >= 29, "corpus has {} netlists", all.len());
    for cir in all {
        let circuit = match netlist::load(&cir) {
            Ok(c) => c,
            Err(e) => panic!("{} failed to parse:\n{e}", cir.display()),
        };
        let want = reference_headers(&cir.with_extension("csv"));
        let got: Vec<String> = circuit.probes.iter().map(|p| p.header.clone()).collect();
        assert_eq!(got, want, "probe headers of {}", cir.display());
        assert!(circuit.transient.is_some(), "{} has a .tran", cir.display());
    }
}

#[test]
fn large_examples_have_the_expected_junction_counts() {
    let ksa = netlist::load(&Path::new(CASES).join("ex_ksa4bit.cir")).expect("ksa parses");
    let n = junctions(&ksa);
    assert!((1900..=2300).contains(&n), "ex_ksa4bit has {n} junctions");
    let pp = netlist::load(&Path::new(CASES).join("ex_gen_pp_ipht.cir")).expect("pp parses");
    let n = junctions(&pp);
    assert!(
        (3600..=4200).contains(&n),
        "ex_gen_pp_ipht has {n} junctions"
    );
}

#[test]
fn noise_template_parses_with_amplitude_and_seed() {
    let template = std::fs::read_to_string(Path::new(NOISE).join("switching.cir.template"))
        .expect("template readable");
    let text = template.replace("AMP", "45").replace("SEED", "17");
    let path = Path::new(NOISE).join("switching.cir");
    let c = netlist::parse_str(&text, &path).expect("substituted template parses");
    assert_eq!(c.seed, Some(17));
    assert_eq!(c.temperature, Some(4.2));
    assert_eq!(c.probes.len(), 1);
    assert_eq!(c.probes[0].header, "P(B1)");
    let trig = c.element_index("ITRIG").expect("trigger source");
    match &c.elements[trig].kind {
        ElementKind::CurrentSource {
            wave: nmgen::circuit::Waveform::Pwl(points),
            ..
        } => {
            assert!((points[2].1 - 45e-6).abs() < 1e-18, "{points:?}");
        }
        other => panic!("ITRIG is {other:?}"),
    }
}
