//! A nested-dissection column ordering for the LU factorisation: short dependency
//! chains in the substitutions.
//!
//! A small circuit's solve is not bound by its operations but by how long its
//! chain of dependent rows is: each row of L (and U) waits for the unknowns it
//! reads, and a fill-minimising ordering (COLAMD, AMD) of a chain of JTLs
//! eliminates it from both ends towards the middle, so 32 of the 46 rows of
//! `jtl_chain` wait one for the other. Nested dissection splits the graph of
//! `A + Aᵀ` at a small separator, orders the two halves (recursively, each
//! independent of the other) and the separator last: the chain becomes about
//! log₂ n separators long.
//!
//! Separators come from breadth-first level structures rooted at a
//! pseudo-peripheral vertex: the smallest level that leaves at least a fifth of
//! the vertices on either side, less its vertices with no neighbour beyond it.
//! Everything here depends only on the pattern, so the ordering is deterministic.

/// Symmetric adjacency (`A + Aᵀ` without the diagonal) in compressed rows.
struct Graph {
    ptr: Vec<usize>,
    adj: Vec<usize>,
}

impl Graph {
    fn new(n: usize, col_ptr: &[usize], row_idx: &[usize]) -> Graph {
        let mut deg = vec![0usize; n + 1];
        for j in 0..n {
            for &i in &row_idx[col_ptr[j]..col_ptr[j + 1]] {
                if i != j {
                    deg[i + 1] += 1;
                    deg[j + 1] += 1;
                }
            }
        }
        for i in 0..n {
            deg[i + 1] += deg[i];
        }
        let mut next = deg.clone();
        let mut adj = vec![0usize; deg[n]];
        for j in 0..n {
            for &i in &row_idx[col_ptr[j]..col_ptr[j + 1]] {
                if i != j {
                    adj[next[i]] = j;
                    next[i] += 1;
                    adj[next[j]] = i;
                    next[j] += 1;
                }
            }
        }
        // sort and drop duplicates (an entry and its transpose both present)
        let mut ptr = vec![0usize; n + 1];
        let mut out = Vec::with_capacity(adj.len());
        for v in 0..n {
            let row = &mut adj[deg[v]..deg[v + 1]];
            row.sort_unstable();
            let start = out.len();
            for &u in row.iter() {
                if out.len() == start || out[out.len() - 1] != u {
                    out.push(u);
                }
            }
            ptr[v + 1] = out.len();
        }
        Graph { ptr, adj: out }
    }

    fn neighbours(&self, v: usize) -> &[usize] {
        &self.adj[self.ptr[v]..self.ptr[v + 1]]
    }
}

/// Parts of at most this many vertices are ordered as they come (a separator
/// would not shorten their chains).
const LEAF: usize = 2;

enum Task {
    /// Order these vertices (a connected set or not).
    Order(Vec<usize>),
    /// Append these vertices (a separator, after both halves).
    Emit(Vec<usize>),
}

/// Breadth-first search over the vertices marked `mark` from `root`: the levels
/// (each in visiting order). `seen` holds the search's stamp for visited vertices.
fn levels(
    g: &Graph,
    root: usize,
    part: &[u32],
    mark: u32,
    seen: &mut [u32],
    stamp: u32,
) -> Vec<Vec<usize>> {
    let mut out = vec![vec![root]];
    seen[root] = stamp;
    loop {
        let mut next = Vec::new();
        for &v in out.last().unwrap() {
            for &u in g.neighbours(v) {
                if part[u] == mark && seen[u] != stamp {
                    seen[u] = stamp;
                    next.push(u);
                }
            }
        }
        if next.is_empty() {
            return out;
        }
        out.push(next);
    }
}

