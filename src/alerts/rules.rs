//! The rules file: TOML text → validated [`Rules`].
//!
//! The format is documented, with every field and its default, in `docs/alerts.md`; the shipped
//! example is `alerts.toml` at the repository root. In short:
//!
//! ```toml
//! dashboard_url = "https://dash.example.com/"   # optional; links in notifications
//!
//! [[rule]]
//! name = "latency_p95_budget"        # required, unique
//! metric = "latency_p95_ms"          # a numeric dashboard_facts column, or "cost_usd"
//! op = ">"                           # ">", ">=", "<", "<="
//! threshold = 1200
//! recovery_threshold = 1100          # optional hysteresis
//! scope = "each"                     # "each" (default) | "all"; or provider = "OpenAI"
//! for_days = 2                       # default 1
//! no_data = "keep_state"             # default; "ok" | "alerting"
//! severity = "critical"              # default "warning"; "critical" | "error" | "warning" | "info"
//! channels = ["slack", "pagerduty"]  # names of [channels.*] entries or the built-ins
//! ```
//!
//! Unknown fields are refused everywhere (a misspelt `thresold` is an error, not a silently
//! ignored line), and every error names the rule (or section) and the field.

use crate::charts::Price;
use crate::facts::DashboardFact;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why a rules file was refused. `Display` is one line naming the rule (or section) and the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RulesError {
    /// The text is not valid TOML (the message has the line and column).
    #[error("invalid TOML: {0}")]
    Toml(String),
    /// A rule has a bad or missing field. `rule` is its name, or `#N` (1-based) when it has none.
    #[error("rule \"{rule}\": field \"{field}\": {problem}")]
    Rule { rule: String, field: String, problem: String },
    /// A top-level section (`channels.NAME`, `prices.NAME`, `notify`, …) has a bad field.
    #[error("{section}: {problem}")]
    Section { section: String, problem: String },
}

/// A comparison between a metric value and a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
}

impl Op {
    /// Parses `>`, `>=`, `<`, `<=`.
    pub fn parse(s: &str) -> Option<Op> {
        match s {
            ">" => Some(Op::Gt),
            ">=" => Some(Op::Ge),
            "<" => Some(Op::Lt),
            "<=" => Some(Op::Le),
            _ => None,
        }
    }
    /// The operator as written in the rules file.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
        }
    }
    /// `value OP threshold`. NaN never holds.
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Op::Gt => value > threshold,
            Op::Ge => value >= threshold,
            Op::Lt => value < threshold,
            Op::Le => value <= threshold,
        }
    }
    /// True for `>` and `>=` (the alert is about values going up).
    pub fn is_upper(self) -> bool {
        matches!(self, Op::Gt | Op::Ge)
    }
}

/// The value a rule watches: a numeric `dashboard_facts` column, or a derived one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Events,
    Sessions,
    AccuracyDaily,
    AccuracyRolling7d,
    LatencyP50Ms,
    LatencyP95Ms,
    TokensInput,
    TokensOutput,
    TokensTotal,
    Tickets,
    TicketsResolvedByAgent,
    ResolutionRate,
    RevenueFromAi,
    /// Derived: `tokens_input × input_per_1m / 1e6 + tokens_output × output_per_1m / 1e6` with the
    /// provider's `[prices.NAME]`; no value (no data) for a provider without a price. For the `all`
    /// scope, the sum of the day's per-provider costs (no value if any of them has no price).
    CostUsd,
}

impl Metric {
    /// Every metric, in the order of the `dashboard_facts` columns, derived ones last.
    pub const ALL: [Metric; 14] = [
        Metric::Events,
        Metric::Sessions,
        Metric::AccuracyDaily,
        Metric::AccuracyRolling7d,
        Metric::LatencyP50Ms,
        Metric::LatencyP95Ms,
        Metric::TokensInput,
        Metric::TokensOutput,
        Metric::TokensTotal,
        Metric::Tickets,
        Metric::TicketsResolvedByAgent,
        Metric::ResolutionRate,
        Metric::RevenueFromAi,
        Metric::CostUsd,
    ];

