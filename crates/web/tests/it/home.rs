//! The home page by person (issue 13, first step): a member sees the assets they hold,
//! not the installation's internals; the administrator keeps the system status.

use mamori_domain::user::Role;
use mamori_testkit::fixtures_assets::asset;
use mamori_testkit::{TestServer, backend_test};

/// Words of the installation's insides that a member's page must not show.
const INTERNALS: [&str; 4] = ["データ構造の版", "内蔵データベース", "SQLite", "PostgreSQL"];

backend_test!(
    async fn a_member_sees_what_they_hold_and_not_the_installation(backend) {
        let server = TestServer::start(backend).await;
        let (member_id, member) = server.web_as("giin.sato", Role::User).await;
        let (other_id, _) = server.web_as("giin.suzuki", Role::User).await;
        let (_, admin) = server.web_as("kanri", Role::Admin).await;
        for n in 1..=12 {
            asset(&server, &format!("貸与タブレット{n:02}"), ["2", "2", "2"], Some(member_id)).await;
        }
        asset(&server, "他の議員の手帳", ["2", "2", "2"], Some(other_id)).await;

        let home = member.page("/", 200).await;
        assert!(home.contains("あなたが保有する情報資産"), "{home}");
        assert!(home.contains("貸与タブレット12"), "{home}");
        assert!(!home.contains("他の議員の手帳"), "{home}");
        // Ten are listed; the rest are behind a link to the register filtered to them.
        assert!(!home.contains("貸与タブレット01"), "{home}");
        assert!(home.contains("すべて見る（12件）"), "{home}");
        assert!(home.contains(&format!("/assets?holder={member_id}")), "{home}");
        for word in INTERNALS {
            assert!(!home.contains(word), "{word} on a member's home page");
        }

        let status = admin.page("/", 200).await;
        assert!(status.contains("データ構造の版"), "{status}");
        assert!(!status.contains("あなたが保有する情報資産"), "{status}");
    }
);

backend_test!(
    async fn a_member_confirms_a_policy_after_its_text_and_sees_no_hash_up_front(backend) {
        let server = TestServer::start(backend).await;
        let stored = mamori_testkit::fixtures_policies::published_seed(&server).await;
        let (_, member) = server.web_as("giin.sato", Role::User).await;
        let page = member.page(&stored.page(), 200).await;
        // The button comes after the last clause, so one reads before confirming; the top
        // of the page points down to it.
        let last_clause = page.find("情報セキュリティ基本方針の見直し").expect("clause 8");
        let button = page.find("/acknowledge\"").expect("the confirmation form");
        assert!(button > last_clause, "the confirmation sits above the text");
        assert!(page.find("#ack-heading").unwrap() < last_clause);
        // The version's fingerprint is a detail, folded away.
        let details = page.find("<details").expect("a details disclosure");
        let hash = page.find(&stored.hash).expect("the hash, for who looks");
        assert!(hash > details, "the hash is outside the details");
    }
);

// The administrator's home page tells how the backups stand: nothing yet and overdue on
// a new installation; the last copy and drill once they ran, a failure since in words.
backend_test!(
    async fn the_administrator_sees_backups_copies_and_drills_and_what_is_overdue(backend) {
        use mamori_store::backup_runs::{Run, RunKind, record};
        let share = tempfile::tempdir().unwrap();
        let server = TestServer::start_configured(backend, |c| {
            c.backups.copy_to = Some(share.path().to_owned());
        })
        .await;
        let (_, admin) = server.web_as("kanri", Role::Admin).await;
        let (_, member) = server.web_as("giin.sato", Role::User).await;
        let home = admin.page("/", 200).await;
        assert!(home.contains("最新のバックアップ"), "{home}");
        assert!(home.contains("24時間以上行われていません"), "{home}");
        assert!(home.contains("90日以上行われていません"), "{home}");

        let backup = std::path::Path::new("/var/lib/mamori/backups/mamori-daily-20261203-000000.sqlite3");
        let mut tx = server.store.write(mamori_store::Actor::system("test")).await.unwrap();
        record(&mut tx, &Run::succeeded(RunKind::Backup, backup, "")).await.unwrap();
        record(&mut tx, &Run::succeeded(RunKind::Copy, backup, "ab12")).await.unwrap();
        record(&mut tx, &Run::succeeded(RunKind::Drill, backup, "")).await.unwrap();
        record(&mut tx, &Run::failed(RunKind::Copy, backup, "共有フォルダに書き込めません")).await.unwrap();
        tx.commit().await.unwrap();
        let home = admin.page("/", 200).await;
        assert!(!home.contains("24時間以上行われていません"), "{home}");
        assert!(!home.contains("日以上行われていません"), "{home}");
        assert!(home.contains("共有フォルダに書き込めません"), "{home}");

        let status = admin.json("/api/v1/backups/status").await;
        assert_eq!(status["copy"]["failed_since"]["detail"], "共有フォルダに書き込めません");
        assert_eq!(status["copy"]["last_success"]["detail"], "ab12");
        assert_eq!(status["drill"]["overdue"], false);
        assert!(!member.page("/", 200).await.contains("最新のバックアップ"));
        server.stop().await;
    }
);

// A copy that cannot be written (the share is not mounted: a file stands where the
// directory should be) fails on record, with its reason, while the backup itself stands.
backend_test!(
    async fn a_copy_that_cannot_be_written_is_recorded_as_failed(backend) {
        let server = TestServer::start(backend).await;
        let (_, admin) = server.web_as("kanri", Role::Admin).await;
        let data_dir = server.db.data_dir().to_owned();
        let not_a_dir = data_dir.join("share-not-mounted");
        std::fs::write(&not_a_dir, "").unwrap();
        let mut policy = mamori_app::backups::BackupPolicy::new(14);
        policy.copy_to = Some(not_a_dir.clone());
        let failed = mamori_app::backups::run_daily(&server.state.app, &data_dir, &policy).await;
        assert!(failed.is_err(), "{failed:?}");
        assert!(std::fs::metadata(&not_a_dir).unwrap().is_file(), "nothing written there");
        let status = admin.json("/api/v1/backups/status").await;
        assert!(status["backup"]["last_success"].is_object(), "{status}");
        assert!(status["copy"]["last_success"].is_null(), "{status}");
        let reason = status["copy"]["failed_since"]["detail"].as_str().unwrap();
        assert!(!reason.is_empty(), "{status}");
        server.stop().await;
    }
);
