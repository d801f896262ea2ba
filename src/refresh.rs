//! Incremental refresh: what a page that polls its data every `refresh_seconds` decides, as pure
//! functions (no DOM, no clock, no network — the worker's poll loop supplies responses and the
//! time; see `docs/manifest.md`, "In the page").
//!
//! - [`Validators`]: a response's `ETag` / `Last-Modified`, sent back as `If-None-Match` /
//!   `If-Modified-Since` so an unchanged file costs a `304 Not Modified` without a body;
//!   [`classify`] says what a status means.
//! - [`ManifestSync`]: a partitioned snapshot. It keeps the last good [`Manifest`] and a
//!   [`PartCache`] of decoded parts keyed by `sha256`; [`ManifestSync::plan`] lists the parts a new
//!   manifest needs that are not held yet, [`ManifestSync::apply`] checks and decodes them and
//!   re-merges only the tables whose part list changed. A part listed twice or rewritten with a new
//!   hash is never counted twice: the tables are rebuilt from exactly the new manifest's
//!   de-duplicated keys. Any failure leaves the dataset and the last good manifest as they were.
//! - [`FileSync`]: three single files, each refetched only when its validators say it changed
//!   ([`FileSync::is_same`]: a body with the held validators is not decoded again).
//! - [`ranged_changed`]: whether a file read by ranges changed, from a poll's suffix-range answer.
//! - [`Schedule`]: the poll period, exponential backoff after failures (capped at
//!   [`MAX_BACKOFF_SECONDS`], reset by a success) and pause.
//! - [`Status`] and [`status_lines`]: "updated N s ago", "paused", the stale warning and the
//!   failure warning, in the page's language (`refresh.*` keys of [`crate::i18n`]).

use crate::contract::Table;
use crate::i18n::{Lang, fmt_date, t};
use crate::load::{Dataset, PartCache};
use crate::manifest::{ChangeKind, Manifest, Part, PartChange, sha256_hex};
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Longest wait between two polls after repeated failures, in seconds (unless `refresh_seconds`
/// itself is longer).
pub const MAX_BACKOFF_SECONDS: u32 = 300;

// ---------------------------------------------------------------------------------------------
// Conditional requests

/// The validators of the last good response for one URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    /// The `ETag` header, verbatim (weak `W/"…"` tags included).
    pub etag: Option<String>,
    /// The `Last-Modified` header, verbatim (an HTTP date).
    pub last_modified: Option<String>,
}

impl Validators {
    /// From a response's `ETag` and `Last-Modified` headers; blank values count as absent.
    pub fn from_headers(etag: Option<&str>, last_modified: Option<&str>) -> Validators {
        let keep = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        Validators { etag: keep(etag), last_modified: keep(last_modified) }
    }

    /// True when the response had neither header (every poll then transfers the whole file).
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }

    /// The request headers of a conditional request: `If-None-Match: <etag>` and
    /// `If-Modified-Since: <last-modified>` for whichever is known (a server that has both
    /// evaluates `If-None-Match` first, RFC 9110 §13.2.2). Empty when nothing is known.
    pub fn conditional_headers(&self) -> Vec<(&'static str, String)> {
        let mut h = Vec::new();
        if let Some(e) = &self.etag {
            h.push(("If-None-Match", e.clone()));
        }
        if let Some(l) = &self.last_modified {
            h.push(("If-Modified-Since", l.clone()));
        }
        h
    }
}

/// What a poll's HTTP status means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// `304 Not Modified` to a conditional request: nothing new, no body.
    NotModified,
    /// A 2xx: the body is the current content; parse or decode it.
    Body,
    /// Anything else: the poll failed; `why` is one line for the warning, e.g. `HTTP 500`.
    Failed { why: String },
}

/// Classifies `status` (with the response's status text, possibly empty) of a request that was
/// conditional iff `conditional`. A 304 to an unconditional request is a failure: there is no
/// previous content it could refer to.
pub fn classify(status: u16, status_text: &str, conditional: bool) -> Reply {
    match status {
        304 if conditional => Reply::NotModified,
        200..=299 => Reply::Body,
        _ => Reply::Failed { why: format!("HTTP {status} {status_text}").trim_end().to_string() },
    }
}

