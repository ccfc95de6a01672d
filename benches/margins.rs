//! Margin-analysis throughput on the JTL chain (bench binary): simulations per second
//! with the built-in engine in process (single thread, and all cores through the
//! sweep), beside one simulation process per point: `nmgen sim` on the netlist, and
//! JoSIM when `josim-cli` is on PATH.
//!
//! Then whole sweeps: the margins of `examples/jtl_chain.yaml` and
//! `examples/fanout.yaml` with the built-in engine and, when `josim-cli` is on PATH,
//! the same sweep through `--engine josim` (simulations per second and the ratio,
//! measured in the same run); and a 1,000-sample Monte Carlo yield of fanout.
//!
//! `cargo bench --bench margins` (set `MARGIN_BENCH_POINTS`, default 40;
//! `MARGIN_BENCH_SWEEPS=0` skips the whole sweeps, `MARGIN_BENCH_REPS` sets how
//! often each whole sweep runs, in turns with the other engine, best of, default 2;
//! `MARGIN_BENCH_SAMPLES` sets the Monte Carlo samples, default 1000).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use nmgen::analysis::{
    self, Evaluator, MarginParameter, MarginPlan, ParameterKind, Progress, SweepPlan,
};
use nmgen::engine::Engine;
use nmgen::verify::Bench;

fn main() {
    let points: usize = std::env::var("MARGIN_BENCH_POINTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/jtl_chain.yaml");
    let design = nmgen::spec::load(&spec).expect("example loads");
    let bench = Bench::new(&design, Engine::default()).expect("bench builds");
    let multipliers: Vec<f64> = (0..points)
        .map(|i| 0.7 + 0.7 * i as f64 / points as f64)
        .collect();
    // simulations per judged point: every pattern of every check
    let sims_per_point: usize = design.checks.iter().map(|c| c.pattern_count()).sum();

    let t = Instant::now();
    for m in &multipliers {
        bench.passes(&[("bias".to_string(), *m)]).expect("judges");
    }
    let serial = t.elapsed().as_secs_f64();
    let serial_rate = (points * sims_per_point) as f64 / serial;

    let plan = SweepPlan::Margins(MarginPlan {
        parameters: vec![
            MarginParameter::new("bias", ParameterKind::GlobalBias),
            MarginParameter::new("inductors", ParameterKind::AllInductors),
            MarginParameter::new("critical_currents", ParameterKind::AllCriticalCurrents),
            MarginParameter::new("resistors", ParameterKind::AllResistors),
        ],
        search: Default::default(),
    });
    let t = Instant::now();
    let report = analysis::run(&plan, &bench, Progress::Hidden).expect("sweep runs");
    let sweep = t.elapsed().as_secs_f64();
    let evaluations = match &report {
        analysis::SweepReport::Margins(r) => r
            .parameters
            .iter()
            .map(|p| (p.low.evaluations + p.high.evaluations) as usize)
            .sum::<usize>(),
        _ => 0,
    };
    let sweep_rate = (evaluations * sims_per_point) as f64 / sweep;

    // one process per simulation: the nominal netlist through `nmgen sim`
    let dir = tempfile::tempdir().expect("temp dir");
    let cir = dir.path().join("jtl_chain.cir");
    std::fs::write(&cir, nmgen::build::compile(&design).text).expect("netlist");
    let exe = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/nmgen");
    let per_process = |program: &Path, args: &[&str]| -> Option<f64> {
        if !program.exists() {
            return None;
        }
        let n = points.min(20);
        let t = Instant::now();
        for _ in 0..n {
            let ok = Command::new(program)
                .args(args)
                .current_dir(dir.path())
                .output()
                .ok()?
                .status
                .success();
            if !ok {
                return None;
            }
        }
        Some(n as f64 / t.elapsed().as_secs_f64())
    };
    let nmgen_proc = per_process(&exe, &["sim", cir.to_str().unwrap(), "-o", "out.csv"]);
    let josim = which("josim-cli")
        .and_then(|j| per_process(&j, &["-m", "1", "-o", "out.csv", cir.to_str().unwrap()]));

    println!("margin-analysis throughput on examples/jtl_chain.yaml ({sims_per_point} simulations per judged point)");
    println!("{:48} {:>10}", "mode", "sims/s");
    println!(
        "{:48} {:>10.1}",
        "built-in, in process, 1 thread", serial_rate
    );
    println!(
        "{:48} {:>10.1}   ({} evaluations, 4 parameters)",
        "built-in, in process, margin sweep on all cores", sweep_rate, evaluations
    );
    match nmgen_proc {
        Some(r) => println!(
            "{:48} {:>10.1}   (×{:.1} in process)",
            "one `nmgen sim` process per point",
            r,
            serial_rate / r
        ),
        None => println!(
            "{:48} {:>10}",
            "one `nmgen sim` process per point", "(build --release first)"
        ),
    }
    match josim {
        Some(r) => println!(
            "{:48} {:>10.1}   (×{:.1} in process)",
            "one `josim-cli` process per point",
            r,
            serial_rate / r
        ),
        None => println!(
            "{:48} {:>10}",
            "one `josim-cli` process per point", "(not installed)"
        ),
    }
    if std::env::var("MARGIN_BENCH_SWEEPS").as_deref() != Ok("0") {
        whole_sweeps();
    }
}

