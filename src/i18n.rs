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
    // ui.* and kpi.* (src/ui/, src/page/)
    ("ui.subtitle", "Health of production AI systems, computed in your browser from Parquet snapshots"),
    ("ui.loading", "Loading snapshots…"),
    ("ui.fetched", "fetched"),
    ("ui.computing", "Computing…"),
    ("ui.filters", "Filters"),
    ("ui.providers", "Providers"),
    ("ui.range", "Date range"),
    ("ui.range.7", "Last 7 days"),
    ("ui.range.30", "Last 30 days"),
    ("ui.range.90", "Last 90 days"),
    ("ui.range.all", "All data"),
    ("ui.range.custom", "Custom"),
    ("ui.from", "From"),
    ("ui.to", "To"),
    ("ui.lang", "Language"),
    ("ui.errors.title", "Some files could not be loaded"),
    ("ui.errors.hint", "Whatever did load is shown below."),
    ("ui.err.http", "HTTP error"),
    ("ui.err.network", "network error, or the file is on another origin that does not allow it (CORS: the server must send Access-Control-Allow-Origin)"),
    ("ui.err.unknown_table", "cannot tell which table this is; name it raw_llm_events…, raw_support_events… or raw_conversion_events… .parquet"),
    ("ui.err.read", "could not read the file"),
    ("ui.empty.title", "No data for this view"),
    ("ui.empty.hint", "The snapshots have no rows in the selected providers and dates. Widen the filters or drop other Parquet files."),
    ("ui.kpi.title", "Latest day"),
    ("ui.kpi.vs", "vs previous 7 days"),
    ("ui.kpi.ci", "95% CI"),
    ("ui.kpi.pp", "pp"),
    ("ui.charts.title", "Charts"),
    ("ui.table.title", "Daily facts"),
    ("ui.table.caption", "dashboard_facts for the current filter: one row per day and provider"),
    ("ui.download", "Download CSV"),
    ("ui.drop", "Drop your own Parquet snapshots here — they are read in this browser, never uploaded —"),
    ("ui.choose", "or choose files"),
    ("ui.source", "Source"),
    ("ui.source.local", "local files"),
    ("ui.stats", "Stats"),
    ("ui.stats.rows", "rows loaded"),
    ("ui.stats.bytes", "bytes fetched"),
    ("ui.stats.fetch", "fetch"),
    ("ui.stats.decode", "decode"),
    ("ui.stats.aggregate", "aggregate"),
    ("ui.stats.render", "render"),
    ("ui.stats.total", "total"),
    ("ui.stats.filter", "filter"),
    ("ui.stats.filter_all", "filter (all charts)"),
    ("ui.col.event_date", "Date"),
    ("ui.col.provider", "Provider"),
    ("ui.col.events", "Events"),
    ("ui.col.sessions", "Sessions"),
    ("ui.col.accuracy_daily", "Accuracy (day)"),
    ("ui.col.accuracy_rolling_7d", "Accuracy (7d)"),
    ("ui.col.latency_p50_ms", "p50 (ms)"),
    ("ui.col.latency_p95_ms", "p95 (ms)"),
    ("ui.col.tokens_input", "Input tokens"),
    ("ui.col.tokens_output", "Output tokens"),
    ("ui.col.tokens_total", "Total tokens"),
    ("ui.col.tickets", "Tickets"),
    ("ui.col.tickets_resolved_by_agent", "Resolved by agent"),
    ("ui.col.resolution_rate", "Resolution rate"),
    ("ui.col.revenue_from_ai", "Revenue (USD)"),
    ("kpi.accuracy", "Accuracy (rolling 7d)"),
    ("kpi.latency_p95", "Latency p95"),
    ("kpi.tokens", "Tokens / day"),
    ("kpi.cost", "Cost / day"),
    ("kpi.revenue", "Revenue from AI"),
    ("kpi.resolution", "Resolution rate"),
    ("kpi.uplift", "Conversion uplift"),
    // digest.* (src/cli/digest.rs, templates/digest.*.j2)
    ("digest.title", "modelpulse daily digest"),
    ("digest.subject", "modelpulse digest"),
    ("digest.firing_count", "firing"),
    ("digest.no_data", "no data"),
    ("digest.summary", "Summary"),
    ("digest.alerts", "Alerts"),
    ("digest.no_rules", "No rules file given: alerts were not evaluated."),
    ("digest.none_firing", "Nothing is firing."),
    ("digest.state", "State"),
    ("digest.rule", "Rule"),
    ("digest.provider", "Provider"),
    ("digest.condition", "Condition"),
    ("digest.value", "Value"),
    ("digest.since", "Since"),
    ("digest.firing", "FIRING"),
    ("digest.pending", "pending"),
    ("digest.resolved", "resolved"),
    ("digest.providers", "Providers, last 7 days"),
    ("digest.accuracy_7d", "Accuracy 7d"),
    ("digest.change", "vs. week before"),
    ("digest.trend_accuracy", "Accuracy, 14 days"),
    ("digest.p95", "p95 latency"),
    ("digest.budget_breaches", "Days over budget"),
    ("digest.trend_p95", "p95 latency, 14 days"),
    ("digest.tokens_7d", "Tokens 7d"),
    ("digest.cost_7d", "Cost 7d"),
    ("digest.resolution_7d", "Resolved by AI 7d"),
    ("digest.all", "All providers"),
    ("digest.footer", "Computed by modelpulse from the Parquet snapshots; dates are UTC."),
    ("digest.budget", "Latency budget"),
    ("digest.open_dashboard", "Open the dashboard"),
    // alerts.* / summary.* (the page's alerts banner and Summary panel, src/ui/alerts.rs)
    ("alerts.banner.title", "Alerts"),
    ("alerts.banner.firing", "Firing on the last day of this view"),
    ("alerts.banner.incidents", "Incidents in this date range"),
    ("alerts.banner.since", "since"),
    ("alerts.banner.ongoing", "ongoing"),
    ("alerts.banner.no_data", "no data"),
    ("alerts.banner.none", "No alert rule fired in this view."),
    ("alerts.notice.hint", "Alert rules are not shown; the dashboard works without them"),
    ("summary.title", "Summary"),
    // refresh.* (src/refresh.rs, src/ui/refresh.rs); {n}, {when}, {file}, {why} are filled in
    ("refresh.label", "Data updates"),
    ("refresh.never", "not updated yet"),
    ("refresh.updated_s", "updated {n} s ago"),
    ("refresh.updated_min", "updated {n} min ago"),
    ("refresh.updated_h", "updated {n} h ago"),
    ("refresh.paused", "updates paused"),
    ("refresh.stale", "stale: newest data from {when}"),
    ("refresh.failed", "refresh failed: {file}: {why}"),
    ("refresh.retry", "; retrying in {n} s"),
    ("refresh.network", "network error"),
    ("refresh.pause", "Pause updates"),
    ("refresh.resume", "Resume updates"),
    ("ranges.stats", "range reads"),
    ("ranges.requests", "requests"),
    ("published.notice", "Showing published facts (dashboard_facts), not raw events: the providers' combined latency percentiles and accuracy cannot be derived from per-provider rows and are left blank; sessions combined are summed per provider. Per-provider figures are exact."),
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
    // ui.* and kpi.* (src/ui/, src/page/)
    ("ui.subtitle", "Kesehatan sistem AI produksi, dihitung di peramban Anda dari snapshot Parquet"),
    ("ui.loading", "Memuat snapshot…"),
    ("ui.fetched", "terunduh"),
    ("ui.computing", "Menghitung…"),
    ("ui.filters", "Filter"),
    ("ui.providers", "Penyedia"),
    ("ui.range", "Rentang tanggal"),
    ("ui.range.7", "7 hari terakhir"),
    ("ui.range.30", "30 hari terakhir"),
    ("ui.range.90", "90 hari terakhir"),
    ("ui.range.all", "Semua data"),
    ("ui.range.custom", "Kustom"),
    ("ui.from", "Dari"),
    ("ui.to", "Sampai"),
    ("ui.lang", "Bahasa"),
    ("ui.errors.title", "Beberapa berkas tidak dapat dimuat"),
    ("ui.errors.hint", "Data yang berhasil dimuat tetap ditampilkan di bawah."),
    ("ui.err.http", "galat HTTP"),
    ("ui.err.network", "galat jaringan, atau berkas berada di origin lain yang tidak mengizinkannya (CORS: server harus mengirim Access-Control-Allow-Origin)"),
    ("ui.err.unknown_table", "tidak dapat mengenali tabelnya; beri nama raw_llm_events…, raw_support_events… atau raw_conversion_events… .parquet"),
    ("ui.err.read", "berkas tidak dapat dibaca"),
    ("ui.empty.title", "Tidak ada data untuk tampilan ini"),
    ("ui.empty.hint", "Snapshot tidak memiliki baris untuk penyedia dan tanggal yang dipilih. Perluas filter atau letakkan berkas Parquet lain."),
    ("ui.kpi.title", "Hari terakhir"),
    ("ui.kpi.vs", "dibanding 7 hari sebelumnya"),
    ("ui.kpi.ci", "IK 95%"),
    ("ui.kpi.pp", "poin"),
    ("ui.charts.title", "Grafik"),
    ("ui.table.title", "Fakta harian"),
    ("ui.table.caption", "dashboard_facts untuk filter saat ini: satu baris per hari dan penyedia"),
    ("ui.download", "Unduh CSV"),
    ("ui.drop", "Letakkan snapshot Parquet Anda di sini — dibaca di peramban ini, tidak pernah diunggah —"),
    ("ui.choose", "atau pilih berkas"),
    ("ui.source", "Sumber"),
    ("ui.source.local", "berkas lokal"),
    ("ui.stats", "Statistik"),
    ("ui.stats.rows", "baris dimuat"),
    ("ui.stats.bytes", "byte terunduh"),
    ("ui.stats.fetch", "unduh"),
    ("ui.stats.decode", "dekode"),
    ("ui.stats.aggregate", "agregasi"),
    ("ui.stats.render", "gambar"),
    ("ui.stats.total", "total"),
    ("ui.stats.filter", "filter"),
    ("ui.stats.filter_all", "filter (semua grafik)"),
    ("ui.col.event_date", "Tanggal"),
    ("ui.col.provider", "Penyedia"),
    ("ui.col.events", "Peristiwa"),
    ("ui.col.sessions", "Sesi"),
    ("ui.col.accuracy_daily", "Akurasi (hari)"),
    ("ui.col.accuracy_rolling_7d", "Akurasi (7h)"),
    ("ui.col.latency_p50_ms", "p50 (ms)"),
    ("ui.col.latency_p95_ms", "p95 (ms)"),
    ("ui.col.tokens_input", "Token masukan"),
    ("ui.col.tokens_output", "Token keluaran"),
    ("ui.col.tokens_total", "Total token"),
    ("ui.col.tickets", "Tiket"),
    ("ui.col.tickets_resolved_by_agent", "Diselesaikan agen"),
    ("ui.col.resolution_rate", "Tingkat resolusi"),
    ("ui.col.revenue_from_ai", "Pendapatan (USD)"),
    ("kpi.accuracy", "Akurasi (7 hari bergulir)"),
    ("kpi.latency_p95", "Latensi p95"),
    ("kpi.tokens", "Token / hari"),
    ("kpi.cost", "Biaya / hari"),
    ("kpi.revenue", "Pendapatan dari AI"),
    ("kpi.resolution", "Tingkat resolusi"),
    ("kpi.uplift", "Kenaikan konversi"),
    // digest.* (src/cli/digest.rs, templates/digest.*.j2)
    ("digest.title", "Ringkasan harian modelpulse"),
    ("digest.subject", "Ringkasan modelpulse"),
    ("digest.firing_count", "aktif"),
    ("digest.no_data", "tidak ada data"),
    ("digest.summary", "Ringkasan"),
    ("digest.alerts", "Peringatan"),
    ("digest.no_rules", "Tidak ada berkas aturan: peringatan tidak dievaluasi."),
    ("digest.none_firing", "Tidak ada peringatan aktif."),
    ("digest.state", "Status"),
    ("digest.rule", "Aturan"),
    ("digest.provider", "Penyedia"),
    ("digest.condition", "Kondisi"),
    ("digest.value", "Nilai"),
    ("digest.since", "Sejak"),
    ("digest.firing", "AKTIF"),
    ("digest.pending", "tertunda"),
    ("digest.resolved", "selesai"),
    ("digest.providers", "Penyedia, 7 hari terakhir"),
    ("digest.accuracy_7d", "Akurasi 7h"),
    ("digest.change", "vs. minggu sebelumnya"),
    ("digest.trend_accuracy", "Akurasi, 14 hari"),
    ("digest.p95", "Latensi p95"),
    ("digest.budget_breaches", "Hari melebihi anggaran"),
    ("digest.trend_p95", "Latensi p95, 14 hari"),
    ("digest.tokens_7d", "Token 7h"),
    ("digest.cost_7d", "Biaya 7h"),
    ("digest.resolution_7d", "Diselesaikan AI 7h"),
    ("digest.all", "Semua penyedia"),
    ("digest.footer", "Dihitung oleh modelpulse dari snapshot Parquet; tanggal dalam UTC."),
    ("digest.budget", "Anggaran latensi"),
    ("digest.open_dashboard", "Buka dasbor"),
    // alerts.* / summary.*
    ("alerts.banner.title", "Peringatan"),
    ("alerts.banner.firing", "Aktif pada hari terakhir tampilan ini"),
    ("alerts.banner.incidents", "Insiden dalam rentang tanggal ini"),
    ("alerts.banner.since", "sejak"),
    ("alerts.banner.ongoing", "masih berlangsung"),
    ("alerts.banner.no_data", "tanpa data"),
    ("alerts.banner.none", "Tidak ada aturan peringatan yang aktif dalam tampilan ini."),
    ("alerts.notice.hint", "Aturan peringatan tidak ditampilkan; dasbor tetap berfungsi tanpanya"),
    ("summary.title", "Ringkasan"),
    // refresh.*
    ("refresh.label", "Pembaruan data"),
    ("refresh.never", "belum diperbarui"),
    ("refresh.updated_s", "diperbarui {n} dtk lalu"),
    ("refresh.updated_min", "diperbarui {n} mnt lalu"),
    ("refresh.updated_h", "diperbarui {n} jam lalu"),
    ("refresh.paused", "pembaruan dijeda"),
    ("refresh.stale", "data usang: data terbaru dari {when}"),
    ("refresh.failed", "pembaruan gagal: {file}: {why}"),
    ("refresh.retry", "; mencoba lagi dalam {n} dtk"),
    ("refresh.network", "galat jaringan"),
    ("refresh.pause", "Jeda pembaruan"),
    ("refresh.resume", "Lanjutkan pembaruan"),
    ("ranges.stats", "baca rentang"),
    ("ranges.requests", "permintaan"),
    ("published.notice", "Menampilkan fakta terbitan (dashboard_facts), bukan event mentah: persentil latensi dan akurasi gabungan para penyedia tidak dapat diturunkan dari baris per penyedia dan dibiarkan kosong; sesi gabungan dijumlahkan per penyedia. Angka per penyedia tepat."),
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

