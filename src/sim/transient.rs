//! The fixed-step transient loop, in JoSIM 2.7's order of operations.

use super::branches::inductor_rhs;
use super::build::System;
use super::helper::{Helper, HelperSlot};
use super::junction::Junction;
use super::output::Waveforms;
use super::parts::Active;
use super::probes::{PrintSchedule, Probe};
use super::solver::LinearSolver;
use super::{Mode, Progress, SimError, Stop};

/// Number of settling steps JoSIM runs before t = 0 (sources at negative times).
pub fn startup_steps(h: f64) -> i64 {
    let s = (2.0 * 10f64.powf((h.log10().abs() - 12.0) * 2.0 + 1.0)) as i64;
    s.min(1000)
}

/// Settling steps in a row whose solution must repeat bit for bit before the rest of
/// them are skipped (more than the deepest history an element keeps: a capacitor's
/// four past phases in phase mode).
const SETTLED_AFTER: u32 = 8;

/// Whether the settling steps before t = 0 may end early once the solution stops
/// changing: no noise (junction, resistor or source) and every source constant over
/// the settling interval. Then a settling step whose solution repeats the previous
/// ones exactly leaves every element's state as it found it (each keeps only the last
/// few solutions), so the steps left would repeat it too: skipping them changes no bit.
pub fn settling_may_end(s: &System, startup: i64) -> bool {
    let from = -(startup as f64) * s.h;
    s.junctions.iter().all(|j| j.noise.is_none())
        && s.resistors.iter().all(|r| r.noise.is_none())
        && s.isources
            .iter()
            .all(|c| c.source.constant_before_zero(from))
        && s.vsources
            .iter()
            .all(|v| v.source.constant_before_zero(from))
        && s.psources
            .iter()
            .all(|p| p.source.constant_before_zero(from))
}

/// Counts settling steps whose solution repeats the previous one bit for bit.
#[derive(Default, Clone)]
pub struct Settling {
    previous: Vec<f64>,
    repeats: u32,
}

impl Settling {
    /// Takes in settling step `i`'s solution (the matrix unchanged); true when the
    /// remaining settling steps can be skipped.
    pub fn settled(&mut self, x: &[f64], matrix_same: bool) -> bool {
        let same = matrix_same
            && self.previous.len() == x.len()
            && self
                .previous
                .iter()
                .zip(x)
                .all(|(a, b)| a.to_bits() == b.to_bits());
        self.repeats = if same { self.repeats + 1 } else { 0 };
        if !same {
            self.previous.clear();
            self.previous.extend_from_slice(x);
        }
        self.repeats >= SETTLED_AFTER
    }
}

/// Result of one run at a fixed step.
pub enum Run {
    Done(Waveforms),
    /// A junction's predicted phase moved more than 0.2 * 2pi in one step.
    StepTooLarge,
}

#[derive(Clone)]
pub struct RunSpec<'a> {
    pub tstop: f64,
    pub pstart: f64,
    pub pstep: f64,
    pub headers: Vec<String>,
    pub progress: Option<&'a Progress>,
    pub stop: Option<&'a Stop>,
}

/// What assembling a step's right-hand side found.
pub enum Assembled {
    /// The matrix is as in the last step.
    Same,
    /// A junction changed its quasiparticle branch: restamp and refactorise.
    MatrixChanged,
    /// A junction's predicted phase moves too fast: JoSIM halves the step.
    StepTooLarge,
}

/// Junction predictors, their sines and branch choices (each junction's own state):
/// `Some(matrix changed)`, or `None` when a phase moves too fast for the step.
fn update_junctions(
    junctions: &mut [Junction],
    args: &mut [f64],
    sines: &mut [f64],
    x: &[f64],
    i: i64,
    check: bool,
    mode: Mode,
) -> Option<bool> {
    for (j, arg) in junctions.iter_mut().zip(args.iter_mut()) {
        *arg = j.predict(x, i, check, mode)?;
    }
    super::sine::sin_many(args, sines);
    let mut changed = false;
    for (j, sine) in junctions.iter_mut().zip(sines.iter()) {
        changed |= j.complete(*sine);
    }
    Some(changed)
}

