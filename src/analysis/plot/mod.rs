//! SVG plots for designers: pulse rasters, waveforms, margin bars, shmoo maps.
//! All are drawn with plotters' SVG backend into a `String`; same input, same bytes.

mod raster;
mod waveform;

pub use raster::plot_raster;
pub use waveform::{plot_waveforms, WaveformPlot};

use super::AnalysisError;

/// Maps any plotters drawing error into ours.
pub(crate) fn draw_err<E: std::fmt::Display>(e: E) -> AnalysisError {
    AnalysisError::Plot(e.to_string())
}

/// A round upper end for a time axis in ps (at least `min`).
pub(crate) fn nice_ceiling(x: f64) -> f64 {
    if !(x.is_finite() && x > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(x.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * mag >= x {
            return m * mag;
        }
    }
    10.0 * mag
}

/// Axis tick labels with as many decimals as a span of `span` needs.
pub(crate) fn tick_formatter(span: f64) -> impl Fn(&f64) -> String {
    let decimals = if span >= 50.0 {
        0
    } else if span >= 5.0 {
        1
    } else {
        2
    };
    move |x: &f64| format!("{x:.decimals$}")
}

/// Font family used in every plot.
pub(crate) const FONT: &str = "sans-serif";
