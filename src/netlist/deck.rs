//! Sorting logical lines into the parts of a deck: the main design, subcircuit
//! definitions, parameters, models and controls (`.control` … `.endc` blocks included).

use foldhash::HashMap;

use super::lines::{Line, Sources, Token};
use crate::diagnostic::SourceError;

/// A `.subckt` definition.
#[derive(Debug, Clone)]
pub struct Subckt {
    pub name: Token,
    pub ports: Vec<Token>,
    pub lines: Vec<Line>,
}

/// One `NAME=EXPR` of a `.param` line.
#[derive(Debug, Clone)]
pub struct ParamDef {
    /// Subcircuit the parameter belongs to (`None`: global).
    pub scope: Option<String>,
    pub name: Token,
    pub expr: Token,
}

/// A `.model` line and the subcircuit it was written in.
#[derive(Debug, Clone)]
pub struct ModelDef {
    pub scope: Option<String>,
    pub line: Line,
}

#[derive(Debug, Default)]
pub struct Deck {
    pub main: Vec<Line>,
    pub subckts: HashMap<String, Subckt>,
    /// Subcircuit names in order of definition.
    pub subckt_order: Vec<String>,
    pub params: Vec<ParamDef>,
    pub models: Vec<ModelDef>,
    /// Control lines, the leading `.` removed from the first token.
    pub controls: Vec<Line>,
    pub warnings: Vec<SourceError>,
}

/// The controls JoSIM accepts.
const CONTROLS: [&str; 11] = [
    "PRINT", "PLOT", "SAVE", "TRAN", "END", "TEMP", "NEB", "SPREAD", "FILE", "IV", "OPTION",
];

/// Element letters JoSIM knows.
pub const ELEMENT_LETTERS: &str = "RLCKBVIPTEFGHX";

pub fn build(src: &Sources, lines: Vec<Line>) -> Result<Deck, SourceError> {
    let mut deck = Deck::default();
    let mut current: Option<Subckt> = None;
    let mut in_control: Option<Token> = None;
    for line in lines {
        let first = line.first().clone();
        let keyword = if let Some(k) = first.text.strip_prefix('.') {
            Some(k.to_string())
        } else if in_control.is_some() {
            Some(first.text.clone())
        } else {
            None
        };
        let scope = current.as_ref().map(|s| s.name.text.clone());
        let Some(keyword) = keyword else {
            check_element_letter(src, &first)?;
            match current.as_mut() {
                Some(s) => s.lines.push(line),
                None => deck.main.push(line),
            }
            continue;
        };
        match keyword.as_str() {
            "SUBCKT" => {
                if let Some(open) = &current {
                    return Err(src.error(
                        &first,
                        format!(
                            ".subckt inside subcircuit {} (close it with .ends first)",
                            open.name.text
                        ),
                    ));
                }
                let Some(name) = line.tokens.get(1) else {
                    return Err(src.error(&first, ".subckt needs a name and its ports"));
                };
                if line.tokens.len() < 3 {
                    return Err(src.error(name, format!("subcircuit {} has no ports", name.text)));
                }
                current = Some(Subckt {
                    name: name.clone(),
                    ports: line.tokens[2..].to_vec(),
                    lines: Vec::new(),
                });
            }
            "ENDS" => match current.take() {
                Some(s) => {
                    if let Some(tag) = line.tokens.get(1) {
                        if tag.text != s.name.text {
                            deck.warnings.push(src.error(
                                tag,
                                format!(".ends {} closes subcircuit {}", tag.text, s.name.text),
                            ));
                        }
                    }
                    let key = s.name.text.clone();
                    if deck.subckts.contains_key(&key) {
                        deck.warnings.push(src.error(
                            &s.name,
                            format!("subcircuit {key} is defined again; this definition replaces the earlier one"),
                        ));
                    } else {
                        deck.subckt_order.push(key.clone());
                    }
                    deck.subckts.insert(key, s);
                }
                None => deck
                    .warnings
                    .push(src.error(&first, ".ends without a .subckt; ignored")),
            },
            "PARAM" => param_line(src, &line, scope, &mut deck.params)?,
            "MODEL" => {
                if line.tokens.len() < 3 {
                    return Err(src.error(&first, ".model needs a name and a type, e.g. .model jj1 jj(icrit=0.1mA)"));
                }
                deck.models.push(ModelDef { scope, line });
            }
            "CONTROL" => in_control = Some(first),
            "ENDC" => in_control = None,
            k if CONTROLS.contains(&k) => {
                if let Some(s) = &current {
                    deck.warnings.push(src.error(
                        &first,
                        format!("control inside subcircuit {} is ignored", s.name.text),
                    ));
                } else {
                    let mut line = line;
                    line.tokens[0].text = k.to_string();
                    deck.controls.push(line);
                }
            }
            _ => {
                return Err(src.error(
                    &first,
                    format!(
                        "unknown control `{}` (JoSIM knows .tran .print .plot .save .param .model .subckt .ends .include .temp .neb .spread .option .iv .file .control .endc .end)",
                        first.text
                    ),
                ))
            }
        }
    }
    if let Some(open) = current {
        return Err(src.error(
            &open.name,
            format!("subcircuit {} is not terminated by .ends", open.name.text),
        ));
    }
    if let Some(open) = in_control {
        return Err(src.error(&open, ".control block is not terminated by .endc"));
    }
    Ok(deck)
}

