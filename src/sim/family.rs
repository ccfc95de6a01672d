//! Runs of one circuit under different stimuli that share their first steps.
//!
//! A sweep point judges every input pattern of a check on the same circuit: the
//! pattern netlists differ only in the waveforms of their sources, and those agree
//! up to the first input (the bias ramps up, the circuit settles, nothing else
//! happens). [`simulate_family`] simulates those common steps once (the trunk) and
//! then continues each pattern from a copy of the trunk's state, with its own
//! sources from there on. Each pattern's stop hook and rest watch see every trunk
//! step, as they would in a run of their own, so a pattern decided during the
//! trunk (a "nothing in" pattern at rest before the first input) costs nothing
//! more.
//!
//! The results are bit for bit those of [`super::simulate`] on each circuit: the
//! trunk performs exactly the operations of each pattern's own run up to the fork
//! (the sources agree bit for bit at every step before it; the fork is taken two
//! steps before the first disagreement, as a source may be read at the two steps
//! before the current one), a fork refactorises the same matrix values with the
//! same ordering (identical factors), and every element's history is copied whole.
//! Circuits that differ in anything but source waveforms, runs with noise, and a
//! trunk that would halve its step run on their own.
//!
//! From the fork the patterns continue where a core is free ([`super::in_order`]):
//! in a parallel sweep a worker without points of its own takes the later patterns
//! of a point while its owner runs the first. Results reach `each` in order either
//! way; once `each` refuses one, the patterns still running stop at their next step
//! and are never handed over.

use std::sync::Arc;

use crate::circuit::{Circuit, ElementKind};

use super::build::System;
use super::in_order::{run_offered, InOrder};
use super::probes::Probe;
use super::quiet::Rest;
use super::solver::FaerLu;
use super::transient::{self, Cursor, RunSpec, Stepped};
use super::waveform::Source;
use super::{build_first_step, simulate, FirstStep, SimError, SimOptions, Stop, Waveforms};

/// Steps the trunk must share at least (fewer: the runs go on their own).
const MIN_SHARED: i64 = 2;

/// What receives a family's results, in order, until it returns false.
pub type Each<'e> = super::in_order::Receiver<'e, Result<Waveforms, SimError>>;

/// Simulates `circuits[k]` with stop hook `stops[k]` for k = 0, 1, … and hands each
/// result to `each` in that order, until `each` returns false. Every result is the
/// one [`simulate`] gives with that hook.
pub fn simulate_family(
    circuits: &[&Circuit],
    stops: &[Option<Arc<Stop>>],
    options: &SimOptions,
    each: &mut Each<'_>,
) {
    let alone = |k: usize| {
        let options = SimOptions {
            stop: stops.get(k).cloned().flatten(),
            ..options.clone()
        };
        simulate(circuits[k], &options)
    };
    let mut members = if circuits.len() > 1 && stops.len() == circuits.len() {
        prepare(circuits, options)
    } else {
        None
    };
    let fork = members.as_ref().map_or(0, |m| fork_step(m));
    let Some(members) = members.as_mut().filter(|_| fork >= MIN_SHARED) else {
        for k in 0..circuits.len() {
            if !each(k, alone(k)) {
                return;
            }
        }
        return;
    };
    match run_family(members, stops, fork, &alone, each) {
        Ok(()) => {}
        Err(from) => {
            // the trunk halved its step: every run not yet handed over on its own
            for k in from..circuits.len() {
                if !each(k, alone(k)) {
                    return;
                }
            }
        }
    }
}

/// One pattern, built at its first time step.
struct Member<'c> {
    sys: Box<System>,
    probes: Vec<Probe>,
    spec: RunSpec<'c>,
}

/// Builds every circuit's system, or `None` when they cannot share a trunk.
fn prepare<'c>(circuits: &[&'c Circuit], options: &SimOptions) -> Option<Vec<Member<'c>>> {
    let first = circuits[0];
    if !circuits[1..].iter().all(|c| same_but_sources(first, c)) {
        return None;
    }
    let mut members = Vec::with_capacity(circuits.len());
    for &c in circuits {
        // a circuit without probes is given one per node by `plan` (a copy): such
        // runs are not sweep points, and they go on their own
        if c.probes.is_empty() {
            return None;
        }
        let FirstStep {
            tran,
            pstep,
            headers,
            sys,
            probes,
        } = build_first_step(c, options)?;
        if noisy(&sys) {
            return None;
        }
        members.push(Member {
            sys,
            probes,
            spec: RunSpec {
                tstop: tran.tstop,
                pstart: tran.pstart,
                pstep,
                headers,
                progress: None,
                stop: None,
            },
        });
    }
    Some(members)
}

