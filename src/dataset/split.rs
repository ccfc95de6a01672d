//! Stratified, seeded train/test splits and min–max feature scaling.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::Dataset;

/// Which part of a split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SplitPart {
    Train,
    Test,
    All,
}

/// Sample indices of a train/test split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

impl Split {
    /// Stratified: each class's samples are shuffled with `seed` (ChaCha8) and the
    /// first round(test_fraction · n_class) of them go to the test part. Both parts
    /// are listed in file order.
    pub fn stratified(data: &Dataset, test_fraction: f64, seed: u64) -> Split {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (mut train, mut test) = (Vec::new(), Vec::new());
        for class in 0..data.classes.len() {
            let mut idx: Vec<usize> = (0..data.len())
                .filter(|&i| data.labels[i] == class)
                .collect();
            idx.shuffle(&mut rng);
            let n_test = (test_fraction * idx.len() as f64).round() as usize;
            test.extend_from_slice(&idx[..n_test.min(idx.len())]);
            train.extend_from_slice(&idx[n_test.min(idx.len())..]);
        }
        train.sort_unstable();
        test.sort_unstable();
        Split { train, test }
    }

    /// The indices of one part (`All`: every sample in file order).
    pub fn part(&self, part: SplitPart) -> Vec<usize> {
        match part {
            SplitPart::Train => self.train.clone(),
            SplitPart::Test => self.test.clone(),
            SplitPart::All => {
                let mut all: Vec<usize> = self.train.iter().chain(&self.test).copied().collect();
                all.sort_unstable();
                all
            }
        }
    }
}

/// Min–max scaling of each feature to [0, 1] (clamped), fitted on some samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scaling {
    pub min: Vec<f64>,
    pub max: Vec<f64>,
}

impl Scaling {
    /// The per-feature minimum and maximum over the given samples.
    pub fn fit(data: &Dataset, samples: &[usize]) -> Scaling {
        let nf = data.feature_count();
        let mut min = vec![f64::INFINITY; nf];
        let mut max = vec![f64::NEG_INFINITY; nf];
        for &i in samples {
            for (k, &v) in data.features[i].iter().enumerate() {
                min[k] = min[k].min(v);
                max[k] = max[k].max(v);
            }
        }
        Scaling { min, max }
    }

    /// A sample scaled to [0, 1]; a constant feature scales to 0.
    pub fn apply(&self, x: &[f64]) -> Vec<f64> {
        x.iter()
            .zip(self.min.iter().zip(&self.max))
            .map(|(&v, (&lo, &hi))| {
                if hi > lo {
                    ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
                } else {
                    0.0
                }
            })
            .collect()
    }
}
