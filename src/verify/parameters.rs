//! Margin parameters: what a name in `margins:` scales, and how a run applies it.
//!
//! Groups are changed through the netlist's own sizing parameters, so the built-in
//! engine and JoSIM see exactly the same change:
//! - `bias` (every bias current): `.param bias`;
//! - `inductors`: `nmg_lic`, the inductance rule every cell inductance follows;
//! - `critical_currents`: `icrit` of the junction model card (every junction's Ic);
//! - `resistors` (shunts): `nmg_icrs`, the shunt product;
//! - a spec parameter (a weight, a threshold): its `.param`;
//! - an element of the flat netlist (`L1|XJ1`): scaled alone (built-in engine only).

use serde_saphyr::Spanned;

use crate::analysis::{MarginParameter, ParameterKind};
use crate::diagnostic::SourceError;
use crate::engine::Run;
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
        lower if design.parameters.iter().any(|(p, _)| p == lower) => ParameterKind::Param,
        _ if n.contains('|') || n.contains('.') => ParameterKind::Element,
        _ => {
            let mut known: Vec<&str> = GROUPS.to_vec();
            known.extend(design.parameters.iter().map(|(p, _)| p.as_str()));
            let mut e = error_at_str(
                &design.source,
                name,
                format!(
                    "unknown margin parameter `{n}`: use a group ({}), a parameter ({}), or an element such as `L1|XJ1`",
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
        n if n.contains('|') => ParameterKind::Element,
        _ => ParameterKind::Param,
    }
}

/// Applies `(parameter, multiplier)` pairs to a run. Several multipliers on the same
/// thing multiply.
pub fn apply(design: &Design, assignment: &[(String, f64)], run: &mut Run) {
    let nominal = |name: &str| -> f64 {
        let t = &design.technology;
        match name {
            "nmg_lic" => t.inductance_factor,
            "nmg_icrs" => t.shunt_product,
            _ => design
                .parameters
                .iter()
                .find(|(p, _)| p == name)
                .map(|(_, v)| *v)
                .unwrap_or(1.0),
        }
    };
    let set = |run: &mut Run, name: &str, m: f64| match run
        .parameters
        .iter_mut()
        .find(|(p, _)| p == name)
    {
        Some((_, v)) => *v *= m,
        None => run.parameters.push((name.to_string(), nominal(name) * m)),
    };
    for (name, m) in assignment {
        match kind_of(name) {
            ParameterKind::GlobalBias | ParameterKind::AllBiasSources => set(run, "bias", *m),
            ParameterKind::Param => set(run, name, *m),
            ParameterKind::AllInductors => set(run, "nmg_lic", *m),
            ParameterKind::AllResistors => set(run, "nmg_icrs", *m),
            ParameterKind::AllCriticalCurrents => {
                run.model_scales.push((
                    design.technology.junction.model.clone(),
                    "icrit".into(),
                    *m,
                ));
            }
            ParameterKind::Element => run.element_scales.push((name.clone(), *m)),
        }
    }
}
