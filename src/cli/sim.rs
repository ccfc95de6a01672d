//! `nmgen sim`: a JoSIM netlist to a CSV (and a VCD), or a spec to waveforms (CSV, VCD),
//! pulse rasters and plots.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use nmgen::analysis::plot::{plot_raster, plot_waveforms, WaveformPlot};
use nmgen::analysis::vcd::write_vcd;
use nmgen::analysis::{Progress, PulseTimes, SlipOptions};
use nmgen::engine::{self, Engine, Run};
use nmgen::output::Artifact;
use nmgen::sim::{self, SimOptions};
use nmgen::spec::Design;

use super::engine_args::EngineArgs;
use super::Failure;

/// A JoSIM netlist: simulate and write JoSIM's CSV.
pub fn netlist(
    path: &Path,
    out: &Path,
    args: &EngineArgs,
    seed: Option<u64>,
    vcd: Option<&Path>,
) -> Result<(), Failure> {
    let engine = args.engine()?;
    let traces = match &engine {
        Engine::Builtin { mode } => {
            let report = nmgen::netlist::load_report(path, &BTreeMap::new())?;
            // the first 50: a netlist can warn once per request of a 100,000-request line
            for w in report.warnings.iter().take(50) {
                eprintln!("warning: {w}");
            }
            if report.warnings.len() > 50 {
                eprintln!(
                    "warning: … and {} more warnings",
                    report.warnings.len() - 50
                );
            }
            let steps = report
                .circuit
                .transient
                .map(|t| (t.tstop / t.tstep) as u64)
                .unwrap_or(0);
            let bar = Progress::Auto.bar(steps.max(1), 0, "simulating");
            let bar_cb = bar.clone();
            let options = SimOptions {
                mode: *mode,
                seed,
                apply_spread: true,
                progress: Some(Arc::new(move |done: u64, total: u64| {
                    bar_cb.set_length(total.max(1));
                    bar_cb.set_position(done);
                })),
                stop: None,
            };
            let waves = sim::simulate(&report.circuit, &options).map_err(|e| {
                match nmgen::netlist::locate::sim_error(path, &report.circuit, &e) {
                    Some(located) => Failure::from(located),
                    None => Failure::from(anyhow::Error::from(e)),
                }
            })?;
            bar.finish_and_clear();
            engine::traces(waves)
        }
        Engine::Josim(_) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            nmgen::output::note_input(path);
            let mut run = Run::new(&text, path);
            run.seed = seed;
            engine.simulate(&run).map_err(anyhow::Error::from)?
        }
    };
    let mut files = vec![(out, engine::josim_csv(&traces).into_bytes())];
    if let Some(vcd) = vcd {
        let top = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "netlist".into());
        let bytes =
            write_vcd(&traces, &top, &[], &SlipOptions::default()).context("formatting the VCD")?;
        files.push((vcd, bytes));
    }
    for (file, bytes) in files {
        write_file(file, bytes)?;
    }
    Ok(())
}

fn write_file(out: &Path, bytes: Vec<u8>) -> Result<(), Failure> {
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = out
        .file_name()
        .context("the output must be a file name, e.g. out.csv")?;
    nmgen::output::write_files(dir, &[Artifact::new(name, bytes)])
        .with_context(|| format!("writing {}", out.display()))?;
    println!("wrote {}", out.display());
    Ok(())
}

/// An SFQ spec: build, simulate, write waveforms, pulse raster (CSV + SVG) and plots.
pub fn spec(
    design: &Design,
    path: &Path,
    out: &Path,
    args: &EngineArgs,
    seed: Option<u64>,
    temperature: Option<f64>,
) -> Result<(), Failure> {
    let netlist = nmgen::build::compile(design);
    let engine = args.engine()?;
    let cir_path = path.with_file_name(format!("{}.cir", design.name));
    let mut run = Run::new(&netlist.text, &cir_path);
    run.temperature = temperature;
    run.seed = seed;
    let traces = engine.simulate(&run).map_err(anyhow::Error::from)?;
    let observed = netlist.output_phase_columns();
    let pulses = PulseTimes::from_traces(&traces, &observed, &SlipOptions::default())
        .map_err(anyhow::Error::from)?;
    let tstop = design.technology.tstop;
    let raster = plot_raster(
        &pulses,
        &format!("{}: output pulses ({} engine)", design.name, engine.name()),
        Some(tstop),
    )
    .map_err(anyhow::Error::from)?;
    let columns: Vec<String> = netlist
        .probes
        .iter()
        .filter_map(|p| p.columns.last().map(|c| c.header.clone()))
        .collect();
    let waves = plot_waveforms(
        &traces,
        &WaveformPlot {
            title: format!("{}: output junction phases", design.name),
            columns,
            window: None,
        },
    )
    .map_err(anyhow::Error::from)?;
    for o in &pulses.outputs {
        println!(
            "{:>12}: {} pulse(s){}",
            o.name,
            o.times.len(),
            fmt_times(&o.times)
        );
    }
    let name = &design.name;
    let vcd = write_vcd(&traces, name, &observed, &SlipOptions::default())
        .context("formatting the VCD")?;
    let artifacts = vec![
        Artifact::new(format!("{name}.cir"), netlist.text.clone()),
        Artifact::new(format!("{name}.csv"), engine::josim_csv(&traces)),
        Artifact::new(format!("{name}.pulses.csv"), pulses.to_csv()),
        Artifact::new(format!("{name}.raster.svg"), raster),
        Artifact::new(format!("{name}.waveforms.svg"), waves),
        Artifact::new(format!("{name}.vcd"), vcd),
    ];
    let written = nmgen::output::write_all(out, path, &artifacts).context("writing outputs")?;
    for p in written {
        println!("wrote {}", p.display());
    }
    Ok(())
}

fn fmt_times(times: &[f64]) -> String {
    if times.is_empty() {
        return String::new();
    }
    let shown: Vec<String> = times
        .iter()
        .take(8)
        .map(|t| format!("{:.1}", t * 1e12))
        .collect();
    let more = if times.len() > 8 { ", …" } else { "" };
    format!(" at {}{more} ps", shown.join(", "))
}
