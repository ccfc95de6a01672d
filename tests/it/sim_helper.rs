//! A large circuit's run takes a second thread for its steps when one is free and,
//! on a long run, first measures whether that thread pays (`sim::helper::Trial`):
//! whichever way the run goes, with the thread, without it, or switching after
//! the trial, its waveforms are the same bit for bit.

use std::path::Path;

use nmgen::sim::{simulate, SimOptions, Waveforms};

fn bits(w: &Waveforms) -> Vec<u64> {
    w.time
        .iter()
        .chain(w.columns.iter().flatten())
        .map(|v| v.to_bits())
        .collect()
}

#[test]
fn a_large_run_gives_the_same_bits_with_and_without_the_second_thread() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/josim-reference/cases/ex_ksa4bit.cir");
    let circuit = nmgen::netlist::load(&path).expect("the netlist loads");
    // outside a pool: the helper thread (and its trial, 4,000 steps)
    let two = simulate(&circuit, &SimOptions::new()).expect("simulates");
    // inside a pool's worker: one thread
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool");
    let one = pool
        .install(|| simulate(&circuit, &SimOptions::new()))
        .expect("simulates");
    assert_eq!(two.time.len(), one.time.len());
    assert!(bits(&two) == bits(&one), "the same waveforms bit for bit");
}
