//! The VCD of SFQ runs (`nmgen sim SPEC -o DIR` → `DIR/<name>.vcd`, `nmgen sim
//! NETLIST --vcd FILE`) read by an independent reader: GTKWave's `vcd2fst` converts it
//! to FST and `fst2vcd` dumps that back; the hierarchy and the pulse events must
//! survive, and the pulses must be those of the CSV of the same run. Without GTKWave's
//! tools the test fails under CI=true and is skipped (with a message) elsewhere.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn nmgen(args: &[&str]) {
    let run = Command::new(env!("CARGO_BIN_EXE_nmgen"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env("CI", "true")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--help").output().is_ok()
}

/// The VCD as GTKWave's FST writer and reader understand it (vcd2fst, then fst2vcd).
fn through_gtkwave(vcd: &Path) -> Option<String> {
    if !have("vcd2fst") || !have("fst2vcd") {
        if std::env::var_os("CI").is_some() {
            panic!("vcd2fst/fst2vcd are missing (apt-get install gtkwave, see .ci/run)");
        }
        eprintln!("SKIPPED: GTKWave's vcd2fst is not installed (apt-get install gtkwave)");
        return None;
    }
    let fst = vcd.with_extension("fst");
    let run = Command::new("vcd2fst").arg(vcd).arg(&fst).output().unwrap();
    assert!(run.status.success(), "vcd2fst failed: {:?}", run);
    let dump = Command::new("fst2vcd").arg(&fst).output().unwrap();
    assert!(dump.status.success(), "fst2vcd failed: {:?}", dump);
    Some(String::from_utf8(dump.stdout).unwrap())
}

/// Scope paths (`top.XQ`) → their variables `(type, name, id)`, from a VCD header.
fn hierarchy(vcd: &str) -> BTreeMap<String, Vec<(String, String, String)>> {
    let mut path: Vec<String> = Vec::new();
    let mut out: BTreeMap<String, Vec<(String, String, String)>> = BTreeMap::new();
    for line in vcd.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        match w.first().copied() {
            Some("$scope") => path.push(w[2].to_string()),
            Some("$upscope") => {
                path.pop();
            }
            Some("$var") => out.entry(path.join(".")).or_default().push((
                w[1].to_string(),
                w[4].to_string(),
                w[3].to_string(),
            )),
            Some("$enddefinitions") => break,
            _ => {}
        }
    }
    out
}

/// Times at which the 1-bit signal `id` goes to 1.
fn rising(vcd: &str, id: &str) -> Vec<u64> {
    let mut t = 0;
    let mut times = Vec::new();
    let body = vcd.split("$enddefinitions").nth(1).unwrap_or("");
    for line in body.lines() {
        if let Some(ts) = line.strip_prefix('#') {
            t = ts.trim().parse().unwrap();
        } else if line.trim() == format!("1{id}") {
            times.push(t);
        }
    }
    times
}

fn id_of(h: &BTreeMap<String, Vec<(String, String, String)>>, scope: &str, name: &str) -> String {
    h.get(scope)
        .and_then(|vars| vars.iter().find(|v| v.1 == name))
        .unwrap_or_else(|| panic!("no `{name}` in scope `{scope}`: {h:?}"))
        .2
        .clone()
}

#[test]
fn spec_vcd_keeps_hierarchy_and_output_pulses_through_gtkwave() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sim");
    nmgen(&[
        "sim",
        "examples/jtl_chain.yaml",
        "-o",
        out.to_str().unwrap(),
    ]);
    let vcd = out.join("jtl_chain.vcd");
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"jtl_chain.vcd\""));
    // GTKWave rejects a VCD with non-ASCII bytes in its header (its `$comment`)
    assert!(std::fs::read(&vcd).unwrap().is_ascii());
    let Some(dump) = through_gtkwave(&vcd) else {
        return;
    };
    let h = hierarchy(&dump);
    // the output junctions of `q` sit in the scope of their instance XQ
    let vars = &h["jtl_chain.XQ"];
    assert!(vars.contains(&(
        "real".into(),
        "B1_phase".into(),
        id_of(&h, "jtl_chain.XQ", "B1_phase")
    )));
    assert!(vars.iter().any(|v| v.0 == "wire" && v.1 == "B2_pulse"));
    // the output is an event wire at the top: the stimulus sends three pulses down the chain
    let q = id_of(&h, "jtl_chain", "q");
    let pulses = rising(&dump, &q);
    assert_eq!(pulses.len(), 3, "{pulses:?}");
    let pulses_csv = std::fs::read_to_string(out.join("jtl_chain.pulses.csv")).unwrap();
    for (fs, row) in pulses.iter().zip(pulses_csv.lines().skip(1)) {
        let ps: f64 = row.split(',').nth(2).unwrap().parse().unwrap();
        assert!((*fs as f64 * 1e-3 - ps).abs() < 0.05, "{fs} fs vs {ps} ps");
    }
}

#[test]
fn netlist_vcd_has_a_scope_per_instance_and_the_csv_slips() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("jtl.csv");
    let vcd = dir.path().join("jtl.vcd");
    nmgen(&[
        "sim",
        "tests/data/josim-reference/cases/coldflux_tb_JTL.cir",
        "-o",
        csv.to_str().unwrap(),
        "--vcd",
        vcd.to_str().unwrap(),
    ]);
    let traces = nmgen::analysis::read_josim_csv(&csv).unwrap();
    let Some(dump) = through_gtkwave(&vcd) else {
        return;
    };
    let h = hierarchy(&dump);
    let dut = &h["coldflux_tb_JTL.XDUT"];
    let names: Vec<&str> = dut.iter().map(|v| v.1.as_str()).collect();
    assert_eq!(
        names,
        ["L1_current", "B1_phase", "B1_pulse", "B2_phase", "B2_pulse"]
    );
    assert!(h.contains_key("coldflux_tb_JTL.XLOADOUTQ"));
    // every +2π slip of the CSV's phase is one strobe in the VCD
    let phase = traces.column("P(B2|XDUT)").unwrap();
    let slips: Vec<_> = nmgen::analysis::detect_slips(
        &traces.time,
        phase,
        &nmgen::analysis::SlipOptions::default(),
    )
    .into_iter()
    .filter(|s| s.sign > 0)
    .collect();
    let strobes = rising(&dump, &id_of(&h, "coldflux_tb_JTL.XDUT", "B2_pulse"));
    assert!(!slips.is_empty());
    assert_eq!(strobes.len(), slips.len());
    for (s, fs) in slips.iter().zip(&strobes) {
        assert_eq!((s.time * 1e15).round() as u64, *fs);
    }
}
