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
    fn unsorted_equals_sorted() {
        let mut v = vec![9.0, 1.0, 5.5, 3.0, 3.0, 100.0, -2.0];
        let mut s = v.clone();
        s.sort_by(f64::total_cmp);
        for p in [0.0, 0.1, 0.5, 0.95, 1.0] {
            assert_eq!(percentile_unsorted(&mut v, p), percentile_sorted(&s, p));
        }
    }
}
