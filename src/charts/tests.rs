//! Tests of the figure builders on small hand-made facts.

use super::*;
use chrono::NaiveDate;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

fn row(d: u32, provider: &str, p95: Option<f64>, tin: i64, tout: i64) -> DashboardFact {
    DashboardFact {
        event_date: day(d),
        provider: provider.to_string(),
        events: 10,
        sessions: 8,
        accuracy_daily: Some(0.8),
        accuracy_rolling_7d: Some(0.75 + d as f64 / 100.0),
        latency_p50_ms: p95.map(|v| v / 2.0),
        latency_p95_ms: p95,
        tokens_input: tin,
        tokens_output: tout,
        tokens_total: tin + tout,
        tickets: 4,
        tickets_resolved_by_agent: 3,
        resolution_rate: Some(0.75),
        revenue_from_ai: 10.5 * d as f64,
    }
}

fn conv(d: u32, uplift: Option<f64>, lo: Option<f64>, hi: Option<f64>) -> ConversionFact {
    ConversionFact {
        event_date: day(d),
        treatment_users: 100,
        treatment_conversions: 12,
        control_users: 100,
        control_conversions: 10,
        treatment_rate: Some(0.12),
        control_rate: Some(0.10),
        conversion_uplift: uplift,
        uplift_ci_low: lo,
        uplift_ci_high: hi,
    }
}

fn input() -> ChartInput {
    ChartInput {
        dashboard: vec![
            row(1, "OpenAI", Some(900.0), 1_000_000, 500_000),
            row(1, "Anthropic", Some(1300.0), 2_000_000, 0),
            row(2, "OpenAI", Some(1200.0), 3_000_000, 1_000_000),
            row(2, "Anthropic", None, 0, 0),
            row(3, "Anthropic", Some(1200.5), 10, 20),
        ],
        totals: vec![
            DashboardFact { provider: "all".into(), resolution_rate: None, ..row(1, "all", Some(1000.0), 1, 1) },
            row(2, "all", Some(1100.0), 1, 1),
            row(3, "all", Some(1100.0), 1, 1),
        ],
        conversion: vec![conv(1, Some(0.02), Some(-0.01), Some(0.05)), conv(2, None, None, None)],
        latency_budget_ms: 1200.0,
        prices: vec![Price { provider: "OpenAI".into(), input_per_1m: 2.0, output_per_1m: 8.0 }],
    }
}

fn names(fig: &Value) -> Vec<String> {
    fig["data"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_string()).collect()
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect()
}

#[test]
fn every_figure_has_data_layout_config_and_a_localized_title() {
    for chart in ChartId::ALL {
        for lang in [Lang::En, Lang::Id] {
            let fig = figure(chart, &input(), lang);
            assert!(fig["data"].is_array(), "{chart:?}");
            assert_eq!(fig["layout"]["title"]["text"], chart.title(lang));
            assert_eq!(fig["config"]["responsive"], true);
            assert_eq!(fig["config"]["displaylogo"], false);
            assert_eq!(fig["layout"]["paper_bgcolor"], TRANSPARENT);
            assert_eq!(fig["layout"]["plot_bgcolor"], TRANSPARENT);
            assert!(fig["layout"]["xaxis"]["title"]["text"].as_str().unwrap().contains("UTC"));
            assert!(!fig["layout"]["yaxis"]["title"]["text"].as_str().unwrap().is_empty());
            for tr in fig["data"].as_array().unwrap() {
                let skip = tr["hoverinfo"] == "skip";
                assert!(skip || tr["hovertemplate"].as_str().unwrap().contains("%{y"), "{chart:?}: {tr}");
            }
        }
        assert_ne!(chart.title(Lang::En), chart.title(Lang::Id), "{chart:?} not translated");
        assert_eq!(ChartId::from_id(chart.id()), Some(chart));
    }
    assert_eq!(ChartId::from_id("nope"), None);
}

