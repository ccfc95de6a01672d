//! The network as the pulse-level simulator sees it: flat arrays of cells (kind,
//! delay, one parameter), point-to-point wires from an output port to an input port,
//! the input pulses, and the cells whose output pulses are observed.
//!
//! [`PulseNet::from_design`] lowers a spec through nmgen's passes (splitter and merger
//! trees, DC/SFQ sources, load JTLs) exactly as for the circuit level and gives every
//! cell its model; [`NetBuilder`] builds large networks directly.

use super::models::{CellModels, Delay, OutputFire, PlateauEntry, MAX_THRESHOLD_POINTS};
use super::PulseError;
use crate::ir::BlockKind;
use crate::spec::Design;

/// What a cell does with a pulse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One in, one out, after a delay (JTL, DC/SFQ).
    Delay,
    /// One in, both outputs q0 and q1.
    Splitter,
    /// Two inputs, one output; pulses closer than the collision time leave as one.
    Merger,
    /// a stores, clk reads out destructively to q.
    Dff,
    /// Odd input pulses leave on qb (port 1), even ones on q (port 0).
    Tff,
    /// Passes a pulse with a probability.
    Synapse,
    /// Leaky integrate-and-fire: a excitatory, inh (port 1) inhibitory.
    Neuron,
    /// Absorbs pulses.
    Sink,
}

/// No wire on a port.
pub const NONE: u32 = u32::MAX;

/// A network ready to simulate. Times in seconds.
#[derive(Debug, Clone, Default)]
pub struct PulseNet {
    pub names: Vec<String>,
    pub kinds: Vec<Kind>,
    /// Mean and standard deviation of the delay (s).
    pub delay: Vec<(f64, f64)>,
    /// Synapse: pass probability; neuron: threshold (fluxons); merger: collision time (s).
    pub param: Vec<f64>,
    /// For output port k (0, 1) of cell i, `targets[2i + k]` = (cell << 1) | input port.
    pub targets: Vec<u32>,
    /// Input pulses: (time, (cell << 1) | input port).
    pub stimulus: Vec<(f64, u32)>,
    /// Observed outputs: (name, cell whose port-0 pulses are the output's pulses).
    pub observed: Vec<(String, u32)>,
    /// Shared neuron constants.
    pub neuron: NeuronConstants,
}

/// What every neuron shares (times in s, rates per s, flux in input quanta); see
/// [`super::models::NeuronModel`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NeuronConstants {
    pub leak_tau: f64,
    pub inh_tau: f64,
    pub inh_fluxons: f64,
    pub refractory: f64,
    /// Fire probability: logistic in the overdrive D − θ with a width (fluxons) that
    /// depends on θ: (θ, width) points in ascending θ, the first `widths_len` used.
    pub widths: [(f64, f64); MAX_THRESHOLD_POINTS],
    pub widths_len: usize,
    /// Fire latency after the entry: lognormal, median `latency_median`·exp(−slope·x) (s),
    /// σ of its logarithm.
    pub latency_median: f64,
    pub latency_slope: f64,
    pub latency_log_sigma: f64,
    /// Entry of an excitatory quantum: logistic in the stored flux s (fluxons).
    pub entry_centre: f64,
    pub entry_scale: f64,
    /// The fire led by the output junction, if the model has one.
    pub output_fire: Option<OutputFire>,
    /// A merger driving `inh` directly: pass probability logistic in h (centre, scale;
    /// scale 0: every pulse passes).
    pub inh_merger_centre: f64,
    pub inh_merger_scale: f64,
    /// A synapse driving `inh` (through its load JTL): pass probability of the pulses
    /// its weight passes, falling with h to a plateau (absent: every pulse passes).
    pub inh_synapse_entry: Option<PlateauEntry>,
}

impl NeuronConstants {
    /// The width of the fire probability at threshold `theta`: linear between the
    /// measured points, constant beyond them.
    pub fn fire_width(&self, theta: f64) -> f64 {
        let p = &self.widths[..self.widths_len];
        match p {
            [] => f64::MIN_POSITIVE,
            [only] => only.1,
            _ => {
                if theta <= p[0].0 {
                    return p[0].1;
                }
                for w in p.windows(2) {
                    if theta <= w[1].0 {
                        let f = (theta - w[0].0) / (w[1].0 - w[0].0);
                        return w[0].1 + f * (w[1].1 - w[0].1);
                    }
                }
                p[p.len() - 1].1
            }
        }
    }

    /// Probability that the neuron fires at overdrive `x` = drive − θ (fluxons).
    pub fn fire_probability(&self, x: f64, theta: f64) -> f64 {
        1.0 / (1.0 + (-x / self.fire_width(theta)).exp())
    }

    /// Probability that the fire led by the output junction happens at stored flux `s`,
    /// inhibition `h` and threshold `theta` (0 without that path).
    pub fn output_fire_probability(&self, s: f64, h: f64, theta: f64) -> f64 {
        self.output_fire.map_or(0.0, |o| {
            1.0 / (1.0 + (-o.overdrive(s, h, theta) / o.width_fluxons).exp())
        })
    }

