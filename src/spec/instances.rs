//! `cells:` entries: plain instances, arrays (`h[0..15]`) and chains, with their
//! control currents (one shared value, or a list with one value per element).

use std::collections::BTreeMap;

use serde_saphyr::Spanned;

use super::design::{Connection, Endpoint, Instance};
use super::index::{element, parse_reference, Range};
use super::located::{error_at, error_at_str, suggest};
use super::model::{ControlValue, InstanceSpec};
use super::network::{error_span, is_identifier, Names};
use crate::diagnostic::{SourceError, SourceFile};

/// Where `port:` is written in an instance entry (on its first line), else the entry.
fn error_at_key<T>(
    file: &SourceFile,
    spec: &Spanned<T>,
    key: &str,
    message: impl Into<String>,
) -> SourceError {
    let start = file.offset_of(
        spec.referenced.line() as usize,
        spec.referenced.column() as usize,
    );
    let line_start = file.text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line = file.line_text(start);
    let found = line
        .get(start - line_start..)
        .and_then(|rest| rest.find(&format!("{key}:")))
        .map(|i| start + i);
    match found {
        Some(at) => file.error(at..at + key.len(), message),
        None => error_at(file, spec, message),
    }
}

/// One `cells:` entry: a plain instance, an array (`h[0..15]`) or a chain.
pub(super) fn instance(
    file: &SourceFile,
    names: &mut Names,
    inst: &Spanned<String>,
    spec: &Spanned<InstanceSpec>,
) -> Result<(), SourceError> {
    let empty = BTreeMap::new();
    let (cell_name, map, chain) = match &spec.value {
        InstanceSpec::Cell(c) => (c.clone(), &empty, false),
        InstanceSpec::WithControls(map) => match (map.get("cell"), map.get("chain")) {
            (Some(ControlValue::Text(c)), None) => (c.clone(), map, false),
            (None, Some(ControlValue::Text(c))) => (c.clone(), map, true),
            (Some(_), Some(_)) => {
                return Err(error_at(
                    file,
                    spec,
                    format!(
                        "instance `{}` has both `cell:` and `chain:`; give one",
                        inst.value
                    ),
                ))
            }
            _ => {
                return Err(error_at(
                    file,
                    spec,
                    format!(
                        "instance `{}` needs `cell: NAME` (or `chain: NAME, length: N`)",
                        inst.value
                    ),
                ))
            }
        },
    };
    let Some(c) = names.library.get(&cell_name) else {
        let mut e = error_at(
            file,
            spec,
            format!(
                "unknown cell `{cell_name}`; known cells: {}",
                names.library.names().join(", ")
            ),
        );
        e.help = suggest(&cell_name, names.library.names());
        return Err(e);
    };
    let (elements, array) = if chain {
        chain_elements(file, names, inst, spec, map, c)?
    } else {
        if map.contains_key("length") {
            return Err(error_at_key(
                file,
                spec,
                "length",
                "`length:` belongs to a chain: write `{ chain: jtl, length: 10 }`",
            ));
        }
        names.declare(file, inst, "instance")?
    };
    let mut resolved: Vec<Vec<(String, String)>> = vec![Vec::new(); elements.len()];
    for (port, value) in map
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "cell" | "chain" | "length"))
    {
        let port_l = port.to_ascii_lowercase();
        if !c.controls.contains(&port_l) {
            return Err(error_at_key(
                file,
                spec,
                port,
                format!(
                    "`{}` cell has no control port `{port}` (control ports: {})",
                    c.name,
                    if c.controls.is_empty() {
                        "none".into()
                    } else {
                        c.controls.join(", ")
                    }
                ),
            ));
        }
        let values: Vec<&ControlValue> = match value {
            ControlValue::List(items) => {
                let Some(base) = &array else {
                    return Err(error_at_key(
                        file,
                        spec,
                        port,
                        format!("a list of currents for `{port}` needs an array (`{}[0..3]`) or a chain", inst.value),
                    ));
                };
                if items.len() != elements.len() {
                    return Err(error_at_key(
                        file,
                        spec,
                        port,
                        format!(
                            "`{port}` lists {} value(s) for the {} elements of `{base}`: give one per element, or one value for all",
                            items.len(),
                            elements.len()
                        ),
                    ));
                }
                items.iter().collect()
            }
            single => vec![single; elements.len()],
        };
        let shared = !matches!(value, ControlValue::List(_));
        for (k, v) in values.into_iter().enumerate() {
            let owner = match (&array, shared) {
                (Some(base), true) => base.clone(),
                _ => elements[k].clone(),
            };
            let name = match v {
                ControlValue::Number(x) => current(file, names, spec, port, &owner, *x, inst)?,
                ControlValue::Text(t) => match super::quantity::parse_quantity(t) {
                    Some(x) => current(file, names, spec, port, &owner, x, inst)?,
                    None => {
                        let reference = t.to_ascii_lowercase();
                        names
                            .parameter_refs
                            .push((reference.clone(), inst.referenced));
                        reference
                    }
                },
                ControlValue::List(_) => {
                    return Err(error_at_key(
                        file,
                        spec,
                        port,
                        format!(
                            "`{port}`: a list of lists; give one current or parameter per element"
                        ),
                    ))
                }
            };
            resolved[k].push((port_l.clone(), name));
        }
    }
    for port in &c.controls {
        if !resolved[0].iter().any(|(p, _)| p == port) {
            let kind = if chain { "chain" } else { "cell" };
            return Err(error_at(
                file,
                spec,
                format!(
                    "instance `{}` of `{}` needs a current for its control port `{port}`, e.g. `{{ {kind}: {}, {port}: 135uA }}`",
                    inst.value, c.name, c.name
                ),
            ));
        }
    }
    for (name, controls) in elements.into_iter().zip(resolved) {
        names.cells.insert(name.clone(), c);
        names.instances.push(Instance {
            name,
            cell: c.name.clone(),
            controls,
        });
    }
    Ok(())
}

