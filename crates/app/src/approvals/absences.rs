//! Absences (不在) with a named deputy (代理決裁者): a person marks themselves absent for a
//! period, or the administrator does it for them; while every holder of what a request
//! asks is absent, their deputy decides it on their behalf.

use mamori_domain::access::{Act, Register};
use mamori_domain::approval::AbsenceInput;
use mamori_domain::field::FieldProblem;
use mamori_domain::user::LoginId;
use mamori_store::StoreError;
use mamori_store::approvals::{self as store, AbsenceRecord, NewAbsence};

use crate::{Acting, App, Failure, today};

/// An absence as typed: for whom (an id, or a login id; neither: oneself), the deputy's
/// login id, the period.
#[derive(Debug, Clone, Default)]
pub struct AbsenceForm {
    pub user_id: Option<i64>,
    pub user_login: String,
    pub deputy: String,
    pub input: AbsenceInput,
}

/// Whether `acting` may mark `user_id` absent or call that off: themselves, or the
/// administrator of user accounts for anyone.
fn may_act_for(acting: &Acting, user_id: i64) -> bool {
    acting.user_id() == Some(user_id) || acting.may(Register::Users, Act::Edit)
}

fn denied() -> Failure {
    Failure::Denied {
        register: Register::Approvals,
        act: Act::Edit,
    }
}

/// Marks a person absent with a deputy; returns the absence.
pub async fn add_absence(
    app: &App,
    acting: &Acting,
    form: &AbsenceForm,
) -> Result<AbsenceRecord, Failure> {
    let permit = app
        .permit(acting, Register::Approvals, Act::Edit, "approvals.absence")
        .await?;
    let login = form.user_login.trim();
    if !login.is_empty() && !acting.may(Register::Users, Act::Edit) {
        app.record_denial(acting, "approvals.absence").await;
        return Err(denied());
    }
    let named = match login {
        "" => None,
        login => Some(active_user(app, login).await?.ok_or_else(|| {
            Failure::invalid(FieldProblem::new("user", "approval.error.user_unknown"))
        })?),
    };
    let Some(user_id) = form.user_id.or(named).or(acting.user_id()) else {
        return Err(Failure::invalid(FieldProblem::new(
            "user_id",
            "field.error.required",
        )));
    };
    if !may_act_for(acting, user_id) {
        app.record_denial(acting, "approvals.absence").await;
        return Err(denied());
    }
    mamori_store::users::get(app.store(), user_id).await?;
    let deputy = active_user(app, &form.deputy).await?;
    let checked = form.input.check(user_id, deputy, today())?;
    let deputy_id = deputy.unwrap_or_default();
    let mut tx = permit.write(app).await?;
    let id = store::add_absence(
        &mut tx,
        NewAbsence {
            user_id,
            deputy_id,
            starts_on: checked.starts_on,
            ends_on: checked.ends_on,
            note: &checked.note,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(store::absence(app.store(), id).await?)
}

/// The id of the active user with login id `login`, if there is one.
async fn active_user(app: &App, login: &str) -> Result<Option<i64>, Failure> {
    let Ok(login) = LoginId::parse(login) else {
        return Ok(None);
    };
    Ok(mamori_store::users::find_by_login(app.store(), &login)
        .await?
        .filter(|u| u.active)
        .map(|u| u.id))
}

/// Every absence from today on, for the administrator (who marks others absent).
pub async fn all_absences(app: &App, acting: &Acting) -> Result<Vec<AbsenceRecord>, Failure> {
    app.permit(acting, Register::Users, Act::Edit, "approvals.absences_all")
        .await?;
    Ok(store::absences_from(app.store(), today()).await?)
}

/// Calls off an absence (kept, marked called off).
pub async fn cancel_absence(app: &App, acting: &Acting, id: i64) -> Result<AbsenceRecord, Failure> {
    let permit = app
        .permit(
            acting,
            Register::Approvals,
            Act::Edit,
            "approvals.absence_cancel",
        )
        .await?;
    let absence = store::absence(app.store(), id).await?;
    if !may_act_for(acting, absence.user_id) {
        // Someone else's absence is none of their business: not found, recorded.
        app.record_denial(acting, "approvals.absence_cancel").await;
        return Err(Failure::NotFound);
    }
    let mut tx = permit.write(app).await?;
    match store::cancel_absence(&mut tx, id).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(Failure::conflict(
                "already_cancelled",
                "approval.error.absence_cancelled",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(store::absence(app.store(), id).await?)
}

/// The absences of `user_id` (or of the acting person) and those where they stand in as
/// deputy, from today on.
pub async fn absences(
    app: &App,
    acting: &Acting,
    user_id: Option<i64>,
) -> Result<Vec<AbsenceRecord>, Failure> {
    app.permit(acting, Register::Approvals, Act::Read, "approvals.absences")
        .await?;
    let Some(user_id) = user_id.or(acting.user_id()) else {
        return Ok(Vec::new());
    };
    if !may_act_for(acting, user_id) {
        app.record_denial(acting, "approvals.absences").await;
        return Err(denied());
    }
    Ok(store::absences_of(app.store(), user_id, today()).await?)
}
