//! `nmgen build SPEC -o OUT`.

use std::path::Path;

use anyhow::Context;

use super::Failure;

pub fn run(spec: &Path, out: &Path) -> Result<(), Failure> {
    let design = nmgen::spec::load(spec)?;
    let artifacts = nmgen::build::artifacts(&design);
    let written = nmgen::output::write_all(out, spec, &artifacts)
        .with_context(|| format!("writing {}", out.display()))?;
    for p in written {
        println!("wrote {}", p.display());
    }
    Ok(())
}
