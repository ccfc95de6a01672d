//! The substitutions of a large factorisation on two threads.
//!
//! Circuits joined by transmission lines (or made of many cells with no common
//! inductive path) give a matrix whose factors fall apart into independent blocks.
//! Here the factor rows `0..k` are grouped into the connected components of the
//! union of L's and U's patterns restricted to them, the components packed into two
//! parts of about equal work, and rows `k..n` form a separator. Then:
//!
//! - forward (L): row `i < k` only reads columns `c < i`, all in its own part, so
//!   the two parts run at once; the separator rows follow on one thread;
//! - backward (U): separator rows only read separator columns and go first; then a
//!   part row reads the separator and its own part, so the two parts run at once.
//!
//! Each row is computed with the same operations in the same order as in
//! [`Factors::solve`](super::triangular::Factors::solve): the result is bit for bit
//! the same, whichever thread computes which part.

use super::helper::Helper;

/// Rows of one factor, compressed, with column indices renumbered.
#[derive(Debug, Default, Clone)]
struct Rows {
    /// Separator columns the backward rows may read (checked by `well_formed`).
    sep_columns: usize,
    ptr: Vec<u32>,
    /// End of each row's separator entries (U rows of a part: those come first).
    mid: Vec<u32>,
    col: Vec<u32>,
    val: Vec<f64>,
}

impl Rows {
    fn start(&mut self) {
        self.ptr.clear();
        self.mid.clear();
        self.col.clear();
        self.val.clear();
        self.ptr.push(0);
    }

    fn end_row(&mut self, mid: usize) {
        self.mid.push(mid as u32);
        self.ptr.push(self.col.len() as u32);
    }

    fn len(&self) -> usize {
        self.ptr.len().saturating_sub(1)
    }

    /// Whether the pointers are well formed (non-decreasing, ending at the entries,
    /// each row's separator end inside it) and every column satisfies `ok(row,
    /// column, separator entry)`: what the unchecked substitutions below rely on.
    fn well_formed(&self, ok: impl Fn(usize, usize, bool) -> bool) -> bool {
        let n = self.len();
        if self.mid.len() != n
            || self.col.len() != self.val.len()
            || self
                .ptr
                .last()
                .is_none_or(|&e| e as usize != self.col.len())
        {
            return false;
        }
        (0..n).all(|i| {
            let (a, m, e) = (
                self.ptr[i] as usize,
                self.mid[i] as usize,
                self.ptr[i + 1] as usize,
            );
            a <= m
                && m <= e
                && e <= self.col.len()
                && self.col[a..m].iter().all(|&c| ok(i, c as usize, true))
                && self.col[m..e].iter().all(|&c| ok(i, c as usize, false))
        })
    }

    /// Forward substitution of these rows in place: `y[i] = b[i] - Σ L y`.
    fn forward(&self, b: impl Fn(usize) -> f64, y: &mut [f64]) {
        let n = self.len();
        assert!(y.len() >= n);
        // SAFETY: `TwoWay::new` checked (`well_formed`) that the pointers are in
        // bounds and that row i reads only columns below i (L rows keep every entry
        // before `mid`); y holds n values.
        unsafe {
            for i in 0..n {
                let mut acc = b(i);
                let a = *self.ptr.get_unchecked(i) as usize;
                let e = *self.ptr.get_unchecked(i + 1) as usize;
                for k in a..e {
                    let c = *self.col.get_unchecked(k) as usize;
                    acc -= *self.val.get_unchecked(k) * *y.get_unchecked(c);
                }
                *y.get_unchecked_mut(i) = acc;
            }
        }
    }

