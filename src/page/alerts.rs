//! The page's alerts banner and Summary panel, computed without the DOM.
//!
//! ## Which facts the rules see
//! The rules are evaluated on the *whole history up to the view's last day*, for the view's
//! providers ([`evaluation_query`]): the data's first day → the view's `to`. A rule with
//! `for_days = 2` or a recovery threshold depends on the days before the view; evaluating only
//! the filtered range would restart every pending period at the range's first day and could
//! miss (or end) an incident that began earlier. The provider filter does apply: scope `each`
//! watches the providers shown, and scope `all` the totals of the providers shown (what the
//! charts show). So a view ending on day D lists exactly what `modelpulse alerts --date D` would
//! say for those providers.
//!
//! The banner ([`Banner::build`]) lists the series *firing* on the view's last day and the
//! *incidents* that overlap the view's date range, each from the first breaching day of its
//! episode (`since`) to the last firing day (`until`; `None` while it still fires).

use crate::alerts::{Evaluation, Metric, SeriesEvaluation, State};
use crate::charts::Price;
use crate::facts::{ConversionFact, DashboardFact};
use crate::i18n::{fmt_date, t, Lang};
use crate::narrative::{fmt_metric, render, Context};
use crate::query::Query;
use chrono::NaiveDate;

/// The query the rules are evaluated on for a view's query: the same providers, from the data's
/// first day (no lower bound) to the view's last day. See the module docs for why.
pub fn evaluation_query(view: &Query) -> Query {
    Query { providers: view.providers.clone(), from: None, to: view.to }
}

/// A series firing on the evaluated (= the view's) last day.
#[derive(Debug, Clone, PartialEq)]
pub struct Firing {
    pub rule: String,
    /// The provider, or `all` for scope `all`.
    pub scope: String,
    pub metric: Metric,
    /// `>`, `<`, … taken from the rule's condition.
    pub op: String,
    pub value: Option<f64>,
    pub threshold: f64,
    /// First breaching day of the episode.
    pub since: Option<NaiveDate>,
}

/// One incident (an episode that reached `firing`) overlapping the view's range.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    pub rule: String,
    pub scope: String,
    pub metric: Metric,
    /// First breaching day of the episode (its pending days included).
    pub since: NaiveDate,
    /// Last firing day; `None` when still firing on the last evaluated day.
    pub until: Option<NaiveDate>,
}

/// What the alerts banner shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Banner {
    pub firing: Vec<Firing>,
    pub incidents: Vec<Incident>,
}

/// The operator in a condition such as `latency_p95_ms > 1200`.
fn op_of(condition: &str) -> String {
    condition.split_whitespace().nth(1).unwrap_or("").to_string()
}

/// Every incident of one series: maximal runs of `firing` days, each extended back over the
/// breaching (pending) days that led to it.
fn incidents_of(s: &SeriesEvaluation) -> Vec<Incident> {
    let mut out = Vec::new();
    let mut episode_start: Option<NaiveDate> = None; // first day of the current pending/firing run
    let mut firing_since: Option<NaiveDate> = None;
    let mut last_firing: Option<NaiveDate> = None;
    for d in &s.days {
        match d.state {
            State::Pending => {
                if firing_since.is_none() && episode_start.is_none() {
                    episode_start = Some(d.date);
                }
            }
            State::Firing => {
                if firing_since.is_none() {
                    firing_since = Some(episode_start.unwrap_or(d.date));
                }
                last_firing = Some(d.date);
            }
            State::Ok | State::Resolved => {
                if let (Some(since), Some(until)) = (firing_since, last_firing) {
                    out.push(Incident { rule: s.rule.clone(), scope: s.scope.clone(), metric: s.metric, since, until: Some(until) });
                }
                episode_start = None;
                firing_since = None;
                last_firing = None;
            }
        }
    }
    if let Some(since) = firing_since {
        out.push(Incident { rule: s.rule.clone(), scope: s.scope.clone(), metric: s.metric, since, until: None });
    }
    out
}

