//! Parquet bytes → Arrow arrays of the contract's columns, with the contract's checks.
//!
//! Only the columns a model needs are decoded (a projection by root column, matched by NAME);
//! every contract column that is present is type-checked, needed or not. Natively the row groups
//! and columns are decoded in parallel (rayon); in wasm32 sequentially.
//!
//! Decoding uses the parquet crate's low-level typed column readers
//! ([`parquet::column::reader::ColumnReaderImpl`]) over our own pages ([`super::pages`]) and
//! builds each array straight from the decoded values (cheap constructors, no kernels). The
//! crate's Arrow record-batch reader (its array readers, the `ARROW:schema` IPC decoding and the
//! `arrow-select` kernels they use) is not linked. Column types come from the Parquet schema
//! alone ([`arrow_type`]: physical + logical/converted type, as the crate maps them without an
//! embedded Arrow schema): a large/view string or a dictionary column reads as `Utf8`, INT96 as
//! `Timestamp(ns)`.
//!
//! String columns are decoded as `Dictionary(Int32, Utf8)` arrays by our own page decoding
//! ([`read_strings`]): a column chunk's dictionary page gives the values, dictionary-encoded data
//! pages give the keys straight from their RLE/bit-packed indices (no string, hash or comparison
//! per row); values of PLAIN (or, through the crate's reader, DELTA) pages compare with the
//! previous row and otherwise are added as new values.

use super::pages::chunk_pages;
use super::ranges::Source;
use crate::contract::{Column, Table};
use crate::error::LoadError;
use arrow_array::types::*;
use arrow_array::{ArrayRef, ArrowPrimitiveType, BooleanArray, DictionaryArray, NullArray, PrimitiveArray, StringArray};
use arrow_buffer::{BooleanBuffer, Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Fields, TimeUnit};
use parquet::basic::{ConvertedType, LogicalType, Repetition, TimeUnit as PqUnit, Type as Physical};
use parquet::column::reader::ColumnReaderImpl;
use parquet::data_type::{ByteArray, DataType as PqType};
use parquet::file::metadata::{ParquetMetaData, ParquetMetaDataReader};
use parquet::schema::types::{ColumnDescPtr, SchemaDescriptor, Type as PqSchemaType};
use std::sync::Arc;

/// The decoded, projected columns of one file, per row group.
#[derive(Debug)]
pub(crate) struct Parts {
    /// Rows in the file.
    pub rows: usize,
    /// Per row group: one array per requested column, in request order (an absent optional
    /// column is an all-null array of type Null).
    pub groups: Vec<Vec<ArrayRef>>,
}

/// Decodes `bytes` as `table`, returning the columns named in `wanted` (each must be a contract
/// column of `table`) per row group (those of a sparse source only; callers append the groups in
/// order — no concatenation kernel). Errors name `file`: not Parquet, missing required column,
/// wrong type, corrupt data. Natively every (row group, column) pair is decoded as its own
/// rayon task. String columns come as `Dictionary(Int32, Utf8)` (see the module doc).
pub(crate) fn decode_parts(table: Table, file: &str, bytes: impl Into<Source>, wanted: &[&str]) -> Result<Parts, LoadError> {
    Reader::open(table, file, bytes, wanted)?.all()
}

/// An opened, checked Parquet file whose row groups can be decoded one at a time (so a caller can
/// normalise one row group while the next decodes, and keep little decoded data alive).
///
/// The bytes come from a [`Source`]: the whole file, or fetched ranges of it with the row groups
/// to decode ([`super::ranges`]); then `rows`/`group_rows` count the selected row groups only.
pub(crate) struct Reader {
    file: String,
    source: Source,
    meta: Arc<ParquetMetaData>,
    /// Per requested column: its leaf column and Arrow type, `None` when absent (optional).
    columns: Vec<Option<(usize, DataType)>>,
    /// The file's index of each selected row group.
    groups: Vec<usize>,
    /// Rows in the selected row groups (the file's rows for a whole file).
    pub rows: usize,
    /// Rows of each selected row group.
    pub group_rows: Vec<usize>,
}

impl Reader {
    /// Reads the footer and checks the contract (magic, required columns, types). Errors name
    /// `file`. A sparse source's start magic is checked only when its first bytes were fetched.
    pub fn open(table: Table, file: &str, bytes: impl Into<Source>, wanted: &[&str]) -> Result<Self, LoadError> {
        let (source, meta) = footer(file, bytes.into())?;
        // Type-check every contract column present.
        check_contract(table, file, &meta)?;
        let schema = meta.file_metadata().schema_descr();
        let hints = timestamp_hints(&meta);
        let columns = wanted.iter().map(|name| leaf_of(schema, name, &hints)).collect();
        Self::new(file, source, meta, columns)
    }

    /// Reads the footer of a file that is not one of the contract's tables (published facts,
    /// [`crate::precomputed`]): every column named in `names` must be present (else
    /// `MissingColumn`); types are the caller's to check on the decoded arrays.
    pub fn open_columns(file: &str, bytes: impl Into<Source>, names: &[&str]) -> Result<Self, LoadError> {
        let (source, meta) = footer(file, bytes.into())?;
        let schema = meta.file_metadata().schema_descr();
        let hints = timestamp_hints(&meta);
        let mut columns = Vec::with_capacity(names.len());
        for name in names {
            match leaf_of(schema, name, &hints) {
                Some(c) => columns.push(Some(c)),
                None => return Err(LoadError::MissingColumn { file: file.to_string(), column: name.to_string() }),
            }
        }
        Self::new(file, source, meta, columns)
    }

    fn new(
        file: &str,
        source: Source,
        meta: Arc<ParquetMetaData>,
        columns: Vec<Option<(usize, DataType)>>,
    ) -> Result<Self, LoadError> {
        let corrupt = |detail: String| LoadError::Corrupt { file: file.to_string(), detail };
        let total_rows = meta.file_metadata().num_rows();
        let rows =
            usize::try_from(total_rows).map_err(|_| corrupt(format!("negative row count {total_rows} in the footer")))?;
        let group_rows = meta
            .row_groups()
            .iter()
            .map(|g| usize::try_from(g.num_rows()))
            .collect::<Result<Vec<usize>, _>>()
            .map_err(|_| corrupt("negative row group size".into()))?;
        let got: usize = group_rows.iter().sum();
        if got != rows {
            return Err(corrupt(format!("footer says {rows} rows but its row groups hold {got}")));
        }
        let groups: Vec<usize> = match source.row_groups() {
            Some(selected) => selected.to_vec(),
            None => (0..group_rows.len()).collect(),
        };
        if let Some(&g) = groups.iter().find(|&&g| g >= group_rows.len()) {
            return Err(corrupt(format!("row group {g} selected but the file has {}", group_rows.len())));
        }
        let group_rows: Vec<usize> = groups.iter().map(|&g| group_rows[g]).collect();
        let rows = group_rows.iter().sum();
        Ok(Reader { file: file.to_string(), source, meta, columns, groups, rows, group_rows })
    }

    /// Reads from `source` from now on (the same file with more of its bytes: a load decoding
    /// row groups as they arrive). The selected row groups stay those of [`Reader::open`].
    pub fn set_source(&mut self, source: Source) {
        self.source = source;
    }

    /// Decodes requested column `c` of selected row group `g` (an all-null array of type Null
    /// for an absent optional column).
    pub fn column(&self, g: usize, c: usize) -> Result<ArrayRef, LoadError> {
        let n = self.group_rows[g];
        let Some((leaf, dt)) = &self.columns[c] else {
            return Ok(Arc::new(NullArray::new(n)));
        };
        let descr = self.meta.file_metadata().schema_descr().column(*leaf);
        let corrupt = |detail: String| LoadError::Corrupt { file: self.file.clone(), detail };
        let array = guard(&self.file, || read_chunk(&self.source, &self.meta, self.groups[g], *leaf, descr, dt, n))?
            .map_err(|e| match e {
                ChunkError::Corrupt(detail) => corrupt(format!("column {}: {detail}", dt_name(&self.meta, *leaf))),
                ChunkError::Unsupported => LoadError::WrongType {
                    file: self.file.clone(),
                    column: dt_name(&self.meta, *leaf),
                    found: dt.to_string(),
                    accepted: "a flat boolean, integer, float, decimal, date, timestamp or string column".into(),
                },
            })?;
        if array.len() != n {
            return Err(corrupt(format!("row group {g} says {n} rows but {} were decoded", array.len())));
        }
        Ok(array)
    }

    /// Decodes every requested column of row group `g` (in parallel natively).
    pub fn group(&self, g: usize) -> Result<Vec<ArrayRef>, LoadError> {
        super::par::map((0..self.columns.len()).collect(), |c| self.column(g, c)).into_iter().collect()
    }

    /// Decodes every requested column of every selected row group, each (row group, column)
    /// pair as its own task (in parallel natively).
    pub fn all(self) -> Result<Parts, LoadError> {
        let width = self.columns.len();
        let tasks: Vec<(usize, usize)> =
            (0..self.group_rows.len()).flat_map(|g| (0..width).map(move |c| (g, c))).collect();
        let decoded = super::par::map(tasks, |(g, c)| (g, self.column(g, c)));
        let mut groups: Vec<Vec<ArrayRef>> = self.group_rows.iter().map(|_| Vec::with_capacity(width)).collect();
        for (g, array) in decoded {
            groups[g].push(array?);
        }
        Ok(Parts { rows: self.rows, groups })
    }
}

/// The (root) column name of leaf `leaf`, for messages.
fn dt_name(meta: &ParquetMetaData, leaf: usize) -> String {
    meta.file_metadata().schema_descr().get_column_root(leaf).name().to_string()
}

/// Checks the magic bytes and parses the footer (or takes a sparse source's parsed footer).
fn footer(file: &str, source: Source) -> Result<(Source, Arc<ParquetMetaData>), LoadError> {
    use parquet::file::reader::{ChunkReader, Length};
    let not_parquet = |detail: String| LoadError::NotParquet { file: file.to_string(), detail };
    let len = source.len();
    if len == 0 {
        return Err(not_parquet("the file is empty".into()));
    }
    if len < 12 || source.head(4).is_some_and(|h| &h[..] != b"PAR1") {
        return Err(not_parquet("no PAR1 magic at the start".into()));
    }
    if source.get_bytes(len - 4, 4).map_or(true, |t| &t[..] != b"PAR1") {
        return Err(not_parquet("no PAR1 magic at the end: the file is truncated".into()));
    }
    let meta = match source.metadata() {
        Some(m) => m,
        None => Arc::new(
            guard(file, || ParquetMetaDataReader::new().with_metadata_options(Some(footer_options())).parse_and_finish(&source))?
                .map_err(|e| not_parquet(format!("unreadable footer: {e}")))?,
        ),
    };
    Ok((source, meta))
}

