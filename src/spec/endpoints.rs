//! Resolving names in connections and layers: `a`, `j1.q`, `h[3].q`, `x[0..3]`,
//! `h` (every element of an array), `d.a` / `d.q` (a chain's ends).

use serde_saphyr::Spanned;

use super::design::Endpoint;
use super::index::{element, parse_reference};
use super::located::suggest;
use super::network::{error_span, Names};
use crate::diagnostic::{SourceError, SourceFile};

/// A resolved name: a connection end, or (where allowed) a whole instance.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    End(Endpoint),
    Instance(String),
}

impl Names<'_> {
    /// Expands `text`, found at byte `offset` of `s`, into the elements it names.
    /// `bare_instances`: an instance named without a port comes back as itself
    /// (weighted layers), otherwise it is an error.
    pub(super) fn expand(
        &self,
        file: &SourceFile,
        s: &Spanned<String>,
        text: &str,
        offset: usize,
        as_source: bool,
        bare_instances: bool,
    ) -> Result<Vec<Resolved>, SourceError> {
        let at = |r: std::ops::Range<usize>| offset + r.start..offset + r.end;
        let r = parse_reference(text).map_err(|(r, m)| error_span(file, s, at(r), m))?;
        let base_start = text.find(r.base.as_str()).unwrap_or(0);
        let base_at = at(base_start..base_start + r.base.len());
        let port_at = match text.rfind('.') {
            Some(dot) => at(dot + 1..text.trim_end().len().max(dot + 2)),
            None => base_at.clone(),
        };
        let elements: Vec<String> = match &r.index {
            Some((range, range_at)) => {
                let Some(declared) = self.arrays.get(&r.base) else {
                    let msg = if self.declared.contains_key(&r.base) {
                        format!(
                            "`{}` is not an array: only names declared as `{}[0..N]` take an index",
                            r.base, r.base
                        )
                    } else {
                        format!("undefined array `{}`", r.base)
                    };
                    let mut e = error_span(file, s, base_at, msg);
                    e.help = suggest(&r.base, self.arrays.keys().map(String::as_str));
                    return Err(e);
                };
                for i in [range.lo, range.hi] {
                    if i < declared.lo || i > declared.hi {
                        return Err(error_span(
                            file,
                            s,
                            at(range_at.clone()),
                            format!(
                                "index {i} is out of range: `{}` has elements [{}..{}]",
                                r.base, declared.lo, declared.hi
                            ),
                        ));
                    }
                }
                range.indices().map(|i| element(&r.base, i)).collect()
            }
            None => {
                if let Some((input, output)) = self.chains.get(&r.base) {
                    let n = self.arrays[&r.base].len() as i64;
                    let (first, last) = (element(&r.base, 0), element(&r.base, n - 1));
                    match r.port.as_deref() {
                        Some(p) if p.eq_ignore_ascii_case(input) && !as_source => {
                            return Ok(vec![Resolved::End(Endpoint::Port {
                                instance: first,
                                port: input.clone(),
                            })])
                        }
                        Some(p) if p.eq_ignore_ascii_case(output) && as_source => {
                            return Ok(vec![Resolved::End(Endpoint::Port {
                                instance: last,
                                port: output.clone(),
                            })])
                        }
                        None if bare_instances && as_source => {
                            return Ok(vec![Resolved::End(Endpoint::Port {
                                instance: last,
                                port: output.clone(),
                            })])
                        }
                        _ => {
                            let (dir, port) = if as_source {
                                ("source: its output", output)
                            } else {
                                ("target: its input", input)
                            };
                            return Err(error_span(
                                file,
                                s,
                                if r.port.is_some() { port_at } else { base_at },
                                format!(
                                    "`{}` is a chain; as a {dir} is `{}.{port}` (one cell: `{}[3].{port}`)",
                                    r.base, r.base, r.base
                                ),
                            ));
                        }
                    }
                }
                match self.arrays.get(&r.base) {
                    Some(range) => range.indices().map(|i| element(&r.base, i)).collect(),
                    None => vec![r.base.clone()],
                }
            }
        };
        elements
            .iter()
            .map(|e| {
                self.resolve(
                    file,
                    s,
                    e,
                    r.port.as_deref(),
                    (&base_at, &port_at),
                    as_source,
                    bare_instances,
                )
            })
            .collect()
    }

    /// One element name with an optional port.
    #[allow(clippy::too_many_arguments)]
    fn resolve(
        &self,
        file: &SourceFile,
        s: &Spanned<String>,
        name: &str,
        port: Option<&str>,
        (base_at, port_at): (&std::ops::Range<usize>, &std::ops::Range<usize>),
        as_source: bool,
        bare_instances: bool,
    ) -> Result<Resolved, SourceError> {
        if let Some(port) = port {
            let Some(cell) = self.cells.get(name) else {
                let msg = if self.inputs.iter().chain(&self.outputs).any(|n| n == name) {
                    format!("`{name}` is a network input or output and has no ports")
                } else {
                    format!("undefined instance `{name}` in connection")
                };
                let mut e = error_span(file, s, base_at.clone(), msg);
                e.help = suggest(name, self.instances.iter().map(|i| i.name.as_str()));
                return Err(e);
            };
            let port_l = port.to_ascii_lowercase();
            let ok = if as_source {
                cell.is_output(&port_l)
            } else {
                cell.is_input(&port_l)
            };
            if !ok {
                let valid = if as_source {
                    cell.outputs
                        .iter()
                        .chain(&cell.levels)
                        .cloned()
                        .collect::<Vec<_>>()
                } else {
                    cell.inputs.clone()
                };
                let dir = if as_source { "output" } else { "input" };
                let mut e = error_span(
                    file,
                    s,
                    base_at.start..port_at.end,
                    format!(
                        "`{name}` is a `{}` cell, which has no {dir} port `{port}` ({dir} ports: {})",
                        cell.name,
                        if valid.is_empty() { "none".to_string() } else { valid.join(", ") }
                    ),
                );
                e.help = suggest(port, valid.iter().map(String::as_str));
                return Err(e);
            }
            return Ok(Resolved::End(Endpoint::Port {
                instance: name.to_string(),
                port: port_l,
            }));
        }
        let (list, what) = if as_source {
            (&self.inputs, "input")
        } else {
            (&self.outputs, "output")
        };
        if list.iter().any(|n| n == name) {
            return Ok(Resolved::End(Endpoint::Terminal(name.to_string())));
        }
        if self.cells.contains_key(name) && bare_instances {
            return Ok(Resolved::Instance(name.to_string()));
        }
        let other = if as_source {
            &self.outputs
        } else {
            &self.inputs
        };
        let msg = if other.iter().any(|n| n == name) {
            format!(
                "`{name}` is a network {} and cannot be a connection {}",
                if as_source { "output" } else { "input" },
                if as_source { "source" } else { "target" }
            )
        } else if self.cells.contains_key(name) {
            format!(
                "`{name}` is an instance: name one of its ports, e.g. `{name}.{}`",
                if as_source { "q" } else { "a" }
            )
        } else {
            format!("undefined {what} `{name}`")
        };
        let mut e = error_span(file, s, base_at.clone(), msg);
        e.help = suggest(name, list.iter().map(String::as_str));
        Err(e)
    }

    /// Expands to connection ends only (a bare instance is an error).
    pub(super) fn endpoints(
        &self,
        file: &SourceFile,
        s: &Spanned<String>,
        text: &str,
        offset: usize,
        as_source: bool,
    ) -> Result<Vec<Endpoint>, SourceError> {
        Ok(self
            .expand(file, s, text, offset, as_source, false)?
            .into_iter()
            .filter_map(|r| match r {
                Resolved::End(e) => Some(e),
                Resolved::Instance(_) => None,
            })
            .collect())
    }
}

