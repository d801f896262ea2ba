//! The page's views fetched ahead: which views are one filter change away from the current
//! one ([`neighbours`]), and a small cache of the worker's answers with a one-at-a-time request
//! queue ([`ViewCache`]). Pure (no browser), so the page's `src/ui/state.rs` only sends and
//! receives; tested natively.
//!
//! Why: a filter change that must wait for the worker pays its round trip (10–20 ms, most of it
//! the page painting the control's frame before it can take the answer). With the answers of the
//! likely next views at hand, the page draws in the control's own task.

use crate::page::view::{RangeChoice, ViewState};
use crate::protocol::ViewData;
use crate::query::Query;
use chrono::NaiveDate;
use std::collections::VecDeque;

/// Ids of prefetch requests start above this (the page's own view requests count from 1).
pub const PREFETCH_ID_BASE: u64 = 1 << 40;

/// How many answers the cache keeps: the current view's neighbours and a few views before.
pub const KEEP: usize = 24;

/// The range presets of the filter bar (besides a custom range).
const PRESETS: [RangeChoice; 4] =
    [RangeChoice::LastDays(7), RangeChoice::LastDays(30), RangeChoice::LastDays(90), RangeChoice::All];

/// The queries one filter change away from `view` over data spanning `data`: each of the
/// `providers` toggled, then each range preset (7, 30, 90 days, all), without `view`'s own query
/// and without repeats. With `ranged` (the data was read by range reads, so the worker holds only
/// the rows the current dates need), only queries within the current query's dates: a wider one
/// would make the worker fetch more of a file.
pub fn neighbours(view: &ViewState, providers: &[String], data: Option<(NaiveDate, NaiveDate)>, ranged: bool) -> Vec<Query> {
    let current = view.query(data);
    let within = |q: &Query| {
        let from_ok = match (current.from, q.from) {
            (None, _) => true,
            (Some(a), Some(b)) => b >= a,
            (Some(_), None) => false,
        };
        let to_ok = match (current.to, q.to) {
            (None, _) => true,
            (Some(a), Some(b)) => b <= a,
            (Some(_), None) => false,
        };
        from_ok && to_ok
    };
    let toggled = providers.iter().map(|p| view.toggle_provider(p, providers));
    let ranges = PRESETS.into_iter().map(|range| ViewState { range, ..view.clone() });
    let mut out: Vec<Query> = Vec::new();
    for q in toggled.chain(ranges).map(|v| v.query(data)) {
        if q != current && (!ranged || within(&q)) && !out.contains(&q) {
            out.push(q);
        }
    }
    out
}

/// The worker's answers by (data version, query), and the queue of queries to ask for next.
/// One request is on its way at a time.
#[derive(Debug, Default)]
pub struct ViewCache {
    /// Answers, oldest first; all of the newest data version.
    ready: Vec<(u64, Query, ViewData)>,
    /// Queries still to ask for (data version, query), in order.
    queue: VecDeque<(u64, Query)>,
    /// The request on its way: (id, data version, query).
    asked: Option<(u64, u64, Query)>,
    next_id: u64,
}

impl ViewCache {
    /// The answer for `query` on data `version`, if the cache has it.
    pub fn get(&self, version: u64, query: &Query) -> Option<ViewData> {
        self.ready.iter().rev().find(|(v, q, _)| *v == version && q == query).map(|(_, _, d)| d.clone())
    }

    /// Keeps `data` as the answer for `query` on data `version`. Answers for older versions are
    /// dropped; an answer for an older version than those kept is ignored; beyond [`KEEP`]
    /// answers the oldest goes.
    pub fn keep(&mut self, version: u64, query: Query, data: ViewData) {
        if self.ready.iter().any(|(v, _, _)| *v > version) {
            return;
        }
        self.ready.retain(|(v, q, _)| *v == version && *q != query);
        self.ready.push((version, query, data));
        if self.ready.len() > KEEP {
            self.ready.remove(0);
        }
    }

