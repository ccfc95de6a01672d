//! The cell-model file: the shipped `models/default.json` is current (its recorded
//! hash of cell netlists, technology, bench settings and the simulator's noise model
//! matches this build) and a cheap circuit-level spot re-measurement agrees with it;
//! malformed model files give located errors.

use nmgen::diagnostic::SourceFile;
use nmgen::pulse::models::{source_hash, TechnologyRecord};
use nmgen::pulse::{default_models, CellModels};
use nmgen::spec::Technology;

#[test]
fn the_shipped_models_are_current() {
    let m = default_models().expect("models/default.json parses");
    assert_eq!(
        m.command, "nmgen characterize models -o models/default.json",
        "the file records the command that regenerates it"
    );
    assert_eq!(
        m.technology,
        TechnologyRecord::of(&Technology::defaults()),
        "measured on the default technology"
    );
    assert_eq!(
        m.source_sha256,
        source_hash(&m.technology, &m.benches),
        "models/default.json is stale: the cell netlists, the technology, the benches or the \
         simulator's noise model changed since it was measured; regenerate it with \
         `cargo run --release -- characterize models -o models/default.json`"
    );
    // the file on disk is the one compiled in
    let on_disk = std::fs::read_to_string("models/default.json").unwrap();
    assert_eq!(on_disk, nmgen::pulse::DEFAULT_MODELS);
    assert_eq!(
        on_disk,
        m.to_json(),
        "the file is what `characterize models` writes"
    );
}

#[test]
fn the_models_have_the_contracted_shape() {
    let m = default_models().unwrap();
    let n = &m.cells.neuron;
    assert!(!n.pulses_to_fire.is_empty());
    // pulses to fire decrease with the threshold current
    assert!(n
        .pulses_to_fire
        .windows(2)
        .all(|w| w[0].pulses >= w[1].pulses));
    assert!(n.leak_tau_ps > 0.0 && n.inh_fluxons > 0.0);
    // the synapse sigmoid is centred inside the measured sweep
    let s = m.cells.synapse.pass;
    assert!(s.centre_ua > 100.0 && s.centre_ua < 132.0 && s.scale_ua > 0.0);
    assert!(m.cells.jtl.delay_ps.mean > 0.0 && m.cells.merger.delay_ps.mean > 0.0);
}

#[test]
fn a_spot_re_measurement_of_the_jtl_delay_agrees() {
    use nmgen::engine::Engine;
    let m = default_models().unwrap();
    let engine = Engine::Builtin {
        mode: nmgen::sim::Mode::Phase,
    };
    // 3 seeds instead of the file's 20: within 0.25 ps (7 %) of the recorded delay
    let (mean, _) =
        nmgen::characterize::models::jtl_delay(&Technology::defaults(), &engine, 4.2, 1.0, 3)
            .unwrap();
    let d = m.cells.jtl.delay_ps;
    assert!(
        (mean - d.mean).abs() <= 0.25,
        "re-measured {mean} ps, file {} ± {} ps",
        d.mean,
        d.std
    );
}

fn parse(text: &str) -> String {
    let file = SourceFile::new("bad_models.json", text.to_string());
    CellModels::parse(&file).unwrap_err().to_string()
}

#[test]
fn malformed_model_files_name_file_line_and_column() {
    let good = nmgen::pulse::DEFAULT_MODELS;
    // a syntax error
    let e = parse(&good.replacen("\"bias\":", "\"bias\" ", 1));
    assert!(e.starts_with("bad_models.json:"), "{e}");
    let loc: Vec<&str> = e.split(':').collect();
    assert!(loc[1].parse::<usize>().unwrap() > 1, "{e}");
    // an unknown field
    let e = parse(&good.replacen("\"leak_tau_ps\"", "\"leak_tau\"", 1));
    assert!(e.contains("leak_tau"), "{e}");
    // a value out of range, located at its key
    let bad = good.replacen("\"leak_tau_ps\": ", "\"leak_tau_ps\": -", 1);
    let e = parse(&bad);
    assert!(e.contains("leak_tau_ps must be > 0"), "{e}");
    let line = bad
        .lines()
        .position(|l| l.contains("\"leak_tau_ps\""))
        .unwrap()
        + 1;
    assert!(e.starts_with(&format!("bad_models.json:{line}:")), "{e}");
}
