//! JoSIM netlist writer.
