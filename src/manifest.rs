//! `manifest.json`: the list of Parquet parts that make up each input table of a partitioned
//! snapshot, so a reader fetches only what is new (format: `docs/manifest.md`, JSON Schema:
//! `schemas/manifest.schema.json`).
//!
//! Pure: text in, [`Manifest`] out; Parquet bytes in, [`Part`] out. No file system, no clock —
//! the CLI (`modelpulse manifest`, `modelpulse generate --partition daily`) and the page share it.
//!
//! - [`Manifest::parse`] checks every field and names the first bad one, e.g.
//!   `manifest.json: tables.raw_llm_events.parts[3].rows: expected a non-negative integer`.
//! - A part listed twice (same path, or the same bytes — same `sha256` — under another path) is
//!   kept once: [`Manifest::parts`] never yields the same rows twice, and [`Manifest::duplicates`]
//!   says what was dropped.
//! - [`Manifest::diff`] gives what a reader holding `old` must fetch or drop to hold `new`.
//! - [`describe_part`] computes a part's entry (rows, bytes, event-date range, hash) from its bytes.

use crate::contract::Table;
use crate::error::LoadError;
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;

/// The manifest's file name, next to the parts it lists.
pub const MANIFEST_FILE: &str = "manifest.json";

/// The format version this code reads and writes. A reader refuses any other version.
pub const VERSION: u64 = 1;

/// One Parquet file of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    /// Where the part is: relative to the manifest's folder (`/`-separated, no `..` segments,
    /// e.g. `raw_llm_events/dt=2026-11-27/part-0.parquet`), or an absolute `http(s)://` URL.
    pub path: String,
    /// Rows in the file (from the Parquet footer).
    pub rows: u64,
    /// Size of the file in bytes.
    pub bytes: u64,
    /// UTC date of the earliest non-null `created_at`; `None` when the part has no such value
    /// (no rows, all null, or — support table only — no `created_at` column).
    pub min_date: Option<NaiveDate>,
    /// UTC date of the latest non-null `created_at`; `None` exactly when `min_date` is.
    pub max_date: Option<NaiveDate>,
    /// SHA-256 of the file's bytes, 64 lowercase hex digits. A part whose content changes gets a
    /// new hash; readers identify content by it.
    pub sha256: String,
}

/// An entry [`Manifest::parse`] dropped because it repeats an earlier one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    /// The table whose part list has the repeat.
    pub table: Table,
    /// Index of the dropped entry in the manifest's `parts` array.
    pub index: usize,
    /// Index of the earlier entry it repeats.
    pub same_as: usize,
    /// The dropped entry's path.
    pub path: String,
}

/// A parsed, validated manifest.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Manifest {
    /// Format version, always [`VERSION`].
    pub version: u64,
    /// When the manifest was written (UTC).
    pub generated_at: DateTime<Utc>,
    /// Parts per table in [`Table::ALL`] order, duplicates removed.
    tables: [Vec<Part>; 3],
    /// Entries dropped as repeats while parsing.
    duplicates: Vec<Duplicate>,
}

/// How a part differs between two manifests (see [`Manifest::diff`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ChangeKind {
    /// A path the old manifest did not list: fetch it.
    Added,
    /// The same path with another hash: fetch it and drop the rows of the old content.
    Changed {
        /// The hash the old manifest had for this path.
        old_sha256: String,
    },
    /// A path the new manifest no longer lists: drop its rows.
    Removed,
}

/// One difference between two manifests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartChange {
    /// The table the part belongs to.
    pub table: Table,
    /// What happened to it.
    pub change: ChangeKind,
    /// The part as the new manifest lists it (for [`ChangeKind::Removed`]: as the old one did).
    pub part: Part,
}

/// Why a manifest was refused. `Display` is one line that names the file and, for a bad field,
/// its path in the document: `manifest.json: tables.raw_llm_events.parts[3].rows: expected a
/// non-negative integer`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// The text is not JSON.
    #[error("{file}: not valid JSON ({detail})")]
    Json { file: String, detail: String },
    /// A field is missing or has a bad value.
    #[error("{file}: {field}: {problem}")]
    Field { file: String, field: String, problem: String },
}

