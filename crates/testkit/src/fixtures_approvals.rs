//! Fixtures of the approval block for tests that set a decision up around the pages
//! (a risk acceptance decided long ago, say): a request opened and decided in the store,
//! as the block would have written it, and posts and absences given directly.

use mamori_domain::approval::{Asked, State};
use mamori_domain::record::RecordRef;
use mamori_domain::user::OrgRole;
use mamori_store::Store;
use mamori_store::approvals::{self, Decided, NewRequest};

fn system() -> mamori_store::Actor {
    mamori_store::Actor::system("test")
}

/// Opens a pending request about `subject` (held by `parent`), asking `asked`.
pub async fn open_request(store: &Store, subject: RecordRef, parent: i64, asked: Asked) -> i64 {
    let mut tx = store.write(system()).await.expect("write");
    let id = approvals::open(
        &mut tx,
        NewRequest {
            subject,
            subject_parent_id: Some(parent),
            title: "fixture",
            asked,
            note: "",
            due_on: None,
        },
    )
    .await
    .expect("open a request");
    tx.commit().await.expect("commit");
    id
}

/// Decides the pending request about `subject` as the store would record it.
pub async fn decide_subject(
    store: &Store,
    subject: RecordRef,
    state: State,
    decided_on: time::Date,
) {
    let request = approvals::for_subject(store, subject)
        .await
        .expect("requests")
        .into_iter()
        .find(|r| r.state == State::Pending)
        .expect("a pending request");
    let mut tx = store.write(system()).await.expect("write");
    approvals::decide(
        &mut tx,
        request.id,
        Decided {
            state,
            decided_by: None,
            on_behalf_of: None,
            decided_on,
            reason: "",
            minute_ref: "",
        },
    )
    .await
    .expect("decide");
    tx.commit().await.expect("commit");
}

/// Gives user `id` these posts, whatever their role.
pub async fn hold_posts(store: &Store, id: i64, posts: &[OrgRole]) {
    let mut tx = store.write(system()).await.expect("write");
    mamori_store::users::set_org_roles(&mut tx, id, posts)
        .await
        .expect("set the posts");
    tx.commit().await.expect("commit");
}

/// The request about `kind`/`id` among those waiting for the caller (their API list).
pub async fn waiting_for(web: &crate::Web<'_>, kind: &str, id: i64) -> Option<serde_json::Value> {
    let lists = web.json("/api/v1/approvals").await;
    lists["waiting"]
        .as_array()
        .expect("the waiting list")
        .iter()
        .find(|r| r["subject_kind"] == kind && r["subject_id"] == id)
        .cloned()
}
