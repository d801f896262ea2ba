//! Parquet bytes → Arrow arrays of the contract's columns, with the contract's checks.
//!
//! Only the columns a model needs are decoded (a projection by root column, matched by NAME);
//! every contract column that is present is type-checked, needed or not. Natively the row groups
//! are decoded in parallel (rayon); in wasm32 sequentially.

use crate::contract::{Column, Table};
use crate::error::LoadError;
use arrow_array::{ArrayRef, new_null_array};
use arrow_schema::DataType;
use super::ranges::Source;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader};
use parquet::arrow::parquet_to_arrow_field_levels;

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
/// rayon task. Plain string columns named in `dictionary` are read as dictionaries (keys straight
/// from the Parquet dictionary pages, no per-row strings) — for low-cardinality columns.
pub(crate) fn decode_parts(
    table: Table,
    file: &str,
    bytes: impl Into<Source>,
    wanted: &[&str],
    dictionary: &[&str],
) -> Result<Parts, LoadError> {
    let reader = Reader::open(table, file, bytes, wanted, dictionary)?;
    let tasks: Vec<(usize, usize)> = (0..reader.group_rows.len())
        .flat_map(|g| (0..wanted.len()).map(move |c| (g, c)))
        .collect();
    let decoded = guard(file, || super::par::map(tasks, |(g, c)| (g, c, reader.column(g, c))))?;
    let mut groups: Vec<Vec<ArrayRef>> = reader.group_rows.iter().map(|_| Vec::with_capacity(wanted.len())).collect();
    for (g, _, array) in decoded {
        groups[g].push(array?);
    }
    Ok(Parts { rows: reader.rows, groups })
}

/// An opened, checked Parquet file whose row groups can be decoded one at a time (so a caller can
/// normalise one row group while the next decodes, and keep little decoded data alive).
///
/// The bytes come from a [`Source`]: the whole file, or fetched ranges of it with the row groups
/// to decode ([`super::ranges`]); then `rows`/`group_rows` count the selected row groups only.
pub(crate) struct Reader {
    file: String,
    source: Source,
    meta: ArrowReaderMetadata,
    /// Root column of each requested column, `None` when absent (optional).
    positions: Vec<Option<usize>>,
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
    pub fn open(table: Table, file: &str, bytes: impl Into<Source>, wanted: &[&str], dictionary: &[&str]) -> Result<Self, LoadError> {
        use parquet::file::reader::{ChunkReader, Length};
        let source: Source = bytes.into();
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
            Some(m) => guard(file, || ArrowReaderMetadata::try_new(m, ArrowReaderOptions::new()))?,
            None => guard(file, || ArrowReaderMetadata::load(&source, ArrowReaderOptions::new()))?,
        }
        .map_err(|e| not_parquet(format!("unreadable footer: {e}")))?;
        let schema = meta.schema().clone();

        // Type-check every contract column present.
        for spec in table.columns() {
            match schema.index_of(spec.name) {
                Ok(i) => check_type(file, spec, schema.field(i).data_type())?,
                Err(_) if spec.required => {
                    return Err(LoadError::MissingColumn { file: file.to_string(), column: spec.name.to_string() });
                }
                Err(_) => {}
            }
        }
        let positions: Vec<Option<usize>> = wanted.iter().map(|name| schema.index_of(name).ok()).collect();
        let meta = as_dictionaries(meta, dictionary);

