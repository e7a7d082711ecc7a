//! The asset form: registering a new asset and changing one (a change of
//! classification asks why). Kept as typed when refused.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::assets::retention::{Start, propose_disposal};
use mamori_app::assets::{AssetChange, AssetInput, Category, Form, HolderType, Segment, Status};
use mamori_app::i18n::Tr;
use mamori_domain::access::{Act, Register};
use mamori_domain::asset::{Publication, Retention, RetentionReading};
use mamori_domain::classification::Axis;
use mamori_domain::user::OrgRole;
use mamori_domain::wareki::JST;
use serde::Deserialize;

use super::{
    Choice, asset_field_errors, category_key, coded_choices, form_key, holder_choices,
    holder_type_key, level_choices, segment_key, status_key,
};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::forms::{FieldError, asks_confirmation, form_problems, parse_id};
use crate::http::labels::org_role_label;
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

/// The form's fields as typed, and the reason for a change of classification.
#[derive(Debug, Default, Deserialize)]
pub struct AssetForm {
    #[serde(flatten)]
    pub input: AssetInput,
    #[serde(default)]
    pub reason: String,
    /// Set by the "propose a disposal date" button: the form comes back with the
    /// proposal filled in, and nothing is saved.
    #[serde(default)]
    pub propose: String,
    /// The box 「過去の日付のまま登録する」.
    #[serde(default, deserialize_with = "mamori_domain::field::flag")]
    pub confirm_past_dates: bool,
    /// Set when the form comes back asking about a past date: the box is offered.
    #[serde(skip)]
    pub asks_past: bool,
}

#[derive(Template)]
#[template(path = "assets/form.html")]
struct FormPage {
    t: Tr,
    layout: Layout,
    /// The asset being edited; None for a new one.
    id: Option<i64>,
    form: AssetInput,
    reason: String,
    errors: Vec<FieldError>,
    /// A past disposal date was asked about: the box that keeps it is offered.
    asks_past: bool,
    /// What became of the 保存期間: a proposal, why there is none, or that the text
    /// is kept as written.
    retention_note: Option<String>,
    categories: Vec<Choice>,
    forms: Vec<Choice>,
    holder_types: Vec<Choice>,
    holders: Vec<Choice>,
    managing_roles: Vec<Choice>,
    segments: Vec<Choice>,
    statuses: Vec<Choice>,
    confidentiality: Vec<Choice>,
    integrity: Vec<Choice>,
    availability: Vec<Choice>,
    publications: Vec<Choice>,
}

impl FormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::http::forms::error_for(&self.errors, field)
    }
}

fn publication_key(value: Publication) -> &'static str {
    match value {
        Publication::Gazette => "asset.publication.gazette",
        Publication::WhitePaper => "asset.publication.white_paper",
        Publication::Newspaper => "asset.publication.newspaper",
        Publication::Magazine => "asset.publication.magazine",
        Publication::Book => "asset.publication.book",
    }
}

/// Fills in the disposal date the 保存期間 gives (only when the field is empty: a date
/// the person typed is theirs), and says what was done or why nothing could be; or the
/// field's problem when the text is not one short line.
async fn propose(
    state: &AppState,
    signed: &SignedIn,
    ctx: &Ctx,
    input: &mut AssetInput,
    start: Start,
) -> Result<(Option<String>, Vec<FieldError>), AppError> {
    let tr = ctx.tr;
    let proposal =
        match propose_disposal(&state.app, &signed.0.acting, &input.retention, start).await {
            Ok(proposal) => proposal,
            Err(mamori_app::Failure::Invalid(problems)) => {
                return Ok((None, asset_field_errors(&problems, &tr)));
            }
            Err(other) => return Err(other.into()),
        };
    let retention = proposal.retention.as_ref();
    let text = (
        "text",
        retention.map(|r| r.text.clone()).unwrap_or_default(),
    );
    let note = match proposal.disposal {
        Err(gap) => tr.f(gap.message_key(), &[text]),
        Ok(_) if !input.disposal_due.trim().is_empty() => tr.f(
            "asset.retention.proposal_kept",
            &[("date", input.disposal_due.trim().to_owned())],
        ),
        Ok(date) => {
            input.disposal_due = mamori_app::date_text(date);
            let shown = ("date", ctx.date(date));
            let counted = matches!(
                retention.and_then(|r| r.reading),
                Some(RetentionReading::Years { .. })
            );
            if counted {
                let basis_key = match start {
                    Start::Registered(_) => "asset.retention.basis_registered",
                    Start::Today(_) | Start::Given(_) => "asset.retention.basis_today",
                };
                let basis = tr.f(basis_key, &[("date", ctx.date(start.date()))]);
                tr.f("asset.retention.proposed", &[text, ("basis", basis), shown])
            } else {
                tr.f("asset.retention.proposed_date", &[text, shown])
            }
        }
    };
    Ok((Some(note), Vec::new()))
}

/// The note for a 保存期間 as it stands: kept as written when no reading fits.
fn retention_note(input: &AssetInput, ctx: &Ctx) -> Option<String> {
    Retention::new(&input.retention)
        .filter(|r| r.reading.is_none())
        .map(|r| {
            ctx.tr
                .f("asset.retention.kept_as_written", &[("text", r.text)])
        })
}

async fn render_form(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: Option<i64>,
    form: AssetForm,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let note = retention_note(&form.input, ctx);
    render_form_with(state, ctx, signed, id, form, errors, note).await
}

