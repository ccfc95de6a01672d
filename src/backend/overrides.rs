//! Changing a written netlist for one simulation run, without rebuilding it:
//! top-level `.param` values (margin sweeps, Monte Carlo), thermal noise and seed.

/// Sets top-level `.param NAME=value` lines (outside any `.subckt`) to new values.
/// Names are matched case-insensitively. Returns the names that were not found.
pub fn set_parameters(text: &str, values: &[(String, f64)]) -> (String, Vec<String>) {
    let mut found = vec![false; values.len()];
    let mut depth = 0usize;
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let trimmed = line.trim_start();
        let lower = trimmed.to_ascii_lowercase();
        if lower.starts_with(".subckt") {
            depth += 1;
        } else if lower.starts_with(".ends") {
            depth = depth.saturating_sub(1);
        }
        let mut replaced = false;
        if depth == 0 && lower.starts_with(".param") {
            let body = trimmed[6..].trim();
            if let Some((name, _)) = body.split_once('=') {
                let name = name.trim();
                if let Some(k) = values.iter().position(|(n, _)| n.eq_ignore_ascii_case(name)) {
                    out.push_str(&format!(".param {name}={:e}\n", values[k].1));
                    found[k] = true;
                    replaced = true;
                }
            }
        }
        if !replaced {
            out.push_str(line);
            out.push('\n');
        }
    }
    let missing = values
        .iter()
        .zip(&found)
        .filter(|(_, f)| !**f)
        .map(|((n, _), _)| n.clone())
        .collect();
    (out, missing)
}

/// Turns on thermal noise at `temperature` kelvin with a seed: inserts `.temp` and
/// `.option seed=` before `.tran` (replacing any already there).
pub fn set_noise(text: &str, temperature: f64, seed: u64) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.lines() {
        let lower = line.trim_start().to_ascii_lowercase();
        if lower.starts_with(".temp") || (lower.starts_with(".option") && lower.contains("seed")) {
            continue;
        }
        if lower.starts_with(".tran") {
            out.push_str(&format!(".temp {temperature}\n.option seed={seed}\n"));
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_top_level_parameters() {
        let text = ".param bias=1\n.subckt A a\n.param bias=2\n.ends\n.param IW=135u\n";
        let (out, missing) = set_parameters(text, &[("bias".into(), 1.1), ("iw".into(), 140e-6), ("x".into(), 1.0)]);
        assert_eq!(out, ".param bias=1.1e0\n.subckt A a\n.param bias=2\n.ends\n.param IW=1.4e-4\n");
        assert_eq!(missing, vec!["x".to_string()]);
    }

    #[test]
    fn noise_goes_before_tran_once() {
        let text = "R1 1 0 1\n.temp 300\n.tran 0.1p 10p\n.end\n";
        let out = set_noise(text, 4.2, 7);
        assert_eq!(out, "R1 1 0 1\n.temp 4.2\n.option seed=7\n.tran 0.1p 10p\n.end\n");
    }
}
