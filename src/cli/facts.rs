//! `modelpulse facts` — compute `dashboard_facts` or `conversion_facts` from the snapshots and
//! print them (CSV by default, as the spec's "Numbers in text output"), or write JSON / Parquet.
//!
//! Only the files the chosen table needs are read: `dashboard_facts` reads the LLM and support
//! snapshots, `conversion_facts` the conversion snapshot. Errors are one line naming the file and
//! the problem (exit status 2 from `cli::main`).
//!
//! `--from`/`--to` keep the facts rows whose event_date is in the range. A snapshot given as an
//! `http(s)://` URL (or `--data` a folder URL) is fetched: by range requests when the server
//! supports them — the footer, then only the needed columns of the row groups that can hold the
//! events the range's facts depend on ([`http`], `modelpulse::load::ranges`) — else whole.

mod http;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use modelpulse::contract::Table;
use modelpulse::load::ranges::Window;
use modelpulse::{Dataset, Query, facts};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Which fact table to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum FactsTable {
    DashboardFacts,
    ConversionFacts,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
    Parquet,
}

#[derive(Debug, clap::Args)]
pub struct FactsArgs {
    /// Folder holding raw_llm_events.parquet, raw_support_events.parquet, raw_conversion_events.parquet
    /// — or an http(s):// URL of such a folder (read with range requests when the server allows).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// The LLM events snapshot (default: DATA/raw_llm_events.parquet).
    #[arg(long)]
    pub llm: Option<PathBuf>,
    /// The support events snapshot (default: DATA/raw_support_events.parquet).
    #[arg(long)]
    pub support: Option<PathBuf>,
    /// The conversion events snapshot (default: DATA/raw_conversion_events.parquet).
    #[arg(long)]
    pub conversion: Option<PathBuf>,
    /// Which facts to compute.
    #[arg(long, value_enum, default_value = "dashboard_facts")]
    pub table: FactsTable,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// Write to FILE instead of standard output (required for parquet).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the load report (rows read, dropped, unmatched tickets) to standard error.
    #[arg(long)]
    pub report: bool,
    /// A manifest.json listing each table's Parquet parts (docs/manifest.md), read instead of
    /// single files; each part's size and sha256 are checked. With --data DIR, DIR/manifest.json
    /// is used when DIR holds none of the needed single files.
    #[arg(long, conflicts_with_all = ["data", "llm", "support", "conversion"])]
    pub manifest: Option<PathBuf>,
    /// Keep the facts rows with event_date on or after this UTC date (YYYY-MM-DD). The rolling
    /// accuracy and ticket attribution still look at earlier events.
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Keep the facts rows with event_date on or before this UTC date (YYYY-MM-DD).
    #[arg(long)]
    pub to: Option<NaiveDate>,
}

/// The path of `table`'s snapshot: named individually, or inside `--data`.
fn snapshot_path(args: &FactsArgs, table: Table) -> anyhow::Result<PathBuf> {
    let named = match table {
        Table::LlmEvents => &args.llm,
        Table::SupportEvents => &args.support,
        Table::ConversionEvents => &args.conversion,
    };
    match (named, &args.data) {
        (Some(p), _) => Ok(p.clone()),
        (None, Some(dir)) if http::is_url(&dir.to_string_lossy()) => {
            Ok(PathBuf::from(http::join(&dir.to_string_lossy(), table.file_name())))
        }
        (None, Some(dir)) => Ok(dir.join(table.file_name())),
        (None, None) => bail!(
            "no {} snapshot: pass --data DIR or --{} FILE",
            table.name(),
            match table {
                Table::LlmEvents => "llm",
                Table::SupportEvents => "support",
                Table::ConversionEvents => "conversion",
            }
        ),
    }
}

/// Reads `path` whole (the core decodes from memory, as the page does).
fn read(path: &Path) -> anyhow::Result<bytes::Bytes> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    Ok(bytes::Bytes::from(bytes))
}

