//! Sparse linear solvers behind one trait.
//!
//! The transient loop analyses the sparsity pattern once, factorises numerically
//! only when matrix values change (a junction moving between its subgap,
//! transition and normal branches), and otherwise only solves.

use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::perm::PermRef;
use faer::sparse::linalg::lu::simplicial::{self, SimplicialLu};
use faer::sparse::linalg::LuError;
use faer::sparse::linalg::{amd, colamd};
use faer::sparse::{SparseColMatRef, SymbolicSparseColMatRef};

use super::helper::Helper;
use super::triangular::Factors;

/// Square sparse pattern in compressed sparse column form, row indices sorted.
#[derive(Debug, Clone, PartialEq)]
pub struct SparsePattern {
    pub n: usize,
    pub col_ptr: Vec<usize>,
    pub row_idx: Vec<usize>,
}

/// Failure of a linear solve.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SolverError {
    #[error("the circuit matrix is structurally singular (unknown {0} is undetermined: a floating node or a loop of voltage/phase sources?)")]
    StructurallySingular(usize),
    #[error("the circuit matrix is numerically singular")]
    NumericallySingular,
    #[error("linear solver failure: {0}")]
    Other(String),
}

/// A sparse direct solver: symbolic analysis once, numeric factorisation on demand.
pub trait LinearSolver: Send {
    /// Analyses the pattern (ordering, symbolic factorisation).
    fn analyze(&mut self, pattern: &SparsePattern) -> Result<(), SolverError>;
    /// Factorises the matrix with these values (same order as `pattern.row_idx`).
    fn factor(&mut self, values: &[f64]) -> Result<(), SolverError>;
    /// Solves `A x = rhs` in place with the last factorisation.
    fn solve(&mut self, rhs: &mut [f64]) -> Result<(), SolverError>;
    /// [`LinearSolver::solve`], splitting the work with `helper` where
    /// the solver can (the same result bit for bit).
    fn solve_split(
        &mut self,
        rhs: &mut [f64],
        helper: Option<&Helper<'_>>,
    ) -> Result<(), SolverError> {
        let _ = helper;
        self.solve(rhs)
    }
    /// Solves for the unknowns marked in `stepped` only, which must be whole
    /// independent parts of the system (see `sim::parts`): those come out bit for
    /// bit as from [`LinearSolver::solve`]; the others keep their values in `rhs`.
    /// The default solves everything and puts the others back.
    fn solve_stepped(&mut self, rhs: &mut [f64], stepped: &[bool]) -> Result<(), SolverError> {
        let kept: Vec<(usize, f64)> = stepped
            .iter()
            .enumerate()
            .filter(|(_, &on)| !on)
            .map(|(u, _)| (u, rhs[u]))
            .collect();
        self.solve(rhs)?;
        for (u, v) in kept {
            rhs[u] = v;
        }
        Ok(())
    }
    /// Solves `points` right-hand sides at once with the last factorisation, stored
    /// interleaved: `rhs[i * points + p]` is unknown `i` of point `p`. Each point's
    /// result is bit-for-bit what [`LinearSolver::solve`] gives for it alone. The
    /// default solves point by point; [`FaerLu`] runs the points in SIMD lanes.
    fn solve_many(&mut self, rhs: &mut [f64], points: usize) -> Result<(), SolverError> {
        let n = rhs.len().checked_div(points).unwrap_or(0);
        let mut one = vec![0.0; n];
        for p in 0..points {
            for (i, v) in one.iter_mut().enumerate() {
                *v = rhs[i * points + p];
            }
            self.solve(&mut one)?;
            for (i, v) in one.iter().enumerate() {
                rhs[i * points + p] = *v;
            }
        }
        Ok(())
    }
}

/// Which column ordering a [`FaerLu`] factorises with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderingChoice {
    /// The shorter-chained of a fill-reducing ordering (COLAMD, or AMD above
    /// [`AMD_FROM`] unknowns) and nested dissection, chosen at the first
    /// factorisation after each analysis (see [`FaerLu`]).
    #[default]
    Best,
    /// COLAMD only (fewest entries).
    Colamd,
    /// Nested dissection only (shortest chains).
    NestedDissection,
}