/// The auto parameter for a control current given as a value: `<owner>_<port>`, made
/// once (an array sharing one value shares one parameter).
fn current<T>(
    file: &SourceFile,
    names: &mut Names,
    spec: &Spanned<T>,
    port: &str,
    owner: &str,
    value: f64,
    inst: &Spanned<String>,
) -> Result<String, SourceError> {
    if !value.is_finite() {
        return Err(error_at_key(
            file,
            spec,
            port,
            format!("control current `{port}` must be finite"),
        ));
    }
    let auto = format!(
        "{}_{}",
        owner.to_ascii_lowercase(),
        port.to_ascii_lowercase()
    );
    if !names.auto_parameters.iter().any(|(n, _, _)| *n == auto) {
        names
            .auto_parameters
            .push((auto.clone(), value, inst.referenced));
    }
    Ok(auto)
}

/// A chain `d: { chain: jtl, length: 10 }`: elements `d_0` … `d_9`, each `q` into the
/// next `a`; `d.a` is the first's input and `d.q` the last's output.
fn chain_elements(
    file: &SourceFile,
    names: &mut Names,
    inst: &Spanned<String>,
    spec: &Spanned<InstanceSpec>,
    map: &BTreeMap<String, ControlValue>,
    c: &crate::cells::Cell,
) -> Result<(Vec<String>, Option<String>), SourceError> {
    let length = match map.get("length") {
        Some(ControlValue::Number(n)) if n.fract() == 0.0 && *n >= 0.0 && *n <= 1e6 => *n as usize,
        Some(_) => {
            return Err(error_at_key(
                file,
                spec,
                "length",
                "`length:` is the number of cells in the chain, a whole number ≥ 1",
            ))
        }
        None => {
            return Err(error_at(
                file,
                spec,
                format!(
                    "chain `{}` needs `length: N` (the number of cells in series)",
                    inst.value
                ),
            ))
        }
    };
    if length == 0 {
        return Err(error_at_key(
            file,
            spec,
            "length",
            format!(
                "chain `{}` has length 0: a chain needs at least one cell",
                inst.value
            ),
        ));
    }
    if c.inputs.len() != 1 || c.outputs.len() != 1 {
        return Err(error_at_key(
            file,
            spec,
            "chain",
            format!(
                "a chain needs a cell with one input and one output; `{}` has inputs [{}] and outputs [{}]",
                c.name,
                c.inputs.join(", "),
                c.outputs.join(", ")
            ),
        ));
    }
    let r = parse_reference(&inst.value).map_err(|(at, m)| error_span(file, inst, at, m))?;
    if r.index.is_some() || r.port.is_some() || !is_identifier(&r.base) {
        return Err(error_at_str(
            file,
            inst,
            format!("`{}` is not a valid chain name (a plain name such as `d`; its cells are `d_0`, `d_1`, …)", inst.value),
        ));
    }
    names.claim(file, inst, &r.base, "chain")?;
    let elements: Vec<String> = (0..length as i64).map(|i| element(&r.base, i)).collect();
    for e in &elements {
        names.claim(file, inst, e, "chain cell")?;
    }
    let (input, output) = (c.inputs[0].clone(), c.outputs[0].clone());
    for pair in elements.windows(2) {
        names.chain_links.push(Connection {
            from: Endpoint::Port {
                instance: pair[0].clone(),
                port: output.clone(),
            },
            to: Endpoint::Port {
                instance: pair[1].clone(),
                port: input.clone(),
            },
            line: inst.referenced.line() as usize,
        });
    }
    names.arrays.insert(
        r.base.clone(),
        Range {
            lo: 0,
            hi: length as i64 - 1,
        },
    );
    names.chains.insert(r.base.clone(), (input, output));
    Ok((elements, Some(r.base)))
}
