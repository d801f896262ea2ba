//! The three tables, normalised to plain columns the models scan without allocating:
//! providers as u32 ids into a sorted name list, days as i32 days since 1970-01-01 (UTC),
//! (day, session id) pairs interned to u32, numbers as f64/i64 with NaN for a null float.

use super::convert::{Text, bool_into, f64_into, i64_into, timestamps};
use super::decode::{Parts, Reader, decode_parts};
use super::par;
use crate::contract::Table;
use crate::error::LoadError;
use arrow_array::{Array, ArrayRef, StringArray};
use arrow_buffer::NullBuffer;
use rustc_hash::FxHashMap;

/// Session id of a row whose `session_id` is null (it belongs to no session).
pub(crate) const NO_SESSION: u32 = u32::MAX;

/// Provider name used for a null `provider`.
pub(crate) const UNKNOWN_PROVIDER: &str = "unknown";

/// `raw_llm_events`, rows with a null `created_at` dropped.
#[derive(Debug, Clone)]
pub(crate) struct LlmTable {
    pub file: String,
    pub rows_read: u64,
    pub rows_dropped: u64,
    /// Distinct providers, sorted by byte order; `provider[i]` indexes it.
    pub providers: Vec<String>,
    pub provider: Vec<u32>,
    /// UTC day of `created_at`, days since 1970-01-01.
    pub day: Vec<i32>,
    /// `created_at` in the file's unit (comparable within this table only).
    pub ts: Vec<i64>,
    /// Interned (day, session id) pair, or [`NO_SESSION`]: the rows of one session on one UTC
    /// day share an id; the same session id on another day has another id.
    pub session: Vec<u32>,
    /// The session id (text) of each interned pair, indexed by id. A text appears once per day.
    pub session_keys: StringArray,
    /// The day of each interned pair, indexed by id.
    pub session_day: Vec<i32>,
    /// Interned ids by [`session_hash`] of their (day, text), built when first needed (only
    /// appending parts needs it: [`LlmTable::take_pair_index`]).
    pub session_index: std::sync::OnceLock<hashbrown::HashTable<u32>>,
    /// `response_time_ms`; NaN = null.
    pub latency: Vec<f64>,
    /// `accuracy`; NaN = null.
    pub accuracy: Vec<f64>,
    /// Token counts, null as 0.
    pub tokens_in: Vec<i64>,
    pub tokens_out: Vec<i64>,
}

/// `raw_support_events` (all rows; `created_at` is not used).
#[derive(Debug, Clone)]
pub(crate) struct SupportTable {
    pub file: String,
    pub rows_read: u64,
    /// `ticket_id` as text (null kept as null).
    pub ticket: StringArray,
    /// `resolved_by = 'agent'`.
    pub by_agent: Vec<bool>,
    /// `revenue_generated`, null as 0.
    pub revenue: Vec<f64>,
}

impl Default for LlmTable {
    fn default() -> Self {
        LlmTable {
            file: String::new(),
            rows_read: 0,
            rows_dropped: 0,
            providers: Vec::new(),
            provider: Vec::new(),
            day: Vec::new(),
            ts: Vec::new(),
            session: Vec::new(),
            session_keys: StringArray::from(Vec::<&str>::new()),
            session_day: Vec::new(),
            session_index: std::sync::OnceLock::new(),
            latency: Vec::new(),
            accuracy: Vec::new(),
            tokens_in: Vec::new(),
            tokens_out: Vec::new(),
        }
    }
}

/// `raw_conversion_events`, rows with a null `created_at` dropped.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConversionTable {
    pub file: String,
    pub rows_read: u64,
    pub rows_dropped: u64,
    pub day: Vec<i32>,
    /// 0 = treatment, 1 = control, 2 = any other arm (ignored by the facts).
    pub arm: Vec<u8>,
    /// `converted = true` (null = false).
    pub converted: Vec<bool>,
}

/// Arm code for `treatment`.
pub(crate) const TREATMENT: u8 = 0;
/// Arm code for `control`.
pub(crate) const CONTROL: u8 = 1;
/// Arm code for any other value (or null).
pub(crate) const OTHER_ARM: u8 = 2;

fn corrupt(file: &str, column: &str, e: impl std::fmt::Display) -> LoadError {
    LoadError::Corrupt { file: file.to_string(), detail: format!("column {column}: {e}") }
}

