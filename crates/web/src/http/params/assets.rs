//! The asset register's list query, shared by the list page, its exports and the API:
//! text in, a typed filter, sort and page out (400 naming the bad parameter). Also the
//! export both serve and the words for a refused take-out decision.

use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::Failure;
use mamori_app::assets::files::{self as asset_files, Format};
use mamori_app::assets::{
    Category, Decision, EventRecord, Filter, Form, HolderType, Segment, Sort, Status,
};
use mamori_domain::access::{Act, Register};
use mamori_domain::classification::{Axis, Scheme};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::download::download;
use crate::http::error::AppError;
use crate::http::forms::DecisionForm;
use crate::http::params::pagination::{PageQuery, PageRequest};
use crate::http::params::present;
use crate::state::AppState;

/// The list's query string, shared by the page, the API and the exports. Kept as text
/// so that a wrong value gets our own message rather than the framework's.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Words to find in name, description and notes (two characters or more find
    /// inside words; half-width kana match full-width).
    pub q: Option<String>,
    /// infrastructure, information or system_document (or ア/イ/ウ).
    pub category: Option<String>,
    /// electronic, paper or both.
    pub form: Option<String>,
    /// member or secretariat.
    pub holder_type: Option<String>,
    /// A user id.
    pub holder: Option<String>,
    /// core, lgwan, internet or none.
    pub segment: Option<String>,
    /// in_use, archived or disposed.
    pub status: Option<String>,
    /// A level code of the active scheme ("3A", "2").
    pub confidentiality: Option<String>,
    pub integrity: Option<String>,
    pub availability: Option<String>,
    pub tag: Option<String>,
    /// newest, oldest, name, updated or confidentiality.
    pub sort: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1)]
    pub page: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub per_page: Option<String>,
}

fn bad_filter(name: &'static str) -> AppError {
    AppError::new(
        StatusCode::BAD_REQUEST,
        "invalid_filter",
        "asset.error.filter",
    )
    .with("name", name)
}

fn coded<T>(
    value: &Option<String>,
    name: &'static str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, AppError> {
    present(value)
        .map(|v| parse(v).ok_or_else(|| bad_filter(name)))
        .transpose()
}

