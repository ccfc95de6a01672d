//! Counting junction switchings in one simulated inference: the spec's netlist with
//! every junction's phase printed, each 2π slip (either way) counted once.

use crate::analysis::{detect_slips, PulseTimes, SlipOptions};
use crate::circuit::ElementKind;
use crate::engine::{Engine, EngineError, Run};
use crate::spec::Design;

/// The slips of one junction.
#[derive(Debug, Clone, PartialEq)]
pub struct JunctionSlips {
    /// JoSIM name, `B1|XJ1`.
    pub name: String,
    /// Critical current (A).
    pub ic: f64,
    pub slips: u64,
}

/// Switchings of every junction in one run, and the last output pulse.
#[derive(Debug, Clone, PartialEq)]
pub struct Switching {
    pub junctions: Vec<JunctionSlips>,
    pub last_output: Option<f64>,
}

#[derive(Debug, thiserror::Error)]
pub enum SwitchingError {
    #[error(transparent)]
    Netlist(#[from] Box<crate::diagnostic::SourceError>),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Analysis(#[from] crate::analysis::AnalysisError),
}

/// The netlist text with a `.print p(...)` for every junction not printed yet,
/// before `.end`.
pub fn switching_netlist(text: &str, junctions: &[String], printed: &[String]) -> String {
    let mut prints = String::from("* ---- cost report: every junction's phase\n");
    for j in junctions {
        if printed.iter().any(|p| p == &format!("P({j})")) {
            continue;
        }
        prints.push_str(&format!(".print p({})\n", j.replace('|', ".")));
    }
    match text.rfind("\n.end") {
        Some(i) => format!("{}\n{prints}{}", &text[..i], &text[i + 1..]),
        None => format!("{text}{prints}"),
    }
}

/// Simulates the spec's stimulus once (nominal parameters, no thermal noise) and
/// counts every junction's 2π slips.
pub fn count_switching(design: &Design, engine: &Engine) -> Result<Switching, SwitchingError> {
    let netlist = crate::build::compile(design);
    let path = design
        .spec_path
        .with_file_name(format!("{}.cir", design.name));
    let circuit = crate::netlist::parse_str(&netlist.text, &path).map_err(Box::new)?;
    let junctions: Vec<(String, f64)> = circuit
        .elements
        .iter()
        .filter_map(|e| match &e.kind {
            ElementKind::Junction { model, .. } => Some((e.name.clone(), model.ic)),
            _ => None,
        })
        .collect();
    let names: Vec<String> = junctions.iter().map(|j| j.0.clone()).collect();
    let printed: Vec<String> = circuit.probes.iter().map(|p| p.header.clone()).collect();
    let text = switching_netlist(&netlist.text, &names, &printed);
    let traces = engine.simulate(&Run::new(&text, &path))?;
    let options = SlipOptions::default();
    let mut out = Vec::new();
    for (name, ic) in junctions {
        let phase = traces.column(&format!("P({name})")).ok_or_else(|| {
            crate::analysis::AnalysisError::MissingColumn {
                column: format!("P({name})"),
                available: traces.names().collect::<Vec<_>>().join(", "),
            }
        })?;
        let slips = detect_slips(&traces.time, phase, &options).len() as u64;
        out.push(JunctionSlips { name, ic, slips });
    }
    let observed = netlist.output_phase_columns();
    let pulses = PulseTimes::from_traces(&traces, &observed, &options)?;
    let last_output = pulses
        .outputs
        .iter()
        .flat_map(|o| o.times.iter().copied())
        .reduce(f64::max);
    Ok(Switching {
        junctions: out,
        last_output,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_every_junction_not_yet_printed_before_end() {
        let text = "X1 A B\n.print p(B1.XQ)\n.end\n";
        let out = switching_netlist(
            text,
            &["B1|XQ".into(), "B2|XJ1".into()],
            &["P(B1|XQ)".into()],
        );
        assert!(out.contains(".print p(B2.XJ1)\n.end"));
        assert_eq!(out.matches("p(B1.XQ)").count(), 1);
    }
}
