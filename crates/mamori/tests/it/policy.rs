//! `mamori policy …` end to end: the real binary as a child process, on a fresh SQLite
//! data directory and on a fresh PostgreSQL database, with English messages.

use std::process::{Command, Output};

use mamori_app::i18n::EN;
use mamori_domain::user::{LoginId, OrgRole, Role, UserType};
use mamori_store::{Actor, Backend, Store, policies};
use mamori_testkit::{TestDb, backend_test};
use serde_json::Value;

use mamori_testkit::fixtures_policies::seed_path;

/// What a finished command printed (also used by the other command tests).
pub(super) struct Run {
    what: String,
    output: Output,
}

impl Run {
    pub(super) fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub(super) fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    #[track_caller]
    pub(super) fn success(self) -> Run {
        assert!(
            self.output.status.success(),
            "{} failed:\n{}{}",
            self.what,
            self.stdout(),
            self.stderr()
        );
        self
    }

    /// mamori's own refusal: exit 1 and a message, never a panic.
    #[track_caller]
    pub(super) fn refused(self, message: &str) -> Run {
        assert_eq!(
            self.output.status.code(),
            Some(1),
            "{}:\n{}",
            self.what,
            self.stderr()
        );
        assert!(!self.stderr().contains("panicked"), "{}", self.stderr());
        assert!(
            self.stderr().contains(message),
            "{}: stderr lacks {message:?}:\n{}",
            self.what,
            self.stderr()
        );
        self
    }
}

pub(super) struct Site {
    pub(super) db: TestDb,
    cwd: tempfile::TempDir,
}

