//! The mutation campaign of issue #14: inputs generated deterministically from a seed by
//! mutating the examples, the netlists (`netlists/`, `tests/data/`, `tests/robustness/`),
//! event files (CSV and N-MNIST binary), weight and curve files and command lines, each
//! run by the `nmgen` binary in its own sandbox folder under a memory limit and a
//! timeout. Every outcome must be a success, a failed check (exit 1) or a clean error
//! (exit 2 with an `error:` message); a panic, abort, timeout, unclear message, file left
//! behind by a failing command or changed input fails the test.
//!
//! In `cargo test` it runs a CI slice (1,200 inputs, no long simulations). Settings:
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `NMGEN_MUTATION_INPUTS` | 1200 | inputs to generate |
//! | `NMGEN_MUTATION_SEED` | 14 | campaign seed (input `i` is ChaCha stream `i` of it) |
//! | `NMGEN_MUTATION_HEAVY` | unset | `1`: include the seeds that simulate for longer |
//! | `NMGEN_MUTATION_BIN` | the test's `nmgen` | binary to run, e.g. `target/release/nmgen` |
//! | `NMGEN_MUTATION_TIMEOUT` | 20 | seconds per input |
//! | `NMGEN_MUTATION_MEMORY_MB` | 4096 | address-space limit per input |
//! | `NMGEN_MUTATION_JOBS` | cores | inputs run at once |
//! | `NMGEN_MUTATION_KEEP` | `$CARGO_TARGET_TMPDIR/mutation` | where the summary and the failing inputs go |
//!
//! The local campaign (≥ 10,000 inputs, every kind):
//!
//! ```text
//! NMGEN_MUTATION_INPUTS=12000 NMGEN_MUTATION_HEAVY=1 NMGEN_MUTATION_BIN=target/release/nmgen \
//!   cargo test --release --test it mutation:: -- --nocapture
//! ```

mod corpus;
mod mutate;
mod outcome;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use corpus::{Kind, Seed};
use outcome::{Class, Limits, Tally};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One generated input: the seed it came from, its files and arguments, the mutation.
struct Input {
    seed: usize,
    files: Vec<corpus::File>,
    args: Vec<String>,
    mutation: String,
}

/// Input `i` of the campaign `campaign`: the kinds in turn, a seed of that kind drawn
/// from ChaCha stream `i`, one or two mutations.
fn generate(seeds: &[Seed], campaign: u64, i: usize) -> Input {
    let mut rng = ChaCha8Rng::seed_from_u64(campaign);
    rng.set_stream(i as u64);
    let kinds: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|k| seeds.iter().any(|s| s.kind == *k))
        .collect();
    let kind = kinds[i % kinds.len()];
    let of_kind: Vec<usize> = (0..seeds.len())
        .filter(|&s| seeds[s].kind == kind)
        .collect();
    let s = of_kind[rng.random_range(0..of_kind.len())];
    let seed = &seeds[s];
    let mut files = seed.files.clone();
    let mut args = seed.args.clone();
    let mut names = Vec::new();
    let rounds = if rng.random_bool(0.8) { 1 } else { 2 };
    for _ in 0..rounds {
        match seed.mutated {
            Some(f) => {
                let which = rng.random_range(0..mutate::FILE_MUTATIONS.len());
                let binary = seed.kind == Kind::EventBin;
                files[f].bytes = mutate::mutate_file(&mut rng, &files[f].bytes, which, binary);
                names.push(mutate::FILE_MUTATIONS[which]);
            }
            None => {
                let which = rng.random_range(0..mutate::FLAG_MUTATIONS.len());
                args = mutate::mutate_args(&mut rng, &args, which);
                names.push(mutate::FLAG_MUTATIONS[which]);
            }
        }
    }
    Input {
        seed: s,
        files,
        args,
        mutation: names.join(" + "),
    }
}

/// The files the command reads, which it must leave as they were: all of a seed's
/// files, except for a mutated command line, which reads those it names (other than as
/// an output: `-o x` may replace a file the command does not read).
fn read_files(seed: &Seed, input: &Input) -> Vec<corpus::File> {
    if seed.kind != Kind::Flags {
        return input.files.clone();
    }
    let outputs = ["-o", "--out", "--vcd", "--junit", "--report"];
    input
        .files
        .iter()
        .filter(|f| {
            input.args.iter().enumerate().any(|(i, a)| {
                Path::new(a) == f.path && !(i > 0 && outputs.contains(&input.args[i - 1].as_str()))
            })
        })
        .cloned()
        .collect()
}

