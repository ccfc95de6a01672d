//! The sweeps a spec asks for under `margins:`, resolved against the design.

use crate::analysis::margins::{MarginSearch, MIN_RESOLUTION};
use crate::analysis::{
    MarginParameter, MarginPlan, MonteCarloPlan, ParameterKind, ShmooAxis, ShmooPlan, Variation,
};
use crate::circuit::ElementKind;
use crate::diagnostic::SourceError;
use crate::spec::located::{error_at, error_at_str};
use crate::spec::model::MarginsSpec;
use crate::spec::Design;

use super::parameters::resolve;

/// The parameters of the margin analysis (default: the global bias).
pub fn parameters(design: &Design, m: &MarginsSpec) -> Result<Vec<MarginParameter>, SourceError> {
    let mut out: Vec<MarginParameter> = Vec::new();
    for name in &m.parameters {
        let p = resolve(design, name)?;
        if out.iter().any(|q| q.name == p.name) {
            return Err(error_at_str(
                &design.source,
                name,
                format!("`{}` is listed twice", name.value),
            ));
        }
        out.push(p);
    }
    if out.is_empty() {
        out.push(MarginParameter::new("bias", ParameterKind::GlobalBias));
    }
    Ok(out)
}

/// The margin search settings.
pub fn search(design: &Design, m: Option<&MarginsSpec>) -> Result<MarginSearch, SourceError> {
    let mut s = MarginSearch::default();
    let Some(m) = m else { return Ok(s) };
    let file = &design.source;
    if let Some(r) = &m.resolution {
        if !(r.value.0 >= MIN_RESOLUTION && r.value.0 < 0.5) {
            return Err(error_at(
                file,
                r,
                format!(
                    "the resolution must be between {MIN_RESOLUTION:e} and 50 % (e.g. `0.5%`), got {:e}",
                    r.value.0
                ),
            ));
        }
        s.resolution = r.value.0;
    }
    if let Some(c) = &m.coarse_step {
        if !(c.value.0 > 0.0 && c.value.0 < 1.0) {
            return Err(error_at(
                file,
                c,
                "the coarse step must be between 0 and 100 % (e.g. `5%`)",
            ));
        }
        s.coarse_step = c.value.0;
    }
    if s.coarse_step < s.resolution {
        return Err(error_at(
            file,
            m.coarse_step
                .as_ref()
                .or(m.resolution.as_ref())
                .expect("one was given"),
            "the coarse step must not be finer than the resolution",
        ));
    }
    if let Some(r) = &m.range {
        match r.value.as_slice() {
            [lo, hi] if *lo > 0.0 && lo < hi && *lo < 1.0 && *hi > 1.0 => {
                s.lowest = *lo;
                s.highest = *hi;
            }
            _ => return Err(error_at(
                file,
                r,
                "the range must be `[lowest, highest]` multipliers with 0 < lowest < 1 < highest",
            )),
        }
    }
    Ok(s)
}

/// The margin plan of a design.
pub fn margin_plan(design: &Design) -> Result<MarginPlan, SourceError> {
    let parameters = match &design.margins {
        Some(m) => parameters(design, m)?,
        None => vec![MarginParameter::new("bias", ParameterKind::GlobalBias)],
    };
    Ok(MarginPlan {
        parameters,
        search: search(design, design.margins.as_ref())?,
    })
}

/// The shmoo plan, if the spec has `margins.shmoo`.
pub fn shmoo_plan(design: &Design) -> Result<Option<ShmooPlan>, SourceError> {
    let Some(s) = design.margins.as_ref().and_then(|m| m.shmoo.as_ref()) else {
        return Ok(None);
    };
    let axis = |name, range: &serde_saphyr::Spanned<Vec<f64>>| -> Result<ShmooAxis, SourceError> {
        let p = resolve(design, name)?;
        match range.value.as_slice() {
            [from, to, steps]
                if *from > 0.0
                    && to > from
                    && *steps >= 2.0
                    && steps.fract() == 0.0
                    && *steps <= 201.0 =>
            {
                Ok(ShmooAxis::linear(p, *from, *to, *steps as usize))
            }
            _ => Err(error_at(
                &design.source,
                range,
                "a shmoo range is `[from, to, steps]`: multipliers 0 < from < to and 2..201 steps",
            )),
        }
    };
    Ok(Some(ShmooPlan {
        x: axis(&s.x, &s.x_range)?,
        y: axis(&s.y, &s.y_range)?,
    }))
}

/// The Monte Carlo plan, if the spec has `margins.monte_carlo`: one variation per
/// global group, and one per element of each local group.
pub fn monte_carlo_plan(design: &Design) -> Result<Option<MonteCarloPlan>, SourceError> {
    let Some(mc) = design.margins.as_ref().and_then(|m| m.monte_carlo.as_ref()) else {
        return Ok(None);
    };
    let file = &design.source;
    if mc.samples.value == 0 {
        return Err(error_at(file, &mc.samples, "at least one sample is needed"));
    }
    let mut variations = Vec::new();
    for (name, sigma) in &mc.global.0 {
        check_sigma(design, sigma)?;
        variations.push(Variation {
            parameter: resolve(design, name)?,
            sigma_percent: sigma.value.0 * 100.0,
        });
    }
    if !mc.local.0.is_empty() {
        let netlist = crate::build::compile(design);
        let circuit = crate::netlist::parse_str(&netlist.text, &design.spec_path)?;
        for (name, sigma) in &mc.local.0 {
            check_sigma(design, sigma)?;
            let want = name.value.to_ascii_lowercase();
            let pick = |k: &ElementKind| match want.as_str() {
                "inductors" => matches!(k, ElementKind::Inductor { .. }),
                "critical_currents" => matches!(k, ElementKind::Junction { .. }),
                "resistors" => matches!(k, ElementKind::Resistor { .. }),
                _ => false,
            };
            if !["inductors", "critical_currents", "resistors"].contains(&want.as_str()) {
                return Err(error_at_str(
                    file,
                    name,
                    format!("`{}` cannot vary per element: use inductors, critical_currents or resistors", name.value),
                ));
            }
            for e in circuit.elements.iter().filter(|e| pick(&e.kind)) {
                variations.push(Variation {
                    parameter: MarginParameter::new(e.name.clone(), ParameterKind::Element),
                    sigma_percent: sigma.value.0 * 100.0,
                });
            }
        }
    }
    Ok(Some(MonteCarloPlan {
        seed: mc.seed,
        samples: mc.samples.value,
        variations,
    }))
}

fn check_sigma(
    design: &Design,
    s: &serde_saphyr::Spanned<crate::spec::model::Fraction>,
) -> Result<(), SourceError> {
    if !(s.value.0 > 0.0 && s.value.0 < 0.5) {
        return Err(error_at(
            &design.source,
            s,
            "σ must be between 0 and 50 % (e.g. `2%`)",
        ));
    }
    Ok(())
}
