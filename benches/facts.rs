//! Load + models on a 1M-event snapshot (`modelpulse generate --days 90 --events-per-day 11112`,
//! made in memory by `modelpulse::generate`, seed and end date fixed).
//!
//! `cargo bench --bench facts` measures:
//! - `load_llm_support`: decoding and preparing the LLM and support snapshots (what the CLI and the
//!   page do once per file);
//! - `load_conversion`: the conversion snapshot;
//! - `dashboard_facts`, `daily_totals_all`, `daily_totals_two_providers`, `conversion_facts`: the
//!   queries the page runs on every filter change;
//! - `end_to_end_csv`: load everything and print both CSVs (what `modelpulse facts` does minus I/O).

use criterion::{Criterion, criterion_group, criterion_main};
use modelpulse::contract::Table;
use modelpulse::generate::{GenerateOptions, generate};
use modelpulse::{Dataset, Query, facts};
use std::hint::black_box;
use std::time::Duration;

/// The 1M-event snapshot under `cargo bench`; a small one when `cargo test --all-targets` runs
/// the benchmarks once as a smoke test (no `--bench` argument), which is in the debug profile.
fn snapshot() -> modelpulse::generate::Snapshots {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let opts = GenerateOptions {
        days: 90,
        events_per_day: if benchmarking { 11_112 } else { 300 },
        seed: 42,
        end: chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
    };
    generate(&opts).expect("generate 1M events")
}

fn loaded(s: &modelpulse::generate::Snapshots) -> Dataset {
    let mut ds = Dataset::new();
    for (table, bytes) in s.files() {
        ds.load(table, table.file_name(), bytes::Bytes::copy_from_slice(bytes)).unwrap();
    }
    ds
}

fn bench(c: &mut Criterion) {
    let s = snapshot();
    let llm = bytes::Bytes::from(s.llm.clone());
    let support = bytes::Bytes::from(s.support.clone());
    let conversion = bytes::Bytes::from(s.conversion.clone());
    let ds = loaded(&s);
    let events: i64 = ds.dashboard_facts(&Query::default()).iter().map(|r| r.events).sum();
    eprintln!("snapshot: {events} LLM events");
    let providers = ds.providers();
    let two = Query { providers: Some(providers[..2].to_vec()), ..Query::default() };

    let mut g = c.benchmark_group("facts_1m");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.bench_function("load_llm_support", |b| {
        b.iter(|| {
            let mut ds = Dataset::new();
            ds.load(Table::LlmEvents, "raw_llm_events.parquet", llm.clone()).unwrap();
            ds.load(Table::SupportEvents, "raw_support_events.parquet", support.clone()).unwrap();
            black_box(ds)
        })
    });
    g.bench_function("load_conversion", |b| {
        b.iter(|| {
            let mut ds = Dataset::new();
            ds.load(Table::ConversionEvents, "raw_conversion_events.parquet", conversion.clone()).unwrap();
            black_box(ds)
        })
    });
    g.bench_function("end_to_end_csv", |b| {
        b.iter(|| {
            let ds = loaded(&s);
            let q = Query::default();
            black_box((facts::dashboard_csv(&ds.dashboard_facts(&q)), facts::conversion_csv(&ds.conversion_facts(&q))))
        })
    });
    g.finish();

    let mut g = c.benchmark_group("query_1m");
    g.bench_function("dashboard_facts", |b| b.iter(|| black_box(ds.dashboard_facts(&Query::default()))));
    g.bench_function("daily_totals_all", |b| b.iter(|| black_box(ds.daily_totals(&Query::default()))));
    g.bench_function("daily_totals_two_providers", |b| b.iter(|| black_box(ds.daily_totals(&two))));
    g.bench_function("conversion_facts", |b| b.iter(|| black_box(ds.conversion_facts(&Query::default()))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
