//! The passes: splitter and merger trees (number, placement, balance), stimulus and
//! output stages, on specs built in memory.

use std::collections::BTreeMap;

use nmgen::diagnostic::SourceFile;
use nmgen::ir::{BlockKind, Network};
use petgraph::stable_graph::NodeIndex;
use petgraph::Direction;

fn design(yaml: &str) -> nmgen::spec::Design {
    let file = SourceFile::new("mem.yaml", yaml);
    let spec = nmgen::spec::parse(&file).unwrap();
    nmgen::spec::check(&file, &spec).unwrap()
}

/// One input driving k outputs.
fn fanout_spec(k: usize) -> String {
    let outs: Vec<String> = (0..k).map(|i| format!("q{i}")).collect();
    format!(
        "name: f\nnetwork:\n  inputs: [a]\n  outputs: [{}]\n  layers:\n    - {{ from: [a], to: [{}] }}\nstimulus:\n  a: {{ times: [20ps] }}\n",
        outs.join(", "),
        outs.join(", ")
    )
}

/// k inputs driving one output.
fn fanin_spec(k: usize) -> String {
    let ins: Vec<String> = (0..k).map(|i| format!("a{i}")).collect();
    format!(
        "name: f\nnetwork:\n  inputs: [{}]\n  outputs: [m]\n  layers:\n    - {{ from: [{}], to: [m] }}\n",
        ins.join(", "),
        ins.join(", ")
    )
}

/// Number of `cell` blocks between `from` and `to` along the (unique) path.
fn depth(
    net: &Network,
    from: NodeIndex,
    to: NodeIndex,
    cell: &str,
    forward: bool,
) -> Option<usize> {
    if from == to {
        return Some(0);
    }
    let dir = if forward {
        Direction::Outgoing
    } else {
        Direction::Incoming
    };
    for next in net.graph.neighbors_directed(from, dir) {
        if let Some(d) = depth(net, next, to, cell, forward) {
            let here = matches!(&net.graph[from].kind, BlockKind::Cell { cell: c } if c == cell);
            return Some(d + usize::from(here));
        }
    }
    None
}

/// The tree is balanced: the deepest leaf is ⌈log2 k⌉ cells deep, the shallowest at
/// most one less.
fn assert_balanced(k: usize, depths: &[usize]) {
    let (lo, hi) = (*depths.iter().min().unwrap(), *depths.iter().max().unwrap());
    let ideal = (k as f64).log2().ceil() as usize;
    assert_eq!(
        hi, ideal,
        "k = {k}: deepest leaf {hi} cells, want ⌈log2 k⌉ = {ideal}"
    );
    assert!(hi - lo <= 1, "k = {k}: depths {depths:?} are not balanced");
}

/// Every wire is point-to-point: no port of any block carries two wires.
fn assert_point_to_point(net: &Network) {
    for b in net.blocks() {
        for (wires, what) in [
            (
                net.outgoing(b)
                    .into_iter()
                    .map(|(_, _, w)| w.from_port)
                    .collect::<Vec<_>>(),
                "drives",
            ),
            (
                net.incoming(b)
                    .into_iter()
                    .map(|(_, _, w)| w.to_port)
                    .collect(),
                "is driven on",
            ),
        ] {
            let mut ports = wires.clone();
            ports.sort();
            ports.dedup();
            assert_eq!(
                wires.len(),
                ports.len(),
                "block {} {what} a port twice",
                net.graph[b].name
            );
        }
    }
}

#[test]
fn fanout_builds_a_balanced_splitter_tree() {
    for k in 1..=9usize {
        let net = nmgen::passes::lower(&design(&fanout_spec(k)));
        assert_eq!(net.count_cells("splitter"), k - 1, "k = {k}");
        let src = net.find("a__src").unwrap();
        let depths: Vec<usize> = (0..k)
            .map(|i| {
                let q = net.find(&format!("q{i}")).unwrap();
                depth(&net, src, q, "splitter", true).unwrap_or_else(|| panic!("q{i} unreachable"))
            })
            .collect();
        assert_balanced(k, &depths);
        assert_point_to_point(&net);
    }
}

#[test]
fn fanin_builds_a_balanced_merger_tree() {
    for k in 1..=9usize {
        let net = nmgen::passes::lower(&design(&fanin_spec(k)));
        assert_eq!(net.count_cells("merger"), k - 1, "k = {k}");
        let m = net.find("m").unwrap();
        let depths: Vec<usize> = (0..k)
            .map(|i| {
                let s = net.find(&format!("a{i}__src")).unwrap();
                depth(&net, m, s, "merger", false).unwrap_or_else(|| panic!("a{i} unreachable"))
            })
            .collect();
        assert_balanced(k, &depths);
        assert_point_to_point(&net);
    }
}