/// The column ordering (`order[k]` is the column eliminated k-th) of the pattern
/// given in compressed columns.
pub fn nested_dissection(n: usize, col_ptr: &[usize], row_idx: &[usize]) -> Vec<usize> {
    let g = Graph::new(n, col_ptr, row_idx);
    // part[v]: the id of the task v currently belongs to
    let mut part = vec![0u32; n];
    let mut seen = vec![0u32; n];
    let mut stamp = 0u32;
    let mut next_part = 1u32;
    let mut order = Vec::with_capacity(n);
    let mut stack = vec![Task::Order((0..n).collect())];
    while let Some(task) = stack.pop() {
        let vertices = match task {
            Task::Emit(s) => {
                order.extend(s);
                continue;
            }
            Task::Order(v) => v,
        };
        if vertices.len() <= LEAF {
            order.extend(vertices);
            continue;
        }
        let mark = next_part;
        next_part += 1;
        for &v in &vertices {
            part[v] = mark;
        }
        // connected components, each ordered on its own
        stamp += 1;
        let mut components: Vec<Vec<usize>> = Vec::new();
        for &v in &vertices {
            if seen[v] != stamp {
                components.push(levels(&g, v, &part, mark, &mut seen, stamp).concat());
            }
        }
        if components.len() > 1 {
            for c in components.into_iter().rev() {
                stack.push(Task::Order(c));
            }
            continue;
        }
        // one component: a pseudo-peripheral root, then its level structure
        let degree = |v: usize| g.neighbours(v).iter().filter(|&&u| part[u] == mark).count();
        let mut root = *vertices
            .iter()
            .min_by_key(|&&v| (degree(v), v))
            .expect("non-empty");
        stamp += 1;
        let mut lv = levels(&g, root, &part, mark, &mut seen, stamp);
        for _ in 0..4 {
            let far = *lv
                .last()
                .unwrap()
                .iter()
                .min_by_key(|&&v| (degree(v), v))
                .unwrap();
            stamp += 1;
            let again = levels(&g, far, &part, mark, &mut seen, stamp);
            if again.len() <= lv.len() {
                break;
            }
            root = far;
            lv = again;
        }
        let _ = root;
        if lv.len() < 3 {
            // no level leaves vertices on both sides
            order.extend(vertices);
            continue;
        }
        let total = vertices.len();
        let mut before = 0usize;
        let mut best: Option<(usize, usize, usize)> = None; // (size, off-centre, level)
        let mut fallback: Option<(usize, usize)> = None; // (off-centre, level)
        for (l, level) in lv.iter().enumerate() {
            let after = total - before - level.len();
            if l > 0 && l + 1 < lv.len() {
                let off = before.abs_diff(after);
                if 5 * before.min(after) >= total {
                    let key = (level.len(), off, l);
                    if best.is_none_or(|b| key < b) {
                        best = Some(key);
                    }
                }
                if fallback.is_none_or(|f| (off, l) < f) {
                    fallback = Some((off, l));
                }
            }
            before += level.len();
        }
        let l = match (best, fallback) {
            (Some((_, _, l)), _) => l,
            (None, Some((_, l))) => l,
            (None, None) => unreachable!("at least three levels"),
        };
        // the separator: the level's vertices with a neighbour in the next level
        let next_mark = next_part;
        next_part += 1;
        for &v in &lv[l + 1] {
            part[v] = next_mark;
        }
        let (sep, rest): (Vec<usize>, Vec<usize>) = lv[l]
            .iter()
            .partition(|&&v| g.neighbours(v).iter().any(|&u| part[u] == next_mark));
        let mut a: Vec<usize> = lv[..l].concat();
        a.extend(rest);
        let b: Vec<usize> = lv[l + 1..].concat();
        stack.push(Task::Emit(sep));
        stack.push(Task::Order(b));
        stack.push(Task::Order(a));
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compressed columns of a symmetric pattern with the given edges (and the
    /// diagonal).
    fn pattern(n: usize, edges: &[(usize, usize)]) -> (Vec<usize>, Vec<usize>) {
        let mut cols: Vec<Vec<usize>> = (0..n).map(|j| vec![j]).collect();
        for &(a, b) in edges {
            cols[a].push(b);
            cols[b].push(a);
        }
        let mut ptr = vec![0];
        let mut idx = Vec::new();
        for mut c in cols {
            c.sort_unstable();
            idx.extend(c);
            ptr.push(idx.len());
        }
        (ptr, idx)
    }

    fn is_permutation(order: &[usize], n: usize) -> bool {
        let mut seen = vec![false; n];
        order.len() == n
            && order
                .iter()
                .all(|&v| v < n && !std::mem::replace(&mut seen[v], true))
    }

    /// Height of the elimination tree of a symmetric pattern under an ordering.
    fn etree_height(n: usize, edges: &[(usize, usize)], order: &[usize]) -> usize {
        let mut pos = vec![0; n];
        for (k, &v) in order.iter().enumerate() {
            pos[v] = k;
        }
        // Liu's algorithm with path compression on the permuted pattern
        let mut lower: Vec<Vec<usize>> = vec![Vec::new(); n];
        for &(a, b) in edges {
            let (a, b) = (pos[a], pos[b]);
            lower[a.max(b)].push(a.min(b));
        }
        let mut parent = vec![usize::MAX; n];
        let mut ancestor = vec![usize::MAX; n];
        for (i, row) in lower.iter().enumerate() {
            for &k in row {
                let mut r = k;
                while ancestor[r] != usize::MAX && ancestor[r] != i {
                    let next = ancestor[r];
                    ancestor[r] = i;
                    r = next;
                }
                if ancestor[r] == usize::MAX {
                    ancestor[r] = i;
                    parent[r] = i;
                }
            }
        }
        let mut depth = vec![0usize; n];
        for i in (0..n).rev() {
            if parent[i] != usize::MAX {
                depth[i] = depth[parent[i]] + 1;
            }
        }
        depth.into_iter().max().unwrap_or(0) + 1
    }

    #[test]
    fn a_path_is_cut_in_halves() {
        let n = 63;
        let edges: Vec<(usize, usize)> = (0..n - 1).map(|i| (i, i + 1)).collect();
        let (ptr, idx) = pattern(n, &edges);
        let order = nested_dissection(n, &ptr, &idx);
        assert!(is_permutation(&order, n));
        let natural: Vec<usize> = (0..n).collect();
        assert_eq!(etree_height(n, &edges, &natural), n);
        let h = etree_height(n, &edges, &order);
        assert!(h <= 8, "height {h}");
    }

    #[test]
    fn a_ladder_and_disconnected_parts_are_ordered_whole() {
        // a ladder (two rails with rungs) and an isolated pair
        let rail = 20;
        let mut edges = Vec::new();
        for i in 0..rail - 1 {
            edges.push((i, i + 1));
            edges.push((rail + i, rail + i + 1));
        }
        for i in 0..rail {
            edges.push((i, rail + i));
        }
        let n = 2 * rail + 2;
        edges.push((2 * rail, 2 * rail + 1));
        let (ptr, idx) = pattern(n, &edges);
        let order = nested_dissection(n, &ptr, &idx);
        assert!(is_permutation(&order, n));
        let h = etree_height(n, &edges, &order);
        assert!(h <= 16, "height {h}");
        assert_eq!(order, nested_dissection(n, &ptr, &idx));
    }
}
