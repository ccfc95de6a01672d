//! The bit-accurate model and the weights: fixed-point semantics and determinism.

use std::path::Path;

use nmgen::lsm::events::SpikeTrain;
use nmgen::lsm::model::{leak, Reservoir};
use nmgen::lsm::spec::Leak;
use nmgen::lsm::weights::readmemh_levels;
use nmgen::lsm::{build, draw_weights, load, load_str, run_sample, LsmDesign};

const TINY: &str = "name: tiny
lsm:
  inputs: 4
  neurons: 3
  recurrent_probability: 0.0
  weight_bits: 4
  conductance: { g_min_us: 0.0, g_max_us: 7.0, mean_us: 7.0, sigma_us: 0.0, sparsity: 0.0, seed: 1 }
  lif:
    threshold: 2.0
    leak: { shift: 1 }
    frac_bits: 0
  time_steps: 5
  adc: { bits: 4, rows_per_cycle: 4 }
  input: { kind: channels, channels: 4 }
";

fn tiny(adc_bits: u32) -> LsmDesign {
    load_str(
        &TINY.replace("bits: 4, rows", &format!("bits: {adc_bits}, rows")),
        Path::new("tiny.yaml"),
    )
    .expect("loads")
}

#[test]
fn leak_rounds_toward_zero() {
    let m = Leak::Multiply {
        factor: 0.9,
        code: 230,
        frac_bits: 8,
    };
    assert_eq!(leak(m, 100), 89); // 23000 / 256 = 89.84
    assert_eq!(leak(m, -100), -89); // trunc(-89.84)
    let s = Leak::Shift { shift: 3 };
    assert_eq!(leak(s, 100), 87); // trunc(87.5)
    assert_eq!(leak(s, -100), -87);
}

#[test]
fn hard_reset_strict_threshold_and_adc_saturation() {
    // G+ = 7 uS (level 7), G- = 7 uS: weight 0 -> use a custom crossbar instead.
    let d = tiny(4);
    let mut w = draw_weights(&d);
    // Input rows: input 0 -> +7 on every column; input 1 -> +7; reservoir rows 0.
    for i in 0..w.code.len() {
        w.code[i] = 0;
    }
    for c in 0..3 {
        w.code[c] = 7;
        w.code[3 + c] = 7;
    }
    // threshold 2.0 * Q(7) = 14 (frac_bits 0). ADC 4 bits: range -8..7, so 7+7=14 clips to 7.
    assert_eq!(d.threshold_code(), 14);
    let train = SpikeTrain {
        steps: vec![
            vec![true, true, false, false],
            vec![true, true, false, false],
            vec![false, false, false, false],
            vec![true, false, false, false],
            vec![true, false, false, false],
        ],
    };
    let r = run_sample(&d, &w, &train);
    // step 0: v = 7 (clipped). step 1: leak(7) = trunc(3.5) = 3, + 7 = 10. step 2: 5.
    // step 3: 2 + 7 = 9. step 4: 4 + 7 = 11. Never > 14.
    assert_eq!(
        r.membrane.iter().map(|v| v[0]).collect::<Vec<_>>(),
        vec![7, 10, 5, 9, 11]
    );
    assert_eq!(r.total_spikes(), 0);
    assert_eq!(r.adc_clips, 6); // steps 0 and 1, three columns each
                                // With a 6-bit ADC nothing clips: 14 is not > 14 (strict), then 7 + 14 = 21 > 14 fires,
                                // and the hard reset drops the leaked term at the next step.
    let d6 = tiny(6);
    let r = run_sample(&d6, &w, &train);
    assert_eq!(
        r.membrane.iter().map(|v| v[0]).collect::<Vec<_>>(),
        vec![14, 21, 0, 7, 10]
    );
    assert_eq!(
        r.spikes.iter().map(|s| s[0]).collect::<Vec<_>>(),
        vec![false, true, false, false, false]
    );
    assert_eq!(r.counts, vec![1, 1, 1]);
    assert_eq!(r.adc_clips, 0);
}

#[test]
fn membrane_saturates_at_register_width() {
    let d = load_str(
        &TINY
            .replace("frac_bits: 0", "frac_bits: 8\n    membrane_bits: 12")
            .replace("threshold: 2.0", "threshold: 1.0")
            .replace("bits: 4, rows", "bits: 6, rows"),
        Path::new("t.yaml"),
    )
    .expect("loads");
    let mut w = draw_weights(&d);
    w.code.iter_mut().for_each(|c| *c = 0);
    w.code[0] = 7;
    let mut res = Reservoir::new(&d, &w);
    let mut r = Default::default();
    res.step(&[true, false, false, false], &mut r);
    // 7 << 8 = 1792 fits 12 bits (max 2047).
    assert_eq!(res.v[0], 1792);
    w.code[3] = 7; // input 1 -> column 0 too
    let mut res = Reservoir::new(&d, &w);
    res.step(&[true, true, false, false], &mut r);
    assert_eq!(res.v[0], 2047, "saturates at 2^11 - 1");
}

