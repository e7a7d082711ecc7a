//! An incident's links (assets, threats, risks), reassessment requests and lessons
//! (corrective actions) on its page, and the forms that change them. Thin shells over
//! `mamori_app::incidents::links`.

use axum::extract::{Path, Request, State};
use axum::response::Response;
use mamori_app::incidents::links::{self as app_links, Linked};
use mamori_domain::access::{Act, Register};
use mamori_domain::calendar::DayCount;
use mamori_domain::corrective::ActionInput;
use mamori_domain::incident::LinkKind;
use mamori_domain::review::Assignee;
use mamori_domain::user::OrgRole;

use super::{KEEP_CHARS, answer, gate};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::forms::{Choice, FormFields, parse_id};
use crate::state::AppState;

/// One link as the page shows it.
pub struct LinkRow {
    pub kind: String,
    pub kind_code: &'static str,
    pub target: i64,
    pub name: String,
    /// Where it is shown, when the person may open it.
    pub path: Option<String>,
    pub linked: String,
    /// The reassessment asked for a risk, in words (empty when none was asked).
    pub reassessment: String,
    /// A risk whose reassessment may be asked (again).
    pub may_ask: bool,
}

/// A lesson: its corrective action.
pub struct LessonRow {
    pub path: String,
    pub title: String,
    pub owner: String,
    pub due: String,
    pub status: String,
}

/// What the incident's page shows of its links and lessons, and the forms' choices.
#[derive(Default)]
pub struct Section {
    pub links: Vec<LinkRow>,
    pub lessons: Vec<LessonRow>,
    pub kinds: Vec<Choice>,
    pub threats: Vec<Choice>,
    pub risks: Vec<Choice>,
    pub owners: Vec<Choice>,
    pub due_kinds: Vec<Choice>,
    /// The person also registers risks: a new risk may be opened from the incident.
    pub may_open_risk: bool,
}

fn link_row(ctx: &Ctx, l: &Linked, reads_threats: bool) -> LinkRow {
    let link = &l.link;
    let tr = &ctx.tr;
    let name = if !l.visible {
        tr.f(
            "incident.links.hidden",
            &[("number", link.target_id.to_string())],
        )
    } else if ctx.tr.lang == mamori_domain::wareki::Lang::En && !link.name_en.is_empty() {
        link.name_en.clone()
    } else {
        link.name
            .clone()
            .unwrap_or_else(|| format!("#{}", link.target_id))
    };
    let path = l.visible.then(|| match link.kind {
        LinkKind::Asset => format!("/assets/{}", link.target_id),
        LinkKind::Threat => format!("/threats/{}", link.target_id),
        LinkKind::Risk => format!("/risks/{}", link.target_id),
    });
    let reassessment = match link.reassess_asked_at {
        Some(at) => tr.f(
            if link.reassessed {
                "incident.links.reassessed"
            } else {
                "incident.links.reassess_asked"
            },
            &[
                ("date", ctx.datetime(at)),
                ("reason", link.reassess_reason.clone()),
            ],
        ),
        None => String::new(),
    };
    LinkRow {
        kind: tr.t(&link.kind.label_key()).to_owned(),
        kind_code: link.kind.as_str(),
        target: link.target_id,
        path: path.filter(|_| link.kind != LinkKind::Threat || reads_threats),
        name,
        linked: crate::http::labels::bracketed(
            tr,
            &ctx.datetime(link.linked_at),
            link.linked_by_name.as_deref().unwrap_or_default(),
        ),
        may_ask: link.kind == LinkKind::Risk
            && l.visible
            && (link.reassess_asked_at.is_none() || link.reassessed),
        reassessment,
    }
}

