//! Times and rates as designers write them in a spec: `30ps`, `0.1ns`, `30p`,
//! `20GHz`, `5MHz`, or a bare number in SI units (seconds, hertz), as everywhere
//! in a spec. Rate units are spelled out (`MHz` is mega here, not SPICE's milli).

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A time in seconds. In YAML: a bare number is in seconds; a string carries a unit
/// (`fs`, `ps`, `ns`, `us`, `ms`, `s`, or SPICE's `f`, `p`, `n`, `u`, `m`).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Time(pub f64);

/// A pulse rate in pulses per second (Hz). In YAML: a bare number is in Hz;
/// a string carries a unit (`Hz`, `kHz`, `MHz`, `GHz`, `THz`).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Rate(pub f64);

impl Time {
    pub fn seconds(self) -> f64 {
        self.0
    }
    pub fn ps(self) -> f64 {
        self.0 * 1e12
    }
    pub fn from_ps(ps: f64) -> Self {
        Time(ps * 1e-12)
    }
}

impl Rate {
    pub fn hz(self) -> f64 {
        self.0
    }
    pub fn ghz(self) -> f64 {
        self.0 * 1e-9
    }
}

/// Splits `12.5ps` into (12.5, "ps").
fn split_number(s: &str) -> Option<(f64, &str)> {
    let s = s.trim();
    let end = s
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_digit()
                || c == '.'
                || c == '-'
                || c == '+'
                || ((c == 'e' || c == 'E')
                    && s[i + 1..]
                        .starts_with(|d: char| d.is_ascii_digit() || d == '-' || d == '+')))
        })
        .map(|(i, _)| i)
        .unwrap_or(s.len());
    let value: f64 = s[..end].parse().ok()?;
    Some((value, s[end..].trim()))
}

/// Parses a time with its unit; `None` names what is wrong.
pub fn parse_time(s: &str) -> Result<Time, String> {
    let (v, unit) = split_number(s).ok_or_else(|| format!("`{s}` is not a time"))?;
    let scale = match unit.to_ascii_lowercase().as_str() {
        "" | "s" => 1.0,
        "fs" | "f" => 1e-15,
        "ps" | "p" => 1e-12,
        "ns" | "n" => 1e-9,
        "us" | "u" | "µs" => 1e-6,
        "ms" | "m" => 1e-3,
        _ => {
            return Err(format!(
                "`{s}`: unknown time unit `{unit}` (use fs, ps, ns, us, ms, s)"
            ))
        }
    };
    Ok(Time(v * scale))
}

/// Parses a rate with its unit.
pub fn parse_rate(s: &str) -> Result<Rate, String> {
    let (v, unit) = split_number(s).ok_or_else(|| format!("`{s}` is not a rate"))?;
    let scale = match unit.to_ascii_lowercase().as_str() {
        "ghz" => 1e9,
        "" | "hz" => 1.0,
        "khz" => 1e3,
        "mhz" => 1e6,
        "thz" => 1e12,
        _ => {
            return Err(format!(
                "`{s}`: unknown rate unit `{unit}` (use Hz, kHz, MHz, GHz, THz)"
            ))
        }
    };
    Ok(Rate(v * scale))
}

struct UnitVisitor {
    what: &'static str,
    bare: f64,
    parse: fn(&str) -> Result<f64, String>,
}

impl Visitor<'_> for UnitVisitor {
    type Value = f64;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a {} (a number, or a string with a unit)", self.what)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v * self.bare)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64 * self.bare)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64 * self.bare)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        (self.parse)(v).map_err(E::custom)
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UnitVisitor {
            what: "time",
            bare: 1.0,
            parse: |s| parse_time(s).map(|t| t.0),
        })
        .map(Time)
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UnitVisitor {
            what: "rate",
            bare: 1.0,
            parse: |s| parse_rate(s).map(|r| r.0),
        })
        .map(Rate)
    }
}

/// Serialized as a string in ps (`"30ps"`), read back by `Deserialize`.
impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{}ps", self.0 * 1e12))
    }
}

/// Serialized as a string in GHz (`"2GHz"`).
impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{}GHz", self.0 * 1e-9))
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{:.2} ps", self.0 * 1e12)
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{:.3} GHz", self.0 * 1e-9)
    }
}
