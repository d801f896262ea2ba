//! Ticket attribution: which (day, provider) group each support row counts in.
//!
//! A support row whose `ticket_id` equals a session's id counts once, in the group of that
//! session's *first* LLM event (earliest `created_at`, ties broken by the smaller provider in byte
//! order) — never once per LLM call. Duplicate support rows for one ticket each count. A row whose
//! ticket matches no session (or whose ticket_id is null) is *unmatched*: in no group, counted in
//! the load report.

use super::dashboard_facts::{DashboardIndex, earlier};
use crate::load::tables::{LlmTable, NO_SESSION, SupportTable};
use arrow_array::Array;

/// Per-group ticket sums, recomputed whenever the LLM or the support table changes.
#[derive(Debug, Clone, Default)]
pub(crate) struct TicketIndex {
    /// Per group of the [`DashboardIndex`]: (tickets, resolved by agent).
    counts: Vec<(i64, i64)>,
    /// Per group: Σ revenue_generated (null as 0).
    revenue: Vec<f64>,
    /// Support rows matching no session.
    pub unmatched: u64,
    /// Per support row: the interned (day, session) pair holding the first event of the session
    /// its ticket_id names, or `NO_SESSION` (no match, or a null ticket_id).
    row_session: Vec<u32>,
}

impl TicketIndex {
    /// Attributes every row of `support` to the groups of `index` (built from `llm`).
    pub fn build(llm: &LlmTable, index: &DashboardIndex, support: &SupportTable) -> Self {
        let mut t = TicketIndex { row_session: first_pairs(llm, index, support), ..Default::default() };
        t.count(index, support);
        t
    }

    /// Re-attributes after rows were appended to the LLM table and `index` was updated
    /// ([`DashboardIndex::append`]): the same as [`TicketIndex::build`] (a new day of a session
    /// may hold an earlier first event, and groups were renumbered).
    pub fn update(&mut self, llm: &LlmTable, index: &DashboardIndex, support: &SupportTable) {
        *self = TicketIndex::build(llm, index, support);
    }

    /// Attributes support rows appended to the support table (`old_rows` were there before): the
    /// same as [`TicketIndex::build`], which it is — one pass over the session keys either way.
    pub fn extend_support(&mut self, llm: &LlmTable, index: &DashboardIndex, support: &SupportTable, old_rows: usize) {
        let _ = old_rows;
        *self = TicketIndex::build(llm, index, support);
    }

    /// The per-group sums and the unmatched count from `row_session`, in support row order.
    fn count(&mut self, index: &DashboardIndex, support: &SupportTable) {
        let ng = index.groups.len();
        self.counts = vec![(0, 0); ng];
        self.revenue = vec![0.0; ng];
        self.unmatched = 0;
        for (i, &s) in self.row_session.iter().enumerate() {
            let group = (s != NO_SESSION).then(|| index.session_first_group[s as usize]).filter(|&g| g != u32::MAX);
            match group {
                Some(g) => {
                    let c = &mut self.counts[g as usize];
                    c.0 += 1;
                    c.1 += support.by_agent[i] as i64;
                    self.revenue[g as usize] += support.revenue[i];
                }
                None => self.unmatched += 1,
            }
        }
    }

    /// (tickets, resolved by agent, revenue) of group `g`; zeros when no support table is loaded.
    pub fn group(&self, g: usize) -> (i64, i64, f64) {
        match self.counts.get(g) {
            Some(&(n, a)) => (n, a, self.revenue[g]),
            None => (0, 0, 0.0),
        }
    }
}

