//! The input pulses of one check pattern.
//!
//! A pattern names inputs with a setting each; inputs it does not name get no pulses:
//! - `true` / `1` / `n`: n pulses spread evenly over the pattern's window, the first
//!   at its start (`false` / `0`: none);
//! - a list of times (`[0ps, 60ps]`): pulses at those times after the
//!   window's start;
//! - a rate (`"20GHz"`): a periodic train at that rate over the window.

use serde_saphyr::Spanned;

use crate::analysis::checks::{NamedMap, StimulusSetting, Window};
use crate::analysis::parse_rate;
use crate::diagnostic::SourceError;
use crate::spec::located::error_at;
use crate::spec::Design;

/// The design with its inputs driven as the pattern says, and a stop time that
/// covers the window.
pub fn pattern_design(
    design: &Design,
    settings: &NamedMap<Spanned<StimulusSetting>>,
    window: Window,
) -> Result<Design, SourceError> {
    let file = &design.source;
    let mut d = design.clone();
    let (start, end) = (window.start.0, window.end.0);
    for input in &mut d.inputs {
        input.pulses.clear();
    }
    for (name, setting) in &settings.0 {
        let Some(input) = d.inputs.iter_mut().find(|i| i.name == name.value) else {
            continue; // unknown names were rejected when the spec was checked
        };
        let pulses = match &setting.value {
            StimulusSetting::Flag(false) => Vec::new(),
            StimulusSetting::Flag(true) => vec![start],
            StimulusSetting::Number(n) if *n >= 0.0 && n.fract() == 0.0 => {
                let n = *n as usize;
                let spacing = (end - start) / n.max(1) as f64;
                (0..n).map(|k| start + k as f64 * spacing).collect()
            }
            StimulusSetting::Number(n) => {
                return Err(error_at(file, setting, format!("{n} is not a pulse count")))
            }
            StimulusSetting::List(times) => {
                if let Some(bad) = times.iter().find(|t| !(t.0 >= 0.0)) {
                    return Err(error_at(
                        file,
                        setting,
                        format!("pulse time {bad} is negative"),
                    ));
                }
                times.iter().map(|t| start + t.0).collect()
            }
            StimulusSetting::Text(text) => {
                let rate = parse_rate(text).map_err(|e| error_at(file, setting, e))?;
                if !(rate.0 > 0.0) {
                    return Err(error_at(
                        file,
                        setting,
                        "the rate must be greater than zero",
                    ));
                }
                let period = 1.0 / rate.0;
                // a whole number of periods that fits, robust to rounding (70 ps into 2.1 ns is 30)
                let n = ((end - start) / period + 1e-6).floor() as usize;
                (0..n).map(|k| start + k as f64 * period).collect()
            }
        };
        input.pulses = pulses
            .into_iter()
            .map(|t| (t * 1e14).round() / 1e14)
            .collect();
        input.pulses.sort_by(f64::total_cmp);
    }
    let last = d
        .inputs
        .iter()
        .flat_map(|i| i.pulses.iter().copied())
        .fold(0.0, f64::max);
    d.technology.tstop = end.max(last + 2.0 * d.technology.source_rise) + 20e-12;
    Ok(d)
}
