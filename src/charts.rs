//! The Plotly figure of each dashboard chart — one builder per chart, shared by the page
//! (which hands the JSON to `Plotly.react`) and the CLI (`modelpulse charts`, for Hugo).
//!
//! CHARTS HELPER: implement. Keep these signatures (add, don't rename).

use crate::facts::{ConversionFact, DashboardFact};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

/// The dashboard's charts, by stable id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChartId {
    /// `line-chart`: "Accuracy vs. Resolution Rate" (accuracy_rolling_7d and resolution_rate).
    AccuracyVsResolution,
    /// `latency-p95`: p95 per provider with the latency budget line, breaching days marked.
    LatencyP95,
    /// `token-usage`: daily tokens stacked by provider, and cost.
    TokenUsage,
    /// `revenue-from-ai`: revenue from AI-resolved tickets.
    RevenueFromAi,
    /// `conversion-uplift`: uplift with its 95% interval as a band.
    ConversionUplift,
}

impl ChartId {
    /// All charts in page order.
    pub const ALL: [ChartId; 5] = [
        ChartId::AccuracyVsResolution,
        ChartId::LatencyP95,
        ChartId::TokenUsage,
        ChartId::RevenueFromAi,
        ChartId::ConversionUplift,
    ];

    /// The stable id, also the JSON file's stem: `line-chart`, `latency-p95`, …
    pub fn id(self) -> &'static str {
        match self {
            ChartId::AccuracyVsResolution => "line-chart",
            ChartId::LatencyP95 => "latency-p95",
            ChartId::TokenUsage => "token-usage",
            ChartId::RevenueFromAi => "revenue-from-ai",
            ChartId::ConversionUplift => "conversion-uplift",
        }
    }
}

/// Price of one provider per 1M tokens, for the cost series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Price {
    pub provider: String,
    pub input_per_1m: f64,
    pub output_per_1m: f64,
}

/// Everything the figures are made from: the facts of the current view (already filtered).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChartInput {
    /// `dashboard_facts` rows of the view (per provider).
    pub dashboard: Vec<DashboardFact>,
    /// `Dataset::daily_totals` of the view (selected providers combined).
    pub totals: Vec<DashboardFact>,
    /// `conversion_facts` rows of the view.
    pub conversion: Vec<ConversionFact>,
    /// Latency budget in ms (the line on the latency chart), e.g. 1200.
    pub latency_budget_ms: f64,
    /// Prices per provider; a provider without a price has no cost.
    pub prices: Vec<Price>,
}

/// The Plotly figure `{"data": [...], "layout": {...}, "config": {...}}` of `chart` for `input`.
pub fn figure(chart: ChartId, input: &ChartInput, lang: Lang) -> serde_json::Value {
    let _ = (chart, input, lang);
    serde_json::json!({"data": [], "layout": {}, "config": {}})
}
