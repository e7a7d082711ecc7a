//! Extractors that turn malformed requests into localised 4xx errors instead of axum's
//! plain-text rejections.

use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::http::error::{AppError, Detail};

/// A URL-encoded form body.
pub struct WebForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for WebForm<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(request, state).await {
            Ok(axum::Form(value)) => Ok(WebForm(value)),
            Err(FormRejection::InvalidFormContentType(_)) => Err(unsupported_media_type()),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(too_large())
            }
            Err(_) => Err(AppError::new(
                StatusCode::BAD_REQUEST,
                "malformed_form",
                "error.malformed_form",
            )),
        }
    }
}

/// A JSON body. Every API route reads its body through this one extractor, so that a
/// malformed body is answered alike everywhere: 415 when not sent as JSON, 400 when it is
/// not JSON at all, 422 naming the field when a field is missing, unknown, of the wrong
/// type or not one of the allowed values (see [`json_error`]).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers()) {
            return Err(unsupported_media_type());
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    too_large()
                } else {
                    AppError::new(
                        StatusCode::BAD_REQUEST,
                        "malformed_json",
                        "error.malformed_json",
                    )
                }
            })?;
        decode_json(&bytes).map(ApiJson)
    }
}

/// `application/json`, or a `+json` type such as `application/merge-patch+json`.
fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Reads a JSON document into `T`, naming the field that did not fit.
pub fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize::<_, T>(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        json_error(&path, e.inner())
    })?;
    deserializer.end().map_err(|e| json_error("", &e))?;
    Ok(value)
}

/// What serde reported, as a localised error: the parser's own English text never
/// reaches the caller. Syntax errors are 400 with the line and column; a field that does
/// not fit is 422 `invalid_json_data` whose detail names the field (`path`, as
/// `items[0].name`).
pub fn json_error(path: &str, error: &serde_json::Error) -> AppError {
    use serde_json::error::Category;
    if matches!(
        error.classify(),
        Category::Syntax | Category::Eof | Category::Io
    ) {
        return AppError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "error.json.syntax",
        )
        .with("line", error.line())
        .with("column", error.column());
    }
    let full = error.to_string();
    // serde_json appends the position; the rest is serde's fixed wording.
    let text = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(t, _)| t);
    let (field, key, params) = read_problem(path, text);
    json_field_error(field, key, params)
}

/// serde's wording of what did not fit at `path`, as the field (a path) and the locale
/// key and parameters that say it in the caller's language.
fn read_problem(path: &str, text: &str) -> (String, &'static str, Vec<(&'static str, String)>) {
    let problem = DataProblem::read(text);
    let field = match (&problem, path) {
        (DataProblem::Missing(name), "" | ".") => name.clone(),
        (DataProblem::Missing(name), parent) => format!("{parent}.{name}"),
        // The path already ends at an unknown key.
        (DataProblem::Unknown(name), "" | ".") => name.clone(),
        (DataProblem::Unknown(name), path) if path.ends_with(name.as_str()) => path.to_owned(),
        (DataProblem::Unknown(name), parent) => format!("{parent}.{name}"),
        (_, ".") => String::new(),
        (_, path) => path.to_owned(),
    };
    let (key, params): (&'static str, Vec<(&'static str, String)>) = match problem {
        DataProblem::Missing(_) => ("error.json.missing", vec![]),
        DataProblem::Unknown(_) => ("error.json.unknown_field", vec![]),
        DataProblem::NotOneOf { value, allowed } => (
            "error.json.not_one_of",
            vec![("value", value), ("allowed", allowed.join(", "))],
        ),
        DataProblem::WrongType(expected) => (expected.key(), vec![]),
        DataProblem::Other => ("error.json.invalid", vec![]),
    };
    (field, key, params)
}

