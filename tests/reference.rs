//! Property test: the columnar models (`Dataset`) against a plain row-by-row reference written
//! here, independently, straight from the spec. Random small tables — nulls, empty days, ties in
//! created_at, duplicate and orphan tickets, other experiment arms — are written to Parquet bytes
//! in memory with varying physical types (timestamp units and zones, dictionary strings, integer
//! session ids, integer latencies, float32 accuracy, small row groups) and loaded through
//! `Dataset::load`; random queries (provider subsets, date ranges) are compared, `daily_totals`
//! included.
#![cfg(not(target_arch = "wasm32"))]

use arrow_array::builder::StringDictionaryBuilder;
use arrow_array::types::Int32Type;
use arrow_array::*;
use arrow_schema::{Field, Schema};
use chrono::NaiveDate;
use modelpulse::contract::Table;
use modelpulse::{ConversionFact, Dataset, DashboardFact, Query};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

const PROVIDERS: [&str; 4] = ["Anthropic", "Google", "OpenAI", "b-lower"];

#[derive(Debug, Clone)]
struct Llm {
    session: Option<u8>,
    provider: Option<u8>,
    latency: Option<u16>,
    accuracy: Option<f32>,
    tokens_in: Option<i32>,
    tokens_out: Option<i32>,
    /// Seconds since the start of 2026-03-01, coarse so that ties happen.
    at: Option<u32>,
}

#[derive(Debug, Clone)]
struct Support {
    ticket: Option<u8>,
    resolved: Option<u8>,
    revenue: Option<u16>,
}

#[derive(Debug, Clone)]
struct Conv {
    arm: Option<u8>,
    converted: Option<bool>,
    at: Option<u32>,
}

/// How the snapshot's physical types vary.
#[derive(Debug, Clone)]
struct Style {
    unit: u8,
    tz: bool,
    dict_provider: bool,
    int_sessions: bool,
    int_latency: bool,
    row_group: usize,
    /// 0 none, 1 snappy, 2 gzip, 3 brotli, 4 lz4_raw, 5 zstd.
    codec: u8,
}

const BASE: i64 = 1_772_323_200; // 2026-03-01T00:00:00Z
const DAY: i64 = 86_400;

fn llm_row() -> impl Strategy<Value = Llm> {
    (
        proptest::option::weighted(0.95, 0u8..12),
        proptest::option::weighted(0.9, 0u8..4),
        proptest::option::weighted(0.85, 1u16..3000),
        proptest::option::weighted(0.7, 0.0f32..1.0),
        proptest::option::weighted(0.9, 0i32..5000),
        proptest::option::weighted(0.9, 0i32..2000),
        // 20 days, 6-hour steps: plenty of ties; some far days leave gaps.
        proptest::option::weighted(0.93, prop_oneof![(0u32..80).prop_map(|k| k * 6 * 3600), 0u32..(20 * 86_400)]),
    )
        .prop_map(|(session, provider, latency, accuracy, tokens_in, tokens_out, at)| Llm {
            session,
            provider,
            latency,
            accuracy,
            tokens_in,
            tokens_out,
            at,
        })
}

fn support_row() -> impl Strategy<Value = Support> {
    (proptest::option::weighted(0.95, 0u8..16), proptest::option::weighted(0.8, 0u8..2), proptest::option::weighted(0.7, 0u16..500))
        .prop_map(|(ticket, resolved, revenue)| Support { ticket, resolved, revenue })
}

fn conv_row() -> impl Strategy<Value = Conv> {
    (
        proptest::option::weighted(0.95, 0u8..3),
        proptest::option::weighted(0.9, any::<bool>()),
        proptest::option::weighted(0.95, 0u32..(10 * 86_400)),
    )
        .prop_map(|(arm, converted, at)| Conv { arm, converted, at })
}

fn style() -> impl Strategy<Value = Style> {
    (0u8..4, any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>(), prop_oneof![Just(1024usize), 3usize..40], 0u8..6)
        .prop_map(|(unit, tz, dict_provider, int_sessions, int_latency, row_group, codec)| Style {
            unit,
            tz,
            dict_provider,
            int_sessions,
            int_latency,
            row_group,
            codec,
        })
}