/// faer's sparse LU: two column orderings from the pattern (COLAMD, which keeps
/// the factors sparsest, and nested dissection, which keeps the substitutions'
/// chains of dependent rows short, see [`super::ordering`]), faer's simplicial
/// (Gilbert-Peierls, partial pivoting) numeric factorisation on demand, and
/// triangular solves on a private row-compressed copy of the factors
/// ([`super::triangular`]: one pass each, no per-solve allocation).
///
/// Above [`AMD_FROM`] unknowns AMD is a third candidate.
///
/// The first factorisation after an analysis factorises with every candidate. The
/// fill-reducing one is COLAMD's, or AMD's where those have no more entries and no
/// longer a chain; nested dissection is kept instead when its factors' longest
/// chain is at most [`CHAIN_GAIN`] of the fill-reducing one's and its entries at
/// most [`FILL_ALLOWED`] times as many; later factorisations keep that ordering. The choice depends on the
/// pattern and the first values only, so a run's result does not depend on what
/// the solver did before (an analysis, even of the same pattern, chooses again).
#[derive(Default)]
pub struct FaerLu {
    pattern: Option<SparsePattern>,
    choice: OrderingChoice,
    /// Candidate column orderings, `(forward, inverse)`: COLAMD, nested dissection
    /// and (large systems) AMD.
    orderings: Vec<(Vec<usize>, Vec<usize>)>,
    /// The ordering in use, once chosen.
    chosen: Option<usize>,
    row_fwd: Vec<usize>,
    row_inv: Vec<usize>,
    lu: Option<SimplicialLu<usize, f64>>,
    mem: Option<MemBuffer>,
    /// U's diagonal (checked non-zero before the factors are taken over).
    u_diag: Vec<f64>,
    /// The factors in the layout of the substitutions.
    factors: Factors,
    factored: bool,
}

/// Nested dissection is kept when its longest chain is at most this fraction of
/// COLAMD's ...
pub const CHAIN_GAIN: f64 = 0.75;
/// ... and its factors hold at most this many times COLAMD's entries.
pub const FILL_ALLOWED: f64 = 1.5;

impl FaerLu {
    pub fn new() -> Self {
        FaerLu::default()
    }

    /// A solver that factorises with the given ordering(s).
    pub fn with_ordering(choice: OrderingChoice) -> Self {
        FaerLu {
            choice,
            ..FaerLu::default()
        }
    }

    /// A solver for the same pattern with the same column ordering, not yet
    /// factorised: what a run that leaves a shared factorisation continues with
    /// (the ordering a run of its own would have chosen from the same first values).
    pub fn fork(&self) -> Result<Self, SolverError> {
        let pattern = self
            .pattern
            .as_ref()
            .ok_or_else(|| SolverError::Other("fork() before analyze()".into()))?;
        let mut other = FaerLu::with_ordering(self.choice);
        other.analyze(pattern)?;
        if let Some(k) = self.chosen {
            other.orderings = vec![self.orderings[k].clone()];
            other.chosen = Some(0);
        }
        Ok(other)
    }

    /// [`FaerLu::fork`] with this solver's last factorisation taken over: the
    /// factors `factor` would compute again from the same values, without computing
    /// them (a run continuing from another's state with the same matrix).
    pub fn fork_factored(&self) -> Result<Self, SolverError> {
        let mut other = self.fork()?;
        if self.factored {
            other.row_fwd.clone_from(&self.row_fwd);
            other.row_inv.clone_from(&self.row_inv);
            other.lu.clone_from(&self.lu);
            other.u_diag.clone_from(&self.u_diag);
            other.factors = self.factors.clone();
            other.factored = true;
        }
        Ok(other)
    }

    /// Numeric factorisation with candidate ordering `k`.
    fn factor_with(&mut self, k: usize, values: &[f64]) -> Result<(), SolverError> {
        self.factored = false;
        let (Some(pattern), Some(lu), Some(mem)) = (&self.pattern, &mut self.lu, &mut self.mem)
        else {
            return Err(SolverError::Other("factor() before analyze()".into()));
        };
        let n = pattern.n;
        let sym =
            SymbolicSparseColMatRef::new_checked(n, n, &pattern.col_ptr, None, &pattern.row_idx);
        let a = SparseColMatRef::new(sym, values);
        let (col_fwd, col_inv) = &self.orderings[k];
        let col_perm = PermRef::new_checked(col_fwd, col_inv, n);
        simplicial::factorize_simplicial_numeric_lu(
            &mut self.row_fwd,
            &mut self.row_inv,
            lu,
            a,
            col_perm,
            MemStack::new(mem),
        )
        .map_err(|e| match e {
            LuError::SymbolicSingular { index } => SolverError::StructurallySingular(index),
            LuError::Generic(g) => other(g),
        })?;
        let l = lu.l_factor_unsorted();
        let u = lu.u_factor_unsorted();
        self.u_diag.clear();
        for j in 0..n {
            // L: unit diagonal stored first; U: diagonal stored last.
            let (ui, uv) = (u.symbolic().row_idx_of_col_raw(j), u.val_of_col(j));
            let last = ui
                .len()
                .checked_sub(1)
                .ok_or(SolverError::NumericallySingular)?;
            if ui[last] != j || uv[last] == 0.0 || !uv[last].is_finite() {
                return Err(SolverError::NumericallySingular);
            }
            self.u_diag.push(uv[last]);
        }
        self.factors.set(
            &self.row_fwd,
            col_inv,
            |j| {
                (
                    &l.symbolic().row_idx_of_col_raw(j)[1..],
                    &l.val_of_col(j)[1..],
                )
            },
            |j| {
                let (ui, uv) = (u.symbolic().row_idx_of_col_raw(j), u.val_of_col(j));
                (&ui[..ui.len() - 1], &uv[..uv.len() - 1])
            },
            &self.u_diag,
        )?;
        self.factored = true;
        Ok(())
    }

