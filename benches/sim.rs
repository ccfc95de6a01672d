//! Times the built-in simulator on large reference netlists against JoSIM
//! (`josim-cli` on PATH) in the same run, and batched against point-by-point runs.
//!
//! `cargo bench --bench sim [-- NAME...]` (default: ex_ksa4bit, ex_gen_pp_ipht and the
//! ColdFlux DFF bench). `NMGEN_BENCH_REPS` sets the repetitions (best of, default
//! 3): of the simulation alone, and of nmgen end to end and JoSIM, run in turns.
//! Without `josim-cli` on PATH the JoSIM half is skipped.
//!
//! Per case it prints the circuit size (unknowns, nnz of A and of L+U), the flops of one
//! forward/backward substitution and their rate, the time per step, and the times of
//! nmgen (simulation alone, and end to end: parse, simulate, write the CSV) and of
//! JoSIM (end to end, as `josim-cli -m 1 -o out.csv`) with their ratios.

use std::path::{Path, PathBuf};
use std::time::Instant;

use nmgen::circuit::{Circuit, ElementKind, Waveform};
use nmgen::sim::{
    simulate, simulate_batch, simulate_with, FaerLu, LinearSolver, OrderingChoice, SimOptions,
};

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/josim-reference/cases"
);

fn josim_on_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("josim-cli"))
        .find(|p| p.is_file())
}

fn best_of<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(r);
    }
    (best, last.expect("ran at least once"))
}

/// The circuit with every current source's values scaled (a global bias scale).
fn scale_current_sources(c: &Circuit, f: f64) -> Circuit {
    let mut c = c.clone();
    for e in &mut c.elements {
        if let ElementKind::CurrentSource { wave, .. } = &mut e.kind {
            match wave {
                Waveform::Dc(v) => *v *= f,
                Waveform::Pwl(points) => points.iter_mut().for_each(|(_, v)| *v *= f),
                Waveform::Pulse { v1, v2, .. } => {
                    *v1 *= f;
                    *v2 *= f;
                }
                _ => {}
            }
        }
    }
    c
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let names: Vec<String> = if args.is_empty() {
        ["ex_ksa4bit", "ex_gen_pp_ipht", "coldflux_tb_DFF"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    } else {
        args
    };
    let reps: usize = std::env::var("NMGEN_BENCH_REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let josim = josim_on_path();
    match &josim {
        Some(p) => println!("JoSIM: {}", p.display()),
        None => println!("josim-cli is not on PATH: the JoSIM half is skipped"),
    }
    println!(
        "{:16} {:>6} {:>9} {:>9} {:>6} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9} {:>7} {:>7}",
        "case",
        "n",
        "nnz(L+U)",
        "flop/slv",
        "steps",
        "us/step",
        "solve us",
        "GFLOP/s",
        "sim ms",
        "e2e ms",
        "josim ms",
        "sim/J",
        "e2e/J"
    );
    for name in names {
        // a case of the JoSIM reference set, or any netlist by its path
        let cir = if name.ends_with(".cir") {
            PathBuf::from(&name)
        } else {
            PathBuf::from(CASES).join(format!("{name}.cir"))
        };
        let circuit = match nmgen::netlist::load(&cir) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("{name}: {e}");
                continue;
            }
        };
        let options = SimOptions::new();
        let mut lu = FaerLu::new();
        let (sim_s, w) = best_of(reps, || {
            simulate_with(&circuit, &options, &mut lu).expect("simulates")
        });
        let n = lu.unknowns();
        // The substitutions alone, with the run's last factorisation.
        let solve_s = time_solves(&mut lu);
        let flops = lu.flops_per_solve();
        let chain = lu.chain();
        // the steps from t = 0 (the settling steps before it mostly end early)
        let steps = w
            .steps
            .saturating_sub(nmgen::sim::startup_steps(w.tstep) as u64)
            .max(1);
        let ordering = lu.ordering_in_use().unwrap_or("-");
        // COLAMD alone, for comparison, in the same run
        let mut colamd = FaerLu::with_ordering(OrderingChoice::Colamd);
        simulate_with(&circuit, &options, &mut colamd).expect("simulates");
        let note = format!(
            "  ({ordering}; longest chain {chain} rows; COLAMD alone: chain {} rows, nnz(L+U) {}, solve {:.2} us)",
            colamd.chain(),
            colamd.lu_nnz(),
            time_solves(&mut colamd) * 1e6
        );
        let stem = cir
            .file_stem()
            .map_or("case".into(), |s| s.to_string_lossy());
        let out = std::env::temp_dir().join(format!("nmgen-bench-{stem}.csv"));
        // End to end and JoSIM in turns, the best of `reps` each: both see the
        // machine in the same states (its speed drifts by tens of percent here).
        let mut e2e_s = f64::INFINITY;
        let mut josim_s: Option<f64> = None;
        for _ in 0..reps.max(1) {
            let (t, ()) = best_of(1, || {
                let c = nmgen::netlist::load(&cir).expect("loads");
                let w = simulate(&c, &options).expect("simulates");
                let mut f =
                    std::io::BufWriter::new(std::fs::File::create(&out).expect("temp file"));
                w.write_josim_csv(&mut f).expect("writes csv");
            });
            e2e_s = e2e_s.min(t);
            if let Some(j) = josim.as_deref().and_then(|j| run_josim(j, &cir, &out)) {
                josim_s = Some(josim_s.map_or(j, |b: f64| b.min(j)));
            }
        }
        let _ = std::fs::remove_file(&out);
        let ratio = |a: f64| josim_s.map_or("-".to_string(), |j| format!("{:.3}", a / j));
        println!(
            "{:16} {:>6} {:>9} {:>9} {:>6} {:>8.2} {:>8.2} {:>8.2} {:>9.1} {:>9.1} {:>9} {:>7} {:>7}",
            name,
            n,
            lu.lu_nnz(),
            flops,
            steps,
            sim_s * 1e6 / steps as f64,
            solve_s * 1e6,
            flops as f64 / solve_s * 1e-9,
            sim_s * 1e3,
            e2e_s * 1e3,
            josim_s.map_or("-".to_string(), |j| format!("{:.1}", j * 1e3)),
            ratio(sim_s),
            ratio(e2e_s),
        );
        println!("{note}");
    }
    batch(reps);
}

