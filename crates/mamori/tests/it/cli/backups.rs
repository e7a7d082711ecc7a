//! `backup` and `restore` (across backends, refusing bad files, without side files), a
//! database from a newer mamori, and `audit verify`.

use super::*;

/// A backup taken while the server runs is a SQLite file; it never overwrites; restoring
/// it rolls the data back, keeps a safety copy of what it replaced, and leaves an intact
/// audit trail.
#[test]
fn backup_while_serving_then_restore_rolls_back_and_keeps_a_safety_copy() {
    for backend in backends() {
        let site = Site::new(backend);
        site.add_user("saku.admin", "admin").success();
        let out = tempfile::tempdir().expect("temp dir");
        let file = out.path().join("gikai-backup.sqlite3");

        let mut server = site.serve(&[]);
        server.wait_healthy(backend);
        site.backup(&file)
            .success()
            .stdout_has(path_str(&file))
            .stdout_has("users 1");
        let bytes = std::fs::read(&file).expect("backup file");
        assert!(bytes.starts_with(SQLITE_HEADER), "not a SQLite file");
        // Never overwrite an existing file.
        site.backup(&file)
            .failure(1)
            .stderr_has(path_str(&file))
            .stderr_has("already exists");
        assert_eq!(std::fs::read(&file).expect("backup file"), bytes);
        assert_eq!(get(&server.url("/healthz")).status(), 200);
        server.stop_cleanly("TERM");

        site.add_user("saku.second", "user").success();
        assert!(site.safety_copies().is_empty());
        site.restore(&file)
            .success()
            .stdout_has(path_str(&file))
            .stdout_has("mamori-before-restore-");

        // Rolled back: the second user is gone, the first is still there.
        site.add_user("saku.second", "user").success();
        site.assert_login_taken("saku.admin");
        let safety = site.safety_copies();
        assert_eq!(safety.len(), 1, "{safety:?}");
        assert!(
            std::fs::read(&safety[0])
                .expect("safety copy")
                .starts_with(SQLITE_HEADER)
        );
        site.run(&["audit", "verify"])
            .success()
            .stdout_has("intact");
    }
}

/// A backup is the same SQLite file whatever the backend, so one made on SQLite restores
/// onto PostgreSQL and the other way round, with users and an intact audit chain.
#[test]
fn backups_restore_across_backends() {
    let all = backends();
    if all.len() < 2 {
        eprintln!("only one backend available: nothing to cross");
        return;
    }
    for &from in &all {
        for &to in all.iter().filter(|&&b| b != from) {
            let source = Site::new(from);
            source.add_user("saku.admin", "admin").success();
            let out = tempfile::tempdir().expect("temp dir");
            let file = out.path().join("cross.sqlite3");
            source.backup(&file).success();

            let target = Site::new(to);
            target.add_user("saku.local", "admin").success();
            target
                .restore(&file)
                .success()
                .stdout_has("users 1,")
                .stdout_has("audit_log 2, audit_checks 0, backup_runs 0)");
            target.assert_login_taken("saku.admin");
            // The target's own user was replaced by the backup's.
            // The backup's reference data and user, and the restore itself.
            assert_eq!(target.audit_entries(), 3, "{from:?} -> {to:?}");
            target.add_user("saku.local", "user").success();
            assert_eq!(target.safety_copies().len(), 1);
        }
    }
}

