//! The fixed-point model follows the paper's float LIF rule: constants within 0.1 %,
//! leak rounded toward zero (no stuck negative membranes), ≥ 99 % of the spike decisions
//! agree on seeded streams and spike counts are within 1 %.

use std::path::Path;

use nmgen::lsm::events::bin_events;
use nmgen::lsm::float_rule::agreement;
use nmgen::lsm::model::leak;
use nmgen::lsm::spec::Leak;
use nmgen::lsm::{draw_weights, load, synthetic_events, LsmDesign, SyntheticSettings};

fn example(name: &str) -> LsmDesign {
    load(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name),
    )
    .expect("loads")
}

#[test]
fn constants_are_within_a_tenth_of_a_percent() {
    for name in ["lsm_nmnist.yaml", "lsm_tidigits.yaml"] {
        let d = example(name);
        let Leak::Multiply { factor, .. } = d.leak else {
            panic!("{name}: multiply leak expected")
        };
        let rel = (d.leak.effective() - factor).abs() / factor;
        assert!(
            rel <= 1e-3,
            "{name}: leak {} for {factor}",
            d.leak.effective()
        );
        // The time constant 1/(1 - leak), which sets the steady-state membrane, too.
        let tau = |l: f64| 1.0 / (1.0 - l);
        let rel = (tau(d.leak.effective()) - tau(factor)).abs() / tau(factor);
        assert!(rel <= 1e-3, "{name}: time constant off by {rel}");
        let exact = d.threshold * d.q() as f64 * (1u64 << d.frac_bits) as f64;
        let rel = (d.threshold_code() as f64 - exact).abs() / exact;
        assert!(rel <= 1e-3, "{name}: threshold code {}", d.threshold_code());
    }
}

#[test]
fn leak_rounds_toward_zero_so_membranes_of_both_signs_decay_to_zero() {
    let m = Leak::Multiply {
        factor: 0.9,
        code: 461,
        frac_bits: 9,
    };
    assert_eq!(leak(m, 100), 90); // 46100 / 512 = 90.04
    assert_eq!(leak(m, -100), -90);
    assert_eq!(leak(m, -1), 0);
    assert_eq!(leak(m, 1), 0);
    let s = Leak::Shift { shift: 3 };
    assert_eq!(leak(s, 100), 87); // 100 · 7/8 = 87.5
    assert_eq!(leak(s, -100), -87);
    assert_eq!(leak(s, 7), 6);
    assert_eq!(leak(s, -1), 0);
    // Any membrane reaches 0 once the input stops.
    for start in [-32768i64, -31, -1, 1, 31, 32767] {
        let mut v = start;
        for _ in 0..200 {
            v = leak(m, v);
        }
        assert_eq!(v, 0, "from {start}");
    }
}

#[test]
fn fixed_point_agrees_with_the_float_rule_on_seeded_streams() {
    for name in ["lsm_nmnist.yaml", "lsm_tidigits.yaml"] {
        let d = example(name);
        let w = draw_weights(&d);
        let set = synthetic_events(&d, &SyntheticSettings::new(10, 3, 11));
        let trains: Vec<_> = set.samples.iter().map(|s| bin_events(&d, s)).collect();
        let a = agreement(&d, &w, &trains);
        eprintln!(
            "{name}: {:.3} % of {} decisions agree, spikes {} fixed vs {} float ({:.3} %, worst sample {:.3} %)",
            100.0 * a.fraction(),
            a.decisions,
            a.spikes_fixed,
            a.spikes_float,
            100.0 * a.count_error(),
            100.0 * a.worst_sample_count_error
        );
        assert!(
            a.spikes_float > 1000,
            "{name}: the streams must make the reservoir fire"
        );
        assert!(a.fraction() >= 0.99, "{name}: {:.4}", a.fraction());
        assert!(a.count_error() <= 0.01, "{name}: {:.4}", a.count_error());
    }
}

#[test]
fn build_report_states_constants_adc_and_ppa() {
    let d = example("lsm_nmnist.yaml");
    let arts = nmgen::lsm::build(&d).expect("builds");
    let (_, bytes) = arts
        .iter()
        .find(|(p, _)| p.ends_with("lsm_nmnist_report.txt"))
        .expect("report");
    let r = String::from_utf8_lossy(bytes);
    assert!(r.contains("ADC               removed: partial sums"), "{r}");
    assert!(r.contains("leak              0.9 -> 1843/2^11"), "{r}");
    assert!(r.contains("rounded toward zero"), "{r}");
    assert!(
        r.contains("macro fit         1 x 1 array of 512x512 macros (456 rows x 400"),
        "{r}"
    );
    // 456 rows / 8 per cycle = 57 row groups + accept + update.
    assert!(r.contains("cycles            59 per time step"), "{r}");
    assert!(r.contains("word-line activations"), "{r}");
    assert!(r.contains("% of 20000 spike decisions agree"), "{r}");
}
