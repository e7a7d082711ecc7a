//! The yearly training report (研修・訓練の年度報告): a page laid out for A4 paper, and
//! the same figures as an .xlsx workbook. Thin shells over
//! `mamori_app::training::yearly_report`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::i18n::Tr;
use mamori_app::training::{self as app_training, FiscalYear, Tally, TypeLine, YearlyReport};
use mamori_domain::user::UserType;

use super::{PATH, YearQuery, year_of};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::{Layout, render};
use crate::state::AppState;

/// The path of the page; the workbook is the same with `.xlsx`.
pub(crate) const REPORT_PATH: &str = "/training/report";

/// A coverage line as shown: a label, then people, bound, met, not met, rate.
pub struct TypeRow {
    pub label: String,
    pub figures: [String; 5],
}

fn type_row(label: String, l: &TypeLine) -> TypeRow {
    TypeRow {
        label,
        figures: [
            l.people.to_string(),
            l.bound.to_string(),
            l.met.to_string(),
            l.not_met().to_string(),
            format!("{}%", l.percent()),
        ],
    }
}

/// A holder of a post: post, holder, term, standing (a locale key), trained.
pub struct PostRow {
    pub post: String,
    pub holder: String,
    pub term: String,
    pub standing: &'static str,
    pub trained: bool,
}

/// Invited, present, absent, excused, rate.
fn tally_cells(t: &Tally) -> [String; 5] {
    [
        t.invited.to_string(),
        t.present.to_string(),
        t.absent.to_string(),
        t.excused.to_string(),
        format!("{}%", t.percent()),
    ]
}

pub struct CourseRow {
    pub link: String,
    pub title: String,
    pub kind: &'static str,
    pub held: usize,
    pub figures: [String; 5],
}

pub struct DrillRow {
    pub link: String,
    pub when: String,
    pub title: String,
    pub place: String,
    pub figures: [String; 5],
}

pub struct NoticeRow {
    pub link: String,
    pub posted_on: String,
    pub title: String,
    pub withdrawn: bool,
    pub audience: i64,
    pub read: i64,
    pub rate: String,
}

#[derive(Template)]
#[template(path = "training/report.html")]
struct ReportPage {
    t: Tr,
    layout: Layout,
    year: String,
    year_code: i32,
    years: Vec<(i32, String)>,
    as_of: String,
    types: Vec<TypeRow>,
    total: TypeRow,
    posts: Vec<PostRow>,
    courses: Vec<CourseRow>,
    drills: Vec<DrillRow>,
    notices: Vec<NoticeRow>,
}

/// The 年度 to choose from (`offered`, see `training::years`) and the chosen one.
fn year_choices(ctx: &Ctx, offered: &[i32], fy: FiscalYear) -> Vec<(i32, String)> {
    let mut years: Vec<i32> = offered.to_vec();
    years.push(fy.year());
    years.sort_unstable();
    years.dedup();
    years
        .into_iter()
        .filter_map(FiscalYear::new)
        .map(|y| (y.year(), ctx.fiscal_year(y)))
        .collect()
}

fn page(ctx: &Ctx, layout: Layout, r: &YearlyReport, offered: &[i32]) -> ReportPage {
    let tr = &ctx.tr;
    let (people, bound, met) = r.total();
    ReportPage {
        t: ctx.tr,
        layout,
        year: ctx.fiscal_year(r.fiscal_year),
        year_code: r.fiscal_year.year(),
        years: year_choices(ctx, offered, r.fiscal_year),
        as_of: tr.f("training.report.as_of", &[("date", ctx.date(r.as_of))]),
        types: r
            .user_types
            .iter()
            .map(|l| {
                type_row(
                    tr.t(&format!("user_type.{}", l.user_type.as_str()))
                        .to_owned(),
                    l,
                )
            })
            .collect(),
        total: type_row(
            tr.t("training.report.total").to_owned(),
            &TypeLine {
                user_type: UserType::Other,
                people,
                bound,
                met,
            },
        ),
        posts: r
            .posts
            .iter()
            .flat_map(|p| {
                let post = app_training::post_name(tr, &p.post);
                p.holders.iter().map(move |h| PostRow {
                    post: post.clone(),
                    holder: h.name.clone(),
                    term: tr.f(
                        "training.report.term",
                        &[
                            ("from", ctx.date(h.starts_on)),
                            ("to", h.ends_on.map(|d| ctx.date(d)).unwrap_or_default()),
                        ],
                    ),
                    standing: app_training::standing_key(h.standing),
                    trained: h.trained(),
                })
            })
            .collect(),
        courses: r
            .courses
            .iter()
            .map(|c| CourseRow {
                link: format!("{PATH}/courses/{}", c.course_id),
                title: c.title.clone(),
                kind: c.kind.label_key(),
                held: c.held,
                figures: tally_cells(&c.tally),
            })
            .collect(),
        drills: r
            .drills
            .iter()
            .map(|d| DrillRow {
                link: format!("{PATH}/sessions/{}", d.session_id),
                when: format!(
                    "{} {}",
                    ctx.date(d.held_on),
                    app_training::time_text(d.starts_at)
                ),
                title: d.title.clone(),
                place: d.place.clone(),
                figures: tally_cells(&d.tally),
            })
            .collect(),
        notices: r
            .notices
            .iter()
            .map(|n| NoticeRow {
                link: format!("/awareness/{}", n.id),
                posted_on: ctx.date(n.posted_on),
                title: n.title.clone(),
                withdrawn: n.withdrawn,
                audience: n.audience,
                read: n.read,
                rate: format!("{}%", n.percent()),
            })
            .collect(),
    }
}

pub async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Query(query): Query<YearQuery>,
) -> Result<Response, AppError> {
    let fy = year_of(&query)?;
    let report = app_training::yearly_report(&state.app, &signed.0.acting, fy).await?;
    let offered = app_training::years(&state.app).await?;
    let layout = Layout::load(&state, "training", REPORT_PATH, Some(&signed.0)).await;
    render(StatusCode::OK, &page(&ctx, layout, &report, &offered))
}

pub async fn report_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Query(query): Query<YearQuery>,
) -> Result<Response, AppError> {
    let fy = year_of(&query)?;
    let bytes = app_training::report_xlsx(&state.app, &signed.0.acting, fy, ctx.tr.lang).await?;
    let named = format!("{}_{}.xlsx", ctx.tr.t("training.report_title"), fy.year());
    Ok(crate::http::download::named(
        bytes,
        mamori_app::sheets::Format::Xlsx,
        &format!("training-report-{}.xlsx", fy.year()),
        &named,
    ))
}
