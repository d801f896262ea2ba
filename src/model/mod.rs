//! The metric models. One module per model; each metric is defined in exactly one place.
//! CORE HELPER: implement (e.g. `dashboard_facts.rs`, `conversion_facts.rs`, `percentile.rs`).
