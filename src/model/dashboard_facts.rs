//! `dashboard_facts` — one row per (UTC event_date, provider) with at least one LLM event — and
//! `daily_totals`, the same metrics over a set of providers combined.
//!
//! Definitions (the one place each metric is computed; see `docs/data-contract.md`):
//! - `events`: LLM rows of the group; `sessions`: distinct non-null session ids among them.
//! - `accuracy_daily`: mean of non-null accuracy; null if none.
//! - `accuracy_rolling_7d`: over days d−6..=d of the same provider(s), Σ non-null accuracy /
//!   count of non-null accuracy; null when the count is 0. Days outside a query's date range
//!   still count.
//! - `latency_p50_ms` / `latency_p95_ms`: [`percentile`](super::percentile) of non-null latencies.
//! - `tokens_*`: sums with null as 0; `tokens_total = tokens_input + tokens_output`.
//! - `tickets`, `tickets_resolved_by_agent`, `revenue_from_ai`: the support rows attributed to the
//!   group by [`attribution`](super::attribution); `resolution_rate` = agent / tickets, null when
//!   there are no tickets.
//!
//! Everything that does not depend on the query is prepared once per load ([`DashboardIndex`]):
//! per-group sums, percentiles and distinct sessions (and the same per day over all providers),
//! each provider's daily accuracy sums for the rolling window, and per-day (session, provider)
//! pairs. A query then only sums prepared numbers, except the percentiles (a selection over the
//! groups' latencies) and distinct sessions (one pass over the day's pairs) of a strict subset of
//! providers in `daily_totals`.

use super::attribution::TicketIndex;
use super::percentile::p50_p95_unsorted;
use crate::facts::DashboardFact;
use crate::load::tables::{LlmTable, NO_SESSION};
use crate::load::par;
use crate::query::Query;
use arrow_array::Array;
use chrono::NaiveDate;

mod append;

/// Days from 0001-01-01 (chrono's "CE" day 1) to 1970-01-01.
const UNIX_EPOCH_CE: i32 = 719_163;

/// The UTC date of a day number (days since 1970-01-01).
pub(crate) fn date_of(day: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day + UNIX_EPOCH_CE).expect("day range checked at load")
}

/// The day number of a date.
pub(crate) fn day_of_date(date: NaiveDate) -> i32 {
    use chrono::Datelike;
    date.num_days_from_ce() - UNIX_EPOCH_CE
}

/// One (day, provider) group's query-independent sums.
#[derive(Debug, Clone, Default)]
pub(crate) struct Group {
    pub day: i32,
    pub provider: u32,
    pub events: i64,
    pub sessions: i64,
    pub acc_sum: f64,
    pub acc_count: i64,
    pub tokens_in: i64,
    pub tokens_out: i64,
    /// Range of this group's latencies (unordered) in [`DashboardIndex::latencies`].
    pub lat: (u32, u32),
    /// The group's p50 / p95 latency.
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    /// Rolling 7-day accuracy of this provider ending on this day.
    pub rolling: Option<f64>,
}

/// One day: its groups and its all-provider prepared data.
#[derive(Debug, Clone, Default)]
pub(crate) struct Day {
    pub day: i32,
    /// Range of the day's groups in [`DashboardIndex::groups`] (contiguous, by provider).
    pub groups: (u32, u32),
    /// The day's (session, provider) pairs, distinct, grouped by provider.
    pub pairs: Vec<(u32, u32)>,
    /// Distinct sessions of the day over all providers.
    pub sessions_all: i64,
    /// p50 / p95 latency of the day over all providers.
    pub p50: Option<f64>,
    pub p95: Option<f64>,
}

