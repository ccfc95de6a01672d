//! Sparse linear solvers behind one trait.
//!
//! The transient loop analyses the sparsity pattern once, factorises numerically
//! only when matrix values change (a junction moving between its subgap,
//! transition and normal branches), and otherwise only solves.

use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::perm::PermRef;
use faer::sparse::linalg::colamd;
use faer::sparse::linalg::lu::simplicial::{self, SimplicialLu};
use faer::sparse::linalg::LuError;
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

/// faer's sparse LU: COLAMD column ordering once (kept across runs on the same
/// pattern, so one solver reused through [`crate::sim::simulate_with`] skips the
/// analysis), faer's simplicial
/// (Gilbert-Peierls, partial pivoting) numeric factorisation on demand, and
/// triangular solves on a private row-compressed copy of the factors
/// ([`super::triangular`]: one pass each, no per-solve allocation).
#[derive(Default)]
pub struct FaerLu {
    pattern: Option<SparsePattern>,
    col_fwd: Vec<usize>,
    col_inv: Vec<usize>,
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

impl FaerLu {
    pub fn new() -> Self {
        FaerLu::default()
    }
}

fn other(e: impl std::fmt::Debug) -> SolverError {
    SolverError::Other(format!("{e:?}"))
}

impl LinearSolver for FaerLu {
    fn analyze(&mut self, pattern: &SparsePattern) -> Result<(), SolverError> {
        // Same pattern as last time (e.g. the next run of a margin sweep): keep the ordering.
        if self.pattern.as_ref() == Some(pattern) {
            self.factored = false;
            return Ok(());
        }
        let n = pattern.n;
        let nnz = pattern.row_idx.len();
        let sym =
            SymbolicSparseColMatRef::new_checked(n, n, &pattern.col_ptr, None, &pattern.row_idx);
        self.col_fwd = vec![0; n];
        self.col_inv = vec![0; n];
        {
            let mut mem = MemBuffer::try_new(colamd::order_scratch::<usize>(n, n, nnz))
                .map_err(|_| SolverError::Other("out of memory".into()))?;
            colamd::order(
                &mut self.col_fwd,
                &mut self.col_inv,
                sym,
                colamd::Control::default(),
                MemStack::new(&mut mem),
            )
            .map_err(other)?;
        }
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
        self.factored = false;
        Ok(())
    }

    fn factor(&mut self, values: &[f64]) -> Result<(), SolverError> {
        let (Some(pattern), Some(lu), Some(mem)) = (&self.pattern, &mut self.lu, &mut self.mem)
        else {
            return Err(SolverError::Other("factor() before analyze()".into()));
        };
        let n = pattern.n;
        let sym =
            SymbolicSparseColMatRef::new_checked(n, n, &pattern.col_ptr, None, &pattern.row_idx);
        let a = SparseColMatRef::new(sym, values);
        let col_perm = PermRef::new_checked(&self.col_fwd, &self.col_inv, n);
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
            &self.col_inv,
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
