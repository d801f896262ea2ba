//! The narrative summary: a few sentences on the last 7 days, from a template.
//!
//! Pure and wasm-safe: the page's "Summary" panel and the CLI's digest render the same text.
//!
//! ## API
//! ```
//! use modelpulse::{alerts, narrative, i18n::Lang};
//! # let (facts, totals, conversion) = (vec![], vec![], vec![]);
//! let rules = alerts::Rules::parse(include_str!("../alerts.toml")).unwrap();
//! let evaluation = alerts::evaluate(&rules, &facts, &totals);
//! let ctx = narrative::Context::build(&facts, &totals, &conversion, &evaluation, Lang::En);
//! let text = narrative::render(&ctx, Lang::En, None).unwrap();    // shipped English template
//! let custom = narrative::render(&ctx, Lang::En, Some("{{ providers|length }} providers")).unwrap();
//! assert_eq!(custom, "0 providers");
//! # let _ = text;
//! ```
//! `facts` are the view's `dashboard_facts` rows, `totals` its `daily_totals`, `conversion` its
//! `conversion_facts` (all as returned by [`crate::Dataset`]); `evaluation` is
//! [`crate::alerts::evaluate`]'s result (pass `&Evaluation::default()` when there are no rules).
//! The output is **plain text** (no markup): put it in a text node, never in `innerHTML`.
//!
//! ## The context a template sees
//! The window is the 7 days ending on `date`, the last day in the facts.
//! - `lang`: `"en"` or `"id"`; `date`: `"YYYY-MM-DD"` or none when there is no data;
//!   `latency_budget_ms`: the first `latency_p95_ms >` rule's threshold, else 1200.
//! - `providers`: one entry per provider (byte order), `total`: the same for all providers
//!   combined (from `totals`; none if empty). Each entry has:
//!   `name`, `events_7d`, `accuracy_7d` (`accuracy_rolling_7d` on `date`, none if the provider has
//!   no row that day), `accuracy_7d_before` (the same 7 days earlier), `accuracy_change`
//!   (`accuracy_7d − accuracy_7d_before`, a share: 0.02 = 2 points), `latency_p95_ms` (on `date`),
//!   `latency_p95_max_7d`, `breach_days_7d` (days in the window with p95 over the budget),
//!   `tokens_7d`, `cost_7d_usd` (none without a price for the provider; for `total`, none unless
//!   every provider has one), `tickets_7d`, `tickets_resolved_by_agent_7d`, `resolution_rate_7d`
//!   (resolved ÷ tickets over the window, none without tickets), `revenue_7d`.
//! - `uplift`: none without experiment data in the window, else the window's pooled arms:
//!   `treatment_users`, `control_users`, `treatment_rate`, `control_rate`, `uplift`, `ci_low`,
//!   `ci_high` (95% Wald, as `conversion_facts`), `significant` (the interval excludes 0).
//! - `firing`, `resolved`: alerts whose latest state is firing / resolved on `date`, each with
//!   `rule`, `scope` (provider or `all`), `metric`, `condition`, `severity`, `since`
//!   (`YYYY-MM-DD`), `value`, `threshold`, and `value_text`/`threshold_text` already formatted.
//!
//! ## Filters (formatting per language, none → `n/a` / `t/a`)
//! `pct` (0.853 → `85.3%` / `85,3%`), `pp` (signed points: 0.012 → `+1.2 pp` / `+1,2 poin`),
//! `num(d=1)`, `int`, `ms` (`1,234 ms`), `usd` (`$1,234.56` / `US$1.234,56`), `date`
//! (`2026-11-27` → `27 Nov 2026`).

use crate::alerts::{Evaluation, Metric, SeriesEvaluation};
use crate::charts::Price;
use crate::facts::{ConversionFact, DashboardFact};
use crate::i18n::{Lang, fmt_date, fmt_int, fmt_number, fmt_percent};
use chrono::NaiveDate;
use minijinja::value::{Serde, Value};
use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The shipped English template.
pub const TEMPLATE_EN: &str = include_str!("../templates/narrative.en.j2");
/// The shipped Indonesian template.
pub const TEMPLATE_ID: &str = include_str!("../templates/narrative.id.j2");

/// The window the narrative describes, in days.
pub const WINDOW_DAYS: i64 = 7;