/// Every kind of bad file is refused before anything is touched: no safety copy, the
/// audit trail and the users as they were.
#[test]
fn restore_refuses_bad_files_and_changes_nothing() {
    const NOT_SQLITE: &str =
        "is not a mamori backup (not a SQLite file). Current data is unchanged.";
    const DAMAGED: &str = "is damaged. Current data is unchanged.";
    const FOREIGN: &str = "is not a mamori backup. Current data is unchanged.";
    const NEWER: &str = "was made by a newer mamori; restore it with that release. \
                         Current data is unchanged.";
    const MISSING: &str = "does not exist.";

    for backend in backends() {
        let site = Site::new(backend);
        site.add_user("saku.admin", "admin").success();
        let work = tempfile::tempdir().expect("temp dir");
        let good_path = work.path().join("good.sqlite3");
        site.backup(&good_path).success();
        let good = std::fs::read(&good_path).expect("good backup");
        let entries_before = site.audit_entries();

        let mut cases: Vec<(&str, PathBuf, &str)> = Vec::new();
        let mut add = |name: &'static str, bytes: &[u8], expect: &'static str| {
            let path = work.path().join(name);
            std::fs::write(&path, bytes).expect("write bad file");
            cases.push((name, path, expect));
        };
        add("notes.txt", "議事録ではありません\n".as_bytes(), NOT_SQLITE);
        add("empty.sqlite3", b"", NOT_SQLITE);
        add("truncated.sqlite3", &good[..good.len() / 2], DAMAGED);
        let mut random = SQLITE_HEADER.to_vec();
        random.extend(seeded_bytes(1, 8192 - SQLITE_HEADER.len()));
        add("random.sqlite3", &random, DAMAGED);
        let mut scribbled = good.clone();
        let middle = scribbled.len() / 2;
        let end = (middle + 4096).min(scribbled.len());
        scribbled[middle..end].copy_from_slice(&seeded_bytes(2, end - middle));
        add("scribbled.sqlite3", &scribbled, DAMAGED);
        // Valid SQLite files that are not (acceptable) mamori backups.
        add("other-app.sqlite3", b"", FOREIGN);
        add("other-history.sqlite3", &good, FOREIGN);
        add("from-the-future.sqlite3", &good, NEWER);
        cases.push(("missing", work.path().join("missing.sqlite3"), MISSING));

        let other_app = work.path().join("other-app.sqlite3");
        std::fs::remove_file(&other_app).expect("remove placeholder");
        let db = sqlite_file(&other_app);
        block_on(db.execute("CREATE TABLE minutes (id INTEGER PRIMARY KEY, body TEXT)"));
        block_on(db.execute("INSERT INTO minutes (body) VALUES ('本会議')"));
        // mamori's tables, but a migration history that is not mamori's.
        block_on(
            sqlite_file(&work.path().join("other-history.sqlite3"))
                .execute("UPDATE _sqlx_migrations SET checksum = X'00'"),
        );
        block_on(
            sqlite_file(&work.path().join("from-the-future.sqlite3")).execute(
                "INSERT INTO _sqlx_migrations \
                 (version, description, installed_on, success, checksum, execution_time) \
                 VALUES (9999, 'future', CURRENT_TIMESTAMP, TRUE, X'00', 0)",
            ),
        );
        // The doctored files are still well-formed SQLite.
        for name in ["other-app.sqlite3", "other-history.sqlite3"] {
            let bytes = std::fs::read(work.path().join(name)).expect("file");
            assert!(bytes.starts_with(SQLITE_HEADER), "{name}");
        }

        for (name, path, expect) in &cases {
            let outcome = site.restore(path).failure(1).stderr_has(expect);
            assert!(
                outcome.stderr.contains(path_str(path)),
                "{name}: message does not name the file:\n{outcome}"
            );
            assert!(
                site.safety_copies().is_empty(),
                "{name}: a safety copy was written, so restore went ahead"
            );
            assert_eq!(
                site.audit_entries(),
                entries_before,
                "{name}: the audit trail changed"
            );
            site.assert_login_taken("saku.admin");
        }
        // The good backup still restores: the refusals were about the files.
        site.restore(&good_path).success();
    }
}

/// A database migrated by a newer mamori is left alone by every command.
#[test]
fn a_database_from_a_newer_mamori_is_refused_by_every_command() {
    for backend in backends() {
        let site = Site::new(backend);
        site.add_user("saku.admin", "admin").success();
        fake_future_migration(&site);

        let listen = format!("127.0.0.1:{}", free_port());
        let out = tempfile::tempdir().expect("temp dir");
        let file = out.path().join("never.sqlite3");
        let refusals = [
            site.run(&["serve", "--listen", &listen]),
            site.add_user("saku.clerk", "user"),
            site.backup(&file),
            site.run(&["audit", "verify"]),
        ];
        for outcome in refusals {
            outcome
                .failure(1)
                .stderr_has("newer mamori")
                .stderr_has("schema 9999");
        }
        assert!(!file.exists(), "a backup was written");
    }
}

