//! A circuit's electrically independent parts, and which of them still step.
//!
//! Two unknowns belong to one part when an element couples them: a matrix entry
//! between them (every conductance, junction, capacitor, inductor, source branch,
//! mutual coupling and controlled source stamps one), a current source between them
//! (it stamps no matrix entry, but its value changes both), or a transmission line's
//! ports (coupled through the line's delayed history). Ground joins nothing. The
//! system matrix is then block-diagonal by parts, its LU factors are too (there is
//! no fill between blocks, and a pivot of a block's column lies in that block), and
//! the unknowns of one part depend only on that part's elements: a step that skips
//! the other parts' elements and rows gives this part's unknowns bit for bit.
//!
//! `examples/fanout.yaml` has two: the splitter tree of input `a` and the merger
//! tree of `b0`…`b3`. A pattern that drives one of them leaves the other at rest,
//! and once [`super::quiet::Rest`] has seen that part at rest for good its elements
//! are no longer stepped ([`Active`]).

use super::build::System;
use super::mna::Pair;

/// The part of every unknown and of every element that steps on its own.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parts {
    /// Number of parts (unknowns coupled to nothing are parts of their own).
    pub count: usize,
    /// Part of each unknown.
    pub of_unknown: Vec<u32>,
}

/// Union-find with path halving.
struct Sets(Vec<u32>);

impl Sets {
    fn find(&mut self, mut a: u32) -> u32 {
        while self.0[a as usize] != a {
            let up = self.0[self.0[a as usize] as usize];
            self.0[a as usize] = up;
            a = up;
        }
        a
    }

    fn join(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a as u32), self.find(b as u32));
        if ra != rb {
            let (lo, hi) = (ra.min(rb), ra.max(rb));
            self.0[hi as usize] = lo;
        }
    }

    fn join_pair(&mut self, p: Pair) {
        if let (Some(a), Some(b)) = (p.p(), p.n()) {
            self.join(a, b);
        }
    }
}

impl Parts {
    /// The parts of `s`, numbered in the order of their lowest unknown.
    pub fn of(s: &System) -> Parts {
        Parts::joining(s, &[])
    }

    /// [`Parts::of`], each group of unknowns in `groups` joined into one part as
    /// well (the unknowns one probe reads: a part rests with what it is seen with).
    pub fn joining(s: &System, groups: &[Vec<usize>]) -> Parts {
        let n = s.n;
        let mut sets = Sets((0..n as u32).collect());
        for g in groups {
            for w in g.windows(2) {
                sets.join(w[0], w[1]);
            }
        }
        let m = &s.matrix;
        for (&r, &c) in m.rows.iter().zip(&m.cols) {
            if r < n && c < n {
                sets.join(r, c);
            }
        }
        for src in &s.isources {
            sets.join_pair(src.pair);
        }
        for tl in &s.tlines {
            let ends = [tl.port1.p(), tl.port1.n(), tl.port2.p(), tl.port2.n()];
            for u in ends.into_iter().flatten().chain([tl.var2]) {
                sets.join(u, tl.var1);
            }
        }
        let mut number = vec![u32::MAX; n];
        let mut of_unknown = vec![0u32; n];
        let mut count = 0u32;
        for (u, part) in of_unknown.iter_mut().enumerate() {
            let root = sets.find(u as u32) as usize;
            if number[root] == u32::MAX {
                number[root] = count;
                count += 1;
            }
            *part = number[root];
        }
        Parts {
            count: count as usize,
            of_unknown,
        }
    }

    /// The part of a branch between `p`'s terminals (`None` between ground and ground).
    pub fn of_pair(&self, p: Pair) -> Option<u32> {
        p.p().or(p.n()).map(|u| self.of_unknown[u])
    }
}

/// The elements and unknowns that still step while some parts rest: indices into
/// the [`System`]'s element lists, ascending, so every unknown still receives its
/// contributions in the order a full step adds them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Active {
    /// Per part: resting (not stepped).
    pub resting: Vec<bool>,
    /// Per unknown: stepped.
    pub stepped: Vec<bool>,
    pub unknowns: Vec<u32>,
    pub junctions: Vec<u32>,
    pub resistors: Vec<u32>,
    pub capacitors: Vec<u32>,
    pub isources: Vec<u32>,
    pub vsources: Vec<u32>,
    pub psources: Vec<u32>,
    pub ccvs: Vec<u32>,
    pub vccs: Vec<u32>,
}

