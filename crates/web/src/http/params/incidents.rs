//! The incident list's filters, as the page and the API take them.

use mamori_app::incidents::ListQuery;
use serde::Deserialize;
use utoipa::IntoParams;

use super::pagination::{PageQuery, PageRequest};
use crate::http::error::AppError;

/// Filters of the incident list, and its page.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct IncidentQuery {
    /// 年度 noticed in: `2026`, or as written (`令和8年度`).
    pub year: String,
    /// A stage code, or `open` for every stage but closed.
    pub stage: String,
    /// A severity code (`/api/v1/incidents/severities`).
    pub severity: String,
    /// Words to find in titles, descriptions and places (Japanese without spaces too).
    pub q: String,
    /// 1-based page number (default 1).
    #[param(value_type = Option<u32>, minimum = 1)]
    pub page: Option<String>,
    /// Items per page, 1–200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub per_page: Option<String>,
}

impl IncidentQuery {
    /// The filters read (a `Failure` naming the field that cannot be), and the page.
    pub fn read(&self) -> Result<Result<(ListQuery, PageRequest), mamori_app::Failure>, AppError> {
        let request = PageQuery {
            page: self.page.clone(),
            per_page: self.per_page.clone(),
        }
        .parse()?;
        Ok(
            ListQuery::read(&self.year, &self.stage, &self.severity, &self.q).map(|mut query| {
                query.offset = i64::try_from(request.offset()).unwrap_or(i64::MAX);
                query.limit = Some(i64::from(request.per_page));
                (query, request)
            }),
        )
    }

    /// Whether any filter is set.
    pub fn filtered(&self) -> bool {
        [&self.year, &self.stage, &self.severity, &self.q]
            .iter()
            .any(|v| !v.trim().is_empty())
    }

    /// The list's address at `page` with the same filters.
    pub fn link(&self, path: &str, page: u32) -> String {
        let page = page.to_string();
        let mut pairs = vec![("page", page.as_str())];
        for (name, value) in [
            ("year", &self.year),
            ("stage", &self.stage),
            ("severity", &self.severity),
            ("q", &self.q),
        ] {
            if !value.trim().is_empty() {
                pairs.push((name, value.trim()));
            }
        }
        format!(
            "{path}?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    }
}
