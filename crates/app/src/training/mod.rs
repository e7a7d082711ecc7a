//! Training and drills (研修・訓練, clause 6(5)): the 年度's plan decided by the committee,
//! courses and their sessions with the people invited (the audience rule of awareness
//! notices, resolved when the session is planned), attendance recorded by the organiser,
//! imported from a sign-in sheet or declared by the person for an outside course and
//! confirmed, and the coverage rule kept as data. Who may do what is the `Training`
//! register's grant: Read to see one's sessions and coverage and to declare, Edit to
//! organise, SeeAll for everyone's coverage, Decide (the committee's chair) for the plan.

mod coverage;
mod import;
mod plan;
mod report;

use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use mamori_domain::record::{RecordKind, RecordRef};
use mamori_domain::text;
use mamori_domain::training::{Attendance, CourseForm, SessionForm, Way};
use mamori_store::StoreError;
use mamori_store::training as store;

pub(crate) use coverage::standings;
pub use coverage::{CoverageRow, Outstanding, coverage, my_standing, outstanding};
pub use import::{ImportReport, MAX_BYTES as IMPORT_MAX_BYTES, import_attendance};
pub use mamori_domain::calendar::FiscalYear;
pub use mamori_domain::training::{
    CourseKind, Coverage, Rules, RulesForm, Standing, parse_time, time_text,
};
pub use mamori_store::training::{
    AttendanceRecord, CourseRecord, Participant, PlanRecord, SessionRecord,
};
pub(crate) use plan::PlanSubject;
pub use plan::{PlanView, ask_plan, plan, plan_year, save_plan};
pub use report::{
    CourseLine, DrillLine, Holder, NoticeLine, PostLine, Tally, TypeLine, YearlyReport, post_name,
    report_xlsx, standing_key, yearly_report,
};

use crate::notifications::{self, Notice, NoticeKind};
use crate::{Acting, App, Failure, today};

/// Longest note of a declaration.
pub const NOTE_MAX: usize = 2000;

/// A 年度 at a glance: its plan, courses and sessions (all of them for the organisers,
/// those one is invited to for everyone else).
#[derive(Debug, Clone)]
pub struct Overview {
    pub fiscal_year: FiscalYear,
    pub plan: Option<PlanRecord>,
    pub courses: Vec<CourseRecord>,
    pub sessions: Vec<SessionRecord>,
    pub may_edit: bool,
    /// The 年度 to choose from: those with courses, and this 年度 with its neighbours.
    pub years: Vec<i32>,
}

fn sees_all(acting: &Acting) -> bool {
    acting.may(Register::Training, Act::Edit) || acting.may(Register::Training, Act::SeeAll)
}

/// The 年度 offered to choose from: those with courses, and this 年度 with its
/// neighbours — a finite list, so that following year links ends.
pub async fn years(app: &App) -> Result<Vec<i32>, Failure> {
    let this = FiscalYear::of(today()).year();
    let mut years = store::course_years(app.store()).await?;
    years.extend([this - 1, this, this + 1]);
    years.sort_unstable();
    years.dedup();
    Ok(years)
}

pub async fn overview(app: &App, acting: &Acting, fy: FiscalYear) -> Result<Overview, Failure> {
    app.permit(acting, Register::Training, Act::Read, "training.list")
        .await?;
    let mut sessions = store::sessions_of_year(app.store(), fy.year()).await?;
    if !sees_all(acting) {
        let mine = invited_sessions(app, acting).await?;
        sessions.retain(|s| mine.contains(&s.id));
    }
    Ok(Overview {
        years: years(app).await?,
        fiscal_year: fy,
        plan: store::plan_of_year(app.store(), fy.year()).await?,
        courses: store::courses(app.store(), fy.year()).await?,
        sessions,
        may_edit: acting.may(Register::Training, Act::Edit),
    })
}

async fn invited_sessions(app: &App, acting: &Acting) -> Result<Vec<i64>, Failure> {
    let Some(user_id) = acting.user_id() else {
        return Ok(Vec::new());
    };
    Ok(store::invited_to(app.store(), user_id).await?)
}

pub async fn create_course(app: &App, acting: &Acting, form: &CourseForm) -> Result<i64, Failure> {
    let permit = app
        .permit(
            acting,
            Register::Training,
            Act::Edit,
            "training.course_create",
        )
        .await?;
    let input = form.check()?;
    let mut tx = permit.write(app).await?;
    let id = store::create_course(&mut tx, &input).await?;
    tx.commit().await?;
    Ok(id)
}

