//! A person's own account: their password, their sessions on other devices, and their
//! personal API tokens. Anyone signed in may do these to their own account (and only
//! to it), so no register grant is checked; every change is audited.

use mamori_domain::field::FieldProblem;
use mamori_domain::text;
use mamori_domain::user::OrgRole;
use mamori_store::sessions::{self, Session, Stage};
use mamori_store::{WriteTx, tokens, users};

use crate::{Acting, App, Failure};

pub mod mfa;

pub use mamori_store::tokens::ApiToken;

/// The longest name of an API token.
pub const TOKEN_NAME_MAX: usize = 100;

/// The signed-in user (the command line has no account).
fn own_id(acting: &Acting) -> Result<i64, Failure> {
    acting.user_id().ok_or(Failure::NotFound)
}

/// A write on one's own account.
async fn own_write(app: &App, acting: &Acting) -> Result<WriteTx, Failure> {
    Ok(app.store().write(acting.actor()).await?)
}

/// What the account page shows beyond the user itself.
#[derive(Debug, Clone)]
pub struct AccountOverview {
    pub mfa_enabled: bool,
    pub unused_recovery_codes: i64,
    /// The organisational posts held today.
    pub posts: Vec<OrgRole>,
}

pub async fn overview(app: &App, acting: &Acting) -> Result<AccountOverview, Failure> {
    let id = own_id(acting)?;
    let (secret, _) = users::totp_state(app.store(), id).await?;
    Ok(AccountOverview {
        mfa_enabled: secret.is_some(),
        unused_recovery_codes: users::unused_recovery_codes(app.store(), id).await?,
        posts: acting.posts.clone(),
    })
}

/// A new password, typed with the current one.
#[derive(Debug, Clone, Default)]
pub struct PasswordChange {
    pub current: String,
    pub new_password: String,
    /// Typed again, where the form asks for it.
    pub confirm: Option<String>,
}

/// Changes one's password. Every other session is ended (`keep`: the session the change
/// was made in, if any). A session that had to change its password first moves on to
/// its next stage under a new id: the new stage and cookie token are returned.
pub async fn change_password(
    app: &App,
    acting: &Acting,
    input: PasswordChange,
    keep: Option<&Session>,
) -> Result<Option<(Stage, String)>, Failure> {
    let id = own_id(acting)?;
    let user = users::get(app.store(), id).await?;
    let stored = users::password_hash(app.store(), id)
        .await?
        .unwrap_or_default();
    let mut problems = Vec::new();
    if !mamori_store::password::verify(&input.current, &stored).await {
        problems.push(FieldProblem::new("current", "account.error.current_wrong"));
    }
    let checked = mamori_domain::user_input::password("password", &user.login, &input.new_password);
    if let Err(p) = checked {
        problems.push(p);
    } else if input.new_password == input.current {
        problems.push(FieldProblem::new("password", "account.error.same_password"));
    } else if input
        .confirm
        .as_ref()
        .is_some_and(|c| *c != input.new_password)
    {
        problems.push(FieldProblem::new(
            "password_confirm",
            "password.error.mismatch",
        ));
    }
    if !problems.is_empty() {
        return Err(Failure::Invalid(problems));
    }
    let hash = mamori_store::password::hash(&input.new_password).await?;
    let mut tx = own_write(app, acting).await?;
    users::set_password(&mut tx, id, &hash, false, "user.password_change").await?;
    // Anyone else signed in with the old password is signed out.
    match keep {
        Some(session) => sessions::end_others(&mut tx, id, session.id).await?,
        None => sessions::end_all_for_user(&mut tx, id).await?,
    };
    let advanced = match keep {
        Some(session) if session.stage == Stage::PasswordChange => {
            let (secret, _) = users::totp_state(app.store(), id).await?;
            let required = crate::users::security::mfa_required_roles(app).await?;
            let next = if secret.is_some() {
                Stage::Mfa
            } else if required.contains(&user.role) {
                Stage::MfaEnrol
            } else {
                Stage::Active
            };
            let token = sessions::advance(&mut tx, session, next, "auth.sign_in").await?;
            Some((next, token))
        }
        _ => None,
    };
    tx.commit().await?;
    Ok(advanced)
}

/// One's sessions, the most recently seen first.
pub async fn sessions(app: &App, acting: &Acting) -> Result<Vec<Session>, Failure> {
    let id = own_id(acting)?;
    Ok(sessions::list_for_user(app.store(), id).await?)
}

/// Ends one of one's own sessions (another device, or this one); someone else's is a
/// [`Failure::NotFound`].
pub async fn end_session(app: &App, acting: &Acting, session_id: i64) -> Result<(), Failure> {
    let id = own_id(acting)?;
    let mut tx = own_write(app, acting).await?;
    sessions::end(&mut tx, id, session_id, "session.end").await?;
    tx.commit().await?;
    Ok(())
}

/// One's API tokens, newest first (never the tokens themselves).
pub async fn tokens(app: &App, acting: &Acting) -> Result<Vec<ApiToken>, Failure> {
    let id = own_id(acting)?;
    Ok(tokens::list_for_user(app.store(), id).await?)
}

/// The name of a new token, checked.
pub fn token_name(input: &str) -> Result<String, FieldProblem> {
    text::single_line(input, TOKEN_NAME_MAX).map_err(|p| FieldProblem::text("name", p))
}

/// Creates a token for `user_id` named `name`: (id, the token text to show once).
/// The user themself, or the command line for any user.
pub async fn create_token(
    app: &App,
    acting: &Acting,
    user_id: i64,
    name: &str,
) -> Result<(i64, String), Failure> {
    if !acting.is_system() && acting.user_id() != Some(user_id) {
        return Err(Failure::NotFound);
    }
    let name = token_name(name).map_err(Failure::invalid)?;
    users::get(app.store(), user_id).await?;
    let mut tx = own_write(app, acting).await?;
    let created = tokens::create(&mut tx, user_id, &name).await?;
    tx.commit().await?;
    Ok(created)
}

/// Revokes one of one's own tokens; someone else's is a [`Failure::NotFound`].
pub async fn revoke_token(app: &App, acting: &Acting, token_id: i64) -> Result<(), Failure> {
    let id = own_id(acting)?;
    let mut tx = own_write(app, acting).await?;
    tokens::revoke(&mut tx, id, token_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Keeps one's language and date style for every device.
pub async fn set_preferences(
    app: &App,
    acting: &Acting,
    lang: Option<mamori_domain::wareki::Lang>,
    date_style: Option<mamori_domain::wareki::DateStyle>,
) -> Result<(), Failure> {
    let id = own_id(acting)?;
    let mut tx = own_write(app, acting).await?;
    users::set_preferences(&mut tx, id, lang, date_style).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets (or, with empty text, removes) one's own reading (ふりがな); returns whether it
/// changed. Checked as on the user form: kana only, kept in hiragana.
pub async fn set_reading(app: &App, acting: &Acting, input: &str) -> Result<bool, Failure> {
    let id = own_id(acting)?;
    let reading = mamori_domain::user_input::reading(input).map_err(Failure::invalid)?;
    let user = users::get(app.store(), id).await?;
    if user.reading == reading {
        return Ok(false);
    }
    let mut tx = own_write(app, acting).await?;
    let changes = users::UserChanges {
        reading: Some(reading),
        ..users::UserChanges::default()
    };
    users::update(app.store(), &mut tx, id, changes).await?;
    tx.commit().await?;
    Ok(true)
}