/// Fills `b` with step `i`'s right-hand side from the last solution `x` (JoSIM's order:
/// junctions, current sources, resistors, inductors, capacitors, sources, controlled
/// sources, transmission lines).
pub fn assemble(
    s: &mut System,
    x: &[f64],
    b: &mut [f64],
    i: i64,
    sim_size: i64,
    helper: Option<&Helper<'_>>,
    active: Option<&Active>,
) -> Assembled {
    if let Some(a) = active {
        return assemble_active(s, x, b, i, sim_size, a);
    }
    let h = s.h;
    let mode = s.mode;
    let t = i as f64 * h;
    b.fill(0.0);
    let check = (i as f64) / (sim_size as f64) > 0.01;
    let mut changed = false;
    // predictors first, then every sine at once (in SIMD lanes), then the rest of
    // each junction in JoSIM's order (noise, branch choice, right-hand side)
    let nj = s.junctions.len();
    s.sine_args.resize(nj, 0.0);
    s.sines.resize(nj, 0.0);
    // predictors, every sine at once (in SIMD lanes) and the branch choices, in two
    // halves when a helper thread is there (each junction's own state only); then
    // the rest of each junction in JoSIM's order (noise, right-hand side)
    let half = if helper.is_some() { nj / 2 } else { nj };
    let (ja, jb) = s.junctions.split_at_mut(half);
    let (aa, ab) = s.sine_args.split_at_mut(half);
    let (sa, sb) = s.sines.split_at_mut(half);
    let (mut first, mut second) = (Some(false), Some(false));
    super::helper::join(
        helper,
        || first = update_junctions(ja, aa, sa, x, i, check, mode),
        || second = update_junctions(jb, ab, sb, x, i, check, mode),
    );
    let (Some(changed_a), Some(changed_b)) = (first, second) else {
        return Assembled::StepTooLarge;
    };
    changed |= changed_a | changed_b;
    for j in &mut s.junctions {
        if let Some(noise) = &mut j.noise {
            let v = super::passive::noise_value(noise, j.pair, t, &mut s.noise_rng);
            j.pair.source(b, v);
        }
        j.rhs(b);
    }
    for src in &mut s.isources {
        src.rhs(b, t, &mut s.noise_rng);
    }
    for r in &mut s.resistors {
        r.rhs(x, b, t, mode, &mut s.noise_rng);
    }
    if mode == Mode::Voltage {
        inductor_rhs(&mut s.branch_inductors, x, b, h);
    }
    for c in &mut s.capacitors {
        c.rhs(x, b, mode);
    }
    for v in &mut s.vsources {
        v.rhs(x, b, t, h, mode, &mut s.noise_rng);
    }
    for p in &mut s.psources {
        p.rhs(b, i, t, h, mode, &mut s.noise_rng);
    }
    if mode == Mode::Phase {
        for c in &mut s.ccvs {
            c.rhs(x, b);
        }
        for g in &mut s.vccs {
            g.rhs(x, b);
        }
    }
    for tl in &mut s.tlines {
        tl.rhs(x, b, i, h, mode);
    }
    if changed {
        Assembled::MatrixChanged
    } else {
        Assembled::Same
    }
}

/// [`assemble`] for the parts of the circuit still stepping (`a`): the same
/// contributions to their rows in the same order; the resting parts' rows of `b`
/// keep their values. Only where a run may end at rest (phase mode, no noise, no
/// transmission lines: [`super::quiet::Rest`]).
fn assemble_active(
    s: &mut System,
    x: &[f64],
    b: &mut [f64],
    i: i64,
    sim_size: i64,
    a: &Active,
) -> Assembled {
    let h = s.h;
    let mode = s.mode;
    let t = i as f64 * h;
    for &u in &a.unknowns {
        b[u as usize] = 0.0;
    }
    let check = (i as f64) / (sim_size as f64) > 0.01;
    let m = a.junctions.len();
    s.sine_args.resize(m.max(s.sine_args.len()), 0.0);
    s.sines.resize(m.max(s.sines.len()), 0.0);
    for (arg, &k) in s.sine_args.iter_mut().zip(&a.junctions) {
        match s.junctions[k as usize].predict(x, i, check, mode) {
            Some(v) => *arg = v,
            None => return Assembled::StepTooLarge,
        }
    }
    super::sine::sin_many(&s.sine_args[..m], &mut s.sines[..m]);
    let mut changed = false;
    for (sine, &k) in s.sines.iter().zip(&a.junctions) {
        changed |= s.junctions[k as usize].complete(*sine);
    }
    for &k in &a.junctions {
        s.junctions[k as usize].rhs(b);
    }
    for &k in &a.isources {
        s.isources[k as usize].rhs(b, t, &mut s.noise_rng);
    }
    for &k in &a.resistors {
        s.resistors[k as usize].rhs(x, b, t, mode, &mut s.noise_rng);
    }
    for &k in &a.capacitors {
        s.capacitors[k as usize].rhs(x, b, mode);
    }
    for &k in &a.vsources {
        s.vsources[k as usize].rhs(x, b, t, h, mode, &mut s.noise_rng);
    }
    for &k in &a.psources {
        s.psources[k as usize].rhs(b, i, t, h, mode, &mut s.noise_rng);
    }
    for &k in &a.ccvs {
        s.ccvs[k as usize].rhs(x, b);
    }
    for &k in &a.vccs {
        s.vccs[k as usize].rhs(x, b);
    }
    if changed {
        Assembled::MatrixChanged
    } else {
        Assembled::Same
    }
}