        let total_rows = meta.metadata().file_metadata().num_rows();
        let rows = usize::try_from(total_rows).map_err(|_| LoadError::Corrupt {
            file: file.to_string(),
            detail: format!("negative row count {total_rows} in the footer"),
        })?;
        let group_rows = meta
            .metadata()
            .row_groups()
            .iter()
            .map(|g| usize::try_from(g.num_rows()))
            .collect::<Result<Vec<usize>, _>>()
            .map_err(|_| LoadError::Corrupt { file: file.to_string(), detail: "negative row group size".into() })?;
        let got: usize = group_rows.iter().sum();
        if got != rows {
            return Err(LoadError::Corrupt {
                file: file.to_string(),
                detail: format!("footer says {rows} rows but its row groups hold {got}"),
            });
        }
        let groups: Vec<usize> = match source.row_groups() {
            Some(selected) => selected.to_vec(),
            None => (0..group_rows.len()).collect(),
        };
        if let Some(&g) = groups.iter().find(|&&g| g >= group_rows.len()) {
            return Err(LoadError::Corrupt {
                file: file.to_string(),
                detail: format!("row group {g} selected but the file has {}", group_rows.len()),
            });
        }
        let group_rows: Vec<usize> = groups.iter().map(|&g| group_rows[g]).collect();
        let rows = group_rows.iter().sum();
        Ok(Reader { file: file.to_string(), source, meta, positions, groups, rows, group_rows })
    }

    /// Decodes requested column `c` of selected row group `g` (an all-null array of type Null
    /// for an absent optional column).
    pub fn column(&self, g: usize, c: usize) -> Result<ArrayRef, LoadError> {
        let n = self.group_rows[g];
        let Some(root) = self.positions[c] else {
            return Ok(new_null_array(&DataType::Null, n));
        };
        let corrupt = |detail: String| LoadError::Corrupt { file: self.file.clone(), detail };
        let array =
            guard(&self.file, || read_column(&self.source, &self.meta, self.groups[g], root, n))?.map_err(corrupt)?;
        if array.len() != n {
            return Err(corrupt(format!("row group {g} says {n} rows but {} were decoded", array.len())));
        }
        Ok(array)
    }

    /// Decodes every requested column of row group `g` (in parallel natively).
    pub fn group(&self, g: usize) -> Result<Vec<ArrayRef>, LoadError> {
        super::par::map((0..self.positions.len()).collect(), |c| self.column(g, c)).into_iter().collect()
    }
}

/// The reader metadata with the plain string columns named in `names` retyped as dictionaries;
/// unchanged if the reader declines.
fn as_dictionaries(meta: ArrowReaderMetadata, names: &[&str]) -> ArrowReaderMetadata {
    let schema = meta.schema();
    let mut changed = false;
    let fields: Vec<arrow_schema::FieldRef> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 if names.contains(&f.name().as_str()) => {
                changed = true;
                let dt = DataType::Dictionary(Box::new(DataType::Int32), Box::new(f.data_type().clone()));
                std::sync::Arc::new(f.as_ref().clone().with_data_type(dt))
            }
            _ => f.clone(),
        })
        .collect();
    if !changed {
        return meta;
    }
    let retyped = std::sync::Arc::new(arrow_schema::Schema::new_with_metadata(fields, schema.metadata().clone()));
    ArrowReaderMetadata::try_new(meta.metadata().clone(), ArrowReaderOptions::new().with_schema(retyped))
        .unwrap_or(meta)
}

/// Decodes one root column of one row group (the file's index) into a single array (one batch).
fn read_column(bytes: &Source, meta: &ArrowReaderMetadata, group: usize, root: usize, rows: usize) -> Result<ArrayRef, String> {
    let mask = ProjectionMask::roots(meta.parquet_schema(), [root]);
    // The crate's Arrow decoding over our page reader (`pages`: decoder-only decompression, so
    // no compressor is linked into the page's wasm).
    let levels = parquet_to_arrow_field_levels(meta.parquet_schema(), mask, Some(meta.schema().fields()))
        .map_err(|e| e.to_string())?;
    let chunks = super::pages::Chunks { source: bytes, metadata: meta.metadata(), groups: vec![group] };
    let reader = ParquetRecordBatchReader::try_new_with_row_groups(&levels, &chunks, rows.max(1), None)
        .map_err(|e| e.to_string())?;
    // The batch size is the row group's row count, so it decodes as one batch.
    let mut arrays = Vec::with_capacity(1);
    for b in reader {
        let b = b.map_err(|e| e.to_string())?;
        arrays.push(b.column(0).clone());
    }
    match arrays.len() {
        0 => Ok(arrow_array::new_empty_array(meta.schema().field(root).data_type())),
        1 => Ok(arrays.pop().expect("one")),
        n => Err(format!("row group {group} decoded as {n} batches, expected one")),
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