/// Whether a poll of a file read by ranges (a conditional suffix-range request, answered with a
/// body rather than a `304`) shows a different file than the one held: `held` and `held_len` are
/// the validators and the length of the file the data was read from; `got` and `got_len` (the
/// total of the answer's `Content-Range`, or the body's length for a `200`) describe the answer.
/// Changed when the lengths differ, or when a validator the answer carries differs from the held
/// one (an `ETag` first; a `Last-Modified` only when neither side has an `ETag`). A server that
/// ignores `If-None-Match` but sends the same validators therefore does not make the poll re-read
/// the file. Without any validator on either side only a new length shows a change.
pub fn ranged_changed(held: &Validators, held_len: u64, got: &Validators, got_len: Option<u64>) -> bool {
    if got_len.is_some_and(|n| n != held_len) {
        return true;
    }
    match (&held.etag, &got.etag) {
        (Some(a), Some(b)) => return a != b,
        (None, Some(_)) => return true,
        _ => {}
    }
    match (&held.last_modified, &got.last_modified) {
        (Some(a), Some(b)) => a != b,
        (None, Some(_)) => true,
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Failures

/// A failed poll: which file and why, for "refresh failed: <file>: <why>".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The file that failed (a manifest or part path, or a snapshot's file name).
    pub file: String,
    /// One line: an HTTP status, a network error, the manifest's or the decoder's message.
    pub why: String,
}

impl Failure {
    /// A failure of `file`. A `why` that already starts with `"<file>: "` (the core's error
    /// messages do) loses that prefix, so the file is named once.
    pub fn new(file: impl Into<String>, why: impl Into<String>) -> Failure {
        let file = file.into();
        let why = why.into();
        let why = why.strip_prefix(&format!("{file}: ")).map(str::to_string).unwrap_or(why);
        Failure { file, why }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.why)
    }
}

/// Checks fetched `bytes` against the manifest's entry for them: the size, then the SHA-256.
/// A mismatch means the part changed after the manifest was written, or the transfer was
/// damaged; its rows are not used.
pub fn check_part(part: &Part, bytes: &[u8]) -> Result<(), Failure> {
    if bytes.len() as u64 != part.bytes {
        return Err(Failure::new(
            &part.path,
            format!("{} bytes received, the manifest says {}", bytes.len(), part.bytes),
        ));
    }
    let got = sha256_hex(bytes);
    if got != part.sha256 {
        return Err(Failure::new(&part.path, format!("sha256 {got} does not match the manifest's {}", part.sha256)));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Manifest

/// What a new manifest needs (see [`ManifestSync::plan`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// Parts to fetch and decode: added or changed since the last good manifest and not already
    /// decoded, in [`Manifest::diff`] order. Each `(table, sha256)` appears once.
    pub fetch: Vec<(Table, Part)>,
    /// [`Manifest::diff`] from the last good manifest (an empty one before the first load).
    pub changes: Vec<PartChange>,
    /// Tables to rebuild from the cache: those with any change, in [`Table::ALL`] order.
    pub tables: Vec<Table>,
}

impl Plan {
    /// True when the new manifest lists the same parts as the last good one.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }

    /// Bytes the plan fetches, by the manifest's sizes.
    pub fn bytes(&self) -> u64 {
        self.fetch.iter().map(|(_, p)| p.bytes).sum()
    }
}

/// What [`ManifestSync::apply`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Applied {
    /// Parts decoded.
    pub parts_decoded: usize,
    /// Parts (per the diff) added, changed, removed.
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    /// Tables rebuilt.
    pub tables: Vec<Table>,
}

/// The page's view of a partitioned snapshot: the last good manifest (and its validators) and
/// the decoded parts.
///
/// A poll: send [`ManifestSync::conditional_headers`]; on a 304 nothing changed; on a body,
/// [`Manifest::parse_named`] it (an error is a [`Failure`] of the manifest), [`plan`] it, fetch
/// each part of [`Plan::fetch`] (resolve paths with [`crate::manifest::resolve`]) and [`apply`].
/// The validators and the manifest become "last good" only when everything succeeded, so a poll
/// after a failure fetches the manifest again and retries what is still missing — the parts that
/// did decode stay in the cache and are not fetched twice.
///
/// [`plan`]: ManifestSync::plan
/// [`apply`]: ManifestSync::apply
#[derive(Debug, Default)]
pub struct ManifestSync {
    last_good: Option<Manifest>,
    validators: Validators,
    cache: PartCache,
}

impl ManifestSync {
    /// Nothing loaded yet.
    pub fn new() -> ManifestSync {
        ManifestSync::default()
    }

    /// The manifest the dataset reflects, if any.
    pub fn last_good(&self) -> Option<&Manifest> {
        self.last_good.as_ref()
    }

    /// Headers for the next manifest request (empty before the first success).
    pub fn conditional_headers(&self) -> Vec<(&'static str, String)> {
        self.validators.conditional_headers()
    }

