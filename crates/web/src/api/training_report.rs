//! The yearly training report over the API (`mamori_app::training::yearly_report`): the
//! same figures as the page and the workbook, coded values as codes.

use axum::Json;
use axum::extract::{Query, State};
use mamori_app::date_text;
use mamori_app::training::{self as app_training, Tally, YearlyReport};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::params::training::year_asked;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ReportParams {
    /// The 年度: 2026, 令和8年度, FY2026 (this 年度 when absent).
    year: Option<String>,
}

/// Coverage of one user type; `rate` is met of bound in whole per cent.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportUserTypeOut {
    #[schema(value_type = crate::api::codes::UserType)]
    pub user_type: String,
    pub people: usize,
    pub bound: usize,
    pub met: usize,
    pub not_met: usize,
    pub rate: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportHolderOut {
    pub user_id: i64,
    pub name: String,
    /// ISO 8601 days; `ends_on` absent for a term without an end.
    pub starts_on: String,
    pub ends_on: Option<String>,
    /// The worse of the two rules; absent for someone the rule does not count (an
    /// account closed since, or a contractor).
    #[schema(value_type = Option<crate::api::codes::TrainingCoverage>)]
    pub standing: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportPostOut {
    pub post_id: i64,
    /// The built-in post, when it is one.
    #[schema(value_type = Option<crate::api::codes::OrgRole>)]
    pub role: Option<String>,
    /// The assembly's own name of a post it added.
    pub name: Option<String>,
    pub trained: usize,
    pub holders: Vec<ReportHolderOut>,
}

/// Attendance: `present` is what the rule counts (a declaration once confirmed); `rate`
/// is present of invited in whole per cent.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportTallyOut {
    pub invited: i64,
    pub present: i64,
    pub absent: i64,
    pub excused: i64,
    pub rate: i64,
}

fn tally_out(t: &Tally) -> ReportTallyOut {
    ReportTallyOut {
        invited: t.invited,
        present: t.present,
        absent: t.absent,
        excused: t.excused,
        rate: t.percent(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportCourseOut {
    pub course_id: i64,
    pub title: String,
    #[schema(value_type = crate::api::codes::CourseKind)]
    pub kind: String,
    /// Sessions held (their day has come, not cancelled).
    pub held: usize,
    pub attendance: ReportTallyOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDrillOut {
    pub session_id: i64,
    pub title: String,
    /// ISO 8601 day; the time is Japan time, HH:MM.
    pub held_on: String,
    pub starts_at: String,
    pub place: String,
    pub attendance: ReportTallyOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportNoticeOut {
    pub notice_id: i64,
    pub title: String,
    /// The day in Japan it was posted (ISO 8601).
    pub posted_on: String,
    pub withdrawn: bool,
    pub audience: i64,
    pub read: i64,
    /// Read of audience in whole per cent.
    pub read_rate: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingReportOut {
    pub fiscal_year: i32,
    /// The day the standings were taken (ISO 8601).
    pub as_of: String,
    pub user_types: Vec<ReportUserTypeOut>,
    pub posts: Vec<ReportPostOut>,
    pub courses: Vec<ReportCourseOut>,
    pub drills: Vec<ReportDrillOut>,
    pub notices: Vec<ReportNoticeOut>,
}

fn report_out(r: &YearlyReport) -> TrainingReportOut {
    TrainingReportOut {
        fiscal_year: r.fiscal_year.year(),
        as_of: date_text(r.as_of),
        user_types: r
            .user_types
            .iter()
            .map(|l| ReportUserTypeOut {
                user_type: l.user_type.as_str().to_owned(),
                people: l.people,
                bound: l.bound,
                met: l.met,
                not_met: l.not_met(),
                rate: l.percent(),
            })
            .collect(),
        posts: r
            .posts
            .iter()
            .map(|p| ReportPostOut {
                post_id: p.post.id,
                role: p.post.role.map(|role| role.as_str().to_owned()),
                name: p.post.name.clone(),
                trained: p.trained(),
                holders: p
                    .holders
                    .iter()
                    .map(|h| ReportHolderOut {
                        user_id: h.user_id,
                        name: h.name.clone(),
                        starts_on: date_text(h.starts_on),
                        ends_on: h.ends_on.map(date_text),
                        standing: h.standing.map(|s| s.as_str().to_owned()),
                    })
                    .collect(),
            })
            .collect(),
        courses: r
            .courses
            .iter()
            .map(|c| ReportCourseOut {
                course_id: c.course_id,
                title: c.title.clone(),
                kind: c.kind.as_str().to_owned(),
                held: c.held,
                attendance: tally_out(&c.tally),
            })
            .collect(),
        drills: r
            .drills
            .iter()
            .map(|d| ReportDrillOut {
                session_id: d.session_id,
                title: d.title.clone(),
                held_on: date_text(d.held_on),
                starts_at: app_training::time_text(d.starts_at),
                place: d.place.clone(),
                attendance: tally_out(&d.tally),
            })
            .collect(),
        notices: r
            .notices
            .iter()
            .map(|n| ReportNoticeOut {
                notice_id: n.id,
                title: n.title.clone(),
                posted_on: date_text(n.posted_on),
                withdrawn: n.withdrawn,
                audience: n.audience,
                read: n.read,
                read_rate: n.percent(),
            })
            .collect(),
    }
}

/// The yearly report of a 年度: coverage by user type and post, courses, drills and
/// awareness notices, for those who see everyone's training.
#[utoipa::path(get, path = "/api/v1/training/report", tag = "training", params(ReportParams),
    responses((status = 200, body = TrainingReportOut), (status = 403, body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    signed: SignedIn,
    Query(params): Query<ReportParams>,
) -> Result<Json<TrainingReportOut>, AppError> {
    let fy = year_asked(params.year.as_deref()).map_err(mamori_app::Failure::invalid)?;
    let report = app_training::yearly_report(&state.app, &signed.0.acting, fy).await?;
    Ok(Json(report_out(&report)))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(report),
    components(schemas(
        TrainingReportOut,
        ReportUserTypeOut,
        ReportPostOut,
        ReportHolderOut,
        ReportTallyOut,
        ReportCourseOut,
        ReportDrillOut,
        ReportNoticeOut
    ))
)]
pub struct Doc;