/// `audit verify` passes an untouched chain and names the first entry that was edited,
/// or the entry after one that was removed.
#[test]
fn audit_verify_detects_edited_and_removed_entries() {
    for backend in backends() {
        // Ids start at 1 in a fresh database, on both backends.
        let site = Site::new(backend);
        site.add_user("saku.admin", "admin").success();
        site.run(&["audit", "verify"])
            .success()
            .stdout_has("intact")
            .stdout_has("(2 entries)");
        site.tamper_with_audit_log(
            "UPDATE audit_log SET actor_label = 'someone else' \
             WHERE id = (SELECT MIN(id) FROM audit_log)",
        );
        site.run(&["audit", "verify"])
            .failure(1)
            .stderr_has("Audit entry 1 has been edited.");

        let site = Site::new(backend);
        for login in ["saku.one", "saku.two", "saku.three"] {
            site.add_user(login, "user").success();
        }
        // The installation's reference data, then the three users.
        assert_eq!(site.audit_entries(), 4);
        site.tamper_with_audit_log(
            "DELETE FROM audit_log WHERE id = \
             (SELECT MIN(id) FROM audit_log WHERE id > (SELECT MIN(id) FROM audit_log))",
        );
        site.run(&["audit", "verify"])
            .failure(1)
            .stderr_has("An entry was removed or inserted just before audit entry 3.");
    }
}

/// A backup from PostgreSQL is built in a WAL-mode SQLite file, which leaves
/// `FILE.partial-shm` / `FILE.partial-wal` behind (and restoring it then creates
/// `FILE-shm` / `FILE-wal` next to the backup).
#[test]
fn backups_leave_no_side_files() {
    for backend in backends() {
        let site = Site::new(backend);
        site.add_user("saku.admin", "admin").success();
        let out = tempfile::tempdir().expect("temp dir");
        let file = out.path().join("clean.sqlite3");
        site.backup(&file).success();
        site.restore(&file).success();
        assert_eq!(
            file_names(out.path()),
            ["clean.sqlite3"],
            "{backend:?}: litter next to the backup"
        );
    }
}

/// A relative path whose first component has a space is read as a URL host.
#[test]
fn relative_paths_with_spaces_work() {
    for backend in backends() {
        let site = Site::new(backend);
        site.add_user("saku.admin", "admin").success();
        // The backup file named relative to the working directory.
        site.run(&["backup", "令和8年 3月.sqlite3"]).success();
        assert!(site.cwd.path().join("令和8年 3月.sqlite3").is_file());
        if backend == Backend::Sqlite {
            // A relative data directory.
            let mut command = mamori(site.cwd.path());
            command.args(["--data-dir", "議会 データ", "audit", "verify"]);
            run(command, None).success();
        }
    }
}

/// The safety copy is named to the second; a second restore within the same second (or
/// any existing file of that name) makes restore fail with "already exists".
#[test]
fn restore_does_not_collide_with_an_earlier_safety_copy() {
    for backend in backends() {
        let site = Site::new(backend);
        site.add_user("saku.admin", "admin").success();
        let out = tempfile::tempdir().expect("temp dir");
        let file = out.path().join("b.sqlite3");
        site.backup(&file).success();
        std::fs::create_dir_all(site.backups_dir()).expect("backups dir");
        let now = time::OffsetDateTime::now_utc();
        for second in 0..10 {
            let at = now + time::Duration::seconds(second);
            let name = mamori_store::backup::backup_file_name("mamori-before-restore", at);
            std::fs::write(site.backups_dir().join(name), b"earlier").expect("write");
        }
        site.restore(&file).success();
    }
}

