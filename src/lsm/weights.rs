//! Crossbar weights: seeded conductances of differential device pairs, clamped to the
//! conductance window and quantized to level codes; the signed weight is `level+ − level−`.
//!
//! One function, [`draw_weights`], produces them; the Verilog `$readmemh` files, the
//! bit-accurate model and the reports all read the same [`Weights`], so the same seed
//! gives the same weights everywhere.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use super::spec::LsmDesign;

/// The crossbar: `rows()` word lines (inputs, then reservoir neurons) × `neurons` columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    pub rows: usize,
    pub cols: usize,
    /// Programmed conductance of the G+ device (µS), row-major.
    pub g_pos_us: Vec<f64>,
    /// Programmed conductance of the G− device (µS), row-major.
    pub g_neg_us: Vec<f64>,
    /// Level code of G+ (0..=Q), row-major.
    pub level_pos: Vec<u8>,
    /// Level code of G− (0..=Q), row-major.
    pub level_neg: Vec<u8>,
    /// Whether the synapse was formed (connected).
    pub formed: Vec<bool>,
    /// Signed weight code `level_pos − level_neg`, row-major.
    pub code: Vec<i16>,
}

impl Weights {
    pub fn weight(&self, row: usize, col: usize) -> i16 {
        self.code[row * self.cols + col]
    }

    /// The same crossbar after programming with device-to-device variation: every formed
    /// device gets `N(0, sigma_us)` added, is clamped to the window and requantized.
    /// Unformed devices stay at g_min.
    pub fn with_variation(&self, design: &LsmDesign, sigma_us: f64, seed: u64) -> Weights {
        let c = &design.conductance;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let normal = Normal::new(0.0, sigma_us.max(0.0)).ok();
        let mut out = self.clone();
        for i in 0..self.code.len() {
            let dp: f64 = normal.map_or(0.0, |n| n.sample(&mut rng));
            let dn: f64 = normal.map_or(0.0, |n| n.sample(&mut rng));
            if !self.formed[i] {
                continue;
            }
            out.g_pos_us[i] = clamp_g(self.g_pos_us[i] + dp, c.g_min_us, c.g_max_us);
            out.g_neg_us[i] = clamp_g(self.g_neg_us[i] + dn, c.g_min_us, c.g_max_us);
            out.level_pos[i] = level(out.g_pos_us[i], design);
            out.level_neg[i] = level(out.g_neg_us[i], design);
            out.code[i] = out.level_pos[i] as i16 - out.level_neg[i] as i16;
        }
        out
    }

    /// Fraction of formed synapses whose code is non-zero.
    pub fn density(&self) -> f64 {
        let nz = self.code.iter().filter(|&&c| c != 0).count();
        nz as f64 / self.code.len().max(1) as f64
    }

    /// The crossbar as CSV: `row,col,kind,formed,g_pos_us,g_neg_us,level_pos,level_neg,weight`.
    pub fn to_csv(&self, inputs: usize) -> Vec<u8> {
        let mut s =
            String::from("row,col,kind,formed,g_pos_us,g_neg_us,level_pos,level_neg,weight\n");
        for r in 0..self.rows {
            for c in 0..self.cols {
                let i = r * self.cols + c;
                s.push_str(&format!(
                    "{r},{c},{},{},{:.4},{:.4},{},{},{}\n",
                    if r < inputs { "input" } else { "recurrent" },
                    u8::from(self.formed[i]),
                    self.g_pos_us[i],
                    self.g_neg_us[i],
                    self.level_pos[i],
                    self.level_neg[i],
                    self.code[i]
                ));
            }
        }
        s.into_bytes()
    }
}

fn clamp_g(g: f64, lo: f64, hi: f64) -> f64 {
    g.clamp(lo, hi)
}

/// Conductance → level code: `round((g − g_min)/g_step)`, `g_step = (g_max − g_min)/Q`.
pub fn level(g_us: f64, design: &LsmDesign) -> u8 {
    let c = &design.conductance;
    let q = design.q() as f64;
    let step = (c.g_max_us - c.g_min_us) / q;
    ((g_us - c.g_min_us) / step).round().clamp(0.0, q) as u8
}

