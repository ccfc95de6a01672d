//! `nmgen completions SHELL` and `nmgen man`: shell completions and the manual page,
//! generated from the same clap definitions the command parses with.

use clap::CommandFactory;

use super::{Cli, Failure};

pub fn completions(shell: clap_complete::Shell) -> Result<(), Failure> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "nmgen", &mut std::io::stdout());
    Ok(())
}

/// The page lists every subcommand with its summary; `nmgen help CMD` has the flags.
pub fn man() -> Result<(), Failure> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| anyhow::anyhow!("rendering the manual page: {e}"))?;
    use std::io::Write;
    std::io::stdout()
        .write_all(&out)
        .map_err(|e| anyhow::anyhow!("writing the manual page: {e}"))?;
    Ok(())
}
