//! Checking `technology:` and filling in the defaults.

use serde_saphyr::Spanned;

use super::design::{JunctionCard, Technology};
use super::located::error_at;
use super::model::TechnologySpec;
use super::quantity::Quantity;
use crate::diagnostic::{SourceError, SourceFile};

/// A value that must be > 0 (and finite).
fn positive(
    file: &SourceFile,
    q: &Option<Spanned<Quantity>>,
    what: &str,
    default: f64,
) -> Result<f64, SourceError> {
    match q {
        None => Ok(default),
        Some(s) if s.value.0.is_finite() && s.value.0 > 0.0 => Ok(s.value.0),
        Some(s) => Err(error_at(
            file,
            s,
            format!(
                "non-physical {what}: {} (it must be greater than zero)",
                s.value.0
            ),
        )),
    }
}

/// The checked technology; `tstop` stays 0 when not given (the stimulus decides it).
pub fn check_technology(
    file: &SourceFile,
    spec: &TechnologySpec,
) -> Result<Technology, SourceError> {
    let d = Technology::defaults();
    let mut junction = JunctionCard::default();
    if let Some(j) = &spec.junction {
        let j = &j.value;
        if let Some(m) = &j.model {
            let ok = m
                .value
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && m.value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ok {
                return Err(super::located::error_at_str(
                    file,
                    m,
                    format!(
                        "`{}` is not a valid model name (letters, digits, `_`)",
                        m.value
                    ),
                ));
            }
            junction.model = m.value.clone();
        }
        if let Some(r) = &j.rtype {
            if !(0..=1).contains(&r.value) {
                return Err(error_at(
                    file,
                    r,
                    format!("rtype must be 0 or 1, not {}", r.value),
                ));
            }
            junction.rtype = r.value;
        }
        junction.vg = positive(file, &j.vg, "gap voltage vg", junction.vg)?;
        junction.cap = positive(file, &j.cap, "junction capacitance cap", junction.cap)?;
        junction.r0 = positive(file, &j.r0, "subgap resistance r0", junction.r0)?;
        junction.rn = positive(file, &j.rn, "normal resistance rn", junction.rn)?;
        junction.icrit = positive(file, &j.icrit, "critical current icrit", junction.icrit)?;
        if j.delv.is_some() {
            junction.delv = Some(positive(file, &j.delv, "gap width delv", 0.0)?);
        }
        if j.icfct.is_some() {
            junction.icfct = Some(positive(file, &j.icfct, "icfct", 0.0)?);
        }
    }
    let bias_fraction = positive(file, &spec.bias_fraction, "bias fraction", d.bias_fraction)?;
    if let Some(b) = &spec.bias_fraction {
        if b.value.0 >= 1.0 {
            return Err(error_at(
                file,
                b,
                format!(
                    "bias fraction {} would bias junctions at or above their critical current",
                    b.value.0
                ),
            ));
        }
    }
    Ok(Technology {
        junction,
        shunt_product: positive(
            file,
            &spec.shunt_product,
            "shunt product Ic·Rs",
            d.shunt_product,
        )?,
        shunt_inductance_per_ohm: match &spec.shunt_inductance_per_ohm {
            Some(s) if s.value.0 >= 0.0 && s.value.0.is_finite() => s.value.0,
            Some(s) => {
                return Err(error_at(
                    file,
                    s,
                    "non-physical shunt inductance: it must not be negative",
                ))
            }
            None => d.shunt_inductance_per_ohm,
        },
        bias_fraction,
        inductance_factor: positive(
            file,
            &spec.inductance_factor,
            "inductance factor",
            d.inductance_factor,
        )?,
        tstep: positive(file, &spec.tstep, "time step tstep", d.tstep)?,
        tstop: positive(file, &spec.tstop, "stop time tstop", 0.0)?,
        source_amplitude: positive(
            file,
            &spec.source_amplitude,
            "source pulse amplitude",
            d.source_amplitude,
        )?,
        source_rise: positive(
            file,
            &spec.source_rise,
            "source pulse rise time",
            d.source_rise,
        )?,
    })
}
