//! `modelpulse alerts` — evaluate the rules on the latest day and notify what starts or ends.
//!
//! Exit status: 0 nothing firing, 1 something firing, 2 error (bad input, or a notification that
//! could not be delivered; it stays owed in the state file and is retried on the next run).
//!
//! ## The state file (`--state FILE`, JSON)
//! It records, per incident (`dedup_key` = rule + scope), which channels have been told that it
//! fires. A run reconciles it with the evaluation:
//! - firing now → every channel of the rule not yet told gets a `trigger`;
//! - not firing now, but recorded → every channel told gets a `resolve`; the incident is forgotten
//!   once all of them have it.
//!
//! A channel is recorded as told only after its request succeeded, and the file is rewritten
//! atomically (temporary file + rename) after each success, so a crash or a failed request never
//! loses a notification: it is simply sent on the next run. Without `--state`, every run notifies
//! everything that fires (and everything that resolved on the evaluated day).

use super::notify::{self, Action, Event, Sender};
use anyhow::{Context, bail};
use chrono::NaiveDate;
use modelpulse::alerts::{self, Evaluation, Rules, State};
use modelpulse::narrative::fmt_metric;
use modelpulse::i18n::Lang;
use modelpulse::{Dataset, Query};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct AlertsArgs {
    /// Folder holding raw_llm_events.parquet (required), raw_support_events.parquet and
    /// raw_conversion_events.parquet (optional).
    #[arg(long)]
    pub data: PathBuf,
    /// The rules file (see docs/alerts.md; the shipped example is alerts.toml).
    #[arg(long)]
    pub rules: PathBuf,
    /// State file (JSON) that makes repeated runs notify each incident once at start and once at
    /// resolve; created if missing.
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Evaluate and print, including the payloads, but send nothing and leave the state alone.
    #[arg(long)]
    pub dry_run: bool,
    /// Evaluate as of this UTC day (YYYY-MM-DD): data after it is ignored. Default: the last day.
    #[arg(long)]
    pub date: Option<NaiveDate>,
    /// Per-request timeout in seconds (overrides [notify] timeout_secs).
    #[arg(long)]
    pub timeout: Option<f64>,
    /// Retries on timeouts / 5xx (overrides [notify] retries).
    #[arg(long)]
    pub retries: Option<u32>,
}

use super::load_dir;

/// Reads and validates a rules file; errors name the file, the rule and the field.
pub(super) fn read_rules(path: &Path) -> anyhow::Result<Rules> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}: cannot read", path.display()))?;
    Rules::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Evaluates `rules` over the dataset's facts up to `date` (inclusive; `None` = all).
pub(super) fn evaluate_dir(ds: &Dataset, rules: &Rules, date: Option<NaiveDate>) -> Evaluation {
    let q = Query { providers: None, from: None, to: date };
    alerts::evaluate(rules, &ds.dashboard_facts(&q), &ds.daily_totals(&q))
}

/// Per channel: has it been told the incident fires?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Told {
    Triggered,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Incident {
    rule: String,
    scope: String,
    since: Option<NaiveDate>,
    /// Firing on the last evaluated day.
    firing: bool,
    /// Channels told that it fires (and not yet told that it resolved).
    channels: BTreeMap<String, Told>,
    /// The last evaluated day.
    updated: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct StateFile {
    version: u32,
    incidents: BTreeMap<String, Incident>,
}

fn read_state(path: &Path) -> anyhow::Result<StateFile> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let s: StateFile = serde_json::from_str(&text)
                .with_context(|| format!("{}: not a modelpulse alerts state file", path.display()))?;
            if s.version != 1 {
                bail!("{}: unsupported state version {}", path.display(), s.version);
            }
            Ok(s)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(StateFile { version: 1, ..StateFile::default() }),
        Err(e) => Err(e).with_context(|| format!("{}: cannot read", path.display())),
    }
}

/// Writes the state atomically: a temporary file beside it, flushed, then renamed over it.
fn write_state(path: &Path, state: &StateFile) -> anyhow::Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "state".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let text = serde_json::to_string_pretty(state)? + "\n";
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("{}: cannot write the state file", path.display()))
}

/// Takes the exclusive lock of `FILE.lock` beside the state file; fails at once if another run
/// holds it.
fn lock_state(path: &Path) -> anyhow::Result<std::fs::File> {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    let lock_path = PathBuf::from(name);
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("{}: cannot open the lock file", lock_path.display()))?;
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(std::fs::TryLockError::WouldBlock) => {
            bail!("{}: another `modelpulse alerts` run is using this state file", path.display())
        }
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("{}: cannot lock", lock_path.display()))
        }
    }
}

/// One notification to make.
struct Job<'a> {
    channel: String,
    event: Event<'a>,
}

