//! `modelpulse generate` — writes the three demo snapshots into a folder.
//!
//! Each file is written to a temporary name in the target folder and then renamed, so a reader
//! (or a concurrent page load from a static server) never sees a half-written snapshot.

use anyhow::Context;
use chrono::NaiveDate;
use modelpulse::generate::{self, GenerateOptions, Snapshots, WriteOptions};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod partitioned;

/// Options of `modelpulse generate`.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Output folder (created if missing). Receives raw_llm_events.parquet,
    /// raw_support_events.parquet and raw_conversion_events.parquet.
    #[arg(long)]
    pub out: PathBuf,
    /// Number of days of data, ending at --end.
    #[arg(long, default_value_t = generate::DEFAULT_DAYS)]
    pub days: u32,
    /// PRNG seed; the same options always give the same bytes.
    #[arg(long, default_value_t = generate::DEFAULT_SEED)]
    pub seed: u64,
    /// Mean LLM events per day (90 days × 11112 ≈ 1M events).
    #[arg(long, default_value_t = generate::DEFAULT_EVENTS_PER_DAY)]
    pub events_per_day: u32,
    /// Last day of data, YYYY-MM-DD (UTC). Default: today's UTC date.
    #[arg(long, value_parser = parse_date, conflicts_with = "follow")]
    pub end: Option<NaiveDate>,
    /// `daily`: write one part per table and UTC day (`raw_llm_events/dt=YYYY-MM-DD/part-0.parquet`,
    /// …) plus manifest.json, instead of three single files.
    #[arg(long, value_enum, default_value_t = Partition::None)]
    pub partition: Partition,
    /// Keep appending: history up to yesterday, today's rows so far, then every --every a new
    /// part with the rows created since, rewriting manifest.json atomically each time, until
    /// interrupted. Implies --partition daily.
    #[arg(long)]
    pub follow: bool,
    /// Interval between appends with --follow: 10s, 500ms, 2m, …
    #[arg(long, default_value = "10s", value_parser = partitioned::parse_every, requires = "follow")]
    pub every: std::time::Duration,
    /// With --follow: stop after this many appends (the first, at start, included).
    #[arg(long, requires = "follow", value_parser = clap::value_parser!(u64).range(1..))]
    pub iterations: Option<u64>,
    /// With --follow: mean LLM events per day of the live days (default: --events-per-day).
    /// 2200/day is ≈ 1 row every 40 s; 500000/day ≈ 60 rows per 10 s.
    #[arg(long, requires = "follow")]
    pub live_events_per_day: Option<u32>,
    /// At most this many rows per Parquet row group, in every file (also with --partition daily
    /// and --follow). Smaller groups let a reader that filters by date (the page's range reads)
    /// skip more of a file; the rows are the same whatever N is.
    #[arg(long, default_value_t = generate::ROW_GROUP_ROWS, value_parser = parse_rows)]
    pub row_group_rows: usize,
}

impl GenerateArgs {
    /// How the files are encoded.
    pub fn write_options(&self) -> WriteOptions {
        WriteOptions { row_group_rows: self.row_group_rows }
    }
}

/// How `generate` lays out the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Partition {
    /// Three single files `raw_<table>.parquet`.
    None,
    /// Hive-style day parts `raw_<table>/dt=YYYY-MM-DD/part-N.parquet` and manifest.json.
    Daily,
}

fn parse_rows(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        Ok(_) => Err("must be at least 1".into()),
        Err(e) => Err(format!("expected a row count ({e})")),
    }
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| format!("expected YYYY-MM-DD ({e})"))
}

/// Today's date in UTC, from the system clock.
fn today_utc() -> anyhow::Result<NaiveDate> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .context("system clock is before 1970")?
        .as_secs();
    chrono::DateTime::from_timestamp(secs as i64, 0)
        .map(|t| t.date_naive())
        .context("system clock out of range")
}

/// Generates the snapshots for `args`, writes them into `args.out`, and prints one line per file
/// (rows, size) and the planned story (incident and regression dates).
pub fn run(args: GenerateArgs) -> anyhow::Result<ExitCode> {
    if args.follow {
        return partitioned::run_follow(&args, args.every, args.iterations);
    }
    let end = match args.end {
        Some(d) => d,
        None => today_utc()?,
    };
    if args.partition == Partition::Daily {
        return partitioned::run_daily(&args, end);
    }
    let opts = GenerateOptions { days: args.days, seed: args.seed, events_per_day: args.events_per_day, end };
    let started = std::time::Instant::now();
    let snapshots = generate::generate_with(&opts, &args.write_options())?;
    let elapsed = started.elapsed();
    write_all(&args.out, &snapshots)?;

    for (table, bytes) in snapshots.files() {
        let rows = rows_in(bytes).with_context(|| format!("{}: reading back", table.file_name()))?;
        println!(
            "wrote {} ({rows} rows, {:.1} MB)",
            args.out.join(table.file_name()).display(),
            bytes.len() as f64 / 1e6
        );
    }
    let story = opts.story();
    println!("period: {} .. {} ({} days, seed {}), generated in {:.2?}", story.start, story.end, opts.days, opts.seed, elapsed);
    if let Some((a, b)) = story.incident {
        println!("story: {} latency incident {a} .. {b}", story.incident_provider);
    }
    if let Some(r) = story.regression_from {
        println!(
            "story: {} switches {} -> {} on {r} (accuracy regression)",
            story.regression_provider, story.model_before, story.model_after
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the three files into `dir` (created if missing): temp name, then rename.
fn write_all(dir: &Path, snapshots: &Snapshots) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create folder", dir.display()))?;
    for (table, bytes) in snapshots.files() {
        let path = dir.join(table.file_name());
        let tmp = dir.join(format!(".{}.tmp-{}", table.file_name(), std::process::id()));
        std::fs::write(&tmp, bytes).with_context(|| format!("{}: cannot write", tmp.display()))?;
        if let Err(e) = std::fs::rename(&tmp, &path) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e).with_context(|| format!("{}: cannot replace", path.display()));
        }
    }
    Ok(())
}

/// Row count from the Parquet footer.
fn rows_in(bytes: &[u8]) -> anyhow::Result<i64> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let reader = SerializedFileReader::new(bytes::Bytes::copy_from_slice(bytes))?;
    Ok(reader.metadata().file_metadata().num_rows())
}
