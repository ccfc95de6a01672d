//! The examples build into the netlists we expect (insta snapshots), the same spec
//! gives the same bytes, and `nmgen build` writes the netlist and a manifest.

use std::path::Path;
use std::process::Command;

fn example(name: &str) -> String {
    format!("{}/examples/{name}.yaml", env!("CARGO_MANIFEST_DIR"))
}

/// The netlist with the spec path made relative, so snapshots do not depend on the checkout.
fn netlist(name: &str) -> String {
    let design = nmgen::spec::load(Path::new(&format!("examples/{name}.yaml")))
        .or_else(|_| nmgen::spec::load(Path::new(&example(name))))
        .unwrap();
    let text = nmgen::build::compile(&design).text;
    text.replace(&example(name), &format!("examples/{name}.yaml"))
}

#[test]
fn jtl_chain_netlist() {
    insta::assert_snapshot!(netlist("jtl_chain"));
}

#[test]
fn fanout_netlist() {
    insta::assert_snapshot!(netlist("fanout"));
}

#[test]
fn pulse_logic_netlist() {
    insta::assert_snapshot!(netlist("pulse_logic"));
}

fn build(spec: &str, out: &Path) {
    let run = Command::new(env!("CARGO_BIN_EXE_nmgen"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["build", spec, "-o"])
        .arg(out)
        .env("CI", "true")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn same_spec_same_bytes() {
    for name in ["jtl_chain", "fanout", "pulse_logic"] {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let spec = format!("examples/{name}.yaml");
        build(&spec, a.path());
        build(&spec, b.path());
        for file in [
            format!("{name}.cir"),
            format!("{name}.cost.json"),
            format!("{name}.cost.txt"),
            "manifest.json".to_string(),
        ] {
            let x = std::fs::read(a.path().join(&file)).unwrap();
            let y = std::fs::read(b.path().join(&file)).unwrap();
            assert_eq!(x, y, "{file} differs between two builds");
        }
    }
}

#[test]
fn manifest_lists_every_file_with_its_hash() {
    let out = tempfile::tempdir().unwrap();
    build("examples/fanout.yaml", out.path());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["spec"], "examples/fanout.yaml");
    assert_eq!(manifest["nmgen_version"], env!("CARGO_PKG_VERSION"));
    let files = manifest["files"].as_array().unwrap();
    // the netlist, then its cost report (issue #10)
    let paths: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["fanout.cir", "fanout.cost.json", "fanout.cost.txt"]);
    let bytes = std::fs::read(out.path().join("fanout.cir")).unwrap();
    use sha2::Digest;
    let hash: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(files[0]["sha256"], hash);
    // nothing but the netlist and the manifest: no temporary files left behind
    let mut names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "fanout.cir",
            "fanout.cost.json",
            "fanout.cost.txt",
            "manifest.json"
        ]
    );
}
