//! `nmgen check SPEC…`: every check of each spec, and its minimum margin if the spec
//! sets one; with `--junit FILE`, the same verdicts as a JUnit XML report (one
//! `<testsuite>` per spec; one `<testcase>` per check, per pattern, per margin
//! parameter and for the minimum margin). Exit 0 pass, 1 fail, 2 bad input.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use nmgen::analysis::checks::pattern_outcomes;
use nmgen::analysis::junit::{self, Outcome, TestCase, TestSuite};
use nmgen::analysis::margins::Direction;
use nmgen::analysis::{self, Progress, SweepPlan, SweepReport};
use nmgen::output::Artifact;
use nmgen::spec::LoadedSpec;
use nmgen::verify::{plan, Bench};

use super::engine_args::EngineArgs;
use super::Failure;

pub fn run(
    specs: &[PathBuf],
    junit: Option<&Path>,
    report: Option<&Path>,
    args: &EngineArgs,
) -> Result<(), Failure> {
    let mut suites = Vec::new();
    let mut failures: Vec<(u8, String)> = Vec::new();
    let mut single: Option<Failure> = None;
    for (k, spec) in specs.iter().enumerate() {
        if k > 0 {
            println!();
        }
        let mut suite = TestSuite {
            name: spec
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            file: spec.display().to_string(),
            ..TestSuite::default()
        };
        let started = Instant::now();
        let result = check(spec, args, report, &mut suite);
        if let Err(f) = result {
            let (code, summary) = match &f {
                Failure::Failed(m) => (1, m.clone()),
                Failure::Input(e) => (2, e.to_string()),
                Failure::Other(e) => (2, super::report::chain_message(e)),
            };
            if code == 2 {
                suite.cases.push(TestCase {
                    classname: format!("{}.spec", suite.name),
                    name: "load and simulate".into(),
                    time: started.elapsed().as_secs_f64(),
                    outcome: Outcome::Error {
                        message: first_line(&summary),
                        detail: summary.clone(),
                    },
                    system_out: None,
                });
            }
            failures.push((code, summary));
            if specs.len() == 1 {
                single = Some(f);
            } else {
                f.report();
            }
        }
        suites.push(suite);
    }
    if let Some(path) = junit {
        let xml = junit::to_xml("nmgen check", &suites);
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .context("--junit needs a file name, e.g. report.xml")?;
        nmgen::output::write_files(dir, &[Artifact::new(name, xml)])
            .context("writing the JUnit report")?;
        println!("wrote {}", path.display());
    }
    if let Some(f) = single {
        return Err(f);
    }
    let worst = failures.iter().map(|f| f.0).max().unwrap_or(0);
    let summary = failures
        .iter()
        .map(|f| first_line(&f.1))
        .collect::<Vec<_>>()
        .join("; ");
    match worst {
        0 => Ok(()),
        1 => Err(Failure::Failed(summary)),
        _ => Err(Failure::Other(anyhow::anyhow!(
            "{} of {} spec(s) could not be checked",
            failures.iter().filter(|f| f.0 == 2).count(),
            specs.len()
        ))),
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_string()
}

/// Checks one spec, printing the verdicts and filling its test suite.
fn check(
    spec: &Path,
    args: &EngineArgs,
    report: Option<&Path>,
    suite: &mut TestSuite,
) -> Result<(), Failure> {
    let design = match nmgen::spec::load_any(spec)? {
        LoadedSpec::Sfq(d) => *d,
        LoadedSpec::Lsm(d) => {
            let why = "an LSM spec has no SFQ checks (`nmgen sim` compares its RTL with the bit-accurate model)";
            println!("SKIP {}: {why}", d.name);
            suite.name = d.name.clone();
            suite.cases.push(TestCase {
                classname: format!("{}.checks", d.name),
                name: "checks".into(),
                time: 0.0,
                outcome: Outcome::Skipped {
                    message: why.into(),
                },
                system_out: None,
            });
            return Ok(());
        }
    };
    suite.name = design.name.clone();
    let name = design.name.clone();
    let bench = Bench::new(&design, args.engine()?)?;
    let minimum = design
        .margins
        .as_ref()
        .and_then(|m| m.minimum.as_ref())
        .map(|m| m.value.0);
    if !bench.has_checks() {
        return Err(Failure::Other(anyhow::anyhow!(
            "{}: the spec has no `checks:` to run",
            spec.display()
        )));
    }
    let margin_plan = plan::margin_plan(&design)?;
    let (verdict, records) = bench.judge_recorded(&[]).map_err(anyhow::Error::from)?;
    let noise = match design.noise {
        Some((t, n)) => format!(", thermal noise at {t} K, {n} seed(s)"),
        None => String::new(),
    };
    suite.properties = vec![
        ("spec".into(), spec.display().to_string()),
        ("engine".into(), bench.engine.name().into()),
    ];
    if let Some((t, n)) = design.noise {
        suite
            .properties
            .push(("noise".into(), format!("{t} K, {n} seed(s)")));
    }
    println!(
        "{}: {} check(s), {} engine{noise}",
        design.name,
        verdict.outcomes.len(),
        bench.engine.name()
    );
    for (o, record) in verdict.outcomes.iter().zip(&records) {
        println!(
            "{} {}: {}",
            if o.passed { "PASS" } else { "FAIL" },
            o.check,
            o.explanation
        );
        suite.cases.push(case(
            format!("{name}.checks"),
            o.check.clone(),
            record.total,
            o.passed,
            &o.explanation,
        ));
        for (i, p) in pattern_outcomes(&record.check, &record.seeds, &record.runs)
            .into_iter()
            .enumerate()
        {
            let time = record.seconds.iter().filter_map(|s| s.get(i)).sum();
            suite.cases.push(case(
                format!("{name}.patterns"),
                format!("{} / {}", o.check, p.pattern),
                time,
                p.passed,
                &p.explanation,
            ));
        }
    }
    if let Some(dir) = report {
        write_accuracy_reports(dir, &verdict)?;
    }
    let mut failed: Vec<String> = verdict
        .outcomes
        .iter()
        .filter(|o| !o.passed)
        .map(|o| o.check.clone())
        .collect();
    let Some(min) = minimum else {
        return verdict_of(&design.name, failed);
    };
    if !failed.is_empty() {
        for p in &margin_plan.parameters {
            suite.cases.push(skipped(
                &name,
                format!("margin of {}", p.name),
                "not run: a check fails at nominal",
            ));
        }
        suite.cases.push(skipped(
            &name,
            "minimum margin".into(),
            "not run: a check fails at nominal",
        ));
        return verdict_of(&design.name, failed);
    }
    let started = Instant::now();
    let report = match analysis::run(&SweepPlan::Margins(margin_plan), &bench, Progress::Auto)
        .map_err(anyhow::Error::from)?
    {
        SweepReport::Margins(r) => r,
        _ => unreachable!("a margin plan gives a margin report"),
    };
    let sweep_time = started.elapsed().as_secs_f64();
    print!("{}", report.to_table());
    let evaluations: u32 = report
        .parameters
        .iter()
        .map(|p| p.low.evaluations + p.high.evaluations)
        .sum();
    for p in &report.parameters {
        let (margin, side) = p.margin_percent();
        let share =
            f64::from(p.low.evaluations + p.high.evaluations) / f64::from(evaluations.max(1));
        let measured = format!(
            "margin of {}: {margin:.1} % ({} side); low {:.4} ({:+.2} %), high {:.4} ({:+.2} %); required ≥ {:.1} %",
            p.parameter.name,
            match side {
                Direction::Low => "low",
                Direction::High => "high",
            },
            p.low.bound,
            (p.low.bound - 1.0) * 100.0,
            p.high.bound,
            (p.high.bound - 1.0) * 100.0,
            min * 100.0
        );
        suite.cases.push(case(
            format!("{name}.margins"),
            format!("margin of {}", p.parameter.name),
            sweep_time * share,
            margin + 1e-9 >= min * 100.0,
            &measured,
        ));
    }
    match &report.critical {
        Some(c) if c.margin_percent + 1e-9 < min * 100.0 => {
            println!(
                "FAIL critical margin {:.1} % ({}) is below the required {:.1} %",
                c.margin_percent,
                c.name,
                min * 100.0
            );
            suite.cases.push(case(
                format!("{name}.margins"),
                "minimum margin".into(),
                0.0,
                false,
                &format!(
                    "minimum margin: critical margin {:.1} % ({}) is below the required {:.1} %",
                    c.margin_percent,
                    c.name,
                    min * 100.0
                ),
            ));
            failed.push(format!("margin of {}", c.name));
        }
        Some(c) => {
            println!(
                "PASS critical margin {:.1} % ({}) ≥ {:.1} %",
                c.margin_percent,
                c.name,
                min * 100.0
            );
            suite.cases.push(case(
                format!("{name}.margins"),
                "minimum margin".into(),
                0.0,
                true,
                &format!(
                    "critical margin {:.1} % ({}) ≥ {:.1} %",
                    c.margin_percent,
                    c.name,
                    min * 100.0
                ),
            ));
        }
        None => {}
    }
    verdict_of(&design.name, failed)
}

fn verdict_of(name: &str, failed: Vec<String>) -> Result<(), Failure> {
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::Failed(format!("{name}: {}", failed.join(", "))))
    }
}

