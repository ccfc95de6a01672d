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
    match e6_digits(v) {
        Some((negative, digits, exponent)) => push_digits(out, negative, digits, exponent),
        None => push_e6_by_fmt(out, v),
    }
}

/// `10^k` for k = 0..=38 (`10^38 < 2^127`).
const POW10: [u128; 39] = {
    let mut p = [1u128; 39];
    let mut k = 1;
    while k < 39 {
        p[k] = p[k - 1] * 10;
        k += 1;
    }
    p
};

/// The seven significant digits of `%.6e` and the decimal exponent, exactly, by
/// integer arithmetic: a normal `v = m 2^q` with `q < 0` is `N = m 10^s / 2^-q`
/// shifted so that `10^6 <= N < 10^7`, rounded to nearest. `None` (left to
/// [`push_e6_by_fmt`]) for zero, subnormal, huge or non-finite values, where
/// `m 10^s` overflows 128 bits (below about 1e-16), and on an exact tie.
///
/// Writing a CSV of `ex_ksa4bit` (60,000 numbers) through `core::fmt` was 3 % of
/// its `nmgen sim` time.
fn e6_digits(v: f64) -> Option<(bool, u32, i32)> {
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 || biased == 0x7ff {
        return None;
    }
    let m = u128::from((bits & ((1u64 << 52) - 1)) | (1u64 << 52));
    let shift = 1075 - biased;
    if !(1..128).contains(&shift) {
        return None;
    }
    let mut e10 = v.abs().log10().floor() as i32;
    for _ in 0..3 {
        let s = usize::try_from(6 - e10).ok().filter(|&s| s < POW10.len())?;
        let num = m.checked_mul(POW10[s])?;
        let floor = num >> shift;
        if floor >= 10_000_000 {
            e10 += 1;
            continue;
        }
        if floor < 1_000_000 {
            e10 -= 1;
            continue;
        }
        let rest = num & ((1u128 << shift) - 1);
        let half = 1u128 << (shift - 1);
        let n = match rest.cmp(&half) {
            std::cmp::Ordering::Less => floor,
            std::cmp::Ordering::Greater => floor + 1,
            std::cmp::Ordering::Equal => return None,
        };
        let negative = bits >> 63 != 0;
        return Some(if n == 10_000_000 {
            (negative, 1_000_000, e10 + 1)
        } else {
            (negative, n as u32, e10)
        });
    }
    None
}

/// `d.dddddde±XX` from seven digits `1_000_000 <= digits < 10_000_000`.
fn push_digits(out: &mut String, negative: bool, digits: u32, exponent: i32) {
    let mut buf = [0u8; 16];
    let mut k = 0;
    if negative {
        buf[k] = b'-';
        k += 1;
    }
    let mut d = [0u8; 7];
    let mut n = digits;
    for slot in d.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
    buf[k] = d[0];
    buf[k + 1] = b'.';
    buf[k + 2..k + 8].copy_from_slice(&d[1..]);
    buf[k + 8] = b'e';
    buf[k + 9] = if exponent < 0 { b'-' } else { b'+' };
    k += 10;
    let e = exponent.unsigned_abs();
    if e >= 100 {
        buf[k] = b'0' + (e / 100) as u8;
        k += 1;
    }
    buf[k] = b'0' + (e / 10 % 10) as u8;
    buf[k + 1] = b'0' + (e % 10) as u8;
    k += 2;
    out.push_str(std::str::from_utf8(&buf[..k]).unwrap_or_default());
}

/// [`push_e6`] through `core::fmt` (every value).
fn push_e6_by_fmt(out: &mut String, v: f64) {
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

    fn e6_by_fmt(v: f64) -> String {
        let mut s = String::new();
        push_e6_by_fmt(&mut s, v);
        s
    }

    #[test]
    fn integer_digits_round_and_carry_like_fmt() {
        for v in [
            9.9999995e-3,
            9.99999949e-3,
            -9.9999996e-1,
            1e-16,
            1.7976931348623157e-16,
            1e-15,
            1e-13,
            2.5e-4,
            0.1,
            1.0,
            123456.75,
            999999.95,
            9999999.0,
            2.0f64.powi(-52),
            std::f64::consts::PI,
        ] {
            assert_eq!(e6(v), e6_by_fmt(v), "{v:e}");
            assert_eq!(e6(-v), e6_by_fmt(-v), "{:e}", -v);
        }
        // an exact tie and values outside the integer range take the fmt path
        assert_eq!(e6_digits(1234567.5), None);
        assert_eq!(e6_digits(1e-30), None);
        assert_eq!(e6_digits(1e300), None);
        assert_eq!(e6_digits(-0.0), None);
        assert!(e6_digits(3.3e-12).is_some());
    }

    proptest::proptest! {
        #[test]
        fn integer_digits_agree_with_fmt_on_any_bits(bits in proptest::num::u64::ANY) {
            let v = f64::from_bits(bits);
            proptest::prop_assert_eq!(e6(v), e6_by_fmt(v));
        }

        #[test]
        fn integer_digits_agree_with_fmt_on_circuit_scales(
            m in 1.0f64..10.0,
            e in -17i32..8,
            negative in proptest::bool::ANY,
        ) {
            let v = m * 10f64.powi(e) * if negative { -1.0 } else { 1.0 };
            proptest::prop_assert_eq!(e6(v), e6_by_fmt(v));
        }
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
