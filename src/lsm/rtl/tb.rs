//! The self-checking testbench and its stimulus / expectation files.
//!
//! The testbench reads `stim.hex` (one beat per line: `{last, spikes}`) and the expected
//! outputs computed by the bit-accurate model (`exp_raster.hex`, `exp_membrane.hex`,
//! `exp_count.hex`, `exp_class.hex`), drives the beats with pseudo-random stalls on the
//! valid/ready handshake, checks every output and prints `LSM_TB PASS` or `LSM_TB FAIL`
//! (then `$stop`). Plusargs: `+beats=<n> +samples=<n>`. It dumps `lsm.vcd`.

use askama::Template;

use super::{render, Widths};
use crate::lsm::events::SpikeTrain;
use crate::lsm::model::Raster;
use crate::lsm::spec::LsmDesign;
use crate::lsm::weights::push_hex;

/// Capacity of the testbench memories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TbLimits {
    pub max_samples: usize,
    pub max_beats: usize,
}

impl TbLimits {
    pub fn of(d: &LsmDesign) -> TbLimits {
        let max_samples = 64;
        TbLimits {
            max_samples,
            max_beats: max_samples * d.time_steps,
        }
    }
}

/// Context of `templates/lsm/tb.v`.
#[derive(Template)]
#[template(path = "lsm/tb.v", syntax = "verilog")]
struct Testbench<'a> {
    w: &'a Widths,
    ro: bool,
    /// Capacity of the stimulus and expectation memories.
    max_samples: usize,
    max_beats: usize,
    /// Cycles after which the testbench gives up.
    timeout: usize,
}

pub fn testbench(d: &LsmDesign) -> String {
    let w = Widths::of(d);
    let lim = TbLimits::of(d);
    let cycles_per_beat = w.g + 8;
    let mlp_cycles = if w.nh > 0 {
        w.nb1 * w.nn + w.nb * w.nh
    } else {
        0
    };
    let timeout = lim.max_beats * cycles_per_beat * 2
        + lim.max_samples * (2 * w.nn + w.nc + 8 + mlp_cycles)
        + 100;
    render(&Testbench {
        w: &w,
        ro: w.nc > 0,
        max_samples: lim.max_samples,
        max_beats: lim.max_beats,
        timeout,
    })
}

fn hex_bits(out: &mut String, bits: impl IntoIterator<Item = bool>) {
    let b: Vec<bool> = bits.into_iter().collect();
    push_hex(out, &b);
    out.push('\n');
}

fn hex_int(out: &mut String, v: i64, width: usize) {
    hex_bits(out, (0..width).map(|b| (v >> b) & 1 == 1));
}

/// Stimulus and expectation files for the testbench: `(file name, bytes)`.
pub fn expect_files(
    d: &LsmDesign,
    trains: &[SpikeTrain],
    rasters: &[Raster],
    classes: &[usize],
) -> Vec<(String, Vec<u8>)> {
    let w = Widths::of(d);
    let (mut stim, mut raster, mut mem, mut cnt, mut cls) = (
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    );
    for (train, r) in trains.iter().zip(rasters) {
        let n = train.steps.len();
        for (t, x) in train.steps.iter().enumerate() {
            hex_bits(&mut stim, x.iter().copied().chain([t + 1 == n]));
            hex_bits(&mut raster, r.spikes[t].iter().copied());
        }
        for (v, c) in r.final_membrane().iter().zip(&r.counts) {
            hex_int(&mut mem, *v, w.vw);
            hex_int(&mut cnt, *c as i64, w.cw);
        }
    }
    for &c in classes {
        hex_int(&mut cls, c as i64, w.clw);
    }
    let mut files = vec![
        ("stim.hex".to_string(), stim.into_bytes()),
        ("exp_raster.hex".to_string(), raster.into_bytes()),
        ("exp_membrane.hex".to_string(), mem.into_bytes()),
        ("exp_count.hex".to_string(), cnt.into_bytes()),
    ];
    if w.nc > 0 {
        files.push(("exp_class.hex".to_string(), cls.into_bytes()));
    }
    files
}