/// Days since 1970-01-01 of a raw timestamp; errors outside chrono's date range.
fn day_of(file: &str, column: &str, ts: i64, per_day: i64) -> Result<i32, LoadError> {
    let d = ts.div_euclid(per_day);
    if d.abs() > 90_000_000 {
        return Err(corrupt(file, column, format!("timestamp {ts} is out of the supported date range")));
    }
    Ok(d as i32)
}

/// Column positions in the LLM table's decode request.
const LLM_COLS: [&str; 7] =
    ["session_id", "provider", "response_time_ms", "accuracy", "tokens_input", "tokens_output", "created_at"];
const L_SESSION: usize = 0;
const L_PROVIDER: usize = 1;
const L_LATENCY: usize = 2;
const L_ACCURACY: usize = 3;
const L_TOKENS_IN: usize = 4;
const L_TOKENS_OUT: usize = 5;
const L_CREATED: usize = 6;

/// Wraps a conversion error of `column` into a `Corrupt` error naming `file`.
fn at<'a>(file: &'a str, column: &'a str) -> impl Fn(String) -> LoadError + 'a {
    move |e| corrupt(file, column, e)
}

/// Keeps, from `out[start..]`, the rows whose bit in `keep` is set (all when `keep` is `None`).
fn retain_rows<T: Copy>(out: &mut Vec<T>, start: usize, keep: Option<&NullBuffer>) {
    let Some(keep) = keep else { return };
    let mut w = start;
    for (i, valid) in keep.iter().enumerate() {
        if valid {
            out[w] = out[start + i];
            w += 1;
        }
    }
    out.truncate(w);
}

/// Interns a text column's values into part-local ids (first-seen order), appending one id per
/// row kept by `keep` (all rows when `None`) to `out`; null → `null_as`. Dictionary columns map
/// their keys (each value looked up once); plain columns compare with the previous row first,
/// then a short list, so a low-cardinality column costs no hashing.
fn intern_local(col: &Text, keep: Option<&NullBuffer>, null_as: &str, out: &mut Vec<u32>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let id_of = |v: &str, names: &mut Vec<String>| -> u32 {
        match names.iter().position(|n| n == v) {
            Some(i) => i as u32,
            None => {
                names.push(v.to_string());
                (names.len() - 1) as u32
            }
        }
    };
    let kept = |i: usize| keep.is_none_or(|k| k.is_valid(i));
    out.reserve(col.len());
    if let Text::Dict { keys, key_nulls, values } = col {
        // Only values some kept row refers to become names (a dictionary may hold unused values).
        // A value's text is read once, on its key's first row (not on every row).
        let mut value_ids: Vec<Option<Option<u32>>> = vec![None; values.len()];
        let mut null_id: Option<u32> = None;
        super::par::each_chunk(keys.len(), &mut |range| {
            for i in range {
                if !kept(i) {
                    continue;
                }
                let id = if key_nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                    None
                } else {
                    let k = keys[i];
                    *value_ids[k].get_or_insert_with(|| values.get(k).map(|t| id_of(t, &mut names)))
                };
                out.push(match id {
                    Some(id) => id,
                    None => *null_id.get_or_insert_with(|| id_of(null_as, &mut names)),
                });
            }
        });
        return names;
    }
    let mut prev: Option<(&str, u32)> = None;
    let mut map: FxHashMap<&str, u32> = FxHashMap::default();
    for i in 0..col.len() {
        if !kept(i) {
            continue;
        }
        let v = col.get(i).unwrap_or(null_as);
        if let Some((pv, pid)) = prev
            && pv == v
        {
            out.push(pid);
            continue;
        }
        let id = if names.len() < 16 {
            id_of(v, &mut names)
        } else {
            *map.entry(v).or_insert_with(|| id_of(v, &mut names))
        };
        prev = Some((v, id));
        out.push(id);
    }
    names
}

/// `a`'s strings followed by `b`'s (nulls kept): appending interned session keys without Arrow's
/// generic `concat` kernel (which links every type's concatenation and `interleave`, ~300 kB of
/// the worker's code before wasm-opt).
pub(crate) fn join_strings(a: &StringArray, b: &StringArray) -> StringArray {
    let bytes = a.value_data().len() + b.value_data().len();
    let mut out = arrow_array::builder::StringBuilder::with_capacity(a.len() + b.len(), bytes);
    for v in a.iter().chain(b.iter()) {
        out.append_option(v);
    }
    out.finish()
}