/// What the footer parser decodes: not the page encoding statistics nor the size statistics
/// (histograms), which nothing here reads (each column chunk's min/max statistics stay: the
/// row-group date ranges use `created_at`'s). (The crate's footer parser, a ~30 kB wasm
/// function, still gets hot enough for V8 to compile it with its optimising tier on every load:
/// docs/page.md.)
pub(crate) fn footer_options() -> parquet::file::metadata::ParquetMetaDataOptions {
    use parquet::file::metadata::{ParquetMetaDataOptions, ParquetStatisticsPolicy};
    ParquetMetaDataOptions::new()
        .with_encoding_stats_policy(ParquetStatisticsPolicy::SkipAll)
        .with_size_stats_policy(ParquetStatisticsPolicy::SkipAll)
}

/// Checks a parsed footer against `table`'s contract: every required column present, every
/// contract column present of an accepted type (types as [`column_type`] derives them). Errors
/// name `file`. For callers that read the footer themselves (the manifest's date ranges).
pub(crate) fn check_contract(table: Table, file: &str, meta: &ParquetMetaData) -> Result<(), LoadError> {
    let schema = meta.file_metadata().schema_descr();
    let hints = timestamp_hints(meta);
    for spec in table.columns() {
        match root_index(schema, spec.name) {
            Some(r) => check_type(file, spec, &root_type(schema, r, &hints))?,
            None if spec.required => {
                return Err(LoadError::MissingColumn { file: file.to_string(), column: spec.name.to_string() });
            }
            None => {}
        }
    }
    Ok(())
}

/// The Arrow type the decoder gives the top-level column `name` of a parsed footer (see the
/// module doc), `None` when absent. Needs neither the crate's Arrow schema conversion nor IPC.
pub(crate) fn column_type(meta: &ParquetMetaData, name: &str) -> Option<DataType> {
    let schema = meta.file_metadata().schema_descr();
    Some(root_type(schema, root_index(schema, name)?, &timestamp_hints(meta)))
}

/// The index of the root field named `name`, if any.
fn root_index(schema: &SchemaDescriptor, name: &str) -> Option<usize> {
    schema.root_schema().get_fields().iter().position(|f| f.name() == name)
}

/// The first leaf column under the root field named `name` and that field's Arrow type.
fn leaf_of(schema: &SchemaDescriptor, name: &str, hints: &[TimestampHint]) -> Option<(usize, DataType)> {
    let root = root_index(schema, name)?;
    let leaf = (0..schema.num_columns()).find(|&i| schema.get_column_root_idx(i) == root)?;
    Some((leaf, root_type(schema, root, hints)))
}

/// The Arrow type of root field `root`: [`arrow_type`], except that a bare INT64 (no logical or
/// converted type) that the embedded Arrow schema declares a timestamp reads as that timestamp
/// (how arrow-rs writes `Timestamp(Second)`, which Parquet cannot annotate).
fn root_type(schema: &SchemaDescriptor, root: usize, hints: &[TimestampHint]) -> DataType {
    let field = schema.root_schema().get_fields()[root].as_ref();
    let dt = arrow_type(field);
    let bare = field.is_primitive()
        && field.get_physical_type() == Physical::INT64
        && field.get_basic_info().logical_type_ref().is_none()
        && field.get_basic_info().converted_type() == ConvertedType::NONE;
    match hints.iter().find(|h| h.name == field.name()) {
        Some(h) if bare && dt == DataType::Int64 => DataType::Timestamp(h.unit, h.tz.clone()),
        _ => dt,
    }
}

/// A top-level timestamp field of the file's embedded Arrow schema.
#[derive(Debug, Clone, PartialEq)]
struct TimestampHint {
    name: String,
    unit: TimeUnit,
    tz: Option<Arc<str>>,
}

/// The top-level timestamp fields of the `ARROW:schema` key-value metadata (base64 of an Arrow
/// IPC Schema message), read with a minimal bounds-checked flatbuffer walk instead of the
/// arrow-ipc crate; empty when absent or unreadable (the Parquet types then stand alone).
fn timestamp_hints(meta: &ParquetMetaData) -> Vec<TimestampHint> {
    let Some(kv) = meta.file_metadata().key_value_metadata() else { return Vec::new() };
    let Some(encoded) = kv.iter().find(|k| k.key == "ARROW:schema").and_then(|k| k.value.as_deref()) else {
        return Vec::new();
    };
    base64_decode(encoded).and_then(|b| ipc_timestamp_fields(&b)).unwrap_or_default()
}

/// Standard base64 (padding and whitespace ignored); `None` on any other character.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' | b' ' | b'\n' | b'\r' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// A flatbuffer table: the buffer and the table's position.
#[derive(Clone, Copy)]
struct Fb<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Fb<'a> {
    fn u32_at(buf: &[u8], at: usize) -> Option<u32> {
        Some(u32::from_le_bytes(buf.get(at..at.checked_add(4)?)?.try_into().ok()?))
    }

    /// The root table of `buf`.
    fn root(buf: &'a [u8]) -> Option<Self> {
        Some(Fb { buf, pos: Self::u32_at(buf, 0)? as usize })
    }

    /// Where field `vt` (its vtable byte offset: 4, 6, …) is stored, `None` when absent.
    fn field(&self, vt: usize) -> Option<usize> {
        let soffset = Self::u32_at(self.buf, self.pos)? as i32;
        let vtable = usize::try_from(self.pos as i64 - i64::from(soffset)).ok()?;
        let vt_len = u16::from_le_bytes(self.buf.get(vtable..vtable + 2)?.try_into().ok()?) as usize;
        if vt + 2 > vt_len {
            return None;
        }
        let off = u16::from_le_bytes(self.buf.get(vtable + vt..vtable + vt + 2)?.try_into().ok()?) as usize;
        (off != 0).then_some(self.pos + off)
    }

    /// The target of the offset stored at `at`.
    fn follow(&self, at: usize) -> Option<usize> {
        at.checked_add(Self::u32_at(self.buf, at)? as usize)
    }

    fn table(&self, vt: usize) -> Option<Fb<'a>> {
        Some(Fb { buf: self.buf, pos: self.follow(self.field(vt)?)? })
    }

    fn u8(&self, vt: usize, default: u8) -> Option<u8> {
        match self.field(vt) {
            Some(at) => self.buf.get(at).copied(),
            None => Some(default),
        }
    }

    fn i16(&self, vt: usize, default: i16) -> Option<i16> {
        match self.field(vt) {
            Some(at) => Some(i16::from_le_bytes(self.buf.get(at..at + 2)?.try_into().ok()?)),
            None => Some(default),
        }
    }

    fn string(&self, vt: usize) -> Option<&'a str> {
        let at = self.follow(self.field(vt)?)?;
        let len = Self::u32_at(self.buf, at)? as usize;
        std::str::from_utf8(self.buf.get(at + 4..(at + 4).checked_add(len)?)?).ok()
    }

    /// The tables of the vector of tables in field `vt`.
    fn tables(&self, vt: usize) -> Option<Vec<Fb<'a>>> {
        let at = self.follow(self.field(vt)?)?;
        let len = Self::u32_at(self.buf, at)? as usize;
        (0..len.min(self.buf.len() / 4))
            .map(|i| Some(Fb { buf: self.buf, pos: self.follow(at + 4 + 4 * i)? }))
            .collect()
    }
}

/// The top-level timestamp fields of an encapsulated Arrow IPC Schema message.
fn ipc_timestamp_fields(msg: &[u8]) -> Option<Vec<TimestampHint>> {
    // Encapsulation: [0xFFFFFFFF continuation] i32 length, then the flatbuffer.
    let body = if msg.get(..4)? == [0xff; 4] { msg.get(8..)? } else { msg.get(4..)? };
    let message = Fb::root(body)?;
    const HEADER_SCHEMA: u8 = 1;
    const TYPE_TIMESTAMP: u8 = 10;
    if message.u8(6, 0)? != HEADER_SCHEMA {
        return None;
    }
    let schema = message.table(8)?;
    let mut hints = Vec::new();
    for field in schema.tables(6)? {
        if field.u8(8, 0)? != TYPE_TIMESTAMP {
            continue;
        }
        let (Some(name), Some(ts)) = (field.string(4), field.table(10)) else { continue };
        let unit = match ts.i16(4, 0)? {
            0 => TimeUnit::Second,
            1 => TimeUnit::Millisecond,
            2 => TimeUnit::Microsecond,
            3 => TimeUnit::Nanosecond,
            _ => continue,
        };
        hints.push(TimestampHint { name: name.to_string(), unit, tz: ts.string(6).map(Arc::from) });
    }
    Some(hints)
}

/// The Arrow type of a Parquet schema field, as the parquet crate maps it without an embedded
/// Arrow schema: the physical type refined by the logical (or legacy converted) type. A repeated
/// field is a `List`, a group a `Struct` (neither is decoded).
pub(crate) fn arrow_type(field: &PqSchemaType) -> DataType {
    let info = field.get_basic_info();
    let is_list = matches!(info.logical_type_ref(), Some(LogicalType::List)) || info.converted_type() == ConvertedType::LIST;
    let inner = if field.is_primitive() {
        primitive_type(field)
    } else if let [child] = field.get_fields()
        && is_list
    {
        // The LIST annotation: a repeated child (itself a List here), or a repeated group
        // around the element.
        match arrow_type(child) {
            DataType::List(_) if !child.is_primitive() && child.get_fields().len() == 1 => {
                let element = &child.get_fields()[0];
                DataType::List(Arc::new(Field::new(element.name(), arrow_type(element), true)))
            }
            t => t,
        }
    } else {
        let children: Vec<Field> = field
            .get_fields()
            .iter()
            .map(|c| Field::new(c.name(), arrow_type(c), c.get_basic_info().repetition() != Repetition::REQUIRED))
            .collect();
        DataType::Struct(Fields::from(children))
    };
    if info.has_repetition() && info.repetition() == Repetition::REPEATED {
        DataType::List(Arc::new(Field::new(field.name(), inner, false)))
    } else {
        inner
    }
}

