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

pub use events::{decide_event, record_event};
pub use form::{create, edit_form, new_form, update};
pub use list::list;
pub use show::show;

use mamori_app::assets::{
    AssetRecord, Category, EventKind, Form, HolderType, Retention, Segment, Status,
};
use mamori_app::i18n::Tr;
use mamori_domain::asset::RetentionReading;
use mamori_domain::classification::{Axis, Scheme};

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::state::AppState;

use crate::http::forms::Choice;

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
        Status::Withdrawn => "asset.status.withdrawn",
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

pub use crate::http::labels::{axis_key, step_key};

pub use crate::http::params::assets::ListParams;
pub use mamori_app::assets::field_key;

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

/// The label line of an asset: 「機密性2・完全性2・可用性1」, "Confidentiality 2 · …".
pub fn classification_line(tr: &Tr, scheme: &Scheme, record: &AssetRecord) -> String {
    [
        record.confidentiality_id,
        record.integrity_id,
        record.availability_id,
    ]
    .iter()
    .map(|id| level_name(scheme, *id))
    .collect::<Vec<_>>()
    .join(tr.t("punct.dot"))
}

/// What a recognised 保存期間 means, in the page's language.
pub(crate) fn reading_label(reading: RetentionReading, ctx: &Ctx) -> String {
    let mut params = Vec::new();
    if let Some(n) = reading.years() {
        params.push(("n", n.to_string()));
    }
    if let Some(date) = reading.date() {
        params.push(("date", ctx.date(date)));
    }
    ctx.tr.f(reading.message_key(), &params)
}

/// The 保存期間 as written, with what it was read as when that says more than the text
/// itself, or a word that it is kept as written.
pub(crate) fn retention_label(retention: Option<&Retention>, ctx: &Ctx) -> String {
    let Some(retention) = retention else {
        return String::new();
    };
    let text = ("text", retention.text.clone());
    match retention.reading {
        Some(reading) => {
            let label = reading_label(reading, ctx);
            if label == retention.text {
                retention.text.clone()
            } else {
                ctx.tr
                    .f("asset.retention.shown", &[text, ("reading", label)])
            }
        }
        None => ctx.tr.f("asset.retention.shown_as_written", &[text]),
    }
}

/// The holder select: everyone who may hold an asset.
pub(crate) async fn holder_choices(
    state: &AppState,
    signed: &SignedIn,
    tr: &Tr,
) -> Result<Vec<Choice>, AppError> {
    Ok(
        mamori_app::assets::holder_choices(&state.app, &signed.0.acting)
            .await?
            .into_iter()
            .map(|h| Choice {
                value: h.id.to_string(),
                label: crate::http::labels::bracketed(tr, &h.name, &h.login),
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