/// One run's output side: print schedule, waveform table and the row being sampled.
pub struct Recorder<'a> {
    schedule: PrintSchedule,
    pub out: Waveforms,
    row: Vec<f64>,
    /// Per probe, the value it holds once its part of the circuit is at rest for good
    /// (empty while no probe holds).
    held: Vec<Option<f64>>,
    progress: Option<&'a Progress>,
    progress_every: i64,
    sim_size: i64,
}

/// A copy keeps the room reserved for the rows still to come (a run forked from a
/// shared trunk goes on printing into it without growing its columns step by step).
impl Clone for Recorder<'_> {
    fn clone(&self) -> Self {
        let with_room = |v: &Vec<f64>| {
            let mut c = Vec::with_capacity(v.capacity());
            c.extend_from_slice(v);
            c
        };
        let out = Waveforms {
            time: with_room(&self.out.time),
            headers: self.out.headers.clone(),
            columns: self.out.columns.iter().map(with_room).collect(),
            tstep: self.out.tstep,
            factorizations: self.out.factorizations,
            steps: self.out.steps,
        };
        Recorder {
            schedule: self.schedule.clone(),
            out,
            row: self.row.clone(),
            held: self.held.clone(),
            progress: self.progress,
            progress_every: self.progress_every,
            sim_size: self.sim_size,
        }
    }
}

impl<'a> Recorder<'a> {
    pub fn new(spec: RunSpec<'a>, h: f64, probes: usize) -> Self {
        let sim_size = (spec.tstop / h) as i64;
        // Rows JoSIM prints (plus its possibly repeated first row): reserved up front.
        let rows = ((spec.tstop - spec.pstart.max(0.0)) / spec.pstep).clamp(0.0, 1e7) as usize + 2;
        let mut out = Waveforms {
            headers: spec.headers,
            columns: vec![Vec::with_capacity(rows); probes],
            time: Vec::with_capacity(rows),
            tstep: h,
            ..Default::default()
        };
        out.steps = (startup_steps(h) + sim_size.max(0)) as u64;
        Recorder {
            schedule: PrintSchedule::new(spec.pstart, spec.pstep),
            out,
            row: vec![0.0; probes],
            held: Vec::new(),
            progress: spec.progress,
            progress_every: (sim_size / 100).max(1),
            sim_size,
        }
    }

    /// The probe values of the last sampled step.
    pub fn row(&self) -> &[f64] {
        &self.row
    }

    /// Rows printed so far.
    pub fn rows(&self) -> usize {
        self.out.time.len()
    }

    /// Probe `k` holds `value` from the next step on (its part of the circuit is at
    /// rest for good and no longer stepped).
    pub fn hold(&mut self, k: usize, value: f64) {
        if self.held.is_empty() {
            self.held = vec![None; self.row.len()];
        }
        self.held[k] = Some(value);
    }

    /// Probe `k` holds `value` from printed row `from` on, rows already printed
    /// included (a run forked from a trunk that went on stepping the part).
    pub fn hold_from(&mut self, k: usize, value: f64, from: usize) {
        for v in self.out.columns[k].iter_mut().skip(from) {
            *v = value;
        }
        self.row[k] = value;
        self.hold(k, value);
    }

