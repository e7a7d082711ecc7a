//! `mamori import assets` and `mamori export assets` end to end: the real binary as a
//! child process, on a fresh SQLite data directory and on a fresh PostgreSQL database.

use std::process::{Command, Output};
use std::sync::OnceLock;

use mamori_app::i18n::{EN, JA};
use mamori_domain::user::{LoginId, Role, UserType};
use mamori_store::assets::{Filter, Viewer};
use mamori_store::{Actor, Backend, Store};
use mamori_testkit::{TestDb, backends};

fn block_on<F: Future>(future: F) -> F::Output {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("tokio runtime")
        })
        .block_on(future)
}

const REGISTER: &str = "\
資産名,分類,形態,保有者区分,保有者,管理責任者,保管場所,ネットワーク,機密性,完全性,可用性,保存期間,廃棄予定日,状態,タグ,備考,関連条項\r
本会議録（令和7年）,イ,紙,議会事務局,,,議会事務局 書庫,なし,2,2,1,永年,,使用中,会議録、本会議,,2(3)\r
議員用タブレット端末,ア,電子,議員,sato.giin,system_staff,議員控室,インターネット接続系,2,2,2,任期中,,使用中,貸与端末,\"退任時にデータを消去して返却する。\n受領書と誓約書あり。\",6(4)\r
議会ネットワーク構成図,ウ,電子,議会事務局,jimu.kyoku,,サーバ室,LGWAN接続系,3B,2,2,10年,,使用中,,\"=HYPERLINK(\"\"x\"\")\",6(3)\r
政務活動費収支報告書,イ,両方,議員,sato.giin,,議会事務局 キャビネット,なし,機密性2,1,1,5年,令和13年3月31日,保存,政務活動費,,\r
請願者名簿（個人番号を含む）,イ,紙,議会事務局,jimu.kyoku,security_manager,金庫,基幹系,3A,2,1,5年,2031-03-31,保存,請願、個人情報,施錠して保管,6(2)\r
";

struct Run {
    what: String,
    output: Output,
}

impl Run {
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    #[track_caller]
    fn success(self) -> Run {
        assert!(
            self.output.status.success(),
            "{} failed:\n{}{}",
            self.what,
            self.stdout(),
            self.stderr()
        );
        // Not a terminal: no progress bar, only messages.
        assert!(!self.stderr().contains('\u{1b}'), "{}", self.stderr());
        self
    }

