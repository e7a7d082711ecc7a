//! User accounts. Users are deactivated, never deleted.

use mamori_domain::user::{LoginId, OrgRole, Role, UserType};
use mamori_domain::wareki::{DateStyle, Lang};
use sqlx::{AssertSqlSafe, Row};
use time::{Date, OffsetDateTime};

use crate::{AuditEntry, Result, Store, StoreError, WriteTx};

/// The columns [`user_from_row`] reads, in every query of a user.
macro_rules! user_columns {
    () => {
        "id, login, display_name, reading, role, user_type, active, must_change_password, \
         locale, date_style, created_at, password_changed_at"
    };
}
pub(crate) use user_columns;

#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    /// ふりがな in hiragana, if given: user lists and person choices sort by it.
    pub reading: Option<String>,
    pub role: Role,
    pub user_type: UserType,
    pub active: bool,
    pub must_change_password: bool,
    /// When the password was last set, by the person or by an administrator's reset;
    /// absent: never since the account was made (the first sign-in is still to come).
    pub password_changed_at: Option<OffsetDateTime>,
    /// The language the user chose; absent: the browser's.
    pub locale: Option<Lang>,
    pub date_style: Option<DateStyle>,
    pub created_at: OffsetDateTime,
}

/// The one order of people in lists and choices (五十音順): by reading (hiragana, whose
/// code-point order is the syllabary's, on both backends), then name, then login. People
/// without a reading come after those with one, by name: where they belong in 五十音順
/// is not known, and an administrator who sees them at the end knows whom to complete.
pub const PERSON_ORDER: &str =
    "CASE WHEN reading IS NULL THEN 1 ELSE 0 END, reading, display_name, login";

/// The stored code of a language.
pub fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::Ja => "ja",
        Lang::En => "en",
    }
}

pub fn parse_lang(code: &str) -> Option<Lang> {
    match code {
        "ja" => Some(Lang::Ja),
        "en" => Some(Lang::En),
        _ => None,
    }
}

/// The stored code of a date style.
pub fn date_style_code(style: DateStyle) -> &'static str {
    match style {
        DateStyle::Wareki => "wareki",
        DateStyle::Gregorian => "gregorian",
    }
}

pub fn parse_date_style(code: &str) -> Option<DateStyle> {
    match code {
        "wareki" => Some(DateStyle::Wareki),
        "gregorian" => Some(DateStyle::Gregorian),
        _ => None,
    }
}

/// A user to create. The password is hashed by the caller (see [`crate::password`]).
pub struct NewUser<'a> {
    pub login: &'a LoginId,
    pub display_name: &'a str,
    pub reading: Option<&'a str>,
    pub role: Role,
    pub user_type: UserType,
    pub password_hash: &'a str,
    /// Set when someone other than the user chose the password (an administrator).
    pub must_change_password: bool,
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
         must_change_password, active, created_at, updated_at, reading, starts_on) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7, $8, $9) RETURNING id",
    )
    .bind(user.login.as_str().to_owned())
    .bind(user.display_name.to_owned())
    .bind(user.role.as_str())
    .bind(user.user_type.as_str())
    .bind(user.password_hash.to_owned())
    .bind(i64::from(user.must_change_password))
    .bind(now)
    .bind(user.reading.map(str::to_owned))
    // Service begins the day the account is made unless the register says otherwise.
    .bind(crate::date_text(crate::japan_today()))
    .fetch_one(&mut *tx.tx)
    .await?;
    tx.audit(
        AuditEntry::new("user.create", "user")
            .target(id)
            .change("login", None::<&str>, user.login.as_str())
            .change("display_name", None::<&str>, user.display_name)
            .change("reading", None::<&str>, user.reading)
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
    let row = sqlx::query(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE login = $1"
    ))
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

pub(crate) fn user_from_row(row: &sqlx::any::AnyRow) -> Result<User> {
    let id: i64 = row.try_get("id")?;
    let role: String = row.try_get("role")?;
    let user_type: String = row.try_get("user_type")?;
    let locale: Option<String> = row.try_get("locale")?;
    let date_style: Option<String> = row.try_get("date_style")?;
    let created_at: String = row.try_get("created_at")?;
    let password_changed_at: Option<String> = row.try_get("password_changed_at")?;
    Ok(User {
        id,
        login: row.try_get("login")?,
        display_name: row.try_get("display_name")?,
        reading: row.try_get("reading")?,
        role: crate::decode("users", id, "role", &role, Role::parse)?,
        user_type: crate::decode("users", id, "user_type", &user_type, UserType::parse)?,
        active: row.try_get::<i64, _>("active")? != 0,
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        password_changed_at: password_changed_at
            .map(|t| crate::decode_timestamp("users", id, "password_changed_at", &t))
            .transpose()?,
        locale: locale
            .map(|l| crate::decode("users", id, "locale", &l, parse_lang))
            .transpose()?,
        date_style: date_style
            .map(|d| crate::decode("users", id, "date_style", &d, parse_date_style))
            .transpose()?,
        created_at: crate::decode_timestamp("users", id, "created_at", &created_at)?,
    })
}

