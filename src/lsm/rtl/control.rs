//! The controller FSM and the top level (templates `templates/lsm/{ctrl,top}.v`).

use askama::Template;

use super::{render, Widths};

#[derive(Template)]
#[template(path = "lsm/ctrl.v", syntax = "verilog")]
struct Ctrl<'a> {
    w: &'a Widths,
    /// The design has a readout (states `S_MAC`, `S_ARG`).
    ro: bool,
    /// The readout is an MLP with a hidden layer (state `S_MAC2` for layer 2).
    mlp: bool,
}

#[derive(Template)]
#[template(path = "lsm/top.v", syntax = "verilog")]
struct Top<'a> {
    w: &'a Widths,
    ro: bool,
    mlp: bool,
    /// The design's name (in the header comment).
    name: &'a str,
}

pub fn ctrl(w: &Widths) -> String {
    render(&Ctrl {
        w,
        ro: w.nc > 0,
        mlp: w.nh > 0,
    })
}

pub fn top(w: &Widths, name: &str) -> String {
    render(&Top {
        w,
        ro: w.nc > 0,
        mlp: w.nh > 0,
        name,
    })
}
