//! The store against a real SQLite file and a real PostgreSQL server.

use mamori_domain::asset::Holders;
use mamori_domain::user::{LoginId, Role, UserType};
use mamori_store::INSTALL_AUDIT_ENTRIES;
use mamori_store::assets::{self, Filter, Viewer};
use mamori_store::audit::{self, ChainBreak};
use mamori_store::backup::{self, TABLES};
use mamori_store::classification;
use mamori_store::{Actor, AuditEntry, Backend, Store, StoreError, users};
use mamori_testkit::fixtures_assets::asset_input;
use mamori_testkit::{TestDb, backends};
use sqlx::Row;

async fn add_asset(store: &Store, name: &str) {
    let scheme = classification::active(store).await.unwrap();
    let asset = asset_input(name, ["2", "2", "2"], None)
        .check(&scheme, &Holders::default())
        .unwrap();
    let mut tx = store.write(Actor::system("test")).await.unwrap();
    assets::create(&mut tx, &asset, &scheme).await.unwrap();
    tx.commit().await.unwrap();
}

async fn add_user(store: &Store, login: &str) -> i64 {
    let login = LoginId::parse(login).unwrap();
    let mut tx = store.write(Actor::system("test")).await.unwrap();
    let id = users::create(
        &mut tx,
        users::NewUser {
            login: &login,
            display_name: "試験 太郎",
            reading: None,
            role: Role::User,
            user_type: UserType::Member,
            password_hash: "$argon2id$not-a-real-hash",
            must_change_password: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// Tables and their columns, as the database reports them (types normalised). Each
/// backend's own search index is left out: SQLite's assets_fts tables and PostgreSQL's
/// asset_search table.
async fn schema(db: &TestDb) -> Vec<(String, String, String)> {
    let mut conn = db.raw().await;
    let sql = match db.backend {
        Backend::Sqlite => {
            "SELECT m.name AS tbl, p.name AS col, upper(p.type) AS typ \
             FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
             AND m.name <> '_sqlx_migrations' \
             AND m.name NOT LIKE 'assets_fts%' AND m.name NOT LIKE 'incidents_fts%' \
             ORDER BY 1, 2"
        }
        Backend::Postgres => {
            "SELECT table_name::text AS tbl, column_name::text AS col, upper(data_type::text) AS typ \
             FROM information_schema.columns WHERE table_schema = current_schema() \
             AND table_name <> '_sqlx_migrations' \
             AND table_name <> 'asset_search' ORDER BY 1, 2"
        }
    };
    let rows = sqlx::query(sql).fetch_all(&mut conn).await.unwrap();
    rows.iter()
        .map(|row| {
            let typ: String = row.get("typ");
            let kind = match typ.as_str() {
                "INTEGER" | "BIGINT" => "integer",
                "TEXT" => "text",
                "BLOB" | "BYTEA" => "bytes",
                "BOOLEAN" => "boolean",
                other => panic!("column type {other} is not one sqlx::Any decodes"),
            };
            (row.get("tbl"), row.get("col"), kind.to_owned())
        })
        .collect()
}

#[tokio::test]
async fn both_migration_folders_produce_the_same_tables_and_columns() {
    let backends = backends();
    let mut schemas = Vec::new();
    for backend in &backends {
        let db = TestDb::new(*backend).await;
        db.open().await.close().await;
        schemas.push(schema(&db).await);
    }
    assert!(!schemas[0].is_empty());
    // _sqlx_migrations is sqlx's own and differs by backend; ours must match exactly.
    for other in &schemas[1..] {
        assert_eq!(&schemas[0], other);
    }
}

#[tokio::test]
async fn the_backup_table_list_names_every_table() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        db.open().await.close().await;
        // Kept by triggers from `assets` (migration 0020): a restore's copy of the assets
        // counts them again, so the table is not copied itself.
        let derived = ["asset_counts"];
        let mut tables: Vec<String> = schema(&db)
            .await
            .into_iter()
            .map(|(t, _, _)| t)
            .filter(|t| !derived.contains(&t.as_str()))
            .collect();
        tables.dedup();
        let mut listed: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
        listed.sort();
        assert_eq!(tables, listed, "{backend:?}: backup::TABLES is out of date");
    }
}

#[tokio::test]
async fn opening_twice_applies_migrations_once() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let first = db.open().await;
        assert_eq!(
            first.schema_version().await.unwrap(),
            mamori_store::binary_schema_version()
        );
        add_user(&first, "kept").await;
        first.close().await;
        let second = db.open().await;
        assert_eq!(users::count(&second).await.unwrap(), 1);
    }
}

