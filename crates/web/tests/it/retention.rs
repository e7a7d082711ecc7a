//! Retention of personal information (issue 16 item 5) on both backends: a closed
//! account past its period is proposed for redaction, the CISO approves it through the
//! approval block, its mail address and reading leave the record and the audit trail,
//! and the chain still verifies — fully, from a checkpoint and against an anchor —
//! while a forged "redaction" breaks it.

use mamori_app::Acting;
use mamori_app::retention::{self, PeriodsForm, ProposedRecord};
use mamori_domain::user::{OrgRole, Role};
use mamori_store::audit::{self, AuditRecord, ChainBreak};
use mamori_store::audit_checks::{self, AnchorCheck};
use mamori_testkit::fixtures_notify::set_my_mail;
use mamori_testkit::fixtures_people::user_with_posts;
use mamori_testkit::{TestServer, backend_test};
use serde_json::json;

const MAIL: &str = "taishoku.taro@example.jp";
const READING: &str = "たいしょくたろう";

/// A member whose term has ended: mail address set by themselves, reading set by the
/// administrator, account closed by the administrator long ago.
async fn closed_member(server: &TestServer) -> i64 {
    let (_, admin) = server.web_as("kanri", Role::Admin).await;
    let id = server.add_user("taishoku", Role::User).await;
    let member = server.web(&server.sign_in("taishoku").await);
    set_my_mail(&member, MAIL).await;
    let changed = admin
        .patch_json(
            &format!("/api/v1/users/{id}"),
            &json!({ "reading": READING }),
        )
        .await;
    assert_eq!(changed.status().as_u16(), 200);
    let closed = admin
        .patch_json(&format!("/api/v1/users/{id}"), &json!({ "active": false }))
        .await;
    assert_eq!(closed.status().as_u16(), 200);
    server
        .db
        .execute(&format!(
            "UPDATE users SET closed_at = '2020-03-31T03:00:00Z' WHERE id = {id}"
        ))
        .await;
    id
}

/// An entry as a release before schema 22 wrote it (format 1: the chain covers the text),
/// appended at the head of the chain.
async fn legacy_entry(server: &TestServer, user_id: i64) {
    let prev = audit_checks::head(&server.store)
        .await
        .unwrap()
        .unwrap()
        .hash;
    let record = AuditRecord {
        id: 0,
        at: mamori_store::now_text(),
        actor_id: None,
        actor_label: "old-release".to_owned(),
        client_addr: None,
        action: "user.mail".to_owned(),
        target_type: "user".to_owned(),
        target_id: Some(user_id.to_string()),
        changes: json!({ "mail": [null, MAIL] }).to_string(),
        format: 1,
        original_digest: None,
        redacted_by: None,
    };
    let hash = audit::seal(&prev, &record);
    server
        .db
        .execute(&format!(
            "INSERT INTO audit_log (at, actor_label, action, target_type, target_id, changes, \
             prev_hash, hash, format) VALUES ('{}', 'old-release', 'user.mail', 'user', '{}', \
             '{}', '{}', '{}', 1)",
            record.at, user_id, record.changes, prev, hash
        ))
        .await;
}

async fn request_for(server: &TestServer, redaction: i64) -> i64 {
    server
        .db
        .number(&format!(
            "SELECT id FROM approval_requests WHERE subject_kind = 'redaction' \
             AND subject_id = {redaction} AND state = 'pending'"
        ))
        .await
}

fn account(id: i64) -> Vec<ProposedRecord> {
    vec![ProposedRecord {
        kind: "account".to_owned(),
        id,
    }]
}

/// Entries about the account that still show its mail address or reading.
async fn entries_showing_personal(server: &TestServer, user_id: i64) -> Vec<AuditRecord> {
    let (records, _) = audit::search(
        &server.store,
        &audit::AuditFilter {
            target_type: Some("user".to_owned()),
            target_id: Some(user_id.to_string()),
            ..Default::default()
        },
        1000,
        0,
    )
    .await
    .unwrap();
    records
        .into_iter()
        .filter(|r| r.changes.contains(MAIL) || r.changes.contains(READING))
        .collect()
}

