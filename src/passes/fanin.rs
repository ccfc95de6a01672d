//! Fan-in: k > 1 pulse outputs driving one input become a balanced tree of k − 1
//! mergers (confluence buffers).

use petgraph::stable_graph::NodeIndex;

use crate::ir::{BlockKind, Network};

/// Merges every multiply-driven input.
pub fn run(net: &mut Network) {
    for block in net.blocks() {
        let wires = net.incoming(block);
        let mut ports: Vec<String> = wires.iter().map(|(_, _, w)| w.to_port.clone()).collect();
        ports.sort();
        ports.dedup();
        for port in ports {
            let group: Vec<_> = wires
                .iter()
                .filter(|(_, _, w)| w.to_port == port)
                .cloned()
                .collect();
            if group.len() < 2 {
                continue;
            }
            let sources: Vec<(NodeIndex, String)> = group
                .iter()
                .map(|(e, s, w)| {
                    net.graph.remove_edge(*e);
                    (*s, w.from_port.clone())
                })
                .collect();
            let suffix = if port.is_empty() {
                String::new()
            } else {
                format!("_{port}")
            };
            let stem = format!("{}{suffix}__mrg", net.graph[block].name);
            tree(net, &sources, (block, port.clone()), &stem);
        }
    }
}

fn tree(net: &mut Network, sources: &[(NodeIndex, String)], dst: (NodeIndex, String), stem: &str) {
    if let [(s, p)] = sources {
        net.connect(*s, p, dst.0, &dst.1);
        return;
    }
    let name = net.fresh_name(stem);
    let terminal = net.graph[dst.0].terminal.clone();
    let m = net.add(
        &name,
        BlockKind::Cell {
            cell: "merger".into(),
        },
        terminal,
    );
    net.connect(m, "q", dst.0, &dst.1);
    let half = sources.len().div_ceil(2);
    tree(net, &sources[..half], (m, "a".into()), stem);
    tree(net, &sources[half..], (m, "b".into()), stem);
}