#[test]
fn fanout_and_fanin_together() {
    // 2 inputs fully connected to 3 outputs: each input splits 3 ways, each output merges 2
    let yaml = "name: l\nnetwork:\n  inputs: [x1, x2]\n  outputs: [y1, y2, y3]\n  layers:\n    - { from: [x1, x2], to: [y1, y2, y3] }\n";
    let net = nmgen::passes::lower(&design(yaml));
    assert_eq!(net.count_cells("splitter"), 2 * 2);
    assert_eq!(net.count_cells("merger"), 3);
}

#[test]
fn every_input_gets_a_source_and_every_output_a_load() {
    let d = design(&fanout_spec(3));
    let net = nmgen::passes::lower(&d);
    let kinds: BTreeMap<String, String> = net
        .graph
        .node_weights()
        .map(|b| {
            let k = match &b.kind {
                BlockKind::Cell { cell } => cell.clone(),
                other => format!("{other:?}")
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .to_string(),
            };
            (b.name.clone(), k)
        })
        .collect();
    assert_eq!(kinds["a"], "Source");
    assert_eq!(kinds["a__dcsfq"], "dcsfq");
    assert_eq!(kinds["a__src"], "jtl");
    for q in ["q0", "q1", "q2"] {
        assert_eq!(kinds[q], "jtl", "output {q} becomes its load JTL");
        assert_eq!(kinds[&format!("{q}__sink")], "sink");
    }
    assert_eq!(net.count_cells("dcsfq"), 1);
}

#[test]
fn unused_cell_outputs_are_terminated() {
    let yaml = "name: t\nnetwork:\n  inputs: [a]\n  outputs: [q]\n  cells:\n    t1: tff\n  connections: [a -> t1.a, t1.q -> q]\n";
    let net = nmgen::passes::lower(&design(yaml));
    let t1 = net.find("t1").unwrap();
    let ports: Vec<String> = net
        .outgoing(t1)
        .into_iter()
        .map(|(_, _, w)| w.from_port)
        .collect();
    assert!(ports.contains(&"qb".to_string()), "{ports:?}");
    assert!(net.find("t1_qb__sink").is_some());
}

#[test]
fn netlist_prints_every_output_junction_and_the_level_voltage() {
    let yaml = "name: p\nnetwork:\n  inputs: [a]\n  outputs: [q, lvl]\n  cells:\n    s: splitter\n    c: sfqdc\n  connections: [a -> s.a, s.q0 -> q, s.q1 -> c.a, c.q -> lvl]\nstimulus:\n  a: { times: [20ps] }\n";
    let netlist = nmgen::build::compile(&design(yaml));
    let cols: Vec<&str> = netlist
        .probes
        .iter()
        .flat_map(|p| p.columns.iter().map(|c| c.header.as_str()))
        .collect();
    assert_eq!(cols, ["P(B1|XQ)", "P(B2|XQ)", "V(RSK|XLVL)"]);
    assert!(netlist.text.contains(".print p(B1.XQ)\n"));
    assert!(netlist.text.contains(".print v(RSK.XLVL)\n"));
    assert!(netlist.text.contains("XLVL NMG_SINK C_Q\n"));
}

#[test]
fn rate_coded_stimulus_is_seeded_and_keeps_its_dead_time() {
    let yaml = |seed: u64| {
        format!("name: r\nnetwork:\n  inputs: [a]\n  outputs: [q]\n  connections: [a -> q]\nstimulus:\n  a: {{ rate: {{ rate: 20GHz, window: [0, 2ns], seed: {seed} }} }}\n")
    };
    let a = design(&yaml(7));
    let b = design(&yaml(7));
    let c = design(&yaml(8));
    let p = &a.inputs[0].pulses;
    assert_eq!(p, &b.inputs[0].pulses);
    assert_ne!(p, &c.inputs[0].pulses);
    // mean rate 20 GHz over 2 ns: 40 expected, Poisson-like spread
    assert!((25..=55).contains(&p.len()), "{} pulses", p.len());
    assert!(
        p.windows(2).all(|w| w[1] - w[0] >= 10e-12 - 1e-15),
        "dead time violated"
    );
    assert!(p.iter().all(|t| (0.0..2e-9).contains(t)));
}

