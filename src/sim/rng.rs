//! JoSIM 2.7's random streams, bit for bit.
//!
//! JoSIM (`Rng.cpp`, `Rng::start_run`) derives two independent streams from the
//! `.option seed=N` base seed: for each it mixes `seed ^ TAG` with a
//! splitmix64-style finaliser, feeds the two 32-bit halves and a 32-bit tag to
//! `std::seed_seq`, and seeds a `std::mt19937_64` with it. Uniform numbers are
//! `std::generate_canonical<double, 64>` (one 64-bit draw divided by 2^64, as
//! GNU libstdc++ computes it). Reproducing this exactly means the built-in
//! simulator draws the same thermal-noise samples as JoSIM for the same seed, so
//! per-seed results (not only their statistics) can be compared.
//!
//! The Mersenne Twister and the seed sequence are written out here (they are
//! short and fully specified by the C++ standard, [rand.eng.mers] and
//! [rand.util.seedseq]) rather than pulled in as a dependency.

/// The tag of JoSIM's thermal-noise stream (`"NOISE"`) and its seed-sequence word.
pub const NOISE_TAG: (u64, u32) = (0x4E_4F49_5345, 0x4E4F_4953);
/// The tag of JoSIM's spread stream (`"SPREAD"`) and its seed-sequence word.
pub const SPREAD_TAG: (u64, u32) = (0x5350_5245_4144, 0x5350_5244);

const N: usize = 312;
const M: usize = 156;
const MATRIX_A: u64 = 0xB502_6F5A_A966_19E9;
const UPPER: u64 = !0u64 << 31;
const LOWER: u64 = !UPPER;

/// `std::mt19937_64`.
///
/// A sequence-seeded engine builds its state at the first draw: every run builds a
/// noise stream, and most runs (no noise, no spread) never draw from it.
#[derive(Clone)]
pub struct Mt64 {
    x: Box<[u64; N]>,
    p: usize,
    /// The `seed_seq` words, until the state is built from them.
    pending: Option<Vec<u32>>,
}

impl std::fmt::Debug for Mt64 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mt64")
            .field("p", &self.p)
            .finish_non_exhaustive()
    }
}

impl Mt64 {
    /// `seed(value)`: the engine's integer seeding.
    pub fn from_u64(seed: u64) -> Self {
        let mut x = Box::new([0u64; N]);
        x[0] = seed;
        for i in 1..N {
            let prev = x[i - 1];
            x[i] = 6_364_136_223_846_793_005u64
                .wrapping_mul(prev ^ (prev >> 62))
                .wrapping_add(i as u64);
        }
        Mt64 {
            x,
            p: N,
            pending: None,
        }
    }

    /// `seed(seq)` with a `std::seed_seq` built from `words` (built at the first draw).
    pub fn from_seed_seq(words: &[u32]) -> Self {
        Mt64 {
            x: Box::new([0u64; N]),
            p: N,
            pending: Some(words.to_vec()),
        }
    }

    /// The state of `seed(seq)`.
    fn seed_seq_state(words: &[u32]) -> Box<[u64; N]> {
        let mut arr = [0u32; 2 * N];
        seed_seq_generate(words, &mut arr);
        let mut x = Box::new([0u64; N]);
        for (i, v) in x.iter_mut().enumerate() {
            *v = u64::from(arr[2 * i]) | (u64::from(arr[2 * i + 1]) << 32);
        }
        // All-zero state guard of [rand.eng.mers] (only the top bits of x[0] count).
        if x[0] & UPPER == 0 && x[1..].iter().all(|&v| v == 0) {
            x[0] = 1u64 << 63;
        }
        x
    }

    fn twist(&mut self) {
        let x = &mut self.x;
        let mag = |y: u64| if y & 1 == 1 { MATRIX_A } else { 0 };
        for k in 0..N - M {
            let y = (x[k] & UPPER) | (x[k + 1] & LOWER);
            x[k] = x[k + M] ^ (y >> 1) ^ mag(y);
        }
        for k in N - M..N - 1 {
            let y = (x[k] & UPPER) | (x[k + 1] & LOWER);
            x[k] = x[k + M - N] ^ (y >> 1) ^ mag(y);
        }
        let y = (x[N - 1] & UPPER) | (x[0] & LOWER);
        x[N - 1] = x[M - 1] ^ (y >> 1) ^ mag(y);
        self.p = 0;
    }