fn query() -> impl Strategy<Value = Query> {
    (
        proptest::option::of(proptest::collection::vec(0u8..5, 0..4)),
        proptest::option::of(0i64..22),
        proptest::option::of(0i64..22),
    )
        .prop_map(|(ps, from, to)| Query {
            providers: ps.map(|v| {
                v.into_iter().map(|i| PROVIDERS.get(i as usize).copied().unwrap_or("unknown").to_string()).collect()
            }),
            from: from.map(date_of_offset),
            to: to.map(|t| date_of_offset(t + 3)),
        })
}

fn date_of_offset(days: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + chrono::Duration::days(days)
}

fn session_text(s: u8) -> String {
    format!("{}", 1000 + s as u32)
}

// ---------------------------------------------------------------- writing Parquet in memory

fn timestamps(at: impl Iterator<Item = Option<u32>>, st: &Style) -> ArrayRef {
    let tz: Option<Arc<str>> = st.tz.then(|| "+07:00".into());
    let secs: Vec<Option<i64>> = at.map(|a| a.map(|a| BASE + a as i64)).collect();
    let scaled = |m: i64| secs.iter().map(|s| s.map(|s| s * m)).collect::<Vec<_>>();
    match st.unit {
        0 => Arc::new(TimestampSecondArray::from(secs.clone()).with_timezone_opt(tz)),
        1 => Arc::new(TimestampMillisecondArray::from(scaled(1000)).with_timezone_opt(tz)),
        2 => Arc::new(TimestampMicrosecondArray::from(scaled(1_000_000)).with_timezone_opt(tz)),
        _ => Arc::new(TimestampNanosecondArray::from(scaled(1_000_000_000)).with_timezone_opt(tz)),
    }
}

fn write(columns: Vec<(&str, ArrayRef)>, st: &Style) -> bytes::Bytes {
    use parquet::basic::{BrotliLevel, Compression, GzipLevel, ZstdLevel};
    let codec = match st.codec {
        0 => Compression::UNCOMPRESSED,
        1 => Compression::SNAPPY,
        2 => Compression::GZIP(GzipLevel::default()),
        3 => Compression::BROTLI(BrotliLevel::default()),
        4 => Compression::LZ4_RAW,
        _ => Compression::ZSTD(ZstdLevel::default()),
    };
    let fields: Vec<Field> = columns.iter().map(|(n, a)| Field::new(*n, a.data_type().clone(), true)).collect();
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns.into_iter().map(|(_, a)| a).collect()).unwrap();
    let props = parquet::file::properties::WriterProperties::builder().set_max_row_group_row_count(Some(st.row_group))
        .set_compression(codec)
        .build();
    let mut out = Vec::new();
    let mut w = parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    bytes::Bytes::from(out)
}

fn llm_parquet(rows: &[Llm], st: &Style) -> bytes::Bytes {
    let session: ArrayRef = if st.int_sessions {
        Arc::new(Int64Array::from_iter(rows.iter().map(|r| r.session.map(|s| 1000 + s as i64))))
    } else {
        Arc::new(StringArray::from_iter(rows.iter().map(|r| r.session.map(session_text))))
    };
    let provider: ArrayRef = if st.dict_provider {
        let mut b = StringDictionaryBuilder::<Int32Type>::new();
        for r in rows {
            b.append_option(r.provider.map(|p| PROVIDERS[p as usize]));
        }
        Arc::new(b.finish())
    } else {
        Arc::new(LargeStringArray::from_iter(rows.iter().map(|r| r.provider.map(|p| PROVIDERS[p as usize]))))
    };
    let latency: ArrayRef = if st.int_latency {
        Arc::new(Int32Array::from_iter(rows.iter().map(|r| r.latency.map(|l| l as i32))))
    } else {
        Arc::new(Float64Array::from_iter(rows.iter().map(|r| r.latency.map(|l| l as f64 + 0.25))))
    };
    // Column order deliberately not the contract's; an extra column is ignored.
    write(
        vec![
            ("created_at", timestamps(rows.iter().map(|r| r.at), st)),
            ("tokens_output", Arc::new(Int32Array::from_iter(rows.iter().map(|r| r.tokens_out)))),
            ("provider", provider),
            ("extra", Arc::new(BooleanArray::from_iter(rows.iter().map(|_| Some(true))))),
            ("session_id", session),
            ("response_time_ms", latency),
            ("accuracy", Arc::new(Float32Array::from_iter(rows.iter().map(|r| r.accuracy)))),
            ("tokens_input", Arc::new(Int64Array::from_iter(rows.iter().map(|r| r.tokens_in.map(i64::from))))),
        ],
        st,
    )
}

