//! The Plotly figure of each dashboard chart — one builder per chart, shared by the page
//! (which hands the JSON to `Plotly.react`) and the CLI (`modelpulse charts`, for Hugo).
//!
//! A figure is the plotly.js 4.1 schema `{"data": [...], "layout": {...}, "config": {...}}`:
//! - `layout.title` is `{"text": …}` (plotly.js 3+ dropped string titles), localized with
//!   [`crate::i18n::t`]; axis titles carry units; hover templates print the exact value with
//!   its unit; Indonesian figures set `layout.separators` so numbers read `1.234,5`.
//! - x values are `YYYY-MM-DD` strings on a date axis; a missing metric is JSON `null` (a gap).
//! - `config` turns off the Plotly logo and the "Share chart" (Plotly Cloud) button, and an
//!   Indonesian figure carries Plotly's `id` locale (month names, mode bar), see [`plotly_locale`].
//! - backgrounds are transparent and colors neutral, so the figure reads on light and dark pages
//!   (the page may override `layout.font.color`).
//! - data strings (provider names) only go into trace `name` / `customdata` and are HTML-escaped
//!   first ([`escape_text`]): Plotly interprets a small HTML subset in those strings.
//! - a chart without rows is a valid figure with no traces and a "No data" annotation.
//! - output is deterministic: providers in byte order, dates in the input's order.

