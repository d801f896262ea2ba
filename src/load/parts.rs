//! Loading one table from several Parquet parts (a partitioned snapshot, see
//! [`crate::manifest`]): each part is decoded and checked on its own (errors name the part), then
//! the normalised parts are concatenated in the order given, so the facts over the parts equal
//! the facts over one file holding the same rows.
//!
//! Two ways in: [`Dataset::load_parts`] decodes the given parts and merges them (peak memory:
//! the merged table plus one decoded part); [`PartCache`] keeps each decoded part so a refresh
//! decodes only new parts and [`Dataset::load_cached`] re-merges (memory: the cached parts plus
//! the merged table). When the LLM table's new key list is its previous one plus parts at the
//! end (a manifest that only grew), `load_cached` appends just the new parts to the merged table
//! (O(new rows)) and updates the dashboard index for the days the new rows touch
//! ([`DashboardIndex::append`]) and the ticket attribution, with the same result as the full
//! merge and a fresh index. Likewise a support table that only grew keeps its old rows' ticket
//! lookups (the table itself is re-concatenated: a few ms).

use super::Dataset;
use super::TableReport;
use super::tables::{ConversionTable, LlmTable, NO_SESSION, SupportTable, session_hash};
use crate::contract::Table;
use crate::error::LoadError;
use crate::model::conversion_facts::ConversionIndex;
use crate::model::dashboard_facts::DashboardIndex;
use arrow_array::Array;
use bytes::Bytes;
use rustc_hash::FxHashMap;
use std::collections::HashMap;

impl Dataset {
    /// Decodes `parts` (each a Parquet file: its name, used in messages and the report, and its
    /// bytes) as one `table`, replacing what was loaded for that table. The rows are the
    /// concatenation of the parts' rows in the order given; the facts equal those of one file
    /// with the same rows. A part listed twice counts twice here — de-duplicate first (a parsed
    /// [`crate::manifest::Manifest`] already is). Zero parts load an empty table.
    ///
    /// On error (any part not Parquet, off-contract, corrupt; timestamps of two parts that cannot
    /// be put on one scale) the dataset is unchanged and the error names the part.
    /// The report's `file` is the part's name for one part, `"<table> (<n> parts)"` otherwise.
    pub fn load_parts(&mut self, table: Table, parts: &[(&str, Bytes)]) -> Result<TableReport, LoadError> {
        let label = label(table, parts.iter().map(|p| p.0));
        match table {
            Table::LlmEvents => {
                let mut m = LlmMerger::new(label);
                for (name, bytes) in parts {
                    let scale = part_time_unit(bytes);
                    let t = LlmTable::load(name, bytes.clone())?;
                    m.push(&t, scale, name)?;
                }
                self.set_llm(m.finish());
            }
            Table::SupportEvents => {
                let loaded =
                    parts.iter().map(|(name, bytes)| SupportTable::load(name, bytes.clone())).collect::<Result<Vec<_>, _>>()?;
                self.set_support(concat_support(label, loaded.iter())?);
            }
            Table::ConversionEvents => {
                let mut acc = ConversionTable { file: label, ..Default::default() };
                for (name, bytes) in parts {
                    append_conversion(&mut acc, &ConversionTable::load(name, bytes.clone())?);
                }
                self.set_conversion(acc);
            }
        }
        Ok(self.table_report(table).expect("just loaded"))
    }

    /// Replaces `table` with the concatenation, in the order given, of the parts of `cache`
    /// stored under `keys` (see [`PartCache::insert`]); nothing is decoded. Errors (the dataset
    /// then unchanged): a key not in the cache for this table (named), or timestamps that cannot
    /// be combined. A key given twice counts twice — pass each once.
    ///
    /// For the LLM table, when `keys` are the keys of its previous `load_cached` (the same cache
    /// entries, not re-inserted since, same order) followed by new ones, only the new parts are
    /// merged into the table, and the dashboard index is updated for the days the new rows touch
    /// (plus the rolling windows after them and the sessions' first events) rather than rebuilt;
    /// the table, its provider and session ids and so the facts are exactly
    /// those of the full merge, which any other change (a part removed, changed or moved, a new
    /// part on a finer timestamp unit, the table loaded another way meanwhile) gets.
    pub fn load_cached(&mut self, table: Table, cache: &PartCache, keys: &[&str]) -> Result<TableReport, LoadError> {
        let get = |k: &str| {
            cache.parts.get(&(table, k.to_string())).ok_or_else(|| LoadError::Corrupt {
                file: k.to_string(),
                detail: format!("no decoded {} part under this key", table.name()),
            })
        };
        let entries = keys.iter().map(|k| get(k)).collect::<Result<Vec<_>, _>>()?;
        let label = label(table, entries.iter().map(|e| e.name.as_str()));
        match table {
            Table::LlmEvents => {
                let stamps: Vec<(String, u64)> = keys.iter().zip(&entries).map(|(k, e)| (k.to_string(), e.stamp)).collect();
                let old = self.llm_merged.as_ref().filter(|_| self.llm.is_some()).map_or(0, |m| m.parts.len());
                let is_append = self.llm_merged.as_ref().is_some_and(|m| stamps.starts_with(&m.parts)) && self.llm.is_some();
                if !(is_append && self.append_llm(&entries[old..], &stamps[old..], label.clone())) {
                    let mut m = LlmMerger::new(label);
                    for e in &entries {
                        if let Cached::Llm(t, scale) = &e.data {
                            m.push(t, *scale, &e.name)?;
                        }
                    }
                    let scale = m.scale;
                    self.set_llm(m.finish());
                    self.llm_merged = Some(LlmMerged { parts: stamps, scale });
                }
            }
            Table::SupportEvents => {
                let parts = entries.iter().filter_map(|e| match &e.data {
                    Cached::Support(t) => Some(t),
                    _ => None,
                });
                self.set_support_appended(concat_support(label, parts)?);
            }
            Table::ConversionEvents => {
                let mut acc = ConversionTable { file: label, ..Default::default() };
                for e in &entries {
                    if let Cached::Conversion(t) = &e.data {
                        append_conversion(&mut acc, t);
                    }
                }
                self.set_conversion(acc);
            }
        }
        Ok(self.table_report(table).expect("just loaded"))
    }

    /// Makes `t` the LLM table: builds its dashboard index and attributes the tickets to it.
    pub(super) fn set_llm(&mut self, t: LlmTable) {
        self.dashboard = DashboardIndex::build(&t);
        self.llm = Some(t);
        self.llm_merged = None;
        self.attribute();
    }