/// A course with its sessions (those one may see).
#[derive(Debug, Clone)]
pub struct CourseView {
    pub record: CourseRecord,
    pub sessions: Vec<SessionRecord>,
    pub may_edit: bool,
}

pub async fn course(app: &App, acting: &Acting, id: i64) -> Result<CourseView, Failure> {
    app.permit(acting, Register::Training, Act::Read, "training.course")
        .await?;
    let record = store::course(app.store(), id).await?;
    let mut sessions = store::sessions_of_course(app.store(), id).await?;
    if !sees_all(acting) {
        let mine = invited_sessions(app, acting).await?;
        sessions.retain(|s| mine.contains(&s.id) || record.kind.self_declared());
    }
    Ok(CourseView {
        record,
        sessions,
        may_edit: acting.may(Register::Training, Act::Edit),
    })
}

/// Plans a session of a course: its audience is resolved among today's accounts and
/// kept as the invitees, each told in the app and by mail, in one write.
pub async fn create_session(
    app: &App,
    acting: &Acting,
    course_id: i64,
    form: &SessionForm,
) -> Result<i64, Failure> {
    let permit = app
        .permit(
            acting,
            Register::Training,
            Act::Edit,
            "training.session_create",
        )
        .await?;
    let course = store::course(app.store(), course_id).await?;
    let input = form.check()?;
    if !course_year(&course).contains(input.held_on) {
        return Err(Failure::invalid(
            FieldProblem::new("held_on", "training.error.other_year")
                .with("year", course.fiscal_year),
        ));
    }
    let people = mamori_store::awareness::people(app.store()).await?;
    let unknown = mamori_domain::awareness::unknown_logins(&input.audience, &people);
    if !unknown.is_empty() {
        return Err(Failure::invalid(
            FieldProblem::new("users", "awareness.error.unknown_users")
                .with("logins", unknown.join(", ")),
        ));
    }
    let invitees = mamori_domain::awareness::resolve(&input.audience, &people);
    let mut tx = permit.write(app).await?;
    let id = store::create_session(&mut tx, course_id, &input, &invitees).await?;
    if input.held_on >= today() && !invitees.is_empty() {
        notifications::notify(
            &mut tx,
            Notice {
                recipients: invitees,
                kind: NoticeKind::Training,
                title: course.title.clone(),
                link: format!("/training/sessions/{id}"),
                urgent: false,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

fn course_year(course: &CourseRecord) -> FiscalYear {
    FiscalYear::new(course.fiscal_year).unwrap_or_else(|| FiscalYear::of(today()))
}

/// One session as its page shows it.
#[derive(Debug, Clone)]
pub struct SessionView {
    pub record: SessionRecord,
    /// Everyone invited or with an attendance (organisers and those who see all).
    pub participants: Vec<Participant>,
    pub invited: bool,
    /// The acting person's own attendance.
    pub mine: Option<AttendanceRecord>,
    /// The acting person on the session's list (invited or with an attendance).
    pub me: Option<Participant>,
    pub may_record: bool,
    /// The acting person may declare their attendance (an outside course, not yet).
    pub may_declare: bool,
}

pub async fn session(app: &App, acting: &Acting, id: i64) -> Result<SessionView, Failure> {
    app.permit(acting, Register::Training, Act::Read, "training.session")
        .await?;
    let record = store::session(app.store(), id).await?;
    let participants = store::participants(app.store(), id).await?;
    let me = acting.user_id().unwrap_or(0);
    let own = participants.iter().find(|p| p.user_id == me);
    let invited = own.is_some_and(|p| p.invited);
    let mine = own.and_then(|p| p.attendance.clone());
    let me = own.cloned();
    let all = sees_all(acting);
    if !all && !invited && mine.is_none() && !record.kind.self_declared() {
        return Err(Failure::NotFound);
    }
    Ok(SessionView {
        may_record: acting.may(Register::Training, Act::Edit) && record.cancelled_at.is_none(),
        may_declare: record.kind.self_declared()
            && mine.is_none()
            && record.cancelled_at.is_none()
            && record.held_on <= today(),
        participants: if all { participants } else { Vec::new() },
        invited,
        mine,
        me,
        record,
    })
}

/// A mark as typed: a person (login) and an attendance code, or blank for "not yet".
#[derive(Debug, Clone, Default)]
pub struct Mark {
    pub login: String,
    pub status: String,
}

/// Records the organiser's marks for a session; every mark is checked before any is
/// written (unknown logins and codes are named), and one audit entry lists them.
pub async fn record_attendance(
    app: &App,
    acting: &Acting,
    session_id: i64,
    marks: &[Mark],
) -> Result<usize, Failure> {
    let permit = app
        .permit(acting, Register::Training, Act::Edit, "training.attendance")
        .await?;
    let session = open_session(app, session_id).await?;
    let people = store::trainees(app.store()).await?;
    let mut checked = Vec::new();
    let mut problems = Vec::new();
    for mark in marks.iter().filter(|m| !m.status.trim().is_empty()) {
        let person = people.iter().find(|p| p.login == mark.login.trim());
        let status = Attendance::parse(mark.status.trim());
        match (person, status) {
            (Some(p), Some(s)) => checked.push((p.user_id, s)),
            (None, _) => problems.push(
                FieldProblem::new("marks", "training.error.unknown_person")
                    .with("name", mark.login.trim()),
            ),
            (_, None) => problems.push(
                FieldProblem::new("marks", "training.error.mark").with("mark", mark.status.trim()),
            ),
        }
    }
    if !problems.is_empty() {
        return Err(Failure::Invalid(problems));
    }
    if checked.is_empty() {
        return Err(Failure::invalid(FieldProblem::new(
            "marks",
            "training.error.no_marks",
        )));
    }
    let mut tx = permit.write(app).await?;
    store::record_attendance(&mut tx, session.id, &checked, Way::Recorded).await?;
    tx.commit().await?;
    Ok(checked.len())
}

async fn open_session(app: &App, id: i64) -> Result<SessionRecord, Failure> {
    let session = store::session(app.store(), id).await?;
    if session.cancelled_at.is_some() {
        return Err(Failure::conflict(
            "invalid_state",
            "training.error.cancelled",
        ));
    }
    Ok(session)
}

/// The acting person declares they attended an outside course's session, with a note
/// (the proof is uploaded to the attendance as a file). It counts once confirmed.
pub async fn declare(
    app: &App,
    acting: &Acting,
    session_id: i64,
    note: &str,
) -> Result<i64, Failure> {
    let permit = app
        .permit(acting, Register::Training, Act::Read, "training.declare")
        .await?;
    let session = open_session(app, session_id).await?;
    if !session.kind.self_declared() {
        return Err(Failure::conflict(
            "invalid_state",
            "training.error.not_outside",
        ));
    }
    if session.held_on > today() {
        return Err(Failure::invalid(FieldProblem::new(
            "note",
            "training.error.not_held_yet",
        )));
    }
    let note = text::multi_line(note, NOTE_MAX)
        .map_err(|p| Failure::invalid(FieldProblem::text("note", p)))?;
    let mut tx = permit.write(app).await?;
    let id = store::declare(&mut tx, session_id, &note)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                Failure::conflict("already_recorded", "training.error.already_declared")
            }
            other => other.into(),
        })?;
    tx.commit().await?;
    Ok(id)
}

/// Confirms a declaration (the organiser has seen the proof); it then counts.
pub async fn confirm(app: &App, acting: &Acting, attendance_id: i64) -> Result<i64, Failure> {
    let permit = app
        .permit(acting, Register::Training, Act::Edit, "training.confirm")
        .await?;
    let (session_id, _) = store::attendance_owner(app.store(), attendance_id).await?;
    let mut tx = permit.write(app).await?;
    store::confirm(&mut tx, attendance_id)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                Failure::conflict("invalid_state", "training.error.not_declared")
            }
            other => other.into(),
        })?;
    tx.commit().await?;
    Ok(session_id)
}

