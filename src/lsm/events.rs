//! Event input: CSV and N-MNIST binary files, binned into time steps.
//!
//! CSV (one event per line, `#` comments and blank lines ignored):
//! - `t,x,y,p` — a DVS event: time (integer µs), pixel column and row, polarity 0/1;
//! - `t,channel` — a cochlea event (N-TIDIGITS): time (µs), channel;
//! - with a header line naming the columns, the extra columns `sample` and `label` group
//!   events into labelled samples, e.g. `sample,label,t,x,y,p`.
//!
//! N-MNIST binary (`.bin`): 5-byte (40-bit) records, `x` (8 bits), `y` (8 bits),
//! polarity (1 bit), timestamp (23 bits, µs), big-endian.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diagnostic::{SourceError, SourceFile};

use super::spec::{InputMap, LsmDesign, Polarity};

/// One address event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Pixel { t_us: u64, x: u32, y: u32, p: u8 },
    Channel { t_us: u64, channel: u32 },
}

impl Event {
    pub fn t_us(&self) -> u64 {
        match *self {
            Event::Pixel { t_us, .. } | Event::Channel { t_us, .. } => t_us,
        }
    }
}

/// The events of one sample, with its label when known.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EventSample {
    pub events: Vec<Event>,
    pub label: Option<u32>,
}

/// Samples in file order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EventSet {
    pub samples: Vec<EventSample>,
}

/// Input spikes per time step: `steps[t][i]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpikeTrain {
    pub steps: Vec<Vec<bool>>,
}

impl SpikeTrain {
    /// Input spikes in the whole train.
    pub fn total_spikes(&self) -> usize {
        self.steps
            .iter()
            .map(|s| s.iter().filter(|&&b| b).count())
            .sum()
    }
}

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

/// Reads an event file for `design`: `.bin` as N-MNIST binary, anything else as CSV.
pub fn read_events(path: &Path, design: &LsmDesign) -> Result<EventSet, SourceError> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("bin"))
    {
        let bytes = std::fs::read(path)
            .map_err(|e| SourceError::file(path, format!("cannot read {}: {e}", path.display())))?;
        let sample = parse_nmnist(path, &bytes, design)?;
        return Ok(EventSet {
            samples: vec![sample],
        });
    }
    parse_csv(&SourceFile::read(path)?, design)
}

/// Parses N-MNIST 40-bit records.
pub fn parse_nmnist(
    path: &Path,
    bytes: &[u8],
    design: &LsmDesign,
) -> Result<EventSample, SourceError> {
    let InputMap::Pixels {
        sensor_width,
        sensor_height,
        ..
    } = design.input
    else {
        return Err(SourceError::file(
            path,
            "N-MNIST binary events need `input: kind: pixels`",
        ));
    };
    if !bytes.len().is_multiple_of(5) {
        return Err(SourceError::file(
            path,
            format!(
                "N-MNIST file is {} bytes, not a whole number of 5-byte records: truncated record at byte {}",
                bytes.len(),
                bytes.len() - bytes.len() % 5
            ),
        ));
    }
    let mut events = Vec::with_capacity(bytes.len() / 5);
    for (i, r) in bytes.chunks_exact(5).enumerate() {
        let (x, y) = (r[0] as u32, r[1] as u32);
        if x >= sensor_width || y >= sensor_height {
            return Err(SourceError::file(
                path,
                format!(
                    "record {i} (byte {}): pixel ({x}, {y}) outside the {sensor_width}x{sensor_height} sensor",
                    i * 5
                ),
            ));
        }
        let p = r[2] >> 7;
        let t_us = ((r[2] as u64 & 0x7f) << 16) | ((r[3] as u64) << 8) | r[4] as u64;
        events.push(Event::Pixel { t_us, x, y, p });
    }
    Ok(EventSample {
        events,
        label: None,
    })
}

/// Encodes pixel events as N-MNIST records (timestamps modulo 2^23 µs).
pub fn write_nmnist(sample: &EventSample) -> Vec<u8> {
    let mut out = Vec::new();
    for e in &sample.events {
        if let Event::Pixel { t_us, x, y, p } = *e {
            let t = t_us & 0x7f_ffff;
            out.extend_from_slice(&[
                x as u8,
                y as u8,
                ((p & 1) << 7) | (t >> 16) as u8,
                (t >> 8) as u8,
                t as u8,
            ]);
        }
    }
    out
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

/// The input line of an event, or `None` when the crop or polarity filter drops it.
pub fn input_line(design: &LsmDesign, e: &Event) -> Option<usize> {
    match (&design.input, *e) {
        (
            InputMap::Pixels {
                crop_x,
                crop_y,
                crop_width,
                crop_height,
                polarity,
                ..
            },
            Event::Pixel { x, y, p, .. },
        ) => {
            let pol_ok = match polarity {
                Polarity::On => p == 1,
                Polarity::Off => p == 0,
                Polarity::Both => true,
            };
            let inside =
                x >= *crop_x && x < crop_x + crop_width && y >= *crop_y && y < crop_y + crop_height;
            (pol_ok && inside).then(|| ((y - crop_y) * crop_width + (x - crop_x)) as usize)
        }
        (InputMap::Channels { channels }, Event::Channel { channel, .. }) => {
            (channel < *channels).then_some(channel as usize)
        }
        _ => None,
    }
}

/// Bins a sample into `time_steps` steps: step = ⌊(t − t₀)/step_us⌋ with t₀ the sample's
/// first event; without `step_us` the sample's span is divided evenly. An input line spikes
/// at a step if at least one of its events falls in it; events past the last step are dropped.
pub fn bin_events(design: &LsmDesign, sample: &EventSample) -> SpikeTrain {
    let t_steps = design.time_steps;
    let mut steps = vec![vec![false; design.inputs]; t_steps];
    let t0 = sample.events.iter().map(Event::t_us).min().unwrap_or(0);
    let t1 = sample.events.iter().map(Event::t_us).max().unwrap_or(0);
    let step_us = design
        .step_us
        .unwrap_or(((t1 - t0) as f64 + 1.0) / t_steps as f64);
    for e in &sample.events {
        if let Some(i) = input_line(design, e) {
            let b = ((e.t_us() - t0) as f64 / step_us).floor() as usize;
            if b < t_steps {
                steps[b][i] = true;
            }
        }
    }
    SpikeTrain { steps }
}

/// Writes samples as CSV with a `sample,label,...` header (`sample,...` when any sample
/// is unlabelled).
pub fn write_csv(set: &EventSet) -> Vec<u8> {
    let pixels = set
        .samples
        .iter()
        .flat_map(|s| s.events.first())
        .all(|e| matches!(e, Event::Pixel { .. }));
    let labelled = set.samples.iter().all(|s| s.label.is_some());
    let mut s = String::from(if labelled { "sample,label," } else { "sample," });
    s.push_str(if pixels { "t,x,y,p\n" } else { "t,channel\n" });
    for (i, sample) in set.samples.iter().enumerate() {
        let head = match sample.label {
            Some(l) if labelled => format!("{i},{l}"),
            _ => format!("{i}"),
        };
        for e in &sample.events {
            match *e {
                Event::Pixel { t_us, x, y, p } => {
                    s.push_str(&format!("{head},{t_us},{x},{y},{p}\n"))
                }
                Event::Channel { t_us, channel } => {
                    s.push_str(&format!("{head},{t_us},{channel}\n"))
                }
            }
        }
    }
    s.into_bytes()
}
