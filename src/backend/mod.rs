//! Back ends: [`josim`] writes a lowered network as a JoSIM netlist.

pub mod josim;
