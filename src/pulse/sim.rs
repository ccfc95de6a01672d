//! The event-driven simulator: a binary heap of pulse arrivals ordered by time (ties by
//! creation order), flat arrays of cell state, one seeded random stream per run. Each
//! cell is a timed stochastic automaton (see [`super::network::Kind`]); nothing is
//! allocated per event.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::network::{Kind, PulseNet, NONE};
use crate::analysis::PulseTimes;

/// A pulse arriving at an input port: `target` = (cell << 1) | port.
#[derive(Debug, Clone, Copy)]
struct Event {
    time: f64,
    seq: u64,
    /// A pulse arrival: (cell << 1) | port; a neuron's decision: the cell.
    target: u32,
    /// A neuron's decision, scheduled at this version of its state ([`NONE`] for
    /// arrivals): one scheduled before the neuron's latest entry is stale.
    version: u32,
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Event {
    /// Reversed: the heap's top is the earliest event.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .time
            .total_cmp(&self.time)
            .then(other.seq.cmp(&self.seq))
    }
}

/// What one run gives: the observed output pulses and how many pulse events it took.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub pulses: PulseTimes,
    /// Pulse arrivals processed (input pulses and cell-to-cell pulses).
    pub events: u64,
}

/// Reusable simulator state for one network (buffers are kept between runs).
pub struct Simulator<'a> {
    net: &'a PulseNet,
    heap: BinaryHeap<Event>,
    /// Neuron: stored flux; DFF: stored quantum; TFF: input count.
    u: Vec<f64>,
    /// Neuron: inhibition (inhibitory pulses, decaying).
    h: Vec<f64>,
    /// Neuron: version of its state (bumped by each entry).
    version: Vec<u32>,
    tstop: f64,
    /// Time of the last update (neuron) or last arrival (merger).
    t_last: Vec<f64>,
    /// Time the fire junction last switched (neuron).
    t_fire: Vec<f64>,
    /// Observed output index of each cell (NONE if not observed).
    observed_of: Vec<u32>,
    recorded: Vec<Vec<f64>>,
    seq: u64,
    rng: ChaCha8Rng,
}

impl<'a> Simulator<'a> {
    pub fn new(net: &'a PulseNet) -> Self {
        let n = net.cells();
        let mut observed_of = vec![NONE; n];
        for (k, (_, cell)) in net.observed.iter().enumerate() {
            observed_of[*cell as usize] = k as u32;
        }
        Simulator {
            net,
            heap: BinaryHeap::with_capacity(n.max(net.stimulus.len()) + 16),
            u: vec![0.0; n],
            h: vec![0.0; n],
            version: vec![0; n],
            tstop: 0.0,
            t_last: vec![f64::NEG_INFINITY; n],
            t_fire: vec![f64::NEG_INFINITY; n],
            observed_of,
            recorded: vec![Vec::new(); net.observed.len()],
            seq: 0,
            rng: ChaCha8Rng::seed_from_u64(0),
        }
    }

    /// Bytes this simulator's state holds on the heap (array and heap capacities,
    /// recorded output pulses); with [`PulseNet::heap_bytes`] what a run needs.
    pub fn heap_bytes(&self) -> usize {
        let f64s = |v: &Vec<f64>| v.capacity() * size_of::<f64>();
        self.heap.capacity() * size_of::<Event>()
            + f64s(&self.u)
            + f64s(&self.h)
            + self.version.capacity() * size_of::<u32>()
            + f64s(&self.t_last)
            + f64s(&self.t_fire)
            + self.observed_of.capacity() * size_of::<u32>()
            + self.recorded.capacity() * size_of::<Vec<f64>>()
            + self.recorded.iter().map(f64s).sum::<usize>()
    }

    fn reset(&mut self, seed: u64) {
        self.heap.clear();
        self.u.fill(0.0);
        self.h.fill(0.0);
        self.version.fill(0);
        self.t_last.fill(f64::NEG_INFINITY);
        self.t_fire.fill(f64::NEG_INFINITY);
        for r in &mut self.recorded {
            r.clear();
        }
        self.seq = 0;
        self.rng = ChaCha8Rng::seed_from_u64(seed);
    }

    fn normal(&mut self) -> f64 {
        self.rng.sample(StandardNormal)
    }

    fn push(&mut self, time: f64, target: u32) {
        self.seq += 1;
        self.heap.push(Event {
            time,
            seq: self.seq,
            target,
            version: NONE,
        });
    }

