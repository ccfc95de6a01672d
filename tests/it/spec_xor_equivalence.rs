//! examples/xor.yaml, written with chains and weighted layers and without an `idle`
//! input, is the same circuit as the XOR written out by hand:
//! - it lowers to the same network as `tests/specs/xor_expanded.yaml` (the old expanded
//!   form): the same cells with the same control currents, joined the same way, up to
//!   instance names;
//! - a neuron whose `inh` nmgen terminates fires exactly as one whose `inh` sits on an
//!   input without pulses (`tests/specs/xor_idle.yaml`, the example before this change).

use std::collections::{BTreeMap, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

use nmgen::analysis::Progress;
use nmgen::characterize::bench::{output_columns, simulate_pulses, BenchRun};
use nmgen::characterize::{design_from_yaml, xor_classification};
use nmgen::engine::Engine;
use nmgen::ir::{BlockKind, Network};
use nmgen::spec::Design;
use petgraph::stable_graph::NodeIndex;

fn load(rel: &str) -> Design {
    nmgen::spec::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// A port up to the symmetry of its cell: the two outputs of a splitter and the two
/// inputs of a merger are built alike (netlists/splitter.cir, merger.cir: the same
/// junctions, inductors and bias on both branches), so either may take either wire.
fn port_class(net: &Network, block: NodeIndex, port: &str) -> String {
    match (&net.graph[block].kind, port) {
        (BlockKind::Cell { cell }, "q0" | "q1") if cell == "splitter" => "q*".into(),
        (BlockKind::Cell { cell }, "a" | "b") if cell == "merger" => "in*".into(),
        _ => port.into(),
    }
}

/// What a block is, without its name: cell, control currents (values, not parameter
/// names), a network terminal's name, a source's pulses.
fn label(design: &Design, net: &Network, b: NodeIndex) -> String {
    let block = &net.graph[b];
    let controls: Vec<String> = block
        .controls
        .iter()
        .map(|(port, param)| {
            let value = design
                .parameters
                .iter()
                .find(|(n, _)| n == param)
                .map(|(_, v)| *v)
                .unwrap();
            format!("{port}={value:e}")
        })
        .collect();
    match &block.kind {
        BlockKind::Cell { cell } => format!("{cell}{controls:?}"),
        BlockKind::Source { pulses } => format!("source {:?} {pulses:?}", block.terminal),
        other => format!("{other:?} {}", block.name),
    }
}

/// A name-free signature of each block: its label and, recursively, what drives it
/// through which ports (the network is feed-forward).
fn signatures(design: &Design, net: &Network) -> HashMap<NodeIndex, u64> {
    fn sig(
        design: &Design,
        net: &Network,
        b: NodeIndex,
        memo: &mut HashMap<NodeIndex, u64>,
    ) -> u64 {
        if let Some(s) = memo.get(&b) {
            return *s;
        }
        let mut inputs: Vec<(String, u64, String)> = net
            .incoming(b)
            .into_iter()
            .map(|(_, src, w)| {
                (
                    port_class(net, b, &w.to_port),
                    sig(design, net, src, memo),
                    port_class(net, src, &w.from_port),
                )
            })
            .collect();
        inputs.sort();
        let mut h = DefaultHasher::new();
        (label(design, net, b), inputs).hash(&mut h);
        let s = h.finish();
        memo.insert(b, s);
        s
    }
    let mut memo = HashMap::new();
    for b in net.blocks() {
        sig(design, net, b, &mut memo);
    }
    memo
}

/// The network as a multiset of blocks and of wires between them, without names.
fn shape(design: &Design) -> (BTreeMap<(String, u64), usize>, BTreeMap<String, usize>) {
    let net = nmgen::passes::lower(design);
    let sig = signatures(design, &net);
    let mut blocks = BTreeMap::new();
    let mut wires = BTreeMap::new();
    for b in net.blocks() {
        *blocks.entry((label(design, &net, b), sig[&b])).or_insert(0) += 1;
        for (_, dst, w) in net.outgoing(b) {
            let key = format!(
                "{:x}.{} -> {:x}.{}",
                sig[&b],
                port_class(&net, b, &w.from_port),
                sig[&dst],
                port_class(&net, dst, &w.to_port)
            );
            *wires.entry(key).or_insert(0) += 1;
        }
    }
    (blocks, wires)
}

#[test]
fn example_lowers_to_the_expanded_network() {
    let new = load("examples/xor.yaml");
    let old = load("tests/specs/xor_expanded.yaml");
    let (new_blocks, new_wires) = shape(&new);
    let (old_blocks, old_wires) = shape(&old);
    let cells = |b: &BTreeMap<(String, u64), usize>| b.values().sum::<usize>();
    assert_eq!(cells(&new_blocks), cells(&old_blocks));
    assert_eq!(new_blocks, old_blocks);
    assert_eq!(new_wires, old_wires);
    // and the same counts of each cell, as a reader would check them
    let new_net = nmgen::passes::lower(&new);
    for (cell, n) in [
        // + a load JTL behind each of the 7 synapses (passes::load)
        ("jtl", 10 + 4 + 1 + 2 + 2 + 1 + 7),
        ("synapse", 5),
        ("synapse_inh", 2),
        ("neuron", 3),
        ("splitter", 3),
        ("merger", 3),
    ] {
        assert_eq!(new_net.count_cells(cell), n, "{cell}");
    }
    // a different network is told apart: one weight changed
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/xor.yaml"))
            .unwrap()
            .replace("[[140uA, -140uA, -140uA]]", "[[141uA, -140uA, -140uA]]");
    let changed = design_from_yaml("xor_changed", &text).unwrap();
    assert_ne!(shape(&changed).0, old_blocks);
}

/// One neuron driven by a fast train; `inh` on an input without pulses, or left open.
fn neuron_bench(idle: bool) -> String {
    let (inputs, inh) = if idle {
        ("[x, idle]", "idle -> n.inh, ")
    } else {
        ("[x]", "")
    };
    format!(
        "name: inh_bench\nparameters: {{ th: 290uA }}\nnetwork:\n  inputs: {inputs}\n  outputs: [q]\n  \
         cells:\n    n: {{ cell: neuron, th: th }}\n  connections: [x -> n.a, {inh}n.q -> q]\n\
         stimulus:\n  x: {{ periodic: {{ start: 40ps, period: 25ps, count: 60 }} }}\n"
    )
}

fn output_pulses(design: &Design) -> Vec<f64> {
    let net = nmgen::passes::lower(design);
    let netlist = nmgen::backend::josim::write(design, &net);
    let outputs = output_columns(&netlist);
    let run = BenchRun {
        parameters: Vec::new(),
        temperature: None,
        seed: 1,
    };
    let (pulses, _) = simulate_pulses(
        &Engine::default(),
        &netlist.text,
        Path::new("inh_bench.cir"),
        &outputs,
        &run,
    )
    .unwrap();
    pulses.get("q").unwrap().to_vec()
}

#[test]
fn terminated_inh_fires_like_an_idle_input() {
    for th in ["250uA", "290uA", "320uA"] {
        let with_idle = design_from_yaml("idle", &neuron_bench(true).replace("290uA", th)).unwrap();
        let open = design_from_yaml("open", &neuron_bench(false).replace("290uA", th)).unwrap();
        let (a, b) = (output_pulses(&with_idle), output_pulses(&open));
        assert!(a.len() >= 5, "th {th}: only {} output pulses", a.len());
        assert_eq!(a.len(), b.len(), "th {th}: {a:?} vs {b:?}");
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 0.5e-12, "th {th}: pulse at {x:e} vs {y:e}");
        }
    }
}

#[test]
fn xor_counts_match_the_idle_version_without_noise() {
    let count = |d: &Design| {
        let r = xor_classification(
            d,
            ("x1", "x2"),
            "y",
            &[1],
            None,
            None,
            &Engine::default(),
            Progress::Hidden,
        )
        .unwrap();
        r.patterns
            .iter()
            .map(|p| p.counts.clone())
            .collect::<Vec<_>>()
    };
    let new = count(&load("examples/xor.yaml"));
    let old = count(&load("tests/specs/xor_idle.yaml"));
    assert_eq!(new, old);
    assert!(new[1][0] > 10 && new[2][0] > 10, "{new:?}");
}
