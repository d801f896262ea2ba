//! Ticket attribution: which (day, provider) group each support row counts in.
//!
//! A support row whose `ticket_id` equals a session's id counts once, in the group of that
//! session's *first* LLM event (earliest `created_at`, ties broken by the smaller provider in byte
//! order) — never once per LLM call. Duplicate support rows for one ticket each count. A row whose
//! ticket matches no session (or whose ticket_id is null) is *unmatched*: in no group, counted in
//! the load report.

use super::dashboard_facts::DashboardIndex;
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
    /// Per support row: the interned session its ticket_id names, or `NO_SESSION` (no match
    /// among the `sessions_known` sessions, or a null ticket_id).
    row_session: Vec<u32>,
    /// How many interned sessions the LLM table had when `row_session` was looked up.
    sessions_known: usize,
}

impl TicketIndex {
    /// Attributes every row of `support` to the groups of `index` (built from `llm`).
    pub fn build(llm: &LlmTable, index: &DashboardIndex, support: &SupportTable) -> Self {
        let row_session = (0..support.ticket.len())
            .map(|i| support.ticket.is_valid(i).then(|| llm.session_id(support.ticket.value(i))).flatten().unwrap_or(NO_SESSION))
            .collect();
        let mut t = TicketIndex { row_session, sessions_known: llm.session_keys.len(), ..Default::default() };
        t.count(index, support);
        t
    }

    /// Re-attributes after rows were appended to the LLM table and `index` was updated
    /// ([`DashboardIndex::append`]): the same result as [`TicketIndex::build`] with `support`
    /// unchanged since the last build, provided old sessions kept their ids. Only tickets that
    /// matched no session are looked up again (a new session may match them); the per-group
    /// sums are then recounted from each row's session (one pass, no hashing), since groups were
    /// renumbered and first events may have moved.
    pub fn update(&mut self, llm: &LlmTable, index: &DashboardIndex, support: &SupportTable) {
        if self.row_session.len() != support.ticket.len() || self.sessions_known > llm.session_keys.len() {
            *self = TicketIndex::build(llm, index, support);
            return;
        }
        if self.sessions_known < llm.session_keys.len() {
            for (i, s) in self.row_session.iter_mut().enumerate() {
                if *s == NO_SESSION && support.ticket.is_valid(i) {
                    *s = llm.session_id(support.ticket.value(i)).unwrap_or(NO_SESSION);
                }
            }
            self.sessions_known = llm.session_keys.len();
        }
        self.count(index, support);
    }

    /// Attributes support rows appended to the support table: `support`'s first `old_rows` rows
    /// are the rows this index was built or last updated with, and the LLM table and `index` are
    /// those it was last built or updated with. Only the new rows are looked up; the sums are
    /// recounted. The same result as [`TicketIndex::build`]; anything that does not fit (another
    /// row count, sessions added since) is a full build.
    pub fn extend_support(&mut self, llm: &LlmTable, index: &DashboardIndex, support: &SupportTable, old_rows: usize) {
        let n = support.ticket.len();
        if self.row_session.len() != old_rows || old_rows > n || self.sessions_known != llm.session_keys.len() {
            *self = TicketIndex::build(llm, index, support);
            return;
        }
        self.row_session.extend(
            (old_rows..n)
                .map(|i| support.ticket.is_valid(i).then(|| llm.session_id(support.ticket.value(i))).flatten().unwrap_or(NO_SESSION)),
        );
        self.count(index, support);
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
