//! UI strings. Japanese is the default; English is complete. Every string lives in
//! `locales/{ja,en}.toml`; a test fails when a key is missing from either.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use mamori_domain::wareki::Lang;

pub type Catalog = BTreeMap<String, String>;

pub static JA: LazyLock<Catalog> = LazyLock::new(|| load(include_str!("../locales/ja.toml")));
pub static EN: LazyLock<Catalog> = LazyLock::new(|| load(include_str!("../locales/en.toml")));

/// Flattens nested tables into dotted keys: `[nav] home = "…"` becomes `nav.home`.
pub fn load(source: &str) -> Catalog {
    fn walk(prefix: &str, table: &toml::Table, out: &mut Catalog) {
        for (key, value) in table {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            match value {
                toml::Value::Table(inner) => walk(&path, inner, out),
                toml::Value::String(text) => {
                    out.insert(path, text.clone());
                }
                other => panic!("locale key {path} must be a string, found {other}"),
            }
        }
    }
    let table: toml::Table = source.parse().expect("locale files are valid TOML");
    let mut out = Catalog::new();
    walk("", &table, &mut out);
    out
}

pub fn catalog(lang: Lang) -> &'static Catalog {
    match lang {
        Lang::Ja => &JA,
        Lang::En => &EN,
    }
}

pub fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::Ja => "ja",
        Lang::En => "en",
    }
}

pub fn parse_lang(code: &str) -> Option<Lang> {
    match code.trim().to_ascii_lowercase().as_str() {
        "ja" => Some(Lang::Ja),
        "en" => Some(Lang::En),
        _ => None,
    }
}

/// Picks Japanese or English from an Accept-Language header by quality; Japanese when
/// neither is asked for.
pub fn from_accept_language(header: &str) -> Lang {
    let mut best: Option<(f32, Lang)> = None;
    for part in header.split(',') {
        let mut pieces = part.split(';');
        let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let quality = pieces
            .find_map(|p| p.trim().strip_prefix("q=").map(str::to_owned))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or("");
        let Some(lang) = parse_lang(primary) else {
            continue;
        };
        if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, lang));
        }
    }
    best.map(|(_, lang)| lang).unwrap_or(Lang::Ja)
}

/// A translator bound to one language, handed to every template.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    /// The string for `key`. A missing key shows the key itself (and a test fails on it).
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        match catalog(self.lang).get(key) {
            Some(text) => text.as_str(),
            None => {
                tracing::warn!(key, "missing UI string");
                key
            }
        }
    }

    /// The string for `key`, if the catalogue has it.
    pub fn get<'a>(&self, key: &str) -> Option<&'a str> {
        catalog(self.lang).get(key).map(String::as_str)
    }

    /// The string for `key` with `{name}` placeholders filled in.
    /// The text of `key` with its `{name}` placeholders filled. A value that differs by
    /// language (a date written out, say) is given once per language as `name:ja` and
    /// `name:en`: only the reader's fills `{name}`.
    pub fn f(&self, key: &str, params: &[(&str, String)]) -> String {
        let mut text = self.t(key).to_owned();
        for (name, value) in params {
            let name = match name.split_once(':') {
                None => name,
                Some((base, lang)) if lang == self.code() => base,
                Some(_) => continue,
            };
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    pub fn code(&self) -> &'static str {
        lang_code(self.lang)
    }

    /// The language to mark on `text` (stored data, such as the assembly's own words)
    /// shown within this reader's page: `ja` when it is Japanese on a page that is not,
    /// else nothing.
    pub fn lang_of(&self, text: &str) -> &'static str {
        if self.lang != Lang::Ja && mamori_domain::text::is_japanese(text) {
            "ja"
        } else {
            ""
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_data_is_marked_on_english_pages_only() {
        let en = Tr::new(Lang::En);
        assert_eq!(en.lang_of("会議録（令和7年）"), "ja");
        assert_eq!(en.lang_of("Minutes 2025"), "");
        assert_eq!(Tr::new(Lang::Ja).lang_of("会議録"), "");
    }

    #[test]
    fn accept_language_prefers_the_higher_quality() {
        assert_eq!(from_accept_language("en-US,en;q=0.9,ja;q=0.8"), Lang::En);
        assert_eq!(from_accept_language("ja,en-US;q=0.9"), Lang::Ja);
        assert_eq!(from_accept_language("fr-FR,fr;q=0.9"), Lang::Ja);
        assert_eq!(from_accept_language("fr, en;q=0.5"), Lang::En);
        assert_eq!(from_accept_language("en;q=0, ja;q=0.1"), Lang::Ja);
        assert_eq!(from_accept_language(""), Lang::Ja);
        assert_eq!(from_accept_language(";;;q=abc,,"), Lang::Ja);
    }

    #[test]
    fn placeholders_are_filled() {
        let tr = Tr::new(Lang::En);
        assert_eq!(
            tr.f("field.error.too_long", &[("max", "100".into())]),
            "Use at most 100 characters."
        );
    }

    #[test]
    fn a_value_given_per_language_fills_the_readers_placeholder() {
        let params = [
            ("date:ja", "平成31年4月1日".to_owned()),
            ("date:en", "1 April 2019 (Heisei 31)".to_owned()),
            ("today:ja", "令和8年12月2日".to_owned()),
            ("today:en", "2 December 2026 (Reiwa 8)".to_owned()),
        ];
        assert!(
            Tr::new(Lang::Ja)
                .f("date.confirm.past", &params)
                .starts_with("平成31年4月1日は過去の日付です（今日は令和8年12月2日）。")
        );
        assert!(
            Tr::new(Lang::En)
                .f("date.confirm.past", &params)
                .starts_with(
                    "1 April 2019 (Heisei 31) is in the past (today is 2 December 2026 (Reiwa 8))."
                )
        );
    }
}