async fn render_form_with(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: Option<i64>,
    form: AssetForm,
    errors: Vec<FieldError>,
    retention_note: Option<String>,
) -> Result<Response, AppError> {
    let tr = ctx.tr;
    let scheme = mamori_app::assets::scheme(&state.app, &signed.0.acting).await?;
    let scheme = mamori_domain::classification_presets_en::for_reader(scheme, ctx.lang());
    let path = match id {
        Some(id) => format!("/assets/{id}/edit"),
        None => "/assets/new".to_owned(),
    };
    let mut publications = vec![Choice {
        value: "no".into(),
        label: tr.t("asset.publication.no").to_owned(),
    }];
    publications.extend(coded_choices(
        Publication::ALL,
        Publication::as_str,
        publication_key,
        &tr,
    ));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        t: tr,
        layout: Layout::load(state, "assets", &path, Some(&signed.0)).await,
        id,
        form: form.input,
        reason: form.reason,
        errors,
        asks_past: form.asks_past,
        retention_note,
        categories: coded_choices(Category::ALL, Category::as_str, category_key, &tr),
        forms: coded_choices(Form::ALL, Form::as_str, form_key, &tr),
        holder_types: coded_choices(HolderType::ALL, HolderType::as_str, holder_type_key, &tr),
        holders: holder_choices(state, signed, &tr).await?,
        managing_roles: coded_choices(&OrgRole::ALL, OrgRole::as_str, org_role_label, &tr),
        segments: coded_choices(Segment::ALL, Segment::as_str, segment_key, &tr),
        // Withdrawal is its own action with a reason, never a value of the form.
        statuses: coded_choices(
            &[Status::InUse, Status::Archived, Status::Disposed],
            Status::as_str,
            status_key,
            &tr,
        ),
        confidentiality: level_choices(&scheme, Axis::Confidentiality),
        integrity: level_choices(&scheme, Axis::Integrity),
        availability: level_choices(&scheme, Axis::Availability),
        publications,
    };
    render(status, &page)
}

/// Refuses those who may not edit the register before anything is shown or read.
async fn permit_edit(state: &AppState, signed: &SignedIn, what: &str) -> Result<(), AppError> {
    state
        .app
        .permit(&signed.0.acting, Register::Assets, Act::Edit, what)
        .await?;
    Ok(())
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    permit_edit(&state, &signed, "assets.new").await?;
    let form = AssetForm {
        input: AssetInput {
            category: Category::Information.as_str().into(),
            form: Form::Electronic.as_str().into(),
            holder_type: HolderType::Secretariat.as_str().into(),
            segment: Segment::None.as_str().into(),
            status: Status::InUse.as_str().into(),
            ..AssetInput::default()
        },
        ..AssetForm::default()
    };
    render_form(&state, &ctx, &signed, None, form, Vec::new()).await
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    permit_edit(&state, &signed, "assets.create").await?;
    let mut form: AssetForm = super::read_form(request, &state).await?;
    if !form.propose.is_empty() {
        let start = Start::Today(mamori_app::today());
        let (note, errors) = propose(&state, &signed, &ctx, &mut form.input, start).await?;
        return render_form_with(&state, &ctx, &signed, None, form, errors, note).await;
    }
    let acting = &signed.0.acting;
    let confirmed = form.confirm_past_dates;
    match mamori_app::assets::register_with(&state.app, acting, &form.input, confirmed).await {
        Ok(asset) => Ok(see_other(&format!("/assets/{}?saved=1", asset.id))),
        Err(failure) => {
            let problems = form_problems(failure)?;
            form.asks_past = asks_confirmation(&problems);
            let errors = asset_field_errors(&problems, &ctx.tr);
            render_form(&state, &ctx, &signed, None, form, errors).await
        }
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    permit_edit(&state, &signed, "assets.edit").await?;
    let id = parse_id(&id)?;
    let acting = &signed.0.acting;
    let record = mamori_app::assets::get(&state.app, acting, id).await?;
    let scheme = mamori_app::assets::scheme(&state.app, acting).await?;
    let form = AssetForm {
        input: mamori_app::assets::input_of(&record, &scheme),
        ..AssetForm::default()
    };
    render_form(&state, &ctx, &signed, Some(id), form, Vec::new()).await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    permit_edit(&state, &signed, "assets.update").await?;
    let id = parse_id(&id)?;
    let record = mamori_app::assets::get(&state.app, &signed.0.acting, id).await?;
    let mut form: AssetForm = super::read_form(request, &state).await?;
    if !form.propose.is_empty() {
        let start = Start::Registered(record.created_at.to_offset(JST).date());
        let (note, errors) = propose(&state, &signed, &ctx, &mut form.input, start).await?;
        return render_form_with(&state, &ctx, &signed, Some(id), form, errors, note).await;
    }
    let change = AssetChange {
        input: form.input,
        reason: form.reason,
        confirm_past_dates: form.confirm_past_dates,
    };
    match mamori_app::assets::update(&state.app, &signed.0.acting, id, &change).await {
        Ok(_) => Ok(see_other(&format!("/assets/{id}?saved=1"))),
        Err(failure) => {
            let problems = form_problems(failure)?;
            let errors = asset_field_errors(&problems, &ctx.tr);
            let form = AssetForm {
                input: change.input,
                reason: change.reason,
                asks_past: asks_confirmation(&problems),
                ..AssetForm::default()
            };
            render_form(&state, &ctx, &signed, Some(id), form, errors).await
        }
    }
}
