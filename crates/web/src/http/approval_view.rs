//! How an approval request reads on a page and in the API: its kind, state and who is
//! asked in the reader's words, and the link to its subject.

use mamori_app::approvals::{AbsenceRecord, RecordKind, Request, Seen};
use mamori_app::i18n::Tr;
use mamori_domain::access::{Act, grant};
use mamori_domain::approval::{Asked, State};

use crate::http::context::Ctx;
use crate::http::forms::Choice;
use crate::http::labels::org_role_label;

pub fn kind_key(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::PolicyVersion => "approval.kind.policy_version",
        RecordKind::AssetTakeout => "approval.kind.asset_takeout",
        RecordKind::RiskAcceptance => "approval.kind.risk_acceptance",
        RecordKind::Exception => "approval.kind.exception",
        other => other.label_key(),
    }
}

/// Whom a record is sent to for 決裁 and the note for them, as typed on a form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SendForm {
    pub decider: String,
    pub request_note: String,
}

impl SendForm {
    pub fn input(&self) -> mamori_app::approvals::SendInput {
        mamori_app::approvals::SendInput {
            decider: self.decider.clone(),
            request_note: self.request_note.clone(),
        }
    }
}

/// The choices of who decides on a form that sends something for 決裁: any holder of
/// the deciding grant first (the default), then each person by name.
pub fn decider_choices(tr: &Tr, deciders: &[mamori_app::approvals::Decider]) -> Vec<Choice> {
    std::iter::once(Choice {
        value: String::new(),
        label: tr.t("approval.send.any").to_owned(),
    })
    .chain(deciders.iter().map(|d| Choice {
        value: d.id.to_string(),
        label: d.name.clone(),
    }))
    .collect()
}

pub fn state_key(state: State) -> &'static str {
    match state {
        State::Pending => "approval.state.pending",
        State::Approved => "approval.state.approved",
        State::Returned => "approval.state.returned",
        State::Rejected => "approval.state.rejected",
        State::Withdrawn => "approval.state.withdrawn",
    }
}

/// The page where the subject lives.
pub fn subject_path(request: &Request) -> String {
    let parent = request.subject_parent_id.unwrap_or_default();
    match request.subject.kind {
        RecordKind::PolicyVersion => format!("/policies/{parent}/versions/{}", request.subject.id),
        RecordKind::AssetTakeout => format!("/assets/{parent}#events"),
        RecordKind::RiskAcceptance => format!("/risks/{parent}#acceptances"),
        other => other.path(request.subject.id),
    }
}

/// Who is asked, in the reader's words: the posts and roles of a register's decide
/// grant, one post, a person, or the committee.
pub fn asked_label(tr: &Tr, request: &Request) -> String {
    match request.asked {
        Asked::Deciders(register) => {
            let g = grant(register, Act::Decide);
            let posts = g.posts.iter().map(|p| tr.t(org_role_label(*p)).to_owned());
            let roles = g
                .roles
                .iter()
                .map(|r| tr.t(&format!("role.{}", r.as_str())).to_owned());
            posts
                .chain(roles)
                .collect::<Vec<_>>()
                .join(tr.t("approval.or"))
        }
        Asked::Post(post) => tr.t(org_role_label(post)).to_owned(),
        Asked::Person(_) => request.asked_user_name.clone().unwrap_or_default(),
        Asked::Committee => tr.t("approval.committee").to_owned(),
    }
}

/// One request as a row of a list.
pub struct Row {
    pub id: i64,
    pub title: String,
    pub kind: &'static str,
    pub state: &'static str,
    pub requested_by: String,
    pub asked: String,
    pub due: String,
    pub overdue: bool,
    pub created: String,
    pub deputy: bool,
}

impl Row {
    pub fn of(ctx: &Ctx, seen: &Seen) -> Row {
        let r = &seen.request;
        Row {
            id: r.id,
            title: r.title.clone(),
            kind: kind_key(r.subject.kind),
            state: state_key(r.state),
            requested_by: r
                .requested_by_name
                .clone()
                .unwrap_or_else(|| ctx.tr.t("approval.system").to_owned()),
            asked: asked_label(&ctx.tr, r),
            due: r.due_on.map(|d| ctx.date(d)).unwrap_or_default(),
            overdue: seen.overdue,
            created: ctx.datetime(r.created_at),
            deputy: matches!(
                seen.capacity,
                Some(mamori_domain::approval::Capacity::OnBehalfOf(_))
            ),
        }
    }
}

/// One absence as a row.
pub struct AbsenceRow {
    pub id: i64,
    pub user_name: String,
    pub deputy_name: String,
    pub period: String,
    pub note: String,
    pub cancelled: bool,
    /// The person's own absence (they may call it off); else they are the deputy.
    pub own: bool,
}

impl AbsenceRow {
    pub fn of(ctx: &Ctx, me: i64, a: &AbsenceRecord) -> AbsenceRow {
        AbsenceRow {
            id: a.id,
            user_name: a.user_name.clone(),
            deputy_name: a.deputy_name.clone(),
            period: ctx.tr.f(
                "approval.absence.period",
                &[("from", ctx.date(a.starts_on)), ("to", ctx.date(a.ends_on))],
            ),
            note: a.note.clone(),
            cancelled: a.cancelled_at.is_some(),
            own: a.user_id == me,
        }
    }
}
