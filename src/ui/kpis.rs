//! The KPI tiles: the latest day of the view against the 7 days before it.

use super::state::AppState;
use leptos::prelude::*;
use modelpulse::i18n::{fmt_date, fmt_int, fmt_number, fmt_percent, t, Lang};
use modelpulse::page::kpi::{Better, Change, Tile, Unit};

/// A tile's value as text.
fn value_text(lang: Lang, unit: Unit, v: f64, signed: bool) -> String {
    let sign = if signed && v > 0.0 { "+" } else { "" };
    match unit {
        Unit::Fraction if signed => format!("{sign}{} {}", fmt_number(lang, v * 100.0, 1), t(lang, "ui.kpi.pp")),
        Unit::Fraction => fmt_percent(lang, v, 1),
        Unit::Millis => format!("{} ms", fmt_number(lang, v, 0)),
        Unit::Count => fmt_int(lang, v.round() as i64),
        Unit::Money => format!("${}", fmt_number(lang, v, 2)),
    }
}

/// The change line (`▲ +3.1%`), and whether it is good news (`good`, `bad` or `neutral`).
fn change_text(lang: Lang, tile: &Tile) -> Option<(String, &'static str)> {
    let change = tile.change()?;
    let (text, delta) = match change {
        Change::Points(p) => {
            (format!("{}{} {}", if p > 0.0 { "+" } else { "" }, fmt_number(lang, p * 100.0, 1), t(lang, "ui.kpi.pp")), p)
        }
        Change::Relative(r) => (format!("{}{}", if r > 0.0 { "+" } else { "" }, fmt_percent(lang, r, 1)), r),
    };
    let arrow = if delta > 0.0 {
        "▲"
    } else if delta < 0.0 {
        "▼"
    } else {
        "■"
    };
    let mood = match (tile.kpi.better(), delta.partial_cmp(&0.0)) {
        (Better::Up, Some(std::cmp::Ordering::Greater)) | (Better::Down, Some(std::cmp::Ordering::Less)) => "good",
        (Better::Up, Some(std::cmp::Ordering::Less)) | (Better::Down, Some(std::cmp::Ordering::Greater)) => "bad",
        _ => "neutral",
    };
    Some((format!("{arrow} {text}"), mood))
}

#[component]
pub fn KpiTiles(state: AppState) -> impl IntoView {
    let tiles = move || {
        let lang = state.lang.get();
        state.facts.with(|f| {
            f.tiles
                .iter()
                .map(|tile| {
                    let unit = tile.kpi.unit();
                    let value = match tile.value {
                        Some(v) => value_text(lang, unit, v, tile.kpi == modelpulse::page::kpi::KpiId::Uplift),
                        None => "–".to_string(),
                    };
                    let change = change_text(lang, tile);
                    let interval = tile.interval.map(|(lo, hi)| {
                        format!(
                            "{} {} … {}",
                            t(lang, "ui.kpi.ci"),
                            value_text(lang, unit, lo, true),
                            value_text(lang, unit, hi, true)
                        )
                    });
                    let date = tile.date.map(|d| fmt_date(lang, d)).unwrap_or_default();
                    let label = format!("kpi.{}", tile.kpi.id());
                    let (change_line, mood) = match change {
                        Some((c, m)) => (Some(format!("{c} {}", t(lang, "ui.kpi.vs"))), m),
                        None => (None, "neutral"),
                    };
                    view! {
                        <article class="tile" data-kpi=tile.kpi.id()>
                            <h3>{t(lang, &label)}</h3>
                            <p class="value">{value}</p>
                            {interval.map(|i| view! { <p class="interval">{i}</p> })}
                            {change_line.map(|c| view! { <p class=format!("change {mood}")>{c}</p> })}
                            <p class="date">{date}</p>
                        </article>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <section class="kpis" aria-label=move || t(state.lang.get(), "ui.kpi.title")>
            {tiles}
        </section>
    }
}
