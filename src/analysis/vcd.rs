//! Waveforms of an SFQ simulation as a VCD for GTKWave and other viewers.
//!
//! - Every printed column is a `real` variable (SI units: V, A, rad), in the scope of
//!   the subcircuit instance it belongs to: `P(B1|XQ)` is `B1_phase` in scope `XQ`,
//!   `I(L2|X1|X2)` is `L2_current` in scope `X2.X1` (JoSIM names the innermost
//!   instance first; the VCD nests the outermost first).
//! - Every phase column also gets a 1-bit wire `<junction>_pulse`, and every named
//!   output a 1-bit wire in the top scope: a **one-timestep strobe**, 1 at the time
//!   point where the phase passes the 2π slip threshold ([`super::slips`]) and 0 at
//!   the next time point, so each SFQ pulse is one event.
//! - Time unit 1 fs; values are rounded to 6 significant digits, as in JoSIM's CSV.
//! - The header is ASCII only: GTKWave rejects a VCD with other bytes in `$comment`.

use std::io::Write as _;

use ::vcd::{IdCode, TimescaleUnit, VarType};

use super::slips::{detect_slips, SlipOptions};
use super::traces::Traces;

/// What a column measures, from its JoSIM header (`P(...)`, `V(...)`, `I(...)`).
fn quantity(kind: char) -> &'static str {
    match kind {
        'P' => "phase",
        'V' => "voltage",
        'I' => "current",
        _ => "value",
    }
}

/// (instance path outermost first, variable name) of a JoSIM column header.
fn place(header: &str) -> (Vec<String>, String) {
    let h = header.trim().trim_matches('"');
    let kind = h.chars().next().unwrap_or('X').to_ascii_uppercase();
    let inner = h
        .find('(')
        .and_then(|i| h.rfind(')').map(|j| &h[i + 1..j.max(i + 1)]))
        .unwrap_or(h);
    // `V(3,0)`: a voltage between two nodes stays at the top, named after both
    if inner.contains(',') {
        let name: String = inner
            .chars()
            .map(|c| if c == ',' || c == '|' { '_' } else { c })
            .collect();
        return (Vec::new(), format!("{name}_{}", quantity(kind)));
    }
    let mut parts: Vec<&str> = inner.split(['|', '.']).collect();
    let element = parts.remove(0);
    parts.reverse();
    (
        parts.into_iter().map(str::to_string).collect(),
        format!("{element}_{}", quantity(kind)),
    )
}

#[derive(Default)]
struct Scope {
    name: String,
    /// (variable name, column index, is a pulse strobe)
    vars: Vec<(String, usize, bool)>,
    children: Vec<Scope>,
}

impl Scope {
    fn at(&mut self, path: &[String]) -> &mut Scope {
        let Some((first, rest)) = path.split_first() else {
            return self;
        };
        let i = match self.children.iter().position(|c| &c.name == first) {
            Some(i) => i,
            None => {
                self.children.push(Scope {
                    name: first.clone(),
                    ..Scope::default()
                });
                self.children.len() - 1
            }
        };
        self.children[i].at(rest)
    }
}

/// A signal of the dump: a column's values, or the strobe of a list of pulse times.
enum Signal<'a> {
    Real(&'a [f64]),
    /// Indices of the time points where a pulse happened.
    Strobe(Vec<usize>),
}

fn femtoseconds(t: f64) -> u64 {
    (t * 1e15).round().max(0.0) as u64
}

/// Rounded to 6 significant digits, written as VCD real text.
fn real_text(v: f64) -> String {
    if v.is_finite() {
        format!("{:.5e}", v)
    } else {
        "0".into()
    }
}