    /// Takes in step `i`'s solution `x`: delay-line history and output rows (the
    /// junctions read theirs when the next step is prepared).
    pub fn step(
        &mut self,
        s: &mut System,
        probes: &mut [Probe],
        x: &[f64],
        i: i64,
    ) -> Result<usize, SimError> {
        // (a fold without early exit, so that it vectorises)
        if !x.iter().fold(true, |ok, v| ok & v.is_finite()) {
            return Err(SimError::Solver(
                super::solver::SolverError::NumericallySingular,
            ));
        }
        if i >= 0 {
            let t = i as f64 * s.h;
            for tl in &mut s.tlines {
                tl.record(x);
            }
            if self.held.is_empty() {
                for (k, p) in probes.iter_mut().enumerate() {
                    self.row[k] = p.sample(s, x);
                }
            } else {
                for (k, p) in probes.iter_mut().enumerate() {
                    self.row[k] = match self.held[k] {
                        Some(v) => v,
                        None => p.sample(s, x),
                    };
                }
            }
            let rows = self.schedule.rows(t);
            for _ in 0..rows {
                self.out.time.push(t);
                for (k, v) in self.row.iter().enumerate() {
                    self.out.columns[k].push(*v);
                }
            }
            if let Some(cb) = self.progress {
                if i % self.progress_every == 0 {
                    cb(i as u64, self.sim_size as u64);
                }
            }
            return Ok(rows);
        }
        Ok(0)
    }
}

pub fn run(
    s: &mut System,
    probes: &mut [Probe],
    solver: &mut dyn LinearSolver,
    spec: RunSpec<'_>,
) -> Result<Run, SimError> {
    if !two_threads(s) {
        return run_on(s, probes, solver, spec, None);
    }
    let slot = HelperSlot::default();
    std::thread::scope(|scope| {
        let helper = Helper::new(scope, &slot);
        run_on(s, probes, solver, spec, Some(&helper))
    })
}

/// Circuits from this many unknowns up take a second thread for their steps.
pub const TWO_THREADS_FROM: usize = 4_000;

/// Runs of at least this many steps measure whether the second thread pays
/// ([`super::helper::Trial`], 4 × 32 steps).
pub const TRIAL_FROM_STEPS: i64 = 1_000;

/// Whether a run of `s` takes a helper thread: a large circuit, a machine with a
/// second core, not already inside a parallel sweep (a rayon thread), and not
/// turned off with `NMGEN_SIM_THREADS=1`.
fn two_threads(s: &System) -> bool {
    s.n >= TWO_THREADS_FROM
        && rayon::current_thread_index().is_none()
        && std::thread::available_parallelism().is_ok_and(|p| p.get() > 1)
        && std::env::var("NMGEN_SIM_THREADS").map_or(true, |v| v.trim() != "1")
}

fn run_on(
    s: &mut System,
    probes: &mut [Probe],
    solver: &mut dyn LinearSolver,
    spec: RunSpec<'_>,
    helper: Option<&Helper<'_>>,
) -> Result<Run, SimError> {
    let stop = spec.stop;
    let (mut c, mut rec) = Cursor::start(s, probes.len(), solver, spec)?;
    let mut rest = stop.and_then(|_| super::quiet::Rest::new(s, probes, c.sim_size));
    // a long run first measures whether the helper pays here (`Trial`)
    let mut helper = helper;
    let mut trial = helper
        .filter(|_| c.sim_size >= TRIAL_FROM_STEPS)
        .map(|_| super::helper::Trial::default());
    while c.i < c.sim_size {
        let in_trial = c.i >= 0 && trial.is_some();
        let this_step = match (&trial, helper) {
            (Some(t), Some(h)) if in_trial => {
                h.pause(!t.use_helper());
                t.use_helper().then_some(h)
            }
            _ => helper,
        };
        let rows = match c.step(s, probes, solver, &mut rec, this_step)? {
            Stepped::Rows(rows) => rows,
            Stepped::StepTooLarge => return Ok(Run::StepTooLarge),
        };
        if in_trial {
            if let Some(keep) = trial.as_mut().and_then(super::helper::Trial::stepped) {
                if let Some(h) = helper {
                    h.pause(false);
                    if !keep {
                        h.stop();
                        helper = None;
                    }
                }
                trial = None;
            }
        }
        if rows > 0 && stop.is_some_and(|stop| stop(c.i as f64 * s.h, &rec.row)) {
            break;
        }
        if let Some(r) = rest.as_mut() {
            if r.at_rest(&c.x, c.i) {
                break;
            }
            if r.news() {
                hold_resting(r, &mut rec);
                if helper.is_none() {
                    c.rest_parts(s, r);
                }
            }
        }
        c.next();
    }
    Ok(Run::Done(c.finish(rec)))
}

/// The probes of the parts that came to rest hold their last values in `rec`.
pub fn hold_resting(rest: &mut super::quiet::Rest, rec: &mut Recorder<'_>) {
    for k in rest.newly_held() {
        let v = rec.row()[k];
        rec.hold(k, v);
    }
}