/// Why a narrative could not be rendered: the template's syntax or a failure while rendering
/// (unknown variable, bad filter argument). The message has the template line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("narrative template: {0}")]
pub struct NarrativeError(pub String);

/// One provider (or all combined) over the window. See the module docs for each field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProviderSummary {
    pub name: String,
    pub events_7d: i64,
    pub accuracy_7d: Option<f64>,
    pub accuracy_7d_before: Option<f64>,
    pub accuracy_change: Option<f64>,
    pub latency_p95_ms: Option<f64>,
    pub latency_p95_max_7d: Option<f64>,
    pub breach_days_7d: i64,
    pub tokens_7d: i64,
    pub cost_7d_usd: Option<f64>,
    pub tickets_7d: i64,
    pub tickets_resolved_by_agent_7d: i64,
    pub resolution_rate_7d: Option<f64>,
    pub revenue_7d: f64,
}

/// The upsell experiment pooled over the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpliftSummary {
    pub treatment_users: i64,
    pub control_users: i64,
    pub treatment_rate: f64,
    pub control_rate: f64,
    pub uplift: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub significant: bool,
}

/// One firing or resolved alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertSummary {
    pub rule: String,
    pub scope: String,
    pub metric: String,
    pub condition: String,
    pub severity: String,
    pub since: Option<String>,
    pub value: Option<f64>,
    pub threshold: f64,
    pub value_text: String,
    pub threshold_text: String,
}

/// Everything a narrative template sees (documented field by field in the module docs).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Context {
    pub lang: String,
    pub date: Option<String>,
    pub window_days: i64,
    pub latency_budget_ms: f64,
    pub providers: Vec<ProviderSummary>,
    pub total: Option<ProviderSummary>,
    pub uplift: Option<UpliftSummary>,
    pub firing: Vec<AlertSummary>,
    pub resolved: Vec<AlertSummary>,
}

use crate::charts::{DEFAULT_LATENCY_BUDGET_MS as DEFAULT_BUDGET_MS, cost_usd as row_cost};
use crate::model::conversion_facts::Z_95 as Z95;

/// Summarises `rows` (one provider's, or the totals) over the window ending on `date`.
/// `cost_rows` are the per-provider rows whose costs add up to this summary's cost.
fn summarise(
    name: &str,
    rows: &[&DashboardFact],
    cost_rows: &[&DashboardFact],
    date: NaiveDate,
    budget: f64,
    prices: &[Price],
) -> ProviderSummary {
    let start = date - chrono::Days::new((WINDOW_DAYS - 1) as u64);
    let in_window = |f: &&&DashboardFact| f.event_date >= start && f.event_date <= date;
    let window: Vec<&DashboardFact> = rows.iter().filter(in_window).copied().collect();
    let on = |d: NaiveDate| rows.iter().find(|f| f.event_date == d);
    let accuracy_7d = on(date).and_then(|f| f.accuracy_rolling_7d);
    let accuracy_7d_before = on(date - chrono::Days::new(WINDOW_DAYS as u64)).and_then(|f| f.accuracy_rolling_7d);
    let tickets_7d: i64 = window.iter().map(|f| f.tickets).sum();
    let resolved: i64 = window.iter().map(|f| f.tickets_resolved_by_agent).sum();
    // Sum of the window's per-provider costs; unknown if any of those rows has no price.
    let cost_7d_usd = cost_rows.iter().filter(in_window).map(|f| row_cost(f, prices)).sum::<Option<f64>>();
    ProviderSummary {
        name: name.to_string(),
        events_7d: window.iter().map(|f| f.events).sum(),
        accuracy_7d,
        accuracy_7d_before,
        accuracy_change: accuracy_7d.zip(accuracy_7d_before).map(|(a, b)| a - b),
        latency_p95_ms: on(date).and_then(|f| f.latency_p95_ms),
        latency_p95_max_7d: window.iter().filter_map(|f| f.latency_p95_ms).reduce(f64::max),
        breach_days_7d: window.iter().filter(|f| f.latency_p95_ms.is_some_and(|v| v > budget)).count() as i64,
        tokens_7d: window.iter().map(|f| f.tokens_total).sum(),
        cost_7d_usd,
        tickets_7d,
        tickets_resolved_by_agent_7d: resolved,
        resolution_rate_7d: (tickets_7d > 0).then(|| resolved as f64 / tickets_7d as f64),
        revenue_7d: window.iter().map(|f| f.revenue_from_ai).sum(),
    }
}