/// The hash of a session or ticket id's text (the ticket table of [`crate::model::attribution`]).
pub(crate) fn text_hash(v: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(v)
}

/// The hash of a session id's text on UTC day `day`: the key of [`SessionInterner`]'s tables
/// and of [`LlmTable::session_index`].
pub(crate) fn session_hash(day: i32, v: &[u8]) -> u64 {
    text_hash(v) ^ (day as u32 as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Interns (day, session id) pairs row group by row group: ids in first-seen order, each pair's
/// text kept once in one buffer (so a row group's decoded strings can be dropped as soon as it is
/// interned) with its day beside it.
///
/// Why pairs and not session ids: the metrics count distinct sessions per day only, and a
/// ticket's session is found by its text over all days ([`crate::model::attribution`]), so no
/// table of every session of the file (436k at 1M events, 5 MB) is needed. One table per day
/// stays small enough for the processor's caches while rows arrive in time order. Measured on
/// the 1M-event snapshot: natively, interning 1M rows took 14 ms instead of 29 ms; in the page,
/// the worker's load used ~20 ms less CPU (`scripts/bench-worker-cpu.mjs`, 226–227 vs 245–248 ms),
/// though `tests/wasm_perf.rs` (warm) shows the interning phase unchanged (40–43 ms).
struct SessionInterner {
    /// Per UTC day: the ids of that day's pairs, by [`session_hash`].
    days: FxHashMap<i32, hashbrown::HashTable<u32>>,
    keys: arrow_array::builder::StringBuilder,
    /// The day of each id.
    key_day: Vec<i32>,
}

/// The text of interned id `id` in `keys`.
fn key_bytes(keys: &arrow_array::builder::StringBuilder, id: u32) -> &[u8] {
    let offsets = keys.offsets_slice();
    &keys.values_slice()[offsets[id as usize] as usize..offsets[id as usize + 1] as usize]
}

impl SessionInterner {
    fn with_capacity(rows: usize) -> Self {
        SessionInterner {
            days: FxHashMap::default(),
            keys: arrow_array::builder::StringBuilder::with_capacity(rows / 2 + 16, (rows / 2 + 16) * 16),
            key_day: Vec::with_capacity(rows / 2 + 16),
        }
    }

    /// Appends the id of each row of `col` to `out` ([`NO_SESSION`] for null). `days` holds the
    /// day of each row kept by `keep` (all rows when `None`), in order.
    fn intern(&mut self, col: &Text, keep: Option<&NullBuffer>, days: &[i32], out: &mut Vec<u32>) {
        // One monomorphic loop per plain string type (the hot path); others go through `get`.
        match col {
            Text::Utf8(a) => self.intern_rows(a.len(), keep, days, out, |i| a.is_valid(i).then(|| a.value(i))),
            Text::Large(a) => self.intern_rows(a.len(), keep, days, out, |i| a.is_valid(i).then(|| a.value(i))),
            Text::View(a) => self.intern_rows(a.len(), keep, days, out, |i| a.is_valid(i).then(|| a.value(i))),
            // A dictionary (how the decoder delivers strings): each value interned once per day,
            // on first use, then the rows map their keys.
            Text::Dict { keys, key_nulls, values } => {
                let mut ids: Vec<(i32, u32)> = vec![(i32::MIN, NO_SESSION); values.len()];
                out.reserve(keys.len());
                let mut kept = 0;
                let mut table: Option<(i32, hashbrown::HashTable<u32>)> = None;
                par::each_chunk(keys.len(), &mut |range| {
                    for i in range {
                        if keep.is_some_and(|n| n.is_null(i)) {
                            continue;
                        }
                        let day = days[kept];
                        kept += 1;
                        if key_nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                            out.push(NO_SESSION);
                            continue;
                        }
                        let k = keys[i];
                        let memo = &mut ids[k];
                        if memo.0 != day {
                            let id = match values.get(k) {
                                Some(text) => self.intern_one(&mut table, day, text),
                                None => NO_SESSION,
                            };
                            *memo = (day, id);
                        }
                        out.push(memo.1);
                    }
                });
                self.put_back(table);
            }
            _ => self.intern_rows(col.len(), keep, days, out, |i| col.get(i)),
        }
    }

    /// The id of `text` on `day` (a new id when first seen). `table` holds the day table in use
    /// (taken out of `days`; [`SessionInterner::put_back`] returns it).
    #[inline]
    fn intern_one(&mut self, table: &mut Option<(i32, hashbrown::HashTable<u32>)>, day: i32, text: &str) -> u32 {
        if table.as_ref().is_none_or(|t| t.0 != day) {
            // A new day's table starts as large as the day before's (days are alike), so it
            // rarely grows (each growth hashes its texts again).
            let size = table.as_ref().map_or(256, |t| t.1.len().max(256));
            let next = self.days.remove(&day).unwrap_or_else(|| hashbrown::HashTable::with_capacity(size));
            if let Some((d, t)) = table.replace((day, next)) {
                self.days.insert(d, t);
            }
        }
        let (_, t) = table.as_mut().expect("set above");
        let SessionInterner { keys, key_day, .. } = self;
        let v = text.as_bytes();
        let h = session_hash(day, v);
        match t.find(h, |&id| key_bytes(keys, id) == v) {
            Some(&id) => id,
            None => {
                let id = key_day.len() as u32;
                t.insert_unique(h, id, |&id| session_hash(day, key_bytes(keys, id)));
                keys.append_value(text);
                key_day.push(day);
                id
            }
        }
    }

    /// Returns the day table taken out by [`SessionInterner::intern_one`].
    fn put_back(&mut self, table: Option<(i32, hashbrown::HashTable<u32>)>) {
        if let Some((d, t)) = table {
            self.days.insert(d, t);
        }
    }

    /// Appends the id of each of `rows` rows kept by `keep` (all when `None`) to `out`
    /// ([`NO_SESSION`] for null); `value(i)` is row `i`'s text, `days` the kept rows' days.
    fn intern_rows<'a>(
        &mut self,
        rows: usize,
        keep: Option<&NullBuffer>,
        days: &[i32],
        out: &mut Vec<u32>,
        value: impl Fn(usize) -> Option<&'a str>,
    ) {
        out.reserve(rows);
        let mut prev: Option<(&[u8], i32, u32)> = None;
        let mut kept = 0;
        let mut table: Option<(i32, hashbrown::HashTable<u32>)> = None;
        // In chunks, so the loop runs V8's optimised code after the first chunks (`par::chunks`).
        par::each_chunk(rows, &mut |range| {
            for i in range {
                if keep.is_some_and(|k| k.is_null(i)) {
                    continue;
                }
                let day = days[kept];
                kept += 1;
                let Some(text) = value(i) else {
                    out.push(NO_SESSION);
                    continue;
                };
                let v = text.as_bytes();
                if let Some((pv, pd, pid)) = prev
                    && pd == day
                    && pv == v
                {
                    out.push(pid);
                    continue;
                }
                let id = self.intern_one(&mut table, day, text);
                prev = Some((v, day, id));
                out.push(id);
            }
        });
        self.put_back(table);
    }

    /// The text and the day of each id.
    fn finish(mut self) -> (StringArray, Vec<i32>) {
        (self.keys.finish(), self.key_day)
    }
}

