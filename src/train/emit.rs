//! A trained network as files, in the `layers:` form of docs/spec.md: neuron arrays
//! `h1[0..n]`, …, `o[0..k]` with one threshold current per element, one weighted
//! layer per weight matrix, and one weight CSV per layer (µA, `weights[target][source]`,
//! no header, `#` comments). The same spec with the weights written inline
//! ([`Weights::Inline`]) is what is checked to build before anything is written.

use std::fmt::Write as _;

use super::network::SfqNetwork;

/// Names of a layered network: inputs `x_i`, hidden layer k neurons `h<k>_j`, output
/// neurons `o_j` (whose network outputs are `y_j`).
pub fn neuron_names(net: &SfqNetwork) -> Vec<Vec<String>> {
    (0..net.layers.len())
        .map(|l| {
            let array = array_name(net, l);
            (0..net.layers[l].thresholds.len())
                .map(|j| format!("{array}_{j}"))
                .collect()
        })
        .collect()
}

/// The array of layer `l`'s neurons: `h1`, `h2`, …, `o` for the last.
fn array_name(net: &SfqNetwork, l: usize) -> String {
    if l + 1 == net.layers.len() {
        "o".into()
    } else {
        format!("h{}", l + 1)
    }
}

/// The network inputs `x_0…`.
pub fn input_names(inputs: usize) -> Vec<String> {
    (0..inputs).map(|i| format!("x_{i}")).collect()
}

/// The network outputs `y_0…`, one per class in label order.
pub fn output_names(net: &SfqNetwork) -> Vec<String> {
    let k = net.layers.last().map_or(0, |l| l.thresholds.len());
    (0..k).map(|j| format!("y_{j}")).collect()
}

/// Where a layer's weight matrix goes in the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weights<'a> {
    /// `weights: <name>_l<k>.csv` next to the spec.
    Csv(&'a str),
    /// The matrix inline, in µA.
    Inline,
}

fn ua(v: f64) -> String {
    format!("{v:.3}uA")
}

/// The spec text: header, the network in the `layers:` form, then `extra` YAML
/// appended (stimulus, noise, checks).
pub fn spec_text(net: &SfqNetwork, name: &str, weights: Weights, extra: &str) -> String {
    let inputs = net.layers[0].currents[0].len();
    let outputs = output_names(net).len();
    let synapses = net
        .layers
        .iter()
        .flat_map(|l| l.currents.iter().flatten())
        .filter(|c| **c != 0.0)
        .count();
    let mut s = format!(
        "# Written by `nmgen train-sfq` (docs/training.md): a rate-coded network of {} layers,\n\
         # {synapses} synapses. Weights are synapse currents (µA, > 0 `synapse` into a, < 0\n\
         # `synapse_inh` into inh, 0 none); each synapse's current is the parameter\n\
         # w_<source>_<neuron>, each threshold <neuron>_th.\n\
         name: {name}\nnetwork:\n  inputs: [\"x[0..{}]\"]\n  outputs: [\"y[0..{}]\"]\n  cells:\n",
        net.layers.len(),
        inputs - 1,
        outputs - 1
    );
    for (l, layer) in net.layers.iter().enumerate() {
        let th: Vec<String> = layer.thresholds.iter().map(|&t| ua(t)).collect();
        let _ = writeln!(
            s,
            "    {}[0..{}]: {{ cell: neuron, th: [{}] }}",
            array_name(net, l),
            layer.thresholds.len() - 1,
            th.join(", ")
        );
    }
    s.push_str("  connections: [o.q -> y]\n  layers:\n");
    for (l, layer) in net.layers.iter().enumerate() {
        let from = if l == 0 {
            "x".to_string()
        } else {
            array_name(net, l - 1)
        };
        let w = match weights {
            Weights::Csv(stem) => format!("{stem}_l{}.csv", l + 1),
            Weights::Inline => {
                let rows: Vec<String> = layer
                    .currents
                    .iter()
                    .map(|row| {
                        let v: Vec<String> = row.iter().map(|&c| ua(c)).collect();
                        format!("[{}]", v.join(", "))
                    })
                    .collect();
                format!("[{}]", rows.join(", "))
            }
        };
        let _ = writeln!(
            s,
            "    - {{ from: {from}, to: {}, weights: {w} }}",
            array_name(net, l)
        );
    }
    format!("{s}{extra}")
}

/// One weight CSV per layer: `(file name, text)`.
pub fn layer_csvs(net: &SfqNetwork, name: &str) -> Vec<(String, String)> {
    let names = neuron_names(net);
    let mut sources = input_names(net.layers[0].currents[0].len());
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