#[test]
fn indonesian_figures_use_indonesian_text_and_separators() {
    let en = figure(ChartId::AccuracyVsResolution, &input(), Lang::En);
    let id = figure(ChartId::AccuracyVsResolution, &input(), Lang::Id);
    assert_eq!(en["layout"]["title"]["text"], "Accuracy vs. Resolution Rate");
    assert_eq!(id["layout"]["title"]["text"], "Akurasi vs. Tingkat Resolusi");
    assert_eq!(names(&id), ["Akurasi (7 hari bergulir)", "Tingkat resolusi"]);
    assert_eq!(id["layout"]["xaxis"]["title"]["text"], "Tanggal (UTC)");
    assert_eq!(id["layout"]["separators"], ",.");
    assert_eq!(en["layout"]["separators"], ".,");
    assert_eq!(id["config"]["locale"], "id");
    assert_eq!(id["config"]["locales"]["id"]["format"]["shortMonths"][7], "Agu");
    assert!(en["config"].get("locale").is_none() && en["config"].get("locales").is_none());
    assert_eq!(en["config"]["showSendToCloud"], false);
    let empty_id = figure(ChartId::LatencyP95, &ChartInput::default(), Lang::Id);
    assert_eq!(empty_id["layout"]["annotations"][0]["text"], "Tidak ada data");
}

#[test]
fn line_chart_plots_rolling_accuracy_and_resolution_rate_of_the_totals() {
    let fig = figure(ChartId::AccuracyVsResolution, &input(), Lang::En);
    assert_eq!(names(&fig), ["Accuracy (rolling 7 days)", "Resolution rate"]);
    let acc = &fig["data"][0];
    assert_eq!(strs(&acc["x"]), ["2026-03-01", "2026-03-02", "2026-03-03"]);
    assert_eq!(acc["y"], json!([0.76, 0.77, 0.78]));
    // A null resolution rate stays a gap.
    assert_eq!(fig["data"][1]["y"], json!([null, 0.75, 0.75]));
    assert_eq!(fig["layout"]["yaxis"]["tickformat"], ".0%");
    assert!(acc["hovertemplate"].as_str().unwrap().contains("%{y:.2%}"));
}

#[test]
fn line_chart_draws_each_providers_accuracy_when_the_combined_one_is_not_derivable() {
    // Published facts of two providers: the combined rolling accuracy is null on days 1 and 2
    // although each provider has one (crate::precomputed) — one dotted line per provider instead.
    let mut i = input();
    for t in &mut i.totals {
        t.accuracy_rolling_7d = None;
    }
    let fig = figure(ChartId::AccuracyVsResolution, &i, Lang::En);
    assert_eq!(
        names(&fig),
        ["Accuracy (rolling 7 days) · Anthropic", "Accuracy (rolling 7 days) · OpenAI", "Resolution rate"]
    );
    assert_eq!(fig["data"][0]["y"], json!([0.76, 0.77, 0.78]));
    assert_eq!(strs(&fig["data"][1]["x"]), ["2026-03-01", "2026-03-02"]);
    // No provider has an accuracy either: nothing to fall back to, the combined line stays.
    for r in &mut i.dashboard {
        r.accuracy_rolling_7d = None;
    }
    let fig = figure(ChartId::AccuracyVsResolution, &i, Lang::En);
    assert_eq!(names(&fig), ["Accuracy (rolling 7 days)", "Resolution rate"]);
}

#[test]
fn latency_has_one_line_per_provider_a_budget_line_and_breach_markers_above_budget_only() {
    let fig = figure(ChartId::LatencyP95, &input(), Lang::En);
    assert_eq!(names(&fig), ["Anthropic", "OpenAI", "Over budget"]);
    let anthropic = &fig["data"][0];
    assert_eq!(strs(&anthropic["x"]), ["2026-03-01", "2026-03-02", "2026-03-03"]);
    assert_eq!(anthropic["y"], json!([1300.0, null, 1200.5]));
    assert_eq!(fig["data"][1]["y"], json!([900.0, 1200.0]));
    // Anthropic's days have no neighbour to draw a line to: they keep markers; OpenAI's do not.
    assert_eq!((anthropic["mode"].as_str(), fig["data"][1]["mode"].as_str()), (Some("lines+markers"), Some("lines")));
    assert!(anthropic.get("marker").is_some() && fig["data"][1].get("marker").is_none(), "a marker style only where markers are drawn");
    // 1200.0 equals the budget: not a breach (the alert rule is `> 1200`).
    let over = &fig["data"][2];
    assert_eq!(over["mode"], "markers");
    assert_eq!(strs(&over["x"]), ["2026-03-01", "2026-03-03"]);
    assert_eq!(over["y"], json!([1300.0, 1200.5]));
    assert_eq!(over["customdata"], json!(["Anthropic", "Anthropic"]));
    let shape = &fig["layout"]["shapes"][0];
    assert_eq!((shape["y0"].as_f64(), shape["y1"].as_f64()), (Some(1200.0), Some(1200.0)));
    assert_eq!((shape["xref"].as_str(), shape["yref"].as_str()), (Some("paper"), Some("y")));
    assert_eq!(fig["layout"]["annotations"][0]["text"], "Budget 1200 ms");
    assert_eq!(fig["layout"]["yaxis"]["title"]["text"], "Latency p95 (ms)");
}