impl LlmTable {
    /// Decodes and normalises a `raw_llm_events` file, one row group at a time: natively the
    /// next row group decodes (its columns in parallel) while the current one is normalised and
    /// its sessions interned, and decoded data is dropped as soon as it is appended.
    pub fn load(file: &str, bytes: impl Into<super::ranges::Source>) -> Result<Self, LoadError> {
        let reader = Reader::open(Table::LlmEvents, file, bytes, &LLM_COLS)?;
        let rows = reader.rows;
        let mut t = LlmTable { file: file.to_string(), rows_read: rows as u64, ..Default::default() };
        t.reserve(rows);
        let mut sessions = SessionInterner::with_capacity(rows);
        let mut names: Vec<String> = Vec::new();
        let groups = reader.group_rows.len();
        let mut next = (groups > 0).then(|| reader.group(0));
        for g in 0..groups {
            let arrays = next.take().expect("decoded ahead")?;
            let (decoded, appended) = par::join(
                || (g + 1 < groups).then(|| reader.group(g + 1)),
                || t.append(file, arrays, &mut sessions, &mut names, &mut |_| {}),
            );
            appended?;
            next = decoded;
        }
        t.finish(rows, names, sessions);
        Ok(t)
    }

    /// Reserves every column for `rows` rows.
    fn reserve(&mut self, rows: usize) {
        self.day.reserve_exact(rows);
        self.ts.reserve_exact(rows);
        self.provider.reserve_exact(rows);
        self.session.reserve_exact(rows);
        self.latency.reserve_exact(rows);
        self.accuracy.reserve_exact(rows);
        self.tokens_in.reserve_exact(rows);
        self.tokens_out.reserve_exact(rows);
    }

