//! Simulator errors told at the netlist line that caused them: the simulator knows
//! elements and unknowns by their expanded names (`B1|X2`, unknown 5); the designer
//! wants the line of `B1` in the file.

use std::path::Path;

use crate::circuit::Circuit;
use crate::diagnostic::{SourceError, SourceFile};
use crate::sim::{SimError, SolverError};

/// The name inside its subcircuit: `B1` of `B1|X2|X3`.
fn local(name: &str) -> &str {
    name.split('|').next().unwrap_or(name)
}

/// Lines of elements (not comments, controls or continuations), with their text.
fn element_lines(file: &SourceFile) -> impl Iterator<Item = (usize, &str)> {
    file.text.lines().enumerate().filter_map(|(i, l)| {
        let t = l.trim_start();
        (!t.is_empty() && !t.starts_with(['*', '.', '+', '#'])).then_some((i + 1, l))
    })
}

/// The first line defining element `name` (its local name, any case).
fn element_at(file: &SourceFile, name: &str) -> Option<(usize, usize, usize)> {
    let want = local(name);
    element_lines(file).find_map(|(n, l)| {
        let first = l.split_whitespace().next()?;
        first.eq_ignore_ascii_case(want).then(|| {
            let col = l.len() - l.trim_start().len() + 1;
            (n, col, first.len())
        })
    })
}

/// The first element line connecting to node `name` (its local name, any case).
fn node_at(file: &SourceFile, name: &str) -> Option<(usize, usize, usize)> {
    let want = local(name);
    element_lines(file).find_map(|(n, l)| {
        let mut offset = 0;
        for (k, tok) in l.split_whitespace().enumerate() {
            let at = l[offset..].find(tok)? + offset;
            offset = at + tok.len();
            if k > 0 && tok.eq_ignore_ascii_case(want) {
                return Some((n, at + 1, tok.len()));
            }
        }
        None
    })
}

/// `e`, an error simulating the netlist at `path` (expanded into `circuit`), as an error
/// at the line that caused it, when there is one in that file.
pub fn sim_error(path: &Path, circuit: &Circuit, e: &SimError) -> Option<SourceError> {
    let file = SourceFile::read(path).ok()?;
    match e {
        SimError::Invalid(message) => {
            let (name, _) = message.split_once(": ")?;
            let (line, col, len) = element_at(&file, name)?;
            Some(file.error_at(line, col, len, message.clone()))
        }
        SimError::Solver(SolverError::StructurallySingular(k)) if *k >= circuit.nodes.len() => {
            Some(SourceError::file(
                path,
                "a branch current is undetermined: the circuit matrix is structurally singular (a loop of voltage or phase sources, or of inductors and sources?)",
            ))
        }
        SimError::Solver(SolverError::StructurallySingular(k)) => {
            let node = &circuit.nodes[*k];
            let (line, col, len) = node_at(&file, node)?;
            Some(file.error_at(
                line,
                col,
                len,
                format!(
                    "node {node} is undetermined: the circuit matrix is structurally singular (a floating node, or a loop of voltage or phase sources?)"
                ),
            ))
        }
        _ => None,
    }
}
