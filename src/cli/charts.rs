//! `modelpulse charts`: the dashboard's Plotly figures as JSON files (for Hugo pages and the
//! page's `dist/charts/`), built by the same `modelpulse::charts::figure` the page draws with.

use anyhow::{Context, bail};
use chrono::NaiveDate;
use modelpulse::charts::{self, ChartId, ChartInput, Price};
use modelpulse::i18n::Lang;
use modelpulse::Query;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ChartsArgs {
    /// Folder holding raw_llm_events.parquet (required), raw_support_events.parquet and
    /// raw_conversion_events.parquet (each optional: a missing one is an empty table).
    #[arg(long)]
    pub data: PathBuf,
    /// Output folder: one `<chart id>.json` per chart and `charts.json` listing them.
    #[arg(long)]
    pub out: PathBuf,
    /// Keep only this provider (repeat for several); default: all providers.
    #[arg(long = "provider", value_name = "P")]
    pub providers: Vec<String>,
    /// First UTC date to show (YYYY-MM-DD, inclusive).
    #[arg(long, value_name = "DATE")]
    pub from: Option<NaiveDate>,
    /// Last UTC date to show (YYYY-MM-DD, inclusive).
    #[arg(long, value_name = "DATE")]
    pub to: Option<NaiveDate>,
    /// Language of titles and labels: en or id.
    #[arg(long, default_value = "en", value_parser = parse_lang)]
    pub lang: Lang,
    /// Latency budget in ms (the line on the latency chart); default: the config's, else 1200.
    #[arg(long, value_name = "MS")]
    pub latency_budget_ms: Option<f64>,
    /// The page's config.json: its `latency_budget_ms` and `prices` are used when present
    /// (other fields are ignored). Without it, the built-in default prices apply.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("unknown language \"{s}\" (expected en or id)"))
}

/// The chart settings a config.json may carry.
#[derive(Debug, Default, PartialEq)]
struct Settings {
    latency_budget_ms: Option<f64>,
    prices: Option<Vec<Price>>,
}

/// Reads `latency_budget_ms` and `prices` from config.json text; the error names `file`.
fn settings_from_config(file: &str, text: &str) -> anyhow::Result<Settings> {
    let v: Value = serde_json::from_str(text).with_context(|| format!("{file}: not valid JSON"))?;
    let Some(obj) = v.as_object() else { bail!("{file}: expected a JSON object") };
    let latency_budget_ms = match obj.get("latency_budget_ms") {
        None | Some(Value::Null) => None,
        Some(b) => Some(b.as_f64().with_context(|| format!("{file}: latency_budget_ms must be a number"))?),
    };
    let prices = match obj.get("prices") {
        None | Some(Value::Null) => None,
        Some(p) => Some(
            serde_json::from_value::<Vec<Price>>(p.clone())
                .with_context(|| format!("{file}: prices must be a list of {{provider, input_per_1m, output_per_1m}}"))?,
        ),
    };
    Ok(Settings { latency_budget_ms, prices })
}

fn check_budget(b: f64) -> anyhow::Result<f64> {
    if b.is_finite() && b > 0.0 { Ok(b) } else { bail!("latency budget must be a positive number of ms, got {b}") }
}


/// The figures of every chart for `input`, and the `charts.json` index listing them.
fn render(input: &ChartInput, lang: Lang) -> (Vec<(String, Value)>, Value) {
    let mut files = Vec::new();
    let mut index = Vec::new();
    for chart in ChartId::ALL {
        let file = format!("{}.json", chart.id());
        files.push((file.clone(), charts::figure(chart, input, lang)));
        index.push(json!({"id": chart.id(), "title": chart.title(lang), "file": file}));
    }
    (files, Value::Array(index))
}

pub fn run(args: ChartsArgs) -> anyhow::Result<ExitCode> {
    if let (Some(f), Some(t)) = (args.from, args.to)
        && f > t
    {
        bail!("--from {f} is after --to {t}");
    }
    let settings = match &args.config {
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("{}: cannot read", p.display()))?;
            settings_from_config(&p.display().to_string(), &text)?
        }
        None => Settings::default(),
    };
    let budget = check_budget(
        args.latency_budget_ms.or(settings.latency_budget_ms).unwrap_or(charts::DEFAULT_LATENCY_BUDGET_MS),
    )?;
    let ds = super::load_dir(&args.data)?;
    let known = ds.providers();
    for p in args.providers.iter().filter(|p| !known.contains(p)) {
        eprintln!("modelpulse: note: provider \"{p}\" is not in the data (providers: {})", known.join(", "));
    }
    let query = Query {
        providers: (!args.providers.is_empty()).then(|| args.providers.clone()),
        from: args.from,
        to: args.to,
    };
    let input = ChartInput {
        dashboard: ds.dashboard_facts(&query),
        totals: ds.daily_totals(&query),
        conversion: ds.conversion_facts(&query),
        latency_budget_ms: budget,
        prices: settings.prices.unwrap_or_else(charts::default_prices),
    };
    let (files, index) = render(&input, args.lang);
    std::fs::create_dir_all(&args.out).with_context(|| format!("{}: cannot create folder", args.out.display()))?;
    for (name, fig) in files.iter().chain(std::iter::once(&("charts.json".to_string(), index))) {
        let path = args.out.join(name);
        std::fs::write(&path, format!("{fig}\n")).with_context(|| format!("{}: cannot write", path.display()))?;
    }
    eprintln!(
        "modelpulse: wrote {} charts ({} provider rows, {} days) to {}",
        files.len(),
        input.dashboard.len(),
        input.totals.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_prices_and_budget_are_read_and_other_fields_ignored() {
        let s = settings_from_config(
            "config.json",
            r#"{"latency_budget_ms": 900, "refresh_seconds": 5,
                "prices": [{"provider": "OpenAI", "input_per_1m": 2.5, "output_per_1m": 10}]}"#,
        )
        .unwrap();
        assert_eq!(s.latency_budget_ms, Some(900.0));
        assert_eq!(s.prices.unwrap()[0].output_per_1m, 10.0);
        assert_eq!(settings_from_config("c.json", "{}").unwrap(), Settings::default());
    }

    #[test]
    fn bad_config_names_the_file_and_field() {
        let e = settings_from_config("x/config.json", r#"{"prices": 3}"#).unwrap_err();
        assert!(format!("{e:#}").starts_with("x/config.json: prices"), "{e:#}");
        let e = settings_from_config("x/config.json", r#"{"latency_budget_ms": "fast"}"#).unwrap_err();
        assert!(format!("{e:#}").contains("latency_budget_ms"), "{e:#}");
        let e = settings_from_config("x/config.json", "nope").unwrap_err();
        assert!(format!("{e:#}").starts_with("x/config.json: not valid JSON"), "{e:#}");
        assert!(check_budget(-1.0).is_err());
        assert!(check_budget(f64::NAN).is_err());
    }

    #[test]
    fn index_lists_every_chart_with_its_localized_title_and_file() {
        let (files, index) = render(&ChartInput::default(), Lang::Id);
        assert_eq!(files.len(), ChartId::ALL.len());
        assert_eq!(index[0], json!({"id": "line-chart", "title": "Akurasi vs. Tingkat Resolusi", "file": "line-chart.json"}));
        for ((name, fig), entry) in files.iter().zip(index.as_array().unwrap()) {
            assert_eq!(entry["file"], name.as_str());
            assert_eq!(fig["layout"]["title"]["text"], entry["title"]);
        }
    }
}
