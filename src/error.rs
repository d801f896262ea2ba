//! Errors a snapshot can produce. Every message names the file and the problem.

/// Why a snapshot could not be loaded. `Display` gives one line that starts with the file name,
/// e.g. `raw_llm_events.parquet: missing required column "provider"`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoadError {
    /// The bytes are not a Parquet file (no `PAR1` magic, empty, truncated footer…).
    #[error("{file}: not a Parquet file ({detail})")]
    NotParquet { file: String, detail: String },
    /// A required column is absent.
    #[error("{file}: missing required column \"{column}\"")]
    MissingColumn { file: String, column: String },
    /// A column has a type the contract does not accept.
    #[error("{file}: column \"{column}\" has type {found}; accepted: {accepted}")]
    WrongType { file: String, column: String, found: String, accepted: String },
    /// The file is Parquet but a page or footer could not be decoded (corrupt or truncated data).
    #[error("{file}: corrupt data ({detail})")]
    Corrupt { file: String, detail: String },
}
