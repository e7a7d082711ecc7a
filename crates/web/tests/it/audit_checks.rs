//! The audit trail's kept checks (issue 15, items 3 and 4) on SQLite and PostgreSQL: the
//! page shows the last check instead of walking the chain on every view, a full check on
//! demand from the page and the API, the incremental check from the checkpoint, the
//! exact total from the checkpoint, and the anchor (the head kept outside).

use mamori_domain::user::Role;
use mamori_store::audit::{self, AuditFilter, ChainBreak};
use mamori_store::audit_checks::{self, AnchorCheck};
use mamori_store::{Actor, AuditEntry};
use mamori_testkit::{TestServer, Web};
use reqwest::StatusCode;
use serde_json::Value;

async fn add_entries(server: &TestServer, count: usize) {
    let mut tx = server
        .store
        .write(Actor::system("batch.job"))
        .await
        .unwrap();
    for n in 0..count {
        tx.audit(AuditEntry::new("setting.update", "setting").target(n))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn newest_id(server: &TestServer) -> i64 {
    audit::recent(&server.store, 1).await.unwrap()[0].id
}

async fn count_all(server: &TestServer) -> u64 {
    let mut conn = server.db.raw().await;
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    u64::try_from(rows).unwrap()
}

mamori_testkit::backend_test!(async fn the_page_shows_the_kept_check_and_does_not_walk_the_chain(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server
            .user_client("sec.officer", Role::SecurityOfficer)
            .await;
        let html = server.text(&officer, "/audit").await;
        assert!(html.contains(r#"data-chain="unchecked""#), "{backend:?}");
        assert!(html.contains("まだ確認していません"), "{backend:?}");

        // The button checks every entry now; the page then shows when and how many.
        let response = officer
            .post(server.url("/audit/verify"))
            .header("origin", &server.base)
            .form(&[("csrf", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{backend:?}");
        assert_eq!(mamori_testkit::location(&response), "/audit#chain-status");
        let html = server.text(&officer, "/audit").await;
        assert!(html.contains(r#"data-chain="intact""#), "{backend:?}");
        assert!(html.contains("最後の全件確認"), "{backend:?}");
        let entries = count_all(&server).await;
        assert!(html.contains(&format!("全{entries}件に改ざんはありませんでした")), "{backend:?}: {entries}");

        // An entry altered now is not found by viewing the page: viewing reads the kept
        // check and walks nothing.
        let target = newest_id(&server).await;
        server.db.drop_audit_triggers().await;
        server
            .db
            .execute(&format!(
                "UPDATE audit_log SET target_id = 'someone.else' WHERE id = {target}"
            ))
            .await;
        let html = server.text(&officer, "/audit").await;
        assert!(html.contains(r#"data-chain="intact""#), "{backend:?}");

        // The API's full check finds it; the page then shows it first, as an alert.
        let response = officer
            .post(server.url("/api/v1/audit/checks"))
            .header("origin", &server.base)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{backend:?}");
        let check: Value = response.json().await.unwrap();
        assert_eq!(check["intact"], false, "{check}");
        assert_eq!(check["full"], true, "{check}");
        assert_eq!(check["break_kind"], "edited", "{check}");
        assert_eq!(check["break_id"], target, "{check}");
        assert_eq!(check["checked_by"], "sec.officer", "{check}");
        let html = server.text(&officer, "/audit").await;
        assert!(html.contains(r#"data-chain="broken""#), "{backend:?}");
        assert!(html.contains(r#"role="alert""#));
        assert!(html.contains(&format!("記録番号 {target} の内容が書き換えられています")));
        assert!(html.contains("sec.officer"));

        let status: Value = Web { server: &server, client: officer.clone() }
            .json("/api/v1/audit/checks")
            .await;
        assert_eq!(status["latest"]["break_id"], target, "{status}");
        assert_eq!(status["latest_full"]["break_kind"], "edited", "{status}");
        server.stop().await;
});

mamori_testkit::backend_test!(async fn the_incremental_check_starts_at_the_checkpoint_and_the_full_check_reads_all(backend) {
        let server = TestServer::start(backend).await;
        add_entries(&server, 5).await;
        // With no checkpoint yet, the first check reads everything.
        let first = audit_checks::run(&server.store, false, "test").await.unwrap();
        assert!(first.full, "{backend:?}");
        assert_eq!(first.first_break, None);
        let checkpoint = first.up_to_id;
        let before_checkpoint = checkpoint - 2;
        add_entries(&server, 4).await;
        let after_checkpoint = newest_id(&server).await - 1;

        let next = audit_checks::run(&server.store, false, "test").await.unwrap();
        assert!(!next.full);
        assert_eq!(next.first_break, None);
        assert_eq!(next.entries, count_all(&server).await, "{backend:?}");
        assert_eq!(next.up_to_id, newest_id(&server).await);

        // Altered after the checkpoint: the incremental check finds it.
        add_entries(&server, 3).await;
        let edited_late = newest_id(&server).await - 1;
        server.db.drop_audit_triggers().await;
        server
            .db
            .execute(&format!(
                "UPDATE audit_log SET target_id = 'x' WHERE id = {edited_late}"
            ))
            .await;
        let late = audit_checks::run(&server.store, false, "test").await.unwrap();
        assert!(!late.full);
        assert_eq!(late.first_break, Some(ChainBreak::Edited { id: edited_late }));
        // Put back, the chain holds again; after a break the next check reads everything.
        server
            .db
            .execute(&format!(
                "UPDATE audit_log SET target_id = '1' WHERE id = {edited_late}"
            ))
            .await;
        let mended = audit_checks::run(&server.store, false, "test").await.unwrap();
        assert!(mended.full, "{backend:?}");
        assert_eq!(mended.first_break, None);

        // Altered before the checkpoint: only the full check reads that far back.
        for id in [before_checkpoint, after_checkpoint] {
            assert!(id < mended.up_to_id);
        }
        server
            .db
            .execute(&format!(
                "UPDATE audit_log SET target_id = 'x' WHERE id = {before_checkpoint}"
            ))
            .await;
        add_entries(&server, 1).await;
        let quick = audit_checks::run(&server.store, false, "test").await.unwrap();
        assert_eq!(quick.first_break, None, "{backend:?}");
        let full = audit_checks::run(&server.store, true, "test").await.unwrap();
        assert_eq!(
            full.first_break,
            Some(ChainBreak::Edited {
                id: before_checkpoint
            })
        );
        server.stop().await;
});

mamori_testkit::backend_test!(async fn the_unfiltered_total_is_exact_from_the_checkpoint(backend) {
        let server = TestServer::start(backend).await;
        let (_, auditor) = server.user_client("kansa.iin", Role::Auditor).await;
        add_entries(&server, 7).await;
        audit_checks::run(&server.store, true, "test").await.unwrap();
        add_entries(&server, 3).await;
        let (_, total) = audit::search(&server.store, &AuditFilter::default(), 10, 0)
            .await
            .unwrap();
        assert_eq!(total, count_all(&server).await, "{backend:?}");
        let page: Value = Web { server: &server, client: auditor.clone() }
            .json("/api/v1/audit?per_page=5")
            .await;
        // The API call itself is not recorded, so the count stands.
        assert_eq!(page["total"], count_all(&server).await, "{page}");
        assert_eq!(page["items"][0]["id"], newest_id(&server).await);
        server.stop().await;
});

mamori_testkit::backend_test!(async fn the_anchor_detects_cut_off_and_altered_heads(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server
            .user_client("sec.officer", Role::SecurityOfficer)
            .await;
        add_entries(&server, 6).await;
        let anchor: Value = Web { server: &server, client: officer.clone() }
            .json("/api/v1/audit/anchor")
            .await;
        let id = anchor["id"].as_i64().unwrap();
        let hash = anchor["hash"].as_str().unwrap().to_owned();
        assert_eq!(anchor["anchor"], format!("{id}:{hash}"));
        let text = anchor["text"].as_str().unwrap();
        assert!(text.contains(&format!("最新の記録番号：{id}")), "{text}");
        assert!(text.contains(&hash[..8]), "{text}");
        assert!(text.contains("令和"), "{text}");

        // Entries written after the anchor do not matter; the anchored one holds.
        add_entries(&server, 2).await;
        assert_eq!(
            audit_checks::check_anchor(&server.store, id, &hash).await.unwrap(),
            AnchorCheck::Holds {
                entries: u64::try_from(id).unwrap()
            }
        );
        // Cutting off the newest entries, the anchored one included, shows.
        server.db.drop_audit_triggers().await;
        server
            .db
            .execute(&format!("DELETE FROM audit_log WHERE id >= {}", id - 1))
            .await;
        assert_eq!(
            audit_checks::check_anchor(&server.store, id, &hash).await.unwrap(),
            AnchorCheck::Missing {
                newest: Some(id - 2)
            },
            "{backend:?}"
        );
        // An altered head shows as a hash that differs.
        let head = audit_checks::head(&server.store).await.unwrap().unwrap();
        let other = "f".repeat(64);
        assert!(matches!(
            audit_checks::check_anchor(&server.store, head.id, &other).await.unwrap(),
            AnchorCheck::Differs { .. }
        ));
        server.stop().await;
});

mamori_testkit::backend_test!(async fn the_daily_job_checks_every_entry_once_a_day(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server
            .user_client("sec.officer", Role::SecurityOfficer)
            .await;
        add_entries(&server, 3).await;
        let today = mamori_app::today();
        let check = mamori_app::audit_anchor::daily_check(&server.state.app, today)
            .await
            .unwrap()
            .expect("the day's first call checks");
        assert!(check.full);
        assert_eq!(check.first_break, None);
        assert_eq!(check.entries, count_all(&server).await, "{backend:?}");
        assert_eq!(check.checked_by, mamori_app::audit_anchor::DAILY_JOB);
        // A second call the same day leaves it; the next day checks again.
        assert_eq!(
            mamori_app::audit_anchor::daily_check(&server.state.app, today)
                .await
                .unwrap(),
            None
        );
        let tomorrow = today.next_day().unwrap();
        assert!(
            mamori_app::audit_anchor::daily_check(&server.state.app, tomorrow)
                .await
                .unwrap()
                .is_some()
        );
        let html = server.text(&officer, "/audit").await;
        assert!(html.contains("最後の全件確認"), "{backend:?}");
        server.stop().await;
});
