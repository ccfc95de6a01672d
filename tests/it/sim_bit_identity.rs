//! The built-in simulator's results, bit for bit: a digest of every value of
//! every output column (and the step, steps and factorisation count) of the
//! reference corpus in both formulations, and of a noisy junction. First recorded
//! before the per-step work was restructured (row-oriented substitutions,
//! precomputed junction constants, PWL segment cursor, batched solves), which kept
//! every bit; re-recorded once since, on purpose, when U's pivots and the
//! junction's phase constant became reciprocals that multiply, and again when the
//! junctions' sine moved from libm to `sim::sine` (within 1 ulp of libm, in SIMD
//! lanes): last-bit changes, the JoSIM-reference agreement tests unchanged; and
//! again (1 December 2026) when the LU factorisation began to choose between
//! COLAMD and nested dissection (a different elimination order rounds
//! differently) and resistors and capacitors began to multiply by their
//! reciprocal coefficient. Any change of floating-point
//! rounding in `src/sim` shows here.
//! The two largest netlists are left out to keep the test short.

use std::path::Path;

use nmgen::sim::{simulate, Mode, SimOptions, Waveforms};

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/josim-reference/cases"
);

/// FNV-1a over the bits of everything the run produced.
fn digest(w: &Waveforms) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    let mut eat = |x: u64| {
        for b in x.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100000001b3);
        }
    };
    eat(w.tstep.to_bits());
    eat(w.steps);
    eat(w.factorizations);
    for t in &w.time {
        eat(t.to_bits());
    }
    for (name, col) in w.headers.iter().zip(&w.columns) {
        for b in name.bytes() {
            eat(u64::from(b));
        }
        for v in col {
            eat(v.to_bits());
        }
    }
    h
}

fn run(name: &str, mode: Mode) -> String {
    let circuit = nmgen::netlist::load(&Path::new(CASES).join(format!("{name}.cir")))
        .expect("corpus netlist loads");
    let options = SimOptions {
        mode,
        ..SimOptions::default()
    };
    match simulate(&circuit, &options) {
        Ok(w) => format!("{:016x}", digest(&w)),
        Err(e) => format!("error: {e}"),
    }
}

#[test]
fn corpus_results_are_unchanged_bit_for_bit() {
    let mut names: Vec<String> = std::fs::read_dir(CASES)
        .expect("corpus folder")
        .filter_map(|e| {
            let p = e.ok()?.path();
            let stem = p.file_stem()?.to_string_lossy().to_string();
            (p.extension()? == "cir").then_some(stem)
        })
        .filter(|n| n != "ex_ksa4bit" && n != "ex_gen_pp_ipht")
        .collect();
    names.sort();
    let mut got = String::new();
    for n in &names {
        for (mode, tag) in [(Mode::Phase, "phase"), (Mode::Voltage, "voltage")] {
            got.push_str(&format!("{n} {tag} {}\n", run(n, mode)));
        }
    }
    // A junction with thermal noise (JoSIM's random stream), seed 7.
    let noisy = std::fs::read_to_string(Path::new(CASES).join("../noise/switching.cir.template"))
        .expect("noise template")
        .replace("AMP", "40")
        .replace("SEED", "7");
    let circuit = nmgen::netlist::parse_str(&noisy, Path::new("switching.cir"))
        .expect("noise netlist parses");
    let w = simulate(&circuit, &SimOptions::default()).expect("noisy run");
    got.push_str(&format!("noise switching {:016x}\n", digest(&w)));
    let want = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sim-bit-identity.txt"),
    )
    .unwrap_or_default();
    if got != want {
        std::fs::write(std::env::temp_dir().join("sim-bit-identity.txt"), &got)
            .expect("write digests");
    }
    assert!(got == want, "digests differ from the recorded ones:\n{got}");
}
