//! `conversion_facts` — one row per UTC event_date that has a treatment or control row.
//!
//! Per arm: users = rows, conversions = rows with `converted = true` (null = false); rate =
//! conversions / users (null when users = 0); uplift = treatment_rate − control_rate; the 95 %
//! Wald interval uplift ∓ z·√(pt(1−pt)/nt + pc(1−pc)/nc) with z = 1.959963984540054, null when
//! either arm has no users. Rows of any other arm are ignored.

use super::dashboard_facts::{date_of, day_of_date};
use crate::facts::ConversionFact;
use crate::load::tables::{CONTROL, ConversionTable, TREATMENT};
use crate::query::Query;

/// The two-sided 95 % normal quantile.
pub const Z_95: f64 = 1.959963984540054;

/// Per-day counts, prepared at load.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConversionIndex {
    /// (day, [treatment users, treatment conversions, control users, control conversions]),
    /// ascending by day, only days with a treatment or control row.
    days: Vec<(i32, [i64; 4])>,
    /// First and last day of any kept row (any arm).
    pub span: Option<(i32, i32)>,
}

impl ConversionIndex {
    /// Counts `t` per day.
    pub fn build(t: &ConversionTable) -> Self {
        let mut days: Vec<(i32, [i64; 4])> = Vec::new();
        let mut order: Vec<usize> = (0..t.day.len()).collect();
        order.sort_unstable_by_key(|&i| t.day[i]);
        for &i in &order {
            let base = match t.arm[i] {
                TREATMENT => 0,
                CONTROL => 2,
                _ => continue,
            };
            if days.last().is_none_or(|d| d.0 != t.day[i]) {
                days.push((t.day[i], [0; 4]));
            }
            let c = &mut days.last_mut().expect("pushed").1;
            c[base] += 1;
            c[base + 1] += t.converted[i] as i64;
        }
        let span = order.first().map(|&i| (t.day[i], t.day[*order.last().expect("non-empty")]));
        ConversionIndex { days, span }
    }

    /// Rows within `q`'s date range.
    pub fn facts(&self, q: &Query) -> Vec<ConversionFact> {
        let from = q.from.map(day_of_date).unwrap_or(i32::MIN);
        let to = q.to.map(day_of_date).unwrap_or(i32::MAX);
        self.days.iter().filter(|(d, _)| (from..=to).contains(d)).map(|&(d, c)| fact(d, c)).collect()
    }
}

/// conversions / users; null when users = 0.
fn rate(conversions: i64, users: i64) -> Option<f64> {
    (users > 0).then(|| conversions as f64 / users as f64)
}

fn fact(day: i32, [nt, ct, nc, cc]: [i64; 4]) -> ConversionFact {
    let pt = rate(ct, nt);
    let pc = rate(cc, nc);
    let uplift = pt.zip(pc).map(|(a, b)| a - b);
    let half = pt.zip(pc).map(|(a, b)| Z_95 * (a * (1.0 - a) / nt as f64 + b * (1.0 - b) / nc as f64).sqrt());
    ConversionFact {
        event_date: date_of(day),
        treatment_users: nt,
        treatment_conversions: ct,
        control_users: nc,
        control_conversions: cc,
        treatment_rate: pt,
        control_rate: pc,
        conversion_uplift: uplift,
        uplift_ci_low: uplift.zip(half).map(|(u, h)| u - h),
        uplift_ci_high: uplift.zip(half).map(|(u, h)| u + h),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wald_interval_matches_hand_computation() {
        // 18 treatment users, 0 conversions; 9 control users, 1 conversion (duckdb-102, day 1).
        let f = fact(0, [18, 0, 9, 1]);
        assert_eq!(f.treatment_rate, Some(0.0));
        let pc = 1.0 / 9.0;
        let half = Z_95 * (pc * (1.0 - pc) / 9.0f64).sqrt();
        assert_eq!(f.uplift_ci_low, Some(-pc - half));
        assert!((f.uplift_ci_high.unwrap() - 0.09420797397773004).abs() < 1e-12);
    }

    #[test]
    fn one_empty_arm_gives_nulls() {
        let f = fact(0, [3, 1, 0, 0]);
        assert_eq!(f.control_rate, None);
        assert_eq!(f.conversion_uplift, None);
        assert_eq!(f.uplift_ci_low, None);
    }
}
