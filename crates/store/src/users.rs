//! User accounts. Users are deactivated, never deleted.

use mamori_domain::user::{LoginId, Role, UserType};
use serde::Serialize;
use sqlx::Row;

use crate::{AuditEntry, Result, Store, StoreError, WriteTx};

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub user_type: UserType,
    pub active: bool,
    pub must_change_password: bool,
    pub locale: Option<String>,
    pub date_style: Option<String>,
    pub created_at: String,
}

/// A user to create. The password is hashed by the caller (see [`crate::password`]).
pub struct NewUser<'a> {
    pub login: &'a LoginId,
    pub display_name: &'a str,
    pub role: Role,
    pub user_type: UserType,
    pub password_hash: &'a str,
}

pub async fn create(tx: &mut WriteTx, user: NewUser<'_>) -> Result<i64> {
    let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE login = $1")
        .bind(user.login.as_str().to_owned())
        .fetch_one(&mut *tx.tx)
        .await?;
    if taken > 0 {
        return Err(StoreError::Conflict("login"));
    }
    let now = crate::now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (login, display_name, role, user_type, password_hash, \
         must_change_password, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 0, 1, $6, $6) RETURNING id",
    )
    .bind(user.login.as_str().to_owned())
    .bind(user.display_name.to_owned())
    .bind(user.role.as_str())
    .bind(user.user_type.as_str())
    .bind(user.password_hash.to_owned())
    .bind(now)
    .fetch_one(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("user.create", "user")
            .target(id)
            .change("login", None::<&str>, user.login.as_str())
            .change("display_name", None::<&str>, user.display_name)
            .change("role", None::<&str>, user.role.as_str())
            .change("user_type", None::<&str>, user.user_type.as_str()),
    )
    .await?;
    Ok(id)
}

/// Whether an active administrator exists: until one does, first-run setup stays open.
pub async fn active_admin_exists(store: &Store) -> Result<bool> {
    Ok(admin_count(store.pool()).await? > 0)
}

/// The same check inside a write, so two setups racing cannot both create the first admin.
pub async fn active_admin_exists_in(tx: &mut WriteTx) -> Result<bool> {
    Ok(admin_count(&mut *tx.tx).await? > 0)
}

async fn admin_count<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(executor: E) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1")
            .fetch_one(executor)
            .await?,
    )
}

pub async fn count(store: &Store) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE active = 1")
            .fetch_one(store.pool())
            .await?,
    )
}

pub async fn find_by_login(store: &Store, login: &LoginId) -> Result<Option<User>> {
    let row = sqlx::query(
        "SELECT id, login, display_name, role, user_type, active, must_change_password, locale, \
         date_style, created_at FROM users WHERE login = $1",
    )
    .bind(login.as_str().to_owned())
    .fetch_optional(store.pool())
    .await?;
    row.map(|row| user_from_row(&row)).transpose()
}

/// The stored password hash, for sign-in.
pub async fn password_hash(store: &Store, user_id: i64) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(store.pool())
            .await?,
    )
}

fn user_from_row(row: &sqlx::any::AnyRow) -> Result<User> {
    let role: String = row.try_get("role")?;
    let user_type: String = row.try_get("user_type")?;
    Ok(User {
        id: row.try_get("id")?,
        login: row.try_get("login")?,
        display_name: row.try_get("display_name")?,
        // The columns only ever receive values written from these enums.
        role: Role::parse(&role).unwrap_or(Role::User),
        user_type: UserType::parse(&user_type).unwrap_or(UserType::Other),
        active: row.try_get::<i64, _>("active")? != 0,
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        locale: row.try_get("locale")?,
        date_style: row.try_get("date_style")?,
        created_at: row.try_get("created_at")?,
    })
}
