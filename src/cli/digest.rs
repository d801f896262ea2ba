//! `modelpulse digest` — the daily digest: per provider accuracy, latency, token spend and ticket
//! resolution over the last 7 days with 14-day sparklines, what fires, and the narrative summary.
//!
//! Written to standard output as HTML, Markdown or plain text, or e-mailed over SMTP as one
//! `multipart/alternative` message (a `text/plain` part and a `text/html` part). Every data string
//! goes through the template engine's HTML escaping in the HTML form (and Markdown escaping in the
//! Markdown form): a provider named `<script>` is text, never markup.
//!
//! SMTP URLs (`--smtp`): `smtp://host:port` (plain, for a local relay), `smtp://host:587?tls=required`
//! (STARTTLS), `smtps://host:465` (implicit TLS); `user:password@` before the host turns on AUTH
//! (percent-encode special characters).

use super::alerts::{evaluate_dir, read_rules};
use super::load_dir;
use anyhow::{Context as _, bail};
use chrono::NaiveDate;
use minijinja::value::{Serde, Value};
use minijinja::AutoEscape;
use modelpulse::alerts::{Evaluation, Rules, State};
use modelpulse::i18n::{self, Lang};
use modelpulse::narrative::{self, Context};
use modelpulse::{DashboardFact, Query};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const HTML: &str = include_str!("../../templates/digest.html.j2");
const MARKDOWN: &str = include_str!("../../templates/digest.md.j2");
const TEXT: &str = include_str!("../../templates/digest.txt.j2");

/// Digest output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Html,
    Markdown,
    Text,
}

#[derive(Debug, clap::Args)]
pub struct DigestArgs {
    /// Folder holding the snapshots (raw_llm_events.parquet required).
    #[arg(long)]
    pub data: PathBuf,
    /// The day the digest is about (YYYY-MM-DD, UTC). Default: the last day of the data.
    #[arg(long)]
    pub date: Option<NaiveDate>,
    /// Output format on standard output (an e-mail always carries text and HTML).
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Language: en or id.
    #[arg(long, default_value = "en", value_parser = parse_lang)]
    pub lang: Lang,
    /// Rules file: adds what fires, the latency budget and the prices (for costs).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// A narrative template file replacing the shipped one (see src/narrative.rs for its context).
    #[arg(long)]
    pub narrative_template: Option<PathBuf>,
    /// Send by e-mail through this SMTP server instead of printing: smtp://host:port,
    /// smtp://user:pass@host:587?tls=required (STARTTLS) or smtps://user:pass@host:465.
    #[arg(long, requires = "from", requires = "to")]
    pub smtp: Option<String>,
    /// Sender address (with --smtp).
    #[arg(long)]
    pub from: Option<String>,
    /// Recipient address (with --smtp); repeat for several.
    #[arg(long, num_args = 1..)]
    pub to: Vec<String>,
    /// SMTP timeout in seconds.
    #[arg(long, default_value_t = 30.0)]
    pub smtp_timeout: f64,
    /// Also trust this CA certificate (PEM) for the SMTP server's TLS (an internal relay).
    #[arg(long)]
    pub smtp_ca: Option<PathBuf>,
}

/// How an SMTP URL asks for TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TlsMode {
    None,
    Opportunistic,
    Required,
    Wrapper,
}

/// The host and TLS mode of an SMTP URL (`smtp[s]://[user:pass@]host[:port][?tls=…]`).
fn smtp_url_parts(url: &str) -> Option<(String, TlsMode)> {
    let (scheme, rest) = url.split_once("://")?;
    let (authority, query) = match rest.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (rest, None),
    };
    let authority = authority.trim_end_matches('/');
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = hostport.strip_prefix('[') {
        v6.split_once(']')?.0.to_string()
    } else {
        hostport.split(':').next()?.to_string()
    };
    let tls = query.and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("tls=")));
    let mode = match (scheme, tls) {
        ("smtps", _) => TlsMode::Wrapper,
        ("smtp", Some("required")) => TlsMode::Required,
        ("smtp", Some("opportunistic")) => TlsMode::Opportunistic,
        ("smtp", _) => TlsMode::None,
        _ => return None,
    };
    (!host.is_empty()).then_some((host, mode))
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("unknown language \"{s}\"; expected en or id"))
}

/// A sparkline: an SVG polyline's points (numbers only) in a `W`×`H` box.
#[derive(Debug, Clone, Serialize)]
struct Spark {
    points: String,
    width: u32,
    height: u32,
}

