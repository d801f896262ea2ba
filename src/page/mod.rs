//! What the dashboard page decides that is not DOM: its configuration (`config.json`), the view
//! state kept in the URL query, and the KPI tiles. Pure, so it is tested natively; the Leptos
//! components in `src/ui/` only wire these to the browser.

pub mod config;
pub mod kpi;
pub mod view;
