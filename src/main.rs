//! The `nmgen` command line: wires the library's front ends, passes, back ends,
//! engines and analyses together. No logic of its own lives here.

mod cli;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

fn main() -> ExitCode {
    let matches = cli::Cli::command().get_matches();
    let args = cli::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    cli::run(args, &matches)
}
