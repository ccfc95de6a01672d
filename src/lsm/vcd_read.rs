//! Reads the testbench VCD back: the macro's outputs sampled on every rising clock edge.
//!
//! Outputs change right after the edge that clocks them, so the value a rising edge
//! samples is the one held before that edge's timestamp: the reader keeps the state of
//! the previous timestamp and samples it when `clk` rises.

use std::collections::HashMap;
use std::io::BufReader;
use std::path::Path;

use vcd::{IdCode, ScopeItem, Value};

use super::LsmError;

/// What the macro put out, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Observed {
    /// Reservoir spikes of each `out_valid` beat.
    pub beats: Vec<Vec<bool>>,
    /// `(neuron, membrane, count)` of each `rb_valid` cycle.
    pub readback: Vec<(usize, i64, u64)>,
    /// Class of each `class_valid` cycle.
    pub classes: Vec<usize>,
    /// The winning class's score (`class_score`, signed 32 bits) of each `class_valid` cycle.
    pub scores: Vec<i64>,
    /// Rising clock edges seen.
    pub cycles: u64,
}

const SIGNALS: [&str; 10] = [
    "lsm_tb.clk",
    "lsm_tb.dut.out_valid",
    "lsm_tb.dut.out_spikes",
    "lsm_tb.dut.rb_valid",
    "lsm_tb.dut.rb_index",
    "lsm_tb.dut.rb_membrane",
    "lsm_tb.dut.rb_count",
    "lsm_tb.dut.class_valid",
    "lsm_tb.dut.class_id",
    "lsm_tb.dut.class_score",
];

fn walk(items: &[ScopeItem], prefix: &str, out: &mut Vec<(String, IdCode, u32)>) {
    for item in items {
        match item {
            ScopeItem::Scope(s) => {
                let p = if prefix.is_empty() {
                    s.identifier.clone()
                } else {
                    format!("{prefix}.{}", s.identifier)
                };
                walk(&s.items, &p, out);
            }
            ScopeItem::Var(v) => out.push((format!("{prefix}.{}", v.reference), v.code, v.size)),
            _ => {}
        }
    }
}

fn bits_of(v: &[Value], size: usize) -> Vec<bool> {
    // MSB first in the file, possibly left-truncated; returned LSB first.
    let mut out = vec![false; size];
    for (i, b) in v.iter().rev().enumerate().take(size) {
        out[i] = *b == Value::V1;
    }
    out
}

fn uint(v: &[Value]) -> u64 {
    v.iter()
        .fold(0u64, |acc, b| (acc << 1) | u64::from(*b == Value::V1))
}

/// Reads the VCD at `path`; `membrane_bits` sign-extends the membrane readback.
pub fn read_vcd(path: &Path, membrane_bits: u32) -> Result<Observed, LsmError> {
    let verr = |m: String| LsmError::Vcd {
        path: path.to_path_buf(),
        message: m,
    };
    let f = std::fs::File::open(path).map_err(|e| LsmError::io(path, e))?;
    let mut parser = vcd::Parser::new(BufReader::new(f));
    let header = parser
        .parse_header()
        .map_err(|e| verr(format!("header: {e}")))?;
    let mut vars = Vec::new();
    walk(&header.items, "", &mut vars);
    let mut slot: HashMap<IdCode, Vec<usize>> = HashMap::new();
    let mut sizes = [0usize; SIGNALS.len()];
    for (i, name) in SIGNALS.iter().enumerate() {
        let found = vars
            .iter()
            .find(|(p, _, _)| p == name || p.ends_with(&format!(".{name}")));
        match found {
            Some((_, code, size)) => {
                slot.entry(*code).or_default().push(i);
                sizes[i] = *size as usize;
            }
            None if i >= 7 => {}
            None => return Err(verr(format!("signal {name} not found"))),
        }
    }
    let mut cur: Vec<Vec<Value>> = vec![vec![Value::X]; SIGNALS.len()];
    let mut before: Vec<Vec<Value>> = cur.clone();
    let mut obs = Observed::default();
    let mut clk_rose = false;
    let sample = |s: &[Vec<Value>], obs: &mut Observed| {
        obs.cycles += 1;
        let is1 = |v: &Vec<Value>| v.first() == Some(&Value::V1);
        if is1(&s[1]) {
            obs.beats.push(bits_of(&s[2], sizes[2]));
        }
        if is1(&s[3]) {
            let raw = uint(&s[5]) as i64;
            let shift = 64 - membrane_bits;
            let v = (raw << shift) >> shift;
            obs.readback.push((uint(&s[4]) as usize, v, uint(&s[6])));
        }
        if sizes[7] > 0 && is1(&s[7]) {
            obs.classes.push(uint(&s[8]) as usize);
            obs.scores.push(uint(&s[9]) as u32 as i32 as i64);
        }
    };
    for cmd in parser {
        let cmd = cmd.map_err(|e| verr(format!("{e}")))?;
        match cmd {
            vcd::Command::Timestamp(_) => {
                if clk_rose {
                    sample(&before, &mut obs);
                }
                clk_rose = false;
                before.clone_from(&cur);
            }
            vcd::Command::ChangeScalar(code, v) => {
                if let Some(idx) = slot.get(&code) {
                    for &i in idx {
                        if i == 0 && v == Value::V1 && cur[0].first() != Some(&Value::V1) {
                            clk_rose = true;
                        }
                        cur[i] = vec![v];
                    }
                }
            }
            vcd::Command::ChangeVector(code, v) => {
                if let Some(idx) = slot.get(&code) {
                    let vals: Vec<Value> = v.iter().collect();
                    for &i in idx {
                        if i == 0
                            && vals.last() == Some(&Value::V1)
                            && cur[0].last() != Some(&Value::V1)
                        {
                            clk_rose = true;
                        }
                        cur[i] = vals.clone();
                    }
                }
            }
            _ => {}
        }
    }
    if clk_rose {
        sample(&before, &mut obs);
    }
    Ok(obs)
}
