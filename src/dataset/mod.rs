//! Labelled data sets for training and accuracy checks (docs/training.md).
//!
//! The file format is scikit-learn's bundled CSV: an optional header line
//! `n_samples,n_features,class_0,class_1,...` (the class names, in label order;
//! told from a sample by a name that is not a number, or by its field count),
//! then one sample per line, `n_features` numbers and an integer label
//! `0..n_classes`. Lines starting with `#` and blank lines are skipped. Without a
//! header, the first sample fixes the feature count and labels must be integers ≥ 0
//! (classes are then `0..=max label`). A wrong column count, a value that is not a
//! number or a label that names no class is an error at its file:line:column.

mod split;

pub use split::{Scaling, Split, SplitPart};

use std::path::Path;

use crate::diagnostic::{SourceError, SourceFile};

/// A labelled data set.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub name: String,
    /// One row per sample.
    pub features: Vec<Vec<f64>>,
    /// Label of each sample, an index into `classes`.
    pub labels: Vec<usize>,
    /// Class names in label order.
    pub classes: Vec<String>,
}

impl Dataset {
    pub fn len(&self) -> usize {
        self.labels.len()
    }
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
    pub fn feature_count(&self) -> usize {
        self.features.first().map_or(0, Vec::len)
    }
}

/// Reads a data set file.
pub fn read(path: &Path) -> Result<Dataset, SourceError> {
    parse(&SourceFile::read(path)?)
}

/// A comma-separated field with its byte range in the file.
struct Field<'a> {
    text: &'a str,
    start: usize,
}

fn fields(line: &str, offset: usize) -> Vec<Field<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for part in line.split(',') {
        let lead = part.len() - part.trim_start().len();
        out.push(Field {
            text: part.trim(),
            start: offset + start + lead,
        });
        start += part.len() + 1;
    }
    out
}

/// A header has a field that is not a number (`150,4,setosa,…`), or is all integers
/// `n,f,c0,c1,…` with f + 1 the field count of the next line (`1797,64,0,1,…,9`).
fn is_header(fs: &[Field], next_len: Option<usize>) -> bool {
    if fs.iter().any(|f| f.text.parse::<f64>().is_err()) {
        return true;
    }
    let nf = fs.get(1).and_then(|f| f.text.parse::<usize>().ok());
    matches!((nf, next_len), (Some(nf), Some(n)) if n == nf + 1 && fs.len() != n)
}

/// Parses a data set file's text.
pub fn parse(file: &SourceFile) -> Result<Dataset, SourceError> {
    let err = |f: &Field, msg: String| file.error(f.start..f.start + f.text.len().max(1), msg);
    let mut header: Option<(usize, Vec<String>)> = None;
    let mut features: Vec<Vec<f64>> = Vec::new();
    let mut labels: Vec<(usize, usize, usize)> = Vec::new(); // (label, field start, len)
    let mut offset = 0;
    let mut first = true;
    // field count of the second sample line: an all-number header is told by it
    let second_len = file
        .text
        .lines()
        .filter(|l| !(l.trim().is_empty() || l.trim_start().starts_with('#')))
        .nth(1)
        .map(|l| l.split(',').count());
    for raw in file.text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let here = offset;
        offset += raw.len();
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let fs = fields(line, here);
        if std::mem::take(&mut first) && is_header(&fs, second_len) {
            // scikit-learn's header: n_samples, n_features, class names
            let n = |f: &Field| f.text.parse::<usize>().ok();
            match (fs.first().and_then(n), fs.get(1).and_then(n)) {
                (Some(_), Some(nf)) if nf > 0 && fs.len() > 3 => {
                    header = Some((nf, fs[2..].iter().map(|f| f.text.to_string()).collect()));
                }
                _ => {
                    return Err(err(
                        &fs[0],
                        "header must be `n_samples,n_features,class_0,class_1,...` (at least two classes)".into(),
                    ))
                }
            }
            continue;
        }
        let nf = match &header {
            Some((nf, _)) => *nf,
            None => features
                .first()
                .map_or(fs.len().saturating_sub(1), Vec::len),
        };
        if fs.len() != nf + 1 {
            let f = fs.get(nf + 1).unwrap_or(&fs[fs.len() - 1]);
            return Err(err(
                f,
                format!(
                    "{} columns, expected {} ({nf} features and a label)",
                    fs.len(),
                    nf + 1
                ),
            ));
        }
        let mut row = Vec::with_capacity(nf);
        for f in &fs[..nf] {
            match f.text.parse::<f64>() {
                Ok(v) if v.is_finite() => row.push(v),
                _ => return Err(err(f, format!("`{}` is not a number", f.text))),
            }
        }
        let lf = &fs[nf];
        let label = match lf.text.parse::<usize>() {
            Ok(l) => l,
            Err(_) => {
                return Err(err(
                    lf,
                    format!("label `{}` is not a class index (0, 1, ...)", lf.text),
                ))
            }
        };
        if let Some((_, classes)) = &header {
            if label >= classes.len() {
                return Err(err(
                    lf,
                    format!(
                        "unknown label {label}: the header names {} classes ({}), labels 0..={}",
                        classes.len(),
                        classes.join(", "),
                        classes.len() - 1
                    ),
                ));
            }
        }
        features.push(row);
        labels.push((label, lf.start, lf.text.len()));
    }
    if features.is_empty() {
        return Err(SourceError::file(
            &file.path,
            format!("{}: no samples", file.path.display()),
        ));
    }
    let classes = match header {
        Some((_, c)) => c,
        None => {
            let max = labels.iter().map(|l| l.0).max().unwrap_or(0);
            (0..=max).map(|c| c.to_string()).collect()
        }
    };
    if classes.len() < 2 {
        return Err(file.error(
            labels[0].1..labels[0].1 + labels[0].2,
            "need at least two classes",
        ));
    }
    let name = file
        .path
        .file_stem()
        .map_or("data".into(), |s| s.to_string_lossy().into_owned());
    Ok(Dataset {
        name,
        features,
        labels: labels.into_iter().map(|l| l.0).collect(),
        classes,
    })
}
