//! Range reads of one large Parquet file: the footer first, then only the column chunks the
//! loader needs, of only the row groups whose `created_at` statistics overlap the view's dates.
//!
//! The flow (the same for the CLI over HTTP and for the page's worker):
//! 1. fetch the last [`FOOTER_GUESS`] bytes (`Range: bytes=-65536`) and call [`Footer::parse`];
//!    if it answers [`FooterRead::NeedTail`], fetch that many bytes from the end and parse again;
//! 2. [`Footer::plan`] for a table and a [`Window`] ([`Window::for_query`] widens the query's
//!    dates so the facts inside them stay exact): the selected row groups and the byte ranges of
//!    the needed columns' chunks, coalesced when they are at most `gap` bytes apart;
//! 3. fetch each range (`Range: bytes=a-b`) and call [`Footer::source`], which gives a
//!    [`Source`] that [`crate::Dataset::load_source`] decodes like a whole file — but only the
//!    selected row groups, and any read outside the fetched bytes is a `Corrupt` error naming the
//!    file, never a panic.
//!
//! ## Why the facts inside the query's dates stay exact
//! A row group is skipped only when its `created_at` min/max statistics show it holds no event
//! of the window; a group without usable statistics (none written, INT96 — whose statistics
//! writers order inconsistently — or a type that is not an INT64 timestamp) is always read. So
//! every event of the window is loaded, plus possibly events outside it (whole row groups).
//! For `raw_llm_events` the window starts [`WINDOW_MARGIN_DAYS`] = 6 days before `from`:
//! - `accuracy_rolling_7d` of day d looks at days d−6..=d, all loaded for d ≥ from;
//! - a ticket is attributed to its session's *first* event. A session with an event on a day
//!   d ≥ `from` has its first event on or after d − 6 provided a session spans at most 6
//!   calendar days (first to last event; the demo's sessions last minutes and never cross
//!   midnight). Then that first event is loaded, so the ticket lands on the same (day,
//!   provider) as with the whole file. Tickets of sessions whose first event is not loaded
//!   either belong to a day before the window start or count as unmatched in the load report:
//!   neither appears in the facts of `from..=to`. Events after `to` never change an earlier
//!   day's facts (a session's first event is its earliest).
//! - every other dashboard metric is per (day, provider) and needs only that day's events.
//!
//! `raw_conversion_events` facts are per day: the window is the query's dates. The support
//! table has no date the facts use (`created_at` is "not used"): all its row groups are read,
//! but only the three columns the loader needs.
//!
//! The load report's `rows_read` then counts the rows of the selected row groups, and
//! [`crate::Dataset::date_range`] spans the loaded rows, not the whole file.

use super::decode::guard;
use crate::contract::Table;
use crate::error::LoadError;
use crate::model::dashboard_facts::{date_of, day_of_date};
use bytes::{Buf, Bytes};
use chrono::NaiveDate;
use parquet::basic::{ConvertedType, LogicalType, TimeUnit, Type as PhysicalType};
use parquet::errors::ParquetError;
use parquet::file::metadata::{ParquetMetaData, ParquetMetaDataReader};
use parquet::file::reader::{ChunkReader, Length};
use parquet::file::statistics::Statistics;
use std::ops::Range;
use std::sync::Arc;

/// Bytes asked for in the first footer request (`Range: bytes=-65536`): the footer of a file
/// with tens of row groups fits; a longer one costs one more request.
pub const FOOTER_GUESS: u64 = 64 * 1024;

/// Default coalescing threshold: two needed ranges at most this many bytes apart are fetched as
/// one (one request saved costs at most this many extra bytes).
pub const COALESCE_GAP: u64 = 64 * 1024;

/// Days loaded before the query's `from` for the LLM table (the rolling window's 6 earlier days,
/// and the first events of sessions spanning at most 6 days; see the module docs).
pub const WINDOW_MARGIN_DAYS: i32 = 6;

/// Size of the Parquet file tail: 4-byte metadata length + `PAR1`.
const FOOTER_TAIL: u64 = 8;

/// The columns each table's loader decodes (`super::tables`); only their chunks are fetched.
pub fn needed_columns(table: Table) -> &'static [&'static str] {
    match table {
        Table::LlmEvents => {
            &["session_id", "provider", "response_time_ms", "accuracy", "tokens_input", "tokens_output", "created_at"]
        }
        Table::SupportEvents => &["ticket_id", "resolved_by", "revenue_generated"],
        Table::ConversionEvents => &["arm", "converted", "created_at"],
    }
}

/// The UTC days (days since 1970-01-01, inclusive; `None` = unbounded) whose events must be
/// loaded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    pub from: Option<i32>,
    pub to: Option<i32>,
}

impl Window {
    /// Every row group.
    pub const ALL: Window = Window { from: None, to: None };

    /// The window that keeps `table`'s facts for `from..=to` exact (module docs): the LLM table
    /// from `from − 6 days`; the conversion table `from..=to`; the support table everything.
    pub fn for_query(table: Table, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Window {
        let from = from.map(day_of_date);
        let to = to.map(day_of_date);
        match table {
            Table::LlmEvents => Window { from: from.map(|d| d.saturating_sub(WINDOW_MARGIN_DAYS)), to },
            Table::ConversionEvents => Window { from, to },
            Table::SupportEvents => Window::ALL,
        }
    }

    /// True when days `lo..=hi` meet the window.
    pub fn overlaps(&self, lo: i32, hi: i32) -> bool {
        self.from.is_none_or(|f| hi >= f) && self.to.is_none_or(|t| lo <= t)
    }

    /// The smallest window holding both (the days between them included).
    pub fn hull(&self, other: &Window) -> Window {
        Window {
            from: self.from.zip(other.from).map(|(a, b)| a.min(b)),
            to: self.to.zip(other.to).map(|(a, b)| a.max(b)),
        }
    }

    /// True when this window holds every day of `other`.
    pub fn contains(&self, other: &Window) -> bool {
        let from_ok = match (self.from, other.from) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => a <= b,
        };
        let to_ok = match (self.to, other.to) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => a >= b,
        };
        from_ok && to_ok
    }
}

