//! Who acts, and the capability a use case must hold before it writes.

use mamori_domain::access::{Act, Holder, Register};
use mamori_domain::user::{OrgRole, Role};
use mamori_store::assets::Viewer;
use mamori_store::users::User;
use mamori_store::{Actor, AuditEntry, WriteTx};
use time::Date;

use crate::{App, Failure};

/// The person (or the command line) behind a use case, with the posts they hold on the
/// day it runs.
#[derive(Debug, Clone)]
pub struct Acting {
    /// Absent for the command line and mamori's own scheduled work.
    pub user: Option<User>,
    pub posts: Vec<OrgRole>,
    /// The client address of a web request.
    pub client: Option<String>,
    label: String,
}

impl Acting {
    /// A signed-in user, with the posts they hold on `day` (their organisational roles;
    /// terms and deputies come with the organisation register).
    pub async fn user(
        app: &App,
        user: User,
        client: Option<String>,
        day: Date,
    ) -> Result<Acting, Failure> {
        let posts = posts_on(app, user.id, day).await?;
        Ok(Acting {
            label: user.login.clone(),
            user: Some(user),
            posts,
            client,
        })
    }

    /// The command line, run by whoever administers the server (who can read the
    /// database file anyway): every grant holds, and the audit trail names `label`.
    pub fn system(label: &str) -> Acting {
        Acting {
            user: None,
            posts: Vec::new(),
            client: None,
            label: label.to_owned(),
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        self.user.as_ref().map(|u| u.id)
    }

    pub fn role(&self) -> Option<Role> {
        self.user.as_ref().map(|u| u.role)
    }

    pub fn is_system(&self) -> bool {
        self.user.is_none()
    }

    /// How the audit trail names this person.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.user_id(),
            label: self.label.clone(),
            client_addr: self.client.clone(),
        }
    }

    /// Whether the declared grants allow `act` on `register` (no record is written).
    /// For showing or hiding what a page offers; use cases call [`App::permit`].
    pub fn may(&self, register: Register, act: Act) -> bool {
        match &self.user {
            None => true,
            Some(user) => Holder {
                role: user.role,
                posts: &self.posts,
            }
            .may(register, act),
        }
    }

    /// What this person may see of the asset register.
    pub fn viewer(&self) -> Viewer {
        match &self.user {
            None => Viewer::everything(),
            Some(user) => Viewer {
                user_id: Some(user.id),
                sees_restricted: self.may(Register::Assets, Act::SeeAll),
            },
        }
    }
}

/// The posts `user_id` holds on `day`. Today every organisational role is held from the
/// day it was given; the organisation register adds terms and deputies.
async fn posts_on(app: &App, user_id: i64, day: Date) -> Result<Vec<OrgRole>, Failure> {
    Ok(mamori_store::users::posts_on(app.store(), user_id, day).await?)
}

/// Proof that an access check passed: only [`App::permit`] makes one, and
/// [`Permit::write`] is the way a use case opens a write.
#[derive(Debug)]
pub struct Permit<'a> {
    acting: &'a Acting,
    pub register: Register,
    pub act: Act,
}

impl Permit<'_> {
    pub fn acting(&self) -> &Acting {
        self.acting
    }

    /// Opens a write transaction as the permitted person. It refuses to commit without
    /// an audit entry.
    pub async fn write(&self, app: &App) -> Result<WriteTx, Failure> {
        Ok(app.store().write(self.acting.actor()).await?)
    }
}

impl App {
    /// Checks the declared grant for `act` on `register`. A refusal is recorded in the
    /// audit trail (`access.denied`, naming `what`) and returned as [`Failure::Denied`].
    pub async fn permit<'a>(
        &self,
        acting: &'a Acting,
        register: Register,
        act: Act,
        what: &str,
    ) -> Result<Permit<'a>, Failure> {
        if acting.may(register, act) {
            return Ok(Permit {
                acting,
                register,
                act,
            });
        }
        self.record_denial(acting, what).await;
        Err(Failure::Denied { register, act })
    }

    /// Records a refusal decided elsewhere (a record the person may not see).
    pub async fn record_denial(&self, acting: &Acting, what: &str) {
        let recorded = async {
            let mut tx = self.store().write(acting.actor()).await?;
            tx.audit(AuditEntry::new("access.denied", "route").target(what))
                .await?;
            tx.commit().await
        }
        .await;
        if let Err(e) = recorded {
            tracing::error!(error = %e, "could not record a denial");
        }
    }
}
