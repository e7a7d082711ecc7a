//! First-run setup: the assembly's name and the first administrator, once. Whoever
//! holds the one-time setup token (checked by the caller) acts; two setups racing
//! create one administrator.

use mamori_domain::field::{FieldProblem, Problems};
use mamori_domain::text;
use mamori_domain::user::{Role, UserType};
use mamori_domain::user_input;
use mamori_store::{Actor, AuditEntry, settings, users};

use crate::{App, Failure, Refusal};

/// The longest assembly name.
pub const ORGANISATION_NAME_MAX: usize = 100;

/// What the setup form sends.
#[derive(Debug, Clone, Default)]
pub struct SetupInput {
    pub organisation: String,
    pub display_name: String,
    pub login: String,
    pub password: String,
    pub password_confirm: String,
}

/// The refusal once an administrator exists.
pub fn complete() -> Refusal {
    Refusal::new("setup_complete", "setup.error.complete")
}

/// Whether setup is still open: no active administrator exists.
pub async fn is_open(app: &App) -> Result<bool, Failure> {
    Ok(!users::active_admin_exists(app.store()).await?)
}

/// Sets the assembly up; returns (organisation, login) as stored.
pub async fn complete_setup(
    app: &App,
    client_addr: Option<String>,
    input: SetupInput,
) -> Result<(String, String), Failure> {
    let mut problems = Problems::new();
    let organisation = text::single_line(&input.organisation, ORGANISATION_NAME_MAX)
        .map_err(|p| problems.push(FieldProblem::text("organisation", p)))
        .ok();
    let display_name = user_input::display_name(&input.display_name)
        .map_err(|p| problems.push(p))
        .ok();
    let login = user_input::login(&input.login)
        .map_err(|p| problems.push(p))
        .ok();
    let login_text = login.as_ref().map_or("", |l| l.as_str());
    if let Err(p) = user_input::password_twice(
        "password",
        "password_confirm",
        login_text,
        &input.password,
        Some(&input.password_confirm),
    ) {
        problems.push(p);
    }
    let (Some(organisation), Some(display_name), Some(login), true) =
        (organisation, display_name, login, problems.is_empty())
    else {
        return Err(Failure::Invalid(problems.into_vec()));
    };
    let password_hash = mamori_store::password::hash(&input.password).await?;
    let actor = Actor {
        user_id: None,
        label: "setup".to_owned(),
        client_addr,
    };
    let mut tx = app.store().write(actor).await?;
    // Checked again under the write lock: two setups racing create one administrator.
    if users::active_admin_exists_in(&mut tx).await? {
        return Err(Failure::Conflict(complete()));
    }
    settings::set(&mut tx, settings::ORGANISATION_NAME, &organisation).await?;
    users::create(
        &mut tx,
        users::NewUser {
            login: &login,
            display_name: &display_name,
            reading: None,
            role: Role::Admin,
            user_type: UserType::Staff,
            password_hash: &password_hash,
            must_change_password: false,
        },
    )
    .await?;
    tx.audit(AuditEntry::new("setup.complete", "organisation").change(
        "organisation",
        None::<&str>,
        &organisation,
    ))
    .await?;
    tx.commit().await?;
    Ok((organisation, login.as_str().to_owned()))
}
