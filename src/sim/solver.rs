//! Sparse linear solvers behind one trait.
//!
//! The transient loop analyses the sparsity pattern once, factorises numerically
//! only when matrix values change (a junction moving between its subgap,
//! transition and normal branches), and otherwise only solves.

use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::sparse::linalg::lu::{factorize_symbolic_lu, LuSymbolicParams, NumericLu, SymbolicLu};
use faer::sparse::{SparseColMatRef, SymbolicSparseColMatRef};
use faer::{Conj, MatMut, Par};

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
}

/// faer's sparse LU (COLAMD ordering, partial pivoting).
#[derive(Default)]
pub struct FaerLu {
    pattern: Option<SparsePattern>,
    symbolic: Option<SymbolicLu<usize>>,
    numeric: NumericLu<usize, f64>,
    factored: bool,
    mem: Option<MemBuffer>,
}

impl FaerLu {
    pub fn new() -> Self {
        FaerLu::default()
    }
}

impl LinearSolver for FaerLu {
    fn analyze(&mut self, pattern: &SparsePattern) -> Result<(), SolverError> {
        let n = pattern.n;
        let sym =
            SymbolicSparseColMatRef::new_checked(n, n, &pattern.col_ptr, None, &pattern.row_idx);
        let symbolic = factorize_symbolic_lu(sym, LuSymbolicParams::default())
            .map_err(|e| SolverError::Other(format!("{e:?}")))?;
        let req = StackReq::any_of(&[
            symbolic.factorize_numeric_lu_scratch::<f64>(Par::Seq, Default::default()),
            symbolic.solve_in_place_scratch::<f64>(1, Par::Seq),
        ]);
        self.mem =
            Some(MemBuffer::try_new(req).map_err(|_| SolverError::Other("out of memory".into()))?);
        self.symbolic = Some(symbolic);
        self.pattern = Some(pattern.clone());
        self.factored = false;
        Ok(())
    }

    fn factor(&mut self, values: &[f64]) -> Result<(), SolverError> {
        let (Some(pattern), Some(symbolic), Some(mem)) =
            (&self.pattern, &self.symbolic, &mut self.mem)
        else {
            return Err(SolverError::Other("factor() before analyze()".into()));
        };
        let n = pattern.n;
        let sym =
            SymbolicSparseColMatRef::new_checked(n, n, &pattern.col_ptr, None, &pattern.row_idx);
        let a = SparseColMatRef::new(sym, values);
        let stack = MemStack::new(mem);
        symbolic
            .factorize_numeric_lu(&mut self.numeric, a, Par::Seq, stack, Default::default())
            .map_err(|e| match e {
                faer::sparse::linalg::LuError::SymbolicSingular { index } => {
                    SolverError::StructurallySingular(index)
                }
                faer::sparse::linalg::LuError::Generic(g) => SolverError::Other(format!("{g:?}")),
            })?;
        self.factored = true;
        Ok(())
    }

    fn solve(&mut self, rhs: &mut [f64]) -> Result<(), SolverError> {
        let (Some(symbolic), Some(mem), true) = (&self.symbolic, &mut self.mem, self.factored)
        else {
            return Err(SolverError::Other("solve() before factor()".into()));
        };
        let n = rhs.len();
        let lu = faer::sparse::linalg::lu::LuRef::new_unchecked(symbolic, &self.numeric);
        let stack = MemStack::new(mem);
        let mat = MatMut::from_column_major_slice_mut(rhs, n, 1);
        lu.solve_in_place_with_conj(Conj::No, mat, Par::Seq, stack);
        Ok(())
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
        // Refactor with new values, same pattern.
        let values2 = [4.0, 1.0, 1.0, 3.0, 1.0, 4.0];
        s.factor(&values2).expect("factor");
        let mut b = [5.0, 4.0, 5.0];
        s.solve(&mut b).expect("solve");
        for x in b {
            assert!((x - 1.0).abs() < 1e-12);
        }
    }
}
