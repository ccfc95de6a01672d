//! `nmgen report SPEC` and the cost files of `nmgen build`: junctions, bias current,
//! static power; with a simulation, switching energy and latency per inference.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use nmgen::cost::{self, CostReport, DEFAULT_BIAS_VOLTAGE};
use nmgen::output::Artifact;
use nmgen::spec::Design;

use super::engine_args::EngineArgs;
use super::Failure;

#[derive(Args, Debug, Clone)]
pub struct CostArgs {
    /// Bias supply voltage V_b of resistive biasing for the static power
    /// P = V_b·ΣI_b (SFQ specs; `2.5mV`, or volts).
    #[arg(long, value_name = "VOLTAGE", value_parser = voltage)]
    pub bias_voltage: Option<f64>,
}

impl CostArgs {
    fn volts(&self) -> f64 {
        self.bias_voltage.unwrap_or(DEFAULT_BIAS_VOLTAGE)
    }
}

fn voltage(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let number = t
        .strip_suffix('V')
        .or_else(|| t.strip_suffix('v'))
        .unwrap_or(t);
    match nmgen::spec::parse_quantity(number) {
        Some(v) if v > 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!(
            "`{text}` is not a bias voltage: give a positive value such as 2.5mV"
        )),
    }
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// The YAML spec (SFQ).
    pub spec: PathBuf,
    /// Simulate the spec's stimulus once for the switching energy and latency per
    /// inference (done anyway when the spec has checks and a stimulus).
    #[arg(long)]
    pub simulate: bool,
    #[command(flatten)]
    pub cost: CostArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// `<name>.cost.json` and `<name>.cost.txt`: the static cost, written by `nmgen build`.
pub fn artifacts(design: &Design, args: &CostArgs) -> Result<Vec<Artifact>, Failure> {
    let report = cost::static_cost(design, args.volts())?;
    Ok(vec![
        Artifact::new(format!("{}.cost.json", design.name), report.to_json()),
        Artifact::new(format!("{}.cost.txt", design.name), report.to_text()),
    ])
}

pub fn report(design: &Design, args: &ReportArgs) -> Result<(), Failure> {
    let mut report: CostReport = cost::static_cost(design, args.cost.volts())?;
    let stimulus = design.inputs.iter().any(|i| !i.pulses.is_empty());
    if args.simulate || (stimulus && !design.checks.is_empty()) {
        let engine = args.engine.engine()?;
        let switching = cost::count_switching(design, &engine)
            .with_context(|| format!("simulating {} for its switching energy", design.name))?;
        report = report.with_inference(design, &switching, engine.name());
    }
    print!("{}", report.to_text());
    Ok(())
}
