//! Regression cases of the classes the mutation campaign (`mutation.rs`) found after the
//! first round of issue #14: reader internals in messages, map-weights inputs checked in
//! their own files, a crop that wrapped, unlocated simulator errors, operator chains that
//! overflowed the stack, step halving without end, repeated `.print` lines, and LSM
//! simulations whose memory grew with the number of samples.

use crate::robustness::{case, fails, files_in};
use crate::util::nmgen;
use std::path::{Path, PathBuf};

/// The repository's example `rel` with `from` replaced by `to` (once), written as
/// `name` into `dir`.
fn edited(dir: &Path, rel: &str, name: &str, from: &str, to: &str) -> PathBuf {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap();
    assert!(text.contains(from), "{rel} has no `{from}`");
    let path = dir.join(name);
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    path
}

#[test]
fn yaml_reader_messages_are_in_plain_words() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    let build = |spec: &Path, texts: &[&str]| {
        let stderr = fails(&["build", spec.to_str().unwrap(), "-o", out], texts);
        for internal in [
            "DuplicateKeyPolicy",
            "budget breached",
            "untagged enum",
            "Nodes {",
            "Depth {",
        ] {
            assert!(
                !stderr.lines().next().unwrap().contains(internal),
                "{stderr}"
            );
        }
    };
    // a key twice
    let dup = edited(
        dir.path(),
        "examples/pulse_logic.yaml",
        "dup.yaml",
        "  outputs: [q, div]\n",
        "  outputs: [q, div]\n  outputs: [q]\n",
    );
    build(
        &dup,
        &[
            "dup.yaml:8:3",
            "duplicate key `outputs`: each key may appear once in a mapping",
        ],
    );
    // lists nested 65 deep
    let deep = edited(
        dir.path(),
        "examples/pulse_logic.yaml",
        "deep.yaml",
        "    d1: dff",
        &format!("    {}d1{}: dff", "[".repeat(70), "]".repeat(70)),
    );
    build(&deep, &["deep.yaml:", "nested more than 64 levels deep"]);
    // more than 250,000 nodes: one list of 250,001 inputs (0.4 s of CPU; 130,000
    // parameter keys, 260,000 nodes, took 38 s: `NamedMap` compares each key with
    // every earlier one)
    let inputs: Vec<String> = (0..250_001).map(|i| format!("i{i}")).collect();
    let big = format!("name: big\nnetwork:\n  inputs: [{}]\n", inputs.join(", "));
    let nodes = dir.path().join("nodes.yaml");
    std::fs::write(&nodes, big).unwrap();
    build(
        &nodes,
        &[
            "nodes.yaml:",
            "more than 250000 values, keys and list items",
        ],
    );
    // an expected count that is neither a count nor a list of windows
    let expect = edited(
        dir.path(),
        "examples/fanout.yaml",
        "expect.yaml",
        "q0: 1",
        "q0: fanout",
    );
    build(
        &expect,
        &[
            "expect.yaml:",
            "expected a pulse count (e.g. `2`) or a list of count windows",
        ],
    );
}

#[test]
fn lsm_crop_beyond_the_u32_range_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let spec = edited(
        dir.path(),
        "examples/lsm_nmnist.yaml",
        "crop.yaml",
        "crop: { x: 9,",
        "crop: { x: 4294967295,",
    );
    let out = dir.path().join("out");
    fails(
        &["build", spec.to_str().unwrap(), "-o", out.to_str().unwrap()],
        &[
            "crop.yaml:",
            "crop 16x16 at (4294967295, 9) does not fit the 34x34 sensor",
        ],
    );
    assert!(!out.exists());
}

