//! Evaluation: every rule × scope × day → a [`State`], as a pure function of the facts.
//!
//! ## Semantics
//! - The days evaluated are every calendar day from the first to the last `event_date` found in
//!   the facts given (per provider and totals together). Each series covers all of them; a day with
//!   no row for the series (or a null metric) is a *no-data* day, handled by the rule's `no_data`.
//! - A series is one scope of one rule: scope `each` gives one series per provider found in
//!   `per_provider` (byte order), `provider = "X"` one series for X (present or not), `all` one
//!   series over `totals`.
//! - State machine, one step per day ([`step`]):
//!   - from `ok` or `resolved`: a breaching day (`value op threshold`) starts a run of 1;
//!   - from `pending`: a breaching day extends the run, anything else returns to `ok`;
//!   - a run reaching `for_days` makes the day `firing` (so `for_days = n` fires on exactly the
//!     n-th consecutive breaching day);
//!   - from `firing`: the day is `resolved` when the value *clears* (`value op recovery_threshold`
//!     no longer holds; recovery defaults to the threshold), else it stays `firing`. Values between
//!     the two thresholds (the hysteresis band) neither start nor end an incident.
//!   - no-data days: `keep_state` leaves the state and run as they were (`resolved` becomes `ok`),
//!     `ok` counts as a clearing, non-breaching day, `alerting` as a breaching one.
//! - `resolved` lasts one day (the day the incident ended); the next day starts from `ok`.

use super::rules::{Metric, NoData, Rule, Rules, Scope, Severity};
use crate::charts::Price;
use crate::facts::DashboardFact;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// A series' state on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Within limits (or breaching for fewer days than needed… see `Pending`).
    #[default]
    Ok,
    /// Breaching, but for fewer than `for_days` consecutive days.
    Pending,
    /// Breaching for at least `for_days` consecutive days and not yet cleared.
    Firing,
    /// Was firing the day before and cleared on this day.
    Resolved,
}

impl State {
    /// `ok`, `pending`, `firing` or `resolved`.
    pub fn name(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Pending => "pending",
            State::Firing => "firing",
            State::Resolved => "resolved",
        }
    }
}

/// One day of one series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayState {
    pub date: NaiveDate,
    /// The metric's value that day; `None` = no data.
    pub value: Option<f64>,
    pub state: State,
}

/// One rule × one scope, over every evaluated day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesEvaluation {
    /// The rule's name.
    pub rule: String,
    /// The provider this series watches, or `all` for the combined scope.
    pub scope: String,
    pub metric: Metric,
    /// `latency_p95_ms > 1200`.
    pub condition: String,
    pub threshold: f64,
    pub severity: Severity,
    /// Stable identity of this rule+scope's incidents: `modelpulse/<rule>/<scope>`.
    pub dedup_key: String,
    /// Every evaluated day, oldest first.
    pub days: Vec<DayState>,
    /// The state on the last day (`ok` when there are no days).
    pub latest: State,
    /// The last day's value.
    pub latest_value: Option<f64>,
    /// When `latest` is pending, firing or resolved: the first day of that episode (the first
    /// breaching day of the run that led to it). `None` when `latest` is ok.
    pub since: Option<NaiveDate>,
}

/// The result of [`evaluate`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The first and last evaluated day; `None` when the facts are empty.
    pub first_date: Option<NaiveDate>,
    pub last_date: Option<NaiveDate>,
    /// One entry per rule × scope, in rule order then scope order.
    pub series: Vec<SeriesEvaluation>,
    /// The rules file's prices (used by the narrative and the digest for costs).
    pub prices: Vec<Price>,
    /// The latency budget: the threshold of the first `latency_p95_ms >`/`>=` rule, if any.
    pub latency_budget_ms: Option<f64>,
}

impl Evaluation {
    /// Series whose latest state is `firing`.
    pub fn firing(&self) -> impl Iterator<Item = &SeriesEvaluation> {
        self.series.iter().filter(|s| s.latest == State::Firing)
    }
    /// Series whose latest state is `resolved` (they cleared on the last day).
    pub fn resolved(&self) -> impl Iterator<Item = &SeriesEvaluation> {
        self.series.iter().filter(|s| s.latest == State::Resolved)
    }
}