/// Per support row: of the (day, session) pairs whose session id equals the row's ticket_id, the
/// one holding the session's first event (earliest `created_at`, then smaller provider), or
/// `NO_SESSION`. The distinct ticket ids go into one small table, and the session keys are
/// scanned once against it (tickets are far fewer than session pairs, so the table stays in the
/// processor's caches; no table of every session is needed).
fn first_pairs(llm: &LlmTable, index: &DashboardIndex, support: &SupportTable) -> Vec<u32> {
    use std::hash::BuildHasher;
    let hash = |v: &[u8]| rustc_hash::FxBuildHasher.hash_one(v);
    let tickets = &support.ticket;
    // Each distinct ticket id → a slot; `slot_row[slot]` is a support row with that text.
    let mut slots: hashbrown::HashTable<u32> = hashbrown::HashTable::new();
    let mut slot_row: Vec<u32> = Vec::new();
    let row_slot: Vec<u32> = (0..tickets.len())
        .map(|i| {
            if !tickets.is_valid(i) {
                return u32::MAX;
            }
            let v = tickets.value(i).as_bytes();
            let h = hash(v);
            match slots.find(h, |&s| tickets.value(slot_row[s as usize] as usize).as_bytes() == v) {
                Some(&s) => s,
                None => {
                    let s = slot_row.len() as u32;
                    slots.insert_unique(h, s, |&s| hash(tickets.value(slot_row[s as usize] as usize).as_bytes()));
                    slot_row.push(i as u32);
                    s
                }
            }
        })
        .collect();
    let mut best = vec![NO_SESSION; slot_row.len()];
    if !slot_row.is_empty() {
        let keys = &llm.session_keys;
        for id in 0..keys.len().min(index.session_first_row.len()) {
            let v = keys.value(id).as_bytes();
            let Some(&s) = slots.find(hash(v), |&s| tickets.value(slot_row[s as usize] as usize).as_bytes() == v) else {
                continue;
            };
            let row = index.session_first_row[id];
            if row == u32::MAX {
                continue;
            }
            let b = &mut best[s as usize];
            if *b == NO_SESSION || earlier(llm, row as usize, index.session_first_row[*b as usize] as usize) {
                *b = id as u32;
            }
        }
    }
    row_slot.iter().map(|&s| if s == u32::MAX { NO_SESSION } else { best[s as usize] }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_counts_once_on_the_earliest_day_of_its_session() {
        // Session "s" has events on days 11 (provider A, earlier in the day) and 10 (provider B):
        // two (day, session) pairs with the same text. Its first event is day 10's.
        let llm = LlmTable {
            providers: vec!["A".into(), "B".into()],
            provider: vec![0, 1, 0, 1],
            day: vec![11, 10, 11, 11],
            ts: vec![11 * 86_400 + 5, 10 * 86_400 + 7, 11 * 86_400 + 1, 11 * 86_400 + 2],
            session: vec![0, 1, 0, 2],
            session_keys: arrow_array::StringArray::from(vec!["s", "s", "t"]),
            session_day: vec![11, 10, 11],
            latency: vec![f64::NAN; 4],
            accuracy: vec![f64::NAN; 4],
            tokens_in: vec![0; 4],
            tokens_out: vec![0; 4],
            ..Default::default()
        };
        let index = DashboardIndex::build(&llm);
        let support = SupportTable {
            file: "support.parquet".into(),
            rows_read: 5,
            ticket: arrow_array::StringArray::from(vec![Some("s"), Some("t"), Some("s"), Some("nobody"), None]),
            by_agent: vec![true, false, false, true, true],
            revenue: vec![1.0, 2.0, 4.0, 8.0, 16.0],
        };
        let tickets = TicketIndex::build(&llm, &index, &support);
        let group = |day: i32, provider: u32| {
            let g = index.groups.iter().position(|g| g.day == day && g.provider == provider).expect("group");
            tickets.group(g)
        };
        assert_eq!(group(10, 1), (2, 1, 5.0), "both rows of ticket s, on day 10's first event");
        assert_eq!(group(11, 0), (0, 0, 0.0), "not on the session's later day");
        assert_eq!(group(11, 1), (1, 0, 2.0), "ticket t");
        assert_eq!(tickets.unmatched, 2, "no such session, null ticket_id");
    }
}