/// What one step did.
pub enum Stepped {
    /// Rows printed.
    Rows(usize),
    /// A junction's predicted phase moved too fast: the run restarts at half the step.
    StepTooLarge,
}

/// A run between two steps: the solution, the step index and what the next step
/// needs (what a fork of the run copies, with the system and the recorder).
#[derive(Clone)]
pub struct Cursor {
    pub x: Vec<f64>,
    b: Vec<f64>,
    /// The step to take next (negative: settling steps before t = 0).
    pub i: i64,
    pub sim_size: i64,
    pub factorizations: u64,
    /// The matrix values of the last factorisation.
    pub values: Vec<f64>,
    slot: Vec<usize>,
    settling: Option<Settling>,
    matrix_same: bool,
    /// What still steps while parts of the circuit rest (`None`: everything).
    active: Option<Active>,
}

impl Cursor {
    /// A run's start: the matrix analysed and factorised, the first settling step next.
    pub fn start<'a>(
        s: &mut System,
        probes: usize,
        solver: &mut dyn LinearSolver,
        spec: RunSpec<'a>,
    ) -> Result<(Cursor, Recorder<'a>), SimError> {
        let h = s.h;
        let sim_size = (spec.tstop / h) as i64;
        let startup = startup_steps(h);
        let (pattern, slot) = s.matrix.compress(s.n);
        let nnz = pattern.row_idx.len();
        let mut values = Vec::with_capacity(nnz);
        s.matrix.values(&slot, nnz, &mut values);
        solver.analyze(&pattern)?;
        solver.factor(&values)?;
        for tl in &mut s.tlines {
            tl.reserve(sim_size.max(0) as usize);
        }
        let rec = Recorder::new(spec, h, probes);
        let settling = settling_may_end(s, startup).then(Settling::default);
        Ok((
            Cursor {
                x: vec![0.0; s.n],
                b: vec![0.0; s.n],
                i: -startup,
                sim_size,
                factorizations: 1,
                values,
                slot,
                settling,
                matrix_same: true,
                active: None,
            },
            rec,
        ))
    }

    /// Step `self.i`: right-hand side (and a new factorisation when a junction
    /// changed branch), solve, junction updates and printed rows.
    pub fn step(
        &mut self,
        s: &mut System,
        probes: &mut [Probe],
        solver: &mut dyn LinearSolver,
        rec: &mut Recorder<'_>,
        helper: Option<&Helper<'_>>,
    ) -> Result<Stepped, SimError> {
        self.matrix_same = true;
        let active = self.active.as_ref();
        match assemble(
            s,
            &self.x,
            &mut self.b,
            self.i,
            self.sim_size,
            helper,
            active,
        ) {
            Assembled::Same => {}
            Assembled::MatrixChanged => {
                self.matrix_same = false;
                for j in &s.junctions {
                    j.restamp(&mut s.matrix);
                }
                let nnz = self.values.len();
                s.matrix.values(&self.slot, nnz, &mut self.values);
                solver.factor(&self.values)?;
                self.factorizations += 1;
            }
            Assembled::StepTooLarge => return Ok(Stepped::StepTooLarge),
        }
        std::mem::swap(&mut self.x, &mut self.b);
        match active {
            Some(a) => solver.solve_stepped(&mut self.x, &a.stepped)?,
            None => solver.solve_split(&mut self.x, helper)?,
        }
        Ok(Stepped::Rows(rec.step(s, probes, &self.x, self.i)?))
    }

    /// From the next step on, only the parts of the circuit not resting in `rest`
    /// are stepped (their unknowns come out bit for bit as before: the parts are
    /// independent). The resting parts' unknowns keep their last values.
    pub fn rest_parts(&mut self, s: &System, rest: &super::quiet::Rest) {
        let resting = rest.resting();
        if !resting.iter().any(|&r| r) {
            return;
        }
        let a = Active::new(s, rest.parts(), resting);
        for (u, &on) in a.stepped.iter().enumerate() {
            if !on {
                self.b[u] = self.x[u];
            }
        }
        self.active = Some(a);
    }

    /// On to the next step (past the settling steps left once the solution repeats).
    pub fn next(&mut self) {
        self.i += 1;
        if self.i < 0
            && self
                .settling
                .as_mut()
                .is_some_and(|st| st.settled(&self.x, self.matrix_same))
        {
            self.i = 0;
            self.settling = None;
        }
    }

    /// The run's waveforms so far.
    pub fn finish(&self, rec: Recorder<'_>) -> Waveforms {
        let mut out = rec.out;
        out.factorizations = self.factorizations;
        out
    }
}
