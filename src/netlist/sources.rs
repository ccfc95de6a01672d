//! Source waveforms on V, I and P lines: `pwl(...)`, `pulse(...)`, `sin(...)`,
//! `exp(...)`, `noise(...)`, `dc VALUE` or a bare value, with JoSIM's defaults:
//! pulse tr = tf = tstep, pw = per = tstop; sin freq = 1/tstop; exp tau1 = td2 =
//! tau2 = tstep; noise td = 0, tstep = the simulation step.

use super::lines::{Sources, Token};
use super::params::Params;
use crate::circuit::Waveform;
use crate::diagnostic::SourceError;

/// A function call written over one or more tokens: its name and its arguments.
struct Call {
    name: Token,
    args: Vec<Token>,
    /// Whether the arguments were in parentheses.
    parens: bool,
}

/// Splits `name(a b, c ...)` (spread over tokens in any way) into name and arguments.
fn split_call(src: &Sources, tokens: &[Token]) -> Result<Call, SourceError> {
    let first = &tokens[0];
    let name_len = first
        .text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(first.text.len());
    let name = first.slice(0..name_len);
    let mut args = Vec::new();
    let mut depth = 0usize;
    let mut opened = false;
    let mut closed = false;
    for (k, tok) in tokens.iter().enumerate() {
        let skip = if k == 0 { name_len } else { 0 };
        let mut from: Option<usize> = None;
        for (i, c) in tok.text.char_indices().skip_while(|(i, _)| *i < skip) {
            if closed {
                return Err(src.error_in(tok, i, 1, "unexpected text after the closing `)`"));
            }
            let boundary = match c {
                '(' if depth == 0 => {
                    if opened {
                        return Err(src.error_in(tok, i, 1, "unexpected `(`"));
                    }
                    opened = true;
                    depth = 1;
                    true
                }
                '(' => {
                    depth += 1;
                    false
                }
                ')' if depth == 1 => {
                    depth = 0;
                    closed = true;
                    true
                }
                ')' if depth == 0 => return Err(src.error_in(tok, i, 1, "unmatched `)`")),
                ')' => {
                    depth -= 1;
                    false
                }
                ',' if depth == 1 => true,
                _ => false,
            };
            if boundary {
                if let Some(f) = from.take() {
                    args.push(tok.slice(f..i));
                }
            } else if from.is_none() {
                from = Some(i);
            }
        }
        if let Some(f) = from {
            args.push(tok.slice(f..tok.text.len()));
        }
    }
    if opened && !closed {
        let last = &tokens[tokens.len() - 1];
        return Err(src.error(last, format!("`{}(` is not closed with `)`", name.text)));
    }
    Ok(Call {
        name,
        args,
        parens: opened,
    })
}

/// The simulation step and stop time that waveform defaults refer to.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub tstep: f64,
    pub tstop: f64,
}

