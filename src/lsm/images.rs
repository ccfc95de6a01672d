//! Images → address events, for running image data sets (e.g. the UCI 8×8 digits in
//! `data/digits.csv`) through the LSM.
//!
//! - **Rate coding**: every pixel is an independent Bernoulli source; at each of `steps`
//!   time steps (`step_us` apart) it emits an ON event (`p = 1`) with probability
//!   `max_rate · value / max_value`, `max_value` the largest pixel value of the data set.
//! - **Saccade / DVS**: the image (intensities scaled to `[0, 1]`) moves along a fixed
//!   triangle of three saccades, one pixel per `steps/3` steps (right, down-left, up) as in
//!   the N-MNIST recordings; a pixel of the sensor emits an ON (OFF) event when its log
//!   intensity `ln(ε + I)` rose (fell) by at least `contrast` since its last event
//!   (the DVS pixel model), each event then kept with probability `1 − dropout`. The
//!   sensor is the image plus a one-pixel border on each side.
//!
//! Both are seeded (ChaCha8): the same data, settings and seed give the same events.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::events::{Event, EventSample, EventSet};
use crate::dataset::Dataset;

/// How images become events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ImageCoding {
    Rate { max_rate: f64 },
    Saccade { contrast: f64, dropout: f64 },
}

/// Settings of [`images_to_events`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageEvents {
    /// Image width in pixels (the feature count must be a multiple).
    pub width: usize,
    pub steps: usize,
    pub step_us: u64,
    pub coding: ImageCoding,
    pub seed: u64,
}

/// Offset of the log intensity (keeps `ln` finite at black pixels).
const EPS: f64 = 0.1;

/// Converts every sample of `data` (row-major images `width` pixels wide) into a labelled
/// event sample. Returns an error text when the shape does not fit.
pub fn images_to_events(data: &Dataset, s: &ImageEvents) -> Result<EventSet, String> {
    let n = data.feature_count();
    if s.width == 0 || n == 0 || !n.is_multiple_of(s.width) {
        return Err(format!(
            "{} features are not whole rows of {} pixels",
            n, s.width
        ));
    }
    let height = n / s.width;
    let max = data
        .features
        .iter()
        .flatten()
        .fold(0.0f64, |m, &v| m.max(v))
        .max(1e-12);
    let mut rng = ChaCha8Rng::seed_from_u64(s.seed);
    let mut samples = Vec::with_capacity(data.len());
    for (img, &label) in data.features.iter().zip(&data.labels) {
        let events = match s.coding {
            ImageCoding::Rate { max_rate } => {
                let mut ev = Vec::new();
                for t in 0..s.steps {
                    for (i, &v) in img.iter().enumerate() {
                        let p = (max_rate * v / max).clamp(0.0, 1.0);
                        if rng.random::<f64>() < p {
                            ev.push(Event::Pixel {
                                t_us: t as u64 * s.step_us,
                                x: (i % s.width) as u32,
                                y: (i / s.width) as u32,
                                p: 1,
                            });
                        }
                    }
                }
                ev
            }
            ImageCoding::Saccade { contrast, dropout } => {
                saccade(img, s.width, height, max, s, contrast, dropout, &mut rng)
            }
        };
        samples.push(EventSample {
            events,
            label: Some(label as u32),
        });
    }
    Ok(EventSet { samples })
}

/// The image's position (in pixels, relative to its rest position) at step `t` of a
/// triangular saccade: (0,0) → (1,0) → (0,1) → (0,0), linear in each third.
fn position(t: usize, steps: usize) -> (f64, f64) {
    let third = (steps as f64 / 3.0).max(1.0);
    let u = t as f64 / third;
    let (seg, f) = (u.floor() as usize, u.fract());
    match seg {
        0 => (f, 0.0),
        1 => (1.0 - f, f),
        2 => (0.0, 1.0 - f),
        _ => (0.0, 0.0),
    }
}

/// Bilinear sample of the image (0 outside), intensities scaled by `max`.
fn sample(img: &[f64], w: usize, h: usize, max: f64, x: f64, y: f64) -> f64 {
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let at = |xi: f64, yi: f64| -> f64 {
        if xi < 0.0 || yi < 0.0 || xi >= w as f64 || yi >= h as f64 {
            0.0
        } else {
            img[yi as usize * w + xi as usize] / max
        }
    };
    at(x0, y0) * (1.0 - fx) * (1.0 - fy)
        + at(x0 + 1.0, y0) * fx * (1.0 - fy)
        + at(x0, y0 + 1.0) * (1.0 - fx) * fy
        + at(x0 + 1.0, y0 + 1.0) * fx * fy
}

#[allow(clippy::too_many_arguments)]
fn saccade(
    img: &[f64],
    w: usize,
    h: usize,
    max: f64,
    s: &ImageEvents,
    contrast: f64,
    dropout: f64,
    rng: &mut ChaCha8Rng,
) -> Vec<Event> {
    // Sensor = image + 1-pixel border; sensor pixel (sx, sy) sees image point
    // (sx − 1 − dx, sy − 1 − dy) when the image has moved by (dx, dy).
    let (sw, sh) = (w + 2, h + 2);
    let level = |t: usize, sx: usize, sy: usize| {
        let (dx, dy) = position(t, s.steps);
        (EPS + sample(img, w, h, max, sx as f64 - 1.0 - dx, sy as f64 - 1.0 - dy)).ln()
    };
    let mut reference: Vec<f64> = (0..sw * sh).map(|i| level(0, i % sw, i / sw)).collect();
    let mut ev = Vec::new();
    for t in 1..s.steps {
        for (i, r) in reference.iter_mut().enumerate() {
            let l = level(t, i % sw, i / sw);
            while (l - *r).abs() >= contrast {
                let on = l > *r;
                *r += if on { contrast } else { -contrast };
                if rng.random::<f64>() >= dropout {
                    ev.push(Event::Pixel {
                        t_us: t as u64 * s.step_us,
                        x: (i % sw) as u32,
                        y: (i / sw) as u32,
                        p: u8::from(on),
                    });
                }
            }
        }
    }
    ev
}
