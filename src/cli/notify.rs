//! Notifications (native only): the payloads of Slack, PagerDuty Events API v2 and the generic
//! JSON webhook, and a blocking HTTP sender with a request timeout and bounded retries.
//!
//! Retry policy: timeouts, connection errors, 5xx and 429 are retried up to `retries` times with
//! exponential backoff (`backoff`, then ×2 each time); any other 4xx is reported at once and never
//! retried (the request itself is wrong: a revoked webhook, a bad routing key).

use modelpulse::alerts::{Channel, ChannelKind, Rule, SeriesEvaluation};
use modelpulse::i18n::Lang;
use modelpulse::narrative::fmt_metric;
use chrono::NaiveDate;
use serde_json::{Value, json};
use std::time::Duration;

/// Whether an incident starts or ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Trigger,
    Resolve,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Trigger => "trigger",
            Action::Resolve => "resolve",
        }
    }
}

/// One notification's facts, whatever the channel.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub action: Action,
    pub rule: &'a Rule,
    /// Provider, or `all`.
    pub scope: &'a str,
    pub dedup_key: &'a str,
    /// The metric's value on `date` (none: no data).
    pub value: Option<f64>,
    /// The evaluated day (the latest day of the data, or `--date`).
    pub date: NaiveDate,
    /// First day of the incident.
    pub since: Option<NaiveDate>,
    /// Dashboard link filtered to this scope and the incident's dates.
    pub link: Option<String>,
}

impl<'a> Event<'a> {
    pub fn new(action: Action, rule: &'a Rule, s: &'a SeriesEvaluation, date: NaiveDate, base_url: Option<&str>) -> Self {
        let since = s.since;
        Event {
            action,
            rule,
            scope: &s.scope,
            dedup_key: &s.dedup_key,
            value: s.latest_value,
            date,
            since,
            link: base_url.map(|b| dashboard_link(b, &s.scope, since, date)),
        }
    }

    fn value_text(&self) -> String {
        self.value.map(|v| fmt_metric(Lang::En, self.rule.metric, v)).unwrap_or_else(|| "no data".into())
    }

    fn threshold_text(&self) -> String {
        fmt_metric(Lang::En, self.rule.metric, self.rule.threshold)
    }

    /// One line: `FIRING latency_p95_budget [OpenAI]: latency_p95_ms 1,350 ms > 1,200 ms since 2026-10-03`.
    pub fn summary(&self) -> String {
        let head = match self.action {
            Action::Trigger => "FIRING",
            Action::Resolve => "RESOLVED",
        };
        let since = self.since.map(|d| format!(" since {d}")).unwrap_or_default();
        format!(
            "{head} {} [{}]: {} {} {} {}{since} (on {})",
            self.rule.name,
            self.scope,
            self.rule.metric.name(),
            self.value_text(),
            self.rule.op.symbol(),
            self.threshold_text(),
            self.date
        )
    }
}

/// Percent-encodes a query value (everything but RFC 3986 unreserved characters).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The dashboard URL for a scope and the incident's days: `BASE?providers=X&range=custom&from=…&to=…`
/// (`providers` omitted for `all`; `from` is a week before the incident started, for context).
pub fn dashboard_link(base: &str, scope: &str, since: Option<NaiveDate>, date: NaiveDate) -> String {
    let from = since.unwrap_or(date) - chrono::Days::new(7);
    let mut q = Vec::new();
    if scope != "all" {
        q.push(format!("providers={}", percent_encode(scope)));
    }
    q.push("range=custom".to_string());
    q.push(format!("from={from}"));
    q.push(format!("to={date}"));
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{}", q.join("&"))
}