/// Query-independent preparation of the LLM table for both dashboard queries.
#[derive(Debug, Clone, Default)]
pub(crate) struct DashboardIndex {
    pub providers: Vec<String>,
    /// Groups ordered by (day, provider).
    pub groups: Vec<Group>,
    pub days: Vec<Day>,
    /// Per-group latencies (each group's range unordered), laid out in group order.
    pub latencies: Vec<f64>,
    /// Number of interned (day, session) pairs (size of the stamp arrays; distinct pairs of a
    /// day are its distinct sessions).
    pub session_count: usize,
    /// Per provider: (day, Σ accuracy, count of accuracy) of each of its days, ascending by day.
    pub provider_days: Vec<Vec<(i32, f64, i64)>>,
    /// Per interned (day, session) pair: the group of its first event (earliest created_at, then
    /// smaller provider). `u32::MAX` for a pair that has no event (cannot happen for loaded data).
    /// A session's first event is the earliest of its pairs' ([`crate::model::attribution`]).
    pub session_first_group: Vec<u32>,
    /// Per interned (day, session) pair: the row of its first event (`u32::MAX` as above).
    pub session_first_row: Vec<u32>,
}

/// Per provider: (day, Σ accuracy, count of accuracy) of each of its groups, ascending by day.
pub(crate) fn provider_days(groups: &[Group], providers: usize) -> Vec<Vec<(i32, f64, i64)>> {
    let mut out: Vec<Vec<(i32, f64, i64)>> = vec![Vec::new(); providers];
    for g in groups {
        out[g.provider as usize].push((g.day, g.acc_sum, g.acc_count));
    }
    out
}

fn range(r: (u32, u32)) -> std::ops::Range<usize> {
    r.0 as usize..r.1 as usize
}

fn ratio(sum: f64, count: i64) -> Option<f64> {
    (count > 0).then(|| sum / count as f64)
}

/// Rows of an [`LlmTable`] to prepare: all of them (`0..n`) or a subset (ascending row numbers).
pub(crate) trait Rows: Sync {
    /// Number of rows in the set.
    fn count(&self) -> usize;
    /// The table row of the set's `k`-th row.
    fn row(&self, k: usize) -> usize;
}

impl Rows for std::ops::Range<usize> {
    fn count(&self) -> usize {
        self.len()
    }
    fn row(&self, k: usize) -> usize {
        self.start + k
    }
}

impl Rows for [u32] {
    fn count(&self) -> usize {
        self.len()
    }
    fn row(&self, k: usize) -> usize {
        self[k] as usize
    }
}

/// The per-day part of the index over a set of rows: the groups of the days those rows have,
/// ordered by (day, provider), with their sums, percentiles and distinct sessions; the days
/// (with `groups` ranges into `groups`); the latencies in group order; and each row's group
/// (indexed like the row set).
pub(crate) struct DayParts {
    pub groups: Vec<Group>,
    pub days: Vec<Day>,
    pub latencies: Vec<f64>,
    pub row_group: Vec<u32>,
}

