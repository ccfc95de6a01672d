//! Times the built-in simulator on the large reference netlists (and JoSIM, when
//! `/usr/local/bin/josim-cli` exists, in the same run for a ratio).
//!
//! `cargo bench --bench sim [-- NAME...]`

use std::path::{Path, PathBuf};
use std::time::Instant;

use nmgen::sim::{simulate, SimOptions};

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/josim-reference/cases"
);
const JOSIM: &str = "/usr/local/bin/josim-cli";

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let names: Vec<String> = if args.is_empty() {
        ["ex_ksa4bit", "ex_jtl_string", "ex_gen_pp_ipht"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    } else {
        args
    };
    let josim = Path::new(JOSIM).exists();
    println!(
        "{:18} {:>6} {:>7} {:>9} {:>10} {:>9} {:>10} {:>7}",
        "case", "jj", "steps", "factors", "nmgen ms", "ms/step", "josim ms", "ratio"
    );
    for name in names {
        let cir = PathBuf::from(CASES).join(format!("{name}.cir"));
        let t0 = Instant::now();
        let circuit = match nmgen::netlist::load(&cir) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("{name}: {e}");
                continue;
            }
        };
        let parse_ms = t0.elapsed().as_secs_f64() * 1e3;
        let jj = circuit
            .elements
            .iter()
            .filter(|e| matches!(e.kind, nmgen::circuit::ElementKind::Junction { .. }))
            .count();
        // Best of three.
        let mut best = f64::INFINITY;
        let mut w = None;
        for _ in 0..3 {
            let t = Instant::now();
            let r = simulate(&circuit, &SimOptions::new()).expect("simulates");
            best = best.min(t.elapsed().as_secs_f64() * 1e3);
            w = Some(r);
        }
        let w = w.expect("ran");
        let josim_ms = if josim {
            let out = std::env::temp_dir().join(format!("nmgen-bench-{name}.csv"));
            let t = Instant::now();
            let st = std::process::Command::new(JOSIM)
                .args(["-m", "1", "-o"])
                .arg(&out)
                .arg(&cir)
                .stdout(std::process::Stdio::null())
                .status();
            let ms = t.elapsed().as_secs_f64() * 1e3;
            let _ = std::fs::remove_file(out);
            st.ok().filter(|s| s.success()).map(|_| ms)
        } else {
            None
        };
        println!(
            "{:18} {:>6} {:>7} {:>9} {:>10.1} {:>9.4} {:>10} {:>7}   (parse {:.1} ms)",
            name,
            jj,
            w.steps,
            w.factorizations,
            best,
            best / w.steps as f64,
            josim_ms.map_or("-".to_string(), |m| format!("{m:.1}")),
            josim_ms.map_or("-".to_string(), |m| format!("{:.2}", m / best)),
            parse_ms
        );
    }
}
