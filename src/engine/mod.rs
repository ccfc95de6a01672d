//! Simulation engines behind one interface: the built-in simulator (default) and an
//! installed JoSIM. Both take a netlist (text, or read once for a sweep) with per-run
//! typed edits ([`Run`]) and give the same [`Traces`].

pub mod josim;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::analysis::{Column, Traces};
use crate::circuit::Circuit;
use crate::netlist::edit::{EditError, Edits, Prepared, ScaleTarget};
use crate::sim::{self, SimOptions, Waveforms};

pub use josim::Josim;

/// Why a simulation could not be run.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("JoSIM is not available: {0}")]
    JosimMissing(String),
    #[error("JoSIM failed: {0}")]
    Josim(String),
    #[error("the simulation did not finish within {0:?}")]
    Timeout(Duration),
    #[error("{0}")]
    Io(String),
    #[error(transparent)]
    Netlist(Box<crate::diagnostic::SourceError>),
    #[error("simulation failed: {0}")]
    Sim(#[from] sim::SimError),
    #[error("the netlist has no top-level `.param {0}` to change")]
    UnknownParameter(String),
    #[error("{0}")]
    Unsupported(String),
    #[error("the netlist has no element `{0}` to scale")]
    UnknownElement(String),
}

/// One simulation: a netlist and what to change in it for this run (typed edits of
/// the expanded circuit; the text is never rewritten).
#[derive(Clone)]
pub struct Run<'a> {
    pub netlist: &'a str,
    /// Where the netlist lives (anchors relative `.include`s, names it in errors).
    pub path: PathBuf,
    /// The netlist already read and expanded (sweeps): `netlist` is then not re-read.
    pub prepared: Option<&'a Prepared>,
    /// Top-level `.param` values to set.
    pub parameters: Vec<(String, f64)>,
    /// Thermal noise at this temperature (K), as `.temp`.
    pub temperature: Option<f64>,
    /// Random seed (`.option seed=`) for noise and `.spread`.
    pub seed: Option<u64>,
    /// Multipliers of element groups, bias lines or single elements (`L1|XJ1`).
    pub scales: Vec<(ScaleTarget, f64)>,
    /// Ends the simulation once its outcome is known (built-in engine; JoSIM runs
    /// to the end).
    pub stop: Option<Arc<sim::Stop>>,
}

impl<'a> Run<'a> {
    pub fn new(netlist: &'a str, path: &Path) -> Self {
        Run {
            netlist,
            path: path.to_path_buf(),
            prepared: None,
            parameters: Vec::new(),
            temperature: None,
            seed: None,
            scales: Vec::new(),
            stop: None,
        }
    }

    /// A run of a netlist read once for many runs.
    pub fn prepared(prepared: &'a Prepared) -> Self {
        Run {
            prepared: Some(prepared),
            ..Run::new("", &prepared.path)
        }
    }

    /// This run's changes as circuit edits.
    pub fn edits(&self) -> Edits {
        Edits {
            params: self.parameters.clone(),
            scales: self.scales.clone(),
            temperature: self.temperature,
            seed: self.seed,
        }
    }

    /// The expanded circuit with this run's changes applied.
    pub fn circuit(&self) -> Result<Circuit, EngineError> {
        if let Some(p) = self.prepared {
            return p.circuit(&self.edits()).map_err(EngineError::from);
        }
        // a one-off run: read the text once, with its parameter values
        let prepared = Prepared::parse_with(self.netlist, &self.path, &self.parameters)?;
        let edits = Edits {
            params: Vec::new(),
            ..self.edits()
        };
        prepared.circuit(&edits).map_err(EngineError::from)
    }

    /// The netlist text JoSIM gets: the text as written when nothing changes, else
    /// the edited circuit through the one flat-circuit writer.
    pub fn netlist_text(&self) -> Result<String, EngineError> {
        if self.prepared.is_none() && self.edits().is_empty() {
            return Ok(self.netlist.to_string());
        }
        let circuit = self.circuit()?;
        crate::netlist::write::josim_text(&circuit).map_err(|e| EngineError::Unsupported(e.0))
    }
}

impl From<EditError> for EngineError {
    fn from(e: EditError) -> Self {
        match e {
            EditError::UnknownParameter(p) => EngineError::UnknownParameter(p),
            EditError::UnknownElement(p) => EngineError::UnknownElement(p),
            EditError::Unsupported(p) => EngineError::Unsupported(format!("cannot scale {p}")),
            EditError::Netlist(e) => EngineError::Netlist(e),
        }
    }
}

