//! `GET /public/policy`: the published basic policy, readable without signing in, laid
//! out for A4. Before anything is published the same address says so, so a link handed
//! out early (or printed in a council bulletin) never lands on an error.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::i18n::Tr;
use mamori_app::policies;

use super::{ClauseRow, flatten};
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::render;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "policies/public.html")]
struct PublicPage {
    t: Tr,
    organisation: Option<String>,
    title: String,
    /// False before a basic policy is published: the page then says only that.
    published: bool,
    approved_on: String,
    /// Today, for the header of every printed sheet.
    printed_on: String,
    rows: Vec<ClauseRow>,
}

pub async fn public_policy(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let printed_on = ctx.date(mamori_app::today());
    let public = policies::public_policy(&state.app).await?;
    let Some(version) = public.version else {
        let page = PublicPage {
            organisation: public.organisation,
            title: ctx.tr.t("policy.public_none_title").to_owned(),
            published: false,
            approved_on: String::new(),
            printed_on,
            rows: Vec::new(),
            t: ctx.tr,
        };
        return render(StatusCode::OK, &page);
    };
    let page = PublicPage {
        t: ctx.tr,
        organisation: public.organisation,
        title: version.tree.title.clone(),
        published: true,
        approved_on: version
            .summary
            .approved_on
            .map(|d| ctx.date(d))
            .unwrap_or_default(),
        printed_on,
        rows: flatten(&version.tree),
    };
    render(StatusCode::OK, &page)
}