    /// The append fast path of [`Dataset::load_cached`]: appends the LLM parts `new` (cached
    /// under `stamps`) to the merged table, continuing its provider and session interning exactly
    /// as [`LlmMerger`] would, so the table equals a full merge of all the parts. Returns false,
    /// with the dataset untouched, when it cannot (no merged table; a new part on a finer
    /// timestamp unit than the merged rows', which would rescale them; a timestamp out of range)
    /// — the caller then does the full merge, which also produces the error, if any.
    fn append_llm(&mut self, new: &[&Entry], stamps: &[(String, u64)], label: String) -> bool {
        let (Some(t), Some(merged)) = (self.llm.as_mut(), self.llm_merged.as_mut()) else { return false };
        let parts: Vec<(&LlmTable, i64)> = new
            .iter()
            .filter_map(|e| match &e.data {
                Cached::Llm(t, s) => Some((&**t, *s)),
                _ => None,
            })
            .collect();
        if parts.len() != new.len() {
            return false;
        }
        if parts.is_empty() {
            t.file = label;
            return true;
        }
        // Everything that can fail is checked before the table is touched.
        let newest = parts.iter().map(|p| p.1).max().expect("non-empty");
        let target = match merged.scale {
            Some(u) if u < newest => return false,
            Some(u) => u,
            None => newest,
        };
        let mut ts: Vec<Vec<i64>> = Vec::with_capacity(parts.len());
        for (p, scale) in &parts {
            let f = target / scale;
            if f == 1 {
                ts.push(Vec::new());
                continue;
            }
            match p.ts.iter().map(|x| x.checked_mul(f)).collect::<Option<Vec<i64>>>() {
                Some(v) => ts.push(v),
                None => return false,
            }
        }

        // Providers: the merged list stays sorted; a new name shifts the ids after it.
        let mut providers = t.providers.clone();
        for (p, _) in &parts {
            for n in &p.providers {
                if let Err(at) = providers.binary_search(n) {
                    providers.insert(at, n.clone());
                }
            }
        }
        if providers.len() != t.providers.len() {
            let remap: Vec<u32> =
                t.providers.iter().map(|n| providers.binary_search(n).expect("kept") as u32).collect();
            for id in t.provider.iter_mut() {
                *id = remap[*id as usize];
            }
            t.providers = providers;
        }

        let old_rows = t.len();
        // Sessions: (day, session id) pairs; continue the ids after the merged table's, in each
        // part's key order.
        let mut index = t.take_pair_index();
        let old_keys = &t.session_keys;
        let old_days = &t.session_day;
        let n_old = old_keys.len() as u32;
        let mut extra = arrow_array::builder::StringBuilder::new();
        let mut extra_days: Vec<i32> = Vec::new();
        fn text<'a>(old: &'a arrow_array::StringArray, extra: &'a arrow_array::builder::StringBuilder, n_old: u32, id: u32) -> &'a [u8] {
            if id < n_old {
                old.value(id as usize).as_bytes()
            } else {
                let o = extra.offsets_slice();
                let i = (id - n_old) as usize;
                &extra.values_slice()[o[i] as usize..o[i + 1] as usize]
            }
        }
        let day_of = |extra_days: &[i32], id: u32| if id < n_old { old_days[id as usize] } else { extra_days[(id - n_old) as usize] };
        for (i, (p, _)) in parts.iter().enumerate() {
            let keys = &p.session_keys;
            let remap: Vec<u32> = (0..keys.len())
                .map(|k| {
                    let (v, day) = (keys.value(k).as_bytes(), p.session_day[k]);
                    let h = session_hash(day, v);
                    match index.find(h, |&id| day_of(&extra_days, id) == day && text(old_keys, &extra, n_old, id) == v) {
                        Some(&id) => id,
                        None => {
                            let id = n_old + extra_days.len() as u32;
                            index.insert_unique(h, id, |&id| session_hash(day_of(&extra_days, id), text(old_keys, &extra, n_old, id)));
                            extra.append_value(keys.value(k));
                            extra_days.push(day);
                            id
                        }
                    }
                })
                .collect();
            t.session.extend(p.session.iter().map(|&s| if s == NO_SESSION { NO_SESSION } else { remap[s as usize] }));
            let map: Vec<u32> = p.providers.iter().map(|n| t.providers.binary_search(n).expect("added") as u32).collect();
            t.provider.extend(p.provider.iter().map(|&id| map[id as usize]));
            t.rows_read += p.rows_read;
            t.rows_dropped += p.rows_dropped;
            t.day.extend_from_slice(&p.day);
            t.ts.extend_from_slice(if ts[i].is_empty() { &p.ts } else { &ts[i] });
            t.latency.extend_from_slice(&p.latency);
            t.accuracy.extend_from_slice(&p.accuracy);
            t.tokens_in.extend_from_slice(&p.tokens_in);
            t.tokens_out.extend_from_slice(&p.tokens_out);
        }
        if !extra_days.is_empty() {
            let extra = extra.finish();
            t.session_keys = super::tables::join_strings(&t.session_keys, &extra);
            t.session_day.extend_from_slice(&extra_days);
        }
        t.session_index = std::sync::OnceLock::from(index);
        t.file = label;
        merged.parts.extend_from_slice(stamps);
        merged.scale = Some(target);
        #[cfg(test)]
        tests::APPENDS.with(|n| n.set(n.get() + 1));
        // Only the days the new rows touch are prepared again (see `DashboardIndex::append`);
        // the tickets match only the new (day, session) pairs (see `TicketIndex::update`).
        if FULL_PREPARE_ON_APPEND.load(std::sync::atomic::Ordering::Relaxed) {
            self.dashboard = DashboardIndex::build(t);
            self.attribute();
            return true;
        }
        self.dashboard.append(t, old_rows);
        if let Some(s) = &self.support {
            self.tickets.update(t, &self.dashboard, s);
        }
        true
    }

    /// Benchmarks only (`tests/refresh_cost.rs`): `true` makes the append paths of
    /// [`Dataset::load_cached`] rebuild the dashboard index and the ticket attribution over all
    /// rows (LLM and support parts appended), as before the per-day update, so both can be timed
    /// in one run. Process-wide; the
    /// facts are the same either way.
    #[doc(hidden)]
    pub fn set_full_prepare_on_append(on: bool) {
        FULL_PREPARE_ON_APPEND.store(on, std::sync::atomic::Ordering::Relaxed);
    }

    fn set_support(&mut self, t: SupportTable) {
        self.support = Some(t);
        self.attribute();
    }

