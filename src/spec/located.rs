//! Turning spec locations (serde-saphyr spans) into [`SourceError`]s.

use serde_saphyr::{Location, Spanned};

use crate::diagnostic::{SourceError, SourceFile};

/// An error at a YAML location, underlining `len` characters.
pub fn error_at_location(
    file: &SourceFile,
    loc: Location,
    len: usize,
    message: impl Into<String>,
) -> SourceError {
    let line = loc.line().max(1) as usize;
    let column = loc.column().max(1) as usize;
    file.error_at(line, column, len.max(1), message)
}

/// An error at a spanned string value, underlining the string.
pub fn error_at_str(
    file: &SourceFile,
    s: &Spanned<String>,
    message: impl Into<String>,
) -> SourceError {
    error_at_location(file, s.referenced, s.value.len(), message)
}

/// An error at any spanned value, underlining its first token.
pub fn error_at<T>(file: &SourceFile, s: &Spanned<T>, message: impl Into<String>) -> SourceError {
    let offset = file.offset_of(s.referenced.line() as usize, s.referenced.column() as usize);
    let len = file.text[offset.min(file.text.len())..]
        .find(['\n', ',', '}', ']'])
        .unwrap_or(1);
    error_at_location(file, s.referenced, len.max(1), message)
}

/// A short "did you mean" hint from candidates, by edit distance.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(&name.to_ascii_lowercase(), &c.to_ascii_lowercase());
        if d <= 2.max(name.len() / 3) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| format!("did you mean `{c}`?"))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
