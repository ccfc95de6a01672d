//! The forward and backward substitutions of a sparse LU factorisation
//! `P A Q = L U`, laid out for the transient loop's many solves per factorisation.
//!
//! The factors are stored by rows (compressed sparse row, 32-bit column indices), so
//! each unknown is accumulated in a register from already-known ones instead of being
//! scattered into memory column by column. The accumulation order is the one of the
//! column-oriented substitution (L: columns ascending, U: columns descending), so the
//! results are bit-for-bit those of the textbook column-oriented solve that updates
//! with zero unknowns too. (Skipping the zeros, as the first version did, put a
//! compare on every product; U's pivots are applied as reciprocals. Both choices
//! change the last bit only.)
//!
//! [`Factors::solve_many`] solves several right-hand sides at once, stored interleaved
//! (`rhs[i * m + p]` is unknown `i` of point `p`), so the innermost loop runs over the
//! points with unit stride and vectorises.

use super::helper::Helper;
use super::solver::SolverError;
use super::two_way::{RowFactors, TwoWay};

/// Row-compressed triangular factors with the row and column permutations.
#[derive(Debug, Default, Clone)]
pub struct Factors {
    n: usize,
    /// `y[i] = b[row_fwd[i]]`.
    row_fwd: Vec<u32>,
    /// `x[i] = y[col_inv[i]]`.
    col_inv: Vec<u32>,
    /// Its inverse, `x[col_fwd[k]] = y[k]`: the backward substitution stores each
    /// unknown where it belongs as it comes out, instead of a gather afterwards.
    col_fwd: Vec<u32>,
    /// Strictly lower part of L (unit diagonal implied), each row's columns ascending.
    l_ptr: Vec<u32>,
    l_col: Vec<u32>,
    l_val: Vec<f64>,
    /// Strictly upper part of U, each row's columns descending, and the reciprocals
    /// of U's diagonal (a multiplication on the substitution's dependency chain costs
    /// a third of a division's latency; the result may differ from `acc / d` in the
    /// last bit).
    u_ptr: Vec<u32>,
    u_col: Vec<u32>,
    u_val: Vec<f64>,
    u_inv: Vec<f64>,
    /// `l_col` and `u_col` in 16 bits when the system has at most 65,536 unknowns
    /// (empty otherwise), for the one-thread substitutions: the factors of the
    /// largest netlists outgrow the core's own cache, and the substitutions wait
    /// on the bytes they stream (12 per entry, 10 this way).
    l_col16: Vec<u16>,
    u_col16: Vec<u16>,
    /// The order the substitutions take the rows of L and of U in: level by level
    /// (a row after every row it reads), so that rows next to each other do not
    /// wait one for the other and the processor overlaps them. Each row's own sum
    /// is unchanged, so the result is the same bit for bit as in index order.
    l_order: Vec<u32>,
    u_order: Vec<u32>,
    /// The same factors split for two threads, when that pays.
    two_way: Option<TwoWay>,
    /// Whether `two_way` was built for these factors (only when a helper asks).
    two_way_built: bool,
    /// Scratch for one solve (n) or a batch (n * points).
    work: Vec<f64>,
    /// The rows of the last [`Factors::solve_stepped`] mask.
    stepped: Option<SteppedRows>,
}

/// The rows of L and U, in substitution order, and the unknowns of a set of whole
/// independent parts (see [`Factors::solve_stepped`]).
#[derive(Debug, Clone)]
struct SteppedRows {
    mask: Vec<bool>,
    l: Vec<u32>,
    u: Vec<u32>,
    unknowns: Vec<u32>,
}

/// A stored column index, 16 or 32 bits wide.
trait ColumnIndex: Copy {
    fn index(self) -> usize;
}

impl ColumnIndex for u16 {
    #[inline(always)]
    fn index(self) -> usize {
        self as usize
    }
}

impl ColumnIndex for u32 {
    #[inline(always)]
    fn index(self) -> usize {
        self as usize
    }
}

/// One column of a factor: its row indices and values.
pub type Column<'a> = (&'a [usize], &'a [f64]);

fn index(i: usize) -> Result<u32, SolverError> {
    u32::try_from(i).map_err(|_| SolverError::Other(format!("matrix too large ({i} entries)")))
}

