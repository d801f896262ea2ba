//! The shipped `alerts.toml` on the demo story (`modelpulse::generate`): the latency rule
//! (`latency_p95_ms > 1200`, recovery 1100, for 2 days) must see exactly the story's incident —
//! pending on its first day, firing from its second day to its last, resolved the day after — and
//! nothing for the other providers; the narrative of an incident day says so in both languages.
#![cfg(not(target_arch = "wasm32"))]

use chrono::NaiveDate;
use modelpulse::alerts::{Rules, State, evaluate};
use modelpulse::generate::{GenerateOptions, generate};
use modelpulse::i18n::Lang;
use modelpulse::{Dataset, Query, narrative};

fn dataset(o: &GenerateOptions) -> Dataset {
    let s = generate(o).unwrap();
    let mut ds = Dataset::new();
    for (table, bytes) in s.files() {
        ds.load(table, table.file_name(), bytes::Bytes::from(bytes.to_vec())).unwrap();
    }
    ds
}

fn options() -> GenerateOptions {
    GenerateOptions { days: 40, seed: 7, events_per_day: 600, end: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap() }
}

#[test]
fn shipped_latency_rule_sees_exactly_the_story_incident() {
    let o = options();
    let story = o.story();
    let (a, b) = story.incident.expect("40 days have an incident");
    let ds = dataset(&o);
    let rules = Rules::parse(include_str!("../alerts.toml")).unwrap();
    let q = Query::default();
    let ev = evaluate(&rules, &ds.dashboard_facts(&q), &ds.daily_totals(&q));
    let latency: Vec<_> = ev.series.iter().filter(|s| s.rule == "latency_p95_budget").collect();
    assert_eq!(latency.len(), ds.providers().len(), "scope each: one series per provider");
    for s in latency {
        for d in &s.days {
            let expected = if s.scope != story.incident_provider || d.date < a || d.date > b + chrono::Days::new(1) {
                State::Ok
            } else if d.date == a {
                State::Pending
            } else if d.date <= b {
                State::Firing
            } else {
                State::Resolved
            };
            assert_eq!(d.state, expected, "{} on {} (p95 {:?})", s.scope, d.date, d.value);
        }
    }
}

#[test]
fn narrative_on_an_incident_day_names_the_breach_in_both_languages() {
    let o = options();
    let story = o.story();
    let (_, b) = story.incident.unwrap();
    let ds = dataset(&o);
    let rules = Rules::parse(include_str!("../alerts.toml")).unwrap();
    let q = Query { to: Some(b), ..Query::default() };
    let (facts, totals, conv) = (ds.dashboard_facts(&q), ds.daily_totals(&q), ds.conversion_facts(&q));
    let ev = evaluate(&rules, &facts, &totals);
    let firing: Vec<_> = ev.firing().map(|s| (s.rule.as_str(), s.scope.as_str())).collect();
    assert!(firing.contains(&("latency_p95_budget", story.incident_provider)), "{firing:?}");
    let len = (b - story.incident.unwrap().0).num_days() + 1;
    let en = narrative::render(&narrative::Context::build(&facts, &totals, &conv, &ev, Lang::En), Lang::En, None).unwrap();
    let want = format!("over the 1,200 ms budget on {len} of 7 days");
    let line = en.lines().find(|l| l.starts_with(story.incident_provider)).unwrap();
    assert!(line.contains(&want), "{line}");
    assert!(en.contains(&format!("latency_p95_budget for {}", story.incident_provider)), "{en}");
    let id = narrative::render(&narrative::Context::build(&facts, &totals, &conv, &ev, Lang::Id), Lang::Id, None).unwrap();
    assert!(id.contains(&format!("melebihi anggaran 1.200 ms pada {len} dari 7 hari")), "{id}");
}
