//! JoSIM netlist front end: reads JoSIM's dialect into a [`crate::circuit::Circuit`].
