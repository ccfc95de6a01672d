//! Flags that do not apply to the kind of input given (`--engine` on an LSM spec,
//! `--events` on an SFQ spec) are errors naming the flag, not silently ignored.

use std::path::Path;

use clap::parser::ValueSource;
use clap::ArgMatches;

use super::Failure;

/// The flags of `nmgen sim` that only an SFQ spec or netlist takes.
pub const SFQ_SIM: [&str; 9] = [
    "level",
    "models",
    "engine",
    "josim",
    "mode",
    "timeout",
    "seed",
    "temperature",
    "vcd",
];

/// The flags of `nmgen margins` that only an SFQ spec takes.
pub const SFQ_MARGINS: [&str; 19] = [
    "level",
    "models",
    "sweep",
    "json",
    "svg",
    "csv",
    "shard",
    "dir",
    "engine",
    "josim",
    "mode",
    "timeout",
    "slurm",
    "tasks",
    "partition",
    "time",
    "cpus_per_task",
    "setup",
    "submit",
];

/// The flags of `nmgen margins --slurm`, for circuit-level SFQ sweeps only.
pub const SLURM: [&str; 7] = [
    "slurm",
    "tasks",
    "partition",
    "time",
    "cpus_per_task",
    "setup",
    "submit",
];

/// The flags written on the command line for the subcommand run.
pub struct Given<'a> {
    matches: Option<&'a ArgMatches>,
}

impl<'a> Given<'a> {
    pub fn of(matches: &'a ArgMatches) -> Self {
        Given {
            matches: matches.subcommand().map(|(_, m)| m),
        }
    }

    /// Whether the user wrote this flag (not a default).
    fn written(&self, id: &str) -> bool {
        let Some(m) = self.matches else {
            return false;
        };
        m.ids().any(|i| i.as_str() == id) && m.value_source(id) == Some(ValueSource::CommandLine)
    }

    /// An error naming the first of `ids` the user wrote, which does not apply to
    /// `input`, described as `what` (`an LSM spec`).
    pub fn reject(&self, input: &Path, what: &str, ids: &[&str]) -> Result<(), Failure> {
        match ids.iter().find(|id| self.written(id)) {
            None => Ok(()),
            Some(id) => Err(Failure::Other(anyhow::anyhow!(
                "--{} does not apply to {}: {what} ({})",
                id.replace('_', "-"),
                input.display(),
                applies_to(id)
            ))),
        }
    }
}

/// Where a flag does apply, for the error message.
fn applies_to(id: &str) -> &'static str {
    match id {
        "events" | "no_verilator" | "out" => "it is for LSM specs",
        "rtl_trace" => "it is for LSM specs simulated under Verilator",
        "temperature" => "it is for SFQ specs",
        "bias_voltage" => "it sets the cost report of SFQ designs",
        "vcd" => "it is for netlists; an SFQ spec writes OUT/<name>.vcd by itself",
        "slurm" | "tasks" | "partition" | "time" | "cpus_per_task" | "setup" | "submit" => {
            "Slurm job arrays run the circuit-level sweeps of SFQ specs"
        }
        _ => "it is for SFQ specs and netlists, which nmgen simulates as circuits",
    }
}

/// A command run on the wrong kind of spec.
pub fn wrong_kind(spec: &Path, command: &str, what: &str) -> Failure {
    let wanted = if what.contains("LSM") { "SFQ" } else { "LSM" };
    Failure::Other(anyhow::anyhow!(
        "`nmgen {command}` is for {wanted} specs; {} is {what}",
        spec.display()
    ))
}