/// The parsed footer of a file read by ranges, with the tail bytes fetched for it.
#[derive(Debug, Clone)]
pub struct Footer {
    file: String,
    len: u64,
    meta: Arc<ParquetMetaData>,
    /// The last `tail.len()` bytes of the file.
    tail: Bytes,
    /// Where the footer metadata starts (end of the row group data).
    data_end: u64,
}

/// The outcome of [`Footer::parse`].
#[derive(Debug, Clone)]
pub enum FooterRead {
    /// The footer was complete in the tail.
    Done(Footer),
    /// The footer is longer than the tail given: fetch this many bytes from the end and parse
    /// again.
    NeedTail(u64),
}

impl Footer {
    /// Parses the footer of `file` (`len` bytes) from its last `tail.len()` bytes. Errors name
    /// `file`: too short, no `PAR1` at the end (truncated), an encrypted footer, a footer length
    /// beyond the file, or metadata that does not decode.
    pub fn parse(file: &str, len: u64, tail: Bytes) -> Result<FooterRead, LoadError> {
        let not_parquet = |detail: String| LoadError::NotParquet { file: file.to_string(), detail };
        if len == 0 {
            return Err(not_parquet("the file is empty".into()));
        }
        if len < 12 {
            return Err(not_parquet("no PAR1 magic at the start".into()));
        }
        if tail.len() as u64 > len {
            return Err(not_parquet(format!("{} tail bytes for a file of {len} bytes", tail.len())));
        }
        if (tail.len() as u64) < FOOTER_TAIL {
            return Ok(FooterRead::NeedTail(FOOTER_TAIL));
        }
        let end = &tail[tail.len() - 8..];
        match &end[4..] {
            b"PAR1" => {}
            b"PARE" => return Err(not_parquet("encrypted footer: not supported".into())),
            _ => return Err(not_parquet("no PAR1 magic at the end: the file is truncated".into())),
        }
        let meta_len = u32::from_le_bytes(end[..4].try_into().expect("4 bytes")) as u64;
        let need = meta_len + FOOTER_TAIL;
        if need + 4 > len {
            return Err(not_parquet(format!(
                "unreadable footer: its length {meta_len} does not fit in a file of {len} bytes"
            )));
        }
        if need > tail.len() as u64 {
            return Ok(FooterRead::NeedTail(need));
        }
        let buf = tail.slice(tail.len() - need as usize..tail.len() - 8);
        let meta = guard(file, || ParquetMetaDataReader::decode_metadata_with_options(&buf, Some(&super::decode::footer_options())))?
            .map_err(|e| not_parquet(format!("unreadable footer: {e}")))?;
        Ok(FooterRead::Done(Footer { file: file.to_string(), len, meta: Arc::new(meta), tail, data_end: len - need }))
    }

    /// The file's length in bytes.
    pub fn file_len(&self) -> u64 {
        self.len
    }

    /// Bytes fetched for the footer.
    pub fn tail_len(&self) -> u64 {
        self.tail.len() as u64
    }

    /// Number of row groups in the file.
    pub fn row_groups(&self) -> usize {
        self.meta.num_row_groups()
    }

    /// The UTC days (min, max) of row group `g`'s `created_at` statistics; `None` when unknown
    /// (no `created_at`, no statistics, INT96 or a type that is not an INT64 timestamp).
    pub fn group_days(&self, g: usize) -> Option<(i32, i32)> {
        let schema = self.meta.file_metadata().schema_descr();
        let leaf = (0..schema.num_columns()).find(|&i| {
            let c = schema.column(i);
            c.path().parts().len() == 1 && c.path().parts()[0] == "created_at"
        })?;
        let col = schema.column(leaf);
        if col.physical_type() != PhysicalType::INT64 {
            return None;
        }
        let per_day: i64 = match (col.logical_type_ref(), col.converted_type()) {
            (Some(LogicalType::Timestamp(t)), _) => match t.unit {
                TimeUnit::MILLIS => 86_400_000,
                TimeUnit::MICROS => 86_400_000_000,
                TimeUnit::NANOS => 86_400_000_000_000,
            },
            (None, ConvertedType::TIMESTAMP_MILLIS) => 86_400_000,
            (None, ConvertedType::TIMESTAMP_MICROS) => 86_400_000_000,
            _ => return None,
        };
        let Some(Statistics::Int64(s)) = self.meta.row_group(g).column(leaf).statistics() else {
            return None;
        };
        let (min, max) = (*s.min_opt()?, *s.max_opt()?);
        if min > max {
            return None;
        }
        let day = |v: i64| i32::try_from(v.div_euclid(per_day)).ok();
        Some((day(min)?, day(max)?))
    }

