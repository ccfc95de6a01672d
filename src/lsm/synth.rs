//! A seeded synthetic event generator for tests and demos.
//!
//! Each class has a prototype: a random set of "hot" input lines, each with its own burst
//! time. A sample replays the prototype with timing jitter, drops some bursts and adds
//! uniform background events (including events outside the crop and of the other
//! polarity, which the input mapping must drop). Same settings and seed → same events.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::events::{Event, EventSample, EventSet};
use super::spec::{InputMap, LsmDesign, Polarity};

/// Shape of the synthetic data set.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SyntheticSettings {
    pub classes: u32,
    pub samples_per_class: u32,
    /// Seeds the class prototypes (which lines burst, when).
    pub seed: u64,
    /// Seeds the samples drawn from the prototypes: sets with the same `seed` and different
    /// `variant`s hold different samples of the same classes (e.g. training and test sets).
    pub variant: u64,
    /// Fraction of input lines that burst in a class prototype.
    pub hot_fraction: f64,
    /// Probability that a prototype burst is missing from a sample.
    pub dropout: f64,
    /// Background events per input line per sample.
    pub noise_per_line: f64,
}

impl SyntheticSettings {
    pub fn new(classes: u32, samples_per_class: u32, seed: u64) -> Self {
        SyntheticSettings {
            classes,
            samples_per_class,
            seed,
            variant: 0,
            hot_fraction: 0.25,
            dropout: 0.2,
            noise_per_line: 0.5,
        }
    }
}

struct Prototype {
    /// (input line, burst start as a fraction of the sample)
    bursts: Vec<(usize, f64)>,
}

fn sample_span_us(design: &LsmDesign) -> f64 {
    design.step_us.unwrap_or(1000.0) * design.time_steps as f64
}

fn line_event(design: &LsmDesign, line: usize, t_us: u64, rng: &mut ChaCha8Rng) -> Event {
    match design.input {
        InputMap::Pixels {
            crop_x,
            crop_y,
            crop_width,
            polarity,
            ..
        } => {
            let p = match polarity {
                Polarity::On => 1,
                Polarity::Off => 0,
                Polarity::Both => rng.random_range(0..2u8),
            };
            Event::Pixel {
                t_us,
                x: crop_x + line as u32 % crop_width,
                y: crop_y + line as u32 / crop_width,
                p,
            }
        }
        InputMap::Channels { .. } => Event::Channel {
            t_us,
            channel: line as u32,
        },
    }
}

fn noise_event(design: &LsmDesign, t_us: u64, rng: &mut ChaCha8Rng) -> Event {
    match design.input {
        InputMap::Pixels {
            sensor_width,
            sensor_height,
            ..
        } => Event::Pixel {
            t_us,
            x: rng.random_range(0..sensor_width),
            y: rng.random_range(0..sensor_height),
            p: rng.random_range(0..2u8),
        },
        InputMap::Channels { channels } => Event::Channel {
            t_us,
            channel: rng.random_range(0..channels),
        },
    }
}

/// Generates a labelled synthetic event set for `design` (labels 0..classes).
pub fn synthetic_events(design: &LsmDesign, s: &SyntheticSettings) -> EventSet {
    let mut rng = ChaCha8Rng::seed_from_u64(s.seed);
    let span = sample_span_us(design);
    let hot = ((design.inputs as f64 * s.hot_fraction).round() as usize).clamp(1, design.inputs);
    let protos: Vec<Prototype> = (0..s.classes)
        .map(|_| {
            let mut lines: Vec<usize> = (0..design.inputs).collect();
            lines.shuffle(&mut rng);
            Prototype {
                bursts: lines[..hot]
                    .iter()
                    .map(|&l| (l, rng.random_range(0.0..0.8)))
                    .collect(),
            }
        })
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(
        s.seed
            .wrapping_add(1)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(s.variant),
    );
    let mut samples = Vec::new();
    for _ in 0..s.samples_per_class {
        for (label, proto) in protos.iter().enumerate() {
            let mut events = Vec::new();
            for &(line, start) in &proto.bursts {
                if rng.random_bool(s.dropout.clamp(0.0, 1.0)) {
                    continue;
                }
                let jitter = rng.random_range(-0.05..0.05);
                let t_start = ((start + jitter).clamp(0.0, 0.95) * span) as u64;
                let n = rng.random_range(3..9);
                for i in 0..n {
                    let t = t_start + (i as f64 * span * 0.02) as u64 + rng.random_range(0..50);
                    events.push(line_event(design, line, t, &mut rng));
                }
            }
            let noise = (s.noise_per_line * design.inputs as f64).round() as usize;
            for _ in 0..noise {
                let t = rng.random_range(0..(span as u64).max(1));
                events.push(noise_event(design, t, &mut rng));
            }
            // Anchor the span: one event at t = 0 (first bin) so binning is aligned.
            events.push(noise_event(design, 0, &mut rng));
            events.sort_by_key(Event::t_us);
            samples.push(EventSample {
                events,
                label: Some(label as u32),
            });
        }
    }
    EventSet { samples }
}