backend_test!(
    async fn an_approved_redaction_removes_personal_fields_and_the_chain_still_verifies(backend) {
        let server = TestServer::start(backend).await;
        let app = &server.state.app;
        let system = Acting::system("test");
        let member = closed_member(&server).await;
        legacy_entry(&server, member).await;
        user_with_posts(&server, "gicho", Role::User, &[OrgRole::Ciso]).await;
        let ciso = server.web(&server.sign_in("gicho").await);
        // A check before the redaction leaves a checkpoint inside the redacted entries.
        let before = audit_checks::run(&server.store, true, "test").await.unwrap();
        assert_eq!(before.first_break, None);
        let anchored = audit_checks::head(&server.store).await.unwrap().unwrap();

        // Three years (the default) since 2020: due; one shorter period keeps it due.
        let overview = retention::overview(app, &system).await.unwrap();
        let listed = overview
            .records
            .iter()
            .find(|r| r.record.id == member && r.record.kind.as_str() == "account")
            .expect("the closed account is listed");
        assert!(listed.is_due(mamori_app::today()));
        assert_eq!(mamori_app::date_text(listed.closed_on), "2020-03-31");
        assert_eq!(mamori_app::date_text(listed.due_on), "2023-03-31");

        let due = |app| retention::due_records(app, &system, mamori_app::today());
        assert!(due(app).await.unwrap().contains(&format!("account:{member}")));
        // The home page and the daily digest list it for those who propose redactions.
        let officer_id = server.add_user("kiroku-tanto", Role::Admin).await;
        let officer = mamori_store::users::get(&server.store, officer_id).await.unwrap();
        let officer = Acting::user(app, officer, None, mamori_app::today()).await.unwrap();
        let waiting = mamori_app::home::waiting(app, &officer, mamori_app::today())
            .await
            .unwrap();
        assert!(
            mamori_app::reminders::items_of(&waiting, mamori_app::today()).contains(&format!("retention:account:{member}"))
        );
        let redaction = retention::propose(app, &system, &account(member))
            .await
            .unwrap();
        // The same record cannot be in two open proposals.
        assert!(matches!(
            retention::propose(app, &system, &account(member)).await,
            Err(mamori_app::Failure::Conflict(_))
        ));
        assert!(due(app).await.unwrap().is_empty());
        // Nothing is removed before the CISO decides.
        assert_eq!(entries_showing_personal(&server, member).await.len(), 3);

        let request = request_for(&server, redaction).await;
        let decided = ciso
            .post_json(
                &format!("/api/v1/approvals/{request}/decision"),
                &json!({ "decision": "approve", "reason": "" }),
            )
            .await;
        assert_eq!(decided.status().as_u16(), 200);

        // The record keeps the name and login, not the address or reading.
        let kept = server
            .db
            .number(&format!(
                "SELECT COUNT(*) FROM users WHERE id = {member} AND mail IS NULL \
                 AND reading IS NULL AND redacted_at IS NOT NULL AND login = 'taishoku'"
            ))
            .await;
        assert_eq!(kept, 1);
        // Only the entry written before schema 22 still shows the address: its chain
        // covers the text itself, and the redaction says so.
        let left = entries_showing_personal(&server, member).await;
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!(left[0].format, 1);
        let done = retention::show(app, &system, redaction).await.unwrap();
        let entry_id = done.redaction.audit_entry.expect("carried out");
        let (entries, _) = audit::search(
            &server.store,
            &audit::AuditFilter {
                action: Some("record.redact".to_owned()),
                ..Default::default()
            },
            10,
            0,
        )
        .await
        .unwrap();
        assert_eq!(entries[0].id, entry_id);
        let changes: serde_json::Value = serde_json::from_str(&entries[0].changes).unwrap();
        assert_eq!(changes["kept_format1"][1], 1);
        assert_eq!(changes["entries"][1].as_array().unwrap().len(), 2);
        assert!(!entries[0].changes.contains(MAIL));
        assert_eq!(changes["approval_request"][1], request);

        // Full walk, incremental walk from the earlier checkpoint, and the anchor taken
        // before the redaction all hold.
        assert_eq!(audit::verify(&server.store).await.unwrap().first_break, None);
        let incremental = audit_checks::run(&server.store, false, "test").await.unwrap();
        assert!(!incremental.full);
        assert_eq!(incremental.first_break, None);
        assert!(matches!(
            audit_checks::check_anchor(&server.store, anchored.id, &anchored.hash)
                .await
                .unwrap(),
            AnchorCheck::Holds { .. }
        ));
        // Decided once: the redaction is not proposed again.
        let overview = retention::overview(app, &system).await.unwrap();
        assert!(overview.records.iter().all(|r| r.record.id != member));
    }
);