    /// Replaces the support table with `t`; when `t` is the current table plus rows at the end
    /// (a refresh that appended support parts), the attribution goes through
    /// [`TicketIndex::extend_support`] (for now a full rebuild, see there); otherwise it is
    /// rebuilt.
    fn set_support_appended(&mut self, t: SupportTable) {
        let full = FULL_PREPARE_ON_APPEND.load(std::sync::atomic::Ordering::Relaxed);
        if !self.support.as_ref().is_some_and(|old| !full && support_starts_with(&t, old)) {
            return self.set_support(t);
        }
        #[cfg(test)]
        tests::SUPPORT_APPENDS.with(|n| n.set(n.get() + 1));
        let empty = LlmTable::default();
        self.tickets.extend_support(self.llm.as_ref().unwrap_or(&empty), &self.dashboard, &t);
        self.support = Some(t);
    }

    fn set_conversion(&mut self, t: ConversionTable) {
        self.conversions = ConversionIndex::build(&t);
        self.conversion = Some(t);
    }
}

/// True when `t`'s first rows are exactly `old`'s rows.
fn support_starts_with(t: &SupportTable, old: &SupportTable) -> bool {
    let k = old.ticket.len();
    k <= t.ticket.len()
        && t.by_agent[..k] == old.by_agent[..]
        && t.revenue[..k].iter().zip(&old.revenue).all(|(a, b)| a.to_bits() == b.to_bits())
        && t.ticket.slice(0, k) == old.ticket
}

/// Decoded parts by (table, key), so that a refresh decodes only what is new: insert the new or
/// changed parts (key = their manifest `sha256`, say), remove the gone ones, then
/// [`Dataset::load_cached`] with the current keys.
#[derive(Debug, Default)]
pub struct PartCache {
    parts: HashMap<(Table, String), Entry>,
}

#[derive(Debug)]
struct Entry {
    name: String,
    rows: u64,
    /// Unique over all caches and inserts, so a key re-inserted with other bytes is told apart.
    stamp: u64,
    data: Cached,
}

/// See [`Dataset::set_full_prepare_on_append`].
static FULL_PREPARE_ON_APPEND: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The next [`Entry::stamp`].
static NEXT_STAMP: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// What the dataset's LLM table was merged from by [`Dataset::load_cached`]: each part's key and
/// cache stamp in order, and the timestamps' common unit (ticks per second; `None` with no part).
#[derive(Debug, Default)]
pub(super) struct LlmMerged {
    parts: Vec<(String, u64)>,
    scale: Option<i64>,
}

#[derive(Debug)]
enum Cached {
    // Boxed: a table is ~10 times the size of the other variants.
    Llm(Box<LlmTable>, i64),
    Support(SupportTable),
    Conversion(ConversionTable),
}

impl PartCache {
    /// An empty cache.
    pub fn new() -> PartCache {
        PartCache::default()
    }

    /// Decodes `bytes` (a Parquet file called `name` in messages) as a part of `table` and keeps
    /// it under `key`, replacing what was there. On error nothing is stored and the error names
    /// `name`. Returns the part's row count.
    pub fn insert(&mut self, table: Table, key: &str, name: &str, bytes: Bytes) -> Result<u64, LoadError> {
        let (rows, data) = match table {
            Table::LlmEvents => {
                let scale = part_time_unit(&bytes);
                let t = LlmTable::load(name, bytes)?;
                (t.rows_read, Cached::Llm(Box::new(t), scale))
            }
            Table::SupportEvents => {
                let t = SupportTable::load(name, bytes)?;
                (t.rows_read, Cached::Support(t))
            }
            Table::ConversionEvents => {
                let t = ConversionTable::load(name, bytes)?;
                (t.rows_read, Cached::Conversion(t))
            }
        };
        let stamp = NEXT_STAMP.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.parts.insert((table, key.to_string()), Entry { name: name.to_string(), rows, stamp, data });
        Ok(rows)
    }

    /// Whether a part of `table` is stored under `key`.
    pub fn contains(&self, table: Table, key: &str) -> bool {
        self.parts.contains_key(&(table, key.to_string()))
    }

    /// Drops the part of `table` under `key`; true if there was one.
    pub fn remove(&mut self, table: Table, key: &str) -> bool {
        self.parts.remove(&(table, key.to_string())).is_some()
    }

    /// Keeps only the parts of `table` whose key is in `keys` (other tables untouched).
    pub fn retain(&mut self, table: Table, keys: &[&str]) {
        self.parts.retain(|(t, k), _| *t != table || keys.contains(&k.as_str()));
    }

    /// Keys stored for `table`, in no particular order.
    pub fn keys(&self, table: Table) -> Vec<&str> {
        self.parts.keys().filter(|(t, _)| *t == table).map(|(_, k)| k.as_str()).collect()
    }

    /// Rows read of the part of `table` under `key`, if stored.
    pub fn rows(&self, table: Table, key: &str) -> Option<u64> {
        self.parts.get(&(table, key.to_string())).map(|e| e.rows)
    }
}

fn label<'a>(table: Table, mut names: impl ExactSizeIterator<Item = &'a str>) -> String {
    match names.len() {
        1 => names.next().expect("one").to_string(),
        n => format!("{} ({n} parts)", table.name()),
    }
}

/// `created_at` ticks per second of a part (1, 1e3, 1e6 or 1e9), from the type the decoder
/// gives it ([`super::decode::column_type`]); 1 when unreadable or absent (the load then refuses
/// the part).
fn part_time_unit(bytes: &Bytes) -> i64 {
    use arrow_schema::{DataType, TimeUnit};
    let Ok(Ok(meta)) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        parquet::file::metadata::ParquetMetaDataReader::new().parse_and_finish(bytes)
    })) else {
        return 1;
    };
    match super::decode::column_type(&meta, "created_at") {
        Some(DataType::Timestamp(TimeUnit::Millisecond, _)) => 1_000,
        Some(DataType::Timestamp(TimeUnit::Microsecond, _)) => 1_000_000,
        Some(DataType::Timestamp(TimeUnit::Nanosecond, _)) => 1_000_000_000,
        _ => 1,
    }
}

/// Concatenates normalised LLM parts: providers and sessions interned over all parts (one
/// persistent map, so n parts cost O(rows), not O(rows × n)), timestamps on the finest unit seen.
struct LlmMerger {
    t: LlmTable,
    scale: Option<i64>,
    provider_ids: FxHashMap<String, u32>,
    provider_names: Vec<String>,
    /// Per day: session id → merged id of the (day, session id) pair.
    session_ids: FxHashMap<i32, FxHashMap<Box<str>, u32>>,
    session_keys: arrow_array::builder::StringBuilder,
}

impl LlmMerger {
    fn new(file: String) -> LlmMerger {
        LlmMerger {
            t: LlmTable { file, ..Default::default() },
            scale: None,
            provider_ids: FxHashMap::default(),
            provider_names: Vec::new(),
            session_ids: FxHashMap::default(),
            session_keys: arrow_array::builder::StringBuilder::new(),
        }
    }