/// The section for one who sees the whole incident; `may_handle` adds the forms' choices.
pub(super) async fn section(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: i64,
    may_handle: bool,
) -> Result<Section, AppError> {
    let acting = &signed.0.acting;
    let tr = &ctx.tr;
    let links = app_links::links(&state.app, acting, id).await?;
    let lessons = app_links::lessons(&state.app, acting, id)
        .await?
        .into_iter()
        .map(|a| LessonRow {
            path: format!("/actions/{}", a.id),
            owner: match a.owner {
                Some(Assignee::Post(post)) => {
                    tr.t(&format!("org_role.{}", post.as_str())).to_owned()
                }
                _ => a.owner_name.clone().unwrap_or_default(),
            },
            due: ctx.date(a.due_on),
            status: tr
                .t(&format!("action.status.{}", a.status.as_str()))
                .to_owned(),
            title: a.title,
        })
        .collect();
    let mut section = Section {
        // Threat pages are for those who read the threat register; others see the name.
        links: links
            .iter()
            .map(|l| link_row(ctx, l, acting.may(Register::Threats, Act::Read)))
            .collect(),
        lessons,
        ..Section::default()
    };
    if !may_handle {
        return Ok(section);
    }
    section.kinds = LinkKind::ALL
        .iter()
        .filter(|k| **k != LinkKind::Risk || acting.may(Register::Risks, Act::Read))
        .map(|k| Choice {
            value: k.as_str().to_owned(),
            label: tr.t(&k.label_key()).to_owned(),
        })
        .collect();
    section.threats = std::iter::once(Choice {
        value: String::new(),
        label: tr.t("incident.unset").to_owned(),
    })
    .chain(
        app_links::categories(&state.app, acting)
            .await?
            .into_iter()
            .map(|t| Choice {
                value: t.id.to_string(),
                label: format!(
                    "{} — {}",
                    tr.t(&format!("threat.family.{}", t.family.as_str())),
                    t.shown_name(tr.lang)
                ),
            }),
    )
    .collect();
    section.risks = app_links::linkable_risks(&state.app, acting)
        .await?
        .into_iter()
        .map(|r| Choice {
            value: r.id.to_string(),
            label: format!("{} {}", r.id, r.title),
        })
        .collect();
    let posts = OrgRole::ALL.into_iter().map(|p| Choice {
        value: Assignee::Post(p).code(),
        label: tr.t(&format!("org_role.{}", p.as_str())).to_owned(),
    });
    section.owners = std::iter::once(Choice {
        value: String::new(),
        label: tr.t("action.choose_owner").to_owned(),
    })
    .chain(posts)
    .chain(
        app_links::lesson_owners(&state.app, acting)
            .await?
            .into_iter()
            .map(|u| Choice {
                value: Assignee::User(u.id).code(),
                label: u.display_name,
            }),
    )
    .collect();
    section.due_kinds = DayCount::ALL
        .into_iter()
        .map(|k| Choice {
            value: k.as_str().to_owned(),
            label: tr.t(k.label_key()).to_owned(),
        })
        .collect();
    section.may_open_risk = acting.may(Register::Risks, Act::Edit);
    Ok(section)
}

/// The problems of the lesson and reassessment forms under the names the page gives
/// their fields (the incident's page holds several forms; an id must be unique on it).
fn renamed(failure: mamori_app::Failure) -> mamori_app::Failure {
    let page_name = |field: &'static str| match field {
        "title" => "lesson_title",
        "description" => "lesson_description",
        "owner" => "lesson_owner",
        "due_on" => "lesson_due_on",
        "due_days" => "lesson_due_days",
        "due_kind" => "lesson_due_kind",
        "reason" => "reassess_reason",
        other => other,
    };
    match failure {
        mamori_app::Failure::Invalid(problems) => mamori_app::Failure::Invalid(
            problems
                .into_iter()
                .map(|mut p| {
                    p.field = page_name(p.field);
                    p
                })
                .collect(),
        ),
        other => other,
    }
}

pub async fn link(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    gate(&state, &signed, "incident.link").await?;
    let id = parse_id(&id)?;
    let fields = FormFields::read(request).await?;
    let kind = fields.get("kind").to_owned();
    // The threat and risk selects and the asset's number share one target.
    let target = match kind.as_str() {
        "threat" => fields.get("threat"),
        "risk" => fields.get("risk"),
        _ => fields.get("target"),
    }
    .chars()
    .take(40)
    .collect::<String>();
    let result = app_links::link(&state.app, &signed.0.acting, id, &kind, &target)
        .await
        .map(|()| "linked");
    answer(&state, &ctx, &signed, id, result).await
}

pub async fn unlink(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    gate(&state, &signed, "incident.unlink").await?;
    let id = parse_id(&id)?;
    let fields = FormFields::read(request).await?;
    let (kind, target) = (
        fields.get("kind").to_owned(),
        fields.get("target").to_owned(),
    );
    let result = app_links::unlink(&state.app, &signed.0.acting, id, &kind, &target)
        .await
        .map(|()| "unlinked");
    answer(&state, &ctx, &signed, id, result).await
}

pub async fn ask_reassessment(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    gate(&state, &signed, "incident.reassessment").await?;
    let id = parse_id(&id)?;
    let fields = FormFields::read(request).await?;
    let risk = fields.get("risk").to_owned();
    let reason: String = fields
        .get("reassess_reason")
        .chars()
        .take(KEEP_CHARS)
        .collect();
    let result = app_links::ask_reassessment(&state.app, &signed.0.acting, id, &risk, &reason)
        .await
        .map(|()| "reassessment")
        .map_err(renamed);
    answer(&state, &ctx, &signed, id, result).await
}

pub async fn add_lesson(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    gate(&state, &signed, "incident.lesson").await?;
    let id = parse_id(&id)?;
    let fields = FormFields::read(request).await?;
    let get = |name: &str| -> String { fields.get(name).chars().take(KEEP_CHARS).collect() };
    let input = ActionInput {
        title: get("lesson_title"),
        description: get("lesson_description"),
        owner: get("lesson_owner"),
        due_on: get("lesson_due_on"),
        due_days: get("lesson_due_days"),
        due_kind: get("lesson_due_kind"),
        confirm_past_dates: crate::http::forms::past_dates_confirmed(&get("confirm_past_dates")),
    };
    let result = app_links::add_lesson(&state.app, &signed.0.acting, id, &input)
        .await
        .map(|_| "lesson")
        .map_err(renamed);
    answer(&state, &ctx, &signed, id, result).await
}