    /// A decision of neuron `cell` at `time`, valid until the next entry.
    fn push_decision(&mut self, time: f64, cell: usize) {
        self.seq += 1;
        self.heap.push(Event {
            time,
            seq: self.seq,
            target: cell as u32,
            version: self.version[cell],
        });
    }

    /// A pulse leaves output port `port` of `cell` at `time` + the cell's delay.
    fn emit(&mut self, cell: usize, port: usize, time: f64) {
        let (mean, std) = self.net.delay[cell];
        let delay = if std > 0.0 {
            (mean + std * self.normal()).max(0.0)
        } else {
            mean
        };
        let t = time + delay;
        if port == 0 {
            let k = self.observed_of[cell];
            if k != NONE {
                self.recorded[k as usize].push(t);
            }
        }
        let target = self.net.targets[2 * cell + port];
        if target != NONE {
            self.push(t, target);
        }
    }

    /// Simulates until `tstop` (s) with the random stream of `seed`.
    pub fn run(&mut self, seed: u64, tstop: f64) -> Outcome {
        self.reset(seed);
        self.tstop = tstop;
        for i in 0..self.net.stimulus.len() {
            let (t, target) = self.net.stimulus[i];
            self.push(t, target);
        }
        let mut events = 0u64;
        while let Some(ev) = self.heap.pop() {
            if ev.time > tstop {
                break;
            }
            events += 1;
            if ev.version == NONE {
                self.arrive(ev);
            } else if ev.version == self.version[ev.target as usize] {
                self.decide(ev.target as usize, ev.time);
            }
        }
        let mut pulses = PulseTimes::default();
        for (k, (name, _)) in self.net.observed.iter().enumerate() {
            let mut times = self.recorded[k].clone();
            times.retain(|&t| t <= tstop);
            times.sort_by(f64::total_cmp);
            pulses.insert(name.clone(), times);
        }
        Outcome { pulses, events }
    }

    fn arrive(&mut self, ev: Event) {
        let cell = (ev.target >> 1) as usize;
        let port = (ev.target & 1) as usize;
        let t = ev.time;
        match self.net.kinds[cell] {
            Kind::Delay => self.emit(cell, 0, t),
            Kind::Splitter => {
                self.emit(cell, 0, t);
                self.emit(cell, 1, t);
            }
            Kind::Merger => {
                let collided = t - self.t_last[cell] < self.net.param[cell];
                self.t_last[cell] = t;
                if !collided && self.merger_passes(cell, t) {
                    self.emit(cell, 0, t);
                }
            }
            Kind::Dff => {
                if port == 0 {
                    self.u[cell] = 1.0;
                } else if self.u[cell] > 0.0 {
                    self.u[cell] = 0.0;
                    self.emit(cell, 0, t);
                }
            }
            Kind::Tff => {
                self.u[cell] += 1.0;
                let odd = self.u[cell] % 2.0 == 1.0;
                self.emit(cell, if odd { 1 } else { 0 }, t);
            }
            Kind::Synapse => {
                let p = self.net.param[cell] * self.synapse_entry(cell, t);
                if self.rng.random::<f64>() < p {
                    self.emit(cell, 0, t);
                }
            }
            Kind::Neuron => self.neuron(cell, port, t),
            Kind::Sink => {}
        }
    }

    /// Whether a pulse merger `cell` passes at `t` reaches its target: always, unless
    /// the merger drives a neuron's `inh` input directly and the model has a pass
    /// probability for that ([`super::network::NeuronConstants::inh_merger_probability`]).
    fn merger_passes(&mut self, cell: usize, t: f64) -> bool {
        let k = &self.net.neuron;
        let target = self.net.targets[2 * cell];
        if k.inh_merger_scale <= 0.0 || target == NONE || target & 1 == 0 {
            return true;
        }
        let neuron = (target >> 1) as usize;
        if self.net.kinds[neuron] != Kind::Neuron {
            return true;
        }
        let (_, h) = self.neuron_state(neuron, t);
        let p = k.inh_merger_probability(h);
        self.rng.random::<f64>() < p
    }

