//! Numbers as JoSIM reads them: a decimal literal, an optional exponent, then an
//! optional engineering suffix followed by any unit letters (`2.8mV`, `0.07pF`,
//! `10MEG`, `100uA`, `1.000pohm`).
//!
//! The suffix is decided by its first letter (case-insensitive): `F` 1e-15, `P` 1e-12,
//! `N` 1e-9, `U` 1e-6, `M` 1e-3 unless it starts `MEG` (1e6), `X` 1e6, `K` 1e3,
//! `G` 1e9, `T` 1e12. Any other letter is a unit and scales by 1, so `5ohm` is 5 and
//! `5F` is five femtofarad, exactly as in JoSIM. As in JoSIM, letters, digits and
//! quotes after the suffix are ignored (`5p2` is 5p, `0.7'` is 0.7).

use winnow::combinator::opt;
use winnow::prelude::*;
use winnow::token::{one_of, take_while};

/// The scale factor of a suffix such as `p`, `MEG`, `mV`; 1 for none or a plain unit.
pub fn suffix_scale(suffix: &str) -> f64 {
    let mut chars = suffix.chars().map(|c| c.to_ascii_uppercase());
    match chars.next() {
        Some('F') => 1e-15,
        Some('P') => 1e-12,
        Some('N') => 1e-9,
        Some('U') => 1e-6,
        Some('M') => {
            if chars.next() == Some('E') && chars.next() == Some('G') {
                1e6
            } else {
                1e-3
            }
        }
        Some('X') => 1e6,
        Some('K') => 1e3,
        Some('G') => 1e9,
        Some('T') => 1e12,
        _ => 1.0,
    }
}

fn digits<'i>(input: &mut &'i str) -> winnow::Result<&'i str> {
    take_while(1.., |c: char| c.is_ascii_digit()).parse_next(input)
}

/// The mantissa and exponent of a literal, as text (`12.5e-3`, `.5`, `3.`).
fn literal<'i>(input: &mut &'i str) -> winnow::Result<&'i str> {
    let mantissa = winnow::combinator::alt((
        (digits, opt(('.', opt(digits)))).void(),
        ('.', digits).void(),
    ));
    let exponent = opt((one_of(['e', 'E']), opt(one_of(['+', '-'])), digits));
    (mantissa, exponent).take().parse_next(input)
}

/// Parses one number with its suffix from the front of `input`, leaving the rest.
/// Used by the expression lexer.
pub(crate) fn number(input: &mut &str) -> winnow::Result<f64> {
    let text = literal.parse_next(input)?;
    // Like JoSIM, whatever follows up to the next operator is suffix and unit; only its
    // first letter counts (`5p2` is 5p, a stray quote after a value is ignored).
    let suffix = take_while(0.., |c: char| {
        c.is_ascii_alphanumeric() || c == '_' || c == '\''
    })
    .parse_next(input)?;
    let value: f64 = text
        .parse()
        .map_err(|_| winnow::error::ContextError::new())?;
    Ok(value * suffix_scale(suffix))
}

/// A whole token as a number (`2.8mV`, `1e-12`, `.5`, `10MEG`), or `None` when it is
/// not a number (a parameter name, an expression, garbage after the units).
pub fn parse_number(text: &str) -> Option<f64> {
    let mut rest = text.trim();
    let negative = if let Some(r) = rest.strip_prefix('-') {
        rest = r;
        true
    } else {
        rest = rest.strip_prefix('+').unwrap_or(rest);
        false
    };
    let value = number(&mut rest).ok()?;
    if !rest.is_empty() {
        return None;
    }
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1e-300)
    }

    #[test]
    fn suffixes_follow_josim() {
        let cases = [
            ("2.8mV", 2.8e-3),
            ("0.07pF", 0.07e-12),
            ("10M", 10e-3),
            ("10MEG", 10e6),
            ("10meghz", 10e6),
            ("3X", 3e6),
            ("100uA", 100e-6),
            ("1.000pohm", 1e-12),
            ("160ohm", 160.0),
            ("5GHz", 5e9),
            ("2T", 2e12),
            ("4K", 4e3),
            ("7n", 7e-9),
            ("5F", 5e-15),
            ("1e-12", 1e-12),
            ("1.5E3", 1.5e3),
            ("2e", 2.0),
            (".5", 0.5),
            ("3.", 3.0),
            ("-2.5u", -2.5e-6),
            ("10pS", 10e-12),
            ("5p2", 5e-12),
            ("0.7'", 0.7),
        ];
        for (text, want) in cases {
            let got = parse_number(text).unwrap_or(f64::NAN);
            assert!(close(got, want), "{text}: got {got}, want {want}");
        }
    }

    #[test]
    fn non_numbers_are_rejected() {
        for text in ["", "abc", "pi", "1+2", "5..2", "e5", ".", "--1", "1 2"] {
            assert_eq!(parse_number(text), None, "{text}");
        }
    }
}