#[test]
fn same_seed_same_weights_everywhere() {
    let d = load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/lsm_nmnist.yaml"))
        .expect("loads");
    let a = draw_weights(&d);
    let b = draw_weights(&d);
    assert_eq!(a, b);
    let mut d2 = d.clone();
    d2.conductance.seed += 1;
    assert_ne!(draw_weights(&d2).code, a.code);
    // The build's $readmemh images are exactly the model's levels.
    let arts = build(&d).expect("build");
    let get = |n: &str| {
        arts.iter()
            .find(|(p, _)| p.to_str() == Some(n))
            .map(|(_, b)| b.clone())
            .unwrap_or_else(|| panic!("{n} missing"))
    };
    assert_eq!(get("gpos.hex"), readmemh_levels(&d, &a.level_pos));
    assert_eq!(get("gneg.hex"), readmemh_levels(&d, &a.level_neg));
    // Decode one line of gpos.hex back to levels and compare with the model's weights.
    let text = String::from_utf8(get("gpos.hex")).expect("utf8");
    let line = text.lines().nth(3).expect("group 3");
    let lb = 3;
    let bit = |i: usize| {
        let digit = line.len() - 1 - i / 4;
        let v = u32::from_str_radix(&line[digit..digit + 1], 16).expect("hex");
        (v >> (i % 4)) & 1
    };
    for j in 0..d.rows_per_cycle {
        for c in [0usize, 17, 199] {
            let level: u32 = (0..lb)
                .map(|b| bit((j * d.neurons + c) * lb + b) << b)
                .sum();
            assert_eq!(
                level as u8,
                a.level_pos[(3 * d.rows_per_cycle + j) * d.neurons + c]
            );
        }
    }
    // The weight table reports the same codes.
    let csv = String::from_utf8(get("weights.csv")).expect("utf8");
    let row = csv.lines().nth(1 + 5 * d.neurons + 9).expect("row");
    let code: i16 = row.rsplit(',').next().expect("code").parse().expect("int");
    assert_eq!(code, a.weight(5, 9));
    // The build is deterministic.
    assert_eq!(build(&d).expect("build"), arts);
}

#[test]
fn weights_follow_the_conductance_window_and_sparsity() {
    let d = load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/lsm_nmnist.yaml"))
        .expect("loads");
    let w = draw_weights(&d);
    let c = &d.conductance;
    assert!(w
        .g_pos_us
        .iter()
        .chain(&w.g_neg_us)
        .all(|&g| g >= c.g_min_us && g <= c.g_max_us));
    assert!(w.code.iter().all(|&x| (-7..=7).contains(&x)));
    let inputs_formed = w.formed[..d.inputs * d.neurons]
        .iter()
        .filter(|&&f| f)
        .count() as f64
        / (d.inputs * d.neurons) as f64;
    assert!(
        (inputs_formed - (1.0 - c.sparsity)).abs() < 0.03,
        "{inputs_formed}"
    );
    let rec = &w.formed[d.inputs * d.neurons..];
    let rec_formed = rec.iter().filter(|&&f| f).count() as f64 / rec.len() as f64;
    assert!(
        (rec_formed - d.recurrent_probability).abs() < 0.03,
        "{rec_formed}"
    );
    for n in 0..d.neurons {
        assert!(
            !w.formed[(d.inputs + n) * d.neurons + n],
            "no self-connection"
        );
    }
    // Variation: sigma 0 is the identity, sigma > 0 moves some codes.
    assert_eq!(w.with_variation(&d, 0.0, 3), w);
    let v = w.with_variation(&d, 5.0, 3);
    assert_ne!(v.code, w.code);
    assert_eq!(v.formed, w.formed);
}

/// The fast model (direct accumulation of groups that cannot clip, shift leak) against the
/// plain transcription in `reference_model`: every spike, membrane, count and statistic, on
/// both examples and on designs whose ADC clips (few rows per conversion allowed), at
/// input densities from sparse to saturated.
#[test]
fn fast_model_equals_the_reference_model() {
    use nmgen::lsm::reference_model;
    use nmgen::lsm::{synthetic_events, SyntheticSettings};
    let example = |name: &str| {
        load(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("examples")
                .join(name),
        )
        .expect("loads")
    };
    let mut designs = vec![example("lsm_nmnist.yaml"), example("lsm_tidigits.yaml")];
    // ADC rails ±8 with codes up to ±7: at most one word line per conversion is direct.
    let mut d = example("lsm_tidigits.yaml");
    d.adc_bits = 4;
    d.rows_per_cycle = 5;
    d.recurrent_probability = 0.3;
    designs.push(d);
    // Rails narrower than one code (every group through the ADC), shift leak.
    let mut d = tiny(3);
    d.leak = Leak::Shift { shift: 2 };
    designs.push(d);
    let mut clipped = 0;
    for d in &designs {
        let w = draw_weights(d);
        let mut trains: Vec<SpikeTrain> = synthetic_events(d, &SyntheticSettings::new(2, 2, 5))
            .samples
            .iter()
            .map(|s| nmgen::lsm::events::bin_events(d, s))
            .collect();
        // Seeded random densities from 5 % to every input every step.
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for density in [5u64, 30, 70, 100] {
            let steps = (0..d.time_steps)
                .map(|_| {
                    (0..d.inputs)
                        .map(|_| {
                            x ^= x << 13;
                            x ^= x >> 7;
                            x ^= x << 17;
                            x % 100 < density
                        })
                        .collect()
                })
                .collect();
            trains.push(SpikeTrain { steps });
        }
        for t in &trains {
            let fast = run_sample(d, &w, t);
            let reference = reference_model::run_sample(d, &w, t);
            assert_eq!(fast, reference, "{}", d.name);
            clipped += fast.adc_clips;
        }
    }
    assert!(
        clipped > 0,
        "some conversions must clip for the test to mean anything"
    );
}