impl Names<'_> {
    /// The inputs a `stimulus:` key names: `x1`, `x[3]`, `x[0..7]` or `x` (the whole array).
    pub(super) fn stimulus_inputs(
        &self,
        file: &SourceFile,
        key: &Spanned<String>,
    ) -> Result<Vec<String>, SourceError> {
        let r = parse_reference(&key.value).map_err(|(r, m)| error_span(file, key, r, m))?;
        let is_input_array = |base: &str| {
            self.arrays
                .get(base)
                .is_some_and(|range| self.inputs.contains(&element(base, range.lo)))
        };
        let array = self.arrays.get(&r.base).filter(|_| is_input_array(&r.base));
        match (r.index, array) {
            (Some((range, at)), Some(declared)) => {
                if range.lo < declared.lo || range.hi > declared.hi {
                    return Err(error_span(
                        file,
                        key,
                        at,
                        format!(
                            "index out of range: input `{}` has elements [{}..{}]",
                            r.base, declared.lo, declared.hi
                        ),
                    ));
                }
                Ok(range.indices().map(|i| element(&r.base, i)).collect())
            }
            (None, Some(declared)) if r.port.is_none() => {
                Ok(declared.indices().map(|i| element(&r.base, i)).collect())
            }
            _ => Ok(vec![key.value.trim().to_string()]),
        }
    }
}
