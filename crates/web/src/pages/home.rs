//! The home page: the organisation and where its installation stands.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::http::auth::MaybeSignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::{Layout, render, see_other};
use crate::state::AppState;
use mamori_app::i18n::Tr;
use mamori_store::sessions::Stage;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    t: Tr,
    layout: Layout,
    setup_done: bool,
    backend: &'static str,
    schema_version: i64,
    active_users: i64,
    last_backup: Option<String>,
    /// Published policies this user has yet to acknowledge: (title, link).
    pending_acknowledgements: Vec<(String, String)>,
    /// Take-outs waiting for this approver's decision: (asset name, link).
    pending_takeouts: Vec<(String, String)>,
    /// Overdue treatment actions and risk acceptances pending or expiring soon, for the
    /// security officer and the CISO.
    risk_attention: RiskAttention,
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

/// How far ahead expiring acceptances are shown.
const ACCEPTANCE_NOTICE_DAYS: i64 = 30;

/// What the security officer (who keeps the register) and the CISO (who accepts risks)
/// must follow up: treatment actions past their due date, acceptances waiting for a
/// decision, and acceptances expiring within [`ACCEPTANCE_NOTICE_DAYS`] days.
async fn risk_attention(
    state: &AppState,
    ctx: &Ctx,
    principal: &crate::http::auth::Principal,
) -> Result<RiskAttention, AppError> {
    use mamori_domain::access::{Act, Register};
    let acting = &principal.acting;
    if !acting.may(Register::Risks, Act::Edit) && !acting.may(Register::Risks, Act::Decide) {
        return Ok(RiskAttention::default());
    }
    let today = time::OffsetDateTime::now_utc()
        .to_offset(mamori_domain::wareki::JST)
        .date();
    let until = today + time::Duration::days(ACCEPTANCE_NOTICE_DAYS);
    let tr = ctx.tr;
    let separator = tr.t("threat.home.separator");
    let overdue = mamori_store::risks::overdue_actions(&state.store, today)
        .await?
        .into_iter()
        .map(|action| {
            let mut parts = vec![
                action.description.clone(),
                tr.f("threat.home.due", &[("date", ctx.date(action.due_on))]),
            ];
            if let Some(name) = action.owner_name {
                parts.push(tr.f("threat.home.owner", &[("name", name)]));
            }
            AttentionItem {
                title: action.risk_title,
                link: format!("/risks/{}", action.risk_id),
                detail: parts.join(separator),
            }
        })
        .collect();
    let acceptances = mamori_store::risks::acceptances_needing_attention(&state.store, until)
        .await?
        .into_iter()
        .map(|acceptance| {
            let date = [("date", ctx.date(acceptance.expires_on))];
            let key = match acceptance.status {
                mamori_store::risks::AcceptanceStatus::Pending => "threat.home.pending",
                _ if acceptance.expires_on < today => "threat.home.expired",
                _ => "threat.home.expiring",
            };
            AttentionItem {
                title: acceptance.risk_title,
                link: format!("/risks/{}", acceptance.risk_id),
                detail: tr.f(key, &date),
            }
        })
        .collect();
    Ok(RiskAttention {
        overdue,
        acceptances,
    })
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    MaybeSignedIn(principal): MaybeSignedIn,
) -> Result<Response, AppError> {
    let setup_done = mamori_store::users::active_admin_exists(&state.store).await?;
    let signed_in = principal
        .as_ref()
        .filter(|p| p.session.as_ref().is_none_or(|s| s.stage == Stage::Active));
    // Before setup the page explains what to do; after it, only signed-in users see status.
    if setup_done && signed_in.is_none() {
        let pending = principal
            .as_ref()
            .and_then(|p| p.session.as_ref())
            .map(|s| s.stage);
        return Ok(see_other(&match pending {
            Some(stage) => crate::pages::login::stage_home(stage, "/"),
            None => "/login".to_owned(),
        }));
    }
    let layout = Layout::load(&state, "home", "/", signed_in).await;
    let last_backup =
        crate::backups::latest_daily(&state.config.data_dir).map(|at| ctx.datetime(at));
    let pending_acknowledgements = match signed_in {
        Some(p) => mamori_store::policies::pending_for_user(&state.store, p.user.id)
            .await?
            .into_iter()
            .map(|(document, version)| {
                (
                    version.title,
                    format!("/policies/{}/versions/{}", document.id, version.id),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let pending_takeouts = match signed_in {
        Some(p) if crate::pages::assets::APPROVERS.contains(&p.user.role) => {
            let viewer = mamori_store::assets::Viewer {
                user_id: Some(p.user.id),
                sees_restricted: crate::pages::assets::OVERSEERS.contains(&p.user.role),
            };
            mamori_store::assets::pending_approvals(&state.store, viewer)
                .await?
                .into_iter()
                // Nobody decides their own request: those wait for someone else.
                .filter(|(event, _)| event.recorded_by_id != Some(p.user.id))
                .map(|(event, name)| (name, format!("/assets/{}#events", event.asset_id)))
                .collect()
        }
        _ => Vec::new(),
    };
    let risk_attention = match signed_in {
        Some(p) => risk_attention(&state, &ctx, p).await?,
        None => RiskAttention::default(),
    };
    let page = HomePage {
        pending_acknowledgements,
        pending_takeouts,
        risk_attention,
        t: ctx.tr,
        layout,
        setup_done,
        backend: state.store.backend().name(),
        schema_version: state.store.schema_version().await?,
        active_users: mamori_store::users::count(&state.store).await?,
        last_backup,
    };
    render(StatusCode::OK, &page)
}
