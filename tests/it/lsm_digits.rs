//! Real data end to end: the UCI 8×8 digits (data/digits.csv) rate coded into events, run
//! through `examples/lsm_digits.yaml`, read out by the paper's one-layer MLP readout
//! (int8): held-out accuracy ≥ 92 %, beside logistic regression on the raw pixels.

use std::path::Path;

use nmgen::lsm::images::{images_to_events, ImageCoding, ImageEvents};
use nmgen::lsm::mlp::{train_mlp, MlpSettings};
use nmgen::lsm::readout::{TrainMethod, TrainSettings};
use nmgen::lsm::{draw_weights, load, train_readout};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn rate(seed: u64) -> ImageEvents {
    ImageEvents {
        width: 8,
        steps: 20,
        step_us: 1000,
        coding: ImageCoding::Rate { max_rate: 0.5 },
        seed,
    }
}

#[test]
fn image_coding_is_seeded_and_follows_the_pixels() {
    let data = nmgen::dataset::read(&root().join("data/digits.csv")).expect("digits");
    let a = images_to_events(&data, &rate(1)).expect("codes");
    assert_eq!(a, images_to_events(&data, &rate(1)).expect("codes"));
    assert_ne!(a, images_to_events(&data, &rate(2)).expect("codes"));
    assert_eq!(a.samples.len(), 1797);
    // Black pixels never fire under rate coding; the brightest fire about max_rate · steps.
    let img = &data.features[0];
    for e in &a.samples[0].events {
        if let nmgen::lsm::events::Event::Pixel { x, y, .. } = *e {
            assert!(
                img[(y * 8 + x) as usize] > 0.0,
                "black pixel ({x}, {y}) fired"
            );
        }
    }
    let sac = ImageEvents {
        coding: ImageCoding::Saccade {
            contrast: 0.3,
            dropout: 0.0,
        },
        ..rate(1)
    };
    let s = images_to_events(&data, &sac).expect("codes");
    let ev = &s.samples[0].events;
    assert!(
        ev.len() > 50,
        "a saccade over a digit makes events: {}",
        ev.len()
    );
    let on = ev
        .iter()
        .filter(|e| matches!(e, nmgen::lsm::events::Event::Pixel { p: 1, .. }))
        .count();
    assert!(
        on > 0 && on < ev.len(),
        "both polarities: {on} of {}",
        ev.len()
    );
    assert!(images_to_events(
        &data,
        &ImageEvents {
            width: 7,
            ..rate(1)
        }
    )
    .is_err());
}

#[test]
fn digits_held_out_accuracy_with_the_mlp_readout() {
    let d = load(&root().join("examples/lsm_digits.yaml")).expect("loads");
    let data = nmgen::dataset::read(&root().join("data/digits.csv")).expect("digits");
    let set = images_to_events(&data, &rate(1)).expect("codes");
    let w = draw_weights(&d);
    let settings = TrainSettings {
        method: TrainMethod::Mlp(MlpSettings::new(0, 1)),
        test_fraction: 0.25,
        seed: 1,
    };
    let rep = train_readout(&d, &w, &set, &settings).expect("trains");
    // Logistic regression on the raw pixels, same split and optimizer.
    let raw: Vec<Vec<u32>> = data
        .features
        .iter()
        .map(|r| r.iter().map(|&v| v as u32).collect())
        .collect();
    let mut order: Vec<usize> = (0..raw.len()).collect();
    use rand::seq::SliceRandom;
    use rand::SeedableRng;
    order.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(1));
    let (test, train) = order.split_at(rep.samples_test);
    let lr = train_mlp(&raw, &data.labels, train, 10, &MlpSettings::new(0, 1));
    let raw_acc = test
        .iter()
        .filter(|&&i| lr.classify(&raw[i]) == data.labels[i])
        .count() as f64
        / test.len() as f64;
    eprintln!(
        "digits: LSM + int8 MLP readout {:.1} % (95 % {:.1}-{:.1} %), float logistic on the LSM counts {:.1} %, logistic on raw pixels {:.1} %",
        100.0 * rep.test_accuracy,
        100.0 * rep.test_interval.0,
        100.0 * rep.test_interval.1,
        100.0 * rep.float_test_accuracy,
        100.0 * raw_acc
    );
    assert_eq!(rep.samples_test, 449);
    assert!(rep.test_accuracy >= 0.92, "{}", rep.test_accuracy);
    assert!(raw_acc > 0.9, "{raw_acc}");
}
