//! RTL against the bit-accurate model under Verilator: lint, build, run, VCD compare.
//!
//! Verilator builds are cached by source hash in `$TMPDIR/nmgen-lsm-tests`, so each design
//! compiles once. Without Verilator these tests fail when `CI=true` and are skipped (with a
//! message) otherwise.

use std::path::{Path, PathBuf};
use std::process::Command;

use nmgen::lsm::build::verilog_sources;
use nmgen::lsm::rtl::rtl_files;
use nmgen::lsm::sim::compare;
use nmgen::lsm::vcd_read::Observed;
use nmgen::lsm::{load, simulate, synthetic_events, LsmDesign, SimSettings, SyntheticSettings};

fn have_verilator() -> bool {
    let found = Command::new("verilator")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "verilator is required in CI (apt-get install verilator)"
        );
        eprintln!("verilator not installed: skipping");
    }
    found
}

fn example(name: &str) -> LsmDesign {
    load(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name),
    )
    .expect("loads")
}

fn small() -> LsmDesign {
    let text = "name: small
lsm:
  inputs: 16
  neurons: 12
  recurrent_probability: 0.3
  weight_bits: 5
  conductance: { g_min_us: 2.0, g_max_us: 40.0, mean_us: 15.0, sigma_us: 12.0, seed: 3 }
  lif:
    threshold: 1.0
    leak: { shift: 2 }
  time_steps: 20
  adc: { bits: 5, rows_per_cycle: 3 }
  input: { kind: channels, channels: 16 }
  readout: { classes: 3, mac_units: 2 }
";
    nmgen::lsm::load_str(text, Path::new("small.yaml")).expect("loads")
}

fn work_dir() -> PathBuf {
    std::env::temp_dir().join("nmgen-lsm-tests")
}

fn lint_clean(d: &LsmDesign) {
    let dir = tempfile::tempdir().expect("tempdir");
    let log =
        nmgen::lsm::verilator::lint(&rtl_files(d), dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert!(!log.contains("%Warning"), "{log}");
}

#[test]
fn examples_lint_clean_with_wall() {
    if !have_verilator() {
        return;
    }
    lint_clean(&example("lsm_nmnist.yaml"));
    lint_clean(&example("lsm_tidigits.yaml"));
    // Variants: shift leak, no readout, ADC wide enough to never clip, single-device pairs.
    let mut d = example("lsm_tidigits.yaml");
    d.leak = nmgen::lsm::spec::Leak::Shift { shift: 4 };
    d.readout = None;
    d.adc_bits = 12;
    d.frac_bits = 0;
    d.conductance.differential = false;
    lint_clean(&d);
    // Padded row groups (28 rows in groups of 3), clipping ADC, shift leak, readout.
    lint_clean(&small());
    // Degenerate sizes: one neuron, one word line per cycle.
    let mut d = small();
    d.neurons = 1;
    d.inputs = 2;
    d.input = nmgen::lsm::spec::InputMap::Channels { channels: 2 };
    d.rows_per_cycle = 1;
    d.readout = None;
    lint_clean(&d);
    // MLP readouts: blocks in both layers (16 hidden, 10 classes on 6 MAC units), and one
    // block each (3 hidden, 3 classes on 3 units).
    let mut d = example("lsm_digits.yaml");
    let ro = d.readout.as_mut().expect("readout");
    (ro.hidden, ro.mac_units) = (16, 6);
    lint_clean(&d);
    let mut d = small();
    let ro = d.readout.as_mut().expect("readout");
    (ro.hidden, ro.mac_units) = (3, 3);
    lint_clean(&d);
}

#[test]
fn verilog_is_plain_verilog_2005() {
    if !have_verilator() {
        return;
    }
    let Ok(out) = Command::new("iverilog").arg("-V").output() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "iverilog is required in CI"
        );
        return;
    };
    assert!(out.status.success());
    let d = example("lsm_tidigits.yaml");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut names = Vec::new();
    for (n, t) in verilog_sources(&d) {
        std::fs::write(dir.path().join(&n), t).expect("write");
        names.push(n);
    }
    let out = Command::new("iverilog")
        .current_dir(dir.path())
        .args(["-g2005", "-Wall", "-o", "tb.vvp"])
        .args(&names)
        .output()
        .expect("iverilog");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    // Second simulator: run the self-checking testbench of a small design on the build's
    // demo stimulus.
    let d = small();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut names = Vec::new();
    for (n, t) in verilog_sources(&d) {
        std::fs::write(dir.path().join(&n), t).expect("write");
        names.push(n);
    }
    let out = Command::new("iverilog")
        .current_dir(dir.path())
        .args(["-g2005", "-o", "tb.vvp"])
        .args(&names)
        .output()
        .expect("iverilog");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let arts = nmgen::lsm::build(&d).expect("build");
    let mut beats = 0;
    for (p, b) in &arts {
        if p.extension().is_some_and(|e| e == "hex") {
            std::fs::write(dir.path().join(p), b).expect("write");
        }
        if p.ends_with("stim.hex") {
            beats = String::from_utf8_lossy(b).lines().count();
        }
    }
    let out = Command::new("vvp")
        .current_dir(dir.path())
        .args(["-n", "tb.vvp", &format!("+beats={beats}"), "+samples=2"])
        .output()
        .expect("vvp");
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(log.contains("LSM_TB PASS beats=40 samples=2"), "{log}");
}

