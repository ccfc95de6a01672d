//! `.model NAME jj(...)` cards and the per-junction scaling JoSIM applies for
//! `area=` / `ic=` on the B line.
//!
//! JoSIM's defaults: rtype=1, vg=2.8mV, icrit=1mA, rn=5, r0=30, cap=2.5pF, t=4.2K,
//! tc=9.1K, delv=0.1mV, d=0, icfct=pi/4, phi=0, cpr={1}. A junction's critical current
//! and capacitance are multiplied by its area, rn and r0 divided by it; when the card
//! sets t, tc or d, rn instead follows the Ambegaokar-Baratoff temperature dependence;
//! rtype=0 makes r0 equal to rn. `ic=` on the B line sets area = ic / icrit.

use foldhash::HashMap;

use super::deck::ModelDef;
use super::lines::{Sources, Token};
use super::params::Params;
use crate::circuit::JunctionModel;
use crate::diagnostic::SourceError;

const BOLTZMANN: f64 = 1.38064852e-23;
const EV: f64 = 1.6021766208e-19;

/// An evaluated model card, before per-junction scaling.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelCard {
    pub name: String,
    pub rtype: i64,
    pub vg: f64,
    pub delv: f64,
    pub ic: f64,
    pub rn: f64,
    pub r0: f64,
    pub cap: f64,
    pub icfct: f64,
    pub phi: f64,
    pub t: f64,
    pub tc: f64,
    pub d: f64,
    pub cpr: Vec<f64>,
    /// Whether t, tc or d was given (rn then follows the temperature).
    pub temperature_dependent: bool,
}

impl ModelCard {
    fn josim_default(name: &str) -> Self {
        ModelCard {
            name: name.to_string(),
            rtype: 1,
            vg: 2.8e-3,
            delv: 0.1e-3,
            ic: 1e-3,
            rn: 5.0,
            r0: 30.0,
            cap: 2.5e-12,
            icfct: std::f64::consts::PI / 4.0,
            phi: 0.0,
            t: 4.2,
            tc: 9.1,
            d: 0.0,
            cpr: vec![1.0],
            temperature_dependent: false,
        }
    }

    /// The junction model for one B element of the given area.
    pub fn scaled(&self, area: f64) -> JunctionModel {
        let ic = self.ic * area;
        let rn = if self.temperature_dependent {
            let del0 = 1.76 * BOLTZMANN * self.tc;
            let ratio = self.t / self.tc;
            let del = del0 * ((std::f64::consts::PI / 2.0) * ratio * ratio).cos().sqrt();
            (std::f64::consts::PI * del / (2.0 * EV * ic))
                * (del / (2.0 * BOLTZMANN * self.t)).tanh()
        } else {
            self.rn / area
        };
        let r0 = if self.rtype == 0 { rn } else { self.r0 / area };
        JunctionModel {
            name: self.name.clone(),
            rtype: self.rtype,
            vg: self.vg,
            delv: self.delv,
            ic,
            rn,
            r0,
            cap: self.cap * area,
            icfct: self.icfct,
            phi: self.phi,
            t: self.t,
            tc: self.tc,
            d: self.d,
            cpr: self.cpr.clone(),
            area,
        }
    }
}

/// Model cards by (scope, name); scope `""` is global.
#[derive(Debug, Default)]
pub struct Models {
    cards: HashMap<String, HashMap<String, ModelCard>>,
}

impl Models {
    /// The card `name` as seen from `scope` (local first, then global).
    pub fn get(&self, scope: Option<&str>, name: &str) -> Option<&ModelCard> {
        if let Some(m) = scope.and_then(|s| self.cards.get(s)?.get(name)) {
            return Some(m);
        }
        self.cards.get("")?.get(name)
    }

    /// Whether a card of this name exists in any scope.
    pub fn exists_anywhere(&self, name: &str) -> bool {
        self.cards.values().any(|m| m.contains_key(name))
    }
}