/// `upgrade --check` on a database an older release left (its migrations stop before
/// 0019) names the migrations still to apply and changes nothing; `upgrade` applies
/// them; then there is nothing left. On a data directory without a database, `--check`
/// says what the first start creates, and creates nothing.
#[test]
fn upgrade_check_names_what_would_change_and_changes_nothing() {
    for backend in backends() {
        let site = Site::new(backend);
        let binary = mamori_store::binary_schema_version();
        if backend == Backend::Sqlite {
            site.run(&["upgrade", "--check"])
                .success()
                .stdout_has("(none yet)")
                .stdout_has("The first start creates the database");
            assert!(!site.data_dir().join("mamori.sqlite3").exists());
        }
        block_on(mamori_store::migrate_before(&site.db.url, 19)).unwrap();
        let check = site
            .run(&["upgrade", "--check"])
            .success()
            .stdout_has(&format!("Database schema: 18  This mamori: {binary}"));
        let listed: Vec<&str> = check
            .stdout
            .lines()
            .filter(|l| l.starts_with("  00"))
            .collect();
        // Numbers may have gaps while parallel branches land (25 before 26): count the
        // migration files from 0019 on.
        let newer = std::fs::read_dir(
            mamori_testkit::workspace_root().join("crates/store/migrations/sqlite"),
        )
        .unwrap()
        .filter(|f| f.as_ref().unwrap().file_name().to_string_lossy().as_ref() >= "0019")
        .count();
        assert_eq!(listed.len(), newer, "{check}");
        assert_eq!(
            listed[..2],
            ["  0019 search", "  0020 asset_counts"],
            "{check}"
        );
        // Nothing was changed: asked again, the same answer.
        let again = site.run(&["upgrade", "--check"]).success();
        assert_eq!(again.stdout, check.stdout);
        let upgraded = site.run(&["upgrade"]).success().stdout_has(&format!(
            "Applied {newer} migrations; the schema is now {binary}."
        ));
        // The database as it was is kept, at its own schema, as a backup the previous
        // release can restore.
        let kept: Vec<PathBuf> = std::fs::read_dir(site.backups_dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .starts_with(&format!("mamori-before-upgrade-18-to-{binary}-"))
            })
            .collect();
        assert_eq!(kept.len(), 1, "{upgraded}");
        upgraded.stdout_has(kept[0].to_str().unwrap());
        let summary = block_on(mamori_store::backup::inspect(&kept[0])).unwrap();
        assert_eq!(summary.schema_version, 18);
        site.run(&["upgrade", "--check"])
            .success()
            .stdout_has("Nothing to upgrade.");
    }
}

/// Each daily backup is copied to the second location and checked; a restore drill
/// restores the copy on a scratch file, walks its audit chain and is recorded; the
/// administrator sees the last of each, and a damaged copy fails its drill on record.
#[test]
fn daily_backups_are_copied_drilled_and_shown_to_the_administrator() {
    for backend in backends() {
        let site = Site::new(backend);
        site.add_user("saku.admin", "admin").success();
        let share = tempfile::tempdir().unwrap();
        let share_dir = share.path().join("mamori");
        let mut server = site.serve(&["--backup-copy-to", path_str(&share_dir)]);
        server.wait_healthy(backend);
        let deadline = Instant::now() + Duration::from_secs(30);
        let copies = loop {
            let copies = files_named(&share_dir, "mamori-daily-", ".sqlite3");
            if !copies.is_empty() || Instant::now() > deadline {
                break copies;
            }
            thread::sleep(POLL);
        };
        assert_eq!(copies.len(), 1, "{}", server.stderr());
        let local = files_named(&site.backups_dir(), "mamori-daily-", ".sqlite3");
        assert_eq!(
            std::fs::read(&local[0]).unwrap(),
            std::fs::read(&copies[0]).unwrap()
        );
        let (status, state) =
            get_signed_in(&server, "saku.admin", PASSWORD, "/api/v1/backups/status");
        assert_eq!(status, 200, "{state}");
        assert_eq!(state["backup"]["overdue"], false, "{state}");
        assert_eq!(state["copy"]["overdue"], false, "{state}");
        assert_eq!(
            state["copy"]["last_success"]["file"],
            path_str(&copies[0]),
            "{state}"
        );
        assert_eq!(
            state["copy"]["last_success"]["detail"]
                .as_str()
                .unwrap()
                .len(),
            64
        );
        assert_eq!(state["drill"]["overdue"], true, "never drilled: {state}");
        server.stop_cleanly("TERM");

        // The drill takes the copy, as the one to be relied on.
        site.run(&["restore-drill", "--backup-copy-to", path_str(&share_dir)])
            .success()
            .stdout_has(path_str(&copies[0]))
            .stdout_has("audit entries is intact");
        let drills = "SELECT COUNT(*) FROM audit_log WHERE action = 'backup.drill'";
        assert_eq!(block_on(site.db.number(drills)), 1);

        // A copy damaged on the share fails its drill, and the failure is on record.
        let mut bytes = std::fs::read(&copies[0]).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle..middle + 4096].fill(0xAB);
        std::fs::write(&copies[0], bytes).unwrap();
        site.run(&["restore-drill", path_str(&copies[0])])
            .failure(1)
            .stderr_has("damaged");
        let failed = "SELECT COUNT(*) FROM audit_log WHERE action = 'backup.drill_failed'";
        assert_eq!(block_on(site.db.number(failed)), 1);
        let mut server = site.serve(&[]);
        server.wait_healthy(backend);
        let (_, state) = get_signed_in(&server, "saku.admin", PASSWORD, "/api/v1/backups/status");
        assert!(state["drill"]["last_success"].is_object(), "{state}");
        assert!(
            state["drill"]["failed_since"]["detail"]
                .as_str()
                .unwrap()
                .contains("damaged")
        );
        assert_eq!(state["copy_configured"], false, "{state}");
        server.stop_cleanly("TERM");
    }
}