/// Parses the waveform written in `tokens` (everything after the two nodes).
pub fn waveform(
    src: &Sources,
    params: &Params,
    scope: Option<&str>,
    element: &Token,
    tokens: &[Token],
    timing: Timing,
    warnings: &mut Vec<SourceError>,
) -> Result<Waveform, SourceError> {
    let Some(first) = tokens.first() else {
        return Err(src.error(
            element,
            format!("source {} has no value or waveform", element.text),
        ));
    };
    // A bare value (a number, a parameter, an expression): DC.
    if tokens.len() == 1 && !first.text.contains('(') {
        let v = params.eval(src, scope, first)?;
        return Ok(Waveform::Dc(v));
    }
    let call = split_call(src, tokens)?;
    let eval = |t: &Token| params.eval(src, scope, t);
    let n = call.args.len();
    let arity = |min: usize, max: usize, form: &str| -> Result<(), SourceError> {
        if n < min || n > max {
            Err(src.error(
                &call.name,
                format!(
                    "{} takes {min} to {max} values: {form} ({n} given)",
                    call.name.text.to_lowercase()
                ),
            ))
        } else {
            Ok(())
        }
    };
    let opt = |i: usize, default: f64| -> Result<f64, SourceError> {
        match call.args.get(i) {
            Some(t) => eval(t),
            None => Ok(default),
        }
    };
    let (tstep, tstop) = (timing.tstep, timing.tstop);
    let wave = match call.name.text.as_str() {
        "DC" => {
            arity(1, 1, "dc VALUE")?;
            Waveform::Dc(eval(&call.args[0])?)
        }
        "PWL" => {
            if n < 2 || n % 2 != 0 {
                return Err(src.error(
                    &call.name,
                    format!("pwl needs time/value pairs (0 V0 T1 V1 ...), {n} values given"),
                ));
            }
            let mut points: Vec<(f64, f64)> = Vec::with_capacity(n / 2 + 1);
            for (k, pair) in call.args.chunks(2).enumerate() {
                let (t, v) = (eval(&pair[0])?, eval(&pair[1])?);
                if k == 0 && t != 0.0 {
                    warnings.push(src.error(
                        &pair[0],
                        "pwl does not start at time 0; JoSIM holds the first value from 0",
                    ));
                    points.push((0.0, v));
                }
                if let Some(&(prev, _)) = points.last() {
                    if t <= prev {
                        return Err(src.error(
                            &pair[0],
                            format!("pwl times must increase: {t:e} after {prev:e}"),
                        ));
                    }
                }
                points.push((t, v));
            }
            Waveform::Pwl(points)
        }
        "PULSE" => {
            arity(2, 7, "pulse(A1 A2 TD TR TF PW PER)")?;
            Waveform::Pulse {
                v1: eval(&call.args[0])?,
                v2: eval(&call.args[1])?,
                td: opt(2, 0.0)?,
                tr: opt(3, tstep)?,
                tf: opt(4, tstep)?,
                pw: opt(5, tstop)?,
                per: opt(6, tstop)?,
            }
        }
        "SIN" => {
            arity(2, 7, "sin(VO VA FREQ TD THETA PHASE NCYCLES)")?;
            for (i, what) in [(5, "phase"), (6, "cycle count")] {
                if opt(i, 0.0)? != 0.0 {
                    return Err(src.error(
                        &call.args[i],
                        format!("sin with a non-zero {what} is not supported by nmgen's simulator"),
                    ));
                }
            }
            Waveform::Sin {
                vo: eval(&call.args[0])?,
                va: eval(&call.args[1])?,
                freq: opt(2, if tstop > 0.0 { 1.0 / tstop } else { 0.0 })?,
                td: opt(3, 0.0)?,
                theta: opt(4, 0.0)?,
            }
        }
        "EXP" => {
            arity(2, 6, "exp(V1 V2 TD1 TAU1 TD2 TAU2)")?;
            Waveform::Exp {
                v1: eval(&call.args[0])?,
                v2: eval(&call.args[1])?,
                td1: opt(2, 0.0)?,
                tau1: opt(3, tstep)?,
                td2: opt(4, tstep)?,
                tau2: opt(5, tstep)?,
            }
        }
        "NOISE" => {
            arity(2, 3, "noise(VA TD TSTEP)")?;
            Waveform::Noise {
                vo: 0.0,
                va: eval(&call.args[0])?,
                td: opt(1, 0.0)?,
                tstep: opt(2, tstep)?,
            }
        }
        "PWS" | "CUS" => {
            return Err(src.error(
                &call.name,
                format!(
                    "{} sources are not supported by nmgen's simulator",
                    call.name.text.to_lowercase()
                ),
            ))
        }
        _ if !call.parens => {
            return Err(src.error(
                first,
                format!("unexpected `{}` in source {}", first.text, element.text),
            ))
        }
        other => {
            return Err(src.error(
                &call.name,
                format!(
                "unknown source function `{other}` (expected pwl, pulse, sin, exp, noise or dc)"
            ),
            ))
        }
    };
    Ok(wave)
}
