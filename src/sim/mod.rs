//! The built-in JoSIM-compatible transient simulator.
//!
//! [`simulate`] runs a fixed-step transient analysis of a flat [`Circuit`] exactly
//! as JoSIM 2.7 does: the same integration method (BDF2 throughout, JoSIM's phase
//! and voltage formulations), the same junction linearisation and quasiparticle
//! branch switching, the same settling steps before t = 0, the same halving of the
//! time step when a junction's phase moves too fast, the same output rows. The
//! result is a [`Waveforms`] table that [`Waveforms::write_josim_csv`] writes in
//! JoSIM's CSV format.
//!
//! `simulate` keeps all its state local, so many simulations can run in parallel
//! (e.g. with rayon) on shared circuits.

mod batch;
mod branches;
mod build;
mod consts;
mod family;
mod helper;
pub mod in_order;
mod junction;
mod mna;
pub mod noise;
mod ordering;
mod output;
mod parts;
mod passive;
mod probes;
pub mod quiet;
pub mod rng;
pub mod sine;
pub mod solver;
mod tline;
mod transient;
mod triangular;
mod two_way;
mod waveform;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use crate::circuit::Circuit;

pub use batch::{simulate_batch, simulate_batch_until};
pub use family::simulate_family;
pub use output::{push_e6, Waveforms};
pub use solver::{FaerLu, LinearSolver, OrderingChoice, SolverError, SparsePattern};
pub use transient::startup_steps;

/// Analysis formulation: JoSIM's phase mode (its default) or voltage mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Phase,
    Voltage,
}

/// Progress callback: (steps done, total steps), called about 100 times per run.
pub type Progress = dyn Fn(u64, u64) + Send + Sync;

/// Called with the time and the probe values of every printed step; returning
/// `true` ends the simulation there (the waveforms stop at that time).
///
/// A run with a stop hook is read for its outcome only (sweeps), so it also ends once
/// nothing can happen any more: every source constant for the rest of the run and
/// every node phase at rest (see [`quiet`]).
pub type Stop = dyn Fn(f64, &[f64]) -> bool + Send + Sync;

/// Default most time steps one transient run may take (`tstop / tstep`): 10^7 is
/// 2.5 µs at 0.25 ps, far beyond an SFQ test bench, and bounds the waveform memory.
pub const DEFAULT_MAX_STEPS: u64 = 10_000_000;

static MAX_STEPS: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(DEFAULT_MAX_STEPS);

/// The most time steps a run may take ([`DEFAULT_MAX_STEPS`] unless raised with
/// [`set_max_steps`], the command line's `--max-steps`).
pub fn max_steps() -> u64 {
    MAX_STEPS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Sets the step limit for this process (`--max-steps`).
pub fn set_max_steps(n: u64) {
    MAX_STEPS.store(n, std::sync::atomic::Ordering::Relaxed);
}

/// Why a run of `tstop` at step `tstep` is too long, if it is.
pub fn too_many_steps(tstep: f64, tstop: f64) -> Option<String> {
    let steps = tstop / tstep;
    let limit = max_steps();
    if steps <= limit as f64 {
        return None; // (a NaN step count falls through: it is an error too)
    }
    let shown = if steps < 1e9 {
        format!("{steps:.0}")
    } else {
        format!("{steps:.3e}")
    };
    Some(format!(
        "{tstop:e} s at a {tstep:e} s step is {shown} time steps, more than the limit of \
         {limit} (raise it with --max-steps; a bare number is in seconds)"
    ))
}

/// Options of one simulation.
#[derive(Clone)]
pub struct SimOptions {
    pub mode: Mode,
    /// Overrides the netlist's `.option seed=` (noise and spread random streams).
    /// Without either, seed 0 is used, so results are reproducible.
    pub seed: Option<u64>,
    /// Apply the netlist's `.spread` to element values, as JoSIM does (default true).
    pub apply_spread: bool,
    pub progress: Option<Arc<Progress>>,
    /// Ends the run early once its outcome is known (sweeps).
    pub stop: Option<Arc<Stop>>,
}

impl Default for SimOptions {
    /// JoSIM's defaults: phase mode, spreads applied, seed from the netlist.
    fn default() -> Self {
        SimOptions {
            mode: Mode::Phase,
            seed: None,
            apply_spread: true,
            progress: None,
            stop: None,
        }
    }
}

impl SimOptions {
    /// Same as [`SimOptions::default`].
    pub fn new() -> Self {
        SimOptions::default()
    }
}

impl std::fmt::Debug for SimOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimOptions")
            .field("mode", &self.mode)
            .field("seed", &self.seed)
            .field("apply_spread", &self.apply_spread)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// Why a simulation could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimError {
    #[error("the circuit has no .tran analysis")]
    NoTransient,
    #[error("invalid .tran: {0}")]
    BadTransient(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Solver(#[from] SolverError),
    #[error(
        "the time step had to be halved too often (below {0:e} s): the circuit does not settle"
    )]
    StepUnderflow(f64),
    #[error(
        "the time step was halved (a junction's phase moves more than 0.2·2π per step, or a transmission line is shorter than a step): {0}"
    )]
    HalvedPastLimit(String),
}

/// Simulates `circuit` with the default solver (faer sparse LU).
pub fn simulate(circuit: &Circuit, options: &SimOptions) -> Result<Waveforms, SimError> {
    let mut solver = FaerLu::new();
    simulate_with(circuit, options, &mut solver)
}

