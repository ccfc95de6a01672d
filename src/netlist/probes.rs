//! Output requests (`.print`, `.plot`, `.save`) in every form JoSIM reads:
//! `DEVV|DEVI|DEVP|PHASE DEVICE`, `NODEV|NODEP N1 [N2]`, `v(X) i(X) p(X)` with one or
//! two nodes, `@DEVICE[c|v|p]`, `V1#branch`. A `.` in a name is JoSIM's `|`
//! (`p(B1.XDUT)` is `P(B1|XDUT)`). Like JoSIM, a request naming no known device or
//! node is skipped with a warning; the header is JoSIM's CSV column name.

use super::flatten::Builder;
use super::lines::{Line, Token};
use crate::circuit::{ElementKind, Node, Probe, ProbeKind};
use crate::diagnostic::SourceError;

/// Most warnings the output requests give: a line of 100,000 unknown requests would
/// otherwise build 100,000 located warnings, each scanning the file.
pub const MAX_WARNINGS: usize = 100;

#[derive(Clone, Copy, PartialEq)]
enum Quantity {
    Voltage,
    Current,
    Phase,
}

/// The probes of all output controls, in order.
pub fn probes(b: &mut Builder, controls: &[Line]) -> Result<Vec<Probe>, SourceError> {
    let mut out: Vec<Probe> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut warned = std::collections::HashSet::new();
    for line in controls {
        if !matches!(line.first().text.as_str(), "PRINT" | "PLOT" | "SAVE") {
            continue;
        }
        let before = out.len();
        let toks = requests(&line.tokens[1..]);
        let mut j = 0;
        while j < toks.len() {
            let t = &toks[j];
            j += 1;
            let text = t.text.as_str();
            let (Some(first), Some(last)) = (text.chars().next(), text.chars().last()) else {
                continue;
            };
            if last == ')' && text.len() > 3 && text.as_bytes()[1] == b'(' {
                let inner = &text[2..text.len() - 1];
                let q = match first {
                    'V' => Quantity::Voltage,
                    'I' | 'C' => Quantity::Current,
                    'P' => Quantity::Phase,
                    _ => {
                        if b.warnings.len() < MAX_WARNINGS {
                            b.warnings.push(
                                b.src
                                    .error(t, format!("unknown output request `{text}` ignored")),
                            );
                        }
                        continue;
                    }
                };
                request(b, t, q, inner, &mut out);
                continue;
            }
            if first == '@'
                && last == ']'
                && text.len() > 4
                && text.as_bytes()[text.len() - 3] == b'['
            {
                let q = match text.as_bytes()[text.len() - 2] {
                    b'V' => Quantity::Voltage,
                    b'C' | b'I' => Quantity::Current,
                    b'P' => Quantity::Phase,
                    _ => {
                        if b.warnings.len() < MAX_WARNINGS {
                            b.warnings.push(
                                b.src
                                    .error(t, format!("unknown output request `{text}` ignored")),
                            );
                        }
                        continue;
                    }
                };
                request(b, t, q, &text[1..text.len() - 3], &mut out);
                continue;
            }
            if let Some(dev) = text.strip_suffix("#BRANCH") {
                request(b, t, Quantity::Current, dev, &mut out);
                continue;
            }
            let q = match text {
                "DEVV" | "NODEV" => Quantity::Voltage,
                "DEVP" | "NODEP" | "PHASE" => Quantity::Phase,
                "DEVI" => Quantity::Current,
                _ => {
                    if b.warnings.len() < MAX_WARNINGS {
                        b.warnings.push(
                            b.src
                                .error(t, format!("unknown output request `{text}` ignored")),
                        );
                    }
                    continue;
                }
            };
            let Some(target) = toks.get(j) else {
                return Err(b
                    .src
                    .error(t, format!("{text} needs a device or node name")));
            };
            let target = match (q, toks.get(j + 1)) {
                (Quantity::Voltage | Quantity::Phase, Some(second)) if text != "PHASE" => {
                    format!("{},{}", target.text, second.text)
                }
                _ => target.text.clone(),
            };
            request(b, t, q, &target, &mut out);
            break;
        }
        // a request repeated word for word is printed once (a netlist with thousands of
        // copies of a `.print` line would otherwise store its column thousands of times);
        // the same column asked for in another form is kept twice, as JoSIM prints it
        let words: Vec<&str> = line.tokens.iter().map(|t| t.text.as_str()).collect();
        let words = words.join(" ");
        let mut k = before;
        while k < out.len() {
            if seen.insert((out[k].header.clone(), words.clone())) {
                k += 1;
            } else {
                let p = out.remove(k);
                if warned.insert(p.header.clone()) {
                    b.warnings.push(b.src.error(
                        line.first(),
                        format!(
                            "{} is printed already by this same request; repeats are ignored",
                            p.header
                        ),
                    ));
                }
            }
        }
    }
    Ok(out)
}

