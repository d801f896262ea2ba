//! Deterministic, realistic demo snapshots (the three Parquet files of the data contract).
//!
//! Pure: options in, Parquet bytes out — no clock, no file system, no OS randomness — so the
//! same code runs in the CLI (`modelpulse generate`) and in the page. The same
//! [`GenerateOptions`] always give the same bytes (see [`rng`] for why we own the PRNG).
//!
//! The data tells a story a dashboard should reveal (see [`Story`]):
//! - four providers with distinct latency, accuracy and token profiles, weekday traffic higher
//!   than weekends, sessions of 1–5 calls, ~72 % of calls unlabeled, a few unmeasured latencies;
//! - a latency incident: Google's daily p95 above 1200 ms for 3–4 consecutive days ending
//!   10 days before `end`, while every other provider stays under the budget every day;
//! - an accuracy regression: OpenAI swaps `gpt-4o` for `gpt-4o-mini` on one date, and its
//!   accuracy (daily and rolling 7-day) steps down from there;
//! - support tickets for a fraction of sessions (more after bad experiences), mostly resolved by
//!   the AI agent, some by humans, some open; revenue with some nulls; a few orphan tickets and
//!   duplicated rows;
//! - an upsell experiment with a positive but noisy uplift (control ≈ 8 %, treatment ≈ 10 %).

mod conversion;
mod llm;
mod partition;
mod profile;
mod rng;
mod support;
mod write;

use crate::contract::Table;
pub use partition::{DayPart, LiveDay, generate_partitioned, generate_partitioned_with, part_path};
pub use write::{ROW_GROUP_ROWS, WriteOptions};
use chrono::{Days, NaiveDate};

/// Default number of days (`--days`).
pub const DEFAULT_DAYS: u32 = 90;
/// Default seed (`--seed`).
pub const DEFAULT_SEED: u64 = 42;
/// Default mean LLM events per day: with [`DEFAULT_DAYS`] this is ≈ 200k events, a page that
/// loads fast. `--days 90 --events-per-day 11112` gives ≈ 1M events for benchmarks.
pub const DEFAULT_EVENTS_PER_DAY: u32 = 2_200;
/// Upper bound on `days` (ten years).
pub const MAX_DAYS: u32 = 3_660;
/// Upper bound on `days × events_per_day` (keeps memory in check).
pub const MAX_TOTAL_EVENTS: u64 = 50_000_000;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    /// Number of calendar days, ending at `end` (inclusive). 1..=[`MAX_DAYS`].
    pub days: u32,
    /// PRNG seed: same options → same bytes.
    pub seed: u64,
    /// Mean LLM events per day over the period (weekdays above, weekends below). ≥ 1.
    pub events_per_day: u32,
    /// The last day of data (UTC).
    pub end: NaiveDate,
}

impl GenerateOptions {
    /// The defaults ([`DEFAULT_DAYS`], [`DEFAULT_SEED`], [`DEFAULT_EVENTS_PER_DAY`]) ending at `end`
    /// (the core has no clock; the CLI passes today's UTC date).
    pub fn new(end: NaiveDate) -> Self {
        GenerateOptions { days: DEFAULT_DAYS, seed: DEFAULT_SEED, events_per_day: DEFAULT_EVENTS_PER_DAY, end }
    }

    /// Checks the options; the error says which option is wrong and why.
    pub fn validate(&self) -> Result<(), GenerateError> {
        let bad = |m: String| Err(GenerateError::InvalidOptions(m));
        if self.days == 0 || self.days > MAX_DAYS {
            return bad(format!("days must be between 1 and {MAX_DAYS}, got {}", self.days));
        }
        if self.events_per_day == 0 {
            return bad("events per day must be at least 1".into());
        }
        let total = self.days as u64 * self.events_per_day as u64;
        if total > MAX_TOTAL_EVENTS {
            return bad(format!(
                "days × events per day = {total} exceeds the limit of {MAX_TOTAL_EVENTS} events"
            ));
        }
        if self.start().is_none() || self.end.checked_add_days(Days::new(1)).is_none() {
            return bad(format!("end date {} with {} days is out of range", self.end, self.days));
        }
        Ok(())
    }

