//! Electrically independent parts of a circuit rest on their own
//! (`src/sim/parts.rs`, issue #12): once a part of a watched run is at rest for good
//! it is no longer stepped and its probes hold their last values, while the other
//! parts come out bit for bit as in the full run. `examples/fanout.yaml` has two
//! parts: the splitter tree of `a` (probes `q0`…`q3`) and the merger tree of
//! `b0`…`b3` (probe `m`). Forked patterns and batched points give each pattern
//! exactly its own run.

use std::path::Path;
use std::sync::Arc;

use nmgen::analysis::{detect_slips, SlipOptions};
use nmgen::circuit::{Circuit, ElementKind, Waveform};
use nmgen::sim::{simulate, simulate_batch_until, simulate_family, SimOptions, Stop, Waveforms};

/// The fanout example's netlist with the inputs not in `keep` silenced.
fn fanout(keep: &[&str]) -> Circuit {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/fanout.yaml");
    let design = nmgen::spec::load(&path).expect("example loads");
    let text = nmgen::build::compile(&design).text;
    let mut c = nmgen::netlist::parse_str(&text, Path::new("fanout.cir")).expect("parses");
    for input in ["IA__IN", "IB0__IN", "IB1__IN", "IB2__IN", "IB3__IN"] {
        if keep.contains(&input) {
            continue;
        }
        let k = c.element_index(input).expect("input source");
        match &mut c.elements[k].kind {
            ElementKind::CurrentSource { wave, .. } => *wave = Waveform::Pwl(vec![(0.0, 0.0)]),
            other => panic!("{input} is {other:?}"),
        }
    }
    c
}

fn watching() -> Option<Arc<Stop>> {
    Some(Arc::new(|_t: f64, _row: &[f64]| false))
}

fn watched(c: &Circuit) -> Waveforms {
    let options = SimOptions {
        stop: watching(),
        ..SimOptions::new()
    };
    simulate(c, &options).expect("simulates")
}

fn column(w: &Waveforms, header_part: &str) -> usize {
    w.headers
        .iter()
        .position(|h| h.to_uppercase().contains(header_part))
        .unwrap_or_else(|| panic!("no column {header_part} in {:?}", w.headers))
}

fn pulses(w: &Waveforms, k: usize) -> usize {
    detect_slips(&w.time, &w.columns[k], &SlipOptions::default())
        .into_iter()
        .filter(|s| s.sign > 0)
        .count()
}

fn bits(w: &Waveforms) -> Vec<Vec<u64>> {
    w.columns
        .iter()
        .map(|c| c.iter().map(|v| v.to_bits()).collect())
        .collect()
}

#[test]
fn a_resting_part_holds_and_the_driven_part_comes_out_bit_for_bit() {
    // only `a` pulses: the merger tree (m) rests from the start
    let c = fanout(&["IA__IN"]);
    let full = simulate(&c, &SimOptions::new()).expect("full run");
    let cut = watched(&c);
    let (q0, m) = (column(&full, "XQ0"), column(&full, "XM"));
    assert!(
        cut.time.len() < full.time.len(),
        "the watched run ends early"
    );
    assert_eq!(pulses(&full, q0), 3, "three pulses reach q0");
    for (k, (a, b)) in cut.columns.iter().zip(&full.columns).enumerate() {
        if k == m || full.headers[k].to_uppercase().contains("XM") {
            // m: the full run's values until its part rests, then held
            let held = *a.last().expect("rows");
            let from = a.iter().rposition(|v| *v != held).map_or(0, |r| r + 1);
            assert!(from < a.len() / 2, "m held from row {from} of {}", a.len());
            assert!(from > 0, "m follows the full run while its bias settles");
            assert_eq!(a[..from], b[..from], "m before it rests");
            assert!(
                (held - b[from]).abs() < 0.01,
                "m held near its full-run value"
            );
        } else {
            // the splitter tree, stepped on its own, gives the full run's bits
            assert_eq!(a[..], b[..a.len()], "column {}", full.headers[k]);
        }
    }
    for k in 0..full.columns.len() {
        assert_eq!(pulses(&cut, k), pulses(&full, k), "{}", full.headers[k]);
    }
}

#[test]
fn patterns_on_two_parts_forked_or_batched_equal_their_own_runs() {
    let patterns = [
        fanout(&["IA__IN"]),
        fanout(&["IB0__IN", "IB1__IN", "IB2__IN", "IB3__IN"]),
        fanout(&[]),
        fanout(&["IA__IN", "IB2__IN"]),
    ];
    let circuits: Vec<&Circuit> = patterns.iter().collect();
    let stops: Vec<Option<Arc<Stop>>> = circuits.iter().map(|_| watching()).collect();
    let own: Vec<Waveforms> = circuits.iter().map(|c| watched(c)).collect();
    // each pattern rests at a different time; the one without inputs first
    let m = column(&own[0], "XM");
    assert_eq!(pulses(&own[1], m), 4, "four pulses reach m");
    assert!(own[2].time.len() < own[0].time.len());
    let mut family = Vec::new();
    simulate_family(&circuits, &stops, &SimOptions::new(), &mut |k, r| {
        assert_eq!(k, family.len(), "results in order");
        family.push(r.expect("simulates"));
        true
    });
    let batched: Vec<Waveforms> = simulate_batch_until(&circuits, &stops, &SimOptions::new())
        .into_iter()
        .map(|r| r.expect("simulates"))
        .collect();
    for (way, runs) in [("forked", &family), ("batched", &batched)] {
        for (k, (r, o)) in runs.iter().zip(&own).enumerate() {
            assert_eq!(r.time, o.time, "{way} pattern {k}: time");
            assert!(bits(r) == bits(o), "{way} pattern {k}: values differ");
            assert_eq!(r.steps, o.steps, "{way} pattern {k}: steps");
            assert_eq!(r.factorizations, o.factorizations, "{way} pattern {k}");
        }
    }
}
