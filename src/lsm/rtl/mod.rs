//! Verilog-2005 writers for the LSM macro: one askama template per module under
//! `templates/lsm/` (expressions are written `@{ expr }@`, see `askama.toml`), filled from a
//! typed context struct; every width is computed here from the spec so the text has only
//! sized literals (clean under `verilator -Wall`).
//!
//! Datapath of one time step (module in brackets):
//! input beat latched [`lsm_spike_in`] → active word lines of one row group
//! [`lsm_wordline`] → row-serial crossbar read, partial sums of `G+ − G−` per column
//! [`lsm_crossbar`] → ADC with saturation [`lsm_adc`] → column accumulators [`lsm_accum`]
//! → LIF array [`lsm_lif`] → spike counters [`lsm_counter`] → optional int8 readout
//! [`lsm_readout`]; the FSM is [`lsm_ctrl`], the top [`lsm_top`], the testbench [`lsm_tb`].

mod control;
mod datapath;
mod neurons;
mod tb;

pub use tb::{expect_files, testbench, TbLimits};

use super::spec::{bits_for, Leak, LsmDesign};
use super::weights::{adc_can_clip, draw_weights};

/// Every width and constant of the generated RTL.
#[derive(Debug, Clone, PartialEq)]
pub struct Widths {
    /// Inputs, neurons.
    pub ni: usize,
    pub nn: usize,
    /// Level bits per device (`weight_bits − 1`).
    pub lb: usize,
    /// Word lines per read cycle, row groups, group index bits.
    pub k: usize,
    pub g: usize,
    pub gw: usize,
    /// Active-word-line vector width (`g·k`, padded).
    pub ra: usize,
    /// Partial-sum width (signed).
    pub pw: usize,
    /// ADC output width (signed); equals `pw` when the ADC cannot clip with the design's
    /// weights (the saturation logic is then left out).
    pub aout: usize,
    /// Column accumulator width (signed).
    pub aw: usize,
    /// Membrane width, fractional bits, LIF sum width.
    pub vw: usize,
    pub f: usize,
    pub sumw: usize,
    /// Spike counter width, neuron index width.
    pub cw: usize,
    pub niw: usize,
    /// Readout classes (0 = none) and class index width.
    pub nc: usize,
    pub clw: usize,
    /// Readout MAC units, blocks of classes (`⌈nc/mu⌉`) and block index width.
    pub mu: usize,
    pub nb: usize,
    pub bw: usize,
    /// MLP readout: hidden neurons (0 = one layer), hidden index width, blocks of hidden
    /// neurons (`⌈nh/mu⌉`) and their block index width.
    pub nh: usize,
    pub hw: usize,
    pub nb1: usize,
    pub hbw: usize,
    pub theta: i64,
    pub leak: Leak,
}

impl Widths {
    pub fn of(d: &LsmDesign) -> Widths {
        let q = d.q() as u64;
        let k = d.rows_per_cycle;
        let g = d.groups();
        let pw = bits_for(k as u64 * q) as usize + 1;
        let clips = adc_can_clip(d, &draw_weights(d));
        let aout = if clips {
            (d.adc_bits as usize).min(pw)
        } else {
            pw
        };
        let aw = bits_for(g as u64 * (1u64 << (aout - 1))) as usize + 1;
        let vw = d.membrane_bits as usize;
        let f = d.frac_bits as usize;
        let nc = d.classes();
        let mu = d.readout.as_ref().map_or(0, |r| r.mac_units as usize);
        let nb = d.readout.as_ref().map_or(0, |r| r.blocks() as usize);
        let nh = d.readout.as_ref().map_or(0, |r| r.hidden as usize);
        let nb1 = d.readout.as_ref().map_or(0, |r| r.hidden_blocks() as usize);
        Widths {
            ni: d.inputs,
            nn: d.neurons,
            lb: d.weight_bits as usize - 1,
            k,
            g,
            gw: bits_for(g as u64 - 1) as usize,
            ra: g * k,
            pw,
            aout,
            aw,
            vw,
            f,
            sumw: vw.max(aw + f) + 1,
            cw: d.count_bits() as usize,
            niw: bits_for(d.neurons as u64 - 1) as usize,
            nc,
            clw: bits_for(nc.max(2) as u64 - 1) as usize,
            mu,
            nb,
            bw: bits_for(nb.max(1) as u64 - 1) as usize,
            nh,
            hw: bits_for(nh.max(1) as u64 - 1) as usize,
            nb1,
            hbw: bits_for(nb1.max(1) as u64 - 1) as usize,
            theta: d.threshold_code(),
            leak: d.leak,
        }
    }
}

/// Sign-extends `expr` (its sign bit is `sign`) by `by` bits; nothing when `by` is 0.
pub(crate) fn sext(sign: &str, expr: &str, by: usize) -> String {
    if by == 0 {
        expr.to_string()
    } else {
        format!("{{{{{by}{{{sign}}}}}, {expr}}}")
    }
}

/// Zero-extends by `by` bits.
pub(crate) fn zext(expr: &str, by: usize) -> String {
    if by == 0 {
        expr.to_string()
    } else {
        format!("{{{by}'d0, {expr}}}")
    }
}

/// Renders one module's template. askama drops a template file's final newline, so it is
/// put back here: every emitted file ends with one.
pub(crate) fn render(t: &impl askama::Template) -> String {
    // The contexts hold integers and strings only: formatting them cannot fail.
    let mut s = t
        .render()
        .expect("rendering integers and strings into a String cannot fail");
    s.push('\n');
    s
}

/// The RTL sources (not the testbench), in dependency order: `(file name, text)`.
pub fn rtl_files(d: &LsmDesign) -> Vec<(String, String)> {
    let w = Widths::of(d);
    let mut files = vec![
        ("lsm_spike_in.v".to_string(), datapath::spike_in(&w)),
        ("lsm_wordline.v".to_string(), datapath::wordline(&w)),
        ("lsm_crossbar.v".to_string(), datapath::crossbar(&w)),
        ("lsm_adc.v".to_string(), datapath::adc(&w)),
        ("lsm_accum.v".to_string(), datapath::accum(&w)),
        ("lsm_lif.v".to_string(), neurons::lif(&w)),
        ("lsm_counter.v".to_string(), neurons::counter(&w)),
    ];
    if w.nh > 0 {
        files.push(("lsm_readout.v".to_string(), neurons::readout_mlp(&w)));
    } else if w.nc > 0 {
        files.push(("lsm_readout.v".to_string(), neurons::readout(&w)));
    }
    files.push(("lsm_ctrl.v".to_string(), control::ctrl(&w)));
    files.push(("lsm_top.v".to_string(), control::top(&w, &d.name)));
    files
}
