//! Parquet bytes → Arrow arrays of the contract's columns, with the contract's checks.
//!
//! Only the columns a model needs are decoded (a projection by root column, matched by NAME);
//! every contract column that is present is type-checked, needed or not. Natively the row groups
//! are decoded in parallel (rayon); in wasm32 sequentially.

use crate::contract::{Column, Table};
use crate::error::LoadError;
use arrow_array::{Array, ArrayRef, RecordBatch, new_null_array};
use arrow_schema::DataType;
use bytes::Bytes;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder};

/// Rows decoded per Arrow batch.
const BATCH_SIZE: usize = 64 * 1024;

/// The decoded, projected columns of one file.
#[derive(Debug)]
pub(crate) struct Decoded {
    /// Rows in the file.
    pub rows: usize,
    /// One entry per requested column name, in request order. An absent optional column is an
    /// all-null array of type Null.
    pub arrays: Vec<ArrayRef>,
}

/// Decodes `bytes` as `table`, returning the columns named in `wanted` (each must be a contract
/// column of `table`). Errors name `file`: not Parquet, missing required column, wrong type,
/// corrupt data.
pub(crate) fn decode(table: Table, file: &str, bytes: Bytes, wanted: &[&str]) -> Result<Decoded, LoadError> {
    let not_parquet = |detail: String| LoadError::NotParquet { file: file.to_string(), detail };
    if bytes.is_empty() {
        return Err(not_parquet("the file is empty".into()));
    }
    if bytes.len() < 12 || &bytes[..4] != b"PAR1" {
        return Err(not_parquet("no PAR1 magic at the start".into()));
    }
    if &bytes[bytes.len() - 4..] != b"PAR1" {
        return Err(not_parquet("no PAR1 magic at the end: the file is truncated".into()));
    }
    let meta = guard(file, || ArrowReaderMetadata::load(&bytes, ArrowReaderOptions::new()))?
        .map_err(|e| not_parquet(format!("unreadable footer: {e}")))?;
    let schema = meta.schema().clone();

    // Type-check every contract column present; find the wanted ones.
    let mut roots = Vec::new();
    let mut positions: Vec<Option<usize>> = Vec::new();
    for spec in table.columns() {
        match schema.index_of(spec.name) {
            Ok(i) => check_type(file, spec, schema.field(i).data_type())?,
            Err(_) if spec.required => {
                return Err(LoadError::MissingColumn { file: file.to_string(), column: spec.name.to_string() });
            }
            Err(_) => {}
        }
    }
    for name in wanted {
        let idx = schema.index_of(name).ok();
        if let Some(i) = idx {
            roots.push(i);
        }
        positions.push(idx);
    }
    roots.sort_unstable();
    roots.dedup();

    let total_rows = meta.metadata().file_metadata().num_rows();
    let rows = usize::try_from(total_rows).map_err(|_| LoadError::Corrupt {
        file: file.to_string(),
        detail: format!("negative row count {total_rows} in the footer"),
    })?;
    let mask = ProjectionMask::roots(meta.parquet_schema(), roots.iter().copied());
    let groups = meta.metadata().num_row_groups();
    let batches = guard(file, || read_row_groups(&bytes, &meta, &mask, groups))?.map_err(|e| LoadError::Corrupt {
        file: file.to_string(),
        detail: e,
    })?;

    let got: usize = batches.iter().map(|b| b.num_rows()).sum();
    if got != rows {
        return Err(LoadError::Corrupt {
            file: file.to_string(),
            detail: format!("footer says {rows} rows but {got} were decoded"),
        });
    }

    let mut arrays = Vec::with_capacity(wanted.len());
    for (name, pos) in wanted.iter().zip(&positions) {
        let array = match pos {
            None => new_null_array(&DataType::Null, rows),
            Some(_) => {
                let parts: Vec<&dyn Array> = batches
                    .iter()
                    .map(|b| b.column_by_name(name).expect("projected column present").as_ref())
                    .collect();
                match parts.len() {
                    0 => arrow_array::new_empty_array(schema.field_with_name(name).expect("in schema").data_type()),
                    1 => batches[0].column_by_name(name).expect("projected").clone(),
                    _ => arrow_select::concat::concat(&parts).map_err(|e| LoadError::Corrupt {
                        file: file.to_string(),
                        detail: format!("column {name}: {e}"),
                    })?,
                }
            }
        };
        arrays.push(array);
    }
    Ok(Decoded { rows, arrays })
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

/// Decodes the projected columns of every row group, in row-group order.
fn read_row_groups(
    bytes: &Bytes,
    meta: &ArrowReaderMetadata,
    mask: &ProjectionMask,
    groups: usize,
) -> Result<Vec<RecordBatch>, String> {
    let read_one = |groups: Vec<usize>| -> Result<Vec<RecordBatch>, String> {
        let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(bytes.clone(), meta.clone())
            .with_projection(mask.clone())
            .with_row_groups(groups)
            .with_batch_size(BATCH_SIZE)
            .build()
            .map_err(|e| e.to_string())?;
        reader.map(|b| b.map_err(|e| e.to_string())).collect()
    };
    #[cfg(not(target_arch = "wasm32"))]
    {
        if groups > 1 {
            use rayon::prelude::*;
            let parts: Vec<Result<Vec<RecordBatch>, String>> =
                (0..groups).into_par_iter().map(|g| read_one(vec![g])).collect();
            let mut out = Vec::new();
            for p in parts {
                out.extend(p?);
            }
            return Ok(out);
        }
    }
    read_one((0..groups).collect())
}

/// Runs `f`, turning a panic inside the decoder (natively) into a `Corrupt` error.
fn guard<T>(file: &str, f: impl FnOnce() -> T) -> Result<T, LoadError> {
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