    /// Probability that a pulse a merger passes reaches the `inh` input it drives
    /// directly, at the neuron's inhibition `h`.
    pub fn inh_merger_probability(&self, h: f64) -> f64 {
        if self.inh_merger_scale > 0.0 {
            1.0 / (1.0 + ((h - self.inh_merger_centre) / self.inh_merger_scale).exp())
        } else {
            1.0
        }
    }

    /// The fire latency (s) at overdrive `x` for a standard normal draw `z`.
    pub fn fire_latency(&self, x: f64, z: f64) -> f64 {
        self.latency_median * (-self.latency_slope * x + self.latency_log_sigma * z).exp()
    }

    /// Probability that an excitatory pulse enters the storage loop (else it escapes).
    pub fn entry_probability(&self, stored: f64) -> f64 {
        if self.entry_scale > 0.0 {
            1.0 / (1.0 + ((stored - self.entry_centre) / self.entry_scale).exp())
        } else {
            1.0
        }
    }
}

fn seconds(d: Delay) -> (f64, f64) {
    (d.mean * 1e-12, d.std * 1e-12)
}

/// Builds a [`PulseNet`] cell by cell.
#[derive(Debug, Clone)]
pub struct NetBuilder {
    net: PulseNet,
}

impl NetBuilder {
    pub fn new(models: &CellModels) -> Self {
        let n = &models.cells.neuron;
        let mut points: Vec<(f64, f64)> = n
            .threshold
            .iter()
            .take(MAX_THRESHOLD_POINTS)
            .map(|p| (p.fluxons, p.width_fluxons))
            .collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut widths = [(0.0, 0.0); MAX_THRESHOLD_POINTS];
        widths[..points.len()].copy_from_slice(&points);
        NetBuilder {
            net: PulseNet {
                neuron: NeuronConstants {
                    leak_tau: n.leak_tau_ps * 1e-12,
                    inh_tau: n.inh_tau_ps * 1e-12,
                    inh_fluxons: n.inh_fluxons,
                    refractory: n.refractory_ps * 1e-12,
                    widths,
                    widths_len: n.threshold.len().min(MAX_THRESHOLD_POINTS),
                    latency_median: n.fire.latency_median_ps * 1e-12,
                    latency_slope: n.fire.latency_slope_per_fluxon,
                    latency_log_sigma: n.fire.latency_log_sigma,
                    entry_centre: n.entry.centre_fluxons,
                    entry_scale: n.entry.scale_fluxons,
                    output_fire: n.output_fire,
                    inh_merger_centre: n.inh_merger_entry.map_or(0.0, |e| e.centre_fluxons),
                    inh_merger_scale: n.inh_merger_entry.map_or(0.0, |e| e.scale_fluxons),
                    inh_synapse_entry: n.inh_synapse_entry,
                },
                ..PulseNet::default()
            },
        }
    }

    /// Reserves room for `cells` cells.
    pub fn with_capacity(mut self, cells: usize) -> Self {
        let n = &mut self.net;
        n.names.reserve(cells);
        n.kinds.reserve(cells);
        n.delay.reserve(cells);
        n.param.reserve(cells);
        n.targets.reserve(2 * cells);
        self
    }

    /// Adds a cell; returns its index.
    pub fn add(&mut self, name: String, kind: Kind, delay: Delay, param: f64) -> u32 {
        let n = &mut self.net;
        n.names.push(name);
        n.kinds.push(kind);
        n.delay.push(seconds(delay));
        n.param.push(param);
        n.targets.extend([NONE, NONE]);
        (n.kinds.len() - 1) as u32
    }

    /// Wires output port `out_port` of `from` to input port `in_port` of `to`.
    pub fn connect(&mut self, from: u32, out_port: u32, to: u32, in_port: u32) {
        self.net.targets[(2 * from + out_port) as usize] = (to << 1) | in_port;
    }

    /// An input pulse at `time` into input port `in_port` of `to`.
    pub fn pulse(&mut self, time: f64, to: u32, in_port: u32) {
        self.net.stimulus.push((time, (to << 1) | in_port));
    }

    /// Records the port-0 output pulses of `cell` as output `name`.
    pub fn observe(&mut self, name: &str, cell: u32) {
        self.net.observed.push((name.to_string(), cell));
    }

    pub fn finish(mut self) -> PulseNet {
        self.net
            .stimulus
            .sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        self.net
    }
}

/// Port index of a named port of a built-in cell.
fn port_index(cell: &str, port: &str) -> u32 {
    match (cell, port) {
        ("splitter", "q1") | ("merger", "b") | ("dff", "clk") | ("neuron", "inh") => 1,
        ("tff", "qb") => 1,
        _ => 0,
    }
}

