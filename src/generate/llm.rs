//! `raw_llm_events`: sessions of 1–5 calls, day by day, rows sorted by `created_at`.

use super::profile::{self, Model, PROVIDERS};
use super::rng::{Rng, exp, ln};
use super::{GenerateError, GenerateOptions, Story};
use arrow_array::builder::{Float64Builder, Int64Builder, StringBuilder, TimestampMicrosecondBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use std::sync::Arc;

/// What the support table needs to know about a session.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    /// Source of the session id ([`profile::session_id`]).
    pub key: u64,
    /// Timestamp (µs) of the session's first call.
    pub first_us: i64,
    /// Slowest measured call in the session (ms), 0 if none measured.
    pub max_latency_ms: u32,
    /// Mean accuracy of the model that served it.
    pub model_accuracy: f32,
}

/// The table and its sessions (in generation order).
pub(crate) struct LlmTable {
    pub batch: RecordBatch,
    pub sessions: Vec<Session>,
}

/// One call, before sorting by time.
struct Row {
    us: i64,
    session: u32,
    call: u8,
    provider: u8,
    model: &'static str,
    latency_ms: Option<u32>,
    accuracy_milli: Option<u16>,
    tokens_in: u32,
    tokens_out: u32,
}

/// Stream offset of the per-day LLM generators.
const STREAM: u64 = 1 << 40;

/// The Arrow schema written for `raw_llm_events`.
pub(crate) fn schema() -> Schema {
    Schema::new(vec![
        Field::new("session_id", DataType::Utf8, false),
        Field::new("provider", DataType::Utf8, false),
        Field::new("model", DataType::Utf8, false),
        Field::new("response_time_ms", DataType::Int64, true),
        Field::new("accuracy", DataType::Float64, true),
        Field::new("tokens_input", DataType::Int64, false),
        Field::new("tokens_output", DataType::Int64, false),
        Field::new("created_at", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), false),
    ])
}

fn model_for(story: &Story, provider: usize, date: chrono::NaiveDate, rng: &mut Rng) -> &'static Model {
    let models = PROVIDERS[provider].models;
    let i = if models.len() == 1 { 0 } else { pick_share(models, rng) };
    if i == 0 && provider == profile::REGRESSION_PROVIDER && story.regressed(date) {
        &profile::REGRESSED_MODEL
    } else {
        &models[i]
    }
}

fn pick_share(models: &[Model], rng: &mut Rng) -> usize {
    let mut x = rng.f64();
    for (i, m) in models.iter().enumerate() {
        if x < m.share {
            return i;
        }
        x -= m.share;
    }
    models.len() - 1
}

