//! Fixtures of the plain-words tests: an account as an administrator makes it (its
//! password never changed since), which the store-level `add_user` does not give.

use crate::{PASSWORD, TestServer};
use mamori_domain::user::{LoginId, Role, UserType};

/// A new account that must set its own password at its first sign-in (password
/// [`PASSWORD`], never changed: `password_changed_at` is empty), returning its id.
pub async fn add_new_account(server: &TestServer, login: &str, role: Role) -> i64 {
    let login_id = LoginId::parse(login).expect("login");
    let hash = mamori_store::password::hash(PASSWORD).await.expect("hash");
    let mut tx = server
        .store
        .write(mamori_store::Actor::system("test"))
        .await
        .expect("write");
    let id = mamori_store::users::create(
        &mut tx,
        mamori_store::users::NewUser {
            login: &login_id,
            display_name: login,
            role,
            user_type: UserType::Member,
            password_hash: &hash,
            must_change_password: true,
        },
    )
    .await
    .expect("create user");
    tx.commit().await.expect("commit");
    id
}
