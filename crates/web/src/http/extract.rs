//! Extractors that turn malformed requests into localised 4xx errors instead of axum's
//! plain-text rejections.

use axum::extract::rejection::{FormRejection, JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::http::error::AppError;

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

/// A JSON body.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(unsupported_media_type()),
            Err(JsonRejection::JsonDataError(e)) => Err(AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_json_data",
                "error.invalid_json_data",
            )
            .with("detail", e.body_text())),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(too_large())
            }
            Err(_) => Err(AppError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                "error.malformed_json",
            )),
        }
    }
}

/// A query string.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| ApiQuery(value))
            .map_err(|rejection: QueryRejection| {
                AppError::new(
                    StatusCode::BAD_REQUEST,
                    "malformed_query",
                    "error.malformed_query",
                )
                .with("detail", rejection.body_text())
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