#[test]
fn latency_without_breaches_has_no_marker_trace_and_a_different_budget_moves_the_line() {
    let mut inp = input();
    inp.latency_budget_ms = 5000.0;
    let fig = figure(ChartId::LatencyP95, &inp, Lang::En);
    assert_eq!(names(&fig), ["Anthropic", "OpenAI"]);
    assert_eq!(fig["layout"]["shapes"][0]["y0"], 5000.0);
    inp.latency_budget_ms = 1000.0;
    let fig = figure(ChartId::LatencyP95, &inp, Lang::En);
    assert_eq!(fig["data"][2]["y"], json!([1300.0, 1200.0, 1200.5]));
    inp.latency_budget_ms = 0.0;
    let fig = figure(ChartId::LatencyP95, &inp, Lang::En);
    assert_eq!(names(&fig), ["Anthropic", "OpenAI"]);
    assert!(fig["layout"]["shapes"].is_null());
}

#[test]
fn token_usage_stacks_providers_and_puts_cost_of_priced_providers_on_a_second_axis() {
    let fig = figure(ChartId::TokenUsage, &input(), Lang::En);
    assert_eq!(names(&fig), ["Anthropic", "OpenAI", "Cost (USD)"]);
    assert_eq!(fig["layout"]["hovermode"], "x unified");
    assert_eq!((&fig["data"][0]["type"], &fig["data"][0]["stackgroup"]), (&json!("scatter"), &json!("tokens")));
    assert_eq!(fig["data"][1]["stackgroup"], "tokens");
    assert_eq!(fig["data"][0]["mode"], "lines");
    assert!(fig["data"][0]["marker"].is_null());
    assert_eq!(fig["data"][0]["y"], json!([2_000_000, 0, 30]));
    assert_eq!(fig["data"][1]["y"], json!([1_500_000, 4_000_000]));
    assert_eq!(fig["data"][1]["customdata"], json!([[1_000_000, 500_000], [3_000_000, 1_000_000]]));
    let cost = &fig["data"][2];
    assert_eq!(cost["yaxis"], "y2");
    assert_eq!(strs(&cost["x"]), ["2026-03-01", "2026-03-02", "2026-03-03"]);
    // OpenAI only: day 1 = 1M*2 + 0.5M*8 = 6; day 2 = 3M*2 + 1M*8 = 14; day 3 only Anthropic: null.
    assert_eq!(cost["y"], json!([6.0, 14.0, null]));
    assert_eq!(fig["layout"]["yaxis2"]["overlaying"], "y");
    assert_eq!(fig["layout"]["yaxis2"]["side"], "right");
    assert_eq!(fig["layout"]["yaxis2"]["title"]["text"], "Cost per day (USD)");
    assert_eq!(fig["layout"]["yaxis"]["title"]["text"], "Tokens per day");
}

#[test]
fn token_usage_without_prices_has_no_cost_trace() {
    let mut inp = input();
    inp.prices.clear();
    let fig = figure(ChartId::TokenUsage, &inp, Lang::En);
    assert_eq!(names(&fig), ["Anthropic", "OpenAI"]);
    assert!(fig["layout"]["yaxis2"].is_null());
}