/// Groups, sums, percentiles and distinct sessions of the rows `rows` of `llm` (every row of a
/// day must be in the set for that day's figures to be the day's). Row order within the set is
/// the order sums are taken in, so a set in table order gives the full build's sums bit for bit.
pub(crate) fn day_parts<R: Rows + ?Sized>(llm: &LlmTable, rows: &R) -> DayParts {
    let n = rows.count();
    let np = llm.providers.len().max(1) as i64;
    if n == 0 {
        return DayParts { groups: Vec::new(), days: Vec::new(), latencies: Vec::new(), row_group: Vec::new() };
    }
    // 1. Group id of each row; groups sorted by (day, provider).
    // Each pass over the rows runs in chunks, so it switches to V8's optimised code after the
    // first chunks instead of running to its end in baseline code (`par::chunks`).
    let (mut min_day, mut max_day) = (i32::MAX, i32::MIN);
    par::each_chunk(n, &mut |r| {
        for k in r {
            let d = llm.day[rows.row(k)];
            (min_day, max_day) = (min_day.min(d), max_day.max(d));
        }
    });
    let (min_day, max_day) = (min_day as i64, max_day as i64);
    let span = (max_day - min_day + 1) * np;
    let key = |k: usize| {
        let i = rows.row(k);
        (llm.day[i] as i64 - min_day) * np + llm.provider[i] as i64
    };
    let mut row_group = vec![0u32; n];
    let mut group_keys: Vec<i64>;
    if span <= (1 << 24) {
        // One pass: provisional ids in order of first appearance, remapped below.
        let mut dense = vec![u32::MAX; span as usize];
        let mut first_seen: Vec<i64> = Vec::new();
        par::each_chunk(n, &mut |r| {
            for k in r {
                let key = key(k);
                let slot = &mut dense[key as usize];
                if *slot == u32::MAX {
                    *slot = first_seen.len() as u32;
                    first_seen.push(key);
                }
                row_group[k] = *slot;
            }
        });
        let mut order: Vec<u32> = (0..first_seen.len() as u32).collect();
        order.sort_unstable_by_key(|&p| first_seen[p as usize]);
        let mut remap = vec![0u32; order.len()];
        for (sorted, &p) in order.iter().enumerate() {
            remap[p as usize] = sorted as u32;
        }
        group_keys = order.iter().map(|&p| first_seen[p as usize]).collect();
        if remap.iter().enumerate().any(|(p, &r)| p as u32 != r) {
            for g in row_group.iter_mut() {
                *g = remap[*g as usize];
            }
        }
    } else {
        group_keys = (0..n).map(key).collect();
        group_keys.sort_unstable();
        group_keys.dedup();
        for (k, g) in row_group.iter_mut().enumerate() {
            *g = group_keys.binary_search(&key(k)).expect("key present") as u32;
        }
    }
    let ng = group_keys.len();
    let mut groups: Vec<Group> = group_keys
        .iter()
        .map(|&k| Group { day: (k / np + min_day) as i32, provider: (k % np) as u32, ..Default::default() })
        .collect();

    // 2. Sums.
    let mut lat_count = vec![0u32; ng + 1];
    par::each_chunk(n, &mut |r| {
        for k in r {
            let i = rows.row(k);
            let g = &mut groups[row_group[k] as usize];
            g.events += 1;
            let a = llm.accuracy[i];
            if !a.is_nan() {
                g.acc_sum += a;
                g.acc_count += 1;
            }
            g.tokens_in += llm.tokens_in[i];
            g.tokens_out += llm.tokens_out[i];
            if !llm.latency[i].is_nan() {
                lat_count[row_group[k] as usize + 1] += 1;
            }
        }
    });

    // 3. Latencies and sessions bucketed by group (counting sorts).
    for g in 0..ng {
        lat_count[g + 1] += lat_count[g];
    }
    let mut latencies = vec![0f64; lat_count[ng] as usize];
    let mut s_count = vec![0u32; ng + 1];
    par::each_chunk(n, &mut |r| {
        for k in r {
            if llm.session[rows.row(k)] != NO_SESSION {
                s_count[row_group[k] as usize + 1] += 1;
            }
        }
    });
    for g in 0..ng {
        s_count[g + 1] += s_count[g];
    }
    let mut sess = vec![0u32; s_count[ng] as usize];
    let mut lat_fill = lat_count.clone();
    let mut s_fill = s_count.clone();
    par::each_chunk(n, &mut |r| {
        for k in r {
            let i = rows.row(k);
            let g = row_group[k] as usize;
            let v = llm.latency[i];
            if !v.is_nan() {
                latencies[lat_fill[g] as usize] = v;
                lat_fill[g] += 1;
            }
            let s = llm.session[i];
            if s != NO_SESSION {
                sess[s_fill[g] as usize] = s;
                s_fill[g] += 1;
            }
        }
    });
    let mut days: Vec<Day> = Vec::new();
    for (g, grp) in groups.iter_mut().enumerate() {
        grp.lat = (lat_count[g], lat_count[g + 1]);
        match days.last_mut() {
            Some(d) if d.day == grp.day => d.groups.1 = g as u32 + 1,
            _ => days.push(Day { day: grp.day, groups: (g as u32, g as u32 + 1), ..Default::default() }),
        }
    }

    // 4. Per day, in parallel (each thread with its own session stamps): each group's
    //    percentiles (selection, no sort) and distinct sessions; the day's all-provider
    //    percentiles, distinct sessions, and its (session, provider) pairs for subsets.
    let n_sessions = llm.session_keys.len();
    let mut jobs = Vec::with_capacity(days.len());
    {
        let (mut lat_rest, mut sess_rest) = (&mut latencies[..], &sess[..]);
        for (di, d) in days.iter().enumerate() {
            let (g0, g1) = (d.groups.0 as usize, d.groups.1 as usize);
            let nl = (lat_count[g1] - lat_count[g0]) as usize;
            let ns = (s_count[g1] - s_count[g0]) as usize;
            let (lat, l2) = lat_rest.split_at_mut(nl);
            let (ses, s2) = sess_rest.split_at(ns);
            (lat_rest, sess_rest) = (l2, s2);
            let bounds: Vec<(usize, usize, u32, u32)> = (g0..g1)
                .map(|g| {
                    (
                        (lat_count[g + 1] - lat_count[g0]) as usize,
                        (s_count[g + 1] - s_count[g0]) as usize,
                        groups[g].provider,
                        g as u32,
                    )
                })
                .collect();
            jobs.push((di as u32, bounds, lat, ses));
        }
    }
    let per_day = crate::load::par::map_init(
        jobs,
        || (vec![u32::MAX; n_sessions], vec![u32::MAX; n_sessions], Vec::new()),
        |(group_stamp, day_stamp, scratch), (di, bounds, lat, ses)| {
            let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(ses.len());
            let mut per_group = Vec::with_capacity(bounds.len());
            let mut distinct_all = 0;
            scratch.clear();
            scratch.extend_from_slice(lat);
            let (mut l0, mut s0) = (0, 0);
            for &(l1, s1, provider, g) in &bounds {
                let group_lat = &mut lat[l0..l1];
                let (p50, p95) = p50_p95_unsorted(group_lat);
                let start = pairs.len();
                for &s in &ses[s0..s1] {
                    if group_stamp[s as usize] != g {
                        group_stamp[s as usize] = g;
                        pairs.push((s, provider));
                        if day_stamp[s as usize] != di {
                            day_stamp[s as usize] = di;
                            distinct_all += 1;
                        }
                    }
                }
                per_group.push(((pairs.len() - start) as i64, p50, p95));
                (l0, s0) = (l1, s1);
            }
            let (day_p50, day_p95) = p50_p95_unsorted(scratch);
            (per_group, pairs, distinct_all, day_p50, day_p95)
        },
    );
    for (d, (per_group, pairs, distinct, p50, p95)) in days.iter_mut().zip(per_day) {
        for (g, (n, gp50, gp95)) in (d.groups.0 as usize..).zip(per_group) {
            groups[g].sessions = n;
            groups[g].p50 = gp50;
            groups[g].p95 = gp95;
        }
        d.pairs = pairs;
        d.sessions_all = distinct;
        d.p50 = p50;
        d.p95 = p95;
    }
    DayParts { groups, days, latencies, row_group }
}