    /// What `new` needs: the diff from the last good manifest, the tables to rebuild, and the
    /// parts not yet decoded (a part whose `(table, sha256)` is in the cache — e.g. decoded by a
    /// poll that failed later — is not fetched again).
    pub fn plan(&self, new: &Manifest) -> Plan {
        let empty = Manifest::default();
        let old = self.last_good.as_ref().unwrap_or(&empty);
        let changes = Manifest::diff(old, new);
        let mut tables: Vec<Table> = Table::ALL
            .into_iter()
            .filter(|&t| self.last_good.is_none() || changes.iter().any(|c| c.table == t))
            .collect();
        tables.dedup();
        let mut fetch: Vec<(Table, Part)> = Vec::new();
        for c in &changes {
            let wanted = matches!(c.change, ChangeKind::Added | ChangeKind::Changed { .. });
            if wanted
                && !self.cache.contains(c.table, &c.part.sha256)
                && !fetch.iter().any(|(t, p)| *t == c.table && p.sha256 == c.part.sha256)
            {
                fetch.push((c.table, c.part.clone()));
            }
        }
        Plan { fetch, changes, tables }
    }

    /// Makes `ds` hold `new`: checks each fetched part against its entry ([`check_part`]),
    /// decodes it into the cache, then rebuilds each of `plan.tables` from the cache with the new
    /// manifest's keys in its order, and drops cached parts the new manifest no longer lists.
    /// `fetched` are the bytes of `plan.fetch`, in any order, matched by `(table, sha256)`.
    ///
    /// On any error (a part missing from `fetched`, a size or hash mismatch, a decode error, a
    /// merge error) `ds`, the last good manifest and its validators are unchanged; parts that did
    /// decode stay cached for the retry. The error names the part.
    pub fn apply(
        &mut self,
        new: Manifest,
        validators: Validators,
        plan: &Plan,
        fetched: Vec<(Table, Part, Bytes)>,
        ds: &mut Dataset,
    ) -> Result<Applied, Failure> {
        let mut decoded = 0;
        for (table, part) in &plan.fetch {
            let Some((_, _, bytes)) = fetched.iter().find(|(t, p, _)| t == table && p.sha256 == part.sha256) else {
                return Err(Failure::new(&part.path, "not fetched"));
            };
            check_part(part, bytes)?;
            self.cache
                .insert(*table, &part.sha256, &part.path, bytes.clone())
                .map_err(|e| Failure::new(&part.path, e.to_string()))?;
            decoded += 1;
        }
        // Rebuild; on a failure put back the tables already rebuilt (the old keys are still cached).
        let old_keys = |t: Table| -> Vec<String> {
            self.last_good.as_ref().map(|m| m.parts(t).iter().map(|p| p.sha256.clone()).collect()).unwrap_or_default()
        };
        let mut done: Vec<Table> = Vec::new();
        for &table in &plan.tables {
            let keys: Vec<&str> = new.parts(table).iter().map(|p| p.sha256.as_str()).collect();
            if let Err(e) = ds.load_cached(table, &self.cache, &keys) {
                for &t in &done {
                    let old = old_keys(t);
                    let old: Vec<&str> = old.iter().map(String::as_str).collect();
                    // The same keys loaded before, so this cannot fail; if it did, the table would
                    // keep the new content, which is still a consistent table.
                    let _ = ds.load_cached(t, &self.cache, &old);
                }
                let file = match &e {
                    crate::LoadError::NotParquet { file, .. }
                    | crate::LoadError::MissingColumn { file, .. }
                    | crate::LoadError::WrongType { file, .. }
                    | crate::LoadError::Corrupt { file, .. } => file.clone(),
                };
                return Err(Failure::new(file, e.to_string()));
            }
            done.push(table);
        }
        for t in Table::ALL {
            let keys: Vec<&str> = new.parts(t).iter().map(|p| p.sha256.as_str()).collect();
            self.cache.retain(t, &keys);
        }
        let count = |f: fn(&ChangeKind) -> bool| plan.changes.iter().filter(|c| f(&c.change)).count();
        let applied = Applied {
            parts_decoded: decoded,
            added: count(|c| matches!(c, ChangeKind::Added)),
            changed: count(|c| matches!(c, ChangeKind::Changed { .. })),
            removed: count(|c| matches!(c, ChangeKind::Removed)),
            tables: plan.tables.clone(),
        };
        self.last_good = Some(new);
        self.validators = validators;
        Ok(applied)
    }

    /// Records the validators of a response whose manifest listed exactly the parts already
    /// held (a server without validators, or a manifest rewritten with the same parts): the next
    /// poll can then get a 304. Call only after [`plan`](ManifestSync::plan) was empty.
    pub fn keep(&mut self, new: Manifest, validators: Validators) {
        self.last_good = Some(new);
        self.validators = validators;
    }
}

