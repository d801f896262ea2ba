//! Who the synthetic providers are: traffic share, models, latency / accuracy / token profiles,
//! and the calendar shapes (weekly seasonality, time of day) shared by the tables.

use chrono::{Datelike, NaiveDate, Weekday};

/// One model's behaviour. Latency is lognormal (median, log-sd); accuracy is the mean agreement
/// with the human label; token counts are lognormal medians.
#[derive(Debug)]
pub(crate) struct Model {
    pub name: &'static str,
    /// Share of the provider's sessions served by this model.
    pub share: f64,
    pub latency_median_ms: f64,
    pub latency_sigma: f64,
    pub accuracy: f64,
    pub tokens_in: f64,
    pub tokens_out: f64,
}

/// One provider: its share of sessions and its models (the first is the primary one).
#[derive(Debug)]
pub(crate) struct Provider {
    pub name: &'static str,
    pub traffic: f64,
    pub models: &'static [Model],
}

/// Index in [`PROVIDERS`] of the provider whose latency has an incident.
pub(crate) const INCIDENT_PROVIDER: usize = 2;
/// Index in [`PROVIDERS`] of the provider whose primary model is swapped for [`REGRESSED_MODEL`].
pub(crate) const REGRESSION_PROVIDER: usize = 0;

// Budgets in mind: the dashboard's alert is p95 > 1200 ms. Healthy p95s sit at 700–950 ms
// (median · e^(1.645·σ)), far enough below the budget that daily noise never crosses it.
pub(crate) const PROVIDERS: [Provider; 4] = [
    Provider {
        name: "OpenAI",
        traffic: 0.38,
        models: &[
            Model { name: "gpt-4o", share: 0.85, latency_median_ms: 560.0, latency_sigma: 0.30, accuracy: 0.91, tokens_in: 900.0, tokens_out: 320.0 },
            Model { name: "o4-mini", share: 0.15, latency_median_ms: 470.0, latency_sigma: 0.32, accuracy: 0.90, tokens_in: 850.0, tokens_out: 380.0 },
        ],
    },
    Provider {
        name: "Anthropic",
        traffic: 0.28,
        models: &[
            Model { name: "claude-sonnet-4", share: 0.8, latency_median_ms: 580.0, latency_sigma: 0.28, accuracy: 0.93, tokens_in: 1100.0, tokens_out: 420.0 },
            Model { name: "claude-3-5-haiku", share: 0.2, latency_median_ms: 360.0, latency_sigma: 0.30, accuracy: 0.88, tokens_in: 700.0, tokens_out: 210.0 },
        ],
    },
    Provider {
        name: "Google",
        traffic: 0.21,
        models: &[
            Model { name: "gemini-2.5-pro", share: 0.6, latency_median_ms: 500.0, latency_sigma: 0.32, accuracy: 0.90, tokens_in: 1000.0, tokens_out: 350.0 },
            Model { name: "gemini-2.5-flash", share: 0.4, latency_median_ms: 340.0, latency_sigma: 0.30, accuracy: 0.86, tokens_in: 800.0, tokens_out: 250.0 },
        ],
    },
    Provider {
        name: "Mistral",
        traffic: 0.13,
        models: &[
            Model { name: "mistral-large", share: 0.7, latency_median_ms: 430.0, latency_sigma: 0.30, accuracy: 0.87, tokens_in: 850.0, tokens_out: 300.0 },
            Model { name: "mistral-small", share: 0.3, latency_median_ms: 300.0, latency_sigma: 0.30, accuracy: 0.83, tokens_in: 600.0, tokens_out: 200.0 },
        ],
    },
];

/// The cheaper model the regression provider switches its primary traffic to: faster, shorter
/// answers, clearly less accurate.
pub(crate) const REGRESSED_MODEL: Model = Model {
    name: "gpt-4o-mini",
    share: 0.85,
    latency_median_ms: 430.0,
    latency_sigma: 0.30,
    accuracy: 0.82,
    tokens_in: 900.0,
    tokens_out: 260.0,
};

/// Incident latency multipliers for the incident provider, day by day (3- or 4-day incident).
/// Even the mildest day puts the healthy p95 (~810 ms) well above 1200 ms.
pub(crate) fn incident_multiplier(len: u32, day_in_incident: u32) -> f64 {
    const FOUR: [f64; 4] = [2.0, 2.6, 2.4, 1.9];
    const THREE: [f64; 3] = [2.1, 2.6, 2.0];
    if len == 4 { FOUR[day_in_incident as usize % 4] } else { THREE[day_in_incident as usize % 3] }
}

