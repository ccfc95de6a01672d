//! Helpers shared by the integration tests: running the `nmgen` binary, paths into the
//! repository's test data, and statistics used by the stochastic tests.

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs the `nmgen` binary from the repository root, quiet as in CI (no progress bars).
pub fn nmgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nmgen"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env("CI", "true")
        .output()
        .unwrap()
}

/// A netlist or output of the JoSIM reference set kept in `tests/data/josim-reference/cases/`.
pub fn josim_case(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/josim-reference/cases/"
    ))
    .join(name)
}

/// 99 % Wilson score interval (z = 2.5758) for `k` successes out of `n`, as counts.
pub fn wilson(k: usize, n: usize) -> (f64, f64) {
    let z = 2.575_829_3_f64;
    let n = n as f64;
    let p = k as f64 / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denom;
    (n * (centre - half), n * (centre + half))
}

/// Output bytes as text (lossy).
pub fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

/// The stdout of a run that must have succeeded (else a panic with both streams).
pub fn succeeded(o: Output) -> String {
    assert!(
        o.status.success(),
        "failed ({}):\n{}{}",
        o.status,
        text(&o.stdout),
        text(&o.stderr)
    );
    text(&o.stdout)
}