    /// Replaces the queue with `queries` on data `version`; returns the request to send now
    /// (id, query), if none is on its way.
    pub fn ask(&mut self, version: u64, queries: Vec<Query>) -> Option<(u64, Query)> {
        self.queue = queries.into_iter().map(|q| (version, q)).collect();
        self.next_request()
    }

    /// Takes the worker's answer to request `id` (ids not asked for are ignored); returns the
    /// next request to send (id, query), if any.
    pub fn answered(&mut self, id: u64, data: ViewData) -> Option<(u64, Query)> {
        if let Some((_, version, query)) = self.asked.take_if(|(want, _, _)| *want == id) {
            self.keep(version, query, data);
        }
        self.next_request()
    }

    /// Whether `id` is a prefetch request's id (not one of the page's own view requests).
    pub fn is_prefetch(id: u64) -> bool {
        id > PREFETCH_ID_BASE
    }

    /// Whether `query` on `version` is answered or on its way.
    fn known(&self, version: u64, query: &Query) -> bool {
        self.ready.iter().any(|(v, q, _)| *v == version && q == query)
            || self.asked.as_ref().is_some_and(|(_, v, q)| *v == version && q == query)
    }

    /// The next request to send, if none is on its way: (id, query). Queries answered or on
    /// their way are skipped.
    fn next_request(&mut self) -> Option<(u64, Query)> {
        if self.asked.is_some() {
            return None;
        }
        while let Some((version, query)) = self.queue.pop_front() {
            if self.known(version, &query) {
                continue;
            }
            self.next_id += 1;
            let id = PREFETCH_ID_BASE + self.next_id;
            self.asked = Some((id, version, query.clone()));
            return Some((id, query));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::DashboardFact;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap()
    }

    fn all() -> Vec<String> {
        ["Anthropic", "Google", "OpenAI"].map(String::from).to_vec()
    }

    fn q(providers: Option<&[&str]>, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Query {
        Query { providers: providers.map(|ps| ps.iter().map(|p| p.to_string()).collect()), from, to }
    }

    /// A distinguishable answer.
    fn answer(tag: i64) -> ViewData {
        let row = DashboardFact {
            event_date: d(1),
            provider: "p".into(),
            events: tag,
            sessions: 0,
            accuracy_daily: None,
            accuracy_rolling_7d: None,
            latency_p50_ms: None,
            latency_p95_ms: None,
            tokens_input: 0,
            tokens_output: 0,
            tokens_total: 0,
            tickets: 0,
            tickets_resolved_by_agent: 0,
            resolution_rate: None,
            revenue_from_ai: 0.0,
        };
        ViewData { dashboard: vec![row], ..Default::default() }
    }

    #[test]
    fn neighbours_are_each_provider_toggled_then_each_preset_without_the_view_itself() {
        let data = Some((d(1), d(30)));
        let view = ViewState { providers: None, range: RangeChoice::LastDays(30), lang: None };
        let got = neighbours(&view, &all(), data, false);
        assert_eq!(
            got,
            vec![
                q(Some(&["Google", "OpenAI"]), Some(d(1)), Some(d(30))),
                q(Some(&["Anthropic", "OpenAI"]), Some(d(1)), Some(d(30))),
                q(Some(&["Anthropic", "Google"]), Some(d(1)), Some(d(30))),
                q(None, Some(d(24)), Some(d(30))),
                // 90 days of 30 days of data reaches before the data; "all" is unbounded.
                q(None, Some(d(30).checked_sub_days(chrono::Days::new(89)).unwrap()), Some(d(30))),
                q(None, None, None),
            ]
        );
        // A provider toggled back on from a one-provider view; the view's own query is never listed.
        let one = ViewState { providers: Some(vec!["Google".into()]), range: RangeChoice::All, lang: None };
        let got = neighbours(&one, &all(), data, false);
        assert!(got.contains(&q(Some(&["Anthropic", "Google"]), None, None)));
        assert!(got.contains(&q(Some(&[]), None, None)), "Google off: no provider");
        assert!(!got.contains(&one.query(data)));
        assert_eq!(got.len(), 3 + 3, "all = the view's own range is left out");
    }

    #[test]
    fn with_range_reads_only_views_within_the_current_dates_are_listed() {
        let data = Some((d(1), d(30)));
        let view = ViewState { providers: None, range: RangeChoice::LastDays(7), lang: None };
        let got = neighbours(&view, &all(), data, true);
        assert_eq!(got.len(), 3, "only the provider toggles (same dates): {got:?}");
        assert!(got.iter().all(|g| g.from == Some(d(24)) && g.to == Some(d(30))));
        // From "all", every preset is within.
        let wide = ViewState { providers: None, range: RangeChoice::All, lang: None };
        assert_eq!(neighbours(&wide, &all(), data, true).len(), 3 + 3);
        // Without range reads a wider view is listed too.
        assert_eq!(neighbours(&view, &all(), data, false).len(), 3 + 3);
    }

    #[test]
    fn requests_go_one_at_a_time_and_answers_are_kept_by_version_and_query() {
        let mut c = ViewCache::default();
        let (a, b) = (q(Some(&["A"]), None, None), q(Some(&["B"]), None, None));
        let (id1, first) = c.ask(1, vec![a.clone(), b.clone()]).expect("a request");
        assert!(ViewCache::is_prefetch(id1) && !ViewCache::is_prefetch(7));
        assert_eq!(first, a);
        // One on its way: asking again sends nothing, the queue is replaced.
        assert_eq!(c.ask(1, vec![b.clone()]), None);
        // An unknown id is ignored.
        assert_eq!(c.answered(id1 + 100, answer(9)), None);
        let (id2, second) = c.answered(id1, answer(1)).expect("the next request");
        assert_eq!((second, id2 > id1), (b.clone(), true));
        assert_eq!(c.get(1, &a).map(|v| v.dashboard[0].events), Some(1));
        assert_eq!(c.get(2, &a), None, "another data version");
        assert_eq!(c.answered(id2, answer(2)), None, "queue empty");
        assert_eq!(c.get(1, &b).map(|v| v.dashboard[0].events), Some(2));
        // Queries answered already are not asked again.
        assert_eq!(c.ask(1, vec![a.clone(), b.clone()]), None);
    }

    #[test]
    fn a_new_data_version_drops_older_answers_and_late_old_answers_are_ignored() {
        let mut c = ViewCache::default();
        let a = q(None, None, None);
        c.keep(1, a.clone(), answer(1));
        let (old_id, _) = c.ask(1, vec![q(Some(&["X"]), None, None)]).unwrap();
        c.keep(2, a.clone(), answer(2));
        assert_eq!(c.get(1, &a), None);
        assert_eq!(c.get(2, &a).map(|v| v.dashboard[0].events), Some(2));
        // The version-1 request answered late: not kept, version 2 stays.
        c.answered(old_id, answer(3));
        assert_eq!(c.get(1, &q(Some(&["X"]), None, None)), None);
        assert_eq!(c.get(2, &a).map(|v| v.dashboard[0].events), Some(2));
        // Keeping the same query again replaces its answer.
        c.keep(2, a.clone(), answer(4));
        assert_eq!(c.get(2, &a).map(|v| v.dashboard[0].events), Some(4));
    }

    #[test]
    fn at_most_keep_answers_the_oldest_dropped() {
        let mut c = ViewCache::default();
        let day = |i: u64| Some(d(1).checked_add_days(chrono::Days::new(i)).unwrap());
        for i in 0..(KEEP as u64 + 3) {
            c.keep(1, q(None, day(i), None), answer(i as i64));
        }
        assert_eq!(c.get(1, &q(None, day(0), None)), None);
        assert_eq!(c.get(1, &q(None, day(2), None)), None);
        assert!(c.get(1, &q(None, day(3), None)).is_some());
        assert!(c.get(1, &q(None, day(KEEP as u64 + 2), None)).is_some());
    }
}
