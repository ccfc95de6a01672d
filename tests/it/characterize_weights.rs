//! Trained weights mapped onto synapse currents through the characterized sigmoid.

use std::path::Path;

use nmgen::characterize::fit::Logistic;
use nmgen::characterize::synapse::SynapseKind;
use nmgen::characterize::weights::{map_weights, parse_weight_file, read_weight_file};
use nmgen::diagnostic::SourceFile;

fn curve() -> Logistic {
    // the JoSIM-measured curve of docs/neuro-design.md
    Logistic::new(112.9, 13.9 / (2.0 * 9f64.ln()))
}

fn weights(text: &str) -> Result<nmgen::characterize::WeightFile, nmgen::diagnostic::SourceError> {
    parse_weight_file(&SourceFile::new("w.json", text.to_string()))
}

#[test]
fn currents_reproduce_probabilities_and_sign_picks_the_synapse() {
    let w = weights(
        r#"{ "name": "net", "encoding": "signed", "inputs": ["a", "b", "c"],
             "layers": [ { "neurons": ["h"], "thresholds_ua": [290],
                           "weights": [[0.25, -0.8, 0.0]] },
                         { "neurons": ["o"], "thresholds_ua": [300], "weights": [[1.0]] } ] }"#,
    )
    .unwrap();
    let c = curve();
    let m = map_weights(&w, &c, None);
    // zero weight: no synapse
    assert_eq!(m.synapses.len(), 3);
    let ah = &m.synapses[0];
    assert_eq!(
        (ah.from.as_str(), ah.to.as_str(), ah.kind),
        ("a", "h", SynapseKind::Exc)
    );
    assert!((c.probability(ah.current_ua) - 0.25).abs() < 1e-9);
    assert!(ah.current_ua < c.centre);
    let bh = &m.synapses[1];
    assert_eq!(bh.kind, SynapseKind::Inh);
    assert!((c.probability(bh.current_ua) - 0.8).abs() < 1e-9);
    // |w| = 1 is clamped to p_max = 0.999 (a finite current)
    let ho = &m.synapses[2];
    assert!((ho.probability - 0.999).abs() < 1e-12);
    assert!(ho.current_ua > 130.0 && ho.current_ua < 140.0, "{ho:?}");
    // the written spec builds, with the currents as parameters and the right cells
    assert!(
        m.spec.contains("- { from: [a, b], to: [h], weights: [["),
        "{}",
        m.spec
    );
    assert!(
        m.spec.contains("h: { cell: neuron, th: 290.000uA }"),
        "{}",
        m.spec
    );
    let file = SourceFile::new("net.yaml", m.spec.clone());
    let design = nmgen::spec::check(&file, &nmgen::spec::parse(&file).unwrap())
        .unwrap_or_else(|e| panic!("{e}\n{}", m.spec));
    let w_bh = design
        .parameters
        .iter()
        .find(|(n, _)| n == "w_b_h")
        .unwrap()
        .1;
    assert!((w_bh * 1e6 - bh.current_ua).abs() < 1e-3);
    let netlist = nmgen::build::compile(&design);
    assert!(netlist.text.contains("NMG_SYN_INH"));
    assert!(netlist.text.contains("NMG_NEURON"));
}

#[test]
fn probability_encoding_and_separate_inh_curve() {
    let w = weights(
        r#"{ "name": "p", "encoding": "probability", "inputs": ["a"], "p_min": 0.05, "p_max": 0.95,
             "layers": [ { "neurons": ["n"], "thresholds_ua": [300], "weights": [[0.01]] } ] }"#,
    )
    .unwrap();
    let m = map_weights(&w, &curve(), Some(&Logistic::new(100.0, 3.0)));
    assert_eq!(m.synapses[0].kind, SynapseKind::Exc);
    assert!((m.synapses[0].probability - 0.05).abs() < 1e-12);
    assert!((curve().probability(m.synapses[0].current_ua) - 0.05).abs() < 1e-9);
}

#[test]
fn example_weight_file_maps_to_a_spec_that_builds() {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/xor_weights.json"
    ));
    let (_, w) = read_weight_file(path).unwrap();
    let m = map_weights(&w, &curve(), None);
    assert_eq!(m.synapses.len(), 6);
    let file = SourceFile::new("xor_mapped.yaml", m.spec.clone());
    let design = nmgen::spec::check(&file, &nmgen::spec::parse(&file).unwrap()).unwrap();
    assert_eq!(design.outputs, vec!["o_out"]);
    assert_eq!(
        design
            .inputs
            .iter()
            .find(|i| i.name == "x1")
            .unwrap()
            .pulses
            .len(),
        30
    );
}

#[test]
fn bad_weight_files_are_located_errors() {
    let e = weights(
        r#"{ "name": "x", "encoding": "signed", "inputs": ["a", "b"],
  "layers": [ { "neurons": ["n"], "thresholds_ua": [300], "weights": [[0.5]] } ] }"#,
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("1 rows (neurons) of 2 columns"),
        "{e}"
    );
    assert!(e.to_string().contains(":2:"), "{e}");
    let e = weights(
        r#"{ "name": "x", "encoding": "probability", "inputs": ["a"],
  "layers": [ { "neurons": ["n"], "thresholds_ua": [300], "weights": [[-0.5]] } ] }"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("outside [0, 1]"), "{e}");
    let e = weights(r#"{ "name": "x", "encodin": "signed" }"#).unwrap_err();
    assert!(e.to_string().contains("unknown field"), "{e}");
}
