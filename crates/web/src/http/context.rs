//! Who is asking and how they want to read: language and date style, from the user's
//! own settings, a preference cookie, or Accept-Language before sign-in.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use mamori_domain::wareki::{self, DateStyle, Lang};

use mamori_app::i18n::{self, Tr};

pub const LANG_COOKIE: &str = "mamori_lang";
pub const DATE_STYLE_COOKIE: &str = "mamori_date_style";

#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    pub tr: Tr,
    pub date_style: DateStyle,
}

impl Ctx {
    pub fn from_headers(headers: &HeaderMap) -> Ctx {
        let lang = cookie(headers, LANG_COOKIE)
            .and_then(|v| i18n::parse_lang(&v))
            .unwrap_or_else(|| {
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .map(i18n::from_accept_language)
                    .unwrap_or(Lang::Ja)
            });
        let date_style = cookie(headers, DATE_STYLE_COOKIE)
            .and_then(|v| parse_date_style(&v))
            .unwrap_or_default();
        Ctx {
            tr: Tr::new(lang),
            date_style,
        }
    }

    /// The request's settings as `auth::authenticate` settled them, else its headers'.
    pub fn from_request<B>(request: &axum::http::Request<B>) -> Ctx {
        request
            .extensions()
            .get::<Ctx>()
            .copied()
            .unwrap_or_else(|| Ctx::from_headers(request.headers()))
    }

    pub fn lang(&self) -> Lang {
        self.tr.lang
    }

    pub fn date(&self, date: time::Date) -> String {
        wareki::format_date(date, self.date_style, self.lang())
    }

    pub fn datetime(&self, at: time::OffsetDateTime) -> String {
        wareki::format_datetime(at, self.date_style, self.lang())
    }

    /// A 年度 in the user's date style: 令和8年度 or 2026年度 (FY2026 in English).
    pub fn fiscal_year(&self, fy: mamori_domain::calendar::FiscalYear) -> String {
        fy.label(self.date_style, self.lang())
    }
}

pub fn parse_date_style(value: &str) -> Option<DateStyle> {
    match value {
        "wareki" => Some(DateStyle::Wareki),
        "gregorian" => Some(DateStyle::Gregorian),
        _ => None,
    }
}

pub fn date_style_code(style: DateStyle) -> &'static str {
    match style {
        DateStyle::Wareki => "wareki",
        DateStyle::Gregorian => "gregorian",
    }
}

/// The value of one cookie, if the request carries it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // Set by `auth::authenticate`, which knows a signed-in user's own choices.
        Ok(parts
            .extensions
            .get::<Ctx>()
            .copied()
            .unwrap_or_else(|| Ctx::from_headers(&parts.headers)))
    }
}
