//! The current sources of a design's netlist and what the margin parameters scale:
//! nmgen's own top-level stimulus and control currents are signals; a source inside
//! a cell is a bias source by the waveform rule of [`crate::netlist::bias`], unless
//! the user cell's `cells:` entry says otherwise (`bias_sources:`, `signal_sources:`).
//! `nmgen margins --explain` prints [`explain`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::cells::{Cell, Origin};
use crate::diagnostic::{SourceError, SourceFile};
use crate::netlist::bias::{SourceInfo, SourceRole};
use crate::netlist::edit::{BiasLines, Prepared, ScaleTarget};
use crate::spec::Design;

/// The cell of a top-level instance name (`XAND` → the cell of instance `and`).
pub fn cell_of_instance<'d>(design: &'d Design, instance: &str) -> Option<&'d Cell> {
    let name = instance.strip_prefix('X')?;
    design
        .instances
        .iter()
        .find(|i| i.name.eq_ignore_ascii_case(name))
        .and_then(|i| design.library.get(&i.cell))
}

/// The role the design gives a source, before the waveform rule.
fn role_override(design: &Design, name: &str) -> Option<(SourceRole, String)> {
    let Some((inner, instance)) = name.rsplit_once('|') else {
        return Some((
            SourceRole::Signal,
            "top-level stimulus or control current written by nmgen".into(),
        ));
    };
    let cell = cell_of_instance(design, instance)?;
    cell.sources
        .iter()
        .find(|(n, _)| n == inner)
        .map(|(_, role)| {
            (
                *role,
                format!("`{}_sources:` of cell {}", role.label(), cell.name),
            )
        })
}

/// Reads a netlist of the design once and classifies its current sources.
pub fn prepare(design: &Design, text: &str, path: &Path) -> Result<Prepared, SourceError> {
    let mut p = Prepared::parse(text, path)?;
    p.reclassify(&|name| role_override(design, name));
    Ok(p)
}

/// Sources inside user cells that nmgen cannot classify, each located at its line
/// in the cell file.
pub fn unclassified(design: &Design, prepared: &Prepared) -> Vec<SourceError> {
    let mut out = Vec::new();
    for s in &prepared.sources {
        if s.role != SourceRole::Unclassified {
            continue;
        }
        let Some(cell) = s
            .instance
            .as_deref()
            .and_then(|i| cell_of_instance(design, i))
        else {
            continue;
        };
        let Origin::User(path) = &cell.origin else {
            continue;
        };
        let inner = s.name.rsplit_once('|').map_or(s.name.as_str(), |x| x.0);
        let label = inner.split('|').next().unwrap_or(inner);
        let message = format!(
            "current source {inner} of user cell {} is neither constant after a start-up ramp nor a pulse train, so `bias` does not scale it; list it under `bias_sources:` or `signal_sources:` in the cell's `cells:` entry",
            cell.name
        );
        let located = SourceFile::read(path).ok().and_then(|f| {
            let line = f.text.lines().position(|l| {
                l.split_whitespace()
                    .next()
                    .is_some_and(|w| w.eq_ignore_ascii_case(label))
            })?;
            Some(f.error_at(line + 1, 1, label.len(), message.clone()))
        });
        out.push(located.unwrap_or_else(|| SourceError::file(path, message)));
    }
    out
}

fn micro(a: f64) -> String {
    format!("{:.1} µA", a * 1e6)
}

/// Per cell, the bias sources with their currents and the other sources; then the
/// elements each margin parameter scales.
pub fn explain(design: &Design, prepared: &Prepared, parameters: &[String]) -> String {
    let mut out = String::new();
    // instance -> sources, grouped by cell
    let mut by_cell: BTreeMap<String, BTreeMap<String, Vec<&SourceInfo>>> = BTreeMap::new();
    let mut top: Vec<&SourceInfo> = Vec::new();
    for s in &prepared.sources {
        match &s.instance {
            None => top.push(s),
            Some(inst) => {
                let cell = cell_of_instance(design, inst)
                    .map(|c| c.name.clone())
                    .unwrap_or_default();
                by_cell
                    .entry(cell)
                    .or_default()
                    .entry(inst.clone())
                    .or_default()
                    .push(s);
            }
        }
    }
    let _ = writeln!(
        out,
        "Current sources (bias = constant after its start-up ramp; see docs/margins.md)"
    );
    for (cell, instances) in &by_cell {
        let heading = match design.library.get(cell).map(|c| &c.origin) {
            Some(Origin::User(p)) => format!("cell {cell} (user cell, {})", p.display()),
            Some(Origin::Builtin) => format!("cell {cell} (built-in)"),
            None => "added by nmgen (DC/SFQ converters, source and load JTLs, splitters)".into(),
        };
        let _ = writeln!(out, "{heading}");
        for (inst, sources) in instances {
            let total: f64 = sources
                .iter()
                .filter(|s| s.role == SourceRole::Bias)
                .map(|s| s.current)
                .sum();
            let _ = writeln!(out, "  {inst}: bias total {}", micro(total));
            for s in sources {
                let _ = writeln!(
                    out,
                    "    {:<22} {:<12} {:>10}  {}",
                    s.name,
                    s.role.label(),
                    micro(s.current),
                    s.reason
                );
            }
        }
    }
    if !top.is_empty() {
        let _ = writeln!(out, "top level");
        for s in &top {
            let _ = writeln!(
                out,
                "    {:<22} {:<12} {}",
                s.name,
                s.role.label(),
                s.reason
            );
        }
    }
    let _ = writeln!(out, "\nWhat each margin parameter scales");
    for name in parameters {
        let target = match super::parameters::kind_of(name) {
            crate::analysis::ParameterKind::GlobalBias
            | crate::analysis::ParameterKind::AllBiasSources => ScaleTarget::Bias(BiasLines::All),
            crate::analysis::ParameterKind::BiasLine => ScaleTarget::Bias(BiasLines::Instances(
                super::parameters::bias_line_instances(design, name),
            )),
            crate::analysis::ParameterKind::AllInductors => ScaleTarget::Inductors,
            crate::analysis::ParameterKind::AllCriticalCurrents => ScaleTarget::CriticalCurrents,
            crate::analysis::ParameterKind::AllResistors => ScaleTarget::Resistors,
            crate::analysis::ParameterKind::Element => ScaleTarget::Element(name.clone()),
            crate::analysis::ParameterKind::Param => {
                let _ = writeln!(out, "{name}: the global `.param {name}`");
                continue;
            }
        };
        let elements = prepared.scaled_elements(&target);
        let _ = writeln!(
            out,
            "{name}: {} element(s): {}",
            elements.len(),
            elements.join(" ")
        );
    }
    out
}
