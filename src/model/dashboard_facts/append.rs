//! The incremental update of a [`DashboardIndex`] when rows are appended to its LLM table (a
//! refresh that found new parts): only the days the new rows touch are prepared again, the
//! rolling windows of those days and the 6 following are re-summed, and each session's first
//! event is advanced by the new rows alone. The result equals [`DashboardIndex::build`] over the
//! whole table (proptest below).

use super::{DashboardIndex, Day, DayParts, Group, day_parts, earlier, provider_days, ratio};
use crate::load::tables::{LlmTable, NO_SESSION};
use arrow_array::Array;

/// Above this share of the table's rows on touched days, [`DashboardIndex::append`] rebuilds
/// everything (the touched days' preparation would cost about as much, plus the splice).
const FULL_REBUILD_SHARE: f64 = 0.5;

impl DashboardIndex {
    /// Brings the index, built from the first `old_rows` rows of `llm`, up to date with all of
    /// `llm`'s rows: the same index (the same facts, bit for bit) as `DashboardIndex::build(llm)`.
    ///
    /// Requirements (what [`crate::load::Dataset::load_cached`]'s append path guarantees): rows
    /// `..old_rows` are the rows the index was built from, in the same order, with the same
    /// session ids; provider ids may have shifted because new provider names were inserted into
    /// the sorted list (the index follows them by name). A table whose old rows changed (a part
    /// removed, rewritten or reordered) must be rebuilt with [`DashboardIndex::build`] instead.
    ///
    /// Work: one scan of the `day` column to find the rows of the touched days (days with a new
    /// row, old days included), their preparation as in `build`, a splice of the untouched days'
    /// groups and latencies (in place up to the first touched day, copied after it), the rolling accuracy of the groups on a touched day or within 6
    /// days after one, and first events over the new rows only. When the touched days hold more
    /// than half the rows (or the index was empty), it is a full [`DashboardIndex::build`].
    pub fn append(&mut self, llm: &LlmTable, old_rows: usize) {
        if !self.append_days(llm, old_rows, FULL_REBUILD_SHARE) {
            *self = DashboardIndex::build(llm);
        }
    }