// ---- Number and date formats (used by the page's tiles, table and stats) ----

/// Decimal and thousands separators of `lang`: en `.` and `,`; id `,` and `.`.
fn separators(lang: Lang) -> (char, char) {
    match lang {
        Lang::En => ('.', ','),
        Lang::Id => (',', '.'),
    }
}

/// `v` rounded to `decimals` decimals with grouped thousands: en `1,234.5`, id `1.234,5`.
/// Negative values start with `-`; NaN and infinities print as `–`.
pub fn fmt_number(lang: Lang, v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let (dec, group) = separators(lang);
    let text = format!("{:.*}", decimals, v.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::with_capacity(text.len() + text.len() / 3 + 1);
    // "-0.0" after rounding prints without the sign.
    if v < 0.0 && text.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(dec);
        out.push_str(frac);
    }
    out
}

/// An integer with grouped thousands: en `1,234,567`, id `1.234.567`.
pub fn fmt_int(lang: Lang, v: i64) -> String {
    fmt_number(lang, v as f64, 0)
}

/// A share 0..1 as a percentage with `decimals` decimals: en `85.3%`, id `85,3%`.
pub fn fmt_percent(lang: Lang, share: f64, decimals: usize) -> String {
    format!("{}%", fmt_number(lang, share * 100.0, decimals))
}

