//! One error type for pages and the API. Handlers return an [`AppError`] naming a status,
//! a stable code and a locale key; [`localise_errors`] renders it in the caller's language,
//! as a page or as `{"error": {"code", "message"}}` under `/api/`.

use askama::Template;
use axum::Json;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use mamori_app::Failure;
use mamori_app::StoreError;
use mamori_domain::field::FieldProblem;
use serde_json::json;

use crate::http::Layout;
use crate::http::context::Ctx;
use mamori_app::i18n::Tr;

#[derive(Debug, Clone)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message_key: &'static str,
    pub params: Vec<(&'static str, String)>,
    /// The fields refused by a validation, named in the API's error body.
    pub fields: Vec<FieldProblem>,
    /// A `{detail}` worded in the caller's language when rendered, and the field it is
    /// about (a malformed JSON body). Boxed: most errors have none.
    pub detail: Option<Box<Detail>>,
    /// Sent as `Retry-After` (seconds) with a 503 that will pass if tried again.
    pub retry_after_secs: Option<u64>,
}

/// A message part rendered in the caller's language: a locale key and its parameters.
#[derive(Debug, Clone)]
pub struct Detail {
    pub key: &'static str,
    pub params: Vec<(&'static str, String)>,
    /// The field a malformed JSON body got wrong, as a path (`items[0].name`).
    pub field: Option<String>,
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message_key: &'static str) -> AppError {
        AppError {
            status,
            code,
            message_key,
            params: Vec::new(),
            fields: Vec::new(),
            detail: None,
            retry_after_secs: None,
        }
    }

    pub fn with(mut self, name: &'static str, value: impl ToString) -> AppError {
        self.params.push((name, value.to_string()));
        self
    }

    pub fn not_found() -> AppError {
        AppError::new(StatusCode::NOT_FOUND, "not_found", "error.not_found")
    }

    pub fn method_not_allowed() -> AppError {
        AppError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "error.method_not_allowed",
        )
    }

    pub fn forbidden() -> AppError {
        AppError::new(StatusCode::FORBIDDEN, "forbidden", "error.forbidden")
    }

    pub fn internal() -> AppError {
        AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "error.internal",
        )
    }

    /// The message in `tr`'s language; a validation names each refused field.
    pub fn message(&self, tr: &Tr) -> String {
        let mut message = match &self.detail {
            Some(detail) => {
                let mut params = self.params.clone();
                params.push(("detail", tr.f(detail.key, &detail.params)));
                tr.f(self.message_key, &params)
            }
            None => tr.f(self.message_key, &self.params),
        };
        for problem in &self.fields {
            let label = tr
                .get(&format!("field.label.{}", problem.field))
                .unwrap_or(problem.field);
            // "label：message" in Japanese, "label: message" in English.
            let line = tr.f(
                "form.summary_item",
                &[
                    ("label", label.to_owned()),
                    ("message", tr.f(problem.key, &problem.params)),
                ],
            );
            message.push(' ');
            message.push_str(&line);
        }
        message
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        // Rendered by `localise_errors`, which knows the caller's language.
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// How a register words a refused input in its API: the message (`{detail}` filled with
/// one `line` per field, `{field}` and `{message}`), and the label key of each field.
pub struct FieldWording {
    pub message: &'static str,
    pub line: &'static str,
    pub label: fn(&str) -> &'static str,
}

impl AppError {
    /// A failure as an API answers it: a refused input is 422 `validation_failed` in the
    /// register's own words (and every field in `fields`); anything else as it is.
    pub fn refused(tr: &Tr, failure: Failure, wording: &FieldWording) -> AppError {
        let Failure::Invalid(problems) = failure else {
            return failure.into();
        };
        let detail = problems
            .iter()
            .map(|p| {
                tr.f(
                    wording.line,
                    &[
                        ("field", tr.t((wording.label)(p.field)).to_owned()),
                        ("message", tr.f(p.key, &p.params)),
                    ],
                )
            })
            .collect::<Vec<_>>()
            .join(" ");
        let mut error = AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            wording.message,
        )
        .with("detail", detail);
        error.fields = problems;
        error
    }
}

