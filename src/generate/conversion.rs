//! `raw_conversion_events`: one row per user exposure in the upsell experiment. Users keep their
//! arm (a hash of the user id); treatment converts better than control (≈ 10 % vs 8 %, with a
//! novelty bump in the first weeks); weekends convert a little worse.

use super::profile;
use super::rng::{Rng, exp, mix64};
use super::{GenerateError, GenerateOptions};
use arrow_array::builder::{BooleanBuilder, Float64Builder, Int64Builder, StringBuilder, TimestampMicrosecondBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use std::sync::Arc;

const STREAM: u64 = 3 << 40;
/// Exposures per day relative to LLM events per day.
const EXPOSURES_PER_EVENT: f64 = 0.2;
pub(crate) const CONTROL_RATE: f64 = 0.08;
pub(crate) const TREATMENT_RATE: f64 = 0.10;
/// Upsell plans, with their weights.
const PRICES: [f64; 3] = [19.0, 49.0, 99.0];
const PRICE_WEIGHTS: [f64; 3] = [6.0, 3.0, 1.0];
/// Share of conversions whose revenue is missing (null).
const NULL_REVENUE_SHARE: f64 = 0.03;

/// The Arrow schema written for `raw_conversion_events`.
pub(crate) fn schema() -> Schema {
    Schema::new(vec![
        Field::new("user_id", DataType::Int64, false),
        Field::new("arm", DataType::Utf8, false),
        Field::new("converted", DataType::Boolean, false),
        Field::new("upsell_revenue", DataType::Float64, true),
        Field::new("created_at", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), false),
    ])
}

/// Generates the experiment's exposures for every day of `opts`.
pub(crate) fn generate(opts: &GenerateOptions) -> Result<RecordBatch, GenerateError> {
    let base = opts.events_per_day as f64 * EXPOSURES_PER_EVENT;
    let est = (base * opts.days as f64 * 1.05) as usize + 16;
    // A user population a few weeks of exposures deep: users come back on other days.
    let population = (base * 20.0).max(100.0) as u64;
    let arm_salt = mix64(opts.seed ^ 0xA4B);
    let mut user_b = Int64Builder::with_capacity(est);
    let mut arm_b = StringBuilder::with_capacity(est, est * 9);
    let mut conv_b = BooleanBuilder::with_capacity(est);
    let mut rev_b = Float64Builder::with_capacity(est);
    let mut ts_b = TimestampMicrosecondBuilder::with_capacity(est);
    let mut times: Vec<i64> = Vec::new();

    for (d, date) in super::dates(opts) {
        let mut rng = Rng::new(opts.seed, STREAM + d as u64);
        let n = super::daily_volume(base, d, opts.days, date, &mut rng).round().max(1.0) as usize;
        let day_start = profile::day_start_us(date);
        let weekend = if profile::weekday_factor(date) < 1.0 { 0.85 } else { 1.0 };
        let novelty = 0.015 * exp(-(d as f64) / 14.0);
        times.clear();
        for _ in 0..n {
            let hour = rng.pick(&profile::HOUR_WEIGHTS) as i64;
            times.push(day_start + hour * 3_600_000_000 + rng.below(3_600_000_000) as i64);
        }
        times.sort_unstable();
        for &us in &times {
            let user = 1_000_000 + rng.below(population) as i64;
            let treatment = mix64(user as u64 ^ arm_salt) & 1 == 1;
            let rate = if treatment { TREATMENT_RATE + novelty } else { CONTROL_RATE } * weekend;
            let converted = rng.chance(rate);
            let revenue = (converted && !rng.chance(NULL_REVENUE_SHARE)).then(|| PRICES[rng.pick(&PRICE_WEIGHTS)]);
            user_b.append_value(user);
            arm_b.append_value(if treatment { "treatment" } else { "control" });
            conv_b.append_value(converted);
            rev_b.append_option(revenue);
            ts_b.append_value(us);
        }
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(user_b.finish()),
        Arc::new(arm_b.finish()),
        Arc::new(conv_b.finish()),
        Arc::new(rev_b.finish()),
        Arc::new(ts_b.finish().with_timezone("UTC")),
    ];
    RecordBatch::try_new(Arc::new(schema()), columns)
        .map_err(|e| GenerateError::Encode { table: "raw_conversion_events", detail: e.to_string() })
}