    /// Sets the dropped-row count, sorts the providers (remapping the ids) and stores the
    /// session keys and index.
    fn finish(&mut self, rows: usize, mut names: Vec<String>, sessions: SessionInterner) {
        let t = self;
        t.rows_dropped = (rows - t.day.len()) as u64;

        // Providers: first-seen ids → ids into the sorted list of names.
        let mut order: Vec<u32> = (0..names.len() as u32).collect();
        order.sort_by(|&a, &b| names[a as usize].as_bytes().cmp(names[b as usize].as_bytes()));
        let mut remap = vec![0u32; names.len()];
        for (sorted, &o) in order.iter().enumerate() {
            remap[o as usize] = sorted as u32;
        }
        if remap.iter().enumerate().any(|(o, &r)| o as u32 != r) {
            for p in t.provider.iter_mut() {
                *p = remap[*p as usize];
            }
        }
        t.providers = order.iter().map(|&o| std::mem::take(&mut names[o as usize])).collect();

        let (keys, days) = sessions.finish();
        t.session_keys = keys;
        t.session_day = days;
        t.session_index = std::sync::OnceLock::new();
    }

    /// Like [`LlmTable::load`], sequentially, timing each phase with `now` (a millisecond clock):
    /// reading the footer, decoding each column (over all row groups), and each normalising
    /// step. For benchmarks ([`super::llm_load_phases`]).
    pub fn load_phases(
        file: &str,
        bytes: impl Into<super::ranges::Source>,
        now: &dyn Fn() -> f64,
    ) -> Result<(Self, Vec<(String, f64)>), LoadError> {
        let mut phases: Vec<(String, f64)> = Vec::new();
        let mut add = |name: &str, ms: f64| match phases.iter_mut().find(|p| p.0 == name) {
            Some(p) => p.1 += ms,
            None => phases.push((name.to_string(), ms)),
        };
        let t0 = now();
        let reader = Reader::open(Table::LlmEvents, file, bytes, &LLM_COLS)?;
        add("open (footer, checks)", now() - t0);
        let groups = reader.group_rows.len();
        let mut decoded: Vec<Vec<ArrayRef>> = vec![Vec::new(); groups];
        for (c, name) in LLM_COLS.iter().enumerate() {
            let t = now();
            for (g, arrays) in decoded.iter_mut().enumerate() {
                arrays.push(reader.column(g, c)?);
            }
            add(&format!("decode {name}"), now() - t);
        }
        let rows = reader.rows;
        let mut t = LlmTable { file: file.to_string(), rows_read: rows as u64, ..Default::default() };
        let mut sessions = SessionInterner::with_capacity(rows);
        let mut names: Vec<String> = Vec::new();
        for arrays in decoded {
            let mut last = now();
            t.append(file, arrays, &mut sessions, &mut names, &mut |phase| {
                let n = now();
                add(phase, n - last);
                last = n;
            })?;
        }
        let t1 = now();
        t.finish(rows, names, sessions);
        add("finish (providers sorted)", now() - t1);
        Ok((t, phases))
    }