    /// The first and last UTC dates of `created_at` over the whole file, from the row groups'
    /// statistics; `None` when a row group's are unknown (or the file has no row groups).
    pub fn date_span(&self) -> Option<(NaiveDate, NaiveDate)> {
        let mut span: Option<(i32, i32)> = None;
        for g in 0..self.row_groups() {
            let (lo, hi) = self.group_days(g)?;
            span = Some(span.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
        }
        span.map(|(a, b)| (date_of(a), date_of(b)))
    }

    /// Which row groups and byte ranges to fetch to load `table` for `window`: the row groups
    /// whose `created_at` days overlap `window` (or are unknown), and the chunks of their
    /// [`needed_columns`] (dictionary page included), coalesced when at most `gap` bytes apart
    /// and without the bytes the footer request already fetched. A chunk whose offsets lie
    /// outside the file's data is a `Corrupt` error naming the file.
    pub fn plan(&self, table: Table, window: Window, gap: u64) -> Result<Plan, LoadError> {
        let leaves = self.leaves(table);
        let mut row_groups = Vec::new();
        let mut chunks = Vec::new();
        for g in 0..self.meta.num_row_groups() {
            if let Some((lo, hi)) = self.group_days(g)
                && !window.overlaps(lo, hi)
            {
                continue;
            }
            row_groups.push(g);
            chunks.extend(self.chunks(&leaves, g)?);
        }
        let needed: u64 = chunks.iter().map(|r| r.end - r.start).sum();
        let tail_start = self.len - self.tail.len() as u64;
        let ranges = coalesce(chunks, gap)
            .into_iter()
            .map(|r| r.start..r.end.min(tail_start))
            .filter(|r| r.start < r.end)
            .collect();
        Ok(Plan { row_groups, ranges, needed })
    }

    /// The file's name (for messages).
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The leaf columns [`Footer::plan`] fetches for `table`.
    fn leaves(&self, table: Table) -> Vec<usize> {
        let schema = self.meta.file_metadata().schema_descr();
        let names = needed_columns(table);
        (0..schema.num_columns())
            .filter(|&i| schema.column(i).path().parts().first().is_some_and(|p| names.contains(&p.as_str())))
            .collect()
    }

    /// The byte ranges of row group `g`'s chunks of the `leaves` columns; a chunk outside the
    /// data is `Corrupt`.
    fn chunks(&self, leaves: &[usize], g: usize) -> Result<Vec<Range<u64>>, LoadError> {
        let corrupt = |detail: String| LoadError::Corrupt { file: self.file.clone(), detail };
        let rg = self.meta.row_group(g);
        let mut chunks = Vec::with_capacity(leaves.len());
        for &leaf in leaves {
            let c = rg.column(leaf);
            let start = c.dictionary_page_offset().unwrap_or(c.data_page_offset());
            let size = c.compressed_size();
            let bad = || corrupt(format!("row group {g}, column {}: chunk at {start} of {size} bytes lies outside the data", c.column_path()));
            let (Ok(start), Ok(size)) = (u64::try_from(start), u64::try_from(size)) else {
                return Err(bad());
            };
            let end = start.checked_add(size).ok_or_else(bad)?;
            if end > self.data_end {
                return Err(bad());
            }
            chunks.push(start..end);
        }
        Ok(chunks)
    }

    /// The bytes the chunks of row group `g` that `table`'s loader reads lie in (first chunk
    /// start to last chunk end; empty when it needs none).
    pub fn group_span(&self, table: Table, g: usize) -> Result<Range<u64>, LoadError> {
        let chunks = self.chunks(&self.leaves(table), g)?;
        let start = chunks.iter().map(|r| r.start).min().unwrap_or(0);
        Ok(start..chunks.iter().map(|r| r.end).max().unwrap_or(start))
    }

    /// The byte source for loading: the fetched `pieces` (offset, bytes) — which must cover
    /// `plan.ranges` — plus the footer's tail, decoding only `plan.row_groups`. Errors name the
    /// file: a piece beyond the end of the file, or a planned range not covered.
    pub fn source(&self, plan: &Plan, pieces: Vec<(u64, Bytes)>) -> Result<Source, LoadError> {
        let corrupt = |detail: String| LoadError::Corrupt { file: self.file.clone(), detail };
        let sparse = self.sparse(plan.row_groups.clone(), pieces)?;
        for r in &plan.ranges {
            if sparse.find(r.start, r.end - r.start).is_none() {
                return Err(corrupt(format!("bytes {}..{} were planned but not fetched", r.start, r.end)));
            }
        }
        Ok(Source::Sparse(Arc::new(sparse)))
    }

    /// A source of `pieces` plus the tail that decodes `row_groups`, without checking that
    /// the pieces cover them (a read outside the pieces is then a `Corrupt` error): what a load
    /// decoding row groups as their bytes arrive ([`crate::load::LlmStream`]) has so far.
    pub(crate) fn partial_source(&self, row_groups: Vec<usize>, pieces: Vec<(u64, Bytes)>) -> Result<Source, LoadError> {
        Ok(Source::Sparse(Arc::new(self.sparse(row_groups, pieces)?)))
    }

    /// `pieces` plus the tail, sorted, touching or overlapping pieces joined.
    fn sparse(&self, row_groups: Vec<usize>, pieces: Vec<(u64, Bytes)>) -> Result<Sparse, LoadError> {
        let corrupt = |detail: String| LoadError::Corrupt { file: self.file.clone(), detail };
        let mut all = pieces;
        all.push((self.len - self.tail.len() as u64, self.tail.clone()));
        for (start, b) in &all {
            if start.checked_add(b.len() as u64).is_none_or(|e| e > self.len) {
                return Err(corrupt(format!("{} bytes at {start} lie beyond the file's {} bytes", b.len(), self.len)));
            }
        }
        all.sort_by_key(|(s, b)| (*s, std::cmp::Reverse(b.len())));
        // Touching or overlapping pieces become one (a chunk may straddle the last range and the
        // footer's tail), so that every read of a planned chunk lies inside one piece.
        let mut pieces: Vec<(u64, Bytes)> = Vec::with_capacity(all.len());
        for (s, b) in all {
            if let Some((ms, mb)) = pieces.last_mut()
                && s <= *ms + mb.len() as u64
            {
                let (mend, end) = (*ms + mb.len() as u64, s + b.len() as u64);
                if end > mend {
                    let mut joined = Vec::with_capacity((end - *ms) as usize);
                    joined.extend_from_slice(mb);
                    joined.extend_from_slice(&b[(mend - s) as usize..]);
                    *mb = Bytes::from(joined);
                }
                continue;
            }
            pieces.push((s, b));
        }
        Ok(Sparse { len: self.len, pieces, meta: self.meta.clone(), row_groups })
    }
}

/// One file read by ranges over time: its footer, the bytes fetched so far and the window they
/// cover, so that a wider view fetches only what is missing (the page's worker keeps one per
/// ranged file).
#[derive(Debug, Clone)]
pub struct RangedFile {
    footer: Footer,
    table: Table,
    gap: u64,
    /// Fetched pieces (offset, bytes), in fetch order.
    pieces: Vec<(u64, Bytes)>,
    /// The window the pieces cover; `None` before the first [`RangedFile::add`].
    window: Option<Window>,
}

impl RangedFile {
    /// A file of `table` whose footer was read; nothing else fetched yet. `gap` as in
    /// [`Footer::plan`].
    pub fn new(footer: Footer, table: Table, gap: u64) -> Self {
        RangedFile { footer, table, gap, pieces: Vec::new(), window: None }
    }

