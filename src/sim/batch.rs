//! Batched transient runs: points of one circuit that share the system matrix
//! step together on one factorisation, with one multi-right-hand-side solve per step.

use std::sync::Arc;

use crate::circuit::Circuit;

use super::build::System;
use super::probes::Probe;
use super::solver::{FaerLu, LinearSolver, SparsePattern};
use super::transient::{self, startup_steps, Assembled, Recorder, RunSpec, Settling};
use super::{build_first_step, simulate, FirstStep, SimError, SimOptions, Stop, Waveforms};

/// Simulates several points of one circuit together where their system matrices
/// are the same, and gives each point's result in the order of `circuits`.
///
/// Points typically come from one netlist with only source values changed (a
/// global bias scale, input timings, noise seeds through `.option seed=`): the MNA
/// matrix depends only on the inductors, resistors, capacitors, junctions and the
/// time step, so such points share it. Each point is built as [`simulate`] builds
/// it; points whose matrix values, time grid and size equal bit for bit form a
/// batch. A batch keeps one symbolic analysis and one numeric factorisation, and
/// per time step assembles every point's right-hand side, solves them all at once
/// with [`LinearSolver::solve_many`] (unknown-major, point-minor layout, so the
/// innermost loop runs over the points in SIMD lanes) and records each point's
/// outputs.
///
/// A point leaves its batch cleanly when its matrix stops being the batch's: when
/// a junction moves to another quasiparticle branch in that point and not in the
/// first point of the batch (or the other way round), it takes its own solver,
/// factorises its own matrix and continues alone in the same loop. A point whose
/// time step has to be halved (a junction's phase moving too fast, a transmission
/// line shorter than a step) or that cannot be built or batched is simulated on
/// its own by [`simulate`].
///
/// Every point's [`Waveforms`] — rows, values, step, steps and factorisation count
/// — is bit-for-bit what [`simulate`] returns for it alone (the batched solve
/// performs each point's operations in the same order); only the time taken differs.
/// `options.progress` is called for the batch as a whole.
pub fn simulate_batch(
    circuits: &[&Circuit],
    options: &SimOptions,
) -> Vec<Result<Waveforms, SimError>> {
    let stops = vec![options.stop.clone(); circuits.len()];
    simulate_batch_until(circuits, &stops, options)
}

/// [`simulate_batch`] with a stop hook per point (`stops[k]` for `circuits[k]`, in place
/// of `options.stop`): a point whose hook ends its run leaves the batch there, with
/// exactly the waveforms [`simulate`] gives it with that hook.
pub fn simulate_batch_until(
    circuits: &[&Circuit],
    stops: &[Option<Arc<Stop>>],
    options: &SimOptions,
) -> Vec<Result<Waveforms, SimError>> {
    let alone = |k: usize| {
        let options = SimOptions {
            stop: stops.get(k).cloned().flatten(),
            ..options.clone()
        };
        simulate(circuits[k], &options)
    };
    let mut results: Vec<Option<Result<Waveforms, SimError>>> =
        (0..circuits.len()).map(|_| None).collect();
    let mut candidates = Vec::new();
    for (k, c) in circuits.iter().enumerate() {
        match Candidate::new(k, c, options) {
            Some(cand) => candidates.push(cand),
            None => results[k] = Some(alone(k)),
        }
    }
    // Group the points by equal matrix and time grid.
    let mut groups: Vec<Vec<Candidate>> = Vec::new();
    for cand in candidates {
        match groups.iter_mut().find(|g| g[0].same_system(&cand)) {
            Some(g) => g.push(cand),
            None => groups.push(vec![cand]),
        }
    }
    for group in groups {
        if group.len() == 1 {
            let k = group[0].index;
            results[k] = Some(alone(k));
            continue;
        }
        for (k, r) in run_group(group, stops, options) {
            results[k] = Some(r.unwrap_or_else(|| alone(k)));
        }
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or(Err(SimError::NoTransient)))
        .collect()
}

/// A point built at its first time step, ready to join a batch.
struct Candidate {
    index: usize,
    sys: Box<System>,
    probes: Vec<Probe>,
    headers: Vec<String>,
    tran: crate::circuit::Transient,
    pstep: f64,
    pattern: SparsePattern,
    slot: Vec<usize>,
    values: Vec<f64>,
}

impl Candidate {
    /// `None` when the point must run on its own (bad input is reported by that run).
    fn new(index: usize, circuit: &Circuit, options: &SimOptions) -> Option<Candidate> {
        let FirstStep {
            tran,
            pstep,
            headers,
            sys,
            probes,
        } = build_first_step(circuit, options)?;
        let (pattern, slot) = sys.matrix.compress(sys.n);
        let mut values = Vec::new();
        sys.matrix.values(&slot, pattern.row_idx.len(), &mut values);
        Some(Candidate {
            index,
            sys,
            probes,
            headers,
            tran,
            pstep,
            pattern,
            slot,
            values,
        })
    }

