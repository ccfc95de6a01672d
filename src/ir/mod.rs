//! The network IR: blocks (cells, network terminals, pulse sources) joined by wires
//! from an output port to an input port, on a petgraph graph.
//!
//! [`Network::from_design`] builds it from a checked spec; the [`crate::passes`] then
//! make every wire point-to-point (splitter and merger trees), attach pulse sources
//! to the inputs and loads to the outputs. The JoSIM back end writes what is left.

use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableDiGraph};
use petgraph::visit::EdgeRef;
use petgraph::Direction;

use crate::spec::{Design, Endpoint};

/// What a block is.
#[derive(Debug, Clone, PartialEq)]
pub enum BlockKind {
    /// An instance of a library cell.
    Cell { cell: String },
    /// A network input, before the stimulus pass.
    Input,
    /// A network output, before the output pass.
    Output,
    /// A current-pulse source (JoSIM pwl) for an input: pulse start times (s).
    Source { pulses: Vec<f64> },
}

/// A block of the network.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// Unique name; nmgen-made blocks contain `__` (user names may not).
    pub name: String,
    pub kind: BlockKind,
    /// For blocks made by a pass: the network input/output they serve.
    pub terminal: Option<String>,
    /// Creation order (node indices of a stable graph are reused, this is not).
    pub seq: usize,
    /// Control port → global parameter with its DC current.
    pub controls: Vec<(String, String)>,
}

/// A wire from an output port to an input port (terminal blocks use port `""`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wire {
    pub from_port: String,
    pub to_port: String,
    /// Creation order.
    pub seq: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Network {
    pub graph: StableDiGraph<Block, Wire>,
    next_seq: usize,
    /// Block name → block: [`Network::find`] and [`Network::fresh_name`] in
    /// constant time (a fan-out to thousands of targets adds thousands of
    /// splitters; a scan per name made building it cubic).
    names: std::collections::HashMap<String, NodeIndex>,
    /// Stem → the next suffix [`Network::fresh_name`] tries.
    next_suffix: std::cell::RefCell<std::collections::HashMap<String, u64>>,
}

impl Network {
    /// The network as the spec wrote it.
    pub fn from_design(design: &Design) -> Network {
        let mut net = Network::default();
        for i in &design.inputs {
            net.add(&i.name, BlockKind::Input, Some(i.name.clone()));
        }
        for inst in &design.instances {
            let kind = BlockKind::Cell {
                cell: inst.cell.clone(),
            };
            let b = net.add(&inst.name, kind, None);
            net.graph[b].controls = inst.controls.clone();
        }
        for o in &design.outputs {
            net.add(o, BlockKind::Output, Some(o.clone()));
        }
        for c in &design.connections {
            let (a, pa) = net.endpoint(&c.from);
            let (b, pb) = net.endpoint(&c.to);
            net.connect(a, &pa, b, &pb);
        }
        net
    }

    fn endpoint(&self, e: &Endpoint) -> (NodeIndex, String) {
        match e {
            Endpoint::Terminal(n) => (
                self.find(n).expect("checked spec names resolve"),
                String::new(),
            ),
            Endpoint::Port { instance, port } => (
                self.find(instance).expect("checked spec names resolve"),
                port.clone(),
            ),
        }
    }

    pub fn add(&mut self, name: &str, kind: BlockKind, terminal: Option<String>) -> NodeIndex {
        self.next_seq += 1;
        let n = self.graph.add_node(Block {
            name: name.to_string(),
            kind,
            terminal,
            seq: self.next_seq,
            controls: Vec::new(),
        });
        self.names.entry(name.to_string()).or_insert(n);
        n
    }

    pub fn connect(
        &mut self,
        a: NodeIndex,
        from_port: &str,
        b: NodeIndex,
        to_port: &str,
    ) -> EdgeIndex {
        self.next_seq += 1;
        self.graph.add_edge(
            a,
            b,
            Wire {
                from_port: from_port.to_string(),
                to_port: to_port.to_string(),
                seq: self.next_seq,
            },
        )
    }

    pub fn find(&self, name: &str) -> Option<NodeIndex> {
        self.names
            .get(name)
            .copied()
            .filter(|n| self.graph.node_weight(*n).is_some_and(|b| b.name == name))
    }

    /// A name not yet used, from a stem: `stem`, `stem1`, `stem2`, …
    pub fn fresh_name(&self, stem: &str) -> String {
        let taken = |n: &str| self.find(n).is_some();
        if !taken(stem) {
            return stem.to_string();
        }
        let mut hints = self.next_suffix.borrow_mut();
        let next = hints.entry(stem.to_string()).or_insert(1);
        // suffixes below `next` were taken when last asked (names are never removed)
        let (k, name) = (*next..)
            .map(|k| (k, format!("{stem}{k}")))
            .find(|(_, n)| !taken(n))
            .unwrap_or_default();
        *next = k;
        name
    }

    /// Outgoing wires of a block, in the order they were made.
    pub fn outgoing(&self, n: NodeIndex) -> Vec<(EdgeIndex, NodeIndex, Wire)> {
        let mut v: Vec<_> = self
            .graph
            .edges_directed(n, Direction::Outgoing)
            .map(|e| (e.id(), e.target(), e.weight().clone()))
            .collect();
        v.sort_by_key(|(_, _, w)| w.seq);
        v
    }

    /// Incoming wires of a block, in the order they were made.
    pub fn incoming(&self, n: NodeIndex) -> Vec<(EdgeIndex, NodeIndex, Wire)> {
        let mut v: Vec<_> = self
            .graph
            .edges_directed(n, Direction::Incoming)
            .map(|e| (e.id(), e.source(), e.weight().clone()))
            .collect();
        v.sort_by_key(|(_, _, w)| w.seq);
        v
    }

    /// Blocks in a stable order (creation order).
    pub fn blocks(&self) -> Vec<NodeIndex> {
        let mut v: Vec<_> = self.graph.node_indices().collect();
        v.sort_by_key(|n| self.graph[*n].seq);
        v
    }

    /// How many blocks are instances of `cell`.
    pub fn count_cells(&self, cell: &str) -> usize {
        self.graph
            .node_weights()
            .filter(|b| matches!(&b.kind, BlockKind::Cell { cell: c } if c == cell))
            .count()
    }
}