backend_test!(
    async fn a_forged_redaction_breaks_the_chain(backend) {
        let server = TestServer::start(backend).await;
        let app = &server.state.app;
        let system = Acting::system("test");
        let member = closed_member(&server).await;
        user_with_posts(&server, "gicho", Role::User, &[OrgRole::Ciso]).await;
        let ciso = server.web(&server.sign_in("gicho").await);
        let redaction = retention::propose(app, &system, &account(member))
            .await
            .unwrap();
        let request = request_for(&server, redaction).await;
        let decided = ciso
            .post_json(
                &format!("/api/v1/approvals/{request}/decision"),
                &json!({ "decision": "approve", "reason": "" }),
            )
            .await;
        assert_eq!(decided.status().as_u16(), 200);
        assert_eq!(audit::verify(&server.store).await.unwrap().first_break, None);
        let redacted = server
            .db
            .number("SELECT MIN(id) FROM audit_log WHERE redacted_by IS NOT NULL")
            .await;
        let redact_entry = server
            .db
            .number("SELECT MAX(id) FROM audit_log WHERE action = 'record.redact'")
            .await;
        // An entry not redacted, not about the account: someone "redacts" it by hand,
        // keeping its true digest and naming the real redaction.
        let other = server
            .db
            .number("SELECT MIN(id) FROM audit_log WHERE format = 2 AND redacted_by IS NULL")
            .await;
        let other_changes = audit::recent(&server.store, 10_000)
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.id == other)
            .unwrap()
            .changes;

        // The database refuses any other change to an entry, even through the one door
        // left for redactions, and a second redaction of a redacted one.
        for forged in [
            format!(
                "UPDATE audit_log SET changes = '{{}}', original_digest = 'x', \
                 redacted_by = {redact_entry}, hash = 'forged' WHERE id = {other}"
            ),
            format!("UPDATE audit_log SET changes = '{{}}' WHERE id = {other}"),
            format!(
                "UPDATE audit_log SET changes = '{{}}', original_digest = 'x', \
                 redacted_by = {redact_entry} WHERE id = {redacted}"
            ),
        ] {
            assert!(server.db.try_execute(&forged).await.is_err(), "{forged}");
        }
        server.db.drop_audit_triggers().await;

        server
            .db
            .execute(&format!(
                "UPDATE audit_log SET changes = '{{}}', original_digest = '{}', \
                 redacted_by = {redact_entry} WHERE id = {other}",
                audit::changes_digest(&other_changes)
            ))
            .await;
        assert_eq!(
            audit::verify(&server.store).await.unwrap().first_break,
            Some(ChainBreak::Edited { id: other })
        );
        server
            .db
            .execute(&format!(
                "UPDATE audit_log SET changes = '{}', original_digest = NULL, redacted_by = NULL \
                 WHERE id = {other}",
                other_changes.replace('\'', "''")
            ))
            .await;
        assert_eq!(audit::verify(&server.store).await.unwrap().first_break, None);

        // A redacted entry rewritten after the redaction: its text no longer matches the
        // digest the redaction recorded.
        server
            .db
            .execute(&format!(
                "UPDATE audit_log SET changes = '{{\"mail\":[null,\"forged@example.jp\"]}}' \
                 WHERE id = {redacted}"
            ))
            .await;
        assert_eq!(
            audit::verify(&server.store).await.unwrap().first_break,
            Some(ChainBreak::Edited { id: redacted })
        );
    }
);

backend_test!(
    async fn a_refused_or_stale_redaction_removes_nothing(backend) {
        let server = TestServer::start(backend).await;
        let app = &server.state.app;
        let system = Acting::system("test");
        let member = closed_member(&server).await;
        let (_, admin) = server.web_as("kanri2", Role::Admin).await;
        user_with_posts(&server, "gicho", Role::User, &[OrgRole::Ciso]).await;
        let ciso = server.web(&server.sign_in("gicho").await);

        // A longer period set by the assembly: the account is not due yet.
        let mut form = PeriodsForm::default();
        form.years.insert("account".to_owned(), "３０年".to_owned());
        retention::set_periods(app, &system, &form).await.unwrap();
        assert!(matches!(
            retention::propose(app, &system, &account(member)).await,
            Err(mamori_app::Failure::Invalid(_))
        ));
        form.years.insert("account".to_owned(), "31".to_owned());
        assert!(matches!(
            retention::set_periods(app, &system, &form).await,
            Err(mamori_app::Failure::Invalid(_))
        ));
        form.years.insert("account".to_owned(), "3".to_owned());
        retention::set_periods(app, &system, &form).await.unwrap();
        let periods = retention::periods(app).await.unwrap();
        assert!(periods.iter().any(|p| p.kind.as_str() == "account" && p.set && p.years == 3));

        // Rejected: the proposal is dropped and the account may be proposed again.
        let first = retention::propose(app, &system, &account(member))
            .await
            .unwrap();
        let request = request_for(&server, first).await;
        let rejected = ciso
            .post_json(
                &format!("/api/v1/approvals/{request}/decision"),
                &json!({ "decision": "reject", "reason": "選挙後の照会に備えて残す" }),
            )
            .await;
        assert_eq!(rejected.status().as_u16(), 200);
        let second = retention::propose(app, &system, &account(member))
            .await
            .unwrap();
        assert_ne!(first, second);

        // Reopened before the decision (re-elected): approving is refused, nothing goes.
        let reopened = admin
            .patch_json(&format!("/api/v1/users/{member}"), &json!({ "active": true }))
            .await;
        assert_eq!(reopened.status().as_u16(), 200);
        let before = audit_checks::head(&server.store).await.unwrap().unwrap().id;
        let request = request_for(&server, second).await;
        let refused = ciso
            .post_json(
                &format!("/api/v1/approvals/{request}/decision"),
                &json!({ "decision": "approve", "reason": "" }),
            )
            .await;
        assert_eq!(refused.status().as_u16(), 409);
        assert_eq!(
            audit_checks::head(&server.store).await.unwrap().unwrap().id,
            before
        );
        assert_eq!(entries_showing_personal(&server, member).await.len(), 2);
        let mail_kept = server
            .db
            .number(&format!(
                "SELECT COUNT(*) FROM users WHERE id = {member} AND mail IS NOT NULL"
            ))
            .await;
        assert_eq!(mail_kept, 1);
    }
);
