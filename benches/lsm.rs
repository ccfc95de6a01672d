//! LSM benchmark (bench binary), before and after in the same run:
//!
//! 1. the bit-accurate model's throughput in synaptic events per second, single thread, on
//!    the rate-coded UCI digits (`examples/lsm_digits.yaml`) and the synthetic sets of both
//!    examples: the reference transcription (`lsm::reference_model`, the model as it was)
//!    against the model `nmgen sim` runs;
//! 2. with Verilator: `simulate` of the 8 synthetic N-MNIST samples of a plain
//!    `nmgen sim examples/lsm_nmnist.yaml`, cold (empty build cache), with the former flow
//!    (`--binary --timing --trace`, C++ at -O0, the outputs read back from the full VCD)
//!    and the new one (C++ harness, no `--timing`, no tracing, outputs read back from the
//!    testbench's `lsm_out.txt`), then the opt-in FST;
//! 3. a cold `nmgen sim` (the release binary, empty cache) of the first 540 rate-coded digits.
//!
//! `cargo bench --bench lsm` (`LSM_BENCH_SAMPLES` sets the synthetic samples per class of
//! part 1, default 10; `LSM_BENCH_SIM_SAMPLES` the samples of part 3, default 540).

use std::path::{Path, PathBuf};
use std::time::Instant;

use nmgen::lsm::events::{bin_events, EventSet, SpikeTrain};
use nmgen::lsm::images::{images_to_events, ImageCoding, ImageEvents};
use nmgen::lsm::verilator::{Flow, Trace};
use nmgen::lsm::weights::Weights;
use nmgen::lsm::{
    draw_weights, load, reference_model, run_sample, simulate, synthetic_events, LsmDesign,
    SimSettings, SyntheticSettings,
};