/// A judged case: the failure message is `<case>: <first line of what was measured>`.
fn case(classname: String, name: String, time: f64, passed: bool, explanation: &str) -> TestCase {
    let outcome = if passed {
        Outcome::Passed
    } else {
        let first = first_line(explanation);
        // `check / pattern 1 (x)` + `pattern 1 (x): …` → `check / pattern 1 (x): …`
        let last = name.rsplit(" / ").next().unwrap_or(&name);
        let message = if first.starts_with(last) {
            format!("{}{first}", &name[..name.len() - last.len()])
        } else {
            format!("{name}: {first}")
        };
        Outcome::Failed {
            message,
            detail: explanation.to_string(),
        }
    };
    TestCase {
        classname,
        name,
        time,
        outcome,
        system_out: Some(explanation.to_string()),
    }
}

fn skipped(design: &str, name: String, why: &str) -> TestCase {
    TestCase {
        classname: format!("{design}.margins"),
        name,
        time: 0.0,
        outcome: Outcome::Skipped {
            message: why.into(),
        },
        system_out: None,
    }
}

/// Per accuracy check: `<slug>_confusion.svg` and `<slug>_accuracy.json`.
pub(super) fn write_accuracy_reports(
    dir: &Path,
    verdict: &nmgen::verify::Verdict,
) -> Result<(), Failure> {
    let mut files = Vec::new();
    for (name, r) in &verdict.accuracy {
        let slug = slug(name);
        let svg = r
            .confusion
            .to_svg(&format!("{name}: {}", r.level))
            .map_err(|e| anyhow::anyhow!("confusion SVG: {e}"))?;
        let (lo, hi) = r.confusion.interval();
        let json = serde_json::json!({
            "check": name, "level": r.level, "accuracy": r.confusion.accuracy(),
            "wilson95": [lo, hi], "confusion": r.confusion, "samples": r.results,
        });
        files.push(Artifact::new(format!("{slug}_confusion.svg"), svg));
        files.push(Artifact::new(
            format!("{slug}_accuracy.json"),
            serde_json::to_string_pretty(&json).unwrap_or_default() + "\n",
        ));
    }
    for p in nmgen::output::write_files(dir, &files).context("writing the accuracy report")? {
        println!("wrote {}", p.display());
    }
    Ok(())
}

/// A check name as a file-name stem: `iris test split` → `iris_test_split`.
pub(super) fn slug(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}