impl Manifest {
    /// A manifest of the given parts, written at `generated_at`. Parts keep the order given;
    /// repeats (same path, or same hash) are dropped as [`Manifest::parse`] would drop them.
    pub fn new(generated_at: DateTime<Utc>, parts: impl IntoIterator<Item = (Table, Part)>) -> Manifest {
        let mut m = Manifest { version: VERSION, generated_at, ..Default::default() };
        let mut raw: [Vec<Part>; 3] = Default::default();
        for (t, p) in parts {
            raw[index_of(t)].push(p);
        }
        for t in Table::ALL {
            let list = std::mem::take(&mut raw[index_of(t)]);
            // Paths repeated with different hashes cannot come from describe_part on one folder;
            // keep the first in that case too.
            m.tables[index_of(t)] = dedup(t, list, &mut m.duplicates, |_, _| Ok::<(), ()>(())).expect("never refuses");
        }
        m
    }

    /// Parses and validates a manifest named `manifest.json` in messages.
    pub fn parse(text: &str) -> Result<Manifest, ManifestError> {
        Self::parse_named(MANIFEST_FILE, text)
    }

    /// Parses and validates a manifest; `file` names it in error messages (a path or URL).
    ///
    /// Rules: `version` is 1; `generated_at` is an RFC 3339 date-time; `tables` is an object whose
    /// keys are table names (each optional: a missing table has no parts); each table is an object
    /// with a `parts` array; each part has `path` (non-empty; relative without `..`, `\`, or
    /// leading `/`, or an `http(s)://` URL), `rows` and `bytes` (non-negative integers),
    /// `min_date`/`max_date` (`YYYY-MM-DD`, both or neither null, min ≤ max) and `sha256` (64
    /// lowercase hex digits). Unknown fields elsewhere are ignored (later minor additions).
    /// The same path listed again with the same hash, or the same hash under another path, is
    /// dropped (see [`Manifest::duplicates`]); the same path with another hash is an error.
    pub fn parse_named(file: &str, text: &str) -> Result<Manifest, ManifestError> {
        let root: Value =
            serde_json::from_str(text).map_err(|e| ManifestError::Json { file: file.into(), detail: e.to_string() })?;
        let bad = |field: &str, problem: String| ManifestError::Field { file: file.into(), field: field.into(), problem };
        let obj = root.as_object().ok_or_else(|| bad("(top level)", format!("expected an object, found {}", kind(&root))))?;

        let version = match obj.get("version") {
            None => return Err(bad("version", "missing".into())),
            Some(v) => v.as_u64().ok_or_else(|| bad("version", format!("expected an integer, found {}", kind(v))))?,
        };
        if version != VERSION {
            return Err(bad("version", format!("unsupported version {version}; this modelpulse reads version {VERSION}")));
        }
        let generated_at = match obj.get("generated_at") {
            None => return Err(bad("generated_at", "missing".into())),
            Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| bad("generated_at", format!("expected an RFC 3339 date-time like 2026-11-27T10:00:00Z, got {s:?} ({e})")))?,
            Some(v) => return Err(bad("generated_at", format!("expected a string, found {}", kind(v)))),
        };
        let tables = match obj.get("tables") {
            None => return Err(bad("tables", "missing".into())),
            Some(Value::Object(t)) => t,
            Some(v) => return Err(bad("tables", format!("expected an object, found {}", kind(v)))),
        };
        for name in tables.keys() {
            if table_named(name).is_none() {
                let known: Vec<&str> = Table::ALL.iter().map(|t| t.name()).collect();
                return Err(bad(&format!("tables.{name}"), format!("unknown table; expected one of {}", known.join(", "))));
            }
        }

