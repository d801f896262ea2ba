//! What the dashboard page decides that is not DOM: its configuration (`config.json`), the view
//! state kept in the URL query, and the KPI tiles. Pure, so it is tested natively; the Leptos
//! components in `src/ui/` only wire these to the browser.

pub mod alerts;
pub mod config;
pub mod kpi;
pub mod view;

#[cfg(test)]
mod tests {
    use crate::i18n::EN;

    fn has(key: &str) -> bool {
        EN.iter().any(|(k, _)| *k == key)
    }

    /// Every `"ui.…"`/`"kpi.…"` literal in the page's source, and every key the page builds
    /// (`ui.col.<column>`, `kpi.<tile>`), is in the catalog: a typo would otherwise show the
    /// fallback text.
    #[test]
    fn every_key_the_page_uses_exists() {
        let sources = [
            include_str!("../ui/mod.rs"),
            include_str!("../ui/alerts.rs"),
            include_str!("../ui/charts.rs"),
            include_str!("../ui/filters.rs"),
            include_str!("../ui/kpis.rs"),
            include_str!("../ui/loader.rs"),
            include_str!("../ui/notices.rs"),
            include_str!("../ui/table.rs"),
        ];
        let mut checked = 0;
        for src in sources {
            for piece in src.split('"').skip(1).step_by(2) {
                let looks_like_key = (piece.starts_with("ui.")
                    || piece.starts_with("kpi.")
                    || piece.starts_with("alerts.")
                    || piece.starts_with("summary."))
                    && piece.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
                if looks_like_key {
                    assert!(has(piece), "missing i18n key {piece}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 30, "only {checked} keys found in the page source");
        for c in crate::facts::DASHBOARD_COLUMNS {
            assert!(has(&format!("ui.col.{c}")), "missing ui.col.{c}");
        }
        for k in super::kpi::KpiId::ALL {
            assert!(has(&format!("kpi.{}", k.id())), "missing kpi.{}", k.id());
        }
    }
}