    /// The footer.
    pub fn footer(&self) -> &Footer {
        &self.footer
    }

    /// The window whose row groups are fetched, if any.
    pub fn window(&self) -> Option<Window> {
        self.window
    }

    /// True when the bytes for `window` are all fetched.
    pub fn covers(&self, window: &Window) -> bool {
        self.window.is_some_and(|w| w.contains(window))
    }

    /// The plan for `window` and the parts of its ranges not fetched yet (sorted, disjoint).
    pub fn missing(&self, window: Window) -> Result<(Plan, Vec<Range<u64>>), LoadError> {
        let plan = self.footer.plan(self.table, window, self.gap)?;
        let have = coalesce(self.pieces.iter().map(|(s, b)| *s..*s + b.len() as u64).collect(), 0);
        let mut out = Vec::new();
        for r in &plan.ranges {
            let mut start = r.start;
            for h in have.iter().filter(|h| h.end > r.start && h.start < r.end) {
                if h.start > start {
                    out.push(start..h.start);
                }
                start = start.max(h.end);
            }
            if start < r.end {
                out.push(start..r.end);
            }
        }
        Ok((plan, out))
    }

    /// Records the `pieces` fetched for `window` (the union of the old and new windows' days is
    /// not a window in general, so the window becomes `window` — callers fetch for a window that
    /// contains the previous one).
    pub fn add(&mut self, window: Window, pieces: Vec<(u64, Bytes)>) {
        self.pieces.extend(pieces);
        self.window = Some(window);
    }

    /// The source for loading `plan` (from [`RangedFile::missing`]) from everything fetched.
    pub fn source(&self, plan: &Plan) -> Result<Source, LoadError> {
        self.footer.source(plan, self.pieces.clone())
    }

    /// Bytes fetched so far, footer included.
    pub fn bytes_fetched(&self) -> u64 {
        self.footer.tail_len() + self.pieces.iter().map(|(_, b)| b.len() as u64).sum::<u64>()
    }
}

/// A range request's body, arriving in chunks, cut into parts that end at given offsets (the
/// ends of the row groups' spans: [`crate::load::LlmStream`]), each handed over as soon as it is
/// complete. The worker feeds it the chunks of a `ReadableStream`.
#[derive(Debug)]
pub struct BodyParts {
    /// Where the body starts.
    start: u64,
    /// Where each part ends (ascending; the last is the body's end).
    ends: Vec<u64>,
    next: usize,
    /// Where the part being filled starts.
    at: u64,
    part: Vec<u8>,
}

/// More bytes than the range holds (a server answering a different range).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLong;

impl BodyParts {
    /// The body of bytes `range`, cut at the offsets of `cuts` that lie strictly inside it.
    pub fn new(range: Range<u64>, cuts: impl IntoIterator<Item = u64>) -> Self {
        let mut ends: Vec<u64> = cuts.into_iter().filter(|&c| c > range.start && c < range.end).collect();
        ends.sort_unstable();
        ends.dedup();
        ends.push(range.end);
        let first = (ends[0] - range.start) as usize;
        BodyParts { start: range.start, ends, next: 0, at: range.start, part: Vec::with_capacity(first) }
    }

    /// Takes the next chunk of `n` bytes: `copy(from, dst)` must fill `dst` with the chunk's
    /// bytes `from..from + dst.len()`. Calls `on_part(start, bytes)` for each part completed.
    /// More bytes than the range holds is [`TooLong`] (nothing more is handed over).
    pub fn feed(&mut self, n: usize, mut copy: impl FnMut(usize, &mut [u8]), mut on_part: impl FnMut(u64, Bytes)) -> Result<(), TooLong> {
        let mut from = 0;
        while from < n {
            let Some(&end) = self.ends.get(self.next) else { return Err(TooLong) };
            let take = (n - from).min((end - self.at) as usize - self.part.len());
            let filled = self.part.len();
            self.part.resize(filled + take, 0);
            copy(from, &mut self.part[filled..]);
            from += take;
            if self.at + self.part.len() as u64 == end {
                on_part(self.at, Bytes::from(std::mem::take(&mut self.part)));
                self.at = end;
                self.next += 1;
                if let Some(&e) = self.ends.get(self.next) {
                    self.part.reserve_exact((e - self.at) as usize);
                }
            }
        }
        Ok(())
    }

    /// True once every part was handed over.
    pub fn finished(&self) -> bool {
        self.next == self.ends.len()
    }

    /// Bytes received so far.
    pub fn received(&self) -> u64 {
        self.at + self.part.len() as u64 - self.start
    }
}

/// What to fetch for one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Row groups to decode, ascending.
    pub row_groups: Vec<usize>,
    /// Byte ranges to fetch (half-open), sorted, disjoint, more than the gap apart.
    pub ranges: Vec<Range<u64>>,
    /// Bytes of the needed column chunks (before coalescing).
    pub needed: u64,
}

impl Plan {
    /// Bytes the ranges fetch.
    pub fn bytes(&self) -> u64 {
        self.ranges.iter().map(|r| r.end - r.start).sum()
    }
}

/// `ranges` sorted and merged: overlapping or touching ranges, and ranges at most `gap` bytes
/// apart, become one. Empty ranges are dropped. The result covers every byte of the input, is
/// sorted and disjoint, consecutive ranges are more than `gap` apart, and each added byte lies in
/// a gap of at most `gap` bytes between input ranges.
pub fn coalesce(mut ranges: Vec<Range<u64>>, gap: u64) -> Vec<Range<u64>> {
    ranges.retain(|r| r.start < r.end);
    ranges.sort_by_key(|r| r.start);
    let mut out: Vec<Range<u64>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end.saturating_add(gap) => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// Where a [`crate::Dataset::load_source`] reads its bytes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The whole file in memory.
    Whole(Bytes),
    /// Some ranges of the file (see [`Footer::source`]).
    Sparse(Arc<Sparse>),
}

