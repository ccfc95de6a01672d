//! `nmgen build` for an LSM spec: RTL, `$readmemh` weight images, a self-checking
//! testbench with a demo stimulus, a weight table and a design report.

use std::path::PathBuf;

use super::events::{bin_events, SpikeTrain};
use super::float_rule::agreement;
use super::model::run_sample;
use super::rtl::{expect_files, rtl_files, testbench, Widths};
use super::spec::{LsmDesign, ReadoutWeights};
use super::synth::{synthetic_events, SyntheticSettings};
use super::weights::{adc_can_clip, draw_weights, partial_sum_range, readmemh_levels, Weights};
use super::{Artifact, LsmError};

/// The readout weights the RTL is built with: trained ones from the spec, else zeros.
pub fn readout_of(design: &LsmDesign) -> Option<ReadoutWeights> {
    design.readout.as_ref().map(|r| r.weights(design.neurons))
}

/// Memory images shared by `build` and `simulate`: `(file name, bytes)`.
pub fn memory_images(design: &LsmDesign, weights: &Weights) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        (
            "gpos.hex".to_string(),
            readmemh_levels(design, &weights.level_pos),
        ),
        (
            "gneg.hex".to_string(),
            readmemh_levels(design, &weights.level_neg),
        ),
    ];
    if let Some(r) = readout_of(design) {
        files.extend(r.memory_images());
    }
    files
}

/// All Verilog sources including the testbench: `(file name, text)`.
pub fn verilog_sources(design: &LsmDesign) -> Vec<(String, String)> {
    let mut files = rtl_files(design);
    files.push(("lsm_tb.v".to_string(), testbench(design)));
    files
}

/// Generates every build output in memory (paths relative to the output directory).
pub fn build(design: &LsmDesign) -> Result<Vec<Artifact>, LsmError> {
    let weights = draw_weights(design);
    let mut out: Vec<Artifact> = Vec::new();
    let sources = verilog_sources(design);
    let mut list = String::new();
    for (name, text) in &sources {
        list.push_str(name);
        list.push('\n');
        out.push((PathBuf::from(name), text.clone().into_bytes()));
    }
    for (name, bytes) in memory_images(design, &weights) {
        out.push((PathBuf::from(name), bytes));
    }
    // A demo stimulus so the testbench runs out of the box.
    let demo = synthetic_events(
        design,
        &SyntheticSettings::new(2, 1, design.conductance.seed ^ 0xD3),
    );
    let trains: Vec<_> = demo.samples.iter().map(|s| bin_events(design, s)).collect();
    let rasters: Vec<_> = trains
        .iter()
        .map(|t| run_sample(design, &weights, t))
        .collect();
    let readout = readout_of(design);
    let classes: Vec<usize> = rasters
        .iter()
        .map(|r| readout.as_ref().map_or(0, |ro| ro.classify(&r.counts)))
        .collect();
    for (name, bytes) in expect_files(design, &trains, &rasters, &classes) {
        out.push((PathBuf::from(name), bytes));
    }
    out.push((
        PathBuf::from("demo_events.csv"),
        super::events::write_csv(&demo),
    ));
    out.push((PathBuf::from("files.f"), list.into_bytes()));
    let beats: usize = trains.iter().map(|t| t.steps.len()).sum();
    out.push((
        PathBuf::from("run_verilator.sh"),
        run_script(beats, trains.len()).into_bytes(),
    ));
    out.push((PathBuf::from("weights.csv"), weights.to_csv(design.inputs)));
    out.push((
        PathBuf::from(format!("{}_report.txt", design.name)),
        report(design, &weights, &trains).into_bytes(),
    ));
    Ok(out)
}

fn run_script(beats: usize, samples: usize) -> String {
    format!(
        "#!/bin/sh\n# Lint, build and run the self-checking testbench with Verilator (run from this directory).\nset -e\nverilator --lint-only -Wall --top-module lsm_top $(grep -v lsm_tb.v files.f)\nverilator --binary --timing --trace -Wno-fatal --top-module lsm_tb -Mdir obj_dir $(cat files.f)\n./obj_dir/Vlsm_tb +beats={beats} +samples={samples} +dumpfile=lsm.vcd\n# outputs in lsm_out.txt, waveform in lsm.vcd (GTKWave)\n"
    )
}