impl Site {
    pub(super) async fn new(backend: Backend) -> Site {
        Site {
            db: TestDb::new(backend).await,
            cwd: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub(super) fn run(&self, args: &[&str]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_mamori"));
        for var in [
            "MAMORI_CONFIG",
            "MAMORI_DATA_DIR",
            "MAMORI_DATABASE_URL",
            "MAMORI_LOG",
            "LANG",
            "LC_ALL",
        ] {
            command.env_remove(var);
        }
        command
            .env("MAMORI_LANG", "en")
            .current_dir(self.cwd.path())
            .arg("--data-dir")
            .arg(self.db.data_dir());
        if self.db.backend == Backend::Postgres {
            command.arg("--database-url").arg(&self.db.url);
        }
        command.args(args);
        Run {
            what: format!("mamori {}", args.join(" ")),
            output: command.output().expect("run mamori"),
        }
    }

    pub(super) fn file(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.cwd.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    }

    /// Works on the database directly, the store closed again before the next command.
    pub(super) async fn with_store<T>(&self, work: impl AsyncFnOnce(&Store) -> T) -> T {
        let store = self.db.open().await;
        let out = work(&store).await;
        store.close().await;
        out
    }
}

pub(super) async fn add_user(store: &Store, login: &str, user_type: UserType) -> i64 {
    let hash = mamori_store::password::hash("a long enough test passphrase")
        .await
        .unwrap();
    let mut tx = store.write(Actor::system("test")).await.unwrap();
    let id = mamori_store::users::create(
        &mut tx,
        mamori_store::users::NewUser {
            login: &LoginId::parse(login).unwrap(),
            display_name: login,
            reading: None,
            role: Role::User,
            user_type,
            password_hash: &hash,
            must_change_password: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

fn find_ref<'a>(clauses: &'a Value, reference: &str) -> Option<&'a Value> {
    clauses.as_array()?.iter().find_map(|c| {
        if c["ref"] == reference {
            Some(c)
        } else {
            find_ref(&c["children"], reference)
        }
    })
}

fn every_clause_has_a_ref(clauses: &Value) -> bool {
    clauses.as_array().is_some_and(|all| {
        all.iter()
            .all(|c| c["ref"].is_string() && every_clause_has_a_ref(&c["children"]))
    })
}

backend_test!(async fn policies_are_imported_listed_shown_published_and_acknowledged(backend) {
    let seed = std::fs::read_to_string(seed_path()).unwrap();
    let parsed = mamori_domain::policy::parse(&seed).unwrap();
    assert_eq!(
        parsed.clauses.len(),
        8,
        "the seed has eight top-level clauses"
    );
    let total = parsed.all_clauses().len();
    let seed_file = seed_path().display().to_string();
    {
        let site = Site::new(backend).await;

        // Refused texts write nothing.
        let empty = site.file("empty.txt", b"");
        site.run(&["policy", "import", &empty])
            .refused(&EN["policy.error.empty"]);
        let prose = site.file(
            "prose.txt",
            "番号のない説明文です。\n二行目です。\n".as_bytes(),
        );
        site.run(&["policy", "import", &prose])
            .refused(&EN["policy.error.no_clauses"]);
        let missing = site.cwd.path().join("missing.txt").display().to_string();
        site.run(&["policy", "import", &missing])
            .refused(&format!("Cannot read {missing}."));
        let list = site.run(&["policy", "list"]).success().stdout();
        assert!(list.contains("No policy documents yet."), "{list}");
        assert!(
            site.with_store(async |store| policies::documents(store).await.unwrap().is_empty()).await
        );

        let imported = site
            .run(&["policy", "import", &seed_file])
            .success()
            .stdout();
        assert!(
            imported.contains("Saved as draft version 1 (version id 1) of document 1."),
            "{imported}"
        );
        assert!(
            imported.contains(&format!("Clauses: {total} in all (8 top-level).")),
            "{imported}"
        );
        assert!(imported.contains("Nothing needs checking."), "{imported}");
        // Nothing dropped silently: the lines outside the clauses and what became of them.
        assert!(
            imported.contains("Line 3: ○佐久市議会情報セキュリティ基本方針 → Read as the title"),
            "{imported}"
        );
        assert!(
            imported.contains("決裁 → Read as the approval date or number"),
            "{imported}"
        );

        let list = site.run(&["policy", "list"]).success().stdout();
        assert!(
            list.contains(
                "1  [Basic policy] 佐久市議会情報セキュリティ基本方針  latest: version 1"
            ),
            "{list}"
        );
        assert!(list.contains("published version id: none"), "{list}");

        let shown: Value =
            serde_json::from_str(&site.run(&["policy", "show", "1"]).success().stdout())
                .expect("show prints JSON");
        // The tree keeps the title as printed, with the regulation marker ○.
        assert_eq!(shown["title"], "○佐久市議会情報セキュリティ基本方針");
        assert_eq!(shown["clauses"].as_array().unwrap().len(), 8);
        assert!(every_clause_has_a_ref(&shown["clauses"]));
        assert_eq!(
            find_ref(&shown["clauses"], "4(2)ア").unwrap()["label"],
            "ア"
        );
        assert!(find_ref(&shown["clauses"], "6(8)").is_some());
        site.run(&["policy", "show", "2"])
            .refused("There is no document 2.");
        site.run(&["policy", "show", "1", "--version", "3"])
            .refused("Document 1 has no version 3.");

        // Publication needs the approval (決裁), recorded in the approver's name.
        site.run(&["policy", "publish", "--version", "1"])
            .refused(&EN["policy.error.not_approved"]);
        let (member, contractor) = site.with_store(async |store| {
            let gicho = add_user(store, "gicho", UserType::Member).await;
            let mut tx = store.write(Actor::system("test")).await.unwrap();
            mamori_store::users::set_org_roles(&mut tx, gicho, &[OrgRole::Ciso])
                .await
                .unwrap();
            tx.commit().await.unwrap();
            (
                add_user(store, "giin.ichiro", UserType::Member).await,
                add_user(store, "itaku", UserType::Contractor).await,
            )
        }).await;
        let approve = |login: &str, date: &str| {
            site.run(&[
                "policy",
                "approve",
                "--version",
                "1",
                "--login",
                login,
                "--date",
                date,
            ])
        };
        approve("giin.ichiro", "2026-03-18").refused(&EN["policy.error.not_an_approver"]);
        approve("gicho", "令和8年2月30日").refused("approved_on: ");
        approve("nobody", "2026-03-18").refused("There is no active user nobody.");
        let approved = site
            .run(&[
                "policy",
                "approve",
                "--version",
                "1",
                "--login",
                "gicho",
                "--date",
                "令和8年3月18日",
                "--note",
                "議長決裁",
            ])
            .success()
            .stdout();
        assert!(
            approved.contains("Recorded the approval (決裁) of version 1 (version id 1) of \"佐久市議会情報セキュリティ基本方針\" on 2026-03-18 by gicho."),
            "{approved}"
        );
        approve("gicho", "2026-03-18").refused(&EN["policy.error.not_draft"]);
        let published = site
            .run(&["policy", "publish", "--version", "1"])
            .success()
            .stdout();
        assert!(
            published.contains("Published version 1 (version id 1) of \"佐久市議会情報セキュリティ基本方針\". Users asked to acknowledge it: 2."),
            "{published}"
        );
        // Those asked are told in the day's digest, once.
        let digest = site.run(&["mail", "digest"]).success().stdout();
        assert!(digest.contains("sent to 2 people (3 checked)"), "{digest}");
        let again = site.run(&["mail", "digest"]).success().stdout();
        assert!(again.contains("sent to 0 people"), "{again}");
        assert!(
            site.run(&["policy", "list"])
                .success()
                .stdout()
                .contains("published version id: 1")
        );

        // An acknowledgement given on paper.
        let acknowledged = site
            .run(&[
                "policy",
                "acknowledge",
                "--login",
                "giin.ichiro",
                "--version",
                "1",
            ])
            .success()
            .stdout();
        assert!(
            acknowledged.contains("Recorded that giin.ichiro acknowledged version 1"),
            "{acknowledged}"
        );
        site.run(&[
            "policy",
            "acknowledge",
            "--login",
            "giin.ichiro",
            "--version",
            "1",
        ])
        .refused("giin.ichiro has already acknowledged this version.");
        site.run(&[
            "policy",
            "acknowledge",
            "--login",
            "itaku",
            "--version",
            "1",
        ])
        .refused("itaku is not a user who must acknowledge the policy");
        site.run(&[
            "policy",
            "acknowledge",
            "--login",
            "nobody",
            "--version",
            "1",
        ])
        .refused("There is no active user nobody.");
        site.run(&[
            "policy",
            "acknowledge",
            "--login",
            "gicho",
            "--version",
            "9",
        ])
        .refused("There is no version with id 9.");
        let (rows, pending_for_contractor) = site.with_store(async |store| {
            (
                policies::acknowledgements(store, 1).await.unwrap(),
                policies::pending_for_user(store, contractor)
                    .await
                    .unwrap()
                    .len(),
            )
        }).await;
        assert_eq!(pending_for_contractor, 0);
        assert!(
            rows.iter()
                .any(|r| r.user_id == member && r.acknowledged_at.is_some())
        );
        assert!(
            rows.iter()
                .any(|r| r.login == "gicho" && r.acknowledged_at.is_none())
        );
    }
});

backend_test!(async fn nobody_approves_a_draft_they_wrote(backend) {
    let seed_file = seed_path().display().to_string();
    {
        let site = Site::new(backend).await;
        site.run(&["policy", "import", &seed_file]).success();
        let chief = site.with_store(async |store| {
            let chief = add_user(store, "kyokucho", UserType::Staff).await;
            let mut tx = store.write(Actor::system("test")).await.unwrap();
            mamori_store::users::set_org_roles(&mut tx, chief, &[OrgRole::ChiefSecurityOfficer])
                .await
                .unwrap();
            tx.commit().await.unwrap();
            chief
        }).await;
        // The draft as if the 統括情報セキュリティ責任者 had written it in the pages.
        site.db
            .execute(&format!(
                "UPDATE policy_versions SET created_by = {chief} WHERE id = 1"
            ))
            .await;
        let approve = |version: &str| {
            site.run(&[
                "policy",
                "approve",
                "--version",
                version,
                "--login",
                "kyokucho",
                "--date",
                "2026-03-18",
            ])
        };
        approve("1").refused(&EN["policy.error.own_draft"]);
        approve("9").refused("There is no version with id 9.");
        let audit =
            site.with_store(async |store| mamori_store::audit::recent(store, 100).await.unwrap()).await;
        assert!(!audit.iter().any(|e| e.action == "policy.approve"));
    }
});

backend_test!(async fn word_files_and_saved_pages_are_imported_from_the_command_line(backend) {
    use mamori_testkit::fixtures_policies::{regulation_docx, reiki_page};
    let site = Site::new(backend).await;
    // Told apart by content: the names say nothing.
    let docx = site.file("regulation.bin", &regulation_docx());
    let imported = site
        .run(&["policy", "import", &docx, "--kind", "other"])
        .success()
        .stdout();
    assert!(
        imported.contains("Clauses: 13 in all (5 top-level)."),
        "{imported}"
    );
    let page = site.file("reiki.txt", &reiki_page());
    let imported = site
        .run(&["policy", "import", &page, "--kind", "other"])
        .success()
        .stdout();
    assert!(
        imported.contains("Clauses: 11 in all (3 top-level)."),
        "{imported}"
    );
    assert!(
        imported.contains("Line 3: 目次 → Read as the table of contents"),
        "{imported}"
    );
    let broken = site.file("broken.docx", b"PK\x03\x04 not really a zip");
    site.run(&["policy", "import", &broken, "--kind", "other"])
        .refused(&EN["sheet.error.broken_document"]);
    let count = site
        .with_store(async |store| policies::documents(store).await.unwrap().len())
        .await;
    assert_eq!(count, 2);
});