// ---------------------------------------------------------------------------------------------
// Single files

/// A conditional request to make: the table, the URL, and its conditional headers.
pub type FileRequest = (Table, String, Vec<(&'static str, String)>);

/// The page's view of single snapshot files: per URL, the validators of the content loaded
/// ([`FileSync::seed`] with those of the first load, then each applied body's). A file is decoded
/// again only when a poll returns a body (its validators changed, or the server sends none). Files are independent: a file that fails keeps its last good table while
/// the others update.
#[derive(Debug, Clone, Default)]
pub struct FileSync {
    files: Vec<(Table, String, Validators)>,
}

impl FileSync {
    /// Tracks `urls` (one per table), nothing loaded yet.
    pub fn new(urls: &[(Table, String)]) -> FileSync {
        FileSync { files: urls.iter().map(|(t, u)| (*t, u.clone(), Validators::default())).collect() }
    }

    /// Records `validators` of the response that delivered `table`'s file to the first load
    /// (which decoded it), so the first poll is already a conditional request: an unchanged file
    /// then costs a `304`, not a second download and decode. Empty validators change nothing; a
    /// table not tracked is ignored.
    pub fn seed(&mut self, table: Table, validators: Validators) {
        if validators.is_empty() {
            return;
        }
        if let Some(f) = self.files.iter_mut().find(|(t, _, _)| *t == table) {
            f.2 = validators;
        }
    }

    /// The files to poll: (table, URL, conditional headers).
    pub fn requests(&self) -> Vec<FileRequest> {
        self.files.iter().map(|(t, u, v)| (*t, u.clone(), v.conditional_headers())).collect()
    }

    /// True when a body answered to `table`'s conditional request carries the validators already
    /// held for it (non-empty): the server ignored `If-None-Match` / `If-Modified-Since`, the file
    /// is the one loaded, and decoding it again would change nothing.
    pub fn is_same(&self, table: Table, got: &Validators) -> bool {
        !got.is_empty() && self.files.iter().any(|(t, _, v)| *t == table && v == got)
    }

    /// Decodes a new body of `table`'s file `name` into `ds` and, on success, remembers
    /// `validators` for it. On error `ds` keeps the table's last good content and the validators
    /// stay as they were (the next poll fetches the file again).
    pub fn apply(&mut self, table: Table, name: &str, bytes: Bytes, validators: Validators, ds: &mut Dataset) -> Result<(), Failure> {
        ds.load(table, name, bytes).map_err(|e| Failure::new(name, e.to_string()))?;
        if let Some(f) = self.files.iter_mut().find(|(t, _, _)| *t == table) {
            f.2 = validators;
        }
        Ok(())
    }

    /// The latest `Last-Modified` over the files loaded (parsed as an HTTP date), if any.
    pub fn last_modified(&self) -> Option<DateTime<Utc>> {
        self.files
            .iter()
            .filter_map(|(_, _, v)| v.last_modified.as_deref())
            .filter_map(|s| DateTime::parse_from_rfc2822(s).ok())
            .map(|d| d.with_timezone(&Utc))
            .max()
    }
}

// ---------------------------------------------------------------------------------------------
// Schedule

/// When to poll next: every `refresh_seconds`; after `k` failures in a row, `refresh_seconds ×
/// 2^k` capped at [`MAX_BACKOFF_SECONDS`] (or at `refresh_seconds` if that is longer); a success
/// resets the backoff; paused = no polls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Schedule {
    /// The configured period in seconds; 0 = never poll.
    pub every: u32,
    /// Failed polls in a row.
    pub failures: u32,
    /// Polling paused by the visitor.
    pub paused: bool,
}

impl Schedule {
    /// A schedule polling every `every` seconds (0 = never).
    pub fn new(every: u32) -> Schedule {
        Schedule { every, failures: 0, paused: false }
    }

    /// Seconds until the next poll; `None` when paused or when refresh is off.
    pub fn delay_seconds(&self) -> Option<u32> {
        if self.paused || self.every == 0 {
            return None;
        }
        let cap = MAX_BACKOFF_SECONDS.max(self.every);
        let factor = 1u64 << self.failures.min(31);
        Some((u64::from(self.every) * factor).min(u64::from(cap)) as u32)
    }

    /// A poll succeeded (including a 304): back to the configured period.
    pub fn succeeded(&mut self) {
        self.failures = 0;
    }

    /// A poll failed: wait twice as long next time (up to the cap).
    pub fn failed(&mut self) {
        self.failures = self.failures.saturating_add(1);
    }

    /// Stops polling until [`resume`](Schedule::resume).
    pub fn pause(&mut self) {
        self.paused = true;
    }

    /// Polls again (the caller polls right away, then every period).
    pub fn resume(&mut self) {
        self.paused = false;
    }
}

// ---------------------------------------------------------------------------------------------
// Staleness and status text

/// The instant the newest data is known to be from: the earlier of `published` (when the data
/// was published: a manifest's `generated_at`, or the latest `Last-Modified` of single files)
/// and the end of `last_date` (the newest event date: a manifest's max `max_date`, or the data's
/// last date). A manifest rewritten today over old parts is therefore as old as its parts, and a
/// day still being appended to is as fresh as its last publication. `None` when neither is known.
pub fn newest_data(published: Option<DateTime<Utc>>, last_date: Option<NaiveDate>) -> Option<DateTime<Utc>> {
    let end_of_day = last_date
        .and_then(|d| d.succ_opt())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc());
    match (published, end_of_day) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// True when the newest data is more than `stale_after_seconds` older than `now`
/// (0 = never stale; unknown age = not stale).
pub fn is_stale(newest: Option<DateTime<Utc>>, now: DateTime<Utc>, stale_after_seconds: u32) -> bool {
    stale_after_seconds > 0 && newest.is_some_and(|n| (now - n).num_seconds() > i64::from(stale_after_seconds))
}

/// Everything the status line shows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Status {
    /// When the last successful poll (or the first load) finished.
    pub last_success: Option<DateTime<Utc>>,
    /// [`newest_data`] of what is on screen.
    pub newest: Option<DateTime<Utc>>,
    /// The last poll's failure, until a poll succeeds.
    pub failure: Option<Failure>,
    /// When the next poll is due (`None`: paused or refresh off).
    pub next_poll: Option<DateTime<Utc>>,
    /// Polling paused.
    pub paused: bool,
}