impl From<Bytes> for Source {
    fn from(b: Bytes) -> Self {
        Source::Whole(b)
    }
}

impl Source {
    /// The first `n` bytes, if held.
    pub(crate) fn head(&self, n: usize) -> Option<Bytes> {
        match self {
            Source::Whole(b) => Some(b.slice(..n.min(b.len()))),
            Source::Sparse(s) => s.find(0, n as u64).map(|(p, off)| p.slice(off..off + n)),
        }
    }

    /// The footer metadata, when already parsed.
    pub(crate) fn metadata(&self) -> Option<Arc<ParquetMetaData>> {
        match self {
            Source::Whole(_) => None,
            Source::Sparse(s) => Some(s.meta.clone()),
        }
    }

    /// The row groups to decode; `None` = all.
    pub(crate) fn row_groups(&self) -> Option<&[usize]> {
        match self {
            Source::Whole(_) => None,
            Source::Sparse(s) => Some(&s.row_groups),
        }
    }
}

/// Fetched ranges of one file with its parsed footer.
#[derive(Debug)]
pub struct Sparse {
    len: u64,
    /// (offset, bytes), by offset.
    pieces: Vec<(u64, Bytes)>,
    meta: Arc<ParquetMetaData>,
    row_groups: Vec<usize>,
}

impl Sparse {
    /// The piece holding bytes `start..start + n` and the offset of `start` in it (pieces may
    /// overlap when built directly, as in the tests).
    fn find(&self, start: u64, n: u64) -> Option<(&Bytes, usize)> {
        let end = start.checked_add(n)?;
        let after = self.pieces.partition_point(|(s, _)| *s <= start);
        self.pieces[..after]
            .iter()
            .rev()
            .find(|(s, b)| s + b.len() as u64 >= end)
            .map(|(s, b)| (b, (start - s) as usize))
    }

    fn missing(&self, start: u64, n: u64) -> ParquetError {
        ParquetError::General(format!(
            "bytes {start}..{} were not fetched (the range plan does not cover this read)",
            start.saturating_add(n)
        ))
    }
}

impl Length for Source {
    fn len(&self) -> u64 {
        match self {
            Source::Whole(b) => b.len() as u64,
            Source::Sparse(s) => s.len,
        }
    }
}