    /// [`DashboardIndex::append`]; false (index untouched) when it should be a full build: an
    /// empty index, `old_rows` not within the table, a provider name that vanished, or more
    /// than `max_share` of the rows on touched days.
    pub(crate) fn append_days(&mut self, llm: &LlmTable, old_rows: usize, max_share: f64) -> bool {
        let n = llm.len();
        if self.groups.is_empty() || old_rows == 0 || old_rows > n {
            return false;
        }
        // Old provider ids → new ones (a new name shifts the ids after it; order is kept).
        let mut pmap = Vec::with_capacity(self.providers.len());
        for p in &self.providers {
            match llm.providers.binary_search(p) {
                Ok(id) => pmap.push(id as u32),
                Err(_) => return false,
            }
        }
        // Touched days: those of the new rows, ascending.
        let mut touched: Vec<i32> = llm.day[old_rows..].to_vec();
        touched.sort_unstable();
        touched.dedup();
        // The rows of the touched days, in table order.
        let rows: Vec<u32> = match (touched.first(), touched.last()) {
            (Some(&lo), Some(&hi)) if (hi as i64 - lo as i64) < (1 << 20) => {
                let mut on = vec![false; (hi - lo + 1) as usize];
                for &d in &touched {
                    on[(d - lo) as usize] = true;
                }
                let hit = |d: i32| d >= lo && d <= hi && on[(d - lo) as usize];
                (0..n as u32).filter(|&i| hit(llm.day[i as usize])).collect()
            }
            (Some(_), Some(_)) => (0..n as u32).filter(|&i| touched.binary_search(&llm.day[i as usize]).is_ok()).collect(),
            _ => Vec::new(),
        };
        if rows.len() as f64 > max_share * n as f64 {
            return false;
        }

        // From here on the update cannot fail.
        if pmap.iter().enumerate().any(|(o, &p)| o as u32 != p) {
            for g in self.groups.iter_mut() {
                g.provider = pmap[g.provider as usize];
            }
            for d in self.days.iter_mut() {
                for pair in d.pairs.iter_mut() {
                    pair.1 = pmap[pair.1 as usize];
                }
            }
        }
        self.providers = llm.providers.clone();
        let fresh = if rows.is_empty() {
            DayParts { groups: Vec::new(), days: Vec::new(), latencies: Vec::new(), row_group: Vec::new() }
        } else {
            day_parts(llm, &rows[..])
        };

        // Splice: untouched old days and the fresh (touched) days, by day. The old days before
        // the first touched day stay where they are (their groups and latencies are a prefix of
        // the vectors: both are laid out in (day, provider) order); only the days after it are
        // copied — none or a few when the new rows are on the newest days.
        let mut groups = std::mem::take(&mut self.groups);
        let mut days = std::mem::take(&mut self.days);
        let mut latencies = std::mem::take(&mut self.latencies);
        let first_touched = touched.first().copied().unwrap_or(i32::MAX);
        let kept_days = days.partition_point(|d| d.day < first_touched);
        let kept_groups = kept_days.checked_sub(1).map_or(0, |d| days[d].groups.1 as usize);
        let kept_lat = kept_groups.checked_sub(1).map_or(0, |g| groups[g].lat.1 as usize);
        debug_assert!(groups[..kept_groups].iter().all(|g| g.lat.1 as usize <= kept_lat));
        let old_total = groups.len();
        let rest_days = days.split_off(kept_days);
        let rest_groups = groups.split_off(kept_groups);
        let rest_lat = latencies.split_off(kept_lat);
        let DayParts { groups: new_groups, days: new_days, latencies: new_lat, row_group } = fresh;
        groups.reserve(rest_groups.len() + new_groups.len());
        latencies.reserve(rest_lat.len() + new_lat.len());
        // Old group id → new id (u32::MAX: its day was touched); fresh group id → new id.
        let mut old_to_new: Vec<u32> = (0..kept_groups as u32).chain(std::iter::repeat_n(u32::MAX, old_total - kept_groups)).collect();
        let mut fresh_to_new = vec![0u32; new_groups.len()];
        // Appends day `d`, whose groups are `src[g - offset]` with latencies `lat[l - lat_offset]`.
        let push_day = |mut d: Day,
                        (src, offset): (&[Group], usize),
                        (lat, lat_offset): (&[f64], usize),
                        map: &mut [u32],
                        groups: &mut Vec<Group>,
                        latencies: &mut Vec<f64>| {
            let g0 = groups.len() as u32;
            for g in d.groups.0 as usize..d.groups.1 as usize {
                let mut grp = src[g - offset].clone();
                let l0 = latencies.len() as u32;
                latencies.extend_from_slice(&lat[grp.lat.0 as usize - lat_offset..grp.lat.1 as usize - lat_offset]);
                grp.lat = (l0, latencies.len() as u32);
                map[g] = groups.len() as u32;
                groups.push(grp);
            }
            d.groups = (g0, groups.len() as u32);
            d
        };
        let (old_src, fresh_src) = ((&rest_groups[..], kept_groups), (&new_groups[..], 0));
        let (old_lat, fresh_lat) = ((&rest_lat[..], kept_lat), (&new_lat[..], 0));
        let mut fresh_days = new_days.into_iter().peekable();
        for d in rest_days {
            while let Some(f) = fresh_days.next_if(|f| f.day < d.day) {
                days.push(push_day(f, fresh_src, fresh_lat, &mut fresh_to_new, &mut groups, &mut latencies));
            }
            if touched.binary_search(&d.day).is_ok() {
                continue;
            }
            days.push(push_day(d, old_src, old_lat, &mut old_to_new, &mut groups, &mut latencies));
        }
        for f in fresh_days {
            days.push(push_day(f, fresh_src, fresh_lat, &mut fresh_to_new, &mut groups, &mut latencies));
        }

        // Rolling accuracy: groups on a touched day or up to 6 days after one.
        self.provider_days = provider_days(&groups, self.providers.len());
        let affected = |day: i32| {
            let at = touched.partition_point(|&t| t < day - 6);
            touched.get(at).is_some_and(|&t| t <= day)
        };
        for g in groups.iter_mut() {
            if affected(g.day) {
                let (s, c) = self.window(g.provider, g.day);
                g.rolling = ratio(s, c);
            }
        }

        // First events: old sessions keep theirs unless a new row is earlier; new sessions get
        // their first new row. The first event's group then follows the splice; a first event on
        // a touched day (old or new) is found among the fresh groups through its row.
        let nsess = llm.session_keys.len();
        let first = &mut self.session_first_row;
        first.resize(nsess, u32::MAX);
        let mut group_of = std::mem::take(&mut self.session_first_group);
        group_of.resize(nsess, u32::MAX);
        let mut moved: Vec<u32> = Vec::new();
        for i in old_rows..n {
            let s = llm.session[i];
            if s == NO_SESSION {
                continue;
            }
            let f = &mut first[s as usize];
            if *f == u32::MAX || earlier(llm, i, *f as usize) {
                if *f == u32::MAX || (*f as usize) < old_rows {
                    moved.push(s);
                }
                *f = i as u32;
            }
        }
        let fresh_group_of_row = |r: u32| -> u32 {
            let k = rows.binary_search(&r).expect("a first event on a touched day is a fresh row");
            fresh_to_new[row_group[k] as usize]
        };
        for (s, g) in group_of.iter_mut().enumerate() {
            let r = first[s];
            if r == u32::MAX {
                continue;
            }
            let old = if *g == u32::MAX { u32::MAX } else { old_to_new[*g as usize] };
            *g = if old != u32::MAX { old } else { fresh_group_of_row(r) };
        }
        // A session whose first event moved to a new row: that row's day is touched.
        for s in moved {
            group_of[s as usize] = fresh_group_of_row(first[s as usize]);
        }

        self.groups = groups;
        self.days = days;
        self.latencies = latencies;
        self.session_first_group = group_of;
        self.session_count = nsess;
        true
    }
}

#[cfg(test)]
mod tests;