/// The VCD of a simulation: `top` names the top scope (the design), `outputs` pairs
/// each named output with the phase column whose +2π slips are its pulses.
pub fn write_vcd(
    traces: &Traces,
    top: &str,
    outputs: &[(&str, &str)],
    options: &SlipOptions,
) -> std::io::Result<Vec<u8>> {
    let slip_indices = |values: &[f64]| -> Vec<usize> {
        let slips = detect_slips(&traces.time, values, options);
        slips
            .iter()
            .filter(|s| s.sign > 0)
            .filter_map(|s| traces.time.iter().position(|&t| t >= s.time))
            .collect()
    };
    let mut signals: Vec<Signal> = Vec::new();
    let mut root = Scope {
        name: top.to_string(),
        ..Scope::default()
    };
    for (output, column) in outputs {
        let Some(values) = traces.column(column) else {
            continue;
        };
        root.vars.push((output.to_string(), signals.len(), true));
        signals.push(Signal::Strobe(slip_indices(values)));
    }
    for c in &traces.columns {
        let (path, name) = place(&c.name);
        let scope = root.at(&path);
        scope.vars.push((name.clone(), signals.len(), false));
        signals.push(Signal::Real(&c.values));
        if let Some(junction) = name.strip_suffix("_phase") {
            scope
                .vars
                .push((format!("{junction}_pulse"), signals.len(), true));
            signals.push(Signal::Strobe(slip_indices(&c.values)));
        }
    }

    let mut w = ::vcd::Writer::new(Vec::new());
    w.comment(&format!(
        "{top}: written by nmgen {}; reals in V, A, rad; *_pulse and output wires: one-timestep strobe per SFQ pulse (+2pi phase slip)",
        env!("CARGO_PKG_VERSION")
    ))?;
    w.timescale(1, TimescaleUnit::FS)?;
    let mut ids: Vec<Option<IdCode>> = vec![None; signals.len()];
    fn declare(
        w: &mut ::vcd::Writer<Vec<u8>>,
        scope: &Scope,
        signals: &[Signal],
        ids: &mut [Option<IdCode>],
    ) -> std::io::Result<()> {
        w.add_module(&scope.name)?;
        for (name, i, strobe) in &scope.vars {
            let id = match (strobe, &signals[*i]) {
                (true, _) | (_, Signal::Strobe(_)) => w.add_wire(1, name)?,
                (false, Signal::Real(_)) => w.add_var(VarType::Real, 64, name, None)?,
            };
            ids[*i] = Some(id);
        }
        for child in &scope.children {
            declare(w, child, signals, ids)?;
        }
        w.upscope()
    }
    declare(&mut w, &root, &signals, &mut ids)?;
    w.enddefinitions()?;

    // strobe state per time point: set at the slip's point, cleared at the next
    let n = traces.time.len();
    let mut last: Vec<Option<String>> = vec![None; signals.len()];
    for k in 0..n {
        let mut changes: Vec<(IdCode, String)> = Vec::new();
        for (i, s) in signals.iter().enumerate() {
            let Some(id) = ids[i] else { continue };
            let text = match s {
                Signal::Real(values) => format!("r{} ", real_text(values[k])),
                Signal::Strobe(points) => {
                    if points.contains(&k) {
                        "1".to_string()
                    } else {
                        "0".to_string()
                    }
                }
            };
            if last[i].as_deref() != Some(text.as_str()) {
                changes.push((id, text.clone()));
                last[i] = Some(text);
            }
        }
        if changes.is_empty() {
            continue;
        }
        let out = w.writer();
        writeln!(out, "#{}", femtoseconds(traces.time[k]))?;
        if k == 0 {
            writeln!(out, "$dumpvars")?;
        }
        for (id, text) in changes {
            writeln!(out, "{text}{id}")?;
        }
        if k == 0 {
            writeln!(out, "$end")?;
        }
    }
    w.flush()?;
    Ok(w.writer().clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_placed_in_their_instance_scopes() {
        assert_eq!(place("P(B1|XQ)"), (vec!["XQ".into()], "B1_phase".into()));
        assert_eq!(
            place("I(L2|X1|X2)"),
            (vec!["X2".into(), "X1".into()], "L2_current".into())
        );
        assert_eq!(place("V(3,0)"), (vec![], "3_0_voltage".into()));
        assert_eq!(place("V(3)"), (vec![], "3_voltage".into()));
    }
}
