//! The expression evaluator: fixed cases, errors with offsets, and a property test
//! against direct f64 evaluation of random arithmetic trees.

use nmgen::netlist::expr::{self, ExprError};
use proptest::prelude::*;

fn none(_: &str) -> Option<f64> {
    None
}

fn eval(text: &str) -> f64 {
    expr::eval(text, &none).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

#[test]
fn precedence_associativity_and_unary_minus() {
    let cases = [
        ("1+2*3", 7.0),
        ("(1+2)*3", 9.0),
        ("2^3^2", 512.0),
        ("-2^2", -4.0),
        ("2*-3", -6.0),
        ("--3", 3.0),
        ("8/4/2", 1.0),
        ("10-4-3", 3.0),
        ("[1+1]*{2+2}", 8.0),
        ("2^-1", 0.5),
        ("+5", 5.0),
        ("1e3*2m", 2.0),
        ("100u*6.859904418", 100e-6 * 6.859904418),
    ];
    for (text, want) in cases {
        assert!(
            close(eval(text), want),
            "{text} = {} (want {want})",
            eval(text)
        );
    }
}

#[test]
fn functions_and_constants_as_josim_defines_them() {
    assert!(close(eval("sqrt(16)"), 4.0));
    assert!(close(eval("LOG(exp(2))"), 2.0));
    assert!(close(eval("log10(1000)"), 3.0));
    assert!(close(eval("abs(-2.5)"), 2.5));
    assert!(close(eval("cbrt(27)"), 3.0));
    assert!(close(eval("sin(pi/2)+cos(0)+tan(0)"), 2.0));
    assert!(close(eval("atan(1)*4"), std::f64::consts::PI));
    assert!(close(eval("2*PI"), 2.0 * std::f64::consts::PI));
    assert!(close(eval("phi_zero"), 2.067833831170082e-15));
    assert!(close(eval("Boltzmann"), 1.38064852e-23));
    assert!(close(eval("ev"), 1.6021766208e-19));
    assert!(close(eval("hbar"), 1.0545718001391127e-34));
    assert!(close(eval("sigma"), 3.291059757e-16));
    assert!(close(
        eval("mu0*eps0*c^2"),
        12.566370614e-7 * 8.854187817e-12 * 299792458f64.powi(2)
    ));
}

#[test]
fn parameters_shadow_constants_and_are_case_insensitive() {
    let params = |n: &str| match n {
        "PI" => Some(3.0),
        "LB" => Some(2e-12),
        _ => None,
    };
    assert_eq!(expr::eval("pi", &params), Ok(3.0));
    assert!(close(
        expr::eval("lb*2", &params).expect("evaluates"),
        4e-12
    ));
    assert!(close(
        expr::eval("Lb + LB", &params).expect("evaluates"),
        4e-12
    ));
}

#[test]
fn errors_name_the_problem_and_its_offset() {
    let e = expr::eval("2*foo+1", &none).expect_err("undefined");
    assert_eq!(
        e,
        ExprError::UnknownName {
            name: "FOO".into(),
            at: 2
        }
    );
    let e = expr::eval("1+frob(2)", &none).expect_err("unknown function");
    assert_eq!(
        e,
        ExprError::UnknownFunction {
            name: "FROB".into(),
            at: 2
        }
    );
    for (text, at) in [
        ("(1+2", 0),
        ("1+", 2),
        ("1 2", 2),
        ("1+2)", 3),
        ("*3", 0),
        ("", 0),
        ("3$", 1),
    ] {
        match expr::eval(text, &none) {
            Err(ExprError::Syntax { at: got, .. }) => assert_eq!(got, at, "{text}"),
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[test]
fn names_are_reported_for_dependency_analysis() {
    let e = expr::parse("a*sqrt(b)+pi-a").expect("parses");
    let names: Vec<&str> = e.names().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["A", "B", "PI", "A"]);
}

/// A random arithmetic tree, rendered as text and evaluated directly.
#[derive(Debug, Clone)]
enum Tree {
    Leaf(f64),
    Neg(Box<Tree>),
    Bin(char, Box<Tree>, Box<Tree>),
}

impl Tree {
    fn text(&self) -> String {
        match self {
            Tree::Leaf(v) => format!("{v:e}"),
            Tree::Neg(t) => format!("-({})", t.text()),
            Tree::Bin(op, a, b) => format!("({}){op}({})", a.text(), b.text()),
        }
    }

    fn value(&self) -> f64 {
        match self {
            Tree::Leaf(v) => *v,
            Tree::Neg(t) => -t.value(),
            Tree::Bin(op, a, b) => {
                let (a, b) = (a.value(), b.value());
                match op {
                    '+' => a + b,
                    '-' => a - b,
                    '*' => a * b,
                    _ => a / b,
                }
            }
        }
    }
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = (0.001f64..1000.0).prop_map(Tree::Leaf);
    leaf.prop_recursive(5, 40, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|t| Tree::Neg(Box::new(t))),
            (
                prop::sample::select(vec!['+', '-', '*', '/']),
                inner.clone(),
                inner
            )
                .prop_map(|(op, a, b)| Tree::Bin(op, Box::new(a), Box::new(b))),
        ]
    })
}

proptest! {
    #[test]
    fn random_trees_match_direct_evaluation(t in tree()) {
        let want = t.value();
        let got = expr::eval(&t.text(), &none).expect("generated text parses");
        prop_assert!(got == want || (got - want).abs() <= 1e-12 * want.abs(), "{} = {got}, want {want}", t.text());
    }

    #[test]
    fn suffixed_numbers_scale(m in 0.0f64..1e6, i in 0usize..10) {
        let (suffix, scale) = [("f", 1e-15), ("p", 1e-12), ("n", 1e-9), ("u", 1e-6), ("m", 1e-3),
            ("k", 1e3), ("meg", 1e6), ("x", 1e6), ("g", 1e9), ("t", 1e12)][i];
        let text = format!("{m}{suffix}");
        let got = expr::parse_number(&text).expect("a suffixed number parses");
        prop_assert!((got - m * scale).abs() <= 1e-12 * (m * scale).abs(), "{text} = {got}");
        let with_unit = format!("{m}{suffix}H");
        let unit = expr::parse_number(&with_unit);
        prop_assert_eq!(unit, Some(got));
    }
}
