//! What one incremental refresh costs (issue 6: "recompute only the days the new rows touch"):
//! a partitioned 1M-event snapshot (90 days × 11,112 events/day, one part per table and day) is
//! held in a `PartCache` through `modelpulse::refresh::ManifestSync`; then one more part per
//! table is appended (the first six hours of the next day, as `modelpulse generate --follow` would
//! write it) and polled. Printed: decoding the new parts, re-merging + re-preparing each table
//! (`Dataset::load_cached`), and the page's three queries afterwards — next to the first load.
//! The poll is timed twice: with the per-day index update (`DashboardIndex::append`, what the
//! page does) and, on a second copy of the dataset, with the index and ticket attribution rebuilt
//! over all rows (`Dataset::set_full_prepare_on_append`, the behaviour before it).
//! Asserts only consistency (the refreshed facts equal a fresh load of all parts), never a time.
//!
//! Natively: `cargo test --release --test refresh_cost -- --nocapture`.
//! In wasm (Chromium): `CHROMEDRIVER=/usr/bin/chromedriver cargo test --release --target
//! wasm32-unknown-unknown --test refresh_cost -- --nocapture`.
//! A debug build uses a small snapshot so `cargo test --all-targets` stays quick.

use bytes::Bytes;
use chrono::NaiveDate;
use modelpulse::contract::Table;
use modelpulse::facts::{conversion_csv, dashboard_csv};
use modelpulse::generate::{DayPart, GenerateOptions, LiveDay, generate_partitioned};
use modelpulse::manifest::{Manifest, Part, describe_part};
use modelpulse::refresh::{ManifestSync, Validators};
use modelpulse::{Dataset, Query};

#[cfg(target_arch = "wasm32")]
fn now_ms() -> f64 {
    js_sys::Date::now()
}

#[cfg(not(target_arch = "wasm32"))]
fn now_ms() -> f64 {
    use std::sync::OnceLock;
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed().as_secs_f64() * 1000.0
}

#[cfg(target_arch = "wasm32")]
macro_rules! say { ($($t:tt)*) => { wasm_bindgen_test::console_log!($($t)*) } }
#[cfg(not(target_arch = "wasm32"))]
macro_rules! say { ($($t:tt)*) => { eprintln!($($t)*) } }

fn described(parts: &[DayPart], index: usize) -> Vec<(Table, Part, Bytes)> {
    parts
        .iter()
        .map(|p| {
            let b = Bytes::from(p.bytes.clone());
            (p.table, describe_part(p.table, &p.path(index), &b).unwrap(), b)
        })
        .collect()
}

fn facts(ds: &Dataset) -> (String, String, String) {
    let q = Query::default();
    (dashboard_csv(&ds.dashboard_facts(&q)), dashboard_csv(&ds.daily_totals(&q)), conversion_csv(&ds.conversion_facts(&q)))
}

