//! The CSV event format (see the parent module for the columns).

use std::collections::BTreeMap;

use crate::diagnostic::{SourceError, SourceFile};
use crate::lsm::spec::{InputMap, LsmDesign};

use super::{Event, EventSample, EventSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Sample,
    Label,
    T,
    X,
    Y,
    P,
    Channel,
}

fn field_error(
    file: &SourceFile,
    line_start: usize,
    col: usize,
    len: usize,
    msg: String,
) -> SourceError {
    file.error(line_start + col..line_start + col + len.max(1), msg)
}

/// Parses a CSV event file (see the module docs for the format).
pub fn parse_csv(file: &SourceFile, design: &LsmDesign) -> Result<EventSet, SourceError> {
    let mut cols: Option<Vec<Col>> = None;
    let mut samples: BTreeMap<u64, (usize, EventSample)> = BTreeMap::new();
    let mut offset = 0;
    for raw_line in file.text.split_inclusive('\n') {
        let start = offset;
        offset += raw_line.len();
        let line = raw_line.trim_end_matches(['\n', '\r']);
        let content = line.split('#').next().unwrap_or("");
        if content.trim().is_empty() {
            continue;
        }
        let fields: Vec<(usize, &str)> = split_fields(content);
        if cols.is_none() {
            if content.chars().any(|c| c.is_ascii_alphabetic()) {
                cols = Some(header(file, start, &fields, design)?);
                continue;
            }
            cols = Some(match fields.len() {
                4 => vec![Col::T, Col::X, Col::Y, Col::P],
                2 => vec![Col::T, Col::Channel],
                n => {
                    return Err(field_error(
                        file,
                        start,
                        0,
                        line.len(),
                        format!("{n} fields without a header: expected `t,x,y,p` or `t,channel` (or a header line naming the columns)"),
                    ))
                }
            });
            check_kind(
                file,
                start,
                line.len(),
                cols.as_deref().unwrap_or(&[]),
                design,
            )?;
        }
        let cols = cols.as_deref().unwrap_or(&[]);
        if fields.len() != cols.len() {
            return Err(field_error(
                file,
                start,
                0,
                line.len(),
                format!("expected {} fields, found {}", cols.len(), fields.len()),
            ));
        }
        let mut vals = [0u64; 7];
        for (&(pos, text), &col) in fields.iter().zip(cols) {
            let v: u64 = text.parse().map_err(|_| {
                field_error(
                    file,
                    start,
                    pos,
                    text.len(),
                    format!("`{text}` is not a non-negative integer ({col:?} column)"),
                )
            })?;
            let bad = |msg: String| field_error(file, start, pos, text.len(), msg);
            match (col, &design.input) {
                (Col::X, InputMap::Pixels { sensor_width, .. }) if v >= *sensor_width as u64 => {
                    return Err(bad(format!(
                        "x = {v} outside the sensor (width {sensor_width})"
                    )))
                }
                (Col::Y, InputMap::Pixels { sensor_height, .. }) if v >= *sensor_height as u64 => {
                    return Err(bad(format!(
                        "y = {v} outside the sensor (height {sensor_height})"
                    )))
                }
                (Col::P, _) if v > 1 => {
                    return Err(bad(format!("polarity must be 0 or 1, got {v}")))
                }
                (Col::Channel, InputMap::Channels { channels }) if v >= *channels as u64 => {
                    return Err(bad(format!("channel {v} outside 0..{channels}")))
                }
                (Col::Label, _) if v > u32::MAX as u64 => {
                    return Err(bad("label too large".into()))
                }
                (Col::Label, _) if design.classes() > 0 && v >= design.classes() as u64 => {
                    return Err(bad(format!(
                        "label {v} outside the readout's classes 0..{} (readout.classes: {})",
                        design.classes(),
                        design.classes()
                    )))
                }
                _ => {}
            }
            vals[col as usize] = v;
        }
        let has = |c: Col| cols.contains(&c);
        let event = if has(Col::Channel) {
            Event::Channel {
                t_us: vals[Col::T as usize],
                channel: vals[Col::Channel as usize] as u32,
            }
        } else {
            Event::Pixel {
                t_us: vals[Col::T as usize],
                x: vals[Col::X as usize] as u32,
                y: vals[Col::Y as usize] as u32,
                p: vals[Col::P as usize] as u8,
            }
        };
        let id = vals[Col::Sample as usize];
        let order = samples.len();
        let entry = samples.entry(id).or_insert((order, EventSample::default()));
        if has(Col::Label) {
            let label = vals[Col::Label as usize] as u32;
            match entry.1.label {
                Some(l) if l != label => {
                    let (pos, text) =
                        fields[cols.iter().position(|&c| c == Col::Label).unwrap_or(0)];
                    return Err(field_error(
                        file,
                        start,
                        pos,
                        text.len(),
                        format!("sample {id} was labelled {l} earlier, here {label}"),
                    ));
                }
                _ => entry.1.label = Some(label),
            }
        }
        entry.1.events.push(event);
    }
    let mut ordered: Vec<(usize, EventSample)> = samples.into_values().collect();
    ordered.sort_by_key(|(o, _)| *o);
    if ordered.is_empty() {
        return Err(SourceError::file(&file.path, "no events in file"));
    }
    Ok(EventSet {
        samples: ordered.into_iter().map(|(_, s)| s).collect(),
    })
}

fn split_fields(content: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut pos = 0;
    for f in content.split(',') {
        let lead = f.len() - f.trim_start().len();
        out.push((pos + lead, f.trim()));
        pos += f.len() + 1;
    }
    out
}

fn header(
    file: &SourceFile,
    start: usize,
    fields: &[(usize, &str)],
    design: &LsmDesign,
) -> Result<Vec<Col>, SourceError> {
    let mut cols = Vec::new();
    for &(pos, name) in fields {
        let c = match name.to_ascii_lowercase().as_str() {
            "sample" => Col::Sample,
            "label" => Col::Label,
            "t" => Col::T,
            "x" => Col::X,
            "y" => Col::Y,
            "p" => Col::P,
            "channel" => Col::Channel,
            _ => {
                return Err(field_error(
                    file,
                    start,
                    pos,
                    name.len(),
                    format!("unknown column `{name}` (known: sample, label, t, x, y, p, channel)"),
                ))
            }
        };
        if cols.contains(&c) {
            return Err(field_error(
                file,
                start,
                pos,
                name.len(),
                format!("column `{name}` twice"),
            ));
        }
        cols.push(c);
    }
    let len = fields.last().map_or(1, |(p, n)| p + n.len());
    check_kind(file, start, len, &cols, design)?;
    Ok(cols)
}

fn check_kind(
    file: &SourceFile,
    start: usize,
    len: usize,
    cols: &[Col],
    design: &LsmDesign,
) -> Result<(), SourceError> {
    let pixel = [Col::T, Col::X, Col::Y, Col::P]
        .iter()
        .all(|c| cols.contains(c))
        && !cols.contains(&Col::Channel);
    let channel = [Col::T, Col::Channel].iter().all(|c| cols.contains(c))
        && ![Col::X, Col::Y, Col::P].iter().any(|c| cols.contains(c));
    let ok = match design.input {
        InputMap::Pixels { .. } => pixel,
        InputMap::Channels { .. } => channel,
    };
    if !ok {
        let want = match design.input {
            InputMap::Pixels { .. } => "t,x,y,p (pixel events)",
            InputMap::Channels { .. } => "t,channel (channel events)",
        };
        return Err(field_error(
            file,
            start,
            0,
            len,
            format!("this design takes {want}"),
        ));
    }
    Ok(())
}