/// The experiment's arms pooled over the window; `None` when either arm has no users.
fn pooled_uplift(conversion: &[ConversionFact], date: NaiveDate) -> Option<UpliftSummary> {
    let start = date - chrono::Days::new((WINDOW_DAYS - 1) as u64);
    let (mut nt, mut ct, mut nc, mut cc) = (0i64, 0i64, 0i64, 0i64);
    for f in conversion.iter().filter(|f| f.event_date >= start && f.event_date <= date) {
        nt += f.treatment_users;
        ct += f.treatment_conversions;
        nc += f.control_users;
        cc += f.control_conversions;
    }
    if nt == 0 || nc == 0 {
        return None;
    }
    let (pt, pc) = (ct as f64 / nt as f64, cc as f64 / nc as f64);
    let uplift = pt - pc;
    let se = (pt * (1.0 - pt) / nt as f64 + pc * (1.0 - pc) / nc as f64).sqrt();
    let (ci_low, ci_high) = (uplift - Z95 * se, uplift + Z95 * se);
    Some(UpliftSummary {
        treatment_users: nt,
        control_users: nc,
        treatment_rate: pt,
        control_rate: pc,
        uplift,
        ci_low,
        ci_high,
        significant: ci_low > 0.0 || ci_high < 0.0,
    })
}

/// A metric value as text in `lang`: ratios as percentages, latencies in ms, costs in USD.
pub fn fmt_metric(lang: Lang, metric: Metric, v: f64) -> String {
    match metric {
        m if m.is_ratio() => fmt_percent(lang, v, 1),
        Metric::LatencyP50Ms | Metric::LatencyP95Ms => fmt_ms(lang, v),
        Metric::CostUsd | Metric::RevenueFromAi => fmt_usd(lang, v),
        _ if v.fract() == 0.0 => fmt_number(lang, v, 0),
        _ => fmt_number(lang, v, 2),
    }
}

/// Milliseconds, no decimals: `1,234 ms`.
pub fn fmt_ms(lang: Lang, v: f64) -> String {
    format!("{} ms", fmt_number(lang, v, 0))
}

/// US dollars with cents: en `$1,234.56`, id `US$1.234,56`.
pub fn fmt_usd(lang: Lang, v: f64) -> String {
    let sign = if v < 0.0 && fmt_number(lang, v.abs(), 2).bytes().any(|b| (b'1'..=b'9').contains(&b)) { "-" } else { "" };
    match lang {
        Lang::En => format!("{sign}${}", fmt_number(lang, v.abs(), 2)),
        Lang::Id => format!("{sign}US${}", fmt_number(lang, v.abs(), 2)),
    }
}

/// A signed difference of shares in percentage points: en `+1.2 pp`, id `+1,2 poin`.
pub fn fmt_points(lang: Lang, diff: f64) -> String {
    let n = fmt_number(lang, diff * 100.0, 1);
    let signed = if n.starts_with('-') || n.trim_start_matches(['0', '.', ',']).is_empty() { n } else { format!("+{n}") };
    match lang {
        Lang::En => format!("{signed} pp"),
        Lang::Id => format!("{signed} poin"),
    }
}

fn alert_summary(s: &SeriesEvaluation, lang: Lang) -> AlertSummary {
    AlertSummary {
        rule: s.rule.clone(),
        scope: s.scope.clone(),
        metric: s.metric.name().to_string(),
        condition: s.condition.clone(),
        severity: s.severity.name().to_string(),
        since: s.since.map(|d| d.format("%Y-%m-%d").to_string()),
        value: s.latest_value,
        threshold: s.threshold,
        value_text: s.latest_value.map(|v| fmt_metric(lang, s.metric, v)).unwrap_or_else(|| na(lang).into()),
        threshold_text: fmt_metric(lang, s.metric, s.threshold),
    }
}

fn na(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "n/a",
        Lang::Id => "t/a",
    }
}

