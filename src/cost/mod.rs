//! The cost of an SFQ design, counted from its flattened netlist: junctions and bias
//! current by cell kind, static power of resistive biasing, and (from a simulation)
//! switching energy and latency per inference.
//!
//! - Junctions: every `B` element of the expanded netlist, attributed to the cell
//!   kind of the top-level instance it sits in (`B1|XJ1` → instance `J1`, a `jtl`).
//! - Bias current ΣI_b: every current source that settles to a constant (DC, or the
//!   last point of a PWL: the cells ramp their bias up, the input pulses fall back
//!   to 0), at the spec's global `bias`, with control currents of their instance.
//! - Static power of resistive biasing: P = V_b·ΣI_b, V_b the bias supply voltage
//!   (default 2.5 mV): the power the bias resistors dissipate.
//! - Switching energy: each 2π phase slip of a junction dissipates about Ic·Φ0
//!   (Φ0 = h/2e); summed over every slip of every junction in one run of the spec's
//!   stimulus (one inference), without thermal noise.
//! - Latency: from the first input pulse (stimulus time as written) to the last
//!   output pulse.

mod switching;
mod text;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::circuit::{ElementKind, Waveform};
use crate::diagnostic::SourceError;
use crate::ir::BlockKind;
use crate::spec::Design;

pub use switching::{count_switching, switching_netlist, Switching};

/// The magnetic flux quantum h/2e (Wb).
pub const PHI0: f64 = 2.067833848e-15;

/// Default bias supply voltage of resistive biasing (V).
pub const DEFAULT_BIAS_VOLTAGE: f64 = 2.5e-3;

/// Cost of the instances of one cell kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindCost {
    /// The cell as named in the spec (`jtl`, `dcsfq`, `splitter`, a user cell).
    pub cell: String,
    /// `network` for the instances of the spec and the splitters, mergers and port
    /// terminations nmgen inserts between them, `io` for the input and output stages
    /// nmgen adds around it (DC/SFQ converters, source and load JTLs, output sinks).
    pub role: &'static str,
    pub instances: usize,
    pub junctions: usize,
    /// ΣIc of the junctions (A).
    pub critical_current: f64,
    /// ΣI_b (A).
    pub bias_current: f64,
    /// 2π slips in one simulated inference (`None` before simulating).
    pub switchings: Option<u64>,
    /// Switching energy per inference (J).
    pub switching_energy: Option<f64>,
}

/// The cost report of a design.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostReport {
    pub design: String,
    /// The units of every number below.
    pub units: &'static str,
    /// The global bias scale the currents are taken at.
    pub bias: f64,
    pub kinds: Vec<KindCost>,
    pub junctions: usize,
    pub bias_current: f64,
    pub bias_voltage: f64,
    /// P = V_b·ΣI_b (W).
    pub static_power: f64,
    pub static_power_formula: &'static str,
    /// From a simulation of the spec's stimulus (one inference), if run.
    pub inference: Option<Inference>,
}

/// What one simulated inference costs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inference {
    pub engine: String,
    pub switchings: u64,
    /// Σ n_j·Ic_j·Φ0 (J).
    pub switching_energy: f64,
    /// First input pulse (s), as written in the stimulus.
    pub first_input: Option<f64>,
    /// Last output pulse (s).
    pub last_output: Option<f64>,
    /// last_output − first_input (s).
    pub latency: Option<f64>,
}

/// Where each top-level instance of the netlist came from: `XJ1` → (`jtl`, role).
fn instances(design: &Design) -> BTreeMap<String, (String, &'static str)> {
    let net = crate::passes::lower(design);
    let io_stages = io_stages(design);
    let mut map = BTreeMap::new();
    for block in net.blocks() {
        let b = &net.graph[block];
        if let BlockKind::Cell { cell } = &b.kind {
            let role = if io_stages.contains(b.name.as_str()) {
                "io"
            } else {
                "network"
            };
            map.insert(
                format!("X{}", b.name.to_ascii_uppercase()),
                (cell.clone(), role),
            );
            for (port, _) in &b.controls {
                // the control current of a port: `I<BLOCK>_<PORT>` at the top level
                let node = format!("{}_{}", b.name, port).to_ascii_uppercase();
                map.insert(format!("I{node}"), (cell.clone(), role));
            }
        }
    }
    map
}

/// The names of the input and output stages nmgen adds around the
/// network (`a__dcsfq`, `a__src` for input `a`; the load JTL `q` and `q__sink` for
/// output `q`), as opposed to the spec's instances and the splitters, mergers and
/// port terminations between them.
fn io_stages(design: &Design) -> std::collections::BTreeSet<String> {
    let inputs = design
        .inputs
        .iter()
        .flat_map(|i| [format!("{}__dcsfq", i.name), format!("{}__src", i.name)]);
    let outputs = design
        .outputs
        .iter()
        .flat_map(|o| [o.clone(), format!("{o}__sink")]);
    inputs.chain(outputs).collect()
}