#[tokio::test]
async fn a_database_from_a_newer_mamori_is_refused() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        db.open().await.close().await;
        let bytes = match backend {
            Backend::Sqlite => "X'00', CURRENT_TIMESTAMP",
            Backend::Postgres => "'\\x00'::bytea, now()",
        };
        db.execute(&format!(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, installed_on, execution_time) \
             VALUES (9999, 'future', TRUE, {bytes}, 0)"
        ))
        .await;
        match Store::open(&db.url).await {
            Err(StoreError::SchemaTooNew { database, binary }) => {
                assert_eq!(database, 9999);
                assert_eq!(binary, mamori_store::binary_schema_version());
            }
            Err(other) => panic!("{backend:?}: wrong error {other}"),
            Ok(_) => panic!("{backend:?}: a newer schema was accepted"),
        }
    }
}

#[tokio::test]
async fn a_write_without_an_audit_entry_is_rolled_back() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store = db.open().await;
        let tx = store.write(Actor::system("test")).await.unwrap();
        assert!(matches!(tx.commit().await, Err(StoreError::MissingAudit)));
    }
}

#[tokio::test]
async fn the_audit_chain_detects_edits_removals_and_insertions() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store = db.open().await;
        for login in ["a1", "a2", "a3", "a4"] {
            add_user(&store, login).await;
        }
        let report = audit::verify(&store).await.unwrap();
        assert_eq!(report.entries, 4 + INSTALL_AUDIT_ENTRIES);
        assert_eq!(report.first_break, None);
        let ids: Vec<i64> = audit::recent(&store, 10)
            .await
            .unwrap()
            .iter()
            .rev()
            .map(|r| r.id)
            .collect();

        // The database itself refuses to change or remove entries…
        let edit = format!(
            "UPDATE audit_log SET actor_label = 'someone else' WHERE id = {}",
            ids[1]
        );
        let remove = format!("DELETE FROM audit_log WHERE id = {}", ids[1]);
        for sql in [&edit, &remove, &"DELETE FROM audit_log".to_owned()] {
            let refused = db.try_execute(sql).await.unwrap_err();
            assert!(
                refused.contains("append-only"),
                "{backend:?} {sql}: {refused}"
            );
        }
        if backend == Backend::Postgres {
            let refused = db.try_execute("TRUNCATE audit_log").await.unwrap_err();
            assert!(refused.contains("append-only"), "{refused}");
        }
        assert_eq!(
            audit::verify(&store).await.unwrap().entries,
            4 + INSTALL_AUDIT_ENTRIES
        );
        // …and with the triggers gone, the chain still names the first tampered entry.
        db.drop_audit_triggers().await;
        db.execute(&edit).await;
        assert_eq!(
            audit::verify(&store).await.unwrap().first_break,
            Some(ChainBreak::Edited { id: ids[1] })
        );
        db.execute(&format!("DELETE FROM audit_log WHERE id = {}", ids[1]))
            .await;
        assert_eq!(
            audit::verify(&store).await.unwrap().first_break,
            Some(ChainBreak::Unlinked { id: ids[2] })
        );
    }
}

#[tokio::test]
async fn concurrent_writers_keep_one_unbroken_chain() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        // Separate stores: separate pools and connections, as separate processes would have.
        let mut stores = Vec::new();
        for _ in 0..4 {
            stores.push(db.open().await);
        }
        let mut tasks = Vec::new();
        for (writer, store) in stores.iter().enumerate() {
            for n in 0..10 {
                let store = store.clone();
                tasks.push(tokio::spawn(async move {
                    let mut tx = store.write(Actor::system("writer")).await.unwrap();
                    tx.audit(AuditEntry::new("test.write", "test").target(format!("{writer}-{n}")))
                        .await
                        .unwrap();
                    tx.commit().await.unwrap();
                }));
            }
        }
        for task in tasks {
            task.await.unwrap();
        }
        let report = audit::verify(&stores[0]).await.unwrap();
        assert_eq!(report.entries, 40 + INSTALL_AUDIT_ENTRIES, "{backend:?}");
        assert_eq!(report.first_break, None, "{backend:?}");
    }
}