    /// The first factorisation after an analysis: every candidate ordering, then
    /// the chosen one kept (and its factors left in place).
    fn choose(&mut self, values: &[f64]) -> Result<usize, SolverError> {
        if self.orderings.len() == 1 {
            self.factor_with(0, values)?;
            return Ok(0);
        }
        // (chain, entries) of each candidate that factorises
        let mut stats: Vec<Option<(usize, usize)>> = Vec::new();
        let mut first_error = None;
        for k in 0..self.orderings.len() {
            match self.factor_with(k, values) {
                Ok(()) => stats.push(Some((self.factors.chain(), self.factors.nnz()))),
                Err(e) => {
                    first_error.get_or_insert(e);
                    stats.push(None);
                }
            }
        }
        // the fill-reducing candidate: COLAMD, or AMD (large systems) where its
        // factors are no fuller and no longer-chained
        let fill = match (stats[0], stats.get(2).copied().flatten()) {
            (Some((c0, e0)), Some((c2, e2))) if c2 <= c0 && e2 <= e0 => 2,
            (None, Some(_)) => 2,
            _ => 0,
        };
        let pick = match (stats[fill], stats[1]) {
            (Some((c0, e0)), Some((c1, e1))) => {
                let shorter = c1 as f64 <= CHAIN_GAIN * c0 as f64;
                let sparse_enough = e1 as f64 <= FILL_ALLOWED * e0 as f64;
                if shorter && sparse_enough {
                    1
                } else {
                    fill
                }
            }
            (Some(_), None) => fill,
            (None, Some(_)) => 1,
            (None, None) => {
                return Err(first_error.unwrap_or(SolverError::NumericallySingular));
            }
        };
        // the factors in place are the last candidate's
        if pick + 1 != self.orderings.len() {
            self.factor_with(pick, values)?;
        }
        Ok(pick)
    }

    /// The ordering in use ("COLAMD", "nested dissection" or "AMD"), `None` before
    /// the first factorisation.
    pub fn ordering_in_use(&self) -> Option<&'static str> {
        let k = self.chosen?;
        Some(match self.choice {
            OrderingChoice::Best => ["COLAMD", "nested dissection", "AMD"][k],
            OrderingChoice::Colamd => "COLAMD",
            OrderingChoice::NestedDissection => "nested dissection",
        })
    }
}

fn other(e: impl std::fmt::Debug) -> SolverError {
    SolverError::Other(format!("{e:?}"))
}

fn colamd_ordering(pattern: &SparsePattern) -> Result<(Vec<usize>, Vec<usize>), SolverError> {
    let (n, nnz) = (pattern.n, pattern.row_idx.len());
    fill_reducing(
        pattern,
        colamd::order_scratch::<usize>(n, n, nnz),
        |fwd, inv, sym, stack| {
            colamd::order(fwd, inv, sym, colamd::Control::default(), stack).map(|_| ())
        },
    )
}

/// AMD on the pattern of `A + Aᵀ` (KLU's default ordering): on the largest
/// circuits its factors can be both sparser and shorter-chained than COLAMD's
/// (`ex_gen_pp_ipht`: 92,712 entries and a chain of 108 rows against 97,799 and
/// 266).
fn amd_ordering(pattern: &SparsePattern) -> Result<(Vec<usize>, Vec<usize>), SolverError> {
    let (n, nnz) = (pattern.n, pattern.row_idx.len());
    fill_reducing(
        pattern,
        amd::order_scratch::<usize>(n, nnz),
        |fwd, inv, sym, stack| {
            amd::order(fwd, inv, sym, amd::Control::default(), stack).map(|_| ())
        },
    )
}