/// Whether two circuits are the same but for their sources' waveforms (and the
/// end of their runs).
fn same_but_sources(a: &Circuit, b: &Circuit) -> bool {
    let grid = |c: &Circuit| c.transient.map(|t| (t.tstep, t.pstart, t.pstep));
    a.nodes == b.nodes
        && grid(a) == grid(b)
        && a.probes == b.probes
        && a.temperature.is_none()
        && b.temperature.is_none()
        && a.noise_bandwidth == b.noise_bandwidth
        && a.seed == b.seed
        && a.spread == b.spread
        && a.elements.len() == b.elements.len()
        && a.elements.iter().zip(&b.elements).all(|(x, y)| {
            x.name == y.name
                && match (&x.kind, &y.kind) {
                    (
                        ElementKind::CurrentSource { p, n, .. },
                        ElementKind::CurrentSource { p: q, n: m, .. },
                    )
                    | (
                        ElementKind::VoltageSource { p, n, .. },
                        ElementKind::VoltageSource { p: q, n: m, .. },
                    )
                    | (
                        ElementKind::PhaseSource { p, n, .. },
                        ElementKind::PhaseSource { p: q, n: m, .. },
                    ) => p == q && n == m,
                    (k, l) => k == l,
                }
        })
}

/// Noise draws from the run's generator at every step: such runs go on their own.
fn noisy(s: &System) -> bool {
    let noise = |src: &Source| matches!(src, Source::Noise { .. });
    s.junctions.iter().any(|j| j.noise.is_some())
        || s.resistors.iter().any(|r| r.noise.is_some())
        || s.isources.iter().any(|c| noise(&c.source))
        || s.vsources.iter().any(|v| noise(&v.source))
        || s.psources.iter().any(|p| noise(&p.source))
}

/// Every source of the system, in a fixed order.
fn sources(s: &System) -> impl Iterator<Item = &Source> {
    s.isources
        .iter()
        .map(|c| &c.source)
        .chain(s.vsources.iter().map(|v| &v.source))
        .chain(s.psources.iter().map(|p| &p.source))
}

/// The first step at which two sources give different values (`None`: never
/// within the run).
fn first_difference(a: &Source, b: &Source, h: f64, from: i64, to: i64) -> Option<i64> {
    if let (Source::Analytic(x), Source::Analytic(y)) = (a, b) {
        if x == y {
            return None;
        }
    }
    if let (
        Source::Pwl { t, v, end, .. },
        Source::Pwl {
            t: u, v: w, end: e, ..
        },
    ) = (a, b)
    {
        let bits = |s: &[f64]| s.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        if bits(t) == bits(u) && bits(v) == bits(w) && end.0.to_bits() == e.0.to_bits() {
            return None;
        }
    }
    let from = from.max(pwl_agree_before(a, b, h));
    let (mut a, mut b) = (a.clone(), b.clone());
    // noise sources never reach here (see `noisy`): the generator is not drawn from
    let mut g = super::noise::Gaussian::new(0, super::rng::NOISE_TAG);
    (from..=to).find(|&i| {
        let t = i as f64 * h;
        a.value(t, &mut g).to_bits() != b.value(t, &mut g).to_bits()
    })
}

/// A step before which two PWL sources give the same values bit for bit, so the
/// search for their first difference can start there: a PWL's value at `t` reads
/// only the two points around `t`, so the two agree at every time before the last
/// of the leading points they share. (`i64::MIN` for anything else.)
fn pwl_agree_before(a: &Source, b: &Source, h: f64) -> i64 {
    let (Source::Pwl { t, v, .. }, Source::Pwl { t: u, v: w, .. }) = (a, b) else {
        return i64::MIN;
    };
    let sorted = |x: &[f64]| x.windows(2).all(|p| p[0] <= p[1]);
    if !sorted(t) || !sorted(u) {
        return i64::MIN;
    }
    let same = |k: usize| t[k].to_bits() == u[k].to_bits() && v[k].to_bits() == w[k].to_bits();
    let common = (0..t.len().min(u.len())).take_while(|&k| same(k)).count();
    match common.checked_sub(1).map(|k| t[k] / h) {
        // a step of margin on each side of the rounding of t / h
        Some(steps) if steps.is_finite() => (steps.floor() as i64).saturating_sub(2),
        _ => i64::MIN,
    }
}

