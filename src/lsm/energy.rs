//! Energy per inference from counted events × per-event energies.
//!
//! The bit-accurate model counts, per sample: the resistive devices on the driven word
//! lines of every row-group read (each conducts `V_read²·G·t_read`), the ADC conversions
//! (column reads of groups with at least one driven word line), the accumulator additions
//! (one per conversion), the LIF updates (every neuron, every time step: one leak
//! multiply and one add) and the readout's multiply-accumulates (every MAC unit, every
//! readout cycle of both layers). Each is multiplied by a per-event energy from the spec's
//! `lsm.energy` (defaults and their sources in docs/lsm.md and on [`EnergyModel`]).
//! Not modelled: word-line drivers, clock tree, registers, leakage.

use super::events::SpikeTrain;
use super::model::Raster;
use super::spec::LsmDesign;
use super::weights::Weights;

/// Per-event energies (spec `lsm.energy`; every field optional).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EnergyModel {
    /// Read voltage across a device on a driven word line (V). Default 0.2 V: an
    /// assumption, a read voltage well below RRAM set/reset thresholds.
    pub read_voltage_v: f64,
    /// Read pulse width (ns). Default 10 ns: an assumption, one 100 MHz read cycle.
    pub read_pulse_ns: f64,
    /// One ADC conversion (pJ). Default `0.02 pJ × 2^adc.bits`: a Walden figure of merit
    /// of 20 fJ/conversion-step, an assumption typical of SAR ADCs in 28–65 nm CMOS
    /// (B. Murmann, "ADC Performance Survey 1997–2024").
    pub adc_conversion_pj: f64,
    /// One accumulator or membrane addition (pJ). Default 0.1 pJ: a 32-bit integer add
    /// at 45 nm (M. Horowitz, "Computing's energy problem", ISSCC 2014).
    pub add_pj: f64,
    /// One leak multiplication (pJ). Default 3.1 pJ: a 32-bit integer multiply at 45 nm
    /// (Horowitz 2014), an upper bound for the narrower membrane.
    pub multiply_pj: f64,
    /// One readout multiply-accumulate (pJ). Default 0.3 pJ: an 8-bit multiply (0.2 pJ)
    /// and a 32-bit add (0.1 pJ) at 45 nm (Horowitz 2014).
    pub mac_pj: f64,
}

impl EnergyModel {
    /// The documented defaults for a design with `adc_bits`-bit ADCs.
    pub fn defaults(adc_bits: u32) -> EnergyModel {
        EnergyModel {
            read_voltage_v: 0.2,
            read_pulse_ns: 10.0,
            adc_conversion_pj: 0.02 * (1u64 << adc_bits) as f64,
            add_pj: 0.1,
            multiply_pj: 3.1,
            mac_pj: 0.3,
        }
    }
}

/// Events of one average sample and their energies.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EnergyReport {
    /// Device reads (G+ and G− count separately) and their energy (pJ).
    pub device_reads: f64,
    pub crossbar_pj: f64,
    pub adc_conversions: f64,
    pub adc_pj: f64,
    /// Accumulator additions (one per conversion).
    pub accumulate_pj: f64,
    pub lif_updates: f64,
    pub lif_pj: f64,
    pub macs: f64,
    pub readout_pj: f64,
}

impl EnergyReport {
    pub fn total_pj(&self) -> f64 {
        self.crossbar_pj + self.adc_pj + self.accumulate_pj + self.lif_pj + self.readout_pj
    }
}

