//! Flags shared by the commands that simulate: which engine, and how.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};
use nmgen::engine::{Engine, Josim};
use nmgen::sim::Mode;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum EngineKind {
    /// nmgen's own JoSIM-compatible simulator (no installation needed).
    Builtin,
    /// An installed JoSIM (`josim-cli` or `josim` on PATH, or --josim).
    Josim,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ModeArg {
    Phase,
    Voltage,
}

#[derive(Args, Debug, Clone)]
pub struct EngineArgs {
    /// Simulator to run.
    #[arg(long, value_enum, default_value = "builtin")]
    pub engine: EngineKind,
    /// Path of the JoSIM executable (implies --engine josim).
    #[arg(long, value_name = "PATH")]
    pub josim: Option<PathBuf>,
    /// Analysis formulation of the built-in simulator (JoSIM's default is phase).
    #[arg(long, value_enum, default_value = "phase")]
    pub mode: ModeArg,
    /// Give up on one JoSIM run after this many seconds.
    #[arg(long, default_value_t = 600, value_name = "SECONDS")]
    pub timeout: u64,
}

impl EngineArgs {
    pub fn engine(&self) -> anyhow::Result<Engine> {
        let mode = match self.mode {
            ModeArg::Phase => Mode::Phase,
            ModeArg::Voltage => Mode::Voltage,
        };
        match (self.engine, &self.josim) {
            (EngineKind::Builtin, None) => Ok(Engine::Builtin { mode }),
            (_, explicit) => Ok(Engine::Josim(Josim::locate(
                explicit.as_deref(),
                Duration::from_secs(self.timeout),
            )?)),
        }
    }
}
