//! Subcircuit expansion: every `X` instance is replaced by the elements of its
//! definition, named the JoSIM way (`B1|XDUT`, innermost instance first), with nodes
//! mapped through the ports and other nodes made unique by the same suffix.
//!
//! `X` lines are read in either order (JSIM `X1 NAME nodes`, SPICE `X1 nodes NAME`):
//! like JoSIM, the token that names a defined subcircuit is the subcircuit and the
//! others are the nodes, in order. `LABEL=VALUE` on an `X` line replaces the value of
//! element LABEL of that instance (the area of a junction, the delay of a line).

use std::cell::Cell;

use foldhash::{HashMap, HashMapExt};

use super::deck::Deck;
use super::lines::{Line, Sources, Token};
use super::models::Models;
use super::params::Params;
use super::sources::Timing;
use crate::circuit::{Element, ElementKind, Node};
use crate::diagnostic::SourceError;

/// Most elements a flattened design may have. Far above any SFQ chip netlist (a few
/// 10^5 junctions); reached only by runaway subcircuit nesting, which would otherwise
/// allocate until the machine runs out of memory.
pub const MAX_ELEMENTS: usize = 10_000_000;

/// Deepest subcircuit nesting (instances within instances): the expansion recurses
/// once per level.
pub const MAX_NESTING: usize = 256;

/// One level of instance nesting.
pub struct Frame {
    /// The subcircuit whose lines are being expanded (`None`: the main design).
    pub scope: Option<String>,
    /// Instance path appended to local names (`|X2|X1`).
    pub suffix: String,
    /// Port name → the node it is connected to: ground, or the full name of a node,
    /// which (as in JoSIM) is numbered only when an element first uses it.
    pub ports: HashMap<String, Option<String>>,
    /// Element label → replacement value, from `LABEL=VALUE` on the `X` line, and
    /// whether it has been used.
    pub overrides: HashMap<String, (Token, Cell<bool>)>,
}

/// A `K` line waiting for all inductors to exist.
pub struct PendingMutual {
    pub index: usize,
    pub inductors: [(Token, String); 2],
}

pub struct Builder<'a> {
    pub src: &'a Sources,
    pub deck: &'a Deck,
    pub params: &'a Params,
    pub models: &'a Models,
    pub timing: Timing,
    pub nodes: Vec<String>,
    pub node_ids: HashMap<String, usize>,
    pub elements: Vec<Element>,
    pub element_ids: HashMap<String, usize>,
    pub mutuals: Vec<PendingMutual>,
    pub frames: Vec<Frame>,
    pub warnings: Vec<SourceError>,
}

impl<'a> Builder<'a> {
    pub fn new(
        src: &'a Sources,
        deck: &'a Deck,
        params: &'a Params,
        models: &'a Models,
        timing: Timing,
    ) -> Self {
        Builder {
            src,
            deck,
            params,
            models,
            timing,
            nodes: Vec::new(),
            node_ids: HashMap::new(),
            elements: Vec::new(),
            element_ids: HashMap::new(),
            mutuals: Vec::new(),
            frames: vec![Frame {
                scope: None,
                suffix: String::new(),
                ports: HashMap::new(),
                overrides: HashMap::new(),
            }],
            warnings: Vec::new(),
        }
    }

    pub fn frame(&self) -> &Frame {
        &self.frames[self.frames.len() - 1]
    }

    pub fn scope(&self) -> Option<&str> {
        self.frame().scope.as_deref()
    }

    /// Expands the main design.
    pub fn run(&mut self) -> Result<(), SourceError> {
        let deck = self.deck;
        let mut memo = HashMap::new();
        let mut total = 0usize;
        for line in &deck.main {
            total = total.saturating_add(flat_size(deck, std::slice::from_ref(line), &mut memo, 0));
            if total > MAX_ELEMENTS {
                return Err(self.src.error(
                    line.first(),
                    format!(
                        "the design flattens to more than {MAX_ELEMENTS} elements (the limit) \
                         by instance {}; check the subcircuit nesting",
                        line.first().text
                    ),
                ));
            }
        }
        self.elements.reserve(total);
        self.element_ids.reserve(total);
        self.nodes.reserve(total);
        self.node_ids.reserve(total);
        self.expand(&deck.main)?;
        self.resolve_mutuals()
    }

