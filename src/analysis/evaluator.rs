//! What the sweeps need from a simulator: does the circuit still pass with
//! these parameter multipliers?

use std::marker::PhantomData;

use serde::{Deserialize, Serialize};

/// Judges the circuit with some parameters scaled. `assignment` lists
/// `(parameter name, multiplier)`; parameters not listed stay at nominal (1).
/// Called from several threads at once. An `Err` stops the sweep (finished
/// items stay in the journal); report a circuit that merely misbehaves, or a
/// simulation that does not converge at an extreme value, as `Ok(false)`.
pub trait Evaluator: Sync {
    type Error: std::error::Error + Send + Sync + 'static;
    fn passes(&self, assignment: &[(String, f64)]) -> Result<bool, Self::Error>;

    /// Judges several assignments; each verdict must be exactly what [`passes`] gives.
    /// An evaluator that can simulate points together (one factorisation for points
    /// that share the system matrix) overrides this; the default judges them one by one.
    ///
    /// [`passes`]: Evaluator::passes
    fn passes_many(&self, assignments: &[Vec<(String, f64)>]) -> Result<Vec<bool>, Self::Error> {
        assignments.iter().map(|a| self.passes(a)).collect()
    }
}

/// What a margin parameter scales; the caller resolves it to circuit elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParameterKind {
    /// Every bias source together (the global bias scale).
    GlobalBias,
    /// A named `.param`.
    Param,
    /// Every inductor together.
    AllInductors,
    /// Every junction's critical current together.
    AllCriticalCurrents,
    /// Every bias source together, as a group of elements.
    AllBiasSources,
    /// Every resistor together.
    AllResistors,
    /// One element (`LB1|XDUT`, `B3`, `IB2`).
    Element,
    /// The bias sources of one instance or of every instance of one cell
    /// (`bias:and1`, `bias:and2`).
    BiasLine,
}

impl ParameterKind {
    pub fn label(self) -> &'static str {
        match self {
            ParameterKind::GlobalBias => "global bias",
            ParameterKind::Param => "param",
            ParameterKind::AllInductors => "all inductors",
            ParameterKind::AllCriticalCurrents => "all Ic",
            ParameterKind::AllBiasSources => "all bias sources",
            ParameterKind::AllResistors => "all resistors",
            ParameterKind::Element => "element",
            ParameterKind::BiasLine => "bias line",
        }
    }
}

/// One parameter of a margin, shmoo or Monte Carlo sweep.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MarginParameter {
    pub name: String,
    pub kind: ParameterKind,
}

impl MarginParameter {
    pub fn new(name: impl Into<String>, kind: ParameterKind) -> Self {
        MarginParameter {
            name: name.into(),
            kind,
        }
    }
}

/// An [`Evaluator`] from a closure.
pub struct FnEvaluator<F, E> {
    f: F,
    _error: PhantomData<fn() -> E>,
}

impl<F, E> FnEvaluator<F, E>
where
    F: Fn(&[(String, f64)]) -> Result<bool, E> + Sync,
    E: std::error::Error + Send + Sync + 'static,
{
    pub fn new(f: F) -> Self {
        FnEvaluator {
            f,
            _error: PhantomData,
        }
    }
}

impl<F, E> Evaluator for FnEvaluator<F, E>
where
    F: Fn(&[(String, f64)]) -> Result<bool, E> + Sync,
    E: std::error::Error + Send + Sync + 'static,
{
    type Error = E;
    fn passes(&self, assignment: &[(String, f64)]) -> Result<bool, E> {
        (self.f)(assignment)
    }
}

/// An [`Evaluator`] from a simulation and checks: `simulate` runs the circuit
/// with the multipliers and returns its pulse times (every pattern in its own
/// window of the one run); the circuit passes when every check passes.
pub struct ChecksEvaluator<'a, F, E> {
    pub checks: &'a [crate::analysis::checks::Check],
    simulate: F,
    _error: PhantomData<fn() -> E>,
}

impl<'a, F, E> ChecksEvaluator<'a, F, E>
where
    F: Fn(&[(String, f64)]) -> Result<crate::analysis::pulses::PulseTimes, E> + Sync,
    E: std::error::Error + Send + Sync + 'static,
{
    pub fn new(checks: &'a [crate::analysis::checks::Check], simulate: F) -> Self {
        ChecksEvaluator {
            checks,
            simulate,
            _error: PhantomData,
        }
    }
}

impl<F, E> Evaluator for ChecksEvaluator<'_, F, E>
where
    F: Fn(&[(String, f64)]) -> Result<crate::analysis::pulses::PulseTimes, E> + Sync,
    E: std::error::Error + Send + Sync + 'static,
{
    type Error = E;
    fn passes(&self, assignment: &[(String, f64)]) -> Result<bool, E> {
        let pulses = (self.simulate)(assignment)?;
        Ok(self
            .checks
            .iter()
            .all(|c| crate::analysis::checks::evaluate(c, &pulses).passed))
    }
}