        let mut m = Manifest { version, generated_at, ..Default::default() };
        for t in Table::ALL {
            let Some(v) = tables.get(t.name()) else { continue };
            let at = format!("tables.{}", t.name());
            let tobj = v.as_object().ok_or_else(|| bad(&at, format!("expected an object, found {}", kind(v))))?;
            let parts = match tobj.get("parts") {
                None => return Err(bad(&format!("{at}.parts"), "missing".into())),
                Some(Value::Array(a)) => a,
                Some(v) => return Err(bad(&format!("{at}.parts"), format!("expected an array, found {}", kind(v)))),
            };
            let mut list = Vec::with_capacity(parts.len());
            for (i, p) in parts.iter().enumerate() {
                list.push(parse_part(&format!("{at}.parts[{i}]"), p).map_err(|(f, problem)| bad(&f, problem))?);
            }
            m.tables[index_of(t)] = dedup(t, list, &mut m.duplicates, |i, j| {
                Err(bad(
                    &format!("{at}.parts[{i}].path"),
                    format!("already listed as parts[{j}] with a different sha256 (a part must have one content)"),
                ))
            })?;
        }
        Ok(m)
    }

    /// The parts of `table`, each listed once, in manifest order.
    pub fn parts(&self, table: Table) -> &[Part] {
        &self.tables[index_of(table)]
    }

    /// Entries dropped while parsing because they repeat an earlier entry.
    pub fn duplicates(&self) -> &[Duplicate] {
        &self.duplicates
    }

    /// Total rows of `table` over its (de-duplicated) parts.
    pub fn rows(&self, table: Table) -> u64 {
        self.parts(table).iter().map(|p| p.rows).sum()
    }

    /// Latest `max_date` over every part of every table; `None` when no part has dated rows.
    pub fn max_date(&self) -> Option<NaiveDate> {
        self.tables.iter().flatten().filter_map(|p| p.max_date).max()
    }

    /// What changed from `old` to `new`, per table in [`Table::ALL`] order: added and changed
    /// parts in `new`'s order, then removed parts in `old`'s order. Parts are matched by path;
    /// an unchanged part (same path, same hash) is not listed. Both manifests are already
    /// de-duplicated, so a part listed twice yields at most one change.
    pub fn diff(old: &Manifest, new: &Manifest) -> Vec<PartChange> {
        let mut out = Vec::new();
        for t in Table::ALL {
            let before: HashMap<&str, &Part> = old.parts(t).iter().map(|p| (p.path.as_str(), p)).collect();
            let after: HashMap<&str, &Part> = new.parts(t).iter().map(|p| (p.path.as_str(), p)).collect();
            for p in new.parts(t) {
                match before.get(p.path.as_str()) {
                    None => out.push(PartChange { table: t, change: ChangeKind::Added, part: p.clone() }),
                    Some(o) if o.sha256 != p.sha256 => out.push(PartChange {
                        table: t,
                        change: ChangeKind::Changed { old_sha256: o.sha256.clone() },
                        part: p.clone(),
                    }),
                    Some(_) => {}
                }
            }
            for p in old.parts(t) {
                if !after.contains_key(p.path.as_str()) {
                    out.push(PartChange { table: t, change: ChangeKind::Removed, part: p.clone() });
                }
            }
        }
        out
    }

    /// The manifest as pretty-printed JSON (the documented format; [`Manifest::parse`] reads it
    /// back to an equal value). Every table is written, with an empty `parts` array if it has none.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Doc<'a> {
            version: u64,
            generated_at: String,
            tables: Tables<'a>,
        }
        #[derive(Serialize)]
        struct Tables<'a> {
            raw_llm_events: Parts<'a>,
            raw_support_events: Parts<'a>,
            raw_conversion_events: Parts<'a>,
        }
        #[derive(Serialize)]
        struct Parts<'a> {
            parts: &'a [Part],
        }
        let parts = |t| Parts { parts: self.parts(t) };
        let doc = Doc {
            version: self.version,
            generated_at: self.generated_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            tables: Tables {
                raw_llm_events: parts(Table::LlmEvents),
                raw_support_events: parts(Table::SupportEvents),
                raw_conversion_events: parts(Table::ConversionEvents),
            },
        };
        let mut s = serde_json::to_string_pretty(&doc).expect("plain data serialises");
        s.push('\n');
        s
    }
}

