//! Loading one table from several Parquet parts (a partitioned snapshot, see
//! [`crate::manifest`]): each part is decoded and checked on its own (errors name the part), then
//! the normalised parts are concatenated in the order given, so the facts over the parts equal
//! the facts over one file holding the same rows.

use super::Dataset;
use super::TableReport;
use super::tables::{ConversionTable, LlmTable, NO_SESSION, SupportTable};
use crate::contract::Table;
use crate::error::LoadError;
use crate::model::dashboard_facts::DashboardIndex;
use arrow_array::{Array, StringArray};
use bytes::Bytes;
use rustc_hash::FxHashMap;

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
        let label = match parts {
            [(name, _)] => name.to_string(),
            _ => format!("{} ({} parts)", table.name(), parts.len()),
        };
        match table {
            Table::LlmEvents => {
                let mut acc = LlmTable { file: label, ..Default::default() };
                let mut unit = Unit::default();
                for (name, bytes) in parts {
                    let scale = part_time_unit(name, bytes)?;
                    let t = LlmTable::load(name, bytes.clone())?;
                    append_llm(&mut acc, &mut unit, t, scale, name)?;
                }
                self.dashboard = DashboardIndex::build(&acc);
                self.llm = Some(acc);
                self.attribute();
            }
            Table::SupportEvents => {
                let mut loaded = Vec::with_capacity(parts.len());
                for (name, bytes) in parts {
                    loaded.push(SupportTable::load(name, bytes.clone())?);
                }
                self.support = Some(concat_support(label, loaded)?);
                self.attribute();
            }
            Table::ConversionEvents => {
                let mut acc = ConversionTable { file: label, ..Default::default() };
                for (name, bytes) in parts {
                    let t = ConversionTable::load(name, bytes.clone())?;
                    acc.rows_read += t.rows_read;
                    acc.rows_dropped += t.rows_dropped;
                    acc.day.extend_from_slice(&t.day);
                    acc.arm.extend_from_slice(&t.arm);
                    acc.converted.extend_from_slice(&t.converted);
                }
                self.conversions = crate::model::conversion_facts::ConversionIndex::build(&acc);
                self.conversion = Some(acc);
            }
        }
        Ok(self.table_report(table).expect("just loaded"))
    }
}

/// `created_at` ticks per second of a part (1, 1e3, 1e6 or 1e9), from its Arrow schema; 1 when
/// the column is absent (the load then refuses the part).
fn part_time_unit(name: &str, bytes: &Bytes) -> Result<i64, LoadError> {
    use arrow_schema::{DataType, TimeUnit};
    use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
    // Let the full load produce the error for an unreadable file.
    let Ok(Ok(meta)) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        ArrowReaderMetadata::load(bytes, ArrowReaderOptions::new())
    })) else {
        return Ok(1);
    };
    let _ = name;
    let dt = meta.schema().field_with_name("created_at").map(|f| f.data_type().clone());
    let dt = match dt {
        Ok(DataType::Dictionary(_, v)) => *v,
        Ok(d) => d,
        Err(_) => return Ok(1),
    };
    Ok(match dt {
        DataType::Timestamp(TimeUnit::Second, _) => 1,
        DataType::Timestamp(TimeUnit::Millisecond, _) => 1_000,
        DataType::Timestamp(TimeUnit::Microsecond, _) => 1_000_000,
        DataType::Timestamp(TimeUnit::Nanosecond, _) => 1_000_000_000,
        _ => 1,
    })
}

/// The timestamp scale of the accumulated LLM rows (ticks per second), set by the first part.
#[derive(Default)]
struct Unit(Option<i64>);

