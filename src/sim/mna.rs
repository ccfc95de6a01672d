//! Modified nodal analysis bookkeeping: node pairs, matrix triplets and their
//! compression into the solver's sparse pattern.
//!
//! Unknowns are the node phases (phase mode) or voltages (voltage mode), followed
//! by the branch currents that JoSIM keeps as unknowns for sources, transmission
//! lines, controlled sources and coupled inductors. Resistors, capacitors,
//! uncoupled inductors and junctions are stamped as conductances with history
//! currents: the same discrete equations as JoSIM's branch rows, with the branch
//! current eliminated.

use super::solver::SparsePattern;

/// The two terminals of a branch as unknown indices (`None` = ground), in 32 bits
/// each: every element keeps one and the transient loop reads them all each step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    pub p: Option<u32>,
    pub n: Option<u32>,
}

/// An unknown's index in 32 bits (the solver's factors index in 32 bits too).
pub fn narrow(i: usize) -> u32 {
    u32::try_from(i).expect("fewer than 2^32 unknowns")
}

impl Pair {
    pub fn new(p: Option<usize>, n: Option<usize>) -> Pair {
        Pair {
            p: p.map(narrow),
            n: n.map(narrow),
        }
    }

    /// The positive terminal's unknown.
    #[inline]
    pub fn p(&self) -> Option<usize> {
        self.p.map(|i| i as usize)
    }

    /// The negative terminal's unknown.
    #[inline]
    pub fn n(&self) -> Option<usize> {
        self.n.map(|i| i as usize)
    }

    /// Value of `p` minus value of `n` in the solution `x`.
    #[inline]
    pub fn diff(&self, x: &[f64]) -> f64 {
        match (self.p(), self.n()) {
            (Some(p), Some(n)) => x[p] - x[n],
            (Some(p), None) => x[p],
            (None, Some(n)) => -x[n],
            (None, None) => 0.0,
        }
    }

    /// True when both terminals are the same node (the branch does nothing).
    pub fn shorted(&self) -> bool {
        self.p.is_some() && self.p == self.n
    }

    /// Adds a current `i` flowing out of `p` into `n` to the right-hand side,
    /// i.e. a current source from `p` to `n` as JoSIM stamps it.
    #[inline]
    pub fn source(&self, b: &mut [f64], i: f64) {
        match (self.p(), self.n()) {
            (Some(p), Some(n)) => {
                if p != n {
                    b[p] -= i;
                    b[n] += i;
                }
            }
            (Some(p), None) => b[p] -= i,
            (None, Some(n)) => b[n] += i,
            (None, None) => {}
        }
    }
}

/// Collects matrix entries as triplets (duplicates are summed).
#[derive(Debug, Default, Clone)]
pub struct MatrixBuilder {
    pub rows: Vec<usize>,
    pub cols: Vec<usize>,
    pub vals: Vec<f64>,
}

impl MatrixBuilder {
    /// Adds an entry and returns its triplet id.
    pub fn add(&mut self, r: usize, c: usize, v: f64) -> usize {
        self.rows.push(r);
        self.cols.push(c);
        self.vals.push(v);
        self.vals.len() - 1
    }

    /// Stamps a conductance `g` between the pair; returns the triplet ids
    /// (so that a junction can change its conductance later).
    pub fn conductance(&mut self, pair: Pair, g: f64) -> Vec<usize> {
        let mut ids = Vec::with_capacity(4);
        if pair.shorted() {
            return ids;
        }
        if let Some(p) = pair.p() {
            ids.push(self.add(p, p, g));
        }
        if let Some(n) = pair.n() {
            ids.push(self.add(n, n, g));
        }
        if let (Some(p), Some(n)) = (pair.p(), pair.n()) {
            ids.push(self.add(p, n, -g));
            ids.push(self.add(n, p, -g));
        }
        ids
    }

    /// Branch current `var` leaving node `p` and entering `n` (KCL entries), scaled.
    pub fn kcl(&mut self, pair: Pair, var: usize, scale: f64) {
        if pair.shorted() {
            return;
        }
        if let Some(p) = pair.p() {
            self.add(p, var, scale);
        }
        if let Some(n) = pair.n() {
            self.add(n, var, -scale);
        }
    }

    /// `scale * (x[p] - x[n])` in row `row`.
    pub fn across(&mut self, row: usize, pair: Pair, scale: f64) {
        if pair.shorted() {
            return;
        }
        if let Some(p) = pair.p() {
            self.add(row, p, scale);
        }
        if let Some(n) = pair.n() {
            self.add(row, n, -scale);
        }
    }

    /// Compresses into a column pattern; returns it and, per triplet, the index of
    /// its slot in the value array.
    pub fn compress(&self, n: usize) -> (SparsePattern, Vec<usize>) {
        let mut order: Vec<usize> = (0..self.vals.len()).collect();
        order.sort_unstable_by_key(|&t| (self.cols[t], self.rows[t]));
        let mut slot = vec![0usize; self.vals.len()];
        let mut col_ptr = vec![0usize; n + 1];
        let mut row_idx: Vec<usize> = Vec::with_capacity(self.vals.len());
        let mut last: Option<(usize, usize)> = None;
        for &t in &order {
            let key = (self.cols[t], self.rows[t]);
            if last != Some(key) {
                row_idx.push(key.1);
                col_ptr[key.0 + 1] += 1;
                last = Some(key);
            }
            slot[t] = row_idx.len() - 1;
        }
        for c in 0..n {
            col_ptr[c + 1] += col_ptr[c];
        }
        (
            SparsePattern {
                n,
                col_ptr,
                row_idx,
            },
            slot,
        )
    }

    /// The value array for the pattern from the current triplet values.
    pub fn values(&self, slot: &[usize], nnz: usize, out: &mut Vec<f64>) {
        out.clear();
        out.resize(nnz, 0.0);
        for (t, &s) in slot.iter().enumerate() {
            out[s] += self.vals[t];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compress_sums_duplicates_and_sorts() {
        let mut m = MatrixBuilder::default();
        let ids = m.conductance(
            Pair {
                p: Some(0),
                n: Some(1),
            },
            2.0,
        );
        assert_eq!(ids.len(), 4);
        m.add(0, 0, 1.0);
        let (pat, slot) = m.compress(2);
        assert_eq!(pat.col_ptr, vec![0, 2, 4]);
        assert_eq!(pat.row_idx, vec![0, 1, 0, 1]);
        let mut v = Vec::new();
        m.values(&slot, pat.row_idx.len(), &mut v);
        assert_eq!(v, vec![3.0, -2.0, -2.0, 2.0]);
    }

    #[test]
    fn pair_diff_and_source_follow_josim_signs() {
        let pr = Pair {
            p: Some(0),
            n: None,
        };
        assert_eq!(pr.diff(&[3.0]), 3.0);
        let mut b = [0.0];
        pr.source(&mut b, 1.5);
        assert_eq!(b, [-1.5]);
        let nr = Pair {
            p: None,
            n: Some(0),
        };
        assert_eq!(nr.diff(&[3.0]), -3.0);
    }
}