/// Seconds per forward and backward substitution with the solver's last
/// factorisation (a fresh right-hand side each time: solving in place again and
/// again would shrink the values into subnormals and time those).
fn time_solves(lu: &mut FaerLu) -> f64 {
    let n = lu.unknowns();
    let b: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
    let mut rhs = b.clone();
    let solves = 2000;
    let t = Instant::now();
    for _ in 0..solves {
        rhs.copy_from_slice(&b);
        lu.solve(&mut rhs).expect("solves");
        std::hint::black_box(&mut rhs);
    }
    t.elapsed().as_secs_f64() / solves as f64
}

fn run_josim(josim: &Path, cir: &Path, out: &Path) -> Option<f64> {
    let t = Instant::now();
    let st = std::process::Command::new(josim)
        .args(["-m", "1", "-o"])
        .arg(out)
        .arg(cir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    let s = t.elapsed().as_secs_f64();
    st.ok().filter(|s| s.success()).map(|_| s)
}

/// Eight bias points of the ColdFlux JTL bench: batched against one by one.
fn batch(reps: usize) {
    let cir = PathBuf::from(CASES).join("coldflux_tb_JTL.cir");
    let base = nmgen::netlist::load(&cir).expect("loads the JTL bench");
    let points: Vec<Circuit> = (0..8)
        .map(|k| scale_current_sources(&base, 0.85 + 0.04 * k as f64))
        .collect();
    let refs: Vec<&Circuit> = points.iter().collect();
    let options = SimOptions::new();
    let (single_s, singles) = best_of(reps, || {
        refs.iter()
            .map(|c| simulate(c, &options).expect("simulates"))
            .collect::<Vec<_>>()
    });
    let (batch_s, batched) = best_of(reps, || simulate_batch(&refs, &options));
    let same = singles
        .iter()
        .zip(&batched)
        .all(|(a, b)| b.as_ref().is_ok_and(|b| b == a));
    println!(
        "batch: coldflux_tb_JTL, {} bias points: one by one {:.1} ms, batched {:.1} ms ({:.2}x), results identical: {same}",
        points.len(),
        single_s * 1e3,
        batch_s * 1e3,
        single_s / batch_s
    );
}
