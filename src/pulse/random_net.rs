//! Seeded random layered networks of synapses and neurons, as spec text: the
//! agreement of the two levels on a network nobody tuned (`nmgen characterize
//! random-net`), and large networks for the speed bench.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The shape of a random network.
#[derive(Debug, Clone, PartialEq)]
pub struct RandomNet {
    pub seed: u64,
    /// Network inputs.
    pub inputs: usize,
    /// Neurons per layer.
    pub layers: Vec<usize>,
    /// Probability that a source drives a neuron of the next layer.
    pub density: f64,
    /// Fraction of synapses that are inhibitory.
    pub inhibitory: f64,
    /// Length of the input trains (s).
    pub window: f64,
    /// Thermal noise seeds of the spec.
    pub seeds: u32,
}

impl Default for RandomNet {
    /// 6 inputs, three layers of 16, 16 and 8 neurons (40 neurons).
    fn default() -> Self {
        RandomNet {
            seed: 1,
            inputs: 6,
            layers: vec![16, 16, 8],
            density: 0.35,
            inhibitory: 0.2,
            window: 2e-9,
            seeds: 20,
        }
    }
}

impl RandomNet {
    /// The spec text. Weights: excitatory 118–150 µA, inhibitory 125–150 µA;
    /// thresholds 290–312 µA; inputs periodic from 50 ps at 10–25 GHz. Every neuron
    /// gets at least one excitatory synapse; a neuron drives its synapses through a
    /// JTL; unused `inh` inputs sit on the pulse-free input `idle`.
    pub fn spec(&self) -> String {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let mut params = String::from("  bias: 1.0\n");
        let mut cells = String::new();
        let mut conns = String::new();
        let mut stimulus = String::new();
        let inputs: Vec<String> = (0..self.inputs).map(|i| format!("x{i}")).collect();
        for x in &inputs {
            let rate: f64 = rng.random_range(10.0..25.0);
            let period = (1000.0 / rate).round();
            let count = ((self.window * 1e12 - 50.0) / period).floor().max(1.0) as usize;
            stimulus.push_str(&format!(
                "  {x}: {{ periodic: {{ start: 50ps, period: {period}ps, count: {count} }} }}\n"
            ));
        }
        let mut sources: Vec<String> = inputs.clone();
        let mut outputs = Vec::new();
        let mut inh_used = Vec::new();
        for (l, &size) in self.layers.iter().enumerate() {
            let mut next = Vec::new();
            for n in 0..size {
                let neuron = format!("n{l}_{n}");
                let th: f64 = rng.random_range(290.0..312.0);
                params.push_str(&format!("  th_{neuron}: {th:.1}uA\n"));
                cells.push_str(&format!(
                    "    {neuron}: {{ cell: neuron, th: th_{neuron} }}\n"
                ));
                let mut excitatory = 0;
                let mut inhibitory = 0;
                for (k, src) in sources.iter().enumerate() {
                    let forced = k + 1 == sources.len() && excitatory == 0;
                    if !forced && rng.random::<f64>() >= self.density {
                        continue;
                    }
                    let inh = !forced && rng.random::<f64>() < self.inhibitory;
                    let w: f64 = if inh {
                        rng.random_range(125.0..150.0)
                    } else {
                        rng.random_range(118.0..150.0)
                    };
                    let syn = format!("s_{src}_{neuron}");
                    params.push_str(&format!("  w_{src}_{neuron}: {w:.1}uA\n"));
                    let cell = if inh { "synapse_inh" } else { "synapse" };
                    cells.push_str(&format!(
                        "    {syn}: {{ cell: {cell}, w: w_{src}_{neuron} }}\n"
                    ));
                    let from = if l == 0 {
                        src.clone()
                    } else {
                        format!("j_{src}.q")
                    };
                    conns.push_str(&format!("    - {from} -> {syn}.a\n"));
                    let port = if inh { "inh" } else { "a" };
                    conns.push_str(&format!("    - {syn}.q -> {neuron}.{port}\n"));
                    if inh {
                        inhibitory += 1;
                    } else {
                        excitatory += 1;
                    }
                }
                inh_used.push((neuron.clone(), inhibitory > 0));
                next.push(neuron);
            }
            let last = l + 1 == self.layers.len();
            for neuron in &next {
                if last {
                    let y = format!("y_{neuron}");
                    conns.push_str(&format!("    - {neuron}.q -> {y}\n"));
                    outputs.push(y);
                } else {
                    cells.push_str(&format!("    j_{neuron}: jtl\n"));
                    conns.push_str(&format!("    - {neuron}.q -> j_{neuron}.a\n"));
                }
            }
            sources = next;
        }
        for (neuron, used) in &inh_used {
            if !used {
                conns.push_str(&format!("    - idle -> {neuron}.inh\n"));
            }
        }
        let tstop = self.window * 1e12 + 200.0;
        format!(
            "# A random {}-layer network (nmgen characterize random-net --seed {}): {} inputs,\n\
             # layers of {:?} neurons, density {}, {} % inhibitory synapses.\n\
             name: random_net_{}\n\
             technology:\n  tstop: {tstop}ps\n\
             parameters:\n{params}\
             network:\n  inputs: [{}, idle]\n  outputs: [{}]\n  cells:\n{cells}  connections:\n{conns}\
             stimulus:\n{stimulus}\
             noise: {{ temperature: 4.2, seeds: {} }}\n",
            self.layers.len(),
            self.seed,
            self.inputs,
            self.layers,
            self.density,
            (self.inhibitory * 100.0).round(),
            self.seed,
            inputs.join(", "),
            outputs.join(", "),
            self.seeds,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_network_builds_and_is_seeded() {
        let net = RandomNet::default();
        let text = net.spec();
        assert_eq!(text, net.spec());
        assert_ne!(
            text,
            RandomNet {
                seed: 2,
                ..RandomNet::default()
            }
            .spec()
        );
        let design = crate::characterize::design_from_yaml("random", &text).expect("builds");
        assert_eq!(design.outputs.len(), 8);
        let neurons = design
            .instances
            .iter()
            .filter(|i| i.cell == "neuron")
            .count();
        assert_eq!(neurons, 40);
    }
}
