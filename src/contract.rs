//! The data contract: the three input tables and the columns each must (or may) have.
//! Normative source: `docs/data-contract.md`.
//!
//! Column order is not part of the contract (columns are matched by name) and extra columns are
//! ignored. Each column accepts a family of Arrow types ([`Kind`]); anything else is refused with
//! [`crate::LoadError::WrongType`].

use arrow_schema::DataType;

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

    /// The table's columns as the contract lists them.
    pub fn columns(self) -> &'static [Column] {
        match self {
            Table::LlmEvents => &LLM_COLUMNS,
            Table::SupportEvents => &SUPPORT_COLUMNS,
            Table::ConversionEvents => &CONVERSION_COLUMNS,
        }
    }
}

/// A family of accepted Arrow types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Any string type: Utf8, LargeUtf8, Utf8View, or a dictionary of those.
    Text,
    /// A string type or any integer (an integer id reads as its decimal text).
    Id,
    /// Any integer or floating-point type.
    Number,
    /// Any integer type.
    Integer,
    /// Any floating-point type.
    Float,
    /// A timestamp of any unit (s, ms, us, ns), with or without a time zone (INT96 reads as ns).
    Timestamp,
    /// Boolean.
    Boolean,
}

impl Kind {
    /// True when a column of Arrow type `dt` is acceptable for this kind. A dictionary is accepted
    /// when its value type is.
    pub fn accepts(self, dt: &DataType) -> bool {
        use DataType::*;
        if let Dictionary(_, value) = dt {
            return self.accepts(value);
        }
        let is_text = matches!(dt, Utf8 | LargeUtf8 | Utf8View);
        let is_int = dt.is_integer();
        let is_float = dt.is_floating();
        match self {
            Kind::Text => is_text,
            Kind::Id => is_text || is_int,
            Kind::Number => is_int || is_float,
            Kind::Integer => is_int,
            Kind::Float => is_float,
            Kind::Timestamp => matches!(dt, Timestamp(_, _)),
            Kind::Boolean => matches!(dt, Boolean),
        }
    }

    /// Human-readable list of the accepted types, used in error messages.
    pub fn accepted(self) -> &'static str {
        match self {
            Kind::Text => "string (utf8, large_utf8, utf8_view or dictionary of strings)",
            Kind::Id => "string (utf8, large_utf8, utf8_view, dictionary) or integer",
            Kind::Number => "integer or float",
            Kind::Integer => "integer (int8..int64, uint8..uint64)",
            Kind::Float => "float (float16, float32, float64)",
            Kind::Timestamp => "timestamp (s, ms, us or ns; with or without time zone; INT96)",
            Kind::Boolean => "boolean",
        }
    }
}

/// One column of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Column name, matched exactly (case-sensitive).
    pub name: &'static str,
    /// Which Arrow types it accepts.
    pub kind: Kind,
    /// A required column must be present; an optional one reads as all-null when absent.
    pub required: bool,
}

const fn col(name: &'static str, kind: Kind, required: bool) -> Column {
    Column { name, kind, required }
}

/// `raw_llm_events` columns.
pub const LLM_COLUMNS: [Column; 8] = [
    col("session_id", Kind::Id, true),
    col("provider", Kind::Text, true),
    col("model", Kind::Text, false),
    col("response_time_ms", Kind::Number, true),
    col("accuracy", Kind::Float, false),
    col("tokens_input", Kind::Integer, true),
    col("tokens_output", Kind::Integer, true),
    col("created_at", Kind::Timestamp, true),
];

/// `raw_support_events` columns.
pub const SUPPORT_COLUMNS: [Column; 5] = [
    col("ticket_id", Kind::Id, true),
    col("resolved_by", Kind::Text, true),
    col("resolution_time_minutes", Kind::Number, false),
    col("revenue_generated", Kind::Number, true),
    col("created_at", Kind::Timestamp, false),
];

/// `raw_conversion_events` columns.
pub const CONVERSION_COLUMNS: [Column; 5] = [
    col("user_id", Kind::Id, true),
    col("arm", Kind::Text, true),
    col("converted", Kind::Boolean, true),
    col("upsell_revenue", Kind::Number, false),
    col("created_at", Kind::Timestamp, true),
];

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_schema::TimeUnit;

    #[test]
    fn kinds_accept_the_listed_types_only() {
        let dict = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
        assert!(Kind::Text.accepts(&dict));
        assert!(Kind::Text.accepts(&DataType::Utf8View));
        assert!(!Kind::Text.accepts(&DataType::Int64));
        assert!(Kind::Id.accepts(&DataType::UInt16));
        assert!(!Kind::Integer.accepts(&DataType::Utf8));
        assert!(!Kind::Integer.accepts(&DataType::Float64));
        assert!(Kind::Number.accepts(&DataType::Float32));
        assert!(!Kind::Float.accepts(&DataType::Int32));
        assert!(Kind::Timestamp.accepts(&DataType::Timestamp(TimeUnit::Second, Some("+02:00".into()))));
        assert!(!Kind::Timestamp.accepts(&DataType::Date32));
        assert!(!Kind::Boolean.accepts(&DataType::Int8));
    }

    #[test]
    fn every_table_has_created_at() {
        for t in Table::ALL {
            assert!(t.columns().iter().any(|c| c.name == "created_at"), "{}", t.name());
        }
    }
}