fn support_parquet(rows: &[Support], st: &Style) -> bytes::Bytes {
    let ticket: ArrayRef = if st.int_sessions {
        Arc::new(UInt32Array::from_iter(rows.iter().map(|r| r.ticket.map(|s| 1000 + s as u32))))
    } else {
        Arc::new(StringArray::from_iter(rows.iter().map(|r| r.ticket.map(session_text))))
    };
    write(
        vec![
            ("ticket_id", ticket),
            ("resolved_by", Arc::new(StringArray::from_iter(rows.iter().map(|r| r.resolved.map(|k| ["agent", "human"][k as usize]))))),
            ("revenue_generated", Arc::new(Float32Array::from_iter(rows.iter().map(|r| r.revenue.map(|v| v as f32 / 4.0))))),
        ],
        st,
    )
}

fn conv_parquet(rows: &[Conv], st: &Style) -> bytes::Bytes {
    write(
        vec![
            ("user_id", Arc::new(Int32Array::from_iter_values(0..rows.len() as i32))),
            ("arm", Arc::new(StringArray::from_iter(rows.iter().map(|r| r.arm.map(|a| ["treatment", "control", "holdout"][a as usize]))))),
            ("converted", Arc::new(BooleanArray::from_iter(rows.iter().map(|r| r.converted)))),
            ("created_at", timestamps(rows.iter().map(|r| r.at), st)),
        ],
        st,
    )
}

// ---------------------------------------------------------------- the reference, row by row

fn day_of(at: u32) -> NaiveDate {
    date_of_offset((BASE + at as i64).div_euclid(DAY) - BASE / DAY)
}

