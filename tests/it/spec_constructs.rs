//! Arrays, chains, per-element control currents, range connections and weighted layers
//! lower to the instances, parameters and wires they stand for.

use std::path::Path;

use nmgen::characterize::synapse::{SynapseKind, SynapsePlan, SynapseReport};
use nmgen::characterize::{map_weights, Logistic, WeightFile};
use nmgen::diagnostic::SourceFile;
use nmgen::ir::{BlockKind, Network};
use nmgen::spec::Design;

fn design(yaml: &str) -> Design {
    let file = SourceFile::new("mem.yaml", yaml);
    let spec = nmgen::spec::parse(&file).unwrap();
    nmgen::spec::check(&file, &spec).unwrap()
}

fn param(d: &Design, name: &str) -> f64 {
    d.parameters
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no parameter {name} in {:?}", d.parameters))
        .1
}

/// The block driving `block.port` (through nothing else).
fn driver(net: &Network, block: &str, port: &str) -> (String, String) {
    let b = net.find(block).unwrap();
    let (_, src, w) = net
        .incoming(b)
        .into_iter()
        .find(|(_, _, w)| w.to_port == port)
        .unwrap_or_else(|| panic!("{block}.{port} is not driven"));
    (net.graph[src].name.clone(), w.from_port)
}

fn cell(net: &Network, name: &str) -> String {
    match &net.graph[net.find(name).unwrap()].kind {
        BlockKind::Cell { cell } => cell.clone(),
        other => format!("{other:?}"),
    }
}

#[test]
fn arrays_chains_and_element_wise_connections() {
    let d = design(
        r#"name: t
parameters: { th_h: 300uA }
network:
  inputs: ["x[0..3]"]
  outputs: ["y[0..3]", z]
  cells:
    h[0..3]: { cell: neuron, th: th_h }
    g[1..2]: { cell: neuron, th: [280uA, 290uA] }
    d: { chain: jtl, length: 3 }
    s: { chain: synapse, length: 2, w: [130uA, 135uA] }
  connections:
    - x[0..3] -> h[0..3].a
    - h.q -> y
    - x[0] -> d.a
    - d.q -> g.a
    - d[1].q -> s.a
    - s.q -> g[1..2].inh
    - g[1..2].q -> z
"#,
    );
    let names: Vec<&str> = d.instances.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(
        names,
        ["h_0", "h_1", "h_2", "h_3", "g_1", "g_2", "d_0", "d_1", "d_2", "s_0", "s_1"]
    );
    // one shared parameter, and one per element from a list
    assert!(d.instances[..4]
        .iter()
        .all(|i| i.controls == [("th".to_string(), "th_h".to_string())]));
    assert_eq!(param(&d, "g_1_th"), 280e-6);
    assert_eq!(param(&d, "g_2_th"), 290e-6);
    assert_eq!(param(&d, "s_1_w"), 135e-6);
    let net = nmgen::passes::lower(&d);
    // element-wise: x_2 drives h_2 (through its source JTL), h_2 drives y_2
    assert_eq!(driver(&net, "h_2", "a"), ("x_2__src".into(), "q".into()));
    assert_eq!(driver(&net, "y_2", "a"), ("h_2".into(), "q".into()));
    // the chain: d_0 -> d_1 -> d_2, tapped at d_1 (a splitter), its end fanning out to g
    assert_eq!(driver(&net, "d_2", "a").0, "d_1_q__spl");
    assert_eq!(cell(&net, "d_1_q__spl"), "splitter");
    // a synapse drives its load JTL (passes::load), which drives the next synapse
    assert_eq!(driver(&net, "s_1", "a"), ("s_0__load".into(), "q".into()));
    assert_eq!(driver(&net, "s_0__load", "a"), ("s_0".into(), "q".into()));
    // fan-in of the range g[1..2].q into z: a merger
    assert_eq!(cell(&net, &driver(&net, "z", "a").0), "merger");
    // h's inh is unused: terminated by a JTL whose input ends in a sink
    let (jtl, port) = driver(&net, "h_0", "inh");
    assert_eq!((cell(&net, &jtl), port.as_str()), ("jtl".into(), "q"));
    assert_eq!(cell(&net, &driver(&net, &jtl, "a").0), "sink");
    let text = nmgen::backend::josim::write(&d, &net).text;
    assert!(!text.contains("_NC"), "an unconnected port:\n{text}");
    assert!(text.contains("XH_0_INH__JTL NMG_JTL H_0_INH__TERM_A H_0_INH__JTL_Q"));
}

