//! The PPA report's energy per inference: counted events × per-event energies from
//! `lsm.energy` (documented defaults, overridable), in the report of every LSM example.

use std::path::Path;

use nmgen::lsm::energy::{energy, EnergyModel};
use nmgen::lsm::{bin_events, draw_weights, load, load_str, run_sample, synthetic_events};
use nmgen::lsm::{LsmDesign, SyntheticSettings};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn with_energy(name: &str, energy_yaml: &str) -> Result<LsmDesign, String> {
    let spec = root().join("examples").join(name);
    let text = std::fs::read_to_string(&spec).expect("spec");
    let text = text.replacen("\nlsm:\n", &format!("\nlsm:\n  energy: {energy_yaml}\n"), 1);
    load_str(&text, &spec).map_err(|e| e.to_string())
}

#[test]
fn energy_is_events_times_per_event_energies() {
    let d = load(&root().join("examples/lsm_tidigits.yaml")).expect("loads");
    assert_eq!(d.energy, EnergyModel::defaults(d.adc_bits));
    let w = draw_weights(&d);
    let set = synthetic_events(&d, &SyntheticSettings::new(2, 2, 9));
    let trains: Vec<_> = set.samples.iter().map(|s| bin_events(&d, s)).collect();
    let runs: Vec<_> = trains.iter().map(|t| run_sample(&d, &w, t)).collect();
    let e = energy(&d, &w, &trains, &runs);
    // Counts, checked against the model's own tallies.
    let n = runs.len() as f64;
    let rows: usize = runs
        .iter()
        .map(|r| r.active_rows.iter().sum::<usize>())
        .sum();
    assert_eq!(e.device_reads, (rows * 2 * d.neurons) as f64 / n);
    let conv: u64 = runs.iter().map(|r| r.adc_conversions).sum();
    assert_eq!(e.adc_conversions, conv as f64 / n);
    assert!(e.adc_conversions > 0.0 && e.device_reads > 0.0);
    assert_eq!(e.lif_updates, (d.time_steps * d.neurons) as f64);
    let ro = d.readout.as_ref().expect("readout");
    assert_eq!(
        e.macs,
        (ro.blocks() * ro.mac_units) as f64 * d.neurons as f64
    );
    // Every device conducts between g_min and g_max: the crossbar energy is bounded by them.
    let per_read = e.crossbar_pj / e.device_reads; // pJ
    let vt = 0.2f64.powi(2) * 10e-9 * 1e12; // V² · t in pJ/S
    let c = &d.conductance;
    assert!(per_read >= c.g_min_us * 1e-6 * vt * 0.999 && per_read <= c.g_max_us * 1e-6 * vt);
    let parts = e.crossbar_pj + e.adc_pj + e.accumulate_pj + e.lif_pj + e.readout_pj;
    assert!((e.total_pj() - parts).abs() < 1e-9);

    // Overrides: twice the read voltage is four times the crossbar energy; the ADC part
    // follows its per-conversion energy; nothing else moves.
    let d2 = with_energy(
        "lsm_tidigits.yaml",
        "{ read_voltage_v: 0.4, adc_conversion_pj: 2.5 }",
    )
    .expect("loads");
    let e2 = energy(&d2, &w, &trains, &runs);
    assert!((e2.crossbar_pj / e.crossbar_pj - 4.0).abs() < 1e-9);
    assert!((e2.adc_pj - 2.5 * e.adc_conversions).abs() < 1e-6);
    assert_eq!((e2.lif_pj, e2.readout_pj), (e.lif_pj, e.readout_pj));
}

#[test]
fn bad_energies_are_located_errors() {
    let err = with_energy("lsm_nmnist.yaml", "{ mac_pj: -1 }").expect_err("negative");
    assert!(err.contains("energy.mac_pj must be ≥ 0"), "{err}");
    let err = with_energy("lsm_nmnist.yaml", "{ watts: 3 }").expect_err("unknown field");
    assert!(err.contains("watts"), "{err}");
}

#[test]
fn every_example_report_has_energy_per_inference() {
    for name in ["lsm_nmnist", "lsm_tidigits", "lsm_digits"] {
        let d = load(&root().join(format!("examples/{name}.yaml"))).expect("loads");
        let out = nmgen::lsm::build(&d).expect("builds");
        let (_, report) = out
            .iter()
            .find(|(p, _)| p.ends_with(format!("{name}_report.txt")))
            .expect("report");
        let report = String::from_utf8_lossy(report);
        let line = report
            .lines()
            .find(|l| l.starts_with("energy/inference"))
            .unwrap_or_else(|| panic!("{report}"));
        let nj: f64 = line
            .split_whitespace()
            .nth(1)
            .expect("value")
            .parse()
            .expect("number");
        assert!(nj > 1.0 && nj < 1e4, "{name}: {line}");
        for part in [
            "crossbar reads",
            "ADC",
            "accumulators",
            "LIF updates",
            "readout",
        ] {
            assert!(
                report.contains(&format!("  {part}")),
                "{name}: {part}\n{report}"
            );
        }
    }
}