    /// The first day of data, `end − (days − 1)`; `None` if out of the calendar's range.
    pub fn start(&self) -> Option<NaiveDate> {
        self.end.checked_sub_days(Days::new(self.days.saturating_sub(1) as u64))
    }

    /// Where the story's events fall for these options.
    pub fn story(&self) -> Story {
        Story::plan(self)
    }
}

/// The planned story: which provider has the incident and when, which regresses and from when.
/// With fewer than 14 days there is no room for either (`incident` and `regression_from` are
/// `None`); otherwise both fall inside `start..=end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Story {
    /// First day of data.
    pub start: NaiveDate,
    /// Last day of data.
    pub end: NaiveDate,
    /// The provider whose p95 latency exceeds 1200 ms during the incident.
    pub incident_provider: &'static str,
    /// First and last day (inclusive) of the incident: 3 or 4 days (depends on the seed), ending
    /// 10 days before `end` (3 days before when `days` < 21).
    pub incident: Option<(NaiveDate, NaiveDate)>,
    /// The provider whose accuracy regresses.
    pub regression_provider: &'static str,
    /// The primary model before the change …
    pub model_before: &'static str,
    /// … and from `regression_from` on.
    pub model_after: &'static str,
    /// The day the model changes: 30 days before `end` (`days / 2` before when `days` < 60).
    pub regression_from: Option<NaiveDate>,
}

impl Story {
    fn plan(opts: &GenerateOptions) -> Story {
        let start = opts.start().unwrap_or(opts.end);
        let days = opts.days;
        let (incident, regression_from) = if days >= 14 {
            let len = 3 + (rng::mix64(opts.seed ^ 0x01C1_DE17) & 1);
            let last = opts.end - Days::new(if days >= 21 { 10 } else { 3 });
            let first = last - Days::new(len - 1);
            let reg = opts.end - Days::new(30.min(days as u64 / 2));
            (Some((first, last)), Some(reg))
        } else {
            (None, None)
        };
        Story {
            start,
            end: opts.end,
            incident_provider: profile::PROVIDERS[profile::INCIDENT_PROVIDER].name,
            incident,
            regression_provider: profile::PROVIDERS[profile::REGRESSION_PROVIDER].name,
            model_before: profile::PROVIDERS[profile::REGRESSION_PROVIDER].models[0].name,
            model_after: profile::REGRESSED_MODEL.name,
            regression_from,
        }
    }

    /// Day number within the incident (0-based) and its length, if `date` is an incident day.
    fn incident_day(&self, date: NaiveDate) -> Option<(u32, u32)> {
        let (a, b) = self.incident?;
        (a <= date && date <= b)
            .then(|| ((date - a).num_days() as u32, (b - a).num_days() as u32 + 1))
    }

    /// Whether the regression provider runs the regressed model on `date`.
    fn regressed(&self, date: NaiveDate) -> bool {
        self.regression_from.is_some_and(|r| date >= r)
    }
}

/// The three snapshots, each a complete ZSTD-compressed Parquet file, rows sorted by `created_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshots {
    /// `raw_llm_events.parquet`
    pub llm: Vec<u8>,
    /// `raw_support_events.parquet`
    pub support: Vec<u8>,
    /// `raw_conversion_events.parquet`
    pub conversion: Vec<u8>,
}

impl Snapshots {
    /// Each file with its table (whose [`Table::file_name`] is the file's name), in load order.
    pub fn files(&self) -> [(Table, &[u8]); 3] {
        [
            (Table::LlmEvents, &self.llm),
            (Table::SupportEvents, &self.support),
            (Table::ConversionEvents, &self.conversion),
        ]
    }
}

