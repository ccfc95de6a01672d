//! Resistive-memory liquid state machine macro: weights, RTL, bit-accurate model.