/// Escapes `&`, `<`, `>` for Slack's mrkdwn and plain_text fields (data never becomes markup).
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A Slack incoming-webhook message: `text` (the fallback/notification line) and `blocks`.
pub fn slack_payload(ev: &Event) -> Value {
    let (emoji, title) = match ev.action {
        Action::Trigger => (":red_circle:", "Firing"),
        Action::Resolve => (":large_green_circle:", "Resolved"),
    };
    let text = format!("{emoji} {}", slack_escape(&ev.summary()));
    let mut fields = vec![
        json!({"type": "mrkdwn", "text": format!("*Metric*\n{}", ev.rule.metric.name())}),
        json!({"type": "mrkdwn", "text": format!("*Value*\n{}", slack_escape(&ev.value_text()))}),
        json!({"type": "mrkdwn", "text": format!("*Threshold*\n{} {}", slack_escape(ev.rule.op.symbol()), slack_escape(&ev.threshold_text()))}),
        json!({"type": "mrkdwn", "text": format!("*Provider*\n{}", slack_escape(ev.scope))}),
        json!({"type": "mrkdwn", "text": format!("*Severity*\n{}", ev.rule.severity.name())}),
        json!({"type": "mrkdwn", "text": format!("*Since*\n{}", ev.since.map(|d| d.to_string()).unwrap_or_else(|| "–".into()))}),
    ];
    fields.truncate(10);
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": slack_escape(&format!("{title}: {} [{}]", ev.rule.name, ev.scope)), "emoji": true}}),
        json!({"type": "section", "text": {"type": "mrkdwn", "text": slack_escape(ev.rule.description.as_deref().unwrap_or(&ev.rule.condition()))}, "fields": fields}),
    ];
    if let Some(link) = &ev.link {
        blocks.push(json!({"type": "actions", "elements": [{
            "type": "button", "text": {"type": "plain_text", "text": "Open dashboard"}, "url": link,
        }]}));
    }
    json!({"text": text, "blocks": blocks})
}

/// A PagerDuty Events API v2 event: `trigger` with a payload, or `resolve` by `dedup_key`.
pub fn pagerduty_payload(ev: &Event, routing_key: &str) -> Value {
    match ev.action {
        Action::Trigger => {
            let mut v = json!({
                "routing_key": routing_key,
                "event_action": "trigger",
                "dedup_key": ev.dedup_key,
                "payload": {
                    "summary": ev.summary().chars().take(1024).collect::<String>(),
                    "source": format!("modelpulse/{}", ev.scope),
                    "severity": ev.rule.severity.name(),
                    "component": ev.scope,
                    "group": ev.rule.metric.name(),
                    "class": ev.rule.name,
                    "custom_details": {
                        "rule": ev.rule.name,
                        "metric": ev.rule.metric.name(),
                        "value": ev.value,
                        "comparison": ev.rule.op.symbol(),
                        "threshold": ev.rule.threshold,
                        "recovery_threshold": ev.rule.recovery_threshold,
                        "for_days": ev.rule.for_days,
                        "provider": ev.scope,
                        "since": ev.since.map(|d| d.to_string()),
                        "date": ev.date.to_string(),
                    },
                },
                "client": "modelpulse",
            });
            if let Some(link) = &ev.link {
                v["links"] = json!([{"href": link, "text": "modelpulse dashboard"}]);
                v["client_url"] = json!(link);
            }
            v
        }
        Action::Resolve => json!({
            "routing_key": routing_key,
            "event_action": "resolve",
            "dedup_key": ev.dedup_key,
        }),
    }
}

/// The generic webhook body: every fact of the event as plain JSON.
pub fn webhook_payload(ev: &Event) -> Value {
    json!({
        "source": "modelpulse",
        "event": ev.action.name(),
        "status": match ev.action { Action::Trigger => "firing", Action::Resolve => "resolved" },
        "dedup_key": ev.dedup_key,
        "rule": ev.rule.name,
        "description": ev.rule.description,
        "scope": ev.scope,
        "metric": ev.rule.metric.name(),
        "value": ev.value,
        "comparison": ev.rule.op.symbol(),
        "threshold": ev.rule.threshold,
        "recovery_threshold": ev.rule.recovery_threshold,
        "severity": ev.rule.severity.name(),
        "since": ev.since.map(|d| d.to_string()),
        "date": ev.date.to_string(),
        "dashboard_url": ev.link,
        "summary": ev.summary(),
    })
}

/// A channel with its secrets resolved from the file or the environment.
#[derive(Debug, Clone)]
pub struct Target {
    pub kind: ChannelKind,
    pub url: String,
    pub routing_key: Option<String>,
}

