//! Optional inputs: a neuron whose inhibitory input `inh` is not driven gets what an
//! input without pulses used to give it (`idle -> h.inh`: source, DC/SFQ, JTL), an
//! idle JTL end on the port: a JTL whose input is terminated by a sink
//! (`<neuron>_inh__jtl`, `<neuron>_inh__term`). The neuron then sees the same
//! superconducting JTL output stage on `inh` as when it is driven.

use crate::cells::{Cell, Origin};
use crate::ir::{BlockKind, Network};
use crate::spec::Design;

/// Inputs a spec may leave undriven: the built-in neuron's `inh`.
pub fn is_optional(cell: &Cell, port: &str) -> bool {
    matches!(cell.origin, Origin::Builtin) && cell.name == "neuron" && port == "inh"
}

/// Terminates every undriven optional input.
pub fn run(net: &mut Network, design: &Design) {
    for block in net.blocks() {
        let BlockKind::Cell { cell } = &net.graph[block].kind else {
            continue;
        };
        let Some(cell) = design.library.get(cell) else {
            continue;
        };
        let driven: Vec<String> = net
            .incoming(block)
            .into_iter()
            .map(|(_, _, w)| w.to_port)
            .collect();
        let open: Vec<String> = cell
            .inputs
            .iter()
            .filter(|p| is_optional(cell, p) && !driven.contains(p))
            .cloned()
            .collect();
        for port in open {
            let stem = format!("{}_{port}", net.graph[block].name);
            let jtl_name = net.fresh_name(&format!("{stem}__jtl"));
            let jtl = net.add(&jtl_name, BlockKind::Cell { cell: "jtl".into() }, None);
            let sink_name = net.fresh_name(&format!("{stem}__term"));
            let sink = net.add(
                &sink_name,
                BlockKind::Cell {
                    cell: "sink".into(),
                },
                None,
            );
            // the sink and the JTL input share a node: the JTL's idle input end
            net.connect(sink, "a", jtl, "a");
            net.connect(jtl, "q", block, &port);
        }
    }
}
