//! User cells: a `.subckt` from a JoSIM file, with port directions from the spec.

use std::path::Path;
use std::sync::Arc;

use serde_saphyr::Spanned;

use super::{scan_subcircuits, Cell, Origin};
use crate::diagnostic::{SourceError, SourceFile};
use crate::netlist::bias::SourceRole;
use crate::spec::located::{error_at_str, suggest};
use crate::spec::model::UserCellSpec;

/// Reads a user cell file named in the spec (`spec_file`), relative to the spec's folder.
/// `context` holds the `.model` and `.param` lines the cell may use (technology, bias,
/// the spec's parameters): the cell must simulate-parse with them.
pub fn load_user_cell(
    spec_file: &SourceFile,
    entry: &UserCellSpec,
    context: &str,
) -> Result<Cell, SourceError> {
    let base = spec_file.path.parent().unwrap_or(Path::new("."));
    let path = base.join(&entry.file.value);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        error_at_str(
            spec_file,
            &entry.file,
            format!("cannot read cell file {}: {e}", path.display()),
        )
    })?;
    let cell_file = SourceFile::new(&path, text);
    // the file's structure: its `.subckt` definitions and ports, errors located in it
    crate::netlist::subcircuits(&path)?;
    let blocks = scan_subcircuits(&cell_file.text)
        .map_err(|(line, msg)| cell_file.error_at(line, 1, 1, msg))?;
    if blocks.is_empty() {
        return Err(error_at_str(
            spec_file,
            &entry.file,
            format!("{} defines no `.subckt`", path.display()),
        ));
    }
    let block = match &entry.subckt {
        Some(want) => blocks
            .iter()
            .find(|b| b.name.eq_ignore_ascii_case(&want.value))
            .ok_or_else(|| {
                let names: Vec<&str> = blocks.iter().map(|b| b.name.as_str()).collect();
                let mut e = error_at_str(
                    spec_file,
                    want,
                    format!(
                        "{} has no `.subckt {}` (it has: {})",
                        path.display(),
                        want.value,
                        names.join(", ")
                    ),
                );
                e.help = suggest(&want.value, names);
                e
            })?,
        None if blocks.len() == 1 => &blocks[0],
        None => {
            let names: Vec<&str> = blocks.iter().map(|b| b.name.as_str()).collect();
            return Err(error_at_str(
                spec_file,
                &entry.file,
                format!(
                    "{} defines several subcircuits ({}); say which with `subckt:`",
                    path.display(),
                    names.join(", ")
                ),
            ));
        }
    };
    let check_ports = |ports: &[Spanned<String>]| -> Result<Vec<String>, SourceError> {
        let mut out = Vec::new();
        for p in ports {
            let lower = p.value.to_ascii_lowercase();
            if !block.ports.contains(&lower) {
                let mut e = error_at_str(
                    spec_file,
                    p,
                    format!(
                        "`.subckt {}` in {} (line {}) has no port `{}`; its ports are: {}",
                        block.name,
                        path.display(),
                        block.line,
                        p.value,
                        block.ports.join(" ")
                    ),
                );
                e.help = suggest(&lower, block.ports.iter().map(String::as_str));
                return Err(e);
            }
            out.push(lower);
        }
        Ok(out)
    };
    let inputs = check_ports(&entry.inputs)?;
    let outputs = check_ports(&entry.outputs)?;
    let controls = check_ports(&entry.controls)?;
    for port in &block.ports {
        if !inputs.contains(port) && !outputs.contains(port) && !controls.contains(port) {
            return Err(error_at_str(
                spec_file,
                &entry.file,
                format!(
                    "port `{port}` of `.subckt {}` ({}:{}) is in none of `inputs`, `outputs`, `controls`",
                    block.name,
                    path.display(),
                    block.line
                ),
            ));
        }
    }
    let expanded = validate(&path, &block.name, block.ports.len(), context)?;
    let mut sources = Vec::new();
    for (list, role) in [
        (&entry.bias_sources, SourceRole::Bias),
        (&entry.signal_sources, SourceRole::Signal),
    ] {
        for name in list {
            let upper = name.value.trim().to_ascii_uppercase().replace('.', "|");
            let full = format!("{upper}|XNMG_CHECK");
            let is_source = expanded.elements.iter().any(|e| {
                e.name == full
                    && matches!(e.kind, crate::circuit::ElementKind::CurrentSource { .. })
            });
            if !is_source {
                let known: Vec<String> = expanded
                    .elements
                    .iter()
                    .filter(|e| matches!(e.kind, crate::circuit::ElementKind::CurrentSource { .. }))
                    .filter_map(|e| e.name.strip_suffix("|XNMG_CHECK").map(str::to_string))
                    .collect();
                let mut e =
                    error_at_str(
                        spec_file,
                        name,
                        format!(
                        "`.subckt {}` in {} has no current source `{}` (its current sources: {})",
                        block.name,
                        path.display(),
                        name.value,
                        if known.is_empty() { "none".to_string() } else { known.join(", ") }
                    ),
                    );
                e.help = suggest(&upper, known.iter().map(String::as_str));
                return Err(e);
            }
            sources.push((upper, role));
        }
    }
    // The netlist gets every block of the file (a cell may instantiate others) and its models.
    let mut text = String::new();
    for line in cell_file.text.lines() {
        if line.trim_start().to_ascii_lowercase().starts_with(".model")
            && !inside_any(&blocks, line)
        {
            text.push_str(line.trim());
            text.push('\n');
        }
    }
    for b in &blocks {
        text.push_str(&b.text);
    }
    let name = entry
        .name
        .as_ref()
        .map(|n| n.value.clone())
        .unwrap_or_else(|| block.name.to_ascii_lowercase());
    Ok(Cell {
        name,
        subckt: block.name.to_ascii_uppercase(),
        ports: block.ports.clone(),
        inputs,
        outputs,
        levels: Vec::new(),
        controls,
        loop_ok: entry.loop_ok,
        text: Arc::from(text.as_str()),
        sources,
        origin: Origin::User(path),
    })
}

fn inside_any(blocks: &[super::SubcktBlock], line: &str) -> bool {
    blocks.iter().any(|b| b.text.lines().any(|l| l == line))
}

/// Expands one instance of the cell in the technology's context with nmgen's own
/// netlist reader, so an undefined model, parameter or element value is reported now,
/// located in the cell file, rather than by the simulator later.
fn validate(
    path: &Path,
    subckt: &str,
    ports: usize,
    context: &str,
) -> Result<crate::circuit::Circuit, SourceError> {
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let nodes: Vec<String> = (1..=ports).map(|k| format!("nmg_check_{k}")).collect();
    let text = format!(
        "* nmgen: checking a user cell\n{context}.include {}\nXNMG_CHECK {subckt} {}\n.tran 0.1p 1p\n.end\n",
        abs.display(),
        nodes.join(" ")
    );
    let check_path = abs.with_extension("nmgen-check.cir");
    crate::netlist::parse_str(&text, &check_path)
}