fn fail(m: impl std::fmt::Display) -> ! {
    eprintln!("{m}");
    std::process::exit(1)
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example(name: &str) -> LsmDesign {
    load(&root().join("examples").join(name)).unwrap_or_else(|e| fail(e))
}

/// The first `n` UCI digits, rate coded as in docs/lsm.md (20 steps of 1 ms, rate 0.5, seed 1).
fn digits(n: usize) -> EventSet {
    let data = nmgen::dataset::read(&root().join("data/digits.csv")).unwrap_or_else(|e| fail(e));
    let coding = ImageEvents {
        width: 8,
        steps: 20,
        step_us: 1000,
        coding: ImageCoding::Rate { max_rate: 0.5 },
        seed: 1,
    };
    let mut set = images_to_events(&data, &coding).unwrap_or_else(|e| fail(e));
    set.samples.truncate(n);
    set
}

/// Best of 5 passes of `run` over every train: (seconds, synaptic events).
fn best_of_5(
    d: &LsmDesign,
    w: &Weights,
    trains: &[SpikeTrain],
    run: fn(&LsmDesign, &Weights, &SpikeTrain) -> nmgen::lsm::Raster,
) -> (f64, u64) {
    let mut best = f64::INFINITY;
    let mut events = 0;
    for _ in 0..5 {
        let t = Instant::now();
        events = trains.iter().map(|tr| run(d, w, tr).synaptic_events).sum();
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, events)
}

fn model_throughput(label: &str, d: &LsmDesign, set: &EventSet) {
    let w = draw_weights(d);
    let trains: Vec<SpikeTrain> = set.samples.iter().map(|s| bin_events(d, s)).collect();
    let (before, events) = best_of_5(d, &w, &trains, reference_model::run_sample);
    let (after, _) = best_of_5(d, &w, &trains, run_sample);
    let rate = |s: f64| events as f64 / s / 1e9;
    println!(
        "model {label}: {} samples, {events} synaptic events; reference {:.3} ms/sample \
         {:.2}·10⁹ events/s; model {:.3} ms/sample {:.2}·10⁹ events/s ({:.1}× faster)",
        trains.len(),
        1e3 * before / trains.len() as f64,
        rate(before),
        1e3 * after / trains.len() as f64,
        rate(after),
        before / after
    );
}

/// One `simulate` with `flow` in `work` (a fresh directory: a cold build).
fn cold_sim(label: &str, d: &LsmDesign, set: &EventSet, flow: Flow, work: &Path) -> (f64, f64) {
    let settings = SimSettings {
        verilator: true,
        work_dir: work.to_path_buf(),
        flow,
    };
    let t = Instant::now();
    let r = simulate(d, set, &settings).unwrap_or_else(|e| fail(e));
    let total = t.elapsed().as_secs_f64();
    let v = r
        .verilator
        .as_ref()
        .unwrap_or_else(|| fail("no verilator run"));
    let n = set.samples.len() as f64;
    println!(
        "verilator {label}: simulate {total:.1} s (build {:.1} s{}), run {:.1} ms/sample, \
         testbench output {:.0} kB/sample, RTL ≡ model: {}",
        v.build_seconds,
        match (v.build_cached, v.runtime_cached) {
            (true, _) => ", cached",
            (false, true) => ", Verilator runtime objects cached",
            (false, false) => ", empty cache",
        },
        1e3 * v.run_seconds / n,
        v.trace_bytes as f64 / n / 1e3,
        r.rtl_matches()
    );
    if !r.rtl_matches() {
        fail(format!("{label}: RTL and model disagree"));
    }
    (total, v.build_seconds)
}

/// A cold `nmgen sim` of the first `n` digits through the release binary.
fn cli_sim(n: usize) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| fail(e));
    let events = dir.path().join("digits_events.csv");
    std::fs::write(&events, nmgen::lsm::events::write_csv(&digits(n))).unwrap_or_else(|e| fail(e));
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap_or_else(|e| fail(e));
    let out = dir.path().join("out");
    let t = Instant::now();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_nmgen"))
        .arg("sim")
        .arg(root().join("examples/lsm_digits.yaml"))
        .arg("--events")
        .arg(&events)
        .arg("-o")
        .arg(&out)
        .env("TMPDIR", &tmp)
        .output()
        .unwrap_or_else(|e| fail(e));
    let wall = t.elapsed().as_secs_f64();
    let log = String::from_utf8_lossy(&o.stdout);
    if !o.status.success() || !log.contains("PASS") {
        fail(format!(
            "nmgen sim failed: {log}{}",
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    let size: u64 = std::fs::read_dir(&out)
        .map(|it| {
            it.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0);
    println!(
        "nmgen sim lsm_digits, {n} samples, cold cache: {wall:.1} s wall, RTL ≡ model (PASS), \
         output folder {:.1} MB",
        size as f64 / 1e6
    );
}

fn main() {
    let env = |k: &str, default: usize| {
        std::env::var(k)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let per_class = env("LSM_BENCH_SAMPLES", 10) as u32;
    let sim_samples = env("LSM_BENCH_SIM_SAMPLES", 540);
    let digits_design = example("lsm_digits.yaml");
    model_throughput(
        "lsm_digits (1,797 rate-coded digits)",
        &digits_design,
        &digits(1797),
    );
    for name in ["lsm_nmnist.yaml", "lsm_tidigits.yaml"] {
        let d = example(name);
        let set = synthetic_events(&d, &SyntheticSettings::new(per_class, 1, 1234));
        model_throughput(&format!("{} (synthetic)", d.name), &d, &set);
    }
    let have_verilator = std::process::Command::new("verilator")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_verilator {
        println!("verilator not installed: RTL figures skipped");
        return;
    }
    // The set of a plain `nmgen sim examples/lsm_nmnist.yaml`: 4 classes × 2, seed 1.
    let d = example("lsm_nmnist.yaml");
    let set = synthetic_events(&d, &SyntheticSettings::new(4, 2, 1));
    let fresh = || tempfile::tempdir().unwrap_or_else(|e| fail(e));
    let old_work = fresh();
    let (old_total, old_build) = cold_sim(
        "lsm_nmnist, former flow (--timing --trace, VCD)",
        &d,
        &set,
        Flow::Timing,
        old_work.path(),
    );
    let new_work = fresh();
    let (new_total, new_build) = cold_sim(
        "lsm_nmnist, harness, no trace",
        &d,
        &set,
        Flow::default(),
        new_work.path(),
    );
    println!(
        "lsm_nmnist, empty cache: cold build {:.1}× faster, cold simulate {:.1}× faster",
        old_build / new_build,
        old_total / new_total
    );
    // Another design in the same cache: only its own model is compiled.
    let t = example("lsm_tidigits.yaml");
    let tset = synthetic_events(&t, &SyntheticSettings::new(4, 2, 1));
    let (_, other_build) = cold_sim(
        "lsm_tidigits, harness, no trace",
        &t,
        &tset,
        Flow::default(),
        new_work.path(),
    );
    println!(
        "lsm_tidigits, runtime cached: build {:.1}× faster than lsm_nmnist's former cold build",
        old_build / other_build
    );
    let (_, again) = cold_sim(
        "lsm_nmnist again (another output folder, same cache)",
        &d,
        &set,
        Flow::default(),
        new_work.path(),
    );
    assert!(again == 0.0, "the build must come from the cache");
    cold_sim(
        "lsm_nmnist, harness, opt-in FST",
        &d,
        &set,
        Flow::Harness { trace: Trace::Fst },
        fresh().path(),
    );
    if sim_samples > 0 && Path::new(env!("CARGO_BIN_EXE_nmgen")).exists() {
        cli_sim(sim_samples);
    }
}
