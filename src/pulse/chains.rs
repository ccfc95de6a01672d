//! The large synthetic network of the speed benchmark, and what it holds in memory:
//! chains of `length` cells (JTL, synapse p = 1, a neuron that fires on every entry,
//! merger, repeated), each fed `pulses` pulses 20 ps apart. 1000 chains of 100 cells
//! with 100 pulses each are the 10⁵ cells and ≥ 10⁷ pulse events of the benchmark;
//! fewer chains of the same shape give the smaller sizes of the memory table.

use super::models::{CellModels, Delay};
use super::network::{Kind, NetBuilder, PulseNet};

/// `chains` chains of `length` cells, each fed `pulses` input pulses 20 ps apart; the
/// last cell of chain c is output `y{c}`.
pub fn chains(models: &CellModels, chains: u32, length: u32, pulses: u32) -> PulseNet {
    let mut b = NetBuilder::new(models).with_capacity((chains * length) as usize);
    let d = |m: f64| Delay { mean: m, std: 0.3 };
    for c in 0..chains {
        let mut prev = None;
        for k in 0..length {
            let (kind, param) = match k % 4 {
                0 => (Kind::Delay, 0.0),
                1 => (Kind::Synapse, 1.0),
                // θ = −2 quanta: an entry is 3 quanta over threshold, it fires every time
                2 => (Kind::Neuron, -2.0),
                _ => (Kind::Merger, 2e-12),
            };
            let cell = b.add(format!("c{c}_{k}"), kind, d(5.0), param);
            match prev {
                Some(p) => b.connect(p, 0, cell, 0),
                None => {
                    for i in 0..pulses {
                        b.pulse(20e-12 * f64::from(i), cell, 0);
                    }
                }
            }
            prev = Some(cell);
        }
        if let Some(last) = prev {
            b.observe(&format!("y{c}"), last);
        }
    }
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pulse::{default_models, Simulator};

    /// Bytes per cell of the network plus the simulator's state after a run.
    fn bytes_per_cell(models: &CellModels, n_chains: u32) -> f64 {
        let net = chains(models, n_chains, 100, 10);
        let mut sim = Simulator::new(&net);
        let run = sim.run(1, f64::INFINITY);
        assert!(
            run.events > u64::from(n_chains) * 1000,
            "{} events",
            run.events
        );
        (net.heap_bytes() + sim.heap_bytes()) as f64 / net.cells() as f64
    }

    #[test]
    fn memory_is_linear_in_the_network_size() {
        let models = default_models().unwrap();
        let small = bytes_per_cell(&models, 10); // 10³ cells
        let large = bytes_per_cell(&models, 100); // 10⁴ cells
        assert!(small > 50.0, "{small} bytes per cell");
        assert!(
            (large / small - 1.0).abs() < 0.1,
            "{small:.1} bytes per cell at 10³ cells, {large:.1} at 10⁴"
        );
    }
}
