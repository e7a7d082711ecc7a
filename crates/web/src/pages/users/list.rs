//! The list of users, 50 a page, by login.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::i18n::Tr;
use mamori_app::users::{self, PER_PAGE, UserSummary};
use serde::Deserialize;

use super::{org_role_label, role_label, user_type_label};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::ApiQuery;
use crate::http::params::pagination::PageQuery;
use crate::http::{Layout, render};
use crate::state::AppState;

struct ListRow {
    id: i64,
    login: String,
    display_name: String,
    reading: Option<String>,
    user_type: &'static str,
    role: &'static str,
    org_roles: Vec<&'static str>,
    active: bool,
    mfa_enabled: bool,
    must_change_password: bool,
}

impl From<UserSummary> for ListRow {
    fn from(s: UserSummary) -> ListRow {
        ListRow {
            id: s.user.id,
            login: s.user.login,
            display_name: s.user.display_name,
            reading: s.user.reading,
            user_type: user_type_label(s.user.user_type),
            role: role_label(s.user.role),
            org_roles: s.org_roles.iter().map(|r| org_role_label(*r)).collect(),
            active: s.user.active,
            mfa_enabled: s.mfa_enabled,
            must_change_password: s.user.must_change_password,
        }
    }
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    rows: Vec<ListRow>,
    range: String,
    page_label: String,
    pages: u32,
    prev: Option<u32>,
    next: Option<u32>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    page: Option<String>,
}

/// "1–50 of 120", or the total alone when the page is empty.
fn range(tr: &Tr, total: i64, offset: i64, shown: usize) -> String {
    if shown == 0 {
        return tr.f("users.range_empty", &[("total", total.to_string())]);
    }
    tr.f(
        "users.range",
        &[
            ("total", total.to_string()),
            ("first", (offset + 1).to_string()),
            ("last", (offset + shown as i64).to_string()),
        ],
    )
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let request = PageQuery {
        page: query.page,
        per_page: Some(PER_PAGE.to_string()),
    };
    // Access first: people without it learn nothing from how the query is read.
    let request = match request.parse() {
        Ok(r) => r,
        Err(e) => {
            users::list_users(&state.app, acting, 0, 0).await?;
            return Err(e);
        }
    };
    let offset = i64::try_from(request.offset()).unwrap_or(i64::MAX);
    let (summaries, total) =
        users::list_users(&state.app, acting, i64::from(request.per_page), offset).await?;
    let pages = u32::try_from(total.max(1).unsigned_abs().div_ceil(u64::from(PER_PAGE)))
        .unwrap_or(u32::MAX);
    let page = ListPage {
        t: ctx.tr,
        layout: Layout::load(&state, "users", "/users", Some(&signed.0)).await,
        range: range(&ctx.tr, total, offset, summaries.len()),
        rows: summaries.into_iter().map(ListRow::from).collect(),
        page_label: ctx.tr.f(
            "users.page_of",
            &[
                ("page", request.page.to_string()),
                ("pages", pages.to_string()),
            ],
        ),
        pages,
        // Past the end, "previous" leads back to the last page.
        prev: (request.page > 1).then(|| (request.page - 1).min(pages)),
        next: (request.page < pages).then(|| request.page + 1),
    };
    render(StatusCode::OK, &page)
}
