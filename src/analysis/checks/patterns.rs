//! The verdict on each input pattern of a check, for reports that list patterns one
//! by one (JUnit): a truth-table pattern passes when its own counts are right; a
//! rate-class pattern passes when its rate stays at least the margin away from the
//! rate range of every other class. Every pattern passes exactly when the check does.

use std::fmt::Write as _;

use super::{evaluate_runs, Check, RateClasses, TruthTable};
use crate::analysis::pulses::PulseTimes;

/// The verdict on one pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternOutcome {
    /// `pattern 2 (a then clk)`.
    pub pattern: String,
    pub passed: bool,
    /// What was measured, and on failure what was required.
    pub explanation: String,
}

fn label(name: &Option<String>, i: usize) -> String {
    match name {
        Some(n) => format!("pattern {} ({n})", i + 1),
        None => format!("pattern {}", i + 1),
    }
}

/// One outcome per pattern (none for a timing check, which has no patterns).
/// `runs[s][i]` is the simulation of pattern i under seed `seeds[s]` (`None`
/// without noise).
pub fn pattern_outcomes(
    check: &Check,
    seeds: &[Option<u64>],
    runs: &[Vec<PulseTimes>],
) -> Vec<PatternOutcome> {
    match check {
        Check::TruthTable(t) => truth_table(t, seeds, runs),
        Check::Timing(_) | Check::Accuracy(_) => Vec::new(),
        Check::RateClasses(r) => rate_classes(r, seeds, runs),
    }
}

fn seed_prefix(seeds: &[Option<u64>], s: usize) -> String {
    match seeds.get(s).copied().flatten() {
        Some(seed) if seeds.len() > 1 => format!("seed {seed}: "),
        _ => String::new(),
    }
}

fn truth_table(
    t: &TruthTable,
    seeds: &[Option<u64>],
    runs: &[Vec<PulseTimes>],
) -> Vec<PatternOutcome> {
    let mut out = Vec::new();
    for (i, p) in t.patterns.value.iter().enumerate() {
        let mut single = t.clone();
        single.patterns.value = vec![p.clone()];
        let single = Check::TruthTable(single);
        let pattern = label(&p.value.name, i);
        let mut verdict = None;
        for (s, seed_runs) in runs.iter().enumerate() {
            let Some(run) = seed_runs.get(i) else {
                continue;
            };
            let o = evaluate_runs(&single, std::slice::from_ref(run));
            let failed = !o.passed;
            // the single pattern is always "pattern 1" to the evaluator: name it right
            let text = o
                .explanation
                .replace(&label(&p.value.name, 0), &pattern)
                .replace("all 1 pattern(s) give", "gives");
            verdict = Some(PatternOutcome {
                pattern: pattern.clone(),
                passed: o.passed,
                explanation: format!("{}{text}", seed_prefix(seeds, s)),
            });
            if failed {
                break;
            }
        }
        out.push(verdict.unwrap_or(PatternOutcome {
            pattern,
            passed: false,
            explanation: "not simulated".into(),
        }));
    }
    out
}

/// (class, rate in Hz, pulses) of every (seed, pattern) sample; `None` rate when the
/// output was not observed or the pattern has no window.
fn rate_samples(r: &RateClasses, runs: &[Vec<PulseTimes>]) -> Vec<Vec<Option<(f64, usize)>>> {
    let output = &r.output.value;
    runs.iter()
        .map(|seed_runs| {
            r.patterns
                .value
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let window = p.value.window.as_ref().or(r.window.as_ref())?.value;
                    let times = seed_runs.get(i)?.get(output)?;
                    let count = times.iter().filter(|&&x| window.contains(x)).count();
                    Some((count as f64 / window.duration(), count))
                })
                .collect()
        })
        .collect()
}

