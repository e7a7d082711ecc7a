//! The information asset register (情報資産台帳) pages: how a list request's filters are
//! read, the labels of coded values, and the parts the pages share. The list, the form,
//! one asset and its lifecycle records are in their own files; each handler parses the
//! request, calls the use case in `mamori_app::assets` and renders a view-model.

mod events;
pub mod export;
mod form;
pub mod import;
pub mod labels;
mod list;
mod show;

pub use events::{decide, decide_event, record_event};
pub use form::{create, edit_form, new_form, update};
pub use list::list;
pub use show::show;

use axum::http::StatusCode;
use mamori_app::assets::{
    AssetRecord, Category, EventKind, Filter, Form, HolderType, Retention, Segment, Sort, Status,
    Viewer,
};
use mamori_app::i18n::Tr;
use mamori_domain::classification::{Axis, LifecycleStep, Scheme};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::pagination::{PageQuery, PageRequest};
use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::state::AppState;

/// What the signed-in user may see of the register (kept for the risk pages, which
/// read assets too).
pub fn viewer(signed: &SignedIn) -> Viewer {
    signed.0.acting.viewer()
}

pub use crate::http::forms::Choice;

pub fn category_key(value: Category) -> &'static str {
    match value {
        Category::Infrastructure => "asset.category.infrastructure",
        Category::Information => "asset.category.information",
        Category::SystemDocument => "asset.category.system_document",
    }
}

pub fn form_key(value: Form) -> &'static str {
    match value {
        Form::Electronic => "asset.form.electronic",
        Form::Paper => "asset.form.paper",
        Form::Both => "asset.form.both",
    }
}

pub fn holder_type_key(value: HolderType) -> &'static str {
    match value {
        HolderType::Member => "asset.holder_type.member",
        HolderType::Secretariat => "asset.holder_type.secretariat",
    }
}

pub fn segment_key(value: Segment) -> &'static str {
    match value {
        Segment::Core => "asset.segment.core",
        Segment::Lgwan => "asset.segment.lgwan",
        Segment::Internet => "asset.segment.internet",
        Segment::None => "asset.segment.none",
    }
}

pub fn status_key(value: Status) -> &'static str {
    match value {
        Status::InUse => "asset.status.in_use",
        Status::Archived => "asset.status.archived",
        Status::Disposed => "asset.status.disposed",
    }
}

pub fn event_key(value: EventKind) -> &'static str {
    match value {
        EventKind::TakeOut => "asset.event.take_out",
        EventKind::Return => "asset.event.return",
        EventKind::Lending => "asset.event.lending",
        EventKind::LendingReturn => "asset.event.lending_return",
        EventKind::Transfer => "asset.event.transfer",
        EventKind::Provision => "asset.event.provision",
        EventKind::Publication => "asset.event.publication",
        EventKind::Disposal => "asset.event.disposal",
    }
}

pub fn axis_key(value: Axis) -> &'static str {
    match value {
        Axis::Confidentiality => "axis.confidentiality",
        Axis::Integrity => "axis.integrity",
        Axis::Availability => "axis.availability",
    }
}

pub fn step_key(value: LifecycleStep) -> &'static str {
    match value {
        LifecycleStep::Create => "lifecycle.create",
        LifecycleStep::Obtain => "lifecycle.obtain",
        LifecycleStep::Use => "lifecycle.use",
        LifecycleStep::Store => "lifecycle.store",
        LifecycleStep::Send => "lifecycle.send",
        LifecycleStep::Carry => "lifecycle.carry",
        LifecycleStep::Provide => "lifecycle.provide",
        LifecycleStep::Dispose => "lifecycle.dispose",
    }
}

pub use mamori_app::assets::field_key;

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

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
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

// ---------------------------------------------------------------- shared page parts

pub(crate) fn coded_choices<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    key: fn(T) -> &'static str,
    tr: &Tr,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: code(*v).to_owned(),
            label: tr.t(key(*v)).to_owned(),
        })
        .collect()
}

pub(crate) fn level_choices(scheme: &Scheme, axis: Axis) -> Vec<Choice> {
    scheme
        .levels_of(axis)
        .iter()
        .map(|l| Choice {
            value: l.code.clone(),
            label: l.name.clone(),
        })
        .collect()
}

pub(crate) fn level_name(scheme: &Scheme, id: i64) -> String {
    scheme
        .level(id)
        .map(|l| l.name.clone())
        .unwrap_or_else(|| format!("#{id}"))
}

/// The label line of an asset: 「機密性2・完全性2・可用性1」.
pub fn classification_line(scheme: &Scheme, record: &AssetRecord) -> String {
    [
        record.confidentiality_id,
        record.integrity_id,
        record.availability_id,
    ]
    .iter()
    .map(|id| level_name(scheme, *id))
    .collect::<Vec<_>>()
    .join("・")
}

pub(crate) fn retention_label(retention: Option<Retention>, tr: &Tr) -> String {
    match retention {
        None => String::new(),
        Some(r) if tr.lang == mamori_domain::wareki::Lang::Ja => r.japanese(),
        Some(Retention::Permanent) => "Permanent".into(),
        Some(Retention::Years(n)) => format!("{n} years"),
        Some(Retention::UnderOneYear) => "Under a year".into(),
        Some(Retention::TermOfOffice) => "Term of office".into(),
        Some(Retention::UntilContractEnd) => "Until the contract ends".into(),
    }
}

/// The holder select: everyone who may hold an asset.
pub(crate) async fn holder_choices(
    state: &AppState,
    signed: &SignedIn,
) -> Result<Vec<Choice>, AppError> {
    Ok(
        mamori_app::assets::holder_choices(&state.app, &signed.0.acting)
            .await?
            .into_iter()
            .map(|h| Choice {
                value: h.id.to_string(),
                label: h.label,
            })
            .collect(),
    )
}

/// The field problems of an asset input, each named by its field's label.
pub(crate) fn asset_field_errors(
    problems: &[mamori_domain::field::FieldProblem],
    tr: &Tr,
) -> Vec<crate::http::forms::FieldError> {
    crate::http::forms::field_errors(problems, tr, field_key)
}

/// A URL-encoded form body, refused in the user's words when it cannot be read.
pub(crate) async fn read_form<T: serde::de::DeserializeOwned>(
    request: axum::extract::Request,
    state: &AppState,
) -> Result<T, AppError> {
    let crate::http::extract::WebForm(form) =
        <crate::http::extract::WebForm<T> as axum::extract::FromRequest<AppState>>::from_request(
            request, state,
        )
        .await?;
    Ok(form)
}

/// Checks the declared grant, recording a refusal (403) in the audit trail.
pub(crate) async fn permit(
    state: &AppState,
    signed: &SignedIn,
    register: mamori_domain::access::Register,
    act: mamori_domain::access::Act,
    what: &str,
) -> Result<(), AppError> {
    state
        .app
        .permit(&signed.0.acting, register, act, what)
        .await?;
    Ok(())
}