    /// Appends part `p` (timestamps at `scale` ticks/s); errors name `name`.
    fn push(&mut self, p: &LlmTable, scale: i64, name: &str) -> Result<(), LoadError> {
        let out_of_range = || LoadError::Corrupt {
            file: name.to_string(),
            detail: "column created_at: timestamps cannot be put on one unit with the other parts' (out of range)".into(),
        };
        // Timestamps: one unit for all rows (only their order matters: ticket attribution).
        let target = self.scale.map_or(scale, |u| u.max(scale));
        let up = |v: &[i64], f: i64| -> Result<Vec<i64>, LoadError> { v.iter().map(|x| x.checked_mul(f).ok_or_else(out_of_range)).collect() };
        let ts = if target == scale { p.ts.clone() } else { up(&p.ts, target / scale)? };
        if let Some(u) = self.scale
            && u < target
        {
            self.t.ts = up(&self.t.ts, target / u)?;
        }
        self.scale = Some(target);

        // Providers: ids in order of first appearance here; sorted in finish().
        let map: Vec<u32> = p
            .providers
            .iter()
            .map(|n| match self.provider_ids.get(n) {
                Some(&id) => id,
                None => {
                    let id = self.provider_names.len() as u32;
                    self.provider_names.push(n.clone());
                    self.provider_ids.insert(n.clone(), id);
                    id
                }
            })
            .collect();
        self.t.provider.extend(p.provider.iter().map(|&i| map[i as usize]));

        // Sessions.
        let keys = &p.session_keys;
        let remap: Vec<u32> = (0..keys.len())
            .map(|i| {
                let (k, day) = (keys.value(i), p.session_day[i]);
                let ids = self.session_ids.entry(day).or_default();
                match ids.get(k) {
                    Some(&id) => id,
                    None => {
                        let id = self.t.session_day.len() as u32;
                        ids.insert(k.into(), id);
                        self.session_keys.append_value(k);
                        self.t.session_day.push(day);
                        id
                    }
                }
            })
            .collect();
        self.t.session.extend(p.session.iter().map(|&s| if s == NO_SESSION { NO_SESSION } else { remap[s as usize] }));

        let t = &mut self.t;
        t.rows_read += p.rows_read;
        t.rows_dropped += p.rows_dropped;
        t.day.extend_from_slice(&p.day);
        t.ts.extend_from_slice(&ts);
        t.latency.extend_from_slice(&p.latency);
        t.accuracy.extend_from_slice(&p.accuracy);
        t.tokens_in.extend_from_slice(&p.tokens_in);
        t.tokens_out.extend_from_slice(&p.tokens_out);
        Ok(())
    }

    /// The merged table, providers sorted by byte order as a single file's would be.
    fn finish(mut self) -> LlmTable {
        let mut order: Vec<u32> = (0..self.provider_names.len() as u32).collect();
        order.sort_by(|&a, &b| self.provider_names[a as usize].as_bytes().cmp(self.provider_names[b as usize].as_bytes()));
        let mut remap = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = new as u32;
        }
        for p in self.t.provider.iter_mut() {
            *p = remap[*p as usize];
        }
        self.t.providers = order.iter().map(|&o| std::mem::take(&mut self.provider_names[o as usize])).collect();
        self.t.session_keys = self.session_keys.finish();
        self.t
    }
}

fn append_conversion(acc: &mut ConversionTable, t: &ConversionTable) {
    acc.rows_read += t.rows_read;
    acc.rows_dropped += t.rows_dropped;
    acc.day.extend_from_slice(&t.day);
    acc.arm.extend_from_slice(&t.arm);
    acc.converted.extend_from_slice(&t.converted);
}

