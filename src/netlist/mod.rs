//! JoSIM netlist front end: reads JoSIM's dialect into a [`crate::circuit::Circuit`].
//!
//! The stages, one module each: [`lines`] (files, comments, `+` continuations,
//! `.include`, tokens with locations), [`deck`] (main design, `.subckt`, `.param`,
//! `.model`, controls), [`params`] (expression evaluation in dependency order),
//! [`models`] (junction cards and area scaling), [`flatten`] and [`elements`]
//! (instance expansion with JoSIM's hierarchical names), [`sources`] (waveforms),
//! [`controls`] (`.tran`, `.temp`, ...) and [`probes`] (`.print` and friends).
//! Sweeps edit the expanded circuit ([`edit`], bias sources found by [`bias`]) and
//! [`write`] gives an edited circuit back to JoSIM as text.
//!
//! Every mistake in the input is a [`SourceError`] naming file, line, column and the
//! offending text. Things JoSIM only warns about (an output request for an unknown
//! device, a duplicate `.param`) are returned as warnings by [`load_report`].

pub mod bias;
pub mod controls;
pub mod deck;
pub mod edit;
pub mod elements;
pub mod expr;
pub mod flatten;
pub mod lines;
pub mod locate;
pub mod models;
pub mod params;
pub mod probes;
pub mod sources;
pub mod write;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::circuit::Circuit;
use crate::diagnostic::{SourceError, SourceFile};

/// A parsed netlist with what JoSIM would only warn about.
#[derive(Debug)]
pub struct Report {
    pub circuit: Circuit,
    /// Non-fatal problems, located like errors.
    pub warnings: Vec<SourceError>,
    /// `.iv MODEL MAX_CURRENT` requests (recorded, not simulated).
    pub iv_requests: Vec<(String, f64)>,
}

/// A `.subckt` definition as written: its name and ports in the original spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubcircuitInfo {
    pub name: String,
    pub ports: Vec<String>,
    /// The file holding the definition (the netlist itself or an included file).
    pub path: PathBuf,
    /// 1-based line of the `.subckt` line.
    pub line: usize,
}

/// Reads and expands the netlist at `path`, following `.include`.
pub fn load(path: &Path) -> Result<Circuit, SourceError> {
    Ok(load_report(path, &BTreeMap::new())?.circuit)
}

/// As [`load`], with global `.param` values replaced by `overrides` (names
/// case-insensitive; each must be a global parameter of the netlist). Everything that
/// depends on them is evaluated with the new values.
pub fn load_with_params(
    path: &Path,
    overrides: &BTreeMap<String, f64>,
) -> Result<Circuit, SourceError> {
    Ok(load_report(path, overrides)?.circuit)
}

/// As [`load_with_params`], also returning warnings and `.iv` requests.
pub fn load_report(path: &Path, overrides: &BTreeMap<String, f64>) -> Result<Report, SourceError> {
    let file = SourceFile::read(path)?;
    parse_report(&file.text, path, overrides)
}

/// Parses netlist text; `path` names it in errors and anchors relative `.include`s.
pub fn parse_str(text: &str, path: &Path) -> Result<Circuit, SourceError> {
    Ok(parse_report(text, path, &BTreeMap::new())?.circuit)
}

/// The full pipeline on text.
pub fn parse_report(
    text: &str,
    path: &Path,
    overrides: &BTreeMap<String, f64>,
) -> Result<Report, SourceError> {
    let mut netlist = Netlist::parse(text, path)?;
    let mut warnings = std::mem::take(&mut netlist.warnings);
    let mut report = netlist.build(overrides)?;
    warnings.append(&mut report.warnings);
    report.warnings = warnings;
    Ok(report)
}

/// A netlist read and sorted but not yet evaluated: build it again and again with
/// different global parameter values (margin sweeps) without re-reading the files.
#[derive(Debug)]
pub struct Netlist {
    src: lines::Sources,
    deck: deck::Deck,
    /// Problems found while reading (duplicate subcircuits, stray `.ends`).
    pub warnings: Vec<SourceError>,
}

impl Netlist {
    /// Reads the netlist at `path` and the files it includes.
    pub fn read(path: &Path) -> Result<Netlist, SourceError> {
        let file = SourceFile::read(path)?;
        Netlist::parse(&file.text, path)
    }

    /// Reads netlist text; `path` names it in errors and anchors relative `.include`s.
    pub fn parse(text: &str, path: &Path) -> Result<Netlist, SourceError> {
        let netlist = Netlist::parse_cells(text, path)?;
        if netlist.deck.main.is_empty() {
            return Err(SourceError::file(
                path,
                format!(
                    "{}: no elements outside subcircuits (nothing to simulate)",
                    path.display()
                ),
            ));
        }
        Ok(netlist)
    }

