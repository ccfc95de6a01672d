//! The YAML network specification: reading it ([`model`]) and checking it into a
//! [`Design`] ([`load`]). Documented field by field in `docs/spec.md`.

pub mod design;
mod endpoints;
pub mod index;
mod instances;
pub mod kind;
mod layers;
pub mod located;
pub mod model;
mod network;
pub mod plain;
pub mod quantity;
mod stimulus;
mod technology;
mod weights;

pub use design::{Connection, Design, Endpoint, Input, Instance, JunctionCard, Technology};
pub use kind::{load_any, DesignKind, LoadedSpec};
pub use quantity::{parse_quantity, spice, Quantity};

use std::path::Path;

use crate::cells::{builtin_library, load_user_cell};
use crate::diagnostic::{SourceError, SourceFile};
use located::{error_at, error_at_location, error_at_str};
use model::SpecFile;

/// Parameter names nmgen itself writes; a spec may not define them.
/// Most noise seeds a spec may ask for (`noise.seeds`): each is a full simulation.
pub const MAX_NOISE_SEEDS: u32 = 10_000;

pub const RESERVED_PARAMETERS: &[&str] = &["nmg_ic", "nmg_icrs", "nmg_lrs", "nmg_bf", "nmg_lic"];

/// Reads the YAML of a spec file, reporting syntax, unknown-field and type errors
/// at their line and column.
pub fn parse(file: &SourceFile) -> Result<SpecFile, SourceError> {
    serde_saphyr::from_str::<SpecFile>(&file.text).map_err(|e| yaml_error(file, &e))
}

/// Maps a serde-saphyr error to a located error.
pub fn yaml_error(file: &SourceFile, e: &serde_saphyr::Error) -> SourceError {
    let message = first_line_of(e);
    match e.location() {
        Some(loc) if loc.line() > 0 => error_at_location(file, loc, 1, message),
        _ => file.error_at(1, 1, 1, message),
    }
}

/// The message of a serde-saphyr error without its own location and snippet.
fn first_line_of(e: &serde_saphyr::Error) -> String {
    let full = e.to_string();
    let mut line = full.lines().next().unwrap_or("invalid spec").trim();
    line = line.strip_prefix("error:").unwrap_or(line).trim();
    // "line 7 column 5: message" -> "message": the location is ours to print
    if let Some(rest) = line.strip_prefix("line ") {
        if let Some((_, msg)) = rest.split_once(": ") {
            line = msg;
        }
    }
    let line = match line.find(" at line ") {
        Some(i) => &line[..i],
        None => line,
    };
    plain::plain_message(line)
}

/// Reads and checks a spec file.
pub fn load(path: &Path) -> Result<Design, SourceError> {
    let file = SourceFile::read(path)?;
    let spec = parse(&file)?;
    check(&file, &spec)
}

