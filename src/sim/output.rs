//! Simulation results and JoSIM's CSV output format.

use std::io::Write;

/// Time axis and one column per probe, as printed by JoSIM.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Waveforms {
    /// Time of each row (s).
    pub time: Vec<f64>,
    /// Column headers (`Probe::header`, without quotes).
    pub headers: Vec<String>,
    /// One column per header, each as long as `time`.
    pub columns: Vec<Vec<f64>>,
    /// Time step actually used (JoSIM halves `tstep` when a junction's phase
    /// moves too fast).
    pub tstep: f64,
    /// Number of numeric factorisations performed (diagnostics).
    pub factorizations: u64,
    /// Number of time steps simulated (startup steps included).
    pub steps: u64,
}

impl Waveforms {
    /// The column with this header (exact match, without quotes).
    pub fn column(&self, header: &str) -> Option<&[f64]> {
        self.headers
            .iter()
            .position(|h| h == header)
            .map(|i| self.columns[i].as_slice())
    }

    /// Writes `time,"H1","H2",...` and one row per stored step, numbers as
    /// C's `%.6e` (JoSIM's `std::scientific` with precision 6).
    pub fn write_josim_csv(&self, mut w: impl Write) -> std::io::Result<()> {
        let mut line = String::with_capacity(16 * (self.headers.len() + 1));
        line.push_str("time");
        for h in &self.headers {
            line.push_str(",\"");
            line.push_str(h);
            line.push('"');
        }
        line.push('\n');
        w.write_all(line.as_bytes())?;
        for (r, t) in self.time.iter().enumerate() {
            line.clear();
            push_e6(&mut line, *t);
            for c in &self.columns {
                line.push(',');
                push_e6(&mut line, c[r]);
            }
            line.push('\n');
            w.write_all(line.as_bytes())?;
        }
        Ok(())
    }
}

/// Appends `v` formatted like C's `%.6e`.
pub fn push_e6(out: &mut String, v: f64) {
    use std::fmt::Write as _;
    if v.is_nan() {
        out.push_str(if v.is_sign_negative() { "-nan" } else { "nan" });
        return;
    }
    if v.is_infinite() {
        out.push_str(if v < 0.0 { "-inf" } else { "inf" });
        return;
    }
    // Rust writes `1.234568e-3`: rewrite the exponent in place (no allocation)
    let start = out.len();
    let _ = write!(out, "{v:.6e}");
    let Some(at) = out[start..].rfind('e').map(|k| start + k) else {
        return;
    };
    let e: i32 = out[at + 1..].parse().unwrap_or(0);
    out.truncate(at + 1);
    out.push(if e < 0 { '-' } else { '+' });
    let _ = write!(out, "{:02}", e.abs());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e6(v: f64) -> String {
        let mut s = String::new();
        push_e6(&mut s, v);
        s
    }

    #[test]
    fn formats_like_printf() {
        assert_eq!(e6(0.0), "0.000000e+00");
        assert_eq!(e6(1e-13), "1.000000e-13");
        assert_eq!(e6(-2.5e-4), "-2.500000e-04");
        assert_eq!(e6(3.977431e0), "3.977431e+00");
        assert_eq!(e6(1.2345675e100), "1.234568e+100");
        assert_eq!(e6(7.8539781e-3), "7.853978e-03");
    }

    #[test]
    fn writes_header_and_rows() {
        let w = Waveforms {
            time: vec![0.0, 1e-12],
            headers: vec!["P(B1|X1)".into()],
            columns: vec![vec![0.0, 2.5]],
            ..Default::default()
        };
        let mut buf = Vec::new();
        w.write_josim_csv(&mut buf).expect("write");
        let text = String::from_utf8(buf).expect("utf8");
        assert_eq!(
            text,
            "time,\"P(B1|X1)\"\n0.000000e+00,0.000000e+00\n1.000000e-12,2.500000e+00\n"
        );
        assert_eq!(w.column("P(B1|X1)"), Some(&[0.0, 2.5][..]));
        assert_eq!(w.column("P(B2)"), None);
    }
}
