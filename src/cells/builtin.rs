//! nmgen's built-in cells, compiled into the binary from `netlists/*.cir`.
//!
//! Each file holds one `.subckt NMG_<NAME>` sized from the technology parameters
//! (`nmg_ic`, `nmg_icrs`, `nmg_lrs`, `nmg_bf`, `nmg_lic`, `bias`) that the netlist
//! writer declares, and a header line `* nmgen: inputs=.. outputs=.. levels=..`
//! giving the port directions.

use std::sync::Arc;

use super::{scan_subcircuits, Cell, Library, Origin};

/// (spec name, file text, may sit in a loop).
pub const BUILTIN_CELLS: &[(&str, &str, bool)] = &[
    ("jtl", include_str!("../../netlists/jtl.cir"), false),
    (
        "splitter",
        include_str!("../../netlists/splitter.cir"),
        false,
    ),
    ("merger", include_str!("../../netlists/merger.cir"), false),
    ("dcsfq", include_str!("../../netlists/dcsfq.cir"), false),
    ("sfqdc", include_str!("../../netlists/sfqdc.cir"), true),
    ("dff", include_str!("../../netlists/dff.cir"), true),
    ("tff", include_str!("../../netlists/tff.cir"), true),
    ("sink", include_str!("../../netlists/sink.cir"), false),
    // Stochastic synapses pass or absorb each pulse and keep no flux: no state.
    ("synapse", include_str!("../../netlists/synapse.cir"), false),
    (
        "synapse_inh",
        include_str!("../../netlists/synapse_inh.cir"),
        false,
    ),
    // The neuron stores flux quanta in its leaky loop: it holds state.
    ("neuron", include_str!("../../netlists/neuron.cir"), true),
];

/// Reads the `* nmgen: key=a,b key=c` header of a built-in cell file.
fn header(text: &str, key: &str) -> Vec<String> {
    for line in text.lines() {
        let Some(rest) = line.trim().strip_prefix("* nmgen:") else {
            continue;
        };
        for field in rest.split_whitespace() {
            if let Some(v) = field.strip_prefix(key).and_then(|v| v.strip_prefix('=')) {
                return v
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| s.trim().to_ascii_lowercase())
                    .collect();
            }
        }
    }
    Vec::new()
}

/// The built-in cells. The files are part of nmgen and checked by its tests,
/// so a malformed one is a bug in nmgen, reported by `builtin_cells_are_well_formed`.
pub fn builtin_library() -> Library {
    let mut lib = Library::default();
    for &(name, text, loop_ok) in BUILTIN_CELLS {
        let blocks = scan_subcircuits(text).unwrap_or_default();
        let Some(block) = blocks.first() else {
            continue;
        };
        lib.insert(Cell {
            name: name.to_string(),
            subckt: block.name.to_ascii_uppercase(),
            ports: block.ports.clone(),
            inputs: header(text, "inputs"),
            outputs: header(text, "outputs"),
            levels: header(text, "levels"),
            controls: header(text, "controls"),
            loop_ok,
            text: Arc::from(block.text.as_str()),
            sources: Vec::new(),
            origin: Origin::Builtin,
        });
    }
    lib
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_cells_are_well_formed() {
        let lib = builtin_library();
        assert_eq!(
            lib.cells.len(),
            BUILTIN_CELLS.len(),
            "every file has one .subckt"
        );
        for cell in lib.cells.values() {
            assert!(cell.subckt.starts_with("NMG_"), "{}", cell.name);
            for p in cell
                .inputs
                .iter()
                .chain(&cell.outputs)
                .chain(&cell.levels)
                .chain(&cell.controls)
            {
                assert!(
                    cell.ports.contains(p),
                    "{}: header port {p} not in .subckt",
                    cell.name
                );
            }
            for p in &cell.ports {
                assert!(
                    cell.is_input(p) || cell.is_output(p) || cell.controls.contains(p),
                    "{}: port {p} has no direction",
                    cell.name
                );
            }
        }
        assert_eq!(lib.get("jtl").unwrap().inputs, vec!["a"]);
        assert_eq!(lib.get("jtl").unwrap().outputs, vec!["q"]);
        assert_eq!(lib.get("splitter").unwrap().outputs.len(), 2);
        assert_eq!(lib.get("merger").unwrap().inputs.len(), 2);
        let syn = lib.get("synapse").unwrap();
        assert_eq!(
            (syn.subckt.as_str(), syn.controls.clone()),
            ("NMG_SYN", vec!["w".to_string()])
        );
        assert_eq!(lib.get("synapse_inh").unwrap().subckt, "NMG_SYN_INH");
        let neuron = lib.get("neuron").unwrap();
        assert_eq!(neuron.inputs, vec!["a", "inh"]);
        assert_eq!(neuron.controls, vec!["th"]);
        assert!(neuron.loop_ok && !syn.loop_ok);
    }
}