/// Cancels a session (中止); it stays, marked cancelled, with what was recorded.
pub async fn cancel_session(app: &App, acting: &Acting, id: i64) -> Result<(), Failure> {
    let permit = app
        .permit(
            acting,
            Register::Training,
            Act::Edit,
            "training.session_cancel",
        )
        .await?;
    open_session(app, id).await?;
    let mut tx = permit.write(app).await?;
    store::cancel_session(&mut tx, id)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                Failure::conflict("invalid_state", "training.error.cancelled")
            }
            other => other.into(),
        })?;
    tx.commit().await?;
    Ok(())
}

/// The coverage rules, for anyone who may read the register.
pub async fn rules(app: &App, acting: &Acting) -> Result<Rules, Failure> {
    app.permit(acting, Register::Training, Act::Read, "training.rules")
        .await?;
    Ok(store::rules(app.store()).await?)
}

pub async fn set_rules(app: &App, acting: &Acting, form: &RulesForm) -> Result<(), Failure> {
    let permit = app
        .permit(acting, Register::Training, Act::Edit, "training.rules_set")
        .await?;
    let new = form.check()?;
    let before = store::rules(app.store()).await?;
    if before == new {
        return Ok(());
    }
    let mut tx = permit.write(app).await?;
    store::set_rules(&mut tx, &before, &new).await?;
    tx.commit().await?;
    Ok(())
}