use crate::facts::{ConversionFact, DashboardFact};
use crate::i18n::{Lang, t};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

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

    /// The chart whose [`ChartId::id`] is `id`; `None` for an unknown id.
    pub fn from_id(id: &str) -> Option<ChartId> {
        ChartId::ALL.into_iter().find(|c| c.id() == id)
    }

    /// The chart's title in `lang` (the same text as the figure's `layout.title.text`).
    pub fn title(self, lang: Lang) -> &'static str {
        t(lang, self.title_key())
    }

    /// The i18n key of the chart's title.
    fn title_key(self) -> &'static str {
        match self {
            ChartId::AccuracyVsResolution => "chart.line_chart.title",
            ChartId::LatencyP95 => "chart.latency_p95.title",
            ChartId::TokenUsage => "chart.token_usage.title",
            ChartId::RevenueFromAi => "chart.revenue_from_ai.title",
            ChartId::ConversionUplift => "chart.conversion_uplift.title",
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

/// The latency budget the dashboard ships with, in ms (the seed's alert rule `latency_p95_ms > 1200`).
pub const DEFAULT_LATENCY_BUDGET_MS: f64 = 1200.0;

/// The prices used when the user gives none (USD per 1M tokens, input / output).
///
/// Illustrative list prices of one mid-range model per provider named by the demo data
/// (`OpenAI`, `Anthropic`, `Google`, `Mistral`); a deployment should set its own (the page's
/// `config.json`, the CLI's `--config`). Provider names match case-sensitively.
pub fn default_prices() -> Vec<Price> {
    [("Anthropic", 3.0, 15.0), ("Google", 1.25, 10.0), ("Mistral", 2.0, 6.0), ("OpenAI", 2.5, 10.0)]
        .into_iter()
        .map(|(p, i, o)| Price { provider: p.to_string(), input_per_1m: i, output_per_1m: o })
        .collect()
}

/// Cost in USD of one row: `tokens_input/1e6*input_per_1m + tokens_output/1e6*output_per_1m`
/// with the price of the row's provider; `None` when `prices` has no entry for it (the first
/// entry wins when a provider is listed twice).
pub fn cost_usd(row: &DashboardFact, prices: &[Price]) -> Option<f64> {
    Some(prices.iter().find(|p| p.provider == row.provider)?.cost(row))
}

impl Price {
    /// Cost in USD of one row's tokens at this price: the one cost formula, shared by the charts,
    /// the KPI tiles, the alert metric `cost_usd` and the narrative.
    pub fn cost(&self, row: &DashboardFact) -> f64 {
        row.tokens_input as f64 / 1e6 * self.input_per_1m + row.tokens_output as f64 / 1e6 * self.output_per_1m
    }
}

/// `s` with `&`, `<`, `>` (and `"`) replaced by entities, so Plotly's pseudo-HTML text renderer
/// shows it literally. Plotly decodes the entities back when it draws the text.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// The Plotly figure `{"data": [...], "layout": {...}, "config": {...}}` of `chart` for `input`.
pub fn figure(chart: ChartId, input: &ChartInput, lang: Lang) -> serde_json::Value {
    match chart {
        ChartId::AccuracyVsResolution => accuracy_vs_resolution(input, lang),
        ChartId::LatencyP95 => latency_p95(input, lang),
        ChartId::TokenUsage => token_usage(input, lang),
        ChartId::RevenueFromAi => revenue_from_ai(input, lang),
        ChartId::ConversionUplift => conversion_uplift(input, lang),
    }
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

/// Colors that read on white and on near-black (Tableau 10), assigned to providers in byte order.
const PALETTE: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f",
    "#bab0ac", "#e15759",
];
/// Series that are not providers.
const COLOR_A: &str = "#4e79a7";
const COLOR_B: &str = "#f28e2b";
const COLOR_ALERT: &str = "#e15759";
const NEUTRAL: &str = "#888888";
const GRID: &str = "rgba(136,136,136,0.25)";
const TRANSPARENT: &str = "rgba(0,0,0,0)";
/// Right margin in px; with a right-hand y axis (the cost axis) [`MARGIN_R_SECOND_AXIS`]. Wide
/// enough for half of a date tick label (`Nov 27`, `27 Agu`): on a 7- or 14-day view plotly.js
/// puts a label on the last day, at the plot's right edge, and with a narrower margin
/// `automargin` widened it (24 → 33 px) and drew the chart a second time — four charts drawn
/// twice on every change to or from such a view.
const MARGIN_R: u32 = 40;
const MARGIN_R_SECOND_AXIS: u32 = 72;

fn date(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn opt(v: Option<f64>) -> Value {
    match v {
        Some(x) if x.is_finite() => json!(x),
        _ => Value::Null,
    }
}

fn num(x: f64) -> Value {
    opt(Some(x))
}

fn axis_title(text: &str) -> Value {
    json!({"text": text})
}

fn x_axis(lang: Lang) -> Value {
    json!({
        "type": "date",
        "title": axis_title(t(lang, "chart.axis.date")),
        "gridcolor": GRID,
        "linecolor": GRID,
        "automargin": true,
        "ticklabeloverflow": TICKLABELOVERFLOW,
    })
}

/// Tick labels are never hidden for overflowing the figure: `automargin` keeps them inside it.
/// plotly.js's default (`hide past div`) re-measures every label of an axis after placing each
/// one, ~10% of a chart's redraw in a CPU profile of the five charts' filter changes.
const TICKLABELOVERFLOW: &str = "allow";

fn y_axis(title: &str, tickformat: Option<&str>) -> Value {
    let mut a = json!({
        "title": axis_title(title),
        "gridcolor": GRID,
        "zerolinecolor": GRID,
        "rangemode": "tozero",
        "automargin": true,
        "ticklabeloverflow": TICKLABELOVERFLOW,
    });
    if let Some(f) = tickformat {
        a["tickformat"] = json!(f);
    }
    a
}

/// Layout common to all charts: title, transparent backgrounds, legend, number separators.
fn base_layout(chart: ChartId, lang: Lang) -> Value {
    json!({
        // Title at the top of the figure, the legend in one row between it and the plot (a
        // legend below the plot collided with the x-axis title).
        "title": {"text": chart.title(lang), "x": 0, "xanchor": "left", "yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 12}},
        "paper_bgcolor": TRANSPARENT,
        "plot_bgcolor": TRANSPARENT,
        "font": {"color": NEUTRAL},
        "colorway": PALETTE,
        "separators": if lang == Lang::Id { ",." } else { ".," },
        "hovermode": "closest",
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom", "bgcolor": TRANSPARENT},
        // Margins wide enough for the axes' tick labels and titles (automargin pushes them to
        // 53–75 px left and 60 px bottom at the demo's sizes): automargin then only grows them
        // for unusually wide labels. Starting from narrower margins made plotly.js draw every
        // chart twice on its first draw (a second full pass once the margins were known).
        "margin": {"t": 80, "r": MARGIN_R, "b": 60, "l": 80},
        "uirevision": chart.id(),
        "xaxis": x_axis(lang),
    })
}

/// Plotly's `config`: responsive, no Plotly logo, no "Share chart" button (it uploads the chart to
/// Plotly Cloud; nothing of ours leaves the browser), and for Indonesian the `id` locale carried
/// in the figure itself (`locale` + `locales`), so date ticks and the mode bar read Indonesian
/// without registering anything globally.
fn config(lang: Lang) -> Value {
    let mut c = json!({"responsive": true, "displaylogo": false, "showSendToCloud": false});
    if let Some(locale) = plotly_locale(lang) {
        c["locale"] = json!(lang.code());
        c["locales"] = json!({ lang.code(): locale });
    }
    c
}

/// Plotly's locale definition (`{"dictionary", "format"}`) for `lang`; `None` for English (built in).
pub fn plotly_locale(lang: Lang) -> Option<Value> {
    match lang {
        Lang::En => None,
        Lang::Id => Some(json!({
            "dictionary": {
                "Download plot as a PNG": "Unduh grafik sebagai PNG",
                "Download plot": "Unduh grafik",
                "Zoom": "Perbesar area",
                "Pan": "Geser",
                "Box Select": "Pilih kotak",
                "Lasso Select": "Pilih laso",
                "Zoom in": "Perbesar",
                "Zoom out": "Perkecil",
                "Autoscale": "Skala otomatis",
                "Reset axes": "Atur ulang sumbu",
                "Toggle Spike Lines": "Garis bantu",
                "Show closest data on hover": "Tampilkan data terdekat",
                "Compare data on hover": "Bandingkan data",
                "Double-click to zoom back out": "Klik dua kali untuk memperkecil kembali",
                "Snapshot succeeded": "Gambar berhasil dibuat",
                "Taking snapshot - this may take a few seconds": "Membuat gambar - mungkin perlu beberapa detik",
            },
            "format": {
                "days": ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"],
                "shortDays": ["Min", "Sen", "Sel", "Rab", "Kam", "Jum", "Sab"],
                "months": ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
                           "September", "Oktober", "November", "Desember"],
                "shortMonths": ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
                "date": "%d/%m/%Y",
                "decimal": ",",
                "thousands": ".",
            },
        })),
    }
}

/// The figure of `data` and `layout`. With fewer than two traces Plotly draws no legend, and the
/// figure then carries no legend settings (`Plotly.validate` trips over them).
fn assemble(data: Vec<Value>, mut layout: Value, lang: Lang) -> Value {
    if data.len() < 2
        && let Some(l) = layout.as_object_mut()
    {
        l.remove("legend");
        // No legend row between the title and the plot.
        if let Some(m) = l.get_mut("margin") {
            m["t"] = json!(56);
        }
    }
    json!({"data": data, "layout": layout, "config": config(lang)})
}

/// The figure of a chart without rows: no traces, hidden axes, a centered "No data" annotation.
fn empty(chart: ChartId, lang: Lang) -> Value {
    let mut layout = base_layout(chart, lang);
    layout["xaxis"] = json!({"visible": false});
    layout["yaxis"] = json!({"visible": false});
    layout["annotations"] = json!([{
        "text": t(lang, "chart.no_data"),
        "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
        "showarrow": false, "font": {"size": 16},
    }]);
    assemble(Vec::new(), layout, lang)
}

/// Providers of `rows` in byte order, each with its palette color.
fn provider_colors(rows: &[DashboardFact]) -> BTreeMap<&str, &'static str> {
    let names: BTreeSet<&str> = rows.iter().map(|r| r.provider.as_str()).collect();
    names.into_iter().enumerate().map(|(i, p)| (p, PALETTE[i % PALETTE.len()])).collect()
}

/// The scatter mode of a line series with values `y` (`null` = no value that day): `lines`, or
/// `lines+markers` when some value has no neighbour to draw a line to (a lone day between gaps,
/// a one-day view), which a line alone would not show. Per-point markers are otherwise left out:
/// plotly.js draws and styles one SVG node per marker on every redraw, and the hover label
/// already shows each day's value; the latency chart's breach days keep their own markers.
fn line_mode(y: &[Value]) -> &'static str {
    let has = |i: usize| y.get(i).is_some_and(|v| !v.is_null());
    let lone = (0..y.len()).any(|i| has(i) && (i == 0 || !has(i - 1)) && !has(i + 1));
    if lone { "lines+markers" } else { "lines" }
}

