//! Data set files: the shipped fixtures read as documented, splits are stratified and
//! seeded, and bad files give located errors (file:line:col, exit 2).

use std::path::{Path, PathBuf};
use std::process::Command;

use nmgen::dataset::{self, Split, SplitPart};
use nmgen::diagnostic::SourceFile;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(name)
}

#[test]
fn iris_and_digits_fixtures() {
    let iris = dataset::read(&data("iris.csv")).unwrap();
    assert_eq!((iris.len(), iris.feature_count()), (150, 4));
    assert_eq!(iris.classes, ["setosa", "versicolor", "virginica"]);
    assert_eq!(iris.labels.iter().filter(|&&l| l == 2).count(), 50);
    assert_eq!(iris.features[0], [5.1, 3.5, 1.4, 0.2]);
    let digits = dataset::read(&data("digits.csv")).unwrap();
    assert_eq!((digits.len(), digits.feature_count()), (1797, 64));
    assert_eq!(digits.classes.len(), 10);
    assert_eq!(digits.labels[0], 0);
}

#[test]
fn split_is_stratified_seeded_and_disjoint() {
    let iris = dataset::read(&data("iris.csv")).unwrap();
    let a = Split::stratified(&iris, 0.3, 1);
    assert_eq!(a, Split::stratified(&iris, 0.3, 1));
    assert_ne!(a.test, Split::stratified(&iris, 0.3, 2).test);
    assert_eq!((a.train.len(), a.test.len()), (105, 45));
    for class in 0..3 {
        assert_eq!(
            a.test.iter().filter(|&&i| iris.labels[i] == class).count(),
            15
        );
    }
    let all = a.part(SplitPart::All);
    assert_eq!(all, (0..150).collect::<Vec<_>>());
    assert!(a.test.iter().all(|i| !a.train.contains(i)));
}

fn parse(text: &str) -> String {
    let f = SourceFile::new("bad.csv", text);
    dataset::parse(&f).unwrap_err().to_string()
}

#[test]
fn located_errors() {
    let head = "3,2,a,b\n";
    let e = parse(&format!("{head}1.0,2.0,0\n1.0,2.0\n"));
    assert!(e.starts_with("bad.csv:3:5: 2 columns, expected 3"), "{e}");
    let e = parse(&format!("{head}1.0,2.0,0\n1.0,x2,1\n"));
    assert!(e.starts_with("bad.csv:3:5: `x2` is not a number"), "{e}");
    let e = parse(&format!("{head}1.0,2.0,0\n1.0,2.0,2\n"));
    assert!(e.starts_with("bad.csv:3:9: unknown label 2"), "{e}");
    let e = parse(&format!("{head}1.0,2.0,cat\n"));
    assert!(
        e.starts_with("bad.csv:2:9: label `cat` is not a class index"),
        "{e}"
    );
    let e = parse("# only a comment\n");
    assert!(e.contains("no samples"), "{e}");
    let e = parse(&format!("{head}1,2,0,5\n"));
    assert!(e.starts_with("bad.csv:2:7: 4 columns"), "{e}");
}

#[test]
fn bad_data_file_exits_2_with_location() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "4,2,a,b\n1,2,0\n3,4,1\n5,six,0\n7,8,1\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_nmgen"))
        .args(["train-sfq"])
        .arg(&bad)
        .arg("-o")
        .arg(dir.path().join("out"))
        .env("CI", "true")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("bad.csv:4:3: `six` is not a number"), "{err}");
    assert!(!dir.path().join("out").exists());
}