fn rate_classes(
    r: &RateClasses,
    seeds: &[Option<u64>],
    runs: &[Vec<PulseTimes>],
) -> Vec<PatternOutcome> {
    let samples = rate_samples(r, runs);
    let margin = r.margin.value.0;
    let class_of = |i: usize| r.patterns.value[i].value.class.value.as_str();
    // rate range of each class over every pattern and seed
    let mut ranges: Vec<(&str, f64, f64)> = Vec::new();
    for seed_samples in &samples {
        for (i, s) in seed_samples.iter().enumerate() {
            let Some((rate, _)) = s else { continue };
            match ranges.iter_mut().find(|x| x.0 == class_of(i)) {
                Some(x) => {
                    x.1 = x.1.min(*rate);
                    x.2 = x.2.max(*rate);
                }
                None => ranges.push((class_of(i), *rate, *rate)),
            }
        }
    }
    let ghz = |x: f64| x * 1e-9;
    let mut out = Vec::new();
    for (i, p) in r.patterns.value.iter().enumerate() {
        let pattern = label(&p.value.name, i);
        let class = class_of(i);
        let mut verdict: Option<PatternOutcome> = None;
        for (s, seed_samples) in samples.iter().enumerate() {
            let prefix = seed_prefix(seeds, s);
            let Some((rate, count)) = seed_samples.get(i).copied().flatten() else {
                verdict = Some(PatternOutcome {
                    pattern: pattern.clone(),
                    passed: false,
                    explanation: format!(
                        "{prefix}output `{}` was not observed or the pattern has no window",
                        r.output.value
                    ),
                });
                break;
            };
            // the nearest other class, as signed distance (negative: inside its range)
            let nearest = ranges
                .iter()
                .filter(|c| c.0 != class)
                .map(|&(c, lo, hi)| {
                    let d = if rate < lo {
                        lo - rate
                    } else if rate > hi {
                        rate - hi
                    } else {
                        -(rate - lo).min(hi - rate)
                    };
                    (d, c, lo, hi)
                })
                .min_by(|a, b| a.0.total_cmp(&b.0));
            let mut text = format!(
                "{prefix}class {class}: {:.3} GHz ({count} pulses)",
                ghz(rate)
            );
            let passed = match nearest {
                None => {
                    text.push_str(", no other class to separate from");
                    false
                }
                Some((d, c, lo, hi)) => {
                    let _ = write!(
                        text,
                        ", {:.3} GHz from class {c} ({:.3}–{:.3} GHz){}; required ≥ {:.3} GHz",
                        ghz(d),
                        ghz(lo),
                        ghz(hi),
                        if d < 0.0 { ", inside its range" } else { "" },
                        ghz(margin)
                    );
                    d >= margin
                }
            };
            let failed = !passed;
            verdict = Some(PatternOutcome {
                pattern: pattern.clone(),
                passed,
                explanation: text,
            });
            if failed {
                break;
            }
        }
        out.push(verdict.unwrap_or(PatternOutcome {
            pattern,
            passed: false,
            explanation: "not simulated".into(),
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pulses(n: usize) -> PulseTimes {
        let mut p = PulseTimes::default();
        p.insert("q", (0..n).map(|i| (i as f64 + 0.5) * 1e-11).collect());
        p
    }

    #[test]
    fn a_rate_pattern_fails_when_it_comes_closer_than_the_margin_to_another_class() {
        let check: Check = serde_saphyr::from_str(
            "rate_classes:\n  output: q\n  window: [0ps, 1000ps]\n  margin: 2GHz\n  patterns:\n    - {class: high, stimulus: {a: 20GHz}}\n    - {class: high, stimulus: {a: 20GHz}}\n    - {class: low, stimulus: {a: 5GHz}}\n",
        )
        .unwrap();
        // 10 GHz and 3 GHz for `high`, 2 GHz for `low`
        let runs = vec![vec![pulses(10), pulses(3), pulses(2)]];
        let out = pattern_outcomes(&check, &[None], &runs);
        let passed: Vec<bool> = out.iter().map(|o| o.passed).collect();
        assert_eq!(passed, [true, false, false]);
        assert!(
            out[1]
                .explanation
                .contains("class high: 3.000 GHz (3 pulses), 1.000 GHz from class low")
                && out[1].explanation.contains("required ≥ 2.000 GHz"),
            "{}",
            out[1].explanation
        );
        // the check as a whole fails too
        assert!(!evaluate_runs(&check, &runs[0]).passed);
        // with the 3 GHz pattern at 9 GHz, every pattern and the check pass
        let runs = vec![vec![pulses(10), pulses(9), pulses(2)]];
        assert!(pattern_outcomes(&check, &[None], &runs)
            .iter()
            .all(|o| o.passed));
        assert!(evaluate_runs(&check, &runs[0]).passed);
    }

    #[test]
    fn a_truth_table_pattern_names_itself_and_its_seed() {
        let check: Check = serde_saphyr::from_str(
            "truth_table:\n  window: [0ps, 1000ps]\n  patterns:\n    - {name: one, stimulus: {a: 1}, expect: {q: 1}}\n    - {name: two, stimulus: {a: 1}, expect: {q: 2}}\n",
        )
        .unwrap();
        let runs = vec![vec![pulses(1), pulses(2)], vec![pulses(1), pulses(3)]];
        let out = pattern_outcomes(&check, &[Some(1), Some(2)], &runs);
        assert!(out[0].passed);
        assert!(!out[1].passed);
        assert!(
            out[1]
                .explanation
                .starts_with("seed 2: pattern 2 (two): `q` expected 2 pulse(s)"),
            "{}",
            out[1].explanation
        );
    }
}