/// The sessions the acting person is invited to from today on, for their home page.
pub async fn upcoming_for(app: &App, acting: &Acting) -> Result<Vec<SessionRecord>, Failure> {
    let Some(user_id) = acting.user_id() else {
        return Ok(Vec::new());
    };
    if !acting.may(Register::Training, Act::Read) {
        return Ok(Vec::new());
    }
    Ok(store::upcoming_for(app.store(), user_id, today()).await?)
}

/// Refuses (not found) unless the attendance is the acting person's own declaration,
/// not yet confirmed: its proof is theirs to attach until the organiser confirms it.
pub(crate) async fn own_declaration(app: &App, acting: &Acting, id: i64) -> Result<(), Failure> {
    let (session_id, user_id) = store::attendance_owner(app.store(), id).await?;
    let own = store::participants(app.store(), session_id)
        .await?
        .into_iter()
        .find(|p| Some(p.user_id) == acting.user_id() && p.user_id == user_id)
        .and_then(|p| p.attendance);
    match own {
        Some(a) if a.way == Way::Declared && a.confirmed_at.is_none() => Ok(()),
        _ => Err(Failure::NotFound),
    }
}

/// Whether the acting person may see a file of a training record: a session's
/// materials as they may see the session; an attendance's proof when it is their own
/// or they organise. Answers the record's title.
pub(crate) async fn may_see(
    app: &App,
    acting: &Acting,
    record: RecordRef,
) -> Result<String, Failure> {
    match record.kind {
        RecordKind::TrainingSession => {
            let view = session(app, acting, record.id).await?;
            Ok(view.record.course_title)
        }
        RecordKind::TrainingAttendance => {
            let (session_id, user_id) = store::attendance_owner(app.store(), record.id).await?;
            if acting.user_id() != Some(user_id) && !sees_all(acting) {
                return Err(Failure::NotFound);
            }
            Ok(store::session(app.store(), session_id).await?.course_title)
        }
        _ => Err(Failure::NotFound),
    }
}

/// One attendance as its page shows it: whose, at which session, how recorded.
#[derive(Debug, Clone)]
pub struct AttendanceView {
    pub session: SessionRecord,
    pub person: Participant,
    pub attendance: AttendanceRecord,
    /// The organiser may confirm it (a declaration not yet confirmed).
    pub may_confirm: bool,
}

/// An attendance, to the person it is about and to the organisers.
pub async fn attendance(app: &App, acting: &Acting, id: i64) -> Result<AttendanceView, Failure> {
    app.permit(
        acting,
        Register::Training,
        Act::Read,
        "training.attendance_show",
    )
    .await?;
    let (session_id, user_id) = store::attendance_owner(app.store(), id).await?;
    if acting.user_id() != Some(user_id) && !sees_all(acting) {
        return Err(Failure::NotFound);
    }
    let person = store::participants(app.store(), session_id)
        .await?
        .into_iter()
        .find(|p| p.user_id == user_id)
        .ok_or(Failure::NotFound)?;
    let attendance = person.attendance.clone().ok_or(Failure::NotFound)?;
    Ok(AttendanceView {
        session: store::session(app.store(), session_id).await?,
        may_confirm: acting.may(Register::Training, Act::Edit)
            && attendance.way == Way::Declared
            && attendance.confirmed_at.is_none(),
        person,
        attendance,
    })
}
