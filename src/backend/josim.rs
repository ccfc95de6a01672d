//! Writes a lowered network as a JoSIM 2.7 netlist.
//!
//! Layout: a header naming the spec, the junction model and technology `.param`s,
//! the global parameters (`bias` and the spec's own, left symbolic so margin sweeps
//! change them without rebuilding), the cell subcircuits, one `X` line per block in
//! JSIM order (`XNAME SUBCKT nodes…`), the input pulse sources, `.tran` and `.print`.
//! Every node is named after the port that drives it (`J1_Q`), so the netlist reads
//! like the spec.

use std::collections::BTreeSet;
use std::fmt::Write;

use petgraph::stable_graph::NodeIndex;

use crate::ir::{BlockKind, Network};
use crate::spec::{spice, Design};

/// What the netlist prints, for the checks that read it back.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputProbe {
    /// The network output.
    pub output: String,
    /// Printed columns of the output stage, in signal order.
    pub columns: Vec<OutputColumn>,
}

/// What a printed column measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    /// The phase of a junction (`.print p(…)`).
    Phase,
    /// The voltage across a resistor (`.print v(…)`), a DC level.
    Voltage,
}

/// One printed column: a device of an output-stage instance.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputColumn {
    pub quantity: Quantity,
    /// Device inside the instance's subcircuit, upper case (`B1`, `RSK`).
    pub device: String,
    /// The instance, upper case without its `X` (`Q0`).
    pub instance: String,
    /// The CSV header JoSIM writes for it (`P(B1|XQ0)`).
    pub header: String,
}

impl OutputColumn {
    fn new(quantity: Quantity, device: &str, instance: &str) -> Self {
        let letter = match quantity {
            Quantity::Phase => 'P',
            Quantity::Voltage => 'V',
        };
        OutputColumn {
            quantity,
            device: device.to_string(),
            instance: instance.to_string(),
            header: format!("{letter}({device}|X{instance})"),
        }
    }

    /// The `.print` line asking for it: JoSIM prints `p(B1.XQ0)` back as `P(B1|XQ0)`.
    fn print_line(&self) -> String {
        let letter = match self.quantity {
            Quantity::Phase => 'p',
            Quantity::Voltage => 'v',
        };
        format!(".print {letter}({}.X{})", self.device, self.instance)
    }
}

/// A written netlist.
#[derive(Debug, Clone)]
pub struct Netlist {
    pub text: String,
    pub probes: Vec<OutputProbe>,
}

impl Netlist {
    /// The last printed phase column of each pulse output (its load JTL's second
    /// junction), `(output, column)`: where its SFQ pulses are counted.
    pub fn output_phase_columns(&self) -> Vec<(&str, &str)> {
        self.probes
            .iter()
            .filter_map(|p| {
                let last = p.columns.last()?;
                (last.quantity == Quantity::Phase)
                    .then_some((p.output.as_str(), last.header.as_str()))
            })
            .collect()
    }
}

fn node_name(net: &Network, block: NodeIndex, port: &str) -> String {
    let b = &net.graph[block];
    match &b.kind {
        BlockKind::Source { .. } => format!("{}__in", b.name).to_ascii_uppercase(),
        _ => format!("{}_{}", b.name, port).to_ascii_uppercase(),
    }
}

/// The node on a block's port: the driver's node for an input, its own for an output.
fn port_node(net: &Network, block: NodeIndex, port: &str) -> Option<String> {
    if net.graph[block].controls.iter().any(|(p, _)| p == port) {
        return Some(format!("{}_{}", net.graph[block].name, port).to_ascii_uppercase());
    }
    if let Some((_, src, w)) = net
        .incoming(block)
        .into_iter()
        .find(|(_, _, w)| w.to_port == port)
    {
        return Some(node_name(net, src, &w.from_port));
    }
    if net
        .outgoing(block)
        .iter()
        .any(|(_, _, w)| w.from_port == port)
    {
        return Some(node_name(net, block, port));
    }
    None
}

/// Junction names (`B1`, `B2`, …) of a cell's subcircuit, in file order.
fn junctions(cell_text: &str) -> Vec<String> {
    elements(cell_text, 'b')
}

/// Resistor names of a cell's subcircuit, in file order.
fn resistors(cell_text: &str) -> Vec<String> {
    elements(cell_text, 'r')
}

/// Names of the top-level elements of one kind in a cell's subcircuit.
fn elements(cell_text: &str, letter: char) -> Vec<String> {
    let mut depth = 0;
    let mut out = Vec::new();
    for line in cell_text.lines() {
        let first = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match first.as_str() {
            ".subckt" => depth += 1,
            ".ends" => depth -= 1,
            w if depth == 1 && w.starts_with(letter) => out.push(w.to_ascii_uppercase()),
            _ => {}
        }
    }
    out
}

/// The pwl of a source: a triangular current pulse of `amp` rising over `rise` at each start time.
fn pwl(pulses: &[f64], amp: f64, rise: f64) -> String {
    let mut pts = vec!["0 0".to_string()];
    for &t in pulses {
        if t > 0.0 {
            pts.push(format!("{} 0", spice(t)));
        }
        pts.push(format!("{} {}", spice(t + rise), spice(amp)));
        pts.push(format!("{} 0", spice(t + 2.0 * rise)));
    }
    // four points per continuation line keeps long trains readable
    let mut s = String::from("pwl(");
    for (k, p) in pts.iter().enumerate() {
        if k > 0 && k % 4 == 0 {
            s.push_str("\n+ ");
        } else if k > 0 {
            s.push(' ');
        }
        s.push_str(p);
    }
    s.push(')');
    s
}