fn primitive_type(field: &PqSchemaType) -> DataType {
    use ConvertedType as C;
    let PqSchemaType::PrimitiveType { basic_info, physical_type, type_length, scale, precision } = field else {
        return DataType::Null;
    };
    let logical = basic_info.logical_type_ref();
    let converted = basic_info.converted_type();
    let decimal = |precision: i32, scale: i32| match (u8::try_from(precision), i8::try_from(scale)) {
        (Ok(p), Ok(s)) if p <= 38 => DataType::Decimal128(p, s),
        (Ok(p), Ok(s)) => DataType::Decimal256(p, s),
        _ => DataType::Binary,
    };
    let unit = |u: &PqUnit| match u {
        PqUnit::MILLIS => TimeUnit::Millisecond,
        PqUnit::MICROS => TimeUnit::Microsecond,
        PqUnit::NANOS => TimeUnit::Nanosecond,
    };
    match physical_type {
        Physical::BOOLEAN => DataType::Boolean,
        Physical::INT32 => match (logical, converted) {
            (Some(LogicalType::Integer(i)), _) => match (i.bit_width, i.is_signed) {
                (8, true) => DataType::Int8,
                (16, true) => DataType::Int16,
                (8, false) => DataType::UInt8,
                (16, false) => DataType::UInt16,
                (32, false) => DataType::UInt32,
                _ => DataType::Int32,
            },
            (Some(LogicalType::Decimal(d)), _) => decimal(d.precision, d.scale),
            (Some(LogicalType::Date), _) | (None, C::DATE) => DataType::Date32,
            (Some(LogicalType::Time(_)), _) | (None, C::TIME_MILLIS) => DataType::Time32(TimeUnit::Millisecond),
            (None, C::UINT_8) => DataType::UInt8,
            (None, C::UINT_16) => DataType::UInt16,
            (None, C::UINT_32) => DataType::UInt32,
            (None, C::INT_8) => DataType::Int8,
            (None, C::INT_16) => DataType::Int16,
            (None, C::DECIMAL) => decimal(*precision, *scale),
            _ => DataType::Int32,
        },
        Physical::INT64 => match (logical, converted) {
            (Some(LogicalType::Integer(i)), _) if !i.is_signed => DataType::UInt64,
            (Some(LogicalType::Timestamp(t)), _) => {
                DataType::Timestamp(unit(&t.unit), t.is_adjusted_to_u_t_c.then(|| "UTC".into()))
            }
            (Some(LogicalType::Time(t)), _) => DataType::Time64(unit(&t.unit)),
            (Some(LogicalType::Decimal(d)), _) => decimal(d.precision, d.scale),
            (None, C::UINT_64) => DataType::UInt64,
            (None, C::TIME_MICROS) => DataType::Time64(TimeUnit::Microsecond),
            (None, C::TIMESTAMP_MILLIS) => DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
            (None, C::TIMESTAMP_MICROS) => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            (None, C::DECIMAL) => decimal(*precision, *scale),
            _ => DataType::Int64,
        },
        Physical::INT96 => DataType::Timestamp(TimeUnit::Nanosecond, None),
        Physical::FLOAT => DataType::Float32,
        Physical::DOUBLE => DataType::Float64,
        Physical::BYTE_ARRAY => match (logical, converted) {
            (Some(LogicalType::String | LogicalType::Json), _) | (None, C::UTF8 | C::JSON) => DataType::Utf8,
            (Some(LogicalType::Decimal(d)), _) => decimal(d.precision, d.scale),
            (None, C::DECIMAL) => decimal(*precision, *scale),
            _ => DataType::Binary,
        },
        Physical::FIXED_LEN_BYTE_ARRAY => match (logical, converted) {
            (Some(LogicalType::Decimal(d)), _) => decimal(d.precision, d.scale),
            (None, C::DECIMAL) => decimal(*precision, *scale),
            (Some(LogicalType::Float16), _) if *type_length == 2 => DataType::Float16,
            (None, C::INTERVAL) => DataType::Interval(arrow_schema::IntervalUnit::DayTime),
            _ => DataType::FixedSizeBinary(*type_length),
        },
    }
}

fn check_type(file: &str, spec: &Column, found: &DataType) -> Result<(), LoadError> {
    if spec.kind.accepts(found) {
        Ok(())
    } else {
        Err(LoadError::WrongType {
            file: file.to_string(),
            column: spec.name.to_string(),
            found: found.to_string(),
            accepted: spec.kind.accepted().to_string(),
        })
    }
}

/// Why a column chunk could not be decoded.
#[derive(Debug)]
enum ChunkError {
    /// Bad data (the message says what).
    Corrupt(String),
    /// A type this reader does not decode (nested, binary, time, …).
    Unsupported,
}

impl From<parquet::errors::ParquetError> for ChunkError {
    fn from(e: parquet::errors::ParquetError) -> Self {
        ChunkError::Corrupt(e.to_string())
    }
}

/// Rows decoded per call for string columns (bounds the transient `ByteArray` buffer).
const STRING_BATCH: usize = 4096;

/// Decodes leaf column `leaf` (of Arrow type `dt`) of row group `group` (the file's index),
/// `rows` rows, into one array.
fn read_chunk(
    source: &Source,
    meta: &ParquetMetaData,
    group: usize,
    leaf: usize,
    descr: ColumnDescPtr,
    dt: &DataType,
    rows: usize,
) -> Result<ArrayRef, ChunkError> {
    use parquet::data_type as pq;
    if descr.max_rep_level() > 0 || descr.path().parts().len() != 1 {
        return Err(ChunkError::Unsupported);
    }
    let pages = chunk_pages(source, meta, group, leaf)?;
    // Each arm calls its own (not inlined) function: V8 compiles a hot wasm function with its
    // optimising tier as a whole, and this dispatch runs once per column chunk; with every
    // type's code inlined it was a ~49 kB function compiled again on every load (docs/page.md).
    let decimal = |a: PrimitiveArray<Decimal128Type>, p: u8, s: i8| -> Result<ArrayRef, ChunkError> {
        Ok(Arc::new(a.with_precision_and_scale(p, s).map_err(|e| ChunkError::Corrupt(e.to_string()))?))
    };
    let physical = descr.physical_type();
    Ok(match (physical, dt) {
        (Physical::BOOLEAN, DataType::Boolean) => booleans(descr, pages, rows)?,
        (Physical::INT32, DataType::Int32) => same::<pq::Int32Type, Int32Type>(descr, pages, rows)?,
        (Physical::INT32, DataType::Int8) => Arc::new(prim::<pq::Int32Type, Int8Type>(descr, pages, rows, |v| v as i8)?),
        (Physical::INT32, DataType::Int16) => Arc::new(prim::<pq::Int32Type, Int16Type>(descr, pages, rows, |v| v as i16)?),
        (Physical::INT32, DataType::UInt8) => Arc::new(prim::<pq::Int32Type, UInt8Type>(descr, pages, rows, |v| v as u8)?),
        (Physical::INT32, DataType::UInt16) => Arc::new(prim::<pq::Int32Type, UInt16Type>(descr, pages, rows, |v| v as u16)?),
        (Physical::INT32, DataType::UInt32) => Arc::new(prim::<pq::Int32Type, UInt32Type>(descr, pages, rows, |v| v as u32)?),
        (Physical::INT32, DataType::Date32) => same::<pq::Int32Type, Date32Type>(descr, pages, rows)?,
        (Physical::INT32, DataType::Decimal128(p, s)) => {
            decimal(prim::<pq::Int32Type, Decimal128Type>(descr, pages, rows, i128::from)?, *p, *s)?
        }
        (Physical::INT64, DataType::Int64) => same::<pq::Int64Type, Int64Type>(descr, pages, rows)?,
        (Physical::INT64, DataType::UInt64) => Arc::new(prim::<pq::Int64Type, UInt64Type>(descr, pages, rows, |v| v as u64)?),
        (Physical::INT64, DataType::Timestamp(unit, tz)) => timestamps(descr, pages, rows, *unit, tz.clone())?,
        (Physical::INT64, DataType::Decimal128(p, s)) => {
            decimal(prim::<pq::Int64Type, Decimal128Type>(descr, pages, rows, i128::from)?, *p, *s)?
        }
        (Physical::INT96, DataType::Timestamp(TimeUnit::Nanosecond, None)) => {
            Arc::new(prim::<pq::Int96Type, TimestampNanosecondType>(descr, pages, rows, |v: pq::Int96| v.to_nanos())?)
        }
        (Physical::FLOAT, DataType::Float32) => same::<pq::FloatType, Float32Type>(descr, pages, rows)?,
        (Physical::DOUBLE, DataType::Float64) => same::<pq::DoubleType, Float64Type>(descr, pages, rows)?,
        (Physical::BYTE_ARRAY, DataType::Utf8) => Arc::new(read_strings(descr, pages, rows)?),
        (Physical::BYTE_ARRAY, DataType::Decimal128(p, s)) => {
            decimal(mapped::<pq::ByteArrayType, Decimal128Type>(descr, pages, rows, |v| be_i128(v.data()))?, *p, *s)?
        }
        (Physical::FIXED_LEN_BYTE_ARRAY, DataType::Decimal128(p, s)) => {
            decimal(mapped::<pq::FixedLenByteArrayType, Decimal128Type>(descr, pages, rows, |v| be_i128(v.data()))?, *p, *s)?
        }
        (Physical::FIXED_LEN_BYTE_ARRAY, DataType::Float16) => {
            Arc::new(mapped::<pq::FixedLenByteArrayType, Float16Type>(descr, pages, rows, |v| match v.data() {
                &[a, b] => Ok(<Float16Type as ArrowPrimitiveType>::Native::from_bits(u16::from_le_bytes([a, b]))),
                _ => Err(ChunkError::Corrupt("a float16 value is not 2 bytes".into())),
            })?)
        }
        _ => return Err(ChunkError::Unsupported),
    })
}

/// A boolean column chunk.
#[inline(never)]
fn booleans(descr: ColumnDescPtr, pages: super::pages::Pages, rows: usize) -> Result<ArrayRef, ChunkError> {
    let (values, nulls) = read_values::<parquet::data_type::BoolType>(descr, pages, rows)?;
    Ok(Arc::new(BooleanArray::new(BooleanBuffer::from(values), nulls)))
}

/// A primitive column chunk whose values move into the Arrow array without a copy (same width).
#[inline(never)]
fn same<P: PqType, A: ArrowPrimitiveType<Native = P::T>>(
    descr: ColumnDescPtr,
    pages: super::pages::Pages,
    rows: usize,
) -> Result<ArrayRef, ChunkError>
where
    P::T: arrow_buffer::ArrowNativeType,
{
    let (values, nulls) = read_values::<P>(descr, pages, rows)?;
    Ok(Arc::new(PrimitiveArray::<A>::new(ScalarBuffer::from(values), nulls)))
}