fn sim_example(name: &str, samples_per_class: u32, classes: u32) {
    let d = example(name);
    let set = synthetic_events(&d, &SyntheticSettings::new(classes, samples_per_class, 42));
    let report = simulate(
        &d,
        &set,
        &SimSettings {
            verilator: true,
            work_dir: work_dir(),
            flow: Default::default(),
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let v = report.verilator.as_ref().expect("verilator ran");
    for m in report.mismatches.iter().take(20) {
        eprintln!("{m}");
    }
    assert!(
        report.mismatches.is_empty(),
        "{} mismatches",
        report.mismatches.len()
    );
    assert!(v.testbench_passed, "{}", v.log);
    assert!(report.rtl_matches());
    assert!(
        report.reservoir_spikes > 0,
        "the reservoir must be active for the check to mean anything"
    );
    assert!(v.cycles > (d.time_steps * d.groups() * set.samples.len()) as u64);
    // The comparison reads the testbench's outputs; no waveform unless asked for.
    assert!(!report
        .artifacts
        .iter()
        .any(|(p, _)| p.ends_with("lsm.vcd") || p.ends_with("lsm.fst")));
    let per_sample = v.trace_bytes / set.samples.len() as u64;
    assert!(
        per_sample > 0 && per_sample < 100_000,
        "{per_sample} bytes per sample"
    );
    assert!(report
        .artifacts
        .iter()
        .any(|(p, _)| p.ends_with("raster.svg")));
}

#[test]
fn nmnist_rtl_matches_model() {
    if !have_verilator() {
        return;
    }
    sim_example("lsm_nmnist.yaml", 1, 3);
}

#[test]
fn tidigits_rtl_matches_model() {
    if !have_verilator() {
        return;
    }
    sim_example("lsm_tidigits.yaml", 1, 2);
}

#[test]
fn mismatches_are_reported_by_neuron_and_step() {
    // The comparison itself, on a tampered observation (no simulator needed).
    let d = example("lsm_tidigits.yaml");
    let set = synthetic_events(&d, &SyntheticSettings::new(1, 1, 3));
    let report = simulate(
        &d,
        &set,
        &SimSettings {
            verilator: false,
            work_dir: work_dir(),
            flow: Default::default(),
        },
    )
    .expect("model");
    let r = &report.rasters[0];
    let mut obs = Observed {
        beats: r.spikes.clone(),
        readback: (0..d.neurons)
            .map(|n| (n, r.final_membrane()[n], r.counts[n] as u64))
            .collect(),
        classes: report.classes.iter().map(|c| c.unwrap_or(0)).collect(),
        scores: report.scores.iter().map(|c| c.unwrap_or(0)).collect(),
        cycles: 0,
    };
    assert!(compare(
        &d,
        &report.rasters,
        &report.classes,
        &report.scores,
        &obs,
        0
    )
    .is_empty());
    obs.beats[17][42] = !obs.beats[17][42];
    obs.readback[5].1 += 1;
    let m = compare(
        &d,
        &report.rasters,
        &report.classes,
        &report.scores,
        &obs,
        0,
    );
    assert_eq!(m.len(), 2);
    assert_eq!(
        (m[0].step, m[0].neuron, m[0].what.as_str()),
        (Some(17), Some(42), "spike")
    );
    assert_eq!((m[1].neuron, m[1].what.as_str()), (Some(5), "membrane"));
    assert!(m[0].to_string().contains("step 17 neuron 42"));
}

#[test]
fn small_design_with_adc_clipping_and_shift_leak_matches() {
    if !have_verilator() {
        return;
    }
    let mut d = small();
    // Non-zero readout weights so the 2 MAC units (2 blocks of classes) decide something.
    let ro = d.readout.as_mut().expect("readout");
    assert_eq!(ro.mac_units, 2);
    let mut t = nmgen::lsm::TrainedReadout::zeros(3, d.neurons);
    for c in 0..3 {
        for n in 0..d.neurons {
            t.weights[c][n] = (((c * 37 + n * 11) % 23) as i8 - 11) * 9;
        }
        t.biases[c] = c as i32 * 5 - 4;
    }
    ro.trained = Some(t.into());
    let set = synthetic_events(&d, &SyntheticSettings::new(3, 2, 8));
    let report = simulate(
        &d,
        &set,
        &SimSettings {
            verilator: true,
            work_dir: work_dir(),
            flow: Default::default(),
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let clips: u64 = report.rasters.iter().map(|r| r.adc_clips).sum();
    assert!(clips > 0, "the ADC must saturate in this design");
    for m in report.mismatches.iter().take(20) {
        eprintln!("{m}");
    }
    assert!(
        report.rtl_matches(),
        "{:?}",
        report.verilator.as_ref().map(|v| &v.log)
    );
    let decided: std::collections::BTreeSet<_> = report.classes.iter().flatten().collect();
    assert!(
        decided.len() > 1,
        "the readout must decide more than one class: {decided:?}"
    );
}

/// The opt-in waveforms: a VCD (read back and compared like the testbench's own outputs,
/// and the same observation), an FST, and the self-clocked `--timing` flow of
/// `run_verilator.sh`, on the small design.
#[test]
fn waveforms_on_request_and_the_timing_flow() {
    use nmgen::lsm::verilator::{Flow, Trace};
    if !have_verilator() {
        return;
    }
    let d = small();
    let set = synthetic_events(&d, &SyntheticSettings::new(3, 1, 8));
    let run = |flow: Flow| {
        let report = simulate(
            &d,
            &set,
            &SimSettings {
                verilator: true,
                work_dir: work_dir(),
                flow,
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            report.rtl_matches(),
            "{flow:?}: {:?}",
            report.verilator.as_ref().map(|v| &v.log)
        );
        report
    };
    let vcd = run(Flow::Harness { trace: Trace::Vcd });
    let (_, bytes) = vcd
        .artifacts
        .iter()
        .find(|(p, _)| p.ends_with("lsm.vcd"))
        .expect("lsm.vcd");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("lsm.vcd");
    std::fs::write(&path, bytes).expect("write");
    let from_vcd = nmgen::lsm::vcd_read::read_vcd(&path, d.membrane_bits).expect("reads");
    assert_eq!(from_vcd.beats.len(), d.time_steps * set.samples.len());
    assert!(compare(&d, &vcd.rasters, &vcd.classes, &vcd.scores, &from_vcd, 0).is_empty());
    // Same spec, same bytes (Verilator's VCD carries no $date).
    let again = run(Flow::Harness { trace: Trace::Vcd });
    assert!(again
        .artifacts
        .iter()
        .any(|(p, b)| p == Path::new("lsm.vcd") && b == bytes));
    let fst = run(Flow::Harness { trace: Trace::Fst });
    let (_, bytes) = fst
        .artifacts
        .iter()
        .find(|(p, _)| p.ends_with("lsm.fst"))
        .expect("lsm.fst");
    assert!(!bytes.is_empty() && bytes.len() < 1_000_000);
    let timing = run(Flow::Timing);
    assert!(timing.artifacts.iter().any(|(p, _)| p.ends_with("lsm.vcd")));
}

/// Two `nmgen sim` processes building the same testbench at once into one cache: both
/// pass, one build ends up in the cache (renamed into place whole), no staging folder is
/// left behind, and a third run from another output folder reuses it.
#[test]
fn concurrent_sims_share_one_cache_safely() {
    if !have_verilator() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("small.yaml");
    let text = "name: small
lsm:
  inputs: 16
  neurons: 12
  recurrent_probability: 0.3
  weight_bits: 5
  conductance: { g_min_us: 2.0, g_max_us: 40.0, mean_us: 15.0, sigma_us: 12.0, seed: 11 }
  lif:
    threshold: 1.0
    leak: { shift: 2 }
  time_steps: 20
  adc: { bits: 5, rows_per_cycle: 3 }
  input: { kind: channels, channels: 16 }
";
    std::fs::write(&spec, text).expect("write");
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).expect("mkdir");
    let sim = |out: &str| {
        Command::new(env!("CARGO_BIN_EXE_nmgen"))
            .args(["sim", spec.to_str().unwrap(), "-o"])
            .arg(dir.path().join(out))
            .env("TMPDIR", &tmp)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn")
    };
    let (a, b) = (sim("a"), sim("b"));
    for child in [a, b] {
        let o = child.wait_with_output().expect("waits");
        assert!(
            o.status.success(),
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let cache = tmp.join("nmgen-verilator");
    let names = |prefix: &str| {
        std::fs::read_dir(&cache)
            .expect("cache")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
            .count()
    };
    assert_eq!(names("build-"), 1);
    assert_eq!(names("staging-"), 0);
    let o = Command::new(env!("CARGO_BIN_EXE_nmgen"))
        .args(["sim", spec.to_str().unwrap(), "-o"])
        .arg(dir.path().join("c"))
        .env("TMPDIR", &tmp)
        .output()
        .expect("runs");
    assert!(o.status.success());
    let report: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("c/sim_report.json")).expect("report"),
    )
    .expect("json");
    assert_eq!(report["verilator"]["build_cached"], true);
    assert_eq!(report["mismatches"].as_array().map(Vec::len), Some(0));
}
