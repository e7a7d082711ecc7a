//! Corrective actions (改善措置): one register for what must be done about a risk, and
//! later an incident, an audit finding or a self-inspection answer. Who owns it (a
//! post or a person), by when (a date, or N calendar or working days), and where it
//! stands.

use time::Date;

use crate::calendar::{DayCount, Deadline, MAX_DEADLINE_DAYS, WorkCalendar};
use crate::field::{FieldProblem, Problems};
use crate::review::Assignee;
use crate::text::{multi_line, single_line};

pub const MAX_TITLE: usize = 200;
pub const MAX_TEXT: usize = 10_000;

/// Where an action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Open,
    InProgress,
    Done,
    Cancelled,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 4] = [
        ActionStatus::Open,
        ActionStatus::InProgress,
        ActionStatus::Done,
        ActionStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::InProgress => "in_progress",
            ActionStatus::Done => "done",
            ActionStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(code: &str) -> Option<ActionStatus> {
        ActionStatus::ALL.into_iter().find(|s| s.as_str() == code)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            ActionStatus::Open => "action.status.open",
            ActionStatus::InProgress => "action.status.in_progress",
            ActionStatus::Done => "action.status.done",
            ActionStatus::Cancelled => "action.status.cancelled",
        }
    }

    /// Still to be done: open or in progress.
    pub fn is_pending(self) -> bool {
        matches!(self, ActionStatus::Open | ActionStatus::InProgress)
    }
}

/// Whether an action still to be done is past its due date on `today`.
pub fn is_overdue(status: ActionStatus, due_on: Date, today: Date) -> bool {
    status.is_pending() && due_on < today
}

/// A new action as typed. The due date is either typed (`due_on`) or counted from today
/// (`due_days` of kind `due_kind`).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ActionInput {
    pub title: String,
    pub description: String,
    /// `post:<post>` or `user:<id>`.
    pub owner: String,
    pub due_on: String,
    pub due_days: String,
    /// calendar or working; only with `due_days` (a typed date counts as calendar).
    pub due_kind: String,
    /// Keep a typed due date that is already past (the form's box; the API's flag).
    #[serde(deserialize_with = "crate::field::flag")]
    pub confirm_past_dates: bool,
}

/// A new action as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAction {
    pub title: String,
    pub description: String,
    pub owner: Assignee,
    pub due_on: Date,
    pub due_kind: DayCount,
    /// The N of "N days" when the due date was counted.
    pub due_days: Option<u32>,
}

impl ActionInput {
    /// `owner_active`: whether a person named as owner is an active user; `calendar`
    /// counts working days from `today`.
    pub fn check(
        &self,
        owner_active: bool,
        today: Date,
        calendar: &WorkCalendar,
    ) -> Result<NewAction, Vec<FieldProblem>> {
        let mut problems = Problems::new();
        let title = single_line(&self.title, MAX_TITLE)
            .map_err(|p| problems.push(FieldProblem::text("title", p)))
            .ok();
        let description = multi_line(&self.description, MAX_TEXT)
            .map_err(|p| problems.push(FieldProblem::text("description", p)))
            .ok();
        let owner = match Assignee::parse(&self.owner) {
            Some(Assignee::User(_)) if !owner_active => None,
            other => other,
        };
        if owner.is_none() {
            problems.push(FieldProblem::new("owner", "action.error.owner"));
        }
        let due = self.due(today, calendar, &mut problems);
        match (title, description, owner, due) {
            (Some(title), Some(description), Some(owner), Some((due_on, due_kind, due_days)))
                if problems.is_empty() =>
            {
                Ok(NewAction {
                    title,
                    description,
                    owner,
                    due_on,
                    due_kind,
                    due_days,
                })
            }
            _ => Err(problems.into_vec()),
        }
    }

    fn due(
        &self,
        today: Date,
        calendar: &WorkCalendar,
        problems: &mut Problems,
    ) -> Option<(Date, DayCount, Option<u32>)> {
        let typed = self.due_on.trim();
        let days = self.due_days.trim();
        match (typed.is_empty(), days.is_empty()) {
            (true, true) => {
                problems.push(FieldProblem::new("due_on", "field.error.required"));
                None
            }
            (false, false) => {
                problems.push(FieldProblem::new("due_days", "action.error.due_both"));
                None
            }
            (false, true) => match crate::wareki::parse_date_input(typed) {
                Ok(d) => Some((d, DayCount::Calendar, None)),
                Err(e) => {
                    problems.push(FieldProblem {
                        field: "due_on",
                        key: e.message_key(),
                        params: e.params(),
                    });
                    None
                }
            },
            (true, false) => {
                let kind = DayCount::parse(self.due_kind.trim());
                let n = days
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=MAX_DEADLINE_DAYS).contains(n));
                if n.is_none() {
                    problems.push(
                        FieldProblem::new("due_days", "calendar.error.days")
                            .with("max", MAX_DEADLINE_DAYS),
                    );
                }
                if kind.is_none() {
                    problems.push(FieldProblem::new("due_kind", "error.invalid_choice"));
                }
                let (n, kind) = (n?, kind?);
                let due = Deadline {
                    from: today,
                    days: n,
                    kind,
                }
                .due(calendar);
                Some((due, kind, Some(n)))
            }
        }
    }
}

/// A change of status as typed: the new status and, for done, the day and a note; for
/// cancelled, the reason.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct StatusInput {
    pub status: String,
    pub done_on: String,
    pub note: String,
}

/// A change of status as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusChange {
    Start,
    Done { on: Date, note: String },
    Cancel { reason: String },
}

impl StatusChange {
    pub fn status(&self) -> ActionStatus {
        match self {
            StatusChange::Start => ActionStatus::InProgress,
            StatusChange::Done { .. } => ActionStatus::Done,
            StatusChange::Cancel { .. } => ActionStatus::Cancelled,
        }
    }
}

