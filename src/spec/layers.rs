//! Weighted layers: one synapse per non-zero weight of `weights[target][source]`.
//!
//! A weight w > 0 is a `synapse` of current w into the neuron's `a`, w < 0 a
//! `synapse_inh` of current |w| into its `inh`. The synapse from source `x_3` to neuron
//! `h1_0` is the instance `s_x_3_h1_0` and its current the parameter `w_x_3_h1_0`, so
//! margins and shmoos sweep it. A neuron driving synapses does so through a JTL
//! (`<neuron>__jtl`), as `map-weights` wires it: the threshold current must not reach the
//! next synapse's input junction.

use std::collections::BTreeSet;

use serde_saphyr::Spanned;

use super::design::{Connection, Endpoint, Instance};
use super::endpoints::Resolved;
use super::located::error_at;
use super::model::LayerSpec;
use super::network::{error_span, list, Names};
use crate::diagnostic::{SourceError, SourceFile};

/// Expands a layer with `weights` into synapses and their connections.
pub fn weighted(
    file: &SourceFile,
    layer: &Spanned<LayerSpec>,
    names: &mut Names,
    jtls: &mut BTreeSet<String>,
    out: &mut Vec<Connection>,
) -> Result<(), SourceError> {
    let Some(weights) = &layer.value.weights else {
        return Ok(());
    };
    let line = layer.referenced.line() as usize;
    // sources: network inputs, instance outputs; a bare neuron means its `q`
    let mut sources: Vec<Endpoint> = Vec::new();
    for f in list(&layer.value.from) {
        for r in names.expand(file, &f, &f.value, 0, true, true)? {
            sources.push(match r {
                Resolved::End(e) => e,
                Resolved::Instance(inst) => {
                    let cell = names.cell_of(&inst);
                    if cell.outputs.len() != 1 {
                        return Err(error_span(
                            file,
                            &f,
                            0..f.value.len(),
                            format!(
                                "`{inst}` is a `{}` cell with outputs {}: name the one the synapses take, e.g. `{inst}.{}`",
                                cell.name,
                                cell.outputs.join(", "),
                                cell.outputs.first().map_or("q", String::as_str)
                            ),
                        ));
                    }
                    Endpoint::Port {
                        port: cell.outputs[0].clone(),
                        instance: inst,
                    }
                }
            });
        }
    }
    // targets: neuron instances
    let mut targets: Vec<String> = Vec::new();
    for t in list(&layer.value.to) {
        for r in names.expand(file, &t, &t.value, 0, false, true)? {
            let what = match &r {
                Resolved::Instance(inst) if names.cell_of(inst).name == "neuron" => {
                    targets.push(inst.clone());
                    continue;
                }
                Resolved::Instance(inst) => {
                    format!("`{inst}` is a `{}` cell", names.cell_of(inst).name)
                }
                Resolved::End(Endpoint::Port { instance, port }) => format!(
                    "`{instance}.{port}` is a port (name the neuron alone, the sign of each weight picks `a` or `inh`)"
                ),
                Resolved::End(Endpoint::Terminal(n)) => format!("`{n}` is a network output"),
            };
            return Err(error_span(
                file,
                &t,
                0..t.value.len(),
                format!("the `to` of a weighted layer must be neurons: {what}"),
            ));
        }
    }
    if sources.is_empty() || targets.is_empty() {
        return Err(error_at(
            file,
            layer,
            "a layer needs at least one `from` and one `to`",
        ));
    }
    let m = super::weights::matrix(file, layer, weights, targets.len(), sources.len())?;
    let at = Spanned::new(String::from("weights"), weights.referenced, weights.defined);
    for (target, row) in targets.iter().zip(&m) {
        for (source, &w) in sources.iter().zip(row) {
            if w == 0.0 {
                continue;
            }
            let driver = match source {
                Endpoint::Port { instance, port }
                    if names.cell_of(instance).name == "neuron" && port == "q" =>
                {
                    let jtl = format!("{instance}__jtl");
                    if jtls.insert(jtl.clone()) {
                        add_instance(names, &jtl, "jtl", Vec::new(), &at);
                        out.push(Connection {
                            from: source.clone(),
                            to: Endpoint::Port {
                                instance: jtl.clone(),
                                port: "a".into(),
                            },
                            line,
                        });
                    }
                    Endpoint::Port {
                        instance: jtl,
                        port: "q".into(),
                    }
                }
                _ => source.clone(),
            };
            let stem = format!("{}_{target}", source_name(source));
            let synapse = format!("s_{stem}");
            let parameter = format!("w_{}", stem.to_ascii_lowercase());
            names.claim(file, &at, &synapse, "synapse")?;
            if names
                .auto_parameters
                .iter()
                .any(|(n, _, _)| *n == parameter)
            {
                return Err(error_at(
                    file,
                    weights,
                    format!("a second synapse from `{source}` to `{target}` would reuse the parameter `{parameter}`"),
                ));
            }
            names
                .auto_parameters
                .push((parameter.clone(), w.abs(), weights.referenced));
            let (cell, port) = if w > 0.0 {
                ("synapse", "a")
            } else {
                ("synapse_inh", "inh")
            };
            add_instance(names, &synapse, cell, vec![("w".into(), parameter)], &at);
            out.push(Connection {
                from: driver,
                to: Endpoint::Port {
                    instance: synapse.clone(),
                    port: "a".into(),
                },
                line,
            });
            out.push(Connection {
                from: Endpoint::Port {
                    instance: synapse,
                    port: "q".into(),
                },
                to: Endpoint::Port {
                    instance: target.clone(),
                    port: port.into(),
                },
                line,
            });
        }
    }
    Ok(())
}

/// `x_3` for an input, `h1_0` for a neuron's `q`, `t_qb` for another output port.
fn source_name(e: &Endpoint) -> String {
    match e {
        Endpoint::Terminal(n) => n.clone(),
        Endpoint::Port { instance, port } if port == "q" => instance.clone(),
        Endpoint::Port { instance, port } => format!("{instance}_{port}"),
    }
}

fn add_instance(
    names: &mut Names,
    name: &str,
    cell: &str,
    controls: Vec<(String, String)>,
    at: &Spanned<String>,
) {
    names
        .declared
        .insert(name.to_string(), (at.referenced, at.value.len()));
    let c = names
        .library
        .get(cell)
        .expect("synapse, synapse_inh and jtl are built-in cells");
    names.cells.insert(name.to_string(), c);
    names.instances.push(Instance {
        name: name.to_string(),
        cell: cell.to_string(),
        controls,
    });
}
