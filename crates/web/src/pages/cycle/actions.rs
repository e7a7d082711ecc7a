//! The corrective-actions register: the list (`/actions`, filtered by status, owner and
//! overdue), a new action (`/actions/new`, from a risk with `?source=risk:3`), one
//! action with the form that moves it on.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::cycle::actions::{self as app_actions, ActionDetail, ActionQuery};
use mamori_app::cycle::{
    ActionInput, ActionStatus, Assignee, DayCount, RecordKind, RecordRef, StatusInput,
};
use mamori_app::i18n::Tr;
use mamori_domain::access::{Act, Register};
use mamori_domain::user::OrgRole;
use serde::Deserialize;

use super::{problems_of, record_label};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::WebForm;
use crate::http::files_section::FilesSection;
use crate::http::forms::{Choice, FieldError, asks_confirmation, field_errors, parse_id};
pub use crate::http::params::cycle::{ActionRow, action_row};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub status: String,
    /// "mine" for one's own only.
    pub owner: String,
    pub overdue: String,
}

#[derive(Template)]
#[template(path = "cycle/actions.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    rows: Vec<ActionRow>,
    statuses: Vec<Choice>,
    owners: Vec<Choice>,
    query: ListQuery,
    sees_all: bool,
    may_create: bool,
}

fn status_choices(tr: &Tr, with_any: bool) -> Vec<Choice> {
    let any = with_any.then(|| Choice {
        value: String::new(),
        label: tr.t("action.any_status").to_owned(),
    });
    any.into_iter()
        .chain(ActionStatus::ALL.into_iter().map(|s| Choice {
            value: s.as_str().to_owned(),
            label: tr.t(s.label_key()).to_owned(),
        }))
        .collect()
}

/// The owner filter of those who see all: everyone, their own, or a post's.
fn owner_filter(tr: &Tr) -> Vec<Choice> {
    let fixed = [("", "action.any_owner"), ("mine", "action.only_mine")]
        .into_iter()
        .map(|(value, key)| Choice {
            value: value.to_owned(),
            label: tr.t(key).to_owned(),
        });
    let posts = OrgRole::ALL.into_iter().map(|p| Choice {
        value: Assignee::Post(p).code(),
        label: tr.t(&format!("org_role.{}", p.as_str())).to_owned(),
    });
    fixed.chain(posts).collect()
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let status = match query.status.as_str() {
        "" => None,
        code => Some(
            ActionStatus::parse(code)
                .ok_or_else(|| crate::http::params::risks::bad_filter("status"))?,
        ),
    };
    let owner = match query.owner.as_str() {
        "" | "mine" => None,
        code => Some(
            Assignee::parse(code).ok_or_else(|| crate::http::params::risks::bad_filter("owner"))?,
        ),
    };
    let filter = ActionQuery {
        status,
        overdue: query.overdue == "1",
        mine: query.owner == "mine",
        owner,
    };
    let actions = app_actions::list(&state.app, acting, &filter).await?;
    let page = ListPage {
        t: ctx.tr,
        layout: Layout::load(&state, "actions", "/actions", Some(&signed.0)).await,
        rows: actions.iter().map(|a| action_row(&ctx, a)).collect(),
        statuses: status_choices(&ctx.tr, true),
        owners: owner_filter(&ctx.tr),
        query,
        sees_all: acting.may(Register::Actions, Act::SeeAll),
        may_create: acting.may(Register::Actions, Act::Edit),
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "cycle/action_new.html")]
struct NewPage {
    t: Tr,
    layout: Layout,
    form: ActionInput,
    source: String,
    source_label: Option<String>,
    owners: Vec<Choice>,
    kinds: Vec<Choice>,
    errors: Vec<FieldError>,
    /// The due date is past: the box that keeps it is offered.
    asks_past: bool,
}

impl NewPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::http::forms::error_for(&self.errors, field)
    }
}

fn field_key(field: &str) -> &'static str {
    match field {
        "title" => "action.field.title",
        "description" => "action.field.description",
        "owner" => "action.field.owner",
        "due_on" => "action.field.due_on",
        "due_days" => "action.field.due_days",
        "due_kind" => "action.field.due_kind",
        "source" => "action.field.source",
        "status" => "action.field.status",
        "done_on" => "action.field.done_on",
        _ => "action.field.note",
    }
}

/// `risk:3` → the risk with id 3; empty → none.
fn parse_source(text: &str) -> Result<Option<RecordRef>, AppError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let (kind, id) = text.split_once(':').ok_or_else(AppError::not_found)?;
    super::parse_subject(kind, id).map(Some)
}

/// The new-action form with the body a page sends: the action and `source`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewForm {
    #[serde(flatten)]
    pub action: ActionInput,
    pub source: String,
}