/// A member's last step.
fn sim_size(m: &Member<'_>) -> i64 {
    (m.spec.tstop / m.sys.h) as i64
}

/// The step the patterns fork at: two before the first at which any pattern's
/// sources differ from the first pattern's.
fn fork_step(members: &[Member<'_>]) -> i64 {
    let s0 = &members[0].sys;
    let h = s0.h;
    let from = -transient::startup_steps(h);
    let mut first = members.iter().map(|m| sim_size(m)).min().unwrap_or(0);
    let settles = transient::settling_may_end(s0, -from);
    for m in &members[1..] {
        let s = &m.sys;
        let same_shape = s.n == s0.n
            && s.h.to_bits() == h.to_bits()
            && s.isources.len() == s0.isources.len()
            && s.vsources.len() == s0.vsources.len()
            && s.psources.len() == s0.psources.len()
            && m.probes.len() == members[0].probes.len()
            && transient::settling_may_end(s, -from) == settles;
        if !same_shape {
            return 0;
        }
        for (a, b) in sources(s0).zip(sources(s)) {
            if let Some(i) = first_difference(a, b, h, from, first) {
                first = first.min(i);
            }
        }
    }
    first - 2
}

/// The trunk, then each pattern from the fork. `Err(k)`: the trunk had to halve
/// its step before pattern `k` was handed over.
fn run_family(
    members: &mut [Member<'_>],
    stops: &[Option<Arc<Stop>>],
    fork: i64,
    alone: &(dyn Fn(usize) -> Result<Waveforms, SimError> + Sync),
    each: &mut Each<'_>,
) -> Result<(), usize> {
    let count = members.len();
    let mut trunk = members[0].sys.clone();
    let mut probes = members[0].probes.clone();
    let mut solver = FaerLu::new();
    let (mut c, mut rec) = match Cursor::start(
        &mut trunk,
        probes.len(),
        &mut solver,
        members[0].spec.clone(),
    ) {
        Ok(started) => started,
        Err(_) => return Err(0),
    };
    // The junctions' step-size check starts after 1 % of a run's steps: the
    // trunk checks from the earliest start among the patterns (a pattern's own run
    // would not have been stopped where the trunk is not, and the check changes
    // nothing else).
    c.sim_size = members
        .iter()
        .map(|m| sim_size(m))
        .min()
        .unwrap_or(c.sim_size);
    let mut rests: Vec<Option<Rest>> = (0..count)
        .map(|k| {
            stops[k]
                .as_ref()
                .and_then(|_| Rest::new(&members[k].sys, &members[k].probes, sim_size(&members[k])))
        })
        .collect();
    let mut done: Vec<Option<Waveforms>> = vec![None; count];
    // per pattern, the probes of the parts at rest in it (the trunk steps them on
    // for the other patterns): what its own run holds them at
    let mut held: Vec<Vec<Held>> = vec![Vec::new(); count];
    let mut view = Vec::new();
    let h = trunk.h;
    while c.i < fork.min(c.sim_size) {
        let rows = match c.step(&mut trunk, &mut probes, &mut solver, &mut rec, None) {
            Ok(Stepped::Rows(rows)) => rows,
            Ok(Stepped::StepTooLarge) | Err(_) => return Err(0),
        };
        for k in 0..count {
            if done[k].is_some() {
                continue;
            }
            let stop = stops[k].as_deref();
            let row = if held[k].is_empty() {
                rec.row()
            } else {
                view.clear();
                view.extend_from_slice(rec.row());
                for hd in &held[k] {
                    view[hd.probe] = hd.value;
                }
                &view[..]
            };
            let stopped = rows > 0 && stop.is_some_and(|stop| stop(c.i as f64 * h, row));
            let at_rest = !stopped && rests[k].as_mut().is_some_and(|r| r.at_rest(&c.x, c.i));
            if stopped || at_rest {
                done[k] = Some(waveforms(&c, holding(rec.clone(), &held[k]), &members[k]));
            } else if let Some(r) = rests[k].as_mut().filter(|r| r.news()) {
                for probe in r.newly_held() {
                    held[k].push(Held {
                        probe,
                        value: rec.row()[probe],
                        from: rec.rows(),
                    });
                }
            }
        }
        if done.iter().all(Option::is_some) {
            break;
        }
        c.next();
    }
    let order = InOrder::new(count, each);
    let mut pending = Vec::new();
    for (k, rest) in rests.into_iter().enumerate() {
        match done[k].take() {
            Some(w) => order.hand_over(k, Ok(w)),
            None => pending.push(Pending {
                k,
                rest,
                held: std::mem::take(&mut held[k]),
                solver: solver.fork_factored(),
            }),
        }
    }
    let members = &*members;
    run_offered(pending, &|p: Pending| {
        if order.refused() {
            return;
        }
        let k = p.k;
        let result = match p.solver {
            Ok(solver) => continue_member(
                &trunk,
                &members[k],
                &probes,
                solver,
                &c,
                &rec,
                stops[k].as_deref(),
                p.rest,
                &p.held,
                &|| order.refused(),
            ),
            Err(e) => Some(Err(e.into())),
        };
        order.hand_over(k, result.unwrap_or_else(|| alone(k)));
    });
    Ok(())
}

/// A pattern still to run from the fork, with its copy of the trunk's solver.
struct Pending {
    k: usize,
    rest: Option<Rest>,
    held: Vec<Held>,
    solver: Result<FaerLu, super::solver::SolverError>,
}

/// A probe that holds `value` from printed row `from` on in one pattern's run.
#[derive(Debug, Clone, Copy)]
struct Held {
    probe: usize,
    value: f64,
    from: usize,
}

/// The trunk's table as the pattern with probes `held` prints it in its own run.
fn holding<'a>(mut rec: transient::Recorder<'a>, held: &[Held]) -> transient::Recorder<'a> {
    for hd in held {
        rec.hold_from(hd.probe, hd.value, hd.from);
    }
    rec
}

