//! LSM benchmark (bench binary): Verilator build time, Verilator run time per sample
//! (with VCD tracing) and the bit-accurate model's throughput in synaptic events per
//! second, for both example specs.
//!
//! `cargo bench --bench lsm` (set `LSM_BENCH_SAMPLES` to change the sample count).

use std::path::Path;
use std::time::Instant;

use nmgen::lsm::events::bin_events;
use nmgen::lsm::{
    draw_weights, load, run_sample, simulate, synthetic_events, SimSettings, SyntheticSettings,
};

fn main() {
    let samples: u32 = std::env::var("LSM_BENCH_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let have_verilator = std::process::Command::new("verilator")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    for name in ["lsm_nmnist.yaml", "lsm_tidigits.yaml"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name);
        let d = match load(&path) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        };
        let w = draw_weights(&d);
        let set = synthetic_events(&d, &SyntheticSettings::new(samples, 1, 1234));
        let trains: Vec<_> = set.samples.iter().map(|s| bin_events(&d, s)).collect();
        // Model: best of 5 passes over all samples.
        let mut best = f64::INFINITY;
        let mut events = 0u64;
        for _ in 0..5 {
            let t = Instant::now();
            events = trains
                .iter()
                .map(|tr| run_sample(&d, &w, tr).synaptic_events)
                .sum();
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!(
            "{}: model {:.3} ms/sample, {:.1} M synaptic events/s ({} events over {} samples of {} steps)",
            d.name,
            1e3 * best / trains.len() as f64,
            events as f64 / best / 1e6,
            events,
            trains.len(),
            d.time_steps
        );
        if !have_verilator {
            println!("{}: verilator not installed, RTL figures skipped", d.name);
            continue;
        }
        let work = match tempfile::tempdir() {
            Ok(t) => t,
            Err(e) => {
                eprintln!("tempdir: {e}");
                std::process::exit(1);
            }
        };
        let settings = SimSettings {
            verilator: true,
            work_dir: work.path().to_path_buf(),
        };
        let t = Instant::now();
        let first = simulate(&d, &set, &settings);
        let total = t.elapsed().as_secs_f64();
        match first {
            Ok(r) => {
                let v = r.verilator.as_ref().map_or((0.0, 0.0, 0), |v| {
                    (v.build_seconds, v.run_seconds, v.cycles)
                });
                let again = simulate(&d, &set, &settings);
                let run2 = again
                    .ok()
                    .and_then(|r| r.verilator.map(|v| v.run_seconds))
                    .unwrap_or(v.1);
                let run = v.1.min(run2);
                println!(
                    "{}: verilator build {:.1} s (total first sim {:.1} s), run {:.1} ms/sample with VCD ({} cycles, {:.2} M cycles/s), match: {}",
                    d.name,
                    v.0,
                    total,
                    1e3 * run / trains.len() as f64,
                    v.2,
                    v.2 as f64 / run / 1e6,
                    r.rtl_matches()
                );
            }
            Err(e) => {
                eprintln!("{}: {e}", d.name);
                std::process::exit(1);
            }
        }
    }
}
