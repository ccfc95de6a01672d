//! Batched simulation (`nmgen::sim::simulate_batch`) against point-by-point runs:
//! bias points of one ColdFlux bench, one of which drives its junctions into the
//! voltage state (a refactorisation that takes it out of the batch) and one with a
//! different resistor (a different matrix, so not batched at all).

use std::path::Path;

use nmgen::circuit::{Circuit, ElementKind, Waveform};
use nmgen::sim::{simulate, simulate_batch, SimOptions, Waveforms};

fn bench() -> Circuit {
    let cir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/josim-reference/cases/coldflux_tb_JTL.cir");
    nmgen::netlist::load(&cir).expect("the JTL bench loads")
}

/// The circuit with every current source scaled (a global bias scale).
fn biased(c: &Circuit, f: f64) -> Circuit {
    let mut c = c.clone();
    let mut scaled = 0;
    for e in &mut c.elements {
        if let ElementKind::CurrentSource { wave, .. } = &mut e.kind {
            match wave {
                Waveform::Dc(v) => *v *= f,
                Waveform::Pwl(points) => points.iter_mut().for_each(|(_, v)| *v *= f),
                _ => continue,
            }
            scaled += 1;
        }
    }
    assert!(scaled > 0, "the bench has current sources to scale");
    c
}

fn bits(w: &Waveforms) -> (Vec<u64>, Vec<Vec<u64>>) {
    let b = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    (b(&w.time), w.columns.iter().map(|c| b(c)).collect())
}

#[test]
fn batched_points_equal_point_by_point_runs() {
    let base = bench();
    let mut points: Vec<Circuit> = [0.8, 1.0, 1.2, 3.0]
        .iter()
        .map(|&f| biased(&base, f))
        .collect();
    // A different resistor: its matrix differs, so it runs outside the batch.
    let mut other = base.clone();
    let r = other
        .elements
        .iter_mut()
        .find_map(|e| match &mut e.kind {
            ElementKind::Resistor { r, .. } => Some(r),
            _ => None,
        })
        .expect("the bench has a resistor");
    *r *= 1.5;
    points.push(other);
    let refs: Vec<&Circuit> = points.iter().collect();
    let options = SimOptions::new();
    let batched = simulate_batch(&refs, &options);
    assert_eq!(batched.len(), points.len());
    let mut factorizations = Vec::new();
    for (k, (c, got)) in points.iter().zip(&batched).enumerate() {
        let want = simulate(c, &options).expect("point simulates");
        let got = got.as_ref().expect("batched point simulates");
        assert_eq!(got.headers, want.headers, "point {k}");
        assert_eq!(got.steps, want.steps, "point {k}");
        assert_eq!(got.tstep.to_bits(), want.tstep.to_bits(), "point {k}");
        assert_eq!(got.factorizations, want.factorizations, "point {k}");
        assert!(bits(got) == bits(&want), "point {k}: batched values differ");
        assert!(!want.time.is_empty());
        factorizations.push(want.factorizations);
    }
    // The over-biased point switches its junctions (its own refactorisations), the
    // nominal ones do not: the batch had to let it go.
    assert_eq!(factorizations[1], 1, "nominal bias keeps the subgap branch");
    assert!(
        factorizations[3] > 1,
        "3x bias must drive junctions out of the subgap branch: {factorizations:?}"
    );
}

#[test]
fn bad_points_fail_alone() {
    let base = bench();
    let mut broken = base.clone();
    broken.transient = None;
    let refs = [&base, &broken, &base];
    let out = simulate_batch(&refs, &SimOptions::new());
    assert!(out[0].is_ok() && out[2].is_ok());
    assert_eq!(out[0].as_ref().ok(), out[2].as_ref().ok());
    assert!(matches!(out[1], Err(nmgen::sim::SimError::NoTransient)));
}
