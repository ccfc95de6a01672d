//! Validation of the raw spec: every bad value is reported at its own location.

use serde_saphyr::Spanned;

use super::*;

pub(super) fn range<T: PartialOrd + Copy + std::fmt::Display>(
    file: &SourceFile,
    s: &Spanned<T>,
    lo: T,
    hi: T,
    what: &str,
) -> Result<T, SourceError> {
    if s.value < lo || s.value > hi {
        return Err(locate(
            file,
            s,
            format!("{what} must be in {lo}..={hi}, got {}", s.value),
        ));
    }
    Ok(s.value)
}

fn finite(file: &SourceFile, s: &Spanned<f64>, what: &str) -> Result<f64, SourceError> {
    if !s.value.is_finite() {
        return Err(locate(file, s, format!("{what} must be a finite number")));
    }
    Ok(s.value)
}

pub(super) fn validate(file: &SourceFile, raw: RawSpec) -> Result<LsmDesign, SourceError> {
    let name = raw.name.value.clone();
    let ident = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if !ident {
        return Err(locate(
            file,
            &raw.name,
            format!("name `{name}` must be an identifier (letters, digits, _)"),
        ));
    }
    let l = raw.lsm;
    let inputs = range(file, &l.inputs, 1, 4096, "lsm.inputs")? as usize;
    let neurons = range(file, &l.neurons, 1, 4096, "lsm.neurons")? as usize;
    let p = finite(file, &l.recurrent_probability, "lsm.recurrent_probability")?;
    let recurrent_probability = range(
        file,
        &l.recurrent_probability,
        0.0,
        1.0,
        "lsm.recurrent_probability",
    )
    .map(|_| p)?;
    let weight_bits = range(file, &l.weight_bits, 2, 8, "lsm.weight_bits")?;
    let conductance = conductance(file, &l.conductance)?;
    let (threshold, leak, frac_bits, membrane_bits) = lif(file, &l.lif)?;
    let q = (1u32 << (weight_bits - 1)) - 1;
    let frac_bits = frac_bits.unwrap_or_else(|| membrane_frac_bits(threshold, q, leak.effective()));
    let membrane_bits = membrane_bits.unwrap_or_else(|| {
        let theta = threshold * q as f64 * (1u64 << frac_bits) as f64;
        (bits_for((4.0 * theta).ceil() as u64) + 1).clamp(16, 32)
    });
    let time_steps = range(file, &l.time_steps, 1, 65535, "lsm.time_steps")? as usize;
    let adc_bits = range(file, &l.adc.bits, 2, 16, "lsm.adc.bits")?;
    let rows = (inputs + neurons) as u64;
    let rows_per_cycle = range(
        file,
        &l.adc.rows_per_cycle,
        1,
        rows.min(64),
        "lsm.adc.rows_per_cycle",
    )? as usize;
    let (input, step_us) = input(file, &l.input, &l.inputs)?;
    if let (Some(step), Some(s)) = (step_us, &l.input.step_us) {
        // Event times are whole microseconds: a sample must span at least one.
        if step * (time_steps as f64) < 1.0 {
            return Err(locate(
                file,
                s,
                format!(
                    "input.step_us × lsm.time_steps = {} µs: a sample must span at least 1 µs \
                     (event times are whole microseconds)",
                    step * time_steps as f64
                ),
            ));
        }
    }
    let readout = match &l.readout {
        None => None,
        Some(r) => Some(readout::validate(file, r, neurons, time_steps)?),
    };
    let mut design = LsmDesign {
        name,
        inputs,
        neurons,
        recurrent_probability,
        weight_bits,
        conductance,
        threshold,
        leak,
        frac_bits,
        membrane_bits,
        time_steps,
        adc_bits,
        rows_per_cycle,
        input,
        step_us,
        readout,
        energy: energy(file, l.energy.as_ref(), adc_bits)?,
        margins: MarginSettings::default(),
    };
    let (_, vmax) = design.membrane_limits();
    if design.threshold_code() >= vmax {
        return Err(locate(
            file,
            &l.lif.threshold,
            format!(
                "threshold {} is {} in membrane units, beyond the {}-bit membrane (max {vmax}); raise lif.membrane_bits",
                design.threshold,
                design.threshold_code(),
                design.membrane_bits
            ),
        ));
    }
    design.margins = margins(file, raw.margins.as_ref(), &design)?;
    Ok(design)
}

