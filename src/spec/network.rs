//! Checking `network:`: names, cells, connections, port use and loops.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::graph::DiGraph;
use serde_saphyr::Spanned;

use super::design::{Connection, Endpoint, Instance};
use super::located::{error_at, error_at_str, suggest};
use super::model::{ControlValue, InstanceSpec, NetworkSpec};
use crate::cells::Library;
use crate::diagnostic::{SourceError, SourceFile};

/// Names in the network: inputs, outputs and instances share one namespace.
pub struct Names<'a> {
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
    pub instances: Vec<Instance>,
    /// Parameters made for control currents given as values: (name, A, where).
    pub auto_parameters: Vec<(String, f64, serde_saphyr::Location)>,
    /// Parameters named by control ports: (name, where).
    pub parameter_refs: Vec<(String, serde_saphyr::Location)>,
    cells: BTreeMap<String, &'a crate::cells::Cell>,
}

fn is_identifier(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.contains("__")
}

/// Checks names for syntax and duplicates, and instance cells for existence.
pub fn check_names<'a>(
    file: &SourceFile,
    net: &NetworkSpec,
    lib: &'a Library,
) -> Result<Names<'a>, SourceError> {
    let mut seen: BTreeMap<String, (usize, &str)> = BTreeMap::new();
    let mut claim = |s: &Spanned<String>, what: &'static str| -> Result<(), SourceError> {
        if !is_identifier(&s.value) {
            return Err(error_at_str(
                file,
                s,
                format!("`{}` is not a valid {what} name (a letter, then letters, digits or single `_`; `__` is kept for names nmgen makes)", s.value),
            ));
        }
        let key = s.value.to_ascii_lowercase();
        if let Some((line, kind)) = seen.get(&key) {
            return Err(error_at_str(
                file,
                s,
                format!(
                    "duplicate name `{}`: already used for the {kind} on line {line}",
                    s.value
                ),
            ));
        }
        seen.insert(key, (s.referenced.line() as usize, what));
        Ok(())
    };
    let mut names = Names {
        inputs: Vec::new(),
        outputs: Vec::new(),
        instances: Vec::new(),
        auto_parameters: Vec::new(),
        parameter_refs: Vec::new(),
        cells: BTreeMap::new(),
    };
    for i in &net.inputs {
        claim(i, "input")?;
        names.inputs.push(i.value.clone());
    }
    for o in &net.outputs {
        claim(o, "output")?;
        names.outputs.push(o.value.clone());
    }
    for (inst, spec) in &net.cells.0 {
        claim(inst, "instance")?;
        let (cell_name, controls) = match &spec.value {
            InstanceSpec::Cell(c) => (c.clone(), None),
            InstanceSpec::WithControls(map) => match map.get("cell") {
                Some(ControlValue::Text(c)) => (c.clone(), Some(map)),
                _ => {
                    return Err(error_at(
                        file,
                        spec,
                        format!("instance `{}` needs `cell: NAME`", inst.value),
                    ))
                }
            },
        };
        let Some(c) = lib.get(&cell_name) else {
            let mut e = error_at(
                file,
                spec,
                format!(
                    "unknown cell `{cell_name}`; known cells: {}",
                    lib.names().join(", ")
                ),
            );
            e.help = suggest(&cell_name, lib.names());
            return Err(e);
        };
        let mut resolved = Vec::new();
        if let Some(map) = controls {
            for (port, value) in map.iter().filter(|(k, _)| k.as_str() != "cell") {
                let port_l = port.to_ascii_lowercase();
                if !c.controls.contains(&port_l) {
                    return Err(error_at(
                        file,
                        spec,
                        format!(
                            "`{}` cell has no control port `{port}` (control ports: {})",
                            c.name,
                            if c.controls.is_empty() {
                                "none".into()
                            } else {
                                c.controls.join(", ")
                            }
                        ),
                    ));
                }
                let param = match value {
                    ControlValue::Number(v) => Err(*v),
                    ControlValue::Text(t) => match super::quantity::parse_quantity(t) {
                        Some(v) => Err(v),
                        None => Ok(t.to_ascii_lowercase()),
                    },
                };
                let name = match param {
                    Ok(reference) => {
                        names
                            .parameter_refs
                            .push((reference.clone(), inst.referenced));
                        reference
                    }
                    Err(v) => {
                        if !v.is_finite() {
                            return Err(error_at(
                                file,
                                spec,
                                format!("control current `{port}` must be finite"),
                            ));
                        }
                        let auto = format!("{}_{port_l}", inst.value.to_ascii_lowercase());
                        names
                            .auto_parameters
                            .push((auto.clone(), v, inst.referenced));
                        auto
                    }
                };
                resolved.push((port_l, name));
            }
        }
        for port in &c.controls {
            if !resolved.iter().any(|(p, _)| p == port) {
                return Err(error_at(
                    file,
                    spec,
                    format!(
                        "instance `{}` of `{}` needs a current for its control port `{port}`, e.g. `{{ cell: {}, {port}: 135uA }}`",
                        inst.value, c.name, c.name
                    ),
                ));
            }
        }
        names.cells.insert(inst.value.clone(), c);
        names.instances.push(Instance {
            name: inst.value.clone(),
            cell: c.name.clone(),
            controls: resolved,
        });
    }
    if names.inputs.is_empty() {
        return Err(file.error_at(1, 1, 1, "the network has no inputs (`network.inputs`)"));
    }
    if names.outputs.is_empty() {
        return Err(file.error_at(1, 1, 1, "the network has no outputs (`network.outputs`)"));
    }
    Ok(names)
}

