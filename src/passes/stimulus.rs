//! Stimulus: each network input becomes a current-pulse source (JoSIM `pwl`)
//! driving a source JTL, whose output drives what the input drove.

use crate::ir::{BlockKind, Network};
use crate::spec::Design;

pub fn run(net: &mut Network, design: &Design) {
    for input in &design.inputs {
        let Some(block) = net.find(&input.name) else {
            continue;
        };
        let jtl_name = net.fresh_name(&format!("{}__src", input.name));
        let jtl = net.add(
            &jtl_name,
            BlockKind::Cell { cell: "jtl".into() },
            Some(input.name.clone()),
        );
        for (e, target, wire) in net.outgoing(block) {
            net.graph.remove_edge(e);
            net.connect(jtl, "q", target, &wire.to_port);
        }
        net.graph[block].kind = BlockKind::Source {
            pulses: input.pulses.clone(),
        };
        net.connect(block, "", jtl, "a");
    }
}
