//! The compile pipeline: checked spec → IR → passes → JoSIM netlist artifacts.

use crate::backend::josim::{self, Netlist};
use crate::output::Artifact;
use crate::passes;
use crate::spec::Design;

/// Compiles a design into its netlist.
pub fn compile(design: &Design) -> Netlist {
    let net = passes::lower(design);
    josim::write(design, &net)
}

/// The files `nmgen build` writes for an SFQ design (the manifest is added on writing).
pub fn artifacts(design: &Design) -> Vec<Artifact> {
    let netlist = compile(design);
    vec![Artifact::new(format!("{}.cir", design.name), netlist.text)]
}