/// True when row `i` is an earlier first event than row `j`: earlier `created_at`, then the
/// smaller provider (ties beyond that keep the row seen first).
pub(crate) fn earlier(llm: &LlmTable, i: usize, j: usize) -> bool {
    (llm.ts[i], llm.provider[i]) < (llm.ts[j], llm.provider[j])
}

impl DashboardIndex {
    /// Prepares `llm` (rows with a null `created_at` are already gone).
    pub fn build(llm: &LlmTable) -> Self {
        let n = llm.len();
        if n == 0 {
            return DashboardIndex { providers: llm.providers.clone(), ..Default::default() };
        }
        let DayParts { mut groups, days, latencies, row_group } = day_parts(llm, &(0..n));

        // Rolling accuracy: each provider's days, to sum (at most 7) per window.
        let mut idx = Self { providers: llm.providers.clone(), ..Default::default() };
        idx.provider_days = provider_days(&groups, llm.providers.len());
        for g in groups.iter_mut() {
            let (s, c) = idx.window(g.provider, g.day);
            g.rolling = ratio(s, c);
        }

        // First event of each session.
        let nsess = llm.session_keys.len();
        let mut first_row = vec![u32::MAX; nsess];
        par::each_chunk(n, &mut |r| {
            for i in r {
                let s = llm.session[i];
                if s == NO_SESSION {
                    continue;
                }
                let f = &mut first_row[s as usize];
                if *f == u32::MAX || earlier(llm, i, *f as usize) {
                    *f = i as u32;
                }
            }
        });
        let session_first_group =
            first_row.iter().map(|&r| if r == u32::MAX { u32::MAX } else { row_group[r as usize] }).collect();

        idx.groups = groups;
        idx.days = days;
        idx.latencies = latencies;
        idx.session_first_group = session_first_group;
        idx.session_first_row = first_row;
        idx.session_count = nsess;
        idx
    }