/// Why generation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenerateError {
    /// An option is out of range; the message names it.
    #[error("invalid options: {0}")]
    InvalidOptions(String),
    /// Building or encoding a table failed (a bug, not bad input); names the table.
    #[error("{table}: could not encode Parquet ({detail})")]
    Encode { table: &'static str, detail: String },
}

/// Generates the three snapshots for `opts`. Deterministic: same options → same bytes.
pub fn generate(opts: &GenerateOptions) -> Result<Snapshots, GenerateError> {
    generate_with(opts, &WriteOptions::default())
}

/// Like [`generate`], encoded with `write` (e.g. smaller row groups). The rows are the same
/// whatever `write` says; with the default `write` the bytes are [`generate`]'s.
pub fn generate_with(opts: &GenerateOptions, write: &WriteOptions) -> Result<Snapshots, GenerateError> {
    opts.validate()?;
    write.validate()?;
    let story = opts.story();
    let llm = llm::generate(opts, &story)?;
    let support = support::generate(opts, &story, &llm.sessions)?;
    let conversion = conversion::generate(opts)?;
    Ok(Snapshots {
        llm: write::parquet(Table::LlmEvents, &llm.batch, write)?,
        support: write::parquet(Table::SupportEvents, &support, write)?,
        conversion: write::parquet(Table::ConversionEvents, &conversion, write)?,
    })
}

/// The calendar days of the period with their 0-based index.
fn dates(opts: &GenerateOptions) -> impl Iterator<Item = (u32, NaiveDate)> {
    let start = opts.start().expect("validated");
    (0..opts.days).map(move |i| (i, start + Days::new(i as u64)))
}

/// Mean-adjusted daily volume: `base` × growth trend × weekly seasonality × ±5 % noise.
fn daily_volume(base: f64, day_index: u32, days: u32, date: NaiveDate, rng: &mut rng::Rng) -> f64 {
    base * profile::trend_factor(day_index, days) * profile::weekday_factor(date) * rng::exp(0.05 * rng.normal())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(days: u32) -> GenerateOptions {
        GenerateOptions { days, seed: 7, events_per_day: 50, end: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap() }
    }

    #[test]
    fn invalid_options_are_refused_with_a_reason() {
        let mut o = opts(0);
        assert!(generate(&o).unwrap_err().to_string().contains("days"));
        o.days = 10;
        o.events_per_day = 0;
        assert!(generate(&o).unwrap_err().to_string().contains("events per day"));
        o.events_per_day = u32::MAX;
        o.days = 3000;
        assert!(generate(&o).unwrap_err().to_string().contains("exceeds"));
        let o = GenerateOptions { days: 10, seed: 0, events_per_day: 10, end: NaiveDate::MIN };
        assert!(generate(&o).unwrap_err().to_string().contains("out of range"));
    }

    #[test]
    fn story_fits_inside_the_period() {
        for days in [14, 20, 21, 30, 59, 60, 90, 365] {
            for seed in 0..4 {
                let o = GenerateOptions { seed, ..opts(days) };
                let s = o.story();
                assert_eq!(s.start, o.start().unwrap());
                let (a, b) = s.incident.unwrap();
                let len = (b - a).num_days() + 1;
                assert!((3..=4).contains(&len), "len {len}");
                assert!(a >= s.start && b <= s.end);
                let r = s.regression_from.unwrap();
                assert!(r > s.start && r <= s.end, "days {days}: {r}");
            }
        }
        let s = opts(90).story();
        assert_eq!(s.incident.unwrap().1, s.end - Days::new(10));
        assert_eq!(s.regression_from.unwrap(), s.end - Days::new(30));
        assert!(opts(13).story().incident.is_none());
    }

    #[test]
    fn tiny_periods_still_generate() {
        for days in [1, 2, 13] {
            let s = generate(&GenerateOptions { events_per_day: 1, ..opts(days) }).unwrap();
            for (_, bytes) in s.files() {
                assert_eq!(&bytes[..4], b"PAR1");
            }
        }
    }
}