/// A plain-text summary of the generated macro; `demo` is the stimulus the fixed-point
/// agreement with the float rule is measured on.
pub fn report(design: &LsmDesign, weights: &Weights, demo: &[SpikeTrain]) -> String {
    let w = Widths::of(design);
    let cells = weights.rows * weights.cols * 2;
    let formed = weights.formed.iter().filter(|&&f| f).count();
    let mut s = String::new();
    s.push_str(&format!("LSM macro {}\n", design.name));
    s.push_str(&format!(
        "crossbar          {} rows ({} inputs + {} reservoir) x {} columns, {} devices ({} differential pairs)\n",
        weights.rows, design.inputs, design.neurons, design.neurons, cells, cells / 2
    ));
    s.push_str(&format!(
        "formed synapses   {formed} ({:.1}%), non-zero weights {:.1}%\n",
        100.0 * formed as f64 / weights.code.len().max(1) as f64,
        100.0 * weights.density()
    ));
    s.push_str(&format!(
        "weights           {}-bit signed codes (level+ - level-, {} levels per device), g_step {:.3} uS\n",
        design.weight_bits,
        design.q() + 1,
        (design.conductance.g_max_us - design.conductance.g_min_us) / design.q() as f64
    ));
    s.push_str(&format!(
        "read              {} word lines per cycle, {} row groups per step, ADC {} bits ({} effective, partial sums {} bits)\n",
        w.k, w.g, design.adc_bits, w.aout, w.pw
    ));
    let (lo, hi) = partial_sum_range(design, weights);
    let (amin, amax) = design.adc_limits();
    s.push_str(&if adc_can_clip(design, weights) {
        format!(
            "ADC               exercised: partial sums of these weights span {lo}..{hi}, beyond the {}-bit rails {amin}..{amax}; saturation logic kept\n",
            design.adc_bits
        )
    } else {
        format!(
            "ADC               removed: partial sums of these weights span {lo}..{hi}, within the {}-bit rails {amin}..{amax}, so it cannot clip; saturation logic left out\n",
            design.adc_bits
        )
    });
    let exact_theta = design.threshold * design.q() as f64 * (1u64 << design.frac_bits) as f64;
    s.push_str(&format!(
        "membrane          {} bits, {} fractional, threshold {} -> code {} ({:+.3} %)\n",
        w.vw,
        w.f,
        design.threshold,
        w.theta,
        100.0 * (w.theta as f64 - exact_theta) / exact_theta
    ));
    let (code, lf) = design.leak.multiplier();
    s.push_str(&format!(
        "leak              {} -> {code}/2^{lf} = {:.6} ({:+.3} %), rounded toward zero\n",
        design.leak.factor(),
        design.leak.effective(),
        100.0 * (design.leak.effective() - design.leak.factor()) / design.leak.factor()
    ));
    s.push_str(&ppa(design, weights, demo));
    let a = agreement(design, weights, demo);
    s.push_str(&format!(
        "float rule        {:.2} % of {} spike decisions agree with the float LIF rule on the demo stimulus, spikes {} vs {} ({:+.2} %)\n",
        100.0 * a.fraction(),
        a.decisions,
        a.spikes_fixed,
        a.spikes_float,
        100.0 * (a.spikes_fixed as f64 - a.spikes_float as f64) / a.spikes_float.max(1) as f64
    ));
    s.push_str(&format!(
        "accumulators      {} bits; spike counters {} bits\n",
        w.aw, w.cw
    ));
    s.push_str(&format!(
        "latency           {} cycles per time step (1 accept + {} reads + 1 update), {} steps per sample\n",
        w.g + 2,
        w.g,
        design.time_steps
    ));
    if let Some(r) = &design.readout {
        let state = if r.trained.is_some() {
            "trained"
        } else {
            "untrained (all-zero weights)"
        };
        s.push_str(&if r.hidden == 0 {
            format!(
                "readout           {} classes, int8 weights, {} MAC unit(s): {} cycles ({} block(s) x {} neurons) + {} argmax cycles, {state}\n",
                r.classes,
                r.mac_units,
                r.blocks() as usize * design.neurons,
                r.blocks(),
                design.neurons,
                r.classes,
            )
        } else {
            format!(
                "readout           MLP {} neurons -> {} hidden ReLUs -> {} classes, int8 weights, {} MAC unit(s): layer 1 {} cycles ({} block(s) x {} neurons) + layer 2 {} cycles ({} block(s) x {} hidden) + {} argmax cycles, {state}\n",
                design.neurons,
                r.hidden,
                r.classes,
                r.mac_units,
                r.hidden_blocks() as usize * design.neurons,
                r.hidden_blocks(),
                design.neurons,
                r.blocks() as usize * r.hidden as usize,
                r.blocks(),
                r.hidden,
                r.classes,
            )
        });
    }
    s
}

