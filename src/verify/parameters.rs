//! Margin parameters: what a name in `margins:` scales, and how a run applies it.
//!
//! Every parameter is a typed edit of the expanded circuit (see
//! [`crate::netlist::edit`]), so a user cell is margined with its own elements and the
//! built-in engine and JoSIM (which gets the edited circuit written flat) see exactly
//! the same change:
//! - `bias`: every bias source (a current source constant after its start-up ramp,
//!   see [`crate::netlist::bias`]), whoever wrote it;
//! - `bias:NAME`: the bias sources inside instance NAME, or inside every instance
//!   of cell NAME;
//! - `inductors`, `critical_currents`, `resistors`: every inductor, every junction's
//!   critical current (area and `ic=` included), every resistor;
//! - a spec parameter (a weight, a threshold): its global `.param`;
//! - an element of the flat netlist (`L1|XJ1`): scaled alone.

use serde_saphyr::Spanned;

use crate::analysis::{MarginParameter, ParameterKind};
use crate::diagnostic::SourceError;
use crate::engine::Run;
use crate::netlist::edit::{BiasLines, ScaleTarget};
use crate::spec::located::{error_at_str, suggest};
use crate::spec::Design;

/// The group names a spec may use.
pub const GROUPS: &[&str] = &["bias", "inductors", "critical_currents", "resistors"];

/// Resolves a name written under `margins:`.
pub fn resolve(design: &Design, name: &Spanned<String>) -> Result<MarginParameter, SourceError> {
    let n = name.value.trim();
    let kind = match n.to_ascii_lowercase().as_str() {
        "bias" => ParameterKind::GlobalBias,
        "inductors" => ParameterKind::AllInductors,
        "critical_currents" => ParameterKind::AllCriticalCurrents,
        "resistors" => ParameterKind::AllResistors,
        lower if lower.starts_with("bias:") => {
            let which = &n[5..];
            let known = design
                .instances
                .iter()
                .any(|i| i.name.eq_ignore_ascii_case(which))
                || design
                    .instances
                    .iter()
                    .any(|i| i.cell.eq_ignore_ascii_case(which));
            if !known {
                let mut names: Vec<&str> =
                    design.instances.iter().map(|i| i.name.as_str()).collect();
                names.extend(design.instances.iter().map(|i| i.cell.as_str()));
                let mut e = error_at_str(
                    &design.source,
                    name,
                    format!("`{n}`: no instance or cell named `{which}` in the network (bias:INSTANCE or bias:CELL)"),
                );
                e.help = suggest(which, names);
                return Err(e);
            }
            ParameterKind::BiasLine
        }
        lower if design.parameters.iter().any(|(p, _)| p == lower) => ParameterKind::Param,
        _ if n.contains('|') || n.contains('.') => ParameterKind::Element,
        _ => {
            let mut known: Vec<&str> = GROUPS.to_vec();
            known.extend(design.parameters.iter().map(|(p, _)| p.as_str()));
            let mut e = error_at_str(
                &design.source,
                name,
                format!(
                    "unknown margin parameter `{n}`: use a group ({}), a parameter ({}), a bias line `bias:INSTANCE` or `bias:CELL`, or an element such as `L1|XJ1`",
                    GROUPS.join(", "),
                    design.parameters.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>().join(", ")
                ),
            );
            e.help = suggest(n, known);
            return Err(e);
        }
    };
    let name = if kind == ParameterKind::Element {
        n.to_ascii_uppercase().replace('.', "|")
    } else {
        n.to_ascii_lowercase()
    };
    Ok(MarginParameter::new(name, kind))
}

/// What a resolved parameter name scales (names from [`resolve`]: groups in lower
/// case, elements with `|`, anything else a `.param`).
pub fn kind_of(name: &str) -> ParameterKind {
    match name {
        "bias" => ParameterKind::GlobalBias,
        "inductors" => ParameterKind::AllInductors,
        "critical_currents" => ParameterKind::AllCriticalCurrents,
        "resistors" => ParameterKind::AllResistors,
        n if n.starts_with("bias:") => ParameterKind::BiasLine,
        n if n.contains('|') => ParameterKind::Element,
        _ => ParameterKind::Param,
    }
}

/// Applies `(parameter, multiplier)` pairs to a run as circuit edits. Several
/// multipliers on the same thing multiply.
pub fn apply(design: &Design, assignment: &[(String, f64)], run: &mut Run) {
    let nominal = |name: &str| -> f64 {
        design
            .parameters
            .iter()
            .find(|(p, _)| p == name)
            .map(|(_, v)| *v)
            .unwrap_or(1.0)
    };
    for (name, m) in assignment {
        let target = match kind_of(name) {
            ParameterKind::GlobalBias | ParameterKind::AllBiasSources => {
                ScaleTarget::Bias(BiasLines::All)
            }
            ParameterKind::BiasLine => {
                ScaleTarget::Bias(BiasLines::Instances(bias_line_instances(design, name)))
            }
            ParameterKind::AllInductors => ScaleTarget::Inductors,
            ParameterKind::AllResistors => ScaleTarget::Resistors,
            ParameterKind::AllCriticalCurrents => ScaleTarget::CriticalCurrents,
            ParameterKind::Element => ScaleTarget::Element(name.clone()),
            ParameterKind::Param => {
                match run.parameters.iter_mut().find(|(p, _)| p == name) {
                    Some((_, v)) => *v *= m,
                    None => run.parameters.push((name.clone(), nominal(name) * m)),
                }
                continue;
            }
        };
        run.scales.push((target, *m));
    }
}

/// The top-level instances (`XJ1`) a `bias:NAME` parameter scales: instance NAME,
/// or every instance of cell NAME.
pub fn bias_line_instances(design: &Design, name: &str) -> Vec<String> {
    let Some(which) = name.strip_prefix("bias:") else {
        return Vec::new();
    };
    let instance = design
        .instances
        .iter()
        .filter(|i| i.name.eq_ignore_ascii_case(which))
        .map(|i| format!("X{}", i.name.to_ascii_uppercase()));
    let of_cell = design
        .instances
        .iter()
        .filter(|i| i.cell.eq_ignore_ascii_case(which))
        .map(|i| format!("X{}", i.name.to_ascii_uppercase()));
    let mut out: Vec<String> = instance.collect();
    if out.is_empty() {
        out = of_cell.collect();
    }
    out
}