/// Row-compresses the strictly triangular entries handed over column by column
/// (`cols` in the order the rows must list them).
fn by_rows<'a>(
    n: usize,
    cols: impl Iterator<Item = usize> + Clone,
    entries: impl Fn(usize) -> Column<'a>,
    ptr: &mut Vec<u32>,
    col: &mut Vec<u32>,
    val: &mut Vec<f64>,
) -> Result<(), SolverError> {
    let mut count = vec![0usize; n + 1];
    for j in cols.clone() {
        for &i in entries(j).0 {
            count[i + 1] += 1;
        }
    }
    for i in 0..n {
        count[i + 1] += count[i];
    }
    let nnz = count[n];
    ptr.clear();
    for &c in &count {
        ptr.push(index(c)?);
    }
    col.clear();
    col.resize(nnz, 0);
    val.clear();
    val.resize(nnz, 0.0);
    let mut next = count;
    for j in cols {
        let (rows, vals) = entries(j);
        let jj = index(j)?;
        for (&i, &v) in rows.iter().zip(vals) {
            col[next[i]] = jj;
            val[next[i]] = v;
            next[i] += 1;
        }
    }
    Ok(())
}

/// Systems up to this many unknowns take their rows level by level; larger ones in
/// index order, whose neighbouring rows read neighbouring unknowns (a level spans
/// the whole system, and `ex_ksa4bit`'s solve took 35 µs instead of 28 by levels).
pub const LEVELS_UP_TO: usize = 1024;

/// The rows `rows` (an order in which every row comes after the rows it reads)
/// sorted by level: a row's level is one more than the highest level among the
/// rows it reads (`col` of its entries), 0 without entries; ties in `rows` order.
/// Above [`LEVELS_UP_TO`] unknowns none (the substitutions go in index order).
fn by_levels(
    n: usize,
    rows: impl Iterator<Item = usize> + Clone,
    ptr: &[u32],
    col: &[u32],
) -> Vec<u32> {
    if n > LEVELS_UP_TO {
        return Vec::new();
    }
    let mut level = vec![0usize; n];
    for i in rows.clone() {
        let (a, b) = (ptr[i] as usize, ptr[i + 1] as usize);
        level[i] = col[a..b]
            .iter()
            .map(|&c| level[c as usize] + 1)
            .max()
            .unwrap_or(0);
    }
    let mut order: Vec<u32> = rows.map(|i| i as u32).collect();
    // stable: rows of one level keep their order
    order.sort_by_key(|&i| level[i as usize]);
    order
}

impl Factors {
    /// Number of stored entries of L and U (diagonals included).
    pub fn nnz(&self) -> usize {
        self.l_col.len() + self.u_col.len() + 2 * self.n
    }

    /// Floating-point operations of one solve (a multiply and a subtract per
    /// off-diagonal entry, a multiplication by the reciprocal pivot per row of U).
    pub fn flops_per_solve(&self) -> usize {
        2 * (self.l_col.len() + self.u_col.len()) + self.n
    }

    /// The longest chain of rows that wait one for the other through a forward
    /// and a backward substitution (a row of U waits for its own row of L too).
    pub fn chain(&self) -> usize {
        let n = self.n;
        let mut fwd = vec![0usize; n];
        for i in 0..n {
            let (a, b) = (self.l_ptr[i] as usize, self.l_ptr[i + 1] as usize);
            fwd[i] = 1 + self.l_col[a..b]
                .iter()
                .map(|&c| fwd[c as usize])
                .max()
                .unwrap_or(0);
        }
        let mut bwd = vec![0usize; n];
        for i in (0..n).rev() {
            let (a, b) = (self.u_ptr[i] as usize, self.u_ptr[i + 1] as usize);
            let before = self.u_col[a..b].iter().map(|&c| bwd[c as usize]).max();
            bwd[i] = 1 + before.unwrap_or(0).max(fwd[i]);
        }
        bwd.into_iter().max().unwrap_or(0)
    }

