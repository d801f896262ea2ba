//! The KPI tiles: each metric on the latest day of the view, against the mean of the 7 days
//! before it.

use crate::charts::ChartInput;
use crate::facts::DashboardFact;
use chrono::{Days, NaiveDate};

/// The tiles, in page order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KpiId {
    /// `accuracy_rolling_7d` of the selected providers combined.
    Accuracy,
    /// `latency_p95_ms` of the selected providers combined.
    LatencyP95,
    /// `tokens_total` per day.
    Tokens,
    /// Cost per day: tokens × the provider's price per 1M (providers without a price add nothing).
    Cost,
    /// `revenue_from_ai` per day.
    Revenue,
    /// `resolution_rate` of the selected providers combined.
    Resolution,
    /// `conversion_uplift`, with its 95% interval.
    Uplift,
}

impl KpiId {
    /// All tiles in page order.
    pub const ALL: [KpiId; 7] =
        [KpiId::Accuracy, KpiId::LatencyP95, KpiId::Tokens, KpiId::Cost, KpiId::Revenue, KpiId::Resolution, KpiId::Uplift];

    /// The stable id; the i18n key of the label is `kpi.<id>`.
    pub fn id(self) -> &'static str {
        match self {
            KpiId::Accuracy => "accuracy",
            KpiId::LatencyP95 => "latency_p95",
            KpiId::Tokens => "tokens",
            KpiId::Cost => "cost",
            KpiId::Revenue => "revenue",
            KpiId::Resolution => "resolution",
            KpiId::Uplift => "uplift",
        }
    }

    /// What the value measures, for formatting.
    pub fn unit(self) -> Unit {
        match self {
            KpiId::Accuracy | KpiId::Resolution | KpiId::Uplift => Unit::Fraction,
            KpiId::LatencyP95 => Unit::Millis,
            KpiId::Tokens => Unit::Count,
            KpiId::Cost | KpiId::Revenue => Unit::Money,
        }
    }

    /// Which direction is good news.
    pub fn better(self) -> Better {
        match self {
            KpiId::Accuracy | KpiId::Revenue | KpiId::Resolution | KpiId::Uplift => Better::Up,
            KpiId::LatencyP95 | KpiId::Cost => Better::Down,
            KpiId::Tokens => Better::Neither,
        }
    }
}

/// The unit of a tile's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A share 0..1 (shown as a percentage; its change in percentage points).
    Fraction,
    Millis,
    Count,
    /// US dollars.
    Money,
}

/// Which direction of change is good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Up,
    Down,
    Neither,
}

/// The change of a tile's value against its baseline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// (value − baseline) / |baseline|, for amounts.
    Relative(f64),
    /// value − baseline, for shares (×100 = percentage points).
    Points(f64),
}

/// One tile.
#[derive(Debug, Clone, PartialEq)]
pub struct Tile {
    pub kpi: KpiId,
    /// The day the value is for (the latest day of the view that has the metric's rows).
    pub date: Option<NaiveDate>,
    /// The value on `date`; `None` when the metric is null that day or there is no data.
    pub value: Option<f64>,
    /// Mean of the non-null values on the 7 days before `date` (days without rows are skipped).
    pub baseline: Option<f64>,
    /// The 95% interval of the value (uplift only).
    pub interval: Option<(f64, f64)>,
}

impl Tile {
    /// The change against the baseline; `None` without both, or for an amount whose baseline is 0.
    pub fn change(&self) -> Option<Change> {
        let (v, b) = (self.value?, self.baseline?);
        match self.kpi.unit() {
            Unit::Fraction => Some(Change::Points(v - b)),
            _ if b == 0.0 => None,
            _ => Some(Change::Relative((v - b) / b.abs())),
        }
    }
}

/// The tiles for a view's facts (`input.totals` for the combined metrics, `input.dashboard` and
/// `input.prices` for cost, `input.conversion` for the uplift).
pub fn tiles(input: &ChartInput) -> Vec<Tile> {
    let latest = input.totals.last().map(|r| r.event_date);
    let from_totals = |kpi: KpiId, f: fn(&DashboardFact) -> Option<f64>| {
        let (value, baseline) = value_and_baseline(latest, input.totals.iter().map(|r| (r.event_date, f(r))));
        Tile { kpi, date: latest, value, baseline, interval: None }
    };
    // Cost per day: a day without a priced provider has no cost.
    let mut cost_days: Vec<(NaiveDate, Option<f64>)> = Vec::new();
    for r in &input.dashboard {
        let c = crate::charts::cost_usd(r, &input.prices);
        match cost_days.last_mut() {
            Some((d, acc)) if *d == r.event_date => {
                if let Some(c) = c {
                    *acc = Some(acc.unwrap_or(0.0) + c);
                }
            }
            _ => cost_days.push((r.event_date, c)),
        }
    }
    let (cost, cost_base) = value_and_baseline(latest, cost_days.into_iter());
    let conv_latest = input.conversion.last();
    let conv_date = conv_latest.map(|r| r.event_date);
    let (uplift, uplift_base) =
        value_and_baseline(conv_date, input.conversion.iter().map(|r| (r.event_date, r.conversion_uplift)));
    vec![
        from_totals(KpiId::Accuracy, |r| r.accuracy_rolling_7d),
        from_totals(KpiId::LatencyP95, |r| r.latency_p95_ms),
        from_totals(KpiId::Tokens, |r| Some(r.tokens_total as f64)),
        Tile { kpi: KpiId::Cost, date: latest, value: cost, baseline: cost_base, interval: None },
        from_totals(KpiId::Revenue, |r| Some(r.revenue_from_ai)),
        from_totals(KpiId::Resolution, |r| r.resolution_rate),
        Tile {
            kpi: KpiId::Uplift,
            date: conv_date,
            value: uplift,
            baseline: uplift_base,
            interval: conv_latest.and_then(|r| Some((r.uplift_ci_low?, r.uplift_ci_high?))),
        },
    ]
}

