//! Who gets mail: a person's own mail address and their choice of mail per non-urgent
//! kind (urgent notices are always mailed), and the address an administrator sets on a
//! user's page.

use mamori_domain::access::{Act, Register};
use mamori_domain::field::{FieldProblem, Problems};
use mamori_domain::notice::{self, NoticeKind};
use mamori_store::notifications as store;

use crate::{Acting, App, Failure};

/// One kind and whether mail of it is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindChoice {
    pub kind: NoticeKind,
    pub mail: bool,
}

/// A person's mail settings.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub address: Option<String>,
    /// The kinds the person chooses about (see [`offered_kinds`]), in
    /// [`NoticeKind::ALL`] order.
    pub kinds: Vec<KindChoice>,
}

/// What a person changes; `None` leaves a part as it is.
#[derive(Debug, Clone, Default)]
pub struct MailSettingsInput {
    /// The address as typed; blank removes it.
    pub address: Option<String>,
    /// The codes of the kinds wanted by mail; the kinds not named are not wanted.
    pub wanted: Option<Vec<String>>,
}

fn me(acting: &Acting) -> Result<i64, Failure> {
    acting.user_id().ok_or(Failure::NotFound)
}

/// The kinds the acting person chooses about, in [`NoticeKind::ALL`] order: everything
/// but what is always mailed, and the audit trail's anchor only for its chosen keepers.
pub async fn offered_kinds(app: &App, acting: &Acting) -> Result<Vec<NoticeKind>, Failure> {
    let user_id = me(acting)?;
    let keeps_anchor = crate::audit_anchor::chosen_ids(app)
        .await?
        .contains(&user_id);
    Ok(NoticeKind::ALL
        .into_iter()
        .filter(|kind| kind.is_choice_for(keeps_anchor))
        .collect())
}

pub async fn my_mail_settings(app: &App, acting: &Acting) -> Result<MailSettings, Failure> {
    let user_id = me(acting)?;
    let address = store::mail_address(app.store(), user_id).await?;
    let chosen = store::mail_choices(app.store(), user_id).await?;
    let kinds = offered_kinds(app, acting)
        .await?
        .into_iter()
        .map(|kind| KindChoice {
            kind,
            mail: chosen
                .iter()
                .find(|(k, _)| *k == kind)
                .is_none_or(|(_, wants)| *wants),
        })
        .collect();
    Ok(MailSettings { address, kinds })
}

/// The choice for each kind `offered`: wanted when named by `codes`. A code of no kind is
/// a problem; a kind that is not offered keeps its stored choice, so a person who is
/// later chosen to keep the anchor gets it as the default says.
fn wanted_kinds(
    codes: &[String],
    offered: &[NoticeKind],
) -> Result<Vec<(NoticeKind, bool)>, FieldProblem> {
    for code in codes {
        if NoticeKind::parse(code.trim()).is_none() {
            let known: Vec<&str> = NoticeKind::ALL.iter().map(|k| k.as_str()).collect();
            return Err(FieldProblem::new("wanted", "notify.error.unknown_kind")
                .with("value", code.chars().take(40).collect::<String>())
                .with("choices", known.join(", ")));
        }
    }
    Ok(offered
        .iter()
        .map(|kind| (*kind, codes.iter().any(|c| c.trim() == kind.as_str())))
        .collect())
}

/// Saves the person's own mail address and choices; returns whether anything changed.
/// Each change is audited (`user.mail`, `notify.preferences`).
pub async fn save_my_mail_settings(
    app: &App,
    acting: &Acting,
    input: MailSettingsInput,
) -> Result<bool, Failure> {
    let user_id = me(acting)?;
    let mut problems = Problems::new();
    let address = match input
        .address
        .as_deref()
        .map(|a| notice::mail_address("mail", a))
    {
        Some(Ok(address)) => Some(address),
        Some(Err(problem)) => {
            problems.push(problem);
            None
        }
        None => None,
    };
    let offered = offered_kinds(app, acting).await?;
    let choices = match input.wanted.as_deref().map(|w| wanted_kinds(w, &offered)) {
        Some(Ok(choices)) => Some(choices),
        Some(Err(problem)) => {
            problems.push(problem);
            None
        }
        None => None,
    };
    problems.or(())?;
    // Every signed-in person keeps their own settings: the grant is their own account.
    let mut tx = app.store().write(acting.actor()).await?;
    let mut changed = false;
    if let Some(address) = address {
        changed |= store::set_mail_address(&mut tx, user_id, address.as_deref()).await?;
    }
    if let Some(choices) = choices {
        changed |= store::set_mail_choices(&mut tx, user_id, &choices).await?;
    }
    if changed {
        tx.commit().await?;
    }
    Ok(changed)
}

/// The mail address of user `id`, for an administrator.
pub async fn user_mail(app: &App, acting: &Acting, id: i64) -> Result<Option<String>, Failure> {
    app.permit(acting, Register::Users, Act::Read, "notify.user_mail")
        .await?;
    Ok(store::mail_address(app.store(), id).await?)
}

/// Sets (blank: removes) the mail address of user `id`, by an administrator; returns
/// whether it changed.
pub async fn set_user_mail(
    app: &App,
    acting: &Acting,
    id: i64,
    address: &str,
) -> Result<bool, Failure> {
    let permit = app
        .permit(acting, Register::Users, Act::Edit, "notify.user_mail")
        .await?;
    let address = notice::mail_address("mail", address).map_err(Failure::invalid)?;
    let mut tx = permit.write(app).await?;
    let changed = store::set_mail_address(&mut tx, id, address.as_deref()).await?;
    if changed {
        tx.commit().await?;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_not_named_are_not_wanted() {
        let offered = [NoticeKind::PolicyReminder, NoticeKind::ApprovalDecided];
        let choices = wanted_kinds(
            &["policy_reminder".to_owned(), "audit_anchor".to_owned()],
            &offered,
        )
        .unwrap();
        assert_eq!(
            choices,
            [
                (NoticeKind::PolicyReminder, true),
                (NoticeKind::ApprovalDecided, false)
            ],
            "a kind not offered is left as it is"
        );
        let problem = wanted_kinds(&["gossip".to_owned()], &offered).unwrap_err();
        assert_eq!(problem.key, "notify.error.unknown_kind");
    }
}
