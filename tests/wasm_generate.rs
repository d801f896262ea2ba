//! `generate` in the browser (wasm32, headless Chromium): the page can make its own demo data,
//! the files load through `Dataset` there, and the bytes are the same as the native CLI's
//! (the digest in `generate_golden.txt`, also checked natively by `tests/generate.rs`).
#![cfg(target_arch = "wasm32")]

use chrono::NaiveDate;
use modelpulse::contract::Table;
use modelpulse::generate::{GenerateOptions, generate};
use modelpulse::{Dataset, Query};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// FNV-1a, 64 bits: a stable digest of the bytes.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ *b as u64).wrapping_mul(0x0000_0100_0000_01B3))
}

fn golden_options() -> GenerateOptions {
    GenerateOptions { days: 30, seed: 42, events_per_day: 300, end: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap() }
}

#[wasm_bindgen_test]
fn same_bytes_as_native() {
    let s = generate(&golden_options()).unwrap();
    let got = format!("llm={:016x} support={:016x} conversion={:016x}", fnv1a(&s.llm), fnv1a(&s.support), fnv1a(&s.conversion));
    assert_eq!(got, include_str!("generate_golden.txt").trim());
}

#[wasm_bindgen_test]
fn generated_data_loads_and_shows_the_incident_in_the_browser() {
    let o = GenerateOptions { events_per_day: 800, ..golden_options() };
    let s = generate(&o).unwrap();
    let mut ds = Dataset::new();
    for (table, bytes) in s.files() {
        ds.load(table, table.file_name(), bytes::Bytes::from(bytes.to_vec())).unwrap();
    }
    assert_eq!(ds.providers().len(), 4);
    let over: Vec<(NaiveDate, String)> = ds
        .dashboard_facts(&Query::default())
        .into_iter()
        .filter(|f| f.latency_p95_ms.is_some_and(|p| p > 1200.0))
        .map(|f| (f.event_date, f.provider))
        .collect();
    let story = o.story();
    let (a, b) = story.incident.unwrap();
    let expected: Vec<(NaiveDate, String)> =
        a.iter_days().take_while(|d| *d <= b).map(|d| (d, story.incident_provider.to_string())).collect();
    assert_eq!(over, expected);
    assert!(!ds.conversion_facts(&Query::default()).is_empty());
    let _ = Table::ALL;
}
