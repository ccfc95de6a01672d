//! Regression cases from the mutation campaign of issue #14: inputs that panicked,
//! aborted, hung, gave unclear messages or overwrote an input. Each must now give a
//! clear error with exit status 2 (or, where the input is legal, run normally), never
//! a panic.

use crate::util::nmgen;
use std::path::{Path, PathBuf};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/robustness");

pub(crate) fn case(name: &str) -> PathBuf {
    Path::new(DIR).join(name)
}

/// Runs `args`, expects exit 2 with every `texts` in stderr and no panic; returns stderr.
pub(crate) fn fails(args: &[&str], texts: &[&str]) -> String {
    let run = nmgen(args);
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert_eq!(run.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    for t in texts {
        assert!(stderr.contains(t), "{args:?}: expected `{t}` in: {stderr}");
    }
    stderr
}

fn sim_netlist(name: &str, texts: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let stderr = fails(
        &[
            "sim",
            case(name).to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        texts,
    );
    assert!(!out.exists(), "{name}: output written despite the error");
    stderr
}

fn check_spec(name: &str, texts: &[&str]) -> String {
    fails(&["check", case(name).to_str().unwrap()], texts)
}

#[test]
fn subcircuit_instantiating_itself_twice_is_reported_not_a_panic() {
    sim_netlist(
        "self_instance_twice.cir",
        &[
            "self_instance_twice.cir:4:4",
            "subcircuit instantiates itself: LOOP -> LOOP",
        ],
    );
}

#[test]
fn exponential_nesting_hits_the_element_limit_before_allocating() {
    sim_netlist(
        "exponential_nesting.cir",
        &[
            "exponential_nesting.cir:165:1",
            "more than 10000000 elements",
            "X1 S40 1 2",
        ],
    );
}

#[test]
fn deeply_nested_expression_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep.cir");
    let depth = 12_000;
    let text = format!(
        "* nested parentheses\n.param x={}1{}\nR1 1 0 x\nI1 0 1 pwl(0 0 10p 1m)\n.tran 0.25p 20p\n.end\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    std::fs::write(&path, text).unwrap();
    let out = dir.path().join("out.csv");
    let stderr = fails(
        &["sim", path.to_str().unwrap(), "-o", out.to_str().unwrap()],
        &["deep.cir:2:", "expression nested more than 256 levels deep"],
    );
    // the message quotes a short head of the expression, not all 24 000 characters
    let first = stderr.lines().next().unwrap();
    assert!(first.len() < 400, "{first}");
    // 200 levels are fine
    let text = format!(
        "* nested parentheses\n.param x={}1{}\nR1 1 0 x\nI1 0 1 pwl(0 0 10p 1m)\n.tran 0.25p 20p\n.end\n",
        "(".repeat(200),
        ")".repeat(200)
    );
    std::fs::write(&path, text).unwrap();
    let run = nmgen(&["sim", path.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{:?}", run);
}

#[test]
fn tline_delay_beyond_tstop_runs_and_delivers_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let run = nmgen(&[
        "sim",
        case("tline_long_delay.cir").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    let text = std::fs::read_to_string(&out).unwrap();
    let mut rows = 0;
    for line in text.lines().skip(1) {
        let v: f64 = line.split(',').nth(1).unwrap().trim().parse().unwrap();
        assert_eq!(v, 0.0, "the far end saw a signal before the delay: {line}");
        rows += 1;
    }
    assert!(rows > 10, "{text}");
}

#[test]
fn tran_far_too_long_is_a_located_error_and_max_steps_raises_the_limit() {
    sim_netlist(
        "long_tran.cir",
        &[
            "long_tran.cir:4:13",
            "4.000e15 time steps, more than the limit of 10000000",
            "--max-steps",
        ],
    );
    // the flag lowers and raises it: 20 ps at 0.25 ps is 80 steps
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let (input, output) = (case("bom.cir"), out.to_str().unwrap().to_string());
    fails(
        &[
            "--max-steps",
            "50",
            "sim",
            input.to_str().unwrap(),
            "-o",
            &output,
        ],
        &["bom.cir:4:13", "80 time steps, more than the limit of 50"],
    );
    let run = nmgen(&[
        "sim",
        input.to_str().unwrap(),
        "-o",
        &output,
        "--max-steps",
        "100",
    ]);
    assert_eq!(run.status.code(), Some(0), "{run:?}");
}

#[test]
fn negative_temperature_is_a_located_error_not_a_singular_matrix() {
    let stderr = sim_netlist(
        "negative_temp.cir",
        &[
            "negative_temp.cir:4:7",
            ".temp is in kelvin and must be >= 0, got -5",
        ],
    );
    assert!(!stderr.contains("singular"), "{stderr}");
}

#[test]
fn huge_periodic_count_and_noise_seeds_are_range_errors() {
    check_spec(
        "periodic_count.yaml",
        &[
            "periodic_count.yaml:7:55",
            "periodic.count must be at most 100000 pulses, got 1000000000",
        ],
    );
    check_spec(
        "noise_seeds.yaml",
        &[
            "noise_seeds.yaml:8:35",
            "noise.seeds must be at most 10000, got 1000000000",
        ],
    );
}

#[test]
fn too_fine_margin_resolution_is_a_range_error() {
    for cmd in ["check", "margins"] {
        fails(
            &[cmd, case("margin_resolution.yaml").to_str().unwrap()],
            &[
                "margin_resolution.yaml:16:15",
                "the resolution must be between 1e-6 and 50 %",
            ],
        );
    }
}

#[test]
fn check_window_of_one_second_is_reported_with_its_unit() {
    check_spec(
        "window_seconds.yaml",
        &[
            "window_seconds.yaml:10:15",
            "ends beyond the longest run",
            "a bare number is in seconds",
        ],
    );
}

#[test]
fn lsm_sample_shorter_than_a_microsecond_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    fails(
        &[
            "sim",
            case("lsm_short_sample.yaml").to_str().unwrap(),
            "--no-verilator",
            "-o",
            dir.path().join("out").to_str().unwrap(),
        ],
        &[
            "lsm_short_sample.yaml:26:14",
            "input.step_us × lsm.time_steps = 0.129 µs",
        ],
    );
}

#[test]
fn solver_error_is_not_repeated() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = fails(
        &[
            "sim",
            case("singular.yaml").to_str().unwrap(),
            "-o",
            dir.path().join("out").to_str().unwrap(),
        ],
        &["numerically singular"],
    );
    assert_eq!(
        stderr.matches("numerically singular").count(),
        1,
        "{stderr}"
    );
}

#[test]
fn write_error_is_not_repeated() {
    // the output folder is a file: creating it fails once, and says so once
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, "").unwrap();
    let out = blocker.join("out.csv");
    let stderr = fails(
        &[
            "sim",
            case("bom.cir").to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        &["cannot write"],
    );
    let line = stderr.lines().next().unwrap();
    let parts: Vec<&str> = line.split(": ").collect();
    let mut dedup = parts.clone();
    dedup.dedup();
    assert_eq!(parts, dedup, "a cause repeated: {line}");
}

#[test]
fn byte_order_mark_is_accepted_in_netlists_json_and_event_csv() {
    let dir = tempfile::tempdir().unwrap();
    // netlist: same waveform as without the mark
    let with = dir.path().join("with.csv");
    let run = nmgen(&[
        "sim",
        case("bom.cir").to_str().unwrap(),
        "-o",
        with.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    let plain = dir.path().join("plain.cir");
    let text = std::fs::read_to_string(case("bom.cir")).unwrap();
    assert!(text.starts_with('\u{feff}'));
    std::fs::write(&plain, text.trim_start_matches('\u{feff}')).unwrap();
    let without = dir.path().join("without.csv");
    let run = nmgen(&[
        "sim",
        plain.to_str().unwrap(),
        "-o",
        without.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    assert_eq!(
        std::fs::read(&with).unwrap(),
        std::fs::read(&without).unwrap()
    );
    // JSON: a weight file and a synapse curve, both with the mark
    let weights = dir.path().join("weights.json");
    let w = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/xor_weights.json"),
    )
    .unwrap();
    std::fs::write(&weights, format!("\u{feff}{w}")).unwrap();
    let mapped = dir.path().join("mapped.yaml");
    let run = nmgen(&[
        "map-weights",
        weights.to_str().unwrap(),
        "--curve",
        case("synapse_bom.json").to_str().unwrap(),
        "-o",
        mapped.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    assert!(mapped.exists());
    // event CSV
    let design =
        nmgen::lsm::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/lsm_tidigits.yaml"))
            .unwrap();
    let csv = dir.path().join("ev.csv");
    std::fs::write(&csv, "\u{feff}t,channel\n0,3\n500,7\n").unwrap();
    let set = nmgen::lsm::events::read_events(&csv, &design).expect("a BOM is skipped");
    assert_eq!(set.samples.len(), 1);
    assert_eq!(set.samples[0].events.len(), 2);
}

#[test]
fn no_command_writes_over_its_own_input() {
    let dir = tempfile::tempdir().unwrap();
    // sim X.cir -o X.cir, also spelled differently (./X.cir)
    let netlist = dir.path().join("x.cir");
    std::fs::copy(case("bom.cir"), &netlist).unwrap();
    let before = std::fs::read(&netlist).unwrap();
    for out in [
        netlist.to_str().unwrap().to_string(),
        dir.path()
            .join(".")
            .join("x.cir")
            .to_str()
            .unwrap()
            .to_string(),
    ] {
        fails(
            &["sim", netlist.to_str().unwrap(), "-o", &out],
            &["it is one of this command's inputs"],
        );
        assert_eq!(std::fs::read(&netlist).unwrap(), before);
    }
    // map-weights W.json ... -o W.json
    let weights = dir.path().join("w.json");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/xor_weights.json"),
        &weights,
    )
    .unwrap();
    let before = std::fs::read(&weights).unwrap();
    fails(
        &[
            "map-weights",
            weights.to_str().unwrap(),
            "--curve",
            case("synapse_bom.json").to_str().unwrap(),
            "-o",
            weights.to_str().unwrap(),
        ],
        &["it is one of this command's inputs"],
    );
    assert_eq!(std::fs::read(&weights).unwrap(), before);
}

#[test]
fn synthetic_events_survive_a_sample_shorter_than_a_microsecond() {
    // the spec check rejects this; the generator must not panic on it either
    let mut design =
        nmgen::lsm::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/lsm_tidigits.yaml"))
            .unwrap();
    design.step_us = Some(0.001);
    let set = nmgen::lsm::synthetic_events(&design, &nmgen::lsm::SyntheticSettings::new(2, 1, 7));
    assert_eq!(set.samples.len(), 2);
    // background events at t = 0, bursts within their 50 µs jitter
    assert!(set
        .samples
        .iter()
        .all(|s| s.events.iter().all(|e| e.t_us() < 51)));
}

#[test]
fn very_deep_subcircuit_nesting_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep_nesting.cir");
    let mut text = String::from("* 2000 levels of nesting\n.subckt S0 a b\nR1 a b 1\n.ends S0\n");
    for i in 1..=2000 {
        text += &format!(".subckt S{i} a b\nX1 S{} a b\n.ends S{i}\n", i - 1);
    }
    text += "X1 S2000 1 0\nI1 0 1 pwl(0 0 10p 1m)\n.tran 0.25p 20p\n.end\n";
    std::fs::write(&path, text).unwrap();
    let out = dir.path().join("out.csv");
    fails(
        &["sim", path.to_str().unwrap(), "-o", out.to_str().unwrap()],
        &["deep_nesting.cir:", "nested more than 256 levels deep"],
    );
}

#[test]
fn stimulus_or_stop_time_in_bare_seconds_is_a_located_error() {
    check_spec(
        "pulse_seconds.yaml",
        &[
            "pulse_seconds.yaml:7:6",
            "stimulus of `a` lasts too long",
            "a bare number is in seconds",
        ],
    );
    check_spec(
        "tstop_seconds.yaml",
        &["tstop_seconds.yaml:3:10", "stop time: 1e0 s", "--max-steps"],
    );
}

/// Every file in `dir` (names), hidden staging files included.
pub(crate) fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn a_design_name_too_long_for_a_file_name_is_a_clear_error_without_leftovers() {
    let dir = tempfile::tempdir().unwrap();
    let name = "a".repeat(252);
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/fanout.yaml"))
            .unwrap()
            .replacen("name: fanout", &format!("name: {name}"), 1);
    let spec = dir.path().join("long.yaml");
    std::fs::write(&spec, text).unwrap();
    let out = dir.path().join("out");
    let stderr = fails(
        &["build", spec.to_str().unwrap(), "-o", out.to_str().unwrap()],
        &[
            "file names are at most 255 bytes",
            "shorten the name it is made from (the design's `name:`)",
            &format!("`{}…` (256 bytes)", &name[..40]),
        ],
    );
    assert!(stderr.len() < 400, "the message repeats the name: {stderr}");
    assert_eq!(files_in(&out), Vec::<String>::new(), "left in OUT");
}

#[test]
fn a_build_failing_on_its_last_file_leaves_no_partial_output() {
    // The manifest is written last; a folder in its place makes that rename fail.
    for example in ["examples/lsm_tidigits.yaml", "examples/fanout.yaml"] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir_all(out.join("manifest.json")).unwrap();
        fails(
            &["build", example, "-o", out.to_str().unwrap()],
            &["manifest.json", "Is a directory"],
        );
        assert_eq!(
            files_in(&out),
            ["manifest.json"],
            "{example}: partial output"
        );
        // and the same build into a clean folder writes every file
        let clean = dir.path().join("clean");
        let run = nmgen(&["build", example, "-o", clean.to_str().unwrap()]);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(
            files_in(&clean).len() > 2,
            "{example}: {:?}",
            files_in(&clean)
        );
        assert!(!files_in(&clean).iter().any(|f| f.starts_with(".nmgen-")));
    }
}

#[test]
fn sim_into_an_existing_folder_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("existing");
    std::fs::create_dir(&out).unwrap();
    fails(
        &["sim", "examples/xor_hand.cir", "-o", out.to_str().unwrap()],
        &["Is a directory"],
    );
    assert_eq!(files_in(&out), Vec::<String>::new());
    assert_eq!(
        files_in(dir.path()),
        ["existing"],
        "staging file left next to it"
    );
}

#[test]
fn one_input_fanning_out_to_4000_targets_builds() {
    // Was cubic (a name scan per inserted splitter): 1,000 → 3 s, 4,000 → minutes.
    // The time is measured by benches/fanout_build.rs; here the tree must be right.
    let n = 4000;
    let dir = tempfile::tempdir().unwrap();
    let outputs: Vec<String> = (0..n).map(|i| format!("q{i}")).collect();
    let mut spec = format!(
        "name: fan\nnetwork:\n  inputs: [a]\n  outputs: [{}]\n  connections:\n",
        outputs.join(", ")
    );
    for o in &outputs {
        spec.push_str(&format!("    - a -> {o}\n"));
    }
    spec.push_str("stimulus:\n  a: { times: [50ps] }\n");
    let path = dir.path().join("fan.yaml");
    std::fs::write(&path, spec).unwrap();
    let out = dir.path().join("out");
    let run = nmgen(&["build", path.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let netlist = std::fs::read_to_string(out.join("fan.cir")).unwrap();
    // k − 1 splitters for k targets, with distinct names
    let splitters: std::collections::BTreeSet<&str> = netlist
        .lines()
        .filter(|l| l.starts_with('X') && l.split_whitespace().nth(1) == Some("NMG_SPLIT"))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        splitters.len(),
        n - 1,
        "{}",
        &netlist[..netlist.len().min(2000)]
    );
    let cost: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("fan.cost.json")).unwrap()).unwrap();
    let kinds = cost["kinds"].as_array().unwrap();
    let splitter = kinds.iter().find(|k| k["cell"] == "splitter").unwrap();
    assert_eq!(splitter["instances"], n - 1);
    assert_eq!(splitter["role"], "network");
    let sinks = kinds
        .iter()
        .filter(|k| k["role"] == "io")
        .map(|k| k["instances"].as_u64().unwrap())
        .sum::<u64>();
    assert!(sinks >= 2 * n as u64, "{kinds:?}");
}