/// The PPA part of the report: devices, macro fit, cycles, and per-sample activity of the
/// model run on `demo`.
fn ppa(design: &LsmDesign, weights: &Weights, demo: &[SpikeTrain]) -> String {
    let w = Widths::of(design);
    let formed = weights.formed.iter().filter(|&&f| f).count();
    let pairs = weights.rows * weights.cols;
    let macro_rows = weights.rows.div_ceil(MACRO);
    let macro_cols = (weights.cols * 2).div_ceil(MACRO);
    let step_cycles = w.g + 2;
    let readback = design.neurons;
    let readout = design
        .readout
        .as_ref()
        .map_or(0, |r| r.cycles(design.neurons));
    let sample_cycles = design.time_steps * step_cycles + readback + readout + 1;
    let runs: Vec<_> = demo
        .iter()
        .map(|t| run_sample(design, weights, t))
        .collect();
    let n = runs.len().max(1) as f64;
    let conv: u64 = runs.iter().map(|r| r.adc_conversions).sum();
    let wl: usize = runs
        .iter()
        .map(|r| r.active_rows.iter().sum::<usize>())
        .sum();
    let energy = super::energy::energy(design, weights, demo, &runs);
    let regs = design.neurons * (w.vw + 1 + w.aw + w.cw);
    // Weights, biases and 32-bit accumulators of each layer (plus the 5-bit shift).
    let ro_bits = match &design.readout {
        None => 0,
        Some(r) if r.hidden == 0 => design.classes() * (design.neurons * 8 + 32 + 32),
        Some(r) => {
            let h = r.hidden as usize;
            h * (design.neurons * 8 + 32 + 32) + design.classes() * (h * 8 + 32 + 32) + 5
        }
    };
    let mut s = format!(
        "devices           {} cells: {} formed pairs ({} devices), {} unformed pairs left at g_min\n\
         macro fit         {} x {} array of 512x512 macros ({} rows x {} device columns, G+ and G- side by side)\n\
         cycles            {step_cycles} per time step, {sample_cycles} per sample ({} steps + {readback} read-back + {readout} readout + 1 clear)\n\
         activity/sample   {:.0} ADC conversions, {:.0} word-line activations (model run on the demo stimulus)\n\
         storage bits      {regs} neuron registers (membrane, spike, accumulator, counter), {} crossbar level bits, {ro_bits} readout memory bits\n",
        2 * pairs,
        formed,
        2 * formed,
        pairs - formed,
        macro_rows,
        macro_cols,
        weights.rows,
        weights.cols * 2,
        design.time_steps,
        conv as f64 / n,
        wl as f64 / n,
        2 * pairs * w.lb,
    );
    s.push_str(&super::energy::report_lines(design, &energy));
    s
}

/// Side of the resistive-memory macro the crossbar is tiled onto (rows and columns).
const MACRO: usize = 512;