/// Generates the LLM events for every day of `opts`.
pub(crate) fn generate(opts: &GenerateOptions, story: &Story) -> Result<LlmTable, GenerateError> {
    let est = (opts.days as usize * opts.events_per_day as usize) * 21 / 20 + 16;
    let mut session_id = StringBuilder::with_capacity(est, est * 21);
    let mut provider_b = StringBuilder::with_capacity(est, est * 8);
    let mut model_b = StringBuilder::with_capacity(est, est * 14);
    let mut latency_b = Int64Builder::with_capacity(est);
    let mut accuracy_b = Float64Builder::with_capacity(est);
    let mut tin_b = Int64Builder::with_capacity(est);
    let mut tout_b = Int64Builder::with_capacity(est);
    let mut ts_b = TimestampMicrosecondBuilder::with_capacity(est);
    let mut sessions = Vec::with_capacity(est * 10 / 22);

    let traffic: Vec<f64> = PROVIDERS.iter().map(|p| p.traffic).collect();
    let mut rows: Vec<Row> = Vec::new();
    let mut day_keys: Vec<u64> = Vec::new();

    for (d, date) in super::dates(opts) {
        let mut rng = Rng::new(opts.seed, STREAM + d as u64);
        let target = super::daily_volume(opts.events_per_day as f64, d, opts.days, date, &mut rng).round().max(1.0) as usize;
        let day_start = profile::day_start_us(date);
        let weekday_load = if profile::weekday_factor(date) > 1.0 { 1.04 } else { 1.0 };
        // Per provider and day: a little day-to-day drift, plus the incident.
        let mut lat_factor = [1.0f64; 4];
        let mut timeout_share = [profile::TIMEOUT_SHARE; 4];
        for (p, f) in lat_factor.iter_mut().enumerate() {
            *f = weekday_load * exp(0.04 * rng.normal());
            if p == profile::INCIDENT_PROVIDER
                && let Some((k, len)) = story.incident_day(date)
            {
                *f *= profile::incident_multiplier(len, k);
                timeout_share[p] = profile::INCIDENT_TIMEOUT_SHARE;
            }
        }

        rows.clear();
        day_keys.clear();
        let mut n = 0usize;
        let mut lat = [0u32; 5];
        let mut gaps = [0i64; 5];
        while n < target {
            let p = rng.pick(&traffic);
            let model = model_for(story, p, date, &mut rng);
            let calls = 1 + rng.pick(&profile::CALLS_PER_SESSION);
            // Latencies first: the gaps between calls depend on them.
            let mut span = 0i64;
            let mut max_lat = 0u32;
            for c in 0..calls {
                let ms = if rng.chance(timeout_share[p]) {
                    rng.uniform(8_000.0, 30_000.0)
                } else {
                    rng.lognormal(model.latency_median_ms * lat_factor[p], model.latency_sigma)
                };
                lat[c] = ms.round().max(1.0) as u32;
                gaps[c] = if c == 0 { 0 } else { lat[c - 1] as i64 * 1_000 + (rng.uniform(2.0, 60.0) * 1e6) as i64 };
                span += gaps[c];
            }
            let hour = rng.pick(&profile::HOUR_WEIGHTS) as i64;
            let mut t = hour * 3_600_000_000 + rng.below(3_600_000_000) as i64;
            t = t.min(profile::DAY_US - 1 - span);
            let s = day_keys.len() as u32;
            let key = ((d as u64) << 32) | s as u64;
            day_keys.push(key);
            let first_us = day_start + t;
            for c in 0..calls {
                t += gaps[c];
                let latency_ms = (!rng.chance(profile::NULL_LATENCY_SHARE)).then_some(lat[c]);
                if let Some(ms) = latency_ms {
                    max_lat = max_lat.max(ms);
                }
                let accuracy_milli = rng.chance(profile::LABELED_SHARE).then(|| {
                    // Logit-normal around the model's accuracy, to 3 decimals.
                    let a = model.accuracy;
                    let z = ln(a / (1.0 - a)) + 0.55 * rng.normal();
                    (1000.0 / (1.0 + exp(-z))).round() as u16
                });
                // Later calls carry the conversation so far: more input tokens.
                let tokens_in = rng.lognormal(model.tokens_in * (1.0 + 0.45 * c as f64), 0.6).round().max(1.0) as u32;
                let tokens_out = rng.lognormal(model.tokens_out, 0.5).round().max(1.0) as u32;
                rows.push(Row {
                    us: day_start + t,
                    session: s,
                    call: c as u8,
                    provider: p as u8,
                    model: model.name,
                    latency_ms,
                    accuracy_milli,
                    tokens_in,
                    tokens_out,
                });
            }
            sessions.push(Session {
                key,
                first_us,
                max_latency_ms: max_lat,
                model_accuracy: model.accuracy as f32,
            });
            n += calls;
        }

        // (time, session, call) is unique: the order does not depend on the sort algorithm.
        rows.sort_unstable_by_key(|r| (r.us, r.session, r.call));
        for r in &rows {
            let id = profile::session_id(opts.seed, day_keys[r.session as usize]);
            session_id.append_value(std::str::from_utf8(&id).expect("ascii"));
            provider_b.append_value(PROVIDERS[r.provider as usize].name);
            model_b.append_value(r.model);
            latency_b.append_option(r.latency_ms.map(i64::from));
            accuracy_b.append_option(r.accuracy_milli.map(|m| m as f64 / 1000.0));
            tin_b.append_value(r.tokens_in as i64);
            tout_b.append_value(r.tokens_out as i64);
            ts_b.append_value(r.us);
        }
    }

    let columns: Vec<ArrayRef> = vec![
        Arc::new(session_id.finish()),
        Arc::new(provider_b.finish()),
        Arc::new(model_b.finish()),
        Arc::new(latency_b.finish()),
        Arc::new(accuracy_b.finish()),
        Arc::new(tin_b.finish()),
        Arc::new(tout_b.finish()),
        Arc::new(ts_b.finish().with_timezone("UTC")),
    ];
    let batch = RecordBatch::try_new(Arc::new(schema()), columns)
        .map_err(|e| GenerateError::Encode { table: "raw_llm_events", detail: e.to_string() })?;
    Ok(LlmTable { batch, sessions })
}
