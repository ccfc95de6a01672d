//! Judging pulse times against checks, with an explanation a designer can act on.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Check, Expected, PulseTiming, RateClasses, TruthTable, Window};
use crate::analysis::pulses::PulseTimes;

/// The verdict on one check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckOutcome {
    pub check: String,
    pub passed: bool,
    /// One line on success; on failure, what was expected and what came out.
    pub explanation: String,
}

/// Judges a check on one simulation: every pattern of a truth table or rate
/// check occupies its own window of the same run.
pub fn evaluate(check: &Check, pulses: &PulseTimes) -> CheckOutcome {
    judge(check, &|_| Some(pulses))
}

/// Judges a check on one simulation per pattern (`runs[i]` for pattern i, in
/// the order written); a timing check uses `runs[0]`.
pub fn evaluate_runs(check: &Check, runs: &[PulseTimes]) -> CheckOutcome {
    if runs.len() != check.pattern_count() {
        return CheckOutcome {
            check: check.name(),
            passed: false,
            explanation: format!(
                "{} simulation results given for {} patterns",
                runs.len(),
                check.pattern_count()
            ),
        };
    }
    judge(check, &|i| runs.get(i))
}

type RunOf<'a> = dyn Fn(usize) -> Option<&'a PulseTimes> + 'a;

fn judge<'a>(check: &Check, run: &RunOf<'a>) -> CheckOutcome {
    let (passed, explanation) = match check {
        Check::TruthTable(t) => truth_table(t, run),
        Check::Timing(t) => timing(t, run),
        Check::RateClasses(r) => rate_classes(r, run),
        Check::Accuracy(_) => (
            false,
            "an accuracy check is judged over its data set (nmgen check), not on one simulation"
                .into(),
        ),
    };
    CheckOutcome {
        check: check.name(),
        passed,
        explanation,
    }
}

fn fmt_times(times: &[f64]) -> String {
    let list: Vec<String> = times.iter().map(|t| format!("{:.1}", t * 1e12)).collect();
    format!("[{}] ps", list.join(", "))
}

fn pattern_label(name: &Option<String>, i: usize) -> String {
    match name {
        Some(n) => format!("pattern {} ({n})", i + 1),
        None => format!("pattern {}", i + 1),
    }
}

fn truth_table<'a>(t: &TruthTable, run: &RunOf<'a>) -> (bool, String) {
    let mut failures = String::new();
    let mut compared = 0;
    for (i, p) in t.patterns.value.iter().enumerate() {
        let p = &p.value;
        let label = pattern_label(&p.name, i);
        let Some(pulses) = run(i) else {
            let _ = writeln!(failures, "{label}: no simulation result");
            continue;
        };
        for (output, expected) in p.expect.iter() {
            let Some(times) = pulses.get(output) else {
                let _ = writeln!(failures, "{label}: output `{output}` was not observed");
                continue;
            };
            let windows: Vec<(Window, u32)> =
                match (&expected.value, p.window_or(t.window.as_ref())) {
                    (Expected::Count(n), Some(w)) => vec![(w, *n)],
                    (Expected::Count(_), None) => {
                        let _ = writeln!(failures, "{label}: no window for `{output}`");
                        continue;
                    }
                    (Expected::Windows(list), _) => {
                        list.iter().map(|c| (c.window, c.count)).collect()
                    }
                };
            for (w, n) in windows {
                compared += 1;
                let inside: Vec<f64> = times.iter().copied().filter(|&x| w.contains(x)).collect();
                if inside.len() != n as usize {
                    let _ = writeln!(
                        failures,
                        "{label}: `{output}` expected {n} pulse(s) in {w}, got {} at {}",
                        inside.len(),
                        fmt_times(&inside)
                    );
                }
            }
        }
    }
    if failures.is_empty() {
        (
            true,
            format!(
                "all {} pattern(s) give the expected counts ({compared} windows)",
                t.patterns.value.len()
            ),
        )
    } else {
        (false, failures.trim_end().to_string())
    }
}

fn timing<'a>(t: &PulseTiming, run: &RunOf<'a>) -> (bool, String) {
    let output = &t.output.value;
    let k = t.pulse.value as usize;
    let (lo, hi) = (t.after.value, t.before.value);
    let Some(times) = run(0).and_then(|p| p.get(output)) else {
        return (false, format!("output `{output}` was not observed"));
    };
    match times.get(k.wrapping_sub(1)) {
        None => (
            false,
            format!(
                "`{output}` has {} pulse(s) ({}), no pulse {k}; expected it between {lo} and {hi}",
                times.len(),
                fmt_times(times)
            ),
        ),
        Some(&at) if at >= lo.0 && at <= hi.0 => (
            true,
            format!(
                "`{output}` pulse {k} at {:.2} ps, within [{lo}, {hi}]",
                at * 1e12
            ),
        ),
        Some(&at) => {
            let miss = if at < lo.0 { lo.0 - at } else { at - hi.0 };
            let side = if at < lo.0 { "early" } else { "late" };
            (
                false,
                format!(
                    "`{output}` pulse {k} at {:.2} ps is {:.2} ps {side}: expected between {lo} and {hi}",
                    at * 1e12,
                    miss * 1e12
                ),
            )
        }
    }
}

