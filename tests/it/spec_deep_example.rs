//! examples/deep_64_16_16_10.yaml: a 64 → 16 → 16 → 10 network in under 30 lines of
//! YAML, its weights in CSV files made here from a seed (`NMGEN_WRITE_WEIGHTS=1 cargo
//! test --test it spec_deep_example::` rewrites them; otherwise the test checks that the
//! files in the repository are exactly these).

use std::path::{Path, PathBuf};

use nmgen::ir::BlockKind;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const SPEC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/deep_64_16_16_10.yaml"
);

/// (file, sources, targets, seed) of each layer.
const LAYERS: [(&str, usize, usize, u64); 3] = [
    ("l1.csv", 64, 16, 1),
    ("l2.csv", 16, 16, 2),
    ("l3.csv", 16, 10, 3),
];

fn weights_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/deep_64_16_16_10")
}

/// Half the weights zero; of the others 30 % inhibitory; |w| in 115–145 µA (the
/// synapse's sigmoid runs from p ≈ 0.5 to p ≈ 1 there), in steps of 0.5 µA.
fn matrix(sources: usize, targets: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..targets)
        .map(|_| {
            (0..sources)
                .map(|_| {
                    let zero = rng.random::<f64>() < 0.5;
                    let inhibitory = rng.random::<f64>() < 0.3;
                    let magnitude = (2.0 * (115.0 + 30.0 * rng.random::<f64>())).round() / 2.0;
                    match (zero, inhibitory) {
                        (true, _) => 0.0,
                        (false, true) => -magnitude,
                        (false, false) => magnitude,
                    }
                })
                .collect()
        })
        .collect()
}

fn csv_text(file: &str, m: &[Vec<f64>], seed: u64) -> String {
    let mut s = format!(
        "# {file} of examples/deep_64_16_16_10.yaml: weights[neuron][source] in µA, seed {seed}\n# (tests/it/spec_deep_example.rs)\n"
    );
    for row in m {
        let cells: Vec<String> = row.iter().map(|v| format!("{v}")).collect();
        s.push_str(&cells.join(","));
        s.push('\n');
    }
    s
}

#[test]
fn weight_files_are_the_seeded_matrices() {
    for (file, sources, targets, seed) in LAYERS {
        let want = csv_text(file, &matrix(sources, targets, seed), seed);
        let path = weights_dir().join(file);
        if std::env::var_os("NMGEN_WRITE_WEIGHTS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap();
        assert_eq!(have, want, "{} differs from its seed", path.display());
    }
}

#[test]
fn deep_spec_is_short_and_builds_one_synapse_per_nonzero_weight() {
    let text = std::fs::read_to_string(SPEC).unwrap();
    assert!(text.lines().count() <= 30, "{} lines", text.lines().count());
    let design = nmgen::spec::load(Path::new(SPEC)).unwrap();
    let mats: Vec<Vec<Vec<f64>>> = LAYERS
        .iter()
        .map(|(_, s, t, seed)| matrix(*s, *t, *seed))
        .collect();
    let count = |pred: fn(f64) -> bool| -> usize {
        mats.iter()
            .flatten()
            .flatten()
            .filter(|v| pred(**v))
            .count()
    };
    let (exc, inh) = (count(|v| v > 0.0), count(|v| v < 0.0));
    let net = nmgen::passes::lower(&design);
    assert_eq!(net.count_cells("neuron"), 16 + 16 + 10);
    assert_eq!(net.count_cells("synapse"), exc);
    assert_eq!(net.count_cells("synapse_inh"), inh);
    assert!(exc > 500 && inh > 200, "{exc} excitatory, {inh} inhibitory");
    // each synapse's current is its own parameter, with |w| of the CSV; w < 0 is inhibitory
    let i = mats[0][3].iter().position(|w| *w < 0.0).unwrap();
    let w = mats[0][3][i];
    let (_, value) = design
        .parameters
        .iter()
        .find(|(n, _)| *n == format!("w_x_{i}_h1_3"))
        .expect("parameter of the synapse x[i] -> h1[3]");
    assert!((value - w.abs() * 1e-6).abs() < 1e-12, "{value} vs {w} µA");
    let cell = |name: &str| {
        net.find(name).map(|b| match &net.graph[b].kind {
            BlockKind::Cell { cell } => cell.clone(),
            _ => String::new(),
        })
    };
    assert_eq!(
        cell(&format!("s_x_{i}_h1_3")).as_deref(),
        Some("synapse_inh")
    );
    // hidden neurons drive their synapses through a JTL; every unused inh is terminated
    assert_eq!(cell("h1_0__jtl").as_deref(), Some("jtl"));
    let netlist = nmgen::backend::josim::write(&design, &net);
    assert!(netlist.text.contains(&format!(".param w_x_{i}_h1_3=")));
    assert!(!netlist.text.contains("_NC"), "an unconnected port");
    assert_eq!(netlist.probes.len(), 10);
}