/// A primitive column chunk, each value converted by `map`.
#[inline(never)]
fn prim<P: PqType, A: ArrowPrimitiveType>(
    descr: ColumnDescPtr,
    pages: super::pages::Pages,
    rows: usize,
    map: impl Fn(P::T) -> A::Native,
) -> Result<PrimitiveArray<A>, ChunkError> {
    let (values, nulls) = read_values::<P>(descr, pages, rows)?;
    let values: Vec<A::Native> = values.into_iter().map(map).collect();
    Ok(PrimitiveArray::<A>::new(ScalarBuffer::from(values), nulls))
}

/// A column chunk of byte arrays, each non-null value converted by `map` ([`read_mapped`]).
#[inline(never)]
fn mapped<P: PqType, A: ArrowPrimitiveType>(
    descr: ColumnDescPtr,
    pages: super::pages::Pages,
    rows: usize,
    map: impl Fn(&P::T) -> Result<A::Native, ChunkError>,
) -> Result<PrimitiveArray<A>, ChunkError> {
    let (values, nulls) = read_mapped::<P, _>(descr, pages, rows, map)?;
    Ok(PrimitiveArray::new(ScalarBuffer::from(values), nulls))
}

/// An INT64 timestamp column chunk of `unit`, zone `tz`.
#[inline(never)]
fn timestamps(
    descr: ColumnDescPtr,
    pages: super::pages::Pages,
    rows: usize,
    unit: TimeUnit,
    tz: Option<Arc<str>>,
) -> Result<ArrayRef, ChunkError> {
    let (values, nulls) = read_values::<parquet::data_type::Int64Type>(descr, pages, rows)?;
    let values = ScalarBuffer::from(values);
    Ok(match unit {
        TimeUnit::Second => Arc::new(PrimitiveArray::<TimestampSecondType>::new(values, nulls).with_timezone_opt(tz)),
        TimeUnit::Millisecond => Arc::new(PrimitiveArray::<TimestampMillisecondType>::new(values, nulls).with_timezone_opt(tz)),
        TimeUnit::Microsecond => Arc::new(PrimitiveArray::<TimestampMicrosecondType>::new(values, nulls).with_timezone_opt(tz)),
        TimeUnit::Nanosecond => Arc::new(PrimitiveArray::<TimestampNanosecondType>::new(values, nulls).with_timezone_opt(tz)),
    })
}

/// A big-endian two's-complement integer of at most 16 bytes (a decimal's unscaled value).
fn be_i128(b: &[u8]) -> Result<i128, ChunkError> {
    if b.is_empty() || b.len() > 16 {
        return Err(ChunkError::Corrupt(format!("a decimal value of {} bytes", b.len())));
    }
    let fill = if b[0] & 0x80 != 0 { 0xff } else { 0 };
    let mut full = [fill; 16];
    full[16 - b.len()..].copy_from_slice(b);
    Ok(i128::from_be_bytes(full))
}

/// Like [`read_values`], with each non-null value mapped by `f` before it moves to its row (for
/// values whose `Default` is not a readable value: byte arrays).
fn read_mapped<T: PqType, R: Default>(
    descr: ColumnDescPtr,
    pages: super::pages::Pages,
    rows: usize,
    f: impl Fn(&T::T) -> Result<R, ChunkError>,
) -> Result<(Vec<R>, Option<NullBuffer>), ChunkError> {
    let (values, levels) = read_dense::<T>(descr, pages, rows)?;
    let mut mapped = values.iter().map(f).collect::<Result<Vec<R>, _>>()?;
    let nulls = levels.map(|(defs, max)| {
        spread(&mut mapped, &defs, max);
        NullBuffer::new(BooleanBuffer::collect_bool(rows, |i| defs[i] == max))
    });
    Ok((mapped, nulls))
}

/// Reads a flat column chunk of `rows` rows: one value per row (`Default` where null) and the
/// validity (`None` when no row is null).
fn read_values<T: PqType>(
    descr: ColumnDescPtr,
    pages: super::pages::Pages,
    rows: usize,
) -> Result<(Vec<T::T>, Option<NullBuffer>), ChunkError> {
    if let Some(read) = read_fixed_width::<T>(&descr, &pages, rows)? {
        return Ok(read);
    }
    let (mut values, levels) = read_dense::<T>(descr, pages, rows)?;
    let nulls = levels.map(|(defs, max)| {
        spread(&mut values, &defs, max);
        NullBuffer::new(BooleanBuffer::collect_bool(rows, |i| defs[i] == max))
    });
    Ok((values, nulls))
}

/// [`read_values`] for INT32, INT64, FLOAT and DOUBLE chunks whose data pages are all PLAIN or
/// dictionary-encoded (what pyarrow, DuckDB, Polars and parquet-rs write by default), decoded
/// here like the string columns ([`read_strings`]); `None` for any other type, or at the first page
/// of another encoding (e.g. DELTA_BINARY_PACKED), and the crate's column reader reads the chunk.
/// Why: that reader's generic levels/values machinery and its bit unpacking (one function per
/// width, `unpack32` alone ~20 kB of wasm) were ~20% of what V8 compiled with its optimising tier
/// on each load, for the plain loops below.
#[allow(clippy::type_complexity)]
fn read_fixed_width<T: PqType>(
    descr: &ColumnDescPtr,
    pages: &super::pages::Pages,
    rows: usize,
) -> Result<Option<(Vec<T::T>, Option<NullBuffer>)>, ChunkError> {
    let mut out: Vec<T::T> = Vec::new();
    let any = &mut out as &mut dyn std::any::Any;
    let nulls = if let Some(v) = any.downcast_mut::<Vec<i32>>() {
        read_fixed(descr, pages.clone(), rows, i32::from_le_bytes, v)?
    } else if let Some(v) = any.downcast_mut::<Vec<i64>>() {
        read_fixed(descr, pages.clone(), rows, i64::from_le_bytes, v)?
    } else if let Some(v) = any.downcast_mut::<Vec<f32>>() {
        read_fixed(descr, pages.clone(), rows, f32::from_le_bytes, v)?
    } else if let Some(v) = any.downcast_mut::<Vec<f64>>() {
        read_fixed(descr, pages.clone(), rows, f64::from_le_bytes, v)?
    } else {
        return Ok(None);
    };
    Ok(nulls.map(|nulls| (out, nulls)))
}

/// Reads `rows` rows of a flat column of `W`-byte little-endian values into `out` (`Default` where
/// null); returns the validity (`None` when no row is null), or `None` when a data page is neither
/// PLAIN nor dictionary-encoded (or its levels are not RLE).
#[inline(never)]
fn read_fixed<V: Copy + Default, const W: usize>(
    descr: &ColumnDescPtr,
    mut pages: super::pages::Pages,
    rows: usize,
    from_le: fn([u8; W]) -> V,
    out: &mut Vec<V>,
) -> Result<Option<Option<NullBuffer>>, ChunkError> {
    use parquet::column::page::{Page, PageReader};
    let value = |c: &[u8]| from_le(c.try_into().expect("W bytes"));
    let max = descr.max_def_level();
    let nullable = max > 0;
    let mut dictionary: Vec<V> = Vec::new();
    // The chunk's definition levels (nullable columns) and its non-null values, densely; spread
    // to their rows at the end, as `read_values` does with the crate's reader.
    let mut defs: Vec<u32> = Vec::with_capacity(if nullable { rows } else { 0 });
    let mut indices: Vec<u32> = Vec::new();
    let mut read = 0;
    out.reserve_exact(rows);
    while read < rows {
        // Another encoding goes to the crate's reader before its page is decompressed.
        if !pages.next_is_plain_or_dictionary()? {
            return Ok(None);
        }
        let Some(page) = pages.get_next_page()? else { break };
        if let Page::DictionaryPage { buf, num_values, .. } = &page {
            let n = *num_values as usize;
            let bytes = n
                .checked_mul(W)
                .and_then(|len| buf.get(..len))
                .ok_or_else(|| ChunkError::Corrupt("truncated dictionary page".into()))?;
            dictionary = bytes.chunks_exact(W).map(value).collect();
            continue;
        }
        let Some((n, levels, values, dictionary_encoded)) = page_data(&page, nullable) else { return Ok(None) };
        if n > rows - read {
            return Err(ChunkError::Corrupt(format!("the row group says {rows} rows but its pages hold more")));
        }
        read += n;
        let non_null = if nullable { definition_levels(levels, max, n, &mut defs)? } else { n };
        if dictionary_encoded {
            dictionary_indices(values, non_null, &mut indices)?;
            for &k in &indices {
                out.push(*dictionary.get(k as usize).ok_or_else(|| corrupt_page("dictionary index out of range"))?);
            }
        } else {
            let bytes = values.get(..non_null * W).ok_or_else(|| corrupt_page("truncated PLAIN values"))?;
            out.extend(bytes.chunks_exact(W).map(value));
        }
    }
    if read != rows {
        return Err(ChunkError::Corrupt(format!("the row group says {rows} rows but its pages hold {read}")));
    }
    if out.len() == rows {
        return Ok(Some(None));
    }
    spread(out, &defs, max as u32);
    Ok(Some(Some(NullBuffer::new(BooleanBuffer::collect_bool(rows, |i| defs[i] == max as u32)))))
}

/// Reads a flat column chunk of `rows` rows: the non-null values, and when some row is null the
/// definition levels with the level of a non-null value.
#[allow(clippy::type_complexity)]
fn read_dense<T: PqType>(
    descr: ColumnDescPtr,
    pages: super::pages::Pages,
    rows: usize,
) -> Result<(Vec<T::T>, Option<(Vec<i16>, i16)>), ChunkError> {
    let nullable = descr.max_def_level() > 0;
    let max = descr.max_def_level();
    let mut reader = ColumnReaderImpl::<T>::new(descr, Box::new(pages));
    let mut values: Vec<T::T> = Vec::with_capacity(rows);
    let mut defs: Vec<i16> = Vec::with_capacity(if nullable { rows } else { 0 });
    let mut read = 0;
    // In batches of `par::CHUNK` records, so the crate's decoders, called once per batch, switch to
    // V8's optimised code after the first batches (see `par::chunks`).
    while read < rows {
        let batch = (rows - read).min(super::par::CHUNK);
        let (records, _, _) = reader.read_records(batch, nullable.then_some(&mut defs), None, &mut values)?;
        if records == 0 {
            break;
        }
        read += records;
    }
    if read != rows {
        return Err(ChunkError::Corrupt(format!("the row group says {rows} rows but its pages hold {read}")));
    }
    if !nullable || values.len() == rows {
        return Ok((values, None));
    }
    if defs.len() != rows {
        return Err(ChunkError::Corrupt(format!("{} definition levels for {rows} rows", defs.len())));
    }
    Ok((values, Some((defs, max))))
}

