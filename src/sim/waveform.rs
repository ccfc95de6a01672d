//! Source waveforms evaluated the way JoSIM's `Function::value` does.

use crate::circuit::Waveform;

use super::consts::PI;
use super::noise::{Gaussian, SampledNoise};

/// A source waveform ready to evaluate (PWL normalised as JoSIM does it).
#[derive(Debug, Clone)]
pub enum Source {
    /// DC, pulse, sin and exp: evaluated straight from the circuit's description.
    Analytic(Waveform),
    Pwl {
        t: Vec<f64>,
        v: Vec<f64>,
        /// The segment of the last evaluation: time only moves forward, so the
        /// next one is usually the same or the next segment.
        seg: usize,
        /// The last point, inline: after it the value holds (a bias ramp's plateau).
        end: (f64, f64),
        /// The last flat segment met, `[from, until)` and its value (what the
        /// interpolation gives there: the first point plus zero), inline: a bias
        /// held until a far last point is answered without the interpolation.
        flat: (f64, f64, f64),
    },
    Noise {
        vo: f64,
        noise: SampledNoise,
    },
}

/// Why a waveform cannot be used.
#[derive(Debug, Clone, PartialEq)]
pub enum WaveformError {
    EmptyPwl,
    PwlNotIncreasing { time: f64, after: f64 },
    NonPositiveNoiseStep(f64),
}

impl std::fmt::Display for WaveformError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WaveformError::EmptyPwl => write!(f, "pwl() needs at least one time/value pair"),
            WaveformError::PwlNotIncreasing { time, after } => write!(
                f,
                "pwl() times must be strictly increasing: {time:e} after {after:e}"
            ),
            WaveformError::NonPositiveNoiseStep(s) => {
                write!(f, "noise() time step must be positive, got {s:e}")
            }
        }
    }
}

impl Source {
    /// Prepares a waveform; draws the first noise sample for noise sources.
    pub fn new(w: &Waveform, g: &mut Gaussian) -> Result<Source, WaveformError> {
        Ok(match w {
            Waveform::Pwl(points) => {
                let Some(&(t0, v0)) = points.first() else {
                    return Err(WaveformError::EmptyPwl);
                };
                let mut t = Vec::with_capacity(points.len() + 1);
                let mut v = Vec::with_capacity(points.len() + 1);
                if t0 != 0.0 {
                    // JoSIM prepends (0, v0) when the first point is not at t = 0.
                    t.push(0.0);
                    v.push(v0);
                }
                t.push(t0);
                v.push(v0);
                for &(ti, vi) in &points[1..] {
                    let last = *t.last().unwrap_or(&0.0);
                    if ti <= last {
                        return Err(WaveformError::PwlNotIncreasing {
                            time: ti,
                            after: last,
                        });
                    }
                    t.push(ti);
                    v.push(vi);
                }
                let end = (*t.last().unwrap_or(&0.0), *v.last().unwrap_or(&0.0));
                Source::Pwl {
                    t,
                    v,
                    seg: 0,
                    end,
                    flat: (f64::INFINITY, f64::NEG_INFINITY, 0.0),
                }
            }
            &Waveform::Noise { vo, va, td, tstep } => {
                if tstep.is_nan() || tstep <= 0.0 {
                    return Err(WaveformError::NonPositiveNoiseStep(tstep));
                }
                Source::Noise {
                    vo,
                    noise: SampledNoise::new(va, td, tstep, g),
                }
            }
            analytic => Source::Analytic(analytic.clone()),
        })
    }

    /// Whether the value is the same at every time in `[from, 0)` (the settling
    /// steps before t = 0): DC, a PWL (zero before its start), a pulse, sin or exp not
    /// yet started. Noise never is.
    pub fn constant_before_zero(&self, from: f64) -> bool {
        match self {
            Source::Pwl { end, .. } => end.0 <= from || end.0 >= 0.0,
            Source::Analytic(w) => match *w {
                Waveform::Dc(_) => true,
                Waveform::Pulse { td, .. } | Waveform::Sin { td, .. } => td >= 0.0,
                Waveform::Exp { td1, .. } => td1 >= 0.0,
                Waveform::Pwl(_) | Waveform::Noise { .. } => false,
            },
            Source::Noise { .. } => false,
        }
    }

