//! Incidents (issue 18): anyone bound by the policy reports one in one screen (staff may
//! enter a report taken by phone for someone else); the security officer and every CSIRT
//! member are told at once, urgently and without a choice to turn it off. The handlers
//! triage it (severity, category from the threat catalogue, personal information and how
//! many people, owner), move it through the stages, note what they do on an append-only
//! timeline, close it with a summary and a cause, reopen it with a reason, and share it
//! with someone who must help. The reporter follows their own report's stage, not the
//! timeline; nobody else learns of an incident (`mamori_domain::incident::sight`).

use mamori_domain::access::{Act, Register};
use mamori_domain::calendar::FiscalYear;
use mamori_domain::field::FieldProblem;
use mamori_domain::incident::{
    self as rules, EntryKind, ReportForm, Sight, Stage, TriageForm, TriageInput,
};
use mamori_domain::user::{OrgRole, Role, UserType};
use mamori_domain::user_input;
use mamori_store::StoreError;
use mamori_store::incidents::{self as store, Change, Filter, NewIncident, Reach};
use time::OffsetDateTime;

pub mod reports;

pub use mamori_store::incidents::{Entry, IncidentRecord, Severity};

use crate::notifications::{self, Notice, NoticeKind};

pub mod figures;
pub mod links;
use crate::{Acting, App, Failure, today};

/// An incident in a list, with what the acting person sees of it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub record: IncidentRecord,
    pub sight: Sight,
}

/// One incident's page.
#[derive(Debug, Clone)]
pub struct View {
    pub record: IncidentRecord,
    pub sight: Sight,
    /// The timeline (empty for the reporter's own view).
    pub entries: Vec<Entry>,
    /// Those it is shared with, as (user, name).
    pub shares: Vec<(i64, String)>,
    /// The acting person handles incidents (triage, stages, notes, closing, sharing).
    pub may_handle: bool,
}

pub async fn severities(app: &App) -> Result<Vec<Severity>, Failure> {
    Ok(store::severities(app.store()).await?)
}

/// What a list shows: the filters as read, and which page of it.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub year: Option<FiscalYear>,
    pub open_only: bool,
    pub stage: Option<Stage>,
    pub severity: Option<String>,
    pub q: String,
    pub offset: i64,
    /// At most this many; None: all.
    pub limit: Option<i64>,
}

impl ListQuery {
    /// Reads the filters as a person or a client sends them: a 年度 as "2026" or
    /// "令和8年度", a stage code or "open", a severity code, words to find. Empty means
    /// no filter; anything else unreadable is refused, naming the field.
    pub fn read(year: &str, stage: &str, severity: &str, q: &str) -> Result<ListQuery, Failure> {
        let mut problems = Vec::new();
        let year = match year.trim() {
            "" => None,
            text => match mamori_domain::training::fiscal_year(text) {
                Ok(fy) => Some(fy),
                Err(_) => {
                    problems.push(FieldProblem::new("year", "incident.error.year"));
                    None
                }
            },
        };
        let (open_only, stage) = match stage.trim() {
            "" => (false, None),
            "open" => (true, None),
            code => match Stage::parse(code) {
                Some(stage) => (false, Some(stage)),
                None => {
                    problems.push(FieldProblem::new("stage", "incident.error.stage"));
                    (false, None)
                }
            },
        };
        if !problems.is_empty() {
            return Err(Failure::Invalid(problems));
        }
        Ok(ListQuery {
            year,
            open_only,
            stage,
            severity: Some(severity.trim().to_owned()).filter(|s| !s.is_empty()),
            q: q.chars().take(mamori_domain::search::MAX_QUERY).collect(),
            offset: 0,
            limit: None,
        })
    }
}

/// A page of the list and how many match in all.
#[derive(Debug, Clone)]
pub struct ListPage {
    pub rows: Vec<Listed>,
    pub total: i64,
}