/// Simulates `circuit` with a given linear solver.
pub fn simulate_with(
    circuit: &Circuit,
    options: &SimOptions,
    solver: &mut dyn LinearSolver,
) -> Result<Waveforms, SimError> {
    let Plan {
        tran,
        pstep,
        mut h,
        seed,
        circuit,
        headers,
    } = plan(circuit, options)?;
    let circuit = circuit.as_ref();
    let floor = h * 1e-6;
    loop {
        if h < floor {
            return Err(SimError::StepUnderflow(floor));
        }
        // each halving reruns from the start with twice the steps: the step limit
        // bounds that work too (a 10^9 V source would otherwise halve for minutes)
        if h < tran.tstep {
            if let Some(why) = too_many_steps(h, tran.tstop) {
                return Err(SimError::HalvedPastLimit(why));
            }
        }
        let built = build::build(circuit, options.mode, h, seed, options.apply_spread)?;
        let mut sys = match built {
            build::Built::System(s) => s,
            build::Built::StepTooLarge => {
                h /= 2.0;
                continue;
            }
        };
        let mut probes = probes::resolve(circuit, &sys)?;
        let spec = transient::RunSpec {
            tstop: tran.tstop,
            pstart: tran.pstart,
            pstep,
            headers: headers.clone(),
            progress: options.progress.as_deref(),
            stop: options.stop.as_deref(),
        };
        match transient::run(&mut sys, &mut probes, solver, spec)? {
            transient::Run::Done(w) => return Ok(w),
            transient::Run::StepTooLarge => h /= 2.0,
        }
    }
}

/// A circuit built at its first time step for a run among others (a batch, a
/// family): `None` when it must run on its own (its plan or build fails, or the
/// first step is too large; that run reports why).
struct FirstStep {
    tran: crate::circuit::Transient,
    pstep: f64,
    headers: Vec<String>,
    sys: Box<build::System>,
    probes: Vec<probes::Probe>,
}

fn build_first_step(circuit: &Circuit, options: &SimOptions) -> Option<FirstStep> {
    let Plan {
        tran,
        pstep,
        h,
        seed,
        circuit,
        headers,
    } = plan(circuit, options).ok()?;
    let build::Built::System(sys) =
        build::build(&circuit, options.mode, h, seed, options.apply_spread).ok()?
    else {
        return None;
    };
    let probes = probes::resolve(&circuit, &sys).ok()?;
    Some(FirstStep {
        tran,
        pstep,
        headers,
        sys,
        probes,
    })
}

/// A run's checked time grid, seed and printed quantities.
struct Plan<'c> {
    tran: crate::circuit::Transient,
    pstep: f64,
    /// The first time step tried.
    h: f64,
    seed: u64,
    /// The circuit, with a probe on every node when it has none (as JoSIM prints).
    circuit: std::borrow::Cow<'c, Circuit>,
    headers: Vec<String>,
}

fn plan<'c>(circuit: &'c Circuit, options: &SimOptions) -> Result<Plan<'c>, SimError> {
    let tran = circuit.transient.ok_or(SimError::NoTransient)?;
    let ok = |v: f64| v.is_finite() && v > 0.0;
    if !ok(tran.tstep) || !ok(tran.tstop) {
        return Err(SimError::BadTransient(format!(
            "tstep and tstop must be positive (tstep={:e}, tstop={:e})",
            tran.tstep, tran.tstop
        )));
    }
    if !tran.pstart.is_finite() || !tran.pstep.is_finite() || tran.pstep < 0.0 {
        return Err(SimError::BadTransient(format!(
            "pstart/pstep must be finite and pstep non-negative (pstart={:e}, pstep={:e})",
            tran.pstart, tran.pstep
        )));
    }
    let pstep = if tran.pstep > 0.0 {
        tran.pstep
    } else {
        tran.tstep
    };
    // JoSIM: a print step smaller than the time step shrinks the time step.
    let h = if tran.tstep > pstep {
        pstep
    } else {
        tran.tstep
    };
    if let Some(why) = too_many_steps(h, tran.tstop) {
        return Err(SimError::BadTransient(why));
    }
    let seed = options.seed.or(circuit.seed).unwrap_or(0);
    // Without output requests JoSIM prints every node (phase in phase mode).
    let circuit = if circuit.probes.is_empty() {
        let mut c = circuit.clone();
        c.probes = (0..c.nodes.len())
            .map(|i| {
                let node = crate::circuit::Node::Index(i);
                let gnd = crate::circuit::Node::Ground;
                match options.mode {
                    Mode::Phase => crate::circuit::Probe {
                        header: format!("P({})", c.nodes[i]),
                        kind: crate::circuit::ProbeKind::NodePhase { p: node, n: gnd },
                    },
                    Mode::Voltage => crate::circuit::Probe {
                        header: format!("V({})", c.nodes[i]),
                        kind: crate::circuit::ProbeKind::NodeVoltage { p: node, n: gnd },
                    },
                }
            })
            .collect();
        std::borrow::Cow::Owned(c)
    } else {
        std::borrow::Cow::Borrowed(circuit)
    };
    let headers: Vec<String> = circuit.probes.iter().map(|p| p.header.clone()).collect();
    Ok(Plan {
        tran,
        pstep,
        h,
        seed,
        circuit,
        headers,
    })
}