impl ListParams {
    /// The filter these parameters ask for; a level is named by its code in `scheme`.
    pub fn filter(&self, scheme: &Scheme) -> Result<Filter, AppError> {
        let level = |value: &Option<String>, name: &'static str, axis: Axis| {
            coded(value, name, |v| scheme.find_level(axis, v).map(|l| l.id))
        };
        let q = self.q.clone().unwrap_or_default();
        if q.chars().count() > mamori_domain::search::MAX_QUERY {
            return Err(bad_filter("q"));
        }
        let tag = present(&self.tag).map(str::to_owned);
        if tag.as_ref().is_some_and(|t| t.chars().count() > 100) {
            return Err(bad_filter("tag"));
        }
        Ok(Filter {
            q,
            category: coded(&self.category, "category", Category::parse)?,
            form: coded(&self.form, "form", Form::parse)?,
            holder_type: coded(&self.holder_type, "holder_type", HolderType::parse)?,
            holder_id: coded(&self.holder, "holder", |v| {
                v.parse::<i64>().ok().filter(|id| *id > 0)
            })?,
            segment: coded(&self.segment, "segment", Segment::parse)?,
            status: coded(&self.status, "status", Status::parse)?,
            confidentiality: level(
                &self.confidentiality,
                "confidentiality",
                Axis::Confidentiality,
            )?,
            integrity: level(&self.integrity, "integrity", Axis::Integrity)?,
            availability: level(&self.availability, "availability", Axis::Availability)?,
            tag,
        })
    }

    /// The use case's request: filter, sort and page, or a 400 naming the bad parameter.
    pub fn request(
        &self,
        scheme: &Scheme,
    ) -> Result<(mamori_app::assets::ListRequest, PageRequest), AppError> {
        let page = self.page()?;
        let request = mamori_app::assets::ListRequest {
            filter: self.filter(scheme)?,
            sort: self.sort()?,
            offset: i64::try_from(page.offset()).unwrap_or(i64::MAX),
            limit: i64::from(page.per_page),
        };
        Ok((request, page))
    }

    pub fn sort(&self) -> Result<Sort, AppError> {
        Ok(coded(&self.sort, "sort", Sort::parse)?.unwrap_or_default())
    }

    pub fn page(&self) -> Result<PageRequest, AppError> {
        PageQuery {
            page: self.page.clone(),
            per_page: self.per_page.clone(),
        }
        .parse()
    }

    /// The query string of these filters (without page), to carry into links such as
    /// the next page or an export of what is shown.
    pub fn filter_query(&self) -> String {
        let pairs = [
            ("q", &self.q),
            ("category", &self.category),
            ("form", &self.form),
            ("holder_type", &self.holder_type),
            ("holder", &self.holder),
            ("segment", &self.segment),
            ("status", &self.status),
            ("confidentiality", &self.confidentiality),
            ("integrity", &self.integrity),
            ("availability", &self.availability),
            ("tag", &self.tag),
            ("sort", &self.sort),
        ];
        pairs
            .iter()
            .filter_map(|(name, value)| {
                present(value).map(|v| format!("{name}={}", crate::http::auth::percent_encode(v)))
            })
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// The register as a file, with the list's filters: the same for the page and the API.
pub async fn export(
    state: &AppState,
    ctx: Ctx,
    signed: &SignedIn,
    raw_query: Option<&str>,
    format: Format,
) -> Result<Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Assets,
            Act::Read,
            "asset.export.title",
        )
        .await?;
    // Read after the access check, so that a refused caller gets 403 whatever they sent.
    let params: ListParams = serde_urlencoded::from_str(raw_query.unwrap_or("")).map_err(|e| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "malformed_query",
            "error.malformed_query",
        )
        .with("detail", e)
    })?;
    let acting = &signed.0.acting;
    let scheme = mamori_app::assets::scheme(&state.app, acting).await?;
    let filter = params.filter(&scheme)?;
    if format == Format::Csv {
        let export = asset_files::export_csv(&state.app, acting, &filter, ctx.lang()).await?;
        return Ok(crate::http::download::csv_download(export, ctx.lang()));
    }
    let exported = asset_files::export(&state.app, acting, &filter, ctx.lang(), format)
        .await
        .map_err(export_error)?;
    Ok(download(exported.bytes, format, ctx.lang()))
}

/// A file that could not be written is a 500 that says why.
pub fn export_error(error: asset_files::ExportError) -> AppError {
    match error {
        asset_files::ExportError::Failed(failure) => failure.into(),
        asset_files::ExportError::Sheet(e) => AppError {
            params: e.params(),
            ..AppError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "export_failed",
                e.message_key(),
            )
        },
    }
}

/// Decides a pending take-out through the use case (page and API): a decision that is
/// neither approve nor reject is a 400, a note that is not one clean line a 422, one's
/// own request a 403 that says so.
pub async fn decide(
    state: &AppState,
    signed: &SignedIn,
    id: i64,
    event_id: i64,
    form: &DecisionForm,
) -> Result<EventRecord, AppError> {
    let acting = &signed.0.acting;
    let decision = Decision {
        decision: form.decision.clone(),
        note: form.note.clone(),
    };
    let decided =
        mamori_app::assets::decide_event(&state.app, acting, id, event_id, &decision).await;
    match decided {
        Ok(event) => Ok(event),
        // The page's words for a bad decision or note (400 / 422).
        Err(Failure::Invalid(problems)) => Err(form
            .read()
            .err()
            .unwrap_or_else(|| Failure::Invalid(problems).into())),
        Err(denied @ Failure::Denied { .. }) => {
            let mut error = AppError::from(denied);
            if acting.may(Register::Assets, Act::Decide) {
                error.message_key = "asset.error.own_request";
            }
            Err(error)
        }
        Err(other) => Err(other.into()),
    }
}

/// The template through the use case, as an attachment: shared with the API.
pub async fn template_file(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    format: Format,
) -> Result<Response, AppError> {
    let bytes = asset_files::template(&state.app, &signed.0.acting, ctx.lang(), format)
        .await
        .map_err(export_error)?;
    Ok(crate::http::download::template_download(
        bytes,
        format,
        ctx.lang(),
    ))
}