#[tokio::test]
async fn a_backup_restores_onto_either_backend() {
    let all = backends();
    for from in &all {
        for to in &all {
            let source_db = TestDb::new(*from).await;
            let source = source_db.open().await;
            add_user(&source, "before.backup").await;
            add_asset(&source, "バックアップ前の会議録").await;
            let file = source_db.data_dir().join("backup.sqlite3");
            let summary = backup::write_backup(&source, &file).await.unwrap();
            assert_eq!(summary.rows_in("users"), 1);
            assert_eq!(
                summary.rows_in("audit_log"),
                2 + INSTALL_AUDIT_ENTRIES as i64
            );
            assert!(
                matches!(
                    backup::write_backup(&source, &file).await,
                    Err(StoreError::Backup(backup::BackupProblem::AlreadyExists(_)))
                ),
                "an existing file is never overwritten"
            );

            let target_db = TestDb::new(*to).await;
            let target = target_db.open().await;
            add_user(&target, "replaced").await;
            add_asset(&target, "置き換わる資産").await;
            add_asset(&target, "置き換わる資産その2").await;
            let tx = target.write(Actor::system("restore")).await.unwrap();
            backup::restore(&target, &file, &file, tx).await.unwrap();
            // The register's kept totals (not copied: triggers keep them) count the
            // restored assets, not the replaced ones.
            let all = Filter::default();
            let total = assets::count(&target, Viewer::everything(), &all).await;
            assert_eq!(total.unwrap(), 1, "{from:?} -> {to:?}");
            let walked = Filter {
                form: Some(mamori_domain::asset::Form::Paper),
                ..all
            };
            let counted = assets::count(&target, Viewer::everything(), &walked).await;
            assert_eq!(counted.unwrap(), 1, "{from:?} -> {to:?}");

            let login = LoginId::parse("before.backup").unwrap();
            assert!(
                users::find_by_login(&target, &login)
                    .await
                    .unwrap()
                    .is_some()
            );
            let replaced = LoginId::parse("replaced").unwrap();
            assert!(
                users::find_by_login(&target, &replaced)
                    .await
                    .unwrap()
                    .is_none()
            );
            // The restored chain continues with the restore's own entry, unbroken.
            let report = audit::verify(&target).await.unwrap();
            assert_eq!(report.first_break, None, "{from:?} -> {to:?}");
            assert_eq!(report.entries, 3 + INSTALL_AUDIT_ENTRIES);
            assert_eq!(
                audit::recent(&target, 1).await.unwrap()[0].action,
                "backup.restore"
            );
            // Ids keep counting after restored rows (PostgreSQL identity sequences).
            add_user(&target, "after.restore").await;
        }
    }
}

#[tokio::test]
async fn damaged_and_foreign_files_are_refused_and_nothing_changes() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let store = db.open().await;
        add_user(&store, "still.here").await;
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.sqlite3");
        backup::write_backup(&store, &good).await.unwrap();
        let good_bytes = std::fs::read(&good).unwrap();

        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "これはバックアップではありません").unwrap();
        let empty = dir.path().join("empty.sqlite3");
        std::fs::write(&empty, b"").unwrap();
        let truncated = dir.path().join("truncated.sqlite3");
        std::fs::write(&truncated, &good_bytes[..good_bytes.len() / 2]).unwrap();
        let scrambled = dir.path().join("scrambled.sqlite3");
        let mut bytes = good_bytes.clone();
        for (i, b) in bytes.iter_mut().enumerate().skip(100) {
            *b = (i * 7919 % 251) as u8;
        }
        std::fs::write(&scrambled, &bytes).unwrap();
        let foreign_db = TestDb::new(Backend::Sqlite).await;
        foreign_db
            .execute("CREATE TABLE minutes (id INTEGER PRIMARY KEY, body TEXT)")
            .await;
        foreign_db.execute("PRAGMA wal_checkpoint(TRUNCATE)").await;
        let foreign = foreign_db.data_dir().join("mamori.sqlite3");
        let missing = dir.path().join("missing.sqlite3");

        for (file, expect) in [
            (&text, "not sqlite"),
            (&empty, "not sqlite"),
            (&truncated, "damaged"),
            (&scrambled, "damaged"),
            (&foreign, "foreign"),
            (&missing, "missing"),
        ] {
            let tx = store.write(Actor::system("restore")).await.unwrap();
            let error = backup::restore(&store, file, file, tx).await.unwrap_err();
            let matched = matches!(
                (&error, expect),
                (
                    StoreError::Backup(backup::BackupProblem::NotSqlite(_)),
                    "not sqlite"
                ) | (
                    StoreError::Backup(backup::BackupProblem::Damaged { .. }),
                    "damaged"
                ) | (
                    StoreError::Backup(backup::BackupProblem::Foreign(_)),
                    "foreign"
                ) | (
                    StoreError::Backup(backup::BackupProblem::Missing(_)),
                    "missing"
                )
            );
            assert!(
                matched,
                "{backend:?} {}: expected {expect}, got {error}",
                file.display()
            );
            let login = LoginId::parse("still.here").unwrap();
            assert!(
                users::find_by_login(&store, &login)
                    .await
                    .unwrap()
                    .is_some()
            );
            assert_eq!(
                audit::verify(&store).await.unwrap().entries,
                1 + INSTALL_AUDIT_ENTRIES
            );
        }
    }
}