    /// The name used in the rules file (the column name for columns).
    pub fn name(self) -> &'static str {
        match self {
            Metric::Events => "events",
            Metric::Sessions => "sessions",
            Metric::AccuracyDaily => "accuracy_daily",
            Metric::AccuracyRolling7d => "accuracy_rolling_7d",
            Metric::LatencyP50Ms => "latency_p50_ms",
            Metric::LatencyP95Ms => "latency_p95_ms",
            Metric::TokensInput => "tokens_input",
            Metric::TokensOutput => "tokens_output",
            Metric::TokensTotal => "tokens_total",
            Metric::Tickets => "tickets",
            Metric::TicketsResolvedByAgent => "tickets_resolved_by_agent",
            Metric::ResolutionRate => "resolution_rate",
            Metric::RevenueFromAi => "revenue_from_ai",
            Metric::CostUsd => "cost_usd",
        }
    }

    /// Parses a metric name as written in the rules file.
    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == s)
    }

    /// True for metrics that are ratios in 0..1 (shown as percentages).
    pub fn is_ratio(self) -> bool {
        matches!(self, Metric::AccuracyDaily | Metric::AccuracyRolling7d | Metric::ResolutionRate)
    }

    /// The metric's value in one fact row; `None` when the column is null, or for `cost_usd` when
    /// `price` is `None`.
    pub fn value(self, f: &DashboardFact, price: Option<&Price>) -> Option<f64> {
        match self {
            Metric::Events => Some(f.events as f64),
            Metric::Sessions => Some(f.sessions as f64),
            Metric::AccuracyDaily => f.accuracy_daily,
            Metric::AccuracyRolling7d => f.accuracy_rolling_7d,
            Metric::LatencyP50Ms => f.latency_p50_ms,
            Metric::LatencyP95Ms => f.latency_p95_ms,
            Metric::TokensInput => Some(f.tokens_input as f64),
            Metric::TokensOutput => Some(f.tokens_output as f64),
            Metric::TokensTotal => Some(f.tokens_total as f64),
            Metric::Tickets => Some(f.tickets as f64),
            Metric::TicketsResolvedByAgent => Some(f.tickets_resolved_by_agent as f64),
            Metric::ResolutionRate => f.resolution_rate,
            Metric::RevenueFromAi => Some(f.revenue_from_ai),
            Metric::CostUsd => price.map(|p| cost_usd(f, p)),
        }
    }
}

/// The cost of one fact row's tokens at `price` (USD).
pub fn cost_usd(f: &DashboardFact, price: &Price) -> f64 {
    price.cost(f)
}

/// Which series a rule watches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Every provider separately (one series, and one incident, per provider).
    Each,
    /// The providers combined (`Dataset::daily_totals`, provider `all`).
    All,
    /// One named provider (case-sensitive, as in the data).
    Provider(String),
}

/// What a day without a value (no row for the provider that day, or a null metric) does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoData {
    /// The state stays as it was (a pending count neither grows nor resets). The default.
    #[default]
    KeepState,
    /// Counts as a day within the limits (resets pending, resolves firing).
    Ok,
    /// Counts as a breaching day.
    Alerting,
}

/// Severity, with PagerDuty's four values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    #[default]
    Warning,
    Error,
    Critical,
}

impl Severity {
    /// `critical`, `error`, `warning` or `info`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Critical => "critical",
        }
    }
}