/// Runs `modelpulse facts`.
pub fn run(args: FactsArgs) -> anyhow::Result<ExitCode> {
    let tables: &[Table] = match args.table {
        FactsTable::DashboardFacts => &[Table::LlmEvents, Table::SupportEvents],
        FactsTable::ConversionFacts => &[Table::ConversionEvents],
    };
    if args.format == Format::Parquet && args.out.is_none() {
        bail!("--format parquet needs --out FILE");
    }
    if let (Some(f), Some(t)) = (args.from, args.to)
        && f > t
    {
        bail!("--from {f} is after --to {t}");
    }
    let manifest = args.manifest.clone().or_else(|| {
        let dir = args.data.as_ref()?;
        let m = dir.join(modelpulse::manifest::MANIFEST_FILE);
        (m.is_file() && !tables.iter().any(|t| dir.join(t.file_name()).exists())).then_some(m)
    });
    let mut ds = Dataset::new();
    if let Some(m) = manifest {
        super::manifest::load_tables(&mut ds, &m, tables)?;
    } else {
        let paths = tables.iter().map(|&t| snapshot_path(&args, t)).collect::<anyhow::Result<Vec<_>>>()?;
        let is_url = |p: &PathBuf| http::is_url(&p.to_string_lossy());
        let local: Vec<PathBuf> = paths.iter().filter(|p| !is_url(p)).cloned().collect();
        let mut files = read_all(&local)?.into_iter();
        let client = http::Client::new(std::time::Duration::from_secs(120));
        for (&table, path) in tables.iter().zip(&paths) {
            if is_url(path) {
                let url = path.to_string_lossy();
                let window = Window::for_query(table, args.from, args.to);
                let f = client.load(&mut ds, table, &url, window)?;
                if args.report {
                    let how = if f.ranged {
                        format!("range reads, {} of {} row groups", f.row_groups.0, f.row_groups.1)
                    } else {
                        "full GET: the server does not support ranges".to_string()
                    };
                    eprintln!("{url}: fetched {} of {} bytes in {} requests ({how})", f.bytes, f.file_len, f.requests);
                }
            } else {
                let bytes = files.next().expect("one read per local path");
                ds.load(table, &path.display().to_string(), bytes)?;
            }
        }
    }
    if args.report {
        for t in ds.report().tables {
            eprintln!(
                "{}: {} rows read, {} dropped (null created_at), {} unmatched tickets",
                t.file, t.rows_read, t.rows_dropped, t.unmatched_tickets
            );
        }
    }
    let q = Query { providers: None, from: args.from, to: args.to };
    let out: Vec<u8> = match (args.table, args.format) {
        (FactsTable::DashboardFacts, Format::Csv) => facts::dashboard_csv(&ds.dashboard_facts(&q)).into_bytes(),
        (FactsTable::ConversionFacts, Format::Csv) => facts::conversion_csv(&ds.conversion_facts(&q)).into_bytes(),
        (FactsTable::DashboardFacts, Format::Json) => facts::dashboard_json(&ds.dashboard_facts(&q)).into_bytes(),
        (FactsTable::ConversionFacts, Format::Json) => facts::conversion_json(&ds.conversion_facts(&q)).into_bytes(),
        (FactsTable::DashboardFacts, Format::Parquet) => facts::dashboard_parquet(&ds.dashboard_facts(&q))?,
        (FactsTable::ConversionFacts, Format::Parquet) => facts::conversion_parquet(&ds.conversion_facts(&q))?,
    };
    match &args.out {
        Some(p) => std::fs::write(p, &out).with_context(|| format!("{}: cannot write", p.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (e.g. `| head`) is not an error worth a message.
            if let Err(e) = stdout.write_all(&out).and_then(|_| stdout.flush())
                && e.kind() != std::io::ErrorKind::BrokenPipe
            {
                return Err(e).context("cannot write to standard output");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads the files, in parallel when there are several. When several fail, the error reported is
/// the first in `paths` order, so the message does not depend on which thread finished first.
fn read_all(paths: &[PathBuf]) -> anyhow::Result<Vec<bytes::Bytes>> {
    use rayon::prelude::*;
    let results: Vec<anyhow::Result<bytes::Bytes>> = paths.par_iter().map(|p| read(p)).collect();
    results.into_iter().collect()
}