fn run() {
    let big = !cfg!(debug_assertions);
    let per_day = if big { 11_112 } else { 200 };
    let end = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let history = generate_partitioned(&GenerateOptions { days: 90, events_per_day: per_day, seed: 42, end }).unwrap();
    let next = end.succ_opt().unwrap();
    let live = LiveDay::new(42, per_day, next).unwrap();
    let start_us = next.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_micros();
    let appended = live.window(start_us, start_us + 6 * 3_600_000_000).unwrap();
    assert!(appended.iter().any(|p| p.table == Table::LlmEvents), "the appended window has LLM events");

    // A fixed publication time (no clock: `SystemTime::now` panics in wasm32-unknown-unknown).
    let published = chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap();
    let mut all = described(&history, 0);
    let m1 = Manifest::new(published, all.iter().map(|(t, p, _)| (*t, p.clone())));
    let (mut sync, mut ds) = (ManifestSync::new(), Dataset::new());
    // The same first load again, for the poll that re-prepares the whole LLM table (as before
    // the per-day update) — both polls timed in this one run.
    let (mut sync_full, mut ds_full) = (ManifestSync::new(), Dataset::new());
    let plan = sync_full.plan(&m1);
    sync_full.apply(m1.clone(), Validators::default(), &plan, all.clone(), &mut ds_full).unwrap();

    // First load through the same path (every part decoded, every table prepared).
    let t0 = now_ms();
    let plan = sync.plan(&m1);
    let fetched: Vec<_> = all.iter().filter(|(_, p, _)| plan.fetch.iter().any(|(_, f)| f.sha256 == p.sha256)).cloned().collect();
    sync.apply(m1.clone(), Validators::default(), &plan, fetched, &mut ds).unwrap();
    let first_load = now_ms() - t0;
    // Of which: checking every part's size and SHA-256 against the manifest.
    let h0 = now_ms();
    for (_, p, b) in &all {
        modelpulse::refresh::check_part(p, b).unwrap();
    }
    let hashing = now_ms() - h0;
    let total_bytes: usize = all.iter().map(|(_, _, b)| b.len()).sum();
    let events: i64 = ds.dashboard_facts(&Query::default()).iter().map(|r| r.events).sum();

    // One poll that finds one new part per table.
    let new = described(&appended, 1);
    all.extend(new.iter().cloned());
    let m2 = Manifest::new(published, all.iter().map(|(t, p, _)| (*t, p.clone())));
    let t1 = now_ms();
    let plan = sync.plan(&m2);
    assert_eq!(plan.fetch.len(), new.len(), "only the appended parts are fetched");
    let t2 = now_ms();
    // Decode the new parts (what `apply` does first), timed on their own through a fresh sync
    // holding nothing but them.
    let mut probe = modelpulse::load::PartCache::new();
    for (t, p, b) in &new {
        probe.insert(*t, &p.sha256, &p.path, b.clone()).unwrap();
    }
    let t3 = now_ms();
    sync.apply(m2.clone(), Validators::default(), &plan, new.clone(), &mut ds).unwrap();
    let t4 = now_ms();
    let q = Query::default();
    let d = ds.dashboard_facts(&q);
    let tot = ds.daily_totals(&q);
    let c = ds.conversion_facts(&q);
    let t5 = now_ms();
    // The same poll, re-preparing the dashboard index and the attribution over all rows.
    Dataset::set_full_prepare_on_append(true);
    let plan_full = sync_full.plan(&m2);
    let f0 = now_ms();
    sync_full.apply(m2.clone(), Validators::default(), &plan_full, new.clone(), &mut ds_full).unwrap();
    let apply_full = now_ms() - f0;
    Dataset::set_full_prepare_on_append(false);
    assert_eq!(facts(&ds), facts(&ds_full), "per-day update = full re-prepare");

    // Per table: re-merge + re-prepare from the cache (no decoding), to see where the rebuild goes.
    let mut per_table = Vec::new();
    let mut cache = modelpulse::load::PartCache::new();
    for (t, p, b) in &all {
        cache.insert(*t, &p.sha256, &p.path, b.clone()).unwrap();
    }
    let mut ds2 = Dataset::new();
    for t in [Table::SupportEvents, Table::ConversionEvents, Table::LlmEvents] {
        let keys: Vec<&str> = m2.parts(t).iter().map(|p| p.sha256.as_str()).collect();
        let s = now_ms();
        ds2.load_cached(t, &cache, &keys).unwrap();
        per_table.push(format!("{} {:.1} ms", t.name(), now_ms() - s));
    }

    // The poll's apply per table (no decoding: from the cache): the history loaded with
    // `load_cached`, then each table's new key list, in `apply`'s order.
    let mut ds5 = Dataset::new();
    let mut per_table_append = Vec::new();
    for t in Table::ALL {
        let old: Vec<&str> = m1.parts(t).iter().map(|p| p.sha256.as_str()).collect();
        ds5.load_cached(t, &cache, &old).unwrap();
    }
    for t in Table::ALL {
        let keys: Vec<&str> = m2.parts(t).iter().map(|p| p.sha256.as_str()).collect();
        let s = now_ms();
        ds5.load_cached(t, &cache, &keys).unwrap();
        per_table_append.push(format!("{} {:.1} ms", t.name(), now_ms() - s));
    }
    assert_eq!(facts(&ds5), facts(&ds), "stepwise load_cached = the poll");
    say!("poll apply per table (append paths, from the cache): {}", per_table_append.join(", "));

    // Where the LLM rebuild goes, from the public API: re-merging the 91 cached parts + preparing
    // (no support table: no attribution) vs. one file holding the same rows: decoded alone
    // (`PartCache::insert`) and decoded + prepared (`Dataset::load`); preparing ≈ the difference.
    let llm_keys: Vec<&str> = m2.parts(Table::LlmEvents).iter().map(|p| p.sha256.as_str()).collect();
    let s0 = now_ms();
    Dataset::new().load_cached(Table::LlmEvents, &cache, &llm_keys).unwrap();
    let merge_prepare = now_ms() - s0;
    let single = modelpulse::generate::generate(&GenerateOptions { days: 90, events_per_day: per_day, seed: 42, end })
        .unwrap()
        .llm;
    let single = Bytes::from(single);
    let s1 = now_ms();
    modelpulse::load::PartCache::new().insert(Table::LlmEvents, "x", "raw_llm_events.parquet", single.clone()).unwrap();
    let s2 = now_ms();
    Dataset::new().load(Table::LlmEvents, "raw_llm_events.parquet", single).unwrap();
    let s3 = now_ms();
    let (decode_only, decode_prepare) = (s2 - s1, s3 - s2);
    // The append fast path alone: the 90 history parts merged, then the same keys plus the
    // appended part (no support table: no attribution), vs. the full merge + prepare above.
    let hist: Vec<&str> = llm_keys.iter().copied().filter(|k| !new.iter().any(|(_, p, _)| p.sha256 == *k)).collect();
    assert!(llm_keys.starts_with(&hist) && hist.len() < llm_keys.len(), "the appended LLM part is listed last");
    let mut ds3 = Dataset::new();
    ds3.load_cached(Table::LlmEvents, &cache, &hist).unwrap();
    let a0 = now_ms();
    ds3.load_cached(Table::LlmEvents, &cache, &llm_keys).unwrap();
    let append = now_ms() - a0;
    let mut ds3_full = Dataset::new();
    ds3_full.load_cached(Table::LlmEvents, &cache, &hist).unwrap();
    Dataset::set_full_prepare_on_append(true);
    let a1 = now_ms();
    ds3_full.load_cached(Table::LlmEvents, &cache, &llm_keys).unwrap();
    let append_full = now_ms() - a1;
    Dataset::set_full_prepare_on_append(false);
    let mut ds4 = Dataset::new();
    ds4.load_cached(Table::LlmEvents, &cache, &llm_keys).unwrap();
    assert_eq!(facts(&ds3), facts(&ds4), "append = full merge");
    assert_eq!(facts(&ds3_full), facts(&ds4), "append with a full re-prepare = full merge");
    say!(
        "LLM append (1 part onto the 90 merged) + per-day index update: {append:.1} ms; with the index rebuilt over \
         all rows: {append_full:.1} ms; full merge of the 91 + prepare: {merge_prepare:.0} ms"
    );
    say!(
        "LLM rebuild split: merge 91 cached parts + prepare {merge_prepare:.0} ms; one file of the history: decode \
         {decode_only:.0} ms, decode + prepare {decode_prepare:.0} ms → prepare ≈ {:.0} ms, merge ≈ {:.0} ms",
        decode_prepare - decode_only,
        merge_prepare - (decode_prepare - decode_only)
    );

    // Consistency: the refreshed dataset equals a fresh load of every part.
    let mut fresh = Dataset::new();
    for t in Table::ALL {
        let files: Vec<(&str, Bytes)> =
            all.iter().filter(|(tt, _, _)| *tt == t).map(|(_, p, b)| (p.path.as_str(), b.clone())).collect();
        fresh.load_parts(t, &files).unwrap();
    }
    assert_eq!(facts(&ds), facts(&fresh));
    assert_eq!(facts(&ds2), facts(&fresh));
    assert!(!d.is_empty() && !tot.is_empty() && !c.is_empty());
    // A second poll (the next six hours), both ways: the steady state, after the first poll
    // grew the tables' allocations.
    let appended2 = live.window(start_us + 6 * 3_600_000_000, start_us + 12 * 3_600_000_000).unwrap();
    let new2 = described(&appended2, 2);
    let mut all3 = all.clone();
    all3.extend(new2.iter().cloned());
    let m3 = Manifest::new(published, all3.iter().map(|(t, p, _)| (*t, p.clone())));
    let plan3 = sync.plan(&m3);
    let p0 = now_ms();
    sync.apply(m3.clone(), Validators::default(), &plan3, new2.clone(), &mut ds).unwrap();
    let second = now_ms() - p0;
    Dataset::set_full_prepare_on_append(true);
    let plan3 = sync_full.plan(&m3);
    let p1 = now_ms();
    sync_full.apply(m3, Validators::default(), &plan3, new2.clone(), &mut ds_full).unwrap();
    let second_full = now_ms() - p1;
    Dataset::set_full_prepare_on_append(false);
    assert_eq!(facts(&ds), facts(&ds_full), "second poll: per-day update = full re-prepare");
    say!(
        "second poll ({} rows in {} parts): apply {second:.1} ms with the per-day update, {second_full:.1} ms re-preparing over all rows",
        appended2.iter().map(|p| p.rows).sum::<usize>(),
        new2.len()
    );

    let new_rows: usize = appended.iter().map(|p| p.rows).sum();
    say!(
        "refresh cost: {events} LLM events in {} parts ({total_bytes} bytes); first load (check + decode + prepare) \
         {first_load:.0} ms (its SHA-256 checks alone, timed again: {hashing:.0} ms); \
         poll with {} new parts ({new_rows} rows): plan {:.2} ms, decode new parts {:.1} ms, apply (decode + \
         append + per-day update {:?}) {:.1} ms [same poll re-preparing the LLM index and attribution over all \
         rows: {apply_full:.1} ms], queries {:.1} ms; rebuild per table from the cache (order \
         support, conversion, LLM — LLM re-attributes tickets too): {}",
        history.len(),
        new.len(),
        t2 - t1,
        t3 - t2,
        plan.tables.iter().map(|t| t.name()).collect::<Vec<_>>(),
        t4 - t3,
        t5 - t4,
        per_table.join(", ")
    );
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn refresh_cost() {
    run();
}

#[cfg(target_arch = "wasm32")]
mod wasm {
    use wasm_bindgen_test::*;
    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn refresh_cost() {
        super::run();
    }
}
