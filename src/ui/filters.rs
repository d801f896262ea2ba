//! The filter bar: providers (checkboxes), date range (presets or custom dates), language.
//! Every change goes through [`AppState::change_view`]; the URL follows the view.

use super::browser;
use super::state::AppState;
use chrono::NaiveDate;
use leptos::prelude::*;
use modelpulse::i18n::{t, Lang};
use modelpulse::page::view::{RangeChoice, ViewState};

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn date_value(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

#[component]
pub fn Filters(state: AppState) -> impl IntoView {
    let lang = state.lang;
    let tr = move |key: &'static str| move || t(lang.get(), key);

    let provider_boxes = move || {
        let all = state.providers.get();
        all.iter()
            .cloned()
            .map(|p| {
                let name = p.clone();
                let checked = {
                    let p = p.clone();
                    move || state.view.with(|v| v.shows_provider(&p))
                };
                let all = all.clone();
                let on_change = move |_| {
                    state.change_view(|v| v.toggle_provider(&name, &all));
                };
                view! {
                    <label class="provider">
                        <input type="checkbox" name="provider" value=p.clone() prop:checked=checked on:change=on_change/>
                        <span>{p}</span>
                    </label>
                }
            })
            .collect_view()
    };

    let range_value = move || state.view.with(|v| v.range.param());
    let on_range = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        state.change_view(|v| {
            let range = if value == "custom" {
                let (from, to) = v.range.bounds(state.date_range.get_untracked());
                let data = state.date_range.get_untracked();
                RangeChoice::Custom { from: from.or(data.map(|d| d.0)), to: to.or(data.map(|d| d.1)) }
            } else {
                RangeChoice::parse_preset(&value).unwrap_or_default()
            };
            ViewState { range, ..v.clone() }
        });
    };
    let is_custom = move || state.view.with(|v| matches!(v.range, RangeChoice::Custom { .. }));
    let custom_bound = move |which: usize| {
        state.view.with(|v| match v.range {
            RangeChoice::Custom { from, to } => date_value(if which == 0 { from } else { to }),
            _ => String::new(),
        })
    };
    let set_bound = move |which: usize, ev: leptos::ev::Event| {
        let d = parse_date(&event_target_value(&ev));
        state.change_view(|v| {
            let (mut from, mut to) = match v.range {
                RangeChoice::Custom { from, to } => (from, to),
                _ => (None, None),
            };
            if which == 0 {
                from = d;
            } else {
                to = d;
            }
            ViewState { range: RangeChoice::Custom { from, to }, ..v.clone() }
        });
    };
    let min_date = move || date_value(state.date_range.get().map(|r| r.0));
    let max_date = move || date_value(state.date_range.get().map(|r| r.1));

    let on_lang = move |ev: leptos::ev::Event| {
        if let Some(l) = Lang::parse(&event_target_value(&ev)) {
            browser::storage_set("modelpulse.lang", l.code());
            state.lang.set(l);
            state.view.update(|v| v.lang = Some(l));
        }
    };

    view! {
        <form class="filters" aria-label=tr("ui.filters") on:submit=|ev| ev.prevent_default()>
            <fieldset class="providers">
                <legend>{tr("ui.providers")}</legend>
                {provider_boxes}
            </fieldset>
            <div class="range">
                <label>
                    <span>{tr("ui.range")}</span>
                    <select id="range" prop:value=range_value on:change=on_range>
                        <option value="7">{tr("ui.range.7")}</option>
                        <option value="30">{tr("ui.range.30")}</option>
                        <option value="90">{tr("ui.range.90")}</option>
                        <option value="all">{tr("ui.range.all")}</option>
                        <option value="custom">{tr("ui.range.custom")}</option>
                    </select>
                </label>
                <Show when=is_custom>
                    <label>
                        <span>{tr("ui.from")}</span>
                        <input type="date" id="range-from" prop:value=move || custom_bound(0) min=min_date max=max_date
                            on:change=move |ev| set_bound(0, ev)/>
                    </label>
                    <label>
                        <span>{tr("ui.to")}</span>
                        <input type="date" id="range-to" prop:value=move || custom_bound(1) min=min_date max=max_date
                            on:change=move |ev| set_bound(1, ev)/>
                    </label>
                </Show>
            </div>
            <label class="lang">
                <span>{tr("ui.lang")}</span>
                <select id="lang" prop:value=move || lang.get().code().to_string() on:change=on_lang>
                    <option value="en">"English"</option>
                    <option value="id">"Bahasa Indonesia"</option>
                </select>
            </label>
        </form>
    }
}