/// Simulations of one margin sweep: every judged point times its patterns (the
/// built-in engine may stop some early; the count is that of the points).
fn sweep(spec: &str, engine: Engine) -> (f64, usize, nmgen::analysis::SweepReport) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(spec);
    let design = nmgen::spec::load(&path).expect("example loads");
    let bench = Bench::new(&design, engine).expect("bench builds");
    let plan = SweepPlan::Margins(nmgen::verify::plan::margin_plan(&design).expect("plan"));
    let sims_per_point: usize = design.checks.iter().map(|c| c.pattern_count()).sum();
    let t = Instant::now();
    let report = analysis::run(&plan, &bench, Progress::Hidden).expect("sweep runs");
    let seconds = t.elapsed().as_secs_f64();
    let points = match &report {
        analysis::SweepReport::Margins(r) => r
            .parameters
            .iter()
            .map(|p| (p.low.evaluations + p.high.evaluations) as usize)
            .sum::<usize>(),
        _ => 0,
    };
    (seconds, points * sims_per_point, report)
}

fn whole_sweeps() {
    println!(
        "\nwhole margin sweeps ({} threads)",
        rayon::current_num_threads()
    );
    println!(
        "{:34} {:>9} {:>8} {:>10} {:>9}",
        "sweep", "seconds", "sims", "sims/s", "ratio"
    );
    let josim = which("josim-cli").and_then(|p| {
        nmgen::engine::Josim::locate(Some(&p), std::time::Duration::from_secs(600)).ok()
    });
    // Both engines in turns, the best of `reps` each: the built-in sweep takes a
    // quarter of a second, where a slow spell of this shared machine weighs more
    // than on JoSIM's seconds; in turns both see the same spells.
    let reps: usize = std::env::var("MARGIN_BENCH_REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2)
        .max(1);
    for spec in ["examples/jtl_chain.yaml", "examples/fanout.yaml"] {
        let mut best: Option<(f64, usize, nmgen::analysis::SweepReport)> = None;
        let mut best_josim: Option<(f64, usize, nmgen::analysis::SweepReport)> = None;
        for _ in 0..reps {
            let run = sweep(spec, Engine::default());
            if best.as_ref().is_none_or(|b| run.0 < b.0) {
                best = Some(run);
            }
            if let Some(j) = &josim {
                let run = sweep(spec, Engine::Josim(j.clone()));
                if best_josim.as_ref().is_none_or(|b| run.0 < b.0) {
                    best_josim = Some(run);
                }
            }
        }
        let (t, sims, builtin) = best.expect("ran at least once");
        println!(
            "{:34} {:>9.2} {:>8} {:>10.1}",
            format!("{spec} built-in"),
            t,
            sims,
            sims as f64 / t
        );
        if let Some((tj, simsj, report)) = best_josim {
            println!(
                "{:34} {:>9.2} {:>8} {:>10.1} {:>8.1}×   (same report: {})",
                format!("{spec} josim"),
                tj,
                simsj,
                simsj as f64 / tj,
                tj / t,
                report == builtin
            );
        }
    }
    let samples: u32 = std::env::var("MARGIN_BENCH_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/fanout.yaml");
    let design = nmgen::spec::load(&path).expect("example loads");
    let bench = Bench::new(&design, Engine::default()).expect("bench builds");
    let mut mc = nmgen::verify::plan::monte_carlo_plan(&design)
        .expect("plan")
        .expect("fanout has a Monte Carlo plan");
    mc.samples = samples;
    let one_by_one = nmgen::analysis::FnEvaluator::new(
        |a: &[(String, f64)]| -> Result<bool, nmgen::engine::EngineError> { bench.passes(a) },
    );
    let mc = SweepPlan::MonteCarlo(mc);
    let batched = nmgen::verify::batch::Batched(&bench);
    let t = Instant::now();
    let report = analysis::run(&mc, &batched, Progress::Hidden).expect("yield runs");
    let seconds = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let alone = analysis::run(&mc, &one_by_one, Progress::Hidden).expect("yield runs");
    let alone_seconds = t.elapsed().as_secs_f64();
    if let analysis::SweepReport::MonteCarlo(y) = &report {
        println!(
            "Monte Carlo yield of examples/fanout.yaml, {samples} samples: {:.2} s batched, \
             {:.2} s point by point, the default ({}/{} pass; same report: {})",
            seconds,
            alone_seconds,
            y.passed,
            y.samples,
            report == alone
        );
    }
    // the example's 17 × 17 shmoo (bias × critical currents): each bias row is a batch
    let shmoo = SweepPlan::Shmoo(
        nmgen::verify::plan::shmoo_plan(&design)
            .expect("plan")
            .expect("fanout has a shmoo"),
    );
    let t = Instant::now();
    let report = analysis::run(&shmoo, &batched, Progress::Hidden).expect("shmoo runs");
    let seconds = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let alone = analysis::run(&shmoo, &one_by_one, Progress::Hidden).expect("shmoo runs");
    let alone_seconds = t.elapsed().as_secs_f64();
    println!(
        "shmoo of examples/fanout.yaml ({} cells): {:.2} s batched, {:.2} s point by point, \
         the default (×{:.2}; same report: {})",
        shmoo.items(),
        seconds,
        alone_seconds,
        alone_seconds / seconds,
        report == alone
    );
}

fn which(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}