    /// mamori's own refusal: exit 1 and a message, never a panic.
    #[track_caller]
    fn refused(self, message: &str) -> Run {
        assert_eq!(
            self.output.status.code(),
            Some(1),
            "{}:\n{}{}",
            self.what,
            self.stdout(),
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

struct Site {
    db: TestDb,
    cwd: tempfile::TempDir,
}

impl Site {
    fn new(backend: Backend) -> Site {
        let site = Site {
            db: block_on(TestDb::new(backend)),
            cwd: tempfile::tempdir().expect("temp dir"),
        };
        site.with_store(async |store| {
            add_user(store, "sato.giin", UserType::Member).await;
            add_user(store, "jimu.kyoku", UserType::Staff).await;
        });
        site
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_in("en", args)
    }

    fn run_in(&self, lang: &str, args: &[&str]) -> Run {
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
            .env("MAMORI_LANG", lang)
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

    fn file(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.cwd.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    }

    fn with_store<T>(&self, work: impl AsyncFnOnce(&Store) -> T) -> T {
        block_on(async {
            let store = self.db.open().await;
            let out = work(&store).await;
            store.close().await;
            out
        })
    }

    fn count(&self) -> i64 {
        self.with_store(async |store| {
            mamori_store::assets::count(store, Viewer::everything(), &Filter::default())
                .await
                .unwrap()
        })
    }

    fn audit(&self, action: &str) -> Vec<serde_json::Value> {
        self.with_store(async |store| {
            mamori_store::audit::recent(store, 1000)
                .await
                .unwrap()
                .into_iter()
                .filter(|e| e.action == action)
                .map(|e| serde_json::from_str(&e.changes).unwrap())
                .collect()
        })
    }

    /// The register as comparable text: holders by login, levels by code, in id order.
    fn snapshot(&self) -> Vec<String> {
        self.with_store(async |store| {
            let scheme = mamori_store::classification::active(store).await.unwrap();
            let (users, _) = mamori_store::users::list(store, 1000, 0).await.unwrap();
            let login = |id: Option<i64>| {
                id.map(|id| users.iter().find(|u| u.id == id).unwrap().login.clone())
            };
            let code = |id: i64| scheme.level(id).unwrap().code.clone();
            let mut out = Vec::new();
            mamori_store::assets::each_batch(
                store,
                Viewer::everything(),
                &Filter::default(),
                |batch| {
                    for a in batch {
                        out.push(format!(
                            "{:?}, {:?}",
                            (
                                &a.name,
                                &a.description,
                                a.category,
                                a.form,
                                a.holder_type,
                                login(a.holder_id),
                                a.managing_role,
                                &a.location,
                                a.segment,
                            ),
                            (
                                [
                                    code(a.confidentiality_id),
                                    code(a.integrity_id),
                                    code(a.availability_id),
                                ],
                                a.restricted,
                                a.retention,
                                &a.disposal_due,
                                a.status,
                                &a.tags,
                                &a.notes,
                                &a.clauses,
                            )
                        ));
                    }
                    Ok(())
                },
            )
            .await
            .unwrap();
            out
        })
    }
}

async fn add_user(store: &Store, login: &str, user_type: UserType) -> i64 {
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

fn en(key: &str, params: &[(&str, &str)]) -> String {
    let mut text = EN[key].clone();
    for (name, value) in params {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

#[test]
fn import_checks_every_row_and_writes_all_or_nothing() {
    for backend in backends() {
        let site = Site::new(backend);

        // Files that cannot be read, or have no name column, are refused at once.
        let missing = site.cwd.path().join("missing.csv").display().to_string();
        site.run(&["import", "assets", &missing])
            .refused(&en("cli.assets.error.read_failed", &[("file", &missing)]));
        let png = site.file("photo.xlsx", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10");
        site.run(&["import", "assets", &png])
            .refused(&EN["sheet.error.not_a_spreadsheet"]);
        let nameless = site.file("nameless.csv", "Title,Kind\r\nx,y\r\n".as_bytes());
        site.run(&["import", "assets", &nameless]).refused(&en(
            "cli.assets.error.name_unmapped",
            &[("headers", "Title, Kind")],
        ));

        // Row problems: every one listed with its row and field, nothing written.
        let bad = site.file(
            "bad.csv",
            "\
資産名,分類,形態,保有者区分,機密性,完全性,可用性,廃棄予定日,publication,何か\r
会議録,イ,紙,議会事務局,2,2,1,,,\r
旧基準の区分,イ,紙,議会事務局,3,2,1,,,\r
日付の誤り,イ,紙,議会事務局,2,2,1,2026-02-30,,\r
官報（令和7年）,イ,紙,議会事務局,1,1,1,,官報,\r
"
            .as_bytes(),
        );
        let run = site
            .run(&["import", "assets", &bad])
            .refused(&en("cli.assets.rejected", &[("count", "3"), ("rows", "4")]));
        let stderr = run.stderr();
        assert!(
            stderr.contains(&en(
                "cli.assets.row_error",
                &[
                    ("line", "3"),
                    ("field", &EN["asset.field.confidentiality"]),
                    (
                        "message",
                        &en(
                            "asset.error.unknown_level",
                            &[("levels", "3A / 3B / 3C / 2 / 1")]
                        )
                    ),
                ]
            )),
            "{stderr}"
        );
        assert!(stderr.contains("Row 4, Disposal date: "), "{stderr}");
        assert!(stderr.contains(&format!(
            "Row 5, {}: {}",
            EN["asset.field.publication"], EN["asset.error.publication"]
        )));
        assert!(stderr.contains(&en("cli.assets.ignored", &[("headers", "何か")])));
        assert_eq!(site.count(), 0, "{backend:?}");

        // Many problems: the first 50 and how many more.
        let many = format!(
            "資産名,分類,形態,保有者区分,機密性,完全性,可用性\r\n{}",
            "x,エ,紙,議会事務局,2,2,1\r\n".repeat(60)
        );
        let many = site.file("many.csv", many.as_bytes());
        let run = site
            .run(&["import", "assets", &many])
            .refused(&en("cli.assets.more_errors", &[("count", "10")]));
        assert_eq!(run.stderr().matches("Row ").count(), 50, "{}", run.stderr());

        // A dry run checks and writes nothing.
        let register = site.file("register.csv", REGISTER.as_bytes());
        let run = site
            .run(&["import", "assets", &register, "--dry-run"])
            .success();
        assert!(
            run.stdout()
                .contains(&en("cli.assets.dry_run", &[("count", "5")]))
        );
        assert_eq!(site.count(), 0);
        assert!(site.audit("asset.import").is_empty());

        // Then for real: all five in one transaction, one audit entry with the SHA-256.
        let run = site
            .run_in("ja", &["import", "assets", &register])
            .success();
        assert!(
            run.stdout().contains("register.csv を取り込みました")
                && run.stdout().contains("新規登録5件、更新0件、変更なし0件"),
            "{}",
            run.stdout()
        );
        assert_eq!(site.count(), 5);
        let entries = site.audit("asset.import");
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0]["source"][1], "register.csv");
        assert_eq!(
            entries[0]["sha256"][1],
            mamori_store::sha256_hex(REGISTER.as_bytes())
        );
        let rows = site.snapshot();
        assert!(rows[2].contains("=HYPERLINK(\\\"x\\\")"), "{}", rows[2]);
        assert!(rows[4].contains("\"3A\"") && rows[4].contains(", true,"));
        // Messages in Japanese when the console is Japanese.
        site.run_in("ja", &["import", "assets", &nameless])
            .refused("「資産名」の列が見つかりません");
    }
}

#[test]
fn the_whole_register_is_exported_and_imports_again() {
    for backend in backends() {
        let source = Site::new(backend);
        let register = source.file("register.csv", REGISTER.as_bytes());
        source.run(&["import", "assets", &register]).success();
        let expected = source.snapshot();
        assert_eq!(expected.len(), 5);

        let unknown = source.cwd.path().join("register.dat").display().to_string();
        source
            .run(&["export", "assets", &unknown])
            .refused(&en("cli.assets.error.format", &[("file", &unknown)]));
        assert!(source.audit("asset.export").is_empty());

        let exports = [
            ("ja", "台帳.xlsx", None),
            ("en", "register-en.xlsx", None),
            ("ja", "台帳.csv", None),
            ("en", "register.dat", Some("csv")),
        ];
        for (i, (lang, name, format)) in exports.into_iter().enumerate() {
            let path = source.cwd.path().join(name).display().to_string();
            let mut args = vec!["export", "assets", path.as_str()];
            if let Some(format) = format {
                args.extend(["--format", format]);
            }
            let run = source.run_in(lang, &args).success();
            let catalog = if lang == "ja" { &JA } else { &EN };
            let done = catalog["cli.assets.exported"]
                .replace("{count}", "5")
                .replace("{file}", &path);
            assert!(run.stdout().contains(&done), "{}", run.stdout());
            assert!(!std::path::Path::new(&format!("{path}.partial")).exists());
            let audited = source.audit("asset.export");
            assert_eq!(audited.len(), i + 1);
            assert_eq!(audited[0]["count"][1], 5, "the restricted asset included");

            // Into the same database: every row is its asset, unchanged; nothing doubles.
            let bytes = std::fs::read(&path).unwrap();
            let again = source.file(&format!("again-{i}-{name}"), &bytes);
            let run = source.run_in(lang, &["import", "assets", &again]).success();
            let nothing = catalog["cli.assets.nothing"].replace("{count}", "5");
            let nothing = nothing.split("{file}").nth(1).unwrap();
            assert!(run.stdout().contains(nothing), "{}", run.stdout());
            assert_eq!(source.snapshot(), expected, "{backend:?} {lang} {name}");

            // Into a fresh database with the same people: none of the numbers is one of
            // its assets, so it asks what they are, and imports only once told.
            let target = Site::new(backend);
            let copy = target.file(name, &bytes);
            let asked = EN["cli.assets.own_numbers"]
                .split("{header}")
                .next()
                .unwrap();
            target.run(&["import", "assets", &copy]).refused(asked);
            assert_eq!(target.count(), 0);
            target
                .run(&["import", "assets", &copy, "--as-new"])
                .success();
            assert_eq!(target.snapshot(), expected, "{backend:?} {lang} {name}");
        }
        let csv = std::fs::read_to_string(source.cwd.path().join("台帳.csv")).unwrap();
        assert!(csv.starts_with("\u{feff}資産番号,資産名,説明,資産の種別,形態,保有者区分,保有者,"));
        assert!(csv.contains("'=HYPERLINK"), "formulas are guarded");
        let csv = std::fs::read_to_string(source.cwd.path().join("register.dat")).unwrap();
        assert!(csv.starts_with("\u{feff}Asset No.,Name,Description,Asset type,"));
    }
}

#[test]
fn the_template_is_written_and_refused_when_imported_untouched() {
    for backend in backends() {
        let site = Site::new(backend);
        for (name, lang, messages) in [("template.xlsx", "ja", &*JA), ("template.csv", "en", &*EN)]
        {
            let path = site.cwd.path().join(name).display().to_string();
            let run = site
                .run_in(lang, &["export", "asset-template", &path])
                .success();
            let written = messages["cli.assets.template_written"].replace("{file}", &path);
            assert!(run.stdout().contains(&written), "{}", run.stdout());
            let (_, table) =
                mamori_app::assets::files::read_table(&std::fs::read(&path).unwrap()).unwrap();
            assert_eq!(table.rows.len(), 1, "{backend:?} {name}");
            assert_eq!(
                table.rows[0].cells[0],
                messages["asset.template.example_name"]
            );
            site.run_in(lang, &["import", "assets", &path])
                .refused(&messages["asset.import.error.template_only"]);
        }
        assert_eq!(site.count(), 0, "{backend:?}");
    }
}

/// A mapping saved on the import page (here written to the store as the page does) is
/// applied by the command line to a file with the same headers: its 高/中/低 levels
/// import as the profile says, where without it every row is refused.
#[test]
fn a_saved_mapping_profile_is_applied_to_a_file_with_its_headers() {
    for backend in backends() {
        let site = Site::new(backend);
        let csv = "資産名,分類,形態,保有者区分,機密性（高・中・低）,完全性,可用性\r\n\
                   議員名簿（連絡先）,イ,電子,議会事務局,高,2,1\r\n\
                   議会だより原稿,イ,紙,議会事務局,低,1,1\r\n";
        let file = site.file("台帳.csv", csv.as_bytes());
        site.run(&["import", "assets", &file]).refused(
            EN["asset.error.unknown_level"]
                .split("{levels}")
                .next()
                .unwrap(),
        );
        assert_eq!(site.count(), 0);

        let headers: Vec<String> = csv
            .lines()
            .next()
            .unwrap()
            .split(',')
            .map(str::to_owned)
            .collect();
        let mapping: Vec<Option<String>> = [
            "name",
            "category",
            "form",
            "holder_type",
            "confidentiality",
            "integrity",
            "availability",
        ]
        .map(|f| Some(f.to_owned()))
        .to_vec();
        let values = serde_json::json!({
            "confidentiality": {
                "高": {"kind": "value", "code": "3A"},
                "低": {"kind": "value", "code": "2"}
            }
        });
        site.with_store(async |store| {
            let mut tx = store.write(Actor::system("test")).await.unwrap();
            mamori_store::assets::imports::save_profile(
                &mut tx,
                "事務局の台帳",
                &mamori_app::assets::imports::header_key(&headers),
                &mapping,
                &values.to_string(),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        });
        let run = site.run(&["import", "assets", &file]).success();
        assert!(run.stderr().contains("事務局の台帳"), "{}", run.stderr());
        assert_eq!(site.count(), 2, "{backend:?}");
        let levels: Vec<String> = site.snapshot();
        assert!(
            levels
                .iter()
                .any(|l| l.contains("議員名簿（連絡先）") && l.contains("3A")),
            "{levels:?}"
        );
    }
}