/// One of faer's fill-reducing orderings of `pattern` with `scratch` bytes of
/// work space: `(forward, inverse)`.
fn fill_reducing<E: std::fmt::Debug>(
    pattern: &SparsePattern,
    scratch: StackReq,
    order: impl FnOnce(
        &mut [usize],
        &mut [usize],
        SymbolicSparseColMatRef<'_, usize>,
        &mut MemStack,
    ) -> Result<(), E>,
) -> Result<(Vec<usize>, Vec<usize>), SolverError> {
    let n = pattern.n;
    let sym = SymbolicSparseColMatRef::new_checked(n, n, &pattern.col_ptr, None, &pattern.row_idx);
    let mut fwd = vec![0; n];
    let mut inv = vec![0; n];
    let mut mem =
        MemBuffer::try_new(scratch).map_err(|_| SolverError::Other("out of memory".into()))?;
    order(&mut fwd, &mut inv, sym, MemStack::new(&mut mem)).map_err(other)?;
    Ok((fwd, inv))
}

/// Systems above this many unknowns also try AMD (three factorisations at the
/// first; a margin sweep's small circuits keep their two).
pub const AMD_FROM: usize = super::triangular::LEVELS_UP_TO;

/// Candidate orderings, `(forward, inverse)` each.
type Orderings = Vec<(Vec<usize>, Vec<usize>)>;

thread_local! {
    /// The last pattern this thread ordered and its candidate orderings: the runs
    /// of a sweep share one pattern, so each thread orders it once. (A function of
    /// the pattern alone: taking it from here changes no result.)
    static LAST_ORDERED: std::cell::RefCell<Option<(SparsePattern, OrderingChoice, Orderings)>> =
        const { std::cell::RefCell::new(None) };
}

/// The candidate column orderings of `pattern`.
fn orderings(pattern: &SparsePattern, choice: OrderingChoice) -> Result<Orderings, SolverError> {
    let cached = LAST_ORDERED.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|(p, k, _)| *k == choice && p == pattern)
            .map(|(_, _, o)| o.clone())
    });
    if let Some(o) = cached {
        return Ok(o);
    }
    let o = match choice {
        OrderingChoice::Best => {
            let mut o = vec![
                colamd_ordering(pattern)?,
                nested_dissection_ordering(pattern),
            ];
            if pattern.n > AMD_FROM {
                o.push(amd_ordering(pattern)?);
            }
            o
        }
        OrderingChoice::Colamd => vec![colamd_ordering(pattern)?],
        OrderingChoice::NestedDissection => vec![nested_dissection_ordering(pattern)],
    };
    LAST_ORDERED.with(|c| *c.borrow_mut() = Some((pattern.clone(), choice, o.clone())));
    Ok(o)
}

fn nested_dissection_ordering(pattern: &SparsePattern) -> (Vec<usize>, Vec<usize>) {
    let fwd = super::ordering::nested_dissection(pattern.n, &pattern.col_ptr, &pattern.row_idx);
    let mut inv = vec![0; pattern.n];
    for (k, &c) in fwd.iter().enumerate() {
        inv[c] = k;
    }
    (fwd, inv)
}

impl LinearSolver for FaerLu {
    fn analyze(&mut self, pattern: &SparsePattern) -> Result<(), SolverError> {
        self.factored = false;
        self.chosen = None;
        // Same pattern as last time (e.g. the next run of a margin sweep): keep the
        // candidate orderings (the choice is made again).
        if self.pattern.as_ref() == Some(pattern) {
            return Ok(());
        }
        let n = pattern.n;
        self.orderings = orderings(pattern, self.choice)?;
        let req = StackReq::any_of(&[
            simplicial::factorize_simplicial_numeric_lu_scratch::<usize, f64>(n, n),
            StackReq::new::<f64>(n),
        ]);
        self.mem =
            Some(MemBuffer::try_new(req).map_err(|_| SolverError::Other("out of memory".into()))?);
        self.row_fwd = vec![0; n];
        self.row_inv = vec![0; n];
        self.lu = Some(SimplicialLu::new());
        self.pattern = Some(pattern.clone());
        Ok(())
    }

    fn factor(&mut self, values: &[f64]) -> Result<(), SolverError> {
        match self.chosen {
            Some(k) => self.factor_with(k, values),
            None => {
                let k = self.choose(values)?;
                self.chosen = Some(k);
                Ok(())
            }
        }
    }

