use clap::Parser;

/// nmgen: hardware generator for neuromorphic circuits.
#[derive(Parser)]
#[command(version, about)]
struct Cli {}

fn main() {
    let _ = Cli::parse();
}
