//! Who is asking, as each request is authenticated: an API token or a session cookie
//! resolved to an active user, sessions kept alive or discarded, and the refusals the
//! web's guards record (cross-site requests).

use mamori_domain::session::SessionPolicy;
use mamori_store::{AuditEntry, sessions, tokens, users};
use time::OffsetDateTime;

use crate::{Acting, App, Failure};

pub use mamori_store::sessions::{Session, Stage};
pub use mamori_store::users::User;

/// The active user a live (not revoked) API token belongs to, noting its use.
pub async fn user_by_token(app: &App, token: &str) -> Result<Option<User>, Failure> {
    let Some(user_id) = tokens::authenticate(app.store(), token).await? else {
        return Ok(None);
    };
    match users::get(app.store(), user_id).await {
        Ok(user) if user.active => Ok(Some(user)),
        Ok(_) | Err(mamori_store::StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The live session a cookie token names, with its active user. An expired session, or
/// one of a deactivated user, is discarded; a live one is kept alive (once a minute is
/// precise enough for a 30-minute idle timeout). Bookkeeping, not changes of record:
/// no audit entry.
pub async fn live_session(
    app: &App,
    token: &str,
    policy: &SessionPolicy,
) -> Result<Option<(User, Session)>, Failure> {
    let store = app.store();
    let Some(session) = sessions::find_by_token(store, token).await? else {
        return Ok(None);
    };
    let now = OffsetDateTime::now_utc();
    let live = policy.is_live(session.created_at, session.last_seen_at, now);
    let user = users::get(store, session.user_id).await?;
    if !live || !user.active {
        sessions::discard(store, session.id).await?;
        return Ok(None);
    }
    if now - session.last_seen_at > time::Duration::seconds(60) {
        sessions::touch(store, session.id).await?;
    }
    Ok(Some((user, session)))
}

/// Records a state-changing request refused as cross-site (`why`: which check refused).
pub async fn record_csrf_refusal(app: &App, acting: &Acting, why: &str) {
    let recorded = async {
        let mut tx = app.store().write(acting.actor()).await?;
        tx.audit(AuditEntry::new("access.csrf_refused", "request").target(why))
            .await?;
        tx.commit().await
    }
    .await;
    if let Err(e) = recorded {
        tracing::error!(error = %e, "could not record a refused cross-site request");
    }
}

/// Whether first-run setup is still open: no active administrator exists.
pub async fn setup_open(app: &App) -> Result<bool, Failure> {
    Ok(!users::active_admin_exists(app.store()).await?)
}