    /// (Σ accuracy, count) of `provider` over days `day-6..=day` (summed directly, not as a
    /// difference of running totals, so a quiet day after busy weeks keeps full precision).
    pub(crate) fn window(&self, provider: u32, day: i32) -> (f64, i64) {
        let days = &self.provider_days[provider as usize];
        let start = days.partition_point(|&(d, _, _)| d < day - 6);
        days[start..].iter().take_while(|&&(d, _, _)| d <= day).fold((0.0, 0), |(s, c), &(_, a, n)| (s + a, c + n))
    }

    /// Which provider ids `q` selects.
    fn selected(&self, q: &Query) -> Vec<bool> {
        self.providers.iter().map(|p| q.keeps_provider(p)).collect()
    }

    fn day_kept(q: &Query, day: i32) -> bool {
        q.keeps_date(date_of(day))
    }

    /// `dashboard_facts` rows passing `q`, ordered by (event_date, provider).
    pub fn facts(&self, tickets: &TicketIndex, q: &Query) -> Vec<DashboardFact> {
        let sel = self.selected(q);
        let mut out = Vec::new();
        for d in &self.days {
            if !Self::day_kept(q, d.day) {
                continue;
            }
            for g in range(d.groups) {
                let grp = &self.groups[g];
                if !sel[grp.provider as usize] {
                    continue;
                }
                let t = tickets.group(g);
                out.push(fact(
                    d.day,
                    self.providers[grp.provider as usize].clone(),
                    Sums {
                        events: grp.events,
                        sessions: grp.sessions,
                        acc_sum: grp.acc_sum,
                        acc_count: grp.acc_count,
                        rolling: grp.rolling,
                        p50: grp.p50,
                        p95: grp.p95,
                        tokens_in: grp.tokens_in,
                        tokens_out: grp.tokens_out,
                        tickets: t.0,
                        agent: t.1,
                        revenue: t.2,
                    },
                ));
            }
        }
        out
    }

    /// One row per day that has an event of a selected provider: the selected providers combined
    /// as provider `"all"`.
    pub fn daily_totals(&self, tickets: &TicketIndex, q: &Query) -> Vec<DashboardFact> {
        let sel = self.selected(q);
        let all = sel.iter().all(|&s| s);
        let mut scratch: Vec<f64> = Vec::new();
        // Per session: the last day it was counted on (subset queries only).
        let mut stamps: Option<Vec<u32>> = None;
        let mut out = Vec::new();
        for (di, d) in self.days.iter().enumerate() {
            if !Self::day_kept(q, d.day) {
                continue;
            }
            let mut s = Sums::default();
            let mut any = false;
            for g in range(d.groups) {
                let grp = &self.groups[g];
                if !sel[grp.provider as usize] {
                    continue;
                }
                any = true;
                s.events += grp.events;
                s.acc_sum += grp.acc_sum;
                s.acc_count += grp.acc_count;
                s.tokens_in += grp.tokens_in;
                s.tokens_out += grp.tokens_out;
                let t = tickets.group(g);
                s.tickets += t.0;
                s.agent += t.1;
                s.revenue += t.2;
            }
            if !any {
                continue;
            }
            let (mut ws, mut wc) = (0.0, 0);
            for (p, &on) in sel.iter().enumerate() {
                if on {
                    let (a, b) = self.window(p as u32, d.day);
                    ws += a;
                    wc += b;
                }
            }
            s.rolling = ratio(ws, wc);
            if all {
                s.sessions = d.sessions_all;
                s.p50 = d.p50;
                s.p95 = d.p95;
            } else {
                let stamps = stamps.get_or_insert_with(|| vec![u32::MAX; self.session_count]);
                for &(sess, p) in &d.pairs {
                    if sel[p as usize] && stamps[sess as usize] != di as u32 {
                        stamps[sess as usize] = di as u32;
                        s.sessions += 1;
                    }
                }
                scratch.clear();
                for g in range(d.groups) {
                    let grp = &self.groups[g];
                    if sel[grp.provider as usize] {
                        scratch.extend_from_slice(&self.latencies[range(grp.lat)]);
                    }
                }
                (s.p50, s.p95) = p50_p95_unsorted(&mut scratch);
            }
            out.push(fact(d.day, "all".to_string(), s));
        }
        out
    }
}