/// A byte count in B, kB, MB or GB (powers of 1000) with one decimal above 1 kB: `12.3 MB`.
pub fn fmt_bytes(lang: Lang, bytes: u64) -> String {
    const UNITS: [&str; 3] = ["kB", "MB", "GB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut v = bytes as f64 / 1000.0;
    let mut unit = 0;
    while v >= 1000.0 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    format!("{} {}", fmt_number(lang, v, 1), UNITS[unit])
}

/// Abbreviated month names, January first.
const MONTHS_EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTHS_ID: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"];

/// A date as day, abbreviated month, year: en `27 Nov 2026`, id `27 Agu 2026`.
pub fn fmt_date(lang: Lang, date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let months = match lang {
        Lang::En => &MONTHS_EN,
        Lang::Id => &MONTHS_ID,
    };
    format!("{} {} {}", date.day(), months[date.month0() as usize], date.year())
}

#[cfg(test)]
mod fmt_tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn numbers_group_and_separate_per_language() {
        assert_eq!(fmt_number(Lang::En, 1234.5, 1), "1,234.5");
        assert_eq!(fmt_number(Lang::Id, 1234.5, 1), "1.234,5");
        assert_eq!(fmt_number(Lang::En, 1234567.0, 0), "1,234,567");
        assert_eq!(fmt_number(Lang::Id, -1234567.891, 2), "-1.234.567,89");
        assert_eq!(fmt_number(Lang::En, 999.96, 1), "1,000.0");
        assert_eq!(fmt_number(Lang::En, 12.0, 0), "12");
        assert_eq!(fmt_number(Lang::En, -0.04, 1), "0.0");
        assert_eq!(fmt_number(Lang::En, f64::NAN, 1), "–");
        assert_eq!(fmt_int(Lang::Id, 100), "100");
    }

    #[test]
    fn percent_and_bytes() {
        assert_eq!(fmt_percent(Lang::En, 0.8534, 1), "85.3%");
        assert_eq!(fmt_percent(Lang::Id, 0.8534, 1), "85,3%");
        assert_eq!(fmt_bytes(Lang::En, 999), "999 B");
        assert_eq!(fmt_bytes(Lang::En, 12_345_678), "12.3 MB");
        assert_eq!(fmt_bytes(Lang::Id, 1_500), "1,5 kB");
    }

    #[test]
    fn dates_use_the_language_month_names() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(fmt_date(Lang::En, d), "27 Nov 2026");
        assert_eq!(fmt_date(Lang::Id, d), "27 Nov 2026");
        let aug = NaiveDate::from_ymd_opt(2026, 8, 5).unwrap();
        assert_eq!(fmt_date(Lang::En, aug), "5 Aug 2026");
        assert_eq!(fmt_date(Lang::Id, aug), "5 Agu 2026");
        let may = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
        assert_eq!(fmt_date(Lang::Id, may), "1 Mei 2026");
    }
}
