//! The junction supercurrent's sine, inline.
//!
//! Every junction evaluates `Ic sin(φ)` once per time step; through libm's `sin` that
//! was 16 % of a large simulation's time (`ex_ksa4bit`, `perf`), mostly call and
//! branch overhead around a few multiplications. [`sin`] reduces the argument by
//! π/2 in three parts (Cody–Waite: each part has 33 significant bits, so `k × part`
//! is exact for |k| < 2²⁰) and evaluates the classic minimax kernels of sin and cos
//! on [−π/4, π/4] (the coefficients of fdlibm's `__kernel_sin` / `__kernel_cos`,
//! which are the Remez polynomials of degree 13 and 14 for that interval). Without
//! branches on the quadrant it inlines into the junction loop.
//!
//! Accuracy: within 1 ulp of the correctly rounded sine wherever it is used (unit
//! tests below measure it against libm over 10⁶ arguments up to 10⁵ rad); junction
//! phases beyond [`REDUCED_UP_TO`] (≈ 16,000 fluxons) go to libm. libm's own `sin`
//! is within 1 ulp too, so the results differ from JoSIM's by at most that in the
//! last bit of the supercurrent, far below the reference tolerance
//! (`tests/it/sim_josim_reference.rs`).

#![allow(clippy::excessive_precision)] // the coefficients as published

/// Largest |x| reduced here; beyond it (and for non-finite x) libm's `sin` is used.
pub const REDUCED_UP_TO: f64 = 1.0e5;

const TWO_OVER_PI: f64 = std::f64::consts::FRAC_2_PI;
/// 1.5 × 2⁵²: adding it rounds to an integer (ties to even) held in the low mantissa bits.
const ROUNDER: f64 = 6_755_399_441_055_744.0;
const PIO2_1: f64 = 1.570_796_326_734_125_614_17;
const PIO2_2: f64 = 6.077_100_506_303_965_976_6e-11;
const PIO2_3: f64 = 2.022_266_248_711_166_455_8e-21;
const PIO2_3T: f64 = 8.478_427_660_368_899_569_97e-32;

const S1: f64 = -1.666_666_666_666_663_243_48e-1;
const S2: f64 = 8.333_333_333_322_489_461_24e-3;
const S3: f64 = -1.984_126_982_985_794_931_34e-4;
const S4: f64 = 2.755_731_370_707_006_767_89e-6;
const S5: f64 = -2.505_076_025_340_686_341_95e-8;
const S6: f64 = 1.589_690_995_211_550_102_21e-10;

const C1: f64 = 4.166_666_666_666_660_190_37e-2;
const C2: f64 = -1.388_888_888_887_410_957_49e-3;
const C3: f64 = 2.480_158_728_947_672_941_78e-5;
const C4: f64 = -2.755_731_435_139_066_330_35e-7;
const C5: f64 = 2.087_572_321_298_174_827_90e-9;
const C6: f64 = -1.135_964_755_778_819_482_65e-11;

/// sin(x), within 1 ulp.
#[inline]
pub fn sin(x: f64) -> f64 {
    if needs_libm(x) {
        return fallback(x);
    }
    reduced(x)
}

