//! The `nmgen` command line: wires the library's front ends, passes, back ends,
//! engines and analyses together. No logic of its own lives here.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::run(args)
}