/// The junction model card and the technology `.param`s the cells are sized from.
pub fn technology_lines(t: &crate::spec::Technology) -> String {
    let j = &t.junction;
    let mut s = format!(
        ".model {} jj(rtype={}, vg={}, cap={}, r0={}, rn={}, icrit={}",
        j.model,
        j.rtype,
        spice(j.vg),
        spice(j.cap),
        spice(j.r0),
        spice(j.rn),
        spice(j.icrit)
    );
    if let Some(d) = j.delv {
        let _ = write!(s, ", delv={}", spice(d));
    }
    if let Some(f) = j.icfct {
        let _ = write!(s, ", icfct={}", spice(f));
    }
    s.push_str(")\n");
    let _ = writeln!(s, ".param nmg_ic={}", spice(j.icrit));
    let _ = writeln!(s, ".param nmg_icrs={}", spice(t.shunt_product));
    let _ = writeln!(s, ".param nmg_lrs={}", spice(t.shunt_inductance_per_ohm));
    let _ = writeln!(s, ".param nmg_bf={}", spice(t.bias_fraction));
    let _ = writeln!(s, ".param nmg_lic={}", spice(t.inductance_factor));
    s
}

/// Writes the netlist.
pub fn write(design: &Design, net: &Network) -> Netlist {
    let t = &design.technology;
    let j = &t.junction;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "* {}.cir: SFQ netlist of `{}`, written by nmgen {}",
        design.name,
        design.name,
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        s,
        "* from {}; change the spec and rebuild rather than editing this file.",
        design.spec_path.display()
    );
    let _ = writeln!(
        s,
        "* Simulate with: josim-cli -o {}.csv {}.cir   (or: nmgen sim {}.cir)",
        design.name, design.name, design.name
    );
    let _ = writeln!(s, "*");
    let _ = writeln!(
        s,
        "* ---- technology: junction model (area 1) and sizing rules used by the cells"
    );
    s.push_str(&technology_lines(t));
    let _ = writeln!(
        s,
        "* ---- global parameters (margin sweeps change these; bias scales every bias current)"
    );
    for (name, value) in &design.parameters {
        let _ = writeln!(s, ".param {name}={}", spice(*value));
    }

    // cells used, in library (name) order; user cells carry their model name as the cell uses it
    let used: BTreeSet<String> = net
        .graph
        .node_weights()
        .filter_map(|b| match &b.kind {
            BlockKind::Cell { cell } => Some(cell.clone()),
            _ => None,
        })
        .collect();
    let _ = writeln!(s, "* ---- cells");
    for name in &used {
        if let Some(cell) = design.library.get(name) {
            let text = match cell.origin {
                crate::cells::Origin::Builtin => cell.text.replace("nmg_jj", &j.model),
                crate::cells::Origin::User(_) => cell.text.to_string(),
            };
            s.push_str(&text);
            if !text.ends_with('\n') {
                s.push('\n');
            }
        }
    }

    let _ = writeln!(s, "* ---- network");
    let mut sources = String::new();
    let mut probes = Vec::new();
    for block in net.blocks() {
        let b = &net.graph[block];
        match &b.kind {
            BlockKind::Cell { cell } => {
                let Some(c) = design.library.get(cell) else {
                    continue;
                };
                let nodes: Vec<String> = c
                    .ports
                    .iter()
                    .map(|p| {
                        port_node(net, block, p)
                            .unwrap_or_else(|| format!("{}_{}_NC", b.name, p).to_ascii_uppercase())
                    })
                    .collect();
                let _ = writeln!(
                    s,
                    "X{} {} {}",
                    b.name.to_ascii_uppercase(),
                    c.subckt,
                    nodes.join(" ")
                );
                for (port, param) in &b.controls {
                    let node = format!("{}_{}", b.name, port).to_ascii_uppercase();
                    let _ = writeln!(s, "I{node} 0 {node} pwl(0 0 20p {param})");
                }
                if design.outputs.contains(&b.name) {
                    let inst = b.name.to_ascii_uppercase();
                    let columns = if c.inputs.is_empty() || c.outputs.is_empty() {
                        // a sink on a DC level: the level is the voltage across its resistor
                        resistors(&c.text)
                            .into_iter()
                            .map(|r| OutputColumn::new(Quantity::Voltage, &r, &inst))
                            .collect()
                    } else {
                        junctions(&c.text)
                            .into_iter()
                            .map(|jn| OutputColumn::new(Quantity::Phase, &jn, &inst))
                            .collect()
                    };
                    probes.push(OutputProbe {
                        output: b.name.clone(),
                        columns,
                    });
                }
            }
            BlockKind::Source { pulses } => {
                let node = node_name(net, block, "");
                let _ = writeln!(
                    sources,
                    "I{}__IN 0 {node} {}",
                    b.name.to_ascii_uppercase(),
                    pwl(pulses, t.source_amplitude, t.source_rise)
                );
            }
            BlockKind::Input | BlockKind::Output => {}
        }
    }
    let _ = writeln!(
        s,
        "* ---- stimulus: triangular current pulses into the source JTLs"
    );
    s.push_str(&sources);
    let _ = writeln!(s, "* ---- analysis");
    let _ = writeln!(
        s,
        ".tran {} {} 0 {}",
        spice(t.tstep),
        spice(t.tstop),
        spice(t.tstep)
    );
    probes.sort_by_key(|p| design.outputs.iter().position(|o| *o == p.output));
    for p in &probes {
        let _ = writeln!(s, "* output {}", p.output);
        for col in &p.columns {
            let _ = writeln!(s, "{}", col.print_line());
        }
    }
    let _ = writeln!(s, ".end");
    Netlist { text: s, probes }
}
