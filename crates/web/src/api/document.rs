//! What the whole OpenAPI document says about every operation alike: how callers
//! authenticate, and the error answers any operation may give besides its own.

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};

use crate::http::auth::SESSION_COOKIE;

/// The scheme of personal API tokens (`/api/v1/tokens`).
pub const BEARER_SCHEME: &str = "bearer_token";
/// The scheme of the pages' own session cookie.
pub const COOKIE_SCHEME: &str = "session_cookie";

/// Operations answered without signing in (method, path). Every other operation needs a
/// token or a session; the access table of the tests says the same.
pub const PUBLIC: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/api/v1"),
    ("get", "/api/v1/eras"),
    ("get", "/api/v1/glossary"),
    ("get", "/api/v1/help/{topic}"),
    ("get", "/api/v1/dates/parse"),
    ("post", "/api/v1/session"),
];

/// Declares both schemes and, on every operation but the public ones, that either will do.
pub fn document_security(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        BEARER_SCHEME,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "A personal API token (POST /api/v1/tokens), sent as \
                     `Authorization: Bearer <token>`. Requests with a token need no CSRF \
                     token. A wrong or revoked token is 401 `invalid_token`.",
                ))
                .build(),
        ),
    );
    components.add_security_scheme(
        COOKIE_SCHEME,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            SESSION_COOKIE,
            "The session cookie set by signing in (POST /api/v1/session or the sign-in \
             page), used by the pages' own requests. A state-changing request with it must \
             come from this site (`Origin` or `Sec-Fetch-Site`) or carry the session's \
             `X-CSRF-Token`.",
        ))),
    );
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, operation) in operations_mut(item) {
            if PUBLIC.contains(&(method, path.as_str())) {
                continue;
            }
            operation.security = Some(vec![
                SecurityRequirement::new(BEARER_SCHEME, Vec::<String>::new()),
                SecurityRequirement::new(COOKIE_SCHEME, Vec::<String>::new()),
            ]);
        }
    }
}

/// Adds the error answers that come from the shared layers rather than the operation's
/// own handler, where the operation does not already describe them.
pub fn document_common_errors(doc: &mut OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, operation) in operations_mut(item) {
            let public = PUBLIC.contains(&(method, path.as_str()));
            let has_body = operation.request_body.is_some();
            let has_query = operation.parameters.iter().flatten().any(|p| {
                matches!(p, RefOr::T(p)
                    if matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query))
            });
            let mut add = |status: &str, description: &str| {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| error_response(description));
            };
            // Any request may carry a wrong token, and any may meet a busy database.
            add("401", "Not signed in, or a wrong or revoked API token");
            add("503", "The database is busy or does not answer: try again");
            add("500", "An unexpected failure (logged on the server)");
            if !public {
                add("403", "Not allowed for this user, or a cross-site request");
            }
            if path.contains('{') {
                add("404", "No such record, or not one this user may see");
            }
            if has_body {
                add("400", "The body is not JSON");
                add("413", "The body is larger than the server accepts");
                add("415", "The body is not sent as `application/json`");
                add(
                    "422",
                    "A field has the wrong type, is missing or is refused; the message \
                     names it",
                );
            }
            if has_query {
                add(
                    "400",
                    "A query parameter has the wrong form; the message names it",
                );
            }
            if method == "post" && !public {
                add(
                    "409",
                    "The same `Idempotency-Key` is still being processed, or the record \
                     changed meanwhile",
                );
                add(
                    "422",
                    "The `Idempotency-Key` was used on another path, or the input is refused",
                );
            }
        }
    }
}

fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
        .into()
}

/// The operations of a path, each with its method in lower case.
pub fn operations_mut(item: &mut PathItem) -> Vec<(&'static str, &mut Operation)> {
    [
        ("get", item.get.as_mut()),
        ("put", item.put.as_mut()),
        ("post", item.post.as_mut()),
        ("delete", item.delete.as_mut()),
        ("patch", item.patch.as_mut()),
        ("head", item.head.as_mut()),
        ("options", item.options.as_mut()),
        ("trace", item.trace.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.map(|o| (method, o)))
    .collect()
}
