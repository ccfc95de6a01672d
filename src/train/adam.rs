//! Adam over a flat parameter vector.

/// Adam state (Kingma & Ba), default β1 = 0.9, β2 = 0.999.
#[derive(Debug, Clone)]
pub struct Adam {
    pub lr: f64,
    m: Vec<f64>,
    v: Vec<f64>,
    t: i32,
}

impl Adam {
    pub fn new(size: usize, lr: f64) -> Adam {
        Adam {
            lr,
            m: vec![0.0; size],
            v: vec![0.0; size],
            t: 0,
        }
    }

    /// One step: `params -= lr · m̂ / (√v̂ + ε)`, per entry `scale[i]` times lr.
    pub fn step(&mut self, params: &mut [f64], grad: &[f64], scale: &[f64]) {
        self.t += 1;
        let (b1, b2, eps) = (0.9, 0.999, 1e-8);
        let c1 = 1.0 - f64::powi(b1, self.t);
        let c2 = 1.0 - f64::powi(b2, self.t);
        for i in 0..params.len() {
            self.m[i] = b1 * self.m[i] + (1.0 - b1) * grad[i];
            self.v[i] = b2 * self.v[i] + (1.0 - b2) * grad[i] * grad[i];
            params[i] -= self.lr * scale[i] * (self.m[i] / c1) / ((self.v[i] / c2).sqrt() + eps);
        }
    }
}

/// Softmax cross-entropy of logits against a class: (loss, dLoss/dlogits).
pub fn cross_entropy(logits: &[f64], class: usize) -> (f64, Vec<f64>) {
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exp: Vec<f64> = logits.iter().map(|z| (z - max).exp()).collect();
    let sum: f64 = exp.iter().sum();
    let loss = -(exp[class] / sum).ln();
    let mut d: Vec<f64> = exp.iter().map(|e| e / sum).collect();
    d[class] -= 1.0;
    (loss, d)
}

/// The class with the strictly largest value; a tie for the largest is `None`.
pub fn winner(values: &[f64]) -> Option<usize> {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut at = values.iter().enumerate().filter(|(_, v)| **v == max);
    let first = at.next()?.0;
    at.next().is_none().then_some(first)
}