/// A parameter's value under an assignment of multipliers.
fn parameter(design: &Design, assignment: &[(String, f64)], name: &str) -> f64 {
    let nominal = design
        .parameters
        .iter()
        .find(|(p, _)| p == name)
        .map_or(0.0, |(_, v)| *v);
    assignment
        .iter()
        .filter(|(p, _)| p == name)
        .fold(nominal, |v, (_, m)| v * m)
}

impl PulseNet {
    /// Lowers a design and gives each cell its model; parameters under `assignment`
    /// (multipliers by spec parameter name). User cells, DC-level outputs and a bias
    /// the models were not measured at are errors.
    pub fn from_design(
        design: &Design,
        models: &CellModels,
        assignment: &[(String, f64)],
    ) -> Result<PulseNet, PulseError> {
        let bias = parameter(design, assignment, "bias");
        if (bias - models.bias).abs() > 1e-9 {
            return Err(PulseError::Bias {
                bias,
                measured: models.bias,
            });
        }
        let net = crate::passes::lower(design);
        let blocks = net.blocks();
        let mut index = vec![NONE; blocks.iter().map(|b| b.index() + 1).max().unwrap_or(0)];
        let mut b = NetBuilder::new(models).with_capacity(blocks.len());
        let c = &models.cells;
        for &node in &blocks {
            let block = &net.graph[node];
            let BlockKind::Cell { cell } = &block.kind else {
                continue;
            };
            let control = |port: &str| {
                block
                    .controls
                    .iter()
                    .find(|(p, _)| p == port)
                    .map_or(0.0, |(_, name)| parameter(design, assignment, name))
            };
            let (kind, delay, param) = match cell.as_str() {
                "jtl" => (Kind::Delay, c.jtl.delay_ps, 0.0),
                "dcsfq" => (Kind::Delay, c.dcsfq.delay_ps, 0.0),
                "splitter" => (Kind::Splitter, c.splitter.delay_ps, 0.0),
                "merger" => (
                    Kind::Merger,
                    c.merger.delay_ps,
                    c.merger.collision_ps * 1e-12,
                ),
                "dff" => (Kind::Dff, c.dff.delay_ps, 0.0),
                "tff" => (Kind::Tff, c.tff.delay_ps, 0.0),
                "sink" => (Kind::Sink, Delay::default(), 0.0),
                "synapse" => (
                    Kind::Synapse,
                    c.synapse.delay_ps,
                    c.synapse.pass.probability(control("w") * 1e6),
                ),
                "synapse_inh" => (
                    Kind::Synapse,
                    c.synapse_inh.delay_ps,
                    c.synapse_inh.pass.probability(control("w") * 1e6),
                ),
                "neuron" => (
                    Kind::Neuron,
                    c.neuron.delay_ps,
                    c.neuron.threshold_at(control("th") * 1e6),
                ),
                "sfqdc" => {
                    return Err(PulseError::Level {
                        instance: block.name.clone(),
                    })
                }
                other => {
                    return Err(PulseError::NoModel {
                        instance: block.name.clone(),
                        cell: other.to_string(),
                    })
                }
            };
            index[node.index()] = b.add(block.name.clone(), kind, delay, param);
        }
        for &node in &blocks {
            let block = &net.graph[node];
            match &block.kind {
                BlockKind::Cell { cell } => {
                    for (_, target, wire) in net.outgoing(node) {
                        let BlockKind::Cell { cell: to_cell } = &net.graph[target].kind else {
                            continue;
                        };
                        b.connect(
                            index[node.index()],
                            port_index(cell, &wire.from_port),
                            index[target.index()],
                            port_index(to_cell, &wire.to_port),
                        );
                    }
                }
                BlockKind::Source { pulses } => {
                    for (_, target, wire) in net.outgoing(node) {
                        let BlockKind::Cell { cell: to_cell } = &net.graph[target].kind else {
                            continue;
                        };
                        let port = port_index(to_cell, &wire.to_port);
                        for &t in pulses {
                            b.pulse(t, index[target.index()], port);
                        }
                    }
                }
                BlockKind::Input | BlockKind::Output => {}
            }
        }
        for output in &design.outputs {
            if let Some(node) = net.find(output) {
                if index[node.index()] != NONE {
                    b.observe(output, index[node.index()]);
                }
            }
        }
        Ok(b.finish())
    }

    pub fn cells(&self) -> usize {
        self.kinds.len()
    }

    /// Bytes this network holds on the heap (its arrays' capacities and the names).
    pub fn heap_bytes(&self) -> usize {
        let strings = |v: &[String]| v.iter().map(String::capacity).sum::<usize>();
        self.names.capacity() * size_of::<String>()
            + strings(&self.names)
            + self.kinds.capacity() * size_of::<Kind>()
            + self.delay.capacity() * size_of::<(f64, f64)>()
            + self.param.capacity() * size_of::<f64>()
            + self.targets.capacity() * size_of::<u32>()
            + self.stimulus.capacity() * size_of::<(f64, u32)>()
            + self.observed.capacity() * size_of::<(String, u32)>()
            + self
                .observed
                .iter()
                .map(|(n, _)| n.capacity())
                .sum::<usize>()
    }
}