    fn solve(&mut self, rhs: &mut [f64]) -> Result<(), SolverError> {
        if !self.factored {
            return Err(SolverError::Other("solve() before factor()".into()));
        }
        self.factors.solve(rhs);
        Ok(())
    }

    fn solve_split(
        &mut self,
        rhs: &mut [f64],
        helper: Option<&Helper<'_>>,
    ) -> Result<(), SolverError> {
        if !self.factored {
            return Err(SolverError::Other("solve() before factor()".into()));
        }
        self.factors.solve_split(rhs, helper);
        Ok(())
    }

    fn solve_stepped(&mut self, rhs: &mut [f64], stepped: &[bool]) -> Result<(), SolverError> {
        if !self.factored {
            return Err(SolverError::Other("solve() before factor()".into()));
        }
        self.factors.solve_stepped(rhs, stepped);
        Ok(())
    }

    fn solve_many(&mut self, rhs: &mut [f64], points: usize) -> Result<(), SolverError> {
        if !self.factored {
            return Err(SolverError::Other("solve() before factor()".into()));
        }
        self.factors.solve_many(rhs, points);
        Ok(())
    }
}

impl FaerLu {
    /// Unknowns of the last analysed pattern.
    pub fn unknowns(&self) -> usize {
        self.pattern.as_ref().map_or(0, |p| p.n)
    }

    /// Stored entries of L and U of the last factorisation (diagonals included).
    pub fn lu_nnz(&self) -> usize {
        self.factors.nnz()
    }

    /// Longest chain of rows waiting one for the other in a solve with the last
    /// factorisation ([`Factors::chain`]).
    pub fn chain(&self) -> usize {
        self.factors.chain()
    }

    /// Floating-point operations of one solve with the last factorisation.
    pub fn flops_per_solve(&self) -> usize {
        self.factors.flops_per_solve()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_small_unsymmetric_system() {
        // [2 1 0; 0 3 1; 1 0 4] x = [3 4 5] -> x = [1 1 1]
        let pattern = SparsePattern {
            n: 3,
            col_ptr: vec![0, 2, 4, 6],
            row_idx: vec![0, 2, 0, 1, 1, 2],
        };
        let values = [2.0, 1.0, 1.0, 3.0, 1.0, 4.0];
        let mut s = FaerLu::new();
        s.analyze(&pattern).expect("analyze");
        s.factor(&values).expect("factor");
        let mut b = [3.0, 4.0, 5.0];
        s.solve(&mut b).expect("solve");
        for x in b {
            assert!((x - 1.0).abs() < 1e-12);
        }
        // Re-analysing the same pattern keeps the ordering; solving needs a new factor.
        s.analyze(&pattern).expect("analyze again");
        let mut b = [3.0, 4.0, 5.0];
        assert!(s.solve(&mut b).is_err());
        // Refactor with new values, same pattern.
        let values2 = [4.0, 1.0, 1.0, 3.0, 1.0, 4.0];
        s.factor(&values2).expect("factor");
        let mut b = [5.0, 4.0, 5.0];
        s.solve(&mut b).expect("solve");
        for x in b {
            assert!((x - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn solves_larger_pivoting_system() {
        // Banded unsymmetric matrix with weak diagonal (forces row pivoting).
        let n = 40;
        let mut dense = vec![vec![0.0; n]; n];
        for i in 0..n {
            dense[i][i] = 1e-3 * (i as f64 + 1.0);
            if i + 1 < n {
                dense[i][i + 1] = 2.0 + i as f64 * 0.1;
                dense[i + 1][i] = -1.5;
            }
            if i + 7 < n {
                dense[i + 7][i] = 0.3;
            }
        }
        let mut col_ptr = vec![0];
        let mut row_idx = Vec::new();
        let mut values = Vec::new();
        for j in 0..n {
            for (i, row) in dense.iter().enumerate() {
                if row[j] != 0.0 {
                    row_idx.push(i);
                    values.push(row[j]);
                }
            }
            col_ptr.push(row_idx.len());
        }
        let x: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin() + 1.0).collect();
        let mut b: Vec<f64> = dense
            .iter()
            .map(|row| row.iter().zip(&x).map(|(a, b)| a * b).sum())
            .collect();
        let mut s = FaerLu::new();
        s.analyze(&SparsePattern {
            n,
            col_ptr,
            row_idx,
        })
        .expect("analyze");
        s.factor(&values).expect("factor");
        s.solve(&mut b).expect("solve");
        for (got, want) in b.iter().zip(&x) {
            assert!((got - want).abs() < 1e-9, "{got} vs {want}");
        }
    }
}