fn concat_support<'a>(label: String, parts: impl Iterator<Item = &'a SupportTable> + Clone) -> Result<SupportTable, LoadError> {
    let (rows, bytes) = parts.clone().fold((0, 0), |(r, b), p| (r + p.ticket.len(), b + p.ticket.values().len()));
    let mut builder = arrow_array::builder::StringBuilder::with_capacity(rows, bytes);
    for p in parts.clone() {
        builder.extend(p.ticket.iter());
    }
    let ticket = builder.finish();
    Ok(SupportTable {
        rows_read: parts.clone().map(|p| p.rows_read).sum(),
        by_agent: parts.clone().flat_map(|p| p.by_agent.iter().copied()).collect(),
        revenue: parts.flat_map(|p| p.revenue.iter().copied()).collect(),
        ticket,
        file: label,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Query;
    use crate::facts::dashboard_csv;
    use crate::generate::{GenerateOptions, generate};
    use arrow_array::RecordBatch;
    use arrow_schema::{DataType, Field, Schema, TimeUnit};
    use parquet::arrow::ArrowWriter;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use std::sync::Arc;

    fn read(bytes: &[u8]) -> RecordBatch {
        let r = ParquetRecordBatchReaderBuilder::try_new(Bytes::copy_from_slice(bytes)).unwrap().build().unwrap();
        let batches: Vec<RecordBatch> = r.map(Result::unwrap).collect();
        arrow_select::concat::concat_batches(&batches[0].schema(), &batches).unwrap()
    }

    /// `batch` with `created_at` cast to `unit` (naive, no time zone), as Parquet.
    fn write_as(batch: &RecordBatch, unit: TimeUnit) -> Bytes {
        let i = batch.schema().index_of("created_at").unwrap();
        let mut fields: Vec<Field> = batch.schema().fields().iter().map(|f| f.as_ref().clone()).collect();
        let to = DataType::Timestamp(unit, None);
        fields[i] = Field::new("created_at", to.clone(), true);
        let mut cols = batch.columns().to_vec();
        cols[i] = arrow_cast::cast(&cols[i], &to).unwrap();
        let b = RecordBatch::try_new(Arc::new(Schema::new(fields)), cols).unwrap();
        let mut out = Vec::new();
        let mut w = ArrowWriter::try_new(&mut out, b.schema(), None).unwrap();
        w.write(&b).unwrap();
        w.close().unwrap();
        Bytes::from(out)
    }

    /// Parts written in different timestamp units (µs and ns, naive and UTC) combine exactly:
    /// sessions split across parts are attributed by their true first call.
    #[test]
    fn parts_in_different_units_and_orders_give_the_single_files_facts() {
        let o = GenerateOptions { days: 9, seed: 3, events_per_day: 150, end: chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap() };
        let s = generate(&o).unwrap();
        let mut single = Dataset::new();
        for (t, b) in s.files() {
            single.load(t, t.file_name(), Bytes::copy_from_slice(b)).unwrap();
        }
        let llm = read(&s.llm);
        let n = llm.num_rows();
        // Interleave: odd rows in ns, even rows in µs — sessions straddle the parts.
        let odd = arrow_array::UInt32Array::from_iter_values((0..n as u32).filter(|i| i % 2 == 1));
        let even = arrow_array::UInt32Array::from_iter_values((0..n as u32).filter(|i| i % 2 == 0));
        let a = write_as(&arrow_select::take::take_record_batch(&llm, &odd).unwrap(), TimeUnit::Nanosecond);
        let b = write_as(&arrow_select::take::take_record_batch(&llm, &even).unwrap(), TimeUnit::Microsecond);
        let support = Bytes::copy_from_slice(&s.support);
        let conv = Bytes::copy_from_slice(&s.conversion);
        let q = Query::default();
        for order in [[("ns", a.clone()), ("us", b.clone())], [("us", b.clone()), ("ns", a.clone())]] {
            let mut ds = Dataset::new();
            ds.load_parts(Table::SupportEvents, &[("s", support.clone())]).unwrap();
            let r = ds.load_parts(Table::LlmEvents, &order).unwrap();
            assert_eq!((r.rows_read, r.file.as_str()), (n as u64, "raw_llm_events (2 parts)"));
            ds.load_parts(Table::ConversionEvents, &[("c", conv.clone())]).unwrap();
            let (x, y) = (ds.dashboard_facts(&q), single.dashboard_facts(&q));
            // Rows regrouped: sums may associate differently; counts, tickets and order are exact.
            assert_eq!(x.len(), y.len());
            for (x, y) in x.iter().zip(&y) {
                assert_eq!((x.event_date, &x.provider, x.events, x.sessions, x.tickets, x.tickets_resolved_by_agent),
                           (y.event_date, &y.provider, y.events, y.sessions, y.tickets, y.tickets_resolved_by_agent));
                assert_eq!((x.latency_p50_ms, x.latency_p95_ms, x.tokens_total), (y.latency_p50_ms, y.latency_p95_ms, y.tokens_total));
                assert!((x.revenue_from_ai - y.revenue_from_ai).abs() < 1e-9);
                let acc = |v: Option<f64>, w: Option<f64>| v.zip(w).is_none_or(|(v, w)| (v - w).abs() < 1e-12);
                assert!(acc(x.accuracy_daily, y.accuracy_daily) && acc(x.accuracy_rolling_7d, y.accuracy_rolling_7d));
            }
            assert_eq!(ds.report().tables[1].unmatched_tickets, single.report().tables[1].unmatched_tickets);
        }
    }

    /// One LLM call as a one-row Parquet file, `created_at` at `secs` in `unit`.
    fn call(session: &str, provider: &str, secs: i64, unit: TimeUnit) -> Bytes {
        use arrow_array::{ArrayRef, Int64Array, StringArray, TimestampMicrosecondArray};
        let us: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![secs * 1_000_000]));
        let cols: Vec<(&str, ArrayRef)> = vec![
            ("session_id", Arc::new(StringArray::from(vec![session]))),
            ("provider", Arc::new(StringArray::from(vec![provider]))),
            ("response_time_ms", Arc::new(Int64Array::from(vec![100]))),
            ("tokens_input", Arc::new(Int64Array::from(vec![1]))),
            ("tokens_output", Arc::new(Int64Array::from(vec![1]))),
            ("created_at", us),
        ];
        write_as(&RecordBatch::try_from_iter(cols).unwrap(), unit)
    }

    /// A session whose calls straddle midnight, in parts of different units: the ticket goes to
    /// the true first call (day 1, provider B) whatever the parts' order and units.
    #[test]
    fn attribution_across_parts_compares_instants_not_raw_numbers() {
        use arrow_array::{ArrayRef, Float64Array, StringArray};
        let midnight = 1_780_000_000 / 86_400 * 86_400 + 86_400;
        let cols: Vec<(&str, ArrayRef)> = vec![
            ("ticket_id", Arc::new(StringArray::from(vec!["s1"]))),
            ("resolved_by", Arc::new(StringArray::from(vec!["agent"]))),
            ("revenue_generated", Arc::new(Float64Array::from(vec![5.0]))),
        ];
        let b = RecordBatch::try_from_iter(cols).unwrap();
        let mut support = Vec::new();
        let mut w = ArrowWriter::try_new(&mut support, b.schema(), None).unwrap();
        w.write(&b).unwrap();
        w.close().unwrap();
        let support = Bytes::from(support);
        let first = call("s1", "B", midnight - 60, TimeUnit::Nanosecond);
        let later = call("s1", "A", midnight + 60, TimeUnit::Second);
        let day1 = chrono::DateTime::from_timestamp(midnight - 60, 0).unwrap().date_naive();
        for parts in [[("n", first.clone()), ("s", later.clone())], [("s", later.clone()), ("n", first.clone())]] {
            let mut ds = Dataset::new();
            ds.load_parts(Table::LlmEvents, &parts).unwrap();
            ds.load_parts(Table::SupportEvents, &[("t", support.clone())]).unwrap();
            let f = ds.dashboard_facts(&Query::default());
            let with_ticket: Vec<(chrono::NaiveDate, &str)> =
                f.iter().filter(|r| r.tickets > 0).map(|r| (r.event_date, r.provider.as_str())).collect();
            assert_eq!(with_ticket, vec![(day1, "B")]);
            assert_eq!(f.len(), 2);
        }
    }

    /// A refresh through the cache (decode only the new part, re-merge) gives the same facts as
    /// loading every part afresh; a key not cached is an error naming it.
    #[test]
    fn cached_parts_give_the_same_facts_as_a_fresh_load() {
        let o = GenerateOptions { days: 8, seed: 4, events_per_day: 90, end: chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap() };
        let parts = crate::generate::generate_partitioned(&o).unwrap();
        let q = Query::default();
        let mut cache = PartCache::new();
        let mut cached = Dataset::new();
        // Day by day, as a poller would see them arrive.
        for n in 1..=8 {
            let mut fresh = Dataset::new();
            for t in Table::ALL {
                let mine: Vec<(String, Bytes)> = parts
                    .iter()
                    .filter(|p| p.table == t)
                    .take(n)
                    .map(|p| (crate::manifest::sha256_hex(&p.bytes), Bytes::from(p.bytes.clone())))
                    .collect();
                for (k, b) in &mine {
                    if !cache.contains(t, k) {
                        cache.insert(t, k, k, b.clone()).unwrap();
                    }
                }
                let keys: Vec<&str> = mine.iter().map(|(k, _)| k.as_str()).collect();
                cache.retain(t, &keys);
                assert_eq!(cache.keys(t).len(), keys.len());
                cached.load_cached(t, &cache, &keys).unwrap();
                let refs: Vec<(&str, Bytes)> = mine.iter().map(|(k, b)| (k.as_str(), b.clone())).collect();
                fresh.load_parts(t, &refs).unwrap();
            }
            assert_eq!(dashboard_csv(&cached.dashboard_facts(&q)), dashboard_csv(&fresh.dashboard_facts(&q)), "after {n} days");
            assert_eq!(cached.report(), fresh.report());
            assert_eq!(
                crate::facts::conversion_csv(&cached.conversion_facts(&q)),
                crate::facts::conversion_csv(&fresh.conversion_facts(&q))
            );
        }
        let e = cached.load_cached(Table::LlmEvents, &cache, &["nope"]).unwrap_err().to_string();
        assert!(e.starts_with("nope: "), "{e}");
        let k: String = cache.keys(Table::LlmEvents)[0].into();
        assert!(cache.remove(Table::LlmEvents, &k));
        assert!(!cache.contains(Table::LlmEvents, &k));
    }

    #[test]
    fn a_bad_part_names_itself_and_leaves_the_dataset_unchanged() {
        let o = GenerateOptions { days: 3, seed: 1, events_per_day: 40, end: chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap() };
        let s = generate(&o).unwrap();
        let mut ds = Dataset::new();
        ds.load_parts(Table::LlmEvents, &[("good.parquet", Bytes::copy_from_slice(&s.llm))]).unwrap();
        let before = dashboard_csv(&ds.dashboard_facts(&Query::default()));
        let mut cut = s.llm.clone();
        cut.truncate(cut.len() / 2);
        let e = ds
            .load_parts(Table::LlmEvents, &[("good.parquet", Bytes::copy_from_slice(&s.llm)), ("dt=x/part-1.parquet", Bytes::from(cut))])
            .unwrap_err();
        assert!(e.to_string().starts_with("dt=x/part-1.parquet: "), "{e}");
        assert_eq!(dashboard_csv(&ds.dashboard_facts(&Query::default())), before);
        // No parts: an empty table.
        ds.load_parts(Table::LlmEvents, &[]).unwrap();
        assert!(ds.dashboard_facts(&Query::default()).is_empty());
    }

    thread_local! {
        /// Appends done by the fast path on this thread (tests run one per thread).
        pub(super) static APPENDS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    fn appends() -> usize {
        APPENDS.with(|n| n.get())
    }

    thread_local! {
        /// Support loads that only looked up appended rows, on this thread.
        pub(super) static SUPPORT_APPENDS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    /// Support parts appended through `load_cached` are attributed without looking up the old
    /// rows again (`TicketIndex::extend_support`), LLM parts appended meanwhile too
    /// (`TicketIndex::update`): the facts and the report (unmatched tickets) equal a fresh load
    /// at every step; a reordered or removed support part rebuilds the attribution.
    #[test]
    fn appended_support_parts_attribute_only_the_new_rows() {
        let p = pool();
        let mut cache = PartCache::new();
        let sname = |i: usize| format!("support-{i}.parquet");
        let lname = |i: usize| format!("part-{i}.parquet");
        for (i, b) in p.support.iter().enumerate() {
            cache.insert(Table::SupportEvents, &format!("s{i}"), &sname(i), b.clone()).unwrap();
        }
        for (i, b) in p.llm.iter().enumerate() {
            cache.insert(Table::LlmEvents, &format!("k{i}"), &lname(i), b.clone()).unwrap();
        }
        assert!(p.support.len() >= 4, "{} support parts", p.support.len());
        let fresh = |llm: &[usize], sup: &[usize]| {
            let mut ds = Dataset::new();
            let l: Vec<(String, Bytes)> = llm.iter().map(|&i| (lname(i), p.llm[i].clone())).collect();
            let s: Vec<(String, Bytes)> = sup.iter().map(|&i| (sname(i), p.support[i].clone())).collect();
            ds.load_parts(Table::LlmEvents, &l.iter().map(|(n, b)| (n.as_str(), b.clone())).collect::<Vec<_>>()).unwrap();
            ds.load_parts(Table::SupportEvents, &s.iter().map(|(n, b)| (n.as_str(), b.clone())).collect::<Vec<_>>()).unwrap();
            ds
        };
        let keys = |prefix: &str, ix: &[usize]| ix.iter().map(|i| format!("{prefix}{i}")).collect::<Vec<_>>();
        let mut ds = Dataset::new();
        let step = |ds: &mut Dataset, llm: &[usize], sup: &[usize]| {
            let (l, s) = (keys("k", llm), keys("s", sup));
            ds.load_cached(Table::LlmEvents, &cache, &l.iter().map(String::as_str).collect::<Vec<_>>()).unwrap();
            ds.load_cached(Table::SupportEvents, &cache, &s.iter().map(String::as_str).collect::<Vec<_>>()).unwrap();
            let want = fresh(llm, sup);
            assert_eq!(all_facts(ds), all_facts(&want), "llm {llm:?} support {sup:?}");
        };
        let n0 = SUPPORT_APPENDS.with(|n| n.get());
        step(&mut ds, &[0, 1, 2], &[0, 1]);
        assert_eq!(SUPPORT_APPENDS.with(|n| n.get()), n0, "a first support load attributes every row");
        // Support appended (tickets of sessions not loaded yet stay unmatched), then LLM parts
        // appended that match some of them, then both.
        step(&mut ds, &[0, 1, 2], &[0, 1, 3]);
        step(&mut ds, &[0, 1, 2, 3, 4], &[0, 1, 3]);
        step(&mut ds, &[0, 1, 2, 3, 4, 9], &[0, 1, 3, 2]);
        assert_eq!(SUPPORT_APPENDS.with(|n| n.get()), n0 + 3, "unchanged and appended support lists take the append path");
        // Reordered, then removed: full attribution, same facts.
        step(&mut ds, &[0, 1, 2, 3, 4, 9], &[0, 3, 1, 2]);
        step(&mut ds, &[0, 1, 2, 3, 4, 9], &[3, 1, 2]);
        assert_eq!(SUPPORT_APPENDS.with(|n| n.get()), n0 + 3);
        step(&mut ds, &[0, 1, 2, 3, 4, 9], &[3, 1, 2, 0]);
        assert_eq!(SUPPORT_APPENDS.with(|n| n.get()), n0 + 4);
    }

    /// Asserts `a` and `b` are the same table: same ids (providers, sessions), same columns bit
    /// for bit, same session lookups.
    fn assert_same_table(a: &LlmTable, b: &LlmTable) {
        assert_eq!((&a.file, a.rows_read, a.rows_dropped), (&b.file, b.rows_read, b.rows_dropped));
        assert_eq!(a.providers, b.providers);
        assert_eq!(a.provider, b.provider);
        assert_eq!(a.day, b.day);
        assert_eq!(a.ts, b.ts);
        assert_eq!(a.session, b.session);
        assert_eq!(a.session_keys, b.session_keys);
        assert_eq!(a.session_day, b.session_day);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a.latency), bits(&b.latency));
        assert_eq!(bits(&a.accuracy), bits(&b.accuracy));
        assert_eq!((&a.tokens_in, &a.tokens_out), (&b.tokens_in, &b.tokens_out));
        for i in 0..b.session_keys.len() {
            let (k, day) = (b.session_keys.value(i), b.session_day[i]);
            assert_eq!(a.session_on(day, k), Some(i as u32), "session {k} on day {day}");
            assert_eq!(a.session_on(day + 1000, k), None, "session {k} on another day");
        }
        assert_eq!(a.session_on(0, "no such session"), None);
    }

    type Facts = (String, String, String, crate::load::LoadReport);

    fn all_facts(ds: &Dataset) -> Facts {
        let q = Query::default();
        (
            dashboard_csv(&ds.dashboard_facts(&q)),
            dashboard_csv(&ds.daily_totals(&q)),
            crate::facts::conversion_csv(&ds.conversion_facts(&q)),
            ds.report(),
        )
    }

    /// LLM parts to draw from: day parts of two generated snapshots (µs; sessions of the same
    /// name in both), one-row parts with new providers sorting first and last (ms, s), a part in
    /// ns (appending it rescales: full merge), and one in s far in the future (with an ns part:
    /// out of range, an error); plus the support and conversion parts of the first snapshot.
    struct Pool {
        llm: Vec<Bytes>,
        support: Vec<Bytes>,
        conversion: Vec<Bytes>,
    }

    fn pool() -> &'static Pool {
        static POOL: std::sync::OnceLock<Pool> = std::sync::OnceLock::new();
        POOL.get_or_init(|| {
            let end = chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
            let a = crate::generate::generate_partitioned(&GenerateOptions { days: 5, seed: 5, events_per_day: 30, end }).unwrap();
            let b = crate::generate::generate_partitioned(&GenerateOptions { days: 3, seed: 6, events_per_day: 20, end }).unwrap();
            let of = |v: &[crate::generate::DayPart], t: Table| -> Vec<Bytes> {
                v.iter().filter(|p| p.table == t).map(|p| Bytes::from(p.bytes.clone())).collect()
            };
            let mut llm = of(&a, Table::LlmEvents);
            llm.extend(of(&b, Table::LlmEvents));
            let t0 = chrono::NaiveDate::from_ymd_opt(2026, 4, 28).unwrap().and_hms_opt(12, 0, 0).unwrap().and_utc().timestamp();
            llm.push(call("brand-new-session", "AAA-first", t0, TimeUnit::Millisecond));
            llm.push(call("brand-new-session", "zzz-last", t0 + 60, TimeUnit::Second));
            llm.push(write_as(&read(&llm[1]), TimeUnit::Nanosecond));
            llm.push(call("future", "AAA-first", 100_000_000_000, TimeUnit::Second));
            Pool { llm, support: of(&a, Table::SupportEvents), conversion: of(&a, Table::ConversionEvents) }
        })
    }

    /// A dataset with the pool's support and conversion parts loaded.
    fn base() -> Dataset {
        let p = pool();
        let mut ds = Dataset::new();
        let named = |v: &[Bytes]| v.iter().enumerate().map(|(i, b)| (format!("p{i}"), b.clone())).collect::<Vec<_>>();
        for (t, v) in [(Table::SupportEvents, &p.support), (Table::ConversionEvents, &p.conversion)] {
            let n = named(v);
            let refs: Vec<(&str, Bytes)> = n.iter().map(|(k, b)| (k.as_str(), b.clone())).collect();
            ds.load_parts(t, &refs).unwrap();
        }
        ds
    }

    /// Appending parts merges only them (the fast path runs), with the full merge's table; a
    /// finer unit, a removed or reordered part, a key re-inserted with other bytes, or a table
    /// loaded another way go through the full merge; an append that fails leaves the dataset and
    /// its merge state as they were.
    #[test]
    fn appending_parts_merges_only_them_with_the_full_merges_result() {
        let p = pool();
        let mut cache = PartCache::new();
        for (i, b) in p.llm.iter().enumerate() {
            cache.insert(Table::LlmEvents, &format!("k{i}"), &format!("part-{i}.parquet"), b.clone()).unwrap();
        }
        let keys: Vec<String> = (0..p.llm.len()).map(|i| format!("k{i}")).collect();
        let k = |ix: &[usize]| ix.iter().map(|&i| keys[i].as_str()).collect::<Vec<_>>();
        let fresh = |ix: &[usize]| {
            let mut ds = base();
            let named: Vec<(String, Bytes)> = ix.iter().map(|&i| (format!("part-{i}.parquet"), p.llm[i].clone())).collect();
            let refs: Vec<(&str, Bytes)> = named.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
            ds.load_parts(Table::LlmEvents, &refs).map(|_| ds)
        };
        let mut ds = base();
        let check = |ds: &Dataset, ix: &[usize]| {
            let f = fresh(ix).unwrap();
            assert_same_table(ds.llm.as_ref().unwrap(), f.llm.as_ref().unwrap());
            assert_eq!(all_facts(ds), all_facts(&f), "{ix:?}");
        };
        let n0 = appends();
        ds.load_cached(Table::LlmEvents, &cache, &k(&[0, 1])).unwrap();
        assert_eq!(appends(), n0, "a first load merges");
        ds.load_cached(Table::LlmEvents, &cache, &k(&[0, 1, 2, 5])).unwrap();
        check(&ds, &[0, 1, 2, 5]);
        ds.load_cached(Table::LlmEvents, &cache, &k(&[0, 1, 2, 5, 8, 9, 3])).unwrap();
        check(&ds, &[0, 1, 2, 5, 8, 9, 3]);
        assert_eq!(appends(), n0 + 2, "two appends");
        // The ns part: the merged rows would be rescaled, so a full merge.
        ds.load_cached(Table::LlmEvents, &cache, &k(&[0, 1, 2, 5, 8, 9, 3, 10])).unwrap();
        check(&ds, &[0, 1, 2, 5, 8, 9, 3, 10]);
        assert_eq!(appends(), n0 + 2);
        // Then the far-future seconds part cannot be put on ns: an error naming it, nothing changed.
        let before = all_facts(&ds);
        let e = ds.load_cached(Table::LlmEvents, &cache, &k(&[0, 1, 2, 5, 8, 9, 3, 10, 11])).unwrap_err().to_string();
        let expected = fresh(&[0, 1, 2, 5, 8, 9, 3, 10, 11]).err().unwrap().to_string();
        assert_eq!(e, expected);
        assert!(e.starts_with("part-11.parquet: "), "{e}");
        assert_eq!(all_facts(&ds), before);
        check(&ds, &[0, 1, 2, 5, 8, 9, 3, 10]);
        // …and the merge state still resumes from the last good table.
        ds.load_cached(Table::LlmEvents, &cache, &k(&[0, 1, 2, 5, 8, 9, 3, 10, 4])).unwrap();
        check(&ds, &[0, 1, 2, 5, 8, 9, 3, 10, 4]);
        assert_eq!(appends(), n0 + 3);
        // Removed / reordered: full merges; then appending to them works again.
        ds.load_cached(Table::LlmEvents, &cache, &k(&[1, 2, 4])).unwrap();
        check(&ds, &[1, 2, 4]);
        ds.load_cached(Table::LlmEvents, &cache, &k(&[2, 1, 4])).unwrap();
        check(&ds, &[2, 1, 4]);
        assert_eq!(appends(), n0 + 3);
        ds.load_cached(Table::LlmEvents, &cache, &k(&[2, 1, 4, 6])).unwrap();
        check(&ds, &[2, 1, 4, 6]);
        assert_eq!(appends(), n0 + 4);
        // A key re-inserted with other bytes: not the table merged before.
        cache.insert(Table::LlmEvents, "k6", "part-7.parquet", p.llm[7].clone()).unwrap();
        ds.load_cached(Table::LlmEvents, &cache, &k(&[2, 1, 4, 6, 0])).unwrap();
        check(&ds, &[2, 1, 4, 7, 0]);
        assert_eq!(appends(), n0 + 4);
        cache.insert(Table::LlmEvents, "k6", "part-6.parquet", p.llm[6].clone()).unwrap();
        // The same keys again: nothing to do, still the same table.
        ds.load_cached(Table::LlmEvents, &cache, &k(&[2, 1, 4, 6])).unwrap();
        check(&ds, &[2, 1, 4, 6]);
        ds.load_cached(Table::LlmEvents, &cache, &k(&[2, 1, 4, 6])).unwrap();
        check(&ds, &[2, 1, 4, 6]);
        // A table loaded from a file in between: the next load_cached merges everything.
        ds.load(Table::LlmEvents, "part-0.parquet", p.llm[0].clone()).unwrap();
        let n1 = appends();
        ds.load_cached(Table::LlmEvents, &cache, &k(&[2, 1, 4, 6, 3])).unwrap();
        check(&ds, &[2, 1, 4, 6, 3]);
        assert_eq!(appends(), n1);
    }

    /// Property tests (native only: proptest is a native dev-dependency).
    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

            /// Random sequences of LLM key lists — parts appended (the fast path), removed,
            /// replaced by another part, swapped, a key re-inserted with other bytes — loaded in
            /// turn with `load_cached` (the cache kept to the listed keys, as a refresh does): after
            /// every step the table, the facts, the daily totals, the conversion facts and the
            /// report equal a fresh `load_parts` of the same parts; a step that fails fails the
            /// same way and leaves the last good state.
            #[test]
            fn stepwise_cached_loads_equal_fresh_loads(ops in prop::collection::vec((0u8..6, 0usize..64, 0usize..64), 1..14)) {
                let p = pool();
                let n = p.llm.len();
                let mut cache = PartCache::new();
                let mut ds = base();
                let mut good = base();
                // Listed keys, and the pool part each key holds now.
                let mut cur: Vec<String> = Vec::new();
                let mut content: HashMap<String, usize> = HashMap::new();
                let mut next_key = 0usize;
                let mut new_key = |content: &mut HashMap<String, usize>, part: usize| {
                    next_key += 1;
                    let k = format!("key{next_key}");
                    content.insert(k.clone(), part);
                    k
                };
                for (op, a, b) in ops {
                    let mut list = cur.clone();
                    match op {
                        0 | 1 => {
                            for j in 0..=(b % 3) {
                                list.push(new_key(&mut content, (a + j) % n));
                            }
                        }
                        2 if !list.is_empty() => {
                            let i = a % list.len();
                            list.remove(i);
                        }
                        3 if !list.is_empty() => {
                            let i = a % list.len();
                            list[i] = new_key(&mut content, b % n);
                        }
                        4 if !list.is_empty() => {
                            let (i, j) = (a % list.len(), b % list.len());
                            list.swap(i, j);
                        }
                        5 if !list.is_empty() => {
                            // The same key, other bytes (a cache used with unstable keys).
                            let key = list[a % list.len()].clone();
                            content.insert(key.clone(), b % n);
                            cache.remove(Table::LlmEvents, &key);
                        }
                        _ => {}
                    }
                    for key in &list {
                        if !cache.contains(Table::LlmEvents, key) {
                            let part = content[key];
                            cache.insert(Table::LlmEvents, key, &format!("part-{part}.parquet"), p.llm[part].clone()).unwrap();
                        }
                    }
                    let keys: Vec<&str> = list.iter().map(String::as_str).collect();
                    let got = ds.load_cached(Table::LlmEvents, &cache, &keys);
                    let mut fresh = base();
                    let named: Vec<(String, Bytes)> = list.iter().map(|k| (format!("part-{}.parquet", content[k]), p.llm[content[k]].clone())).collect();
                    let refs: Vec<(&str, Bytes)> = named.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
                    let want = fresh.load_parts(Table::LlmEvents, &refs);
                    match (got, want) {
                        (Ok(r), Ok(w)) => {
                            prop_assert_eq!(r, w);
                            assert_same_table(ds.llm.as_ref().unwrap(), fresh.llm.as_ref().unwrap());
                            prop_assert_eq!(all_facts(&ds), all_facts(&fresh));
                            cur = list;
                            good = fresh;
                        }
                        (Err(e), Err(w)) => {
                            prop_assert_eq!(e.to_string(), w.to_string());
                            prop_assert_eq!(all_facts(&ds), all_facts(&good));
                            if let (Some(a), Some(b)) = (ds.llm.as_ref(), good.llm.as_ref()) {
                                assert_same_table(a, b);
                            }
                        }
                        (g, w) => prop_assert!(false, "cached {:?} vs fresh {:?}", g.map(|_| ()), w.map(|_| ())),
                    }
                    let keep: Vec<&str> = cur.iter().map(String::as_str).collect();
                    cache.retain(Table::LlmEvents, &keep);
                }
            }
        }
    }
}
