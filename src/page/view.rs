//! The dashboard's view state (provider filter, date range, language) and its URL-query form,
//! so a link reproduces the view: `?providers=OpenAI,Anthropic&range=30&lang=id`, or
//! `?range=custom&from=2026-10-01&to=2026-10-31`. Provider names are percent-encoded (a `,` inside
//! a name is `%2C`, so it never splits the list). Parameters the view does not own (e.g. `data`)
//! are kept as they are.

use crate::i18n::Lang;
use crate::query::Query;
use chrono::{Days, NaiveDate};

/// The date range a view shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RangeChoice {
    /// All the data.
    #[default]
    All,
    /// The last `n` days that end on the last date of the data (`n` ≥ 1).
    LastDays(u32),
    /// An explicit range; an open end means "to the first/last date of the data".
    Custom { from: Option<NaiveDate>, to: Option<NaiveDate> },
}

impl RangeChoice {
    /// Parses a preset: `all`, or a day count `7`, `30`, `90` (any positive count is accepted).
    pub fn parse_preset(s: &str) -> Option<RangeChoice> {
        match s {
            "all" => Some(RangeChoice::All),
            n => n.parse::<u32>().ok().filter(|n| *n > 0).map(RangeChoice::LastDays),
        }
    }

    /// The `range` parameter's value: `all`, the day count, or `custom`.
    pub fn param(self) -> String {
        match self {
            RangeChoice::All => "all".to_string(),
            RangeChoice::LastDays(n) => n.to_string(),
            RangeChoice::Custom { .. } => "custom".to_string(),
        }
    }

    /// The inclusive dates this range selects, given the data's first and last dates (`None` when
    /// the data is empty). `None` ends mean "unbounded".
    pub fn bounds(self, data: Option<(NaiveDate, NaiveDate)>) -> (Option<NaiveDate>, Option<NaiveDate>) {
        match self {
            RangeChoice::All => (None, None),
            RangeChoice::LastDays(n) => match data {
                Some((_, last)) => (last.checked_sub_days(Days::new(u64::from(n.max(1)) - 1)), Some(last)),
                None => (None, None),
            },
            RangeChoice::Custom { from, to } => (from, to),
        }
    }
}

/// Everything the URL query says about the view.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewState {
    /// Selected providers; `None` = all providers (the parameter is absent).
    pub providers: Option<Vec<String>>,
    /// The date range.
    pub range: RangeChoice,
    /// The language, when the URL chooses one.
    pub lang: Option<Lang>,
}

impl ViewState {
    /// Reads the view from a URL query (`location.search`, with or without the leading `?`).
    /// Unknown or malformed values fall back to the defaults (`default_range` for the range):
    /// a shared link with a typo still opens the dashboard.
    pub fn from_query(search: &str, default_range: RangeChoice) -> ViewState {
        let mut v = ViewState { range: default_range, ..ViewState::default() };
        let (mut from, mut to, mut range) = (None, None, None);
        for (k, raw) in pairs(search) {
            match k.as_str() {
                "providers" => {
                    v.providers = Some(if raw.is_empty() {
                        Vec::new()
                    } else {
                        raw.split(',').map(percent_decode).collect()
                    });
                }
                "range" => range = Some(percent_decode(&raw)),
                "from" => from = NaiveDate::parse_from_str(&percent_decode(&raw), "%Y-%m-%d").ok(),
                "to" => to = NaiveDate::parse_from_str(&percent_decode(&raw), "%Y-%m-%d").ok(),
                "lang" => v.lang = Lang::parse(&percent_decode(&raw)),
                _ => {}
            }
        }
        match range.as_deref() {
            Some("custom") => v.range = RangeChoice::Custom { from, to },
            Some(r) => {
                if let Some(p) = RangeChoice::parse_preset(r) {
                    v.range = p;
                }
            }
            // `from`/`to` without `range` mean a custom range.
            None if from.is_some() || to.is_some() => v.range = RangeChoice::Custom { from, to },
            None => {}
        }
        v
    }