/// Why a change of status cannot be made to an action where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusRefusal {
    /// Done or cancelled: it is closed.
    Closed,
    /// Already in progress.
    AlreadyStarted,
}

impl StatusInput {
    /// `today`: a completion cannot be dated later.
    pub fn check(&self, today: Date) -> Result<StatusChange, Vec<FieldProblem>> {
        let mut problems = Problems::new();
        let note = multi_line(&self.note, MAX_TEXT)
            .map_err(|p| problems.push(FieldProblem::text("note", p)))
            .ok();
        let change = match (ActionStatus::parse(self.status.trim()), note) {
            (Some(ActionStatus::InProgress), Some(_)) => Some(StatusChange::Start),
            (Some(ActionStatus::Done), Some(note)) => {
                let on = if self.done_on.trim().is_empty() {
                    Some(today)
                } else {
                    match crate::wareki::parse_date_input(&self.done_on) {
                        Ok(d) if d > today => {
                            problems.push(FieldProblem::new("done_on", "action.error.done_future"));
                            None
                        }
                        Ok(d) => Some(d),
                        Err(e) => {
                            problems.push(FieldProblem {
                                field: "done_on",
                                key: e.message_key(),
                                params: e.params(),
                            });
                            None
                        }
                    }
                };
                on.map(|on| StatusChange::Done { on, note })
            }
            (Some(ActionStatus::Cancelled), Some(note)) if note.is_empty() => {
                problems.push(FieldProblem::new("note", "action.error.cancel_reason"));
                None
            }
            (Some(ActionStatus::Cancelled), Some(reason)) => Some(StatusChange::Cancel { reason }),
            (_, None) => None,
            _ => {
                problems.push(FieldProblem::new("status", "error.invalid_choice"));
                None
            }
        };
        match change {
            Some(change) if problems.is_empty() => Ok(change),
            _ => Err(problems.into_vec()),
        }
    }
}

/// Whether `change` may be made to an action that is `current`.
pub fn check_transition(current: ActionStatus, change: &StatusChange) -> Result<(), StatusRefusal> {
    match (current, change) {
        (ActionStatus::Done | ActionStatus::Cancelled, _) => Err(StatusRefusal::Closed),
        (ActionStatus::InProgress, StatusChange::Start) => Err(StatusRefusal::AlreadyStarted),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::user::OrgRole;

    fn input() -> ActionInput {
        ActionInput {
            title: "USBメモリの暗号化".into(),
            description: String::new(),
            owner: "post:system_staff".into(),
            due_on: String::new(),
            due_days: "5".into(),
            due_kind: "working".into(),
            confirm_past_dates: false,
        }
    }

    #[test]
    fn a_due_date_is_counted_in_working_days_over_the_year_end() {
        let action = input()
            .check(true, date!(2026 - 12 - 25), &WorkCalendar::default())
            .unwrap();
        assert_eq!(action.due_on, date!(2027 - 01 - 07));
        assert_eq!(
            (action.due_kind, action.due_days),
            (DayCount::Working, Some(5))
        );
        assert_eq!(action.owner, Assignee::Post(OrgRole::SystemStaff));
        let typed = ActionInput {
            due_on: "令和9年1月29日".into(),
            due_days: String::new(),
            ..input()
        }
        .check(true, date!(2026 - 12 - 25), &WorkCalendar::default())
        .unwrap();
        assert_eq!(
            (typed.due_on, typed.due_kind, typed.due_days),
            (date!(2027 - 01 - 29), DayCount::Calendar, None)
        );
    }

    #[test]
    fn a_bad_action_names_every_field() {
        let bad = ActionInput {
            title: String::new(),
            owner: "user:4".into(),
            due_on: "2027-01-01".into(),
            ..input()
        };
        let problems = bad
            .check(false, date!(2026 - 12 - 25), &WorkCalendar::default())
            .unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["title", "owner", "due_days"]);
    }

    #[test]
    fn status_changes_and_what_they_need() {
        let today = date!(2026 - 06 - 01);
        let change = |status: &str, done_on: &str, note: &str| {
            StatusInput {
                status: status.into(),
                done_on: done_on.into(),
                note: note.into(),
            }
            .check(today)
        };
        assert_eq!(change("in_progress", "", ""), Ok(StatusChange::Start));
        assert_eq!(
            change("done", "", "暗号化済みUSBへ交換"),
            Ok(StatusChange::Done {
                on: today,
                note: "暗号化済みUSBへ交換".into()
            })
        );
        assert_eq!(
            change("done", "2026-06-02", "").unwrap_err()[0].key,
            "action.error.done_future"
        );
        assert_eq!(
            change("cancelled", "", " ").unwrap_err()[0].key,
            "action.error.cancel_reason"
        );
        assert_eq!(change("open", "", "").unwrap_err()[0].field, "status");
        assert_eq!(
            check_transition(ActionStatus::Done, &StatusChange::Start),
            Err(StatusRefusal::Closed)
        );
        assert_eq!(
            check_transition(ActionStatus::InProgress, &StatusChange::Start),
            Err(StatusRefusal::AlreadyStarted)
        );
        assert!(
            check_transition(
                ActionStatus::Open,
                &StatusChange::Cancel {
                    reason: "重複".into()
                }
            )
            .is_ok()
        );
        assert!(is_overdue(
            ActionStatus::InProgress,
            date!(2026 - 05 - 31),
            today
        ));
        assert!(!is_overdue(
            ActionStatus::Done,
            date!(2026 - 05 - 31),
            today
        ));
        assert!(!is_overdue(ActionStatus::Open, today, today));
    }
}