pub fn run(args: AlertsArgs) -> anyhow::Result<ExitCode> {
    let rules = read_rules(&args.rules)?;
    let ds = load_dir(&args.data)?;
    let ev = evaluate_dir(&ds, &rules, args.date);
    let Some(date) = ev.last_date else {
        println!("no data up to the evaluated day: nothing to evaluate");
        return Ok(ExitCode::SUCCESS);
    };
    if let Some(d) = args.date
        && d > date
    {
        eprintln!("modelpulse: note: no data after {date}; evaluating {date}");
    }

    // What the evaluation says.
    let count = |st: State| ev.series.iter().filter(|s| s.latest == st).count();
    println!(
        "as of {date}: {} rules, {} series: {} firing, {} pending, {} resolved",
        rules.rules.len(),
        ev.series.len(),
        count(State::Firing),
        count(State::Pending),
        count(State::Resolved)
    );
    for s in ev.series.iter().filter(|s| s.latest != State::Ok) {
        let value = s.latest_value.map(|v| fmt_metric(Lang::En, s.metric, v)).unwrap_or_else(|| "no data".into());
        let since = s.since.map(|d| format!(" since {d}")).unwrap_or_default();
        println!(
            "{:<8} {} [{}]: {} = {value} (rule {}, {}){since}",
            s.latest.name().to_uppercase(),
            s.rule,
            s.scope,
            s.metric.name(),
            s.condition,
            s.severity.name()
        );
    }
    let firing_any = count(State::Firing) > 0;

    let rule_of = |name: &str| rules.rules.iter().find(|r| r.name == name);
    let base_url = |r: &modelpulse::alerts::Rule| r.dashboard_url.clone().or_else(|| rules.dashboard_url.clone());

    // What to send.
    // One run at a time per state file (an overlapping cron run would notify twice): an advisory
    // lock on FILE.lock, released by the OS when this process ends, however it ends.
    let _lock = match (&args.state, args.dry_run) {
        (Some(p), false) => Some(lock_state(p)?),
        _ => None,
    };
    let mut state = match &args.state {
        Some(p) => read_state(p)?,
        None => StateFile { version: 1, ..StateFile::default() },
    };
    let mut jobs: Vec<Job> = Vec::new();
    for s in &ev.series {
        let Some(rule) = rule_of(&s.rule) else { continue };
        let url = base_url(rule);
        if args.state.is_some() {
            let recorded = state.incidents.get(&s.dedup_key);
            if s.latest == State::Firing {
                let told = recorded.map(|i| &i.channels);
                for c in &rule.channels {
                    if told.is_none_or(|t| !t.contains_key(c)) {
                        jobs.push(Job { channel: c.clone(), event: Event::new(Action::Trigger, rule, s, date, url.as_deref()) });
                    }
                }
            } else if let Some(inc) = recorded {
                for c in inc.channels.keys() {
                    jobs.push(Job { channel: c.clone(), event: Event::new(Action::Resolve, rule, s, date, url.as_deref()) });
                }
            }
        } else {
            let action = match s.latest {
                State::Firing => Action::Trigger,
                State::Resolved => Action::Resolve,
                _ => continue,
            };
            for c in &rule.channels {
                jobs.push(Job { channel: c.clone(), event: Event::new(action, rule, s, date, url.as_deref()) });
            }
        }
    }
    // Recorded incidents whose series no longer exists (rule removed or renamed, provider gone):
    // they are over; tell the channels that were told they fire.
    let orphans: Vec<(String, Incident)> = state
        .incidents
        .iter()
        .filter(|(k, _)| !ev.series.iter().any(|s| &s.dedup_key == *k))
        .map(|(k, i)| (k.clone(), i.clone()))
        .collect();

    let timeout = args.timeout.unwrap_or(rules.notify.timeout_secs);
    if !(timeout > 0.0 && timeout.is_finite()) {
        bail!("--timeout must be a positive number of seconds");
    }
    let sender = Sender::new(
        Duration::from_secs_f64(timeout),
        args.retries.unwrap_or(rules.notify.retries),
        Duration::from_millis(rules.notify.backoff_ms),
    );
    let env = |k: &str| std::env::var(k).ok();
    let mut failures = 0usize;

    // Mark the evaluation in the state: incidents firing now exist (and are firing), the others not.
    if args.state.is_some() && !args.dry_run {
        for s in &ev.series {
            if s.latest == State::Firing {
                let inc = state.incidents.entry(s.dedup_key.clone()).or_insert_with(|| Incident {
                    rule: s.rule.clone(),
                    scope: s.scope.clone(),
                    since: s.since,
                    firing: true,
                    channels: BTreeMap::new(),
                    updated: Some(date),
                });
                inc.firing = true;
                inc.updated = Some(date);
                if inc.since.is_none() {
                    inc.since = s.since;
                }
            } else if let Some(inc) = state.incidents.get_mut(&s.dedup_key) {
                inc.firing = false;
                inc.updated = Some(date);
            }
        }
    }

    let send = |channel: &str, key: &str, action: Action, body_for: &dyn Fn(&notify::Target) -> serde_json::Value, label: &str| -> bool {
        let Some(ch) = rules.channels.get(channel) else {
            eprintln!("modelpulse: warning: channel \"{channel}\" is no longer configured; dropping its {} for {key}", action.name());
            return true;
        };
        let target = match notify::resolve_target(channel, ch, &env) {
            Ok(t) => t,
            Err(e) => {
                if args.dry_run {
                    // A dry run reports the missing secret but is not failed by it.
                    println!("would notify {channel}: {} {label} — but {e}", action.name());
                    return true;
                }
                eprintln!("modelpulse: error: {e}");
                return false;
            }
        };
        let body = body_for(&target);
        if args.dry_run {
            // The routing key is a secret: never printed.
            let mut shown = body.clone();
            if let Some(k) = shown.get_mut("routing_key") {
                *k = serde_json::json!("***");
            }
            println!("would notify {channel} ({}): {} {label}\n  {shown}", target.kind.name(), action.name());
            return true;
        }
        match sender.post_json(&target.url, &body) {
            Ok(sent) => {
                println!(
                    "notified {channel} ({}): {} {label} — HTTP {}, {} attempt{}",
                    target.kind.name(),
                    action.name(),
                    sent.status,
                    sent.attempts,
                    if sent.attempts == 1 { "" } else { "s" }
                );
                true
            }
            Err(f) => {
                eprintln!("modelpulse: error: notifying {channel} ({}): {} {label} failed: {}", target.kind.name(), action.name(), f.message);
                false
            }
        }
    };

    for job in &jobs {
        let key = job.event.dedup_key.to_string();
        let label = format!("{} [{}]", job.event.rule.name, job.event.scope);
        let ok = send(&job.channel, &key, job.event.action, &|t| notify::payload(t, &job.event), &label);
        if !ok {
            failures += 1;
            continue;
        }
        if let (Some(path), false) = (&args.state, args.dry_run) {
            if let Some(inc) = state.incidents.get_mut(&key) {
                match job.event.action {
                    Action::Trigger => {
                        inc.channels.insert(job.channel.clone(), Told::Triggered);
                    }
                    Action::Resolve => {
                        inc.channels.remove(&job.channel);
                    }
                }
            }
            write_state(path, &state)?;
        }
    }
    for (key, inc) in &orphans {
        for c in inc.channels.keys() {
            let body_for = |t: &notify::Target| -> serde_json::Value {
                match t.kind {
                    modelpulse::alerts::ChannelKind::Pagerduty => serde_json::json!({
                        "routing_key": t.routing_key, "event_action": "resolve", "dedup_key": key,
                    }),
                    modelpulse::alerts::ChannelKind::Slack => serde_json::json!({
                        "text": format!(":large_green_circle: RESOLVED {} [{}]: the rule or the scope no longer exists", inc.rule, inc.scope),
                    }),
                    modelpulse::alerts::ChannelKind::Webhook => serde_json::json!({
                        "source": "modelpulse", "event": "resolve", "status": "resolved", "dedup_key": key,
                        "rule": inc.rule, "scope": inc.scope, "date": date.to_string(),
                        "summary": "the rule or the scope no longer exists",
                    }),
                }
            };
            let label = format!("{} [{}] (no longer evaluated)", inc.rule, inc.scope);
            if send(c, key, Action::Resolve, &body_for, &label) {
                if let (Some(path), false) = (&args.state, args.dry_run) {
                    if let Some(i) = state.incidents.get_mut(key) {
                        i.channels.remove(c);
                    }
                    write_state(path, &state)?;
                }
            } else {
                failures += 1;
            }
        }
    }

    // Forget incidents that are over and fully resolved; keep the rest.
    if let (Some(path), false) = (&args.state, args.dry_run) {
        state.incidents.retain(|_, i| i.firing || !i.channels.is_empty());
        write_state(path, &state)?;
    }

    if failures > 0 {
        eprintln!("modelpulse: {failures} notification(s) not delivered; they will be retried on the next run");
        return Ok(ExitCode::from(2));
    }
    Ok(if firing_any { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_run_cannot_take_the_state_lock() {
        let dir = std::env::temp_dir().join(format!("mp-alerts-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        let held = lock_state(&path).unwrap();
        let e = lock_state(&path).unwrap_err();
        assert!(format!("{e:#}").contains("another `modelpulse alerts` run"), "{e:#}");
        drop(held);
        lock_state(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn state_round_trips_and_writes_atomically() {
        let dir = std::env::temp_dir().join(format!("mp-alerts-state-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        assert_eq!(read_state(&path).unwrap().incidents.len(), 0);
        let mut s = StateFile { version: 1, ..StateFile::default() };
        s.incidents.insert(
            "modelpulse/r/A".into(),
            Incident {
                rule: "r".into(),
                scope: "A".into(),
                since: NaiveDate::from_ymd_opt(2026, 1, 2),
                firing: true,
                channels: [("slack".to_string(), Told::Triggered)].into(),
                updated: NaiveDate::from_ymd_opt(2026, 1, 3),
            },
        );
        write_state(&path, &s).unwrap();
        assert_eq!(read_state(&path).unwrap(), s);
        let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().contains(".tmp-")).collect();
        assert!(leftovers.is_empty());
        std::fs::write(&path, "{not json").unwrap();
        let e = read_state(&path).unwrap_err();
        assert!(format!("{e:#}").contains("state.json"), "{e:#}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