    /// Backward substitution of a part's rows: separator entries read `sep`, the
    /// others the part's own `y`; `inv` are the reciprocal pivots.
    fn backward(&self, y: &mut [f64], sep: &[f64], inv: &[f64]) {
        let n = self.len();
        assert!(y.len() >= n && inv.len() >= n && sep.len() >= self.sep_columns);
        // SAFETY: `TwoWay::new` checked (`well_formed`) that the pointers are in
        // bounds, that separator entries read columns below `sep_columns` and the
        // others columns between i and n.
        unsafe {
            for i in (0..n).rev() {
                let mut acc = *y.get_unchecked(i);
                let a = *self.ptr.get_unchecked(i) as usize;
                let m = *self.mid.get_unchecked(i) as usize;
                let e = *self.ptr.get_unchecked(i + 1) as usize;
                for k in a..m {
                    let c = *self.col.get_unchecked(k) as usize;
                    acc -= *self.val.get_unchecked(k) * *sep.get_unchecked(c);
                }
                for k in m..e {
                    let c = *self.col.get_unchecked(k) as usize;
                    acc -= *self.val.get_unchecked(k) * *y.get_unchecked(c);
                }
                *y.get_unchecked_mut(i) = acc * *inv.get_unchecked(i);
            }
        }
    }
}

/// Below this many stored entries the two threads cost more than they save.
pub const MIN_ENTRIES: usize = 20_000;

/// A factorisation renumbered as part A, part B, separator.
#[derive(Debug, Default, Clone)]
pub struct TwoWay {
    /// Rows of part A, part B (`a`, `b`); the separator is the rest.
    sizes: (usize, usize),
    /// `y[i] = rhs[row_fwd[i]]` in the new numbering.
    row_fwd: Vec<u32>,
    /// `x[r] = y[col_inv[r]]` in the new numbering.
    col_inv: Vec<u32>,
    /// L rows of A (columns local to A), of B (local to B), of the separator (global).
    l: [Rows; 3],
    /// U rows of A and B (separator entries local to the separator, then own), of
    /// the separator (local to the separator).
    u: [Rows; 3],
    /// Reciprocal pivots in the new numbering.
    u_inv: Vec<f64>,
    work: Vec<f64>,
}

/// The factors in the row form of [`Factors`](super::triangular::Factors).
pub struct RowFactors<'a> {
    pub row_fwd: &'a [u32],
    pub col_inv: &'a [u32],
    pub l_ptr: &'a [u32],
    pub l_col: &'a [u32],
    pub l_val: &'a [f64],
    pub u_ptr: &'a [u32],
    pub u_col: &'a [u32],
    pub u_val: &'a [f64],
    pub u_inv: &'a [f64],
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let p = parent[parent[x as usize] as usize];
        parent[x as usize] = p;
        x = p;
    }
    x
}

impl TwoWay {
    /// The split of `f`, or `None` when it would not pay (a small matrix, or one
    /// whose parts are too unequal or whose separator is too large).
    pub fn new(f: &RowFactors<'_>) -> Option<TwoWay> {
        Self::at_least(f, MIN_ENTRIES)
    }

