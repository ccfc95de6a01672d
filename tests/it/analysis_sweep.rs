//! Sharded, resumed and unsharded sweeps give byte-identical reports.

use std::convert::Infallible;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

use nmgen::analysis::{
    collect, run, run_shard, Evaluator, FnEvaluator, MarginParameter, MarginPlan, MarginSearch,
    MonteCarloPlan, ParameterKind, Progress, Shard, ShmooAxis, ShmooPlan, SweepError, SweepPlan,
    Variation,
};

fn value(a: &[(String, f64)], name: &str) -> f64 {
    a.iter().find(|(n, _)| n == name).map_or(1.0, |(_, v)| *v)
}

fn circuit(a: &[(String, f64)]) -> bool {
    let (b, l, ic) = (value(a, "bias"), value(a, "L"), value(a, "Ic"));
    // A coupled window: the bias window narrows as Ic moves.
    (0.75..=1.25 + 0.3 * (ic - 1.0)).contains(&b)
        && (0.6..=1.8).contains(&l)
        && (0.85..=1.2).contains(&ic)
}

fn params() -> Vec<MarginParameter> {
    vec![
        MarginParameter::new("bias", ParameterKind::GlobalBias),
        MarginParameter::new("L", ParameterKind::AllInductors),
        MarginParameter::new("Ic", ParameterKind::AllCriticalCurrents),
    ]
}

fn plans() -> Vec<SweepPlan> {
    vec![
        SweepPlan::Margins(MarginPlan {
            parameters: params(),
            search: MarginSearch::default(),
        }),
        SweepPlan::Shmoo(ShmooPlan {
            x: ShmooAxis::linear(params()[0].clone(), 0.6, 1.4, 17),
            y: ShmooAxis::linear(params()[2].clone(), 0.8, 1.2, 9),
        }),
        SweepPlan::MonteCarlo(MonteCarloPlan {
            seed: 7,
            samples: 300,
            variations: params()
                .into_iter()
                .zip([8.0, 10.0, 5.0])
                .map(|(parameter, sigma_percent)| Variation {
                    parameter,
                    sigma_percent,
                })
                .collect(),
        }),
    ]
}

/// The synthetic circuit as an evaluator.
struct Good;

impl Evaluator for Good {
    type Error = Infallible;
    fn passes(&self, a: &[(String, f64)]) -> Result<bool, Infallible> {
        Ok(circuit(a))
    }
}

fn good() -> Good {
    Good
}

fn shard_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).unwrap().count()
}

#[test]
fn sharded_equals_unsharded() {
    for plan in plans() {
        let whole = run(&plan, &good(), Progress::Hidden).unwrap().to_json();
        for count in [1u32, 3] {
            let dir = tempfile::tempdir().unwrap();
            for index in (0..count).rev() {
                let s = run_shard(
                    &plan,
                    &good(),
                    dir.path(),
                    Shard { index, count },
                    Progress::Hidden,
                )
                .unwrap();
                assert_eq!((s.resumed, s.computed), (0, s.items));
            }
            assert_eq!(shard_files(dir.path()), count as usize);
            let merged = collect(dir.path()).unwrap().to_json();
            assert_eq!(merged, whole, "{count} shards");
        }
    }
}

/// An evaluator that fails (as a crashed simulator would) after some calls.
#[derive(Debug, thiserror::Error)]
#[error("simulator crashed")]
struct Crash;

#[test]
fn interrupted_shards_resume_to_the_same_report() {
    for plan in plans() {
        let whole = run(&plan, &good(), Progress::Hidden).unwrap().to_json();
        let dir = tempfile::tempdir().unwrap();
        let shard = Shard { index: 1, count: 2 };
        let calls = AtomicU32::new(0);
        let flaky = FnEvaluator::new(|a: &[(String, f64)]| {
            if calls.fetch_add(1, Ordering::SeqCst) >= 40 {
                Err(Crash)
            } else {
                Ok(circuit(a))
            }
        });
        let err = run_shard(&plan, &flaky, dir.path(), shard, Progress::Hidden).unwrap_err();
        assert!(matches!(err, SweepError::Evaluator { .. }), "{err}");
        assert!(err.to_string().contains("simulator crashed"));
        // Simulate a kill in the middle of writing a line.
        let path = nmgen::analysis::sweep::shard_path(dir.path(), shard);
        let mut text = std::fs::read_to_string(&path).unwrap();
        let finished = text.lines().count() - 1;
        text.push_str("{\"item\":9");
        std::fs::write(&path, text).unwrap();

        let resumed = run_shard(&plan, &good(), dir.path(), shard, Progress::Hidden).unwrap();
        assert_eq!(resumed.resumed, finished);
        assert!(resumed.resumed > 0 || matches!(plan, SweepPlan::Margins(_)));
        assert_eq!(resumed.resumed + resumed.computed, resumed.items);
        // Half the items are missing until the other shard runs.
        let missing = collect(dir.path()).unwrap_err();
        assert!(missing.to_string().contains("not finished"), "{missing}");
        run_shard(
            &plan,
            &good(),
            dir.path(),
            Shard { index: 0, count: 2 },
            Progress::Hidden,
        )
        .unwrap();
        assert_eq!(collect(dir.path()).unwrap().to_json(), whole);
        // Running a finished shard again computes nothing.
        let again = run_shard(&plan, &good(), dir.path(), shard, Progress::Hidden).unwrap();
        assert_eq!(again.computed, 0);
    }
}

