//! Neuron-side modules: LIF array, spike counters, readout (templates
//! `templates/lsm/{lif,counter,readout}.v`).

use askama::Template;

use super::{render, sext, zext, Widths};

#[derive(Template)]
#[template(path = "lsm/lif.v", syntax = "verilog")]
struct Lif<'a> {
    w: &'a Widths,
    /// Leak multiplier `L` and its fraction bits `LF`: `leak(v) = trunc(v·L / 2^LF)`.
    leak_code: u32,
    leak_frac: usize,
    /// Width of the leak product `v·L` (`vw + LF + 1`).
    prod_w: usize,
    /// Added to a negative product before the shift so it rounds toward zero (`2^LF − 1`).
    round: u64,
    /// The membrane sign-extended to the product width.
    vx: String,
    /// The kept membrane and the column accumulator (shifted by the fraction bits),
    /// sign-extended to the LIF sum width.
    kept_ext: String,
    acc_ext: String,
}

#[derive(Template)]
#[template(path = "lsm/counter.v", syntax = "verilog")]
struct Counter<'a> {
    w: &'a Widths,
    /// Saturation value (`2^cw − 1`).
    max: u64,
}

#[derive(Template)]
#[template(path = "lsm/readout.v", syntax = "verilog")]
struct Readout<'a> {
    w: &'a Widths,
    /// Zero bits padding a weight word to whole blocks of `mu` classes.
    pad: usize,
    /// The spike count zero-extended to 32 bits.
    count_ext: String,
}

#[derive(Template)]
#[template(path = "lsm/readout_mlp.v", syntax = "verilog")]
struct ReadoutMlp<'a> {
    w: &'a Widths,
    /// Zero bits padding a layer-1 weight word (hidden neurons) to whole blocks.
    pad1: usize,
    /// Zero bits padding a layer-2 weight word (classes) to whole blocks.
    pad2: usize,
    /// The spike count zero-extended to 32 bits.
    count_ext: String,
}

pub fn lif(w: &Widths) -> String {
    let (leak_code, lf) = w.leak.multiplier();
    let leak_frac = lf as usize;
    let prod_w = w.vw + leak_frac + 1;
    let acc_ext = if w.f == 0 {
        sext(&format!("a[{}]", w.aw - 1), "a", w.sumw - w.aw)
    } else {
        sext(
            &format!("a[{}]", w.aw - 1),
            &format!("{{a, {}'d0}}", w.f),
            w.sumw - w.aw - w.f,
        )
    };
    render(&Lif {
        w,
        leak_code,
        leak_frac,
        prod_w,
        round: (1u64 << lf) - 1,
        vx: sext(
            &format!("v[n*{} + {}]", w.vw, w.vw - 1),
            &format!("v[n*{} +: {}]", w.vw, w.vw),
            leak_frac + 1,
        ),
        kept_ext: sext(&format!("kept[{}]", w.vw - 1), "kept", w.sumw - w.vw),
        acc_ext,
    })
}

pub fn counter(w: &Widths) -> String {
    render(&Counter {
        w,
        max: (1u64 << w.cw) - 1,
    })
}

pub fn readout(w: &Widths) -> String {
    // One memory word holds every class's weight of one neuron; it is viewed as `nb`
    // blocks of `mu` classes (the last block padded with zero weights).
    render(&Readout {
        w,
        pad: w.nb * w.mu * 8 - w.nc * 8,
        count_ext: zext("count", 32 - w.cw),
    })
}

pub fn readout_mlp(w: &Widths) -> String {
    render(&ReadoutMlp {
        w,
        pad1: (w.nb1 * w.mu - w.nh) * 8,
        pad2: (w.nb * w.mu - w.nc) * 8,
        count_ext: zext("count", 32 - w.cw),
    })
}