/// What sign-in needs to know about an account.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    pub failed_attempts: i64,
    pub locked_until: Option<OffsetDateTime>,
    pub totp_secret: Option<String>,
    pub totp_last_step: Option<i64>,
}

pub async fn credentials(store: &Store, login: &LoginId) -> Result<Option<Credentials>> {
    let row = sqlx::query(concat!(
        "SELECT ",
        user_columns!(),
        ", password_hash, failed_attempts, locked_until, totp_secret, totp_last_step \
             FROM users WHERE login = $1"
    ))
    .bind(login.as_str().to_owned())
    .fetch_optional(store.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let user = user_from_row(&row)?;
    let locked_until = locked_until(&row, user.id)?;
    Ok(Some(Credentials {
        user,
        password_hash: row.try_get("password_hash")?,
        failed_attempts: row.try_get("failed_attempts")?,
        locked_until,
        totp_secret: row.try_get("totp_secret")?,
        totp_last_step: row.try_get("totp_last_step")?,
    }))
}

fn locked_until(row: &sqlx::any::AnyRow, id: i64) -> Result<Option<OffsetDateTime>> {
    let text: Option<String> = row.try_get("locked_until")?;
    text.map(|t| crate::decode_timestamp("users", id, "locked_until", &t))
        .transpose()
}

pub async fn get(store: &Store, id: i64) -> Result<User> {
    let row = sqlx::query(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    user_from_row(&row)
}

/// The TOTP state of a user: (base32 secret, last used step).
pub async fn totp_state(store: &Store, id: i64) -> Result<(Option<String>, Option<i64>)> {
    let row = sqlx::query("SELECT totp_secret, totp_last_step FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok((row.try_get("totp_secret")?, row.try_get("totp_last_step")?))
}

/// Counts a failed sign-in; locks the login until `lock_until` when given.
pub async fn record_failure(
    tx: &mut WriteTx,
    id: i64,
    lock_until: Option<OffsetDateTime>,
) -> Result<()> {
    let lock_until = lock_until.map(crate::timestamp_text);
    sqlx::query(
        "UPDATE users SET failed_attempts = failed_attempts + 1, \
         locked_until = COALESCE($1, locked_until) WHERE id = $2",
    )
    .bind(lock_until.clone())
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    if let Some(until) = lock_until {
        tx.audit(AuditEntry::new("auth.lockout", "user").target(id).change(
            "locked_until",
            None::<&str>,
            &until,
        ))
        .await?;
    }
    Ok(())
}

/// Clears the failure count after a successful sign-in or when an administrator lifts a lock.
pub async fn clear_failures(tx: &mut WriteTx, id: i64) -> Result<()> {
    sqlx::query("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = $1")
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// A login with failed attempts counting towards a lock, or locked.
#[derive(Debug, Clone)]
pub struct Lockout {
    pub user: User,
    pub failures: i64,
    pub locked_until: Option<OffsetDateTime>,
}

/// Accounts locked now, or with failed attempts counting towards a lock.
pub async fn with_failures(store: &Store) -> Result<Vec<Lockout>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        concat!(
            "SELECT ",
            user_columns!(),
            ", failed_attempts, locked_until FROM users \
             WHERE failed_attempts > 0 OR locked_until IS NOT NULL ORDER BY {order}"
        ),
        order = PERSON_ORDER
    )))
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let user = user_from_row(row)?;
            Ok(Lockout {
                locked_until: locked_until(row, user.id)?,
                failures: row.try_get("failed_attempts")?,
                user,
            })
        })
        .collect()
}

/// Replaces the password hash. `must_change` is set when an administrator resets it.
pub async fn set_password(
    tx: &mut WriteTx,
    id: i64,
    password_hash: &str,
    must_change: bool,
    action: &'static str,
) -> Result<()> {
    let updated = sqlx::query(
        "UPDATE users SET password_hash = $1, must_change_password = $2, password_changed_at = $3, \
         updated_at = $3, failed_attempts = 0, locked_until = NULL WHERE id = $4",
    )
    .bind(password_hash.to_owned())
    .bind(i64::from(must_change))
    .bind(crate::now_text())
    .bind(id)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(StoreError::NotFound);
    }
    tx.audit(
        AuditEntry::new(action, "user")
            .target(id)
            .change("password", "***", "***")
            .change("must_change_password", None::<bool>, must_change),
    )
    .await
}

