//! Every class of bad spec gets a located error (file, line, column, offending text),
//! exit status 2, and no output.

use std::path::Path;
use std::process::Command;

fn spec(name: &str) -> String {
    format!("{}/tests/specs/bad/{name}.yaml", env!("CARGO_MANIFEST_DIR"))
}

/// Loads a bad spec through the library and checks where the error points.
fn expect_error(name: &str, line: usize, column: usize, message: &str) {
    let err = nmgen::spec::load(Path::new(&spec(name))).expect_err(name);
    assert!(
        err.message.contains(message),
        "{name}: message `{}` lacks `{message}`",
        err.message
    );
    assert_eq!((err.line, err.column), (line, column), "{name}: {err}");
    assert!(!err.excerpt.is_empty(), "{name}: no offending text shown");
}

/// Runs `nmgen build` on a bad spec: exit 2, the location on stderr, nothing written.
fn expect_cli_failure(spec_path: &str, location: &str) {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_nmgen"))
        .args(["build", spec_path, "-o"])
        .arg(&target)
        .env("CI", "true")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2), "{spec_path}");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(location),
        "{spec_path}: stderr `{stderr}` lacks `{location}`"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        !target.exists(),
        "{spec_path}: a failed build wrote {}",
        target.display()
    );
}

#[test]
fn yaml_syntax() {
    expect_error("yaml_syntax", 4, 10, "illegal placement");
    expect_cli_failure(&spec("yaml_syntax"), "yaml_syntax.yaml:4:10");
}

#[test]
fn unknown_field() {
    expect_error("unknown_field", 6, 3, "unknown field `colour`");
    expect_cli_failure(&spec("unknown_field"), "unknown_field.yaml:6:3");
}

#[test]
fn wrong_type() {
    expect_error("wrong_type", 3, 10, "`fast` is not a number");
    expect_cli_failure(&spec("wrong_type"), "wrong_type.yaml:3:10");
}

#[test]
fn duplicate_names() {
    expect_error(
        "duplicate_name",
        6,
        5,
        "duplicate name `b`: already used for the input on line 3",
    );
    expect_error("duplicate_key", 7, 5, "duplicate key `j1`");
    expect_cli_failure(&spec("duplicate_name"), "duplicate_name.yaml:6:5");
}

#[test]
fn undefined_references() {
    expect_error("undefined_input", 7, 7, "undefined input `clk`");
    expect_error("undefined_cell", 6, 9, "unknown cell `jtll`");
    expect_error("undefined_port", 9, 7, "has no output port `out`");
    expect_error("undefined_instance", 9, 7, "undefined instance `j2`");
    expect_error(
        "stimulus_undefined_input",
        7,
        3,
        "stimulus for undefined input `b`",
    );
    expect_error("reserved_parameter", 7, 3, "`nmg_ic` is written by nmgen");
    expect_cli_failure(&spec("undefined_port"), "undefined_port.yaml:9:7");
}

#[test]
fn undefined_cell_suggests_the_near_name() {
    let err = nmgen::spec::load(Path::new(&spec("undefined_cell"))).unwrap_err();
    assert_eq!(err.help.as_deref(), Some("did you mean `jtl`?"));
}

#[test]
fn user_cell_that_does_not_parse() {
    let err = nmgen::spec::load(Path::new(&spec("user_cell_unparsable"))).unwrap_err();
    assert!(err.path.ends_with("unterminated.cir"), "{err}");
    assert_eq!(err.line, 2);
    assert!(err.message.contains("not terminated by .ends"), "{err}");
    expect_cli_failure(&spec("user_cell_unparsable"), "unterminated.cir:2:9");
}

#[test]
fn user_cell_lacking_a_port() {
    expect_error(
        "user_cell_missing_port",
        5,
        15,
        "has no port `out`; its ports are: a q",
    );
}

#[test]
fn connection_loop_without_state() {
    expect_error("loop", 11, 1, "connection loop through j1, m1, s1");
    expect_cli_failure(&spec("loop"), "loop.yaml:11:1");
}

#[test]
fn non_physical_values() {
    expect_error("nonphysical_ic", 3, 22, "non-physical critical current");
    expect_error("zero_ic", 3, 22, "non-physical critical current");
    expect_error("nonphysical_tstep", 3, 10, "non-physical time step");
    expect_error("zero_tstep", 3, 10, "non-physical time step");
    expect_error(
        "tstop_before_stimulus",
        3,
        10,
        "before the end of the last stimulus pulse",
    );
    expect_cli_failure(&spec("zero_tstep"), "zero_tstep.yaml:3:10");
}

#[test]
fn missing_spec_file() {
    let err = nmgen::spec::load(Path::new("no/such/spec.yaml")).unwrap_err();
    assert!(
        err.message.contains("cannot read no/such/spec.yaml"),
        "{err}"
    );
    expect_cli_failure("no/such/spec.yaml", "no/such/spec.yaml");
}

