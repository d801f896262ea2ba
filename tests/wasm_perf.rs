//! Timing of the core in wasm32 in headless Chromium: decode + prepare the three snapshots and run
//! the page's queries. With `--release` the snapshot has ≈1M LLM events (90 days × 11112/day, as
//! `modelpulse generate --days 90 --events-per-day 11112`); a debug build uses a small one so the
//! default test run stays quick. Prints the figures (see `--nocapture`); asserts only that the
//! numbers are consistent, not a time (the machine may be busy).
//!
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --release --target wasm32-unknown-unknown --test wasm_perf -- --nocapture`
//! (`--profile web-worker` instead of `--release` measures the worker's opt-level; both are optimised
//! builds, so both use the 1M-event snapshot). Then prints the same load phase by phase
//! (`Dataset::load_timed`: footer, each column's decode, each normalising step, the indices).
#![cfg(target_arch = "wasm32")]

use modelpulse::generate::{GenerateOptions, generate};
use modelpulse::{Dataset, Query};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn decode_and_aggregate_timing() {
    let per_day = if cfg!(debug_assertions) { 200 } else { 11_112 };
    let opts = GenerateOptions {
        days: 90,
        events_per_day: per_day,
        seed: 42,
        end: chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
    };
    let s = generate(&opts).unwrap();
    let files: Vec<_> = s.files().iter().map(|(t, b)| (*t, bytes::Bytes::copy_from_slice(b))).collect();

    let t0 = js_sys::Date::now();
    let mut ds = Dataset::new();
    let mut per_table = Vec::new();
    for (table, bytes) in &files {
        let t = js_sys::Date::now();
        ds.load(*table, table.file_name(), bytes.clone()).unwrap();
        per_table.push(format!("{} {:.0} ms", table.name(), js_sys::Date::now() - t));
    }
    let t1 = js_sys::Date::now();
    let q = Query::default();
    let rows = ds.dashboard_facts(&q);
    let totals = ds.daily_totals(&q);
    let conv = ds.conversion_facts(&q);
    let t2 = js_sys::Date::now();
    let providers = ds.providers();
    let two = Query { providers: Some(providers[..2].to_vec()), ..Query::default() };
    let sub = ds.daily_totals(&two);
    let t3 = js_sys::Date::now();

    let events: i64 = rows.iter().map(|r| r.events).sum();
    assert_eq!(events, totals.iter().map(|r| r.events).sum::<i64>());
    assert!(!conv.is_empty() && !sub.is_empty());
    console_log!(
        "wasm core: {events} LLM events; load (decode + prepare, 3 files) {:.0} ms ({}); dashboard_facts + daily_totals + conversion_facts {:.1} ms; daily_totals for 2 providers {:.1} ms",
        t1 - t0,
        per_table.join(", "),
        t2 - t1,
        t3 - t2
    );

    // The same load phase by phase (sequential; per column decode, normalising steps, indices).
    let now = || js_sys::Date::now();
    let mut timed = Dataset::new();
    for (table, bytes) in &files {
        let phases = timed.load_timed(*table, table.file_name(), bytes.clone(), &now).unwrap();
        let total: f64 = phases.iter().map(|p| p.1).sum();
        let list: Vec<String> = phases.iter().map(|(n, ms)| format!("{n} {ms:.0}")).collect();
        console_log!("phases {} ({total:.0} ms): {}", table.name(), list.join(", "));
    }
    assert_eq!(timed.dashboard_facts(&q), rows);
    assert_eq!(timed.report(), ds.report());
}