/// Where to fetch `path` when the manifest was fetched from `manifest_url`: an absolute
/// `http(s)://` URL as is; otherwise `path` relative to the manifest's folder (everything up to
/// and including the last `/` of `manifest_url`, query and fragment removed).
pub fn resolve(manifest_url: &str, path: &str) -> String {
    if is_absolute_url(path) {
        return path.to_string();
    }
    let base = manifest_url.split(['?', '#']).next().unwrap_or("");
    match base.rfind('/') {
        Some(i) => format!("{}{}", &base[..=i], path),
        None => path.to_string(),
    }
}

/// The entry of a part from its bytes: `rows` from the footer, `bytes`, `sha256`, and the UTC
/// date range of `created_at` — from the row groups' min/max statistics when every row group has
/// exact ones for an INT64 timestamp column, otherwise by decoding `created_at`. The file is
/// checked against `table`'s contract (required columns present, types accepted); errors name
/// `path`.
pub fn describe_part(table: Table, path: &str, bytes: &Bytes) -> Result<Part, LoadError> {
    let sha256 = sha256_hex(bytes);
    let (rows, range) = match stats::created_at_range(table, path, bytes)? {
        stats::Range::Known { rows, min_max } => (rows, min_max),
        stats::Range::Unknown => stats::decoded_range(table, path, bytes)?,
    };
    Ok(Part {
        path: path.to_string(),
        rows,
        bytes: bytes.len() as u64,
        min_date: range.map(|r| r.0),
        max_date: range.map(|r| r.1),
        sha256,
    })
}

/// SHA-256 of `bytes` as 64 lowercase hex digits (the manifest's `sha256`).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    Sha256::digest(bytes).iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

mod stats {
    //! The event-date range of a part, from statistics or by decoding `created_at`.
    use crate::contract::Table;
    use crate::error::LoadError;
    use bytes::Bytes;
    use chrono::NaiveDate;
    use parquet::basic::{LogicalType, Type as PhysicalType};
    use parquet::file::metadata::ParquetMetaDataReader;
    use parquet::file::statistics::Statistics;

    pub(super) enum Range {
        /// Rows in the file, and the (min, max) date of `created_at` (None: no non-null value).
        Known { rows: u64, min_max: Option<(NaiveDate, NaiveDate)> },
        /// Statistics cannot tell; decode the column.
        Unknown,
    }

    fn not_parquet(path: &str, detail: impl Into<String>) -> LoadError {
        LoadError::NotParquet { file: path.to_string(), detail: detail.into() }
    }