    /// The query string (with leading `?`, or empty) for this view, keeping the parameters of
    /// `current` that the view does not own (in their original order, before the view's own).
    pub fn to_query(&self, current: &str) -> String {
        let mut parts: Vec<String> = raw_pairs(current)
            .filter(|(k, _)| !matches!(k.as_str(), "providers" | "range" | "from" | "to" | "lang"))
            .map(|(k, raw)| if raw.is_empty() && !k.is_empty() { k } else { format!("{k}={raw}") })
            .collect();
        if let Some(ps) = &self.providers {
            let list: Vec<String> = ps.iter().map(|p| percent_encode(p)).collect();
            parts.push(format!("providers={}", list.join(",")));
        }
        parts.push(format!("range={}", self.range.param()));
        if let RangeChoice::Custom { from, to } = self.range {
            if let Some(f) = from {
                parts.push(format!("from={}", f.format("%Y-%m-%d")));
            }
            if let Some(t) = to {
                parts.push(format!("to={}", t.format("%Y-%m-%d")));
            }
        }
        if let Some(l) = self.lang {
            parts.push(format!("lang={}", l.code()));
        }
        if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
    }

    /// The core [`Query`] for this view over data spanning `data` (first, last date).
    pub fn query(&self, data: Option<(NaiveDate, NaiveDate)>) -> Query {
        let (from, to) = self.range.bounds(data);
        Query { providers: self.providers.clone(), from, to }
    }

    /// True when `provider` is selected.
    pub fn shows_provider(&self, provider: &str) -> bool {
        self.providers.as_ref().is_none_or(|ps| ps.iter().any(|p| p == provider))
    }

    /// The view with `provider` toggled, given every provider in the data (`all`). Selecting
    /// every provider again goes back to `None` (no parameter in the URL).
    pub fn toggle_provider(&self, provider: &str, all: &[String]) -> ViewState {
        let mut sel: Vec<String> = match &self.providers {
            Some(ps) => ps.clone(),
            None => all.to_vec(),
        };
        if let Some(i) = sel.iter().position(|p| p == provider) {
            sel.remove(i);
        } else {
            sel.push(provider.to_string());
        }
        let everything = all.iter().all(|p| sel.contains(p)) && sel.iter().all(|p| all.contains(p));
        // Keep the order of `all` for a stable URL.
        let mut ordered: Vec<String> = all.iter().filter(|p| sel.contains(p)).cloned().collect();
        ordered.extend(sel.into_iter().filter(|p| !all.contains(p)));
        ViewState { providers: if everything { None } else { Some(ordered) }, ..self.clone() }
    }
}

/// `key=value` pairs of a query string, keys decoded, values raw (still percent-encoded).
fn raw_pairs(search: &str) -> impl Iterator<Item = (String, String)> + '_ {
    search.trim_start_matches('?').split('&').filter(|s| !s.is_empty()).map(|kv| match kv.split_once('=') {
        Some((k, v)) => (percent_decode(k), v.to_string()),
        None => (percent_decode(kv), String::new()),
    })
}

fn pairs(search: &str) -> Vec<(String, String)> {
    raw_pairs(search).collect()
}

