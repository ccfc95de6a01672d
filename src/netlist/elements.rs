//! One element line (R L C K B V I P T E F G H) at the current level of expansion.

use super::deck::glue;
use super::flatten::{Builder, PendingMutual};
use super::lines::{Line, Token};
use super::sources;
use crate::circuit::{ElementKind, Node};
use crate::diagnostic::SourceError;

/// The fields of an element line: bare words and `KEY=VALUE` pairs (also written
/// `KEY= VALUE`, `KEY =VALUE` or `KEY = VALUE`).
struct Fields<'t> {
    bare: Vec<&'t Token>,
    keys: Vec<(Token, Token)>,
}

fn fields<'t>(b: &Builder, tokens: &'t [Token]) -> Result<Fields<'t>, SourceError> {
    let mut bare = Vec::new();
    let mut keys = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        i += 1;
        let next_is_eq = tokens.get(i).is_some_and(|n| n.text.starts_with('='));
        if let Some(eq) = t.text.find('=') {
            let key = t.slice(0..eq);
            let value = if eq + 1 < t.text.len() {
                t.slice(eq + 1..t.text.len())
            } else if let Some(n) = tokens.get(i) {
                i += 1;
                n.clone()
            } else {
                return Err(b.src.error(t, format!("`{}` has no value", t.text)));
            };
            keys.push((key, value));
        } else if next_is_eq {
            let eq_tok = &tokens[i];
            i += 1;
            let value = if eq_tok.text.len() > 1 {
                eq_tok.slice(1..eq_tok.text.len())
            } else if let Some(n) = tokens.get(i) {
                i += 1;
                n.clone()
            } else {
                return Err(b.src.error(eq_tok, format!("`{}=` has no value", t.text)));
            };
            keys.push((t.clone(), value));
        } else {
            bare.push(t);
        }
    }
    Ok(Fields { bare, keys })
}

fn unsupported_key(b: &Builder, key: &Token, element: &Token) -> SourceError {
    b.src.error(
        key,
        format!(
            "per-element {}= on {} is not supported by nmgen (use the global .temp/.neb/.spread)",
            key.text.to_lowercase(),
            element.text
        ),
    )
}

/// Joins the words of a `{...}` expression written with spaces (`{R * 2}`) into one.
fn glue_braces(line: &Line) -> Line {
    let mut tokens: Vec<Token> = Vec::new();
    let mut group: Vec<Token> = Vec::new();
    let mut depth = 0i64;
    for t in &line.tokens {
        let opens = t.text.matches('{').count() as i64;
        let closes = t.text.matches('}').count() as i64;
        if depth > 0 || opens > closes {
            group.push(t.clone());
            depth += opens - closes;
            if depth <= 0 {
                tokens.push(glue(&group));
                group.clear();
                depth = 0;
            }
        } else {
            tokens.push(t.clone());
        }
    }
    if !group.is_empty() {
        tokens.push(glue(&group));
    }
    Line { tokens }
}