    /// Normalises one decoded row group and appends it.
    fn append(
        &mut self,
        file: &str,
        arrays: Vec<ArrayRef>,
        sessions: &mut SessionInterner,
        names: &mut Vec<String>,
        lap: &mut dyn FnMut(&'static str),
    ) -> Result<(), LoadError> {
        let a = &arrays;
        // Rows with a null `created_at` are skipped (not filtered into copies).
        let (raw, per_day) = timestamps(a[L_CREATED].as_ref()).map_err(at(file, "created_at"))?;
        let keep = raw.nulls().filter(|n| n.null_count() > 0);
        let first_day = self.day.len();
        self.day.reserve(raw.len());
        for (i, &v) in raw.values().iter().enumerate() {
            if keep.is_none_or(|k| k.is_valid(i)) {
                self.day.push(day_of(file, "created_at", v, per_day)?);
            }
        }
        let ts = self.ts.len();
        self.ts.extend_from_slice(raw.values());
        retain_rows(&mut self.ts, ts, keep);
        lap("normalise created_at");
        let n = self.latency.len();
        f64_into(a[L_LATENCY].as_ref(), &mut self.latency).map_err(at(file, "response_time_ms"))?;
        retain_rows(&mut self.latency, n, keep);
        f64_into(a[L_ACCURACY].as_ref(), &mut self.accuracy).map_err(at(file, "accuracy"))?;
        retain_rows(&mut self.accuracy, n, keep);
        i64_into(a[L_TOKENS_IN].as_ref(), &mut self.tokens_in).map_err(at(file, "tokens_input"))?;
        retain_rows(&mut self.tokens_in, n, keep);
        i64_into(a[L_TOKENS_OUT].as_ref(), &mut self.tokens_out).map_err(at(file, "tokens_output"))?;
        retain_rows(&mut self.tokens_out, n, keep);
        lap("normalise numbers");
        let provider = Text::new(a[L_PROVIDER].as_ref()).map_err(at(file, "provider"))?;
        let mut local = Vec::new();
        let local_names = intern_local(&provider, keep, UNKNOWN_PROVIDER, &mut local);
        let to_global: Vec<u32> = local_names
            .into_iter()
            .map(|n| match names.iter().position(|m| *m == n) {
                Some(i) => i as u32,
                None => {
                    names.push(n);
                    (names.len() - 1) as u32
                }
            })
            .collect();
        self.provider.extend(local.iter().map(|&l| to_global[l as usize]));
        lap("intern provider");
        let session = Text::new(a[L_SESSION].as_ref()).map_err(at(file, "session_id"))?;
        sessions.intern(&session, keep, &self.day[first_day..], &mut self.session);
        lap("intern session_id");
        Ok(())
    }

    /// The interned id of the pair (`day`, `text`), if a row of session `text` falls on `day`
    /// (the tests' check that merged tables keep their pairs).
    #[cfg(test)]
    pub fn session_on(&self, day: i32, text: &str) -> Option<u32> {
        let (keys, days) = (&self.session_keys, &self.session_day);
        self.pair_index()
            .find(session_hash(day, text.as_bytes()), |&id| days[id as usize] == day && keys.value(id as usize) == text)
            .copied()
    }

    /// [`LlmTable::session_index`], built from the pairs on first use.
    fn pair_index(&self) -> &hashbrown::HashTable<u32> {
        let (keys, days) = (&self.session_keys, &self.session_day);
        let hash = |id: u32| session_hash(days[id as usize], keys.value(id as usize).as_bytes());
        self.session_index.get_or_init(|| {
            let mut table = hashbrown::HashTable::with_capacity(keys.len());
            for id in 0..keys.len() as u32 {
                table.insert_unique(hash(id), id, |&id| hash(id));
            }
            table
        })
    }

    /// Takes [`LlmTable::session_index`] out (built first if need be), for a merge that adds
    /// pairs and puts it back.
    pub(crate) fn take_pair_index(&mut self) -> hashbrown::HashTable<u32> {
        self.pair_index();
        self.session_index.take().expect("built above")
    }

    /// Rows kept (non-null `created_at`).
    pub fn len(&self) -> usize {
        self.day.len()
    }
}

impl SupportTable {
    /// Decodes and normalises a `raw_support_events` file (row group by row group).
    pub fn load(file: &str, bytes: impl Into<super::ranges::Source>) -> Result<Self, LoadError> {
        const COLS: [&str; 3] = ["ticket_id", "resolved_by", "revenue_generated"];
        let Parts { rows, groups } = decode_parts(Table::SupportEvents, file, bytes, &COLS)?;
        let mut ticket = arrow_array::builder::StringBuilder::with_capacity(rows, rows * 12);
        let mut by_agent = Vec::with_capacity(rows);
        let mut revenue = Vec::with_capacity(rows);
        for arrays in &groups {
            Text::new(arrays[0].as_ref()).map_err(at(file, "ticket_id"))?.append_to(&mut ticket);
            let resolved = Text::new(arrays[1].as_ref()).map_err(at(file, "resolved_by"))?;
            by_agent.extend((0..resolved.len()).map(|i| resolved.get(i) == Some("agent")));
            let n = revenue.len();
            f64_into(arrays[2].as_ref(), &mut revenue).map_err(at(file, "revenue_generated"))?;
            for v in &mut revenue[n..] {
                if v.is_nan() {
                    *v = 0.0;
                }
            }
        }
        Ok(SupportTable { file: file.to_string(), rows_read: rows as u64, ticket: ticket.finish(), by_agent, revenue })
    }
}

impl ConversionTable {
    /// Decodes and normalises a `raw_conversion_events` file, row group by row group (`user_id`
    /// is type-checked, not read).
    pub fn load(file: &str, bytes: impl Into<super::ranges::Source>) -> Result<Self, LoadError> {
        const COLS: [&str; 3] = ["arm", "converted", "created_at"];
        let Parts { rows, groups } = decode_parts(Table::ConversionEvents, file, bytes, &COLS)?;
        let mut t = ConversionTable { file: file.to_string(), rows_read: rows as u64, ..Default::default() };
        let mut converted = Vec::new();
        for arrays in &groups {
            let arm = Text::new(arrays[0].as_ref()).map_err(at(file, "arm"))?;
            converted.clear();
            bool_into(arrays[1].as_ref(), &mut converted).map_err(at(file, "converted"))?;
            let (ts, per_day) = timestamps(arrays[2].as_ref()).map_err(at(file, "created_at"))?;
            for (i, ts) in ts.iter().enumerate() {
                let Some(ts) = ts else {
                    t.rows_dropped += 1;
                    continue;
                };
                t.day.push(day_of(file, "created_at", ts, per_day)?);
                t.arm.push(match arm.get(i) {
                    Some("treatment") => TREATMENT,
                    Some("control") => CONTROL,
                    _ => OTHER_ARM,
                });
                t.converted.push(converted[i]);
            }
        }
        Ok(t)
    }
}

/// `raw_llm_events` read by ranges and decoded row group by row group while the bytes arrive
/// (the page's worker streams a range request's body): the same table as
/// [`crate::Dataset::load_source`] of the finished fetch, built in steps. Open it on the footer
/// and the plan, hand it each planned row group's bytes in plan order ([`LlmStream::push`]),
/// then [`crate::Dataset::install_llm`] it.
pub struct LlmStream {
    footer: super::ranges::Footer,
    row_groups: Vec<usize>,
    /// Per planned row group: the bytes its chunks lie in.
    spans: Vec<std::ops::Range<u64>>,
    reader: Reader,
    table: LlmTable,
    sessions: SessionInterner,
    names: Vec<String>,
    next: usize,
}

impl LlmStream {
    /// Opens the file whose footer `footer` was read, to decode `plan`'s row groups. Errors
    /// (naming the file) as [`crate::Dataset::load_source`]'s: the contract, a chunk outside the data.
    pub fn open(footer: &super::ranges::Footer, plan: &super::ranges::Plan) -> Result<Self, LoadError> {
        let spans =
            plan.row_groups.iter().map(|&g| footer.group_span(Table::LlmEvents, g)).collect::<Result<Vec<_>, _>>()?;
        let source = footer.partial_source(plan.row_groups.clone(), Vec::new())?;
        let reader = Reader::open(Table::LlmEvents, footer.file(), source, &LLM_COLS)?;
        let rows = reader.rows;
        let mut table = LlmTable { file: footer.file().to_string(), rows_read: rows as u64, ..Default::default() };
        table.reserve(rows);
        Ok(LlmStream {
            footer: footer.clone(),
            row_groups: plan.row_groups.clone(),
            spans,
            reader,
            table,
            sessions: SessionInterner::with_capacity(rows),
            names: Vec::new(),
            next: 0,
        })
    }