/// Tokens of an output line, `.` turned into `|`, `TRAN` dropped, and a parenthesised
/// request written with spaces (`v(1, 0)`) glued back together.
fn requests(tokens: &[Token]) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut open = false;
    for t in tokens {
        let mut t = t.clone();
        t.text = t.text.replace('.', "|");
        if t.text == "TRAN" {
            continue;
        }
        let closes = t.text.contains(')') || t.text.contains(']');
        if open {
            if let Some(prev) = out.last_mut() {
                prev.text.push_str(&t.text);
                prev.end = t.end.max(prev.end);
            }
            open = !closes;
            continue;
        }
        open = (t.text.contains('(') || t.text.contains('[')) && !closes;
        out.push(t);
    }
    out
}

fn label(q: Quantity, name: &str) -> String {
    let letter = match q {
        Quantity::Voltage => 'V',
        Quantity::Current => 'I',
        Quantity::Phase => 'P',
    };
    format!("{letter}({name})")
}

fn request(b: &mut Builder, at: &Token, q: Quantity, target: &str, out: &mut Vec<Probe>) {
    let names: Vec<&str> = target.split([',', ' ']).filter(|s| !s.is_empty()).collect();
    let Some(&first) = names.first() else {
        if b.warnings.len() < MAX_WARNINGS {
            b.warnings.push(
                b.src
                    .error(at, "output request without a device or node; ignored"),
            );
        }
        return;
    };
    if let Some(&index) = b.element_ids.get(first) {
        if names.len() > 1 {
            if b.warnings.len() < MAX_WARNINGS {
                b.warnings.push(b.src.error(
                    at,
                    format!("differences of devices (`{target}`) are not supported; ignored"),
                ));
            }
            return;
        }
        let kind = match q {
            Quantity::Voltage => ProbeKind::DeviceVoltage(index),
            Quantity::Current => ProbeKind::DeviceCurrent(index),
            Quantity::Phase => ProbeKind::DevicePhase(index),
        };
        if matches!(b.elements[index].kind, ElementKind::Mutual { .. }) {
            if b.warnings.len() < MAX_WARNINGS {
                b.warnings.push(b.src.error(
                    at,
                    format!("{first} is a mutual coupling; nothing to store"),
                ));
            }
            return;
        }
        // JoSIM stores only the current of a current source.
        let current_source = matches!(b.elements[index].kind, ElementKind::CurrentSource { .. });
        if q != Quantity::Current && current_source {
            if b.warnings.len() < MAX_WARNINGS {
                b.warnings.push(b.src.error(
                    at,
                    format!("JoSIM stores only the current of current source {first}; ignored"),
                ));
            }
            return;
        }
        out.push(Probe {
            header: label(q, first),
            kind,
        });
        return;
    }
    if q == Quantity::Current {
        if b.warnings.len() < MAX_WARNINGS {
            b.warnings.push(b.src.error(
                at,
                format!("no device named {first}: cannot store its current; ignored"),
            ));
        }
        return;
    }
    let node = |name: &str| -> Option<Node> {
        if name == "0" || name.contains("GND") {
            return Some(Node::Ground);
        }
        b.node_ids.get(name).map(|&i| Node::Index(i))
    };
    let p = match node(first) {
        Some(Node::Index(i)) => Node::Index(i),
        _ => {
            if b.warnings.len() < MAX_WARNINGS {
                b.warnings.push(
                    b.src
                        .error(at, format!("unknown device or node {first}; ignored")),
                );
            }
            return;
        }
    };
    let (n, header) = match names.get(1) {
        None => (Node::Ground, label(q, first)),
        Some(&second) => match node(second) {
            Some(n) => (n, label(q, &format!("{first},{second}"))),
            None => {
                b.warnings
                    .push(b.src.error(at, format!("unknown node {second}; ignored")));
                return;
            }
        },
    };
    let kind = match q {
        Quantity::Phase => ProbeKind::NodePhase { p, n },
        _ => ProbeKind::NodeVoltage { p, n },
    };
    out.push(Probe { header, kind });
}
