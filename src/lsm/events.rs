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

use std::path::Path;

use crate::diagnostic::{SourceError, SourceFile};

mod csv;
pub use csv::parse_csv;

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

/// Checks that every label names one of the readout's classes (labels are ignored by a
/// design without a readout). Event files are checked at the offending field already;
/// this guards sets built in memory.
pub fn check_labels(design: &LsmDesign, set: &EventSet) -> Result<(), super::LsmError> {
    let classes = design.classes();
    if classes == 0 {
        return Ok(());
    }
    for (i, s) in set.samples.iter().enumerate() {
        if let Some(l) = s.label.filter(|&l| l as usize >= classes) {
            return Err(super::LsmError::Invalid(format!(
                "sample {i} has label {l}, outside the readout's classes 0..{classes}"
            )));
        }
    }
    Ok(())
}

/// Reads an event file for `design`: `.bin` as N-MNIST binary, anything else as CSV.
pub fn read_events(path: &Path, design: &LsmDesign) -> Result<EventSet, SourceError> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("bin"))
    {
        let bytes = std::fs::read(path)
            .map_err(|e| SourceError::file(path, format!("cannot read {}: {e}", path.display())))?;
        crate::output::note_input(path);
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
