//! [`DashboardIndex::append`] against [`DashboardIndex::build`]: random tables, random appended
//! batches (rows on old and new days, new providers sorting anywhere, sessions continuing across
//! batches or new, ties on `created_at`, null session/latency/accuracy), random tickets (also
//! appended, [`TicketIndex::extend_support`]); after every batch the facts and daily totals of
//! several queries and the ticket attribution equal a fresh build's exactly.

use super::super::*;
use crate::model::attribution::TicketIndex;
use crate::load::tables::SupportTable;
use proptest::prelude::*;

const PROVIDERS: [&str; 5] = ["AAA", "Anthropic", "OpenAI", "unknown", "zzz"];
const BASE_DAY: i32 = 20_000;

/// One LLM row: (day offset, provider, session, second of the day, latency, accuracy, tokens in).
type Row = (i32, usize, Option<u8>, i64, Option<u16>, Option<u8>, i64);

/// The merged table of `rows` as the loader builds it: providers sorted, sessions interned in
/// order of first appearance (so appending rows keeps the old ids).
fn assemble(rows: &[Row]) -> LlmTable {
    let mut names: Vec<String> = rows.iter().map(|r| PROVIDERS[r.1].to_string()).collect();
    names.sort();
    names.dedup();
    let mut keys: Vec<String> = Vec::new();
    let session = rows
        .iter()
        .map(|r| match r.2 {
            None => NO_SESSION,
            Some(s) => {
                let k = format!("s{s}");
                match keys.iter().position(|x| *x == k) {
                    Some(i) => i as u32,
                    None => {
                        keys.push(k);
                        keys.len() as u32 - 1
                    }
                }
            }
        })
        .collect();
    LlmTable {
        provider: rows.iter().map(|r| names.binary_search(&PROVIDERS[r.1].to_string()).unwrap() as u32).collect(),
        providers: names,
        day: rows.iter().map(|r| BASE_DAY + r.0).collect(),
        ts: rows.iter().map(|r| (BASE_DAY + r.0) as i64 * 86_400 + r.3).collect(),
        session,
        session_keys: arrow_array::StringArray::from_iter_values(keys),
        latency: rows.iter().map(|r| r.4.map_or(f64::NAN, |v| v as f64 * 1.5)).collect(),
        accuracy: rows.iter().map(|r| r.5.map_or(f64::NAN, |v| v as f64 / 7.0)).collect(),
        tokens_in: rows.iter().map(|r| r.6).collect(),
        tokens_out: rows.iter().map(|r| r.6 * 3 + 1).collect(),
        ..Default::default()
    }
}

fn support(tickets: &[(Option<u8>, bool, u16)]) -> SupportTable {
    let names: Vec<Option<String>> = tickets.iter().map(|t| t.0.map(|s| format!("s{s}"))).collect();
    SupportTable {
        file: "support".into(),
        rows_read: tickets.len() as u64,
        ticket: arrow_array::StringArray::from(names),
        by_agent: tickets.iter().map(|t| t.1).collect(),
        revenue: tickets.iter().map(|t| t.2 as f64 * 0.37).collect(),
    }
}

/// The queries compared: everything, each provider alone, pairs, date windows.
fn queries(t: &LlmTable) -> Vec<Query> {
    let d = |o: i32| Some(date_of(BASE_DAY + o));
    let mut qs = vec![Query::default(), Query { from: d(3), to: d(9), ..Query::default() }, Query { to: d(5), ..Query::default() }];
    for p in &t.providers {
        qs.push(Query { providers: Some(vec![p.clone()]), ..Query::default() });
        qs.push(Query { providers: Some(vec![p.clone(), "OpenAI".into()]), from: d(6), ..Query::default() });
    }
    qs.push(Query { providers: Some(vec![]), ..Query::default() });
    qs
}

