//! SVG plots: pulse raster and waveform plots of reference data.

use std::path::PathBuf;

use nmgen::analysis::plot::{plot_raster, plot_waveforms, WaveformPlot};
use nmgen::analysis::{read_josim_csv, PulseTimes, SlipOptions};

/// The text labels of an SVG, trimmed.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim().to_string())
        })
        .collect()
}

fn dff() -> nmgen::analysis::Traces {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/josim-reference/cases/coldflux_tb_DFF.csv"
    ));
    read_josim_csv(&path).unwrap()
}

#[test]
fn raster_of_the_dff() {
    let traces = dff();
    let pulses = PulseTimes::from_traces(
        &traces,
        &[
            ("a", "P(B1|XDUT)"),
            ("clk", "P(B5|XDUT)"),
            ("q", "P(B1|XLOADOUTQ)"),
        ],
        &SlipOptions::default(),
    )
    .unwrap();
    let svg = plot_raster(&pulses, "DFF pulses", Some(1e-9)).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    let labels = texts(&svg);
    for label in ["DFF pulses", "time (ps)", "a", "clk", "q", "1000"] {
        assert!(
            labels.iter().any(|l| l == label),
            "missing {label} in {labels:?}"
        );
    }
    // One tick per pulse: 7 + 10 + 5 polylines of two points at the pulse times.
    let ticks = svg.matches("<polyline").count();
    assert!(ticks >= 22, "{ticks}");
    assert_eq!(svg, plot_raster(&pulses, "DFF pulses", Some(1e-9)).unwrap());
}

#[test]
fn waveform_plot_with_legend() {
    let traces = dff();
    let plot = WaveformPlot {
        title: "DFF phases".into(),
        columns: vec!["P(B5|XDUT)".into(), "P(B1|XLOADOUTQ)".into()],
        window: Some((0.0, 400e-12)),
    };
    let svg = plot_waveforms(&traces, &plot).unwrap();
    let labels = texts(&svg);
    for label in [
        "DFF phases",
        "time (ps)",
        "phase (rad)",
        "P(B5|XDUT)",
        "P(B1|XLOADOUTQ)",
    ] {
        assert!(
            labels.iter().any(|l| l == label),
            "missing {label} in {labels:?}"
        );
    }
    let currents = WaveformPlot {
        title: "input current".into(),
        columns: vec!["I(L1|XDUT)".into()],
        window: None,
    };
    assert!(plot_waveforms(&traces, &currents)
        .unwrap()
        .contains("current (µA)"));
    let missing = WaveformPlot {
        columns: vec!["P(B99)".into()],
        ..plot
    };
    assert!(plot_waveforms(&traces, &missing)
        .unwrap_err()
        .to_string()
        .contains("P(B99)"));
}
