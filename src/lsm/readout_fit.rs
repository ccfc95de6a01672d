//! Float fitting of the readout: ridge regression and softmax regression.

/// The linear readouts fitted here (the MLP is trained by [`super::mlp`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LinearFit {
    /// Closed-form ridge regression on one-hot targets.
    Ridge { lambda: f64 },
    /// Softmax regression by full-batch gradient descent.
    Logistic {
        epochs: u32,
        learning_rate: f64,
        l2: f64,
    },
}

/// Returns `(weights[c][n], biases[c])` fitted on the rows `train` of `x`.
pub fn fit(
    method: LinearFit,
    x: &[Vec<u32>],
    labels: &[usize],
    train: &[usize],
    classes: usize,
    neurons: usize,
) -> (Vec<Vec<f64>>, Vec<f64>) {
    let m = train.len().max(1) as f64;
    let mut mean = vec![0.0; neurons];
    for &i in train {
        for (a, &v) in mean.iter_mut().zip(&x[i]) {
            *a += v as f64 / m;
        }
    }
    let mut sd = vec![0.0; neurons];
    for &i in train {
        for n in 0..neurons {
            let d = x[i][n] as f64 - mean[n];
            sd[n] += d * d / m;
        }
    }
    let sd: Vec<f64> = sd.iter().map(|v| v.sqrt().max(1e-9)).collect();
    let z = |i: usize, n: usize| (x[i][n] as f64 - mean[n]) / sd[n];
    let (wz, bz) = match method {
        LinearFit::Ridge { lambda } => ridge(train, labels, classes, neurons, lambda, &z),
        LinearFit::Logistic {
            epochs,
            learning_rate,
            l2,
        } => logistic(
            train,
            labels,
            classes,
            neurons,
            epochs,
            learning_rate,
            l2,
            &z,
        ),
    };
    // Fold the standardization back into raw-count weights.
    let mut w = vec![vec![0.0; neurons]; classes];
    let mut b = bz;
    for c in 0..classes {
        for n in 0..neurons {
            w[c][n] = wz[c][n] / sd[n];
            b[c] -= wz[c][n] * mean[n] / sd[n];
        }
    }
    (w, b)
}

fn ridge(
    train: &[usize],
    labels: &[usize],
    classes: usize,
    neurons: usize,
    lambda: f64,
    z: &dyn Fn(usize, usize) -> f64,
) -> (Vec<Vec<f64>>, Vec<f64>) {
    // Features are centered, so the bias is the class frequency and W solves
    // (ZᵀZ + λI) W = Zᵀ(Y − ȳ).
    let m = train.len().max(1) as f64;
    let mut a = vec![0.0; neurons * neurons];
    let mut rhs = vec![vec![0.0; neurons]; classes];
    let mut freq = vec![0.0; classes];
    for &i in train {
        freq[labels[i]] += 1.0 / m;
    }
    for &i in train {
        let zi: Vec<f64> = (0..neurons).map(|n| z(i, n)).collect();
        for p in 0..neurons {
            for q in 0..=p {
                a[p * neurons + q] += zi[p] * zi[q];
            }
        }
        for c in 0..classes {
            let y = f64::from(u8::from(labels[i] == c)) - freq[c];
            for n in 0..neurons {
                rhs[c][n] += zi[n] * y;
            }
        }
    }
    for p in 0..neurons {
        a[p * neurons + p] += lambda.max(1e-9);
        for q in 0..p {
            a[q * neurons + p] = a[p * neurons + q];
        }
    }
    let l = cholesky(&a, neurons);
    let w = rhs.iter().map(|r| cholesky_solve(&l, neurons, r)).collect();
    (w, freq)
}

/// Lower-triangular Cholesky factor of a symmetric positive definite matrix.
fn cholesky(a: &[f64], n: usize) -> Vec<f64> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum();
            if i == j {
                l[i * n + i] = (a[i * n + i] - s).max(1e-12).sqrt();
            } else {
                l[i * n + j] = (a[i * n + j] - s) / l[j * n + j];
            }
        }
    }
    l
}

fn cholesky_solve(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let mut y = vec![0.0; n];
    for i in 0..n {
        let s: f64 = (0..i).map(|k| l[i * n + k] * y[k]).sum();
        y[i] = (b[i] - s) / l[i * n + i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|k| l[k * n + i] * x[k]).sum();
        x[i] = (y[i] - s) / l[i * n + i];
    }
    x
}

#[allow(clippy::too_many_arguments)]
fn logistic(
    train: &[usize],
    labels: &[usize],
    classes: usize,
    neurons: usize,
    epochs: u32,
    lr: f64,
    l2: f64,
    z: &dyn Fn(usize, usize) -> f64,
) -> (Vec<Vec<f64>>, Vec<f64>) {
    let m = train.len().max(1) as f64;
    let zs: Vec<Vec<f64>> = train
        .iter()
        .map(|&i| (0..neurons).map(|n| z(i, n)).collect())
        .collect();
    let mut w = vec![vec![0.0; neurons]; classes];
    let mut b = vec![0.0; classes];
    for _ in 0..epochs {
        let mut gw = vec![vec![0.0; neurons]; classes];
        let mut gb = vec![0.0; classes];
        for (zi, &i) in zs.iter().zip(train) {
            let s: Vec<f64> = (0..classes)
                .map(|c| b[c] + w[c].iter().zip(zi).map(|(a, b)| a * b).sum::<f64>())
                .collect();
            let mx = s.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = s.iter().map(|v| (v - mx).exp()).collect();
            let tot: f64 = e.iter().sum();
            for c in 0..classes {
                let g = e[c] / tot - f64::from(u8::from(labels[i] == c));
                gb[c] += g / m;
                for n in 0..neurons {
                    gw[c][n] += g * zi[n] / m;
                }
            }
        }
        for c in 0..classes {
            b[c] -= lr * gb[c];
            for n in 0..neurons {
                w[c][n] -= lr * (gw[c][n] + l2 * w[c][n]);
            }
        }
    }
    (w, b)
}
