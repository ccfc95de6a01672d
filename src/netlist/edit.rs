//! Sweep points as typed edits of a circuit that was read and expanded once:
//! global `.param` values, scales of every element of a kind (whoever wrote it),
//! of bias lines and of single elements, thermal noise and seed. No netlist text is
//! rewritten: a [`Prepared`] netlist keeps its parsed deck (to re-evaluate global
//! parameters) and its nominal flat circuit (copied and scaled per point).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::bias::{self, SourceInfo, SourceRole};
use super::Netlist;
use crate::circuit::{Circuit, ElementKind, Waveform};
use crate::diagnostic::SourceError;

/// Which bias sources a bias scale acts on.
#[derive(Debug, Clone, PartialEq)]
pub enum BiasLines {
    /// Every bias source of the circuit.
    All,
    /// The bias sources inside these top-level instances (`XAND`, upper case).
    Instances(Vec<String>),
}

/// What one scale multiplies.
#[derive(Debug, Clone, PartialEq)]
pub enum ScaleTarget {
    /// Every inductor's inductance.
    Inductors,
    /// Every junction's critical current (area and `ic=` already applied).
    CriticalCurrents,
    /// Every resistor (junction shunts written as resistors included).
    Resistors,
    /// Bias sources (see [`bias`] for which sources are bias sources).
    Bias(BiasLines),
    /// One element by hierarchical name (`L1|XJ1`).
    Element(String),
}

/// The edits of one simulation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Edits {
    /// Global `.param` values (names case-insensitive).
    pub params: Vec<(String, f64)>,
    /// Multipliers; several on the same element multiply.
    pub scales: Vec<(ScaleTarget, f64)>,
    /// Thermal noise at this temperature (K).
    pub temperature: Option<f64>,
    /// Random seed for noise and `.spread`.
    pub seed: Option<u64>,
}

impl Edits {
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
            && self.scales.is_empty()
            && self.temperature.is_none()
            && self.seed.is_none()
    }
}

/// Why an edit cannot be applied.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("the netlist has no top-level `.param {0}` to change")]
    UnknownParameter(String),
    #[error("the netlist has no element `{0}` to scale")]
    UnknownElement(String),
    #[error("cannot scale {0}")]
    Unsupported(String),
    #[error(transparent)]
    Netlist(Box<SourceError>),
}

/// A netlist read, evaluated and expanded once, ready for many edited copies.
#[derive(Debug)]
pub struct Prepared {
    pub path: PathBuf,
    netlist: Netlist,
    nominal: Circuit,
    global_params: Vec<String>,
    /// Every current source and its role.
    pub sources: Vec<SourceInfo>,
}

impl Prepared {
    /// Reads netlist text (`path` names it and anchors `.include`s); sources are
    /// classified by the waveform rule alone.
    pub fn parse(text: &str, path: &Path) -> Result<Prepared, SourceError> {
        let netlist = Netlist::parse(text, path)?;
        Prepared::new(netlist, path, &BTreeMap::new())
    }

    /// As [`Prepared::parse`], the nominal circuit built with these global `.param`
    /// values (a one-off run reads and evaluates the netlist once).
    pub fn parse_with(
        text: &str,
        path: &Path,
        params: &[(String, f64)],
    ) -> Result<Prepared, EditError> {
        let netlist = Netlist::parse(text, path).map_err(|e| EditError::Netlist(Box::new(e)))?;
        let values = checked_values(&netlist.global_params(), params)?;
        Prepared::new(netlist, path, &values).map_err(|e| EditError::Netlist(Box::new(e)))
    }

    fn new(
        netlist: Netlist,
        path: &Path,
        params: &BTreeMap<String, f64>,
    ) -> Result<Prepared, SourceError> {
        let nominal = netlist.build(params)?.circuit;
        let sources = bias::classify(&nominal, &|_| None);
        Ok(Prepared {
            path: path.to_path_buf(),
            global_params: netlist.global_params(),
            netlist,
            nominal,
            sources,
        })
    }

    /// Classifies the sources again, `role_override` deciding first.
    pub fn reclassify(&mut self, role_override: &dyn Fn(&str) -> Option<(SourceRole, String)>) {
        self.sources = bias::classify(&self.nominal, role_override);
    }

    /// The nominal circuit.
    pub fn nominal(&self) -> &Circuit {
        &self.nominal
    }