#[test]
fn margins_leave_room_for_tick_labels_and_the_cost_axis_from_the_start() {
    // plotly.js draws a chart a second time when automargin has to widen the margins, so the
    // figures start with margins that fit the usual labels; the cost axis needs a right margin.
    let inp = input();
    for chart in ChartId::ALL {
        let m = &figure(chart, &inp, Lang::En)["layout"]["margin"];
        assert_eq!((m["l"].as_u64(), m["b"].as_u64()), (Some(80), Some(60)), "{chart:?}");
        let r = if chart == ChartId::TokenUsage { 72 } else { 40 };
        assert_eq!(m["r"].as_u64(), Some(r), "{chart:?}");
    }
    let mut unpriced = input();
    unpriced.prices.clear();
    assert_eq!(figure(ChartId::TokenUsage, &unpriced, Lang::En)["layout"]["margin"]["r"], 40);
}

#[test]
fn cost_follows_the_formula_and_default_prices_cover_the_demo_providers() {
    let r = row(1, "Anthropic", None, 2_000_000, 1_000_000);
    assert_eq!(cost_usd(&r, &default_prices()), Some(2.0 * 3.0 + 15.0));
    assert_eq!(cost_usd(&row(1, "openai", None, 1, 1), &default_prices()), None);
    let names: Vec<_> = default_prices().into_iter().map(|p| p.provider).collect();
    for p in ["OpenAI", "Anthropic", "Google"] {
        assert!(names.iter().any(|n| n == p), "{p}");
    }
}

#[test]
fn revenue_is_one_area_of_the_totals() {
    let fig = figure(ChartId::RevenueFromAi, &input(), Lang::En);
    assert_eq!(names(&fig), ["Revenue from AI"]);
    assert_eq!((&fig["data"][0]["type"], &fig["data"][0]["fill"]), (&json!("scatter"), &json!("tozeroy")));
    assert_eq!(fig["data"][0]["mode"], "lines");
    assert_eq!(fig["layout"]["hovermode"], "x unified");
    assert_eq!(fig["data"][0]["y"], json!([10.5, 21.0, 31.5]));
    assert!(fig["data"][0]["hovertemplate"].as_str().unwrap().contains("$%{y:,.2f}"));
    assert_eq!(fig["layout"]["yaxis"]["title"]["text"], "Revenue per day (USD)");
}

#[test]
fn uplift_has_a_band_between_ci_bounds_and_a_zero_line() {
    let fig = figure(ChartId::ConversionUplift, &input(), Lang::En);
    assert_eq!(names(&fig), ["95% interval: lower bound", "95% interval: upper bound", "Conversion uplift"]);
    let (lo, hi, line) = (&fig["data"][0], &fig["data"][1], &fig["data"][2]);
    assert_eq!(lo["y"], json!([-0.01, null]));
    assert_eq!(hi["y"], json!([0.05, null]));
    assert!(lo["fill"].is_null());
    assert_eq!(hi["fill"], "tonexty");
    assert_eq!(line["y"], json!([0.02, null]));
    assert_eq!(line["customdata"], json!([[-0.01, 0.05], [null, null]]));
    let zero = &fig["layout"]["shapes"][0];
    assert_eq!((zero["y0"].as_f64(), zero["y1"].as_f64()), (Some(0.0), Some(0.0)));
    assert_eq!(fig["layout"]["yaxis"]["zeroline"], true);
}

#[test]
fn provider_names_are_escaped_wherever_they_appear() {
    let evil = "<img src=x onerror=alert(1)>";
    let mut inp = input();
    for r in &mut inp.dashboard {
        if r.provider == "Anthropic" {
            r.provider = evil.to_string();
        }
    }
    inp.prices.push(Price { provider: evil.into(), input_per_1m: 1.0, output_per_1m: 1.0 });
    for chart in [ChartId::LatencyP95, ChartId::TokenUsage] {
        let fig = figure(chart, &inp, Lang::En);
        let text = fig.to_string();
        assert!(!text.contains("<img"), "{chart:?}: {text}");
        assert!(names(&fig).contains(&"&lt;img src=x onerror=alert(1)&gt;".to_string()));
    }
    let fig = figure(ChartId::LatencyP95, &inp, Lang::En);
    assert_eq!(fig["data"][2]["customdata"][0], "&lt;img src=x onerror=alert(1)&gt;");
    assert_eq!(escape_text("a&b \"c\""), "a&amp;b &quot;c&quot;");
}