    /// The time from which the value never changes again (`f64::INFINITY` when it
    /// keeps changing: periodic pulses, sin, exp, noise): a PWL's last point, a single
    /// pulse's end, DC always (`f64::NEG_INFINITY`).
    pub fn constant_after(&self) -> f64 {
        match self {
            Source::Pwl { end, .. } => end.0,
            Source::Analytic(w) => match *w {
                Waveform::Dc(_) => f64::NEG_INFINITY,
                Waveform::Pulse {
                    v1,
                    v2,
                    td,
                    tr,
                    tf,
                    pw,
                    per,
                } => {
                    if v1 == v2 {
                        f64::NEG_INFINITY
                    } else if per > 0.0 {
                        f64::INFINITY
                    } else {
                        td + tr + pw + tf
                    }
                }
                Waveform::Sin { .. } | Waveform::Exp { .. } => f64::INFINITY,
                Waveform::Pwl(_) | Waveform::Noise { .. } => f64::INFINITY,
            },
            Source::Noise { .. } => f64::INFINITY,
        }
    }

    /// The value at time `x`. Noise sources must be evaluated in time order.
    ///
    /// A PWL past its last point or on a flat segment and a DC source are answered
    /// inline (every bias source of a cell library, in every step); the rest out of
    /// line.
    #[inline]
    pub fn value(&mut self, x: f64, g: &mut Gaussian) -> f64 {
        match self {
            Source::Pwl { end, .. } if x >= end.0 => end.1,
            Source::Pwl { flat, .. } if x >= flat.0 && x < flat.1 => flat.2,
            Source::Analytic(Waveform::Dc(v)) => *v,
            _ => self.value_changing(x, g),
        }
    }

    #[inline(never)]
    fn value_changing(&mut self, x: f64, g: &mut Gaussian) -> f64 {
        match self {
            Source::Pwl { end, .. } if x >= end.0 => end.1,
            Source::Pwl {
                t, v, seg, flat, ..
            } => {
                let y = pwl(t, v, seg, x);
                let i = *seg;
                // On a flat segment the interpolation is `v[i] + 0 * (x - t[i])`, the
                // same bits at every time in it.
                if x >= t[0] && i + 1 < t.len() && v[i + 1] - v[i] == 0.0 {
                    *flat = (t[i], t[i + 1], y);
                }
                y
            }
            Source::Analytic(w) => analytic(w, x),
            Source::Noise { vo, noise } => *vo + noise.value(x, g),
        }
    }
}

/// DC, pulse, sin and exp at time `x`.
fn analytic(w: &Waveform, x: f64) -> f64 {
    match *w {
        Waveform::Dc(v) => v,
        Waveform::Pulse {
            v1,
            v2,
            td,
            tr,
            tf,
            pw,
            per,
        } => pulse(v1, v2, td, tr, tf, pw, per, x),
        Waveform::Sin {
            vo,
            va,
            freq,
            td,
            theta,
        } => {
            if x < td {
                return vo;
            }
            let t = x - td;
            vo + va * (2.0 * PI * freq * t).sin() * (-theta * t).exp()
        }
        Waveform::Exp {
            v1,
            v2,
            td1,
            tau1,
            td2,
            tau2,
        } => {
            if x < td1 {
                v1
            } else if x < td2 {
                v1 + (v2 - v1) * (1.0 - (-(x - td1) / tau1).exp())
            } else {
                v1 + (v2 - v1) * (1.0 - (-(x - td1) / tau1).exp())
                    + (v1 - v2) * (1.0 - (-(x - td2) / tau2).exp())
            }
        }
        // prepared into their own variants by `Source::new`
        Waveform::Pwl(_) | Waveform::Noise { .. } => 0.0,
    }
}

fn pwl(t: &[f64], v: &[f64], seg: &mut usize, x: f64) -> f64 {
    let n = t.len();
    if x >= t[n - 1] {
        return v[n - 1];
    }
    if x < t[0] {
        return 0.0;
    }
    // Segment [t[i], t[i+1]) containing x: the last one, the next, or a search.
    let inside = |i: usize| i + 1 < n && t[i] <= x && x < t[i + 1];
    let i = if inside(*seg) {
        *seg
    } else if inside(*seg + 1) {
        *seg + 1
    } else {
        t.partition_point(|&ti| ti <= x) - 1
    };
    *seg = i;
    let (x1, x2, y1, y2) = (t[i], t[i + 1], v[i], v[i + 1]);
    y1 + ((y2 - y1) / (x2 - x1)) * (x - x1)
}