/// One day's step of the state machine: `(state, run)` before the day and the day's value →
/// `(state, run)` after it. `run` is the count of consecutive breaching days while pending or
/// firing (0 otherwise).
pub fn step(rule: &Rule, state: State, run: u32, value: Option<f64>) -> (State, u32) {
    let (breach, clear) = match value {
        Some(v) if !v.is_nan() => (rule.breaches(v), rule.clears(v)),
        _ => match rule.no_data {
            NoData::KeepState => {
                let kept = if state == State::Resolved { State::Ok } else { state };
                return (kept, run);
            }
            NoData::Ok => (false, true),
            NoData::Alerting => (true, false),
        },
    };
    match state {
        State::Ok | State::Resolved | State::Pending => {
            if breach {
                let run = if state == State::Pending { run + 1 } else { 1 };
                if run >= rule.for_days { (State::Firing, run) } else { (State::Pending, run) }
            } else {
                (State::Ok, 0)
            }
        }
        State::Firing => {
            if clear {
                (State::Resolved, 0)
            } else {
                (State::Firing, run.saturating_add(u32::from(breach)))
            }
        }
    }
}

/// Runs the state machine over `values` (one per day, starting at `first`).
fn run_series(rule: &Rule, first: NaiveDate, values: &[Option<f64>]) -> (Vec<DayState>, Option<NaiveDate>) {
    let mut state = State::Ok;
    let mut run = 0;
    let mut since: Option<NaiveDate> = None;
    let mut days = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        let date = first + chrono::Days::new(i as u64);
        let (next, next_run) = step(rule, state, run, *v);
        // The episode starts on the first day that leaves ok.
        if matches!(state, State::Ok | State::Resolved) && matches!(next, State::Pending | State::Firing) {
            since = Some(date);
        }
        state = next;
        run = next_run;
        if state == State::Ok {
            since = None;
        }
        days.push(DayState { date, value: *v, state });
    }
    (days, since)
}

/// Evaluates every rule of `rules` over the facts.
///
/// `per_provider` are `dashboard_facts` rows (any order), `totals` the `Dataset::daily_totals`
/// rows of the same selection (provider `all`). See the module docs for the semantics.
pub fn evaluate(rules: &Rules, per_provider: &[DashboardFact], totals: &[DashboardFact]) -> Evaluation {
    let dates = per_provider.iter().chain(totals).map(|f| f.event_date);
    let (first, last) = match (dates.clone().min(), dates.max()) {
        (Some(a), Some(b)) => (a, b),
        _ => {
            return Evaluation {
                prices: rules.prices.clone(),
                latency_budget_ms: latency_budget(rules),
                ..Evaluation::default()
            };
        }
    };
    let n_days = (last - first).num_days() as usize + 1;
    let index = |d: NaiveDate| (d - first).num_days() as usize;

    let mut by_provider: HashMap<&str, Vec<Option<&DashboardFact>>> = HashMap::new();
    let providers: BTreeSet<&str> = per_provider.iter().map(|f| f.provider.as_str()).collect();
    for f in per_provider {
        by_provider.entry(f.provider.as_str()).or_insert_with(|| vec![None; n_days])[index(f.event_date)] = Some(f);
    }
    let mut total_rows: Vec<Option<&DashboardFact>> = vec![None; n_days];
    for f in totals {
        total_rows[index(f.event_date)] = Some(f);
    }

    let mut series = Vec::new();
    for rule in &rules.rules {
        let scopes: Vec<String> = match &rule.scope {
            Scope::Each => providers.iter().map(|p| p.to_string()).collect(),
            Scope::Provider(p) => vec![p.clone()],
            Scope::All => vec!["all".to_string()],
        };
        for scope in scopes {
            let values: Vec<Option<f64>> = if rule.scope == Scope::All {
                (0..n_days)
                    .map(|i| {
                        if rule.metric == Metric::CostUsd {
                            combined_cost(rules, &by_provider, i)
                        } else {
                            total_rows[i].and_then(|f| rule.metric.value(f, None))
                        }
                    })
                    .collect()
            } else {
                let price = rules.price(&scope);
                match by_provider.get(scope.as_str()) {
                    Some(rows) => rows.iter().map(|r| r.and_then(|f| rule.metric.value(f, price))).collect(),
                    None => vec![None; n_days],
                }
            };
            let (days, since) = run_series(rule, first, &values);
            let latest = days.last().map(|d| d.state).unwrap_or_default();
            let latest_value = days.last().and_then(|d| d.value);
            series.push(SeriesEvaluation {
                dedup_key: format!("modelpulse/{}/{}", rule.name, scope),
                rule: rule.name.clone(),
                scope,
                metric: rule.metric,
                condition: rule.condition(),
                threshold: rule.threshold,
                severity: rule.severity,
                days,
                latest,
                latest_value,
                since,
            });
        }
    }
    Evaluation {
        first_date: Some(first),
        last_date: Some(last),
        series,
        prices: rules.prices.clone(),
        latency_budget_ms: latency_budget(rules),
    }
}

