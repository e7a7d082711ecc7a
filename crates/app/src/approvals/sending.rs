//! Sending a record for 決裁: the sender chooses who decides among the people who hold
//! the register's deciding grant (or leaves it to any of them) and writes them a note.
//! The registers call [`check_send`] before their write and pass the result to
//! `open_in`.

use mamori_domain::access::{Act, Register};
use mamori_domain::approval::{Asked, CheckedSend, SendInput};

use crate::{Acting, App, Failure};

/// A person the sender may choose to decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decider {
    pub id: i64,
    pub name: String,
}

/// The active holders of `register`'s deciding grant, by name, the acting person left
/// out (nobody decides what they sent).
pub async fn deciders(
    app: &App,
    acting: &Acting,
    register: Register,
) -> Result<Vec<Decider>, Failure> {
    app.permit(acting, Register::Approvals, Act::Edit, "approvals.deciders")
        .await?;
    let mut people = Vec::new();
    for id in super::holders(app, Asked::Deciders(register)).await? {
        if Some(id) != acting.user_id() {
            people.push(mamori_store::users::get(app.store(), id).await?);
        }
    }
    // The order of every person choice (五十音順 by reading; no reading last, by name),
    // as the store's PERSON_ORDER sorts lists.
    people.sort_by(|a, b| {
        (a.reading.is_none(), &a.reading, &a.display_name, &a.login).cmp(&(
            b.reading.is_none(),
            &b.reading,
            &b.display_name,
            &b.login,
        ))
    });
    Ok(people
        .into_iter()
        .map(|user| Decider {
            id: user.id,
            name: user.display_name,
        })
        .collect())
}

/// Checks the sender's choice against today's holders of the grant (the domain's rule).
pub(crate) async fn check_send(
    app: &App,
    acting: &Acting,
    register: Register,
    input: &SendInput,
) -> Result<CheckedSend, Failure> {
    let holders = super::holders(app, Asked::Deciders(register)).await?;
    Ok(input.check(register, &holders, acting.user_id())?)
}
