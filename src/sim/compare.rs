//! The reference comparison metric of `shared/josim-reference/compare.py`:
//! per column, RMS difference over the reference's peak-to-peak range after
//! linear interpolation onto the reference's times, and for phase columns the
//! 2*pi slips (with 0.1*2*pi hysteresis), their signs and times.

use std::f64::consts::PI;

/// A CSV table: header names and columns (the first is time).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    pub columns: Vec<Vec<f64>>,
}

/// Header normalisation of compare.py: no quotes or spaces, '|' as '.', upper case.
pub fn normalize(name: &str) -> String {
    name.trim()
        .trim_matches('"')
        .replace(' ', "")
        .replace('|', ".")
        .to_uppercase()
}

/// Parses a JoSIM CSV (header line, then numbers).
pub fn parse_csv(text: &str) -> Result<Table, String> {
    let mut lines = text.lines();
    let head = lines.next().ok_or("empty CSV")?;
    let headers: Vec<String> = split_quoted(head).iter().map(|h| normalize(h)).collect();
    let mut columns = vec![Vec::new(); headers.len()];
    for (ln, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != headers.len() {
            return Err(format!(
                "line {}: {} fields, expected {}",
                ln + 2,
                fields.len(),
                headers.len()
            ));
        }
        for (c, f) in fields.iter().enumerate() {
            let v: f64 = f
                .trim()
                .parse()
                .map_err(|_| format!("line {}: bad number {f:?}", ln + 2))?;
            columns[c].push(v);
        }
    }
    Ok(Table { headers, columns })
}

/// Splits a CSV line on commas outside double quotes.
fn split_quoted(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for ch in line.chars() {
        match ch {
            '"' => {
                quoted = !quoted;
                cur.push(ch);
            }
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(ch),
        }
    }
    out.push(cur);
    out
}

/// Linear interpolation of (ts, ys) at t, clamped at the ends.
pub fn interp(ts: &[f64], ys: &[f64], t: f64) -> f64 {
    let n = ts.len();
    if t <= ts[0] {
        return ys[0];
    }
    if t >= ts[n - 1] {
        return ys[n - 1];
    }
    let hi = ts.partition_point(|&x| x <= t);
    let lo = hi - 1;
    let w = if ts[hi] > ts[lo] {
        (t - ts[lo]) / (ts[hi] - ts[lo])
    } else {
        0.0
    };
    ys[lo] * (1.0 - w) + ys[hi] * w
}

/// Times and signs of 2*pi phase slips, measured from the first value.
pub fn slips(ts: &[f64], ph: &[f64]) -> Vec<(f64, i32)> {
    let mut out = Vec::new();
    let mut k: i64 = 0;
    let base = ph[0];
    let hyst = 0.1 * 2.0 * PI;
    for (&t, &p) in ts.iter().zip(ph) {
        let d = p - base;
        while d > (2 * k + 1) as f64 * PI + hyst / 2.0 {
            k += 1;
            out.push((t, 1));
        }
        while d < (2 * k - 1) as f64 * PI - hyst / 2.0 {
            k -= 1;
            out.push((t, -1));
        }
    }
    out
}

/// Comparison of one column.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnReport {
    pub name: String,
    /// `None` when the candidate lacks the column.
    pub nrmse: Option<f64>,
    pub slips_ref: usize,
    pub slips_cand: usize,
    /// Largest slip time difference (s), when slip counts and signs agree.
    pub worst_slip_dt: Option<f64>,
    pub ok: bool,
}

/// Compares `cand` against `reference` column by column.
pub fn compare(
    reference: &Table,
    cand: &Table,
    nrmse_tol: f64,
    slip_tol: f64,
) -> Vec<ColumnReport> {
    let rt = &reference.columns[0];
    let ct = &cand.columns[0];
    let mut out = Vec::new();
    for (j, name) in reference.headers.iter().enumerate().skip(1) {
        let Some(ci) = cand.headers.iter().position(|h| h == name) else {
            out.push(ColumnReport {
                name: name.clone(),
                nrmse: None,
                slips_ref: 0,
                slips_cand: 0,
                worst_slip_dt: None,
                ok: false,
            });
            continue;
        };
        let ry = &reference.columns[j];
        let cy = &cand.columns[ci];
        let c: Vec<f64> = rt.iter().map(|&t| interp(ct, cy, t)).collect();
        let max = ry.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let min = ry.iter().cloned().fold(f64::INFINITY, f64::min);
        let p2p = if max - min == 0.0 { 1.0 } else { max - min };
        let rmse =
            (c.iter().zip(ry).map(|(a, b)| (a - b).powi(2)).sum::<f64>() / ry.len() as f64).sqrt();
        let nrmse = rmse / p2p;
        let mut ok = nrmse <= nrmse_tol;
        let (mut sr, mut sc, mut worst) = (0, 0, None);
        if name.starts_with("P(") {
            let rs = slips(rt, ry);
            let cs = slips(rt, &c);
            sr = rs.len();
            sc = cs.len();
            if rs.len() != cs.len() || rs.iter().zip(&cs).any(|(a, b)| a.1 != b.1) {
                ok = false;
            } else if !rs.is_empty() {
                let w = rs
                    .iter()
                    .zip(&cs)
                    .map(|(a, b)| (a.0 - b.0).abs())
                    .fold(0.0, f64::max);
                worst = Some(w);
                ok = ok && w <= slip_tol;
            }
        }
        out.push(ColumnReport {
            name: name.clone(),
            nrmse: Some(nrmse),
            slips_ref: sr,
            slips_cand: sc,
            worst_slip_dt: worst,
            ok,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_tables_pass_and_slips_are_counted() {
        let t: Vec<f64> = (0..100).map(|i| i as f64).collect();
        let p: Vec<f64> = t
            .iter()
            .map(|&x| if x < 50.0 { 0.0 } else { 2.0 * PI })
            .collect();
        let tab = Table {
            headers: vec!["TIME".into(), "P(B1)".into()],
            columns: vec![t.clone(), p],
        };
        let r = compare(&tab, &tab, 0.01, 0.5);
        assert!(r[0].ok);
        assert_eq!(r[0].slips_ref, 1);
        let shifted = Table {
            headers: tab.headers.clone(),
            columns: vec![
                t.clone(),
                t.iter()
                    .map(|&x| if x < 60.0 { 0.0 } else { 2.0 * PI })
                    .collect(),
            ],
        };
        let r = compare(&tab, &shifted, 1.0, 0.5);
        assert!(!r[0].ok, "slip 10 s late must fail");
    }

    #[test]
    fn normalizes_headers() {
        assert_eq!(normalize("\"P(B1|XDUT)\""), "P(B1.XDUT)");
        assert_eq!(interp(&[0.0, 1.0], &[0.0, 2.0], 0.25), 0.5);
        let t = parse_csv("time,\"V(1,0)\",\"P(B1)\"\n0,1,2\n").expect("parses");
        assert_eq!(t.headers, vec!["TIME", "V(1,0)", "P(B1)"]);
        assert_eq!(t.columns[2], vec![2.0]);
    }
}