const SPARK_DAYS: u64 = 14;

/// The points of `values` (one per day, oldest first; gaps skipped) scaled into the box.
fn sparkline(values: &[Option<f64>]) -> Option<Spark> {
    let (w, h, pad) = (120.0, 24.0, 2.0);
    let present: Vec<f64> = values.iter().flatten().copied().filter(|v| v.is_finite()).collect();
    if present.len() < 2 {
        return None;
    }
    let lo = present.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let n = (values.len().max(2) - 1) as f64;
    let pts: Vec<String> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.filter(|x| x.is_finite()).map(|v| (i, v)))
        .map(|(i, v)| {
            let x = pad + (w - 2.0 * pad) * i as f64 / n;
            let y = h - pad - (h - 2.0 * pad) * (v - lo) / span;
            format!("{x:.1},{y:.1}")
        })
        .collect();
    Some(Spark { points: pts.join(" "), width: w as u32, height: h as u32 })
}

#[derive(Debug, Clone, Serialize)]
struct Row {
    #[serde(flatten)]
    summary: narrative::ProviderSummary,
    spark_accuracy: Option<Spark>,
    spark_p95: Option<Spark>,
}

#[derive(Debug, Clone, Serialize)]
struct AlertRow {
    rule: String,
    scope: String,
    condition: String,
    severity: String,
    state: String,
    value_text: String,
    since: Option<String>,
}

/// Everything the digest templates see.
#[derive(Debug, Clone, Serialize)]
struct View {
    lang: String,
    date: Option<String>,
    subject: String,
    narrative: String,
    /// The narrative's non-empty lines (one paragraph each in HTML and Markdown).
    narrative_lines: Vec<String>,
    latency_budget_ms: f64,
    rows: Vec<Row>,
    total: Option<narrative::ProviderSummary>,
    firing: Vec<AlertRow>,
    pending: Vec<AlertRow>,
    resolved: Vec<AlertRow>,
    rules_loaded: bool,
    dashboard_url: Option<String>,
}

fn spark_of(rows: &[&DashboardFact], date: NaiveDate, f: impl Fn(&DashboardFact) -> Option<f64>) -> Option<Spark> {
    let start = date - chrono::Days::new(SPARK_DAYS - 1);
    let values: Vec<Option<f64>> = (0..SPARK_DAYS)
        .map(|i| {
            let d = start + chrono::Days::new(i);
            rows.iter().find(|r| r.event_date == d).and_then(|r| f(r))
        })
        .collect();
    sparkline(&values)
}

fn build_view(
    facts: &[DashboardFact],
    ctx: &Context,
    ev: &Evaluation,
    narrative_text: String,
    lang: Lang,
    rules: Option<&Rules>,
) -> View {
    let date = ctx.date.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let rows = ctx
        .providers
        .iter()
        .map(|p| {
            let mine: Vec<&DashboardFact> = facts.iter().filter(|f| f.provider == p.name).collect();
            Row {
                summary: p.clone(),
                spark_accuracy: date.and_then(|d| spark_of(&mine, d, |f| f.accuracy_daily)),
                spark_p95: date.and_then(|d| spark_of(&mine, d, |f| f.latency_p95_ms)),
            }
        })
        .collect();
    let alert_rows = |st: State| -> Vec<AlertRow> {
        ev.series
            .iter()
            .filter(|s| s.latest == st)
            .map(|s| AlertRow {
                rule: s.rule.clone(),
                scope: s.scope.clone(),
                condition: s.condition.clone(),
                severity: s.severity.name().to_string(),
                state: s.latest.name().to_string(),
                value_text: s
                    .latest_value
                    .map(|v| narrative::fmt_metric(lang, s.metric, v))
                    .unwrap_or_else(|| i18n::t(lang, "digest.no_data").to_string()),
                since: s.since.map(|d| i18n::fmt_date(lang, d)),
            })
            .collect()
    };
    let firing = alert_rows(State::Firing);
    let date_text = date.map(|d| i18n::fmt_date(lang, d)).unwrap_or_default();
    let subject = format!(
        "{} {date_text}{}",
        i18n::t(lang, "digest.subject"),
        if firing.is_empty() { String::new() } else { format!(" — {} {}", firing.len(), i18n::t(lang, "digest.firing_count")) }
    );
    View {
        lang: lang.code().to_string(),
        date: ctx.date.clone(),
        subject,
        narrative_lines: narrative_text.lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect(),
        narrative: narrative_text,
        latency_budget_ms: ctx.latency_budget_ms,
        rows,
        total: ctx.total.clone(),
        firing,
        pending: alert_rows(State::Pending),
        resolved: alert_rows(State::Resolved),
        rules_loaded: rules.is_some(),
        dashboard_url: rules.and_then(|r| r.dashboard_url.clone()),
    }
}

