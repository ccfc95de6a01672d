//! Simulation engines behind one interface: the built-in simulator (default) and an
//! installed JoSIM. Both take a netlist text with per-run changes ([`Run`]) and give
//! the same [`Traces`].

pub mod josim;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::analysis::{Column, Traces};
use crate::backend::overrides;
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
    #[error("the netlist has no `.model {0}` with `{1}=` to scale")]
    UnknownModelValue(String, String),
}

/// One simulation: a netlist and what to change in it for this run.
#[derive(Debug, Clone)]
pub struct Run<'a> {
    pub netlist: &'a str,
    /// Where the netlist lives (anchors relative `.include`s, names it in errors).
    pub path: PathBuf,
    /// Top-level `.param` values to set.
    pub parameters: Vec<(String, f64)>,
    /// `(model, key, factor)`: model card values to scale (e.g. all critical currents).
    pub model_scales: Vec<(String, String, f64)>,
    /// Thermal noise at this temperature (K), as `.temp`.
    pub temperature: Option<f64>,
    /// Random seed (`.option seed=`) for noise and `.spread`.
    pub seed: Option<u64>,
    /// Single elements to scale by name (`L1|XJ1`, `B2|XQ`): the built-in engine only,
    /// since a JoSIM subcircuit is shared by all its instances.
    pub element_scales: Vec<(String, f64)>,
}

impl<'a> Run<'a> {
    pub fn new(netlist: &'a str, path: &Path) -> Self {
        Run {
            netlist,
            path: path.to_path_buf(),
            parameters: Vec::new(),
            model_scales: Vec::new(),
            temperature: None,
            seed: None,
            element_scales: Vec::new(),
        }
    }

    /// The netlist text with this run's changes applied.
    pub fn netlist_text(&self) -> Result<String, EngineError> {
        let (mut text, missing) = overrides::set_parameters(self.netlist, &self.parameters);
        if let Some(name) = missing.into_iter().next() {
            return Err(EngineError::UnknownParameter(name));
        }
        for (model, key, factor) in &self.model_scales {
            text = overrides::scale_model(&text, model, key, *factor)
                .ok_or_else(|| EngineError::UnknownModelValue(model.clone(), key.clone()))?;
        }
        match (self.temperature, self.seed) {
            (Some(t), seed) => text = overrides::set_noise(&text, t, seed.unwrap_or(1)),
            (None, Some(seed)) => text = overrides::set_seed(&text, seed),
            (None, None) => {}
        }
        Ok(text)
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
                let text = run.netlist_text()?;
                let mut circuit = crate::netlist::parse_str(&text, &run.path)
                    .map_err(|e| EngineError::Netlist(Box::new(e)))?;
                for (name, factor) in &run.element_scales {
                    scale_element(&mut circuit, name, *factor)?;
                }
                let options = SimOptions {
                    mode: *mode,
                    seed: run.seed,
                    apply_spread: true,
                    progress: None,
                    stop: None,
                };
                Ok(traces(sim::simulate(&circuit, &options)?))
            }
            Engine::Josim(_) if !run.element_scales.is_empty() => Err(EngineError::Unsupported(
                "scaling single elements needs the built-in engine (JoSIM shares a subcircuit between its instances)".into(),
            )),
            Engine::Josim(j) => j.simulate(run),
        }
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

/// Multiplies one element's value: R, L, C, a junction's critical current, or a
/// current source's amplitude.
fn scale_element(
    circuit: &mut crate::circuit::Circuit,
    name: &str,
    factor: f64,
) -> Result<(), EngineError> {
    use crate::circuit::{ElementKind, Waveform};
    let upper = name.to_ascii_uppercase().replace('.', "|");
    let element = circuit
        .elements
        .iter_mut()
        .find(|e| e.name == upper)
        .ok_or_else(|| EngineError::UnknownElement(name.to_string()))?;
    match &mut element.kind {
        ElementKind::Resistor { r, .. } => *r *= factor,
        ElementKind::Inductor { l, .. } => *l *= factor,
        ElementKind::Capacitor { c, .. } => *c *= factor,
        ElementKind::Junction { model, .. } => model.ic *= factor,
        ElementKind::CurrentSource { wave, .. } => match wave {
            Waveform::Dc(v) => *v *= factor,
            Waveform::Pwl(points) => points.iter_mut().for_each(|(_, v)| *v *= factor),
            _ => {
                return Err(EngineError::Unsupported(format!(
                    "cannot scale the waveform of `{name}`"
                )))
            }
        },
        _ => {
            return Err(EngineError::Unsupported(format!(
                "cannot scale element `{name}`"
            )))
        }
    }
    Ok(())
}