#[test]
fn empty_input_gives_a_valid_empty_figure_saying_no_data() {
    for chart in ChartId::ALL {
        let fig = figure(chart, &ChartInput::default(), Lang::En);
        assert_eq!(fig["data"], json!([]), "{chart:?}");
        assert_eq!(fig["layout"]["title"]["text"], chart.title(Lang::En));
        assert_eq!(fig["layout"]["annotations"][0]["text"], "No data");
        assert_eq!(fig["config"]["responsive"], true);
    }
}

#[test]
fn figures_are_deterministic_and_ignore_row_order_of_providers() {
    let a = figure(ChartId::TokenUsage, &input(), Lang::En);
    let mut inp = input();
    inp.dashboard.sort_by(|x, y| (x.event_date, &x.provider).cmp(&(y.event_date, &y.provider)));
    let b = figure(ChartId::TokenUsage, &inp, Lang::En);
    assert_eq!(a.to_string(), b.to_string());
}

#[test]
fn legend_settings_only_with_two_traces_or_more() {
    let fig = figure(ChartId::RevenueFromAi, &input(), Lang::En);
    assert!(fig["layout"].get("legend").is_none());
    assert!(figure(ChartId::LatencyP95, &ChartInput::default(), Lang::En)["layout"].get("legend").is_none());
    assert!(figure(ChartId::LatencyP95, &input(), Lang::En)["layout"]["legend"].is_object());
}

#[test]
fn non_finite_values_become_null() {
    let mut inp = input();
    inp.totals[0].revenue_from_ai = f64::NAN;
    let fig = figure(ChartId::RevenueFromAi, &inp, Lang::En);
    assert_eq!(fig["data"][0]["y"][0], Value::Null);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    const NAMES: [&str; 4] = ["OpenAI", "Anthropic", "<b>x</b>", "A&B"];

    fn rows(spec: &[(u32, usize, Option<f64>, i64, i64)]) -> Vec<DashboardFact> {
        let mut seen = std::collections::BTreeSet::new();
        let mut out: Vec<DashboardFact> = spec
            .iter()
            .filter(|(d, p, ..)| seen.insert((*d, *p)))
            .map(|&(d, p, p95, tin, tout)| row(d, NAMES[p], p95, tin, tout))
            .collect();
        out.sort_by(|a, b| (a.event_date, &a.provider).cmp(&(b.event_date, &b.provider)));
        out
    }

    proptest! {
        #[test]
        fn latency_marks_exactly_the_days_over_budget(
            spec in prop::collection::vec((1u32..29, 0usize..4, prop::option::of(0.0f64..3000.0), 0i64..5_000_000, 0i64..5_000_000), 0..40),
            budget in 100.0f64..2500.0,
        ) {
            let dashboard = rows(&spec);
            let input = ChartInput { dashboard: dashboard.clone(), latency_budget_ms: budget, ..Default::default() };
            let fig = figure(ChartId::LatencyP95, &input, Lang::En);
            let traces = fig["data"].as_array().unwrap();
            let providers: BTreeSet<&str> = dashboard.iter().map(|r| r.provider.as_str()).collect();
            let over: Vec<&DashboardFact> = dashboard.iter().filter(|r| r.latency_p95_ms.is_some_and(|v| v > budget)).collect();
            prop_assert_eq!(traces.len(), providers.len() + usize::from(!over.is_empty()));
            if let Some(t) = traces.iter().find(|t| t["name"] == "Over budget") {
                let ys: Vec<f64> = t["y"].as_array().unwrap().iter().map(|y| y.as_f64().unwrap()).collect();
                prop_assert_eq!(ys.len(), over.len());
                prop_assert!(ys.iter().all(|y| *y > budget));
            }
            let text = fig.to_string();
            prop_assert!(!text.contains("<b>") && !text.contains("A&B"));
            for t in traces {
                for x in t["x"].as_array().unwrap() {
                    prop_assert!(NaiveDate::parse_from_str(x.as_str().unwrap(), "%Y-%m-%d").is_ok());
                }
            }
        }

        #[test]
        fn token_bars_sum_to_the_tokens_and_cost_to_the_priced_rows(
            spec in prop::collection::vec((1u32..29, 0usize..4, prop::option::of(0.0f64..3000.0), 0i64..5_000_000, 0i64..5_000_000), 1..40),
        ) {
            let dashboard = rows(&spec);
            let prices = vec![Price { provider: "OpenAI".into(), input_per_1m: 2.5, output_per_1m: 10.0 }];
            let input = ChartInput { dashboard: dashboard.clone(), prices: prices.clone(), ..Default::default() };
            let fig = figure(ChartId::TokenUsage, &input, Lang::En);
            let traces = fig["data"].as_array().unwrap();
            let bars: i64 = traces.iter().filter(|t| t["stackgroup"] == "tokens")
                .flat_map(|t| t["y"].as_array().unwrap().iter().map(|y| y.as_i64().unwrap())).sum();
            prop_assert_eq!(bars, dashboard.iter().map(|r| r.tokens_total).sum::<i64>());
            let want: f64 = dashboard.iter().filter_map(|r| cost_usd(r, &prices)).sum();
            let got: f64 = traces.iter().filter(|t| t["yaxis"] == "y2")
                .flat_map(|t| t["y"].as_array().unwrap().iter().filter_map(|y| y.as_f64())).sum();
            prop_assert!((got - want).abs() <= 1e-9 * want.abs().max(1.0));
        }
    }
}

