//! Runs that differ only in their sources share their first steps
//! (`nmgen::sim::simulate_family`, issue #12): each result is bit for bit the one
//! its own run gives, with and without stop hooks, whether it ends in the shared
//! trunk or after the fork, and for runs of different lengths.

use std::path::Path;
use std::sync::Arc;

use nmgen::circuit::{Circuit, ElementKind, Waveform};
use nmgen::sim::{simulate, simulate_family, SimOptions, Stop, Waveforms};

/// The ColdFlux JTL bench (input pulses at 20 and 70 ps, 0.25 ps steps).
fn jtl_bench() -> Circuit {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/josim-reference/cases/coldflux_tb_JTL.cir");
    nmgen::netlist::load(&path).expect("the JTL bench loads")
}

/// The bench with its input `I_A` replaced by these PWL points.
fn with_input(points: Vec<(f64, f64)>) -> Circuit {
    let mut c = jtl_bench();
    let k = c.element_index("I_A").expect("the input source");
    match &mut c.elements[k].kind {
        ElementKind::CurrentSource { wave, .. } => *wave = Waveform::Pwl(points),
        other => panic!("I_A is {other:?}"),
    }
    c
}

fn pulse_at(t: f64) -> Vec<(f64, f64)> {
    vec![(0.0, 0.0), (t, 0.0), (t + 3e-12, 600e-6), (t + 6e-12, 0.0)]
}

/// A hook that never stops the run (it still lets the run end at rest).
fn watching() -> Option<Arc<Stop>> {
    Some(Arc::new(|_t: f64, _row: &[f64]| false))
}

/// A hook that stops once `column` reaches `phase`.
fn stop_when(column: usize, phase: f64) -> Option<Arc<Stop>> {
    Some(Arc::new(move |_t: f64, row: &[f64]| row[column] > phase))
}

fn own_runs(circuits: &[&Circuit], stops: &[Option<Arc<Stop>>]) -> Vec<Waveforms> {
    circuits
        .iter()
        .zip(stops)
        .map(|(c, stop)| {
            let options = SimOptions {
                stop: stop.clone(),
                ..SimOptions::new()
            };
            simulate(c, &options).expect("simulates")
        })
        .collect()
}

fn family_runs(circuits: &[&Circuit], stops: &[Option<Arc<Stop>>]) -> Vec<Waveforms> {
    let mut out = Vec::new();
    simulate_family(circuits, stops, &SimOptions::new(), &mut |k, r| {
        assert_eq!(k, out.len(), "results in order");
        out.push(r.expect("simulates"));
        true
    });
    out
}

fn assert_same(family: &[Waveforms], own: &[Waveforms]) {
    assert_eq!(family.len(), own.len());
    for (k, (f, o)) in family.iter().zip(own).enumerate() {
        assert_eq!(f.time.len(), o.time.len(), "run {k}: rows");
        let bits = |w: &Waveforms| -> Vec<Vec<u64>> {
            w.columns
                .iter()
                .map(|c| c.iter().map(|v| v.to_bits()).collect())
                .collect()
        };
        assert!(bits(f) == bits(o), "run {k}: values differ");
        assert_eq!(f.time, o.time, "run {k}: time");
        assert_eq!(f.headers, o.headers, "run {k}: headers");
        assert_eq!(f.steps, o.steps, "run {k}: steps");
        assert_eq!(
            f.factorizations, o.factorizations,
            "run {k}: factorisations"
        );
    }
}

#[test]
fn patterns_forked_from_a_shared_trunk_equal_their_own_runs() {
    let early = with_input(pulse_at(20e-12));
    let late = with_input(pulse_at(60e-12));
    let two = with_input(
        pulse_at(20e-12)
            .into_iter()
            .chain(pulse_at(70e-12).into_iter().skip(1))
            .collect(),
    );
    let none = with_input(vec![(0.0, 0.0), (1e-12, 0.0)]);
    let mut shorter = with_input(pulse_at(60e-12));
    if let Some(t) = &mut shorter.transient {
        t.tstop = 150e-12;
    }
    let circuits = [&late, &early, &two, &none, &shorter];
    // unwatched full runs, runs watched (ending at rest), and one stopped by its hook
    let column = early
        .probes
        .iter()
        .position(|p| p.header.starts_with("P("))
        .expect("a phase column");
    // (and inside a two-worker pool, where idle workers take later patterns)
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("a pool");
    for stops in [
        vec![None, None, None, None, None],
        vec![watching(), watching(), watching(), watching(), watching()],
        vec![
            watching(),
            stop_when(column, 3.0),
            None,
            watching(),
            watching(),
        ],
    ] {
        let own = own_runs(&circuits, &stops);
        let family = family_runs(&circuits, &stops);
        assert_same(&family, &own);
        let in_pool = pool.install(|| family_runs(&circuits, &stops));
        assert_same(&in_pool, &own);
    }
    // the "nothing in" pattern, watched, is at rest long before the run's end
    let own = own_runs(&[&none], &[watching()]);
    assert!(own[0].time.last().copied().unwrap_or(1.0) < 150e-12);
}

#[test]
fn the_caller_can_stop_after_any_result() {
    let a = with_input(pulse_at(20e-12));
    let b = with_input(pulse_at(40e-12));
    let c = with_input(pulse_at(60e-12));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("a pool");
    for in_pool in [false, true] {
        let mut seen = Vec::new();
        let mut run = || {
            simulate_family(
                &[&a, &b, &c],
                &[watching(), watching(), watching()],
                &SimOptions::new(),
                &mut |k, r| {
                    assert!(r.is_ok());
                    seen.push(k);
                    k < 1
                },
            )
        };
        if in_pool {
            pool.install(run);
        } else {
            run();
        }
        assert_eq!(seen, vec![0, 1], "in a pool: {in_pool}");
    }
}

#[test]
fn circuits_that_differ_in_more_than_sources_run_on_their_own() {
    let a = with_input(pulse_at(20e-12));
    let mut b = with_input(pulse_at(40e-12));
    // a different bias resistor: not one family, yet each result is its own run's
    let k = b
        .elements
        .iter()
        .position(|e| matches!(e.kind, ElementKind::Resistor { .. }))
        .expect("a resistor");
    if let ElementKind::Resistor { r, .. } = &mut b.elements[k].kind {
        *r *= 1.1;
    }
    let stops = [watching(), watching()];
    assert_same(
        &family_runs(&[&a, &b], &stops),
        &own_runs(&[&a, &b], &stops),
    );
}
