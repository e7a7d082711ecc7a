//! `page` / `per_page` for every list endpoint, and the list envelope.

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::error::AppError;

pub const DEFAULT_PER_PAGE: u32 = 50;
pub const MAX_PER_PAGE: u32 = 200;

/// Query parameters of a list. Kept as text so that `page=abc` gets our own message.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1-based page number (default 1).
    #[param(value_type = Option<u32>, minimum = 1)]
    pub page: Option<String>,
    /// Items per page, 1–200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub per_page: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl PageRequest {
    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.per_page)
    }
}

impl PageQuery {
    pub fn parse(&self) -> Result<PageRequest, AppError> {
        let number =
            |value: &Option<String>, default: u32, max: u32, name: &'static str| match value
                .as_deref()
                .map(str::trim)
            {
                None | Some("") => Ok(default),
                Some(text) => text
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=max).contains(n))
                    .ok_or_else(|| {
                        AppError::new(
                            StatusCode::BAD_REQUEST,
                            "invalid_pagination",
                            "error.invalid_pagination",
                        )
                        .with("name", name)
                        .with("max", max)
                    }),
            };
        Ok(PageRequest {
            page: number(&self.page, 1, u32::MAX / MAX_PER_PAGE, "page")?,
            per_page: number(&self.per_page, DEFAULT_PER_PAGE, MAX_PER_PAGE, "per_page")?,
        })
    }
}

/// `{"items": [...], "total": N, "page": P, "per_page": K}`
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    /// Pages through a list held in memory (small reference lists).
    pub fn of(all: Vec<T>, request: PageRequest) -> Page<T> {
        let total = all.len() as u64;
        let items = all
            .into_iter()
            .skip(usize::try_from(request.offset()).unwrap_or(usize::MAX))
            .take(request.per_page as usize)
            .collect();
        Page {
            items,
            total,
            page: request.page,
            per_page: request.per_page,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(page: Option<&str>, per_page: Option<&str>) -> PageQuery {
        PageQuery {
            page: page.map(str::to_owned),
            per_page: per_page.map(str::to_owned),
        }
    }

    #[test]
    fn defaults_and_bounds() {
        assert_eq!(
            query(None, None).parse().unwrap(),
            PageRequest {
                page: 1,
                per_page: 50
            }
        );
        assert_eq!(
            query(Some("3"), Some("200")).parse().unwrap(),
            PageRequest {
                page: 3,
                per_page: 200
            }
        );
        for (page, per_page) in [
            (Some("0"), None),
            (Some("-1"), None),
            (Some("abc"), None),
            (None, Some("201")),
            (None, Some("0")),
            (Some("99999999999999"), None),
        ] {
            let error = query(page, per_page).parse().unwrap_err();
            assert_eq!(
                error.status,
                StatusCode::BAD_REQUEST,
                "{page:?} {per_page:?}"
            );
        }
    }

    #[test]
    fn pages_through_a_list() {
        let page = Page::of(
            (1..=5).collect(),
            PageRequest {
                page: 2,
                per_page: 2,
            },
        );
        assert_eq!(page.items, vec![3, 4]);
        assert_eq!(page.total, 5);
        let past_the_end = Page::of(
            (1..=5).collect::<Vec<i32>>(),
            PageRequest {
                page: 9,
                per_page: 2,
            },
        );
        assert!(past_the_end.items.is_empty());
    }
}
