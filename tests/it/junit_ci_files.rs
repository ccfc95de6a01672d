//! The CI files of docs/ci/ are valid YAML (read with serde-saphyr), run the commands
//! docs/ci.md documents, and publish the JUnit report those commands write.

use std::path::Path;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

fn yaml(path: &str) -> serde_json::Value {
    serde_saphyr::from_str(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The commands of the `sh` block of docs/ci.md.
fn documented_commands() -> Vec<String> {
    let doc = read("docs/ci.md");
    let block = doc
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a ```sh block in docs/ci.md");
    block.lines().map(str::to_string).collect()
}

#[test]
fn github_workflow_builds_checks_and_publishes_the_report() {
    let w = yaml("docs/ci/github-actions.yml");
    let steps = w["jobs"]["check"]["steps"].as_array().expect("steps");
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    let commands = documented_commands();
    assert_eq!(commands.len(), 2);
    for c in &commands {
        assert!(
            runs.iter().any(|r| r.trim() == c),
            "`{c}` not run: {runs:?}"
        );
    }
    assert_eq!(w["env"]["NMGEN_SPECS"], "examples/*.yaml");
    let publish = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.contains("junit-report"))
        })
        .expect("a step publishing the JUnit report");
    assert_eq!(publish["with"]["report_paths"], "nmgen-report.xml");
    assert_eq!(publish["if"], "always()");
    assert!(w["on"].get("push").is_some() || w["on"].get("pull_request").is_some());
}

#[test]
fn gitlab_job_builds_checks_and_publishes_the_report() {
    let w = yaml("docs/ci/gitlab-ci.yml");
    let job = &w["nmgen-check"];
    let script: Vec<&str> = job["script"]
        .as_array()
        .expect("script")
        .iter()
        .filter_map(|s| s.as_str())
        .collect();
    assert_eq!(script, documented_commands());
    assert_eq!(job["artifacts"]["reports"]["junit"], "nmgen-report.xml");
    assert_eq!(job["artifacts"]["when"], "always");
    assert_eq!(job["variables"]["NMGEN_SPECS"], "examples/*.yaml");
}

#[test]
fn the_documented_check_command_parses() {
    // the flags the CI files use exist: `--junit` with several specs
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_nmgen"))
        .args(["check", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(run.stdout).unwrap();
    assert!(
        help.contains("--junit <FILE>") && help.contains("<SPEC>..."),
        "{help}"
    );
}
