//! A tiny seeded PRNG (xoshiro256++ seeded through splitmix64) and the few distributions the
//! generator needs.
//!
//! Why not `rand`: the generator promises *the same bytes* for the same options, across builds
//! and targets. `rand`'s value streams and distribution algorithms are allowed to change between
//! releases (and the lockfile already mixes several `rand`/`getrandom` generations, some of which
//! need a JS shim on wasm32). Forty lines we own keep the output stable, need no OS entropy, and
//! compile unchanged for wasm32-unknown-unknown.
//!
//! Transcendental functions go through [`libm`] (pure Rust, the same bits on every target):
//! `f64::exp`/`ln` call the platform's math library (glibc natively, a different port on wasm32),
//! which may differ in the last bit and so, very rarely, in a rounded value.

/// `e^x`, bit-identical on every target.
pub(crate) fn exp(x: f64) -> f64 {
    libm::exp(x)
}

/// Natural logarithm, bit-identical on every target.
pub(crate) fn ln(x: f64) -> f64 {
    libm::log(x)
}

/// splitmix64's output function: a bijection on `u64` with good avalanche. Used to seed
/// [`Rng`] and to turn counters into opaque, collision-free ids.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256++ (Blackman & Vigna). Not cryptographic; fast and well distributed.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// An independent stream for (`seed`, `stream`): different streams of one seed do not overlap
    /// in practice, so each table/day can draw without affecting the others.
    pub(crate) fn new(seed: u64, stream: u64) -> Self {
        let mut x = seed ^ mix64(stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        let mut s = [0u64; 4];
        for v in &mut s {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            *v = mix64(x);
        }
        if s == [0; 4] {
            s[0] = 1; // the all-zero state is the one fixed point of xoshiro
        }
        Rng { s }
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        let [s0, s1, s2, s3] = self.s;
        let result = s0.wrapping_add(s3).rotate_left(23).wrapping_add(s0);
        let t = s1 << 17;
        let mut s = [s0, s1, s2 ^ s0, s3 ^ s1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        self.s = s;
        result
    }

    /// Uniform in `[0, 1)` with 53 bits of precision.
    pub(crate) fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `[0, n)` (`n > 0`), by multiply-shift; the bias is below 2^-32 for the
    /// small `n` used here.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `[lo, hi)`.
    pub(crate) fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f64()
    }

    /// `true` with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Standard normal (Box–Muller; one value per call, for simplicity of the stream).
    pub(crate) fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.f64(); // (0, 1]: ln is finite
        let u2 = self.f64();
        (-2.0 * ln(u1)).sqrt() * libm::cos(std::f64::consts::TAU * u2)
    }

    /// Lognormal with the given median and log-space standard deviation.
    pub(crate) fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * exp(sigma * self.normal())
    }

    /// An index drawn with probability proportional to `weights` (non-empty, sum > 0).
    pub(crate) fn pick(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.f64() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_different_streams_differ() {
        let a: Vec<u64> = (0..8).map({ let mut r = Rng::new(42, 1); move |_| r.next_u64() }).collect();
        let b: Vec<u64> = (0..8).map({ let mut r = Rng::new(42, 1); move |_| r.next_u64() }).collect();
        let c: Vec<u64> = (0..8).map({ let mut r = Rng::new(42, 2); move |_| r.next_u64() }).collect();
        let d: Vec<u64> = (0..8).map({ let mut r = Rng::new(43, 1); move |_| r.next_u64() }).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    #[test]
    fn uniform_and_normal_moments_are_right() {
        let mut r = Rng::new(7, 0);
        let n = 200_000;
        let (mut s, mut s2, mut u) = (0.0, 0.0, 0.0);
        for _ in 0..n {
            let z = r.normal();
            s += z;
            s2 += z * z;
            let x = r.f64();
            assert!((0.0..1.0).contains(&x));
            u += x;
        }
        let mean = s / n as f64;
        let var = s2 / n as f64 - mean * mean;
        assert!(mean.abs() < 0.01, "normal mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "normal variance {var}");
        assert!((u / n as f64 - 0.5).abs() < 0.005);
    }

    #[test]
    fn below_and_pick_stay_in_range_and_follow_weights() {
        let mut r = Rng::new(1, 9);
        let mut counts = [0u32; 3];
        for _ in 0..60_000 {
            assert!(r.below(5) < 5);
            counts[r.pick(&[1.0, 2.0, 3.0])] += 1;
        }
        let share = counts[2] as f64 / 60_000.0;
        assert!((share - 0.5).abs() < 0.01, "share {share}");
    }

    #[test]
    fn mix64_is_injective_on_a_sample() {
        let mut v: Vec<u64> = (0..100_000u64).map(mix64).collect();
        v.sort_unstable();
        v.dedup();
        assert_eq!(v.len(), 100_000);
    }
}