    fn at_least(f: &RowFactors<'_>, min_entries: usize) -> Option<TwoWay> {
        let n = f.u_inv.len();
        if f.l_col.len() + f.u_col.len() + 2 * n < min_entries {
            return None;
        }
        let row = |ptr: &[u32], i: usize| ptr[i] as usize..ptr[i + 1] as usize;
        let work: Vec<usize> = (0..n)
            .map(|i| 1 + row(f.l_ptr, i).len() + row(f.u_ptr, i).len())
            .collect();
        let total: usize = work.iter().sum();
        // Each entry as an edge at its later row: L's (i, c < i) at i, U's (i, c > i)
        // at c.
        let mut at_later: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (i, later) in at_later.iter_mut().enumerate() {
            later.extend_from_slice(&f.l_col[row(f.l_ptr, i)]);
        }
        for i in 0..n {
            for &c in &f.u_col[row(f.u_ptr, i)] {
                at_later[c as usize].push(i as u32);
            }
        }
        // Rows added in order: after row k, the components of rows 0..=k; the split
        // at k costs max(largest component, half the prefix) + the separator's work.
        let mut parent: Vec<u32> = (0..n as u32).collect();
        let mut size = work.clone();
        let (mut prefix, mut largest) = (0usize, 0usize);
        let mut best = (0usize, total);
        for k in 0..n {
            prefix += work[k];
            for &c in &at_later[k] {
                let (r, s) = (find(&mut parent, k as u32), find(&mut parent, c));
                if r != s {
                    parent[s as usize] = r;
                    size[r as usize] += size[s as usize];
                }
            }
            let r = find(&mut parent, k as u32) as usize;
            largest = largest.max(size[r]);
            let cost = largest.max(prefix.div_ceil(2)) + (total - prefix);
            if cost < best.1 {
                best = (k + 1, cost);
            }
        }
        let (cut, cost) = best;
        if 10 * cost > 7 * total {
            return None;
        }
        let k = cut;
        // Components of rows 0..k (the union-find once more, on the prefix only),
        // packed largest first into the lighter part.
        let mut parent: Vec<u32> = (0..k as u32).collect();
        let mut size = work[..k].to_vec();
        for (i, later) in at_later.iter().enumerate().take(k) {
            for &c in later {
                let (r, s) = (find(&mut parent, i as u32), find(&mut parent, c));
                if r != s {
                    parent[s as usize] = r;
                    size[r as usize] += size[s as usize];
                }
            }
        }
        let mut roots: Vec<u32> = (0..k as u32).filter(|&i| parent[i as usize] == i).collect();
        roots.sort_by_key(|&r| (std::cmp::Reverse(size[r as usize]), r));
        let mut in_b = vec![false; k];
        let (mut wa, mut wb) = (0usize, 0usize);
        for r in roots {
            if wb < wa {
                in_b[r as usize] = true;
                wb += size[r as usize];
            } else {
                wa += size[r as usize];
            }
        }
        // New numbering: A's rows, B's rows (each in the old order), the separator.
        let part = |parent: &mut [u32], i: usize| -> usize {
            if i >= k {
                2
            } else if in_b[find(parent, i as u32) as usize] {
                1
            } else {
                0
            }
        };
        let of_row: Vec<usize> = (0..n).map(|i| part(&mut parent, i)).collect();
        let mut counts = [0usize; 3];
        for &p in &of_row {
            counts[p] += 1;
        }
        let starts = [0, counts[0], counts[0] + counts[1]];
        let mut next = starts;
        let new_index: Vec<u32> = of_row
            .iter()
            .map(|&p| {
                next[p] += 1;
                (next[p] - 1) as u32
            })
            .collect();
        let mut old_of_new = vec![0usize; n];
        for i in 0..n {
            old_of_new[new_index[i] as usize] = i;
        }
        let mut t = TwoWay {
            sizes: (counts[0], counts[1]),
            row_fwd: old_of_new.iter().map(|&i| f.row_fwd[i]).collect(),
            col_inv: f.col_inv.iter().map(|&c| new_index[c as usize]).collect(),
            u_inv: old_of_new.iter().map(|&i| f.u_inv[i]).collect(),
            ..TwoWay::default()
        };
        for p in 0..3 {
            let (l, u) = (&mut t.l[p], &mut t.u[p]);
            l.start();
            u.start();
            let base = starts[p] as u32;
            let sep = starts[2] as u32;
            for &i in &old_of_new[starts[p]..starts[p] + counts[p]] {
                let local = |c: u32| {
                    let c = new_index[c as usize];
                    if p == 2 {
                        c
                    } else {
                        c - base
                    }
                };
                for e in row(f.l_ptr, i) {
                    l.col.push(local(f.l_col[e]));
                    l.val.push(f.l_val[e]);
                }
                l.end_row(l.col.len());
                // U: columns descending, so the separator's (the highest old rows)
                // come first
                // (the separator's own rows read only the separator: all "own")
                let mut mid = (p == 2).then_some(u.col.len());
                for e in row(f.u_ptr, i) {
                    let c = f.u_col[e] as usize;
                    let to_sep = p != 2 && c >= cut;
                    if !to_sep && mid.is_none() {
                        mid = Some(u.col.len());
                    }
                    debug_assert!(!(to_sep && mid.is_some()), "separator entries first");
                    u.col.push(if to_sep || p == 2 {
                        new_index[c] - sep
                    } else {
                        new_index[c] - base
                    });
                    u.val.push(f.u_val[e]);
                }
                u.end_row(mid.unwrap_or(u.col.len()));
            }
        }
        // what the unchecked substitutions rely on (the separator's own U rows
        // read no separator entries: they run with the separator as their `y`)
        let sep_len = n - t.sizes.0 - t.sizes.1;
        let forward_ok = |i: usize, c: usize, _: bool| c < i;
        for p in 0..3 {
            let readable = if p == 2 { 0 } else { sep_len };
            t.u[p].sep_columns = readable;
            let len = t.u[p].len();
            let backward_ok = |i: usize, c: usize, sep: bool| {
                if sep {
                    c < readable
                } else {
                    c > i && c < len
                }
            };
            if !t.u[p].well_formed(backward_ok) {
                return None;
            }
        }
        if !t.l[0].well_formed(forward_ok) || !t.l[1].well_formed(forward_ok) {
            return None;
        }
        Some(t)
    }