impl Context {
    /// Builds the context from a view's facts and the alerts evaluation (see the module docs).
    /// Costs use `evaluation.prices` (the rules file's `[prices.*]`); see [`Context::build_with_prices`].
    pub fn build(
        facts: &[DashboardFact],
        totals: &[DashboardFact],
        conversion: &[ConversionFact],
        evaluation: &Evaluation,
        lang: Lang,
    ) -> Context {
        Self::build_with(facts, totals, conversion, evaluation, lang, &evaluation.prices)
    }

    /// As [`Context::build`], with costs from `prices` instead of the evaluation's (e.g. the
    /// prices of the page's `config.json`).
    pub fn build_with_prices(
        facts: &[DashboardFact],
        totals: &[DashboardFact],
        conversion: &[ConversionFact],
        evaluation: &Evaluation,
        lang: Lang,
        prices: &[Price],
    ) -> Context {
        Self::build_with(facts, totals, conversion, evaluation, lang, prices)
    }

    fn build_with(
        facts: &[DashboardFact],
        totals: &[DashboardFact],
        conversion: &[ConversionFact],
        evaluation: &Evaluation,
        lang: Lang,
        prices: &[Price],
    ) -> Context {
        let budget = evaluation.latency_budget_ms.unwrap_or(DEFAULT_BUDGET_MS);
        let date = facts.iter().chain(totals).map(|f| f.event_date).max();
        let mut ctx = Context {
            lang: lang.code().to_string(),
            date: date.map(|d| d.format("%Y-%m-%d").to_string()),
            window_days: WINDOW_DAYS,
            latency_budget_ms: budget,
            firing: evaluation.firing().map(|s| alert_summary(s, lang)).collect(),
            resolved: evaluation.resolved().map(|s| alert_summary(s, lang)).collect(),
            ..Context::default()
        };
        let Some(date) = date else { return ctx };
        let names: BTreeSet<&str> = facts.iter().map(|f| f.provider.as_str()).collect();
        for name in names {
            let rows: Vec<&DashboardFact> = facts.iter().filter(|f| f.provider == name).collect();
            ctx.providers.push(summarise(name, &rows, &rows, date, budget, prices));
        }
        if !totals.is_empty() {
            let rows: Vec<&DashboardFact> = totals.iter().collect();
            let all: Vec<&DashboardFact> = facts.iter().collect();
            ctx.total = Some(summarise("all", &rows, &all, date, budget, prices));
        }
        ctx.uplift = pooled_uplift(conversion, date);
        ctx
    }
}

/// A template environment with the narrative filters for `lang` (shared with the digest).
pub fn environment(lang: Lang) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    // A filter's number: none → None (printed n/a); undefined (a misspelt field) is an error.
    fn num(v: &Value) -> Result<Option<f64>, Error> {
        if v.is_undefined() {
            return Err(Error::new(ErrorKind::UndefinedError, "a formatting filter got an undefined value"));
        }
        if v.is_none() {
            return Ok(None);
        }
        f64::try_from(v.clone())
            .map(Some)
            .map_err(|_| Error::new(ErrorKind::InvalidOperation, format!("a formatting filter needs a number, got {v}")))
    }
    let fmt = move |v: Value, f: &dyn Fn(f64) -> String| -> Result<String, Error> {
        Ok(num(&v)?.map_or_else(|| na(lang).to_string(), f))
    };
    env.add_filter("pct", move |v: Value| fmt(v, &|x| fmt_percent(lang, x, 1)));
    env.add_filter("pp", move |v: Value| fmt(v, &|x| fmt_points(lang, x)));
    env.add_filter("num", move |v: Value, d: Option<u32>| {
        fmt(v, &|x| fmt_number(lang, x, d.unwrap_or(1).min(12) as usize))
    });
    env.add_filter("int", move |v: Value| fmt(v, &|x| fmt_int(lang, x.round() as i64)));
    env.add_filter("ms", move |v: Value| fmt(v, &|x| fmt_ms(lang, x)));
    env.add_filter("usd", move |v: Value| fmt(v, &|x| fmt_usd(lang, x)));
    env.add_filter("date", move |v: Value| {
        v.as_str()
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .map_or_else(|| v.to_string(), |d| fmt_date(lang, d))
    });
    env
}

