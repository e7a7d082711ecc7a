//! Display preferences: language and date style. Before sign-in they live in cookies.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mamori_domain::wareki::{self, DateStyle, Lang};
use serde::Deserialize;

use crate::http::auth::MaybeSignedIn;
use crate::http::context::{self, Ctx, DATE_STYLE_COOKIE, LANG_COOKIE};
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, WebForm};
use crate::http::{Layout, local_path, render, see_other};
use crate::state::AppState;
use mamori_app::i18n::{self, Tr};

#[derive(Template)]
#[template(path = "system/preferences.html")]
struct PreferencesPage {
    t: Tr,
    layout: Layout,
    lang: &'static str,
    date_style: &'static str,
    wareki_example: String,
    gregorian_example: String,
    saved: bool,
    /// Signed in, the choice is kept with the account; before, in the browser's cookies.
    signed_in: bool,
}

#[derive(Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    MaybeSignedIn(principal): MaybeSignedIn,
    ApiQuery(query): ApiQuery<ShowQuery>,
) -> Result<Response, AppError> {
    let today = time::OffsetDateTime::now_utc()
        .to_offset(wareki::JST)
        .date();
    let page = PreferencesPage {
        t: ctx.tr,
        layout: Layout::load(&state, "preferences", "/preferences", principal.as_ref()).await,
        lang: ctx.tr.code(),
        date_style: context::date_style_code(ctx.date_style),
        wareki_example: wareki::format_date(today, DateStyle::Wareki, ctx.lang()),
        gregorian_example: wareki::format_date(today, DateStyle::Gregorian, ctx.lang()),
        saved: query.saved.is_some(),
        signed_in: principal.as_ref().is_some_and(|p| p.session.is_some()),
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct PreferencesForm {
    lang: Option<String>,
    date_style: Option<String>,
    /// Where to go afterwards; only a path on this site.
    back: Option<String>,
}

pub async fn save(
    State(state): State<AppState>,
    MaybeSignedIn(principal): MaybeSignedIn,
    WebForm(form): WebForm<PreferencesForm>,
) -> Result<Response, AppError> {
    let lang: Option<Lang> = match form.lang.as_deref() {
        None => None,
        Some(code) => Some(i18n::parse_lang(code).ok_or_else(invalid_choice)?),
    };
    let date_style: Option<DateStyle> = match form.date_style.as_deref() {
        None => None,
        Some(code) => Some(context::parse_date_style(code).ok_or_else(invalid_choice)?),
    };
    // Signed in, the choice follows the user to every device.
    if let Some(p) = principal.as_ref().filter(|p| p.session.is_some())
        && (lang.is_some() || date_style.is_some())
    {
        mamori_app::account::set_preferences(&state.app, &p.acting, lang, date_style).await?;
    }
    let back = form
        .back
        .as_deref()
        .map(local_path)
        .unwrap_or("/preferences?saved=1");
    let mut response = see_other(back).into_response();
    let mut set_cookie = |name: &str, value: &str| {
        let cookie = format!("{name}={value}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly");
        crate::http::auth::add_cookie(&mut response, &cookie, &state);
    };
    if let Some(lang) = lang {
        set_cookie(LANG_COOKIE, i18n::lang_code(lang));
    }
    if let Some(style) = date_style {
        set_cookie(DATE_STYLE_COOKIE, context::date_style_code(style));
    }
    Ok(response)
}

fn invalid_choice() -> AppError {
    AppError::new(
        StatusCode::BAD_REQUEST,
        "invalid_choice",
        "error.invalid_choice",
    )
}
