//! User accounts, managed by administrators: the list, one user, adding one, changing
//! one (deactivation instead of deletion), their organisational posts, and resetting a
//! password or a lost second factor. The security settings (MFA-required roles, locked
//! logins) are in [`security`].

pub mod security;

use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use mamori_domain::user::Role;
use mamori_domain::user_input::{self, NewUserInput, UserEdit, UserEditInput};
use mamori_store::users::{self as store, NewUser, UserChanges};
use mamori_store::{StoreError, sessions};

use crate::{Acting, App, Failure, Refusal};

pub use mamori_store::users::{Lockout, User, UserSummary};

/// Users per page of the list, unless asked otherwise.
pub const PER_PAGE: u32 = 50;

/// A page of users in 五十音順 (by reading, then name), with their posts and MFA state, and the total.
pub async fn list_users(
    app: &App,
    acting: &Acting,
    limit: i64,
    offset: i64,
) -> Result<(Vec<UserSummary>, i64), Failure> {
    app.permit(acting, Register::Users, Act::Read, "users.list")
        .await?;
    Ok(store::list_summaries(app.store(), limit, offset).await?)
}

/// One user, with posts and MFA state. `what` names the page or route for a refusal.
pub async fn get_user(
    app: &App,
    acting: &Acting,
    id: i64,
    what: &str,
) -> Result<UserSummary, Failure> {
    app.permit(acting, Register::Users, Act::Read, what).await?;
    Ok(store::summary(app.store(), id).await?)
}

/// The active user with `login`, if any.
pub async fn active_user_by_login(
    app: &App,
    acting: &Acting,
    login: &str,
) -> Result<Option<User>, Failure> {
    app.permit(acting, Register::Users, Act::Read, "users.show")
        .await?;
    let login = user_input::login(login).map_err(Failure::invalid)?;
    Ok(store::find_by_login(app.store(), &login)
        .await?
        .filter(|u| u.active))
}

/// Every active account in 五十音順, for the registers that choose a person (who leaves
/// in a term change, who called in an incident); each register decides who may ask.
pub(crate) async fn active_accounts(app: &App) -> Result<Vec<User>, Failure> {
    let (users, _) = store::list(app.store(), i64::from(u16::MAX), 0).await?;
    Ok(users.into_iter().filter(|u| u.active).collect())
}

/// The refusal of a login that is already taken.
pub fn login_taken() -> Refusal {
    Refusal::new("conflict", "error.conflict_login")
}

/// Adds a user, who must change the password at first sign-in. A taken login is a
/// [`Failure::Conflict`] with [`login_taken`].
pub async fn create_user(app: &App, acting: &Acting, input: NewUserInput) -> Result<i64, Failure> {
    create_user_with(app, acting, input, true).await
}