impl Banner {
    /// The banner for a view whose dates are `from..=to` (`None` = unbounded) from an
    /// [`evaluate`](crate::alerts::evaluate) run on [`evaluation_query`]'s facts.
    pub fn build(eval: &Evaluation, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Banner {
        let firing = eval
            .firing()
            .map(|s| Firing {
                rule: s.rule.clone(),
                scope: s.scope.clone(),
                metric: s.metric,
                op: op_of(&s.condition),
                value: s.latest_value,
                threshold: s.threshold,
                since: s.since,
            })
            .collect();
        let incidents = eval
            .series
            .iter()
            .flat_map(incidents_of)
            .filter(|i| {
                let end = i.until.or(eval.last_date).unwrap_or(i.since);
                from.is_none_or(|f| end >= f) && to.is_none_or(|t| i.since <= t)
            })
            .collect();
        Banner { firing, incidents }
    }

    pub fn is_empty(&self) -> bool {
        self.firing.is_empty() && self.incidents.is_empty()
    }
}

/// `latency_p95_budget · Google: latency_p95_ms 1,500 ms > 1,200 ms, since 12 Nov 2026`.
pub fn firing_text(lang: Lang, f: &Firing) -> String {
    let value = f.value.map(|v| fmt_metric(lang, f.metric, v)).unwrap_or_else(|| t(lang, "alerts.banner.no_data").to_string());
    let mut s = format!(
        "{} · {}: {} {} {} {}",
        f.rule,
        f.scope,
        f.metric.name(),
        value,
        f.op,
        fmt_metric(lang, f.metric, f.threshold)
    );
    if let Some(d) = f.since {
        s.push_str(&format!(", {} {}", t(lang, "alerts.banner.since"), fmt_date(lang, d)));
    }
    s
}

/// `latency_p95_budget · Google: 01 Nov 2026 – 05 Nov 2026` (`– ongoing` while firing).
pub fn incident_text(lang: Lang, i: &Incident) -> String {
    let until = match i.until {
        Some(d) => fmt_date(lang, d),
        None => t(lang, "alerts.banner.ongoing").to_string(),
    };
    format!("{} · {} ({}): {} – {}", i.rule, i.scope, i.metric.name(), fmt_date(lang, i.since), until)
}

/// The latency chart's budget line: the threshold of the rules' `latency_p95_ms >` rule when the
/// rules have one, else `config_budget` (config.json's `latency_budget_ms`).
pub fn latency_budget(eval: Option<&Evaluation>, config_budget: f64) -> f64 {
    eval.and_then(|e| e.latency_budget_ms).unwrap_or(config_budget)
}

/// The Summary panel's text for a view: the narrative of its facts (costs from `prices`, alerts
/// from `eval`, an empty evaluation when there are no rules), in `lang`. Plain text.
pub fn summary_text(
    dashboard: &[DashboardFact],
    totals: &[DashboardFact],
    conversion: &[ConversionFact],
    eval: Option<&Evaluation>,
    prices: &[Price],
    lang: Lang,
) -> Result<String, String> {
    let empty = Evaluation::default();
    let ctx = Context::build_with_prices(dashboard, totals, conversion, eval.unwrap_or(&empty), lang, prices);
    render(&ctx, lang, None).map_err(|e| e.to_string())
}

/// The notice shown when the rules file cannot be used: `alerts.toml: <problem>. <hint>`.
pub fn notice_text(lang: Lang, file: &str, problem: &str) -> String {
    let problem = problem.strip_prefix(&format!("{file}: ")).unwrap_or(problem);
    format!("{file}: {problem}. {}", t(lang, "alerts.notice.hint"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::{evaluate, Rules};

    fn fact(provider: &str, day: u32, p95: f64) -> DashboardFact {
        DashboardFact {
            provider: provider.to_string(),
            event_date: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            events: 10,
            sessions: 5,
            accuracy_daily: Some(0.9),
            accuracy_rolling_7d: Some(0.9),
            latency_p50_ms: Some(p95 / 2.0),
            latency_p95_ms: Some(p95),
            tokens_input: 1000,
            tokens_output: 500,
            tokens_total: 1500,
            tickets: 0,
            tickets_resolved_by_agent: 0,
            resolution_rate: None,
            revenue_from_ai: 0.0,
        }
    }

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap()
    }

    const RULES: &str = r#"
        [[rule]]
        name = "lat"
        metric = "latency_p95_ms"
        op = ">"
        threshold = 1200
        for_days = 2
    "#;

    /// Days 1..=10; X breaches on 3,4,5 (fires 4..5, resolves 6) and on 9,10 (fires on 10).
    fn facts() -> Vec<DashboardFact> {
        (1..=10)
            .map(|day| fact("X", day, if [3, 4, 5, 9, 10].contains(&day) { 1500.0 } else { 900.0 }))
            .collect()
    }

    #[test]
    fn incidents_span_pending_to_last_firing_day_and_firing_is_the_last_day() {
        let rules = Rules::parse(RULES).unwrap();
        let eval = evaluate(&rules, &facts(), &[]);
        let b = Banner::build(&eval, None, None);
        assert_eq!(b.incidents.len(), 2);
        assert_eq!((b.incidents[0].since, b.incidents[0].until), (d(3), Some(d(5))));
        assert_eq!((b.incidents[1].since, b.incidents[1].until), (d(9), None));
        assert_eq!(b.firing.len(), 1);
        assert_eq!(b.firing[0].since, Some(d(9)));
        assert_eq!(b.firing[0].op, ">");
        assert_eq!(b.firing[0].value, Some(1500.0));
    }

    #[test]
    fn incidents_are_filtered_by_the_view_range() {
        let rules = Rules::parse(RULES).unwrap();
        let eval = evaluate(&rules, &facts(), &[]);
        assert_eq!(Banner::build(&eval, Some(d(6)), Some(d(8))).incidents.len(), 0);
        assert_eq!(Banner::build(&eval, Some(d(5)), Some(d(8))).incidents.len(), 1);
        assert_eq!(Banner::build(&eval, Some(d(1)), Some(d(3))).incidents.len(), 1);
        assert_eq!(Banner::build(&eval, Some(d(10)), None).incidents.len(), 1);
    }

    #[test]
    fn history_before_the_view_decides_the_pending_period() {
        // A view of of day 4 alone would only see day 4 pending; with history it fires.
        let rules = Rules::parse(RULES).unwrap();
        let q = evaluation_query(&Query { providers: None, from: Some(d(4)), to: Some(d(4)) });
        assert_eq!((q.from, q.to), (None, Some(d(4))));
        let upto: Vec<_> = facts().into_iter().filter(|f| q.keeps_date(f.event_date)).collect();
        let eval = evaluate(&rules, &upto, &[]);
        let b = Banner::build(&eval, Some(d(4)), Some(d(4)));
        assert_eq!(b.firing.len(), 1, "{b:?}");
        let only_view: Vec<_> = facts().into_iter().filter(|f| f.event_date >= d(4) && f.event_date <= d(4)).collect();
        let b2 = Banner::build(&evaluate(&rules, &only_view, &[]), Some(d(4)), Some(d(4)));
        assert_eq!(b2.firing.len(), 0, "without history the period is still pending");
    }

    #[test]
    fn texts_and_budget() {
        let rules = Rules::parse(RULES).unwrap();
        let eval = evaluate(&rules, &facts(), &[]);
        let b = Banner::build(&eval, None, None);
        let en = firing_text(Lang::En, &b.firing[0]);
        assert!(en.contains("lat · X: latency_p95_ms 1,500 ms > 1,200 ms"), "{en}");
        assert!(en.contains("since"), "{en}");
        assert!(firing_text(Lang::Id, &b.firing[0]).contains("1.500 ms"));
        assert!(incident_text(Lang::En, &b.incidents[1]).ends_with(t(Lang::En, "alerts.banner.ongoing")));
        assert_eq!(latency_budget(Some(&eval), 999.0), 1200.0);
        assert_eq!(latency_budget(None, 999.0), 999.0);
        let no_latency = evaluate(&Rules::parse("").unwrap(), &facts(), &[]);
        assert_eq!(latency_budget(Some(&no_latency), 999.0), 999.0);
    }

    #[test]
    fn summary_changes_with_language_and_facts() {
        let f = facts();
        let en = summary_text(&f, &[], &[], None, &[], Lang::En).unwrap();
        let id = summary_text(&f, &[], &[], None, &[], Lang::Id).unwrap();
        assert!(!en.is_empty());
        assert_ne!(en, id);
        let fewer: Vec<_> = f.iter().filter(|r| r.event_date <= d(5)).cloned().collect();
        assert_ne!(summary_text(&fewer, &[], &[], None, &[], Lang::En).unwrap(), en);
    }

    #[test]
    fn notice_names_the_file_once() {
        let n = notice_text(Lang::En, "alerts.toml", "alerts.toml: rule \"x\": bad");
        assert!(n.starts_with("alerts.toml: rule \"x\": bad. "), "{n}");
    }
}