pub fn evaluate(
    src: &Sources,
    defs: &[ModelDef],
    params: &Params,
    warnings: &mut Vec<SourceError>,
) -> Result<Models, SourceError> {
    let mut models = Models::default();
    for def in defs {
        let card = parse_card(src, def, params)?;
        let scope = models
            .cards
            .entry(def.scope.clone().unwrap_or_default())
            .or_default();
        if scope.contains_key(&card.name) {
            warnings.push(src.error(
                &def.line.tokens[1],
                format!(
                    "model {} is defined again; this definition replaces the earlier one",
                    card.name
                ),
            ));
        }
        scope.insert(card.name.clone(), card);
    }
    Ok(models)
}

/// Splits the text after the model name into pieces at whitespace, `(`, `)`, `,`, `=`
/// (braces `{...}` kept together for cpr lists).
fn pieces(tokens: &[Token]) -> Vec<Token> {
    let mut out = Vec::new();
    for tok in tokens {
        let mut from = None;
        let mut depth = 0usize;
        for (i, c) in tok.text.char_indices() {
            let split = depth == 0 && matches!(c, '(' | ')' | ',' | '=');
            match c {
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            if split {
                if let Some(f) = from.take() {
                    out.push(tok.slice(f..i));
                }
                if c == '=' {
                    out.push(tok.slice(i..i + 1));
                }
            } else if from.is_none() {
                from = Some(i);
            }
        }
        if let Some(f) = from {
            out.push(tok.slice(f..tok.text.len()));
        }
    }
    out
}

fn parse_card(src: &Sources, def: &ModelDef, params: &Params) -> Result<ModelCard, SourceError> {
    let toks = &def.line.tokens;
    let name = &toks[1];
    let scope = def.scope.as_deref();
    let mut rest = pieces(&toks[2..]);
    let Some(kind) = rest.first().cloned() else {
        return Err(src.error(name, format!("model {} has no type", name.text)));
    };
    if kind.text != "JJ" {
        return Err(src.error(
            &kind,
            format!(
                "unsupported model type `{}` (JoSIM models are `jj`)",
                kind.text
            ),
        ));
    }
    rest.remove(0);
    let mut card = ModelCard::josim_default(&name.text);
    let mut i = 0;
    while i < rest.len() {
        let key = &rest[i];
        let (Some(eq), Some(value)) = (rest.get(i + 1), rest.get(i + 2)) else {
            return Err(src.error(key, format!("model parameter `{}` has no value", key.text)));
        };
        if eq.text != "=" || value.text == "=" {
            return Err(src.error(
                key,
                format!(
                    "expected PARAMETER=VALUE in model {}, found `{}`",
                    name.text, key.text
                ),
            ));
        }
        i += 3;
        if key.text == "CPR" {
            let inner = value.text.trim_start_matches('{').trim_end_matches('}');
            let offset = value.text.len() - value.text.trim_start_matches('{').len();
            let mut cpr = Vec::new();
            let mut from = 0;
            for part in inner.split(',') {
                let piece = value.slice(offset + from..offset + from + part.len());
                from += part.len() + 1;
                if part.trim().is_empty() {
                    continue;
                }
                cpr.push(params.eval(src, scope, &piece)?);
            }
            if cpr.is_empty() {
                return Err(src.error(value, "cpr needs at least one harmonic amplitude"));
            }
            card.cpr = cpr;
            continue;
        }
        let v = params.eval(src, scope, value)?;
        match key.text.as_str() {
            "RTYPE" => card.rtype = v as i64,
            "VG" | "VGAP" => card.vg = v,
            "IC" | "ICRIT" => card.ic = v,
            "RN" => card.rn = v,
            "R0" => card.r0 = v,
            "CAP" | "C" => card.cap = v,
            "T" => {
                card.t = v;
                card.temperature_dependent = true;
            }
            "TC" => {
                card.tc = v;
                card.temperature_dependent = true;
            }
            "D" => {
                card.d = v;
                card.temperature_dependent = true;
            }
            "DELV" => card.delv = v,
            "ICFCT" | "ICFACT" => card.icfct = v,
            "PHI" => card.phi = v,
            _ => {
                return Err(src.error(
                    key,
                    format!("unknown jj model parameter `{}` (JoSIM knows rtype vg delv icrit rn r0 cap icfct phi t tc d cpr)", key.text),
                ))
            }
        }
    }
    if card.ic == 0.0 {
        return Err(src.error(name, format!("model {} has icrit=0", name.text)));
    }
    Ok(card)
}
