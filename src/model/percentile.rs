//! Continuous percentiles with linear interpolation — SQL `PERCENTILE_CONT`, numpy's default
//! `'linear'` method — the one definition of `latency_p50_ms` / `latency_p95_ms`.

/// The `p`-quantile (0 ≤ p ≤ 1) of `sorted` (ascending, no NaN): with `h = p·(n−1)`,
/// `v[⌊h⌋] + (h − ⌊h⌋)·(v[⌊h⌋+1] − v[⌊h⌋])`. `None` for an empty slice.
pub fn percentile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let (lo, frac) = position(n, p);
    let a = sorted[lo];
    if frac == 0.0 || lo + 1 >= n {
        return Some(a);
    }
    Some(lerp(a, sorted[lo + 1], frac))
}

/// Like [`percentile_sorted`] on `values` in any order; reorders `values` (selection, O(n)).
pub fn percentile_unsorted(values: &mut [f64], p: f64) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let (lo, frac) = position(n, p);
    let (_, a, rest) = values.select_nth_unstable_by(lo, f64::total_cmp);
    let a = *a;
    if frac == 0.0 || rest.is_empty() {
        return Some(a);
    }
    let b = rest.iter().copied().fold(f64::INFINITY, f64::min);
    Some(lerp(a, b, frac))
}

/// `(p50, p95)` of `values` in any order, equal to [`percentile_sorted`] at 0.5 and 0.95 on the
/// sorted values; reorders `values`. The second selection runs only on the part above the p50
/// position (about half the values), so this costs ~1.5 selections instead of two.
pub fn p50_p95_unsorted(values: &mut [f64]) -> (Option<f64>, Option<f64>) {
    let n = values.len();
    if n == 0 {
        return (None, None);
    }
    let (lo50, f50) = position(n, 0.5);
    let (lo95, f95) = position(n, 0.95);
    let (_, a50, _) = values.select_nth_unstable_by(lo50, f64::total_cmp);
    let a50 = *a50;
    // Everything after lo50 is ≥ a50; p95's neighbours lie there (or at lo50 itself).
    let rest = &mut values[lo50 + 1..];
    let next50 = || rest.iter().copied().fold(f64::INFINITY, f64::min);
    let p50 = if f50 == 0.0 || lo50 + 1 >= n { a50 } else { lerp(a50, next50(), f50) };
    let a95 = if lo95 == lo50 {
        a50
    } else {
        *rest.select_nth_unstable_by(lo95 - lo50 - 1, f64::total_cmp).1
    };
    let p95 = if f95 == 0.0 || lo95 + 1 >= n {
        a95
    } else {
        let b = values[lo95 + 1..].iter().copied().fold(f64::INFINITY, f64::min);
        lerp(a95, b, f95)
    };
    (Some(p50), Some(p95))
}

/// Index of the lower neighbour and the interpolation fraction for `n` values.
fn position(n: usize, p: f64) -> (usize, f64) {
    let h = p.clamp(0.0, 1.0) * (n - 1) as f64;
    let lo = h.floor();
    ((lo as usize).min(n - 1), h - lo)
}

/// Linear interpolation between `a ≤ b`, computed from the nearer end (as numpy does) so that
/// the result stays within `[a, b]`.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let d = b - a;
    if t >= 0.5 { b - d * (1.0 - t) } else { a + d * t }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_numpy_linear() {
        // numpy.percentile([1, 2, 3, 4], [50, 95]) == [2.5, 3.85]
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile_sorted(&v, 0.5), Some(2.5));
        assert!((percentile_sorted(&v, 0.95).unwrap() - 3.85).abs() < 1e-12);
        assert_eq!(percentile_sorted(&[7.0], 0.95), Some(7.0));
        assert_eq!(percentile_sorted(&[], 0.5), None);
    }

    #[test]
    fn p50_p95_equal_sorted_percentiles() {
        // Deterministic pseudo-random arrays of every small length, with many ties.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for n in 0..300 {
            for ties in [3u64, 1000] {
                let v: Vec<f64> = (0..n)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        (x % ties) as f64 * 0.37 - 5.0
                    })
                    .collect();
                let mut s = v.clone();
                s.sort_by(f64::total_cmp);
                let mut w = v.clone();
                let got = p50_p95_unsorted(&mut w);
                assert_eq!(got, (percentile_sorted(&s, 0.5), percentile_sorted(&s, 0.95)), "n={n}");
            }
        }
    }

    #[test]
    fn unsorted_equals_sorted() {
        let mut v = vec![9.0, 1.0, 5.5, 3.0, 3.0, 100.0, -2.0];
        let mut s = v.clone();
        s.sort_by(f64::total_cmp);
        for p in [0.0, 0.1, 0.5, 0.95, 1.0] {
            assert_eq!(percentile_unsorted(&mut v, p), percentile_sorted(&s, p));
        }
    }
}