/// Stores a confirmed TOTP secret and fresh recovery codes (hashes), replacing old ones.
pub async fn enable_totp(
    tx: &mut WriteTx,
    id: i64,
    secret_base32: &str,
    confirmed_step: i64,
    recovery_hashes: &[String],
) -> Result<()> {
    sqlx::query(
        "UPDATE users SET totp_secret = $1, totp_last_step = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(secret_base32.to_owned())
    .bind(confirmed_step)
    .bind(crate::now_text())
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    for hash in recovery_hashes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(id)
            .bind(hash.clone())
            .execute(&mut *tx.tx)
            .await?;
    }
    tx.audit(
        AuditEntry::new("mfa.enable", "user")
            .target(id)
            .change("totp", false, true),
    )
    .await
}

/// Turns TOTP off (by the user, or an administrator for a user who lost the device).
pub async fn disable_totp(tx: &mut WriteTx, id: i64) -> Result<()> {
    sqlx::query(
        "UPDATE users SET totp_secret = NULL, totp_last_step = NULL, updated_at = $1 WHERE id = $2",
    )
    .bind(crate::now_text())
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    tx.audit(
        AuditEntry::new("mfa.disable", "user")
            .target(id)
            .change("totp", true, false),
    )
    .await
}

/// Records the TOTP step just used; false when it (or a later one) was used already, so a
/// code never works twice, even from two requests racing.
pub async fn consume_totp_step(tx: &mut WriteTx, id: i64, step: i64) -> Result<bool> {
    let updated = sqlx::query(
        "UPDATE users SET totp_last_step = $1 WHERE id = $2 \
         AND (totp_last_step IS NULL OR totp_last_step < $1)",
    )
    .bind(step)
    .bind(id)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    Ok(updated == 1)
}

/// Uses up a recovery code; false when it does not exist or was used.
pub async fn consume_recovery_code(tx: &mut WriteTx, id: i64, code_hash: &str) -> Result<bool> {
    let updated = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(crate::now_text())
    .bind(id)
    .bind(code_hash.to_owned())
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    Ok(updated == 1)
}

pub async fn unused_recovery_codes(store: &Store, id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(id)
    .fetch_one(store.pool())
    .await?)
}

pub async fn org_roles(store: &Store, id: i64) -> Result<Vec<OrgRole>> {
    crate::organisation::roles_on(store, id, crate::japan_today()).await
}

/// The posts `user_id` holds on `day`, from the organisation register's terms.
pub async fn posts_on(store: &Store, user_id: i64, day: Date) -> Result<Vec<OrgRole>> {
    crate::organisation::roles_on(store, user_id, day).await
}

/// A page of users in [`PERSON_ORDER`].
pub async fn list(store: &Store, limit: i64, offset: i64) -> Result<(Vec<User>, i64)> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(store.pool())
        .await?;
    let rows = sqlx::query(AssertSqlSafe(format!(
        concat!(
            "SELECT ",
            user_columns!(),
            " FROM users ORDER BY {order} LIMIT $1 OFFSET $2"
        ),
        order = PERSON_ORDER
    )))
    .bind(limit)
    .bind(offset)
    .fetch_all(store.pool())
    .await?;
    Ok((
        rows.iter().map(user_from_row).collect::<Result<_>>()?,
        total,
    ))
}

/// What an administrator may change about a user. `None` leaves a field as it is.
#[derive(Debug, Default, Clone)]
pub struct UserChanges {
    pub display_name: Option<String>,
    /// `Some(None)` removes the reading.
    pub reading: Option<Option<String>>,
    pub role: Option<Role>,
    pub user_type: Option<UserType>,
    pub active: Option<bool>,
    pub org_roles: Option<Vec<OrgRole>>,
}