/// Escapes Markdown's inline specials so data stays text.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '<' | '>' | '(' | ')' | '#' | '+' | '!' | '|' | '~') {
            out.push('\\');
        }
        if c == '\n' || c == '\r' {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

fn render(view: &View, format: Format, lang: Lang) -> anyhow::Result<String> {
    let mut env = narrative::environment(lang);
    env.set_auto_escape_callback(|name| if name.ends_with(".html") { AutoEscape::Html } else { AutoEscape::None });
    env.add_function("t", move |key: String| -> String { i18n::t(lang, &format!("digest.{key}")).to_string() });
    env.add_filter("md", |s: String| md_escape(&s));
    let (name, source) = match format {
        Format::Html => ("digest.html", HTML),
        Format::Markdown => ("digest.md", MARKDOWN),
        Format::Text => ("digest.txt", TEXT),
    };
    env.add_template(name, source)?;
    let out = env
        .get_template(name)?
        .render(Value::from(Serde(view)))
        .map_err(|e| anyhow::anyhow!("digest template {name}: {e:#}"))?;
    Ok(out)
}

fn send_mail(args: &DigestArgs, view: &View, text: String, html: String) -> anyhow::Result<()> {
    use lettre::message::{Mailbox, MultiPart};
    use lettre::{Message, SmtpTransport, Transport};
    let url = args.smtp.as_deref().unwrap_or_default();
    let from: Mailbox = args
        .from
        .as_deref()
        .unwrap_or_default()
        .parse()
        .with_context(|| format!("--from {:?}: not an e-mail address", args.from.as_deref().unwrap_or_default()))?;
    let mut builder = Message::builder().from(from).subject(view.subject.clone());
    if args.to.is_empty() {
        bail!("--smtp needs at least one --to address");
    }
    for to in &args.to {
        let mb: Mailbox = to.parse().with_context(|| format!("--to {to:?}: not an e-mail address"))?;
        builder = builder.to(mb);
    }
    let message = builder.multipart(MultiPart::alternative_plain_html(text, html)).context("building the e-mail")?;
    if !(args.smtp_timeout > 0.0 && args.smtp_timeout.is_finite()) {
        bail!("--smtp-timeout must be a positive number of seconds");
    }
    let mut builder = SmtpTransport::from_url(url)
        .with_context(|| format!("--smtp: not an SMTP URL (smtp://host:port, smtps://…, ?tls=required): {}", redact(url)))?
        .timeout(Some(Duration::from_secs_f64(args.smtp_timeout)));
    if let Some(ca) = &args.smtp_ca {
        use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
        let (host, mode) = smtp_url_parts(url).with_context(|| format!("--smtp: cannot read the host of {}", redact(url)))?;
        let pem = std::fs::read(ca).with_context(|| format!("{}: cannot read", ca.display()))?;
        let cert = Certificate::from_pem(&pem).with_context(|| format!("{}: not a PEM certificate", ca.display()))?;
        let params = TlsParameters::builder(host)
            .add_root_certificate(cert)
            .build_rustls()
            .with_context(|| format!("{}: cannot use this certificate", ca.display()))?;
        builder = builder.tls(match mode {
            TlsMode::None => bail!("--smtp-ca needs a TLS URL: smtps://… or smtp://…?tls=required"),
            TlsMode::Opportunistic => Tls::Opportunistic(params),
            TlsMode::Required => Tls::Required(params),
            TlsMode::Wrapper => Tls::Wrapper(params),
        });
    }
    let transport = builder.build();
    transport.send(&message).with_context(|| format!("sending the digest through {}", redact(url)))?;
    Ok(())
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***@{}", &url[..s], &url[at + 1..]),
        _ => url.to_string(),
    }
}

