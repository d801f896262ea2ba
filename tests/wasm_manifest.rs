//! The manifest core in the browser (wasm32, headless Chromium), as the page will use it:
//! describe parts (statistics, SHA-256), write and parse a manifest, diff two manifests, and load
//! the parts — with `load_parts` and through a `PartCache` — to the single files' facts.
#![cfg(target_arch = "wasm32")]

use bytes::Bytes;
use chrono::{NaiveDate, TimeZone, Utc};
use modelpulse::contract::Table;
use modelpulse::facts::{conversion_csv, dashboard_csv};
use modelpulse::generate::{GenerateOptions, generate, generate_partitioned};
use modelpulse::load::PartCache;
use modelpulse::manifest::{ChangeKind, Manifest, describe_part, sha256_hex};
use modelpulse::{Dataset, Query};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn opts() -> GenerateOptions {
    GenerateOptions { days: 10, seed: 8, events_per_day: 120, end: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap() }
}

#[wasm_bindgen_test]
fn parts_described_parsed_and_loaded_give_the_single_files_facts() {
    let single = generate(&opts()).unwrap();
    let parts = generate_partitioned(&opts()).unwrap();
    let at = Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap();
    let described: Vec<(Table, _)> = parts
        .iter()
        .map(|p| (p.table, describe_part(p.table, &p.path(0), &Bytes::from(p.bytes.clone())).unwrap()))
        .collect();
    let m = Manifest::parse(&Manifest::new(at, described.clone()).to_json()).unwrap();
    assert_eq!(m.parts(Table::LlmEvents).len(), 10);
    assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    let q = Query::default();
    let mut want = Dataset::new();
    for (t, b) in single.files() {
        want.load(t, t.file_name(), Bytes::copy_from_slice(b)).unwrap();
    }
    let bytes_of = |path: &str| Bytes::from(parts.iter().find(|p| p.path(0) == path).unwrap().bytes.clone());

    // First load: everything new, through the cache.
    let mut cache = PartCache::new();
    let mut ds = Dataset::new();
    let old = Manifest::parse(&Manifest::new(at, described.iter().filter(|(_, p)| p.max_date < NaiveDate::from_ymd_opt(2026, 11, 27)).cloned()).to_json()).unwrap();
    for m in [&old, &m] {
        let prev = if std::ptr::eq(m, &old) { Manifest::default() } else { old.clone() };
        for c in Manifest::diff(&prev, m) {
            match c.change {
                ChangeKind::Added | ChangeKind::Changed { .. } => {
                    cache.insert(c.table, &c.part.sha256, &c.part.path, bytes_of(&c.part.path)).unwrap();
                }
                ChangeKind::Removed => {
                    cache.remove(c.table, &c.part.sha256);
                }
            }
        }
        for t in Table::ALL {
            let keys: Vec<&str> = m.parts(t).iter().map(|p| p.sha256.as_str()).collect();
            ds.load_cached(t, &cache, &keys).unwrap();
        }
    }
    assert_eq!(dashboard_csv(&ds.dashboard_facts(&q)), dashboard_csv(&want.dashboard_facts(&q)));
    assert_eq!(conversion_csv(&ds.conversion_facts(&q)), conversion_csv(&want.conversion_facts(&q)));

    // And in one go.
    let mut ds = Dataset::new();
    for t in Table::ALL {
        let files: Vec<(&str, Bytes)> = m.parts(t).iter().map(|p| (p.path.as_str(), bytes_of(&p.path))).collect();
        ds.load_parts(t, &files).unwrap();
    }
    assert_eq!(dashboard_csv(&ds.dashboard_facts(&q)), dashboard_csv(&want.dashboard_facts(&q)));
}

#[wasm_bindgen_test]
fn a_bad_manifest_names_the_field_in_the_browser_too() {
    let e = Manifest::parse(r#"{"version":1,"generated_at":"2026-11-27T00:00:00Z","tables":{"raw_llm_events":{"parts":[{"path":"a.parquet","rows":-1}]}}}"#)
        .unwrap_err()
        .to_string();
    assert_eq!(e, "manifest.json: tables.raw_llm_events.parts[0].rows: expected a non-negative integer, found an integer -1");
}
