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
    let mut found = Vec::new();
    for id in super::holders(app, Asked::Deciders(register)).await? {
        if Some(id) == acting.user_id() {
            continue;
        }
        let user = mamori_store::users::get(app.store(), id).await?;
        found.push(Decider {
            id,
            name: user.display_name,
        });
    }
    found.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(found)
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
