//! Compiler passes over the network IR, run in this order by [`lower`]:
//! 0. [`load`]: every stochastic synapse gets a load JTL, the load its pass curve is
//!    measured with;
//! 1. [`fanout`]: a pulse output driving k > 1 inputs becomes a balanced splitter tree;
//! 2. [`fanin`]: k > 1 pulse outputs driving one input become a balanced merger tree;
//! 3. [`stimulus`]: each network input gets a current-pulse source and a source JTL;
//! 4. [`outputs`]: each network output gets a load JTL and a sink (or a resistor for a
//!    DC level), and unused cell outputs get a sink;
//! 5. [`terminate`]: an undriven neuron `inh` gets an idle JTL end (a JTL and a sink).
//!
//! Biasing needs no rewriting: every cell's bias sources are written in terms of the
//! global `bias` parameter (see `netlists/`), so the back end only declares it.

pub mod fanin;
pub mod fanout;
pub mod load;
pub mod outputs;
pub mod stimulus;
pub mod terminate;

use crate::ir::Network;
use crate::spec::Design;

/// Runs every pass: the result has only point-to-point wires between cells,
/// sources and loads.
pub fn lower(design: &Design) -> Network {
    let mut net = Network::from_design(design);
    load::run(&mut net, design);
    fanout::run(&mut net);
    fanin::run(&mut net);
    stimulus::run(&mut net, design);
    outputs::run(&mut net, design);
    terminate::run(&mut net, design);
    net
}
