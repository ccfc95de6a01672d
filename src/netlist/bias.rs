//! Which current sources of a flat circuit are bias supplies: read from the
//! circuit itself, not from names, so a ColdFlux or any other imported cell is
//! margined with its own bias lines.
//!
//! The rule ([`classify_waveform`]): a current source is a **bias source** when its
//! waveform is constant after its start-up ramp — `dc` (or a bare value), a `pwl`
//! that rises monotonically from zero (or starts) at a non-zero level and holds its
//! last value (JoSIM's usual `pwl(0 0 5p IB)`), or a single `pulse` step that
//! stays on until the end of the transient. A `pwl` that comes back to zero, a
//! `pulse` train or a `noise` source is a **signal**. Anything else (`sin`, `exp`,
//! a `pwl` that steps between several non-zero levels) cannot be classified.
//! The caller may override the role of any source (a user cell's `cells:` entry;
//! nmgen's own top-level stimulus and control currents).

use crate::circuit::{Circuit, ElementKind, Waveform};

/// What a current source is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceRole {
    /// A DC supply: scaled by the bias margin parameters.
    Bias,
    /// A stimulus, control or noise current: never scaled by bias parameters.
    Signal,
    /// Neither rule applies: left alone, and reported.
    Unclassified,
}

impl SourceRole {
    pub fn label(self) -> &'static str {
        match self {
            SourceRole::Bias => "bias",
            SourceRole::Signal => "signal",
            SourceRole::Unclassified => "unclassified",
        }
    }
}

/// One current source of a flat circuit and its role.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceInfo {
    /// Index into [`Circuit::elements`].
    pub element: usize,
    /// Hierarchical name (`IB1|XAND`).
    pub name: String,
    /// The top-level instance it sits in (`XAND`), `None` at the top level.
    pub instance: Option<String>,
    /// The current it settles to (A): the bias current of a bias source.
    pub current: f64,
    pub role: SourceRole,
    /// Why: the waveform rule, or who overrode it.
    pub reason: String,
}

/// The role of a waveform by the rule in the module documentation, and the current
/// it settles to. `tstop` is the end of the transient (for `pulse` steps).
pub fn classify_waveform(wave: &Waveform, tstop: f64) -> (SourceRole, f64) {
    match wave {
        Waveform::Dc(v) if *v != 0.0 => (SourceRole::Bias, *v),
        Waveform::Dc(v) => (SourceRole::Signal, *v),
        Waveform::Pwl(points) => {
            let last = points.last().map_or(0.0, |p| p.1);
            if last == 0.0 {
                return (SourceRole::Signal, 0.0);
            }
            // monotone towards the final value, never on the other side of zero
            let monotone = points
                .windows(2)
                .all(|w| (w[1].1 - w[0].1) * last.signum() >= 0.0)
                && points.iter().all(|p| p.1 * last.signum() >= 0.0);
            let role = if monotone {
                SourceRole::Bias
            } else {
                SourceRole::Unclassified
            };
            (role, last)
        }
        Waveform::Pulse {
            v1,
            v2,
            td,
            tr,
            pw,
            per,
            ..
        } => {
            let step = *v1 == 0.0 && *v2 != 0.0 && td + tr + pw >= tstop && *per >= tstop;
            if step {
                (SourceRole::Bias, *v2)
            } else if *v1 == 0.0 {
                (SourceRole::Signal, 0.0)
            } else {
                (SourceRole::Unclassified, *v1)
            }
        }
        Waveform::Noise { .. } => (SourceRole::Signal, 0.0),
        Waveform::Sin { vo, .. } => (SourceRole::Unclassified, *vo),
        Waveform::Exp { v2, .. } => (SourceRole::Unclassified, *v2),
    }
}

/// The top-level instance of a hierarchical name: its last `|` component.
pub fn top_instance(name: &str) -> Option<&str> {
    name.rsplit_once('|').map(|(_, i)| i)
}

