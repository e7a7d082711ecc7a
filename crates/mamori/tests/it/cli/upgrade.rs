//! The previous release's database upgraded by this binary, and put back with
//! `mamori rollback`, on both backends (issue 16, item 3). The fixture is a backup that
//! the previous release's own binary wrote after its own commands had filled it (see
//! `scripts/make-release-fixture`): users, the seed policy, an imported register, a
//! token and the audit trail of all that, at that release's schema.

use super::*;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/release-b314173.sqlite3"
);
const FIXTURE_SCHEMA: i64 = 19;
const FIXTURE_PASSWORD: &str = "a long enough fixture passphrase";

fn schema(site: &Site) -> i64 {
    block_on(site.db.number("SELECT MAX(version) FROM _sqlx_migrations"))
}

fn count(site: &Site, table: &str) -> i64 {
    block_on(site.db.number(&format!("SELECT COUNT(*) FROM {table}")))
}

/// The database as the previous release left it: on SQLite its own file; on PostgreSQL
/// a database of this release rolled back to the fixture.
fn previous_release_site(backend: Backend) -> Site {
    let site = Site::new(backend);
    match backend {
        Backend::Sqlite => {
            std::fs::copy(FIXTURE, site.data_dir().join("mamori.sqlite3")).unwrap();
        }
        Backend::Postgres => {
            site.run(&["upgrade"]).success();
            site.run(&["rollback", FIXTURE])
                .success()
                .stdout_has("Put back");
            // The empty database it replaced is of no interest to the test.
            std::fs::remove_dir_all(site.backups_dir()).unwrap();
        }
    }
    assert_eq!(schema(&site), FIXTURE_SCHEMA);
    site
}

#[test]
fn the_previous_releases_database_upgrades_and_rolls_back_to_where_it_was() {
    let binary = mamori_store::binary_schema_version();
    for backend in backends() {
        let site = previous_release_site(backend);
        let assets_before = count(&site, "assets");
        let audit_before = count(&site, "audit_log");
        let rollbacks = || {
            block_on(
                site.db
                    .number("SELECT COUNT(*) FROM audit_log WHERE action = 'backup.rollback'"),
            )
        };
        let rollbacks_before = rollbacks();
        site.run(&["upgrade", "--check"])
            .success()
            .stdout_has(&format!(
                "Database schema: {FIXTURE_SCHEMA}  This mamori: {binary}"
            ))
            .stdout_has("  0020 asset_counts");

        // Starting the new binary backs up, migrates and serves the old data.
        let mut server = site.serve(&[]);
        server.wait_healthy(backend);
        let kept = files_named(
            &site.backups_dir(),
            &format!("mamori-before-upgrade-{FIXTURE_SCHEMA}-to-{binary}-"),
            ".sqlite3",
        );
        assert_eq!(kept.len(), 1, "{:?}", server.stderr());
        let (_, seen) = get_signed_in(&server, "jimu.tanaka", FIXTURE_PASSWORD, "/api/v1/assets");
        assert_eq!(seen["total"], 4, "{seen}");
        assert!(seen.to_string().contains("請願者名簿"), "{seen}");
        // Not beside a running server.
        site.run(&["rollback"])
            .failure(1)
            .stderr_has("mamori serve is running on this data directory");
        server.stop_cleanly("TERM");
        assert_eq!(schema(&site), binary);
        let upgraded_audit = count(&site, "audit_log");
        assert!(upgraded_audit > audit_before);

        // The upgrade went wrong, say: back to the backup it took.
        let rolled = site
            .run(&["rollback"])
            .success()
            .stdout_has(kept[0].to_str().unwrap())
            .stdout_has(&format!("schema {binary} -> {FIXTURE_SCHEMA}"))
            .stdout_has(&format!("release of schema {FIXTURE_SCHEMA}"));
        let replaced = files_named(
            &site.backups_dir(),
            &format!("mamori-before-rollback-{binary}-to-{FIXTURE_SCHEMA}-"),
            ".sqlite3",
        );
        assert_eq!(replaced.len(), 1, "{rolled}");
        rolled.stdout_has(replaced[0].to_str().unwrap());
        // What the previous release finds: its own schema, exactly its migrations, its
        // rows, and the rollback recorded on top of its audit trail.
        assert_eq!(schema(&site), FIXTURE_SCHEMA);
        assert_eq!(
            block_on(site.db.number("SELECT COUNT(*) FROM _sqlx_migrations")),
            FIXTURE_SCHEMA
        );
        assert_eq!(count(&site, "assets"), assets_before);
        assert_eq!(count(&site, "audit_log"), audit_before + 1);
        assert_eq!(rollbacks(), rollbacks_before + 1);
        site.run(&["upgrade", "--check"])
            .success()
            .stdout_has(&format!("Database schema: {FIXTURE_SCHEMA}"));
        // The chain still holds (verifying upgrades the database again first).
        site.run(&["audit", "verify"])
            .success()
            .stdout_has("intact");
    }
}

#[test]
fn rollback_refuses_what_it_cannot_put_back_and_changes_nothing() {
    for backend in backends() {
        let site = Site::new(backend);
        site.run(&["rollback"])
            .failure(1)
            .stderr_has("no backup taken before an upgrade")
            .stderr_has(path_str(&site.backups_dir()));
        site.run(&["rollback", FIXTURE])
            .failure(1)
            .stderr_has("holds no mamori data");
        // A database older than the backup: that would be an upgrade.
        block_on(mamori_store::migrate_before(&site.db.url, FIXTURE_SCHEMA)).unwrap();
        site.run(&["rollback", FIXTURE])
            .failure(1)
            .stderr_has(&format!(
                "The database (schema {}) is older than the backup (schema {FIXTURE_SCHEMA})",
                FIXTURE_SCHEMA - 1
            ));
        assert_eq!(schema(&site), FIXTURE_SCHEMA - 1);
        let not_a_backup = site.data_dir().join("notes.txt");
        std::fs::write(&not_a_backup, "議事録").unwrap();
        site.run(&["rollback", path_str(&not_a_backup)])
            .failure(1)
            .stderr_has("notes.txt");
        assert_eq!(schema(&site), FIXTURE_SCHEMA - 1);
    }
}