    fn expand(&mut self, lines: &'a [Line]) -> Result<(), SourceError> {
        for line in lines {
            if line.first().text.starts_with('X') {
                self.instance(line)?;
            } else {
                self.element(line)?;
            }
        }
        Ok(())
    }

    /// The node a local node name refers to at the current level.
    pub fn node(&mut self, tok: &Token) -> Node {
        let name = tok.text.as_str();
        if name == "0" || name == "GND" {
            return Node::Ground;
        }
        let frame = self.frame();
        let full = match frame.ports.get(name) {
            Some(None) => return Node::Ground,
            Some(Some(outer)) => {
                if let Some(&i) = self.node_ids.get(outer) {
                    return Node::Index(i);
                }
                outer.clone()
            }
            None => format!("{name}{}", frame.suffix),
        };
        if let Some(&i) = self.node_ids.get(&full) {
            return Node::Index(i);
        }
        let i = self.nodes.len();
        self.nodes.push(full.clone());
        self.node_ids.insert(full, i);
        Node::Index(i)
    }

    /// The full name of the node a local node name refers to (`None`: ground),
    /// without numbering it.
    fn node_name(&self, tok: &Token) -> Option<String> {
        let name = tok.text.as_str();
        if name == "0" || name == "GND" {
            return None;
        }
        let frame = self.frame();
        match frame.ports.get(name) {
            Some(target) => target.clone(),
            None => Some(format!("{name}{}", frame.suffix)),
        }
    }

    /// The hierarchical name of a local element label.
    pub fn full_name(&self, label: &str) -> String {
        format!("{label}{}", self.frame().suffix)
    }

    /// The value written for element `label` by the outermost instance that overrides
    /// it, if any.
    pub fn override_for(&self, label: &str) -> Option<&Token> {
        if self.frames.iter().all(|f| f.overrides.is_empty()) {
            return None;
        }
        let suffix = &self.frame().suffix;
        for frame in &self.frames[1..] {
            let inner = &suffix[..suffix.len() - frame.suffix.len()];
            let relative = format!("{label}{inner}");
            if let Some((t, used)) = frame.overrides.get(&relative) {
                used.set(true);
                return Some(t);
            }
        }
        None
    }

    /// Adds an element, rejecting a duplicate name.
    pub fn push(&mut self, label: &Token, kind: ElementKind) -> Result<usize, SourceError> {
        if self.elements.len() >= MAX_ELEMENTS {
            return Err(self.src.error(
                label,
                format!("the design flattens to more than {MAX_ELEMENTS} elements (the limit)"),
            ));
        }
        let name = self.full_name(&label.text);
        if self.element_ids.contains_key(&name) {
            return Err(self
                .src
                .error(label, format!("duplicate element name {name}")));
        }
        let index = self.elements.len();
        self.element_ids.insert(name.clone(), index);
        self.elements.push(Element { name, kind });
        Ok(index)
    }

