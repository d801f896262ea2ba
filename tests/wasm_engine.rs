//! The page's data engine (`modelpulse::engine`) and its messages (`modelpulse::protocol`) in
//! wasm32, inside a real dedicated Web Worker of headless Chromium — where the page runs them:
//! a fixture loads, a view's facts and evaluation survive the JSON message boundary exactly, and
//! the CSV is the core's. Run with
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test wasm_engine`.
#![cfg(target_arch = "wasm32")]

use modelpulse::contract::Table;
use modelpulse::engine::{Engine, FileBytes};
use modelpulse::facts::dashboard_csv;
use modelpulse::protocol::{decode, encode, FromWorker, ToWorker};
use modelpulse::{Dataset, Query};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

const LLM: &[u8] = include_bytes!("data/duckdb-102/raw_llm_events.parquet");
const SUPPORT: &[u8] = include_bytes!("data/duckdb-102/raw_support_events.parquet");
const CONVERSION: &[u8] = include_bytes!("data/duckdb-102/raw_conversion_events.parquet");
const RULES: &str = include_str!("../alerts.toml");

fn files() -> Vec<FileBytes> {
    [(Table::LlmEvents, LLM), (Table::SupportEvents, SUPPORT), (Table::ConversionEvents, CONVERSION)]
        .into_iter()
        .map(|(table, b)| FileBytes { table, name: table.file_name().to_string(), bytes: bytes::Bytes::from_static(b) })
        .collect()
}

#[wasm_bindgen_test]
fn engine_in_a_worker_answers_views_exactly_across_the_message_boundary() {
    assert!(js_sys::global().has_type::<web_sys::DedicatedWorkerGlobalScope>(), "not in a dedicated worker");
    let mut engine = Engine::new();
    assert!(engine.set_rules("alerts.toml", Ok(RULES.to_string())).loaded);
    let loaded = engine.load(files(), Vec::new());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert!(loaded.rows > 0 && loaded.providers.len() >= 2);

    let mut ds = Dataset::new();
    for f in files() {
        ds.load(f.table, &f.name, f.bytes).unwrap();
    }
    // The request as the page sends it, and the answer as the page reads it.
    let query = Query { providers: Some(loaded.providers[..2].to_vec()), from: None, to: loaded.date_range.map(|r| r.1) };
    let req: ToWorker = decode(&encode(&ToWorker::View { id: 1, query: query.clone() })).unwrap();
    let ToWorker::View { id, query: q } = req else { panic!("not a view request") };
    let answer = FromWorker::View { id, view: engine.view(&q) };
    let back: FromWorker = decode(&encode(&answer)).unwrap();
    assert_eq!(back, answer);
    let FromWorker::View { view, .. } = back else { unreachable!() };
    assert_eq!(view.dashboard, ds.dashboard_facts(&query));
    assert_eq!(view.totals, ds.daily_totals(&query));
    assert_eq!(view.conversion, ds.conversion_facts(&query));
    assert!(view.evaluation.is_some_and(|e| !e.series.is_empty()));
    assert_eq!(engine.csv(&Query::default()), dashboard_csv(&ds.dashboard_facts(&Query::default())));
}