/// Percent-encodes everything but unreserved characters (RFC 3986), so the text survives as
/// one query value and one list item.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes and `+` (as a space); invalid escapes stay as they are, invalid UTF-8
/// becomes U+FFFD.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn parses_providers_range_and_lang() {
        let v = ViewState::from_query("?providers=OpenAI,Anthropic&range=30&lang=id", RangeChoice::All);
        assert_eq!(v.providers, Some(vec!["OpenAI".to_string(), "Anthropic".to_string()]));
        assert_eq!(v.range, RangeChoice::LastDays(30));
        assert_eq!(v.lang, Some(Lang::Id));
    }

    #[test]
    fn defaults_when_absent_or_malformed() {
        let v = ViewState::from_query("", RangeChoice::LastDays(7));
        assert_eq!(v, ViewState { providers: None, range: RangeChoice::LastDays(7), lang: None });
        let v = ViewState::from_query("?range=week&lang=fr&from=notadate", RangeChoice::All);
        assert_eq!(v.range, RangeChoice::All);
        assert_eq!(v.lang, None);
    }

    #[test]
    fn from_to_make_a_custom_range() {
        let v = ViewState::from_query("from=2026-10-01&to=2026-10-31", RangeChoice::All);
        assert_eq!(v.range, RangeChoice::Custom { from: Some(d("2026-10-01")), to: Some(d("2026-10-31")) });
        let q = v.query(Some((d("2026-09-01"), d("2026-11-27"))));
        assert_eq!((q.from, q.to), (Some(d("2026-10-01")), Some(d("2026-10-31"))));
    }

    #[test]
    fn last_days_end_on_the_last_date_of_the_data() {
        let v = ViewState { range: RangeChoice::LastDays(7), ..Default::default() };
        let q = v.query(Some((d("2026-09-01"), d("2026-11-27"))));
        assert_eq!((q.from, q.to), (Some(d("2026-11-21")), Some(d("2026-11-27"))));
        assert_eq!(v.query(None), Query::default());
    }

    #[test]
    fn empty_providers_parameter_selects_none() {
        let v = ViewState::from_query("providers=", RangeChoice::All);
        assert_eq!(v.providers, Some(vec![]));
        assert_eq!(ViewState::from_query(&v.to_query(""), RangeChoice::All), v);
    }

    #[test]
    fn to_query_keeps_foreign_parameters() {
        let v = ViewState { providers: Some(vec!["a,b".into()]), range: RangeChoice::LastDays(30), lang: Some(Lang::Id) };
        let q = v.to_query("?data=https%3A%2F%2Fx.org%2Fs&range=7&lang=en");
        assert_eq!(q, "?data=https%3A%2F%2Fx.org%2Fs&providers=a%2Cb&range=30&lang=id");
    }

    #[test]
    fn toggling_back_to_everything_drops_the_parameter() {
        let all = vec!["A".to_string(), "B".to_string()];
        let v = ViewState::default().toggle_provider("B", &all);
        assert_eq!(v.providers, Some(vec!["A".to_string()]));
        let v = v.toggle_provider("B", &all);
        assert_eq!(v.providers, None);
    }

    #[test]
    fn decode_tolerates_bad_escapes() {
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%zz%41+b"), "%zzA b");
        assert_eq!(percent_decode("%"), "%");
    }

    /// Property test (native only: proptest is a native dev-dependency).
    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn query_round_trips(
                providers in proptest::option::of(proptest::collection::vec(".{0,12}", 0..4)),
                range in prop_oneof![
                    Just(RangeChoice::All),
                    (1u32..400).prop_map(RangeChoice::LastDays),
                    (proptest::option::of(0i64..20000), proptest::option::of(0i64..20000)).prop_map(|(f, t)| {
                        let day = |n: i64| NaiveDate::from_ymd_opt(1990, 1, 1).unwrap() + chrono::Duration::days(n);
                        RangeChoice::Custom { from: f.map(day), to: t.map(day) }
                    }),
                ],
                lang in proptest::option::of(prop_oneof![Just(Lang::En), Just(Lang::Id)]),
            ) {
                // An empty name in a one-element list is indistinguishable from "none selected".
                prop_assume!(providers.as_ref().is_none_or(|ps| !(ps.len() == 1 && ps[0].is_empty())));
                let v = ViewState { providers, range, lang };
                let back = ViewState::from_query(&v.to_query("?data=x"), RangeChoice::All);
                prop_assert_eq!(back, v);
            }
        }
    }
}