    /// True when the planned row groups' bytes follow each other in the file (each group's span
    /// starts at or after the previous one's end), so that cutting the fetched bytes at each
    /// span's end hands every group all its bytes in one piece. Writers lay row groups out this
    /// way; when this is false, decode the fetched ranges after the fetch instead
    /// ([`crate::Dataset::load_source`]), as the worker does.
    pub fn in_file_order(&self) -> bool {
        self.spans.windows(2).all(|w| w[0].end <= w[1].start)
    }

    /// The bytes each planned row group's chunks lie in, in plan order.
    pub fn spans(&self) -> impl Iterator<Item = &std::ops::Range<u64>> {
        self.spans.iter()
    }

    /// The bytes the next row group needs; `None` once every planned group is decoded.
    pub fn next_span(&self) -> Option<std::ops::Range<u64>> {
        self.spans.get(self.next).cloned()
    }

    /// Decodes the next planned row group from the fetched `pieces` (offset, bytes; those
    /// overlapping [`LlmStream::next_span`] are used) and appends it. Each of the group's chunks
    /// must lie inside one piece (or run from one into the footer's tail, which the stream
    /// holds). Errors name the file; after an error the stream is unusable.
    pub fn push(&mut self, pieces: &[(u64, bytes::Bytes)]) -> Result<(), LoadError> {
        let Some(span) = self.next_span() else {
            return Err(LoadError::Corrupt {
                file: self.table.file.clone(),
                detail: "more row groups pushed than planned".into(),
            });
        };
        let over = pieces.iter().filter(|(a, b)| *a < span.end && a + b.len() as u64 > span.start).cloned().collect();
        let source = self.footer.partial_source(self.row_groups.clone(), over)?;
        self.reader.set_source(source);
        let arrays = self.reader.group(self.next)?;
        // The reader lets go of the group's bytes (it keeps only the tail).
        self.reader.set_source(self.footer.partial_source(self.row_groups.clone(), Vec::new())?);
        let file = self.table.file.clone();
        self.table.append(&file, arrays, &mut self.sessions, &mut self.names, &mut |_| {})?;
        self.next += 1;
        Ok(())
    }

