//! Stimulus: each network input becomes a current-pulse source (JoSIM `pwl`)
//! driving a DC/SFQ converter and a source JTL, whose output drives what the input
//! drove. The DC/SFQ makes exactly one SFQ pulse per current pulse over the whole
//! bias range (a current pulse straight into a JTL gives two fluxons at high bias).

use crate::ir::{BlockKind, Network};
use crate::spec::Design;

pub fn run(net: &mut Network, design: &Design) {
    for input in &design.inputs {
        let Some(block) = net.find(&input.name) else {
            continue;
        };
        let terminal = Some(input.name.clone());
        let dcsfq_name = net.fresh_name(&format!("{}__dcsfq", input.name));
        let dcsfq = net.add(
            &dcsfq_name,
            BlockKind::Cell {
                cell: "dcsfq".into(),
            },
            terminal.clone(),
        );
        let jtl_name = net.fresh_name(&format!("{}__src", input.name));
        let jtl = net.add(&jtl_name, BlockKind::Cell { cell: "jtl".into() }, terminal);
        net.connect(dcsfq, "q", jtl, "a");
        for (e, target, wire) in net.outgoing(block) {
            net.graph.remove_edge(e);
            net.connect(jtl, "q", target, &wire.to_port);
        }
        net.graph[block].kind = BlockKind::Source {
            pulses: input.pulses.clone(),
        };
        net.connect(block, "", dcsfq, "a");
    }
}