/// Checks a parsed spec: every name resolved, every value physical.
pub fn check(file: &SourceFile, spec: &SpecFile) -> Result<Design, SourceError> {
    let name = &spec.name;
    if name.value.is_empty()
        || !name
            .value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(error_at_str(
            file,
            name,
            format!(
                "`{}` is not a valid design name (letters, digits, `_`, `-`)",
                name.value
            ),
        ));
    }
    let mut technology = technology::check_technology(file, &spec.technology)?;
    let mut library = builtin_library();
    let mut context = crate::backend::josim::technology_lines(&technology);
    context.push_str(".param bias=1\n");
    for (key, value) in &spec.parameters.0 {
        if !key.value.eq_ignore_ascii_case("bias") {
            context.push_str(&format!(".param {}={:e}\n", key.value, value.value.0));
        }
    }
    for entry in &spec.cells {
        let cell = load_user_cell(file, &entry.value, &context)?;
        if library.get(&cell.name).is_some() {
            return Err(error_at(
                file,
                entry,
                format!(
                    "duplicate cell name `{}`: give the user cell another `name:`",
                    cell.name
                ),
            ));
        }
        library.insert(cell);
    }
    let mut names = network::check_names(file, &spec.network, &library)?;
    let connections = network::check_connections(file, &spec.network, &mut names)?;
    network::check_wiring(file, &names, &connections)?;

    // stimulus
    let mut inputs: Vec<Input> = names
        .inputs
        .iter()
        .map(|n| Input {
            name: n.clone(),
            pulses: Vec::new(),
        })
        .collect();
    let mut given = std::collections::BTreeSet::new();
    for (key, stim) in &spec.stimulus.0 {
        let pulses = stimulus::pulse_times(file, stim)?;
        // a pulse far beyond any run (a bare `1` is one second) is reported at its stimulus
        if let Some(&last) = pulses.last() {
            if let Some(why) = crate::sim::too_many_steps(technology.tstep, last) {
                return Err(error_at(
                    file,
                    stim,
                    format!("stimulus of `{}` lasts too long: {why}", key.value),
                ));
            }
        }
        for element in names.stimulus_inputs(file, key)? {
            let Some(input) = inputs.iter_mut().find(|i| i.name == element) else {
                let mut e = error_at_str(
                    file,
                    key,
                    format!("stimulus for undefined input `{element}`"),
                );
                e.help = located::suggest(&element, names.inputs.iter().map(String::as_str));
                return Err(e);
            };
            if !given.insert(element.clone()) {
                return Err(error_at_str(
                    file,
                    key,
                    format!("duplicate stimulus for input `{element}`"),
                ));
            }
            input.pulses = pulses.clone();
        }
    }
    let last_pulse = inputs
        .iter()
        .flat_map(|i| i.pulses.iter().copied())
        .fold(0.0, f64::max);
    let pulse_end = last_pulse + 2.0 * technology.source_rise;
    match &spec.technology.tstop {
        Some(t) if technology.tstop <= pulse_end => {
            return Err(error_at(
                file,
                t,
                format!(
                    "stop time {:.3} ps is before the end of the last stimulus pulse ({:.3} ps)",
                    technology.tstop * 1e12,
                    pulse_end * 1e12
                ),
            ))
        }
        Some(_) => {}
        None => technology.tstop = ((pulse_end + 100e-12) * 1e12).ceil() / 1e12,
    }
    if let (Some(t), Some(why)) = (
        &spec.technology.tstop,
        crate::sim::too_many_steps(technology.tstep, technology.tstop),
    ) {
        return Err(error_at(file, t, format!("stop time: {why}")));
    }
    if technology.tstep * 10.0 > technology.tstop {
        if let Some(t) = &spec.technology.tstep {
            return Err(error_at(
                file,
                t,
                "the time step must be far smaller than the stop time",
            ));
        }
    }

    // parameters
    let mut parameters = vec![("bias".to_string(), 1.0)];
    for (key, value) in &spec.parameters.0 {
        let lower = key.value.to_ascii_lowercase();
        let valid = key
            .value
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && key
                .value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(error_at_str(
                file,
                key,
                format!("`{}` is not a valid parameter name", key.value),
            ));
        }
        if RESERVED_PARAMETERS.contains(&lower.as_str()) {
            return Err(error_at_str(
                file,
                key,
                format!(
                    "`{}` is written by nmgen from `technology:`; choose another name",
                    key.value
                ),
            ));
        }
        if !value.value.0.is_finite() {
            return Err(error_at(
                file,
                value,
                "the parameter value must be a finite number",
            ));
        }
        if lower == "bias" {
            if value.value.0 <= 0.0 {
                return Err(error_at(
                    file,
                    value,
                    "non-physical global bias scale: it must be greater than zero",
                ));
            }
            parameters[0].1 = value.value.0;
        } else if parameters
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(&key.value))
        {
            return Err(error_at_str(
                file,
                key,
                format!("duplicate parameter `{}`", key.value),
            ));
        } else {
            parameters.push((lower, value.value.0));
        }
    }

    for (auto, value, loc) in &names.auto_parameters {
        if parameters.iter().any(|(n, _)| n == auto) {
            return Err(error_at_location(
                file,
                *loc,
                1,
                format!("parameter `{auto}` (made for this control current) is also defined under `parameters`"),
            ));
        }
        parameters.push((auto.clone(), *value));
    }
    for (reference, loc) in &names.parameter_refs {
        if !parameters.iter().any(|(n, _)| n == reference) {
            let mut e = error_at_location(
                file,
                *loc,
                1,
                format!("undefined parameter `{reference}` (define it under `parameters`, or give a current such as `135uA`)"),
            );
            e.help = located::suggest(reference, parameters.iter().map(|(n, _)| n.as_str()));
            return Err(e);
        }
    }
    let network::Names {
        outputs, instances, ..
    } = names;
    if let Err(errors) = crate::analysis::validate(
        &spec.checks,
        file,
        &crate::analysis::KnownNames {
            outputs: outputs.clone(),
            inputs: Some(inputs.iter().map(|i| i.name.clone()).collect()),
            tstep: Some(technology.tstep),
        },
    ) {
        if let Some(first) = errors.into_iter().next() {
            return Err(first);
        }
    }
    let noise = match &spec.noise {
        None => None,
        Some(n) => {
            let t = n.temperature.value.0;
            if !(t > 0.0 && t.is_finite()) {
                return Err(error_at(
                    file,
                    &n.temperature,
                    "the noise temperature must be greater than zero (e.g. 4.2)",
                ));
            }
            if n.seeds.value == 0 {
                return Err(error_at(file, &n.seeds, "at least one seed is needed"));
            }
            if n.seeds.value > MAX_NOISE_SEEDS {
                return Err(error_at(
                    file,
                    &n.seeds,
                    format!(
                        "noise.seeds must be at most {MAX_NOISE_SEEDS}, got {}",
                        n.seeds.value
                    ),
                ));
            }
            Some((t, n.seeds.value))
        }
    };
    Ok(Design {
        name: name.value.clone(),
        spec_path: file.path.clone(),
        technology,
        library,
        inputs,
        outputs,
        instances,
        connections,
        parameters,
        checks: spec.checks.clone(),
        margins: spec.margins.clone(),
        noise,
        source: file.clone(),
    })
}