/// A line `trace` (with `y` and a `marker` style) given the mode of [`line_mode`]; without
/// markers its `marker` is left out (`Plotly.validate` rejects a marker a trace does not draw).
fn line_trace(mut trace: Value) -> Value {
    let mode = line_mode(trace["y"].as_array().map(Vec::as_slice).unwrap_or_default());
    trace["mode"] = json!(mode);
    if mode == "lines"
        && let Some(t) = trace.as_object_mut()
    {
        t.remove("marker");
    }
    trace
}

/// An area `trace` (a `stackgroup` or a `fill`, with `x` and a `marker` style): `lines`, or
/// `lines+markers` when it has a single day (an area of one point has no width and would not
/// show). Daily amounts (tokens, revenue) are areas rather than bars: plotly.js draws and styles
/// one SVG path per bar on every redraw (360 for 90 days of four providers), an area is one path
/// per series — the token and revenue charts' share of a filter change's redraw about halves.
fn area_trace(mut trace: Value) -> Value {
    let single = trace["x"].as_array().is_some_and(|x| x.len() < 2);
    trace["mode"] = json!(if single { "lines+markers" } else { "lines" });
    if !single
        && let Some(t) = trace.as_object_mut()
    {
        t.remove("marker");
    }
    trace
}

/// `rows` of one provider, in input order.
fn of_provider<'a>(rows: &'a [DashboardFact], provider: &'a str) -> impl Iterator<Item = &'a DashboardFact> {
    rows.iter().filter(move |r| r.provider == provider)
}

