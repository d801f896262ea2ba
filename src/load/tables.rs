//! The three tables, normalised to plain columns the models scan without allocating:
//! providers as u32 ids into a sorted name list, days as i32 days since 1970-01-01 (UTC),
//! session ids interned to u32, numbers as f64/i64 with NaN for a null float.

use super::decode::{Decoded, decode};
use crate::contract::Table;
use crate::error::LoadError;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, StringArray};
use arrow_cast::{CastOptions, cast_with_options};
use arrow_schema::{DataType, TimeUnit};
use bytes::Bytes;
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
    /// Interned session id, or [`NO_SESSION`].
    pub session: Vec<u32>,
    /// The text of each session id, indexed by interned id.
    pub session_keys: StringArray,
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

fn cast_strict(file: &str, column: &str, a: &ArrayRef, to: &DataType) -> Result<ArrayRef, LoadError> {
    let opts = CastOptions { safe: false, ..Default::default() };
    cast_with_options(a, to, &opts).map_err(|e| corrupt(file, column, e))
}

/// Any string/integer/dictionary column → Utf8 (integers as decimal text; an absent column,
/// type Null, becomes all-null).
fn text(file: &str, column: &str, a: &ArrayRef) -> Result<StringArray, LoadError> {
    Ok(cast_strict(file, column, a, &DataType::Utf8)?.as_string::<i32>().clone())
}

