//! The CLI reads a spec once and knows its kind: flags of the other kind are errors
//! that name the flag (exit 2, nothing written); shell completions and the man page.

use crate::util::nmgen;
use std::process::Command;

/// Runs with an output folder that must stay unwritten; returns stderr.
fn rejected(args: &[&str], flag: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["-o", out.to_str().unwrap()]);
    let run = nmgen(&all);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(
        stderr.contains(&format!("{flag} does not apply to")),
        "{args:?}: {stderr}"
    );
    assert!(!out.exists(), "{args:?} wrote output");
}

#[test]
fn sfq_flags_on_an_lsm_spec_are_errors_naming_the_flag() {
    let lsm = "examples/lsm_nmnist.yaml";
    rejected(&["sim", lsm, "--engine", "josim"], "--engine");
    rejected(&["sim", lsm, "--engine", "builtin"], "--engine");
    rejected(&["sim", lsm, "--seed", "3"], "--seed");
    rejected(&["sim", lsm, "--temperature", "4.2"], "--temperature");
    rejected(&["sim", lsm, "--mode", "voltage"], "--mode");
    rejected(&["sim", lsm, "--timeout", "5"], "--timeout");
    rejected(&["sim", lsm, "--josim", "/bin/true"], "--josim");
    rejected(&["margins", lsm, "--sweep", "shmoo"], "--sweep");
    rejected(&["build", lsm, "--bias-voltage", "3mV"], "--bias-voltage");
}

#[test]
fn lsm_flags_on_sfq_inputs_are_errors_naming_the_flag() {
    rejected(
        &["sim", "examples/jtl_chain.yaml", "--events", "e.csv"],
        "--events",
    );
    rejected(
        &["sim", "examples/jtl_chain.yaml", "--no-verilator"],
        "--no-verilator",
    );
    rejected(
        &["margins", "examples/jtl_chain.yaml", "--events", "e.csv"],
        "--events",
    );
    rejected(
        &["sim", "examples/jtl_chain.yaml", "--rtl-trace", "fst"],
        "--rtl-trace",
    );
    rejected(
        &[
            "sim",
            "examples/lsm_digits.yaml",
            "--no-verilator",
            "--rtl-trace",
            "vcd",
        ],
        "--rtl-trace",
    );
    rejected(
        &[
            "sim",
            "tests/data/josim-reference/cases/coldflux_tb_JTL.cir",
            "--temperature",
            "4.2",
        ],
        "--temperature",
    );
}

#[test]
fn commands_of_the_other_kind_say_which_kind_they_want() {
    let run = nmgen(&["train", "examples/jtl_chain.yaml"]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("`nmgen train` is for LSM specs; examples/jtl_chain.yaml is an SFQ spec"),
        "{stderr}"
    );
    let run = nmgen(&["report", "examples/lsm_nmnist.yaml"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("is for SFQ specs"));
}

#[test]
fn bash_completions_are_valid_bash_and_know_the_subcommands() {
    let run = nmgen(&["completions", "bash"]);
    assert!(run.status.success());
    let script = String::from_utf8(run.stdout).unwrap();
    for word in ["check", "margins", "report", "--junit", "--bias-voltage"] {
        assert!(script.contains(word), "no `{word}` in the completions");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nmgen.bash");
    std::fs::write(&path, &script).unwrap();
    let check = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    for shell in ["zsh", "fish"] {
        let run = nmgen(&["completions", shell]);
        assert!(run.status.success() && !run.stdout.is_empty(), "{shell}");
    }
    let bad = nmgen(&["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn the_man_page_is_roff_with_every_subcommand() {
    let run = nmgen(&["man"]);
    assert!(run.status.success());
    let page = String::from_utf8(run.stdout).unwrap();
    assert!(
        page.contains(".TH nmgen 1"),
        "{}",
        &page[..page.len().min(300)]
    );
    assert!(page.contains(".SH SUBCOMMANDS"));
    for sub in ["build", "sim", "check", "margins", "report", "completions"] {
        assert!(
            page.contains(&format!("nmgen\\-{sub}(1)")),
            "no {sub} in the man page"
        );
    }
}
