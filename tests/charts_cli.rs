//! `modelpulse charts` on the shared fixtures: the numbers in the exported figures are the
//! fixtures' expected facts (computed by an independent implementation), not just well-formed JSON.

use modelpulse::charts::default_prices;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const FIXTURES: &str = "../shared/fixtures";

fn fixture_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(FIXTURES)
        .expect("../shared/fixtures (clone shared/ beside the repo)")
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected/dashboard_facts.csv").exists())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    dirs
}

/// Rows of an expected CSV as column → text maps (fixture values have no quoted commas).
fn csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            assert_eq!(cells.len(), header.len(), "{}: {l}", path.display());
            header.iter().zip(cells).map(|(h, c)| (h.to_string(), c.to_string())).collect()
        })
        .collect()
}

fn num(s: &str) -> Option<f64> {
    (!s.is_empty()).then(|| s.parse().unwrap())
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()),
        _ => false,
    }
}

/// Runs `modelpulse charts` with `args` on `data`; returns the output folder.
fn export(data: &Path, tag: &str, args: &[&str]) -> PathBuf {
    let out = std::env::temp_dir().join(format!(
        "modelpulse-charts-test-{}-{}-{tag}",
        std::process::id(),
        data.file_name().unwrap().to_string_lossy()
    ));
    let _ = std::fs::remove_dir_all(&out);
    let status = Command::new(env!("CARGO_BIN_EXE_modelpulse"))
        .arg("charts")
        .arg("--data")
        .arg(data)
        .arg("--out")
        .arg(&out)
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "modelpulse charts failed on {}", data.display());
    out
}

fn figure(out: &Path, id: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join(format!("{id}.json"))).unwrap()).unwrap()
}

/// (x, y) points of a trace.
fn points(trace: &Value) -> Vec<(String, Option<f64>)> {
    let xs = trace["x"].as_array().unwrap();
    let ys = trace["y"].as_array().unwrap();
    assert_eq!(xs.len(), ys.len());
    xs.iter().zip(ys).map(|(x, y)| (x.as_str().unwrap().to_string(), y.as_f64())).collect()
}

fn trace<'a>(fig: &'a Value, name: &str) -> &'a Value {
    fig["data"].as_array().unwrap().iter().find(|t| t["name"] == name).unwrap_or_else(|| panic!("no trace {name}"))
}