/// A key pair made for this test alone with age-keygen; a real server holds only the
/// public key, and the secret key is brought for a drill.
const TEST_RECIPIENT: &str = "age1tk90c7gl2h47qh4ygnzqhv0kdll7l95ma2f5cpd9q0xxdez7qssqujyk98";
const TEST_IDENTITY: &str =
    "AGE-SECRET-KEY-1KVUJ3KA8MMQ624Q0SQC67YPN0K3DGN0HENNC8JR8ZQWT6RLKH5ESQEXQ9N";

/// With recipients set, the copies that leave the server are age files that only the
/// secret key opens; the drill opens one with it, and refuses without it.
#[test]
fn copies_are_sealed_for_the_recipients_and_drilled_with_the_secret_key() {
    let backend = backends()[0];
    let site = Site::new(backend);
    let share = tempfile::tempdir().unwrap();
    let share_dir = share.path().join("mamori");
    let mut server = site.serve(&[
        "--backup-copy-to",
        path_str(&share_dir),
        "--backup-recipients",
        TEST_RECIPIENT,
    ]);
    server.wait_healthy(backend);
    let deadline = Instant::now() + Duration::from_secs(30);
    let copies = loop {
        let copies = files_named(&share_dir, "mamori-daily-", ".sqlite3.age");
        if !copies.is_empty() || Instant::now() > deadline {
            break copies;
        }
        thread::sleep(POLL);
    };
    assert_eq!(copies.len(), 1, "{}", server.stderr());
    server.stop_cleanly("TERM");
    let sealed = std::fs::read(&copies[0]).unwrap();
    assert!(sealed.starts_with(b"age-encryption.org/v1\n"));
    assert!(
        !sealed
            .windows(SQLITE_HEADER.len())
            .any(|w| w == SQLITE_HEADER)
    );
    // No sealed leftover beside the local backup.
    assert!(files_named(&site.backups_dir(), "mamori-daily-", ".age").is_empty());

    let drill = ["restore-drill", "--backup-copy-to", path_str(&share_dir)];
    site.run(&drill).failure(1).stderr_has("is sealed");
    let keys = tempfile::tempdir().unwrap();
    let identity = keys.path().join("key.txt");
    std::fs::write(&identity, format!("# test key\n{TEST_IDENTITY}\n")).unwrap();
    let mut with_key = drill.to_vec();
    with_key.extend(["--identity", path_str(&identity)]);
    site.run(&with_key)
        .success()
        .stdout_has("audit entries is intact");

    // The server lost: the sealed copy restores with the secret key, and only with it.
    site.restore(&copies[0]).failure(1).stderr_has("is sealed");
    site.run(&[
        "restore",
        path_str(&copies[0]),
        "--identity",
        path_str(&identity),
    ])
    .success()
    .stdout_has(&format!("Restored from {}", path_str(&copies[0])));
    assert!(files_named(&site.backups_dir(), "opened-", ".sqlite3").is_empty());
    let named = format!(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'backup.restore' AND changes LIKE '%{}%'",
        copies[0].file_name().unwrap().to_str().unwrap()
    );
    assert_eq!(block_on(site.db.number(&named)), 1);

    // Settings that cannot seal are refused before serving.
    run(
        site.command(&["serve", "--backup-recipients", TEST_RECIPIENT]),
        None,
    )
    .failure(1)
    .stderr_has("backup_copy_to");
    let copy = ["serve", "--backup-copy-to", path_str(&share_dir)];
    let mut secret_as_recipient = copy.to_vec();
    secret_as_recipient.extend(["--backup-recipients", TEST_IDENTITY]);
    run(site.command(&secret_as_recipient), None)
        .failure(1)
        .stderr_has("secret key");
}