    /// The circuit with `edits` applied.
    pub fn circuit(&self, edits: &Edits) -> Result<Circuit, EditError> {
        let mut circuit = if edits.params.is_empty() {
            self.nominal.clone()
        } else {
            let values = checked_values(&self.global_params, &edits.params)?;
            let built = self
                .netlist
                .build(&values)
                .map_err(|e| EditError::Netlist(Box::new(e)))?
                .circuit;
            if built.elements.len() != self.nominal.elements.len() {
                return Err(EditError::Unsupported(
                    "a parameter change that changes the circuit's structure".into(),
                ));
            }
            built
        };
        for (target, factor) in &edits.scales {
            self.scale(&mut circuit, target, *factor)?;
        }
        if let Some(t) = edits.temperature {
            circuit.temperature = Some(t);
            circuit.seed = Some(edits.seed.unwrap_or(1));
        } else if let Some(seed) = edits.seed {
            circuit.seed = Some(seed);
        }
        Ok(circuit)
    }

    fn scale(&self, c: &mut Circuit, target: &ScaleTarget, m: f64) -> Result<(), EditError> {
        match target {
            ScaleTarget::Inductors => for_each(c, |k| {
                if let ElementKind::Inductor { l, .. } = k {
                    *l *= m
                }
            }),
            ScaleTarget::Resistors => for_each(c, |k| {
                if let ElementKind::Resistor { r, .. } = k {
                    *r *= m
                }
            }),
            ScaleTarget::CriticalCurrents => for_each(c, |k| {
                if let ElementKind::Junction { model, .. } = k {
                    model.ic *= m
                }
            }),
            ScaleTarget::Bias(lines) => {
                for s in self.sources.iter().filter(|s| s.role == SourceRole::Bias) {
                    let on_line = match lines {
                        BiasLines::All => true,
                        BiasLines::Instances(list) => s
                            .instance
                            .as_ref()
                            .is_some_and(|i| list.iter().any(|x| x == i)),
                    };
                    if on_line {
                        scale_kind(&mut c.elements[s.element].kind, &s.name, m)?;
                    }
                }
            }
            ScaleTarget::Element(name) => {
                let upper = name.to_ascii_uppercase().replace('.', "|");
                let i = c
                    .element_index(&upper)
                    .ok_or_else(|| EditError::UnknownElement(name.clone()))?;
                scale_kind(&mut c.elements[i].kind, name, m)?;
            }
        }
        Ok(())
    }

    /// The elements a scale target acts on, by name (for `--explain`).
    pub fn scaled_elements(&self, target: &ScaleTarget) -> Vec<&str> {
        let c = &self.nominal;
        let of = |pick: fn(&ElementKind) -> bool| -> Vec<&str> {
            c.elements
                .iter()
                .filter(|e| pick(&e.kind))
                .map(|e| e.name.as_str())
                .collect()
        };
        match target {
            ScaleTarget::Inductors => of(|k| matches!(k, ElementKind::Inductor { .. })),
            ScaleTarget::Resistors => of(|k| matches!(k, ElementKind::Resistor { .. })),
            ScaleTarget::CriticalCurrents => of(|k| matches!(k, ElementKind::Junction { .. })),
            ScaleTarget::Bias(lines) => self
                .sources
                .iter()
                .filter(|s| s.role == SourceRole::Bias)
                .filter(|s| match lines {
                    BiasLines::All => true,
                    BiasLines::Instances(list) => {
                        s.instance.as_ref().is_some_and(|i| list.contains(i))
                    }
                })
                .map(|s| s.name.as_str())
                .collect(),
            ScaleTarget::Element(name) => c
                .elements
                .iter()
                .filter(|e| e.name == name.to_ascii_uppercase().replace('.', "|"))
                .map(|e| e.name.as_str())
                .collect(),
        }
    }
}

/// `params` by upper-case name, each a global parameter of the netlist.
fn checked_values(
    known: &[String],
    params: &[(String, f64)],
) -> Result<BTreeMap<String, f64>, EditError> {
    let mut values = BTreeMap::new();
    for (name, v) in params {
        if !known.iter().any(|p| p.eq_ignore_ascii_case(name)) {
            return Err(EditError::UnknownParameter(name.clone()));
        }
        values.insert(name.to_ascii_uppercase(), *v);
    }
    Ok(values)
}

fn for_each(c: &mut Circuit, mut f: impl FnMut(&mut ElementKind)) {
    for e in &mut c.elements {
        f(&mut e.kind);
    }
}