/// Share of an incident day's calls that time out (latency 8–30 s) — normally 0.3 %.
pub(crate) const TIMEOUT_SHARE: f64 = 0.003;
pub(crate) const INCIDENT_TIMEOUT_SHARE: f64 = 0.03;

/// Share of calls that carry a human label (the rest have null accuracy).
pub(crate) const LABELED_SHARE: f64 = 0.28;
/// Share of calls whose latency was not measured (null).
pub(crate) const NULL_LATENCY_SHARE: f64 = 0.004;

/// Weights of sessions having 1, 2, 3, 4, 5 LLM calls (mean ≈ 2.3).
pub(crate) const CALLS_PER_SESSION: [f64; 5] = [0.34, 0.28, 0.19, 0.11, 0.08];

/// Relative traffic by UTC hour: a global product, busiest in the European/US overlap.
pub(crate) const HOUR_WEIGHTS: [f64; 24] = [
    2.0, 1.6, 1.3, 1.1, 1.0, 1.2, 2.0, 3.0, 4.4, 5.4, 6.0, 6.2, 6.0, 6.0, 6.3, 6.2, 5.6, 5.0, 4.5, 4.0,
    3.5, 3.0, 2.6, 2.3,
];

/// Weekday vs weekend traffic (5·1.12 + 2·0.70 = 7: the weekly mean is 1).
pub(crate) fn weekday_factor(date: NaiveDate) -> f64 {
    match date.weekday() {
        Weekday::Sat | Weekday::Sun => 0.70,
        _ => 1.12,
    }
}

/// A slow growth over the period, from 0.9× to 1.1× (mean 1).
pub(crate) fn trend_factor(day_index: u32, days: u32) -> f64 {
    0.9 + 0.2 * (day_index as f64 + 0.5) / days as f64
}

/// Microseconds in a day.
pub(crate) const DAY_US: i64 = 86_400_000_000;

/// UTC midnight of `date` in microseconds since the epoch.
pub(crate) fn day_start_us(date: NaiveDate) -> i64 {
    date.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc().timestamp_micros()
}

/// Opaque session / ticket id: `sess_` + 16 hex digits of a bijection of (`seed`, `key`), so
/// distinct keys give distinct ids. Written into a stack buffer (no allocation per row).
pub(crate) fn session_id(seed: u64, key: u64) -> [u8; 21] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let v = super::rng::mix64(key ^ super::rng::mix64(seed ^ 0x5E55_1011));
    let mut out = *b"sess_0000000000000000";
    for i in 0..16 {
        out[5 + i] = HEX[((v >> (60 - 4 * i)) & 0xF) as usize];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekly_factors_average_to_one() {
        let start = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let mean: f64 = (0..7).map(|i| weekday_factor(start + chrono::Days::new(i))).sum::<f64>() / 7.0;
        assert!((mean - 1.0).abs() < 1e-12);
    }

    #[test]
    fn shares_sum_to_one() {
        let t: f64 = PROVIDERS.iter().map(|p| p.traffic).sum();
        assert!((t - 1.0).abs() < 1e-12);
        for p in &PROVIDERS {
            let s: f64 = p.models.iter().map(|m| m.share).sum();
            assert!((s - 1.0).abs() < 1e-12, "{}", p.name);
        }
    }

    #[test]
    fn healthy_p95_is_well_under_budget_and_incident_well_over() {
        for p in &PROVIDERS {
            for m in p.models {
                let p95 = m.latency_median_ms * (1.645 * m.latency_sigma).exp();
                assert!(p95 < 1000.0, "{} p95 {p95}", m.name);
            }
        }
        let g = &PROVIDERS[INCIDENT_PROVIDER].models[0];
        let mild = g.latency_median_ms * (1.645 * g.latency_sigma).exp() * 1.9;
        assert!(mild > 1400.0);
    }

    #[test]
    fn session_ids_are_distinct_and_ascii() {
        let a = session_id(42, 1);
        let b = session_id(42, 2);
        assert_ne!(a, b);
        assert!(std::str::from_utf8(&a).unwrap().starts_with("sess_"));
        assert_ne!(session_id(42, 1), session_id(43, 1));
    }
}