#[tokio::test]
async fn daily_backups_keep_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    for day in 1..=5 {
        let name = format!("{}-2026110{day}-030000.sqlite3", backup::DAILY_PREFIX);
        std::fs::write(dir.path().join(name), b"x").unwrap();
    }
    std::fs::write(
        dir.path()
            .join("mamori-before-restore-20261101-000000.sqlite3"),
        b"x",
    )
    .unwrap();
    let removed = backup::prune_daily(dir.path(), 3).unwrap();
    assert_eq!(removed.len(), 2);
    let left = backup::daily_backups(dir.path()).unwrap();
    assert_eq!(left.len(), 3);
    assert!(left[0].ends_with("mamori-daily-20261103-030000.sqlite3"));
    assert!(
        dir.path()
            .join("mamori-before-restore-20261101-000000.sqlite3")
            .exists(),
        "only daily backups are pruned"
    );
}

mamori_testkit::backend_test!(
    async fn an_unreadable_account_row_is_corrupt_and_named(backend) {
        let db = TestDb::new(backend).await;
        let store = db.open().await;
        let id = add_user(&store, "corrupt.user").await;
        let user = users::get(&store, id).await.unwrap();
        assert_eq!(user.role, Role::User);
        assert!(user.locale.is_none() && user.date_style.is_none());

        let corrupt = |column: &'static str| {
            move |error: StoreError| match error {
                StoreError::Corrupt {
                    table,
                    row,
                    column: found,
                    ..
                } => {
                    assert_eq!((table, found), ("users", column));
                    assert_eq!(row, id.to_string());
                }
                other => panic!("{column}: {other:?}"),
            }
        };
        for (column, bad) in [
            ("role", "overlord"),
            ("user_type", "visitor"),
            ("locale", "xx"),
            ("date_style", "lunar"),
            ("created_at", "yesterday"),
        ] {
            let before: String = match column {
                "role" => "user".into(),
                "user_type" => "member".into(),
                "created_at" => mamori_store::timestamp_text(user.created_at),
                _ => "NULL".into(),
            };
            db.execute(&format!("UPDATE users SET {column} = '{bad}' WHERE id = {id}"))
                .await;
            corrupt(column)(users::get(&store, id).await.unwrap_err());
            let restore = if before == "NULL" {
                format!("UPDATE users SET {column} = NULL WHERE id = {id}")
            } else {
                format!("UPDATE users SET {column} = '{before}' WHERE id = {id}")
            };
            db.execute(&restore).await;
        }
        users::get(&store, id).await.unwrap();
        // An unknown post is corrupt too, never silently dropped.
        db.execute(&format!(
            "INSERT INTO org_posts (role_code, single_holder, call_order, created_at) \
             VALUES ('mayor', 0, 1, 'x'); \
             INSERT INTO post_terms (post_id, holder_id, starts_on, note, created_at, updated_at) \
             SELECT id, {id}, '2000-01-01', '', 'x', 'x' FROM org_posts WHERE role_code = 'mayor'"
        ))
        .await;
        let error = users::org_roles(&store, id).await.unwrap_err();
        assert!(
            matches!(error, StoreError::Corrupt { table: "org_posts", column: "role_code", .. }),
            "{error:?}"
        );
        store.close().await;
    }
);

mamori_testkit::backend_test!(
    async fn an_upgrade_whose_backup_cannot_be_written_migrates_nothing(backend) {
        let db = TestDb::new(backend).await;
        mamori_store::migrate_before(&db.url, 20).await.unwrap();
        // Where the backups directory should be, a file: the backup cannot be written.
        let blocked = db.data_dir().join("backups");
        std::fs::write(&blocked, "not a directory").unwrap();
        let refused = Store::open_keeping(&db.url, Some(&blocked)).await;
        assert!(refused.is_err(), "{backend:?}");
        let plan = mamori_store::upgrade_plan(&db.url).await.unwrap();
        assert_eq!(plan.database, Some(19), "nothing was migrated ({backend:?})");

        let kept = db.data_dir().join("kept");
        let store = Store::open_keeping(&db.url, Some(&kept)).await.unwrap();
        store.close().await;
        let written = backup::newest_pre_upgrade(&kept).unwrap().expect("a backup");
        assert_eq!(backup::inspect(&written).await.unwrap().schema_version, 19);
    }
);