// ---------------------------------------------------------------------------------------------
// The charts

/// `line-chart`: accuracy (rolling 7 days) and resolution rate of the selected providers
/// combined (`input.totals`), as fractions on a percent axis.
fn accuracy_vs_resolution(input: &ChartInput, lang: Lang) -> Value {
    let chart = ChartId::AccuracyVsResolution;
    if input.totals.is_empty() {
        return empty(chart, lang);
    }
    let x: Vec<String> = input.totals.iter().map(|r| date(r.event_date)).collect();
    let series = |key: &str, color: &str, y: Vec<Value>| {
        line_trace(json!({
            "type": "scatter",
            "name": t(lang, key),
            "x": x, "y": y,
            "line": {"color": color, "width": 2},
            "marker": {"color": color, "size": 5},
            "connectgaps": false,
            "hovertemplate": "%{x|%Y-%m-%d}: %{y:.2%}<extra>%{fullData.name}</extra>",
        }))
    };
    let mut data = Vec::new();
    if totals_lack_accuracy(input) {
        // Published facts without raw events (`crate::precomputed`): the combined accuracy of
        // several providers cannot be derived, so each provider's own rolling accuracy is drawn.
        for (provider, color) in provider_colors(&input.dashboard) {
            let rows: Vec<&DashboardFact> = of_provider(&input.dashboard, provider).collect();
            data.push(json!({
                "type": "scatter", "mode": "lines",
                "name": format!("{} · {}", t(lang, "chart.series.accuracy_7d"), escape_text(provider)),
                "x": rows.iter().map(|r| date(r.event_date)).collect::<Vec<_>>(),
                "y": rows.iter().map(|r| opt(r.accuracy_rolling_7d)).collect::<Vec<_>>(),
                "line": {"color": color, "width": 1.5, "dash": "dot"},
                "connectgaps": false,
                "hovertemplate": "%{x|%Y-%m-%d}: %{y:.2%}<extra>%{fullData.name}</extra>",
            }));
        }
    } else {
        data.push(series("chart.series.accuracy_7d", COLOR_A, input.totals.iter().map(|r| opt(r.accuracy_rolling_7d)).collect()));
    }
    data.push(series("chart.series.resolution_rate", COLOR_B, input.totals.iter().map(|r| opt(r.resolution_rate)).collect()));
    let mut layout = base_layout(chart, lang);
    layout["yaxis"] = y_axis(t(lang, "chart.axis.percent"), Some(".0%"));
    layout["hovermode"] = json!("x unified");
    assemble(data, layout, lang)
}

