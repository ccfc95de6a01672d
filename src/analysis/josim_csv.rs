//! Reading JoSIM's CSV output (`josim -o out.csv`): a `time` column then one
//! column per `.print`, headers quoted (`"P(B1|XDUT)"`), values in `%e` form.

use std::path::Path;

use crate::diagnostic::{SourceError, SourceFile};

use super::traces::{Column, Traces};

/// Reads a JoSIM CSV file. Every malformed cell, short row or non-ascending
/// time is reported with its file, line and column.
pub fn read_josim_csv(path: &Path) -> Result<Traces, SourceError> {
    let file = SourceFile::read(path)?;
    parse_josim_csv(&file)
}

/// Parses JoSIM CSV text already read into a [`SourceFile`].
pub fn parse_josim_csv(file: &SourceFile) -> Result<Traces, SourceError> {
    let text: &str = &file.text;
    let mut offset = 0usize;
    let mut lines = text.split_inclusive('\n').map(|raw| {
        let start = offset;
        offset += raw.len();
        (start, raw.trim_end_matches(['\n', '\r']))
    });
    let (header_start, header) = lines
        .next()
        .filter(|(_, h)| !h.trim().is_empty())
        .ok_or_else(|| SourceError::file(&file.path, "empty CSV file: no header line"))?;
    let names: Vec<String> = split_quoted(header)
        .into_iter()
        .map(|h| h.trim().trim_matches('"').replace("\"\"", "\""))
        .collect();
    if names.len() < 2 || !names[0].eq_ignore_ascii_case("time") {
        return Err(file
            .error(
                header_start..header_start + header.len(),
                "expected a header starting with `time` and at least one waveform column",
            )
            .with_help("JoSIM writes `time,\"P(B1)\",...` as the first line"));
    }
    let mut time = Vec::new();
    let mut columns: Vec<Column> = names[1..]
        .iter()
        .map(|n| Column {
            name: n.clone(),
            values: Vec::new(),
        })
        .collect();
    for (start, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let mut count = 0;
        let mut cell_start = start;
        for (i, cell) in line.split(',').enumerate() {
            if i >= names.len() {
                return Err(file.error(
                    cell_start..start + line.len(),
                    format!(
                        "row has more than the {} columns of the header",
                        names.len()
                    ),
                ));
            }
            let value: f64 = cell.trim().parse().map_err(|_| {
                file.error(
                    cell_start..cell_start + cell.len(),
                    format!("`{}` is not a number (column `{}`)", cell.trim(), names[i]),
                )
            })?;
            if !value.is_finite() {
                return Err(file.error(
                    cell_start..cell_start + cell.len(),
                    format!("non-finite value in column `{}`", names[i]),
                ));
            }
            if i == 0 {
                if let Some(&last) = time.last() {
                    if value < last {
                        return Err(file.error(
                            cell_start..cell_start + cell.len(),
                            format!("time {value:e} s goes backwards (previous row {last:e} s)"),
                        ));
                    }
                }
                time.push(value);
            } else {
                columns[i - 1].values.push(value);
            }
            count += 1;
            cell_start += cell.len() + 1;
        }
        if count != names.len() {
            return Err(file.error(
                start..start + line.len(),
                format!(
                    "row has {count} values, the header has {} columns",
                    names.len()
                ),
            ));
        }
    }
    if time.is_empty() {
        return Err(SourceError::file(
            &file.path,
            format!("{}: no data rows after the header", file.path.display()),
        ));
    }
    Ok(Traces { time, columns })
}

/// Splits a CSV header on commas outside double quotes (`"V(1,0)"` is one field).
fn split_quoted(line: &str) -> Vec<&str> {
    let mut fields = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                fields.push(&line[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    fields.push(&line[start..]);
    fields
}