/// A rate gap as pulses in the first pattern's window and as a fraction of the
/// fastest input rate the patterns set (`; = 14 pulses in 2100 ps, 0.47 of the
/// 14.286 GHz input rate`).
fn in_pulses(r: &RateClasses, gap: f64) -> String {
    let Some(first) = r.patterns.value.first() else {
        return String::new();
    };
    let Some(window) = first
        .value
        .window
        .as_ref()
        .or(r.window.as_ref())
        .map(|w| w.value)
    else {
        return String::new();
    };
    let mut out = format!(
        "; = {:.1} pulses in {:.0} ps",
        gap * window.duration(),
        window.duration() * 1e12
    );
    let input = r
        .patterns
        .value
        .iter()
        .flat_map(|p| p.value.stimulus.0.iter())
        .filter_map(|(_, s)| match &s.value {
            super::StimulusSetting::Text(t) => crate::analysis::parse_rate(t).ok().map(|r| r.0),
            _ => None,
        })
        .fold(0.0, f64::max);
    if input > 0.0 {
        let _ = write!(
            out,
            ", {:.2} of the {:.3} GHz input rate",
            gap / input,
            input * 1e-9
        );
    }
    out
}

fn rate_classes<'a>(r: &RateClasses, run: &RunOf<'a>) -> (bool, String) {
    let output = &r.output.value;
    // (class, pattern label, rate in Hz), in written order.
    let mut rates: Vec<(&str, String, f64, usize)> = Vec::new();
    for (i, p) in r.patterns.value.iter().enumerate() {
        let p = &p.value;
        let label = pattern_label(&p.name, i);
        let Some(window) = p.window.as_ref().or(r.window.as_ref()).map(|w| w.value) else {
            return (false, format!("{label}: no window"));
        };
        let Some(times) = run(i).and_then(|x| x.get(output)) else {
            return (
                false,
                format!("{label}: output `{output}` was not observed"),
            );
        };
        let count = times.iter().filter(|&&x| window.contains(x)).count();
        rates.push((
            &p.class.value,
            label,
            count as f64 / window.duration(),
            count,
        ));
    }
    // Rate range of each class, in order of first appearance, then sorted by lowest rate.
    let mut classes: Vec<(&str, f64, f64, usize, usize)> = Vec::new();
    for &(c, _, rate, count) in &rates {
        match classes.iter_mut().find(|x| x.0 == c) {
            Some(x) => {
                x.1 = x.1.min(rate);
                x.2 = x.2.max(rate);
                x.3 = x.3.min(count);
                x.4 = x.4.max(count);
            }
            None => classes.push((c, rate, rate, count, count)),
        }
    }
    classes.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.2.total_cmp(&b.2)));
    let margin = r.margin.value.0;
    let mut worst: Option<(f64, &str, &str)> = None;
    for pair in classes.windows(2) {
        let gap = pair[1].1 - pair[0].2;
        if worst.is_none_or(|w| gap < w.0) {
            worst = Some((gap, pair[0].0, pair[1].0));
        }
    }
    let mut table = String::new();
    for (c, lo, hi, nlo, nhi) in &classes {
        let _ = write!(
            table,
            "\n  class {c}: {:.3}–{:.3} GHz ({nlo}–{nhi} pulses)",
            lo * 1e-9,
            hi * 1e-9
        );
    }
    for (c, label, rate, count) in &rates {
        let _ = write!(
            table,
            "\n  {label} [{c}]: {:.3} GHz ({count} pulses)",
            rate * 1e-9
        );
    }
    match worst {
        None => (false, format!("fewer than two classes to separate{table}")),
        Some((gap, a, b)) if gap >= margin => (
            true,
            format!(
                "classes separate: closest are {a} and {b}, {:.3} GHz apart (margin {:.3} GHz){}{table}",
                gap * 1e-9,
                margin * 1e-9,
                in_pulses(r, gap)
            ),
        ),
        Some((gap, a, b)) => (
            false,
            format!(
                "classes {a} and {b} are {:.3} GHz apart{}, less than the margin {:.3} GHz{table}",
                gap * 1e-9,
                if gap < 0.0 { " (their rates overlap)" } else { "" },
                margin * 1e-9
            ),
        ),
    }
}