    /// The table, once every planned row group was pushed.
    pub(crate) fn finish(self) -> Result<LlmTable, LoadError> {
        let LlmStream { mut table, sessions, names, next, spans, reader, .. } = self;
        if next < spans.len() {
            return Err(LoadError::Corrupt {
                file: table.file.clone(),
                detail: format!("{} of {} row groups were decoded", next, spans.len()),
            });
        }
        table.finish(reader.rows, names, sessions);
        Ok(table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_schema::{DataType, TimeUnit};

    /// INT96 timestamps (pyarrow's legacy writer; here `created_at` of a support fixture) read as
    /// Timestamp(ns) and give the same UTC days as the INT64 timestamps of another writer.
    #[test]
    fn int96_created_at_reads_as_nanoseconds() {
        let bytes = bytes::Bytes::from_static(include_bytes!("../../tests/data/pyarrow-brotli-106/raw_support_events.parquet"));
        let d = decode_parts(Table::SupportEvents, "raw_support_events.parquet", bytes, &["created_at"]).unwrap();
        let a = &d.groups[0][0];
        assert!(matches!(a.data_type(), DataType::Timestamp(TimeUnit::Nanosecond, _)));
        let (raw, per_day) = timestamps(a.as_ref()).unwrap();
        assert_eq!(per_day, 86_400_000_000_000);
        let days: Vec<i32> = raw.iter().flatten().map(|t| day_of("f", "created_at", t, per_day).unwrap()).collect();
        assert!(!days.is_empty());
        // The fixture's data lies in 2026.
        let lo = crate::model::dashboard_facts::day_of_date(chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        let hi = crate::model::dashboard_facts::day_of_date(chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        assert!(days.iter().all(|d| (lo..=hi).contains(d)), "{:?}", &days[..3]);
    }

    #[test]
    fn join_strings_appends_with_nulls_and_slices() {
        let a = StringArray::from(vec![Some("a"), None, Some("ßc")]);
        let b = StringArray::from(vec![Some(""), Some("d")]);
        let want = StringArray::from(vec![Some("a"), None, Some("ßc"), Some(""), Some("d")]);
        assert_eq!(join_strings(&a, &b), want);
        assert_eq!(join_strings(&a.slice(1, 2), &b.slice(1, 1)), StringArray::from(vec![None, Some("ßc"), Some("d")]));
        assert_eq!(join_strings(&StringArray::from(Vec::<&str>::new()), &b), b);
    }

    #[test]
    fn out_of_range_timestamps_are_an_error_not_a_panic() {
        assert!(day_of("f.parquet", "created_at", i64::MAX, 86_400).is_err());
        assert!(day_of("f.parquet", "created_at", i64::MIN, 86_400).is_err());
        assert_eq!(day_of("f.parquet", "created_at", -1, 86_400).unwrap(), -1);
    }
}
