//! Synapse loads: every built-in stochastic synapse (`synapse`, `synapse_inh`) drives
//! one JTL, the load its pass curve is measured with (`nmgen characterize synapse`,
//! `characterize models`), before whatever it feeds.
//!
//! The pass probability of the synapse is set by how its output stage shares the
//! weight current with the next cell, so it depends on that cell. Measured at 4.2 K,
//! 8 noise seeds (docs/pulse-level.md, "Synapse loads"): a synapse feeding a merger
//! input directly passes with its sigmoid centre about 6 µA higher (113 µA: 10 % of
//! the pulses instead of 50 %); a `synapse_inh` feeding a neuron's `inh` directly
//! lets almost no inhibition through. Behind one JTL both pass as characterised.
//!
//! The JTL is named `<synapse>__load`; a synapse whose only load already is a JTL or
//! a network output it alone drives (which gets its load JTL from [`super::outputs`])
//! is left alone.

use crate::cells::Origin;
use crate::ir::{BlockKind, Network};
use crate::spec::Design;

/// Whether `cell` is a built-in stochastic synapse.
pub fn is_synapse(design: &Design, cell: &str) -> bool {
    design
        .library
        .get(cell)
        .is_some_and(|c| matches!(c.origin, Origin::Builtin))
        && matches!(cell, "synapse" | "synapse_inh")
}

/// Puts a load JTL after every synapse output that lacks one.
pub fn run(net: &mut Network, design: &Design) {
    for block in net.blocks() {
        let BlockKind::Cell { cell } = &net.graph[block].kind else {
            continue;
        };
        if !is_synapse(design, cell) {
            continue;
        }
        let wires = net.outgoing(block);
        if wires.is_empty() {
            continue;
        }
        if let [(_, dst, _)] = wires.as_slice() {
            let loaded = match &net.graph[*dst].kind {
                BlockKind::Cell { cell } => cell == "jtl",
                // an output gets a load JTL unless several drivers meet there
                BlockKind::Output => net.incoming(*dst).len() == 1,
                _ => false,
            };
            if loaded {
                continue;
            }
        }
        let name = net.fresh_name(&format!("{}__load", net.graph[block].name));
        let terminal = net.graph[block].terminal.clone();
        let jtl = net.add(&name, BlockKind::Cell { cell: "jtl".into() }, terminal);
        let from = wires[0].2.from_port.clone();
        for (e, _, _) in &wires {
            net.graph.remove_edge(*e);
        }
        net.connect(block, &from, jtl, "a");
        for (_, dst, w) in wires {
            net.connect(jtl, "q", dst, &w.to_port);
        }
    }
}
