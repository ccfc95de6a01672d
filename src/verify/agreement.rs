//! Per-sample agreement of two accuracy runs of the same check (e.g. pulse level and
//! circuit level): samples are matched by data-file row and noise seed, and two runs
//! agree on a sample when they decide the same class (a tie at both is agreement on
//! "no decision").

use serde::Serialize;

use super::accuracy::SampleResult;

/// How two runs compare on the samples they share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    /// Samples (row, seed) present in both runs.
    pub matched: usize,
    /// Of those, samples with the same decision.
    pub agreed: usize,
    /// Samples that both runs classify correctly.
    pub both_right: usize,
    /// Mean |count difference| per output pulse count, over matched samples and outputs.
    pub mean_abs_count_difference: f64,
    /// Rows whose decisions differ: (row, seed, decision of the first run, of the second).
    pub disagreements: Vec<(usize, Option<u64>, Option<usize>, Option<usize>)>,
}

impl Agreement {
    /// Compares `a` with `b` on the (row, seed) pairs both hold.
    pub fn of(a: &[SampleResult], b: &[SampleResult]) -> Agreement {
        let mut out = Agreement {
            matched: 0,
            agreed: 0,
            both_right: 0,
            mean_abs_count_difference: 0.0,
            disagreements: Vec::new(),
        };
        let mut diff_sum = 0.0;
        let mut diff_n = 0usize;
        for x in a {
            let Some(y) = b.iter().find(|y| y.row == x.row && y.seed == x.seed) else {
                continue;
            };
            out.matched += 1;
            if x.decision == y.decision {
                out.agreed += 1;
            } else {
                out.disagreements
                    .push((x.row, x.seed, x.decision, y.decision));
            }
            if x.decision == Some(x.label) && y.decision == Some(y.label) {
                out.both_right += 1;
            }
            for (cx, cy) in x.counts.iter().zip(&y.counts) {
                diff_sum += (*cx as f64 - *cy as f64).abs();
                diff_n += 1;
            }
        }
        out.mean_abs_count_difference = diff_sum / diff_n.max(1) as f64;
        out
    }

    /// The fraction of matched samples with the same decision (0 with none matched).
    pub fn fraction(&self) -> f64 {
        self.agreed as f64 / self.matched.max(1) as f64
    }

    /// One line: `agree on 43 of 45 samples (95.6 %), both right on 40; mean |Δcount| 1.2 pulses`.
    pub fn summary(&self) -> String {
        format!(
            "agree on {} of {} sample(s) ({:.1} %), both right on {}; mean |Δcount| {:.2} pulses per output",
            self.agreed,
            self.matched,
            100.0 * self.fraction(),
            self.both_right,
            self.mean_abs_count_difference
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(row: usize, label: usize, counts: Vec<usize>, decision: Option<usize>) -> SampleResult {
        SampleResult {
            row,
            label,
            seed: Some(1000 + row as u64),
            counts,
            decision,
        }
    }

    #[test]
    fn matches_by_row_and_counts_same_decisions() {
        let a = vec![
            r(1, 0, vec![5, 1], Some(0)),
            r(2, 1, vec![2, 2], None),
            r(3, 1, vec![0, 4], Some(1)),
        ];
        let b = vec![
            r(3, 1, vec![1, 3], Some(1)),
            r(2, 1, vec![1, 3], Some(1)),
            r(9, 0, vec![0, 0], None),
        ];
        let g = Agreement::of(&a, &b);
        assert_eq!(g.matched, 2);
        assert_eq!(g.agreed, 1);
        assert_eq!(g.both_right, 1);
        assert_eq!(g.disagreements, vec![(2, Some(1002), None, Some(1))]);
        assert!((g.mean_abs_count_difference - 1.0).abs() < 1e-12);
        assert!((g.fraction() - 0.5).abs() < 1e-12);
    }
}