/// True when some day's combined rolling accuracy is missing although a provider has one that
/// day — which raw events never give (a provider's window is part of the union's) but published
/// facts of several providers do, since a union's accuracy is not derivable from them.
fn totals_lack_accuracy(input: &ChartInput) -> bool {
    input.totals.iter().any(|t| {
        t.accuracy_rolling_7d.is_none()
            && input.dashboard.iter().any(|r| r.event_date == t.event_date && r.accuracy_rolling_7d.is_some())
    })
}

/// `latency-p95`: one line per provider, the budget as a dashed horizontal shape (with a
/// label), and one marker trace holding exactly the points strictly above the budget.
fn latency_p95(input: &ChartInput, lang: Lang) -> Value {
    let chart = ChartId::LatencyP95;
    if input.dashboard.is_empty() {
        return empty(chart, lang);
    }
    let budget = Some(input.latency_budget_ms).filter(|b| b.is_finite() && *b > 0.0);
    let mut data = Vec::new();
    for (provider, color) in provider_colors(&input.dashboard) {
        let rows: Vec<&DashboardFact> = of_provider(&input.dashboard, provider).collect();
        data.push(line_trace(json!({
            "type": "scatter",
            "name": escape_text(provider),
            "x": rows.iter().map(|r| date(r.event_date)).collect::<Vec<_>>(),
            "y": rows.iter().map(|r| opt(r.latency_p95_ms)).collect::<Vec<_>>(),
            "line": {"color": color, "width": 2},
            "marker": {"color": color, "size": 4},
            "connectgaps": false,
            "hovertemplate": "%{x|%Y-%m-%d}: %{y:,.1f} ms<extra>%{fullData.name}</extra>",
        })));
    }
    let mut layout = base_layout(chart, lang);
    layout["yaxis"] = y_axis(t(lang, "chart.axis.latency_p95"), None);
    if let Some(b) = budget {
        let over: Vec<&DashboardFact> =
            input.dashboard.iter().filter(|r| r.latency_p95_ms.is_some_and(|v| v > b)).collect();
        if !over.is_empty() {
            data.push(json!({
                "type": "scatter", "mode": "markers",
                "name": t(lang, "chart.series.over_budget"),
                "x": over.iter().map(|r| date(r.event_date)).collect::<Vec<_>>(),
                "y": over.iter().map(|r| opt(r.latency_p95_ms)).collect::<Vec<_>>(),
                "customdata": over.iter().map(|r| escape_text(&r.provider)).collect::<Vec<_>>(),
                "marker": {"color": COLOR_ALERT, "size": 11, "symbol": "circle-open", "line": {"width": 2.5}},
                "hovertemplate": format!(
                    "%{{customdata}} %{{x|%Y-%m-%d}}: %{{y:,.1f}} ms &gt; {} ms<extra>%{{fullData.name}}</extra>",
                    fmt_plain(b)
                ),
            }));
        }
        layout["shapes"] = json!([{
            "type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": b, "y1": b,
            "line": {"color": COLOR_ALERT, "width": 1.5, "dash": "dash"},
        }]);
        layout["annotations"] = json!([{
            "text": format!("{} {} ms", t(lang, "chart.series.budget"), fmt_plain(b)),
            "xref": "paper", "x": 1, "xanchor": "right", "yref": "y", "y": b, "yanchor": "bottom",
            "showarrow": false, "font": {"color": COLOR_ALERT, "size": 11},
        }]);
    }
    assemble(data, layout, lang)
}

