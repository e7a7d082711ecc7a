//! The incident list: a page at a time, filtered by 年度, stage and severity, searched
//! over titles, descriptions and places (everything for those who see all, one's own
//! and shared ones for everyone else).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::i18n::Tr;
use mamori_app::incidents::{self as app_incidents, Listed, Severity};
use mamori_domain::access::{Act, Register};
use mamori_domain::incident::{Sight, Stage};
use mamori_domain::wareki::{DateStyle, Lang};

use super::{NAV, PATH, severity_name};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::forms::{Choice, form_problems};
use crate::http::params::incidents::IncidentQuery;
use crate::http::{Layout, render};
use crate::state::AppState;

/// One incident in the list.
pub struct Row {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub noticed: String,
    pub stage: String,
    pub severity: String,
    pub reporter: String,
    pub open: bool,
}

fn row(ctx: &Ctx, levels: &[Severity], l: &Listed) -> Row {
    let r = &l.record;
    Row {
        id: r.id,
        number: r.number.clone(),
        title: r.title.clone(),
        noticed: ctx.datetime(r.noticed_at),
        stage: ctx.tr.t(&r.stage.label_key()).to_owned(),
        severity: if l.sight == Sight::Full {
            severity_name(ctx, levels, r.severity.as_deref())
        } else {
            String::new()
        },
        reporter: r.reporter_name.clone(),
        open: r.stage != Stage::Closed,
    }
}

#[derive(Template)]
#[template(path = "incidents/list.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    rows: Vec<Row>,
    sees_all: bool,
    /// Keeps the outside-report duties (the incident handlers).
    may_keep_duties: bool,
    params: IncidentQuery,
    years: Vec<Choice>,
    stages: Vec<Choice>,
    severities: Vec<Choice>,
    filtered: bool,
    total: i64,
    page_status: String,
    previous: Option<String>,
    next: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Query(params): Query<IncidentQuery>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(acting, Register::Incidents, Act::Read, "incident.list")
        .await?;
    // A filter typed into the address bar that cannot be read: 400, not a list.
    let refused = |failure| -> AppError {
        match form_problems(failure) {
            Ok(_) => AppError::new(
                StatusCode::BAD_REQUEST,
                "invalid_filter",
                "incident.error.filter",
            ),
            Err(other) => other,
        }
    };
    let (query, request) = params.read()?.map_err(refused)?;
    let listed = app_incidents::list(&state.app, acting, &query)
        .await
        .map_err(refused)?;
    let levels = app_incidents::severities(&state.app).await?;
    let tr = &ctx.tr;
    let any = |key: &str| Choice {
        value: String::new(),
        label: tr.t(key).to_owned(),
    };
    let years = std::iter::once(any("incident.filter.any_year"))
        .chain(
            app_incidents::years(&state.app)
                .await?
                .into_iter()
                .map(|fy| Choice {
                    value: fy.year().to_string(),
                    label: fy.label(DateStyle::Wareki, tr.lang),
                }),
        )
        .collect();
    let stages = [
        any("incident.filter.any_stage"),
        Choice {
            value: "open".to_owned(),
            label: tr.t("incident.filter.open").to_owned(),
        },
    ]
    .into_iter()
    .chain(Stage::ALL.iter().map(|s| Choice {
        value: s.as_str().to_owned(),
        label: tr.t(&s.label_key()).to_owned(),
    }))
    .collect();
    let severities = std::iter::once(any("incident.filter.any_severity"))
        .chain(levels.iter().map(|l| Choice {
            value: l.code.clone(),
            label: match tr.lang {
                Lang::Ja => l.name_ja.clone(),
                Lang::En => l.name_en.clone(),
            },
        }))
        .collect();
    let total = listed.total;
    let shown_to = request.offset() + listed.rows.len() as u64;
    let page = ListPage {
        t: ctx.tr,
        layout: Layout::load(&state, NAV, PATH, Some(&signed.0)).await,
        rows: listed.rows.iter().map(|l| row(&ctx, &levels, l)).collect(),
        sees_all: acting.may(Register::Incidents, Act::SeeAll),
        may_keep_duties: acting.may(Register::Incidents, Act::Edit),
        filtered: params.filtered(),
        years,
        stages,
        severities,
        total,
        page_status: tr.f(
            "incident.page_status",
            &[
                ("from", (request.offset() + 1).min(shown_to).to_string()),
                ("to", shown_to.to_string()),
                ("total", total.to_string()),
            ],
        ),
        previous: (request.page > 1).then(|| params.link(PATH, request.page - 1)),
        next: (shown_to < u64::try_from(total).unwrap_or(0))
            .then(|| params.link(PATH, request.page + 1)),
        params,
    };
    render(StatusCode::OK, &page)
}