/// `out[k] = sin(args[k])` for every k, bit for bit what [`sin`] gives; the kernel
/// runs over the slice without branches, so the compiler puts it in SIMD lanes
/// (4 with AVX2, 8 with AVX-512F, chosen at run time: no fused multiply-add, so
/// the same bits on every machine).
pub fn sin_many(args: &[f64], out: &mut [f64]) {
    assert_eq!(args.len(), out.len());
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F (checked just above).
            unsafe { kernel_avx512(args, out) };
        } else if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked just above).
            unsafe { kernel_avx2(args, out) };
        } else {
            kernel(args, out);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    kernel(args, out);
    for (x, o) in args.iter().zip(out.iter_mut()) {
        if needs_libm(*x) {
            *o = fallback(*x);
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn kernel_avx2(args: &[f64], out: &mut [f64]) {
    kernel(args, out);
}

/// The same kernel in 8 lanes (the same operations, so the same bits).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn kernel_avx512(args: &[f64], out: &mut [f64]) {
    kernel(args, out);
}

#[inline(always)]
fn kernel(args: &[f64], out: &mut [f64]) {
    for (x, o) in args.iter().zip(out.iter_mut()) {
        *o = reduced(*x);
    }
}

/// Outside the reduction's range, non-finite, or so small that sin x rounds to x.
#[inline(always)]
fn needs_libm(x: f64) -> bool {
    x.is_nan() || x.abs() > REDUCED_UP_TO || x.abs() < 1.0e-8
}

#[cold]
fn fallback(x: f64) -> f64 {
    if x.abs() < 1.0e-8 {
        // x³/6 is below half an ulp; this also keeps the sign of a zero
        x
    } else {
        x.sin()
    }
}

/// The kernel for 1e-8 ≤ |x| ≤ [`REDUCED_UP_TO`], without branches.
#[inline(always)]
fn reduced(x: f64) -> f64 {
    let shifted = x * TWO_OVER_PI + ROUNDER;
    let k = shifted - ROUNDER;
    let quadrant = shifted.to_bits() & 3;
    // r = x − k·π/2 in double-double (hi + lo): the three products are exact, the
    // differences exact through their rounding errors (two-sum).
    let a = x - k * PIO2_1;
    let (y, e1) = two_diff(a, k * PIO2_2);
    let (hi, e2) = two_diff(y, k * PIO2_3);
    let lo = (e1 + e2) - k * PIO2_3T;
    let r = hi + lo;
    let rlo = (hi - r) + lo;
    let z = r * r;
    // sin(r + rlo) = r + r³ P(z) + rlo (1 − z/2), arranged as fdlibm's __kernel_sin
    let p = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
    let v3 = z * r;
    let s = r - ((z * (0.5 * rlo - v3 * p) - rlo) - v3 * S1);
    // cos(r + rlo) = 1 − z/2 + z² Q(z) − r·rlo, with fdlibm's split of 1 − z/2
    let q = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
    let hz = 0.5 * z;
    let w = 1.0 - hz;
    let c = w + (((1.0 - w) - hz) + (z * q - r * rlo));
    let v = if quadrant & 1 == 0 { s } else { c };
    if quadrant & 2 == 0 {
        v
    } else {
        -v
    }
}

/// a − b = s + e exactly (Knuth's two-sum).
#[inline]
fn two_diff(a: f64, b: f64) -> (f64, f64) {
    let s = a - b;
    let bv = s - a;
    let av = s - bv;
    (s, (a - av) - (b + bv))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units of the last place (both finite, same sign or zero).
    fn ulps(a: f64, b: f64) -> u64 {
        if a == b {
            return 0;
        }
        let key = |v: f64| {
            let i = v.to_bits() as i64;
            if i < 0 {
                i64::MIN - i
            } else {
                i
            }
        };
        key(a).abs_diff(key(b))
    }

    #[test]
    fn within_one_ulp_of_libm_over_junction_phases() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut worst = (0, 0.0);
        for i in 0..1_000_000 {
            // phases of a few fluxons, then up to 10⁵ rad, both signs
            let scale = if i % 2 == 0 { 40.0 } else { REDUCED_UP_TO };
            let x = (2.0 * next() - 1.0) * scale;
            let e = ulps(sin(x), x.sin());
            if e > worst.0 {
                worst = (e, x);
            }
        }
        assert!(worst.0 <= 1, "{} ulp at x = {:e}", worst.0, worst.1);
    }

    #[test]
    fn the_slice_form_gives_the_same_bits() {
        let args: Vec<f64> = (0..1000)
            .map(|i| (f64::from(i) - 500.0) * 0.731)
            .chain([0.0, -0.0, 1e-12, 3e5, f64::NAN, -f64::INFINITY])
            .collect();
        let mut out = vec![0.0; args.len()];
        sin_many(&args, &mut out);
        for (x, o) in args.iter().zip(&out) {
            let one = sin(*x);
            assert!(
                o.to_bits() == one.to_bits() || (o.is_nan() && one.is_nan()),
                "{x:e}"
            );
        }
    }

    #[test]
    fn exact_where_libm_is_and_falls_back_outside_the_range() {
        for x in [0.0, -0.0, 1e-300, -1e-300, 1e-9] {
            assert_eq!(sin(x).to_bits(), x.sin().to_bits(), "{x:e}");
        }
        for x in [2e5, -3e7, f64::INFINITY, f64::NAN] {
            let (a, b) = (sin(x), x.sin());
            assert!(
                a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                "{x:e}"
            );
        }
        // near multiples of π/2, where the reduction cancels
        for k in 1..2000 {
            let x = f64::from(k) * std::f64::consts::FRAC_PI_2;
            for x in [x, x.next_up(), x.next_down(), -x] {
                let (a, b) = (sin(x), x.sin());
                assert!(
                    ulps(a, b) <= 1 || (a - b).abs() < 1e-300,
                    "{x:e}: {a:e} vs {b:e}"
                );
            }
        }
    }
}