/// One validated rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// Unique name; with the scope, it makes the incident's identity (`dedup_key`).
    pub name: String,
    /// Optional human description, shown in notifications.
    pub description: Option<String>,
    pub metric: Metric,
    pub op: Op,
    pub threshold: f64,
    /// Hysteresis: once firing, the rule resolves only when `value op recovery_threshold` no
    /// longer holds. For `>`/`>=` it is ≤ `threshold`, for `<`/`<=` ≥ `threshold`. `None` =
    /// resolves as soon as `value op threshold` no longer holds.
    pub recovery_threshold: Option<f64>,
    pub scope: Scope,
    /// Consecutive breaching days before firing (≥ 1); the days before are `pending`.
    pub for_days: u32,
    pub no_data: NoData,
    pub severity: Severity,
    /// Names of the channels to notify (keys of [`Rules::channels`]).
    pub channels: Vec<String>,
    /// Dashboard link for this rule (overrides [`Rules::dashboard_url`]).
    pub dashboard_url: Option<String>,
}

impl Rule {
    /// True when `value` breaches (`value op threshold`).
    pub fn breaches(&self, value: f64) -> bool {
        self.op.holds(value, self.threshold)
    }
    /// True when a firing rule may resolve on `value` (`value op recovery` no longer holds, where
    /// recovery defaults to the threshold).
    pub fn clears(&self, value: f64) -> bool {
        !value.is_nan() && !self.op.holds(value, self.recovery_threshold.unwrap_or(self.threshold))
    }
    /// The rule as one line: `latency_p95_ms > 1200`.
    pub fn condition(&self) -> String {
        format!("{} {} {}", self.metric.name(), self.op.symbol(), self.threshold)
    }
}

/// How a channel delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// Slack incoming webhook (`url`; default env `MODELPULSE_SLACK_WEBHOOK_URL`).
    Slack,
    /// PagerDuty Events API v2 (`routing_key`; default env `MODELPULSE_PAGERDUTY_ROUTING_KEY`;
    /// `url` defaults to `https://events.pagerduty.com/v2/enqueue`).
    Pagerduty,
    /// Generic JSON POST (`url`; default env `MODELPULSE_WEBHOOK_URL`).
    Webhook,
}

impl ChannelKind {
    /// `slack`, `pagerduty` or `webhook`.
    pub fn name(self) -> &'static str {
        match self {
            ChannelKind::Slack => "slack",
            ChannelKind::Pagerduty => "pagerduty",
            ChannelKind::Webhook => "webhook",
        }
    }
    fn parse(s: &str) -> Option<ChannelKind> {
        match s {
            "slack" => Some(ChannelKind::Slack),
            "pagerduty" => Some(ChannelKind::Pagerduty),
            "webhook" => Some(ChannelKind::Webhook),
            _ => None,
        }
    }
    /// The environment variable read for the URL when the file gives neither `url` nor `url_env`.
    pub fn default_url_env(self) -> Option<&'static str> {
        match self {
            ChannelKind::Slack => Some("MODELPULSE_SLACK_WEBHOOK_URL"),
            ChannelKind::Pagerduty => None,
            ChannelKind::Webhook => Some("MODELPULSE_WEBHOOK_URL"),
        }
    }
    /// The default URL (PagerDuty's Events API v2 endpoint), if the kind has one.
    pub fn default_url(self) -> Option<&'static str> {
        match self {
            ChannelKind::Pagerduty => Some("https://events.pagerduty.com/v2/enqueue"),
            _ => None,
        }
    }
}

/// A notification channel as written in the file. Secrets may be given directly or, better, as
/// the name of an environment variable; the CLI resolves them (the core never reads the env).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Channel {
    pub kind: ChannelKind,
    pub url: Option<String>,
    pub url_env: Option<String>,
    /// PagerDuty only.
    pub routing_key: Option<String>,
    /// PagerDuty only; defaults to `MODELPULSE_PAGERDUTY_ROUTING_KEY`.
    pub routing_key_env: Option<String>,
}