#[test]
fn journals_of_another_sweep_are_refused() {
    let plans = plans();
    let dir = tempfile::tempdir().unwrap();
    run_shard(
        &plans[1],
        &good(),
        dir.path(),
        Shard { index: 0, count: 2 },
        Progress::Hidden,
    )
    .unwrap();
    let err = run_shard(
        &plans[2],
        &good(),
        dir.path(),
        Shard { index: 0, count: 2 },
        Progress::Hidden,
    )
    .unwrap_err();
    assert!(err.to_string().contains("different sweep"), "{err}");
    run_shard(
        &plans[2],
        &good(),
        dir.path(),
        Shard { index: 1, count: 2 },
        Progress::Hidden,
    )
    .unwrap();
    let err = collect(dir.path()).unwrap_err();
    assert!(err.to_string().contains("different sweep"), "{err}");
    let empty = tempfile::tempdir().unwrap();
    assert!(collect(empty.path())
        .unwrap_err()
        .to_string()
        .contains("no shard files"));
}

#[test]
fn shard_notation() {
    assert_eq!("2/5".parse::<Shard>(), Ok(Shard { index: 2, count: 5 }));
    assert!("5/5".parse::<Shard>().is_err());
    assert!("1/0".parse::<Shard>().is_err());
    assert!("x".parse::<Shard>().unwrap_err().contains("i/N"));
    let s = Shard { index: 1, count: 3 };
    let owned: Vec<usize> = (0..9).filter(|&i| s.owns(i)).collect();
    assert_eq!(owned, [1, 4, 7]);
}

fn monte_carlo() -> SweepPlan {
    plans().remove(2)
}

#[test]
fn journals_of_another_spec_or_version_are_refused() {
    use nmgen::analysis::{run_shard_stamped, Stamp};
    let plan = monte_carlo();
    let dir = tempfile::tempdir().unwrap();
    let shard = Shard { index: 0, count: 2 };
    let a = Stamp::new(&plan, &[("spec", b"name: a\n")]);
    let b = Stamp::new(&plan, &[("spec", b"name: b\n")]);
    assert_ne!(a, b);
    assert_eq!(a, Stamp::new(&plan, &[("spec", b"name: a\n")]));
    run_shard_stamped(&plan, &good(), dir.path(), shard, &a, Progress::Hidden).unwrap();
    let err = run_shard_stamped(&plan, &good(), dir.path(), shard, &b, Progress::Hidden)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("shard-0-of-2.jsonl:1: refusing to resume this journal: it was computed from another spec or other settings"),
        "{err}"
    );
    // The other shard, from the other spec: collect refuses the mixture.
    run_shard_stamped(
        &plan,
        &good(),
        dir.path(),
        Shard { index: 1, count: 2 },
        &b,
        Progress::Hidden,
    )
    .unwrap();
    let err = collect(dir.path()).unwrap_err().to_string();
    assert!(err.contains("does not belong with"), "{err}");
    assert!(err.contains("another spec or other settings"), "{err}");

    // A journal of another nmgen version.
    let path = nmgen::analysis::sweep::shard_path(dir.path(), shard);
    let text = std::fs::read_to_string(&path).unwrap();
    let older = text.replacen(
        &format!("\"nmgen\":\"{}\"", env!("CARGO_PKG_VERSION")),
        "\"nmgen\":\"0.0.1\"",
        1,
    );
    assert_ne!(older, text);
    std::fs::write(&path, older).unwrap();
    let err = run_shard_stamped(&plan, &good(), dir.path(), shard, &a, Progress::Hidden)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&format!(
            "it was written by nmgen 0.0.1, this is nmgen {}",
            env!("CARGO_PKG_VERSION")
        )),
        "{err}"
    );
    // A journal of the format before stamps.
    let v1 = text.replacen("\"nmgen_sweep\":2", "\"nmgen_sweep\":1", 1);
    std::fs::write(&path, v1).unwrap();
    let err = collect(dir.path()).unwrap_err().to_string();
    assert!(err.contains(":1: journal format 1"), "{err}");
}

