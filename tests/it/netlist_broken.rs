//! Each netlist in tests/broken_netlists has one kind of mistake; each must give a
//! located error with the expected message and line, never a panic.

use std::path::Path;

use nmgen::netlist;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/broken_netlists");

/// (file, line of the error, text the message must contain, text the excerpt must contain)
const CASES: &[(&str, usize, &str, &str)] = &[
    ("unknown_element.cir", 3, "unknown element `Q1`", "Q1 1 0 5"),
    ("missing_node.cir", 2, "node", "L1 1 2p"),
    (
        "undefined_model.cir",
        3,
        "undefined model `JJX`",
        "B1 1 0 jjx",
    ),
    (
        "undefined_parameter.cir",
        3,
        "undefined parameter `SCALE`",
        ".param l1=lb*scale",
    ),
    (
        "parameter_cycle.cir",
        2,
        "parameter cycle: A -> B -> C -> A",
        ".param a=b*2",
    ),
    ("bad_number.cir", 2, "bad number `5..2`", "R1 1 0 5..2"),
    (
        "unterminated_subcircuit.cir",
        2,
        "subcircuit JTL is not terminated by .ends",
        ".subckt JTL a b",
    ),
    (
        "unknown_subcircuit.cir",
        5,
        "unknown subcircuit `JTLX`",
        "X1 JTLX 1 2",
    ),
    (
        "wrong_port_count.cir",
        5,
        "connects 3 nodes but subcircuit JTL has 2 ports",
        "X1 JTL 1 2 3",
    ),
    (
        "unknown_control.cir",
        4,
        "unknown control `.PROBE`",
        ".probe v(1)",
    ),
    (
        "unclosed_parenthesis.cir",
        2,
        "`(` is not closed",
        ".param r=(2+3*4",
    ),
    (
        "duplicate_element.cir",
        3,
        "duplicate element name R1",
        "R1 1 2 3",
    ),
    (
        "missing_include.cir",
        2,
        "cannot read included file",
        ".include no_such_cells.cir",
    ),
    (
        "unknown_inductor.cir",
        4,
        "no inductor named L3",
        "K1 L1 L3 0.5",
    ),
    ("odd_pwl.cir", 2, "pwl needs time/value pairs", "I1 0 1 pwl"),
    (
        "unknown_source_function.cir",
        2,
        "unknown source function `SQUARE`",
        "V1 1 0 square",
    ),
    (
        "recursive_subcircuit.cir",
        4,
        "subcircuit instantiates itself: LOOP -> LOOP",
        "X1 LOOP a b",
    ),
    (
        "unknown_model_parameter.cir",
        2,
        "unknown jj model parameter `RSHUNT`",
        ".model jj1",
    ),
    (
        "tran_missing_stop.cir",
        3,
        ".tran needs at least TSTEP and TSTOP",
        ".tran 0.25p",
    ),
];

#[test]
fn every_broken_netlist_gives_its_located_error() {
    for &(file, line, message, excerpt) in CASES {
        let path = Path::new(DIR).join(file);
        let err = match netlist::load(&path) {
            Ok(_) => panic!("{file} parsed but should not"),
            Err(e) => e,
        };
        assert!(
            err.message.contains(message),
            "{file}: message `{}` lacks `{message}`",
            err.message
        );
        assert_eq!(err.line, line, "{file}: error line ({})", err.message);
        assert!(err.column >= 1, "{file}: has a column");
        assert!(
            err.excerpt.contains(excerpt),
            "{file}: excerpt `{}`",
            err.excerpt
        );
        assert!(
            err.path.ends_with(file),
            "{file}: path {}",
            err.path.display()
        );
    }
}

#[test]
fn every_broken_netlist_is_covered() {
    let mut files: Vec<String> = std::fs::read_dir(DIR)
        .expect("broken_netlists present")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".cir"))
        .collect();
    files.sort();
    let mut listed: Vec<String> = CASES.iter().map(|c| c.0.to_string()).collect();
    listed.sort();
    assert_eq!(files, listed);
}

#[test]
fn error_column_points_at_the_offending_text() {
    let path = Path::new(DIR).join("undefined_parameter.cir");
    let err = netlist::load(&path).expect_err("undefined parameter");
    // `.param l1=lb*scale`: SCALE starts at column 14.
    assert_eq!(err.column, 14);
    let path = Path::new(DIR).join("unknown_subcircuit.cir");
    let err = netlist::load(&path).expect_err("unknown subcircuit");
    assert_eq!(err.column, 4);
}

mod robustness {
    use std::path::Path;

    use proptest::prelude::*;

    /// Lines built from netlist-like fragments, in any order and combination.
    fn line() -> impl Strategy<Value = String> {
        let word = prop::sample::select(vec![
            "R1",
            "L1",
            "B1",
            "X1",
            "K1",
            "V1",
            "I1",
            "P1",
            "T1",
            "E1",
            "Q1",
            "0",
            "1",
            "2",
            "a",
            "jj1",
            "JTL",
            "2p",
            "5..2",
            "1e",
            "-",
            "(",
            ")",
            "{",
            "}",
            "=",
            "area=2",
            "ic=",
            "pwl(0",
            "0)",
            "sin(0",
            "pulse(",
            "noise(1u",
            "TD=1p",
            "Z0=",
            ".subckt",
            ".ends",
            ".param",
            "x=",
            "y*2",
            ".model",
            "jj(icrit=0.1mA)",
            ".tran",
            "0.25p",
            ".print",
            "v(1)",
            "p(B1.X1)",
            "nodev",
            "@R1[c]",
            "+",
            "*",
            ".include",
            ".control",
            ".endc",
            ".end",
            "é",
            "@é]",
            "cpr={1,",
            "0.5}",
            "\t",
        ]);
        prop::collection::vec(word, 0..8).prop_map(|w| w.join(" "))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_input_gives_a_result_not_a_panic(lines in prop::collection::vec(line(), 0..12)) {
            let text = lines.join("\n");
            match nmgen::netlist::parse_str(&text, Path::new("fuzz.cir")) {
                Ok(c) => prop_assert!(c.probes.len() <= text.len()),
                Err(e) => prop_assert!(!e.message.is_empty()),
            }
        }
    }
}