fn conductance(file: &SourceFile, c: &RawConductance) -> Result<Conductance, SourceError> {
    let g_min = finite(file, &c.g_min_us, "g_min_us")?;
    let g_max = finite(file, &c.g_max_us, "g_max_us")?;
    let mean = finite(file, &c.mean_us, "mean_us")?;
    let sigma = finite(file, &c.sigma_us, "sigma_us")?;
    if g_min < 0.0 {
        return Err(locate(file, &c.g_min_us, "g_min_us must be ≥ 0 µS"));
    }
    if g_min >= g_max {
        return Err(locate(
            file,
            &c.g_min_us,
            format!("g_min_us ({g_min}) must be below g_max_us ({g_max})"),
        ));
    }
    if sigma < 0.0 {
        return Err(locate(file, &c.sigma_us, "sigma_us must be ≥ 0 µS"));
    }
    let sparsity = match &c.sparsity {
        None => 0.0,
        Some(s) => {
            finite(file, s, "sparsity")?;
            range(file, s, 0.0, 1.0, "conductance.sparsity")?
        }
    };
    Ok(Conductance {
        g_min_us: g_min,
        g_max_us: g_max,
        mean_us: mean,
        sigma_us: sigma,
        differential: c.differential,
        sparsity,
        seed: c.seed,
    })
}

fn lif(
    file: &SourceFile,
    l: &RawLif,
) -> Result<(f64, Leak, Option<u32>, Option<u32>), SourceError> {
    let threshold = finite(file, &l.threshold, "lif.threshold")?;
    if threshold <= 0.0 {
        return Err(locate(file, &l.threshold, "lif.threshold must be > 0"));
    }
    let lk = &l.leak.value;
    let leak = match (&lk.multiply, &lk.shift) {
        (Some(m), None) => {
            let factor = finite(file, m, "leak.multiply")?;
            if !(factor > 0.0 && factor <= 1.0) {
                return Err(locate(file, m, "leak.multiply must be in (0, 1]"));
            }
            let frac_bits = match &lk.frac_bits {
                None => leak_frac_bits(factor),
                Some(f) => range(file, f, 1, 16, "leak.frac_bits")?,
            };
            let code = leak_code(factor, frac_bits);
            Leak::Multiply {
                factor,
                code,
                frac_bits,
            }
        }
        (None, Some(s)) => {
            if let Some(f) = &lk.frac_bits {
                return Err(locate(file, f, "leak.frac_bits only applies to `multiply`"));
            }
            Leak::Shift {
                shift: range(file, s, 1, 7, "leak.shift")?,
            }
        }
        _ => {
            return Err(locate(
                file,
                &l.leak,
                "leak needs exactly one of `multiply: <factor>` or `shift: <bits>`",
            ))
        }
    };
    let frac_bits = match &l.frac_bits {
        None => None,
        Some(f) => Some(range(file, f, 0, 12, "lif.frac_bits")?),
    };
    let membrane_bits = match &l.membrane_bits {
        None => None,
        Some(m) => Some(range(file, m, 8, 32, "lif.membrane_bits")?),
    };
    Ok((threshold, leak, frac_bits, membrane_bits))
}

/// Relative accuracy the fixed-point constants must reach when their fraction bits are
/// left to nmgen: 0.1 %.
pub const CONSTANT_TOLERANCE: f64 = 1e-3;

/// `round(factor · 2^frac_bits)`.
pub fn leak_code(factor: f64, frac_bits: u32) -> u32 {
    (factor * (1u64 << frac_bits) as f64).round() as u32
}

/// The fewest leak fraction bits (8 at least, 16 at most) whose code puts the leak's time
/// constant `1/(1 − λ)` within [`CONSTANT_TOLERANCE`] (so λ itself within 0.1 % of
/// `1 − λ`; a membrane's steady state scales with `1/(1 − λ)`, so this is what the spike
/// counts feel): 1843/2048 for 0.9, 3973/4096 for 0.97.
pub fn leak_frac_bits(factor: f64) -> u32 {
    (8..=16)
        .find(|&f| {
            let eff = leak_code(factor, f) as f64 / (1u64 << f) as f64;
            (eff - factor).abs() <= CONSTANT_TOLERANCE * (1.0 - factor).max(1e-6)
        })
        .unwrap_or(16)
}

/// The fewest membrane fraction bits (4 at least, 12 at most) that put the threshold code
/// `round(threshold · Q · 2^frac_bits)` within [`CONSTANT_TOLERANCE`] of its value and keep
/// the bias of the leak's rounding toward zero (half a membrane LSB per step on average,
/// `2^−frac_bits / (2·(1 − λ))` weight LSBs in steady state) within the same fraction of
/// the threshold.
pub fn membrane_frac_bits(threshold: f64, q: u32, leak: f64) -> u32 {
    (4..=12)
        .find(|&f| {
            let scale = (1u64 << f) as f64;
            let exact = threshold * q as f64 * scale;
            let bias = 0.5 / scale / (1.0 - leak).max(1e-6);
            (exact.round() - exact).abs() <= CONSTANT_TOLERANCE * exact
                && bias <= CONSTANT_TOLERANCE * threshold * q as f64
        })
        .unwrap_or(12)
}

