//! Outputs: each network output gets a load JTL and a sink, whose junctions the
//! checks read; a DC-level output (SFQ/DC) goes straight into a sink, whose
//! voltage is read. Cell outputs that
//! drive nothing are terminated with a sink so no pulse reflects back.

use crate::ir::{BlockKind, Network};
use crate::spec::Design;

pub fn run(net: &mut Network, design: &Design) {
    for output in &design.outputs {
        let Some(block) = net.find(output) else {
            continue;
        };
        let level = net
            .incoming(block)
            .iter()
            .any(|(_, src, w)| match &net.graph[*src].kind {
                BlockKind::Cell { cell } => design
                    .library
                    .get(cell)
                    .is_some_and(|c| c.is_level(&w.from_port)),
                _ => false,
            });
        if level {
            // a DC level goes straight into a sink; its voltage is the output
            net.graph[block].kind = BlockKind::Cell {
                cell: "sink".into(),
            };
            for (e, src, wire) in net.incoming(block) {
                net.graph.remove_edge(e);
                net.connect(src, &wire.from_port, block, "a");
            }
            continue;
        }
        // the output block becomes the load JTL; a sink terminates it
        net.graph[block].kind = BlockKind::Cell { cell: "jtl".into() };
        for (e, src, wire) in net.incoming(block) {
            net.graph.remove_edge(e);
            net.connect(src, &wire.from_port, block, "a");
        }
        let sink_name = net.fresh_name(&format!("{output}__sink"));
        let sink = net.add(
            &sink_name,
            BlockKind::Cell {
                cell: "sink".into(),
            },
            Some(output.clone()),
        );
        net.connect(block, "q", sink, "a");
    }
    // terminate unused pulse outputs of cells
    for block in net.blocks() {
        let BlockKind::Cell { cell } = &net.graph[block].kind else {
            continue;
        };
        let Some(cell) = design.library.get(cell) else {
            continue;
        };
        let used: Vec<String> = net
            .outgoing(block)
            .into_iter()
            .map(|(_, _, w)| w.from_port)
            .collect();
        for port in cell.outputs.clone() {
            if used.contains(&port) {
                continue;
            }
            let stem = format!("{}_{port}__sink", net.graph[block].name);
            let name = net.fresh_name(&stem);
            let sink = net.add(
                &name,
                BlockKind::Cell {
                    cell: "sink".into(),
                },
                None,
            );
            net.connect(block, &port, sink, "a");
        }
    }
}