/// Saves a failing input (its files, the command and what it printed) under `dir`.
fn keep(dir: &Path, i: usize, input: &Input, run: &outcome::Run) {
    let d = dir.join(format!(
        "{i:06}-{}",
        run.class.name().replace(['/', ' '], "_")
    ));
    let _ = std::fs::remove_dir_all(&d);
    outcome::populate(&d, &input.files);
    let _ = std::fs::write(
        d.join("WHAT.txt"),
        format!(
            "nmgen {}\nmutation: {}\n{} after {:.2} s\n--- stderr ---\n{}",
            input.args.join(" "),
            input.mutation,
            run.status,
            run.wall.as_secs_f64(),
            &run.stderr[..run.stderr.len().min(4000)]
        ),
    );
}

#[test]
fn mutation_campaign_finds_no_panic_abort_hang_or_partial_output() {
    let inputs: usize = env_or("NMGEN_MUTATION_INPUTS", 1200);
    let campaign: u64 = env_or("NMGEN_MUTATION_SEED", 14);
    let heavy = std::env::var("NMGEN_MUTATION_HEAVY").is_ok_and(|v| v == "1");
    let bin = std::env::var_os("NMGEN_MUTATION_BIN")
        .map(|b| Path::new(env!("CARGO_MANIFEST_DIR")).join(b))
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_nmgen")));
    let limits = Limits {
        memory_kib: env_or("NMGEN_MUTATION_MEMORY_MB", 4096u64) * 1024,
        timeout: Duration::from_secs_f64(env_or("NMGEN_MUTATION_TIMEOUT", 20.0)),
    };
    let jobs = env_or(
        "NMGEN_MUTATION_JOBS",
        std::thread::available_parallelism().map_or(2, |n| n.get()),
    );
    let keep_dir = std::env::var_os("NMGEN_MUTATION_KEEP")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("mutation"));
    std::fs::create_dir_all(&keep_dir).unwrap();

    let seeds: Vec<Seed> = corpus::seeds()
        .into_iter()
        .filter(|s| heavy || !s.heavy)
        .collect();
    let scratch = tempfile::tempdir().unwrap();
    let next = AtomicUsize::new(0);
    let tally = Mutex::new(Tally::default());
    let failures = Mutex::new(Vec::<String>::new());
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= inputs {
                    break;
                }
                let input = generate(&seeds, campaign, i);
                let seed = &seeds[input.seed];
                let sandbox = scratch.path().join(i.to_string());
                outcome::populate(&sandbox, &input.files);
                let inputs = read_files(seed, &input);
                let run = outcome::run(&bin, &sandbox, &inputs, &input.args, limits);
                let _ = std::fs::remove_dir_all(&sandbox);
                if run.class.is_bug() {
                    keep(&keep_dir, i, &input, &run);
                    failures.lock().unwrap().push(format!(
                        "#{i} {} ({}): nmgen {} → {} [{}] {}",
                        seed.kind.name(),
                        input.mutation,
                        input.args.join(" "),
                        run.class.name(),
                        run.status,
                        run.stderr
                            .lines()
                            .next()
                            .unwrap_or("")
                            .chars()
                            .take(200)
                            .collect::<String>()
                    ));
                }
                tally
                    .lock()
                    .unwrap()
                    .add(seed.kind.name(), &input.mutation, &run);
            });
        }
    });
    let tally = tally.into_inner().unwrap();
    let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
    let summary = format!(
        "mutation campaign: {inputs} inputs, seed {campaign}, {} seeds{}, {jobs} jobs, {:.0} s wall, binary {}\n\n{}",
        seeds.len(),
        if heavy { " (heavy included)" } else { "" },
        start.elapsed().as_secs_f64(),
        bin.display(),
        tally.table(&kinds)
    );
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    std::fs::write(
        keep_dir.join("summary.txt"),
        format!("{summary}\n{}\n", failures.join("\n")),
    )
    .unwrap();
    println!("{summary}");
    assert_eq!(
        tally.bugs(),
        0,
        "{summary}\nfailing inputs (kept in {}):\n{}",
        keep_dir.display(),
        failures.join("\n")
    );
    // every kind was exercised
    for kind in Kind::ALL {
        let n: usize = Class::ALL
            .iter()
            .filter_map(|&c| tally.counts.get(&(kind.name().to_string(), c)))
            .sum();
        assert!(n > 0 || inputs < seeds.len(), "{} never ran", kind.name());
    }
}