/// The value a source settles to, if it does (DC, or the last point of a PWL).
fn settled(wave: &Waveform) -> Option<f64> {
    match wave {
        Waveform::Dc(v) => Some(*v),
        Waveform::Pwl(points) => points.last().map(|p| p.1),
        _ => None,
    }
}

/// The top-level instance (or top-level element) an element belongs to: the last
/// `|` component of its JoSIM name.
fn owner(name: &str) -> &str {
    name.rsplit('|').next().unwrap_or(name)
}

/// The static cost of a design, from its compiled netlist.
pub fn static_cost(design: &Design, bias_voltage: f64) -> Result<CostReport, SourceError> {
    let netlist = crate::build::compile(design);
    let path = design
        .spec_path
        .with_file_name(format!("{}.cir", design.name));
    let circuit = crate::netlist::parse_str(&netlist.text, &path)?;
    let owners = instances(design);
    // every instance of the netlist, whether or not it holds junctions or sources
    let mut kinds: Vec<KindCost> = Vec::new();
    for (name, (cell, role)) in &owners {
        if !name.starts_with('X') {
            continue;
        }
        match kinds
            .iter_mut()
            .find(|k| &k.cell == cell && k.role == *role)
        {
            Some(k) => k.instances += 1,
            None => kinds.push(KindCost {
                cell: cell.clone(),
                role,
                instances: 1,
                junctions: 0,
                critical_current: 0.0,
                bias_current: 0.0,
                switchings: None,
                switching_energy: None,
            }),
        }
    }
    let kind = |owner: &str, kinds: &[KindCost]| -> Option<usize> {
        let (cell, role) = owners.get(owner)?;
        kinds
            .iter()
            .position(|k| &k.cell == cell && k.role == *role)
    };
    let mut unattributed = 0.0;
    for e in &circuit.elements {
        match &e.kind {
            ElementKind::Junction { model, .. } => {
                if let Some(i) = kind(owner(&e.name), &kinds) {
                    kinds[i].junctions += 1;
                    kinds[i].critical_current += model.ic;
                }
            }
            ElementKind::CurrentSource { wave, .. } => {
                let Some(current) = settled(wave).map(f64::abs) else {
                    continue;
                };
                match kind(owner(&e.name), &kinds) {
                    Some(i) => kinds[i].bias_current += current,
                    None => unattributed += current,
                }
            }
            _ => {}
        }
    }
    kinds.sort_by(|a, b| (a.role != "network", &a.cell).cmp(&(b.role != "network", &b.cell)));
    let bias_current = kinds.iter().map(|k| k.bias_current).sum::<f64>() + unattributed;
    let bias = design
        .parameters
        .iter()
        .find(|(n, _)| n == "bias")
        .map_or(1.0, |p| p.1);
    Ok(CostReport {
        design: design.name.clone(),
        units: "SI: currents in A, voltages in V, power in W, energy in J, times in s",
        bias,
        junctions: kinds.iter().map(|k| k.junctions).sum(),
        kinds,
        bias_current,
        bias_voltage,
        static_power: bias_voltage * bias_current,
        static_power_formula: "P = V_b * sum(I_b)",
        inference: None,
    })
}

impl CostReport {
    /// Adds the switching counts of a simulated inference.
    pub fn with_inference(mut self, design: &Design, s: &Switching, engine: &str) -> Self {
        let owners = instances(design);
        let mut total = 0u64;
        let mut energy = 0.0;
        for k in &mut self.kinds {
            k.switchings = Some(0);
            k.switching_energy = Some(0.0);
        }
        for j in &s.junctions {
            let Some((cell, role)) = owners.get(owner(&j.name)) else {
                continue;
            };
            let e = j.slips as f64 * j.ic * PHI0;
            total += j.slips;
            energy += e;
            if let Some(k) = self
                .kinds
                .iter_mut()
                .find(|k| &k.cell == cell && k.role == *role)
            {
                k.switchings = Some(k.switchings.unwrap_or(0) + j.slips);
                k.switching_energy = Some(k.switching_energy.unwrap_or(0.0) + e);
            }
        }
        let first_input = design
            .inputs
            .iter()
            .flat_map(|i| i.pulses.iter().copied())
            .reduce(f64::min);
        let last_output = s.last_output;
        self.inference = Some(Inference {
            engine: engine.to_string(),
            switchings: total,
            switching_energy: energy,
            first_input,
            last_output,
            latency: first_input.zip(last_output).map(|(a, b)| b - a),
        });
        self
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    pub fn to_text(&self) -> String {
        text::render(self)
    }
}