#[test]
fn a_good_user_cell_is_used() {
    let path = format!(
        "{}/tests/specs/good_user_cell.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    let design = nmgen::spec::load(Path::new(&path)).unwrap();
    let netlist = nmgen::build::compile(&design);
    assert!(netlist.text.contains(".subckt BUF a q"));
    assert!(netlist.text.contains("XU1 BUF A__SRC_Q U1_Q"));
}

#[test]
fn user_cell_with_an_undefined_model_is_reported_in_the_cell_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.cir"),
        ".subckt BAD a q\nL1 a 1 2p\nB1 1 0 nomodel area=2.5\nL2 1 q 2p\n.ends\n",
    )
    .unwrap();
    let spec = dir.path().join("s.yaml");
    std::fs::write(
        &spec,
        "name: x\ncells: [{file: bad.cir, inputs: [a], outputs: [q]}]\nnetwork:\n  inputs: [a]\n  outputs: [q]\n  cells: {u: bad}\n  connections: [a -> u.a, u.q -> q]\n",
    )
    .unwrap();
    let err = nmgen::spec::load(&spec).unwrap_err();
    assert!(err.path.ends_with("bad.cir"), "{err}");
    assert_eq!((err.line, err.column), (3, 8), "{err}");
    assert!(err.message.contains("undefined model `NOMODEL`"), "{err}");
}

#[test]
fn index_out_of_range() {
    expect_error(
        "index_out_of_range",
        9,
        9,
        "index 4 is out of range: `j` has elements [0..3]",
    );
    expect_cli_failure(&spec("index_out_of_range"), "index_out_of_range.yaml:9:9");
}

#[test]
fn reversed_and_empty_ranges() {
    expect_error("reversed_range", 3, 15, "reversed range `[3..0]`");
    expect_error("empty_range", 6, 9, "empty index");
    expect_cli_failure(&spec("reversed_range"), "reversed_range.yaml:3:15");
}

#[test]
fn weight_matrix_of_the_wrong_shape() {
    expect_error(
        "layer_shape",
        9,
        42,
        "row 0 has 3 weight(s); the layer needs 2, one per `from` source",
    );
    expect_cli_failure(&spec("layer_shape"), "layer_shape.yaml:9:42");
    // in a CSV file: the error names the CSV file, its line and column
    let err = nmgen::spec::load(Path::new(&spec("csv_shape"))).unwrap_err();
    assert!(err.path.ends_with("weights/short_row.csv"), "{err}");
    assert_eq!((err.line, err.column), (2, 1), "{err}");
    assert!(
        err.message
            .contains("this row has 1 weight(s); the layer needs 2"),
        "{err}"
    );
}

#[test]
fn non_numeric_weight() {
    expect_error(
        "weight_not_a_number",
        9,
        50,
        "`heavy` is not a weight current",
    );
    expect_cli_failure(
        &spec("weight_not_a_number"),
        "weight_not_a_number.yaml:9:50",
    );
    let err = nmgen::spec::load(Path::new(&spec("csv_not_a_number"))).unwrap_err();
    assert!(err.path.ends_with("weights/not_a_number.csv"), "{err}");
    assert_eq!((err.line, err.column), (2, 6), "{err}");
    assert!(err.message.contains("`13x5` is not a number"), "{err}");
    assert_eq!(err.excerpt, "140, 13x5");
    expect_cli_failure(&spec("csv_not_a_number"), "not_a_number.csv:2:6");
}

#[test]
fn layer_naming_a_missing_group() {
    expect_error("layer_missing_group", 9, 13, "undefined array `z`");
    expect_cli_failure(
        &spec("layer_missing_group"),
        "layer_missing_group.yaml:9:13",
    );
}

#[test]
fn layer_into_something_not_a_neuron() {
    expect_error(
        "layer_to_not_neuron",
        9,
        25,
        "the `to` of a weighted layer must be neurons: `j` is a `jtl` cell",
    );
}

#[test]
fn chain_of_length_zero() {
    expect_error("chain_length_zero", 6, 22, "chain `d` has length 0");
    expect_cli_failure(&spec("chain_length_zero"), "chain_length_zero.yaml:6:22");
}

#[test]
fn control_list_of_the_wrong_length() {
    expect_error(
        "control_list_length",
        6,
        30,
        "`th` lists 2 value(s) for the 4 elements of `h`",
    );
    expect_cli_failure(
        &spec("control_list_length"),
        "control_list_length.yaml:6:30",
    );
}

#[test]
fn array_element_colliding_with_a_plain_name() {
    expect_error(
        "element_name_collision",
        7,
        5,
        "duplicate name `h_2`: already used for the instance on line 6",
    );
}