    /// Checks magic, footer and contract; then reads the range from statistics if it can.
    pub(super) fn created_at_range(table: Table, path: &str, bytes: &Bytes) -> Result<Range, LoadError> {
        if bytes.is_empty() {
            return Err(not_parquet(path, "the file is empty"));
        }
        if bytes.len() < 12 || &bytes[..4] != b"PAR1" {
            return Err(not_parquet(path, "no PAR1 magic at the start"));
        }
        if &bytes[bytes.len() - 4..] != b"PAR1" {
            return Err(not_parquet(path, "no PAR1 magic at the end: the file is truncated"));
        }
        // The footer and the contract's type checks as the loader does them
        // ([`crate::load::decode`]: no Arrow schema conversion, so no IPC code in the wasm).
        let md = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            ParquetMetaDataReader::new().parse_and_finish(bytes)
        }))
            .map_err(|_| not_parquet(path, "unreadable footer"))?
            .map_err(|e| not_parquet(path, format!("unreadable footer: {e}")))?;
        crate::load::decode::check_contract(table, path, &md)?;
        let rows = u64::try_from(md.file_metadata().num_rows())
            .map_err(|_| LoadError::Corrupt { file: path.to_string(), detail: "negative row count in the footer".into() })?;
        if crate::load::decode::column_type(&md, "created_at").is_none() {
            return Ok(Range::Known { rows, min_max: None });
        }
        // The leaf column `created_at` (a top-level primitive).
        let descr = md.file_metadata().schema_descr();
        let Some(leaf) = (0..descr.num_columns()).find(|&i| descr.column(i).path().parts() == ["created_at"]) else {
            return Ok(Range::Unknown);
        };
        let col = descr.column(leaf);
        let per_day: i64 = match (col.physical_type(), col.logical_type_ref()) {
            (PhysicalType::INT64, Some(LogicalType::Timestamp(t))) => match t.unit {
                parquet::basic::TimeUnit::MILLIS => 86_400_000,
                parquet::basic::TimeUnit::MICROS => 86_400_000_000,
                parquet::basic::TimeUnit::NANOS => 86_400_000_000_000,
            },
            _ => return Ok(Range::Unknown),
        };
        let mut lo: Option<i64> = None;
        let mut hi: Option<i64> = None;
        for rg in md.row_groups() {
            let c = rg.column(leaf);
            let n = rg.num_rows() as u64;
            match c.statistics() {
                Some(Statistics::Int64(s)) => {
                    if s.null_count_opt() == Some(n) {
                        continue; // all null: nothing to date
                    }
                    match (s.min_opt(), s.max_opt()) {
                        (Some(&a), Some(&b)) if s.min_is_exact() && s.max_is_exact() => {
                            lo = Some(lo.map_or(a, |x| x.min(a)));
                            hi = Some(hi.map_or(b, |x| x.max(b)));
                        }
                        _ => return Ok(Range::Unknown),
                    }
                }
                _ if n == 0 => {}
                _ => return Ok(Range::Unknown),
            }
        }
        let min_max = match (lo, hi) {
            (Some(a), Some(b)) => Some((date(path, a, per_day)?, date(path, b, per_day)?)),
            _ => None,
        };
        Ok(Range::Known { rows, min_max })
    }

    /// Rows and date range by decoding `created_at` (INT96, missing statistics, …).
    pub(super) fn decoded_range(
        table: Table,
        path: &str,
        bytes: &Bytes,
    ) -> Result<(u64, Option<(NaiveDate, NaiveDate)>), LoadError> {
        let d = crate::load::decode::decode_parts(table, path, bytes.clone(), &["created_at"])?;
        let (mut lo, mut hi) = (None::<i64>, None::<i64>);
        let mut unit = None;
        for g in &d.groups {
            let (raw, per_day) = crate::load::convert::timestamps(g[0].as_ref())
                .map_err(|e| LoadError::Corrupt { file: path.into(), detail: format!("column created_at: {e}") })?;
            unit = Some(per_day);
            for v in raw.iter().flatten() {
                lo = Some(lo.map_or(v, |x| x.min(v)));
                hi = Some(hi.map_or(v, |x| x.max(v)));
            }
        }
        // An absent optional column (type Null, one unit per "day") has no dates.
        let Some(per_day) = unit.filter(|&u| u > 1) else {
            return Ok((d.rows as u64, None));
        };
        let min_max = match (lo, hi) {
            (Some(a), Some(b)) => Some((date(path, a, per_day)?, date(path, b, per_day)?)),
            _ => None,
        };
        Ok((d.rows as u64, min_max))
    }

    fn date(path: &str, ts: i64, per_day: i64) -> Result<NaiveDate, LoadError> {
        let day = ts.div_euclid(per_day);
        i32::try_from(day)
            .ok()
            .and_then(|d| d.checked_add(719_163))
            .and_then(NaiveDate::from_num_days_from_ce_opt)
            .ok_or_else(|| LoadError::Corrupt {
                file: path.to_string(),
                detail: format!("column created_at: timestamp {ts} is out of the supported date range"),
            })
    }
}

fn index_of(t: Table) -> usize {
    match t {
        Table::LlmEvents => 0,
        Table::SupportEvents => 1,
        Table::ConversionEvents => 2,
    }
}

/// The table called `name` (e.g. `raw_llm_events`).
pub fn table_named(name: &str) -> Option<Table> {
    Table::ALL.into_iter().find(|t| t.name() == name)
}

