//! The data contract: the three input tables and the columns each must (or may) have.
//! Normative source: `docs/data-contract.md`.

/// The three input tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    /// `raw_llm_events`: one row per LLM call.
    LlmEvents,
    /// `raw_support_events`: one row per support ticket.
    SupportEvents,
    /// `raw_conversion_events`: one row per user exposure in the upsell experiment.
    ConversionEvents,
}

impl Table {
    /// All tables, in load order.
    pub const ALL: [Table; 3] = [Table::LlmEvents, Table::SupportEvents, Table::ConversionEvents];

    /// The table's name, e.g. `raw_llm_events`.
    pub fn name(self) -> &'static str {
        match self {
            Table::LlmEvents => "raw_llm_events",
            Table::SupportEvents => "raw_support_events",
            Table::ConversionEvents => "raw_conversion_events",
        }
    }

    /// The snapshot's default file name, e.g. `raw_llm_events.parquet`.
    pub fn file_name(self) -> &'static str {
        match self {
            Table::LlmEvents => "raw_llm_events.parquet",
            Table::SupportEvents => "raw_support_events.parquet",
            Table::ConversionEvents => "raw_conversion_events.parquet",
        }
    }
}
