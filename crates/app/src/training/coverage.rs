//! Coverage: where each person stands with the training rule in a 年度 (met, due,
//! overdue, not bound), read from the counted attendance of that 年度 and of the
//! new-person window that may reach into the next one.

use mamori_domain::access::{Act, Register};
use mamori_domain::training::{self as rules, Attended, Coverage, Standing, Trainee};
use mamori_domain::user::UserType;
use mamori_store::training::{self as store, Counted};
use time::Duration;

use super::FiscalYear;
use crate::{Acting, App, Failure, today};

/// One person's line on the coverage page.
#[derive(Debug, Clone)]
pub struct CoverageRow {
    pub person: store::Trainee,
    pub standing: Standing,
    /// Counted attendances in the 年度.
    pub attended: usize,
}

async fn counted(app: &App, fy: FiscalYear, within_days: i64) -> Result<Vec<Counted>, Failure> {
    // The new-person window of someone who starts on 31 March reaches into the next 年度.
    let to = fy.end() + Duration::days(within_days);
    Ok(store::attendance_between(app.store(), fy.start(), to)
        .await?
        .into_iter()
        .filter(|c| rules::counts(c.status, c.way, c.confirmed))
        .collect())
}

fn standing_of(
    rules_now: &rules::Rules,
    fy: FiscalYear,
    person: &store::Trainee,
    counted: &[Counted],
) -> (Standing, usize) {
    let attended: Vec<Attended> = counted
        .iter()
        .filter(|c| c.user_id == person.user_id)
        .map(|c| Attended {
            on: c.held_on,
            kind: c.kind,
        })
        .collect();
    let in_year = attended.iter().filter(|a| fy.contains(a.on)).count();
    let standing = rules::standing(
        rules_now,
        fy,
        Trainee {
            user_type: person.user_type,
            starts_on: person.starts_on,
        },
        &attended,
        today(),
    );
    (standing, in_year)
}

/// Everyone's standing in a 年度, optionally of one user type, by login.
pub async fn coverage(
    app: &App,
    acting: &Acting,
    fy: FiscalYear,
    user_type: Option<UserType>,
) -> Result<Vec<CoverageRow>, Failure> {
    app.permit(acting, Register::Training, Act::SeeAll, "training.coverage")
        .await?;
    let rules_now = store::rules(app.store()).await?;
    let counted = counted(app, fy, rules_now.within_days).await?;
    Ok(store::trainees(app.store())
        .await?
        .into_iter()
        .filter(|p| user_type.is_none_or(|t| t == p.user_type))
        .map(|person| {
            let (standing, attended) = standing_of(&rules_now, fy, &person, &counted);
            CoverageRow {
                person,
                standing,
                attended,
            }
        })
        .collect())
}

/// The acting person's own standing this 年度, for their home page (None for those the
/// register does not concern).
pub async fn my_standing(app: &App, acting: &Acting) -> Result<Option<Standing>, Failure> {
    let Some(user_id) = acting.user_id() else {
        return Ok(None);
    };
    if !acting.may(Register::Training, Act::Read) {
        return Ok(None);
    }
    let fy = FiscalYear::of(today());
    let Some(person) = store::trainees(app.store())
        .await?
        .into_iter()
        .find(|p| p.user_id == user_id)
    else {
        return Ok(None);
    };
    let rules_now = store::rules(app.store()).await?;
    let counted = counted(app, fy, rules_now.within_days).await?;
    let (standing, _) = standing_of(&rules_now, fy, &person, &counted);
    Ok((standing.overall() != Coverage::NotBound).then_some(standing))
}

/// Who is overdue and how many are not yet trained this 年度, for the organisers' home
/// page and their daily digest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outstanding {
    /// The people overdue (their ids: the digest tells again when one is added).
    pub overdue: Vec<i64>,
    /// How many are not trained yet, the time still running.
    pub due: usize,
}

/// Who is overdue and how many are not yet trained this 年度 (None for those who do not
/// see everyone's coverage).
pub async fn outstanding(app: &App, acting: &Acting) -> Result<Option<Outstanding>, Failure> {
    if !acting.may(Register::Training, Act::SeeAll) {
        return Ok(None);
    }
    let rows = coverage(app, acting, FiscalYear::of(today()), None).await?;
    Ok(Some(Outstanding {
        overdue: rows
            .iter()
            .filter(|r| r.standing.overall() == Coverage::Overdue)
            .map(|r| r.person.user_id)
            .collect(),
        due: rows
            .iter()
            .filter(|r| r.standing.overall() == Coverage::Due)
            .count(),
    }))
}

/// Each active person's standing in `fy` and whether they took part in an emergency
/// drill (a counted attendance of a drill session) in it, by user id — for registers
/// that show training status under their own grant (continuity's alternates).
pub(crate) async fn standings(
    app: &App,
    fy: FiscalYear,
) -> Result<std::collections::HashMap<i64, (Standing, bool)>, Failure> {
    let rules_now = store::rules(app.store()).await?;
    let counted = counted(app, fy, rules_now.within_days).await?;
    Ok(store::trainees(app.store())
        .await?
        .into_iter()
        .map(|person| {
            let (standing, _) = standing_of(&rules_now, fy, &person, &counted);
            let drilled = counted.iter().any(|c| {
                c.user_id == person.user_id
                    && c.kind == rules::CourseKind::Drill
                    && fy.contains(c.held_on)
            });
            (person.user_id, (standing, drilled))
        })
        .collect())
}
