//! Responses every handler sends: a rendered page, a redirect that stays on this site.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::http::error::AppError;

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

/// Text for HTML or SVG written by hand: the five characters that could end a text or
/// an attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
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