    /// Solves `A x = rhs` in place, the parts on two threads (with `helper`).
    pub fn solve(&mut self, rhs: &mut [f64], helper: Option<&Helper<'_>>) {
        let n = self.row_fwd.len();
        let (na, nb) = self.sizes;
        self.work.resize(n, 0.0);
        let y = &mut self.work[..n];
        let [la, lb, ls] = &self.l;
        let [ua, ub, us] = &self.u;
        let row_fwd = &self.row_fwd;
        let inv = &self.u_inv;
        {
            let (ya, rest) = y.split_at_mut(na);
            let yb = &mut rest[..nb];
            let b = &*rhs;
            super::helper::join(
                helper,
                || la.forward(|i| b[row_fwd[i] as usize], ya),
                || lb.forward(|i| b[row_fwd[na + i] as usize], yb),
            );
        }
        // the separator: forward with global columns, then backward on its own
        {
            let s0 = na + nb;
            for i in 0..ls.len() {
                let mut acc = rhs[row_fwd[s0 + i] as usize];
                let (a, e) = (ls.ptr[i] as usize, ls.ptr[i + 1] as usize);
                for (&c, &v) in ls.col[a..e].iter().zip(&ls.val[a..e]) {
                    acc -= v * y[c as usize];
                }
                y[s0 + i] = acc;
            }
            let (_, sep) = y.split_at_mut(s0);
            us.backward(sep, &[], &inv[s0..]);
        }
        {
            let (ab, sep) = y.split_at_mut(na + nb);
            let (ya, yb) = ab.split_at_mut(na);
            let sep = &*sep;
            super::helper::join(
                helper,
                || ua.backward(ya, sep, &inv[..na]),
                || ub.backward(yb, sep, &inv[na..na + nb]),
            );
        }
        for (r, &c) in rhs.iter_mut().zip(&self.col_inv) {
            *r = y[c as usize];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::helper::{Helper, HelperSlot};
    use super::*;

    /// Compressed rows of `n` unknowns: `n - sep` rows in `blocks` interleaved blocks
    /// (row i in block i % blocks), then `sep` separator rows reading everything
    /// before them; U rows of a block read later rows of their block and the
    /// separator (columns descending, as the factors store them).
    struct Example {
        row_fwd: Vec<u32>,
        col_inv: Vec<u32>,
        l: (Vec<u32>, Vec<u32>, Vec<f64>),
        u: (Vec<u32>, Vec<u32>, Vec<f64>),
        u_inv: Vec<f64>,
    }

    fn example(n: usize, sep: usize, blocks: usize) -> Example {
        let mut state = 7u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let cut = n - sep;
        let same = |i: usize, c: usize| c >= cut || i >= cut || i % blocks == c % blocks;
        let (mut l, mut u) = ((vec![0u32], vec![], vec![]), (vec![0u32], vec![], vec![]));
        for i in 0..n {
            for c in 0..i {
                if same(i, c) && (i >= cut || c < cut) && next() < 0.2 {
                    l.1.push(c as u32);
                    l.2.push(next() - 0.5);
                }
            }
            l.0.push(l.1.len() as u32);
            for c in (i + 1..n).rev() {
                if same(i, c) && next() < 0.2 {
                    u.1.push(c as u32);
                    u.2.push(next() - 0.5);
                }
            }
            u.0.push(u.1.len() as u32);
        }
        let mut row_fwd: Vec<u32> = (0..n as u32).collect();
        row_fwd.rotate_left(n / 3);
        let col_inv: Vec<u32> = (0..n as u32).rev().collect();
        let u_inv = (0..n).map(|_| 1.0 / (1.0 + next())).collect();
        Example {
            row_fwd,
            col_inv,
            l,
            u,
            u_inv,
        }
    }

    fn factors(e: &Example) -> RowFactors<'_> {
        RowFactors {
            row_fwd: &e.row_fwd,
            col_inv: &e.col_inv,
            l_ptr: &e.l.0,
            l_col: &e.l.1,
            l_val: &e.l.2,
            u_ptr: &e.u.0,
            u_col: &e.u.1,
            u_val: &e.u.2,
            u_inv: &e.u_inv,
        }
    }

    /// The one-thread row substitutions of `Factors::solve`.
    fn serial(e: &Example, rhs: &mut [f64]) {
        let n = e.u_inv.len();
        let mut y = vec![0.0; n];
        for i in 0..n {
            let mut acc = rhs[e.row_fwd[i] as usize];
            for k in e.l.0[i] as usize..e.l.0[i + 1] as usize {
                acc -= e.l.2[k] * y[e.l.1[k] as usize];
            }
            y[i] = acc;
        }
        for i in (0..n).rev() {
            let mut acc = y[i];
            for k in e.u.0[i] as usize..e.u.0[i + 1] as usize {
                acc -= e.u.2[k] * y[e.u.1[k] as usize];
            }
            y[i] = acc * e.u_inv[i];
        }
        for (r, &c) in rhs.iter_mut().zip(&e.col_inv) {
            *r = y[c as usize];
        }
    }

    #[test]
    fn split_solve_is_bit_identical_on_one_thread_and_two() {
        let e = example(240, 12, 6);
        let mut t = TwoWay::at_least(&factors(&e), 0).expect("six blocks split in two");
        let (na, nb) = t.sizes;
        assert!(na > 60 && nb > 60 && na + nb == 228, "{na} + {nb}");
        let rhs: Vec<f64> = (0..240).map(|i| (i as f64 * 0.37).sin()).collect();
        let mut want = rhs.clone();
        serial(&e, &mut want);
        let mut alone = rhs.clone();
        t.solve(&mut alone, None);
        let slot = HelperSlot::default();
        let mut paired = rhs.clone();
        std::thread::scope(|sc| {
            let helper = Helper::new(sc, &slot);
            for _ in 0..50 {
                paired.copy_from_slice(&rhs);
                t.solve(&mut paired, Some(&helper));
            }
        });
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&alone), bits(&want));
        assert_eq!(bits(&paired), bits(&want));
    }

    #[test]
    fn one_block_does_not_split() {
        let e = example(200, 0, 1);
        assert!(TwoWay::at_least(&factors(&e), 0).is_none());
    }
}
