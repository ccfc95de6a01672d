//! A trained network as files: the spec in the expanded form `nmgen build` reads
//! today (through [`crate::characterize::weights::map_weights`], as `nmgen
//! map-weights` writes it), and one weight CSV per layer in the shared contract's
//! `layers:` format (µA, `weights[target][source]`, no header, `#` comments).

use std::fmt::Write as _;

use super::models::CellModels;
use super::network::SfqNetwork;
use crate::characterize::weights::{map_weights, Encoding, Layer, WeightFile};
use crate::characterize::Logistic;

/// Names of a layered network: inputs `x_i`, hidden layer k neurons `h<k>_j`, output
/// neurons `o_j` (whose network outputs are `o_j_out`).
pub fn neuron_names(net: &SfqNetwork) -> Vec<Vec<String>> {
    let last = net.layers.len() - 1;
    net.layers
        .iter()
        .enumerate()
        .map(|(l, layer)| {
            (0..layer.thresholds.len())
                .map(|j| {
                    if l == last {
                        format!("o_{j}")
                    } else {
                        format!("h{}_{j}", l + 1)
                    }
                })
                .collect()
        })
        .collect()
}

/// The network inputs `x_0…`.
pub fn input_names(inputs: usize) -> Vec<String> {
    (0..inputs).map(|i| format!("x_{i}")).collect()
}

/// The network outputs, one per class in label order.
pub fn output_names(net: &SfqNetwork) -> Vec<String> {
    neuron_names(net)
        .last()
        .map(|l| l.iter().map(|n| format!("{n}_out")).collect())
        .unwrap_or_default()
}

/// The spec text (expanded form): `name`, the network, then `extra` YAML appended
/// (stimulus, noise, checks).
pub fn spec_text(net: &SfqNetwork, models: &CellModels, name: &str, extra: &str) -> String {
    let names = neuron_names(net);
    let inputs = input_names(net.layers[0].currents[0].len());
    let exc = &models.cells.synapse.pass;
    let inh = &models.cells.synapse_inh.pass;
    // a current c is written as the signed probability p(|c|); map_weights inverts it
    let weights = WeightFile {
        name: name.to_string(),
        encoding: Encoding::Signed,
        inputs: inputs.clone(),
        layers: net
            .layers
            .iter()
            .zip(&names)
            .map(|(l, neurons)| Layer {
                neurons: neurons.clone(),
                thresholds_ua: l.thresholds.clone(),
                weights: l
                    .currents
                    .iter()
                    .map(|row| {
                        row.iter()
                            .map(|&c| c.signum() * SfqNetwork::probability(models, c))
                            .collect()
                    })
                    .collect(),
            })
            .collect(),
        p_min: 1e-12,
        p_max: 1.0 - 1e-12,
        stimulus: Default::default(),
    };
    let mapping = map_weights(
        &weights,
        &Logistic::new(exc.centre_ua, exc.scale_ua),
        Some(&Logistic::new(inh.centre_ua, inh.scale_ua)),
    );
    let mut spec = mapping
        .spec
        .replacen("`nmgen map-weights`", "`nmgen train-sfq`", 1);
    // a neuron left without excitatory synapses never fires: its `a` gets `idle` too
    let silent: Vec<&String> = net
        .layers
        .iter()
        .zip(&names)
        .flat_map(|(l, n)| l.currents.iter().zip(n))
        .filter(|(row, _)| !row.iter().any(|&c| c > 0.0))
        .map(|(_, n)| n)
        .collect();
    if !silent.is_empty() {
        if !spec.contains("  - idle -> ") {
            spec = spec.replacen("]\n  outputs: [", ", idle]\n  outputs: [", 1);
        }
        for n in silent {
            spec.push_str(&format!("    - idle -> {n}.a\n"));
        }
    }
    format!("{spec}{extra}")
}

/// One weight CSV per layer: `(file name, text)`.
pub fn layer_csvs(net: &SfqNetwork, name: &str) -> Vec<(String, String)> {
    let names = neuron_names(net);
    let inputs = input_names(net.layers[0].currents[0].len());
    let mut sources = inputs;
    let mut out = Vec::new();
    for (l, (layer, targets)) in net.layers.iter().zip(&names).enumerate() {
        let mut text = format!(
            "# {name} layer {}: weights[target][source], synapse currents in uA\n\
             # (> 0 synapse into a, < 0 synapse_inh into inh, 0 none)\n\
             # from: {}\n# to: {}\n",
            l + 1,
            sources.join(" "),
            targets.join(" ")
        );
        for row in &layer.currents {
            let cells: Vec<String> = row.iter().map(|c| format!("{c:.3}")).collect();
            let _ = writeln!(text, "{}", cells.join(","));
        }
        let _ = writeln!(
            text,
            "# thresholds (uA): {}",
            layer
                .thresholds
                .iter()
                .map(|t| format!("{t:.3}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        out.push((format!("{name}_l{}.csv", l + 1), text));
        sources = targets.clone();
    }
    out
}