/// The additive parts of one output row, before the ratios are taken.
#[derive(Debug, Clone, Default)]
struct Sums {
    events: i64,
    sessions: i64,
    acc_sum: f64,
    acc_count: i64,
    rolling: Option<f64>,
    p50: Option<f64>,
    p95: Option<f64>,
    tokens_in: i64,
    tokens_out: i64,
    tickets: i64,
    agent: i64,
    revenue: f64,
}

/// The ratios and totals of one row (the one place they are defined).
fn fact(day: i32, provider: String, s: Sums) -> DashboardFact {
    DashboardFact {
        event_date: date_of(day),
        provider,
        events: s.events,
        sessions: s.sessions,
        accuracy_daily: ratio(s.acc_sum, s.acc_count),
        accuracy_rolling_7d: s.rolling,
        latency_p50_ms: s.p50,
        latency_p95_ms: s.p95,
        tokens_input: s.tokens_in,
        tokens_output: s.tokens_out,
        tokens_total: s.tokens_in + s.tokens_out,
        tickets: s.tickets,
        tickets_resolved_by_agent: s.agent,
        resolution_rate: (s.tickets > 0).then(|| s.agent as f64 / s.tickets as f64),
        revenue_from_ai: s.revenue,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny LLM table: (day, provider id, session id, latency, accuracy).
    fn table(rows: &[(i32, u32, u32, f64, f64)]) -> LlmTable {
        let n = rows.len();
        let sessions = 1 + rows.iter().map(|r| r.2).max().unwrap_or(0) as usize;
        LlmTable {
            providers: vec!["A".into(), "B".into()],
            day: rows.iter().map(|r| r.0).collect(),
            ts: rows.iter().map(|r| r.0 as i64 * 86_400).collect(),
            provider: rows.iter().map(|r| r.1).collect(),
            session: rows.iter().map(|r| r.2).collect(),
            session_keys: arrow_array::StringArray::from_iter_values((0..sessions).map(|s| s.to_string())),
            latency: rows.iter().map(|r| r.3).collect(),
            accuracy: rows.iter().map(|r| r.4).collect(),
            tokens_in: vec![1; n],
            tokens_out: vec![2; n],
            ..Default::default()
        }
    }

    #[test]
    fn far_apart_days_take_the_sparse_grouping_path_with_the_same_results() {
        let near = [(3, 1, 0, 10.0, 0.5), (3, 0, 1, 20.0, f64::NAN), (4, 1, 0, 30.0, 1.0), (3, 1, 2, f64::NAN, 0.25)];
        let far: Vec<_> = near.iter().map(|&(d, p, s, l, a)| (if d == 4 { 40_000_000 } else { d }, p, s, l, a)).collect();
        for rows in [&near[..], &far[..]] {
            let idx = DashboardIndex::build(&table(rows));
            let f = idx.facts(&TicketIndex::default(), &Query::default());
            assert_eq!(f.len(), 3);
            assert_eq!((f[0].provider.as_str(), f[0].events, f[0].sessions), ("A", 1, 1));
            assert_eq!((f[1].provider.as_str(), f[1].events, f[1].sessions), ("B", 2, 2));
            assert_eq!(f[1].latency_p50_ms, Some(10.0));
            assert_eq!(f[1].accuracy_daily, Some(0.375));
            assert_eq!(f[2].events, 1);
            // Session 0's first event is on the first day, provider B (group 1).
            assert_eq!(idx.session_first_group[0], 1);
            let totals = idx.daily_totals(&TicketIndex::default(), &Query::default());
            assert_eq!((totals[0].events, totals[0].sessions), (3, 3));
            let only_b = Query { providers: Some(vec!["B".into()]), ..Query::default() };
            assert_eq!(idx.daily_totals(&TicketIndex::default(), &only_b)[0].sessions, 2);
        }
    }
}
