//! Physical constants with the exact values JoSIM 2.7 uses, so that the
//! discretised equations give JoSIM's numbers to the last digits.

pub const PI: f64 = std::f64::consts::PI;
pub const BOLTZMANN: f64 = 1.380_648_52e-23;
pub const EV: f64 = 1.602_176_620_8e-19;
pub const HBAR: f64 = 1.054_571_800_139_112_7e-34;
/// hbar / 2e as JoSIM rounds it (the flux quantum over 2*pi).
pub const SIGMA: f64 = 3.291_059_757e-16;
