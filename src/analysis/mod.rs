//! Waveform analysis, checks and margins.
