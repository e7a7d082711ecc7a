//! The cycle blocks' records as every page shows them (the register's own pages, the
//! policy document page, the home page), and the `{kind}/{id}` of a record in a path,
//! which the pages and the API read alike.

use mamori_app::cycle::{
    Assignee, CorrectiveAction, DayCount, DueState, RecordKind, RecordRef, ReviewRule,
    ScheduleRecord, due_state,
};
use mamori_app::i18n::Tr;
use mamori_domain::corrective::is_overdue;

use crate::http::context::Ctx;
use crate::http::error::AppError;

/// Who an owner or reviewer is, in the reader's words: the post's name, or the person's.
pub fn assignee_label(tr: &Tr, assignee: Option<Assignee>, name: Option<&str>) -> String {
    match assignee {
        Some(Assignee::Post(post)) => tr.t(crate::http::labels::org_role_label(post)).to_owned(),
        Some(Assignee::User(id)) => name.map_or_else(|| format!("#{id}"), str::to_owned),
        None => tr.t("action.no_owner").to_owned(),
    }
}

/// A due date with how it was counted: 令和9年1月7日（開庁日5日）.
pub fn due_label(ctx: &Ctx, due_on: time::Date, kind: DayCount, days: Option<u32>) -> String {
    let date = ctx.date(due_on);
    match days {
        Some(n) => ctx.tr.f(
            "calendar.due_counted",
            &[
                ("date", date),
                ("days", n.to_string()),
                ("unit", ctx.tr.t(kind.label_key()).to_owned()),
            ],
        ),
        None => date,
    }
}

/// What a record is, for a link: "リスク #3".
pub fn record_label(tr: &Tr, subject: RecordRef, title: Option<&str>) -> String {
    match title {
        Some(title) => crate::http::labels::labelled(tr, tr.t(subject.kind.label_key()), title),
        None => format!("{} #{}", tr.t(subject.kind.label_key()), subject.id),
    }
}

/// A `{kind}/{id}` pair from a path: anything else is a page that does not exist.
pub fn parse_subject(kind: &str, id: &str) -> Result<RecordRef, AppError> {
    let kind = RecordKind::parse(kind).ok_or_else(AppError::not_found)?;
    let id = id.parse::<i64>().map_err(|_| AppError::not_found())?;
    Ok(RecordRef::new(kind, id))
}

/// A schedule as a page shows it.
pub struct ScheduleView {
    pub subject: String,
    pub link: String,
    pub rule: String,
    pub reviewer: String,
    pub due: String,
    pub state_key: &'static str,
    pub overdue: bool,
    /// One line: 次回の見直し期限：… （毎年度 3月31日／統括情報セキュリティ責任者）.
    pub summary: String,
}

fn rule_label(tr: &Tr, rule: &ReviewRule, ctx: &Ctx) -> String {
    match *rule {
        ReviewRule::FiscalYearly { month, day } => tr.f(
            "review.rule.fiscal_yearly_on",
            &[("month", month.to_string()), ("day", day.to_string())],
        ),
        ReviewRule::EveryMonths { months } => {
            tr.f("review.rule.every_months_n", &[("n", months.to_string())])
        }
        ReviewRule::Once { on } => tr.f("review.rule.once_on", &[("date", ctx.date(on))]),
    }
}

pub fn schedule_view(ctx: &Ctx, s: &ScheduleRecord) -> ScheduleView {
    let tr = &ctx.tr;
    let state = s.next_due_on.map(|d| due_state(d, mamori_app::today()));
    let rule = rule_label(tr, &s.rule, ctx);
    let reviewer = assignee_label(tr, Some(s.reviewer), s.reviewer_name.as_deref());
    let due = s
        .next_due_on
        .map_or_else(|| tr.t("review.none_due").to_owned(), |d| ctx.date(d));
    ScheduleView {
        subject: record_label(tr, s.subject, s.subject_title.as_deref()),
        link: s.subject.kind.path(s.subject.id),
        summary: tr.f(
            "review.summary",
            &[
                ("due", due.clone()),
                ("rule", rule.clone()),
                ("reviewer", reviewer.clone()),
            ],
        ),
        rule,
        reviewer,
        due,
        state_key: match state {
            Some(DueState::Overdue) => "review.state.overdue",
            Some(DueState::DueSoon) => "review.state.due_soon",
            Some(DueState::Later) => "review.state.later",
            None => "review.state.done",
        },
        overdue: state == Some(DueState::Overdue),
    }
}

/// One action as a list shows it.
pub struct ActionRow {
    pub id: i64,
    pub title: String,
    pub owner: String,
    pub due: String,
    pub status_key: &'static str,
    pub overdue: bool,
}

pub fn action_row(ctx: &Ctx, a: &CorrectiveAction) -> ActionRow {
    ActionRow {
        id: a.id,
        title: a.title.clone(),
        owner: assignee_label(&ctx.tr, a.owner, a.owner_name.as_deref()),
        due: due_label(ctx, a.due_on, a.due_kind, a.due_days),
        status_key: a.status.label_key(),
        overdue: is_overdue(a.status, a.due_on, mamori_app::today()),
    }
}