/// Energy per inference, averaged over the samples `trains` (run by the model into `runs`).
pub fn energy(
    design: &LsmDesign,
    weights: &Weights,
    trains: &[SpikeTrain],
    runs: &[Raster],
) -> EnergyReport {
    let m = &design.energy;
    // Conductance on each word line (µS): every device of the row conducts when it is driven.
    let row_g: Vec<f64> = (0..weights.rows)
        .map(|r| {
            let cells = r * weights.cols..(r + 1) * weights.cols;
            weights.g_pos_us[cells.clone()].iter().sum::<f64>()
                + weights.g_neg_us[cells].iter().sum::<f64>()
        })
        .collect();
    let (mut g_read_us, mut reads) = (0.0, 0.0);
    for (train, run) in trains.iter().zip(runs) {
        for (t, x) in train.steps.iter().enumerate() {
            let inputs = x.iter().enumerate().filter(|(_, &b)| b).map(|(i, _)| i);
            let recurrent = t
                .checked_sub(1)
                .map(|p| &run.spikes[p])
                .into_iter()
                .flat_map(|s| s.iter().enumerate().filter(|(_, &b)| b))
                .map(|(n, _)| design.inputs + n);
            for r in inputs.chain(recurrent) {
                g_read_us += row_g[r];
                reads += 2.0 * weights.cols as f64;
            }
        }
    }
    let n = trains.len().max(1) as f64;
    let conversions = runs.iter().map(|r| r.adc_conversions).sum::<u64>() as f64 / n;
    let steps = trains.iter().map(|t| t.steps.len()).sum::<usize>() as f64 / n;
    let lif_updates = steps * design.neurons as f64;
    let macs = design.readout.as_ref().map_or(0.0, |r| {
        let cycles = if r.hidden == 0 {
            r.blocks() as usize * design.neurons
        } else {
            r.hidden_blocks() as usize * design.neurons + r.blocks() as usize * r.hidden as usize
        };
        (cycles * r.mac_units as usize) as f64
    });
    // µS · V² · ns = 1e-6 · 1e-9 J = 1e-3 pJ.
    let crossbar_pj = g_read_us / n * m.read_voltage_v.powi(2) * m.read_pulse_ns * 1e-3;
    EnergyReport {
        device_reads: reads / n,
        crossbar_pj,
        adc_conversions: conversions,
        adc_pj: conversions * m.adc_conversion_pj,
        accumulate_pj: conversions * m.add_pj,
        lif_updates,
        lif_pj: lif_updates * (m.multiply_pj + m.add_pj),
        macs,
        readout_pj: macs * m.mac_pj,
    }
}

/// The report's energy lines.
pub fn report_lines(design: &LsmDesign, e: &EnergyReport) -> String {
    let m = &design.energy;
    let nj = |pj: f64| pj * 1e-3;
    let mut s = format!(
        "energy/inference  {:.3} nJ per sample (events of the model run on the demo stimulus x per-event energies of lsm.energy, see docs/lsm.md)\n",
        nj(e.total_pj())
    );
    s.push_str(&format!(
        "  crossbar reads  {:.3} nJ: {:.0} device reads at {} V for {} ns (V^2 G t of the programmed conductances)\n",
        nj(e.crossbar_pj),
        e.device_reads,
        m.read_voltage_v,
        m.read_pulse_ns
    ));
    s.push_str(&format!(
        "  ADC             {:.3} nJ: {:.0} conversions x {} pJ\n",
        nj(e.adc_pj),
        e.adc_conversions,
        m.adc_conversion_pj
    ));
    s.push_str(&format!(
        "  accumulators    {:.3} nJ: {:.0} additions x {} pJ\n",
        nj(e.accumulate_pj),
        e.adc_conversions,
        m.add_pj
    ));
    s.push_str(&format!(
        "  LIF updates     {:.3} nJ: {:.0} updates x ({} pJ multiply + {} pJ add)\n",
        nj(e.lif_pj),
        e.lif_updates,
        m.multiply_pj,
        m.add_pj
    ));
    if design.readout.is_some() {
        s.push_str(&format!(
            "  readout         {:.3} nJ: {:.0} multiply-accumulates x {} pJ\n",
            nj(e.readout_pj),
            e.macs,
            m.mac_pj
        ));
    }
    s
}