/// Every current source of `circuit` with its role. `role_override(name)` decides
/// first (with its reason); the waveform rule decides the rest.
pub fn classify(
    circuit: &Circuit,
    role_override: &dyn Fn(&str) -> Option<(SourceRole, String)>,
) -> Vec<SourceInfo> {
    let tstop = circuit.transient.map_or(f64::INFINITY, |t| t.tstop);
    circuit
        .elements
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let ElementKind::CurrentSource { wave, .. } = &e.kind else {
                return None;
            };
            let (rule_role, current) = classify_waveform(wave, tstop);
            let (role, reason) = match role_override(&e.name) {
                Some(o) => o,
                None => (rule_role, rule_reason(wave, rule_role).to_string()),
            };
            Some(SourceInfo {
                element: i,
                name: e.name.clone(),
                instance: top_instance(&e.name).map(str::to_string),
                current,
                role,
                reason,
            })
        })
        .collect()
}

fn rule_reason(wave: &Waveform, role: SourceRole) -> &'static str {
    match (wave, role) {
        (Waveform::Dc(_), SourceRole::Bias) => "dc",
        (Waveform::Pwl(_), SourceRole::Bias) => "pwl ramp to a constant",
        (Waveform::Pulse { .. }, SourceRole::Bias) => "pulse step held to the end",
        (Waveform::Pwl(_), SourceRole::Signal) => "pwl back to zero",
        (_, SourceRole::Signal) => "pulse train, noise or zero",
        (_, _) => "waveform neither constant after a ramp nor a pulse train",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coldflux_ramp_is_bias_and_pulses_are_signals() {
        let ramp = Waveform::Pwl(vec![(0.0, 0.0), (5e-12, 175e-6)]);
        assert_eq!(classify_waveform(&ramp, 1e-9), (SourceRole::Bias, 175e-6));
        let negative = Waveform::Pwl(vec![(0.0, 0.0), (5e-12, -1e-4)]);
        assert_eq!(classify_waveform(&negative, 1e-9).0, SourceRole::Bias);
        let pulses = Waveform::Pwl(vec![
            (0.0, 0.0),
            (10e-12, 0.0),
            (12e-12, 6e-4),
            (14e-12, 0.0),
        ]);
        assert_eq!(classify_waveform(&pulses, 1e-9).0, SourceRole::Signal);
        let steps = Waveform::Pwl(vec![(0.0, 0.0), (5e-12, 2e-4), (50e-12, 1e-4)]);
        assert_eq!(classify_waveform(&steps, 1e-9).0, SourceRole::Unclassified);
        assert_eq!(
            classify_waveform(&Waveform::Dc(1e-4), 1e-9).0,
            SourceRole::Bias
        );
        let sine = Waveform::Sin {
            vo: 0.0,
            va: 1e-4,
            freq: 1e9,
            td: 0.0,
            theta: 0.0,
        };
        assert_eq!(classify_waveform(&sine, 1e-9).0, SourceRole::Unclassified);
        let step = Waveform::Pulse {
            v1: 0.0,
            v2: 1e-4,
            td: 0.0,
            tr: 5e-12,
            tf: 5e-12,
            pw: 1e-9,
            per: 1e-9,
        };
        assert_eq!(classify_waveform(&step, 1e-9).0, SourceRole::Bias);
        let train = Waveform::Pulse {
            v1: 0.0,
            v2: 1e-4,
            td: 0.0,
            tr: 5e-12,
            tf: 5e-12,
            pw: 10e-12,
            per: 100e-12,
        };
        assert_eq!(classify_waveform(&train, 1e-9).0, SourceRole::Signal);
    }

    #[test]
    fn top_instance_is_the_last_component() {
        assert_eq!(top_instance("IB1|XSUB|XAND"), Some("XAND"));
        assert_eq!(top_instance("IB1"), None);
    }
}
