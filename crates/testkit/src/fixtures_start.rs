//! Fixtures for the home page's starting points (issue 13): a policy draft saved from
//! the page without being sent, sending it for 決裁 from its page, the assembly's name.

use crate::{TestServer, Web, location};

/// Saves `text` as a draft of a new basic policy from the import page, as `editor`
/// (the security officer); the version page's path. The draft is not sent for 決裁.
pub async fn saved_draft(editor: &Web<'_>, text: &str) -> String {
    let saved = editor
        .post_form(
            "/policies/import/save",
            &[
                ("kind", "basic_policy"),
                ("document", ""),
                ("source", text),
                ("change_note", "初版"),
            ],
        )
        .await;
    assert_eq!(saved.status().as_u16(), 303, "saved");
    location(&saved)
}

/// Sends the draft at `version` (its page's path) for 決裁 from its page, to the user
/// `decider` (their id, or "" for anyone who may decide), with `note`.
pub async fn send_draft(
    sender: &Web<'_>,
    version: &str,
    decider: &str,
    note: &str,
) -> reqwest::Response {
    sender
        .post_form(
            &format!("{version}/send"),
            &[("decider", decider), ("request_note", note)],
        )
        .await
}

/// Names the assembly, as setup does.
pub async fn name_organisation(server: &TestServer, name: &str) {
    let mut tx = server
        .store
        .write(mamori_store::Actor::system("test"))
        .await
        .expect("write");
    mamori_store::settings::set(&mut tx, mamori_store::settings::ORGANISATION_NAME, name)
        .await
        .expect("the name");
    tx.commit().await.expect("commit");
}