/// The incidents the acting person may see that `query` picks, the newest first.
pub async fn list(app: &App, acting: &Acting, query: &ListQuery) -> Result<ListPage, Failure> {
    app.permit(acting, Register::Incidents, Act::Read, "incident.list")
        .await?;
    if let Some(code) = &query.severity
        && !store::severities(app.store())
            .await?
            .iter()
            .any(|s| &s.code == code)
    {
        return Err(Failure::invalid(FieldProblem::new(
            "severity",
            "incident.error.severity",
        )));
    }
    let sees_all = acting.may(Register::Incidents, Act::SeeAll);
    let me = acting.user_id();
    let reach = match (sees_all, me) {
        (true, _) | (false, None) => Reach::All,
        (false, Some(me)) => Reach::OwnOrShared(me),
    };
    let listing = store::list(
        app.store(),
        &Filter {
            reach,
            year: query.year.map(FiscalYear::year),
            open_only: query.open_only,
            stage: query.stage,
            severity: query.severity.clone(),
            q: query.q.clone(),
            offset: query.offset,
            limit: query.limit,
        },
    )
    .await?;
    let rows = listing
        .rows
        .into_iter()
        .filter_map(|(record, shared)| {
            let sight = rules::sight(sees_all || me.is_none(), shared, is_own(&record, me))?;
            Some(Listed { record, sight })
        })
        .collect();
    Ok(ListPage {
        rows,
        total: listing.total,
    })
}

/// The 年度 a list may be filtered by: those with incidents and this one, newest first.
pub async fn years(app: &App) -> Result<Vec<FiscalYear>, Failure> {
    let mut years = store::years(app.store()).await?;
    let this = FiscalYear::of(today()).year();
    if !years.contains(&this) {
        years.push(this);
        years.sort_unstable_by(|a, b| b.cmp(a));
    }
    Ok(years.into_iter().filter_map(FiscalYear::new).collect())
}

/// Whether `me` reported the incident, or entered the report taken by phone (who then
/// follows it as the reporter does).
fn is_own(record: &IncidentRecord, me: Option<i64>) -> bool {
    me.is_some_and(|me| record.reporter_id == me || record.entered_by == Some(me))
}

async fn sight_of(app: &App, acting: &Acting, record: &IncidentRecord) -> Result<Sight, Failure> {
    let sees_all = acting.may(Register::Incidents, Act::SeeAll);
    let me = acting.user_id();
    let shared = match me {
        Some(me) => store::is_shared(app.store(), record.id, me).await?,
        None => false,
    };
    rules::sight(sees_all || me.is_none(), shared, is_own(record, me)).ok_or(Failure::NotFound)
}

/// The incident's number and title when the acting person sees all of it (the blocks
/// every register shares — files, corrective actions — follow that sight); `NotFound`
/// otherwise.
pub(crate) async fn fully_seen(app: &App, acting: &Acting, id: i64) -> Result<String, Failure> {
    let record = store::get(app.store(), id).await?;
    if sight_of(app, acting, &record).await? != Sight::Full {
        return Err(Failure::NotFound);
    }
    Ok(format!("{} {}", record.number, record.title))
}

/// One incident, as far as the acting person may see it; anyone else is told it does
/// not exist.
pub async fn show(app: &App, acting: &Acting, id: i64) -> Result<View, Failure> {
    // Someone the register does not admit (a contractor's engineer) sees an incident
    // the CSIRT shared with them, and nothing else.
    let shared_only = !acting.may(Register::Incidents, Act::Read)
        && match acting.user_id() {
            Some(me) => store::is_shared(app.store(), id, me).await?,
            None => false,
        };
    if !shared_only {
        app.permit(acting, Register::Incidents, Act::Read, "incident.show")
            .await?;
    }
    let record = store::get(app.store(), id).await?;
    let sight = sight_of(app, acting, &record).await?;
    let full = sight == Sight::Full;
    Ok(View {
        entries: if full {
            store::entries(app.store(), id).await?
        } else {
            Vec::new()
        },
        shares: if full {
            store::shares(app.store(), id).await?
        } else {
            Vec::new()
        },
        may_handle: full && acting.may(Register::Incidents, Act::Edit),
        sight,
        record,
    })
}