/// Draws the crossbar from the spec's seeded conductance model.
///
/// For every crosspoint in row-major order the generator draws, always in this order:
/// one uniform (formed or not: input rows are formed with probability `1 − sparsity`,
/// reservoir rows with `recurrent_probability`, no self-connections), then G+ and G−
/// from `N(mean_us, sigma_us)`. Formed devices are clamped to `[g_min, g_max]`; unformed
/// ones sit at g_min. Without differential pairs, G− is a reference device at the
/// window's midpoint (and an unformed synapse's G+ sits at the reference too: weight 0).
pub fn draw_weights(design: &LsmDesign) -> Weights {
    let c = &design.conductance;
    let rows = design.rows();
    let cols = design.neurons;
    let n = rows * cols;
    let mut rng = ChaCha8Rng::seed_from_u64(c.seed);
    let normal = Normal::new(c.mean_us, c.sigma_us.max(0.0)).ok();
    let mid = 0.5 * (c.g_min_us + c.g_max_us);
    let mut w = Weights {
        rows,
        cols,
        g_pos_us: Vec::with_capacity(n),
        g_neg_us: Vec::with_capacity(n),
        level_pos: Vec::with_capacity(n),
        level_neg: Vec::with_capacity(n),
        formed: Vec::with_capacity(n),
        code: Vec::with_capacity(n),
    };
    for r in 0..rows {
        for col in 0..cols {
            let u: f64 = rng.random();
            let gp: f64 = normal.map_or(c.mean_us, |d| d.sample(&mut rng));
            let gn: f64 = normal.map_or(c.mean_us, |d| d.sample(&mut rng));
            let formed = if r < design.inputs {
                u >= c.sparsity
            } else {
                r - design.inputs != col && u < design.recurrent_probability
            };
            let (gp, gn) = match (formed, c.differential) {
                (true, true) => (
                    clamp_g(gp, c.g_min_us, c.g_max_us),
                    clamp_g(gn, c.g_min_us, c.g_max_us),
                ),
                (true, false) => (clamp_g(gp, c.g_min_us, c.g_max_us), mid),
                (false, true) => (c.g_min_us, c.g_min_us),
                (false, false) => (mid, mid),
            };
            let (lp, ln) = (level(gp, design), level(gn, design));
            w.g_pos_us.push(gp);
            w.g_neg_us.push(gn);
            w.level_pos.push(lp);
            w.level_neg.push(ln);
            w.formed.push(formed);
            w.code.push(lp as i16 - ln as i16);
        }
    }
    w
}

/// The extreme partial sums one row group of these weights can produce on a column (all
/// its word lines driven, taking only the positive or only the negative codes): the range
/// the column ADC must cover. `(min, max)`, `(0, 0)` for an all-zero crossbar.
pub fn partial_sum_range(design: &LsmDesign, weights: &Weights) -> (i32, i32) {
    let k = design.rows_per_cycle;
    let n = weights.cols;
    let (mut lo, mut hi) = (0i32, 0i32);
    for g in 0..weights.rows.div_ceil(k) {
        for c in 0..n {
            let (mut neg, mut pos) = (0i32, 0i32);
            for r in g * k..((g + 1) * k).min(weights.rows) {
                let w = weights.code[r * n + c] as i32;
                if w > 0 {
                    pos += w;
                } else {
                    neg += w;
                }
            }
            lo = lo.min(neg);
            hi = hi.max(pos);
        }
    }
    (lo, hi)
}

/// Whether the column ADC can clip with these weights (some row group can drive a column
/// beyond the ADC's rails); when it cannot, the RTL leaves the saturation logic out.
pub fn adc_can_clip(design: &LsmDesign, weights: &Weights) -> bool {
    let (lo, hi) = partial_sum_range(design, weights);
    let (amin, amax) = design.adc_limits();
    lo < amin || hi > amax
}

/// `$readmemh` image of one device array (`level_pos` or `level_neg`): one line per row
/// group of `rows_per_cycle` word lines (padded with zero rows); within a line, row `j` of
/// the group occupies bits `[(j·N + c)·LB +: LB]` for column `c`, LB = weight_bits − 1.
pub fn readmemh_levels(design: &LsmDesign, levels: &[u8]) -> Vec<u8> {
    let lb = (design.weight_bits - 1) as usize;
    let k = design.rows_per_cycle;
    let n = design.neurons;
    let width = k * n * lb;
    let digits = width.div_ceil(4);
    let mut out = String::with_capacity(design.groups() * (digits + 1));
    for g in 0..design.groups() {
        let mut bits = vec![false; digits * 4];
        for j in 0..k {
            let row = g * k + j;
            if row >= design.rows() {
                continue;
            }
            for c in 0..n {
                let v = levels[row * n + c];
                for b in 0..lb {
                    bits[(j * n + c) * lb + b] = (v >> b) & 1 == 1;
                }
            }
        }
        push_hex(&mut out, &bits);
        out.push('\n');
    }
    out.into_bytes()
}

/// Appends `bits` (LSB first) as hex digits, most significant first.
pub fn push_hex(out: &mut String, bits: &[bool]) {
    let digits = bits.len().div_ceil(4);
    for d in (0..digits).rev() {
        let mut v = 0u32;
        for b in 0..4 {
            if bits.get(d * 4 + b).copied().unwrap_or(false) {
                v |= 1 << b;
            }
        }
        out.push(char::from_digit(v, 16).unwrap_or('0'));
    }
}