fn pcont(mut v: Vec<f64>, p: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let h = p * (v.len() - 1) as f64;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    Some(v[lo] + (h - lo as f64) * (v[hi] - v[lo]))
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

fn provider_name(r: &Llm) -> String {
    r.provider.map_or("unknown".to_string(), |p| PROVIDERS[p as usize].to_string())
}

fn latency_value(r: &Llm, st: &Style) -> Option<f64> {
    r.latency.map(|l| if st.int_latency { l as f64 } else { l as f64 + 0.25 })
}

/// Rows of dashboard_facts (or daily_totals when `combine`) by the spec, row by row.
fn reference_dashboard(llm: &[Llm], support: &[Support], st: &Style, q: &Query, combine: bool) -> Vec<DashboardFact> {
    let rows: Vec<&Llm> = llm.iter().filter(|r| r.at.is_some()).collect();
    let keep_p = |p: &str| q.keeps_provider(p);
    // First event per session.
    let mut first: HashMap<u8, (u32, String)> = HashMap::new();
    for r in &rows {
        if let Some(s) = r.session {
            let cand = (r.at.unwrap(), provider_name(r));
            let e = first.entry(s).or_insert(cand.clone());
            if cand < *e {
                *e = cand;
            }
        }
    }
    let group_of = |provider: String| if combine { "all".to_string() } else { provider };
    let mut keys: BTreeSet<(NaiveDate, String)> = BTreeSet::new();
    for r in &rows {
        if keep_p(&provider_name(r)) {
            keys.insert((day_of(r.at.unwrap()), group_of(provider_name(r))));
        }
    }
    let mut out = Vec::new();
    for (day, g) in keys {
        if !q.keeps_date(day) {
            continue;
        }
        let in_group = |r: &&&Llm| keep_p(&provider_name(r)) && group_of(provider_name(r)) == g;
        let today: Vec<&&Llm> = rows.iter().filter(|r| day_of(r.at.unwrap()) == day).filter(in_group).collect();
        let window: Vec<&&Llm> = rows
            .iter()
            .filter(|r| {
                let d = day_of(r.at.unwrap());
                d <= day && d >= day - chrono::Duration::days(6)
            })
            .filter(in_group)
            .collect();
        let acc: Vec<f64> = today.iter().filter_map(|r| r.accuracy.map(f64::from)).collect();
        let acc7: Vec<f64> = window.iter().filter_map(|r| r.accuracy.map(f64::from)).collect();
        let lat: Vec<f64> = today.iter().filter_map(|r| latency_value(r, st)).collect();
        let sessions: BTreeSet<u8> = today.iter().filter_map(|r| r.session).collect();
        let tin: i64 = today.iter().map(|r| r.tokens_in.unwrap_or(0) as i64).sum();
        let tout: i64 = today.iter().map(|r| r.tokens_out.unwrap_or(0) as i64).sum();
        let mut tickets = 0;
        let mut agent = 0;
        let mut revenue = 0.0;
        for t in support {
            let Some((at, p)) = t.ticket.and_then(|s| first.get(&s)) else { continue };
            if day_of(*at) == day && keep_p(p) && group_of(p.clone()) == g {
                tickets += 1;
                agent += (t.resolved == Some(0)) as i64;
                revenue += t.revenue.map_or(0.0, |v| (v as f32 / 4.0) as f64);
            }
        }
        out.push(DashboardFact {
            event_date: day,
            provider: g.clone(),
            events: today.len() as i64,
            sessions: sessions.len() as i64,
            accuracy_daily: mean(&acc),
            accuracy_rolling_7d: mean(&acc7),
            latency_p50_ms: pcont(lat.clone(), 0.5),
            latency_p95_ms: pcont(lat, 0.95),
            tokens_input: tin,
            tokens_output: tout,
            tokens_total: tin + tout,
            tickets,
            tickets_resolved_by_agent: agent,
            resolution_rate: (tickets > 0).then(|| agent as f64 / tickets as f64),
            revenue_from_ai: revenue,
        });
    }
    out
}

fn reference_conversion(rows: &[Conv], q: &Query) -> Vec<ConversionFact> {
    let mut days: BTreeMap<NaiveDate, [i64; 4]> = BTreeMap::new();
    for r in rows {
        let (Some(at), Some(arm)) = (r.at, r.arm) else { continue };
        if arm > 1 {
            continue;
        }
        let c = days.entry(day_of(at)).or_default();
        c[arm as usize * 2] += 1;
        c[arm as usize * 2 + 1] += (r.converted == Some(true)) as i64;
    }
    days.into_iter()
        .filter(|(d, _)| q.keeps_date(*d))
        .map(|(d, [nt, ct, nc, cc])| {
            let pt = (nt > 0).then(|| ct as f64 / nt as f64);
            let pc = (nc > 0).then(|| cc as f64 / nc as f64);
            let up = match (pt, pc) {
                (Some(a), Some(b)) => Some(a - b),
                _ => None,
            };
            let se = match (pt, pc) {
                (Some(a), Some(b)) => Some((a * (1.0 - a) / nt as f64 + b * (1.0 - b) / nc as f64).sqrt()),
                _ => None,
            };
            ConversionFact {
                event_date: d,
                treatment_users: nt,
                treatment_conversions: ct,
                control_users: nc,
                control_conversions: cc,
                treatment_rate: pt,
                control_rate: pc,
                conversion_uplift: up,
                uplift_ci_low: up.zip(se).map(|(u, s)| u - 1.959963984540054 * s),
                uplift_ci_high: up.zip(se).map(|(u, s)| u + 1.959963984540054 * s),
            }
        })
        .collect()
}

// ---------------------------------------------------------------- comparison

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-300) || (a - b).abs() < 1e-12
}

fn close_opt(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => close(a, b),
        (None, None) => true,
        _ => false,
    }
}

fn same_dashboard(got: &[DashboardFact], want: &[DashboardFact]) -> Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("{} rows, want {}:\n got {got:#?}\nwant {want:#?}", got.len(), want.len()));
    }
    for (g, w) in got.iter().zip(want) {
        let ok = g.event_date == w.event_date
            && g.provider == w.provider
            && g.events == w.events
            && g.sessions == w.sessions
            && close_opt(g.accuracy_daily, w.accuracy_daily)
            && close_opt(g.accuracy_rolling_7d, w.accuracy_rolling_7d)
            && close_opt(g.latency_p50_ms, w.latency_p50_ms)
            && close_opt(g.latency_p95_ms, w.latency_p95_ms)
            && g.tokens_input == w.tokens_input
            && g.tokens_output == w.tokens_output
            && g.tokens_total == w.tokens_total
            && g.tickets == w.tickets
            && g.tickets_resolved_by_agent == w.tickets_resolved_by_agent
            && close_opt(g.resolution_rate, w.resolution_rate)
            && close(g.revenue_from_ai, w.revenue_from_ai);
        if !ok {
            return Err(format!("got  {g:?}\nwant {w:?}"));
        }
    }
    Ok(())
}

