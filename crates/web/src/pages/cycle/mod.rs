//! Pages of the cycle blocks: the calendar the administrator keeps, the reviews due,
//! and the corrective-actions register.

pub mod actions;
pub mod calendar;
pub mod reviews;

use mamori_app::cycle::{Assignee, DayCount, RecordKind, RecordRef};
use mamori_app::i18n::Tr;
use mamori_domain::field::FieldProblem;

use crate::http::context::Ctx;
use crate::http::error::AppError;

/// Who an owner or reviewer is, in the reader's words: the post's name, or the person's.
pub fn assignee_label(tr: &Tr, assignee: Option<Assignee>, name: Option<&str>) -> String {
    match assignee {
        Some(Assignee::Post(post)) => tr.t(&format!("org_role.{}", post.as_str())).to_owned(),
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
        Some(title) => format!("{}：{}", tr.t(subject.kind.label_key()), title),
        None => format!("{} #{}", tr.t(subject.kind.label_key()), subject.id),
    }
}

/// A `{kind}/{id}` pair from a path: anything else is a page that does not exist.
pub fn parse_subject(kind: &str, id: &str) -> Result<RecordRef, AppError> {
    let kind = RecordKind::parse(kind).ok_or_else(AppError::not_found)?;
    let id = id.parse::<i64>().map_err(|_| AppError::not_found())?;
    Ok(RecordRef::new(kind, id))
}

/// The problems of a refused form, or the failure as an error page.
pub fn problems_of(
    failure: mamori_app::Failure,
    conflict_field: &'static str,
) -> Result<Vec<FieldProblem>, AppError> {
    match failure {
        mamori_app::Failure::Invalid(problems) => Ok(problems),
        mamori_app::Failure::Conflict(refusal) => Ok(vec![FieldProblem {
            field: conflict_field,
            key: refusal.key,
            params: refusal.params,
        }]),
        other => Err(other.into()),
    }
}
