//! Datapath modules: input latch, word lines, crossbar, ADC, column accumulators
//! (templates `templates/lsm/{spike_in,wordline,crossbar,adc,accum}.v`).

use askama::Template;

use super::{render, sext, Widths};

#[derive(Template)]
#[template(path = "lsm/spike_in.v", syntax = "verilog")]
struct SpikeIn<'a> {
    w: &'a Widths,
}

#[derive(Template)]
#[template(path = "lsm/wordline.v", syntax = "verilog")]
struct Wordline<'a> {
    w: &'a Widths,
    /// Zero rows padding the last row group (`g·k − inputs − neurons`).
    pad: usize,
}

#[derive(Template)]
#[template(path = "lsm/crossbar.v", syntax = "verilog")]
struct Crossbar<'a> {
    w: &'a Widths,
    /// Bits of one memory word: a row group's level codes (`k·neurons·level bits`).
    word: usize,
}

#[derive(Template)]
#[template(path = "lsm/adc.v", syntax = "verilog")]
struct Adc<'a> {
    w: &'a Widths,
}

#[derive(Template)]
#[template(path = "lsm/accum.v", syntax = "verilog")]
struct Accum<'a> {
    w: &'a Widths,
    /// Column `c`'s ADC code sign-extended to the accumulator width.
    qext: String,
}

pub fn spike_in(w: &Widths) -> String {
    render(&SpikeIn { w })
}

pub fn wordline(w: &Widths) -> String {
    render(&Wordline {
        w,
        pad: w.ra - w.ni - w.nn,
    })
}

pub fn crossbar(w: &Widths) -> String {
    render(&Crossbar {
        w,
        word: w.k * w.nn * w.lb,
    })
}

pub fn adc(w: &Widths) -> String {
    render(&Adc { w })
}

pub fn accum(w: &Widths) -> String {
    render(&Accum {
        w,
        qext: sext(
            &format!("code[c*{} + {}]", w.aout, w.aout - 1),
            &format!("code[c*{} +: {}]", w.aout, w.aout),
            w.aw - w.aout,
        ),
    })
}