/// Moves the dense non-null `values` to their rows (where `defs[row] == max`), in place, with
/// `Default` in the null rows.
fn spread<V: Default, D: Copy + PartialEq>(values: &mut Vec<V>, defs: &[D], max: D) {
    let mut j = values.len();
    values.resize_with(defs.len(), V::default);
    for i in (0..defs.len()).rev() {
        if defs[i] == max {
            j -= 1;
            if j != i {
                values.swap(i, j);
            }
        }
    }
}

/// Decodes a string column chunk into a `Dictionary(Int32, Utf8)` array: the values are the
/// chunk's dictionary page entries (in dictionary order, each checked to be UTF-8 once) followed
/// by the values of any non-dictionary pages. Dictionary-encoded data pages are decoded here:
/// their definition levels and RLE/bit-packed indices become the keys directly (no string, hash
/// or comparison per row). PLAIN pages (what writers fall back to when the dictionary page is
/// full) are also read here, and any other page (DELTA encodings, BIT_PACKED levels) through the
/// crate's column reader, one page at a time; such values are compared with the previous row's
/// and otherwise added as new values.
fn read_strings(descr: ColumnDescPtr, mut pages: super::pages::Pages, rows: usize) -> Result<DictionaryArray<Int32Type>, ChunkError> {
    use parquet::column::page::{Page, PageReader};
    let max = descr.max_def_level();
    let nullable = max > 0;
    let mut b = Strings::new(rows, nullable);
    let mut dictionary_page: Option<Page> = None;
    let (mut defs, mut indices): (Vec<u32>, Vec<u32>) = (Vec::new(), Vec::new());
    while b.keys.len() < rows {
        let Some(page) = pages.get_next_page()? else { break };
        if let Page::DictionaryPage { buf, num_values, .. } = &page {
            b.set_dictionary(buf, *num_values as usize)?;
            dictionary_page = Some(page);
            continue;
        }
        if let Some((n, levels, values, dictionary)) = page_data(&page, nullable) {
            defs.clear();
            let non_null = if nullable { definition_levels(levels, max, n, &mut defs)? } else { n };
            let all_valid = non_null == n;
            if dictionary {
                dictionary_indices(values, non_null, &mut indices)?;
                if all_valid {
                    b.push_indices(&indices)?;
                } else {
                    let mut next = indices.iter();
                    for &d in &defs {
                        if d != max as u32 {
                            b.push_null();
                        } else {
                            let &k = next.next().ok_or_else(|| corrupt_page("fewer indices than values"))?;
                            b.push_indices(&[k])?;
                        }
                    }
                }
            } else {
                // PLAIN: each value is a 4-byte little-endian length and its bytes.
                let mut rest = values;
                let mut plain = |b: &mut Strings| -> Result<(), ChunkError> {
                    let len = rest
                        .get(..4)
                        .map(|l| u32::from_le_bytes(l.try_into().expect("4 bytes")) as usize)
                        .ok_or_else(|| corrupt_page("truncated PLAIN value"))?;
                    let v = rest.get(4..4 + len).ok_or_else(|| corrupt_page("truncated PLAIN value"))?;
                    rest = &rest[4 + len..];
                    b.push_plain(v)
                };
                if all_valid {
                    super::par::chunks(n, &mut |r| r.into_iter().try_for_each(|_| plain(&mut b)))?;
                } else {
                    for &d in &defs {
                        if d != max as u32 {
                            b.push_null();
                        } else {
                            plain(&mut b)?;
                        }
                    }
                }
            }
        } else {
            let one = OnePage(dictionary_page.iter().cloned().chain(std::iter::once(page)).collect::<Vec<_>>().into_iter());
            let mut reader = ColumnReaderImpl::<parquet::data_type::ByteArrayType>::new(descr.clone(), Box::new(one));
            let mut values: Vec<ByteArray> = Vec::new();
            let mut levels: Vec<i16> = Vec::new();
            loop {
                values.clear();
                levels.clear();
                let (records, _, _) =
                    reader.read_records(STRING_BATCH, nullable.then_some(&mut levels), None, &mut values)?;
                if records == 0 {
                    break;
                }
                if nullable && levels.len() != records {
                    return Err(corrupt_page("definition levels do not match the rows"));
                }
                let mut next = values.iter();
                for r in 0..records {
                    if nullable && levels.get(r) != Some(&max) {
                        b.push_null();
                    } else {
                        let v = next.next().ok_or_else(|| corrupt_page("fewer values than non-null rows"))?;
                        b.push_plain(v.data())?;
                    }
                }
            }
        }
    }
    if b.keys.len() != rows {
        return Err(ChunkError::Corrupt(format!("the row group says {rows} rows but its pages hold {}", b.keys.len())));
    }
    Ok(b.finish())
}

fn corrupt_page(what: &str) -> ChunkError {
    ChunkError::Corrupt(format!("corrupt data page: {what}"))
}

/// Bits needed for levels up to `max`.
fn bit_width(max: i16) -> u32 {
    32 - (max as u32).leading_zeros()
}

/// A dictionary-encoded or PLAIN data page with RLE (or no) definition levels: (levels = rows,
/// the encoded definition levels, the encoded values, whether dictionary-encoded); `None` for
/// any other page.
fn page_data(page: &parquet::column::page::Page, nullable: bool) -> Option<(usize, &[u8], &[u8], bool)> {
    use parquet::basic::Encoding;
    use parquet::column::page::Page;
    let kind = |e: &Encoding| match e {
        Encoding::PLAIN_DICTIONARY | Encoding::RLE_DICTIONARY => Some(true),
        Encoding::PLAIN => Some(false),
        _ => None,
    };
    match page {
        Page::DataPage { buf, num_values, encoding, def_level_encoding, .. } => {
            let dictionary = kind(encoding)?;
            if !nullable {
                return Some((*num_values as usize, &[], buf, dictionary));
            }
            if *def_level_encoding != Encoding::RLE {
                return None;
            }
            let len = u32::from_le_bytes(buf.get(..4)?.try_into().ok()?) as usize;
            let levels = buf.get(4..4usize.checked_add(len)?)?;
            Some((*num_values as usize, levels, &buf[4 + len..], dictionary))
        }
        Page::DataPageV2 { buf, num_values, encoding, def_levels_byte_len, rep_levels_byte_len, .. } => {
            let dictionary = kind(encoding)?;
            let rep = *rep_levels_byte_len as usize;
            let end = rep.checked_add(*def_levels_byte_len as usize)?;
            Some((*num_values as usize, buf.get(rep..end)?, buf.get(end..)?, dictionary))
        }
        Page::DictionaryPage { .. } => None,
    }
}

/// Appends the `n` definition levels of a page (RLE, `levels`) to `defs` and returns how many of
/// them are `max` (non-null rows).
fn definition_levels(levels: &[u8], max: i16, n: usize, defs: &mut Vec<u32>) -> Result<usize, ChunkError> {
    let start = defs.len();
    decode_hybrid(levels, bit_width(max), n, defs)?;
    Ok(defs[start..].iter().filter(|&&d| d == max as u32).count())
}

/// Replaces `indices` with the `non_null` dictionary indices of a dictionary-encoded page's
/// `values` (a bit-width byte, then the RLE/bit-packed indices).
fn dictionary_indices(values: &[u8], non_null: usize, indices: &mut Vec<u32>) -> Result<(), ChunkError> {
    indices.clear();
    if non_null > 0 {
        let (&width, packed) = values.split_first().ok_or_else(|| corrupt_page("no index bit width"))?;
        decode_hybrid(packed, u32::from(width), non_null, indices)?;
    }
    Ok(())
}

/// Appends `n` values of the RLE/bit-packed hybrid encoding of `width`-bit values in `buf` to
/// `out` (definition levels, dictionary indices).
fn decode_hybrid(mut buf: &[u8], width: u32, n: usize, out: &mut Vec<u32>) -> Result<(), ChunkError> {
    if width > 32 {
        return Err(corrupt_page("bit width over 32"));
    }
    let start = out.len();
    out.reserve(n);
    let mask: u64 = if width == 32 { u32::MAX as u64 } else { (1u64 << width) - 1 };
    while out.len() - start < n {
        let left = n - (out.len() - start);
        let mut header = 0u64;
        let mut shift = 0;
        loop {
            let (&byte, rest) = buf.split_first().ok_or_else(|| corrupt_page("truncated run header"))?;
            buf = rest;
            header |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift > 35 {
                return Err(corrupt_page("run header too long"));
            }
        }
        let count = (header >> 1) as usize;
        if count == 0 {
            return Err(corrupt_page("empty run"));
        }
        if header & 1 == 0 {
            // An RLE run: one value, little-endian in ceil(width / 8) bytes.
            let bytes = width.div_ceil(8) as usize;
            let raw = buf.get(..bytes).ok_or_else(|| corrupt_page("truncated run"))?;
            let mut v = 0u32;
            for (i, &byte) in raw.iter().enumerate() {
                v |= u32::from(byte) << (8 * i);
            }
            buf = &buf[bytes..];
            out.extend(std::iter::repeat_n(v, count.min(left)));
        } else {
            // Bit-packed groups of 8 values, least significant bit first.
            let values = count.checked_mul(8).ok_or_else(|| corrupt_page("run too long"))?;
            let bytes = count.checked_mul(width as usize).ok_or_else(|| corrupt_page("run too long"))?;
            let take = values.min(left);
            let needed = (take * width as usize).div_ceil(8);
            let packed = buf.get(..needed).ok_or_else(|| corrupt_page("truncated bit-packed run"))?;
            unpack(packed, width, take, mask, out);
            buf = buf.get(bytes.min(buf.len())..).unwrap_or(&[]);
        }
    }
    Ok(())
}