/// Delivery settings for the CLI (timeouts and retries); ignored by the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotifySettings {
    /// Per-request timeout (connect + whole response), seconds. Default 10.
    pub timeout_secs: f64,
    /// Retries after the first attempt on timeouts, connection errors and 5xx. Default 3.
    pub retries: u32,
    /// First backoff, milliseconds; doubles after each retry. Default 500.
    pub backoff_ms: u64,
}

impl Default for NotifySettings {
    fn default() -> Self {
        NotifySettings { timeout_secs: 10.0, retries: 3, backoff_ms: 500 }
    }
}

/// A validated rules file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rules {
    /// Base URL of the dashboard, for links (`?providers=…&from=…&to=…` is appended).
    pub dashboard_url: Option<String>,
    pub notify: NotifySettings,
    /// Prices per provider (for the derived `cost_usd` metric and the digest), sorted by provider.
    pub prices: Vec<Price>,
    /// Channels by name; always contains the built-ins `slack`, `pagerduty` and `webhook` (reading
    /// their env vars) unless the file redefines them.
    pub channels: BTreeMap<String, Channel>,
    /// The rules in file order.
    pub rules: Vec<Rule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    dashboard_url: Option<String>,
    #[serde(default)]
    notify: Option<toml::Value>,
    #[serde(default)]
    prices: BTreeMap<String, toml::Value>,
    #[serde(default)]
    channels: BTreeMap<String, toml::Value>,
    #[serde(default)]
    rule: Vec<toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrice {
    input_per_1m: f64,
    output_per_1m: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChannel {
    #[serde(rename = "type")]
    kind: Option<String>,
    url: Option<String>,
    url_env: Option<String>,
    routing_key: Option<String>,
    routing_key_env: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: Option<String>,
    description: Option<String>,
    metric: Option<String>,
    op: Option<String>,
    threshold: Option<toml::Value>,
    recovery_threshold: Option<toml::Value>,
    scope: Option<String>,
    provider: Option<String>,
    for_days: Option<i64>,
    no_data: Option<String>,
    severity: Option<String>,
    channels: Option<Vec<String>>,
    dashboard_url: Option<String>,
}

fn number(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) if f.is_finite() => Some(*f),
        _ => None,
    }
}

/// Turns serde's "unknown field `x`, expected …" into (field, problem).
fn serde_field_problem(msg: &str) -> (String, String) {
    let first = msg.lines().next().unwrap_or(msg).trim().to_string();
    let field = first
        .split('`')
        .nth(1)
        .filter(|_| first.contains("unknown field") || first.contains("missing field"))
        .unwrap_or("?")
        .to_string();
    (field, first)
}