/// Appends part `t` (timestamps at `scale` ticks/s) to `acc`: providers and sessions re-interned
/// over all parts, timestamps brought to the finer of the two scales.
fn append_llm(acc: &mut LlmTable, unit: &mut Unit, t: LlmTable, scale: i64, name: &str) -> Result<(), LoadError> {
    let out_of_range = || LoadError::Corrupt {
        file: name.to_string(),
        detail: "column created_at: timestamps cannot be combined with the other parts' (out of range at the finer unit)".into(),
    };
    // Timestamps: one scale for all rows (only the order matters: ticket attribution).
    let target = unit.0.map_or(scale, |u| u.max(scale));
    if let Some(u) = unit.0
        && u < target
    {
        let f = target / u;
        for ts in acc.ts.iter_mut() {
            *ts = ts.checked_mul(f).ok_or_else(out_of_range)?;
        }
    }
    unit.0 = Some(target);
    let f = target / scale;
    let mut ts = t.ts;
    if f != 1 {
        for v in ts.iter_mut() {
            *v = v.checked_mul(f).ok_or_else(out_of_range)?;
        }
    }

    // Providers: the sorted union; remap both sides.
    let mut names: Vec<String> = acc.providers.iter().chain(t.providers.iter()).cloned().collect();
    names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    names.dedup();
    let pos = |n: &String| names.binary_search_by(|x| x.as_bytes().cmp(n.as_bytes())).expect("in union") as u32;
    let old_map: Vec<u32> = acc.providers.iter().map(pos).collect();
    let new_map: Vec<u32> = t.providers.iter().map(pos).collect();
    if old_map.iter().enumerate().any(|(i, &m)| m != i as u32) {
        for p in acc.provider.iter_mut() {
            *p = old_map[*p as usize];
        }
    }
    acc.providers = names;
    acc.provider.extend(t.provider.iter().map(|&p| new_map[p as usize]));

    // Sessions: intern the part's keys into the accumulated key list.
    let mut index: FxHashMap<&str, u32> = FxHashMap::default();
    for i in 0..acc.session_keys.len() {
        index.insert(acc.session_keys.value(i), i as u32);
    }
    let mut keys: Vec<&str> = (0..acc.session_keys.len()).map(|i| acc.session_keys.value(i)).collect();
    let remap: Vec<u32> = (0..t.session_keys.len())
        .map(|i| {
            let k = t.session_keys.value(i);
            *index.entry(k).or_insert_with(|| {
                keys.push(k);
                (keys.len() - 1) as u32
            })
        })
        .collect();
    let session_keys = StringArray::from(keys);
    drop(index);
    acc.session_keys = session_keys;
    acc.session.extend(t.session.iter().map(|&s| if s == NO_SESSION { NO_SESSION } else { remap[s as usize] }));

    acc.rows_read += t.rows_read;
    acc.rows_dropped += t.rows_dropped;
    acc.day.extend_from_slice(&t.day);
    acc.ts.extend_from_slice(&ts);
    acc.latency.extend_from_slice(&t.latency);
    acc.accuracy.extend_from_slice(&t.accuracy);
    acc.tokens_in.extend_from_slice(&t.tokens_in);
    acc.tokens_out.extend_from_slice(&t.tokens_out);
    Ok(())
}

fn concat_support(label: String, parts: Vec<SupportTable>) -> Result<SupportTable, LoadError> {
    let arrays: Vec<&dyn Array> = parts.iter().map(|p| &p.ticket as &dyn Array).collect();
    let ticket = if arrays.is_empty() {
        StringArray::from(Vec::<&str>::new())
    } else {
        let c = arrow_select::concat::concat(&arrays)
            .map_err(|e| LoadError::Corrupt { file: label.clone(), detail: format!("column ticket_id: {e}") })?;
        arrow_array::cast::AsArray::as_string::<i32>(&c).clone()
    };
    Ok(SupportTable {
        rows_read: parts.iter().map(|p| p.rows_read).sum(),
        by_agent: parts.iter().flat_map(|p| p.by_agent.iter().copied()).collect(),
        revenue: parts.iter().flat_map(|p| p.revenue.iter().copied()).collect(),
        ticket,
        file: label,
    })
}