/// Where `part` sits inside a spanned string scalar, for a precise error.
fn error_in(file: &SourceFile, s: &Spanned<String>, part: &str, message: String) -> SourceError {
    let start = file.offset_of(s.referenced.line() as usize, s.referenced.column() as usize);
    let quoted = file.text[start..].starts_with(['"', '\'']) as usize;
    let within = s.value.find(part).unwrap_or(0);
    let at = start + quoted + within;
    file.error(at..at + part.len().max(1), message)
}

impl Names<'_> {
    /// Resolves `name` or `instance.port` as a pulse source (`as_source`) or a target.
    fn endpoint(
        &self,
        file: &SourceFile,
        s: &Spanned<String>,
        text: &str,
        as_source: bool,
    ) -> Result<Endpoint, SourceError> {
        let text = text.trim();
        if let Some((inst, port)) = text.split_once('.') {
            let Some(cell) = self.cells.get(inst) else {
                let all = self.instances.iter().map(|i| i.name.as_str());
                let mut e = error_in(
                    file,
                    s,
                    inst,
                    format!("undefined instance `{inst}` in connection"),
                );
                e.help = suggest(inst, all);
                return Err(e);
            };
            let port_l = port.to_ascii_lowercase();
            let ok = if as_source {
                cell.is_output(&port_l)
            } else {
                cell.is_input(&port_l)
            };
            if !ok {
                let valid = if as_source {
                    cell.outputs
                        .iter()
                        .chain(&cell.levels)
                        .cloned()
                        .collect::<Vec<_>>()
                } else {
                    cell.inputs.clone()
                };
                let dir = if as_source { "output" } else { "input" };
                let mut e = error_in(
                    file,
                    s,
                    text,
                    format!(
                        "`{inst}` is a `{}` cell, which has no {dir} port `{port}` ({dir} ports: {})",
                        cell.name,
                        if valid.is_empty() { "none".to_string() } else { valid.join(", ") }
                    ),
                );
                e.help = suggest(port, valid.iter().map(String::as_str));
                return Err(e);
            }
            return Ok(Endpoint::Port {
                instance: inst.to_string(),
                port: port_l,
            });
        }
        let (list, what) = if as_source {
            (&self.inputs, "input")
        } else {
            (&self.outputs, "output")
        };
        if list.iter().any(|n| n == text) {
            return Ok(Endpoint::Terminal(text.to_string()));
        }
        let other = if as_source {
            &self.outputs
        } else {
            &self.inputs
        };
        let msg = if other.iter().any(|n| n == text) {
            format!(
                "`{text}` is a network {} and cannot be a connection {}",
                if as_source { "output" } else { "input" },
                if as_source { "source" } else { "target" }
            )
        } else if self.cells.contains_key(text) {
            format!(
                "`{text}` is an instance: name one of its ports, e.g. `{text}.{}`",
                if as_source { "q" } else { "a" }
            )
        } else {
            format!("undefined {what} `{text}`")
        };
        let mut e = error_in(file, s, text, msg);
        e.help = suggest(text, list.iter().map(String::as_str));
        Err(e)
    }

    fn cell_of(&self, inst: &str) -> &crate::cells::Cell {
        self.cells[inst]
    }
}