#[test]
fn control_ports_get_a_current_from_a_named_parameter() {
    let path = format!(
        "{}/tests/specs/control_ports.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    let d = nmgen::spec::load(std::path::Path::new(&path)).unwrap();
    // a current given as a value becomes a parameter named after the instance and port
    assert!(d.parameters.contains(&("s1_w".to_string(), 135e-6)));
    assert!(d.parameters.contains(&("wh".to_string(), 120e-6)));
    let text = nmgen::build::compile(&d).text;
    assert!(text.contains(".param s1_w=135u\n"), "{text}");
    assert!(text.contains("IS1_W 0 S1_W pwl(0 0 20p s1_w)\n"));
    assert!(text.contains("IS2_W 0 S2_W pwl(0 0 20p wh)\n"));
    assert!(text.contains("XS1 WSYN A__SPL_Q0 S1_Q S1_W\n"));
}

#[test]
fn control_port_errors_are_located() {
    let base = std::fs::read_to_string(format!(
        "{}/tests/specs/control_ports.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("cells")).unwrap();
    std::fs::copy(
        format!("{}/tests/specs/cells/wsyn.cir", env!("CARGO_MANIFEST_DIR")),
        dir.path().join("cells/wsyn.cir"),
    )
    .unwrap();
    let cases = [
        ("w: wh }", "w: whx }", "undefined parameter `whx`"),
        (
            "{ cell: wsyn, w: 135uA }",
            "wsyn",
            "needs a current for its control port `w`",
        ),
        (
            "w: 135uA }",
            "w: 135uA, x: 1uA }",
            "has no control port `x`",
        ),
    ];
    for (from, to, message) in cases {
        let path = dir.path().join("s.yaml");
        std::fs::write(&path, base.replacen(from, to, 1)).unwrap();
        let err = nmgen::spec::load(&path).unwrap_err();
        assert!(err.message.contains(message), "{err}");
        assert!(err.line >= 10, "{err}");
    }
}

/// Blocks of `cell` that `block`'s output port drives, by name.
fn driven_cells(net: &Network, name: &str) -> Vec<String> {
    let b = net.find(name).unwrap();
    net.outgoing(b)
        .into_iter()
        .map(|(_, d, _)| match &net.graph[d].kind {
            BlockKind::Cell { cell } => format!("{cell} {}", net.graph[d].name),
            other => format!("{other:?} {}", net.graph[d].name),
        })
        .collect()
}

#[test]
fn every_synapse_drives_its_characterised_load_jtl() {
    // s0, s1 meet at a merger (n.a); i drives n.inh directly; t drives only an output;
    // u already drives a JTL
    let d = design(
        "name: l\nnetwork:\n  inputs: [x]\n  outputs: [y, z]\n  cells:\n    s[0..1]: { cell: synapse, w: 120uA }\n    i: { cell: synapse_inh, w: 120uA }\n    t: { cell: synapse, w: 120uA }\n    u: { cell: synapse, w: 120uA }\n    j: { cell: jtl }\n    n: { cell: neuron, th: 290uA }\n  connections: [x -> s.a, x -> i.a, x -> t.a, x -> u.a, s.q -> n.a, i.q -> n.inh, t.q -> y, u.q -> j.a, j.q -> n.a, n.q -> z]\nstimulus:\n  x: { times: [20ps] }\n",
    );
    let net = nmgen::passes::lower(&d);
    assert_point_to_point(&net);
    for s in ["s_0", "s_1", "i"] {
        assert_eq!(driven_cells(&net, s), [format!("jtl {s}__load")], "{s}");
    }
    assert_eq!(driven_cells(&net, "i__load"), ["neuron n"]);
    assert!(driven_cells(&net, "s_0__load")[0].starts_with("merger "));
    // an output it alone drives gets its load JTL from the output pass; a JTL stays
    assert!(net.find("t__load").is_none() && net.find("u__load").is_none());
    assert_eq!(driven_cells(&net, "u"), ["jtl j"]);
    assert_eq!(
        net.count_cells("jtl"),
        1 + 3 + 1 + 2,
        "source, loads, j, outputs"
    );
}

#[test]
fn synapses_merged_into_one_output_get_loads() {
    let d = design(
        "name: l\nnetwork:\n  inputs: [\"x[0..2]\"]\n  outputs: [y]\n  cells:\n    s[0..2]: { cell: synapse, w: 120uA }\n  connections: [x -> s.a, s.q -> y]\n",
    );
    let net = nmgen::passes::lower(&d);
    for s in ["s_0", "s_1", "s_2"] {
        assert_eq!(driven_cells(&net, s), [format!("jtl {s}__load")], "{s}");
    }
    assert_eq!(net.count_cells("merger"), 2);
}