impl From<Failure> for AppError {
    fn from(failure: Failure) -> AppError {
        match failure {
            Failure::Invalid(fields) => AppError {
                fields,
                ..AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation_failed",
                    "error.validation",
                )
            },
            Failure::Unconfirmed(fields) => AppError {
                fields,
                ..AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "confirmation_needed",
                    "date.confirm.needed",
                )
            },
            // Already recorded in the audit trail by the use case.
            Failure::Denied { .. } => AppError::forbidden(),
            Failure::NotFound => AppError::not_found(),
            Failure::Conflict(refusal) => AppError {
                params: refusal.params,
                ..AppError::new(StatusCode::CONFLICT, refusal.code, refusal.key)
            },
            Failure::Store(error) => AppError::from(error),
            Failure::Busy { retry_after_secs } => AppError {
                retry_after_secs: Some(retry_after_secs),
                ..AppError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "import_busy",
                    "import_limits.busy",
                )
                .with("seconds", retry_after_secs)
            },
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> AppError {
        match error {
            StoreError::NotFound => AppError::not_found(),
            StoreError::Conflict(what) => AppError::new(
                StatusCode::CONFLICT,
                "conflict",
                match what {
                    "login" => "error.conflict_login",
                    _ => "error.conflict",
                },
            ),
            corrupt @ StoreError::Corrupt { .. } => {
                tracing::error!(error = %corrupt, "corrupt record");
                AppError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "corrupt_record",
                    "error.corrupt_record",
                )
            }
            busy if busy.is_busy() => {
                AppError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", "error.busy")
            }
            other => {
                tracing::error!(error = %other, "request failed");
                AppError::internal()
            }
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    t: Tr,
    layout: Layout,
    status: u16,
    title: String,
    message: String,
}

/// Turns an [`AppError`] left in a response into a localised page or JSON body.
pub async fn localise_errors(request: Request, next: Next) -> Response {
    let ctx = request
        .extensions()
        .get::<Ctx>()
        .copied()
        .unwrap_or_else(|| Ctx::from_headers(request.headers()));
    let is_api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let Some(error) = response.extensions_mut().remove::<AppError>() else {
        return response;
    };
    render_error(&error, &ctx, is_api)
}

pub fn render_error(error: &AppError, ctx: &Ctx, is_api: bool) -> Response {
    let mut response = render_body(error, ctx, is_api);
    if let Some(seconds) = error.retry_after_secs {
        response
            .headers_mut()
            .insert(axum::http::header::RETRY_AFTER, seconds.into());
    }
    response
}

fn render_body(error: &AppError, ctx: &Ctx, is_api: bool) -> Response {
    let message = error.message(&ctx.tr);
    if is_api {
        let mut detail = json!({"code": error.code, "message": message});
        if !error.fields.is_empty() {
            detail["fields"] = error
                .fields
                .iter()
                .map(|p| json!({"field": p.field, "message": ctx.tr.f(p.key, &p.params)}))
                .collect();
        }
        if let Some(part) = &error.detail
            && let Some(field) = &part.field
        {
            detail["fields"] =
                json!([{"field": field, "message": ctx.tr.f(part.key, &part.params)}]);
        }
        let body = json!({ "error": detail });
        return (error.status, Json(body)).into_response();
    }
    let page = ErrorPage {
        t: ctx.tr,
        layout: Layout::plain(),
        status: error.status.as_u16(),
        title: ctx
            .tr
            .t(&format!("error.title.{}", error.status.as_u16()))
            .to_owned(),
        message,
    };
    match page.render() {
        Ok(html) => (error.status, Html(html)).into_response(),
        Err(_) => (error.status, page.message).into_response(),
    }
}