    /// Takes the factors from their column form: `l(j)` are the strictly lower
    /// entries of column `j` of L, `u(j)` the strictly upper entries of column `j`
    /// of U, `diag` U's diagonal; `row_fwd` and `col_inv` the permutations.
    pub fn set<'a>(
        &mut self,
        row_fwd: &[usize],
        col_inv: &[usize],
        l: impl Fn(usize) -> Column<'a>,
        u: impl Fn(usize) -> Column<'a>,
        diag: &[f64],
    ) -> Result<(), SolverError> {
        let n = diag.len();
        self.n = n;
        self.row_fwd.clear();
        for &r in row_fwd {
            self.row_fwd.push(index(r)?);
        }
        self.col_inv.clear();
        for &c in col_inv {
            self.col_inv.push(index(c)?);
        }
        // (every value below n even were `col_inv` not a permutation)
        self.col_fwd.clear();
        self.col_fwd.resize(n, 0);
        for (i, &c) in self.col_inv.iter().enumerate() {
            if let Some(f) = self.col_fwd.get_mut(c as usize) {
                *f = i as u32;
            }
        }
        by_rows(
            n,
            0..n,
            l,
            &mut self.l_ptr,
            &mut self.l_col,
            &mut self.l_val,
        )?;
        by_rows(
            n,
            (0..n).rev(),
            u,
            &mut self.u_ptr,
            &mut self.u_col,
            &mut self.u_val,
        )?;
        self.u_inv.clear();
        self.u_inv.extend(diag.iter().map(|d| 1.0 / d));
        self.check_indices()?;
        let narrow = |col: &[u32]| -> Vec<u16> {
            if n <= 1 << 16 {
                col.iter().map(|&c| c as u16).collect()
            } else {
                Vec::new()
            }
        };
        self.l_col16 = narrow(&self.l_col);
        self.u_col16 = narrow(&self.u_col);
        self.l_order = by_levels(n, 0..n, &self.l_ptr, &self.l_col);
        self.u_order = by_levels(n, (0..n).rev(), &self.u_ptr, &self.u_col);
        self.two_way = None;
        self.two_way_built = false;
        self.stepped = None;
        Ok(())
    }

    /// Checks every index the unchecked substitutions read (see `solve_split`).
    fn check_indices(&self) -> Result<(), SolverError> {
        let n = self.n;
        let bad = || SolverError::Other("malformed triangular factors".into());
        // a permutation of 0..n (the backward substitution stores unknown
        // `col_fwd[i]` from row i: every one must be stored once)
        let perm_ok = |p: &[u32]| {
            let mut seen = vec![false; n];
            p.len() == n
                && p.iter().all(|&v| {
                    let fresh = seen.get(v as usize) == Some(&false);
                    if fresh {
                        seen[v as usize] = true;
                    }
                    fresh
                })
        };
        if !perm_ok(&self.row_fwd) || !perm_ok(&self.col_inv) || self.u_inv.len() != n {
            return Err(bad());
        }
        for (ptr, col, val, lower) in [
            (&self.l_ptr, &self.l_col, &self.l_val, true),
            (&self.u_ptr, &self.u_col, &self.u_val, false),
        ] {
            if ptr.len() != n + 1 || ptr[n] as usize != col.len() || col.len() != val.len() {
                return Err(bad());
            }
            for i in 0..n {
                let (a, b) = (ptr[i] as usize, ptr[i + 1] as usize);
                if a > b || b > col.len() {
                    return Err(bad());
                }
                let inside = |&c: &u32| {
                    let c = c as usize;
                    if lower {
                        c < i
                    } else {
                        c > i && c < n
                    }
                };
                if !col[a..b].iter().all(inside) {
                    return Err(bad());
                }
            }
        }
        Ok(())
    }

    /// Solves `A x = rhs` in place.
    pub fn solve(&mut self, rhs: &mut [f64]) {
        self.solve_split(rhs, None);
    }

    /// [`Factors::solve`], with a helper thread where the factors split in two
    /// independent parts (see [`TwoWay`]); the same result bit for bit.
    pub fn solve_split(&mut self, rhs: &mut [f64], helper: Option<&Helper<'_>>) {
        if helper.is_some() && !self.two_way_built {
            self.two_way_built = true;
            self.two_way = TwoWay::new(&RowFactors {
                row_fwd: &self.row_fwd,
                col_inv: &self.col_inv,
                l_ptr: &self.l_ptr,
                l_col: &self.l_col,
                l_val: &self.l_val,
                u_ptr: &self.u_ptr,
                u_col: &self.u_col,
                u_val: &self.u_val,
                u_inv: &self.u_inv,
            });
        }
        if let (Some(t), Some(_)) = (&mut self.two_way, helper) {
            t.solve(rhs, helper);
            return;
        }
        let n = self.n;
        assert!(rhs.len() >= n, "right-hand side shorter than the system");
        let mut work = std::mem::take(&mut self.work);
        work.resize(n, 0.0);
        let y = &mut work[..n];
        // `l_order` and `u_order` are orders of 0..n (`by_levels`), empty above
        // LEVELS_UP_TO unknowns (index order).
        assert!(
            (self.l_order.len() == n && self.u_order.len() == n)
                || (self.l_order.is_empty() && self.u_order.is_empty())
        );
        // SAFETY: `set` checked every index read below: `row_fwd` and `col_inv` hold
        // values below n, the pointers are non-decreasing and end at the entries'
        // length, row i of L lists columns below i and row i of U columns above i
        // and below n; the row orders hold values below n; `rhs` and `y` hold n
        // values. The substitutions are the hot loop of every time step; the bounds
        // checks cost a sixth of their time.
        // Every row of U is visited, so every unknown is stored into `rhs`.
        unsafe {
            if self.l_order.is_empty() {
                self.substitute::<true>(0..n, (0..n).rev(), rhs, y);
            } else {
                self.substitute::<true>(
                    self.l_order.iter().map(|&i| i as usize),
                    self.u_order.iter().map(|&i| i as usize),
                    rhs,
                    y,
                );
            }
        }
        self.work = work;
    }

    /// Solves for the unknowns marked in `stepped` only, whole independent parts of
    /// the system (no matrix entry joins a marked and an unmarked unknown): their
    /// rows of L and U read only their own unknowns, so they come out bit for bit as
    /// from [`Factors::solve`]; the other entries of `rhs` are left as they are.
    pub fn solve_stepped(&mut self, rhs: &mut [f64], stepped: &[bool]) {
        let n = self.n;
        assert!(rhs.len() >= n && stepped.len() == n, "sizes differ");
        if self.stepped.as_ref().is_none_or(|r| r.mask != stepped) {
            // a pivot belongs to the part of its row (a part's columns have entries
            // in its own rows only)
            let on = |i: usize| stepped[self.row_fwd[i] as usize];
            let pick = |order: &[u32], all: &mut dyn Iterator<Item = usize>| -> Vec<u32> {
                if order.is_empty() {
                    all.filter(|&i| on(i)).map(|i| i as u32).collect()
                } else {
                    order.iter().copied().filter(|&i| on(i as usize)).collect()
                }
            };
            let l = pick(&self.l_order, &mut (0..n));
            let u = pick(&self.u_order, &mut (0..n).rev());
            let unknowns: Vec<u32> = (0..n as u32).filter(|&j| stepped[j as usize]).collect();
            debug_assert!(unknowns
                .iter()
                .all(|&j| on(self.col_inv[j as usize] as usize)));
            self.stepped = Some(SteppedRows {
                mask: stepped.to_vec(),
                l,
                u,
                unknowns,
            });
        }
        let mut work = std::mem::take(&mut self.work);
        work.resize(n, 0.0);
        let y = &mut work[..n];
        let rows = self.stepped.as_ref().expect("set above");
        // SAFETY: as in `solve_split`; the row lists are subsets of 0..n.
        unsafe {
            self.substitute::<false>(
                rows.l.iter().map(|&i| i as usize),
                rows.u.iter().map(|&i| i as usize),
                rhs,
                y,
            );
            for &j in &rows.unknowns {
                let j = j as usize;
                *rhs.get_unchecked_mut(j) =
                    *y.get_unchecked(*self.col_inv.get_unchecked(j) as usize);
            }
        }
        self.work = work;
    }

    /// Forward substitution with L over `l_rows`, then backward with U over
    /// `u_rows` (each row after the rows it reads), with the 16-bit column indices
    /// where there are. With `STORE`, each unknown also goes to its place in `rhs`
    /// as the backward substitution finds it (`rhs[col_fwd[i]] = y[i]`).
    /// SAFETY: as in `solve_split` (the 16-bit indices are the 32-bit ones;
    /// `col_fwd` holds values below n).
    #[inline(always)]
    unsafe fn substitute<const STORE: bool>(
        &self,
        l_rows: impl Iterator<Item = usize>,
        u_rows: impl Iterator<Item = usize>,
        rhs: &mut [f64],
        y: &mut [f64],
    ) {
        if self.l_col16.len() == self.l_col.len() && self.u_col16.len() == self.u_col.len() {
            self.forward(&self.l_col16, l_rows, rhs, y);
            self.backward::<_, STORE>(&self.u_col16, u_rows, y, rhs);
        } else {
            self.forward(&self.l_col, l_rows, rhs, y);
            self.backward::<_, STORE>(&self.u_col, u_rows, y, rhs);
        }
    }

    /// Forward substitution with L (columns `l_col`) over `rows` (each after the
    /// rows it reads).
    /// SAFETY: as in `solve_split`.
    #[inline(always)]
    unsafe fn forward<C: ColumnIndex>(
        &self,
        l_col: &[C],
        rows: impl Iterator<Item = usize>,
        rhs: &[f64],
        y: &mut [f64],
    ) {
        for i in rows {
            let mut acc = *rhs.get_unchecked(*self.row_fwd.get_unchecked(i) as usize);
            let a = *self.l_ptr.get_unchecked(i) as usize;
            let b = *self.l_ptr.get_unchecked(i + 1) as usize;
            for k in a..b {
                let c = l_col.get_unchecked(k).index();
                acc -= *self.l_val.get_unchecked(k) * *y.get_unchecked(c);
            }
            *y.get_unchecked_mut(i) = acc;
        }
    }

    /// Backward substitution with U (columns `u_col`) over `rows` (each after the
    /// rows it reads).
    /// SAFETY: as in `solve_split`.
    #[inline(always)]
    unsafe fn backward<C: ColumnIndex, const STORE: bool>(
        &self,
        u_col: &[C],
        rows: impl Iterator<Item = usize>,
        y: &mut [f64],
        x: &mut [f64],
    ) {
        for i in rows {
            let mut acc = *y.get_unchecked(i);
            let a = *self.u_ptr.get_unchecked(i) as usize;
            let b = *self.u_ptr.get_unchecked(i + 1) as usize;
            for k in a..b {
                let c = u_col.get_unchecked(k).index();
                acc -= *self.u_val.get_unchecked(k) * *y.get_unchecked(c);
            }
            let v = acc * *self.u_inv.get_unchecked(i);
            *y.get_unchecked_mut(i) = v;
            if STORE {
                *x.get_unchecked_mut(*self.col_fwd.get_unchecked(i) as usize) = v;
            }
        }
    }

    /// Solves `A x_p = b_p` for `m` right-hand sides stored interleaved
    /// (`rhs[i * m + p]`), in place. Each point's result is bit-for-bit what
    /// [`Factors::solve`] gives for it alone.
    pub fn solve_many(&mut self, rhs: &mut [f64], m: usize) {
        let n = self.n;
        if m == 0 {
            return;
        }
        self.work.resize(n * m, 0.0);
        let y = &mut self.work[..n * m];
        for i in 0..n {
            let (done, rest) = y.split_at_mut(i * m);
            let acc = &mut rest[..m];
            let src = self.row_fwd[i] as usize * m;
            acc.copy_from_slice(&rhs[src..src + m]);
            let (a, b) = (self.l_ptr[i] as usize, self.l_ptr[i + 1] as usize);
            for (&c, &v) in self.l_col[a..b].iter().zip(&self.l_val[a..b]) {
                let c = c as usize * m;
                lane_update(acc, &done[c..c + m], v);
            }
        }
        for i in (0..n).rev() {
            let (head, tail) = y.split_at_mut((i + 1) * m);
            let acc = &mut head[i * m..];
            let (a, b) = (self.u_ptr[i] as usize, self.u_ptr[i + 1] as usize);
            for (&c, &v) in self.u_col[a..b].iter().zip(&self.u_val[a..b]) {
                let c = (c as usize - i - 1) * m;
                lane_update(acc, &tail[c..c + m], v);
            }
            let d = self.u_inv[i];
            for a in acc.iter_mut() {
                *a *= d;
            }
        }
        for (i, &c) in self.col_inv.iter().enumerate() {
            let c = c as usize * m;
            rhs[i * m..(i + 1) * m].copy_from_slice(&y[c..c + m]);
        }
    }
}

