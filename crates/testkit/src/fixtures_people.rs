//! Fixtures of the people area: users holding organisational posts, a second factor
//! set up, a login locked after failed sign-ins.

use mamori_domain::user::{OrgRole, Role};
use mamori_store::{Actor, users};

use crate::TestServer;

/// A TOTP secret for fixtures (base32 of "Hello!\xde\xad\xbe\xef").
pub const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP";

/// A new active user with `role` holding `posts` (from today), returning its id.
pub async fn user_with_posts(
    server: &TestServer,
    login: &str,
    role: Role,
    posts: &[OrgRole],
) -> i64 {
    let id = server.add_user(login, role).await;
    let mut tx = server
        .store
        .write(Actor::system("test"))
        .await
        .expect("write");
    users::set_org_roles(&mut tx, id, posts)
        .await
        .expect("posts");
    tx.commit().await.expect("commit");
    id
}

/// Sets up a second factor for `user_id` (no recovery codes).
pub async fn with_mfa(server: &TestServer, user_id: i64) {
    let mut tx = server
        .store
        .write(Actor::system("test"))
        .await
        .expect("write");
    users::enable_totp(&mut tx, user_id, TOTP_SECRET, 1, &[])
        .await
        .expect("enable TOTP");
    tx.commit().await.expect("commit");
}

/// Locks `user_id` for an hour after `failures` failed sign-ins.
pub async fn locked(server: &TestServer, user_id: i64, failures: u32) {
    let until = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    let mut tx = server
        .store
        .write(Actor::system("test"))
        .await
        .expect("write");
    for n in 1..=failures {
        let lock = (n == failures).then_some(until);
        users::record_failure(&mut tx, user_id, lock)
            .await
            .expect("failure");
    }
    tx.commit().await.expect("commit");
}

impl TestServer {
    /// `client` (already signed in) as a [`crate::Web`] client of this server.
    pub fn web(&self, client: &reqwest::Client) -> crate::Web<'_> {
        crate::Web {
            server: self,
            client: client.clone(),
        }
    }
}