/// Resolves `channel`'s URL (and PagerDuty routing key) from the file, then `url_env` /
/// `routing_key_env`, then the kind's default variable. The error says what to set.
pub fn resolve_target(name: &str, channel: &Channel, env: &dyn Fn(&str) -> Option<String>) -> Result<Target, String> {
    let from_env = |var: &Option<String>, default: Option<&str>| -> Option<String> {
        var.as_deref().or(default).and_then(env).filter(|v| !v.trim().is_empty())
    };
    let url = channel
        .url
        .clone()
        .or_else(|| from_env(&channel.url_env, channel.kind.default_url_env()))
        .or_else(|| channel.kind.default_url().map(str::to_string));
    let url = url.ok_or_else(|| {
        let var = channel.url_env.as_deref().or(channel.kind.default_url_env()).unwrap_or("?");
        format!("channel \"{name}\" has no URL: set url in [channels.{name}] or the environment variable {var}")
    })?;
    let routing_key = if channel.kind == ChannelKind::Pagerduty {
        let key = channel
            .routing_key
            .clone()
            .or_else(|| from_env(&channel.routing_key_env, Some("MODELPULSE_PAGERDUTY_ROUTING_KEY")));
        Some(key.ok_or_else(|| {
            let var = channel.routing_key_env.as_deref().unwrap_or("MODELPULSE_PAGERDUTY_ROUTING_KEY");
            format!("channel \"{name}\" has no routing key: set routing_key in [channels.{name}] or the environment variable {var}")
        })?)
    } else {
        None
    };
    Ok(Target { kind: channel.kind, url, routing_key })
}

/// The body to POST to `target` for `ev`.
pub fn payload(target: &Target, ev: &Event) -> Value {
    match target.kind {
        ChannelKind::Slack => slack_payload(ev),
        ChannelKind::Pagerduty => pagerduty_payload(ev, target.routing_key.as_deref().unwrap_or_default()),
        ChannelKind::Webhook => webhook_payload(ev),
    }
}

/// A delivered request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub status: u16,
    pub attempts: u32,
}

/// A request that could not be delivered (after `attempts` tries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    pub message: String,
    pub attempts: u32,
}

/// Blocking JSON POSTs with a timeout and bounded retries.
pub struct Sender {
    agent: ureq::Agent,
    retries: u32,
    backoff: Duration,
}

impl Sender {
    /// `timeout` bounds each attempt (connect, send, whole response).
    pub fn new(timeout: Duration, retries: u32, backoff: Duration) -> Sender {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .user_agent("modelpulse-alerts")
            .build();
        Sender { agent: ureq::Agent::new_with_config(config), retries, backoff }
    }