impl ChunkReader for Source {
    type T = bytes::buf::Reader<Bytes>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        match self {
            Source::Whole(b) => b.get_read(start),
            Source::Sparse(s) => match s.find(start, 1) {
                Some((p, off)) => Ok(p.slice(off..).reader()),
                None => Err(s.missing(start, 1)),
            },
        }
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        match self {
            Source::Whole(b) => b.get_bytes(start, length),
            Source::Sparse(s) => match s.find(start, length as u64) {
                Some((p, off)) => Ok(p.slice(off..off + length)),
                None => Err(s.missing(start, length as u64)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any cuts, any chunking: the parts are the body, in order, cut exactly at the cuts
        /// inside the range; a longer body is refused, a shorter one is not finished.
        #[test]
        fn body_parts_cut_any_chunking_at_the_cuts(
            len in 1usize..3000,
            cuts in proptest::collection::vec(0u64..4000, 0..12),
            chunks in proptest::collection::vec(1usize..700, 1..40),
            extra in 0usize..3,
        ) {
            let start = 1000u64;
            let body: Vec<u8> = (0..len + extra).map(|i| (i * 31 % 251) as u8).collect();
            let mut parts = BodyParts::new(start..start + len as u64, cuts.iter().map(|c| c + start - 500));
            let mut got: Vec<(u64, Bytes)> = Vec::new();
            let mut at = 0;
            let mut refused = false;
            for &c in chunks.iter().cycle() {
                if at >= body.len() { break; }
                let n = c.min(body.len() - at);
                let chunk = &body[at..at + n];
                if parts.feed(n, |from, dst| dst.copy_from_slice(&chunk[from..from + dst.len()]), |s, b| got.push((s, b))).is_err() {
                    refused = true;
                    break;
                }
                at += n;
            }
            prop_assert_eq!(refused, extra > 0);
            prop_assert!(parts.finished());
            let joined: Vec<u8> = got.iter().flat_map(|(_, b)| b.to_vec()).collect();
            prop_assert_eq!(&joined[..], &body[..len]);
            let mut want: Vec<u64> = cuts.iter().map(|c| c + start - 500).filter(|&c| c > start && c < start + len as u64).collect();
            want.sort_unstable();
            want.dedup();
            want.insert(0, start);
            prop_assert_eq!(got.iter().map(|(s, _)| *s).collect::<Vec<_>>(), want);
            for w in got.windows(2) {
                prop_assert_eq!(w[0].0 + w[0].1.len() as u64, w[1].0);
            }
            // Short by one byte: the last part is never handed over.
            let mut short = BodyParts::new(start..start + len as u64, []);
            let mut none = 0;
            short.feed(len - 1, |from, dst| dst.copy_from_slice(&body[from..from + dst.len()]), |_, _| none += 1).unwrap();
            prop_assert!(!short.finished());
            prop_assert_eq!(none, 0);
            prop_assert_eq!(short.received(), len as u64 - 1);
        }

        /// Coalescing covers every input byte, gives sorted disjoint ranges more than `gap`
        /// apart, and adds only bytes lying in gaps of at most `gap` between input ranges.
        #[test]
        fn coalesce_covers_sorts_and_respects_the_gap(
            input in proptest::collection::vec((0u64..10_000, 0u64..500), 0..40),
            gap in 0u64..300,
        ) {
            let ranges: Vec<Range<u64>> = input.iter().map(|&(s, l)| s..s + l).collect();
            let out = coalesce(ranges.clone(), gap);
            for w in out.windows(2) {
                prop_assert!(w[0].start < w[0].end);
                prop_assert!(w[1].start > w[0].end + gap, "{:?} then {:?}", w[0], w[1]);
            }
            let covered = |x: u64| out.iter().any(|r| r.contains(&x));
            let wanted = |x: u64| ranges.iter().any(|r| r.contains(&x));
            for r in &ranges {
                for x in r.clone() {
                    prop_assert!(covered(x), "byte {x} of {r:?} not covered");
                }
            }
            for r in &out {
                for x in r.clone() {
                    if !wanted(x) {
                        // An added byte: the wanted bytes around it are at most `gap` apart.
                        let prev = (r.start..x).rev().find(|&y| wanted(y));
                        let next = (x + 1..r.end).find(|&y| wanted(y));
                        let (Some(p), Some(n)) = (prev, next) else {
                            return Err(TestCaseError::fail(format!("byte {x} of {r:?} is outside the input")));
                        };
                        prop_assert!(n - p - 1 <= gap, "gap {}..{} wider than {gap}", p + 1, n);
                    }
                }
            }
        }

        /// A sparse source answers any read inside a piece with the file's bytes and refuses any
        /// read that is not inside one piece, without panicking.
        #[test]
        fn sparse_reads_inside_pieces_only(
            cuts in proptest::collection::vec((0u64..2_000, 1u64..300), 1..8),
            reads in proptest::collection::vec((0u64..2_400, 0usize..400), 1..30),
        ) {
            let file: Vec<u8> = (0..2_400u32).map(|i| (i * 7 % 251) as u8).collect();
            let pieces: Vec<(u64, Bytes)> = cuts
                .iter()
                .map(|&(s, l)| (s, Bytes::copy_from_slice(&file[s as usize..(s + l) as usize])))
                .collect();
            let mut sorted = pieces.clone();
            sorted.sort_by_key(|(s, b)| (*s, std::cmp::Reverse(b.len())));
            let meta = Arc::new(tiny_meta());
            let src = Source::Sparse(Arc::new(Sparse { len: 2_400, pieces: sorted, meta, row_groups: vec![] }));
            for (start, n) in reads {
                let inside = pieces.iter().any(|(s, b)| *s <= start && start + n as u64 <= s + b.len() as u64);
                match src.get_bytes(start, n) {
                    Ok(b) => {
                        prop_assert!(inside);
                        prop_assert_eq!(&b[..], &file[start as usize..start as usize + n]);
                    }
                    Err(e) => {
                        prop_assert!(!inside, "{start}+{n}: {e}");
                        prop_assert!(e.to_string().contains("not fetched"));
                    }
                }
            }
        }
    }

    /// The metadata of a small one-row-group file.
    fn tiny_meta() -> ParquetMetaData {
        let b = small_llm_file(10, 10);
        let Ok(FooterRead::Done(f)) = Footer::parse("t", b.len() as u64, b.clone()) else { panic!("footer") };
        Arc::unwrap_or_clone(f.meta)
    }

    /// A raw_llm_events file with one event per hour for `days` days from 2026-01-01, written in
    /// row groups of `group_rows` rows (pages statistics on, as `generate` writes them).
    pub(crate) fn small_llm_file(days: i64, group_rows: usize) -> Bytes {
        use arrow_array::{Float64Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
        use arrow_schema::{DataType, Field, Schema, TimeUnit as ATimeUnit};
        let n = (days * 24) as usize;
        let t0 = 1_767_225_600_000_000i64; // 2026-01-01T00:00:00Z in µs
        let ts: Vec<i64> = (0..n as i64).map(|i| t0 + i * 3_600_000_000).collect();
        let schema = Arc::new(Schema::new(vec![
            Field::new("session_id", DataType::Utf8, false),
            Field::new("provider", DataType::Utf8, false),
            Field::new("model", DataType::Utf8, false),
            Field::new("response_time_ms", DataType::Float64, true),
            Field::new("accuracy", DataType::Float64, true),
            Field::new("tokens_input", DataType::Int64, false),
            Field::new("tokens_output", DataType::Int64, false),
            Field::new("created_at", DataType::Timestamp(ATimeUnit::Microsecond, Some("UTC".into())), false),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from_iter_values((0..n).map(|i| format!("s{}", i / 3)))),
                Arc::new(StringArray::from_iter_values((0..n).map(|i| ["A", "B", "C"][i % 3]))),
                Arc::new(StringArray::from_iter_values((0..n).map(|i| format!("m{}", i % 5)))),
                Arc::new(Float64Array::from_iter((0..n).map(|i| (i % 7 != 0).then_some(100.0 + (i * 37 % 1000) as f64)))),
                Arc::new(Float64Array::from_iter((0..n).map(|i| (i % 4 == 0).then_some((i % 10) as f64 / 10.0)))),
                Arc::new(Int64Array::from_iter_values((0..n).map(|i| (i % 300) as i64))),
                Arc::new(Int64Array::from_iter_values((0..n).map(|i| (i % 200) as i64))),
                Arc::new(TimestampMicrosecondArray::from(ts).with_timezone("UTC")),
            ],
        )
        .unwrap();
        let props = parquet::file::properties::WriterProperties::builder()
            .set_max_row_group_row_count(Some(group_rows))
            .set_statistics_enabled(parquet::file::properties::EnabledStatistics::Page)
            .build();
        let mut out = Vec::new();
        let mut w = parquet::arrow::ArrowWriter::try_new(&mut out, schema, Some(props)).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        Bytes::from(out)
    }

    fn footer_of(b: &Bytes, guess: u64) -> Footer {
        let len = b.len() as u64;
        let tail = |n: u64| b.slice((len - n.min(len)) as usize..);
        match Footer::parse("f.parquet", len, tail(guess)).unwrap() {
            FooterRead::Done(f) => f,
            FooterRead::NeedTail(n) => match Footer::parse("f.parquet", len, tail(n)).unwrap() {
                FooterRead::Done(f) => f,
                FooterRead::NeedTail(m) => panic!("asked again for {m}"),
            },
        }
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_short_first_guess_asks_for_the_whole_footer() {
        let b = small_llm_file(30, 24);
        let len = b.len() as u64;
        let FooterRead::NeedTail(n) = Footer::parse("f", len, b.slice(b.len() - 100..)).unwrap() else {
            panic!("expected a second request");
        };
        assert!(n > 100 && n < len);
        let f = footer_of(&b, 100);
        assert_eq!(f.row_groups(), 30);
        assert_eq!(f.tail_len(), n);
    }

    #[test]
    fn row_groups_are_selected_by_created_at_days() {
        let b = small_llm_file(30, 24); // one row group per day
        let f = footer_of(&b, 64);
        assert_eq!(f.group_days(0), Some((day_of_date(date("2026-01-01")), day_of_date(date("2026-01-01")))));
        let w = Window::for_query(Table::LlmEvents, Some(date("2026-01-20")), Some(date("2026-01-22")));
        let p = f.plan(Table::LlmEvents, w, 0).unwrap();
        // 2026-01-14 ..= 2026-01-22: groups 13..=21.
        assert_eq!(p.row_groups, (13..=21).collect::<Vec<_>>());
        let conv = Window::for_query(Table::ConversionEvents, Some(date("2026-01-20")), Some(date("2026-01-22")));
        assert_eq!(f.plan(Table::LlmEvents, conv, 0).unwrap().row_groups, vec![19, 20, 21]);
        assert_eq!(f.plan(Table::LlmEvents, Window::ALL, 0).unwrap().row_groups.len(), 30);
        // The `model` column is not needed: its chunks are not fetched, so with no coalescing
        // there are gaps in each row group.
        let p = f.plan(Table::LlmEvents, Window::ALL, 0).unwrap();
        assert!(p.ranges.len() >= 30, "{}", p.ranges.len());
        assert!(p.bytes() < b.len() as u64);
    }

    #[test]
    fn ranged_load_gives_the_same_facts_in_the_window() {
        let b = small_llm_file(30, 24);
        let mut full = crate::Dataset::new();
        full.load(Table::LlmEvents, "f.parquet", b.clone()).unwrap();
        let (from, to) = (date("2026-01-20"), date("2026-01-22"));
        let q = crate::Query { providers: None, from: Some(from), to: Some(to) };

        let f = footer_of(&b, 2000);
        let p = f.plan(Table::LlmEvents, Window::for_query(Table::LlmEvents, Some(from), Some(to)), 1000).unwrap();
        let pieces = p.ranges.iter().map(|r| (r.start, b.slice(r.start as usize..r.end as usize))).collect();
        let src = f.source(&p, pieces).unwrap();
        let mut ranged = crate::Dataset::new();
        let report = ranged.load_source(Table::LlmEvents, "f.parquet", src).unwrap();
        assert_eq!(report.rows_read, 9 * 24);
        assert_eq!(ranged.dashboard_facts(&q), full.dashboard_facts(&q));
        assert_eq!(ranged.daily_totals(&q), full.daily_totals(&q));
        assert!(!ranged.dashboard_facts(&q).is_empty());
    }

    /// The planned ranges' bytes cut at each row group's span end: the pieces a streamed range
    /// read hands to [`crate::load::LlmStream::push`], with their start offsets.
    fn cut_at_groups(b: &Bytes, p: &Plan, s: &crate::load::LlmStream, f: &Footer) -> Vec<(u64, Bytes)> {
        let ends: Vec<u64> = p.row_groups.iter().map(|&g| f.group_span(Table::LlmEvents, g).unwrap().end).collect();
        let mut out = Vec::new();
        for r in &p.ranges {
            let mut at = r.start;
            for &e in ends.iter().filter(|&&e| e > r.start && e < r.end).chain([&r.end]) {
                out.push((at, b.slice(at as usize..e as usize)));
                at = e;
            }
        }
        assert!(s.in_file_order());
        out
    }

    #[test]
    fn a_stream_of_row_groups_loads_what_the_whole_ranged_read_loads() {
        let b = small_llm_file(30, 24);
        let (from, to) = (date("2026-01-20"), date("2026-01-22"));
        for (window, gap) in [(Window::ALL, 0), (Window::ALL, 1 << 20), (Window::for_query(Table::LlmEvents, Some(from), Some(to)), 1000)] {
            let f = footer_of(&b, 2000);
            let p = f.plan(Table::LlmEvents, window, gap).unwrap();
            let pieces: Vec<(u64, Bytes)> = p.ranges.iter().map(|r| (r.start, b.slice(r.start as usize..r.end as usize))).collect();
            let mut whole = crate::Dataset::new();
            let want = whole.load_source(Table::LlmEvents, "f.parquet", f.source(&p, pieces).unwrap()).unwrap();

            let mut s = crate::load::LlmStream::open(&f, &p).unwrap();
            let parts = cut_at_groups(&b, &p, &s, &f);
            // The pieces arrive in order; each group is pushed once the bytes up to its span's
            // end are in, with the pieces so far.
            let mut decoded = 0;
            for (k, (start, piece)) in parts.iter().enumerate() {
                let end = start + piece.len() as u64;
                while let Some(span) = s.next_span() {
                    if span.end > end {
                        break;
                    }
                    s.push(&parts[..=k]).unwrap();
                    decoded += 1;
                }
            }
            assert_eq!(decoded, p.row_groups.len());
            assert!(s.next_span().is_none());
            let mut streamed = crate::Dataset::new();
            let got = streamed.install_llm(s).unwrap();
            assert_eq!(got, want);
            let q = crate::Query::default();
            assert_eq!(streamed.dashboard_facts(&q), whole.dashboard_facts(&q));
            assert_eq!(streamed.daily_totals(&q), whole.daily_totals(&q));
            assert_eq!(streamed.report(), whole.report());
            assert!(!streamed.dashboard_facts(&q).is_empty());
        }
    }

    #[test]
    fn a_stream_refuses_missing_bytes_and_unfinished_loads() {
        let b = small_llm_file(5, 24);
        let f = footer_of(&b, 2000);
        let p = f.plan(Table::LlmEvents, Window::ALL, 0).unwrap();
        let mut s = crate::load::LlmStream::open(&f, &p).unwrap();
        let span = s.next_span().unwrap();
        // A piece one byte short of the group's span: a clear error naming the file.
        let e = s.push(&[(span.start, b.slice(span.start as usize..span.end as usize - 1))]).unwrap_err();
        assert!(e.to_string().starts_with("f.parquet: corrupt data"), "{e}");
        // A stream that did not get every group cannot be installed.
        let mut s = crate::load::LlmStream::open(&f, &p).unwrap();
        let span = s.next_span().unwrap();
        s.push(&[(span.start, b.slice(span.start as usize..span.end as usize))]).unwrap();
        let e = crate::Dataset::new().install_llm(s).unwrap_err();
        assert!(e.to_string().contains("1 of 5 row groups were decoded"), "{e}");
    }

    #[test]
    fn a_read_outside_the_fetched_ranges_is_a_clear_error() {
        let b = small_llm_file(10, 24);
        let f = footer_of(&b, 8);
        let p = f.plan(Table::LlmEvents, Window::ALL, 0).unwrap();
        // Fetch everything but the last range: the planned range is missing.
        let mut pieces: Vec<(u64, Bytes)> =
            p.ranges.iter().map(|r| (r.start, b.slice(r.start as usize..r.end as usize))).collect();
        pieces.pop();
        let e = f.source(&p, pieces.clone()).unwrap_err();
        assert!(e.to_string().starts_with("f.parquet: corrupt data (bytes "), "{e}");
        // A source that claims row groups whose chunks were not fetched: decoding fails cleanly.
        let mut short = p.clone();
        short.ranges.pop();
        let src = f.source(&short, pieces).unwrap();
        let e = crate::Dataset::new().load_source(Table::LlmEvents, "f.parquet", src).unwrap_err();
        assert!(matches!(e, LoadError::Corrupt { .. }), "{e}");
        assert!(e.to_string().contains("not fetched"), "{e}");
    }

    #[test]
    fn a_bad_footer_names_the_file() {
        let b = small_llm_file(3, 24);
        let len = b.len() as u64;
        let cut = b.slice(..b.len() - 10);
        let e = Footer::parse("big.parquet", len - 10, cut.slice(cut.len() - 1000..)).unwrap_err();
        assert_eq!(e.to_string(), "big.parquet: not a Parquet file (no PAR1 magic at the end: the file is truncated)");
        // Garbled metadata, PAR1 kept.
        let mut g = b.to_vec();
        let n = g.len();
        for x in &mut g[n - 200..n - 8] {
            *x = 0xff;
        }
        let e = Footer::parse("big.parquet", len, Bytes::from(g)).unwrap_err();
        assert!(e.to_string().starts_with("big.parquet: not a Parquet file (unreadable footer"), "{e}");
        // A footer length larger than the file.
        let mut g = b.to_vec();
        g[n - 8..n - 4].copy_from_slice(&u32::MAX.to_le_bytes());
        let e = Footer::parse("big.parquet", len, Bytes::from(g)).unwrap_err();
        assert!(e.to_string().contains("does not fit"), "{e}");
        assert!(Footer::parse("e.parquet", 0, Bytes::new()).unwrap_err().to_string().contains("empty"));
    }

    #[test]
    fn a_wider_window_fetches_only_what_is_missing_and_loads_exactly() {
        let b = small_llm_file(30, 24);
        let fetch = |rs: &[Range<u64>]| rs.iter().map(|r| (r.start, b.slice(r.start as usize..r.end as usize))).collect::<Vec<_>>();
        let mut f = RangedFile::new(footer_of(&b, 8), Table::LlmEvents, 0);
        assert_eq!(f.footer().date_span(), Some((date("2026-01-01"), date("2026-01-30"))));
        let narrow = Window::for_query(Table::LlmEvents, Some(date("2026-01-20")), Some(date("2026-01-22")));
        let (plan, missing) = f.missing(narrow).unwrap();
        assert_eq!(missing, plan.ranges);
        f.add(narrow, fetch(&missing));
        assert!(f.covers(&narrow));
        let first = f.bytes_fetched();
        let wide = Window::for_query(Table::LlmEvents, Some(date("2026-01-15")), Some(date("2026-01-25")));
        assert!(!f.covers(&wide));
        let (plan, missing) = f.missing(wide).unwrap();
        let again: u64 = missing.iter().map(|r| r.end - r.start).sum();
        assert!(again < plan.bytes(), "only the new row groups: {again} of {}", plan.bytes());
        f.add(wide, fetch(&missing));
        assert_eq!(f.bytes_fetched(), first + again);
        assert!(f.covers(&wide) && f.covers(&narrow));
        assert!(f.missing(wide).unwrap().1.is_empty());

        let mut full = crate::Dataset::new();
        full.load(Table::LlmEvents, "f.parquet", b.clone()).unwrap();
        let mut ranged = crate::Dataset::new();
        ranged.load_source(Table::LlmEvents, "f.parquet", f.source(&plan).unwrap()).unwrap();
        let q = crate::Query { providers: None, from: Some(date("2026-01-15")), to: Some(date("2026-01-25")) };
        assert_eq!(ranged.dashboard_facts(&q), full.dashboard_facts(&q));
    }

    #[test]
    fn windows() {
        let w = Window { from: Some(10), to: Some(20) };
        assert!(w.overlaps(5, 10) && w.overlaps(20, 30) && w.overlaps(12, 13));
        assert!(!w.overlaps(0, 9) && !w.overlaps(21, 22));
        assert!(Window::ALL.contains(&w) && !w.contains(&Window::ALL));
        assert!(w.contains(&Window { from: Some(11), to: Some(20) }));
        let h = w.hull(&Window { from: Some(30), to: Some(40) });
        assert_eq!(h, Window { from: Some(10), to: Some(40) });
        assert!(h.contains(&w));
        assert_eq!(w.hull(&Window { from: None, to: Some(12) }), Window { from: None, to: Some(20) });
        assert!(!w.contains(&Window { from: Some(9), to: Some(20) }));
        let s = Window::for_query(Table::SupportEvents, Some(date("2026-01-01")), None);
        assert_eq!(s, Window::ALL);
    }
}
