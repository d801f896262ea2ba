//! `raw_support_events`: tickets for a fraction of sessions (more after a slow or inaccurate
//! experience), resolved by the AI agent, a human, or still open; plus a few orphan tickets and
//! duplicated rows, as real exports have.

use super::llm::Session;
use super::profile::{self, DAY_US};
use super::rng::Rng;
use super::{GenerateError, GenerateOptions, Story};
use arrow_array::builder::{Float64Builder, StringBuilder, TimestampMicrosecondBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use std::sync::Arc;

const STREAM: u64 = 2 << 40;

/// Share of rows written twice (a duplicated export row).
const DUPLICATE_SHARE: f64 = 0.01;
/// Orphan tickets (matching no session): one per this many tickets.
const ORPHAN_EVERY: usize = 200;
/// Share of rows whose revenue is missing (null).
const NULL_REVENUE_SHARE: f64 = 0.04;
/// Plan prices bought during a support conversation, with their weights.
const PRICES: [f64; 4] = [9.0, 19.0, 49.0, 99.0];
const PRICE_WEIGHTS: [f64; 4] = [4.0, 3.0, 2.0, 1.0];

#[derive(Clone, Copy, PartialEq)]
enum Resolution {
    Agent,
    Human,
    Open,
}

struct Ticket {
    us: i64,
    key: u64,
    copy: u8,
    resolution: Resolution,
    minutes: Option<f64>,
    revenue: Option<f64>,
}

/// The Arrow schema written for `raw_support_events`.
pub(crate) fn schema() -> Schema {
    Schema::new(vec![
        Field::new("ticket_id", DataType::Utf8, false),
        Field::new("resolved_by", DataType::Utf8, true),
        Field::new("resolution_time_minutes", DataType::Float64, true),
        Field::new("revenue_generated", DataType::Float64, true),
        Field::new("created_at", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), false),
    ])
}

/// Generates the support tickets for `sessions`.
pub(crate) fn generate(opts: &GenerateOptions, story: &Story, sessions: &[Session]) -> Result<RecordBatch, GenerateError> {
    let mut rng = Rng::new(opts.seed, STREAM);
    // Tickets opened in the last two days are often still open.
    let recent_from = profile::day_start_us(story.end) - DAY_US;
    let mut tickets: Vec<Ticket> = Vec::with_capacity(sessions.len() / 12);
    for s in sessions {
        let slow = s.max_latency_ms > 1_500;
        let accuracy_gap = (0.92 - s.model_accuracy as f64).max(0.0);
        let p_ticket = 0.04 + if slow { 0.10 } else { 0.0 } + 0.6 * accuracy_gap;
        if !rng.chance(p_ticket) {
            continue;
        }
        let us = s.first_us + (rng.uniform(1.0, 40.0) * 60e6) as i64;
        let p_open = if us >= recent_from { 0.35 } else { 0.08 };
        let p_agent = (0.74 - if slow { 0.22 } else { 0.0 } - 1.5 * accuracy_gap).max(0.0) * (1.0 - p_open);
        let x = rng.f64();
        let resolution = if x < p_open {
            Resolution::Open
        } else if x < p_open + p_agent {
            Resolution::Agent
        } else {
            Resolution::Human
        };
        tickets.push(ticket(&mut rng, us, s.key, resolution));
        if rng.chance(DUPLICATE_SHARE) {
            let t = tickets.last().expect("just pushed");
            let dup = Ticket { copy: 1, ..*t };
            tickets.push(dup);
        }
    }
    // Orphans: ids from a key space sessions never use (bit 63 set), times within the period.
    let (start_us, end_us) = (profile::day_start_us(story.start), profile::day_start_us(story.end) + DAY_US);
    let orphans = (tickets.len() / ORPHAN_EVERY).max(1);
    for i in 0..orphans {
        let us = start_us + rng.below((end_us - start_us) as u64) as i64;
        let resolution = if rng.chance(0.5) { Resolution::Human } else { Resolution::Open };
        tickets.push(ticket(&mut rng, us, (1 << 63) | i as u64, resolution));
    }
    tickets.sort_unstable_by_key(|t| (t.us, t.key, t.copy));

    let n = tickets.len();
    let mut id_b = StringBuilder::with_capacity(n, n * 21);
    let mut by_b = StringBuilder::with_capacity(n, n * 5);
    let mut min_b = Float64Builder::with_capacity(n);
    let mut rev_b = Float64Builder::with_capacity(n);
    let mut ts_b = TimestampMicrosecondBuilder::with_capacity(n);
    for t in &tickets {
        let id = profile::session_id(opts.seed, t.key);
        id_b.append_value(std::str::from_utf8(&id).expect("ascii"));
        by_b.append_option(match t.resolution {
            Resolution::Agent => Some("agent"),
            Resolution::Human => Some("human"),
            Resolution::Open => None,
        });
        min_b.append_option(t.minutes);
        rev_b.append_option(t.revenue);
        ts_b.append_value(t.us);
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(id_b.finish()),
        Arc::new(by_b.finish()),
        Arc::new(min_b.finish()),
        Arc::new(rev_b.finish()),
        Arc::new(ts_b.finish().with_timezone("UTC")),
    ];
    RecordBatch::try_new(Arc::new(schema()), columns)
        .map_err(|e| GenerateError::Encode { table: "raw_support_events", detail: e.to_string() })
}

fn ticket(rng: &mut Rng, us: i64, key: u64, resolution: Resolution) -> Ticket {
    let (minutes, p_sale) = match resolution {
        Resolution::Agent => (Some(rng.lognormal(3.5, 0.6)), 0.22),
        Resolution::Human => (Some(rng.lognormal(90.0, 0.8)), 0.12),
        Resolution::Open => (None, 0.0),
    };
    let minutes = minutes.map(|m| (m * 10.0).round().max(1.0) / 10.0);
    let revenue = if rng.chance(NULL_REVENUE_SHARE) {
        None
    } else if rng.chance(p_sale) {
        Some(PRICES[rng.pick(&PRICE_WEIGHTS)])
    } else {
        Some(0.0)
    };
    Ticket { us, key, copy: 0, resolution, minutes, revenue }
}