/// Appends the `take` `width`-bit values bit-packed in `packed` (least significant bit first;
/// `packed` holds at least `take * width` bits, `width` ≤ 32) to `out`. Value `i` starts at bit
/// `i * width`: read as the 8 bytes from its first byte (at most 7 + 32 bits are needed), shifted
/// and masked — no per-byte refill loop; the last values, whose 8 bytes would run past `packed`,
/// read what is left.
#[inline(never)]
fn unpack(packed: &[u8], width: u32, take: usize, mask: u64, out: &mut Vec<u32>) {
    let w = width as usize;
    if w == 0 {
        out.extend(std::iter::repeat_n(0, take));
        return;
    }
    // Value `i` from the (up to) 8 bytes at its first byte.
    let value = |i: usize, bytes: u64| ((bytes >> (i * w % 8)) & mask) as u32;
    // Values whose 8 bytes lie inside `packed`, then the rest from the bytes left.
    let fast = if packed.len() >= 8 { ((packed.len() - 8) * 8 / w + 1).min(take) } else { 0 };
    out.extend((0..fast).map(|i| {
        let at = i * w / 8;
        value(i, u64::from_le_bytes(packed[at..at + 8].try_into().expect("8 bytes")))
    }));
    out.extend((fast..take).map(|i| value(i, packed[i * w / 8..].iter().rev().fold(0u64, |v, &b| (v << 8) | u64::from(b)))));
}

/// One chunk's pages as a page reader for the crate's column reader (a dictionary page and one
/// data page).
struct OnePage(std::vec::IntoIter<parquet::column::page::Page>);

impl Iterator for OnePage {
    type Item = parquet::errors::Result<parquet::column::page::Page>;
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(Ok)
    }
}

impl parquet::column::page::PageReader for OnePage {
    fn get_next_page(&mut self) -> parquet::errors::Result<Option<parquet::column::page::Page>> {
        Ok(self.0.next())
    }

    fn peek_next_page(&mut self) -> parquet::errors::Result<Option<parquet::column::page::PageMetadata>> {
        use parquet::column::page::{Page, PageMetadata};
        Ok(self.0.as_slice().first().map(|p| match p {
            Page::DictionaryPage { .. } => PageMetadata { num_rows: None, num_levels: None, is_dict: true },
            Page::DataPage { num_values, .. } => {
                PageMetadata { num_rows: None, num_levels: Some(*num_values as usize), is_dict: false }
            }
            Page::DataPageV2 { num_values, num_rows, .. } => {
                PageMetadata { num_rows: Some(*num_rows as usize), num_levels: Some(*num_values as usize), is_dict: false }
            }
        }))
    }

    fn skip_next_page(&mut self) -> parquet::errors::Result<()> {
        self.0.next();
        Ok(())
    }
}

/// A `Dictionary(Int32, Utf8)` array being built: keys, validity, and the values as offsets
/// and bytes (the dictionary page's entries first).
struct Strings {
    keys: Vec<i32>,
    /// Validity per row (kept only for a nullable column).
    valid: Vec<bool>,
    nullable: bool,
    offsets: Vec<i32>,
    bytes: Vec<u8>,
    /// Entries of the dictionary page (they are values `0..dictionary`).
    dictionary: usize,
    /// The key of the last value added by [`Strings::push_plain`].
    last_plain: Option<i32>,
}

impl Strings {
    fn new(rows: usize, nullable: bool) -> Self {
        Strings {
            keys: Vec::with_capacity(rows),
            valid: Vec::with_capacity(if nullable { rows } else { 0 }),
            nullable,
            offsets: vec![0],
            bytes: Vec::new(),
            dictionary: 0,
            last_plain: None,
        }
    }

    /// Adds value `v` (checked to be UTF-8), returning its key.
    fn add(&mut self, v: &[u8]) -> Result<i32, ChunkError> {
        std::str::from_utf8(v).map_err(|e| ChunkError::Corrupt(format!("invalid UTF-8 in a string: {e}")))?;
        self.bytes.extend_from_slice(v);
        let end = i32::try_from(self.bytes.len()).map_err(|_| ChunkError::Corrupt("more than 2 GiB of strings".into()))?;
        self.offsets.push(end);
        Ok((self.offsets.len() - 2) as i32)
    }

    /// Takes the PLAIN-encoded entries of the chunk's dictionary page (`n` of them in `buf`).
    fn set_dictionary(&mut self, buf: &[u8], n: usize) -> Result<(), ChunkError> {
        if self.offsets.len() > 1 {
            return Err(ChunkError::Corrupt("a dictionary page after data pages".into()));
        }
        self.bytes.reserve(buf.len().saturating_sub(4 * n));
        self.offsets.reserve(n);
        let mut at = 0usize;
        for _ in 0..n {
            let len = buf
                .get(at..at + 4)
                .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize)
                .ok_or_else(|| ChunkError::Corrupt("truncated dictionary page".into()))?;
            let v = buf.get(at + 4..at + 4 + len).ok_or_else(|| ChunkError::Corrupt("truncated dictionary page".into()))?;
            self.add(v)?;
            at += 4 + len;
        }
        self.dictionary = n;
        Ok(())
    }

    fn push_null(&mut self) {
        self.keys.push(0);
        self.valid.push(false);
    }

    /// Rows holding dictionary entries `indices`.
    #[inline]
    fn push_indices(&mut self, indices: &[u32]) -> Result<(), ChunkError> {
        if let Some(&k) = indices.iter().find(|&&k| k as usize >= self.dictionary) {
            return Err(ChunkError::Corrupt(format!("dictionary index {k} out of range ({} entries)", self.dictionary)));
        }
        self.keys.extend(indices.iter().map(|&k| k as i32));
        if self.nullable {
            self.valid.extend(std::iter::repeat_n(true, indices.len()));
        }
        Ok(())
    }

    /// A row holding `v` from a non-dictionary page: the previous such value's key when equal,
    /// else a new value.
    fn push_plain(&mut self, v: &[u8]) -> Result<(), ChunkError> {
        let key = match self.last_plain {
            Some(k) if offsets_text(&self.bytes, &self.offsets, k) == v => k,
            _ => self.add(v)?,
        };
        self.last_plain = Some(key);
        self.keys.push(key);
        if self.nullable {
            self.valid.push(true);
        }
        Ok(())
    }

    fn finish(self) -> DictionaryArray<Int32Type> {
        let nulls = if self.nullable && self.valid.iter().any(|v| !v) { Some(NullBuffer::from(self.valid)) } else { None };
        let keys = PrimitiveArray::<Int32Type>::new(ScalarBuffer::from(self.keys), nulls);
        // SAFETY: every value was checked to be UTF-8 when added, and the offsets are the running
        // ends of the appended values (monotonic, within `bytes`).
        let strings = unsafe {
            StringArray::new_unchecked(
                OffsetBuffer::new_unchecked(ScalarBuffer::from(self.offsets)),
                Buffer::from_vec(self.bytes),
                None,
            )
        };
        // SAFETY: every key is the index of a value (dictionary indices are range-checked in
        // `push_index`, other keys come from `add`; a null row's key is 0 and masked).
        unsafe { DictionaryArray::new_unchecked(keys, Arc::new(strings)) }
    }
}

/// The text of value `k` in the (offsets, bytes) being built.
fn offsets_text<'a>(bytes: &'a [u8], offsets: &[i32], k: i32) -> &'a [u8] {
    &bytes[offsets[k as usize] as usize..offsets[k as usize + 1] as usize]
}

/// Runs `f`, turning a panic inside the decoder (natively) into a `Corrupt` error.
pub(crate) fn guard<T>(file: &str, f: impl FnOnce() -> T) -> Result<T, LoadError> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| LoadError::Corrupt {
            file: file.to_string(),
            detail: format!(
                "the decoder failed: {}",
                p.downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| p.downcast_ref::<&str>().copied())
                    .unwrap_or("unknown error")
            ),
        })
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = file;
        Ok(f())
    }
}

#[cfg(test)]
mod tests {
    //! The decoder against the crate's Arrow record-batch reader (what the loader used before):
    //! every type the contract or the facts files accept, nulls, several row groups, pages
    //! cut inside a row group, dictionary pages falling back to plain pages, data page v1/v2,
    //! and every fixture file.
    use super::*;
    use arrow_array::{Array, RecordBatch};
    use arrow_cast::cast;
    use bytes::Bytes;
    use parquet::arrow::ArrowWriter;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use parquet::file::properties::{WriterProperties, WriterVersion};

    /// Every column of `bytes` by the crate's reader (one array per column).
    fn crate_read(bytes: &Bytes) -> RecordBatch {
        let reader = ParquetRecordBatchReaderBuilder::try_new(bytes.clone()).unwrap().build().unwrap();
        let batches: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
        arrow_select::concat::concat_batches(&batches[0].schema(), &batches).unwrap()
    }

    /// Every named column of `bytes` by our decoder, row groups appended.
    fn ours(bytes: &Bytes, names: &[&str]) -> Vec<ArrayRef> {
        let parts = Reader::open_columns("f.parquet", bytes.clone(), names).unwrap().all().unwrap();
        (0..names.len())
            .map(|c| {
                let arrays: Vec<&dyn Array> = parts.groups.iter().map(|g| g[c].as_ref()).collect();
                arrow_select::concat::concat(&arrays).unwrap()
            })
            .collect()
    }

    /// Asserts our decoding of every column equals the crate's, after casting ours to the
    /// crate's type (which the embedded Arrow schema may refine: large/view strings,
    /// dictionaries, time zones).
    fn assert_same(bytes: &Bytes, what: &str) {
        let want = crate_read(bytes);
        let schema = want.schema();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        let got = ours(bytes, &names);
        for (i, name) in names.iter().enumerate() {
            let mut w = want.column(i).clone();
            let mut g = got[i].clone();
            if let (DataType::Timestamp(wu, _), DataType::Timestamp(gu, _)) = (w.data_type(), g.data_type()) {
                // Same unit; time zones compared as the raw instants (casting to a named zone
                // needs chrono-tz).
                assert_eq!(wu, gu, "{what}: column {name}");
                w = cast(&w, &DataType::Int64).unwrap();
                g = cast(&g, &DataType::Int64).unwrap();
            }
            let g = cast(&g, w.data_type()).unwrap_or_else(|e| panic!("{what} {name}: {e}"));
            let w = &w;
            assert_eq!(&g, w, "{what}: column {name} ({} vs {})", got[i].data_type(), w.data_type());
        }
    }

    fn write(batch: &RecordBatch, props: WriterProperties) -> Bytes {
        let mut out = Vec::new();
        let mut w = ArrowWriter::try_new(&mut out, batch.schema(), Some(props)).unwrap();
        w.write(batch).unwrap();
        w.close().unwrap();
        Bytes::from(out)
    }

