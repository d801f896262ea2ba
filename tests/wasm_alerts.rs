//! The alerts and narrative API in the browser (wasm32, headless Chromium): what the page's
//! "firing rules" banner and "Summary" panel call — `Rules::parse`, `evaluate`, `narrative::render`
//! — work there and give the same result as natively (see tests/alerts_story.rs).
#![cfg(target_arch = "wasm32")]

use chrono::NaiveDate;
use modelpulse::alerts::{Rules, RulesError, State, evaluate};
use modelpulse::generate::{GenerateOptions, generate};
use modelpulse::i18n::Lang;
use modelpulse::{Dataset, Query, narrative};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn rules_evaluation_and_narrative_run_in_the_browser() {
    let o = GenerateOptions { days: 30, seed: 42, events_per_day: 400, end: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap() };
    let story = o.story();
    let (a, b) = story.incident.unwrap();
    let s = generate(&o).unwrap();
    let mut ds = Dataset::new();
    for (table, bytes) in s.files() {
        ds.load(table, table.file_name(), bytes::Bytes::from(bytes.to_vec())).unwrap();
    }
    let rules = Rules::parse(include_str!("../alerts.toml")).unwrap();
    let q = Query { to: Some(b), ..Query::default() };
    let (facts, totals, conv) = (ds.dashboard_facts(&q), ds.daily_totals(&q), ds.conversion_facts(&q));
    let ev = evaluate(&rules, &facts, &totals);
    let s = ev
        .series
        .iter()
        .find(|s| s.rule == "latency_p95_budget" && s.scope == story.incident_provider)
        .unwrap();
    assert_eq!(s.latest, State::Firing);
    assert_eq!(s.since, Some(a));
    let ctx = narrative::Context::build(&facts, &totals, &conv, &ev, Lang::Id);
    let text = narrative::render(&ctx, Lang::Id, None).unwrap();
    assert!(text.contains("Peringatan aktif: latency_p95_budget"), "{text}");
    // The wasm builds link minijinja without its built-in filters (Cargo.toml): both shipped
    // templates, every branch they take here and on empty data, must render with ours alone.
    let ctx = narrative::Context::build(&facts, &totals, &conv, &ev, Lang::En);
    let text = narrative::render(&ctx, Lang::En, None).unwrap();
    assert!(text.contains("Firing: latency_p95_budget"), "{text}");
    assert!(text.contains("Upsell experiment:"), "{text}");
    for lang in [Lang::En, Lang::Id] {
        let ctx = narrative::Context::build(&[], &[], &[], &Default::default(), lang);
        assert!(!narrative::render(&ctx, lang, None).unwrap().is_empty());
    }
    assert!(matches!(Rules::parse("[[rule]]\nname='x'\nmetric='nope'\nop='>'\nthreshold=1\n"), Err(RulesError::Rule { .. })));
}
