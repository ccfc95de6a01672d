//! The model as first written: the plain transcription of the macro's step (row by row into
//! an `i32` partial sum per row group, every group through the ADC, `i64` accumulators, the
//! leak as a division). [`super::model`] is the fast version; this one stays as the
//! reference it is checked against (`tests/it/lsm_model.rs`) and as the "before" of
//! `cargo bench --bench lsm`.

use super::events::SpikeTrain;
use super::model::{leak, Raster};
use super::spec::LsmDesign;
use super::weights::Weights;

/// One time step of the reference model; `v`, `s`, `counts` are the reservoir state.
#[allow(clippy::too_many_arguments)]
fn step(
    d: &LsmDesign,
    weights: &Weights,
    x: &[bool],
    v: &mut [i64],
    s: &mut [bool],
    counts: &mut [u32],
    raster: &mut Raster,
) -> usize {
    let n = d.neurons;
    let k = d.rows_per_cycle;
    let mut active: Vec<usize> = x
        .iter()
        .enumerate()
        .filter(|(_, &b)| b)
        .map(|(i, _)| i)
        .collect();
    active.extend(
        s.iter()
            .enumerate()
            .filter(|(_, &b)| b)
            .map(|(i, _)| d.inputs + i),
    );
    let mut acc = vec![0i64; n];
    let mut partial = vec![0i32; n];
    let (amin, amax) = d.adc_limits();
    let mut i = 0;
    while i < active.len() {
        let group = active[i] / k;
        partial.fill(0);
        while i < active.len() && active[i] / k == group {
            let row = &weights.code[active[i] * n..(active[i] + 1) * n];
            for (p, &w) in partial.iter_mut().zip(row) {
                *p += w as i32;
            }
            raster.synaptic_events += n as u64;
            i += 1;
        }
        for (a, &p) in acc.iter_mut().zip(&partial) {
            let q = p.clamp(amin, amax);
            raster.adc_clips += u64::from(q != p);
            *a += q as i64;
        }
        raster.adc_conversions += n as u64;
    }
    let (vmin, vmax) = d.membrane_limits();
    let theta = d.threshold_code();
    let cmax = (1u32 << d.count_bits()) - 1;
    for j in 0..n {
        let leaked = if s[j] { 0 } else { leak(d.leak, v[j]) };
        v[j] = (leaked + (acc[j] << d.frac_bits)).clamp(vmin, vmax);
        s[j] = v[j] > theta;
        if s[j] && counts[j] < cmax {
            counts[j] += 1;
        }
    }
    active.len()
}

/// Runs one sample from a cleared state (the reference of [`super::model::run_sample`]).
pub fn run_sample(design: &LsmDesign, weights: &Weights, train: &SpikeTrain) -> Raster {
    let n = design.neurons;
    let (mut v, mut s, mut counts) = (vec![0i64; n], vec![false; n], vec![0u32; n]);
    let mut raster = Raster::default();
    for x in &train.steps {
        let active = step(design, weights, x, &mut v, &mut s, &mut counts, &mut raster);
        raster.active_rows.push(active);
        raster.spikes.push(s.clone());
        raster.membrane.push(v.clone());
    }
    raster.counts = counts;
    raster
}