/// `token-usage`: tokens_total per provider as stacked areas (`stackgroup`; a provider without a
/// row on some day counts 0 there), and the day's cost (sum over the providers that have a price;
/// null on a day where none has) as a line on a right-hand axis. Hovering a day lists every
/// provider's tokens (input and output) and the cost (`x unified`). Without any priced provider
/// there is no cost trace and no second axis.
fn token_usage(input: &ChartInput, lang: Lang) -> Value {
    let chart = ChartId::TokenUsage;
    if input.dashboard.is_empty() {
        return empty(chart, lang);
    }
    let tokens = t(lang, "chart.unit.tokens");
    let mut data = Vec::new();
    for (provider, color) in provider_colors(&input.dashboard) {
        let rows: Vec<&DashboardFact> = of_provider(&input.dashboard, provider).collect();
        data.push(area_trace(json!({
            "type": "scatter",
            "stackgroup": "tokens",
            "name": escape_text(provider),
            "x": rows.iter().map(|r| date(r.event_date)).collect::<Vec<_>>(),
            "y": rows.iter().map(|r| r.tokens_total).collect::<Vec<_>>(),
            "customdata": rows.iter().map(|r| [r.tokens_input, r.tokens_output]).collect::<Vec<_>>(),
            "line": {"color": color, "width": 1},
            "marker": {"color": color, "size": 6},
            "hovertemplate": format!(
                "%{{x|%Y-%m-%d}}: %{{y:,}} {tokens} ({} %{{customdata[0]:,}}, {} %{{customdata[1]:,}})<extra>%{{fullData.name}}</extra>",
                t(lang, "chart.unit.input"), t(lang, "chart.unit.output"),
            ),
        })));
    }
    let mut cost: BTreeMap<chrono::NaiveDate, Option<f64>> = BTreeMap::new();
    for r in &input.dashboard {
        let day = cost.entry(r.event_date).or_insert(None);
        if let Some(c) = cost_usd(r, &input.prices) {
            *day = Some(day.unwrap_or(0.0) + c);
        }
    }
    let priced = cost.values().any(Option::is_some);
    if priced {
        data.push(line_trace(json!({
            "type": "scatter",
            "name": t(lang, "chart.series.cost"),
            "yaxis": "y2",
            "x": cost.keys().map(|d| date(*d)).collect::<Vec<_>>(),
            "y": cost.values().map(|c| opt(*c)).collect::<Vec<_>>(),
            "line": {"color": NEUTRAL, "width": 2, "dash": "dot"},
            "marker": {"color": NEUTRAL, "size": 4},
            "connectgaps": false,
            "hovertemplate": "%{x|%Y-%m-%d}: $%{y:,.2f}<extra>%{fullData.name}</extra>",
        })));
    }
    let mut layout = base_layout(chart, lang);
    layout["hovermode"] = json!("x unified");
    layout["yaxis"] = y_axis(t(lang, "chart.axis.tokens"), None);
    if priced {
        let mut y2 = y_axis(t(lang, "chart.axis.cost"), None);
        y2["overlaying"] = json!("y");
        y2["side"] = json!("right");
        y2["showgrid"] = json!(false);
        if let Some(a) = y2.as_object_mut() {
            a.remove("gridcolor");
        }
        y2["tickprefix"] = json!("$");
        layout["yaxis2"] = y2;
        // Room for the right-hand axis' labels and title (see `base_layout`).
        layout["margin"]["r"] = json!(MARGIN_R_SECOND_AXIS);
    }
    assemble(data, layout, lang)
}