#[test]
fn areas_of_a_single_day_have_markers() {
    // One day in view: an area of one point has no width, its marker shows the value.
    let mut inp = input();
    inp.dashboard.retain(|r| r.event_date == day(1));
    inp.totals.retain(|r| r.event_date == day(1));
    let tokens = figure(ChartId::TokenUsage, &inp, Lang::En);
    for t in tokens["data"].as_array().unwrap().iter().filter(|t| t["stackgroup"] == "tokens") {
        assert_eq!(t["mode"], "lines+markers");
        assert!(t["marker"]["color"].is_string());
    }
    let revenue = figure(ChartId::RevenueFromAi, &inp, Lang::En);
    assert_eq!(revenue["data"][0]["mode"], "lines+markers");
    assert_eq!(figure(ChartId::RevenueFromAi, &input(), Lang::En)["data"][0]["mode"], "lines");
}

#[test]
fn line_series_have_markers_only_where_a_value_has_no_neighbour() {
    let y = |v: &[Option<f64>]| v.iter().map(|x| x.map_or(Value::Null, |x| json!(x))).collect::<Vec<Value>>();
    assert_eq!(line_mode(&y(&[Some(1.0), Some(2.0), Some(3.0)])), "lines");
    assert_eq!(line_mode(&y(&[None, Some(2.0), Some(3.0), None])), "lines");
    assert_eq!(line_mode(&y(&[])), "lines");
    assert_eq!(line_mode(&y(&[None, None])), "lines");
    // A single day, a day alone between gaps, a lone first or last day.
    assert_eq!(line_mode(&y(&[Some(1.0)])), "lines+markers");
    assert_eq!(line_mode(&y(&[Some(1.0), Some(2.0), None, Some(4.0), None, Some(6.0), Some(7.0)])), "lines+markers");
    assert_eq!(line_mode(&y(&[Some(1.0), None, Some(3.0), Some(4.0)])), "lines+markers");
    assert_eq!(line_mode(&y(&[Some(1.0), Some(2.0), None, Some(4.0)])), "lines+markers");
}

#[test]
fn tick_labels_are_never_hidden_for_overflow_so_plotly_does_not_remeasure_them() {
    // `ticklabeloverflow: "allow"` on every drawn axis (plotly.js's default re-measures all of an
    // axis' labels after placing each; `automargin` keeps the labels inside the figure anyway).
    let inp = input();
    for chart in ChartId::ALL {
        let fig = figure(chart, &inp, Lang::En);
        let layout = fig["layout"].as_object().unwrap();
        let axes: Vec<&String> = layout.keys().filter(|k| k.starts_with("xaxis") || k.starts_with("yaxis")).collect();
        assert!(axes.len() >= 2, "{chart:?}");
        for k in axes {
            assert_eq!(layout[k]["ticklabeloverflow"], "allow", "{chart:?} {k}");
        }
    }
}