    /// Probability that a pulse synapse `cell` passes at `t` reaches its target: 1,
    /// unless the synapse drives a neuron's `inh` input (through its load JTL, one
    /// delay cell, or directly) and the model has a loss for that
    /// ([`super::models::PlateauEntry`] at that neuron's inhibition). One draw with the
    /// weight's pass probability.
    fn synapse_entry(&self, cell: usize, t: f64) -> f64 {
        let Some(e) = self.net.neuron.inh_synapse_entry else {
            return 1.0;
        };
        let mut target = self.net.targets[2 * cell];
        if target != NONE && self.net.kinds[(target >> 1) as usize] == Kind::Delay {
            target = self.net.targets[2 * (target >> 1) as usize];
        }
        if target == NONE || target & 1 == 0 {
            return 1.0;
        }
        let neuron = (target >> 1) as usize;
        if self.net.kinds[neuron] != Kind::Neuron {
            return 1.0;
        }
        let (_, h) = self.neuron_state(neuron, t);
        e.pass_probability(h)
    }

    /// The stored flux s and inhibition h of neuron `cell`, decayed to `t`.
    fn neuron_state(&self, cell: usize, t: f64) -> (f64, f64) {
        let k = &self.net.neuron;
        let dt = t - self.t_last[cell];
        if !dt.is_finite() {
            return (0.0, 0.0);
        }
        (
            self.u[cell] * (-dt / k.leak_tau).exp(),
            self.h[cell] * (-dt / k.inh_tau).exp(),
        )
    }

    /// A pulse at a neuron's input: an excitatory quantum enters the storage loop
    /// unless the loop is full (the pulse escapes) and the neuron decides whether to
    /// fire; an inhibitory one adds to the inhibition.
    fn neuron(&mut self, cell: usize, port: usize, t: f64) {
        let k = &self.net.neuron;
        let (mut s, mut h) = self.neuron_state(cell, t);
        let entered = port == 0 && self.rng.random::<f64>() < k.entry_probability(s);
        if entered {
            s += 1.0;
        } else if port == 1 {
            h += 1.0;
        }
        self.u[cell] = s;
        self.h[cell] = h;
        self.t_last[cell] = t;
        if entered {
            self.version[cell] = self.version[cell].wrapping_add(1);
            self.decide(cell, t);
        }
    }

    /// The fire decision at `t` (an entry, or a refractory time after a fire): within
    /// the refractory time it is put off to its end; otherwise the neuron fires with
    /// the probability of its overdrive (or of the output junction's, see
    /// [`super::models::OutputFire`]), one quantum leaves when the fire junction
    /// switches (the fire latency later), the pulse leaves on q the cell's delay after
    /// that, and the decision is taken again a refractory time after the fire.
    fn decide(&mut self, cell: usize, t: f64) {
        let k = &self.net.neuron;
        let ready = self.t_fire[cell] + k.refractory;
        if t < ready {
            if ready <= self.tstop {
                self.push_decision(ready, cell);
            }
            return;
        }
        let (s, h) = self.neuron_state(cell, t);
        let theta = self.net.param[cell];
        let x = s - k.inh_fluxons * h - theta;
        // the fire junction's path and the output junction's (strong inhibition): the
        // neuron fires when either does; one draw, so that a model without the second
        // path draws as before
        let p4 = k.fire_probability(x, theta);
        let p5 = k.output_fire_probability(s, h, theta);
        let p = if p5 > 0.0 {
            1.0 - (1.0 - p4) * (1.0 - p5)
        } else {
            p4
        };
        if self.rng.random::<f64>() >= p {
            return;
        }
        // the latency of the path more likely to have fired
        let x = match k.output_fire {
            Some(o) if p5 > p4 => o.overdrive(s, h, theta),
            _ => x,
        };
        let z = self.normal();
        let latency = k.fire_latency(x, z);
        let t_fire = t + latency;
        // the quantum leaves the loop when the fire junction switches, at t_fire (as the
        // fit counts it): from then on it is missing as exp(−(t′ − t_fire)/τ_s), which
        // is exp(latency/τ_s) quanta decayed from t. (Between t and t_fire the neuron
        // takes no decision: they wait for the refractory time after t_fire.)
        self.u[cell] = s - (latency / k.leak_tau).exp();
        self.h[cell] = h;
        self.t_last[cell] = t;
        self.t_fire[cell] = t_fire;
        self.emit(cell, 0, t_fire);
        if t_fire + k.refractory <= self.tstop {
            self.push_decision(t_fire + k.refractory, cell);
        }
    }
}

/// One run of a network: output pulses and event count.
pub fn simulate(net: &PulseNet, seed: u64, tstop: f64) -> Outcome {
    Simulator::new(net).run(seed, tstop)
}
