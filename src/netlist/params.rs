//! `.param` evaluation: global parameters and subcircuit-local ones (a name inside a
//! subcircuit is looked up in that subcircuit first, then globally, as in JoSIM),
//! in any order of definition; a cycle is an error naming its parameters.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt};

use super::deck::ParamDef;
use super::expr::{self, Expr, ExprError};
use super::lines::{Sources, Token};
use crate::diagnostic::SourceError;

/// Evaluated parameters, by scope (`""` for global) then name.
#[derive(Debug, Default, Clone)]
pub struct Params {
    values: HashMap<String, HashMap<String, f64>>,
}

impl Params {
    /// The value of `name` as seen from `scope`.
    pub fn get(&self, scope: Option<&str>, name: &str) -> Option<f64> {
        if let Some(s) = scope {
            if let Some(v) = self.values.get(s).and_then(|m| m.get(name)) {
                return Some(*v);
            }
        }
        self.values.get("").and_then(|m| m.get(name)).copied()
    }

    /// Evaluates an expression token as seen from `scope`, with located errors.
    pub fn eval(
        &self,
        src: &Sources,
        scope: Option<&str>,
        tok: &Token,
    ) -> Result<f64, SourceError> {
        // Most values are plain numbers: skip the expression parser for them.
        if let Some(v) = expr::parse_number(&tok.text) {
            return Ok(v);
        }
        let value = expr::eval(&tok.text, &|n: &str| self.get(scope, n))
            .map_err(|e| expr_error(src, tok, &e))?;
        if !value.is_finite() {
            return Err(src.error(tok, format!("`{}` evaluates to {value}", tok.text)));
        }
        Ok(value)
    }
}

/// A located error for an expression problem inside `tok`.
pub fn expr_error(src: &Sources, tok: &Token, e: &ExprError) -> SourceError {
    let len = match e {
        ExprError::UnknownName { name, .. } | ExprError::UnknownFunction { name, .. } => name.len(),
        ExprError::Syntax { .. } => 1,
    };
    let looks_numeric = tok
        .text
        .starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && !tok.text.contains(|c: char| "+-*/^()[]{} ".contains(c));
    let message = match e {
        ExprError::Syntax { .. } if looks_numeric => format!("bad number `{}`", tok.text),
        ExprError::Syntax { message, .. } => {
            format!("bad expression `{}`: {message}", abbreviate(&tok.text))
        }
        other => other.to_string(),
    };
    src.error_in(tok, e.at(), len, message)
}

/// `text`, cut to its first 60 characters (the excerpt under the message shows the rest).
fn abbreviate(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

struct Entry<'a> {
    def: &'a ParamDef,
    expr: Expr,
    /// Indices of the entries this one refers to.
    deps: Vec<usize>,
}

/// Evaluates every parameter. `overrides` replace global parameters' values (each must
/// name an existing global parameter). Duplicate definitions: the first one wins, as in
/// JoSIM, and the later one is reported in `warnings`.
pub fn evaluate(
    src: &Sources,
    defs: &[ParamDef],
    overrides: &BTreeMap<String, f64>,
    warnings: &mut Vec<SourceError>,
) -> Result<Params, SourceError> {
    let mut index: HashMap<(&str, &str), usize> = HashMap::new();
    let mut entries: Vec<Entry> = Vec::new();
    for def in defs {
        let scope = def.scope.as_deref().unwrap_or("");
        if index.contains_key(&(scope, def.name.text.as_str())) {
            warnings.push(src.error(
                &def.name,
                format!(
                    "parameter {} is already defined; this definition is ignored",
                    def.name.text
                ),
            ));
            continue;
        }
        let parsed = expr::parse(&def.expr.text).map_err(|e| expr_error(src, &def.expr, &e))?;
        index.insert((scope, def.name.text.as_str()), entries.len());
        entries.push(Entry {
            def,
            expr: parsed,
            deps: Vec::new(),
        });
    }
    for name in overrides.keys() {
        if !index.contains_key(&("", name.to_ascii_uppercase().as_str())) {
            let path = src
                .files
                .first()
                .map(|f| f.path.clone())
                .unwrap_or_default();
            return Err(SourceError::file(
                &path,
                format!(
                    "cannot override parameter {name}: the netlist has no global .param {name}"
                ),
            ));
        }
    }
    let upper_overrides: HashMap<String, f64> = overrides
        .iter()
        .map(|(k, v)| (k.to_ascii_uppercase(), *v))
        .collect();
    // Resolve names to entries.
    for entry in entries.iter_mut() {
        let def = entry.def;
        let scope = def.scope.as_deref().unwrap_or("");
        if scope.is_empty() && upper_overrides.contains_key(&def.name.text) {
            continue;
        }
        let mut deps = Vec::new();
        for (name, at) in entry.expr.names() {
            let found = index
                .get(&(scope, name))
                .or_else(|| index.get(&("", name)))
                .copied();
            match found {
                Some(j) => deps.push(j),
                None if expr::constant(name).is_some() => {}
                None => {
                    return Err(src.error_in(
                        &def.expr,
                        at,
                        name.len(),
                        format!("undefined parameter `{name}` in .param {}", def.name.text),
                    ))
                }
            }
        }
        entry.deps = deps;
    }
    let order = topological(src, &entries)?;
    let mut params = Params::default();
    for i in order {
        let def = entries[i].def;
        let scope = def.scope.as_deref();
        let value = match upper_overrides.get(&def.name.text) {
            Some(v) if scope.is_none() => *v,
            _ => params.eval(src, scope, &def.expr)?,
        };
        params
            .values
            .entry(scope.unwrap_or("").to_string())
            .or_default()
            .insert(def.name.text.clone(), value);
    }
    Ok(params)
}

/// Entries in an order where each comes after those it refers to.
fn topological(src: &Sources, entries: &[Entry]) -> Result<Vec<usize>, SourceError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let mut mark = vec![Mark::New; entries.len()];
    let mut order = Vec::with_capacity(entries.len());
    for root in 0..entries.len() {
        if mark[root] != Mark::New {
            continue;
        }
        // Iterative depth-first search: (entry, next dependency to visit).
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        mark[root] = Mark::Active;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&dep) = entries[node].deps.get(*next) {
                *next += 1;
                match mark[dep] {
                    Mark::Done => {}
                    Mark::New => {
                        mark[dep] = Mark::Active;
                        stack.push((dep, 0));
                    }
                    Mark::Active => {
                        let from = stack.iter().position(|&(n, _)| n == dep).unwrap_or(0);
                        let mut names: Vec<&str> = stack[from..]
                            .iter()
                            .map(|&(n, _)| entries[n].def.name.text.as_str())
                            .collect();
                        names.push(entries[dep].def.name.text.as_str());
                        return Err(src.error(
                            &entries[dep].def.name,
                            format!("parameter cycle: {}", names.join(" -> ")),
                        ));
                    }
                }
            } else {
                mark[node] = Mark::Done;
                order.push(node);
                stack.pop();
            }
        }
    }
    Ok(order)
}