/// A JSON body's `field` (a path; empty for the body itself) refused with `key`.
pub fn json_field_error(
    field: String,
    key: &'static str,
    mut params: Vec<(&'static str, String)>,
) -> AppError {
    params.push(("field", field.clone()));
    let mut error = AppError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_json_data",
        "error.invalid_json_data",
    );
    error.detail = Some(Box::new(Detail {
        key: if field.is_empty() {
            "error.json.body_not_object"
        } else {
            key
        },
        params,
        field: (!field.is_empty()).then_some(field),
    }));
    error
}

/// serde's wording of a data error, read back into what it means.
enum DataProblem {
    Missing(String),
    Unknown(String),
    NotOneOf { value: String, allowed: Vec<String> },
    WrongType(Expected),
    Other,
}

/// The kind of value a field wanted, by serde's wording of it.
enum Expected {
    Integer,
    Number,
    Boolean,
    Text,
    List,
    Object,
    Date,
    Other,
}

impl Expected {
    fn of(expected: &str) -> Expected {
        let e = expected.trim();
        if [
            "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "usize", "isize",
        ]
        .iter()
        .any(|t| e.contains(t))
            || e.contains("integer")
        {
            Expected::Integer
        } else if e.contains("f32") || e.contains("f64") || e.contains("number") {
            Expected::Number
        } else if e.contains("bool") {
            Expected::Boolean
        } else if e.contains("date") {
            Expected::Date
        } else if e.contains("string") || e.contains("char") {
            Expected::Text
        } else if e.contains("sequence") || e.contains("array") || e.contains("tuple") {
            Expected::List
        } else if e.contains("struct") || e.contains("map") {
            Expected::Object
        } else {
            Expected::Other
        }
    }

    fn key(&self) -> &'static str {
        match self {
            Expected::Integer => "error.json.not_integer",
            Expected::Number => "error.json.not_number",
            Expected::Boolean => "error.json.not_boolean",
            Expected::Text => "error.json.not_text",
            Expected::List => "error.json.not_list",
            Expected::Object => "error.json.not_object",
            Expected::Date => "error.json.not_date",
            Expected::Other => "error.json.invalid",
        }
    }
}

impl DataProblem {
    fn read(text: &str) -> DataProblem {
        if let Some(name) = text.strip_prefix("missing field ") {
            return DataProblem::Missing(unquote(name));
        }
        if let Some(rest) = text.strip_prefix("unknown field ") {
            let name = rest.split(", expected").next().unwrap_or(rest);
            return DataProblem::Unknown(unquote(name));
        }
        if let Some(rest) = text.strip_prefix("unknown variant ") {
            let (value, allowed) = rest.split_once(", expected").unwrap_or((rest, ""));
            let allowed = allowed
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect();
            return DataProblem::NotOneOf {
                value: unquote(value),
                allowed,
            };
        }
        if let Some(rest) = text.strip_prefix("invalid type: ") {
            let expected = rest.split_once(", expected ").map_or("", |(_, e)| e);
            return DataProblem::WrongType(Expected::of(expected));
        }
        DataProblem::Other
    }
}

fn unquote(text: &str) -> String {
    text.trim().trim_matches('`').to_owned()
}

/// A query string.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(ApiQuery)
            .map_err(|e| {
                let (field, key, mut params) =
                    read_problem(&e.path().to_string(), &e.inner().to_string());
                params.push(("field", field.clone()));
                let mut error = AppError::new(
                    StatusCode::BAD_REQUEST,
                    "malformed_query",
                    "error.malformed_query",
                );
                error.detail = Some(Box::new(Detail {
                    key,
                    params,
                    field: (!field.is_empty()).then_some(field),
                }));
                error
            })
    }
}

fn unsupported_media_type() -> AppError {
    AppError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "error.unsupported_media_type",
    )
}

fn too_large() -> AppError {
    AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "error.payload_too_large",
    )
}

/// A JSON body read by a handler after its access check, so that a refused caller gets
/// 403 whatever it sent and learns nothing from how the body is validated.
pub async fn read_json<T: DeserializeOwned>(request: Request) -> Result<T, AppError> {
    let ApiJson(value) = ApiJson::<T>::from_request(request, &()).await?;
    Ok(value)
}