/// `revenue-from-ai`: revenue_from_ai of the selected providers combined, one point per day,
/// as an area filled down to zero; hovering a day shows its revenue (`x unified`).
fn revenue_from_ai(input: &ChartInput, lang: Lang) -> Value {
    let chart = ChartId::RevenueFromAi;
    if input.totals.is_empty() {
        return empty(chart, lang);
    }
    let data = vec![area_trace(json!({
        "type": "scatter",
        "fill": "tozeroy",
        "name": t(lang, "chart.series.revenue"),
        "x": input.totals.iter().map(|r| date(r.event_date)).collect::<Vec<_>>(),
        "y": input.totals.iter().map(|r| num(r.revenue_from_ai)).collect::<Vec<_>>(),
        "line": {"color": COLOR_A, "width": 2},
        "marker": {"color": COLOR_A, "size": 6},
        "hovertemplate": "%{x|%Y-%m-%d}: $%{y:,.2f}<extra>%{fullData.name}</extra>",
    }))];
    let mut layout = base_layout(chart, lang);
    layout["hovermode"] = json!("x unified");
    let mut y = y_axis(t(lang, "chart.axis.revenue"), None);
    y["tickprefix"] = json!("$");
    layout["yaxis"] = y;
    assemble(data, layout, lang)
}

/// `conversion-uplift`: the 95% interval as a filled band (lower bound, then upper bound with
/// `fill: tonexty`; both without a legend entry, the title names the interval), the uplift line
/// on top (its hover shows the interval), and a zero line.
fn conversion_uplift(input: &ChartInput, lang: Lang) -> Value {
    let chart = ChartId::ConversionUplift;
    if input.conversion.is_empty() {
        return empty(chart, lang);
    }
    let rows = &input.conversion;
    let x: Vec<String> = rows.iter().map(|r| date(r.event_date)).collect();
    let band = t(lang, "chart.series.ci95");
    let data = vec![
        json!({
            "type": "scatter", "mode": "lines",
            "name": t(lang, "chart.series.ci_low"), "showlegend": false,
            "x": x, "y": rows.iter().map(|r| opt(r.uplift_ci_low)).collect::<Vec<_>>(),
            "line": {"width": 0, "color": COLOR_A},
            "connectgaps": false,
            "hoverinfo": "skip",
        }),
        json!({
            "type": "scatter", "mode": "lines",
            "name": t(lang, "chart.series.ci_high"), "showlegend": false,
            "x": x, "y": rows.iter().map(|r| opt(r.uplift_ci_high)).collect::<Vec<_>>(),
            "line": {"width": 0, "color": COLOR_A},
            "fill": "tonexty", "fillcolor": "rgba(78,121,167,0.25)",
            "connectgaps": false,
            "hoverinfo": "skip",
        }),
        line_trace(json!({
            "type": "scatter",
            "name": t(lang, "chart.series.uplift"),
            "x": x, "y": rows.iter().map(|r| opt(r.conversion_uplift)).collect::<Vec<_>>(),
            "customdata": rows.iter().map(|r| [opt(r.uplift_ci_low), opt(r.uplift_ci_high)]).collect::<Vec<_>>(),
            "line": {"color": COLOR_A, "width": 2},
            "marker": {"color": COLOR_A, "size": 4},
            "connectgaps": false,
            "hovertemplate": format!(
                "%{{x|%Y-%m-%d}}: %{{y:+.2%}} ({} %{{customdata[0]:+.2%}} … %{{customdata[1]:+.2%}})<extra>%{{fullData.name}}</extra>",
                band
            ),
        })),
    ];
    let mut layout = base_layout(chart, lang);
    let mut y = y_axis(t(lang, "chart.axis.uplift"), Some("+.1%"));
    y["rangemode"] = json!("normal");
    y["zeroline"] = json!(true);
    layout["yaxis"] = y;
    layout["shapes"] = json!([{
        "type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": 0, "y1": 0,
        "line": {"color": NEUTRAL, "width": 1},
    }]);
    assemble(data, layout, lang)
}

/// A number as plain text for labels: integers without a fraction (`1200`), others as `{}`.
fn fmt_plain(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 { format!("{}", x as i64) } else { format!("{x}") }
}

#[cfg(test)]
mod tests;