/// Adds a user; `must_change_password` is false only when the person who will use the
/// account typed the password themself (`mamori user add` at the server's console).
pub async fn create_user_with(
    app: &App,
    acting: &Acting,
    input: NewUserInput,
    must_change_password: bool,
) -> Result<i64, Failure> {
    let permit = app
        .permit(acting, Register::Users, Act::Edit, "users.create")
        .await?;
    let valid = input.check()?;
    if store::find_by_login(app.store(), &valid.login)
        .await?
        .is_some()
    {
        return Err(Failure::Conflict(login_taken()));
    }
    crate::organisation::check_posts_given_today(app, None, &valid.org_roles).await?;
    // Hashing takes a while: done before the write lock is taken.
    let hash = mamori_store::password::hash(&input.password).await?;
    let mut tx = permit.write(app).await?;
    let created = store::create(
        &mut tx,
        NewUser {
            login: &valid.login,
            display_name: &valid.display_name,
            reading: valid.reading.as_deref(),
            role: valid.role,
            user_type: valid.user_type,
            password_hash: &hash,
            must_change_password,
        },
    )
    .await;
    let id = match created {
        Ok(id) => id,
        Err(StoreError::Conflict("login")) => return Err(Failure::Conflict(login_taken())),
        Err(e) => return Err(e.into()),
    };
    store::set_org_roles(&mut tx, id, &valid.org_roles).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a user; returns whether anything changed. Administrators cannot deactivate
/// themselves or give up their own administrator role, and at least one active
/// administrator always remains.
pub async fn update_user(
    app: &App,
    acting: &Acting,
    id: i64,
    input: UserEditInput,
) -> Result<bool, Failure> {
    let permit = app
        .permit(acting, Register::Users, Act::Edit, "users.update")
        .await?;
    let target = store::summary(app.store(), id).await?;
    let edit = input.check(acting.user_id(), id)?;
    let changes = changes_from(&target, edit);
    if no_changes(&changes) {
        return Ok(false);
    }
    if let Some(roles) = &changes.org_roles {
        crate::organisation::check_posts_given_today(app, Some(id), roles).await?;
    }
    let user = &target.user;
    let loses_admin = user.role == Role::Admin
        && user.active
        && (changes.role.is_some_and(|r| r != Role::Admin) || changes.active == Some(false));
    let mut tx = permit.write(app).await?;
    if loses_admin && store::active_admins_except(&mut tx, id).await? == 0 {
        let field = if changes.active == Some(false) {
            "active"
        } else {
            "role"
        };
        // Dropping the transaction rolls it back; nothing was written.
        return Err(Failure::invalid(FieldProblem::new(
            field,
            "users.error.last_admin",
        )));
    }
    store::update(app.store(), &mut tx, id, changes).await?;
    tx.commit().await?;
    Ok(true)
}

/// Replaces the organisational posts a user holds (CISO, 統括情報セキュリティ責任者…);
/// returns whether they changed.
pub async fn set_posts(
    app: &App,
    acting: &Acting,
    id: i64,
    posts: &[String],
) -> Result<bool, Failure> {
    update_user(
        app,
        acting,
        id,
        UserEditInput {
            org_roles: Some(posts.to_vec()),
            ..UserEditInput::default()
        },
    )
    .await
}

/// Only what differs from the stored user; empty when nothing changes.
fn changes_from(current: &UserSummary, edit: UserEdit) -> UserChanges {
    let user = &current.user;
    UserChanges {
        display_name: edit.display_name.filter(|n| *n != user.display_name),
        reading: edit.reading.filter(|r| *r != user.reading),
        role: edit.role.filter(|r| *r != user.role),
        user_type: edit.user_type.filter(|t| *t != user.user_type),
        active: edit.active.filter(|a| *a != user.active),
        org_roles: edit.org_roles.filter(|r| *r != current.org_roles),
    }
}

fn no_changes(changes: &UserChanges) -> bool {
    changes.display_name.is_none()
        && changes.reading.is_none()
        && changes.role.is_none()
        && changes.user_type.is_none()
        && changes.active.is_none()
        && changes.org_roles.is_none()
}

/// A password an administrator chooses for someone else.
#[derive(Debug, Clone, Default)]
pub struct PasswordReset {
    pub new_password: String,
    /// Typed again, where the form asks for it.
    pub confirm: Option<String>,
}

/// Sets a new password the user must change at next sign-in, and ends their sessions.
/// An administrator changes their own password on their account page instead.
pub async fn reset_password(
    app: &App,
    acting: &Acting,
    id: i64,
    input: PasswordReset,
) -> Result<(), Failure> {
    let permit = app
        .permit(acting, Register::Users, Act::Edit, "users.password_reset")
        .await?;
    let target = store::get(app.store(), id).await?;
    if acting.user_id() == Some(id) {
        return Err(Failure::invalid(FieldProblem::new(
            "new_password",
            "users.error.self_password",
        )));
    }
    user_input::password_twice(
        "new_password",
        "new_password_confirm",
        &target.login,
        &input.new_password,
        input.confirm.as_deref(),
    )
    .map_err(Failure::invalid)?;
    let hash = mamori_store::password::hash(&input.new_password).await?;
    let mut tx = permit.write(app).await?;
    store::set_password(&mut tx, id, &hash, true, "user.password_reset").await?;
    // The old password is no longer trusted: neither are the sessions it opened.
    sessions::end_all_for_user(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Turns off the second factor of a user who lost their device. `confirmed` is the
/// administrator's explicit confirmation (the API call is one).
pub async fn reset_mfa(
    app: &App,
    acting: &Acting,
    id: i64,
    confirmed: bool,
) -> Result<(), Failure> {
    let permit = app
        .permit(acting, Register::Users, Act::Edit, "users.mfa_reset")
        .await?;
    let target = store::summary(app.store(), id).await?;
    let refused = |key| Err(Failure::invalid(FieldProblem::new("mfa_confirm", key)));
    if acting.user_id() == Some(id) {
        return refused("users.error.self_mfa");
    }
    if !target.mfa_enabled {
        return refused("users.error.mfa_off");
    }
    if !confirmed {
        return refused("users.error.mfa_confirm");
    }
    let mut tx = permit.write(app).await?;
    store::disable_totp(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}