#[test]
fn per_provider_figures_carry_the_expected_dashboard_facts() {
    for dir in fixture_dirs() {
        let expected = csv(&dir.join("expected/dashboard_facts.csv"));
        let out = export(&dir, "all", &["--latency-budget-ms", "1200"]);
        let latency = figure(&out, "latency-p95");
        let tokens = figure(&out, "token-usage");
        let mut providers: Vec<&str> = expected.iter().map(|r| r["provider"].as_str()).collect();
        providers.sort();
        providers.dedup();
        for p in &providers {
            let rows: Vec<_> = expected.iter().filter(|r| r["provider"] == *p).collect();
            let lat = points(trace(&latency, p));
            assert_eq!(lat.len(), rows.len(), "{}: {p}", dir.display());
            for ((x, y), r) in lat.iter().zip(&rows) {
                assert_eq!(x, &r["event_date"]);
                assert!(close(*y, num(&r["latency_p95_ms"])), "{}: {p} {x}: {y:?} vs {}", dir.display(), r["latency_p95_ms"]);
            }
            let tok = points(trace(&tokens, p));
            for ((x, y), r) in tok.iter().zip(&rows) {
                assert_eq!(x, &r["event_date"]);
                assert_eq!(*y, num(&r["tokens_total"]), "{}: {p} {x}", dir.display());
            }
        }
        // Breach markers: exactly the rows above 1200 ms.
        let mut want: Vec<(String, Option<f64>)> = expected
            .iter()
            .filter(|r| num(&r["latency_p95_ms"]).is_some_and(|v| v > 1200.0))
            .map(|r| (r["event_date"].clone(), num(&r["latency_p95_ms"])))
            .collect();
        let mut got = latency["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "Over budget")
            .map(points)
            .unwrap_or_default();
        want.sort_by(|a, b| a.partial_cmp(b).unwrap());
        got.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert_eq!(got.len(), want.len(), "{}: breaches {got:?} vs {want:?}", dir.display());
        for (g, w) in got.iter().zip(&want) {
            assert!(g.0 == w.0 && close(g.1, w.1), "{}: breach {g:?} vs {w:?}", dir.display());
        }
        // Cost per day with the default prices.
        let prices = default_prices();
        let mut cost: BTreeMap<String, Option<f64>> = BTreeMap::new();
        for r in &expected {
            let day = cost.entry(r["event_date"].clone()).or_insert(None);
            if let Some(p) = prices.iter().find(|p| p.provider == r["provider"]) {
                let c = num(&r["tokens_input"]).unwrap() / 1e6 * p.input_per_1m
                    + num(&r["tokens_output"]).unwrap() / 1e6 * p.output_per_1m;
                *day = Some(day.unwrap_or(0.0) + c);
            }
        }
        let got_cost = points(trace(&tokens, "Cost (USD)"));
        assert_eq!(got_cost.len(), cost.len());
        for ((x, y), (d, c)) in got_cost.iter().zip(&cost) {
            assert_eq!(x, d);
            assert!(close(*y, *c), "{}: cost {x}: {y:?} vs {c:?}", dir.display());
        }
        let _ = std::fs::remove_dir_all(&out);
    }
}

#[test]
fn uplift_figure_carries_the_expected_conversion_facts() {
    for dir in fixture_dirs() {
        let expected = csv(&dir.join("expected/conversion_facts.csv"));
        let out = export(&dir, "uplift", &[]);
        let fig = figure(&out, "conversion-uplift");
        for (name, col) in [
            ("Conversion uplift", "conversion_uplift"),
            ("95% interval: lower bound", "uplift_ci_low"),
            ("95% interval: upper bound", "uplift_ci_high"),
        ] {
            let pts = points(trace(&fig, name));
            assert_eq!(pts.len(), expected.len(), "{}", dir.display());
            for ((x, y), r) in pts.iter().zip(&expected) {
                assert_eq!(x, &r["event_date"]);
                assert!(close(*y, num(&r[col])), "{}: {col} {x}", dir.display());
            }
        }
        let _ = std::fs::remove_dir_all(&out);
    }
}

/// With one provider selected, the combined totals are that provider's own facts.
#[test]
fn totals_figures_for_one_provider_match_its_expected_facts() {
    for dir in fixture_dirs() {
        let expected = csv(&dir.join("expected/dashboard_facts.csv"));
        let p = expected[0]["provider"].clone();
        let rows: Vec<_> = expected.iter().filter(|r| r["provider"] == p).collect();
        let out = export(&dir, "one", &["--provider", &p, "--lang", "id"]);
        let line = figure(&out, "line-chart");
        assert_eq!(line["layout"]["title"]["text"], "Akurasi vs. Tingkat Resolusi");
        for (name, col) in [("Akurasi (7 hari bergulir)", "accuracy_rolling_7d"), ("Tingkat resolusi", "resolution_rate")] {
            let pts = points(trace(&line, name));
            assert_eq!(pts.len(), rows.len(), "{}: {p}", dir.display());
            for ((x, y), r) in pts.iter().zip(&rows) {
                assert_eq!(x, &r["event_date"]);
                assert!(close(*y, num(&r[col])), "{}: {p} {col} {x}: {y:?} vs {}", dir.display(), r[col]);
            }
        }
        let revenue = points(&figure(&out, "revenue-from-ai")["data"][0]);
        for ((x, y), r) in revenue.iter().zip(&rows) {
            assert_eq!(x, &r["event_date"]);
            assert!(close(*y, num(&r["revenue_from_ai"])), "{}: revenue {x}", dir.display());
        }
        let _ = std::fs::remove_dir_all(&out);
    }
}

#[test]
fn config_prices_and_budget_change_the_figures_and_bad_input_is_refused() {
    let dir = &fixture_dirs()[0];
    let cfg = std::env::temp_dir().join(format!("modelpulse-charts-test-{}-config.json", std::process::id()));
    std::fs::write(
        &cfg,
        r#"{"latency_budget_ms": 5000, "prices": [{"provider": "Nobody", "input_per_1m": 1, "output_per_1m": 1}]}"#,
    )
    .unwrap();
    let out = export(dir, "config", &["--config", cfg.to_str().unwrap()]);
    let latency = figure(&out, "latency-p95");
    assert_eq!(latency["layout"]["shapes"][0]["y0"], 5000.0);
    assert!(latency["data"].as_array().unwrap().iter().all(|t| t["name"] != "Over budget"));
    // No provider of the data has a price: no cost trace.
    assert!(figure(&out, "token-usage")["layout"]["yaxis2"].is_null());
    // The flag beats the config.
    let out2 = export(dir, "flag", &["--config", cfg.to_str().unwrap(), "--latency-budget-ms", "900"]);
    assert_eq!(figure(&out2, "latency-p95")["layout"]["shapes"][0]["y0"], 900.0);

    let bad = Command::new(env!("CARGO_BIN_EXE_modelpulse"))
        .args(["charts", "--data", "../shared/fixtures/bad", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let msg = String::from_utf8_lossy(&bad.stderr);
    assert!(msg.contains("raw_llm_events.parquet"), "{msg}");
    for p in [&out, &out2] {
        let _ = std::fs::remove_dir_all(p);
    }
    let _ = std::fs::remove_file(&cfg);
}