fn same_conversion(got: &[ConversionFact], want: &[ConversionFact]) -> Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("{} rows, want {}", got.len(), want.len()));
    }
    for (g, w) in got.iter().zip(want) {
        let ok = g.event_date == w.event_date
            && (g.treatment_users, g.treatment_conversions, g.control_users, g.control_conversions)
                == (w.treatment_users, w.treatment_conversions, w.control_users, w.control_conversions)
            && close_opt(g.treatment_rate, w.treatment_rate)
            && close_opt(g.control_rate, w.control_rate)
            && close_opt(g.conversion_uplift, w.conversion_uplift)
            && close_opt(g.uplift_ci_low, w.uplift_ci_low)
            && close_opt(g.uplift_ci_high, w.uplift_ci_high);
        if !ok {
            return Err(format!("got  {g:?}\nwant {w:?}"));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn columnar_models_equal_the_row_by_row_reference(
        llm in proptest::collection::vec(llm_row(), 0..120),
        support in proptest::collection::vec(support_row(), 0..40),
        conv in proptest::collection::vec(conv_row(), 0..60),
        st in style(),
        queries in proptest::collection::vec(query(), 1..4),
    ) {
        let mut ds = Dataset::new();
        // Support before LLM half the time: attribution must follow either load order.
        if st.tz {
            ds.load(Table::SupportEvents, "raw_support_events.parquet", support_parquet(&support, &st)).unwrap();
            ds.load(Table::LlmEvents, "raw_llm_events.parquet", llm_parquet(&llm, &st)).unwrap();
        } else {
            ds.load(Table::LlmEvents, "raw_llm_events.parquet", llm_parquet(&llm, &st)).unwrap();
            ds.load(Table::SupportEvents, "raw_support_events.parquet", support_parquet(&support, &st)).unwrap();
        }
        ds.load(Table::ConversionEvents, "raw_conversion_events.parquet", conv_parquet(&conv, &st)).unwrap();

        let mut all = vec![Query::default()];
        all.extend(queries);
        for q in &all {
            same_dashboard(&ds.dashboard_facts(q), &reference_dashboard(&llm, &support, &st, q, false))
                .map_err(|e| TestCaseError::fail(format!("dashboard_facts {q:?}\n{e}")))?;
            same_dashboard(&ds.daily_totals(q), &reference_dashboard(&llm, &support, &st, q, true))
                .map_err(|e| TestCaseError::fail(format!("daily_totals {q:?}\n{e}")))?;
            same_conversion(&ds.conversion_facts(q), &reference_conversion(&conv, q))
                .map_err(|e| TestCaseError::fail(format!("conversion_facts {q:?}\n{e}")))?;
        }

        // The report counts.
        let report = ds.report();
        prop_assert_eq!(report.tables[0].rows_read, llm.len() as u64);
        prop_assert_eq!(report.tables[0].rows_dropped, llm.iter().filter(|r| r.at.is_none()).count() as u64);
        let sessions: BTreeSet<u8> = llm.iter().filter(|r| r.at.is_some()).filter_map(|r| r.session).collect();
        let unmatched = support.iter().filter(|t| t.ticket.is_none_or(|s| !sessions.contains(&s))).count() as u64;
        prop_assert_eq!(report.tables[1].unmatched_tickets, unmatched);
        prop_assert_eq!(report.tables[2].rows_dropped, conv.iter().filter(|r| r.at.is_none()).count() as u64);

        // providers() and date_range().
        let mut ps: Vec<String> = llm.iter().filter(|r| r.at.is_some()).map(provider_name).collect();
        ps.sort();
        ps.dedup();
        prop_assert_eq!(ds.providers(), ps);
        let days: Vec<NaiveDate> = llm.iter().filter_map(|r| r.at).chain(conv.iter().filter_map(|r| r.at)).map(day_of).collect();
        prop_assert_eq!(ds.date_range(), days.iter().min().copied().zip(days.iter().max().copied()));
    }
}

#[test]
fn reference_percentile_is_numpy_linear() {
    assert_eq!(pcont(vec![4.0, 1.0, 3.0, 2.0], 0.5), Some(2.5));
    assert!((pcont(vec![1.0, 2.0, 3.0, 4.0], 0.95).unwrap() - 3.85).abs() < 1e-12);
}