impl Active {
    /// What of `s` steps while the parts marked in `resting` rest. Only for systems
    /// in phase mode without transmission lines (where a run may end at rest).
    pub fn new(s: &System, parts: &Parts, resting: &[bool]) -> Active {
        let on = |p: Option<u32>| p.is_none_or(|p| !resting[p as usize]);
        fn pick<T>(list: &[T], keep: impl Fn(&T) -> bool) -> Vec<u32> {
            (0..list.len() as u32)
                .filter(|&k| keep(&list[k as usize]))
                .collect()
        }
        let stepped: Vec<bool> = parts
            .of_unknown
            .iter()
            .map(|&p| !resting[p as usize])
            .collect();
        Active {
            resting: resting.to_vec(),
            unknowns: (0..s.n as u32).filter(|&u| stepped[u as usize]).collect(),
            stepped,
            junctions: pick(&s.junctions, |j| on(parts.of_pair(j.pair))),
            resistors: pick(&s.resistors, |r| {
                on(parts
                    .of_pair(r.pair)
                    .or(r.var.map(|v| parts.of_unknown[v as usize])))
            }),
            capacitors: pick(&s.capacitors, |c| on(parts.of_pair(c.pair))),
            isources: pick(&s.isources, |c| on(parts.of_pair(c.pair))),
            vsources: pick(&s.vsources, |v| on(Some(parts.of_unknown[v.var]))),
            psources: pick(&s.psources, |p| on(Some(parts.of_unknown[p.var]))),
            ccvs: pick(&s.ccvs, |c| on(Some(parts.of_unknown[c.var_ctrl]))),
            vccs: pick(&s.vccs, |g| on(Some(parts.of_unknown[g.var]))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netlist;

    fn system(deck: &str) -> System {
        let c = netlist::parse_str(deck, std::path::Path::new("test.cir")).expect("netlist parses");
        let tran = c.transient.expect(".tran");
        match super::super::build::build(&c, super::super::Mode::Phase, tran.tstep, 0, false)
            .expect("system builds")
        {
            super::super::build::Built::System(s) => *s,
            super::super::build::Built::StepTooLarge => panic!("step too large"),
        }
    }

    const TWO_LOOPS: &str = "* two loops
B1 1 0 jmod area=1
L1 1 2 2p
R1 2 0 2
I1 0 1 pwl(0 0 5p 100u)
B2 3 0 jmod area=1
L2 3 4 2p
R2 4 0 2
I2 0 3 pwl(0 0 5p 100u)
.model jmod jj(rtype=1, vg=2.8mV, cap=0.07pF, r0=160, rn=16, icrit=0.1mA)
.tran 0.1p 10p
.end
";

    #[test]
    fn disconnected_loops_are_two_parts() {
        let s = system(TWO_LOOPS);
        let parts = Parts::of(&s);
        assert_eq!(parts.count, 2, "{parts:?}");
        let j = &s.junctions;
        assert_ne!(parts.of_pair(j[0].pair), parts.of_pair(j[1].pair));
        let active = Active::new(&s, &parts, &[false, true]);
        assert_eq!(active.junctions, vec![0]);
        assert_eq!(active.resistors.len(), 1);
        assert_eq!(active.isources.len(), 1);
        assert!(active
            .unknowns
            .iter()
            .all(|&u| parts.of_unknown[u as usize] == 0));
    }

    #[test]
    fn a_probe_across_two_loops_joins_them() {
        let s = system(TWO_LOOPS);
        let (a, b) = (
            s.junctions[0].pair.p().unwrap(),
            s.junctions[1].pair.p().unwrap(),
        );
        assert_eq!(Parts::joining(&s, &[vec![a, b]]).count, 1);
        assert_eq!(Parts::joining(&s, &[vec![a]]).count, 2);
    }

    #[test]
    fn a_current_source_between_two_loops_joins_them() {
        let deck = TWO_LOOPS.replace(".model", "I3 2 4 pwl(0 0 5p 10u)\n.model");
        let s = system(&deck);
        assert_eq!(Parts::of(&s).count, 1);
    }
}
