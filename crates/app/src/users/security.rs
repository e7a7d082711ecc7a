//! Installation-wide security settings, for administrators: the system roles that must
//! use a second factor, and logins locked after failed sign-ins.

use mamori_domain::access::{Act, Register};
use mamori_domain::user::Role;
use mamori_domain::user_input::unknown_value;
use mamori_store::settings::{self, MFA_REQUIRED_ROLES};
use mamori_store::{AuditEntry, users};
use time::OffsetDateTime;

use crate::{Acting, App, Failure};

use super::Lockout;

/// The roles that must use a second factor (read by sign-in, so no access check).
pub async fn mfa_required_roles(app: &App) -> Result<Vec<Role>, Failure> {
    let value = settings::get(app.store(), MFA_REQUIRED_ROLES).await?;
    let value = value.unwrap_or_default();
    value
        .split(',')
        .filter(|code| !code.is_empty())
        .map(|code| {
            Ok(mamori_store::decode(
                "settings",
                MFA_REQUIRED_ROLES,
                "value",
                code,
                Role::parse,
            )?)
        })
        .collect()
}

/// What the security page shows.
#[derive(Debug, Clone)]
pub struct SecuritySettings {
    /// In the order of [`Role::ALL`].
    pub mfa_required: Vec<Role>,
    /// Logins with failed attempts; `locked_until` only while the lock holds.
    pub lockouts: Vec<Lockout>,
}

pub async fn security_settings(app: &App, acting: &Acting) -> Result<SecuritySettings, Failure> {
    app.permit(acting, Register::Security, Act::Read, "admin.security")
        .await?;
    let now = OffsetDateTime::now_utc();
    let lockouts = users::with_failures(app.store())
        .await?
        .into_iter()
        .map(|mut l| {
            l.locked_until = l.locked_until.filter(|t| *t > now);
            l
        })
        .collect();
    Ok(SecuritySettings {
        mfa_required: mfa_required_roles(app).await?,
        lockouts,
    })
}

/// Sets the roles that must use a second factor; returns them in [`Role::ALL`] order.
/// Saving is recorded even when nothing changed: it is a deliberate act.
pub async fn set_mfa_required_roles<S: AsRef<str>>(
    app: &App,
    acting: &Acting,
    codes: &[S],
) -> Result<Vec<Role>, Failure> {
    let permit = app
        .permit(acting, Register::Security, Act::Edit, "admin.security")
        .await?;
    let mut roles = Vec::new();
    for code in codes {
        let code = code.as_ref().trim();
        let role = Role::parse(code).ok_or_else(|| {
            let all: Vec<&'static str> = Role::ALL.iter().map(|r| r.as_str()).collect();
            Failure::invalid(unknown_value("roles", code, &all))
        })?;
        roles.push(role);
    }
    let roles: Vec<Role> = Role::ALL
        .into_iter()
        .filter(|r| roles.contains(r))
        .collect();
    let value = roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let mut tx = permit.write(app).await?;
    settings::set(&mut tx, MFA_REQUIRED_ROLES, &value).await?;
    tx.audit(
        AuditEntry::new("setting.update", "setting")
            .target(MFA_REQUIRED_ROLES)
            .change("saved", None::<&str>, &value),
    )
    .await?;
    tx.commit().await?;
    Ok(roles)
}

/// Lifts the lock of a login and forgets its failed attempts.
pub async fn lift_lockout(app: &App, acting: &Acting, user_id: i64) -> Result<(), Failure> {
    let permit = app
        .permit(acting, Register::Security, Act::Edit, "admin.security")
        .await?;
    users::get(app.store(), user_id).await?;
    let mut tx = permit.write(app).await?;
    users::clear_failures(&mut tx, user_id).await?;
    tx.audit(AuditEntry::new("auth.lockout_lifted", "user").target(user_id))
        .await?;
    tx.commit().await?;
    Ok(())
}