#[allow(clippy::too_many_arguments)]
fn pulse(alow: f64, ahigh: f64, td: f64, tr: f64, tf: f64, pw: f64, per: f64, x: f64) -> f64 {
    if x < td {
        return alow;
    }
    let time = if per > 0.0 {
        let index = ((x - td) / per) as i64;
        x - td - index as f64 * per
    } else {
        x - td
    };
    if time < tr {
        alow + (ahigh - alow) * time / tr
    } else if time < tr + pw {
        ahigh
    } else if time < tr + pw + tf {
        ahigh + (alow - ahigh) * (time - tr - pw) / tf
    } else {
        alow
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pwl_interpolates_holds_and_is_zero_before_start() {
        let mut g = Gaussian::new(0, super::super::rng::NOISE_TAG);
        let mut s = Source::new(
            &Waveform::Pwl(vec![(0.0, 0.0), (10.0, 5.0), (20.0, 5.0)]),
            &mut g,
        )
        .expect("valid pwl");
        assert_eq!(s.value(-1.0, &mut g), 0.0);
        assert_eq!(s.value(5.0, &mut g), 2.5);
        assert_eq!(s.value(25.0, &mut g), 5.0);
        let mut late =
            Source::new(&Waveform::Pwl(vec![(2.0, 1.0), (4.0, 3.0)]), &mut g).expect("valid pwl");
        assert_eq!(late.value(1.0, &mut g), 1.0);
        assert_eq!(late.value(3.0, &mut g), 2.0);
    }

    #[test]
    fn pwl_flat_segments_answered_inline_give_the_interpolated_bits() {
        let mut g = Gaussian::new(0, super::super::rng::NOISE_TAG);
        let w = Waveform::Pwl(vec![
            (0.0, 0.0),
            (5e-12, 2.5e-3),
            (40e-12, 2.5e-3),
            (50e-12, -1e-3),
            (60e-12, -1e-3),
            (100e-9, -1e-3),
        ]);
        let mut cached = Source::new(&w, &mut g).expect("valid pwl");
        // forwards through every segment, and back a step or two (voltage mode
        // reads a phase source at t - h and t - 2h)
        let mut times: Vec<f64> = (0..800).map(|k| k as f64 * 0.25e-12).collect();
        times.extend([
            39.75e-12, 40e-12, 39.5e-12, 49.75e-12, 60e-12, 59.75e-12, 1e-9,
        ]);
        for x in times {
            let (Source::Pwl { t, v, .. }, y) = (&cached, cached.clone().value(x, &mut g)) else {
                unreachable!()
            };
            let want = pwl(t, v, &mut 0, x);
            let got = cached.value(x, &mut g);
            assert_eq!(got.to_bits(), want.to_bits(), "at {x:e}");
            assert_eq!(y.to_bits(), want.to_bits(), "at {x:e}");
        }
        let Source::Pwl { flat, .. } = &cached else {
            unreachable!()
        };
        assert_eq!(*flat, (60e-12, 100e-9, -1e-3), "the last flat segment met");
    }

    #[test]
    fn pwl_rejects_decreasing_times() {
        let mut g = Gaussian::new(0, super::super::rng::NOISE_TAG);
        let e = Source::new(
            &Waveform::Pwl(vec![(0.0, 0.0), (1.0, 1.0), (1.0, 2.0)]),
            &mut g,
        );
        assert!(matches!(e, Err(WaveformError::PwlNotIncreasing { .. })));
    }

    #[test]
    fn pulse_shape() {
        let v = |x| pulse(0.0, 1.0, 1.0, 1.0, 1.0, 2.0, 10.0, x);
        assert_eq!(v(0.5), 0.0);
        assert_eq!(v(1.5), 0.5);
        assert_eq!(v(3.0), 1.0);
        assert_eq!(v(4.5), 0.5);
        assert_eq!(v(6.0), 0.0);
        assert_eq!(v(13.0), 1.0);
    }
}