impl Rules {
    /// Parses and validates a rules file. Errors name the rule (by `name`, or `#N`) and the field.
    /// An empty text is a valid file with no rules.
    pub fn parse(text: &str) -> Result<Rules, RulesError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let msg = e.to_string();
            RulesError::Toml(msg.trim().replace('\n', " ").split_whitespace().collect::<Vec<_>>().join(" "))
        })?;

        let notify = match raw.notify {
            None => NotifySettings::default(),
            Some(v) => {
                let n: NotifySettings = v.try_into().map_err(|e: toml::de::Error| RulesError::Section {
                    section: "notify".into(),
                    problem: serde_field_problem(e.message()).1,
                })?;
                if !(n.timeout_secs > 0.0 && n.timeout_secs.is_finite()) {
                    return Err(RulesError::Section {
                        section: "notify".into(),
                        problem: "field \"timeout_secs\": must be a positive number of seconds".into(),
                    });
                }
                if n.retries > 10 {
                    return Err(RulesError::Section {
                        section: "notify".into(),
                        problem: "field \"retries\": at most 10".into(),
                    });
                }
                n
            }
        };

        let mut prices = Vec::new();
        for (provider, v) in raw.prices {
            let section = format!("prices.{provider}");
            let p: RawPrice = v.try_into().map_err(|e: toml::de::Error| RulesError::Section {
                section: section.clone(),
                problem: serde_field_problem(e.message()).1,
            })?;
            for (field, x) in [("input_per_1m", p.input_per_1m), ("output_per_1m", p.output_per_1m)] {
                if !(x >= 0.0 && x.is_finite()) {
                    return Err(RulesError::Section {
                        section,
                        problem: format!("field \"{field}\": must be a number ≥ 0 (USD per 1M tokens)"),
                    });
                }
            }
            prices.push(Price { provider, input_per_1m: p.input_per_1m, output_per_1m: p.output_per_1m });
        }

        let mut channels = BTreeMap::new();
        for kind in [ChannelKind::Slack, ChannelKind::Pagerduty, ChannelKind::Webhook] {
            channels.insert(
                kind.name().to_string(),
                Channel { kind, url: None, url_env: None, routing_key: None, routing_key_env: None },
            );
        }
        for (name, v) in raw.channels {
            let section = format!("channels.{name}");
            let c: RawChannel = v.try_into().map_err(|e: toml::de::Error| RulesError::Section {
                section: section.clone(),
                problem: serde_field_problem(e.message()).1,
            })?;
            let kind_name = c.kind.clone().unwrap_or_else(|| name.clone());
            let kind = ChannelKind::parse(&kind_name).ok_or_else(|| RulesError::Section {
                section: section.clone(),
                problem: match &c.kind {
                    Some(k) => format!("field \"type\": unknown channel type \"{k}\"; expected slack, pagerduty or webhook"),
                    None => "field \"type\": missing (required unless the channel is named slack, pagerduty or webhook)".into(),
                },
            })?;
            if kind != ChannelKind::Pagerduty && (c.routing_key.is_some() || c.routing_key_env.is_some()) {
                return Err(RulesError::Section {
                    section,
                    problem: format!("field \"routing_key\": only for pagerduty channels, this one is {}", kind.name()),
                });
            }
            if let Some(u) = &c.url
                && !(u.starts_with("http://") || u.starts_with("https://"))
            {
                return Err(RulesError::Section {
                    section,
                    problem: format!("field \"url\": must start with http:// or https://, got \"{u}\""),
                });
            }
            channels.insert(
                name,
                Channel {
                    kind,
                    url: c.url,
                    url_env: c.url_env,
                    routing_key: c.routing_key,
                    routing_key_env: c.routing_key_env,
                },
            );
        }

        let mut rules: Vec<Rule> = Vec::new();
        for (i, v) in raw.rule.into_iter().enumerate() {
            let label = v
                .get("name")
                .and_then(|n| n.as_str())
                .map(str::to_string)
                .unwrap_or_else(|| format!("#{}", i + 1));
            let err = |field: &str, problem: String| RulesError::Rule {
                rule: label.clone(),
                field: field.to_string(),
                problem,
            };
            let r: RawRule = v.try_into().map_err(|e: toml::de::Error| {
                let (field, problem) = serde_field_problem(e.message());
                err(&field, problem)
            })?;
            let name = r.name.clone().ok_or_else(|| err("name", "missing".into()))?;
            if name.trim().is_empty() {
                return Err(err("name", "must not be empty".into()));
            }
            if rules.iter().any(|x| x.name == name) {
                return Err(err("name", "another rule has the same name".into()));
            }
            let metric_s = r.metric.ok_or_else(|| err("metric", "missing".into()))?;
            let metric = Metric::parse(&metric_s).ok_or_else(|| {
                err(
                    "metric",
                    format!(
                        "unknown metric \"{metric_s}\"; expected one of {}",
                        Metric::ALL.iter().map(|m| m.name()).collect::<Vec<_>>().join(", ")
                    ),
                )
            })?;
            let op_s = r.op.ok_or_else(|| err("op", "missing".into()))?;
            let op = Op::parse(&op_s)
                .ok_or_else(|| err("op", format!("unknown comparison \"{op_s}\"; expected >, >=, < or <=")))?;
            let threshold_v = r.threshold.ok_or_else(|| err("threshold", "missing".into()))?;
            let threshold =
                number(&threshold_v).ok_or_else(|| err("threshold", format!("must be a finite number, got {threshold_v}")))?;
            let recovery_threshold = match r.recovery_threshold {
                None => None,
                Some(v) => {
                    let x = number(&v)
                        .ok_or_else(|| err("recovery_threshold", format!("must be a finite number, got {v}")))?;
                    if op.is_upper() && x > threshold {
                        return Err(err(
                            "recovery_threshold",
                            format!("must be ≤ threshold ({threshold}) for a \"{}\" rule, got {x}", op.symbol()),
                        ));
                    }
                    if !op.is_upper() && x < threshold {
                        return Err(err(
                            "recovery_threshold",
                            format!("must be ≥ threshold ({threshold}) for a \"{}\" rule, got {x}", op.symbol()),
                        ));
                    }
                    Some(x)
                }
            };
            let scope = match (r.scope.as_deref(), r.provider) {
                (Some(_), Some(_)) => {
                    return Err(err("provider", "give either scope or provider, not both".into()));
                }
                (None, Some(p)) if p.is_empty() => return Err(err("provider", "must not be empty".into())),
                (None, Some(p)) => Scope::Provider(p),
                (None | Some("each"), None) => Scope::Each,
                (Some("all"), None) => Scope::All,
                (Some(s), None) => {
                    return Err(err(
                        "scope",
                        format!("unknown scope \"{s}\"; expected \"each\" or \"all\" (for one provider write provider = \"{s}\")"),
                    ));
                }
            };
            let for_days = match r.for_days {
                None => 1,
                Some(n) if (1..=366).contains(&n) => n as u32,
                Some(n) => return Err(err("for_days", format!("must be between 1 and 366, got {n}"))),
            };
            let no_data = match r.no_data.as_deref() {
                None | Some("keep_state") => NoData::KeepState,
                Some("ok") => NoData::Ok,
                Some("alerting") => NoData::Alerting,
                Some(s) => {
                    return Err(err("no_data", format!("unknown value \"{s}\"; expected keep_state, ok or alerting")));
                }
            };
            let severity = match r.severity.as_deref() {
                None | Some("warning") => Severity::Warning,
                Some("critical") => Severity::Critical,
                Some("error") => Severity::Error,
                Some("info") => Severity::Info,
                Some(s) => {
                    return Err(err("severity", format!("unknown severity \"{s}\"; expected critical, error, warning or info")));
                }
            };
            let rule_channels = r.channels.unwrap_or_default();
            for c in &rule_channels {
                if !channels.contains_key(c) {
                    return Err(err(
                        "channels",
                        format!(
                            "unknown channel \"{c}\"; known: {}",
                            channels.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    ));
                }
            }
            if let Some(u) = &r.dashboard_url
                && !(u.starts_with("http://") || u.starts_with("https://") || u.starts_with('/'))
            {
                return Err(err("dashboard_url", format!("must be an http(s) URL or an absolute path, got \"{u}\"")));
            }
            rules.push(Rule {
                name,
                description: r.description,
                metric,
                op,
                threshold,
                recovery_threshold,
                scope,
                for_days,
                no_data,
                severity,
                channels: rule_channels,
                dashboard_url: r.dashboard_url,
            });
        }
        if let Some(u) = &raw.dashboard_url
            && !(u.starts_with("http://") || u.starts_with("https://") || u.starts_with('/'))
        {
            return Err(RulesError::Section {
                section: "dashboard_url".into(),
                problem: format!("must be an http(s) URL or an absolute path, got \"{u}\""),
            });
        }
        Ok(Rules { dashboard_url: raw.dashboard_url, notify, prices, channels, rules })
    }

    /// The price of `provider`, if the file gives one.
    pub fn price(&self, provider: &str) -> Option<&Price> {
        self.prices.iter().find(|p| p.provider == provider)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = include_str!("../../alerts.toml");

    fn rule_err(text: &str) -> (String, String, String) {
        match Rules::parse(text) {
            Err(RulesError::Rule { rule, field, problem }) => (rule, field, problem),
            other => panic!("expected a rule error, got {other:?}"),
        }
    }

    #[test]
    fn shipped_example_parses_with_the_seed_rule() {
        let rules = Rules::parse(SHIPPED).unwrap();
        let seed = rules
            .rules
            .iter()
            .find(|r| r.metric == Metric::LatencyP95Ms && r.op == Op::Gt && r.threshold == 1200.0)
            .expect("latency_p95_ms > 1200 is in alerts.toml");
        assert_eq!(seed.condition(), "latency_p95_ms > 1200");
    }

    #[test]
    fn defaults() {
        let r = Rules::parse("[[rule]]\nname='x'\nmetric='events'\nop='<'\nthreshold=10\n").unwrap();
        let x = &r.rules[0];
        assert_eq!((x.for_days, x.no_data, x.severity, x.scope.clone()), (1, NoData::KeepState, Severity::Warning, Scope::Each));
        assert_eq!(x.recovery_threshold, None);
        assert_eq!(r.notify, NotifySettings::default());
        assert!(r.channels.contains_key("slack") && r.channels.contains_key("pagerduty"));
    }

    #[test]
    fn unknown_field_names_rule_and_field() {
        let (rule, field, problem) =
            rule_err("[[rule]]\nname='lat'\nmetric='latency_p95_ms'\nop='>'\nthresold=1200\n");
        assert_eq!((rule.as_str(), field.as_str()), ("lat", "thresold"));
        assert!(problem.contains("unknown field"), "{problem}");
    }

    #[test]
    fn bad_values_name_the_field() {
        let base = "[[rule]]\nname='r1'\nmetric='latency_p95_ms'\nop='>'\nthreshold=1200\n";
        for (extra, field) in [
            ("for_days=0\n", "for_days"),
            ("recovery_threshold=1300\n", "recovery_threshold"),
            ("severity='huge'\n", "severity"),
            ("no_data='maybe'\n", "no_data"),
            ("scope='OpenAI'\n", "scope"),
            ("channels=['teams']\n", "channels"),
            ("scope='all'\nprovider='OpenAI'\n", "provider"),
        ] {
            let (rule, f, problem) = rule_err(&format!("{base}{extra}"));
            assert_eq!((rule.as_str(), f.as_str()), ("r1", field), "{extra}: {problem}");
        }
        let (_, f, p) = rule_err("[[rule]]\nname='r'\nmetric='latency'\nop='>'\nthreshold=1\n");
        assert_eq!(f, "metric");
        assert!(p.contains("latency_p95_ms"), "lists the known metrics: {p}");
        let (_, f, _) = rule_err("[[rule]]\nname='r'\nmetric='events'\nop='=='\nthreshold=1\n");
        assert_eq!(f, "op");
        let (_, f, _) = rule_err("[[rule]]\nname='r'\nmetric='events'\nop='>'\nthreshold='high'\n");
        assert_eq!(f, "threshold");
        let (rule, f, _) = rule_err("[[rule]]\nmetric='events'\nop='>'\nthreshold=1\n");
        assert_eq!((rule.as_str(), f.as_str()), ("#1", "name"));
        let (_, f, _) = rule_err("[[rule]]\nname='a'\nmetric='events'\nop='>'\nthreshold=1\n[[rule]]\nname='a'\nmetric='events'\nop='>'\nthreshold=2\n");
        assert_eq!(f, "name");
    }

    #[test]
    fn lower_rules_take_a_higher_recovery() {
        let r = Rules::parse(
            "[[rule]]\nname='acc'\nmetric='accuracy_rolling_7d'\nop='<'\nthreshold=0.8\nrecovery_threshold=0.85\nprovider='OpenAI'\n",
        )
        .unwrap();
        assert_eq!(r.rules[0].scope, Scope::Provider("OpenAI".into()));
        assert!(r.rules[0].clears(0.86) && !r.rules[0].clears(0.84) && !r.rules[0].breaches(0.84));
        assert_eq!(rule_err("[[rule]]\nname='a'\nmetric='events'\nop='<'\nthreshold=5\nrecovery_threshold=4\n").1, "recovery_threshold");
    }

    #[test]
    fn sections_are_checked() {
        for (text, section) in [
            ("[channels.ops]\nurl='https://x'\n", "channels.ops"),
            ("[channels.slack]\nurl='ftp://x'\n", "channels.slack"),
            ("[channels.slack]\nrouting_key='k'\n", "channels.slack"),
            ("[prices.OpenAI]\ninput_per_1m=-1\noutput_per_1m=1\n", "prices.OpenAI"),
            ("[prices.OpenAI]\ninput_per_1m=1\n", "prices.OpenAI"),
            ("[notify]\ntimeout=3\n", "notify"),
            ("[notify]\ntimeout_secs=0\n", "notify"),
        ] {
            match Rules::parse(text) {
                Err(RulesError::Section { section: s, .. }) => assert_eq!(s, section, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
        assert!(matches!(Rules::parse("bogus = 1\n"), Err(RulesError::Toml(_))));
        assert!(matches!(Rules::parse("[[rule]\n"), Err(RulesError::Toml(_))));
    }

    #[test]
    fn channels_prices_and_notify_parse() {
        let r = Rules::parse(
            "dashboard_url='https://d.example/'\n[notify]\ntimeout_secs=1.5\nretries=2\nbackoff_ms=10\n\
             [prices.OpenAI]\ninput_per_1m=2.5\noutput_per_1m=10\n\
             [channels.oncall]\ntype='pagerduty'\nrouting_key_env='PD_KEY'\nurl='http://127.0.0.1:9/'\n\
             [[rule]]\nname='c'\nmetric='cost_usd'\nop='>'\nthreshold=100\nscope='all'\nchannels=['oncall','slack']\n",
        )
        .unwrap();
        assert_eq!(r.notify, NotifySettings { timeout_secs: 1.5, retries: 2, backoff_ms: 10 });
        assert_eq!(r.price("OpenAI").unwrap().output_per_1m, 10.0);
        assert_eq!(r.channels["oncall"].kind, ChannelKind::Pagerduty);
        assert_eq!(r.channels["oncall"].routing_key_env.as_deref(), Some("PD_KEY"));
        assert_eq!(r.rules[0].scope, Scope::All);
        assert_eq!(r.rules[0].channels, vec!["oncall".to_string(), "slack".to_string()]);
    }

    #[test]
    fn cost_is_tokens_times_price() {
        let f = DashboardFact {
            event_date: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            provider: "OpenAI".into(),
            events: 1,
            sessions: 1,
            accuracy_daily: None,
            accuracy_rolling_7d: None,
            latency_p50_ms: None,
            latency_p95_ms: None,
            tokens_input: 2_000_000,
            tokens_output: 500_000,
            tokens_total: 2_500_000,
            tickets: 0,
            tickets_resolved_by_agent: 0,
            resolution_rate: None,
            revenue_from_ai: 0.0,
        };
        let p = Price { provider: "OpenAI".into(), input_per_1m: 2.5, output_per_1m: 10.0 };
        assert_eq!(Metric::CostUsd.value(&f, Some(&p)), Some(2.0 * 2.5 + 0.5 * 10.0));
        assert_eq!(Metric::CostUsd.value(&f, None), None);
        assert_eq!(Metric::LatencyP95Ms.value(&f, None), None);
        assert_eq!(Metric::TokensTotal.value(&f, None), Some(2_500_000.0));
    }
}