/// How a status line is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tone {
    /// Plain information ("updated 4 s ago", "paused").
    Info,
    /// A non-blocking warning (stale data, a failed poll).
    Warning,
}

/// The status lines at `now`, in order: "updated N s ago" (or "not updated yet"), "paused",
/// the stale warning (when [`is_stale`]), the failure warning with the seconds until the retry.
/// Plain text: file names and messages are data, to be shown as text nodes.
pub fn status_lines(lang: Lang, s: &Status, now: DateTime<Utc>, stale_after_seconds: u32) -> Vec<(Tone, String)> {
    let mut out = Vec::new();
    out.push((
        Tone::Info,
        match s.last_success {
            Some(at) => ago(lang, (now - at).num_seconds().max(0)),
            None => t(lang, "refresh.never").to_string(),
        },
    ));
    if s.paused {
        out.push((Tone::Info, t(lang, "refresh.paused").to_string()));
    }
    if is_stale(s.newest, now, stale_after_seconds)
        && let Some(n) = s.newest
    {
        out.push((Tone::Warning, fill(t(lang, "refresh.stale"), &[("when", &fmt_instant(lang, n))])));
    }
    if let Some(f) = &s.failure {
        let mut text = fill(t(lang, "refresh.failed"), &[("file", &f.file), ("why", &f.why)]);
        if let (Some(next), false) = (s.next_poll, s.paused) {
            let secs = (next - now).num_seconds().max(0);
            text.push_str(&fill(t(lang, "refresh.retry"), &[("n", &secs.to_string())]));
        }
        out.push((Tone::Warning, text));
    }
    out
}

/// "updated 5 s ago" below two minutes, "updated 3 min ago" below two hours, else hours.
fn ago(lang: Lang, secs: i64) -> String {
    let (key, n) = match secs {
        s if s < 120 => ("refresh.updated_s", s),
        s if s < 7200 => ("refresh.updated_min", s / 60),
        s => ("refresh.updated_h", s / 3600),
    };
    fill(t(lang, key), &[("n", &n.to_string())])
}

/// `template` with each `{name}` replaced by its value, in one pass (a value containing `{…}`
/// is not expanded again); unknown `{…}` stay as they are.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').and_then(|close| values.iter().find(|(k, _)| *k == &after[..close]).map(|(_, v)| (close, v))) {
            Some((close, v)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `27 Nov 2026 10:05 UTC` in the page's language.
fn fmt_instant(lang: Lang, at: DateTime<Utc>) -> String {
    format!("{} {} UTC", fmt_date(lang, at.date_naive()), at.format("%H:%M"))
}

#[cfg(test)]
mod tests;