    fn same_system(&self, o: &Candidate) -> bool {
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        self.sys.h.to_bits() == o.sys.h.to_bits()
            && self.sys.mode == o.sys.mode
            && self.tran.tstop.to_bits() == o.tran.tstop.to_bits()
            && self.pattern == o.pattern
            && self.slot == o.slot
            && bits(&self.values) == bits(&o.values)
    }
}

/// A point stepping in a batch.
struct Member<'a> {
    index: usize,
    sys: Box<System>,
    probes: Vec<Probe>,
    rec: Recorder<'a>,
    x: Vec<f64>,
    b: Vec<f64>,
    values: Vec<f64>,
    /// Its own solver once it has left the shared factorisation.
    own: Option<FaerLu>,
    factorizations: u64,
    /// `Some(None)`: must be re-run on its own (time step halved).
    result: Option<Option<Result<Waveforms, SimError>>>,
    /// Its settling steps repeating (`None`: they may not end early).
    settling: Option<Settling>,
    settled: bool,
    matrix_same: bool,
    /// Ends its run once the circuit is at rest for good (watched points only).
    rest: Option<super::quiet::Rest>,
}

/// Runs one batch; a `None` result asks for a run of its own.
fn run_group(
    group: Vec<Candidate>,
    stops: &[Option<Arc<Stop>>],
    options: &SimOptions,
) -> Vec<(usize, Option<Result<Waveforms, SimError>>)> {
    let first = &group[0];
    let (h, tstop) = (first.sys.h, first.tran.tstop);
    let pattern = first.pattern.clone();
    let slot = first.slot.clone();
    let nnz = pattern.row_idx.len();
    let n = pattern.n;
    let sim_size = (tstop / h) as i64;
    let startup = startup_steps(h);
    let mut shared = FaerLu::new();
    let mut shared_values = first.values.clone();
    let shared_ok = shared
        .analyze(&pattern)
        .and_then(|()| shared.factor(&shared_values));
    let mut members: Vec<Member<'_>> = group
        .into_iter()
        .map(|mut c| {
            for tl in &mut c.sys.tlines {
                tl.reserve(sim_size.max(0) as usize);
            }
            let spec = RunSpec {
                tstop,
                pstart: c.tran.pstart,
                pstep: c.pstep,
                headers: c.headers,
                progress: None,
                stop: None,
            };
            let rec = Recorder::new(spec, h, c.probes.len());
            let settling = transient::settling_may_end(&c.sys, startup).then(Settling::default);
            let rest = stops
                .get(c.index)
                .and_then(|s| s.as_ref())
                .and_then(|_| super::quiet::Rest::new(&c.sys, &c.probes, sim_size));
            Member {
                rest,
                settling,
                settled: false,
                matrix_same: true,
                index: c.index,
                sys: c.sys,
                probes: c.probes,
                rec,
                x: vec![0.0; n],
                b: vec![0.0; n],
                values: c.values,
                own: None,
                factorizations: 1,
                result: None,
            }
        })
        .collect();
    if let Err(e) = shared_ok {
        return members
            .into_iter()
            .map(|m| (m.index, Some(Err(SimError::Solver(e.clone())))))
            .collect();
    }
    let progress = options.progress.as_deref();
    let progress_every = (sim_size / 100).max(1);
    let mut lanes: Vec<usize> = Vec::with_capacity(members.len());
    let mut rhs: Vec<f64> = Vec::with_capacity(n * members.len());
    let mut i = -startup;
    while i < sim_size {
        let mut shared_changed = false;
        for m in members.iter_mut().filter(|m| m.result.is_none()) {
            m.matrix_same = true;
            match transient::assemble(&mut m.sys, &m.x, &mut m.b, i, sim_size, None, None) {
                Assembled::Same => {}
                Assembled::MatrixChanged => {
                    m.matrix_same = false;
                    for j in &m.sys.junctions {
                        j.restamp(&mut m.sys.matrix);
                    }
                    m.sys.matrix.values(&slot, nnz, &mut m.values);
                    m.factorizations += 1;
                    if let Some(own) = &mut m.own {
                        if let Err(e) = own.factor(&m.values) {
                            m.result = Some(Some(Err(e.into())));
                        }
                    } else {
                        shared_changed = true;
                    }
                }
                Assembled::StepTooLarge => m.result = Some(None),
            }
        }
        if shared_changed {
            regroup(&mut members, &mut shared, &mut shared_values);
        }
        // One solve for the points on the shared factorisation, one each for the others.
        lanes.clear();
        lanes.extend(
            (0..members.len()).filter(|&k| members[k].result.is_none() && members[k].own.is_none()),
        );
        let m_count = lanes.len();
        if m_count > 0 {
            rhs.clear();
            rhs.resize(n * m_count, 0.0);
            for (p, &k) in lanes.iter().enumerate() {
                for (u, v) in members[k].b.iter().enumerate() {
                    rhs[u * m_count + p] = *v;
                }
            }
            let solved = shared.solve_many(&mut rhs, m_count);
            for (p, &k) in lanes.iter().enumerate() {
                let m = &mut members[k];
                match &solved {
                    Ok(()) => {
                        for (u, v) in m.x.iter_mut().enumerate() {
                            *v = rhs[u * m_count + p];
                        }
                    }
                    Err(e) => m.result = Some(Some(Err(e.clone().into()))),
                }
            }
        }
        for m in members.iter_mut().filter(|m| m.result.is_none()) {
            if let Some(own) = &mut m.own {
                std::mem::swap(&mut m.x, &mut m.b);
                if let Err(e) = own.solve(&mut m.x) {
                    m.result = Some(Some(Err(e.into())));
                    continue;
                }
            }
            match m.rec.step(&mut m.sys, &mut m.probes, &m.x, i) {
                Err(e) => m.result = Some(Some(Err(e))),
                Ok(rows) => {
                    let stop = stops.get(m.index).and_then(|s| s.as_deref());
                    let at_rest = m.rest.as_mut().is_some_and(|r| r.at_rest(&m.x, i));
                    // (a batched point steps every part: the probes of those at
                    // rest hold their values, as in the point's own run)
                    if let Some(r) = m.rest.as_mut().filter(|r| r.news()) {
                        transient::hold_resting(r, &mut m.rec);
                    }
                    if rows > 0 && stop.is_some_and(|stop| stop(i as f64 * h, m.rec.row()))
                        || at_rest
                    {
                        let mut out = std::mem::take(&mut m.rec.out);
                        out.factorizations = m.factorizations;
                        m.result = Some(Some(Ok(out)));
                    }
                }
            }
        }
        if let Some(cb) = progress {
            if i >= 0 && i % progress_every == 0 {
                cb(i as u64, sim_size as u64);
            }
        }
        if members.iter().all(|m| m.result.is_some()) {
            break;
        }
        i += 1;
        // the settling steps end once every point's solution repeats (see
        // `transient::settling_may_end`): each point's skipped steps are no-ops
        if i < 0 {
            for m in members.iter_mut().filter(|m| m.result.is_none()) {
                m.settled = m.settled
                    || m.settling
                        .as_mut()
                        .is_some_and(|st| st.settled(&m.x, m.matrix_same));
            }
            let active = || members.iter().filter(|m| m.result.is_none());
            if active().all(|m| m.settled) {
                i = 0;
            }
        }
    }
    members
        .into_iter()
        .map(|m| {
            let r = match m.result {
                Some(r) => r,
                None => {
                    let mut out = m.rec.out;
                    out.factorizations = m.factorizations;
                    Some(Ok(out))
                }
            };
            (m.index, r)
        })
        .collect()
}

/// After some points on the shared factorisation changed their matrix: the first
/// such point's matrix becomes the shared one (refactorised if it changed), and
/// every other point whose matrix differs from it leaves with its own solver.
fn regroup(members: &mut [Member<'_>], shared: &mut FaerLu, shared_values: &mut Vec<f64>) {
    let on_shared = |m: &Member<'_>| m.result.is_none() && m.own.is_none();
    let Some(lead) = members.iter().position(on_shared) else {
        return;
    };
    let same = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
    if !same(&members[lead].values, shared_values) {
        shared_values.clone_from(&members[lead].values);
        if let Err(e) = shared.factor(shared_values) {
            for m in members.iter_mut().filter(|m| on_shared(m)) {
                m.result = Some(Some(Err(e.clone().into())));
            }
            return;
        }
    }
    for m in members.iter_mut().filter(|m| on_shared(m)) {
        if same(&m.values, shared_values) {
            continue;
        }
        // the shared solver's ordering: the one this point's own run would have
        // chosen from the same first matrix
        match shared
            .fork()
            .and_then(|mut own| own.factor(&m.values).map(|()| own))
        {
            Ok(own) => m.own = Some(own),
            Err(e) => m.result = Some(Some(Err(e.into()))),
        }
    }
}
