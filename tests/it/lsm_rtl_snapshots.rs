//! Snapshots (insta) of the emitted Verilog, so any change to the generated RTL shows in
//! review: a small design with every optional part (clipping ADC, shift leak, padded row
//! groups, readout scored in two blocks by two MAC units), one with none of them
//! (multiply leak, ADC that cannot clip, no readout), and one with an MLP readout.

use std::path::Path;

use nmgen::lsm::build::verilog_sources;
use nmgen::lsm::{load_str, LsmDesign};

fn design(text: &str) -> LsmDesign {
    load_str(text, Path::new("snap.yaml")).expect("loads")
}

/// Every Verilog file of the design, each under a `// ==== name ====` line.
fn verilog(d: &LsmDesign) -> String {
    verilog_sources(d)
        .iter()
        .map(|(n, t)| format!("// ==== {n} ====\n{t}"))
        .collect()
}

const FULL: &str = "name: snap_full
lsm:
  inputs: 5
  neurons: 4
  recurrent_probability: 0.5
  weight_bits: 5
  conductance: { g_min_us: 2.0, g_max_us: 40.0, mean_us: 30.0, sigma_us: 12.0, seed: 3 }
  lif:
    threshold: 1.0
    leak: { shift: 2 }
  time_steps: 6
  adc: { bits: 4, rows_per_cycle: 4 }
  input: { kind: channels, channels: 5 }
  readout: { classes: 3, mac_units: 2 }
";

const BARE: &str = "name: snap_bare
lsm:
  inputs: 4
  neurons: 4
  recurrent_probability: 0.2
  weight_bits: 3
  conductance: { g_min_us: 2.0, g_max_us: 40.0, mean_us: 15.0, sigma_us: 5.0, seed: 7 }
  lif:
    threshold: 2.0
    leak: { multiply: 0.9 }
  time_steps: 5
  adc: { bits: 8, rows_per_cycle: 2 }
  input: { kind: channels, channels: 4 }
";

#[test]
fn verilog_of_a_small_design_with_every_optional_part() {
    let d = design(FULL);
    let text = verilog(&d);
    // The snapshot covers what it claims: saturation logic, the block select of the
    // readout, padding of the last row group.
    assert!(text.contains("saturating at the rails") && text.contains("in_range ? p["));
    assert!(text.contains("input  wire [0:0] blk,"));
    assert!(text.contains("{3'd0, s_prev, x}"));
    insta::assert_snapshot!(text);
}

#[test]
fn verilog_of_a_small_design_without_optional_parts() {
    let d = design(BARE);
    let text = verilog(&d);
    assert!(text.contains("it cannot clip"));
    assert!(!text.contains("lsm_readout"));
    insta::assert_snapshot!(text);
}

#[test]
fn verilog_of_a_small_design_with_an_mlp_readout() {
    // 5 hidden neurons and 3 classes on 2 MAC units: 3 blocks in layer 1, 2 in layer 2.
    let d = design(&FULL.replace(
        "readout: { classes: 3, mac_units: 2 }",
        "readout: { classes: 3, mac_units: 2, hidden: 5 }",
    ));
    let text = verilog(&d);
    assert!(text.contains("S_MAC2 = 3'd7"));
    assert!(text.contains("input  wire [1:0] hblk,") && text.contains("input  wire [0:0] blk,"));
    assert!(text.contains("readout_shift.hex"));
    insta::assert_snapshot!(text);
}