/// Which simulator runs the netlists.
#[derive(Debug, Clone)]
pub enum Engine {
    /// nmgen's own JoSIM-compatible simulator.
    Builtin {
        mode: sim::Mode,
    },
    Josim(Josim),
}

impl Default for Engine {
    fn default() -> Self {
        Engine::Builtin {
            mode: sim::Mode::Phase,
        }
    }
}

impl Engine {
    pub fn name(&self) -> &'static str {
        match self {
            Engine::Builtin { .. } => "built-in",
            Engine::Josim(_) => "josim",
        }
    }

    /// Simulates one run.
    pub fn simulate(&self, run: &Run) -> Result<Traces, EngineError> {
        match self {
            Engine::Builtin { mode } => {
                let circuit = run.circuit()?;
                let options = SimOptions {
                    mode: *mode,
                    seed: run.seed,
                    apply_spread: true,
                    progress: None,
                    stop: run.stop.clone(),
                };
                Ok(traces(sim::simulate(&circuit, &options)?))
            }
            Engine::Josim(j) if run.prepared.is_none() && run.edits().is_empty() => {
                j.simulate_text(run.netlist)
            }
            Engine::Josim(j) => {
                let circuit = run.circuit()?;
                let text = crate::netlist::write::josim_text(&circuit)
                    .map_err(|e| EngineError::Unsupported(e.0))?;
                let mut traces = j.simulate_text(&text)?;
                // the flat circuit's requests, in order: name JoSIM's columns as ours
                if circuit.probes.len() == traces.columns.len() {
                    for (c, p) in traces.columns.iter_mut().zip(&circuit.probes) {
                        c.name = p.header.clone();
                    }
                }
                Ok(traces)
            }
        }
    }
}

impl Engine {
    /// Simulates `runs`, handing each result to `each` in order until it returns
    /// false. The built-in engine simulates the steps that runs differing only in
    /// their sources have in common once ([`sim::simulate_family`]; the same
    /// results as one run at a time); JoSIM runs each. Either way, inside a
    /// parallel sweep an idle worker takes the later runs ([`sim::in_order`]).
    pub fn simulate_each(
        &self,
        runs: &[Run],
        each: &mut (dyn FnMut(usize, Result<Traces, EngineError>) -> bool + Send),
    ) {
        let one_by_one = |each: &mut (dyn FnMut(usize, Result<Traces, EngineError>) -> bool
                                    + Send)| {
            let order = sim::in_order::InOrder::new(runs.len(), each);
            sim::in_order::run_offered((0..runs.len()).collect(), &|k: usize| {
                if !order.refused() {
                    order.hand_over(k, self.simulate(&runs[k]));
                }
            });
        };
        let Engine::Builtin { mode } = self else {
            return one_by_one(each);
        };
        let Some(first) = runs.first() else {
            return;
        };
        let circuits: Result<Vec<Circuit>, EngineError> = runs.iter().map(Run::circuit).collect();
        let same_seed = runs.iter().all(|r| r.seed == first.seed);
        let (Ok(circuits), true) = (circuits, same_seed) else {
            return one_by_one(each);
        };
        let refs: Vec<&Circuit> = circuits.iter().collect();
        let stops: Vec<Option<Arc<sim::Stop>>> = runs.iter().map(|r| r.stop.clone()).collect();
        let options = SimOptions {
            mode: *mode,
            seed: first.seed,
            apply_spread: true,
            progress: None,
            stop: None,
        };
        sim::simulate_family(&refs, &stops, &options, &mut |k, result| {
            each(k, result.map(traces).map_err(EngineError::from))
        });
    }
}

/// The simulator's table as analysis traces.
pub fn traces(w: Waveforms) -> Traces {
    Traces {
        time: w.time,
        columns: w
            .headers
            .into_iter()
            .zip(w.columns)
            .map(|(name, values)| Column { name, values })
            .collect(),
    }
}

/// Traces in JoSIM's CSV format (`time,"P(B1|XQ)",...`, numbers as `%.6e`).
pub fn josim_csv(traces: &Traces) -> String {
    let mut out = String::from("time");
    for c in &traces.columns {
        out.push_str(",\"");
        out.push_str(&c.name);
        out.push('"');
    }
    out.push('\n');
    for (r, t) in traces.time.iter().enumerate() {
        sim::push_e6(&mut out, *t);
        for c in &traces.columns {
            out.push(',');
            sim::push_e6(&mut out, c.values[r]);
        }
        out.push('\n');
    }
    out
}