/// Applies `changes`, recording each changed field before → after. Deactivation also ends
/// the user's sessions and revokes nothing else: the account and its history stay.
pub async fn update(store: &Store, tx: &mut WriteTx, id: i64, changes: UserChanges) -> Result<()> {
    let before = get(store, id).await?;
    let mut entry = AuditEntry::new("user.update", "user").target(id);
    let now = crate::now_text();
    if let Some(name) = changes.display_name.filter(|n| *n != before.display_name) {
        sqlx::query("UPDATE users SET display_name = $1, updated_at = $2 WHERE id = $3")
            .bind(name.clone())
            .bind(now.clone())
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        entry = entry.change("display_name", &before.display_name, name);
    }
    if let Some(reading) = changes.reading.filter(|r| *r != before.reading) {
        sqlx::query("UPDATE users SET reading = $1, updated_at = $2 WHERE id = $3")
            .bind(reading.clone())
            .bind(now.clone())
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        entry = entry.change("reading", &before.reading, reading);
    }
    if let Some(role) = changes.role.filter(|r| *r != before.role) {
        sqlx::query("UPDATE users SET role = $1, updated_at = $2 WHERE id = $3")
            .bind(role.as_str())
            .bind(now.clone())
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        entry = entry.change("role", before.role.as_str(), role.as_str());
    }
    if let Some(user_type) = changes.user_type.filter(|t| *t != before.user_type) {
        sqlx::query("UPDATE users SET user_type = $1, updated_at = $2 WHERE id = $3")
            .bind(user_type.as_str())
            .bind(now.clone())
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        entry = entry.change("user_type", before.user_type.as_str(), user_type.as_str());
    }
    if let Some(active) = changes.active.filter(|a| *a != before.active) {
        // Closing starts the retention period of the account's personal information.
        sqlx::query(
            "UPDATE users SET active = $1, updated_at = $2, \
             closed_at = CASE WHEN $1 = 0 THEN $2 ELSE NULL END WHERE id = $3",
        )
        .bind(i64::from(active))
        .bind(now.clone())
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
        if !active {
            crate::sessions::end_all_for_user(tx, id).await?;
        }
        entry = entry.change("active", before.active, active);
    }
    if let Some(roles) = changes.org_roles
        && let Some((before, after)) = replace_org_roles(tx, id, &roles).await?
    {
        entry = entry.change("org_roles", before, after);
    }
    tx.audit(entry).await
}

/// Per-user display preferences.
pub async fn set_preferences(
    tx: &mut WriteTx,
    id: i64,
    locale: Option<Lang>,
    date_style: Option<DateStyle>,
) -> Result<()> {
    let locale = locale.map(lang_code);
    let date_style = date_style.map(date_style_code);
    let before = sqlx::query("SELECT locale, date_style FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let old_locale: Option<String> = before.try_get("locale")?;
    let old_style: Option<String> = before.try_get("date_style")?;
    let locale = locale.map(str::to_owned).or(old_locale.clone());
    let date_style = date_style.map(str::to_owned).or(old_style.clone());
    sqlx::query("UPDATE users SET locale = $1, date_style = $2 WHERE id = $3")
        .bind(locale.clone())
        .bind(date_style.clone())
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    tx.audit(
        AuditEntry::new("user.preferences", "user")
            .target(id)
            .change("locale", old_locale, locale)
            .change("date_style", old_style, date_style),
    )
    .await
}

/// One row of the user list: the account, its organisational roles, and whether TOTP is on.
#[derive(Debug, Clone)]
pub struct UserSummary {
    pub user: User,
    pub org_roles: Vec<OrgRole>,
    pub mfa_enabled: bool,
}

/// A page of users in [`PERSON_ORDER`], with their organisational roles and MFA state, and the total.
pub async fn list_summaries(
    store: &Store,
    limit: i64,
    offset: i64,
) -> Result<(Vec<UserSummary>, i64)> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(store.pool())
        .await?;
    let rows = sqlx::query(AssertSqlSafe(format!(
        concat!(
            "SELECT ",
            user_columns!(),
            ", CAST(CASE WHEN totp_secret IS NULL THEN 0 ELSE 1 END AS BIGINT) AS mfa_enabled \
             FROM users ORDER BY {order} LIMIT $1 OFFSET $2"
        ),
        order = PERSON_ORDER,
    )))
    .bind(limit)
    .bind(offset)
    .fetch_all(store.pool())
    .await?;
    let role_rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT DISTINCT h.holder_id, h.role_code FROM ({}) h",
        crate::organisation::roles_held_on()
    )))
    .bind(crate::date_text(crate::japan_today()))
    .fetch_all(store.pool())
    .await?;
    let mut roles: std::collections::HashMap<i64, Vec<OrgRole>> = Default::default();
    for row in &role_rows {
        let name: String = row.try_get("role_code")?;
        let user_id: i64 = row.try_get("holder_id")?;
        let role = crate::decode("org_posts", user_id, "role_code", &name, OrgRole::parse)?;
        roles.entry(user_id).or_default().push(role);
    }
    let items = rows
        .iter()
        .map(|row| {
            let user = user_from_row(row)?;
            let mut org_roles = roles.remove(&user.id).unwrap_or_default();
            org_roles.sort();
            Ok(UserSummary {
                org_roles,
                mfa_enabled: row.try_get::<i64, _>("mfa_enabled")? != 0,
                user,
            })
        })
        .collect::<Result<_>>()?;
    Ok((items, total))
}