    /// POSTs `body` as JSON to `url`; see the module docs for what is retried.
    pub fn post_json(&self, url: &str, body: &Value) -> Result<Sent, Failed> {
        let text = body.to_string();
        let mut attempts = 0;
        loop {
            attempts += 1;
            let result = self.agent.post(url).header("Content-Type", "application/json").send(text.as_str());
            let (retryable, message) = match result {
                Ok(mut resp) => {
                    let status = resp.status().as_u16();
                    if (200..300).contains(&status) {
                        return Ok(Sent { status, attempts });
                    }
                    let body = resp.body_mut().read_to_string().unwrap_or_default();
                    let snippet: String = body.chars().take(200).collect();
                    let retryable = status >= 500 || status == 429;
                    (retryable, format!("HTTP {status} {}", snippet.trim()))
                }
                Err(e) => (true, e.to_string()),
            };
            if !retryable || attempts > self.retries {
                let message = if retryable {
                    format!("{message} (gave up after {attempts} attempts)")
                } else {
                    format!("{message} (not retried)")
                };
                return Err(Failed { message, attempts });
            }
            std::thread::sleep(self.backoff * 2u32.saturating_pow(attempts - 1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use modelpulse::alerts::Rules;

    fn rule() -> Rule {
        Rules::parse(
            "[[rule]]\nname='lat'\ndescription='p95 <budget>'\nmetric='latency_p95_ms'\nop='>'\nthreshold=1200\nseverity='critical'\n",
        )
        .unwrap()
        .rules
        .remove(0)
    }

    fn ev<'a>(rule: &'a Rule, action: Action, scope: &'a str) -> Event<'a> {
        let date = NaiveDate::from_ymd_opt(2026, 10, 12).unwrap();
        Event {
            action,
            rule,
            scope,
            dedup_key: "modelpulse/lat/X",
            value: Some(1350.4),
            date,
            since: NaiveDate::from_ymd_opt(2026, 10, 10),
            link: Some(dashboard_link("https://d.example/", scope, NaiveDate::from_ymd_opt(2026, 10, 10), date)),
        }
    }

    #[test]
    fn links_filter_provider_and_dates() {
        let d = NaiveDate::from_ymd_opt(2026, 10, 12).unwrap();
        assert_eq!(
            dashboard_link("https://d.example/", "Open AI,x", NaiveDate::from_ymd_opt(2026, 10, 10), d),
            "https://d.example/?providers=Open%20AI%2Cx&range=custom&from=2026-10-03&to=2026-10-12"
        );
        assert_eq!(dashboard_link("/dash?data=demo", "all", None, d), "/dash?data=demo&range=custom&from=2026-10-05&to=2026-10-12");
    }

    #[test]
    fn slack_escapes_data_and_links_the_view() {
        let r = rule();
        let p = slack_payload(&ev(&r, Action::Trigger, "<OpenAI>"));
        let s = p.to_string();
        assert!(!s.contains("<OpenAI>") && s.contains("&lt;OpenAI&gt;"), "{s}");
        assert!(p["text"].as_str().unwrap().contains("1,350 ms"));
        assert_eq!(p["blocks"][2]["elements"][0]["url"], "https://d.example/?providers=%3COpenAI%3E&range=custom&from=2026-10-03&to=2026-10-12");
        assert!(p["blocks"][1]["text"]["text"].as_str().unwrap().contains("&lt;budget&gt;"));
    }

    #[test]
    fn pagerduty_trigger_and_resolve() {
        let r = rule();
        let t = pagerduty_payload(&ev(&r, Action::Trigger, "OpenAI"), "KEY");
        assert_eq!(t["event_action"], "trigger");
        assert_eq!(t["routing_key"], "KEY");
        assert_eq!(t["dedup_key"], "modelpulse/lat/X");
        assert_eq!(t["payload"]["severity"], "critical");
        assert_eq!(t["payload"]["custom_details"]["value"], 1350.4);
        let r2 = pagerduty_payload(&ev(&r, Action::Resolve, "OpenAI"), "KEY");
        assert_eq!(r2, json!({"routing_key": "KEY", "event_action": "resolve", "dedup_key": "modelpulse/lat/X"}));
    }

    #[test]
    fn targets_resolve_from_file_then_env() {
        let env = |k: &str| match k {
            "MODELPULSE_SLACK_WEBHOOK_URL" => Some("http://slack.test/hook".to_string()),
            "PD" => Some("pdkey".to_string()),
            _ => None,
        };
        let rules = Rules::parse("[channels.pd]\ntype='pagerduty'\nrouting_key_env='PD'\n[channels.hook]\ntype='webhook'\nurl='http://h.test/'\n").unwrap();
        let s = resolve_target("slack", &rules.channels["slack"], &env).unwrap();
        assert_eq!(s.url, "http://slack.test/hook");
        let pd = resolve_target("pd", &rules.channels["pd"], &env).unwrap();
        assert_eq!((pd.url.as_str(), pd.routing_key.as_deref()), ("https://events.pagerduty.com/v2/enqueue", Some("pdkey")));
        assert_eq!(resolve_target("hook", &rules.channels["hook"], &env).unwrap().url, "http://h.test/");
        let e = resolve_target("webhook", &rules.channels["webhook"], &env).unwrap_err();
        assert!(e.contains("MODELPULSE_WEBHOOK_URL"), "{e}");
        let e = resolve_target("pagerduty", &rules.channels["pagerduty"], &env).unwrap_err();
        assert!(e.contains("MODELPULSE_PAGERDUTY_ROUTING_KEY"), "{e}");
    }
}
