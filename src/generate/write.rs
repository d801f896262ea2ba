//! Encoding a table as one ZSTD-compressed Parquet file.

use super::GenerateError;
use crate::contract::Table;
use arrow_array::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

/// Default rows per row group: the 1M-event file gets 8 row groups, each with `created_at`
/// min/max statistics a reader can prune by date.
pub const ROW_GROUP_ROWS: usize = 128 * 1024;

/// How the snapshots are encoded (beyond what [`super::GenerateOptions`] generates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    /// At most this many rows per row group (≥ 1; default [`ROW_GROUP_ROWS`]). Smaller groups let
    /// a date filter (range reads, `docs/ranges.md`) skip more of a file, at some size cost.
    pub row_group_rows: usize,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions { row_group_rows: ROW_GROUP_ROWS }
    }
}

impl WriteOptions {
    /// Checks the options; the error names the option.
    pub fn validate(&self) -> Result<(), GenerateError> {
        if self.row_group_rows == 0 {
            return Err(GenerateError::InvalidOptions("row group rows must be at least 1".into()));
        }
        Ok(())
    }
}

/// `batch` as a complete Parquet file: ZSTD level 3, page statistics, dictionary encoding, except
/// `created_at` (sorted, nearly unique) which is delta-encoded — about half the size of plain —
/// and row groups of at most `write.row_group_rows` rows.
pub(crate) fn parquet(table: Table, batch: &RecordBatch, write: &WriteOptions) -> Result<Vec<u8>, GenerateError> {
    write.validate()?;
    let err = |e: parquet::errors::ParquetError| GenerateError::Encode { table: table.name(), detail: e.to_string() };
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).map_err(err)?))
        .set_max_row_group_row_count(Some(write.row_group_rows))
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_column_dictionary_enabled(ColumnPath::from("created_at"), false)
        .set_column_encoding(ColumnPath::from("created_at"), Encoding::DELTA_BINARY_PACKED)
        .build();
    let mut out = Vec::with_capacity(batch.num_rows() * 8 + 1024);
    let mut writer = ArrowWriter::try_new(&mut out, batch.schema(), Some(props)).map_err(err)?;
    writer.write(batch).map_err(err)?;
    writer.close().map_err(err)?;
    Ok(out)
}