/// One user with organisational roles and MFA state.
pub async fn summary(store: &Store, id: i64) -> Result<UserSummary> {
    let user = get(store, id).await?;
    let org_roles = org_roles(store, id).await?;
    let (secret, _) = totp_state(store, id).await?;
    Ok(UserSummary {
        user,
        org_roles,
        mfa_enabled: secret.is_some(),
    })
}

/// Active administrators other than `id`, counted inside a write: a change that would
/// leave none is refused under the write lock, so two administrators demoting each other
/// at the same moment cannot both succeed.
pub async fn active_admins_except(tx: &mut WriteTx, id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1 AND id <> $1",
    )
    .bind(id)
    .fetch_one(&mut *tx.tx)
    .await?)
}

/// Gives and takes back a user's organisational roles from today, inside a write (so it
/// works for a user created in the same transaction), recording before → after: a role
/// given starts a term today; one taken back ends its term yesterday, or is withdrawn if
/// it was given today. The organisation register records terms with other dates.
pub async fn set_org_roles(tx: &mut WriteTx, id: i64, roles: &[OrgRole]) -> Result<()> {
    let Some((before, after)) = replace_org_roles(tx, id, roles).await? else {
        return Ok(());
    };
    tx.audit(
        AuditEntry::new("user.update", "user")
            .target(id)
            .change("org_roles", before, after),
    )
    .await
}

/// Writes `roles` when they differ from those held today; returns (before, after) names.
async fn replace_org_roles(
    tx: &mut WriteTx,
    id: i64,
    roles: &[OrgRole],
) -> Result<Option<(Vec<&'static str>, Vec<&'static str>)>> {
    let today = crate::japan_today();
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT t.id, t.starts_on, p.role_code FROM post_terms t \
         JOIN org_posts p ON p.id = t.post_id WHERE t.holder_id = $2 \
         AND p.role_code IS NOT NULL AND {}",
        crate::organisation::in_force("t", "$1")
    )))
    .bind(crate::date_text(today))
    .bind(id)
    .fetch_all(&mut *tx.tx)
    .await?;
    let mut held: Vec<(i64, String, OrgRole)> = Vec::new();
    for row in &rows {
        let term: i64 = row.try_get("id")?;
        let code: String = row.try_get("role_code")?;
        let role = crate::decode("org_posts", term, "role_code", &code, OrgRole::parse)?;
        held.push((term, row.try_get("starts_on")?, role));
    }
    let mut before: Vec<OrgRole> = held.iter().map(|h| h.2).collect();
    before.sort();
    before.dedup();
    let mut after = roles.to_vec();
    after.sort();
    after.dedup();
    if before == after {
        return Ok(None);
    }
    let today_text = crate::date_text(today);
    for (term, starts_on, role) in &held {
        if after.contains(role) {
            continue;
        }
        if *starts_on >= today_text {
            sqlx::query("DELETE FROM post_terms WHERE id = $1")
                .bind(term)
                .execute(&mut *tx.tx)
                .await?;
        } else {
            sqlx::query("UPDATE post_terms SET ends_on = $1, updated_at = $2 WHERE id = $3")
                .bind(crate::date_text(today.previous_day().unwrap_or(today)))
                .bind(crate::now_text())
                .bind(term)
                .execute(&mut *tx.tx)
                .await?;
        }
    }
    for role in after.iter().filter(|r| !before.contains(r)) {
        let post: i64 = sqlx::query_scalar("SELECT id FROM org_posts WHERE role_code = $1")
            .bind(role.as_str())
            .fetch_one(&mut *tx.tx)
            .await?;
        let term = mamori_domain::organisation::TermInput {
            holder_id: id,
            deputy_id: None,
            starts_on: today,
            ends_on: None,
            note: String::new(),
        };
        crate::organisation::insert_term(tx, post, &term).await?;
    }
    let names = |rs: &[OrgRole]| rs.iter().map(|r| r.as_str()).collect::<Vec<_>>();
    Ok(Some((names(&before), names(&after))))
}
