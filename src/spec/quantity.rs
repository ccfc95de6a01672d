//! Physical quantities in the spec: plain numbers (SI) or SPICE-style strings.
//!
//! `0.1ps`, `100uA`, `686uV`, `10GHz`, `2.8mV`, `1meg` all read as JoSIM reads them:
//! the suffix is case-insensitive (`m` is milli, `meg` and `x` are 10^6), and trailing
//! unit letters after the suffix are ignored.
//!
//! Unlike the netlist reader's `parse_number`, which multiplies by the suffix's scale
//! exactly as JoSIM does (its noise timing depends on those bits), a spec value is
//! read as one decimal literal, so `120uA` is the double nearest 120e-6 and the
//! netlist nmgen writes shows the value the designer wrote.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;

/// A number in SI units, written as a YAML number or a string with an engineering suffix.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Quantity(pub f64);

/// Parses `1.5p`, `100uA`, `-3e-12`, `2meg` into SI. `None` when it is not a number.
pub fn parse_quantity(text: &str) -> Option<f64> {
    let s = text.trim();
    let bytes = s.as_bytes();
    let mut end = 0;
    if end < bytes.len() && (bytes[end] == b'+' || bytes[end] == b'-') {
        end += 1;
    }
    let digits_start = end;
    while end < bytes.len() && bytes[end].is_ascii_digit() {
        end += 1;
    }
    if end < bytes.len() && bytes[end] == b'.' {
        end += 1;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
    }
    if end == digits_start || (end == digits_start + 1 && bytes[digits_start] == b'.') {
        return None;
    }
    // exponent: e or E followed by an optional sign and at least one digit
    if end < bytes.len() && (bytes[end] == b'e' || bytes[end] == b'E') {
        let mut k = end + 1;
        if k < bytes.len() && (bytes[k] == b'+' || bytes[k] == b'-') {
            k += 1;
        }
        if k < bytes.len() && bytes[k].is_ascii_digit() {
            while k < bytes.len() && bytes[k].is_ascii_digit() {
                k += 1;
            }
            end = k;
        }
    }
    let number = &s[..end];
    let rest = &s[end..];
    if !rest.chars().all(|c| c.is_alphabetic()) {
        return None;
    }
    let lower = rest.to_ascii_lowercase();
    let exponent: i32 = if lower.starts_with("meg") {
        6
    } else {
        match lower.chars().next() {
            None => 0,
            Some('f') => -15,
            Some('p') => -12,
            Some('n') => -9,
            Some('u') | Some('µ') => -6,
            Some('m') => -3,
            Some('k') => 3,
            Some('x') => 6,
            Some('g') => 9,
            Some('t') => 12,
            // a unit without a prefix: `5ohm`, `3s`, `2V`
            Some(_) => 0,
        }
    };
    // parse as one decimal literal so `120u` is exactly the double nearest 120e-6
    let (mantissa, exp) = match number.find(['e', 'E']) {
        Some(i) => (&number[..i], number[i + 1..].parse::<i32>().ok()?),
        None => (number, 0),
    };
    format!("{mantissa}e{}", exp + exponent).parse().ok()
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Quantity;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a number, optionally with an engineering suffix such as `0.1ps` or `100uA`",
                )
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity, E> {
                Ok(Quantity(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Quantity, E> {
                Ok(Quantity(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quantity, E> {
                Ok(Quantity(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Quantity, E> {
                parse_quantity(v).map(Quantity).ok_or_else(|| {
                    E::custom(format!(
                        "`{v}` is not a number (expected e.g. `0.1ps`, `100uA`, `2.5`)"
                    ))
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// Formats a value in SPICE engineering notation, exactly and deterministically
/// (`1e-13` → `0.1p`, `0.000175` → `175u`).
pub fn spice(value: f64) -> String {
    if value == 0.0 {
        return "0".into();
    }
    let prefixes = [
        (1e12, "t"),
        (1e9, "g"),
        (1e6, "meg"),
        (1e3, "k"),
        (1.0, ""),
        (1e-3, "m"),
        (1e-6, "u"),
        (1e-9, "n"),
        (1e-12, "p"),
        (1e-15, "f"),
    ];
    let mag = value.abs();
    for (scale, suffix) in prefixes {
        if mag >= scale * 0.999_999_999_999 {
            return format!("{}{suffix}", trim(value / scale));
        }
    }
    format!("{}f", trim(value / 1e-15))
}

fn trim(v: f64) -> String {
    // 12 significant digits removes binary noise (1.7500000000000002 → 1.75)
    let s = format!("{:.12e}", v);
    let parsed: f64 = s.parse().unwrap_or(v);
    let mut out = format!("{parsed}");
    if out.contains('e') {
        out = format!("{parsed:e}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_read_as_josim_reads_them() {
        assert_eq!(parse_quantity("0.1ps"), Some(0.1e-12));
        assert_eq!(parse_quantity("100uA"), Some(100e-6));
        assert_eq!(parse_quantity("2.8mV"), Some(2.8e-3));
        assert_eq!(parse_quantity("1MEG"), Some(1e6));
        assert_eq!(parse_quantity("10GHz"), Some(10e9));
        assert_eq!(parse_quantity("-3e-12"), Some(-3e-12));
        assert_eq!(parse_quantity("5"), Some(5.0));
        assert_eq!(parse_quantity("16ohm"), Some(16.0));
        assert_eq!(parse_quantity("abc"), None);
        assert_eq!(parse_quantity("1.2.3"), None);
        assert_eq!(parse_quantity(""), None);
    }

    #[test]
    fn spice_formatting_round_trips() {
        for v in [
            0.1e-12, 175e-6, 2.5, 1e6, 686e-6, 3.3e-9, 0.07e-12, -600e-6, 2.0678e-15,
        ] {
            let s = spice(v);
            let back = parse_quantity(&s).unwrap();
            assert!((back - v).abs() <= 1e-12 * v.abs(), "{v} -> {s} -> {back}");
        }
        assert_eq!(spice(175e-6), "175u");
        assert_eq!(spice(0.1e-12), "100f");
        assert_eq!(spice(1.0), "1");
    }
}
