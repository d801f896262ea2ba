//! Ticket attribution: which (day, provider) group each support row counts in.
//!
//! A support row whose `ticket_id` equals a session's id counts once, in the group of that
//! session's *first* LLM event (earliest `created_at`, ties broken by the smaller provider in byte
//! order) — never once per LLM call. Duplicate support rows for one ticket each count. A row whose
//! ticket matches no session (or whose ticket_id is null) is *unmatched*: in no group, counted in
//! the load report.

use super::dashboard_facts::{DashboardIndex, earlier};
use crate::load::tables::{LlmTable, NO_SESSION, SupportTable, text_hash};
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
    /// The distinct ticket ids of the support table and the pairs that carry them.
    tickets: Tickets,
}

/// The distinct ticket ids of a support table, and which (day, session) pairs carry each.
#[derive(Debug, Clone, Default)]
struct Tickets {
    /// Slots of the distinct ticket ids, by the hash of their text.
    slots: hashbrown::HashTable<u32>,
    /// Per slot: a support row holding its text.
    slot_row: Vec<u32>,
    /// Per support row: its slot (`u32::MAX` for a null ticket_id).
    row_slot: Vec<u32>,
    /// (slot, pair id) of each pair, among the first `scanned`, whose text is a ticket id.
    pairs: Vec<(u32, u32)>,
    scanned: usize,
}

impl TicketIndex {
    /// Attributes every row of `support` to the groups of `index` (built from `llm`).
    pub fn build(llm: &LlmTable, index: &DashboardIndex, support: &SupportTable) -> Self {
        let mut t = TicketIndex { tickets: Tickets::new(support), ..Default::default() };
        t.tickets.scan(llm, support);
        t.attribute(llm, index, support);
        t
    }

    /// Re-attributes after rows were appended to the LLM table and `index` was updated
    /// ([`DashboardIndex::append`]): the same result as [`TicketIndex::build`] with `support`
    /// unchanged since the last build, provided old pairs kept their ids. Only the new pairs'
    /// texts are matched against the ticket ids; each ticket's first event is then taken again
    /// over its pairs (an old pair's first event may have moved earlier) and the per-group sums
    /// recounted, since groups were renumbered.
    pub fn update(&mut self, llm: &LlmTable, index: &DashboardIndex, support: &SupportTable) {
        if self.tickets.row_slot.len() != support.ticket.len() || self.tickets.scanned > llm.session_keys.len() {
            *self = TicketIndex::build(llm, index, support);
            return;
        }
        self.tickets.scan(llm, support);
        self.attribute(llm, index, support);
    }

    /// Attributes rows appended at the end of the support table: the same as
    /// [`TicketIndex::build`], which it is — new ticket ids may name any pair, so the pairs'
    /// texts are matched again (one pass over the session keys).
    pub fn extend_support(&mut self, llm: &LlmTable, index: &DashboardIndex, support: &SupportTable) {
        *self = TicketIndex::build(llm, index, support);
    }

    /// Each support row's pair (its ticket's pair with the earliest first event), then the sums.
    fn attribute(&mut self, llm: &LlmTable, index: &DashboardIndex, support: &SupportTable) {
        let t = &self.tickets;
        let first = |id: u32| index.session_first_row.get(id as usize).copied().filter(|&r| r != u32::MAX);
        let mut best = vec![NO_SESSION; t.slot_row.len()];
        for &(slot, id) in &t.pairs {
            let Some(row) = first(id) else { continue };
            let b = &mut best[slot as usize];
            if *b == NO_SESSION || first(*b).is_none_or(|r| earlier(llm, row as usize, r as usize)) {
                *b = id;
            }
        }
        self.row_session = t.row_slot.iter().map(|&s| if s == u32::MAX { NO_SESSION } else { best[s as usize] }).collect();
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

impl Tickets {
    /// The distinct ticket ids of `support` (no pairs scanned yet).
    fn new(support: &SupportTable) -> Self {
        let tickets = &support.ticket;
        let mut t = Tickets::default();
        t.row_slot = (0..tickets.len())
            .map(|i| {
                if !tickets.is_valid(i) {
                    return u32::MAX;
                }
                let v = tickets.value(i).as_bytes();
                let h = text_hash(v);
                let Tickets { slots, slot_row, .. } = &mut t;
                match slots.find(h, |&s| tickets.value(slot_row[s as usize] as usize).as_bytes() == v) {
                    Some(&s) => s,
                    None => {
                        let s = slot_row.len() as u32;
                        slots.insert_unique(h, s, |&s| text_hash(tickets.value(slot_row[s as usize] as usize).as_bytes()));
                        slot_row.push(i as u32);
                        s
                    }
                }
            })
            .collect();
        t
    }

    /// Matches the texts of the pairs not scanned yet against the ticket ids. The ticket ids
    /// (tens of thousands) are far fewer than the pairs (hundreds of thousands), so their table
    /// stays in the processor's caches while the keys are read in order; no table of every
    /// session is needed.
    fn scan(&mut self, llm: &LlmTable, support: &SupportTable) {
        let keys = &llm.session_keys;
        if !self.slot_row.is_empty() {
            for id in self.scanned..keys.len() {
                let v = keys.value(id).as_bytes();
                let found = self.slots.find(text_hash(v), |&s| support.ticket.value(self.slot_row[s as usize] as usize).as_bytes() == v);
                if let Some(&slot) = found {
                    self.pairs.push((slot, id as u32));
                }
            }
        }
        self.scanned = keys.len();
    }
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