/// `map-weights` of the XOR weights with `from` replaced by `to`; the curve is
/// `curve` (the BOM test curve when `None`). Returns the stderr of the failed run.
fn map_weights_fails(from: &str, to: &str, curve: Option<&Path>, texts: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let weights = edited(dir.path(), "examples/xor_weights.json", "w.json", from, to);
    let out = dir.path().join("mapped.yaml");
    let default_curve = case("synapse_bom.json");
    let stderr = fails(
        &[
            "map-weights",
            weights.to_str().unwrap(),
            "--curve",
            curve.unwrap_or(&default_curve).to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        texts,
    );
    assert!(!out.exists());
    assert!(
        !stderr.contains("mapped.yaml"),
        "points into the output: {stderr}"
    );
    stderr
}

#[test]
fn map_weights_rejects_bad_thresholds_names_and_curves_in_their_files() {
    for th in ["-305", "0", "1e308"] {
        map_weights_fails(
            "[305, 268]",
            &format!("[{th}, 268]"),
            None,
            &[
                "w.json:8:7",
                &format!("threshold {} µA", th.parse::<f64>().unwrap()),
                "above 0 and at most 10000 µA",
            ],
        );
    }
    // a neuron name the spec cannot hold: the error is in the weight file, not in the
    // spec map-weights would have written
    map_weights_fails(
        "\"neurons\": [\"h1\", \"h2\"]",
        "\"neurons\": [\"[[h1]]\", \"h2\"]",
        None,
        &["w.json:7:19", "`[[h1]]` is not a valid neuron name"],
    );
    map_weights_fails(
        "\"inputs\": [\"x1\", \"x2\"]",
        "\"inputs\": [\"x1\", \"x1\"]",
        None,
        &["w.json:", "`x1` is named twice"],
    );
    // a stimulus the spec rejects: told at the weight file's stimulus
    map_weights_fails(
        "\"count\": 30 } },\n    \"x2\"",
        "\"count\": 1000000000 } },\n    \"x2\"",
        None,
        &[
            "w.json:18:",
            "the mapped spec does not build",
            "periodic.count must be at most 100000 pulses",
        ],
    );
    // curves with a zero or negative scale have no inverse
    let dir = tempfile::tempdir().unwrap();
    for scale in ["0", "-3.163"] {
        let curve = edited(
            dir.path(),
            "tests/robustness/synapse_bom.json",
            "curve.json",
            "\"scale\": 3.163",
            &format!("\"scale\": {scale}"),
        );
        map_weights_fails(
            "\"name\"",
            "\"name\"",
            Some(&curve),
            &[
                "curve.json:38:5",
                &format!("the curve's scale is {}", scale.parse::<f64>().unwrap()),
                "must be positive and finite",
            ],
        );
    }
}

#[test]
fn junction_values_out_of_range_are_located_at_the_junction() {
    let dir = tempfile::tempdir().unwrap();
    let netlist = dir.path().join("jj.cir");
    std::fs::write(
        &netlist,
        "* a junction whose critical current overflows\n\
         .model jj1 jj(rtype=1, vg=2.8mV, cap=0.07pF, r0=160, rn=16, icrit=1e308)\n\
         I1 0 1 pwl(0 0 10p 100u)\n\
         B9 1 0 jj1 area=10\n\
         .tran 0.25p 20p\n\
         .end\n",
    )
    .unwrap();
    let out = dir.path().join("out.csv");
    fails(
        &[
            "sim",
            netlist.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        &[
            "jj.cir:4:",
            "junction B9 (model JJ1, area 1e1) has ic = inf; it must be positive and finite",
        ],
    );
    assert!(!out.exists());
}

#[test]
fn a_long_operator_chain_is_a_located_error_not_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let netlist = dir.path().join("chain.cir");
    std::fs::write(
        &netlist,
        format!(
            "* a parameter of 100,000 factors\n.param x=1{}\nR1 1 0 x\nI1 0 1 pwl(0 0 10p 1m)\n.tran 0.25p 20p\n.end\n",
            "*1".repeat(100_000)
        ),
    )
    .unwrap();
    let out = dir.path().join("out.csv");
    fails(
        &[
            "sim",
            netlist.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        &["chain.cir:2:", "expression has more than 1000 operators"],
    );
}

#[test]
fn a_source_that_keeps_halving_the_step_stops_at_the_step_limit() {
    // 10^9 V across a junction: its phase outruns every step; each halving reruns from
    // the start, so the halving is bounded by the step limit, not by a 1e-6 floor
    let dir = tempfile::tempdir().unwrap();
    let netlist = dir.path().join("volts.cir");
    std::fs::write(
        &netlist,
        "* a gigavolt source\n\
         .model jj1 jj(rtype=1, vg=2.8mV, cap=0.07pF, r0=160, rn=16, icrit=0.1mA)\n\
         V1 1 0 pwl(0 1000000000 300p 0)\n\
         R1 1 2 1\n\
         B1 2 0 jj1\n\
         .tran 0.25p 100p\n\
         .end\n",
    )
    .unwrap();
    let out = dir.path().join("out.csv");
    fails(
        &[
            "--max-steps",
            "20000",
            "sim",
            netlist.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        &[
            "the time step was halved",
            "more than the limit of 20000",
            "--max-steps",
        ],
    );
}

#[test]
fn repeated_print_lines_print_one_column() {
    let dir = tempfile::tempdir().unwrap();
    let netlist = dir.path().join("prints.cir");
    let mut text = String::from(
        "* one column asked for 5,000 times\nR1 1 0 1\nI1 0 1 pwl(0 0 10p 1m)\n.tran 0.25p 20p\n",
    );
    text += &".print v(1)\n".repeat(5000);
    text += ".end\n";
    std::fs::write(&netlist, text).unwrap();
    let out = dir.path().join("out.csv");
    let run = nmgen(&[
        "sim",
        netlist.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(
        stderr.matches("is printed already").count(),
        1,
        "one warning: {stderr}"
    );
    let csv = std::fs::read_to_string(&out).unwrap();
    assert_eq!(csv.lines().next().unwrap(), "time,\"V(1)\"");
}

#[test]
fn lsm_sim_streams_the_raster_of_many_samples() {
    // Was: every raster and the whole raster.csv held in memory (~550 kB a sample,
    // 100,000 one-event samples abort). Now the model runs 64 samples at a time and
    // raster.csv streams into its staging file; 65 samples make two batches.
    use sha2::{Digest, Sha256};
    let n = 65;
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("sample,label,t,channel\n");
    for i in 0..n {
        csv += &format!("{i},{},{},{}\n", i % 11, (i * 37) % 5000, i % 64);
    }
    let events = dir.path().join("ev.csv");
    std::fs::write(&events, &csv).unwrap();
    let out = dir.path().join("out");
    let spec = "examples/lsm_tidigits.yaml";
    let run = nmgen(&[
        "sim",
        spec,
        "--events",
        events.to_str().unwrap(),
        "--no-verilator",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    let raster = std::fs::read(out.join("raster.csv")).unwrap();
    let text = std::str::from_utf8(&raster).unwrap();
    assert_eq!(text.lines().count(), 1 + n * 129 * 200);
    let last = text.lines().last().unwrap();
    assert!(last.starts_with(&format!("{},128,199,", n - 1)), "{last}");
    // the manifest lists the streamed file first, with its hash and size
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let first = &manifest["files"][0];
    assert_eq!(first["path"], "raster.csv");
    assert_eq!(first["bytes"], raster.len());
    let sha: String = Sha256::digest(&raster)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(first["sha256"], sha);
    assert!(!files_in(&out).iter().any(|f| f.starts_with(".nmgen-")));
    // the library: streaming gives the bytes `simulate` returns, and keeps no rasters
    let design = nmgen::lsm::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(spec)).unwrap();
    let set = nmgen::lsm::events::read_events(&events, &design).unwrap();
    let settings = nmgen::lsm::SimSettings {
        verilator: false,
        work_dir: dir.path().join("work"),
        flow: Default::default(),
    };
    let mut streamed = Vec::new();
    let report =
        nmgen::lsm::sim::simulate_into(&design, &set, &settings, &mut streamed, false).unwrap();
    assert!(report.rasters.is_empty());
    assert_eq!(report.classes.len(), n);
    assert_eq!(streamed, raster);
    let whole = nmgen::lsm::simulate(&design, &set, &settings).unwrap();
    assert_eq!(whole.artifacts[0].1, raster);
    assert_eq!(whole.rasters.len(), n);
}

#[test]
fn a_streamed_output_leaves_nothing_behind_when_the_command_fails() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // dropped on an error path: its staging file goes with it
    let mut f = nmgen::output::StreamedFile::create(&out, "raster.csv").unwrap();
    f.write_all(b"sample,step\n").unwrap();
    assert_eq!(files_in(&out).len(), 1, "staged while written");
    drop(f);
    assert_eq!(files_in(&out), Vec::<String>::new());
    // a rename that fails (a folder where the file goes): no staging file, no other output
    std::fs::create_dir_all(out.join("raster.csv")).unwrap();
    let mut f = nmgen::output::StreamedFile::create(&out, "raster.csv").unwrap();
    f.write_all(b"sample,step\n").unwrap();
    let e = nmgen::output::write_all_streamed(
        &out,
        Path::new("spec.yaml"),
        &[nmgen::output::Artifact::new("report.json", "{}")],
        vec![f],
    )
    .unwrap_err();
    assert!(e.to_string().contains("raster.csv"), "{e}");
    assert_eq!(files_in(&out), ["raster.csv"]);
    assert!(std::fs::read_dir(out.join("raster.csv"))
        .unwrap()
        .next()
        .is_none());
}

#[test]
fn simulator_errors_name_the_netlist_line_of_their_element_or_node() {
    let dir = tempfile::tempdir().unwrap();
    let sim = |name: &str, text: &str, texts: &[&str]| {
        let netlist = dir.path().join(name);
        std::fs::write(&netlist, text).unwrap();
        let out = dir.path().join("out.csv");
        fails(
            &[
                "sim",
                netlist.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ],
            texts,
        );
        assert!(!out.exists());
    };
    // node 5 is driven by a current source and nothing else
    sim(
        "floating.cir",
        "* a floating node\nR1 1 0 1\nI1 0 1 pwl(0 0 10p 1m)\nI2 0 5 pwl(0 0 10p 1m)\n.tran 0.25p 20p\n.end\n",
        &[
            "floating.cir:4:6",
            "node 5 is undetermined: the circuit matrix is structurally singular",
        ],
    );
    // a resistance the simulator cannot stamp
    sim(
        "resistor.cir",
        "* an infinite resistor\nR1 1 0 1\nR2 2 0 1\nR3 1 2 1e400\nI1 0 1 pwl(0 0 10p 1m)\n.tran 0.25p 20p\n.end\n",
        &["resistor.cir:4:1", "R3: resistance must be finite"],
    );
}