/// Any numeric column → f64 with NaN for null.
fn floats(file: &str, column: &str, a: &ArrayRef) -> Result<Vec<f64>, LoadError> {
    let c = cast_strict(file, column, a, &DataType::Float64)?;
    let c = c.as_primitive::<Float64Type>();
    if c.null_count() == 0 {
        return Ok(c.values().to_vec());
    }
    Ok(c.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}

/// Any integer column → i64 with 0 for null.
fn ints(file: &str, column: &str, a: &ArrayRef) -> Result<Vec<i64>, LoadError> {
    let c = cast_strict(file, column, a, &DataType::Int64)?;
    let c = c.as_primitive::<Int64Type>();
    if c.null_count() == 0 {
        return Ok(c.values().to_vec());
    }
    Ok(c.iter().map(|v| v.unwrap_or(0)).collect())
}

/// A timestamp column → (raw values in its unit, validity, units per day). Time zones do not
/// matter: Arrow stores instants as UTC epoch offsets, and a naive timestamp is read as UTC.
fn timestamps(file: &str, column: &str, a: &ArrayRef) -> Result<(Vec<Option<i64>>, i64), LoadError> {
    let a = match a.data_type() {
        DataType::Dictionary(_, v) => cast_strict(file, column, a, v)?,
        _ => a.clone(),
    };
    let per_day: i64 = match a.data_type() {
        DataType::Timestamp(TimeUnit::Second, _) => 86_400,
        DataType::Timestamp(TimeUnit::Millisecond, _) => 86_400_000,
        DataType::Timestamp(TimeUnit::Microsecond, _) => 86_400_000_000,
        DataType::Timestamp(TimeUnit::Nanosecond, _) => 86_400_000_000_000,
        DataType::Null => 1,
        other => return Err(corrupt(file, column, format!("unexpected type {other}"))),
    };
    let raw = cast_strict(file, column, &a, &DataType::Int64)?;
    let raw = raw.as_primitive::<Int64Type>();
    Ok((raw.iter().collect(), per_day))
}

/// Days since 1970-01-01 of a raw timestamp; errors outside chrono's date range.
fn day_of(file: &str, column: &str, ts: i64, per_day: i64) -> Result<i32, LoadError> {
    let d = ts.div_euclid(per_day);
    if d.abs() > 90_000_000 {
        return Err(corrupt(file, column, format!("timestamp {ts} is out of the supported date range")));
    }
    Ok(d as i32)
}

/// Interns the values of a small-cardinality text column: sorted distinct names and per-row ids.
/// Nulls become `null_as`.
fn intern_sorted(col: &StringArray, null_as: &str) -> (Vec<String>, Vec<u32>) {
    let mut map: FxHashMap<&str, u32> = FxHashMap::default();
    let mut names: Vec<&str> = Vec::new();
    let ids: Vec<u32> = (0..col.len())
        .map(|i| {
            let v = if col.is_null(i) { null_as } else { col.value(i) };
            *map.entry(v).or_insert_with(|| {
                names.push(v);
                (names.len() - 1) as u32
            })
        })
        .collect();
    let mut order: Vec<u32> = (0..names.len() as u32).collect();
    order.sort_by(|&a, &b| names[a as usize].as_bytes().cmp(names[b as usize].as_bytes()));
    let mut remap = vec![0u32; names.len()];
    for (new, &old) in order.iter().enumerate() {
        remap[old as usize] = new as u32;
    }
    let sorted = order.iter().map(|&o| names[o as usize].to_string()).collect();
    (sorted, ids.into_iter().map(|i| remap[i as usize]).collect())
}

impl LlmTable {
    /// Decodes and normalises a `raw_llm_events` file.
    pub fn load(file: &str, bytes: Bytes) -> Result<Self, LoadError> {
        const COLS: [&str; 7] =
            ["session_id", "provider", "response_time_ms", "accuracy", "tokens_input", "tokens_output", "created_at"];
        let Decoded { rows, arrays } = decode(Table::LlmEvents, file, bytes, &COLS)?;
        let (ts, per_day) = timestamps(file, "created_at", &arrays[6])?;
        let keep: Vec<usize> = (0..rows).filter(|&i| ts[i].is_some()).collect();
        let all_kept = keep.len() == rows;
        let pick = |a: &ArrayRef| -> Result<ArrayRef, LoadError> {
            if all_kept {
                return Ok(a.clone());
            }
            let idx = arrow_array::UInt32Array::from_iter_values(keep.iter().map(|&i| i as u32));
            arrow_select::take::take(a, &idx, None).map_err(|e| corrupt(file, "created_at", e))
        };
        let sessions = text(file, "session_id", &pick(&arrays[0])?)?;
        let provider_col = text(file, "provider", &pick(&arrays[1])?)?;
        let (providers, provider) = intern_sorted(&provider_col, UNKNOWN_PROVIDER);
        let latency = floats(file, "response_time_ms", &pick(&arrays[2])?)?;
        let accuracy = floats(file, "accuracy", &pick(&arrays[3])?)?;
        let tokens_in = ints(file, "tokens_input", &pick(&arrays[4])?)?;
        let tokens_out = ints(file, "tokens_output", &pick(&arrays[5])?)?;
        let ts: Vec<i64> = keep.iter().map(|&i| ts[i].expect("kept rows have created_at")).collect();
        let day = ts.iter().map(|&t| day_of(file, "created_at", t, per_day)).collect::<Result<Vec<_>, _>>()?;

        let mut map: FxHashMap<&str, u32> = FxHashMap::default();
        let mut keys = arrow_array::builder::StringBuilder::new();
        let mut next = 0u32;
        let session: Vec<u32> = (0..sessions.len())
            .map(|i| {
                if sessions.is_null(i) {
                    return NO_SESSION;
                }
                let v = sessions.value(i);
                *map.entry(v).or_insert_with(|| {
                    keys.append_value(v);
                    next += 1;
                    next - 1
                })
            })
            .collect();
        drop(map);
        Ok(LlmTable {
            file: file.to_string(),
            rows_read: rows as u64,
            rows_dropped: (rows - keep.len()) as u64,
            providers,
            provider,
            day,
            ts,
            session,
            session_keys: keys.finish(),
            latency,
            accuracy,
            tokens_in,
            tokens_out,
        })
    }

    /// Rows kept (non-null `created_at`).
    pub fn len(&self) -> usize {
        self.day.len()
    }
}

impl SupportTable {
    /// Decodes and normalises a `raw_support_events` file.
    pub fn load(file: &str, bytes: Bytes) -> Result<Self, LoadError> {
        const COLS: [&str; 3] = ["ticket_id", "resolved_by", "revenue_generated"];
        let Decoded { rows, arrays } = decode(Table::SupportEvents, file, bytes, &COLS)?;
        let ticket = text(file, "ticket_id", &arrays[0])?;
        let resolved = text(file, "resolved_by", &arrays[1])?;
        let by_agent = (0..rows).map(|i| resolved.is_valid(i) && resolved.value(i) == "agent").collect();
        let revenue = floats(file, "revenue_generated", &arrays[2])?
            .into_iter()
            .map(|v| if v.is_nan() { 0.0 } else { v })
            .collect();
        Ok(SupportTable { file: file.to_string(), rows_read: rows as u64, ticket, by_agent, revenue })
    }
}

impl ConversionTable {
    /// Decodes and normalises a `raw_conversion_events` file (`user_id` is type-checked, not read).
    pub fn load(file: &str, bytes: Bytes) -> Result<Self, LoadError> {
        const COLS: [&str; 3] = ["arm", "converted", "created_at"];
        let Decoded { rows, arrays } = decode(Table::ConversionEvents, file, bytes, &COLS)?;
        let arm_col = text(file, "arm", &arrays[0])?;
        let conv = cast_strict(file, "converted", &arrays[1], &DataType::Boolean)?;
        let conv = conv.as_boolean();
        let (ts, per_day) = timestamps(file, "created_at", &arrays[2])?;
        let mut t = ConversionTable { file: file.to_string(), rows_read: rows as u64, ..Default::default() };
        for (i, ts) in ts.iter().enumerate() {
            let Some(ts) = ts else {
                t.rows_dropped += 1;
                continue;
            };
            t.day.push(day_of(file, "created_at", *ts, per_day)?);
            t.arm.push(match arm_col.is_valid(i).then(|| arm_col.value(i)) {
                Some("treatment") => TREATMENT,
                Some("control") => CONTROL,
                _ => OTHER_ARM,
            });
            t.converted.push(conv.is_valid(i) && conv.value(i));
        }
        Ok(t)
    }
}