/// Parses and resolves `connections` and `layers`.
pub fn check_connections(
    file: &SourceFile,
    net: &NetworkSpec,
    names: &Names,
) -> Result<Vec<Connection>, SourceError> {
    let mut out = Vec::new();
    for c in &net.connections {
        let Some((from, to)) = c.value.split_once("->") else {
            return Err(error_at_str(
                file,
                c,
                format!(
                    "`{}` is not a connection; write `source -> target`, e.g. `a -> j1.a`",
                    c.value
                ),
            ));
        };
        out.push(Connection {
            from: names.endpoint(file, c, from, true)?,
            to: names.endpoint(file, c, to, false)?,
            line: c.referenced.line() as usize,
        });
    }
    for layer in &net.layers {
        if layer.value.from.is_empty() || layer.value.to.is_empty() {
            return Err(error_at(
                file,
                layer,
                "a layer needs at least one `from` and one `to`",
            ));
        }
        for f in &layer.value.from {
            let from = names.endpoint(file, f, &f.value, true)?;
            for t in &layer.value.to {
                out.push(Connection {
                    from: from.clone(),
                    to: names.endpoint(file, t, &t.value, false)?,
                    line: t.referenced.line() as usize,
                });
            }
        }
    }
    let mut seen = BTreeSet::new();
    for c in &out {
        if !seen.insert((c.from.clone(), c.to.clone())) {
            return Err(file.error_at(
                c.line,
                1,
                1,
                format!("connection `{} -> {}` is given twice", c.from, c.to),
            ));
        }
    }
    Ok(out)
}

/// Every instance input driven, every output driven, every input used, levels not split,
/// and no loop through cells that cannot hold state.
pub fn check_wiring(
    file: &SourceFile,
    net: &NetworkSpec,
    names: &Names,
    conns: &[Connection],
) -> Result<(), SourceError> {
    let drives = |e: &Endpoint| conns.iter().filter(|c| &c.from == e).count();
    let driven = |e: &Endpoint| conns.iter().any(|c| &c.to == e);
    for i in &net.inputs {
        if drives(&Endpoint::Terminal(i.value.clone())) == 0 {
            return Err(error_at_str(
                file,
                i,
                format!("input `{}` drives nothing", i.value),
            ));
        }
    }
    for o in &net.outputs {
        if !driven(&Endpoint::Terminal(o.value.clone())) {
            return Err(error_at_str(
                file,
                o,
                format!("output `{}` is driven by nothing", o.value),
            ));
        }
    }
    for (inst, _) in &net.cells.0 {
        let cell = names.cell_of(&inst.value);
        for port in &cell.inputs {
            let e = Endpoint::Port {
                instance: inst.value.clone(),
                port: port.clone(),
            };
            if !driven(&e) {
                return Err(error_at_str(
                    file,
                    inst,
                    format!("input port `{}.{port}` is not connected", inst.value),
                ));
            }
        }
        for port in &cell.levels {
            let e = Endpoint::Port {
                instance: inst.value.clone(),
                port: port.clone(),
            };
            for c in conns.iter().filter(|c| c.from == e) {
                if !matches!(c.to, Endpoint::Terminal(_)) || drives(&e) > 1 {
                    return Err(file.error_at(
                        c.line,
                        1,
                        1,
                        format!("`{e}` is a DC level output: it can only drive one network output"),
                    ));
                }
            }
        }
    }
    check_loops(file, names, conns)
}

fn check_loops(file: &SourceFile, names: &Names, conns: &[Connection]) -> Result<(), SourceError> {
    let mut g = DiGraph::<&str, usize>::new();
    let idx: BTreeMap<&str, _> = names
        .instances
        .iter()
        .map(|i| (i.name.as_str(), g.add_node(i.name.as_str())))
        .collect();
    for c in conns {
        if let (Endpoint::Port { instance: a, .. }, Endpoint::Port { instance: b, .. }) =
            (&c.from, &c.to)
        {
            g.add_edge(idx[a.as_str()], idx[b.as_str()], c.line);
        }
    }
    for scc in petgraph::algo::tarjan_scc(&g) {
        let is_loop = scc.len() > 1 || g.contains_edge(scc[0], scc[0]);
        if !is_loop {
            continue;
        }
        if scc.iter().any(|n| names.cell_of(g[*n]).loop_ok) {
            continue;
        }
        let mut members: Vec<&str> = scc.iter().map(|n| g[*n]).collect();
        members.sort();
        let line = g
            .edge_indices()
            .filter(|e| {
                let (a, b) = g.edge_endpoints(*e).unwrap_or((scc[0], scc[0]));
                scc.contains(&a) && scc.contains(&b)
            })
            .map(|e| g[e])
            .min()
            .unwrap_or(1);
        return Err(file
            .error_at(
                line,
                1,
                1,
                format!(
                    "connection loop through {} — none of these cells can hold state, so a pulse would circulate forever",
                    members.join(", ")
                ),
            )
            .with_help("break the loop with a clocked cell (dff, tff) or mark a user cell `loop_ok: true`"));
    }
    Ok(())
}