/// Whether the acting person may enter a report for someone else: the secretariat's
/// staff, who take calls, and the handlers.
pub fn may_report_for_others(acting: &Acting) -> bool {
    acting.may(Register::Incidents, Act::Edit)
        || acting
            .user
            .as_ref()
            .is_some_and(|u| u.user_type == UserType::Staff || u.role == Role::Admin)
}

/// Who is told of a new incident: the security officers and the CSIRT of today.
async fn responders(app: &App) -> Result<Vec<i64>, Failure> {
    Ok(mamori_store::approvals::holders(
        app.store(),
        &[Role::SecurityOfficer.as_str()],
        &[OrgRole::CsirtLead.as_str(), OrgRole::CsirtMember.as_str()],
        None,
    )
    .await?)
}

/// Reports an incident: for oneself, or (`reporter`, a login) for someone who called.
/// `asset`: one of the reporter's assets, or any the acting person sees. Returns the
/// id and the number.
pub async fn report(
    app: &App,
    acting: &Acting,
    form: &ReportForm,
    reporter: Option<&str>,
    asset: Option<i64>,
) -> Result<(i64, String), Failure> {
    let permit = app
        .permit(acting, Register::Incidents, Act::Read, "incident.report")
        .await?;
    let now = OffsetDateTime::now_utc();
    let checked = form.check(now);
    let me = acting.user_id();
    let reporter_id = match reporter.map(str::trim).filter(|l| !l.is_empty()) {
        Some(login) if may_report_for_others(acting) => {
            let unknown = || FieldProblem::new("reporter", "incident.error.reporter");
            let login = user_input::login(login).map_err(|_| Failure::invalid(unknown()))?;
            match mamori_store::users::find_by_login(app.store(), &login).await? {
                Some(user) if user.active => user.id,
                _ => return Err(Failure::invalid(unknown())),
            }
        }
        Some(_) => {
            return Err(Failure::invalid(FieldProblem::new(
                "reporter",
                "incident.error.reporter_not_allowed",
            )));
        }
        None => me.ok_or(Failure::NotFound)?,
    };
    let input = checked?;
    if let Some(asset) = asset {
        let seen = mamori_store::assets::get(app.store(), acting.viewer(), asset).await;
        match seen {
            Ok(_) => {}
            Err(StoreError::NotFound) => {
                return Err(Failure::invalid(FieldProblem::new(
                    "asset",
                    "incident.error.asset",
                )));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let recipients = responders(app).await?;
    let mut tx = permit.write(app).await?;
    let (id, number) = store::create(
        &mut tx,
        NewIncident {
            input: &input,
            reporter_id,
            entered_by: (Some(reporter_id) != me).then_some(me).flatten(),
            asset_id: asset,
            fiscal_year: FiscalYear::of(today()).year(),
        },
    )
    .await?;
    if !recipients.is_empty() {
        notifications::notify(
            &mut tx,
            Notice {
                recipients,
                kind: NoticeKind::Incident,
                title: format!("{number} {}", input.title),
                link: format!("/incidents/{id}"),
                urgent: true,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok((id, number))
}

/// The incident, for a handler: the Edit grant first, then the incident seen in full.
async fn handled<'a>(
    app: &App,
    acting: &'a Acting,
    id: i64,
    what: &str,
) -> Result<(crate::Permit<'a>, IncidentRecord), Failure> {
    let permit = app
        .permit(acting, Register::Incidents, Act::Edit, what)
        .await?;
    let record = store::get(app.store(), id).await?;
    if sight_of(app, acting, &record).await? != Sight::Full {
        return Err(Failure::NotFound);
    }
    Ok((permit, record))
}

fn closed() -> Failure {
    Failure::conflict("invalid_state", "incident.error.closed")
}

/// Notes on the timeline what was done or learnt.
pub async fn note(app: &App, acting: &Acting, id: i64, text: &str) -> Result<(), Failure> {
    let (permit, _) = handled(app, acting, id, "incident.note").await?;
    let text = rules::check_text("text", text)?;
    let mut tx = permit.write(app).await?;
    store::apply(&mut tx, id, "incident.note", &[], &text).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets what triage decides; each change is a timeline entry. Returns whether anything
/// changed.
pub async fn triage(
    app: &App,
    acting: &Acting,
    id: i64,
    form: &TriageForm,
) -> Result<bool, Failure> {
    let (permit, record) = handled(app, acting, id, "incident.triage").await?;
    if record.stage == Stage::Closed {
        return Err(closed());
    }
    let levels: Vec<String> = store::severities(app.store())
        .await?
        .into_iter()
        .map(|s| s.code)
        .collect();
    let input: TriageInput = form.check(&levels)?;
    if let Some(threat) = input.threat_id {
        match mamori_store::risks::threat(app.store(), threat).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => {
                return Err(Failure::invalid(FieldProblem::new(
                    "threat_id",
                    "incident.error.threat",
                )));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let owner = match &input.owner {
        None => None,
        Some(login) => Some(handler_by_login(app, login).await?),
    };
    let text = |v: Option<i64>| v.map(|n| n.to_string());
    let candidates = [
        (
            "severity",
            EntryKind::Severity,
            record.severity.clone(),
            input.severity.clone(),
        ),
        (
            "threat_id",
            EntryKind::Category,
            text(record.threat_id),
            text(input.threat_id),
        ),
        (
            "personal",
            EntryKind::Personal,
            Some(record.personal.as_str().to_owned()),
            Some(input.personal.as_str().to_owned()),
        ),
        (
            "people",
            EntryKind::Personal,
            text(record.people),
            text(input.people),
        ),
        (
            "owner_id",
            EntryKind::Owner,
            text(record.owner_id),
            text(owner),
        ),
    ];
    let changes: Vec<Change> = candidates
        .into_iter()
        .filter(|(_, _, before, after)| before != after)
        .map(|(column, kind, before, after)| Change {
            column,
            numeric: matches!(column, "threat_id" | "people" | "owner_id"),
            kind,
            before,
            after,
        })
        .collect();
    if changes.is_empty() {
        return Ok(false);
    }
    let mut tx = permit.write(app).await?;
    store::apply(&mut tx, id, "incident.triage", &changes, "").await?;
    tx.commit().await?;
    Ok(true)
}

/// The active account with `login` that may handle incidents (the owner of one).
async fn handler_by_login(app: &App, login: &str) -> Result<i64, Failure> {
    let refused = || Failure::invalid(FieldProblem::new("owner", "incident.error.owner"));
    let login = user_input::login(login).map_err(|_| refused())?;
    let user = mamori_store::users::find_by_login(app.store(), &login)
        .await?
        .filter(|u| u.active)
        .ok_or_else(refused)?;
    let holder = Acting::user(app, user.clone(), None, today()).await?;
    if holder.may(Register::Incidents, Act::Edit) {
        Ok(user.id)
    } else {
        Err(refused())
    }
}

/// Moves an open incident to another stage (closing has its own use case).
pub async fn set_stage(app: &App, acting: &Acting, id: i64, stage: &str) -> Result<bool, Failure> {
    let (permit, record) = handled(app, acting, id, "incident.stage").await?;
    if record.stage == Stage::Closed {
        return Err(closed());
    }
    let stage = Stage::parse(stage.trim())
        .filter(|s| Stage::open_stages().contains(s))
        .ok_or_else(|| Failure::invalid(FieldProblem::new("stage", "incident.error.stage")))?;
    if stage == record.stage {
        return Ok(false);
    }
    let change = Change {
        column: "stage",
        numeric: false,
        kind: EntryKind::Stage,
        before: Some(record.stage.as_str().to_owned()),
        after: Some(stage.as_str().to_owned()),
    };
    let mut tx = permit.write(app).await?;
    store::apply(&mut tx, id, "incident.stage", &[change], "").await?;
    tx.commit().await?;
    Ok(true)
}

/// Closes an incident: a summary and the cause are required.
pub async fn close(
    app: &App,
    acting: &Acting,
    id: i64,
    summary: &str,
    cause: &str,
) -> Result<(), Failure> {
    let (permit, record) = handled(app, acting, id, "incident.close").await?;
    if record.stage == Stage::Closed {
        return Err(Failure::conflict(
            "invalid_state",
            "incident.error.already_closed",
        ));
    }
    let (summary, cause) = rules::check_closing(summary, cause)?;
    let mut tx = permit.write(app).await?;
    store::close(&mut tx, &record, &summary, &cause).await?;
    tx.commit().await?;
    Ok(())
}

/// Reopens a closed incident at 初動対応, with the reason.
pub async fn reopen(app: &App, acting: &Acting, id: i64, reason: &str) -> Result<(), Failure> {
    let (permit, record) = handled(app, acting, id, "incident.reopen").await?;
    if record.stage != Stage::Closed {
        return Err(Failure::conflict(
            "invalid_state",
            "incident.error.not_closed",
        ));
    }
    let reason = rules::check_text("reason", reason)?;
    let mut tx = permit.write(app).await?;
    store::reopen(&mut tx, &record, Stage::FirstResponse, &reason).await?;
    tx.commit().await?;
    Ok(())
}

/// Shares the incident with someone who must help (they then see all of it, and are
/// told at once).
pub async fn share(app: &App, acting: &Acting, id: i64, login: &str) -> Result<(), Failure> {
    let (permit, record) = handled(app, acting, id, "incident.share").await?;
    let unknown = || Failure::invalid(FieldProblem::new("login", "incident.error.share_login"));
    let login = user_input::login(login).map_err(|_| unknown())?;
    let user = mamori_store::users::find_by_login(app.store(), &login)
        .await?
        .filter(|u| u.active)
        .ok_or_else(unknown)?;
    let mut tx = permit.write(app).await?;
    match store::share(&mut tx, id, user.id, &user.display_name).await {
        Err(StoreError::Conflict(_)) => {
            return Err(Failure::invalid(FieldProblem::new(
                "login",
                "incident.error.already_shared",
            )));
        }
        other => other?,
    }
    notifications::notify(
        &mut tx,
        Notice {
            recipients: vec![user.id],
            kind: NoticeKind::Incident,
            title: format!("{} {}", record.number, record.title),
            link: format!("/incidents/{id}"),
            urgent: true,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The active accounts a report may be entered for (empty for those who report only
/// for themselves).
pub async fn reporters(
    app: &App,
    acting: &Acting,
) -> Result<Vec<mamori_store::users::User>, Failure> {
    if !may_report_for_others(acting) {
        return Ok(Vec::new());
    }
    let mut users = crate::users::active_accounts(app).await?;
    users.retain(|u| u.role != Role::Contractor);
    Ok(users)
}

/// The incidents not closed that the acting person sees, for their home page: every
/// open one for those who see all, their own (and shared) ones for everyone else.
pub async fn open_for(app: &App, acting: &Acting) -> Result<Vec<Listed>, Failure> {
    if !acting.may(Register::Incidents, Act::Read) {
        return Ok(Vec::new());
    }
    let query = ListQuery {
        open_only: true,
        ..ListQuery::default()
    };
    Ok(list(app, acting, &query).await?.rows)
}

/// The name of an asset a report may name (one the acting person sees), for the form.
pub async fn asset_name(app: &App, acting: &Acting, id: i64) -> Result<Option<String>, Failure> {
    match mamori_store::assets::get(app.store(), acting.viewer(), id).await {
        Ok(asset) => Ok(Some(asset.name)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
