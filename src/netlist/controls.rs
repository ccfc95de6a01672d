//! Simulation controls: `.tran`, `.temp`, `.neb`, `.option seed=`, `.spread`, `.iv`,
//! `.file` (the output requests are in [`super::probes`]).

use super::lines::{Line, Sources, Token};
use super::params::Params;
use crate::circuit::{Spread, Transient};
use crate::diagnostic::SourceError;

/// What the controls set, besides the probes.
#[derive(Debug, Default)]
pub struct Settings {
    pub transient: Option<Transient>,
    pub temperature: Option<f64>,
    pub noise_bandwidth: Option<f64>,
    pub seed: Option<u64>,
    pub spread: Spread,
    /// `.iv MODEL MAX_CURRENT FILE` requests (model name, current), recorded only.
    pub iv: Vec<(String, f64)>,
}

pub fn settings(
    src: &Sources,
    params: &Params,
    controls: &[Line],
    warnings: &mut Vec<SourceError>,
) -> Result<Settings, SourceError> {
    let mut s = Settings::default();
    let eval = |t: &Token| params.eval(src, None, t);
    for line in controls {
        let toks = &line.tokens;
        let head = &toks[0];
        let last = &toks[toks.len() - 1];
        match head.text.as_str() {
            "TRAN" => s.transient = Some(transient(src, params, line)?),
            "TEMP" | "NEB" => {
                if toks.len() < 2 {
                    return Err(
                        src.error(head, format!(".{} needs a value", head.text.to_lowercase()))
                    );
                }
                let v = eval(last)?;
                if head.text == "TEMP" && v < 0.0 {
                    return Err(src.error(
                        last,
                        format!(".temp is in kelvin and must be >= 0, got {v}"),
                    ));
                }
                if head.text == "NEB" && v <= 0.0 {
                    return Err(
                        src.error(last, format!(".neb (noise bandwidth) must be > 0, got {v}"))
                    );
                }
                if head.text == "TEMP" {
                    s.temperature = Some(v);
                } else {
                    s.noise_bandwidth = Some(v);
                }
            }
            "OPTION" => option(src, params, line, &mut s, warnings)?,
            "SPREAD" => {
                for t in &toks[1..] {
                    let (key, value) = match t.text.find('=') {
                        Some(eq) => (&t.text[..eq], t.slice(eq + 1..t.text.len())),
                        None => ("", t.clone()),
                    };
                    let v = Some(eval(&value)?);
                    match key.chars().next() {
                        None => s.spread.global = v,
                        Some('L') => s.spread.inductance = v,
                        Some('C') => s.spread.capacitance = v,
                        Some('R') => s.spread.resistance = v,
                        Some('B') => s.spread.junction = v,
                        Some(_) => {
                            return Err(src.error(
                                t,
                                format!(
                                    "unknown spread `{}` (L=, C=, R=, B= or a global value)",
                                    t.text
                                ),
                            ))
                        }
                    }
                }
            }
            "IV" => {
                if toks.len() < 4 {
                    return Err(src.error(head, ".iv needs MODEL MAX_CURRENT FILE"));
                }
                s.iv.push((toks[1].text.clone(), eval(&toks[2])?));
                warnings.push(src.error(
                    head,
                    ".iv (junction IV curve) is recorded but not run by nmgen",
                ));
            }
            "FILE" => warnings.push(src.error(
                head,
                ".file is ignored: nmgen writes every output request to the one output file",
            )),
            _ => {}
        }
    }
    Ok(s)
}

/// `.tran TSTEP TSTOP [PSTART [PSTEP [PWINDOW]]] [UIC] [DST]`, JoSIM's defaults:
/// PSTART 0, PSTEP = TSTEP; a TSTEP larger than PSTEP is reduced to PSTEP.
fn transient(src: &Sources, params: &Params, line: &Line) -> Result<Transient, SourceError> {
    let mut toks: Vec<&Token> = line.tokens[1..].iter().collect();
    while let Some(t) = toks.last() {
        match t.text.as_str() {
            "UIC" => {
                toks.pop();
            }
            "DST" => {
                return Err(src.error(
                    t,
                    "DST (no start-up settling) is not supported by nmgen's simulator",
                ))
            }
            _ => break,
        }
    }
    if toks.len() < 2 {
        return Err(src.error(line.first(), ".tran needs at least TSTEP and TSTOP"));
    }
    if toks.len() > 5 {
        return Err(src.error(toks[5], format!("unexpected `{}` on .tran", toks[5].text)));
    }
    let eval = |i: usize| params.eval(src, None, toks[i]);
    let mut tstep = eval(0)?;
    let tstop = eval(1)?;
    let pstart = if toks.len() > 2 { eval(2)? } else { 0.0 };
    let pstep = if toks.len() > 3 { eval(3)? } else { tstep };
    if toks.len() > 4 && eval(4)? != 0.0 {
        return Err(src.error(
            toks[4],
            "a .tran print filter window is not supported by nmgen",
        ));
    }
    for (i, v) in [(0, tstep), (1, tstop), (3, pstep)] {
        if i < toks.len() && v <= 0.0 {
            return Err(src.error(toks[i], format!("`{}` must be positive", toks[i].text)));
        }
    }
    if tstep > pstep {
        tstep = pstep;
    }
    if let Some(why) = crate::sim::too_many_steps(tstep, tstop) {
        return Err(src.error(toks[1], format!(".tran {why}")));
    }
    Ok(Transient {
        tstep,
        tstop,
        pstart,
        pstep,
    })
}

/// `.option seed=N` (also `seed N`, `seed=auto`); other options are ignored.
fn option(
    src: &Sources,
    params: &Params,
    line: &Line,
    s: &mut Settings,
    warnings: &mut Vec<SourceError>,
) -> Result<(), SourceError> {
    let toks = &line.tokens;
    let mut k = 1;
    while k < toks.len() {
        let t = &toks[k];
        k += 1;
        let value = if let Some(v) = t.text.strip_prefix("SEED=") {
            t.slice(t.text.len() - v.len()..t.text.len())
        } else if t.text == "SEED" {
            match toks.get(k) {
                Some(v) => {
                    k += 1;
                    v.clone()
                }
                None => return Err(src.error(t, "seed needs a value")),
            }
        } else {
            warnings.push(src.error(t, format!("option `{}` is ignored", t.text)));
            continue;
        };
        if value.text == "AUTO" {
            s.seed = None;
            continue;
        }
        if let Ok(n) = value.text.parse::<u64>() {
            s.seed = Some(n);
            continue;
        }
        let v = params.eval(src, None, &value)?;
        if v < 0.0 || v.fract() != 0.0 || v > u64::MAX as f64 {
            return Err(src.error(&value, "seed must be a non-negative integer"));
        }
        s.seed = Some(v as u64);
    }
    Ok(())
}
