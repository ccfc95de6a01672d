//! Reads what the testbench wrote to `lsm_out.txt`: the macro's outputs sampled on every
//! rising clock edge, in order (the same [`Observed`] the VCD reader gives, without a
//! waveform dump).
//!
//! One line per event: `B <spikes, hex, MSB first>` for each `out_valid` beat,
//! `R <neuron> <membrane> <count>` for each read-back cycle, `C <class> <score>` for each
//! decision, `E <cycles>` at the end.

use std::path::Path;

use super::vcd_read::Observed;
use super::LsmError;

fn field<T: std::str::FromStr>(
    it: &mut std::str::SplitAsciiWhitespace<'_>,
    what: &str,
) -> Result<T, String> {
    let s = it.next().ok_or_else(|| format!("missing {what}"))?;
    s.parse()
        .map_err(|_| format!("{what} `{s}` is not a number"))
}

/// The `width` bits of a hex word (MSB first), LSB first.
fn hex_bits(s: &str, width: usize) -> Result<Vec<bool>, String> {
    let mut out = vec![false; width];
    for (i, ch) in s.bytes().rev().enumerate() {
        let d = (ch as char)
            .to_digit(16)
            .ok_or_else(|| format!("spike word `{s}` is not hex"))?;
        for b in 0..4 {
            let bit = 4 * i + b;
            if d >> b & 1 == 1 {
                if bit >= width {
                    return Err(format!("spike word `{s}` is wider than {width} bits"));
                }
                out[bit] = true;
            }
        }
    }
    Ok(out)
}

/// Parses the testbench output of a macro with `neurons` reservoir neurons.
pub fn parse(text: &str, neurons: usize) -> Result<Observed, String> {
    let mut obs = Observed::default();
    for (i, line) in text.lines().enumerate() {
        let at = |m: String| format!("line {}: {m}", i + 1);
        let mut it = line.split_ascii_whitespace();
        match it.next() {
            None => {}
            Some("B") => {
                let word = it.next().ok_or_else(|| at("missing spike word".into()))?;
                obs.beats.push(hex_bits(word, neurons).map_err(at)?);
            }
            Some("R") => {
                let n: usize = field(&mut it, "neuron").map_err(at)?;
                let v: i64 = field(&mut it, "membrane").map_err(at)?;
                let c: u64 = field(&mut it, "count").map_err(at)?;
                obs.readback.push((n, v, c));
            }
            Some("C") => {
                obs.classes.push(field(&mut it, "class").map_err(at)?);
                obs.scores.push(field(&mut it, "score").map_err(at)?);
            }
            Some("E") => obs.cycles = field(&mut it, "cycle count").map_err(at)?,
            Some(other) => return Err(at(format!("unknown record `{other}`"))),
        }
    }
    Ok(obs)
}

/// Reads `lsm_out.txt` at `path`.
pub fn read(path: &Path, neurons: usize) -> Result<Observed, LsmError> {
    let text = std::fs::read_to_string(path).map_err(|e| LsmError::io(path, e))?;
    parse(&text, neurons).map_err(|message| LsmError::TbOutput {
        path: path.to_path_buf(),
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_record() {
        let text = "B 0000a\nB 10001\nR 0 -37 2\nR 1 5 0\nC 3 -12\nE 99\n";
        let obs = parse(text, 17).unwrap();
        assert_eq!(obs.beats.len(), 2);
        assert!(obs.beats[0][1] && obs.beats[0][3] && !obs.beats[0][0]);
        assert!(obs.beats[1][0] && obs.beats[1][16]);
        assert_eq!(obs.beats[1].iter().filter(|&&b| b).count(), 2);
        assert_eq!(obs.readback, vec![(0, -37, 2), (1, 5, 0)]);
        assert_eq!((obs.classes[0], obs.scores[0]), (3, -12));
        assert_eq!(obs.cycles, 99);
    }

    #[test]
    fn rejects_bad_lines_with_their_number() {
        assert!(parse("B 3\nR 1 x 2\n", 4)
            .unwrap_err()
            .starts_with("line 2: membrane `x`"));
        assert!(parse("B 1f\n", 4).unwrap_err().contains("wider than 4"));
        assert!(parse("Q\n", 4).unwrap_err().contains("unknown record"));
    }
}
