//! LSM spec loading: the examples load, bad specs give located errors.

use std::path::Path;

use nmgen::lsm::spec::{InputMap, Leak};
use nmgen::lsm::{load, load_str};

fn examples(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

const GOOD: &str = "name: tiny
lsm:
  inputs: 16
  neurons: 24
  recurrent_probability: 0.2
  weight_bits: 4
  conductance:
    g_min_us: 2.0
    g_max_us: 40.0
    mean_us: 15.0
    sigma_us: 12.0
    sparsity: 0.3
    seed: 7
  lif:
    threshold: 2.0
    leak: { shift: 3 }
  time_steps: 12
  adc:
    bits: 5
    rows_per_cycle: 4
  input:
    kind: channels
    channels: 16
";

fn bad(text: &str) -> nmgen::diagnostic::SourceError {
    match load_str(text, Path::new("bad.yaml")) {
        Ok(_) => panic!("spec should be rejected:\n{text}"),
        Err(e) => e,
    }
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{needle} not in text"))
}

#[test]
fn nmnist_example_is_the_paper_configuration() {
    let d = load(&examples("lsm_nmnist.yaml")).expect("loads");
    assert_eq!(d.inputs, 256);
    assert_eq!(d.neurons, 200);
    assert_eq!(d.time_steps, 50);
    assert_eq!(d.threshold, 5.0);
    match d.leak {
        Leak::Multiply {
            factor,
            code,
            frac_bits,
        } => {
            assert_eq!(factor, 0.9);
            // Fraction bits chosen for the time constant 1/(1 - 0.9) within 0.1 %:
            // 1843/2048 = 0.899902.
            assert_eq!(code, 1843);
            assert_eq!(frac_bits, 11);
        }
        other => panic!("leak {other:?}"),
    }
    assert!(matches!(
        d.input,
        InputMap::Pixels {
            crop_width: 16,
            crop_height: 16,
            ..
        }
    ));
    assert_eq!(d.classes(), 10);
}

#[test]
fn tidigits_example_is_the_paper_configuration() {
    let d = load(&examples("lsm_tidigits.yaml")).expect("loads");
    assert_eq!((d.inputs, d.neurons, d.time_steps), (64, 200, 129));
    assert_eq!(d.threshold, 5.3);
    assert!((d.leak.effective() - 0.97).abs() < 0.005);
    assert_eq!(d.input, InputMap::Channels { channels: 64 });
}

#[test]
fn good_inline_spec_loads_with_defaults() {
    let d = load_str(GOOD, Path::new("good.yaml")).expect("loads");
    // Fraction bits chosen so the leak's rounding bias stays within 0.1 % of the
    // threshold: 0.5·2^-9 / (1 - 7/8) = 0.0078 <= 0.014 weight LSB.
    assert_eq!(d.frac_bits, 9);
    assert_eq!(d.membrane_bits, 16);
    assert_eq!(d.leak, Leak::Shift { shift: 3 });
    assert_eq!(d.threshold_code(), 2 * 7 * 512);
    assert_eq!(d.groups(), 10);
    assert!(d.conductance.differential);
}

#[test]
fn zero_neurons_is_located() {
    let text = GOOD.replace("neurons: 24", "neurons: 0");
    let e = bad(&text);
    assert_eq!(e.line, line_of(&text, "neurons: 0"));
    assert_eq!(e.column, 12);
    assert!(e.message.contains("lsm.neurons"), "{e}");
    assert!(e.to_string().starts_with("bad.yaml:4:12:"), "{e}");
}

#[test]
fn weight_bits_out_of_range() {
    let text = GOOD.replace("weight_bits: 4", "weight_bits: 12");
    let e = bad(&text);
    assert_eq!(e.line, line_of(&text, "weight_bits"));
    assert!(e.message.contains("weight_bits must be in 2..=8"), "{e}");
    assert!(e.excerpt.contains("weight_bits: 12"));
}

#[test]
fn g_min_above_g_max() {
    let text = GOOD.replace("g_min_us: 2.0", "g_min_us: 50.0");
    let e = bad(&text);
    assert_eq!(e.line, line_of(&text, "g_min_us"));
    assert!(e.message.contains("below g_max_us"), "{e}");
}

#[test]
fn probability_outside_unit_interval() {
    let text = GOOD.replace("recurrent_probability: 0.2", "recurrent_probability: 1.5");
    let e = bad(&text);
    assert_eq!(e.line, line_of(&text, "recurrent_probability"));
    assert!(e.message.contains("recurrent_probability"), "{e}");
    let text = GOOD.replace("sparsity: 0.3", "sparsity: -0.1");
    let e = bad(&text);
    assert_eq!(e.line, line_of(&text, "sparsity"));
}

#[test]
fn unknown_field_is_located() {
    let text = GOOD.replace("  time_steps: 12", "  time_steps: 12\n  bogus_field: 3");
    let e = bad(&text);
    assert_eq!(e.line, line_of(&text, "bogus_field"));
    assert!(e.message.contains("bogus_field"), "{e}");
}

#[test]
fn wrong_type_is_located() {
    let text = GOOD.replace("time_steps: 12", "time_steps: many");
    let e = bad(&text);
    assert_eq!((e.line, e.column), (line_of(&text, "time_steps"), 15));
    assert!(e.message.contains("non-negative integer"), "{e}");
    assert!(!e.message.contains(" at line "), "location only once: {e}");
}

#[test]
fn leak_needs_exactly_one_form() {
    let text = GOOD.replace("leak: { shift: 3 }", "leak: { shift: 3, multiply: 0.9 }");
    let e = bad(&text);
    assert_eq!(e.line, line_of(&text, "leak:"));
    assert!(e.message.contains("exactly one"), "{e}");
}

#[test]
fn inputs_must_match_the_input_mapping() {
    let text = GOOD.replace("channels: 16", "channels: 32");
    let e = bad(&text);
    assert_eq!(e.line, line_of(&text, "inputs: 16"));
    assert!(e.message.contains("32 input lines"), "{e}");
}

#[test]
fn threshold_beyond_membrane_width() {
    // The default membrane width grows with the threshold; a fixed one must hold it.
    let wide = GOOD.replace("threshold: 2.0", "threshold: 400.0");
    let d = load_str(&wide, Path::new("wide.yaml")).expect("default width fits");
    assert!(
        d.threshold_code() < d.membrane_limits().1,
        "{}",
        d.membrane_bits
    );
    let text = wide.replace(
        "leak: { shift: 3 }",
        "leak: { shift: 3 }\n    membrane_bits: 16",
    );
    let e = bad(&text);
    assert_eq!(e.line, line_of(&text, "threshold"));
    assert!(e.message.contains("membrane_bits"), "{e}");
}

#[test]
fn missing_file_names_the_path() {
    let e = load(Path::new("/nonexistent/lsm.yaml")).expect_err("missing");
    assert!(e.to_string().contains("/nonexistent/lsm.yaml"));
}

#[test]
fn missing_readout_weights_file_is_located() {
    let text = format!("{GOOD}  readout:\n    classes: 3\n    weights: nowhere.json\n");
    let e = bad(&text);
    assert_eq!(e.line, line_of(&text, "nowhere.json"));
    assert!(e.message.contains("cannot read readout weights"), "{e}");
}