    /// Reads a file that may hold only subcircuit definitions (a cell library).
    fn parse_cells(text: &str, path: &Path) -> Result<Netlist, SourceError> {
        let (src, lines) = lines::read(path, text)?;
        let mut deck = deck::build(&src, lines)?;
        let warnings = std::mem::take(&mut deck.warnings);
        Ok(Netlist {
            src,
            deck,
            warnings,
        })
    }

    /// Names (upper case) of the global `.param`s, which `build` can override.
    pub fn global_params(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for p in self.deck.params.iter().filter(|p| p.scope.is_none()) {
            if !names.contains(&p.name.text) {
                names.push(p.name.text.clone());
            }
        }
        names
    }

    /// Evaluates parameters (global ones replaced by `overrides`), models and
    /// controls, and expands the subcircuits. The report's warnings are those of this
    /// stage only (see [`Netlist::warnings`] for the reading stage).
    pub fn build(&self, overrides: &BTreeMap<String, f64>) -> Result<Report, SourceError> {
        let (src, deck) = (&self.src, &self.deck);
        let mut warnings = Vec::new();
        let params = params::evaluate(src, &deck.params, overrides, &mut warnings)?;
        let models = models::evaluate(src, &deck.models, &params, &mut warnings)?;
        let settings = controls::settings(src, &params, &deck.controls, &mut warnings)?;
        // Waveform defaults refer to the transient; JoSIM's own defaults without one.
        let timing = match settings.transient {
            Some(t) => sources::Timing {
                tstep: t.tstep,
                tstop: t.tstop,
            },
            None => sources::Timing {
                tstep: 0.25e-12,
                tstop: 1e-9,
            },
        };
        let mut builder = flatten::Builder::new(src, deck, &params, &models, timing);
        builder.run()?;
        let probes = probes::probes(&mut builder, &deck.controls)?;
        warnings.append(&mut builder.warnings);
        let circuit = Circuit {
            nodes: builder.nodes,
            elements: builder.elements,
            transient: settings.transient,
            probes,
            temperature: settings.temperature,
            noise_bandwidth: settings.noise_bandwidth,
            seed: settings.seed,
            spread: settings.spread,
        };
        Ok(Report {
            circuit,
            warnings,
            iv_requests: settings.iv,
        })
    }
}

/// Expands subcircuit `name` of a cell file on its own, as the one instance `X<NAME>`
/// whose nodes are named after the ports, so that every element, model and
/// parameter of the cell is checked (errors point into the cell file). The file's own
/// top-level elements, if any, are left out.
pub fn check_subcircuit(path: &Path, name: &str) -> Result<Circuit, SourceError> {
    let file = SourceFile::read(path)?;
    let mut netlist = Netlist::parse_cells(&file.text, path)?;
    let upper = name.to_ascii_uppercase();
    let Some(def) = netlist.deck.subckts.get(&upper) else {
        return Err(SourceError::file(
            path,
            format!("{}: no subcircuit named {name}", path.display()),
        ));
    };
    // A synthetic instance line, located at the .subckt name for messages.
    let at = |text: String| lines::Token {
        text,
        ..def.name.clone()
    };
    let mut tokens = vec![at(format!("X{upper}")), at(upper.clone())];
    tokens.extend(def.ports.iter().map(|p| at(p.text.clone())));
    netlist.deck.main = vec![lines::Line { tokens }];
    netlist.deck.controls.clear();
    Ok(netlist.build(&BTreeMap::new())?.circuit)
}

/// The `.subckt` definitions of a cell file (and the files it includes), in order,
/// with ports as written on the `.subckt` line. Only the structure is checked
/// (`.subckt`/`.ends` pairing, known controls), not the elements' values.
pub fn subcircuits(path: &Path) -> Result<Vec<SubcircuitInfo>, SourceError> {
    let file = SourceFile::read(path)?;
    let (src, lines) = lines::read(path, &file.text)?;
    let deck = deck::build(&src, lines)?;
    let mut out = Vec::new();
    for name in &deck.subckt_order {
        let def = &deck.subckts[name];
        let f = &src.files[def.name.file];
        let (line, _) = f.line_col(def.name.start);
        out.push(SubcircuitInfo {
            name: src.raw(&def.name).to_string(),
            ports: def.ports.iter().map(|p| src.raw(p).to_string()).collect(),
            path: f.path.clone(),
            line,
        });
    }
    Ok(out)
}
