//! Checking `network:`: names, cells, connections, port use and loops.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::graph::DiGraph;
use serde_saphyr::{Location, Spanned};

use super::design::{Connection, Endpoint, Instance};
use super::index::{element, parse_reference, Range};
use super::located::{error_at, error_at_location, error_at_str};
use super::model::{NameList, NetworkSpec};
use crate::cells::Library;
use crate::diagnostic::{SourceError, SourceFile};

/// Names in the network: inputs, outputs and instances share one namespace.
pub struct Names<'a> {
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
    pub instances: Vec<Instance>,
    /// Parameters made for control currents given as values: (name, A, where).
    pub auto_parameters: Vec<(String, f64, Location)>,
    /// Parameters named by control ports: (name, where).
    pub parameter_refs: Vec<(String, Location)>,
    pub(super) cells: BTreeMap<String, &'a crate::cells::Cell>,
    pub(super) library: &'a Library,
    /// Arrays declared with a range (`h[0..15]`) and chains: base name → index range.
    pub(super) arrays: BTreeMap<String, Range>,
    /// Chains: base name → (input port, output port) of the chained cell.
    pub(super) chains: BTreeMap<String, (String, String)>,
    /// The links inside chains, added after the spec's own connections.
    pub(super) chain_links: Vec<Connection>,
    /// Where each input, output and instance was declared: (location, length).
    pub(super) declared: BTreeMap<String, (Location, usize)>,
    /// Lower-case name → (line, kind) of everything claimed so far.
    seen: BTreeMap<String, (usize, &'static str)>,
}

pub(super) fn is_identifier(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.contains("__")
}

/// An error at bytes `range` of a spanned string scalar.
pub(super) fn error_span(
    file: &SourceFile,
    s: &Spanned<String>,
    range: std::ops::Range<usize>,
    message: impl Into<String>,
) -> SourceError {
    let start = file.offset_of(s.referenced.line() as usize, s.referenced.column() as usize);
    let quoted = file.text[start.min(file.text.len())..].starts_with(['"', '\'']) as usize;
    let at = start + quoted + range.start;
    file.error(at..at + range.len().max(1), message)
}

impl<'a> Names<'a> {
    fn new(library: &'a Library) -> Self {
        Names {
            inputs: Vec::new(),
            outputs: Vec::new(),
            instances: Vec::new(),
            auto_parameters: Vec::new(),
            parameter_refs: Vec::new(),
            cells: BTreeMap::new(),
            library,
            arrays: BTreeMap::new(),
            chains: BTreeMap::new(),
            chain_links: Vec::new(),
            declared: BTreeMap::new(),
            seen: BTreeMap::new(),
        }
    }

    /// Takes `name` for a `what`, or a located duplicate-name error.
    pub(super) fn claim(
        &mut self,
        file: &SourceFile,
        s: &Spanned<String>,
        name: &str,
        what: &'static str,
    ) -> Result<(), SourceError> {
        let key = name.to_ascii_lowercase();
        if let Some((line, kind)) = self.seen.get(&key) {
            return Err(error_at_str(
                file,
                s,
                format!("duplicate name `{name}`: already used for the {kind} on line {line}"),
            ));
        }
        self.seen.insert(key, (s.referenced.line() as usize, what));
        self.declared
            .insert(name.to_string(), (s.referenced, s.value.len()));
        Ok(())
    }

    /// Reads a declaration (`x1`, `h[0..15]`): its elements, and the base of an array.
    pub(super) fn declare(
        &mut self,
        file: &SourceFile,
        s: &Spanned<String>,
        what: &'static str,
    ) -> Result<(Vec<String>, Option<String>), SourceError> {
        let r = parse_reference(&s.value).map_err(|(at, m)| error_span(file, s, at, m))?;
        let invalid = || {
            error_at_str(
                file,
                s,
                format!("`{}` is not a valid {what} name (a letter, then letters, digits or single `_`; `__` is kept for names nmgen makes; `h[0..15]` declares an array)", s.value),
            )
        };
        let first = match &r.index {
            Some((range, _)) => element(&r.base, range.lo),
            None => r.base.clone(),
        };
        if r.port.is_some() || !is_identifier(&r.base) || !is_identifier(&first) {
            return Err(invalid());
        }
        match r.index {
            None => {
                self.claim(file, s, &r.base, what)?;
                Ok((vec![r.base], None))
            }
            Some((range, _)) => {
                self.claim(file, s, &r.base, "array")?;
                let elements: Vec<String> = range.indices().map(|i| element(&r.base, i)).collect();
                for e in &elements {
                    self.claim(file, s, e, what)?;
                }
                self.arrays.insert(r.base.clone(), range);
                Ok((elements, Some(r.base)))
            }
        }
    }

    pub(super) fn cell_of(&self, inst: &str) -> &'a crate::cells::Cell {
        self.cells[inst]
    }
}

/// Checks names for syntax and duplicates, and instance cells for existence.
pub fn check_names<'a>(
    file: &SourceFile,
    net: &NetworkSpec,
    lib: &'a Library,
) -> Result<Names<'a>, SourceError> {
    let mut names = Names::new(lib);
    for i in &net.inputs {
        let (elements, _) = names.declare(file, i, "input")?;
        names.inputs.extend(elements);
    }
    for o in &net.outputs {
        let (elements, _) = names.declare(file, o, "output")?;
        names.outputs.extend(elements);
    }
    for (inst, spec) in &net.cells.0 {
        super::instances::instance(file, &mut names, inst, spec)?;
    }
    if names.inputs.is_empty() {
        return Err(file.error_at(1, 1, 1, "the network has no inputs (`network.inputs`)"));
    }
    if names.outputs.is_empty() {
        return Err(file.error_at(1, 1, 1, "the network has no outputs (`network.outputs`)"));
    }
    Ok(names)
}

