//! The built-in JoSIM-compatible transient simulator.
