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
                if let Some(k) = values
                    .iter()
                    .position(|(n, _)| n.eq_ignore_ascii_case(name))
                {
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
    insert_before_tran(
        text,
        &format!(".temp {temperature}\n.option seed={seed}\n"),
        true,
    )
}

/// Sets the random seed (`.option seed=`) and leaves `.temp` as the netlist has it.
pub fn set_seed(text: &str, seed: u64) -> String {
    insert_before_tran(text, &format!(".option seed={seed}\n"), false)
}

fn insert_before_tran(text: &str, lines: &str, drop_temp: bool) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.lines() {
        let lower = line.trim_start().to_ascii_lowercase();
        if (drop_temp && lower.starts_with(".temp"))
            || (lower.starts_with(".option") && lower.contains("seed"))
        {
            continue;
        }
        if lower.starts_with(".tran") {
            out.push_str(lines);
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Multiplies one value of a top-level `.model NAME jj(...)` card, e.g. `icrit`
/// (scales the critical current of every junction of that model). Returns `None`
/// when the model or the key is not there.
pub fn scale_model(text: &str, model: &str, key: &str, factor: f64) -> Option<String> {
    let mut done = false;
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let is_card = words.len() >= 3
            && words[0].eq_ignore_ascii_case(".model")
            && words[1].eq_ignore_ascii_case(model);
        if is_card && !done {
            let lower = line.to_ascii_lowercase();
            let needle = format!("{}=", key.to_ascii_lowercase());
            // find `key=` at a word start
            let at = lower
                .match_indices(&needle)
                .map(|(i, _)| i)
                .find(|&i| i == 0 || !lower.as_bytes()[i - 1].is_ascii_alphanumeric());
            if let Some(i) = at {
                let start = i + needle.len();
                let end = line[start..]
                    .find([',', ')', ' '])
                    .map(|k| start + k)
                    .unwrap_or(line.len());
                let value = crate::spec::parse_quantity(&line[start..end])?;
                out.push_str(&line[..start]);
                out.push_str(&format!("{:e}", value * factor));
                out.push_str(&line[end..]);
                out.push('\n');
                done = true;
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    done.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_top_level_parameters() {
        let text = ".param bias=1\n.subckt A a\n.param bias=2\n.ends\n.param IW=135u\n";
        let (out, missing) = set_parameters(
            text,
            &[
                ("bias".into(), 1.1),
                ("iw".into(), 140e-6),
                ("x".into(), 1.0),
            ],
        );
        assert_eq!(
            out,
            ".param bias=1.1e0\n.subckt A a\n.param bias=2\n.ends\n.param IW=1.4e-4\n"
        );
        assert_eq!(missing, vec!["x".to_string()]);
    }

    #[test]
    fn scales_a_model_value() {
        let text =
            ".model nmg_jj jj(rtype=1, vg=2.8m, cap=70f, icrit=100u)\nB1 1 0 nmg_jj area=2\n";
        let out = scale_model(text, "NMG_JJ", "icrit", 0.5).unwrap();
        assert!(
            out.starts_with(".model nmg_jj jj(rtype=1, vg=2.8m, cap=70f, icrit=5e-5)\n"),
            "{out}"
        );
        assert!(scale_model(text, "other", "icrit", 0.5).is_none());
        assert!(scale_model(text, "nmg_jj", "rn", 0.5).is_none());
    }

    #[test]
    fn noise_goes_before_tran_once() {
        let text = "R1 1 0 1\n.temp 300\n.tran 0.1p 10p\n.end\n";
        let out = set_noise(text, 4.2, 7);
        assert_eq!(
            out,
            "R1 1 0 1\n.temp 4.2\n.option seed=7\n.tran 0.1p 10p\n.end\n"
        );
    }
}