    /// 3000 rows of every accepted type, each column with nulls (every 7th row), strings of low
    /// cardinality (with "" values) and high cardinality.
    fn every_type() -> RecordBatch {
        use arrow_array::*;
        let n = 3000i64;
        let null = |i: i64| i % 7 == 3;
        let ints = || (0..n).map(move |i| (!null(i)).then_some(i * 37 % 251 - 100));
        let ts = |i: i64| 1_780_000_000_000 + i * 86_400_013 / 7;
        let low = ["openai", "anthropic", "", "mistral"];
        let cols: Vec<(&str, ArrayRef)> = vec![
            ("i8", Arc::new(Int8Array::from_iter(ints().map(|v| v.map(|v| v as i8))))),
            ("i16", Arc::new(Int16Array::from_iter(ints().map(|v| v.map(|v| v as i16 * 200))))),
            ("i32", Arc::new(Int32Array::from_iter(ints().map(|v| v.map(|v| v as i32 * 7_000_000))))),
            ("i64", Arc::new(Int64Array::from_iter(ints().map(|v| v.map(|v| v * 10_000_000_000))))),
            ("u8", Arc::new(UInt8Array::from_iter(ints().map(|v| v.map(|v| (v + 100) as u8))))),
            ("u16", Arc::new(UInt16Array::from_iter(ints().map(|v| v.map(|v| (v + 100) as u16 * 250))))),
            ("u32", Arc::new(UInt32Array::from_iter(ints().map(|v| v.map(|v| ((v + 100) as u64 * 4_000_000_000 / 251) as u32))))),
            ("u64", Arc::new(UInt64Array::from_iter(ints().map(|v| v.map(|v| (v + 100) as u64 * (u64::MAX / 251)))))),
            ("f32", Arc::new(Float32Array::from_iter(ints().map(|v| v.map(|v| v as f32 / 3.0))))),
            ("f64", Arc::new(Float64Array::from_iter(ints().map(|v| v.map(|v| v as f64 / 7.0))))),
            ("f16", Arc::new(Float16Array::from_iter(ints().map(|v| v.map(|v| half_of(v as f32 / 4.0)))))),
            ("b", Arc::new(BooleanArray::from_iter((0..n).map(|i| (!null(i)).then_some(i % 3 == 0))))),
            ("d32", Arc::new(Date32Array::from_iter(ints().map(|v| v.map(|v| 20_000 + v as i32))))),
            ("ts_s", Arc::new(TimestampSecondArray::from_iter((0..n).map(|i| (!null(i)).then_some(ts(i) / 1000))))),
            ("ts_ms", Arc::new(TimestampMillisecondArray::from_iter((0..n).map(|i| (!null(i)).then_some(ts(i)))).with_timezone("+02:00"))),
            ("ts_us", Arc::new(TimestampMicrosecondArray::from_iter((0..n).map(|i| (!null(i)).then_some(ts(i) * 1000))))),
            ("ts_ns", Arc::new(TimestampNanosecondArray::from_iter((0..n).map(|i| (!null(i)).then_some(ts(i) * 1_000_000))).with_timezone("UTC"))),
            ("dec9", Arc::new(Decimal128Array::from_iter(ints().map(|v| v.map(|v| i128::from(v) * 1234))).with_precision_and_scale(9, 2).unwrap())),
            ("dec18", Arc::new(Decimal128Array::from_iter(ints().map(|v| v.map(|v| i128::from(v) * 10i128.pow(15)))).with_precision_and_scale(18, 0).unwrap())),
            ("dec38", Arc::new(Decimal128Array::from_iter(ints().map(|v| v.map(|v| i128::from(v) * 10i128.pow(35)))).with_precision_and_scale(38, 3).unwrap())),
            ("low", Arc::new(StringArray::from_iter((0..n).map(|i| (!null(i)).then(|| low[(i / 5 % 4) as usize]))))),
            ("high", Arc::new(LargeStringArray::from_iter((0..n).map(|i| (!null(i)).then(|| format!("session-{:08}", i * 7919 % 2000)))))),
            ("view", Arc::new(StringViewArray::from_iter((0..n).map(|i| (!null(i)).then(|| format!("v{}", i % 13)))))),
            (
                "dict",
                Arc::new(
                    (0..n).map(|i| (!null(i)).then(|| low[(i % 4) as usize])).collect::<DictionaryArray<Int16Type>>(),
                ),
            ),
            ("req", Arc::new(StringArray::from_iter_values((0..n).map(|i| format!("r{}", i % 50))))),
        ];
        RecordBatch::try_from_iter(cols).unwrap()
    }

    fn half_of(v: f32) -> <Float16Type as ArrowPrimitiveType>::Native {
        <Float16Type as ArrowPrimitiveType>::Native::from_f32(v)
    }

    #[test]
    fn every_type_reads_as_the_crates_reader_reads_it() {
        let batch = every_type();
        for version in [WriterVersion::PARQUET_1_0, WriterVersion::PARQUET_2_0] {
            for dictionary in [true, false] {
                // Several row groups, pages cut inside them, and (with dictionaries) a dictionary
                // page limit small enough that the high-cardinality columns fall back to plain
                // pages in mid-chunk.
                let props = WriterProperties::builder()
                    .set_writer_version(version)
                    .set_dictionary_enabled(dictionary)
                    .set_dictionary_page_size_limit(256)
                    .set_data_page_row_count_limit(333)
                    .set_write_batch_size(111)
                    .set_max_row_group_row_count(Some(1100))
                    .build();
                let bytes = write(&batch, props);
                assert_same(&bytes, &format!("{version:?} dictionary={dictionary}"));
            }
        }
    }

    #[test]
    fn plain_and_dictionary_numbers_are_read_here_other_encodings_by_the_crate() {
        use arrow_array::{Float64Array, Int32Array, Int64Array};
        use parquet::basic::Encoding;
        let a: ArrayRef = Arc::new(Int64Array::from_iter((0..5000i64).map(|i| (i % 7 != 3).then_some(i % 50 - 20))));
        let b: ArrayRef = Arc::new(Int32Array::from_iter_values((0..5000).map(|i| i * 31 % 977)));
        let f: ArrayRef = Arc::new(Float64Array::from_iter((0..5000).map(|i| (i % 5 != 0).then_some(i as f64 / 3.0))));
        let batch = RecordBatch::try_from_iter([("a", a), ("b", b), ("f", f)]).unwrap();
        // (rows, nulls) of leaf `leaf` of row group 0 read by `read_fixed_width`, `None` if it declines.
        fn shape<T: PqType>(bytes: &Bytes, leaf: usize) -> Option<(usize, Option<usize>)> {
            let r = Reader::open_columns("f.parquet", bytes.clone(), &["a", "b", "f"]).unwrap();
            let pages = chunk_pages(&r.source, &r.meta, 0, leaf).unwrap();
            let descr = r.meta.file_metadata().schema_descr().column(leaf);
            let read = read_fixed_width::<T>(&descr, &pages, r.group_rows[0]).unwrap();
            read.map(|(v, n)| (v.len(), n.map(|n| n.null_count())))
        }
        let fixed = |bytes: &Bytes, leaf: usize| match leaf {
            0 => shape::<parquet::data_type::Int64Type>(bytes, leaf),
            1 => shape::<parquet::data_type::Int32Type>(bytes, leaf),
            _ => shape::<parquet::data_type::DoubleType>(bytes, leaf),
        };
        for version in [WriterVersion::PARQUET_1_0, WriterVersion::PARQUET_2_0] {
            for dictionary in [true, false] {
                let props = WriterProperties::builder()
                    .set_writer_version(version)
                    .set_dictionary_enabled(dictionary)
                    .set_data_page_row_count_limit(700)
                    .set_write_batch_size(100)
                    .build();
                let bytes = write(&batch, props);
                let what = format!("{version:?} dictionary={dictionary}");
                // Read here (not by the crate's reader), with the right rows and nulls (integers
                // without a dictionary in a v2 file are DELTA_BINARY_PACKED: the crate's) …
                let ints_here = dictionary || version == WriterVersion::PARQUET_1_0;
                let a_nulls = (0..5000).filter(|i| i % 7 == 3).count();
                assert_eq!(fixed(&bytes, 0), ints_here.then_some((5000, Some(a_nulls))), "{what}");
                assert_eq!(fixed(&bytes, 1), ints_here.then_some((5000, None)), "{what}");
                assert_eq!(fixed(&bytes, 2), Some((5000, Some(1000))), "{what}");
                // … and the same values as the crate's reader.
                assert_same(&bytes, &what);
            }
        }
        // DELTA_BINARY_PACKED pages go to the crate's reader.
        let props = WriterProperties::builder()
            .set_dictionary_enabled(false)
            .set_encoding(Encoding::DELTA_BINARY_PACKED)
            .build();
        let bytes = write(&RecordBatch::try_from_iter([("a", batch.column(0).clone())]).unwrap(), props);
        let r = Reader::open_columns("f.parquet", bytes.clone(), &["a"]).unwrap();
        let pages = chunk_pages(&r.source, &r.meta, 0, 0).unwrap();
        let descr = r.meta.file_metadata().schema_descr().column(0);
        assert!(read_fixed_width::<parquet::data_type::Int64Type>(&descr, &pages, 5000).unwrap().is_none());
        assert_same(&bytes, "delta");
    }

    #[test]
    fn strings_from_dictionary_pages_hold_each_distinct_value_once() {
        let batch = every_type();
        let bytes = write(&batch, WriterProperties::builder().set_max_row_group_row_count(Some(1500)).build());
        let parts = Reader::open_columns("f.parquet", bytes, &["low", "high", "req"]).unwrap().all().unwrap();
        assert_eq!(parts.groups.len(), 2);
        for g in &parts.groups {
            let values = |c: usize| g[c].as_any().downcast_ref::<DictionaryArray<Int32Type>>().unwrap().values().len();
            // The 4 providers (incl. "") of the chunk's dictionary page.
            assert_eq!(values(0), 4);
            assert_eq!(values(2), 50);
        }
        // Exactly the distinct non-null values of each row group.
        let distinct = |rows: std::ops::Range<i64>| {
            rows.filter(|i| i % 7 != 3).map(|i| i * 7919 % 2000).collect::<std::collections::HashSet<_>>().len()
        };
        for (g, rows) in [(0, 0..1500), (1, 1500..3000)] {
            let d = parts.groups[g][1].as_any().downcast_ref::<DictionaryArray<Int32Type>>().unwrap();
            assert_eq!(d.values().len(), distinct(rows));
        }
        // Without dictionaries (plain pages) values repeat only across row changes.
        let plain = write(&batch, WriterProperties::builder().set_dictionary_enabled(false).build());
        let parts = Reader::open_columns("f.parquet", plain, &["req"]).unwrap().all().unwrap();
        let d = parts.groups[0][0].as_any().downcast_ref::<DictionaryArray<Int32Type>>().unwrap();
        assert_eq!(d.values().len(), 3000);
        assert_eq!(d.len(), 3000);
    }