/// Pattern `m` from the fork: a copy of the trunk with `m`'s sources. `None` when
/// the run must start again on its own (its step halved).
#[allow(clippy::too_many_arguments)]
fn continue_member(
    trunk: &System,
    m: &Member<'_>,
    probes: &[Probe],
    mut solver: FaerLu,
    c: &Cursor,
    rec: &transient::Recorder<'_>,
    stop: Option<&Stop>,
    mut rest: Option<Rest>,
    held: &[Held],
    refused: &dyn Fn() -> bool,
) -> Option<Result<Waveforms, SimError>> {
    let mut s = Box::new(trunk.clone());
    for (to, from) in s.isources.iter_mut().zip(&m.sys.isources) {
        to.source = from.source.clone();
    }
    for (to, from) in s.vsources.iter_mut().zip(&m.sys.vsources) {
        to.source = from.source.clone();
    }
    for (to, from) in s.psources.iter_mut().zip(&m.sys.psources) {
        to.source = from.source.clone();
    }
    let mut probes = probes.to_vec();
    let mut c = c.clone();
    c.sim_size = sim_size(m);
    let mut rec = holding(rec.clone(), held);
    if let Some(r) = &rest {
        c.rest_parts(&s, r);
    }
    // (`solver` holds the trunk's factors of `c.values`, taken over, not recomputed)
    while c.i < c.sim_size {
        if refused() {
            // never handed over (an earlier pattern's result was refused)
            break;
        }
        let rows = match c.step(&mut s, &mut probes, &mut solver, &mut rec, None) {
            Ok(Stepped::Rows(rows)) => rows,
            Ok(Stepped::StepTooLarge) => return None,
            Err(e) => return Some(Err(e)),
        };
        if rows > 0 && stop.is_some_and(|stop| stop(c.i as f64 * s.h, rec.row())) {
            break;
        }
        if let Some(r) = rest.as_mut() {
            if r.at_rest(&c.x, c.i) {
                break;
            }
            if r.news() {
                transient::hold_resting(r, &mut rec);
                c.rest_parts(&s, r);
            }
        }
        c.next();
    }
    Some(Ok(waveforms(&c, rec, m)))
}

/// Member `m`'s waveforms at cursor `c`: the table so far, with `m`'s step count.
fn waveforms(c: &Cursor, rec: transient::Recorder<'_>, m: &Member<'_>) -> Waveforms {
    let mut w = c.finish(rec);
    w.steps = (transient::startup_steps(m.sys.h) + sim_size(m).max(0)) as u64;
    w
}
