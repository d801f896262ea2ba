//! The `modelpulse` command line: a thin layer over the core. One module per subcommand.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod alerts;
mod charts;
mod digest;
mod facts;
mod generate;
mod manifest;
mod notify;

/// modelpulse — the health of production AI systems, from Parquet snapshots, without a backend.
#[derive(Debug, Parser)]
#[command(name = "modelpulse", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Evaluate alert rules on the latest day and notify Slack / PagerDuty / webhooks
    /// (exit 0: nothing firing, 1: something firing, 2: error).
    Alerts(alerts::AlertsArgs),
    /// Write the dashboard's Plotly figures as JSON (one file per chart, plus charts.json).
    Charts(charts::ChartsArgs),
    /// The daily digest (HTML, Markdown or text) on standard output, or e-mailed over SMTP.
    Digest(digest::DigestArgs),
    /// Compute dashboard_facts or conversion_facts from the snapshots.
    Facts(facts::FactsArgs),
    /// Write deterministic demo snapshots.
    Generate(generate::GenerateArgs),
    /// Write DIR/manifest.json listing the Parquet parts in DIR (rows, bytes, dates, sha256).
    Manifest(manifest::ManifestArgs),
}

/// Runs the CLI; errors print one line to stderr and exit with status 2.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Alerts(a) => alerts::run(a),
        Command::Digest(a) => digest::run(a),
        Command::Charts(a) => charts::run(a),
        Command::Facts(a) => facts::run(a),
        Command::Generate(a) => generate::run(a),
        Command::Manifest(a) => manifest::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("modelpulse: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Loads the snapshots of `dir` (`raw_llm_events.parquet` required; the support and conversion
/// files may be absent and then read as empty tables, with a note on stderr). A folder of
/// published facts instead (`dashboard_facts.parquet`, optionally `conversion_facts.parquet`, as
/// the dbt models in `warehouse/` publish them) is read as such when it has no raw LLM events
/// (see `modelpulse::precomputed` for what combined totals can be derived). Errors name the
/// file's full path and the problem.
pub(crate) fn load_dir(dir: &std::path::Path) -> anyhow::Result<modelpulse::Dataset> {
    use anyhow::Context as _;
    use modelpulse::contract::Table;
    use modelpulse::precomputed::FactsTable;
    if !dir.is_dir() {
        anyhow::bail!("{}: not a folder", dir.display());
    }
    let mut ds = modelpulse::Dataset::new();
    let read = |path: &std::path::Path| std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()));
    let published = dir.join(FactsTable::Dashboard.file_name());
    if !dir.join(Table::LlmEvents.file_name()).exists() && published.exists() {
        for table in [FactsTable::Dashboard, FactsTable::Conversion] {
            let path = dir.join(table.file_name());
            if table == FactsTable::Conversion && !path.exists() {
                continue;
            }
            ds.load_facts(table, &path.display().to_string(), read(&path)?.into()).map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        eprintln!("modelpulse: note: {} has published facts, no raw LLM events: combined percentiles and accuracy are not available", dir.display());
    }
    for table in Table::ALL {
        let path = dir.join(table.file_name());
        let covered = match table {
            Table::LlmEvents | Table::SupportEvents => ds.uses_precomputed_facts(),
            Table::ConversionEvents => dir.join(FactsTable::Conversion.file_name()).exists() && ds.uses_precomputed_facts(),
        };
        if covered && !path.exists() {
            continue;
        }
        if !path.exists() && table != Table::LlmEvents {
            eprintln!("modelpulse: note: {} not found; {} is empty", path.display(), table.name());
            continue;
        }
        // The LoadError message starts with the name given here: the full path.
        ds.load(table, &path.display().to_string(), read(&path)?.into()).map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(ds)
}
