//! Ticket attribution: which (day, provider) group each support row counts in.
//!
//! A support row whose `ticket_id` equals a session's id counts once, in the group of that
//! session's *first* LLM event (earliest `created_at`, ties broken by the smaller provider in byte
//! order) — never once per LLM call. Duplicate support rows for one ticket each count. A row whose
//! ticket matches no session (or whose ticket_id is null) is *unmatched*: in no group, counted in
//! the load report.

use super::dashboard_facts::DashboardIndex;
use crate::load::tables::{LlmTable, SupportTable};
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
}

impl TicketIndex {
    /// Attributes every row of `support` to the groups of `index` (built from `llm`).
    pub fn build(llm: &LlmTable, index: &DashboardIndex, support: &SupportTable) -> Self {
        let ng = index.groups.len();
        let mut t = TicketIndex { counts: vec![(0, 0); ng], revenue: vec![0.0; ng], unmatched: 0 };
        for i in 0..support.ticket.len() {
            let group = support
                .ticket
                .is_valid(i)
                .then(|| llm.session_id(support.ticket.value(i)))
                .flatten()
                .map(|s| index.session_first_group[s as usize])
                .filter(|&g| g != u32::MAX);
            match group {
                Some(g) => {
                    let c = &mut t.counts[g as usize];
                    c.0 += 1;
                    c.1 += support.by_agent[i] as i64;
                    t.revenue[g as usize] += support.revenue[i];
                }
                None => t.unmatched += 1,
            }
        }
        t
    }

    /// (tickets, resolved by agent, revenue) of group `g`; zeros when no support table is loaded.
    pub fn group(&self, g: usize) -> (i64, i64, f64) {
        match self.counts.get(g) {
            Some(&(n, a)) => (n, a, self.revenue[g]),
            None => (0, 0, 0.0),
        }
    }
}