    #[test]
    fn low_cardinality_dictionary_strings_are_not_copied_per_row() {
        let batch = every_type();
        let bytes = write(&batch, WriterProperties::builder().build());
        let parts = Reader::open_columns("f.parquet", bytes, &["dict"]).unwrap().all().unwrap();
        let d = parts.groups[0][0].as_any().downcast_ref::<DictionaryArray<Int32Type>>().unwrap();
        // The dictionary page's 4 values ("" included), once each.
        assert_eq!(d.values().len(), 4);
        let non_empty = (0..d.values().len()).filter(|&i| !d.values().as_any().downcast_ref::<StringArray>().unwrap().value(i).is_empty()).count();
        assert_eq!(non_empty, 3);
    }

    #[test]
    fn every_fixture_reads_as_the_crates_reader_reads_it() {
        let mut files = 0;
        for dir in ["../shared/fixtures", "tests/data"] {
            let Ok(entries) = std::fs::read_dir(dir) else { continue };
            for e in entries.flatten() {
                let Ok(inner) = std::fs::read_dir(e.path()) else { continue };
                for f in inner.flatten() {
                    let path = f.path();
                    if path.extension().is_some_and(|x| x == "parquet") && !path.to_string_lossy().contains("/bad/") {
                        let bytes = Bytes::from(std::fs::read(&path).unwrap());
                        assert_same(&bytes, &path.display().to_string());
                        files += 1;
                    }
                }
            }
        }
        assert!(files >= 10, "only {files} fixture files found");
    }

    #[test]
    fn timestamp_types_come_from_the_parquet_schema_and_the_arrow_hint() {
        use arrow_array::TimestampSecondArray;
        let s: ArrayRef = Arc::new(TimestampSecondArray::from(vec![Some(1_780_000_000), None]));
        let batch = RecordBatch::try_from_iter([("created_at", s)]).unwrap();
        let hinted = write(&batch, WriterProperties::builder().build());
        let meta = ParquetMetaDataReader::new().parse_and_finish(&hinted).unwrap();
        assert_eq!(column_type(&meta, "created_at"), Some(DataType::Timestamp(TimeUnit::Second, None)));
        assert_eq!(timestamp_hints(&meta).len(), 1);
        // Without the embedded Arrow schema a bare INT64 is an integer, not a timestamp.
        let bare = {
            let mut out = Vec::new();
            let opts = parquet::arrow::arrow_writer::ArrowWriterOptions::new().with_skip_arrow_metadata(true);
            let mut w = ArrowWriter::try_new_with_options(&mut out, batch.schema(), opts).unwrap();
            w.write(&batch).unwrap();
            w.close().unwrap();
            Bytes::from(out)
        };
        let meta = ParquetMetaDataReader::new().parse_and_finish(&bare).unwrap();
        assert_eq!(column_type(&meta, "created_at"), Some(DataType::Int64));
        // INT96 (pyarrow's legacy writer) reads as nanoseconds.
        let int96 = Bytes::from_static(include_bytes!("../../tests/data/pyarrow-brotli-106/raw_support_events.parquet"));
        let meta = ParquetMetaDataReader::new().parse_and_finish(&int96).unwrap();
        assert_eq!(column_type(&meta, "created_at"), Some(DataType::Timestamp(TimeUnit::Nanosecond, None)));
    }

    #[test]
    fn a_malformed_arrow_schema_hint_is_ignored_not_a_panic() {
        let batch = every_type();
        let bytes = write(&batch, WriterProperties::builder().build());
        let meta = ParquetMetaDataReader::new().parse_and_finish(&bytes).unwrap();
        let kv = meta.file_metadata().key_value_metadata().unwrap();
        let encoded = kv.iter().find(|k| k.key == "ARROW:schema").unwrap().value.clone().unwrap();
        let raw = base64_decode(&encoded).unwrap();
        let hints = ipc_timestamp_fields(&raw).unwrap();
        let names: Vec<&str> = hints.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["ts_s", "ts_ms", "ts_us", "ts_ns"]);
        assert_eq!(hints[1].tz.as_deref(), Some("+02:00"));
        // Every truncation and many corruptions: no panic.
        for cut in 0..raw.len() {
            let _ = ipc_timestamp_fields(&raw[..cut]);
        }
        let mut x = 0x9e37_79b9u32;
        for _ in 0..2000 {
            let mut bad = raw.clone();
            for _ in 0..4 {
                x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let i = x as usize % bad.len();
                bad[i] = (x >> 24) as u8;
            }
            let _ = ipc_timestamp_fields(&bad);
        }
        assert_eq!(base64_decode("*"), None);
    }

    #[test]
    fn nested_and_unsupported_columns_are_wrong_types_not_panics() {
        use arrow_array::builder::{ListBuilder, Int32Builder};
        let mut l = ListBuilder::new(Int32Builder::new());
        l.values().append_value(1);
        l.append(true);
        l.append(false);
        let list: ArrayRef = Arc::new(l.finish());
        let bin: ArrayRef = Arc::new(arrow_array::BinaryArray::from(vec![Some(&b"x"[..]), None]));
        let batch = RecordBatch::try_from_iter([("created_at", list), ("b", bin)]).unwrap();
        let bytes = write(&batch, WriterProperties::builder().build());
        let e = Reader::open(Table::LlmEvents, "l.parquet", bytes.clone(), &[]).err().unwrap().to_string();
        assert!(e.starts_with("l.parquet: "), "{e}");
        let e = Reader::open_columns("l.parquet", bytes.clone(), &["created_at", "b"]).unwrap().all().unwrap_err().to_string();
        assert!(e.contains("column \"created_at\" has type List"), "{e}");
        let e = Reader::open_columns("l.parquet", bytes, &["b"]).unwrap().all().unwrap_err().to_string();
        assert!(e.contains("column \"b\" has type Binary"), "{e}");
    }

    #[test]
    fn hybrid_runs_decode_like_the_spec_says() {
        // RLE run of 3 × 5 (width 3: one byte), then a bit-packed group of 8 values 0..8 at width
        // 3 (3 bytes), of which 6 are wanted.
        let buf = [3 << 1, 5, (1 << 1) | 1, 0b1000_1000, 0b1100_0110, 0b1111_1010];
        let mut out = Vec::new();
        decode_hybrid(&buf, 3, 9, &mut out).unwrap();
        assert_eq!(out, [5, 5, 5, 0, 1, 2, 3, 4, 5]);
        // Width 0 (a one-entry dictionary) and 32.
        out.clear();
        decode_hybrid(&[4 << 1], 0, 4, &mut out).unwrap();
        assert_eq!(out, [0; 4]);
        out.clear();
        decode_hybrid(&[1 << 1, 0xff, 0xff, 0xff, 0xff], 32, 1, &mut out).unwrap();
        assert_eq!(out, [u32::MAX]);
        // Truncations, empty runs and too-wide widths are errors, not panics.
        for cut in 0..buf.len() {
            assert!(decode_hybrid(&buf[..cut], 3, 9, &mut Vec::new()).is_err(), "cut {cut}");
        }
        assert!(decode_hybrid(&[0], 1, 1, &mut Vec::new()).is_err());
        assert!(decode_hybrid(&[2, 1], 33, 1, &mut Vec::new()).is_err());
        assert!(decode_hybrid(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 1, 1, &mut Vec::new()).is_err());
    }

    proptest::proptest! {
        /// Bit-packed runs against a bit-by-bit reference, every width, lengths around the
        /// 8-byte reads' edge.
        #[test]
        fn bit_packed_values_match_a_bit_by_bit_reading(width in 0u32..=32, groups in 1usize..12, cut in 0usize..8, seed: u64) {
            let take = (groups * 8).saturating_sub(cut).max(1);
            let bytes = (groups * 8 * width as usize).div_ceil(8);
            let mut x = seed | 1;
            let packed: Vec<u8> = (0..bytes).map(|_| { x ^= x << 13; x ^= x >> 7; x ^= x << 17; x as u8 }).collect();
            let bit = |i: usize| (packed[i / 8] >> (i % 8)) & 1;
            let want: Vec<u32> = (0..take)
                .map(|v| (0..width as usize).fold(0u32, |acc, b| acc | (u32::from(bit(v * width as usize + b)) << b)))
                .collect();
            let mut buf = vec![((groups as u8) << 1) | 1];
            buf.extend_from_slice(&packed);
            let mut out = vec![7];
            decode_hybrid(&buf, width, take, &mut out).unwrap();
            proptest::prop_assert_eq!(&out[1..], &want[..]);
        }
    }

    #[test]
    fn corrupt_string_pages_are_errors_not_panics() {
        // Flip bytes all over a file's data pages: every outcome is a value or an error.
        let batch = every_type();
        let bytes = write(&batch, WriterProperties::builder().set_max_row_group_row_count(Some(1500)).build());
        let names = ["low", "high", "dict", "req"];
        let mut x = 0x2545_f491u32;
        let mut errors = 0;
        for _ in 0..300 {
            let mut bad = bytes.to_vec();
            for _ in 0..3 {
                x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let i = 4 + x as usize % (bad.len() / 2);
                bad[i] ^= (x >> 24) as u8 | 1;
            }
            if let Ok(r) = Reader::open_columns("f.parquet", Bytes::from(bad), &names)
                && let Err(e) = r.all()
            {
                // A panic caught by `guard` (natively; the wasm build aborts on one).
                assert!(!e.to_string().contains("the decoder failed"), "{e}");
                errors += 1;
            }
        }
        assert!(errors > 10, "{errors}");
    }

    #[test]
    fn spread_moves_values_to_their_rows() {
        let mut v = vec![1, 2, 3];
        spread(&mut v, &[0, 1, 1, 0, 1, 0], 1);
        assert_eq!(v, [0, 1, 2, 0, 3, 0]);
        let mut v: Vec<i32> = vec![];
        spread(&mut v, &[0, 0], 1);
        assert_eq!(v, [0, 0]);
        assert_eq!(be_i128(&[0xff, 0xfe]).ok(), Some(-2));
        assert_eq!(be_i128(&[0x01, 0x00]).ok(), Some(256));
        assert!(be_i128(&[0; 17]).is_err());
    }
}
