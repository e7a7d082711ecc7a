//! Reference data: the Japanese eras, and the server's reading of a typed date, so
//! clients normalise dates exactly as mamori's own forms do.

use axum::Json;
use axum::http::StatusCode;
use mamori_domain::wareki::{self, DateStyle, Lang};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::error::AppError;
use crate::http::extract::ApiQuery;
use crate::http::params::pagination::{Page, PageQuery};

#[derive(Serialize, ToSchema)]
pub struct EraOut {
    pub name_ja: &'static str,
    pub name_en: &'static str,
    pub initial: String,
    /// First day (ISO 8601).
    pub first_day: String,
    /// Last day (ISO 8601); absent for the current era.
    pub last_day: Option<String>,
}

/// A page of eras.
#[derive(Serialize, ToSchema)]
pub struct EraPage {
    pub items: Vec<EraOut>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// The Japanese eras from 明治 to 令和.
#[utoipa::path(get, path = "/api/v1/eras", tag = "reference", params(PageQuery),
    responses((status = 200, body = EraPage), (status = 400, body = crate::api::ErrorBody)))]
pub async fn list_eras(
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<Page<EraOut>>, AppError> {
    let request = query.parse()?;
    let eras = wareki::ERAS
        .iter()
        .map(|era| EraOut {
            name_ja: era.name_ja,
            name_en: era.name_en,
            initial: era.initial.to_string(),
            first_day: era.first_day.to_string(),
            last_day: era.last_day().map(|d| d.to_string()),
        })
        .collect();
    Ok(Json(Page::of(eras, request)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ParseQuery {
    /// What a person typed: 2026-03-18, 2026/3/18, 令和8年3月18日, R8.3.18, full-width digits…
    pub text: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ParsedDate {
    /// ISO 8601, as stored.
    pub date: String,
    /// 令和8年3月18日
    pub wareki_ja: String,
    /// 2026年3月18日
    pub gregorian_ja: String,
    /// 18 March 2026 (Reiwa 8)
    pub wareki_en: String,
}

/// Reads a typed date; 422 with a message in the caller's language when it is not a real date.
#[utoipa::path(get, path = "/api/v1/dates/parse", tag = "reference", params(ParseQuery),
    responses((status = 200, body = ParsedDate), (status = 422, body = crate::api::ErrorBody)))]
pub async fn parse_date(
    ApiQuery(query): ApiQuery<ParseQuery>,
) -> Result<Json<ParsedDate>, AppError> {
    let date = wareki::parse_date_input(query.text.as_deref().unwrap_or("")).map_err(|e| {
        let mut error = AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_date",
            e.message_key(),
        );
        error.params = e.params();
        error
    })?;
    Ok(Json(ParsedDate {
        date: date.to_string(),
        wareki_ja: wareki::format_date(date, DateStyle::Wareki, Lang::Ja),
        gregorian_ja: wareki::format_date(date, DateStyle::Gregorian, Lang::Ja),
        wareki_en: wareki::format_date(date, DateStyle::Wareki, Lang::En),
    }))
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_eras, parse_date),
    components(schemas(EraOut, EraPage, ParsedDate))
)]
pub struct Doc;

pub use crate::http::params::timestamp;
