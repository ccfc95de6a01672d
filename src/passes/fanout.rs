//! Fan-out: one pulse output driving k > 1 inputs becomes a balanced tree of k − 1
//! splitters, so every leaf sits ⌈log2 k⌉ or ⌊log2 k⌋ splitters deep.

use petgraph::stable_graph::NodeIndex;

use crate::ir::{BlockKind, Network};

/// Splits every multiply-driven output.
pub fn run(net: &mut Network) {
    for block in net.blocks() {
        // group this block's wires by the port they leave from
        let wires = net.outgoing(block);
        let mut ports: Vec<String> = wires.iter().map(|(_, _, w)| w.from_port.clone()).collect();
        ports.dedup();
        ports.sort();
        ports.dedup();
        for port in ports {
            let group: Vec<_> = wires
                .iter()
                .filter(|(_, _, w)| w.from_port == port)
                .cloned()
                .collect();
            if group.len() < 2 {
                continue;
            }
            let targets: Vec<(NodeIndex, String)> = group
                .iter()
                .map(|(_, t, w)| (*t, w.to_port.clone()))
                .collect();
            // Newest first: petgraph keeps a block's edges in a list, newest at the
            // head, so each removal is O(1) (oldest first was O(k) each, O(k²) in all).
            for (e, _, _) in group.iter().rev() {
                net.graph.remove_edge(*e);
            }
            let stem = format!("{}{}__spl", net.graph[block].name, suffix(&port));
            tree(net, (block, port.clone()), &targets, &stem);
        }
    }
}

fn suffix(port: &str) -> String {
    if port.is_empty() {
        String::new()
    } else {
        format!("_{port}")
    }
}

fn tree(net: &mut Network, src: (NodeIndex, String), targets: &[(NodeIndex, String)], stem: &str) {
    if let [(t, p)] = targets {
        net.connect(src.0, &src.1, *t, p);
        return;
    }
    let name = net.fresh_name(stem);
    let terminal = net.graph[src.0].terminal.clone();
    let s = net.add(
        &name,
        BlockKind::Cell {
            cell: "splitter".into(),
        },
        terminal,
    );
    net.connect(src.0, &src.1, s, "a");
    let half = targets.len().div_ceil(2);
    tree(net, (s, "q0".into()), &targets[..half], stem);
    tree(net, (s, "q1".into()), &targets[half..], stem);
}
