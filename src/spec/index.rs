//! Indexed names: `h[0..15]` declares the elements `h_0` … `h_15` (inclusive at both
//! ends, as buses are written); `h[3]`, `h[0..3]` and `h[0..3].q` refer to them.
//!
//! These functions only read the text; errors come back as a byte range inside it and
//! a message, which the caller turns into a located error in the spec.

/// An error inside a name: the bytes of the text at fault and the message.
pub type TextError = (std::ops::Range<usize>, String);

/// `lo..=hi`, or a single index (`lo == hi`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub lo: i64,
    pub hi: i64,
}

impl Range {
    pub fn len(&self) -> usize {
        (self.hi - self.lo + 1) as usize
    }
    pub fn is_empty(&self) -> bool {
        self.hi < self.lo
    }
    pub fn indices(&self) -> impl Iterator<Item = i64> {
        self.lo..=self.hi
    }
}

/// A name as written: its base, an optional index or range, and an optional `.port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub base: String,
    /// The index or range and where its text (between the brackets) sits.
    pub index: Option<(Range, std::ops::Range<usize>)>,
    pub port: Option<String>,
}

/// The netlist name of element `i` of `base`: `h_3`.
pub fn element(base: &str, i: i64) -> String {
    format!("{base}_{i}")
}

/// Reads `base`, `base[i]`, `base[lo..hi]`, each optionally followed by `.port`.
pub fn parse_reference(text: &str) -> Result<Reference, TextError> {
    let lead = text.len() - text.trim_start().len();
    let t = text.trim();
    let (head, port) = match t.find('.') {
        Some(dot) if !t[..dot].contains('[') || t[..dot].contains(']') => {
            (&t[..dot], Some(t[dot + 1..].trim().to_string()))
        }
        _ => match t.find(']') {
            Some(close) if t[close + 1..].starts_with('.') => {
                (&t[..close + 1], Some(t[close + 2..].trim().to_string()))
            }
            _ => (t, None),
        },
    };
    let Some(open) = head.find('[') else {
        if head.contains(']') {
            let at = lead + head.find(']').unwrap_or(0);
            return Err((at..at + 1, format!("`{head}`: `]` without `[`")));
        }
        return Ok(Reference {
            base: head.trim().to_string(),
            index: None,
            port,
        });
    };
    let Some(inner) = head[open + 1..].strip_suffix(']') else {
        let at = lead + open;
        return Err((
            at..lead + head.len(),
            format!("`{head}`: an index is written `[3]` or a range `[0..15]`, closed by `]`"),
        ));
    };
    let inner_at = lead + open + 1..lead + open + 1 + inner.len();
    let range = parse_range(inner).map_err(|m| (widen(&inner_at), m))?;
    Ok(Reference {
        base: head[..open].trim().to_string(),
        index: Some((range, inner_at)),
        port,
    })
}

/// An empty bracket still has a place to point at: the `]`.
fn widen(r: &std::ops::Range<usize>) -> std::ops::Range<usize> {
    if r.is_empty() {
        r.start..r.start + 1
    } else {
        r.clone()
    }
}

/// `3` or `0..15` (inclusive).
pub fn parse_range(inner: &str) -> Result<Range, String> {
    let inner = inner.trim();
    if inner.is_empty() {
        return Err("empty index: write an index `[3]` or a range `[0..15]`".into());
    }
    let number = |s: &str| -> Result<i64, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err(format!(
                "empty range `[{inner}]`: a range needs both ends, e.g. `[0..15]`"
            ));
        }
        s.parse::<i64>()
            .ok()
            .filter(|v| *v >= 0)
            .ok_or_else(|| format!("`{s}` is not an index (a whole number ≥ 0)"))
    };
    match inner.split_once("..") {
        None => {
            let i = number(inner)?;
            Ok(Range { lo: i, hi: i })
        }
        Some((a, b)) => {
            let (lo, hi) = (number(a)?, number(b.strip_prefix('=').unwrap_or(b))?);
            if hi < lo {
                return Err(format!(
                    "reversed range `[{inner}]`: ranges count up and include both ends, e.g. `[{hi}..{lo}]`"
                ));
            }
            Ok(Range { lo, hi })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_read_base_index_and_port() {
        let r = parse_reference("h[0..15].q").unwrap();
        assert_eq!(r.base, "h");
        assert_eq!(r.index.as_ref().map(|i| i.0), Some(Range { lo: 0, hi: 15 }));
        assert_eq!(r.port.as_deref(), Some("q"));
        let r = parse_reference(" x[3] ").unwrap();
        assert_eq!((r.base.as_str(), r.index.unwrap().0.len()), ("x", 1));
        let r = parse_reference("d.a").unwrap();
        assert_eq!((r.base.as_str(), r.port.as_deref()), ("d", Some("a")));
        assert_eq!(parse_reference("x1").unwrap().index, None);
    }

    #[test]
    fn bad_indices_point_inside_the_brackets() {
        let (at, msg) = parse_reference("h[5..2].q").unwrap_err();
        assert_eq!(at, 2..6);
        assert!(msg.contains("reversed range"), "{msg}");
        let (at, msg) = parse_reference("h[]").unwrap_err();
        assert_eq!(at, 2..3);
        assert!(msg.contains("empty index"), "{msg}");
        assert!(parse_reference("h[1..]")
            .unwrap_err()
            .1
            .contains("empty range"));
        assert!(parse_reference("h[a]")
            .unwrap_err()
            .1
            .contains("not an index"));
        assert!(parse_reference("h[1").unwrap_err().1.contains("closed by"));
    }
}