/// Parses and resolves `connections` and `layers`; weighted layers add their synapses
/// (and a JTL after each neuron that drives them) to `names`.
pub fn check_connections(
    file: &SourceFile,
    net: &NetworkSpec,
    names: &mut Names,
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
        let sources = names.endpoints(file, c, from, 0, true)?;
        let targets = names.endpoints(file, c, to, from.len() + 2, false)?;
        let line = c.referenced.line() as usize;
        let pairs: Vec<(Endpoint, Endpoint)> = match (sources.len(), targets.len()) {
            (1, _) => targets
                .into_iter()
                .map(|t| (sources[0].clone(), t))
                .collect(),
            (_, 1) => sources
                .into_iter()
                .map(|f| (f, targets[0].clone()))
                .collect(),
            (m, n) if m == n => sources.into_iter().zip(targets).collect(),
            (m, n) => {
                return Err(error_at_str(
                    file,
                    c,
                    format!(
                        "`{}` joins {m} sources to {n} targets: a range connects element-wise to a range of the same length, or one name to many",
                        c.value.trim()
                    ),
                ))
            }
        };
        out.extend(
            pairs
                .into_iter()
                .map(|(from, to)| Connection { from, to, line }),
        );
    }
    let mut jtls = BTreeSet::new();
    for layer in &net.layers {
        if layer.value.weights.is_some() {
            super::layers::weighted(file, layer, names, &mut jtls, &mut out)?;
            continue;
        }
        if let Some(k) = layer
            .value
            .curve
            .as_ref()
            .or(layer.value.curve_inh.as_ref())
        {
            return Err(error_at_str(
                file,
                k,
                "`curve` belongs to a layer with a `.json` weight file",
            ));
        }
        for (knob, name) in [
            (&layer.value.layer.as_ref().map(|k| k.referenced), "layer"),
            (&layer.value.scale.as_ref().map(|k| k.referenced), "scale"),
        ] {
            if let Some(loc) = knob {
                return Err(error_at_location(
                    file,
                    *loc,
                    1,
                    format!("`{name}` belongs to a layer with `weights`"),
                ));
            }
        }
        let from = list(&layer.value.from);
        let to = list(&layer.value.to);
        if from.is_empty() || to.is_empty() {
            return Err(error_at(
                file,
                layer,
                "a layer needs at least one `from` and one `to`",
            ));
        }
        let mut targets = Vec::new();
        for t in &to {
            targets.extend(names.endpoints(file, t, &t.value, 0, false)?);
        }
        for f in &from {
            for from in names.endpoints(file, f, &f.value, 0, true)? {
                for to in &targets {
                    out.push(Connection {
                        from: from.clone(),
                        to: to.clone(),
                        line: f.referenced.line() as usize,
                    });
                }
            }
        }
    }
    out.append(&mut names.chain_links);
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

/// The names of a `from` or `to`, each with its location.
pub(super) fn list(l: &Spanned<NameList>) -> Vec<Spanned<String>> {
    match &l.value {
        NameList::One(s) => vec![Spanned::new(s.clone(), l.referenced, l.defined)],
        NameList::Many(v) => v.clone(),
    }
}

/// Every instance input driven, every output driven, every input used, levels not split,
/// and no loop through cells that cannot hold state.
pub fn check_wiring(
    file: &SourceFile,
    names: &Names,
    conns: &[Connection],
) -> Result<(), SourceError> {
    let mut drives: BTreeMap<&Endpoint, usize> = BTreeMap::new();
    let mut driven: BTreeSet<&Endpoint> = BTreeSet::new();
    for c in conns {
        *drives.entry(&c.from).or_default() += 1;
        driven.insert(&c.to);
    }
    let at = |name: &str, message: String| {
        let (loc, len) = names.declared[name];
        error_at_location(file, loc, len, message)
    };
    for i in &names.inputs {
        if !drives.contains_key(&Endpoint::Terminal(i.clone())) {
            return Err(at(i, format!("input `{i}` drives nothing")));
        }
    }
    for o in &names.outputs {
        if !driven.contains(&Endpoint::Terminal(o.clone())) {
            return Err(at(o, format!("output `{o}` is driven by nothing")));
        }
    }
    for inst in &names.instances {
        let cell = names.cell_of(&inst.name);
        for port in &cell.inputs {
            let e = Endpoint::Port {
                instance: inst.name.clone(),
                port: port.clone(),
            };
            if !driven.contains(&e) && !crate::passes::terminate::is_optional(cell, port) {
                return Err(at(
                    &inst.name,
                    format!("input port `{}.{port}` is not connected", inst.name),
                ));
            }
        }
        for port in &cell.levels {
            let e = Endpoint::Port {
                instance: inst.name.clone(),
                port: port.clone(),
            };
            for c in conns.iter().filter(|c| c.from == e) {
                if !matches!(c.to, Endpoint::Terminal(_)) || drives[&e] > 1 {
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