fn is_absolute_url(path: &str) -> bool {
    let lower = path.get(..8).unwrap_or(path).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Drops repeats (same path and hash, or same hash); `conflict(i, j)` decides what a path
/// repeated with another hash does (entry `i` repeats entry `j`).
fn dedup<E>(
    table: Table,
    list: Vec<Part>,
    dups: &mut Vec<Duplicate>,
    conflict: impl Fn(usize, usize) -> Result<(), E>,
) -> Result<Vec<Part>, E> {
    let mut by_path: HashMap<String, usize> = HashMap::new();
    let mut by_hash: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(list.len());
    for (i, p) in list.into_iter().enumerate() {
        if let Some(&j) = by_path.get(&p.path) {
            if by_hash.get(&p.sha256) != Some(&j) {
                conflict(i, j)?;
            }
            dups.push(Duplicate { table, index: i, same_as: j, path: p.path });
            continue;
        }
        if let Some(&j) = by_hash.get(&p.sha256) {
            dups.push(Duplicate { table, index: i, same_as: j, path: p.path });
            continue;
        }
        by_path.insert(p.path.clone(), i);
        by_hash.insert(p.sha256.clone(), i);
        out.push(p);
    }
    Ok(out)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// One part entry; the error is (field path, problem).
fn parse_part(at: &str, v: &Value) -> Result<Part, (String, String)> {
    let field = |name: &str| format!("{at}.{name}");
    let obj = v.as_object().ok_or_else(|| (at.to_string(), format!("expected an object, found {}", kind(v))))?;
    let get = |name: &str| obj.get(name).ok_or_else(|| (field(name), "missing".to_string()));

    let path = match get("path")? {
        Value::String(s) => s.clone(),
        v => return Err((field("path"), format!("expected a string, found {}", kind(v)))),
    };
    check_path(&path).map_err(|p| (field("path"), p))?;
    let count = |name: &str| -> Result<u64, (String, String)> {
        let v = get(name)?;
        v.as_u64().ok_or_else(|| (field(name), format!("expected a non-negative integer, found {}", show(v))))
    };
    let rows = count("rows")?;
    let bytes = count("bytes")?;
    let day = |name: &str| -> Result<Option<NaiveDate>, (String, String)> {
        match get(name)? {
            Value::Null => Ok(None),
            Value::String(s) if s.len() == 10 => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| (field(name), format!("expected a date YYYY-MM-DD or null, got {s:?}"))),
            v => Err((field(name), format!("expected a date YYYY-MM-DD or null, found {}", show(v)))),
        }
    };
    let min_date = day("min_date")?;
    let max_date = day("max_date")?;
    match (min_date, max_date) {
        (Some(a), Some(b)) if a > b => return Err((field("min_date"), format!("{a} is after max_date {b}"))),
        (Some(_), None) | (None, Some(_)) => {
            return Err((field("min_date"), "min_date and max_date must both be dates or both be null".into()));
        }
        _ => {}
    }
    let sha256 = match get("sha256")? {
        Value::String(s) if s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) => s.clone(),
        v => return Err((field("sha256"), format!("expected 64 lowercase hex digits, found {}", show(v)))),
    };
    Ok(Part { path, rows, bytes, min_date, max_date, sha256 })
}

/// A value for an error message: short, and a string's content shown (quoted, truncated).
fn show(v: &Value) -> String {
    match v {
        Value::String(s) => {
            let cut: String = s.chars().take(40).collect();
            format!("the string {cut:?}{}", if cut.len() < s.len() { "…" } else { "" })
        }
        Value::Number(n) => format!("{} {n}", kind(v)),
        _ => kind(v).to_string(),
    }
}

fn check_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("must not be empty".into());
    }
    if is_absolute_url(path) {
        return Ok(());
    }
    if path.contains("://") || path.starts_with("//") {
        return Err(format!("{path:?}: only http:// and https:// URLs are allowed"));
    }
    if path.starts_with('/') {
        return Err(format!("{path:?}: a relative path must not start with '/' (or use an http(s):// URL)"));
    }
    if path.contains('\\') {
        return Err(format!("{path:?}: use '/' as the separator, not '\\'"));
    }
    if path.split('/').any(|s| s == ".." || s.is_empty()) {
        return Err(format!("{path:?}: no '..' or empty segments (parts live under the manifest's folder)"));
    }
    if path.chars().any(char::is_control) {
        return Err(format!("{path:?}: control characters are not allowed"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