fn check_element_letter(src: &Sources, first: &Token) -> Result<(), SourceError> {
    let letter = first.text.chars().next().unwrap_or(' ');
    if ELEMENT_LETTERS.contains(letter) {
        return Ok(());
    }
    Err(src.error(
        first,
        format!(
            "unknown element `{}`: an element name starts with R, L, C, K, B, V, I, P, T, E, F, G, H or X",
            first.text
        ),
    ))
}

/// Splits `.param A=1 B = A*2 ...` into its assignments. An `=` ends an expression:
/// the name before it starts the next assignment.
fn param_line(
    src: &Sources,
    line: &Line,
    scope: Option<String>,
    out: &mut Vec<ParamDef>,
) -> Result<(), SourceError> {
    // Pieces: every token split around '=' signs, keeping the '=' as its own piece.
    let mut pieces: Vec<Token> = Vec::new();
    for tok in &line.tokens[1..] {
        let mut from = 0;
        for (i, c) in tok.text.char_indices() {
            if c == '=' {
                if i > from {
                    pieces.push(tok.slice(from..i));
                }
                pieces.push(tok.slice(i..i + 1));
                from = i + 1;
            }
        }
        if from < tok.text.len() {
            pieces.push(tok.slice(from..tok.text.len()));
        }
    }
    let eqs: Vec<usize> = (0..pieces.len())
        .filter(|&i| pieces[i].text == "=")
        .collect();
    if eqs.is_empty() {
        return Err(src.error(line.first(), ".param needs NAME=VALUE"));
    }
    for (k, &eq) in eqs.iter().enumerate() {
        if eq == 0 || pieces[eq - 1].text == "=" {
            return Err(src.error(&pieces[eq], "`=` without a parameter name before it"));
        }
        let name = pieces[eq - 1].clone();
        let expr_end = eqs.get(k + 1).map(|&n| n - 1).unwrap_or(pieces.len());
        if expr_end <= eq + 1 {
            return Err(src.error(&name, format!("parameter {} has no value", name.text)));
        }
        if k == 0 && eq != 1 {
            return Err(src.error(&pieces[0], "expected NAME=VALUE after .param"));
        }
        let expr = glue(&pieces[eq + 1..expr_end]);
        out.push(ParamDef {
            scope: scope.clone(),
            name,
            expr,
        });
    }
    Ok(())
}

/// Joins consecutive tokens into one (for an expression written with spaces).
pub fn glue(tokens: &[Token]) -> Token {
    let first = &tokens[0];
    if tokens.len() == 1 {
        return first.clone();
    }
    let last = &tokens[tokens.len() - 1];
    let text = tokens
        .iter()
        .map(|t| t.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    Token {
        text,
        file: first.file,
        start: first.start,
        end: if last.file == first.file {
            last.end
        } else {
            first.end
        },
    }
}
