//! The core in wasm32, in a real headless Chromium: fixtures written with four codecs (snappy by
//! DuckDB, gzip, brotli and zstd by pyarrow — copies in `tests/data/`) decode and give exactly
//! the expected facts. Run with
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test wasm_core`.
#![cfg(target_arch = "wasm32")]

mod csv_compare;

use csv_compare::diff_csv;
use modelpulse::contract::Table;
use modelpulse::{Dataset, LoadError, Query, facts};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

struct Fixture {
    name: &'static str,
    llm: &'static [u8],
    support: &'static [u8],
    conversion: &'static [u8],
    dashboard: &'static str,
    conversions: &'static str,
}

macro_rules! fixture {
    ($dir:literal) => {
        Fixture {
            name: $dir,
            llm: include_bytes!(concat!("data/", $dir, "/raw_llm_events.parquet")),
            support: include_bytes!(concat!("data/", $dir, "/raw_support_events.parquet")),
            conversion: include_bytes!(concat!("data/", $dir, "/raw_conversion_events.parquet")),
            dashboard: include_str!(concat!("data/", $dir, "/expected/dashboard_facts.csv")),
            conversions: include_str!(concat!("data/", $dir, "/expected/conversion_facts.csv")),
        }
    };
}

fn fixtures() -> [Fixture; 4] {
    [fixture!("duckdb-102"), fixture!("pyarrow-gzip-104"), fixture!("pyarrow-brotli-106"), fixture!("pyarrow-zstd-101")]
}

fn load(f: &Fixture) -> Dataset {
    let mut ds = Dataset::new();
    for (table, bytes) in
        [(Table::LlmEvents, f.llm), (Table::SupportEvents, f.support), (Table::ConversionEvents, f.conversion)]
    {
        ds.load(table, table.file_name(), bytes::Bytes::from_static(bytes))
            .unwrap_or_else(|e| panic!("{}: {e}", f.name));
    }
    ds
}

#[wasm_bindgen_test]
fn every_codec_decodes_to_the_expected_facts() {
    for f in fixtures() {
        let ds = load(&f);
        let q = Query::default();
        let d = diff_csv(&facts::dashboard_csv(&ds.dashboard_facts(&q)), f.dashboard);
        assert!(d.is_empty(), "{} dashboard_facts: {:?}", f.name, &d[..d.len().min(5)]);
        let c = diff_csv(&facts::conversion_csv(&ds.conversion_facts(&q)), f.conversions);
        assert!(c.is_empty(), "{} conversion_facts: {:?}", f.name, &c[..c.len().min(5)]);
    }
}

#[wasm_bindgen_test]
fn daily_totals_add_up_across_providers() {
    let f = fixture!("pyarrow-zstd-101");
    let ds = load(&f);
    let q = Query::default();
    let rows = ds.dashboard_facts(&q);
    let totals = ds.daily_totals(&q);
    let days: std::collections::BTreeSet<_> = rows.iter().map(|r| r.event_date).collect();
    assert_eq!(totals.len(), days.len());
    for t in &totals {
        let same_day = rows.iter().filter(|r| r.event_date == t.event_date);
        assert_eq!(t.events, same_day.clone().map(|r| r.events).sum::<i64>());
        assert_eq!(t.tickets, same_day.map(|r| r.tickets).sum::<i64>());
        assert_eq!(t.provider, "all");
    }
}

#[wasm_bindgen_test]
fn a_truncated_file_is_a_clear_error_not_a_panic() {
    let f = fixture!("pyarrow-gzip-104");
    let mut ds = Dataset::new();
    let half = bytes::Bytes::from_static(&f.llm[..f.llm.len() / 2]);
    let err = ds.load(Table::LlmEvents, "raw_llm_events.parquet", half).unwrap_err();
    assert!(matches!(err, LoadError::NotParquet { .. }), "{err}");
    assert!(err.to_string().starts_with("raw_llm_events.parquet: "));
}