async fn new_page(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    form: NewForm,
    (errors, asks_past): (Vec<FieldError>, bool),
    status: StatusCode,
) -> Result<Response, AppError> {
    let tr = &ctx.tr;
    let users = app_actions::owner_choices(&state.app, &signed.0.acting).await?;
    let posts = OrgRole::ALL.into_iter().map(|p| Choice {
        value: Assignee::Post(p).code(),
        label: tr.t(&format!("org_role.{}", p.as_str())).to_owned(),
    });
    let none = Choice {
        value: String::new(),
        label: tr.t("action.choose_owner").to_owned(),
    };
    let owners = std::iter::once(none)
        .chain(posts)
        .chain(users.into_iter().map(|u| Choice {
            value: Assignee::User(u.id).code(),
            label: u.display_name,
        }))
        .collect();
    let kinds = DayCount::ALL
        .into_iter()
        .map(|k| Choice {
            value: k.as_str().to_owned(),
            label: tr.t(k.label_key()).to_owned(),
        })
        .collect();
    let source_label = parse_source(&form.source)?.map(|s| record_label(tr, s, None));
    let page = NewPage {
        t: ctx.tr,
        layout: Layout::load(state, "actions", "/actions/new", Some(&signed.0)).await,
        form: form.action,
        source: form.source,
        source_label,
        owners,
        kinds,
        errors,
        asks_past,
    };
    render(status, &page)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    pub source: String,
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Query(query): Query<NewQuery>,
) -> Result<Response, AppError> {
    let form = NewForm {
        action: ActionInput {
            due_kind: DayCount::Working.as_str().to_owned(),
            ..ActionInput::default()
        },
        source: query.source,
    };
    let nothing = (Vec::new(), false);
    new_page(&state, &ctx, &signed, form, nothing, StatusCode::OK).await
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    WebForm(form): WebForm<NewForm>,
) -> Result<Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Actions,
            Act::Edit,
            "actions.create",
        )
        .await?;
    let source = parse_source(&form.source)?;
    match app_actions::create(&state.app, &signed.0.acting, &form.action, source).await {
        Ok(id) => Ok(see_other(&format!("/actions/{id}"))),
        Err(failure) => {
            let problems = problems_of(failure, "title")?;
            let asks_past = asks_confirmation(&problems);
            let errors = field_errors(&problems, &ctx.tr, field_key);
            new_page(
                &state,
                &ctx,
                &signed,
                form,
                (errors, asks_past),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "cycle/action.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    row: ActionRow,
    description: String,
    closing_note: String,
    done_on: Option<String>,
    closed: bool,
    status: ActionStatus,
    source: Option<(String, Option<String>)>,
    recorded: String,
    may_change: bool,
    changes: Vec<Choice>,
    form: StatusInput,
    errors: Vec<FieldError>,
    /// Evidence (証跡) attached to the action.
    files: FilesSection,
}

impl ShowPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::http::forms::error_for(&self.errors, field)
    }
}

fn show_page(
    state_layout: Layout,
    ctx: &Ctx,
    detail: ActionDetail,
    form: StatusInput,
    errors: Vec<FieldError>,
    files: FilesSection,
) -> ShowPage {
    let a = &detail.action;
    let tr = &ctx.tr;
    let source = a.source.map(|s| {
        let label = record_label(tr, s, None);
        let link = (detail.source_readable && s.kind != RecordKind::CorrectiveAction)
            .then(|| s.kind.path(s.id));
        (label, link)
    });
    let changes = [
        ActionStatus::InProgress,
        ActionStatus::Done,
        ActionStatus::Cancelled,
    ]
    .into_iter()
    .filter(|s| !(a.status == ActionStatus::InProgress && *s == ActionStatus::InProgress))
    .map(|s| Choice {
        value: s.as_str().to_owned(),
        label: tr.t(s.label_key()).to_owned(),
    })
    .collect();
    ShowPage {
        t: ctx.tr,
        layout: state_layout,
        row: action_row(ctx, a),
        description: a.description.clone(),
        closing_note: a.closing_note.clone(),
        done_on: a.done_on.map(|d| ctx.date(d)),
        closed: !a.status.is_pending(),
        status: a.status,
        source,
        recorded: ctx.datetime(a.created_at),
        may_change: detail.may_change && a.status.is_pending(),
        changes,
        form,
        errors,
        files,
    }
}

/// The action's evidence section.
async fn evidence(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: i64,
) -> Result<FilesSection, AppError> {
    FilesSection::load(
        state,
        ctx,
        signed,
        RecordRef::new(RecordKind::CorrectiveAction, id),
    )
    .await
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let detail = app_actions::show(&state.app, &signed.0.acting, id).await?;
    let layout = Layout::load(
        &state,
        "actions",
        &format!("/actions/{id}"),
        Some(&signed.0),
    )
    .await;
    let files = evidence(&state, &ctx, &signed, id).await?;
    render(
        StatusCode::OK,
        &show_page(
            layout,
            &ctx,
            detail,
            StatusInput::default(),
            Vec::new(),
            files,
        ),
    )
}

pub async fn change_status(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    WebForm(form): WebForm<StatusInput>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let acting = &signed.0.acting;
    match app_actions::change_status(&state.app, acting, id, &form).await {
        Ok(()) => Ok(see_other(&format!("/actions/{id}"))),
        Err(failure) => {
            let errors = field_errors(&problems_of(failure, "status")?, &ctx.tr, field_key);
            let detail = app_actions::show(&state.app, acting, id).await?;
            let layout = Layout::load(
                &state,
                "actions",
                &format!("/actions/{id}"),
                Some(&signed.0),
            )
            .await;
            let files = evidence(&state, &ctx, &signed, id).await?;
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &show_page(layout, &ctx, detail, form, errors, files),
            )
        }
    }
}
