//! `nmgen check` and `nmgen margins` end to end: exit codes, a margin interval on a
//! real circuit, sharded = unsharded reports, reproducible Monte Carlo, and located
//! errors for bad check and margin settings.

use crate::util::nmgen;
use std::path::{Path, PathBuf};

const CHAIN: &str = r#"name: chain
network:
  inputs: [a]
  outputs: [q]
  cells: { j1: jtl, j2: jtl }
  connections: [a -> j1.a, j1.q -> j2.a, j2.q -> q]
checks:
  - truth_table:
      window: [50ps, 250ps]
      patterns:
        - { stimulus: { a: [0ps, 100ps] }, expect: { q: 2 } }
margins:
  parameters: [bias, critical_currents]
  monte_carlo:
    samples: 12
    seed: 7
    global: { bias: 8% }
    local: { critical_currents: 10% }
"#;

fn spec(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("chain.yaml");
    std::fs::write(&p, text).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn check_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let good = spec(dir.path(), CHAIN);
    let run = nmgen(&["check", s(&good)]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(String::from_utf8_lossy(&run.stdout).contains("PASS"));

    let wrong = spec(
        dir.path(),
        &CHAIN.replace("expect: { q: 2 }", "expect: { q: 3 }"),
    );
    let run = nmgen(&["check", s(&wrong)]);
    assert_eq!(run.status.code(), Some(1));
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(
        out.contains("FAIL") && out.contains("expected 3 pulse(s)"),
        "{out}"
    );

    // a design that passes its checks but not the margin the spec requires
    let demanding = spec(
        dir.path(),
        &CHAIN.replace(
            "  parameters: [bias, critical_currents]",
            "  parameters: [bias]\n  minimum: 60%",
        ),
    );
    let run = nmgen(&["check", s(&demanding)]);
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    assert!(String::from_utf8_lossy(&run.stdout).contains("below the required 60.0 %"));
}

#[test]
fn bad_check_and_margin_settings_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("expect: { q: 2 }", "expect: { qq: 2 }", "qq", 11),
        (
            "[bias, critical_currents]",
            "[bias, capacitors]",
            "unknown margin parameter `capacitors`",
            13,
        ),
        (
            "  parameters: [bias, critical_currents]",
            "  parameters: [bias]\n  resolution: 80%",
            "resolution",
            14,
        ),
        ("samples: 12", "samples: 0", "at least one sample", 15),
        (
            "global: { bias: 8% }",
            "global: { bias: 80% }",
            "σ must be",
            17,
        ),
    ];
    for (from, to, message, line) in cases {
        let p = spec(dir.path(), &CHAIN.replace(from, to));
        let args: Vec<&str> = if message.contains("sample") || message.contains("σ") {
            vec!["margins", s(&p), "--sweep", "yield"]
        } else {
            vec!["margins", s(&p)]
        };
        let run = nmgen(&args);
        let err = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{to}: {err}");
        assert!(err.contains(message), "{to}: {err}");
        assert!(err.contains(&format!("chain.yaml:{line}:")), "{to}: {err}");
    }
}

fn margins_json(args: &[&str]) -> serde_json::Value {
    let run = nmgen(args);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let path = args[args.iter().position(|a| *a == "--json").unwrap() + 1];
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn bias_margin_of_a_jtl_chain() {
    let dir = tempfile::tempdir().unwrap();
    let p = spec(dir.path(), CHAIN);
    let json = dir.path().join("m.json");
    let m = margins_json(&["margins", s(&p), "--json", s(&json)]);
    let bias = &m["parameters"][0];
    assert_eq!(bias["name"], "bias");
    // JoSIM gives the same interval for this chain: the DC/SFQ source stops
    // converting near 0.79, junctions start to run away near 1.38
    let (low, high) = (
        bias["low"].as_f64().unwrap(),
        bias["high"].as_f64().unwrap(),
    );
    assert!((0.75..0.85).contains(&low), "low {low}");
    assert!((1.3..1.45).contains(&high), "high {high}");
    assert!(m["critical"]["margin_percent"].as_f64().unwrap() > 10.0);
}

#[test]
fn sharded_and_unsharded_margins_agree() {
    let dir = tempfile::tempdir().unwrap();
    let p = spec(dir.path(), CHAIN);
    let whole = dir.path().join("whole.json");
    margins_json(&["margins", s(&p), "--json", s(&whole)]);
    let shards = dir.path().join("shards");
    for i in ["0/3", "1/3", "2/3"] {
        let run = nmgen(&["margins", s(&p), "--shard", i, "--dir", s(&shards)]);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    let collected = dir.path().join("collected.json");
    let run = nmgen(&["margins", "collect", s(&shards), "--json", s(&collected)]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        std::fs::read(&whole).unwrap(),
        std::fs::read(&collected).unwrap()
    );
}

#[test]
fn monte_carlo_yield_is_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let p = spec(dir.path(), CHAIN);
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    let ya = margins_json(&["margins", s(&p), "--sweep", "yield", "--json", s(&a)]);
    margins_json(&["margins", s(&p), "--sweep", "yield", "--json", s(&b)]);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert_eq!(ya["samples"], 12);
    let y = ya["yield_fraction"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&y));
    // a wider spread cannot do better than a much narrower one on the same seed
    let wide = spec(
        dir.path(),
        &CHAIN.replace("global: { bias: 8% }", "global: { bias: 40% }"),
    );
    let c = dir.path().join("c.json");
    let yc = margins_json(&["margins", s(&wide), "--sweep", "yield", "--json", s(&c)]);
    assert!(
        yc["yield_fraction"].as_f64().unwrap() < 1.0,
        "40 % bias spread must fail some samples"
    );
}

#[test]
fn single_elements_have_margins_with_the_built_in_engine() {
    let dir = tempfile::tempdir().unwrap();
    let p = spec(
        dir.path(),
        &CHAIN.replace("[bias, critical_currents]", "[\"IB1|XJ2\"]"),
    );
    let json = dir.path().join("m.json");
    let m = margins_json(&["margins", s(&p), "--json", s(&json)]);
    let ib = &m["parameters"][0];
    assert_eq!(ib["name"], "IB1|XJ2");
    assert_eq!(ib["kind"], "element");
    // one bias source of one JTL: far wider than the global bias margin, but finite
    let (low, high) = (ib["low"].as_f64().unwrap(), ib["high"].as_f64().unwrap());
    assert!(low < 0.5 && high > 1.4 && high < 3.0, "{low} {high}");
}