#[test]
fn weighted_layer_makes_one_synapse_per_nonzero_weight() {
    let d = design(
        r#"name: t
network:
  inputs: [a, b, c]
  outputs: [y]
  cells:
    h[0..1]: { cell: neuron, th: 300uA }
    o: { cell: neuron, th: 310uA }
  connections: [o.q -> y]
  layers:
    - { from: [a, b, c], to: h, weights: [[140uA, 0, -130uA], [0, 125.5uA, 0]] }
    - { from: h, to: o, weights: [[135uA, -120uA]], scale: 1.5 }
"#,
    );
    let net = nmgen::passes::lower(&d);
    assert_eq!(net.count_cells("synapse"), 3);
    assert_eq!(net.count_cells("synapse_inh"), 2);
    assert_eq!(cell(&net, "s_c_h_0"), "synapse_inh");
    assert_eq!(param(&d, "w_c_h_0"), 130e-6);
    assert_eq!(param(&d, "w_b_h_1"), 125.5e-6);
    assert!((param(&d, "w_h_1_o") - 180e-6).abs() < 1e-15);
    assert!(
        net.find("s_b_h_0").is_none(),
        "a zero weight made a synapse"
    );
    // excitatory into a, inhibitory into inh, each synapse through its load JTL; a
    // neuron's synapses hang off its own JTL
    assert_eq!(
        driver(&net, "h_0", "inh"),
        ("s_c_h_0__load".into(), "q".into())
    );
    assert_eq!(
        driver(&net, "s_c_h_0__load", "a"),
        ("s_c_h_0".into(), "q".into())
    );
    assert_eq!(
        driver(&net, "s_h_1_o", "a"),
        ("h_1__jtl".into(), "q".into())
    );
    assert_eq!(driver(&net, "h_1__jtl", "a"), ("h_1".into(), "q".into()));
    assert_eq!(
        driver(&net, "o", "inh"),
        ("s_h_1_o__load".into(), "q".into())
    );
    // a weight current is a parameter: the netlist keeps it symbolic
    let text = nmgen::backend::josim::write(&d, &net).text;
    assert!(text.contains(".param w_c_h_0=130u"));
    assert!(text.contains("IS_C_H_0_W 0 S_C_H_0_W pwl(0 0 20p w_c_h_0)"));
}

#[test]
fn json_layer_maps_weights_like_map_weights() {
    let dir = tempfile::tempdir().unwrap();
    let weights = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/xor_weights.json");
    std::fs::copy(&weights, dir.path().join("w.json")).unwrap();
    let curve = Logistic::new(113.0, 3.2);
    let report = SynapseReport {
        cell: "synapse".into(),
        engine: "builtin".into(),
        plan: SynapsePlan::sweep(SynapseKind::Exc, 90e-6, 140e-6, 11, 4),
        points: Vec::new(),
        fit: Some(curve),
    };
    std::fs::write(
        dir.path().join("synapse.json"),
        serde_json::to_string(&report).unwrap(),
    )
    .unwrap();
    let spec = dir.path().join("s.yaml");
    std::fs::write(
        &spec,
        "name: t\nnetwork:\n  inputs: [x1, x2]\n  outputs: [y]\n  cells:\n    h1: { cell: neuron, th: 305uA }\n    \
         h2: { cell: neuron, th: 268uA }\n    o: { cell: neuron, th: 312uA }\n  connections: [o.q -> y]\n  layers:\n    \
         - { from: [x1, x2], to: [h1, h2], weights: w.json, layer: 0, curve: synapse.json }\n    \
         - { from: [h1, h2], to: o, weights: w.json, layer: 1, curve: synapse.json }\n",
    )
    .unwrap();
    let d = nmgen::spec::load(&spec).unwrap();
    let text = std::fs::read_to_string(&weights).unwrap();
    let w: WeightFile = serde_json::from_str(&text).unwrap();
    let mapped = map_weights(&w, &curve, None);
    assert_eq!(mapped.synapses.len(), 6);
    for s in &mapped.synapses {
        let value = param(&d, &s.parameter);
        assert!(
            (value - s.current_ua * 1e-6).abs() < 1e-12,
            "{}: {value} vs {} µA",
            s.parameter,
            s.current_ua
        );
    }
    let net = nmgen::passes::lower(&d);
    assert_eq!(cell(&net, "s_h2_o"), "synapse_inh");
    // a layer index the file does not have is located at `layer:`
    std::fs::write(
        &spec,
        std::fs::read_to_string(&spec)
            .unwrap()
            .replace("layer: 1", "layer: 7"),
    )
    .unwrap();
    let err = nmgen::spec::load(&spec).unwrap_err();
    assert_eq!(err.line, 12, "{err}");
    assert!(err.message.contains("has 2 layer(s)"), "{err}");
}