/// Multiplies one element's value: R, L, C, a junction's critical current, or a
/// current source's waveform.
fn scale_kind(kind: &mut ElementKind, name: &str, m: f64) -> Result<(), EditError> {
    match kind {
        ElementKind::Resistor { r, .. } => *r *= m,
        ElementKind::Inductor { l, .. } => *l *= m,
        ElementKind::Capacitor { c, .. } => *c *= m,
        ElementKind::Junction { model, .. } => model.ic *= m,
        ElementKind::CurrentSource { wave, .. } => match wave {
            Waveform::Dc(v) => *v *= m,
            Waveform::Pwl(points) => points.iter_mut().for_each(|(_, v)| *v *= m),
            Waveform::Pulse { v1, v2, .. } | Waveform::Exp { v1, v2, .. } => {
                *v1 *= m;
                *v2 *= m;
            }
            Waveform::Sin { vo, va, .. } => {
                *vo *= m;
                *va *= m;
            }
            Waveform::Noise { .. } => {
                return Err(EditError::Unsupported(format!("the noise source `{name}`")))
            }
        },
        _ => return Err(EditError::Unsupported(format!("element `{name}`"))),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
.model jj1 jj(rtype=1, vg=2.8mV, cap=0.07pF, r0=160, rn=16, icrit=0.1mA)
.param k=2
.subckt CELL a
.param ib=175u
B1 a 0 jj1 area=2
R1 a 1 4
L1 1 0 2p
IB1 0 a pwl(0 0 5p ib)
.ends
XC CELL n1
IIN 0 n1 pwl(0 0 10p 0 12p {k*100u} 14p 0)
L2 n1 0 {k*1p}
.tran 0.1p 100p
.print p(B1.XC)
.end
";

    fn prepared() -> Prepared {
        Prepared::parse(TEXT, Path::new("t.cir")).unwrap()
    }

    fn value(c: &Circuit, name: &str) -> f64 {
        let e = &c.elements[c.element_index(name).unwrap()].kind;
        match e {
            ElementKind::Inductor { l, .. } => *l,
            ElementKind::Resistor { r, .. } => *r,
            ElementKind::Junction { model, .. } => model.ic,
            ElementKind::CurrentSource {
                wave: Waveform::Pwl(p),
                ..
            } => p.iter().map(|x| x.1).fold(0.0, f64::max),
            _ => panic!("{name}"),
        }
    }

    #[test]
    fn group_scales_reach_every_element_of_their_kind() {
        let p = prepared();
        let edits = Edits {
            scales: vec![
                (ScaleTarget::Inductors, 1.5),
                (ScaleTarget::Resistors, 0.5),
                (ScaleTarget::CriticalCurrents, 0.8),
                (ScaleTarget::Bias(BiasLines::All), 1.2),
            ],
            ..Edits::default()
        };
        let c = p.circuit(&edits).unwrap();
        assert!((value(&c, "L1|XC") - 3e-12).abs() < 1e-24);
        assert!((value(&c, "L2") - 3e-12).abs() < 1e-24);
        assert!((value(&c, "R1|XC") - 2.0).abs() < 1e-12);
        assert!((value(&c, "B1|XC") - 0.8 * 2e-4).abs() < 1e-15);
        assert!((value(&c, "IB1|XC") - 1.2 * 175e-6).abs() < 1e-15);
        // the input pulse is a signal: untouched
        assert!((value(&c, "IIN") - 200e-6).abs() < 1e-15);
    }

    #[test]
    fn bias_lines_select_instances_and_params_reevaluate() {
        let p = prepared();
        let one = |lines: Vec<String>| Edits {
            scales: vec![(ScaleTarget::Bias(BiasLines::Instances(lines)), 2.0)],
            ..Edits::default()
        };
        let c = p.circuit(&one(vec!["XC".into()])).unwrap();
        assert!((value(&c, "IB1|XC") - 350e-6).abs() < 1e-15);
        let c = p.circuit(&one(vec!["XOTHER".into()])).unwrap();
        assert!((value(&c, "IB1|XC") - 175e-6).abs() < 1e-15);
        let c = p
            .circuit(&Edits {
                params: vec![("K".into(), 3.0)],
                ..Edits::default()
            })
            .unwrap();
        assert!((value(&c, "L2") - 3e-12).abs() < 1e-24);
        assert!(matches!(
            p.circuit(&Edits {
                params: vec![("nope".into(), 1.0)],
                ..Edits::default()
            }),
            Err(EditError::UnknownParameter(_))
        ));
    }
}