/// Renders the narrative: the shipped template of `lang`, or `template` (a user's template text,
/// same context and filters). Output is plain text with surrounding blank lines trimmed.
pub fn render(ctx: &Context, lang: Lang, template: Option<&str>) -> Result<String, NarrativeError> {
    let source = template.unwrap_or(match lang {
        Lang::En => TEMPLATE_EN,
        Lang::Id => TEMPLATE_ID,
    });
    let env = environment(lang);
    let out = env
        .render_str(source, Value::from(Serde(ctx)))
        .map_err(|e| NarrativeError(format!("{e:#}").lines().next().unwrap_or_default().to_string()))?;
    Ok(out.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::{Rules, evaluate};

    fn day(n: u64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 10, 1).unwrap() + chrono::Days::new(n)
    }

    fn fact(n: u64, provider: &str, acc: f64, p95: f64) -> DashboardFact {
        DashboardFact {
            event_date: day(n),
            provider: provider.into(),
            events: 100,
            sessions: 50,
            accuracy_daily: Some(acc),
            accuracy_rolling_7d: Some(acc),
            latency_p50_ms: Some(p95 / 2.0),
            latency_p95_ms: Some(p95),
            tokens_input: 1_000_000,
            tokens_output: 100_000,
            tokens_total: 1_100_000,
            tickets: 10,
            tickets_resolved_by_agent: 7,
            resolution_rate: Some(0.7),
            revenue_from_ai: 12.5,
        }
    }

    /// 15 days, two providers; OpenAI over budget on days 12..=14 and accuracy down from 0.90 to 0.86.
    fn data() -> (Vec<DashboardFact>, Vec<DashboardFact>, Vec<ConversionFact>) {
        let mut facts = vec![];
        for n in 0..15 {
            facts.push(fact(n, "Anthropic", 0.92, 800.0));
            facts.push(fact(n, "OpenAI", if n < 10 { 0.90 } else { 0.86 }, if n >= 12 { 1500.0 } else { 900.0 }));
        }
        let totals = (0..15).map(|n| fact(n, "all", 0.89, 1000.0)).collect();
        let conversion = (0..15)
            .map(|n| ConversionFact {
                event_date: day(n),
                treatment_users: 1000,
                treatment_conversions: 150,
                control_users: 1000,
                control_conversions: 100,
                treatment_rate: Some(0.15),
                control_rate: Some(0.1),
                conversion_uplift: Some(0.05),
                uplift_ci_low: None,
                uplift_ci_high: None,
            })
            .collect();
        (facts, totals, conversion)
    }

    fn rules() -> Rules {
        Rules::parse(
            "[prices.OpenAI]\ninput_per_1m=2.5\noutput_per_1m=10\n\
             [[rule]]\nname='latency_p95_budget'\nmetric='latency_p95_ms'\nop='>'\nthreshold=1200\nfor_days=2\nseverity='critical'\n",
        )
        .unwrap()
    }

    #[test]
    fn context_numbers() {
        let (facts, totals, conversion) = data();
        let ev = evaluate(&rules(), &facts, &totals);
        let ctx = Context::build(&facts, &totals, &conversion, &ev, Lang::En);
        assert_eq!(ctx.date.as_deref(), Some("2026-10-15"));
        let o = ctx.providers.iter().find(|p| p.name == "OpenAI").unwrap();
        assert_eq!(o.accuracy_7d, Some(0.86));
        assert_eq!(o.accuracy_7d_before, Some(0.90));
        assert!((o.accuracy_change.unwrap() + 0.04).abs() < 1e-12);
        assert_eq!((o.breach_days_7d, o.latency_p95_ms, o.latency_p95_max_7d), (3, Some(1500.0), Some(1500.0)));
        assert_eq!((o.tokens_7d, o.tickets_7d, o.tickets_resolved_by_agent_7d), (7 * 1_100_000, 70, 49));
        assert_eq!(o.resolution_rate_7d, Some(0.7));
        // 7 days × (1M × 2.5 + 0.1M × 10) / 1M = 7 × 3.5.
        assert!((o.cost_7d_usd.unwrap() - 24.5).abs() < 1e-9);
        let a = ctx.providers.iter().find(|p| p.name == "Anthropic").unwrap();
        assert_eq!((a.cost_7d_usd, a.breach_days_7d), (None, 0));
        assert_eq!(ctx.total.as_ref().unwrap().cost_7d_usd, None, "Anthropic has no price");
        let prices = [
            Price { provider: "OpenAI".into(), input_per_1m: 1.0, output_per_1m: 0.0 },
            Price { provider: "Anthropic".into(), input_per_1m: 0.0, output_per_1m: 10.0 },
        ];
        let c2 = Context::build_with_prices(&facts, &totals, &conversion, &ev, Lang::En, &prices);
        // 7 days × (1M × 1) and 7 days × (0.1M × 10).
        assert!((c2.total.as_ref().unwrap().cost_7d_usd.unwrap() - 14.0).abs() < 1e-9);
        let u = ctx.uplift.as_ref().unwrap();
        assert_eq!((u.treatment_users, u.control_users), (7000, 7000));
        assert!((u.uplift - 0.05).abs() < 1e-12 && u.significant);
        let se = (0.15f64 * 0.85 / 7000.0 + 0.1 * 0.9 / 7000.0).sqrt();
        assert!((u.ci_low - (0.05 - Z95 * se)).abs() < 1e-12);
        assert_eq!(ctx.firing.len(), 1);
        assert_eq!(ctx.firing[0].scope, "OpenAI");
        assert_eq!(ctx.firing[0].since.as_deref(), Some("2026-10-13"));
        assert_eq!(ctx.firing[0].value_text, "1,500 ms");
    }

    #[test]
    fn shipped_templates_render_in_both_languages() {
        let (facts, totals, conversion) = data();
        let ev = evaluate(&rules(), &facts, &totals);
        let en = render(&Context::build(&facts, &totals, &conversion, &ev, Lang::En), Lang::En, None).unwrap();
        assert!(en.contains("OpenAI"), "{en}");
        assert!(en.contains("86.0%"), "{en}");
        assert!(en.contains("-4.0 pp"), "{en}");
        assert!(en.contains("$24.50"), "{en}");
        assert!(en.contains("latency_p95_budget"), "{en}");
        assert!(en.contains("+5.0 pp"), "{en}");
        let id = render(&Context::build(&facts, &totals, &conversion, &ev, Lang::Id), Lang::Id, None).unwrap();
        assert!(id.contains("86,0%"), "{id}");
        assert!(id.contains("-4,0 poin"), "{id}");
        assert!(id.contains("US$24,50"), "{id}");
        assert!(id.contains("1.500 ms"), "{id}");
        assert_ne!(en, id);
    }

    #[test]
    fn empty_data_renders() {
        let ev = Evaluation::default();
        for lang in [Lang::En, Lang::Id] {
            let text = render(&Context::build(&[], &[], &[], &ev, lang), lang, None).unwrap();
            assert!(!text.is_empty());
        }
    }

    #[test]
    fn user_templates_and_their_errors() {
        let (facts, totals, conversion) = data();
        let ctx = Context::build(&facts, &totals, &conversion, &Evaluation::default(), Lang::Id);
        let out = render(&ctx, Lang::Id, Some("{% for p in providers %}{{ p.name }}={{ p.tokens_7d|int }};{% endfor %}")).unwrap();
        assert_eq!(out, "Anthropic=7.700.000;OpenAI=7.700.000;");
        let err = render(&ctx, Lang::En, Some("{{ providers[0].nmae|int }}")).unwrap_err();
        assert!(err.to_string().starts_with("narrative template:"), "{err}");
        assert!(render(&ctx, Lang::En, Some("{% if %}")).is_err());
        // Plain text: markup in data is not escaped nor interpreted, it is just text.
        let mut c = ctx.clone();
        c.providers[0].name = "<b>x</b>".into();
        assert_eq!(render(&c, Lang::En, Some("{{ providers[0].name }}")).unwrap(), "<b>x</b>");
    }

    #[test]
    fn formats() {
        assert_eq!(fmt_points(Lang::En, 0.012), "+1.2 pp");
        assert_eq!(fmt_points(Lang::Id, -0.012), "-1,2 poin");
        assert_eq!(fmt_points(Lang::En, 0.0), "0.0 pp");
        assert_eq!(fmt_usd(Lang::En, 1234.561), "$1,234.56");
        assert_eq!(fmt_usd(Lang::Id, -1234.561), "-US$1.234,56");
        assert_eq!(fmt_metric(Lang::En, Metric::ResolutionRate, 0.5), "50.0%");
        assert_eq!(fmt_metric(Lang::En, Metric::Events, 1200.0), "1,200");
    }
}