fn row() -> impl Strategy<Value = Row> {
    (
        0i32..16,
        0usize..5,
        prop::option::weighted(0.85, 0u8..30),
        0i64..3,
        prop::option::weighted(0.8, 0u16..400),
        prop::option::weighted(0.7, 0u8..8),
        0i64..50,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn appending_equals_a_fresh_build(
        first in prop::collection::vec(row(), 1..40),
        // The first table's providers: a prefix-free random subset, so later batches add names.
        first_providers in 1usize..=5,
        batches in prop::collection::vec(prop::collection::vec(row(), 0..20), 1..5),
        tickets in prop::collection::vec((prop::option::weighted(0.9, 0u8..34), any::<bool>(), 0u16..1000), 0..40),
    ) {
        let mut rows: Vec<Row> = first.into_iter().map(|mut r| { r.1 %= first_providers; r.0 %= 10; r }).collect();
        // The support table grows too: a share of the tickets at first, more with some batches.
        let nb = batches.len();
        let cut = |b: usize| tickets.len() * (b + 1) / (nb + 1);
        let mut s = support(&tickets[..cut(0)]);
        let t0 = assemble(&rows);
        let mut idx = DashboardIndex::build(&t0);
        let mut tix = TicketIndex::build(&t0, &idx, &s);
        for (b, batch) in batches.into_iter().enumerate() {
            let old = rows.len();
            rows.extend(batch);
            let t = assemble(&rows);
            // Forced incremental (no full-rebuild fallback), except every third batch through
            // the public entry point.
            if b % 3 == 2 {
                idx.append(&t, old);
            } else {
                prop_assert!(idx.append_days(&t, old, 1.0));
            }
            tix.update(&t, &idx, &s);
            if b % 2 == 1 || b + 1 == nb {
                s = support(&tickets[..cut(b + 1)]);
                tix.extend_support(&t, &idx, &s);
            }
            let full = DashboardIndex::build(&t);
            let full_tix = TicketIndex::build(&t, &full, &s);
            prop_assert_eq!(&idx.providers, &full.providers);
            prop_assert_eq!(&idx.session_first_row, &full.session_first_row);
            prop_assert_eq!(&idx.session_first_group, &full.session_first_group);
            prop_assert_eq!(tix.unmatched, full_tix.unmatched);
            for q in queries(&t) {
                prop_assert_eq!(idx.facts(&tix, &q), full.facts(&full_tix, &q), "facts {:?}", q);
                prop_assert_eq!(idx.daily_totals(&tix, &q), full.daily_totals(&full_tix, &q), "totals {:?}", q);
            }
        }
    }
}

/// A late row for an old day, a new provider sorting first, a session whose first event moves
/// back to an old day and one continuing: the touched days only, the rest spliced.
#[test]
fn late_rows_new_providers_and_moved_first_events() {
    let mut rows: Vec<Row> = vec![
        (0, 2, Some(1), 5, Some(10), Some(7), 1),
        (1, 2, Some(2), 0, Some(20), None, 2),
        (8, 3, Some(1), 0, None, Some(3), 3),
        (9, 2, Some(3), 1, Some(30), Some(1), 4),
    ];
    let s = support(&[(Some(1), true, 10), (Some(3), false, 20), (Some(7), true, 30), (None, true, 1)]);
    let t0 = assemble(&rows);
    let mut idx = DashboardIndex::build(&t0);
    let mut tix = TicketIndex::build(&t0, &idx, &s);
    assert_eq!(tix.unmatched, 2);
    let old = rows.len();
    // Day 0 again, earlier than session 1's first event, from a provider sorting first; a new
    // session 7 (matching a so far unmatched ticket) on a new day 12; session 3 continues.
    rows.extend([(0, 0, Some(1), 1, Some(5), Some(7), 5), (12, 4, Some(7), 0, Some(1), None, 6), (12, 2, Some(3), 0, None, None, 7)]);
    let t = assemble(&rows);
    assert!(idx.append_days(&t, old, 1.0));
    tix.update(&t, &idx, &s);
    let full = DashboardIndex::build(&t);
    let full_tix = TicketIndex::build(&t, &full, &s);
    assert_eq!(tix.unmatched, 1);
    for q in queries(&t) {
        assert_eq!(idx.facts(&tix, &q), full.facts(&full_tix, &q), "{q:?}");
        assert_eq!(idx.daily_totals(&tix, &q), full.daily_totals(&full_tix, &q), "{q:?}");
    }
    let f = idx.facts(&tix, &Query::default());
    // Session 1's ticket moved to day 0, provider AAA; session 7's is on day 12 (zzz).
    let aaa = f.iter().find(|r| r.provider == "AAA").unwrap();
    assert_eq!((aaa.event_date, aaa.tickets, aaa.tickets_resolved_by_agent), (date_of(BASE_DAY), 1, 1));
    let zzz = f.iter().find(|r| r.provider == "zzz").unwrap();
    assert_eq!((zzz.event_date, zzz.tickets), (date_of(BASE_DAY + 12), 1));
    // Day 8's rolling window (days 2..=8) did not change, day 1's (…0..=1) did.
    let day = |d: i32, p: &str| f.iter().find(|r| r.event_date == date_of(BASE_DAY + d) && r.provider == p).unwrap().clone();
    assert_eq!(day(1, "OpenAI").accuracy_rolling_7d, Some(1.0));
    // Most of the table's rows were on touched days: the public entry point rebuilds fully, the
    // same index.
    let mut again = DashboardIndex::build(&t0);
    again.append(&t, old);
    assert_eq!(again.facts(&full_tix, &Query::default()), full.facts(&full_tix, &Query::default()));
}