    fn instance(&mut self, line: &'a Line) -> Result<(), SourceError> {
        let toks = &line.tokens;
        let label = &toks[0];
        let mut subckt: Option<&Token> = None;
        let mut io: Vec<&Token> = Vec::new();
        let mut overrides = HashMap::new();
        let mut i = 1;
        while i < toks.len() {
            let t = &toks[i];
            i += 1;
            if let Some(eq) = t.text.find('=') {
                let key = t.text[..eq].replace('.', "|");
                let value = if eq + 1 < t.text.len() {
                    t.slice(eq + 1..t.text.len())
                } else if let Some(next) = toks.get(i) {
                    i += 1;
                    next.clone()
                } else {
                    return Err(self.src.error(t, format!("`{}` has no value", t.text)));
                };
                overrides.insert(key, (value, Cell::new(false)));
            } else if self.deck.subckts.contains_key(&t.text) {
                if let Some(prev) = subckt.replace(t) {
                    io.push(prev);
                }
            } else {
                io.push(t);
            }
        }
        let Some(name_tok) = subckt else {
            let guess = io
                .iter()
                .find(|t| !t.text.starts_with(|c: char| c.is_ascii_digit()))
                .or(io.last())
                .copied()
                .unwrap_or(label);
            return Err(self.src.error(
                guess,
                format!(
                    "unknown subcircuit `{}` in instance {}",
                    guess.text, label.text
                ),
            ));
        };
        let def = &self.deck.subckts[&name_tok.text];
        if io.len() != def.ports.len() {
            let ports: Vec<&str> = def.ports.iter().map(|p| p.text.as_str()).collect();
            return Err(self.src.error(
                label,
                format!(
                    "instance {} connects {} nodes but subcircuit {} has {} ports ({})",
                    label.text,
                    io.len(),
                    def.name.text,
                    ports.len(),
                    ports.join(" ")
                ),
            ));
        }
        if self.frames.len() > MAX_NESTING {
            return Err(self.src.error(
                label,
                format!("subcircuits are nested more than {MAX_NESTING} levels deep"),
            ));
        }
        if self
            .frames
            .iter()
            .any(|f| f.scope.as_deref() == Some(&def.name.text))
        {
            let chain: Vec<&str> = self.frames[1..]
                .iter()
                .filter_map(|f| f.scope.as_deref())
                .chain([def.name.text.as_str()])
                .collect();
            return Err(self.src.error(
                name_tok,
                format!("subcircuit instantiates itself: {}", chain.join(" -> ")),
            ));
        }
        let mut ports = HashMap::new();
        for (port, node) in def.ports.iter().zip(io) {
            let target = self.node_name(node);
            ports.entry(port.text.clone()).or_insert(target);
        }
        let suffix = format!("|{}{}", label.text, self.frame().suffix);
        self.frames.push(Frame {
            scope: Some(def.name.text.clone()),
            suffix,
            ports,
            overrides,
        });
        let result = self.expand(&def.lines);
        if let Some(frame) = self.frames.pop() {
            let mut unused: Vec<(&String, &Token)> = frame
                .overrides
                .iter()
                .filter(|(_, (_, used))| !used.get())
                .map(|(k, (t, _))| (k, t))
                .collect();
            unused.sort_by_key(|(_, t)| t.start);
            for (key, tok) in unused {
                self.warnings.push(self.src.error(
                    tok,
                    format!(
                        "{key}= on {} matches no element of {}; ignored",
                        label.text, def.name.text
                    ),
                ));
            }
        }
        result
    }

    fn resolve_mutuals(&mut self) -> Result<(), SourceError> {
        for m in std::mem::take(&mut self.mutuals) {
            let mut idx = [0usize; 2];
            for (k, (tok, full)) in m.inductors.iter().enumerate() {
                match self.element_ids.get(full) {
                    Some(&i) if matches!(self.elements[i].kind, ElementKind::Inductor { .. }) => {
                        idx[k] = i
                    }
                    Some(_) => {
                        return Err(self.src.error(
                            tok,
                            format!("{full} is not an inductor; K couples two inductors"),
                        ))
                    }
                    None => {
                        return Err(self
                            .src
                            .error(tok, format!("no inductor named {full} to couple")))
                    }
                }
            }
            if let ElementKind::Mutual { l1, l2, .. } = &mut self.elements[m.index].kind {
                *l1 = idx[0];
                *l2 = idx[1];
            }
        }
        Ok(())
    }
}

/// How many elements `lines` expand to (for the element limit and reserving memory),
/// saturating at `usize::MAX`. A subcircuit that instantiates itself counts as empty
/// inside itself: the expansion reports the cycle.
fn flat_size<'d>(
    deck: &'d Deck,
    lines: &'d [Line],
    memo: &mut HashMap<&'d str, usize>,
    depth: usize,
) -> usize {
    if depth > MAX_NESTING {
        return 0; // the expansion reports the nesting
    }
    let mut n = 0usize;
    for line in lines {
        let toks = &line.tokens;
        if !toks[0].text.starts_with('X') {
            n = n.saturating_add(1);
            continue;
        }
        let Some((key, def)) = toks[1..]
            .iter()
            .find_map(|t| deck.subckts.get_key_value(&t.text))
        else {
            continue;
        };
        let key = key.as_str();
        let size = match memo.get(key) {
            Some(&s) => s,
            None => {
                // Mark as in progress: a cycle back to `key` adds nothing.
                memo.insert(key, 0);
                let s = flat_size(deck, &def.lines, memo, depth + 1);
                memo.insert(key, s);
                s
            }
        };
        n = n.saturating_add(size);
    }
    n
}
