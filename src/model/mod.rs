//! The metric models. One module per model; each metric is defined in exactly one place.
//!
//! - [`dashboard_facts`]: per (day, provider) facts and their provider-combined `daily_totals`.
//! - [`attribution`]: which group each support ticket counts in.
//! - [`conversion_facts`]: the upsell experiment per day, with its Wald interval.
//! - [`percentile`]: `PERCENTILE_CONT` with linear interpolation.

pub(crate) mod attribution;
pub mod conversion_facts;
pub(crate) mod dashboard_facts;
pub mod percentile;