#[test]
fn a_locked_journal_is_not_written_by_a_second_task() {
    let plan = monte_carlo();
    let dir = tempfile::tempdir().unwrap();
    let shard = Shard { index: 0, count: 3 };
    let path = nmgen::analysis::sweep::shard_path(dir.path(), shard);
    // Another task holds the journal (created, locked, header not yet written).
    let other = std::fs::File::create(&path).unwrap();
    other.lock().unwrap();
    let err = run_shard(&plan, &good(), dir.path(), shard, Progress::Hidden)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("another process is computing this shard"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "");
    // Released (the task was killed before its header was whole): starts afresh.
    drop(other);
    std::fs::write(&path, "{\"nmgen_sweep\":2,\"sha").unwrap();
    let s = run_shard(&plan, &good(), dir.path(), shard, Progress::Hidden).unwrap();
    assert_eq!((s.resumed, s.computed), (0, 100));
    assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 101);
}

#[test]
fn status_and_incomplete_collect_name_the_unfinished_shards() {
    use nmgen::analysis::sweep::{collect_with, status, CollectOptions, ShardState};
    let plan = monte_carlo();
    let dir = tempfile::tempdir().unwrap();
    // shard 0/3 complete, 1/3 cut after 10 items, 2/3 never started
    run_shard(
        &plan,
        &good(),
        dir.path(),
        Shard { index: 0, count: 3 },
        Progress::Hidden,
    )
    .unwrap();
    let calls = AtomicU32::new(0);
    let flaky = FnEvaluator::new(|a: &[(String, f64)]| {
        if calls.fetch_add(1, Ordering::SeqCst) >= 10 {
            Err(Crash)
        } else {
            Ok(circuit(a))
        }
    });
    let one = Shard { index: 1, count: 3 };
    run_shard(&plan, &flaky, dir.path(), one, Progress::Hidden).unwrap_err();
    let st = status(dir.path(), Some(3), Some(300)).unwrap();
    let states: Vec<(ShardState, usize, usize)> = st
        .shards
        .iter()
        .map(|s| (s.state(), s.finished, s.items))
        .collect();
    assert_eq!(states[0], (ShardState::Complete, 100, 100));
    assert_eq!(states[1].0, ShardState::Partial);
    assert!((1..100).contains(&states[1].1), "{states:?}");
    assert_eq!(states[2], (ShardState::Missing, 0, 100));

    let err = collect(dir.path()).unwrap_err().to_string();
    assert!(err.contains("shards: 1/3 partial, 2/3 missing"), "{err}");
    assert!(err.contains("--allow-incomplete"), "{err}");
    // A yield of the finished samples, failing samples by their own index.
    let partial = collect_with(
        dir.path(),
        CollectOptions {
            allow_incomplete: true,
        },
    )
    .unwrap();
    let nmgen::analysis::SweepReport::MonteCarlo(r) = partial else {
        panic!("a yield report expected")
    };
    assert_eq!(r.samples as usize, 100 + states[1].1);
    let whole = match run(&plan, &good(), Progress::Hidden).unwrap() {
        nmgen::analysis::SweepReport::MonteCarlo(w) => w,
        _ => unreachable!(),
    };
    let expected: Vec<u32> = whole
        .failing_samples
        .iter()
        .copied()
        .filter(|&i| i % 3 == 0)
        .collect();
    let got: Vec<u32> = r
        .failing_samples
        .iter()
        .copied()
        .filter(|&i| i % 3 == 0)
        .collect();
    assert_eq!(got, expected);
    assert!(r.failing_samples.iter().all(|&i| i % 3 != 2));
    // Margins and shmoos have no partial report.
    let shmoo_dir = tempfile::tempdir().unwrap();
    run_shard(
        &plans()[1],
        &good(),
        shmoo_dir.path(),
        Shard { index: 0, count: 2 },
        Progress::Hidden,
    )
    .unwrap();
    let err = collect_with(
        shmoo_dir.path(),
        CollectOptions {
            allow_incomplete: true,
        },
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("shards: 1/2 missing"), "{err}");
}
