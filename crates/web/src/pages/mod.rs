//! Server-rendered pages.

pub mod home;
pub mod preferences;
pub mod setup;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::error::AppError;
use crate::state::AppState;

/// What the shared layout needs besides the translator.
#[derive(Debug, Clone)]
pub struct Layout {
    pub organisation: Option<String>,
    /// The navigation entry for this page, marked `aria-current`.
    pub active: &'static str,
    /// This page's path, so the language switch can come back to it.
    pub path: String,
}

/// The modules that exist today, in navigation order: (id, path, locale key).
pub const NAV: &[(&str, &str, &str)] = &[
    ("home", "/", "nav.home"),
    ("preferences", "/preferences", "nav.preferences"),
];

impl Layout {
    pub async fn load(state: &AppState, active: &'static str, path: &str) -> Layout {
        let organisation =
            mamori_store::settings::get(&state.store, mamori_store::settings::ORGANISATION_NAME)
                .await
                .ok()
                .flatten();
        Layout {
            organisation,
            active,
            path: path.to_owned(),
        }
    }

    /// For error pages, which must render even when the database does not answer.
    pub fn plain() -> Layout {
        Layout {
            organisation: None,
            active: "",
            path: "/".to_owned(),
        }
    }

    pub fn nav(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        NAV
    }
}

/// Renders a template into an HTML response with `status`.
pub fn render(status: StatusCode, page: &impl askama::Template) -> Result<Response, AppError> {
    let html = page.render().map_err(|e| {
        tracing::error!(error = %e, "template failed");
        AppError::internal()
    })?;
    Ok((status, Html(html)).into_response())
}

/// A 303 to a local path (never to another site).
pub fn see_other(path: &str) -> Response {
    let target = local_path(path);
    (
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            HeaderValue::from_str(target).unwrap_or(HeaderValue::from_static("/")),
        )],
    )
        .into_response()
}

/// `path` when it is a path on this site, else `/`: a form field must not redirect
/// people elsewhere.
pub fn local_path(path: &str) -> &str {
    let local = path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !path.chars().any(|c| c.is_control());
    if local { path } else { "/" }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redirects_stay_on_this_site() {
        assert_eq!(super::local_path("/preferences"), "/preferences");
        assert_eq!(super::local_path("//evil.example"), "/");
        assert_eq!(super::local_path("/\\evil.example"), "/");
        assert_eq!(super::local_path("https://evil.example"), "/");
        assert_eq!(super::local_path("/a\r\nSet-Cookie: x=1"), "/");
    }
}