impl Builder<'_> {
    fn need(&self, line: &Line, have: usize, want: usize, form: &str) -> Result<(), SourceError> {
        if have >= want {
            return Ok(());
        }
        let what = if have < 2 {
            "a node"
        } else {
            "a node or its value"
        };
        Err(self.src.error(
            line.first(),
            format!(
                "{} has {have} of the {want} fields of `{form}`: {what} is missing",
                line.first().text
            ),
        ))
    }

    fn value(&self, label: &Token, written: &Token) -> Result<f64, SourceError> {
        let tok = self.override_for(&label.text).unwrap_or(written).clone();
        self.params.eval(self.src, self.scope(), &tok)
    }

    /// Adds the element written on `line`.
    pub fn element(&mut self, line: &Line) -> Result<(), SourceError> {
        let glued;
        let line = if line.tokens.iter().any(|t| t.text.contains('{')) {
            glued = glue_braces(line);
            &glued
        } else {
            line
        };
        let label = line.first().clone();
        let letter = label.text.as_bytes()[0];
        let rest = &line.tokens[1..];
        match letter {
            b'R' | b'L' | b'C' => {
                let f = fields(self, rest)?;
                self.need(line, f.bare.len(), 3, "NAME N+ N- VALUE")?;
                for (key, _) in &f.keys {
                    match key.text.as_str() {
                        "TEMP" | "NEB" if letter == b'R' => {
                            return Err(unsupported_key(self, key, &label))
                        }
                        "SPREAD" => return Err(unsupported_key(self, key, &label)),
                        _ => self.warnings.push(
                            self.src
                                .error(key, format!("`{}=` ignored on {}", key.text, label.text)),
                        ),
                    }
                }
                let v = self.value(&label, f.bare[2])?;
                let (p, n) = (self.node(f.bare[0]), self.node(f.bare[1]));
                let kind = match letter {
                    b'R' => ElementKind::Resistor { p, n, r: v },
                    b'L' => ElementKind::Inductor { p, n, l: v },
                    _ => ElementKind::Capacitor { p, n, c: v },
                };
                self.push(&label, kind)?;
            }
            b'K' => {
                let f = fields(self, rest)?;
                if f.bare.len() < 3 {
                    return Err(self.src.error(
                        &label,
                        format!(
                            "{} needs two inductors and a coupling factor: `K L1 L2 k`",
                            label.text
                        ),
                    ));
                }
                let k = self.value(&label, f.bare[2])?;
                let inductors = [
                    ((*f.bare[0]).clone(), self.full_name(&f.bare[0].text)),
                    ((*f.bare[1]).clone(), self.full_name(&f.bare[1].text)),
                ];
                let index = self.push(&label, ElementKind::Mutual { l1: 0, l2: 0, k })?;
                self.mutuals.push(PendingMutual { index, inductors });
            }
            b'B' => self.junction(line, &label)?,
            b'V' | b'I' | b'P' => {
                self.need(line, rest.len(), 3, "NAME N+ N- WAVEFORM")?;
                let (p, n) = (self.node(&rest[0]), self.node(&rest[1]));
                if letter != b'I' && p == Node::Ground && n == Node::Ground {
                    return Err(self.src.error(
                        &label,
                        format!("both nodes of source {} are ground", label.text),
                    ));
                }
                let mut warnings = Vec::new();
                let wave = sources::waveform(
                    self.src,
                    self.params,
                    self.scope(),
                    &label,
                    &rest[2..],
                    self.timing,
                    &mut warnings,
                )?;
                self.warnings.extend(warnings);
                let kind = match letter {
                    b'V' => ElementKind::VoltageSource { p, n, wave },
                    b'I' => ElementKind::CurrentSource { p, n, wave },
                    _ => ElementKind::PhaseSource { p, n, wave },
                };
                self.push(&label, kind)?;
            }
            b'T' => {
                let f = fields(self, rest)?;
                self.need(
                    line,
                    f.bare.len(),
                    4,
                    "NAME N1+ N1- N2+ N2- TD=VALUE Z0=VALUE",
                )?;
                let (mut td, mut z0) = (None, None);
                for (key, value) in &f.keys {
                    match key.text.as_str() {
                        "TD" => td = Some(self.value(&label, value)?),
                        "Z0" => z0 = Some(self.params.eval(self.src, self.scope(), value)?),
                        _ => {
                            return Err(self.src.error(
                                key,
                                format!(
                                    "unknown transmission line parameter `{}` (TD= and Z0=)",
                                    key.text
                                ),
                            ))
                        }
                    }
                }
                let (Some(td), Some(z0)) = (td, z0) else {
                    return Err(self.src.error(
                        &label,
                        format!("transmission line {} needs TD= and Z0=", label.text),
                    ));
                };
                let nodes: Vec<Node> = f.bare[..4].iter().map(|t| self.node(t)).collect();
                let kind = ElementKind::TransmissionLine {
                    p1: nodes[0],
                    n1: nodes[1],
                    p2: nodes[2],
                    n2: nodes[3],
                    z0,
                    td,
                };
                self.push(&label, kind)?;
            }
            b'E' | b'F' | b'G' | b'H' => {
                let f = fields(self, rest)?;
                self.need(line, f.bare.len(), 5, "NAME N+ N- NC+ NC- GAIN")?;
                let gain = self.value(&label, f.bare[4])?;
                let nodes: Vec<Node> = f.bare[..4].iter().map(|t| self.node(t)).collect();
                let (p, n, cp, cn) = (nodes[0], nodes[1], nodes[2], nodes[3]);
                let kind = match letter {
                    b'E' => ElementKind::Vcvs { p, n, cp, cn, gain },
                    b'F' => ElementKind::Cccs { p, n, cp, cn, gain },
                    b'G' => ElementKind::Vccs { p, n, cp, cn, gain },
                    _ => ElementKind::Ccvs { p, n, cp, cn, gain },
                };
                self.push(&label, kind)?;
            }
            _ => {
                return Err(self
                    .src
                    .error(&label, format!("unknown element `{}`", label.text)));
            }
        }
        Ok(())
    }

    /// `B name N+ N- [phase-node] MODEL [area=A | ic=I]`.
    fn junction(&mut self, line: &Line, label: &Token) -> Result<(), SourceError> {
        let f = fields(self, &line.tokens[1..])?;
        self.need(line, f.bare.len(), 3, "NAME N+ N- MODEL area=A")?;
        if f.bare.len() > 4 {
            return Err(self.src.error(
                f.bare[4],
                format!("unexpected `{}` on junction {}", f.bare[4].text, label.text),
            ));
        }
        let model_tok = &f.bare[f.bare.len() - 1];
        let Some(card) = self.models.get(self.scope(), &model_tok.text) else {
            let hint = if self.models.exists_anywhere(&model_tok.text) {
                " (a model of that name exists, but in another subcircuit)"
            } else {
                ""
            };
            return Err(self.src.error(
                model_tok,
                format!(
                    "undefined model `{}` for junction {}{hint}",
                    model_tok.text, label.text
                ),
            ));
        };
        let (mut area_tok, mut ic_tok) = (None, None);
        for (key, value) in &f.keys {
            match key.text.as_str() {
                "AREA" => area_tok = Some(value.clone()),
                "IC" => ic_tok = Some(value.clone()),
                "TEMP" | "NEB" | "SPREAD" => return Err(unsupported_key(self, key, label)),
                _ => {
                    return Err(self.src.error(
                        key,
                        format!("unknown junction parameter `{}` (area= or ic=)", key.text),
                    ))
                }
            }
        }
        if let Some(o) = self.override_for(&label.text).cloned() {
            if ic_tok.is_some() && area_tok.is_none() {
                ic_tok = Some(o);
            } else {
                area_tok = Some(o);
            }
        }
        let scope = self.scope();
        let area = match (&area_tok, &ic_tok) {
            (_, Some(ic)) => self.params.eval(self.src, scope, ic)? / card.ic,
            (Some(a), None) => self.params.eval(self.src, scope, a)?,
            (None, None) => 1.0,
        };
        let at = ic_tok.as_ref().or(area_tok.as_ref()).unwrap_or(model_tok);
        if !(area > 0.0 && area.is_finite()) {
            return Err(self.src.error(
                at,
                format!(
                    "junction {} has area {area}; it must be positive",
                    label.text
                ),
            ));
        }
        let model = card.scaled(area);
        // the simulator divides by these: a located error here, not an unlocated one there
        for (what, v) in [
            ("ic", model.ic),
            ("rn", model.rn),
            ("r0", model.r0),
            ("cap", model.cap),
        ] {
            if !(v > 0.0 && v.is_finite()) {
                return Err(self.src.error(
                    at,
                    format!(
                        "junction {} (model {}, area {area:e}) has {what} = {v:e}; it must be positive and finite",
                        label.text, card.name
                    ),
                ));
            }
        }
        let (p, n) = (self.node(f.bare[0]), self.node(f.bare[1]));
        self.push(label, ElementKind::Junction { p, n, model })?;
        Ok(())
    }
}
