//! Published facts as input: a `dashboard_facts.parquet` / `conversion_facts.parquet` written from
//! a fixture's raw events reads back into a `Dataset` that answers every query like the raw events
//! do — exactly for per-provider rows, single-provider totals and conversion facts, and for the
//! additive columns of multi-provider totals (the rest is null, never an average of averages).
#![cfg(not(target_arch = "wasm32"))]

use bytes::Bytes;
use modelpulse::contract::Table;
use modelpulse::facts::{conversion_parquet, dashboard_parquet};
use modelpulse::precomputed::FactsTable;
use modelpulse::{Dataset, Query};
use std::path::Path;

fn raw(dir: &Path) -> Dataset {
    let mut ds = Dataset::new();
    for t in Table::ALL {
        let bytes = std::fs::read(dir.join(t.file_name())).unwrap();
        ds.load(t, t.file_name(), Bytes::from(bytes)).unwrap();
    }
    ds
}

fn published(raw: &Dataset) -> Dataset {
    let all = Query::default();
    let mut ds = Dataset::new();
    let d = dashboard_parquet(&raw.dashboard_facts(&all)).unwrap();
    let c = conversion_parquet(&raw.conversion_facts(&all)).unwrap();
    ds.load_facts(FactsTable::Dashboard, "dashboard_facts.parquet", Bytes::from(d)).unwrap();
    ds.load_facts(FactsTable::Conversion, "conversion_facts.parquet", Bytes::from(c)).unwrap();
    assert!(ds.uses_precomputed_facts());
    ds
}

fn fixture_dirs() -> Vec<std::path::PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir("../shared/fixtures")
        .expect("../shared/fixtures beside the repository")
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("raw_llm_events.parquet").exists())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn published_facts_answer_queries_like_the_raw_events() {
    let dirs = fixture_dirs();
    assert!(!dirs.is_empty());
    for dir in dirs {
        let raw = raw(&dir);
        let pub_ = published(&raw);
        let name = dir.display();
        assert_eq!(pub_.providers(), raw.providers(), "{name}");
        assert_eq!(pub_.date_range(), raw.date_range(), "{name}");
        let (first, last) = raw.date_range().unwrap();
        let mid = first + (last - first) / 2;
        let mut queries = vec![
            Query::default(),
            Query { from: Some(mid), ..Default::default() },
            Query { to: Some(mid), ..Default::default() },
        ];
        for p in raw.providers() {
            queries.push(Query { providers: Some(vec![p.clone()]), ..Default::default() });
            queries.push(Query { providers: Some(vec![p]), from: Some(mid), to: Some(last) });
        }
        for q in &queries {
            assert_eq!(pub_.dashboard_facts(q), raw.dashboard_facts(q), "{name} {q:?}");
            assert_eq!(pub_.conversion_facts(q), raw.conversion_facts(q), "{name} {q:?}");
            let (a, b) = (pub_.daily_totals(q), raw.daily_totals(q));
            assert_eq!(a.len(), b.len(), "{name} {q:?}");
            let single = q.providers.as_ref().is_some_and(|p| p.len() == 1);
            for (x, y) in a.iter().zip(&b) {
                if single {
                    assert_eq!(x, y, "{name} {q:?}");
                    continue;
                }
                assert_eq!((x.event_date, x.events, x.tickets, x.tickets_resolved_by_agent), (y.event_date, y.events, y.tickets, y.tickets_resolved_by_agent), "{name}");
                assert_eq!((x.tokens_input, x.tokens_output, x.tokens_total), (y.tokens_input, y.tokens_output, y.tokens_total), "{name}");
                assert_eq!(x.resolution_rate, y.resolution_rate, "{name}");
                assert!((x.revenue_from_ai - y.revenue_from_ai).abs() <= 1e-9 * y.revenue_from_ai.abs().max(1.0), "{name}");
                assert!(x.sessions >= y.sessions, "{name}: summed sessions are an upper bound");
                let providers_that_day = pub_.dashboard_facts(&Query { from: Some(x.event_date), to: Some(x.event_date), ..q.clone() }).len();
                if providers_that_day == 1 {
                    assert_eq!(x.latency_p95_ms, y.latency_p95_ms, "{name}");
                } else {
                    assert_eq!((x.latency_p95_ms, x.accuracy_rolling_7d), (None, None), "{name}");
                }
            }
        }
    }
}

#[test]
fn raw_events_take_precedence_over_published_facts() {
    let dir = &fixture_dirs()[0];
    let raw = raw(dir);
    let mut both = published(&raw);
    // Published facts that disagree (one provider only) are ignored once raw events are loaded.
    let one = raw.dashboard_facts(&Query { providers: Some(vec![raw.providers()[0].clone()]), ..Default::default() });
    both.load_facts(FactsTable::Dashboard, "d.parquet", Bytes::from(dashboard_parquet(&one).unwrap())).unwrap();
    assert_eq!(both.providers().len(), 1);
    for t in Table::ALL {
        let bytes = std::fs::read(dir.join(t.file_name())).unwrap();
        both.load(t, t.file_name(), Bytes::from(bytes)).unwrap();
    }
    assert!(!both.uses_precomputed_facts());
    assert_eq!(both.dashboard_facts(&Query::default()), raw.dashboard_facts(&Query::default()));
    assert_eq!(both.daily_totals(&Query::default()), raw.daily_totals(&Query::default()));
}