/// Sum of the day's per-provider costs; `None` if no provider has a row that day or one of them
/// has no price.
fn combined_cost(rules: &Rules, by_provider: &HashMap<&str, Vec<Option<&DashboardFact>>>, day: usize) -> Option<f64> {
    let mut sum = 0.0;
    let mut any = false;
    for rows in by_provider.values() {
        if let Some(f) = rows[day] {
            sum += Metric::CostUsd.value(f, rules.price(&f.provider))?;
            any = true;
        }
    }
    any.then_some(sum)
}

fn latency_budget(rules: &Rules) -> Option<f64> {
    rules
        .rules
        .iter()
        .find(|r| r.metric == Metric::LatencyP95Ms && r.op.is_upper())
        .map(|r| r.threshold)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::rules::Op;
    use proptest::prelude::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 10, 1).unwrap() + chrono::Days::new(day as u64)
    }

    fn fact(day: u32, provider: &str, p95: Option<f64>) -> DashboardFact {
        DashboardFact {
            event_date: d(day),
            provider: provider.into(),
            events: 10,
            sessions: 5,
            accuracy_daily: Some(0.9),
            accuracy_rolling_7d: Some(0.9),
            latency_p50_ms: p95.map(|x| x / 2.0),
            latency_p95_ms: p95,
            tokens_input: 1_000_000,
            tokens_output: 100_000,
            tokens_total: 1_100_000,
            tickets: 2,
            tickets_resolved_by_agent: 1,
            resolution_rate: Some(0.5),
            revenue_from_ai: 3.0,
        }
    }

    fn rules(extra: &str) -> Rules {
        Rules::parse(&format!(
            "[[rule]]\nname='lat'\nmetric='latency_p95_ms'\nop='>'\nthreshold=1200\n{extra}"
        ))
        .unwrap()
    }

    fn states(e: &Evaluation, scope: &str) -> Vec<State> {
        e.series.iter().find(|s| s.scope == scope).unwrap().days.iter().map(|d| d.state).collect()
    }

    use State::{Firing as F, Ok as O, Pending as P, Resolved as R};

    #[test]
    fn each_scope_gives_one_series_per_provider_with_its_own_states() {
        let facts: Vec<_> = [900.0, 1300.0, 1300.0, 1300.0, 800.0]
            .iter()
            .enumerate()
            .flat_map(|(i, v)| [fact(i as u32, "Anthropic", Some(700.0)), fact(i as u32, "OpenAI", Some(*v))])
            .collect();
        let e = evaluate(&rules("for_days=2\n"), &facts, &[]);
        assert_eq!(e.series.len(), 2);
        assert_eq!(e.series[0].scope, "Anthropic");
        assert_eq!(states(&e, "OpenAI"), vec![O, P, F, F, R]);
        assert_eq!(states(&e, "Anthropic"), vec![O; 5]);
        let s = &e.series[1];
        assert_eq!((s.latest, s.since, s.latest_value), (R, Some(d(1)), Some(800.0)));
        assert_eq!(s.dedup_key, "modelpulse/lat/OpenAI");
        assert_eq!(e.resolved().count(), 1);
        assert_eq!(e.latency_budget_ms, Some(1200.0));
    }

    #[test]
    fn all_scope_reads_the_totals_and_named_provider_one_series() {
        let per = vec![fact(0, "A", Some(100.0)), fact(1, "A", Some(100.0))];
        let totals = vec![fact(0, "all", Some(1500.0)), fact(1, "all", Some(1500.0))];
        let e = evaluate(&rules("scope='all'\n"), &per, &totals);
        assert_eq!(e.series.len(), 1);
        assert_eq!(states(&e, "all"), vec![F, F]);
        assert_eq!(e.firing().count(), 1);
        let e = evaluate(&rules("provider='Missing'\n"), &per, &totals);
        assert_eq!(states(&e, "Missing"), vec![O, O]);
        let e = evaluate(&rules("provider='Missing'\nno_data='alerting'\n"), &per, &totals);
        assert_eq!(states(&e, "Missing"), vec![F, F]);
    }

    #[test]
    fn no_data_policies() {
        // Firing, then a gap of two days, then a clearing value.
        let facts = vec![fact(0, "A", Some(1300.0)), fact(3, "A", Some(100.0))];
        assert_eq!(states(&evaluate(&rules(""), &facts, &[]), "A"), vec![F, F, F, R]);
        assert_eq!(states(&evaluate(&rules("no_data='ok'\n"), &facts, &[]), "A"), vec![F, R, O, O]);
        assert_eq!(states(&evaluate(&rules("no_data='alerting'\n"), &facts, &[]), "A"), vec![F, F, F, R]);
        // A null metric is no data too; keep_state keeps a pending run without growing it.
        let facts = vec![fact(0, "A", Some(1300.0)), fact(1, "A", None), fact(2, "A", Some(1300.0))];
        assert_eq!(states(&evaluate(&rules("for_days=2\n"), &facts, &[]), "A"), vec![P, P, F]);
        assert_eq!(states(&evaluate(&rules("for_days=2\nno_data='ok'\n"), &facts, &[]), "A"), vec![P, O, P]);
        assert_eq!(states(&evaluate(&rules("for_days=3\nno_data='alerting'\n"), &facts, &[]), "A"), vec![P, P, F]);
    }

    #[test]
    fn hysteresis_holds_firing_inside_the_band() {
        let vals = [1300.0, 1150.0, 1250.0, 1150.0, 1099.0, 1150.0];
        let facts: Vec<_> = vals.iter().enumerate().map(|(i, v)| fact(i as u32, "A", Some(*v))).collect();
        let e = evaluate(&rules("recovery_threshold=1100\n"), &facts, &[]);
        assert_eq!(states(&e, "A"), vec![F, F, F, F, R, O]);
        let e = evaluate(&rules(""), &facts, &[]);
        assert_eq!(states(&e, "A"), vec![F, R, F, R, O, O]);
    }

    #[test]
    fn cost_metric_uses_prices_and_sums_for_all() {
        let r = Rules::parse(
            "[prices.A]\ninput_per_1m=1\noutput_per_1m=10\n[prices.B]\ninput_per_1m=2\noutput_per_1m=0\n\
             [[rule]]\nname='c'\nmetric='cost_usd'\nop='>'\nthreshold=3.5\nscope='all'\n\
             [[rule]]\nname='e'\nmetric='cost_usd'\nop='>'\nthreshold=1.5\n",
        )
        .unwrap();
        // A: 1M in × 1 + 0.1M out × 10 = 2; B: 1M × 2 = 2; all = 4.
        let facts = vec![fact(0, "A", None), fact(0, "B", None), fact(0, "C", None), fact(1, "A", None), fact(1, "B", None)];
        let e = evaluate(&r, &facts, &[]);
        let all = e.series.iter().find(|s| s.rule == "c").unwrap();
        assert_eq!(all.days[0].value, None, "C has no price, so the combined cost is unknown");
        assert_eq!(all.days[1].value, Some(4.0));
        assert_eq!(all.latest, F);
        let c = e.series.iter().find(|s| s.rule == "e" && s.scope == "C").unwrap();
        assert_eq!(c.days[0].value, None);
        assert_eq!(e.series.iter().filter(|s| s.rule == "e" && s.latest == F).count(), 2);
    }

    #[test]
    fn empty_facts_give_no_series() {
        let e = evaluate(&rules(""), &[], &[]);
        assert!(e.series.is_empty() && e.last_date.is_none());
    }

    fn rule_with(op: Op, t: f64, r: Option<f64>, n: u32, no_data: NoData) -> Rule {
        Rule {
            name: "p".into(),
            description: None,
            metric: Metric::LatencyP95Ms,
            op,
            threshold: t,
            recovery_threshold: r,
            scope: Scope::Each,
            for_days: n,
            no_data,
            severity: Severity::Warning,
            channels: vec![],
            dashboard_url: None,
        }
    }

    fn run(rule: &Rule, values: &[Option<f64>]) -> Vec<State> {
        run_series(rule, d(0), values).0.into_iter().map(|d| d.state).collect()
    }

    fn any_op() -> impl Strategy<Value = Op> {
        prop_oneof![Just(Op::Gt), Just(Op::Ge), Just(Op::Lt), Just(Op::Le)]
    }

    proptest! {
        /// `for_days = n` fires on exactly the n-th consecutive breaching day: with k non-breaching
        /// days then m breaching ones, the first firing day is k + n − 1 (none if m < n).
        #[test]
        fn fires_on_exactly_the_nth_breaching_day(
            n in 1u32..8, k in 0usize..6, m in 0usize..12, op in any_op(),
            t in 100.0f64..2000.0, off in 1.0f64..500.0,
        ) {
            let rule = rule_with(op, t, None, n, NoData::KeepState);
            let (good, bad) = if op.is_upper() { (t - off, t + off) } else { (t + off, t - off) };
            let values: Vec<_> = std::iter::repeat_n(Some(good), k).chain(std::iter::repeat_n(Some(bad), m)).collect();
            let states = run(&rule, &values);
            let first_firing = states.iter().position(|s| *s == State::Firing);
            if m >= n as usize {
                prop_assert_eq!(first_firing, Some(k + n as usize - 1));
                prop_assert!(states[k + n as usize - 1..].iter().all(|s| *s == State::Firing));
                prop_assert!(states[k..k + n as usize - 1].iter().all(|s| *s == State::Pending));
            } else {
                prop_assert_eq!(first_firing, None);
            }
        }

        /// In any sequence, a day is firing-from-non-firing only if it and the n − 1 days before it
        /// all breach (every value present, keep_state).
        #[test]
        fn every_firing_start_follows_n_breaching_days(
            n in 1u32..5, vals in proptest::collection::vec(0.0f64..2000.0, 0..40),
        ) {
            let rule = rule_with(Op::Gt, 1000.0, Some(800.0), n, NoData::KeepState);
            let values: Vec<_> = vals.iter().map(|v| Some(*v)).collect();
            let states = run(&rule, &values);
            for i in 0..states.len() {
                let started = states[i] == State::Firing && (i == 0 || states[i - 1] != State::Firing);
                if started {
                    prop_assert!(i + 1 >= n as usize);
                    prop_assert!(vals[i + 1 - n as usize..=i].iter().all(|v| *v > 1000.0));
                }
            }
        }

        /// Hysteresis never flaps: once inside the band (breaching no longer holds, clearing does
        /// not either), the state stays what the band's first day made it, whatever the prefix.
        #[test]
        fn hysteresis_never_flaps_inside_the_band(
            op in any_op(), t in 100.0f64..2000.0, width in 10.0f64..300.0, n in 1u32..4,
            prefix in proptest::collection::vec(proptest::option::of(0.0f64..2500.0), 0..15),
            band in proptest::collection::vec(0.05f64..0.95, 1..20),
            no_data in prop_oneof![Just(NoData::KeepState), Just(NoData::Ok), Just(NoData::Alerting)],
        ) {
            let r = if op.is_upper() { t - width } else { t + width };
            let rule = rule_with(op, t, Some(r), n, no_data);
            // Strictly inside (r, t): never breaches, never clears, for every op.
            let band_vals: Vec<_> = band.iter().map(|f| Some(r + (t - r) * f)).collect();
            for v in band_vals.iter().flatten() {
                prop_assert!(!rule.breaches(*v) && !rule.clears(*v));
            }
            let values: Vec<_> = prefix.iter().cloned().chain(band_vals).collect();
            let states = run(&rule, &values);
            let band_states = &states[prefix.len()..];
            let first = band_states[0];
            prop_assert!(first == State::Firing || first == State::Ok, "band starts firing or ok, got {:?}", first);
            prop_assert!(band_states.iter().all(|s| *s == first), "flapped: {:?}", band_states);
        }

        /// `resolved` only ever follows `firing`, and `firing` is never followed by `pending`.
        #[test]
        fn transitions_are_well_formed(
            n in 1u32..4, vals in proptest::collection::vec(proptest::option::of(0.0f64..2000.0), 0..40),
            no_data in prop_oneof![Just(NoData::KeepState), Just(NoData::Ok), Just(NoData::Alerting)],
        ) {
            let rule = rule_with(Op::Ge, 1000.0, None, n, no_data);
            let states = run(&rule, &vals);
            for w in states.windows(2) {
                if w[1] == State::Resolved { prop_assert_eq!(w[0], State::Firing); }
                if w[0] == State::Firing { prop_assert!(w[1] == State::Firing || w[1] == State::Resolved); }
            }
            if let Some(s) = states.first() { prop_assert!(*s != State::Resolved); }
        }
    }
}