fn input(
    file: &SourceFile,
    i: &RawInput,
    inputs: &Spanned<u64>,
) -> Result<(InputMap, Option<f64>), SourceError> {
    let step_us = match &i.step_us {
        None => None,
        Some(s) => {
            let v = finite(file, s, "input.step_us")?;
            if v <= 0.0 {
                return Err(locate(file, s, "input.step_us must be > 0"));
            }
            Some(v)
        }
    };
    let map = match i.kind.value {
        RawInputKind::Pixels => {
            let sensor = i.sensor.as_ref().ok_or_else(|| {
                locate(
                    file,
                    &i.kind,
                    "kind: pixels needs `sensor: [width, height]`",
                )
            })?;
            let crop = i.crop.as_ref().ok_or_else(|| {
                locate(
                    file,
                    &i.kind,
                    "kind: pixels needs `crop: {x, y, width, height}`",
                )
            })?;
            if let Some(ch) = &i.channels {
                return Err(locate(file, ch, "`channels` applies to kind: channels"));
            }
            let [sw, sh] = sensor.value;
            let c = crop.value;
            // in u64: `x + width` of two u32 must not wrap (x: 4294967295 is not a fit)
            let (x_end, y_end) = (c.x as u64 + c.width as u64, c.y as u64 + c.height as u64);
            if c.width == 0 || c.height == 0 || x_end > sw as u64 || y_end > sh as u64 {
                return Err(locate(
                    file,
                    crop,
                    format!(
                        "crop {}x{} at ({}, {}) does not fit the {sw}x{sh} sensor",
                        c.width, c.height, c.x, c.y
                    ),
                ));
            }
            InputMap::Pixels {
                sensor_width: sw,
                sensor_height: sh,
                crop_x: c.x,
                crop_y: c.y,
                crop_width: c.width,
                crop_height: c.height,
                polarity: i.polarity.unwrap_or(Polarity::On),
            }
        }
        RawInputKind::Channels => {
            let ch = i
                .channels
                .as_ref()
                .ok_or_else(|| locate(file, &i.kind, "kind: channels needs `channels: <count>`"))?;
            if let Some(s) = &i.sensor {
                return Err(locate(file, s, "`sensor` applies to kind: pixels"));
            }
            if let Some(s) = &i.crop {
                return Err(locate(file, s, "`crop` applies to kind: pixels"));
            }
            InputMap::Channels {
                channels: range(file, ch, 1, 4096, "input.channels")?,
            }
        }
    };
    let lines = match map {
        InputMap::Pixels {
            crop_width,
            crop_height,
            ..
        } => crop_width as u64 * crop_height as u64,
        InputMap::Channels { channels } => channels as u64,
    };
    if lines != inputs.value {
        return Err(locate(
            file,
            inputs,
            format!(
                "lsm.inputs is {} but the input mapping gives {lines} input lines",
                inputs.value
            ),
        ));
    }
    Ok((map, step_us))
}

/// `lsm.energy`: the documented defaults, each overridable by a positive number.
fn energy(
    file: &SourceFile,
    e: Option<&RawEnergy>,
    adc_bits: u32,
) -> Result<EnergyModel, SourceError> {
    let mut m = EnergyModel::defaults(adc_bits);
    let Some(e) = e else { return Ok(m) };
    for (field, slot, name) in [
        (&e.read_voltage_v, &mut m.read_voltage_v, "read_voltage_v"),
        (&e.read_pulse_ns, &mut m.read_pulse_ns, "read_pulse_ns"),
        (
            &e.adc_conversion_pj,
            &mut m.adc_conversion_pj,
            "adc_conversion_pj",
        ),
        (&e.add_pj, &mut m.add_pj, "add_pj"),
        (&e.multiply_pj, &mut m.multiply_pj, "multiply_pj"),
        (&e.mac_pj, &mut m.mac_pj, "mac_pj"),
    ] {
        if let Some(v) = field {
            let x = finite(file, v, &format!("energy.{name}"))?;
            if x < 0.0 {
                return Err(locate(
                    file,
                    v,
                    format!("energy.{name} must be ≥ 0, got {x}"),
                ));
            }
            *slot = x;
        }
    }
    Ok(m)
}

fn margins(
    file: &SourceFile,
    m: Option<&RawMargins>,
    d: &LsmDesign,
) -> Result<MarginSettings, SourceError> {
    let mut s = MarginSettings::for_design(d);
    let Some(m) = m else { return Ok(s) };
    if let Some(sig) = &m.sigmas_us {
        if sig.value.is_empty() || sig.value.iter().any(|v| !v.is_finite() || *v < 0.0) {
            return Err(locate(
                file,
                sig,
                "margins.sigmas_us must be a non-empty list of sigmas ≥ 0 µS",
            ));
        }
        s.sigmas_us = sig.value.clone();
    }
    if let Some(v) = &m.seeds {
        s.seeds = range(file, v, 1, 10_000, "margins.seeds")?;
    }
    if let Some(v) = &m.samples_per_class {
        s.samples_per_class = range(file, v, 1, 10_000, "margins.samples_per_class")?;
    }
    if let Some(v) = &m.classes {
        let max = if d.classes() > 0 {
            d.classes() as u32
        } else {
            256
        };
        s.classes = range(file, v, 2, max, "margins.classes")?;
    }
    if let Some(v) = m.seed {
        s.seed = v;
    }
    Ok(s)
}
