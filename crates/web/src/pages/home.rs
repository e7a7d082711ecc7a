//! The home page: what waits for the person signed in and what is theirs, the
//! getting-started checklist for those who set the installation up (closed and reopened
//! here), and where the installation stands for administrators.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::http::auth::MaybeSignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::{Layout, render, see_other};
use crate::state::AppState;
use mamori_app::auth::Stage;
use mamori_app::home;
use mamori_app::i18n::Tr;
use mamori_domain::access::{Act, Register};

#[derive(Template)]
#[template(path = "system/home.html")]
struct HomePage {
    t: Tr,
    layout: Layout,
    setup_done: bool,
    backend: &'static str,
    schema_version: i64,
    active_users: i64,
    /// For administrators: the last backup, copy and restore drill, with warnings.
    backups: Vec<BackupLine>,
    /// Published policies this user has yet to acknowledge: (title, link).
    pending_acknowledgements: Vec<(String, String)>,
    /// Pledges (誓約書) waiting for the person's signature.
    pending_pledges: Vec<(String, String)>,
    /// Approval requests (決裁) waiting for this person: (title, link, overdue).
    pending_approvals: Vec<(String, String, bool)>,
    /// Overdue treatment actions and risk acceptances pending or expiring soon, for the
    /// security officer and the CISO.
    risk_attention: RiskAttention,
    /// Unread notices: (text, link).
    notices: Vec<(String, String)>,
    /// Reviews due and corrective actions overdue: (what, link, detail).
    cycle: Vec<(String, String, String)>,
    /// Exceptions ending soon or expired: (rule set aside, link, standing and expiry).
    exceptions: Vec<(String, String, String)>,
    /// Closed records past their retention period, not yet proposed for redaction.
    retention_due: usize,
    /// Awareness notices not read yet, nearest deadline first: (title, link, deadline
    /// text, overdue).
    awareness: Vec<(String, String, String, bool)>,
    /// Training: the person's own standing this 年度 (label key, flagged), the sessions
    /// they are invited to (title, link, when), and for the organisers the people
    /// overdue and not yet trained.
    training_mine: Option<(&'static str, bool)>,
    training_upcoming: Vec<(String, String, String)>,
    training_outstanding: Option<(usize, usize)>,
    /// Incidents not closed: (number and title, link, stage).
    incidents: Vec<(String, String, String)>,
    /// Outside reports overdue: (line, link).
    incident_reports_overdue: Vec<(String, String)>,
    /// Critical services with no alternate staff, for those who keep the plan.
    continuity_uncovered: Option<usize>,
    /// Term changes not finished: (title, link, progress).
    term_changes: Vec<(String, String, String)>,
    /// The assets this person holds: (name, link), and how many in all.
    held: Vec<(String, String)>,
    held_total: i64,
    /// The person's own assets listed in full.
    held_link: String,
    /// Where the installation stands: before setup, and for administrators.
    show_status: bool,
    /// Expired evidence to replace: (attachment title, record title, link).
    expired_files: Vec<(String, String, String)>,
    /// The person's requests sent back or rejected: (title, link, state, reason).
    returned: Vec<(String, String, String, String)>,
    /// The getting-started checklist, while it is shown: (label key, link, done).
    checklist: Vec<(String, &'static str, bool)>,
    /// The checklist was closed but steps are left: a link to reopen it.
    checklist_closed: bool,
}

/// One line of the backup state: what, when it last succeeded, and what is wrong.
pub struct BackupLine {
    pub label: String,
    pub value: String,
    pub warning: Option<String>,
}

fn backup_lines(ctx: &Ctx, status: &mamori_app::backups::BackupStatus) -> Vec<BackupLine> {
    use mamori_app::backups::RunKind;
    let kinds = [
        (RunKind::Backup, "home.backup.daily", status.backup_overdue),
        (RunKind::Copy, "home.backup.copy", status.copy_overdue),
        (RunKind::Drill, "home.backup.drill", status.drill_overdue),
    ];
    kinds
        .into_iter()
        .map(|(kind, label, overdue)| {
            let value = match status.latest.succeeded(kind) {
                Some(run) => ctx.datetime(run.at),
                None if kind == RunKind::Copy && !status.copy_configured => {
                    ctx.tr.t("home.backup.copy_not_set").to_owned()
                }
                None => ctx.tr.t("home.no_backup").to_owned(),
            };
            let failed = status.latest.failed_since(kind).map(|run| {
                ctx.tr.f(
                    "home.backup.failed",
                    &[("at", ctx.datetime(run.at)), ("detail", run.detail.clone())],
                )
            });
            let late = overdue.then(|| match kind {
                RunKind::Drill => ctx.tr.f(
                    "home.backup.drill_overdue",
                    &[("days", status.drill_every_days.to_string())],
                ),
                _ => ctx.tr.t("home.backup.overdue").to_owned(),
            });
            let warning = match (failed, late) {
                (Some(f), Some(l)) => Some(format!("{l} {f}")),
                (f, l) => f.or(l),
            };
            BackupLine {
                label: ctx.tr.t(label).to_owned(),
                value,
                warning,
            }
        })
        .collect()
}

/// One risk needing attention: its title, a link to it, and what is due.
pub struct AttentionItem {
    pub title: String,
    pub link: String,
    pub detail: String,
}

#[derive(Default)]
pub struct RiskAttention {
    pub overdue: Vec<AttentionItem>,
    pub acceptances: Vec<AttentionItem>,
}

impl RiskAttention {
    fn is_empty(&self) -> bool {
        self.overdue.is_empty() && self.acceptances.is_empty()
    }
}

/// The risks to follow up, in the reader's words.
fn risk_attention(ctx: &Ctx, waiting: &home::Waiting, today: time::Date) -> RiskAttention {
    let tr = ctx.tr;
    let separator = tr.t("threat.home.separator");
    let overdue = waiting
        .overdue_actions
        .iter()
        .map(|action| {
            let mut parts = vec![
                action.description.clone(),
                tr.f("threat.home.due", &[("date", ctx.date(action.due_on))]),
            ];
            if let Some(name) = &action.owner_name {
                parts.push(tr.f("threat.home.owner", &[("name", name.clone())]));
            }
            AttentionItem {
                title: action.risk_title.clone(),
                link: format!("/risks/{}", action.risk_id),
                detail: parts.join(separator),
            }
        })
        .collect();
    let acceptances = waiting
        .acceptances
        .iter()
        .map(|acceptance| {
            let date = [("date", ctx.date(acceptance.expires_on))];
            let key = match acceptance.status {
                home::AcceptanceStatus::Pending => "threat.home.pending",
                _ if acceptance.expires_on < today => "threat.home.expired",
                _ => "threat.home.expiring",
            };
            AttentionItem {
                title: acceptance.risk_title.clone(),
                link: format!("/risks/{}", acceptance.risk_id),
                detail: tr.f(key, &date),
            }
        })
        .collect();
    RiskAttention {
        overdue,
        acceptances,
    }
}

/// What the cycle blocks ask of the person, in the reader's words.
fn cycle_items(ctx: &Ctx, waiting: &home::CycleWaiting) -> Vec<(String, String, String)> {
    let reviews = waiting.reviews.iter().map(|s| {
        let view = crate::http::params::cycle::schedule_view(ctx, s);
        let detail = ctx.tr.f(
            "review.home_detail",
            &[
                ("due", view.due),
                ("state", ctx.tr.t(view.state_key).to_owned()),
            ],
        );
        (
            view.subject,
            format!("/reviews/{}/{}", s.subject.kind.as_str(), s.subject.id),
            detail,
        )
    });
    let actions = waiting.overdue_actions.iter().map(|a| {
        let row = crate::http::params::cycle::action_row(ctx, a);
        let detail = ctx.tr.f(
            "action.home_detail",
            &[("due", row.due), ("owner", row.owner)],
        );
        (row.title, format!("/actions/{}", a.id), detail)
    });
    reviews.chain(actions).collect()
}

/// The person's requests sent back or rejected: (title, link, state, reason).
fn returned_items(
    ctx: &Ctx,
    returned: &[mamori_app::approvals::Request],
) -> Vec<(String, String, String, String)> {
    use crate::http::approval_view::{state_key, subject_path};
    returned
        .iter()
        .map(|r| {
            let state = ctx.tr.t(state_key(r.state)).to_owned();
            (r.title.clone(), subject_path(r), state, r.reason.clone())
        })
        .collect()
}

/// The checklist's steps while it is shown: (label key, link, done).
/// The pending acknowledgements of one sort (pledges to sign, or policies to
/// acknowledge), as (title, link).
fn pending_links(pending: &[home::PendingAcknowledgement], pledges: bool) -> Vec<(String, String)> {
    pending
        .iter()
        .filter(|a| a.pledge == pledges)
        .map(|a| {
            let link = format!("/policies/{}/versions/{}", a.document_id, a.version_id);
            (a.title.clone(), link)
        })
        .collect()
}

fn checklist_items(checklist: Option<&home::Checklist>) -> Vec<(String, &'static str, bool)> {
    checklist
        .filter(|c| c.shown())
        .map(|c| {
            c.steps
                .iter()
                .map(|(step, done)| {
                    let key = format!("home.start.step.{}", step.code());
                    (key, step.path(), *done)
                })
                .collect()
        })
        .unwrap_or_default()
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    MaybeSignedIn(principal): MaybeSignedIn,
) -> Result<Response, AppError> {
    let installation = home::installation(&state.app).await?;
    let signed_in = principal
        .as_ref()
        .filter(|p| p.session.as_ref().is_none_or(|s| s.stage == Stage::Active));
    // Before setup the page explains what to do; after it, only signed-in users see status.
    if installation.setup_done && signed_in.is_none() {
        let pending = principal
            .as_ref()
            .and_then(|p| p.session.as_ref())
            .map(|s| s.stage);
        return Ok(see_other(&match pending {
            Some(stage) => crate::http::sign_in::stage_home(stage, "/"),
            None => "/login".to_owned(),
        }));
    }
    let layout = Layout::load(&state, "home", "/", signed_in).await;
    let backups = match signed_in {
        Some(p) if p.acting.may(Register::Security, Act::Read) => {
            let status =
                mamori_app::backups::status(&state.app, &p.acting, &state.config.backups).await?;
            backup_lines(&ctx, &status)
        }
        _ => Vec::new(),
    };
    let today = mamori_app::today();
    let waiting = match signed_in {
        Some(p) => home::waiting(&state.app, &p.acting, today).await?,
        None => home::Waiting::default(),
    };
    let checklist = match signed_in {
        Some(p) if home::sets_up(&p.acting) => {
            Some(home::getting_started(&state.app, &p.acting).await?)
        }
        _ => None,
    };
    let page = HomePage {
        returned: returned_items(&ctx, &waiting.returned),
        checklist: checklist_items(checklist.as_ref()),
        checklist_closed: checklist
            .as_ref()
            .is_some_and(|c| c.dismissed && !c.all_done()),
        pending_acknowledgements: pending_links(&waiting.acknowledgements, false),
        pending_pledges: pending_links(&waiting.acknowledgements, true),
        pending_approvals: waiting
            .approvals
            .iter()
            .map(|s| {
                let r = &s.request;
                (r.title.clone(), format!("/approvals/{}", r.id), s.overdue)
            })
            .collect(),
        risk_attention: risk_attention(&ctx, &waiting, today),
        notices: waiting
            .notices
            .iter()
            .map(|n| {
                (
                    mamori_app::notifications::notice_text(&ctx.tr, n),
                    n.link.clone(),
                )
            })
            .collect(),
        cycle: cycle_items(&ctx, &waiting.cycle),
        exceptions: waiting
            .exceptions
            .iter()
            .map(|l| {
                (
                    l.record.rule.clone(),
                    format!("/exceptions/{}", l.record.id),
                    format!(
                        "{}{}{}",
                        ctx.tr.t(l.standing.label_key()),
                        ctx.tr.t("punct.dot"),
                        ctx.tr.f(
                            "exception.expires",
                            &[("date", ctx.date(l.record.expires_on))]
                        )
                    ),
                )
            })
            .collect(),
        retention_due: waiting.retention_due.len(),
        awareness: waiting
            .awareness
            .iter()
            .map(|l| {
                (
                    l.record.title.clone(),
                    format!("/awareness/{}", l.record.id),
                    l.record
                        .due_on
                        .map(|d| ctx.tr.f("awareness.due", &[("date", ctx.date(d))]))
                        .unwrap_or_default(),
                    l.mine == Some(mamori_domain::awareness::ReadStanding::Overdue),
                )
            })
            .collect(),
        training_mine: waiting.training_standing.map(|s| {
            let overall = s.overall();
            (
                overall.label_key(),
                overall == mamori_domain::training::Coverage::Overdue,
            )
        }),
        training_upcoming: waiting
            .training_upcoming
            .iter()
            .map(|s| {
                (
                    s.course_title.clone(),
                    format!("/training/sessions/{}", s.id),
                    crate::http::labels::session_when(&ctx, s),
                )
            })
            .collect(),
        training_outstanding: waiting
            .training_outstanding
            .as_ref()
            .map(|o| (o.overdue.len(), o.due)),
        continuity_uncovered: waiting.continuity_uncovered,
        incidents: waiting
            .incidents
            .iter()
            .map(|l| {
                (
                    format!("{} {}", l.record.number, l.record.title),
                    format!("/incidents/{}", l.record.id),
                    ctx.tr.t(&l.record.stage.label_key()).to_owned(),
                )
            })
            .collect(),
        incident_reports_overdue: super::incident_reports::home_lines(
            &ctx,
            &waiting.incident_reports_overdue,
        ),
        term_changes: waiting
            .term_changes
            .iter()
            .map(|s| {
                (
                    s.change.title.clone(),
                    format!("/term-changes/{}", s.change.id),
                    ctx.tr.f(
                        "term_change.home_progress",
                        &[
                            ("date", ctx.date(s.change.effective_on)),
                            ("done", s.people_done.to_string()),
                            ("all", s.people.to_string()),
                        ],
                    ),
                )
            })
            .collect(),
        expired_files: waiting
            .expired_files
            .iter()
            .map(|(a, seen)| {
                (
                    a.title.clone(),
                    seen.title.clone(),
                    format!("/files/{}", a.id),
                )
            })
            .collect(),
        held: waiting
            .held
            .iter()
            .map(|(id, name)| (name.clone(), format!("/assets/{id}")))
            .collect(),
        held_total: waiting.held_total,
        held_link: signed_in
            .and_then(|p| p.acting.user_id())
            .map(|id| format!("/assets?holder={id}"))
            .unwrap_or_default(),
        // Members and staff are shown their work; the installation is the administrator's.
        show_status: !installation.setup_done
            || signed_in.is_some_and(|p| p.acting.may(Register::Security, Act::Read)),
        t: ctx.tr,
        layout,
        setup_done: installation.setup_done,
        backend: installation.backend,
        schema_version: installation.schema_version,
        active_users: installation.active_users,
        backups,
    };
    render(StatusCode::OK, &page)
}

/// Closes the getting-started checklist for the installation (この案内を閉じる).
pub async fn dismiss_getting_started(
    State(state): State<AppState>,
    signed: crate::http::auth::SignedIn,
) -> Result<Response, AppError> {
    home::set_getting_started_dismissed(&state.app, &signed.0.acting, true).await?;
    Ok(see_other("/"))
}

/// Shows the checklist on the home page again.
pub async fn reopen_getting_started(
    State(state): State<AppState>,
    signed: crate::http::auth::SignedIn,
) -> Result<Response, AppError> {
    home::set_getting_started_dismissed(&state.app, &signed.0.acting, false).await?;
    Ok(see_other("/#getting-started"))
}
