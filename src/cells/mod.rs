//! The cell library: nmgen's built-in SFQ cells (`netlists/*.cir`) and user cells.
//!
//! A cell is a JoSIM `.subckt` plus what nmgen needs to wire it: which ports take
//! pulses in, which give pulses out (or a DC level), and whether it may sit in a loop.

mod builtin;
mod subckt;
mod user;

pub use builtin::{builtin_library, BUILTIN_CELLS};
pub use subckt::{scan_subcircuits, SubcktBlock};
pub use user::load_user_cell;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Where a cell comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    Builtin,
    User(PathBuf),
}

/// A cell nmgen can instantiate.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The name the spec uses (`jtl`, `dff`, or a user cell's name).
    pub name: String,
    /// The `.subckt` name.
    pub subckt: String,
    /// Ports in `.subckt` order.
    pub ports: Vec<String>,
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
    /// Ports that carry a DC level rather than pulses (SFQ/DC output).
    pub levels: Vec<String>,
    /// Ports fed by a DC control current from a global parameter (weights, thresholds).
    pub controls: Vec<String>,
    /// May be part of a connection loop (holds state).
    pub loop_ok: bool,
    /// JoSIM text to place in the netlist: the `.subckt` blocks (and models) it needs.
    pub text: Arc<str>,
    /// Current sources whose role the cell's entry sets (upper-case names inside the
    /// `.subckt`, `IB1` or `IB1|XSUB`), overriding nmgen's classification.
    pub sources: Vec<(String, crate::netlist::bias::SourceRole)>,
    pub origin: Origin,
}

impl Cell {
    pub fn is_input(&self, port: &str) -> bool {
        self.inputs.iter().any(|p| p == port)
    }
    pub fn is_output(&self, port: &str) -> bool {
        self.outputs.iter().any(|p| p == port) || self.is_level(port)
    }
    pub fn is_level(&self, port: &str) -> bool {
        self.levels.iter().any(|p| p == port)
    }
}

/// All cells a design may use, by spec name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Library {
    pub cells: BTreeMap<String, Cell>,
}

impl Library {
    pub fn get(&self, name: &str) -> Option<&Cell> {
        self.cells.get(name)
    }
    pub fn insert(&mut self, cell: Cell) {
        self.cells.insert(cell.name.clone(), cell);
    }
    /// Cell names, for "did you mean" messages.
    pub fn names(&self) -> Vec<&str> {
        self.cells.keys().map(String::as_str).collect()
    }
}
