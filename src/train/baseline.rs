//! The float software baseline: a ReLU multilayer perceptron of the same layer sizes
//! on the same scaled features, trained with the same optimizer, batches and seed.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::adam::{cross_entropy, winner, Adam};

/// Weights `w[l][target][source]`, biases `b[l][target]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    pub w: Vec<Vec<Vec<f64>>>,
    pub b: Vec<Vec<f64>>,
}

impl Mlp {
    /// Activations of every layer (`[0]` = inputs; ReLU on hidden layers, the last linear).
    pub fn forward(&self, x: &[f64]) -> Vec<Vec<f64>> {
        let mut a = vec![x.to_vec()];
        let last = self.w.len() - 1;
        for (l, (w, b)) in self.w.iter().zip(&self.b).enumerate() {
            let src = a.last().expect("inputs");
            let out: Vec<f64> = w
                .iter()
                .zip(b)
                .map(|(row, bj)| {
                    let z = bj + row.iter().zip(src).map(|(w, x)| w * x).sum::<f64>();
                    if l == last {
                        z
                    } else {
                        z.max(0.0)
                    }
                })
                .collect();
            a.push(out);
        }
        a
    }

    /// The predicted class (a tie is `None`).
    pub fn predict(&self, x: &[f64]) -> Option<usize> {
        winner(self.forward(x).last().expect("outputs"))
    }
}

/// Trains the baseline on `(scaled features, label)` pairs.
pub fn train_mlp(
    sizes: &[usize],
    samples: &[(Vec<f64>, usize)],
    epochs: usize,
    batch: usize,
    lr: f64,
    seed: u64,
) -> Mlp {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut net = Mlp {
        w: Vec::new(),
        b: Vec::new(),
    };
    for k in 1..sizes.len() {
        let bound = (6.0 / sizes[k - 1] as f64).sqrt();
        net.w.push(
            (0..sizes[k])
                .map(|_| {
                    (0..sizes[k - 1])
                        .map(|_| rng.random_range(-bound..bound))
                        .collect()
                })
                .collect(),
        );
        net.b.push(vec![0.0; sizes[k]]);
    }
    let count: usize = net.w.iter().flatten().flatten().count() + net.b.iter().flatten().count();
    let mut adam = Adam::new(count, lr);
    let scale = vec![1.0; count];
    let mut order: Vec<usize> = (0..samples.len()).collect();
    for _ in 0..epochs {
        order.shuffle(&mut rng);
        for chunk in order.chunks(batch.max(1)) {
            let mut gw: Vec<Vec<Vec<f64>>> = net
                .w
                .iter()
                .map(|l| vec![vec![0.0; l[0].len()]; l.len()])
                .collect();
            let mut gb: Vec<Vec<f64>> = net.b.iter().map(|l| vec![0.0; l.len()]).collect();
            for &s in chunk {
                let (x, y) = &samples[s];
                let a = net.forward(x);
                let (_, mut d) = cross_entropy(a.last().expect("outputs"), *y);
                for l in (0..net.w.len()).rev() {
                    let mut d_src = vec![0.0; a[l].len()];
                    for (j, dj) in d.iter().enumerate() {
                        gb[l][j] += dj;
                        for (i, ai) in a[l].iter().enumerate() {
                            gw[l][j][i] += dj * ai;
                            d_src[i] += dj * net.w[l][j][i];
                        }
                    }
                    if l > 0 {
                        d = d_src
                            .iter()
                            .zip(&a[l])
                            .map(|(d, a)| if *a > 0.0 { *d } else { 0.0 })
                            .collect();
                    }
                }
            }
            let n = chunk.len() as f64;
            let grad: Vec<f64> = gw
                .iter()
                .flatten()
                .flatten()
                .chain(gb.iter().flatten())
                .map(|g| g / n)
                .collect();
            let mut params: Vec<f64> = net
                .w
                .iter()
                .flatten()
                .flatten()
                .chain(net.b.iter().flatten())
                .copied()
                .collect();
            adam.step(&mut params, &grad, &scale);
            let mut it = params.into_iter();
            for v in net.w.iter_mut().flatten().flatten() {
                *v = it.next().expect("same size");
            }
            for v in net.b.iter_mut().flatten() {
                *v = it.next().expect("same size");
            }
        }
    }
    net
}