pub fn run(args: DigestArgs) -> anyhow::Result<ExitCode> {
    let lang = args.lang;
    let rules = args.rules.as_deref().map(read_rules).transpose()?;
    let template = args
        .narrative_template
        .as_deref()
        .map(|p| std::fs::read_to_string(p).with_context(|| format!("{}: cannot read", p.display())))
        .transpose()?;
    let ds = load_dir(&args.data)?;
    let q = Query { providers: None, from: None, to: args.date };
    let facts = ds.dashboard_facts(&q);
    let totals = ds.daily_totals(&q);
    let conversion = ds.conversion_facts(&q);
    let ev = match &rules {
        Some(r) => evaluate_dir(&ds, r, args.date),
        None => Evaluation::default(),
    };
    let ctx = Context::build(&facts, &totals, &conversion, &ev, lang);
    let text = narrative::render(&ctx, lang, template.as_deref()).map_err(|e| match &args.narrative_template {
        Some(p) => anyhow::anyhow!("{}: {e}", p.display()),
        None => anyhow::anyhow!("{e}"),
    })?;
    let view = build_view(&facts, &ctx, &ev, text, lang, rules.as_ref());
    if args.smtp.is_some() {
        let text = render(&view, Format::Text, lang)?;
        let html = render(&view, Format::Html, lang)?;
        send_mail(&args, &view, text, html)?;
        println!("sent \"{}\" to {}", view.subject, args.to.join(", "));
    } else {
        print!("{}", render(&view, args.format, lang)?);
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use modelpulse::alerts::evaluate;

    fn fact(n: u64, provider: &str, p95: f64) -> DashboardFact {
        DashboardFact {
            event_date: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap() + chrono::Days::new(n),
            provider: provider.into(),
            events: 10,
            sessions: 5,
            accuracy_daily: Some(0.9),
            accuracy_rolling_7d: Some(0.9),
            latency_p50_ms: Some(p95 / 2.0),
            latency_p95_ms: Some(p95),
            tokens_input: 1000,
            tokens_output: 100,
            tokens_total: 1100,
            tickets: 2,
            tickets_resolved_by_agent: 1,
            resolution_rate: Some(0.5),
            revenue_from_ai: 1.0,
        }
    }

    fn view(lang: Lang) -> View {
        let facts: Vec<_> = (0..14)
            .flat_map(|n| [fact(n, "<script>alert(1)</script>", 900.0 + n as f64), fact(n, "Open|AI *x*", if n > 11 { 1500.0 } else { 800.0 })])
            .collect();
        let rules = Rules::parse("[[rule]]\nname='lat'\nmetric='latency_p95_ms'\nop='>'\nthreshold=1200\n").unwrap();
        let ev = evaluate(&rules, &facts, &[]);
        let ctx = Context::build(&facts, &[], &[], &ev, lang);
        let text = narrative::render(&ctx, lang, None).unwrap();
        build_view(&facts, &ctx, &ev, text, lang, Some(&rules))
    }

    #[test]
    fn html_escapes_data_and_is_one_document() {
        let html = render(&view(Lang::En), Format::Html, Lang::En).unwrap();
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.trim_start().starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
        assert!(html.contains("<polyline"), "sparklines");
        assert!(html.contains("lat"));
    }

    #[test]
    fn markdown_escapes_and_text_has_the_narrative() {
        let v = view(Lang::Id);
        let md = render(&v, Format::Markdown, Lang::Id).unwrap();
        assert!(md.contains("Open\\|AI \\*x\\*"), "{md}");
        let txt = render(&v, Format::Text, Lang::Id).unwrap();
        assert!(txt.contains(&v.narrative), "{txt}");
        assert!(txt.contains("1.500 ms"), "{txt}");
    }

    #[test]
    fn sparkline_scales_into_the_box() {
        let s = sparkline(&[Some(1.0), None, Some(3.0)]).unwrap();
        assert_eq!(s.points, "2.0,22.0 118.0,2.0");
        assert!(sparkline(&[Some(1.0), None]).is_none());
    }

    #[test]
    fn smtp_urls() {
        assert_eq!(smtp_url_parts("smtps://u:p@mail.example:465"), Some(("mail.example".into(), TlsMode::Wrapper)));
        assert_eq!(smtp_url_parts("smtp://127.0.0.1:2525?tls=required"), Some(("127.0.0.1".into(), TlsMode::Required)));
        assert_eq!(smtp_url_parts("smtp://a:b@c@h?x=1&tls=opportunistic"), Some(("h".into(), TlsMode::Opportunistic)));
        assert_eq!(smtp_url_parts("smtp://[::1]:25"), Some(("::1".into(), TlsMode::None)));
        assert_eq!(smtp_url_parts("http://h"), None);
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("smtps://u:secret@mail.example:465"), "smtps://***@mail.example:465");
    }
}