/// The value on `latest` and the mean of the non-null values on days `latest-7 ..= latest-1`.
fn value_and_baseline(
    latest: Option<NaiveDate>,
    days: impl Iterator<Item = (NaiveDate, Option<f64>)>,
) -> (Option<f64>, Option<f64>) {
    let Some(latest) = latest else { return (None, None) };
    let first = latest.checked_sub_days(Days::new(7)).unwrap_or(NaiveDate::MIN);
    let (mut value, mut sum, mut n) = (None, 0.0, 0u32);
    for (d, v) in days {
        if d == latest {
            value = v;
        } else if d >= first
            && d < latest
            && let Some(v) = v
        {
            sum += v;
            n += 1;
        }
    }
    (value, (n > 0).then(|| sum / f64::from(n)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::Price;
    use crate::facts::ConversionFact;

    fn day(n: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, n).unwrap()
    }

    fn row(d: u32, provider: &str, p95: Option<f64>, tokens_in: i64) -> DashboardFact {
        DashboardFact {
            event_date: day(d),
            provider: provider.into(),
            events: 1,
            sessions: 1,
            accuracy_daily: None,
            accuracy_rolling_7d: Some(0.5 + f64::from(d) / 100.0),
            latency_p50_ms: None,
            latency_p95_ms: p95,
            tokens_input: tokens_in,
            tokens_output: 0,
            tokens_total: tokens_in,
            tickets: 0,
            tickets_resolved_by_agent: 0,
            resolution_rate: None,
            revenue_from_ai: 0.0,
        }
    }

    #[test]
    fn latest_day_against_the_seven_before() {
        // Days 1..=10; the baseline of day 10 is days 3..=9.
        let totals: Vec<_> = (1..=10).map(|d| row(d, "all", Some(f64::from(d) * 100.0), 1000)).collect();
        let input = ChartInput { totals, ..Default::default() };
        let t = &tiles(&input)[1];
        assert_eq!(t.kpi, KpiId::LatencyP95);
        assert_eq!(t.date, Some(day(10)));
        assert_eq!(t.value, Some(1000.0));
        assert_eq!(t.baseline, Some(600.0)); // mean of 300..=900
        assert_eq!(t.change(), Some(Change::Relative(400.0 / 600.0)));
        let acc = &tiles(&input)[0];
        match acc.change() {
            Some(Change::Points(p)) => assert!((p - 0.04).abs() < 1e-12, "{p}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nulls_and_missing_days_are_skipped() {
        let totals = vec![row(1, "all", Some(50.0), 1), row(5, "all", None, 1), row(9, "all", None, 1)];
        let t = &tiles(&ChartInput { totals, ..Default::default() })[1];
        assert_eq!(t.value, None);
        assert_eq!(t.baseline, None); // day 1 is 8 days before day 9; day 5 is null
        assert_eq!(t.change(), None);
    }

    #[test]
    fn cost_uses_prices_per_provider() {
        let dashboard = vec![row(1, "A", None, 2_000_000), row(1, "B", None, 1_000_000), row(2, "A", None, 1_000_000)];
        let totals = vec![row(1, "all", None, 3_000_000), row(2, "all", None, 1_000_000)];
        let prices = vec![Price { provider: "A".into(), input_per_1m: 3.0, output_per_1m: 0.0 }];
        let input = ChartInput { dashboard, totals, prices, ..Default::default() };
        let t = &tiles(&input)[3];
        assert_eq!(t.kpi, KpiId::Cost);
        assert_eq!((t.value, t.baseline), (Some(3.0), Some(6.0)));
        let none = ChartInput { prices: vec![], ..input };
        assert_eq!(tiles(&none)[3].value, None);
    }

    #[test]
    fn uplift_has_its_interval_and_own_date() {
        let c = |d: u32, u: f64| ConversionFact {
            event_date: day(d),
            treatment_users: 10,
            treatment_conversions: 1,
            control_users: 10,
            control_conversions: 1,
            treatment_rate: Some(0.1),
            control_rate: Some(0.1),
            conversion_uplift: Some(u),
            uplift_ci_low: Some(u - 0.1),
            uplift_ci_high: Some(u + 0.1),
        };
        let input = ChartInput { conversion: vec![c(3, 0.01), c(4, 0.03)], ..Default::default() };
        let t = &tiles(&input)[6];
        assert_eq!(t.date, Some(day(4)));
        assert_eq!(t.interval, Some((0.03 - 0.1, 0.03 + 0.1)));
        assert_eq!(t.baseline, Some(0.01));
    }

    #[test]
    fn empty_input_gives_empty_tiles() {
        let ts = tiles(&ChartInput::default());
        assert_eq!(ts.len(), KpiId::ALL.len());
        assert!(ts.iter().all(|t| t.value.is_none() && t.date.is_none()));
    }
}
