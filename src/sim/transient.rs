//! The fixed-step transient loop, in JoSIM 2.7's order of operations.

use super::branches::inductor_rhs;
use super::build::System;
use super::junction::Prepared;
use super::output::Waveforms;
use super::probes::{PrintSchedule, Probe};
use super::solver::LinearSolver;
use super::{Mode, Progress, SimError, Stop};

/// Number of settling steps JoSIM runs before t = 0 (sources at negative times).
pub fn startup_steps(h: f64) -> i64 {
    let s = (2.0 * 10f64.powf((h.log10().abs() - 12.0) * 2.0 + 1.0)) as i64;
    s.min(1000)
}

/// Result of one run at a fixed step.
pub enum Run {
    Done(Waveforms),
    /// A junction's predicted phase moved more than 0.2 * 2pi in one step.
    StepTooLarge,
}

pub struct RunSpec<'a> {
    pub tstop: f64,
    pub pstart: f64,
    pub pstep: f64,
    pub headers: Vec<String>,
    pub progress: Option<&'a Progress>,
    pub stop: Option<&'a Stop>,
}

pub fn run(
    s: &mut System,
    probes: &mut [Probe],
    solver: &mut dyn LinearSolver,
    spec: RunSpec<'_>,
) -> Result<Run, SimError> {
    let h = s.h;
    let mode = s.mode;
    let sim_size = (spec.tstop / h) as i64;
    let startup = startup_steps(h);
    let (pattern, slot) = s.matrix.compress(s.n);
    let nnz = pattern.row_idx.len();
    let mut values = Vec::with_capacity(nnz);
    s.matrix.values(&slot, nnz, &mut values);
    solver.analyze(&pattern)?;
    solver.factor(&values)?;
    let mut factorizations = 1u64;
    for tl in &mut s.tlines {
        tl.reserve(sim_size.max(0) as usize);
    }

    let n = s.n;
    let mut x = vec![0.0; n];
    let mut b = vec![0.0; n];
    let mut schedule = PrintSchedule::new(spec.pstart, spec.pstep);
    let mut out = Waveforms {
        headers: spec.headers,
        columns: vec![Vec::new(); probes.len()],
        tstep: h,
        ..Default::default()
    };
    let mut row = vec![0.0; probes.len()];
    let progress_every = (sim_size / 100).max(1);

    for i in -startup..sim_size {
        let t = i as f64 * h;
        b.fill(0.0);
        let check = (i as f64) / (sim_size as f64) > 0.01;
        let mut changed = false;
        for j in &mut s.junctions {
            if let Some(noise) = &mut j.noise {
                let v = super::passive::noise_value(noise, j.pair, t, &mut s.noise_rng);
                j.pair.source(&mut b, v);
            }
            match j.prepare(&x, i, check, mode) {
                Prepared::Unchanged => {}
                Prepared::Changed => changed = true,
                Prepared::StepTooLarge => return Ok(Run::StepTooLarge),
            }
            j.rhs(&mut b);
        }
        if changed {
            for j in &s.junctions {
                j.restamp(&mut s.matrix);
            }
            s.matrix.values(&slot, nnz, &mut values);
            solver.factor(&values)?;
            factorizations += 1;
        }
        for src in &mut s.isources {
            src.rhs(&mut b, t, &mut s.noise_rng);
        }
        for r in &mut s.resistors {
            r.rhs(&x, &mut b, t, mode, &mut s.noise_rng);
        }
        if mode == Mode::Voltage {
            inductor_rhs(&mut s.branch_inductors, &x, &mut b, h);
        }
        for c in &mut s.capacitors {
            c.rhs(&x, &mut b, mode);
        }
        for v in &mut s.vsources {
            v.rhs(&x, &mut b, t, h, mode, &mut s.noise_rng);
        }
        for p in &mut s.psources {
            p.rhs(&mut b, i, t, h, mode, &mut s.noise_rng);
        }
        if mode == Mode::Phase {
            for c in &mut s.ccvs {
                c.rhs(&x, &mut b);
            }
            for g in &mut s.vccs {
                g.rhs(&x, &mut b);
            }
        }
        for tl in &mut s.tlines {
            tl.rhs(&x, &mut b, i, h, mode);
        }

        std::mem::swap(&mut x, &mut b);
        solver.solve(&mut x)?;
        if !x.iter().all(|v| v.is_finite()) {
            return Err(SimError::Solver(
                super::solver::SolverError::NumericallySingular,
            ));
        }
        for j in &mut s.junctions {
            j.finish(&x);
        }
        if i >= 0 {
            for tl in &mut s.tlines {
                tl.record(&x);
            }
            for (k, p) in probes.iter_mut().enumerate() {
                row[k] = p.sample(s, &x);
            }
            let rows = schedule.rows(t);
            for _ in 0..rows {
                out.time.push(t);
                for (k, v) in row.iter().enumerate() {
                    out.columns[k].push(*v);
                }
            }
            if let Some(cb) = spec.progress {
                if i % progress_every == 0 {
                    cb(i as u64, sim_size as u64);
                }
            }
            if rows > 0 && spec.stop.is_some_and(|stop| stop(t, &row)) {
                break;
            }
        }
    }
    out.factorizations = factorizations;
    out.steps = (startup + sim_size.max(0)) as u64;
    Ok(Run::Done(out))
}