    /// The next 64-bit output.
    pub fn next_u64(&mut self) -> u64 {
        if let Some(words) = self.pending.take() {
            self.x = Self::seed_seq_state(&words);
        }
        if self.p >= N {
            self.twist();
        }
        let mut z = self.x[self.p];
        self.p += 1;
        z ^= (z >> 29) & 0x5555_5555_5555_5555;
        z ^= (z << 17) & 0x71D6_7FFF_EDA6_0000;
        z ^= (z << 37) & 0xFFF7_EEE0_0000_0000;
        z ^ (z >> 43)
    }

    /// `std::generate_canonical<double, 64>(engine)` as libstdc++ computes it: in [0, 1).
    pub fn canonical(&mut self) -> f64 {
        let r = self.next_u64() as f64 / 18_446_744_073_709_551_616.0;
        if r >= 1.0 {
            // nextafter(1.0, 0.0)
            1.0 - f64::EPSILON / 2.0
        } else {
            r
        }
    }
}

/// `std::seed_seq::generate` ([rand.util.seedseq]) for the seed words `v` into `out`.
fn seed_seq_generate(v: &[u32], out: &mut [u32]) {
    let n = out.len();
    if n == 0 {
        return;
    }
    out.fill(0x8b8b_8b8b);
    let s = v.len();
    let t = if n >= 623 {
        11
    } else if n >= 68 {
        7
    } else if n >= 39 {
        5
    } else if n >= 7 {
        3
    } else {
        (n - 1) / 2
    };
    let p = (n - t) / 2;
    let q = p + t;
    let m = (s + 1).max(n);
    let tf = |x: u32| x ^ (x >> 27);
    for k in 0..m {
        let r1 =
            1_664_525u32.wrapping_mul(tf(out[k % n] ^ out[(k + p) % n] ^ out[(k + n - 1) % n]));
        let add = if k == 0 {
            s as u32
        } else if k <= s {
            ((k % n) as u32).wrapping_add(v[k - 1])
        } else {
            (k % n) as u32
        };
        let r2 = r1.wrapping_add(add);
        out[(k + p) % n] = out[(k + p) % n].wrapping_add(r1);
        out[(k + q) % n] = out[(k + q) % n].wrapping_add(r2);
        out[k % n] = r2;
    }
    for k in m..m + n {
        let r3 = 1_566_083_941u32.wrapping_mul(tf(out[k % n]
            .wrapping_add(out[(k + p) % n])
            .wrapping_add(out[(k + n - 1) % n])));
        let r4 = r3.wrapping_sub((k % n) as u32);
        out[(k + p) % n] ^= r3;
        out[(k + q) % n] ^= r4;
        out[k % n] = r4;
    }
}

/// JoSIM's seed mixing (`mix_seed_` in `Rng.cpp`, a splitmix64 finaliser).
fn mix_seed(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The engine of one JoSIM stream (`NOISE_TAG` or `SPREAD_TAG`) for a base seed.
pub fn josim_stream(seed: u64, tag: (u64, u32)) -> Mt64 {
    let s = mix_seed(seed ^ tag.0);
    Mt64::from_seed_seq(&[s as u32, (s >> 32) as u32, tag.1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mt19937_64_reference_value() {
        // The C++ standard's check: the 10000th output of a default-seeded engine.
        let mut e = Mt64::from_u64(5489);
        for _ in 0..9999 {
            e.next_u64();
        }
        assert_eq!(e.next_u64(), 9_981_545_732_273_789_042);
    }

    #[test]
    fn streams_match_josim() {
        // Values printed by a C++ program (GCC 12 libstdc++) with JoSIM's seeding code.
        let mut e = josim_stream(0, NOISE_TAG);
        assert_eq!(e.next_u64(), 15_662_104_482_765_184_712);
        assert_eq!(e.canonical(), 0.854_857_598_617_668_3);
        let mut e = josim_stream(1, NOISE_TAG);
        assert_eq!(e.next_u64(), 2_625_454_423_255_043_087);
        assert_eq!(e.canonical(), 0.788_544_242_255_258_2);
        let mut e = josim_stream(25, NOISE_TAG);
        assert_eq!(e.next_u64(), 15_066_951_893_194_125_866);
        let mut e = josim_stream(7, SPREAD_TAG);
        assert_eq!(e.next_u64(), 13_084_907_829_624_564_045);
    }
}
