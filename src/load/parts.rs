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
}
