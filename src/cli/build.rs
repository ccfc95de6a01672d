//! `nmgen build SPEC -o OUT`: the netlist, its cost report and the manifest.

use std::path::Path;

use anyhow::Context;
use nmgen::spec::Design;

use super::cost::CostArgs;
use super::Failure;

pub fn run(design: &Design, spec: &Path, out: &Path, cost: &CostArgs) -> Result<(), Failure> {
    let mut artifacts = nmgen::build::artifacts(design);
    artifacts.extend(super::cost::artifacts(design, cost)?);
    let written = nmgen::output::write_all(out, spec, &artifacts)
        .with_context(|| format!("writing {}", out.display()))?;
    for p in written {
        println!("wrote {}", p.display());
    }
    Ok(())
}
