//! The filter a view applies to the facts.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Which rows of the facts a view shows.
///
/// Filtering selects *rows of the facts*: a day's rolling 7-day accuracy still looks at the six
/// days before it even when they fall outside `from..=to`, and a ticket stays attributed to its
/// session's first event's provider (it is left out when that provider is not selected).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    /// Providers to keep; `None` keeps all.
    pub providers: Option<Vec<String>>,
    /// First UTC date to keep (inclusive); `None` = from the first date.
    pub from: Option<NaiveDate>,
    /// Last UTC date to keep (inclusive); `None` = up to the last date.
    pub to: Option<NaiveDate>,
}

impl Query {
    /// True when `provider` passes the provider filter.
    pub fn keeps_provider(&self, provider: &str) -> bool {
        self.providers.as_ref().is_none_or(|ps| ps.iter().any(|p| p == provider))
    }
    /// True when `date` is within `from..=to`.
    pub fn keeps_date(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|f| date >= f) && self.to.is_none_or(|t| date <= t)
    }
}