/// `acc[p] -= v * y[p]` for every point `p`.
#[inline(always)]
fn lane_update(acc: &mut [f64], y: &[f64], v: f64) {
    for (a, &yj) in acc.iter_mut().zip(y) {
        *a -= v * yj;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Column-compressed strictly triangular factors of a pseudo-random pattern.
    struct ColumnFactors {
        n: usize,
        l: Vec<(Vec<usize>, Vec<f64>)>,
        u: Vec<(Vec<usize>, Vec<f64>)>,
        diag: Vec<f64>,
        row_fwd: Vec<usize>,
        col_inv: Vec<usize>,
    }

    fn lcg(state: &mut u64) -> f64 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((*state >> 11) as f64) / ((1u64 << 53) as f64)
    }

    fn example(n: usize, seed: u64) -> ColumnFactors {
        let mut s = seed;
        let mut l = Vec::new();
        let mut u = Vec::new();
        for j in 0..n {
            // Rows deliberately unsorted within a column, as faer leaves them.
            let mut lr: Vec<usize> = (j + 1..n).filter(|_| lcg(&mut s) < 0.15).collect();
            lr.reverse();
            let lv = lr.iter().map(|_| lcg(&mut s) - 0.5).collect();
            let ur: Vec<usize> = (0..j).filter(|_| lcg(&mut s) < 0.15).collect();
            let uv = ur.iter().map(|_| lcg(&mut s) * 2.0 - 1.0).collect();
            l.push((lr, lv));
            u.push((ur, uv));
        }
        let diag = (0..n).map(|_| 1.0 + lcg(&mut s)).collect();
        let mut row_fwd: Vec<usize> = (0..n).collect();
        row_fwd.rotate_left(n / 3);
        let mut col_fwd: Vec<usize> = (0..n).rev().collect();
        col_fwd.swap(0, n / 2);
        let mut col_inv = vec![0; n];
        for (i, &c) in col_fwd.iter().enumerate() {
            col_inv[c] = i;
        }
        ColumnFactors {
            n,
            l,
            u,
            diag,
            row_fwd,
            col_inv,
        }
    }

    /// The textbook column-oriented substitutions (the solver's previous code, with
    /// U's diagonal applied as a reciprocal as the solver does).
    fn reference(f: &ColumnFactors, rhs: &mut [f64]) {
        let n = f.n;
        let mut y: Vec<f64> = (0..n).map(|i| rhs[f.row_fwd[i]]).collect();
        for j in 0..n {
            let xj = y[j];
            for (&i, &v) in f.l[j].0.iter().zip(&f.l[j].1) {
                y[i] -= v * xj;
            }
        }
        for j in (0..n).rev() {
            let xj = y[j] * (1.0 / f.diag[j]);
            y[j] = xj;
            for (&i, &v) in f.u[j].0.iter().zip(&f.u[j].1) {
                y[i] -= v * xj;
            }
        }
        for i in 0..n {
            rhs[i] = y[f.col_inv[i]];
        }
    }

    fn factors(f: &ColumnFactors) -> Factors {
        let mut out = Factors::default();
        out.set(
            &f.row_fwd,
            &f.col_inv,
            |j| (&f.l[j].0[..], &f.l[j].1[..]),
            |j| (&f.u[j].0[..], &f.u[j].1[..]),
            &f.diag,
        )
        .expect("small factors");
        out
    }

    fn rhs(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed;
        // Zeros and a negative zero: updates with them must match the reference too.
        (0..n)
            .map(|i| match i % 5 {
                0 => 0.0,
                1 => -0.0,
                _ => lcg(&mut s) * 4.0 - 2.0,
            })
            .collect()
    }

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    #[test]
    fn row_solve_is_bit_identical_to_column_solve() {
        for seed in 1..6 {
            let f = example(60, seed);
            let mut fac = factors(&f);
            assert_eq!(
                fac.nnz(),
                f.l.iter().map(|c| c.0.len()).sum::<usize>()
                    + f.u.iter().map(|c| c.0.len()).sum::<usize>()
                    + 2 * f.n
            );
            let mut a = rhs(f.n, seed * 7);
            let mut b = a.clone();
            reference(&f, &mut a);
            fac.solve(&mut b);
            assert_eq!(bits(&a), bits(&b), "seed {seed}");
            assert!(a.iter().any(|v| *v != 0.0));
        }
    }

    #[test]
    fn batched_solve_is_bit_identical_to_one_by_one() {
        let f = example(50, 3);
        let mut fac = factors(&f);
        for m in [1, 3, 8] {
            let points: Vec<Vec<f64>> = (0..m).map(|p| rhs(f.n, 100 + p as u64)).collect();
            let mut inter = vec![0.0; f.n * m];
            for (p, v) in points.iter().enumerate() {
                for (i, x) in v.iter().enumerate() {
                    inter[i * m + p] = *x;
                }
            }
            fac.solve_many(&mut inter, m);
            for (p, v) in points.iter().enumerate() {
                let mut one = v.clone();
                fac.solve(&mut one);
                let got: Vec<f64> = (0..f.n).map(|i| inter[i * m + p]).collect();
                assert_eq!(bits(&got), bits(&one), "{m} points, point {p}");
            }
        }
    }
}
