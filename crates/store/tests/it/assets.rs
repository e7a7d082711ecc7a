//! The asset register in the store, against a real SQLite file and a real PostgreSQL
//! server: search, filters, visibility of restricted assets, history and lifecycle.

use mamori_domain::access::Register;
use mamori_domain::approval::{Asked, State};
use mamori_domain::asset::{Approval, AssetInput, EventKind, Holders, Status};
use mamori_domain::classification::Axis;
use mamori_domain::record::{RecordKind, RecordRef};
use mamori_domain::user::{LoginId, Role, UserType};
use mamori_store::approvals;
use mamori_store::assets::{self, Filter, NewEvent, Sort, Viewer};
use mamori_store::classification::{self, ActivateRefusal};
use mamori_store::{Actor, Store, users};
use mamori_testkit::{TestDb, backend_test};

async fn add_user(store: &Store, login: &str) -> i64 {
    let login = LoginId::parse(login).unwrap();
    let mut tx = store.write(Actor::system("test")).await.unwrap();
    let id = users::create(
        &mut tx,
        users::NewUser {
            login: &login,
            display_name: "議員 一郎",
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

fn input(name: &str, confidentiality: &str) -> AssetInput {
    AssetInput {
        name: name.into(),
        description: "本会議の議事録と録音データ".into(),
        category: "イ".into(),
        form: "両方".into(),
        holder_type: "議会事務局".into(),
        confidentiality: confidentiality.into(),
        integrity: "2".into(),
        availability: "1".into(),
        tags: "会議録".into(),
        clauses: "6(2)".into(),
        ..AssetInput::default()
    }
}

const OTHER: Viewer = Viewer {
    user_id: Some(999_999),
    sees_restricted: false,
};

backend_test!(async fn register_search_visibility_history_and_disposal(backend) {
    let db = TestDb::new(backend).await;
    let store = db.open().await;
    let member = add_user(&store, "member1").await;
    let scheme = classification::active(&store).await.unwrap();
    assert_eq!(scheme.key, "guideline_2024");
    let holders = Holders::new([(member, "member1".into(), "議員 一郎".into())]);

    let mut tx = store.write(Actor::system("test")).await.unwrap();
    let minutes = input("ｶｲｷﾞﾛｸ 令和7年", "2")
        .check(&scheme, &holders)
        .unwrap();
    let minutes_id = assets::create(&mut tx, &minutes, &scheme).await.unwrap();
    let mut secret = input("秘密の議事メモ", "3A");
    secret.holder = "member1".into();
    let secret = secret.check(&scheme, &holders).unwrap();
    let secret_id = assets::create(&mut tx, &secret, &scheme).await.unwrap();
    tx.commit().await.unwrap();

    // Two-character and half-width searches find through the index.
    let everyone = Viewer::everything();
    for (q, want) in [
        ("議事", 2),
        ("議事録", 2),
        ("メモ", 1),
        ("カイギ", 1),
        ("録音", 2),
        ("ない言葉", 0),
    ] {
        let filter = Filter {
            q: q.into(),
            ..Filter::default()
        };
        let page = assets::list(&store, everyone, &filter, Sort::Newest, 0, 50)
            .await
            .unwrap();
        assert_eq!(page.total, want, "{backend:?} {q}");
    }
    // Only punctuation, or SQL and FTS syntax, never breaks the query.
    for q in ["「」", "\" OR 1=1 --", "NEAR(a b)", "*", "'"] {
        let filter = Filter {
            q: q.into(),
            ..Filter::default()
        };
        assets::list(&store, everyone, &filter, Sort::Name, 0, 50)
            .await
            .unwrap();
    }

    // The restricted asset exists only for its holder and those who oversee.
    let all = Filter::default();
    assert_eq!(assets::count(&store, everyone, &all).await.unwrap(), 2);
    assert_eq!(assets::count(&store, OTHER, &all).await.unwrap(), 1);
    let holder = Viewer {
        user_id: Some(member),
        sees_restricted: false,
    };
    assert_eq!(assets::count(&store, holder, &all).await.unwrap(), 2);
    assert!(assets::get(&store, OTHER, secret_id).await.is_err());
    let search = Filter {
        q: "秘密".into(),
        ..Filter::default()
    };
    assert_eq!(assets::count(&store, OTHER, &search).await.unwrap(), 0);

    // Filters.
    let c2 = scheme.find_level(Axis::Confidentiality, "2").unwrap().id;
    let filter = Filter {
        confidentiality: Some(c2),
        tag: Some("会議録".into()),
        status: Some(Status::InUse),
        ..Filter::default()
    };
    let page = assets::list(&store, everyone, &filter, Sort::Confidentiality, 0, 10)
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.assets[0].tags, vec!["会議録"]);
    assert_eq!(page.assets[0].clauses, vec!["6(2)"]);

    // A change of classification is kept with who and why.
    let mut tx = store
        .write(Actor {
            user_id: Some(member),
            label: "member1".into(),
            client_addr: None,
        })
        .await
        .unwrap();
    let mut changed = minutes.clone();
    changed.confidentiality = scheme.find_level(Axis::Confidentiality, "3C").unwrap().id;
    assets::update(&mut tx, minutes_id, &changed, &scheme, "個人情報を含むため")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let history = assets::classifications(&store, minutes_id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].reason, "個人情報を含むため");
    assert_eq!(history[0].changed_by.as_deref(), Some("議員 一郎"));

    // Disposal is recorded, never deleted.
    let mut tx = store.write(Actor::system("test")).await.unwrap();
    let event = NewEvent {
        kind: EventKind::Disposal,
        occurred_on: time::macros::date!(2026 - 11 - 20),
        person: "事務局 花子".into(),
        counterparty: String::new(),
        method: "裁断".into(),
        witness: "議会事務局長".into(),
        due_back: None,
        notes: String::new(),
    };
    assets::record_event(&mut tx, minutes_id, &event, Approval::NotRequired)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let disposed = assets::get(&store, everyone, minutes_id).await.unwrap();
    assert_eq!(disposed.status, Status::Disposed);
    let events = assets::events(&store, minutes_id).await.unwrap();
    assert_eq!(events[0].witness, "議会事務局長");

    // A pending take-out waits for approval (its approval request); only visible ones
    // are listed.
    let mut tx = store.write(Actor::system("test")).await.unwrap();
    let takeout = NewEvent {
        kind: EventKind::TakeOut,
        ..event.clone()
    };
    let takeout_id = assets::record_event(&mut tx, secret_id, &takeout, Approval::Pending)
        .await
        .unwrap();
    let request = approvals::open(
        &mut tx,
        approvals::NewRequest {
            subject: RecordRef::new(RecordKind::AssetTakeout, takeout_id),
            subject_parent_id: Some(secret_id),
            title: "take-out",
            asked: Asked::Deciders(Register::Assets),
            note: "",
            due_on: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        assets::pending_approvals(&store, everyone)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        assets::pending_approvals(&store, OTHER)
            .await
            .unwrap()
            .is_empty()
    );
    let mut tx = store.write(Actor::system("test")).await.unwrap();
    approvals::decide(
        &mut tx,
        request,
        approvals::Decided {
            state: State::Approved,
            decided_by: None,
            on_behalf_of: None,
            decided_on: time::macros::date!(2026 - 06 - 01),
            reason: "了承",
            minute_ref: "",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let decided = assets::event(&store, takeout_id).await.unwrap();
    assert_eq!(decided.approval, Approval::Approved);
    assert_eq!(decided.decision_note, "了承");

    // The scheme cannot be switched under classified assets.
    let legacy = classification::schemes(&store)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.key == "guideline_legacy")
        .unwrap();
    let mut tx = store.write(Actor::system("test")).await.unwrap();
    assert!(matches!(
        classification::activate(&mut tx, legacy.id).await,
        Err(ActivateRefusal::AssetsClassified(2))
    ));
    drop(tx);

    // Export batches see what the viewer sees.
    let mut seen = 0;
    assets::each_batch(&store, OTHER, &all, |batch| {
        seen += batch.len();
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(seen, 1);
    store.close().await;
});

backend_test!(async fn a_fresh_register_may_switch_schemes_and_edit_levels(backend) {
    let db = TestDb::new(backend).await;
    let store = db.open().await;
    let schemes = classification::schemes(&store).await.unwrap();
    assert_eq!(schemes.len(), 2);
    let legacy = schemes
        .iter()
        .find(|s| s.key == "guideline_legacy")
        .unwrap();
    let mut tx = store.write(Actor::system("test")).await.unwrap();
    classification::activate(&mut tx, legacy.id).await.unwrap();
    tx.commit().await.unwrap();
    let active = classification::active(&store).await.unwrap();
    assert_eq!(active.key, "guideline_legacy");
    let level = active
        .find_level(Axis::Confidentiality, "3")
        .unwrap()
        .clone();
    let mut rules = level.rules.clone();
    rules.insert(
        mamori_domain::classification::LifecycleStep::Send,
        "送信しない".into(),
    );
    let mut tx = store.write(Actor::system("test")).await.unwrap();
    classification::update_level(
        &mut tx,
        level.id,
        classification::LevelEdit {
            name: "極秘",
            definition: &level.definition,
            takeout_requires_approval: true,
            rules: &rules,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let active = classification::active(&store).await.unwrap();
    let edited = active.find_level(Axis::Confidentiality, "極秘").unwrap();
    assert_eq!(edited.code, "3");
    // Opening again does not seed twice.
    store.close().await;
    let store = db.open().await;
    assert_eq!(classification::schemes(&store).await.unwrap().len(), 2);
    store.close().await;
});

backend_test!(async fn an_import_writes_in_batches_and_later_assets_get_fresh_ids(backend) {
    let db = TestDb::new(backend).await;
    let store = db.open().await;
    let scheme = classification::active(&store).await.unwrap();
    let holders = Holders::default();
    let mut tx = store.write(Actor::system("test")).await.unwrap();
    let first = assets::create(
        &mut tx,
        &input("先に登録した資産", "1")
            .check(&scheme, &holders)
            .unwrap(),
        &scheme,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let many: Vec<_> = (0..250)
        .map(|n| {
            let mut row = input(
                &format!("委員会資料 第{n}号"),
                if n % 50 == 0 { "3A" } else { "2" },
            );
            row.tags = format!("委員会、第{}群", n % 3);
            row.check(&scheme, &holders).unwrap()
        })
        .collect();
    let mut tx = store.write(Actor::system("test")).await.unwrap();
    let ids = assets::create_many(&mut tx, &many, &scheme, "register.xlsx", "abc")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(ids.len(), 250);
    assert_eq!(ids[0], first + 1);
    assert_eq!(ids[249], first + 250);
    let everyone = Viewer::everything();
    assert_eq!(
        assets::count(&store, everyone, &Filter::default())
            .await
            .unwrap(),
        251
    );
    assert_eq!(
        assets::count(&store, OTHER, &Filter::default())
            .await
            .unwrap(),
        246
    );
    let filter = Filter {
        q: "第12号".into(),
        tag: Some("第0群".into()),
        ..Filter::default()
    };
    assert_eq!(assets::count(&store, everyone, &filter).await.unwrap(), 1);
    let one = assets::get(&store, everyone, ids[200]).await.unwrap();
    assert_eq!(one.tags.len(), 2);
    // A batch longer than one statement's worth of ids (an export's) gets every asset's
    // own tags, a last short chunk included.
    let batch = assets::batch_after(&store, everyone, &Filter::default(), first, 123)
        .await
        .unwrap();
    assert_eq!(batch.len(), 123);
    for (n, asset) in batch.iter().enumerate() {
        let mut expected = vec!["委員会".to_owned(), format!("第{}群", n % 3)];
        expected.sort();
        assert_eq!(asset.tags, expected, "{}", asset.name);
    }
    assert_eq!(
        assets::classifications(&store, ids[200])
            .await
            .unwrap()
            .len(),
        1
    );
    // The database's own id counter moved past the given ids.
    let mut tx = store.write(Actor::system("test")).await.unwrap();
    let next = assets::create(
        &mut tx,
        &input("後から登録した資産", "1")
            .check(&scheme, &holders)
            .unwrap(),
        &scheme,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(next, first + 251);
    store.close().await;
});

backend_test!(
    /// A stored code the domain cannot read is an error naming the table, the row and
    /// the column — never replaced by a plausible default.
    async fn an_unreadable_code_is_corrupt_not_a_default(backend) {
        let db = TestDb::new(backend).await;
        let store = db.open().await;
        let scheme = classification::active(&store).await.unwrap();
        let asset = input("本会議録", "2")
            .check(&scheme, &Holders::default())
            .unwrap();
        let mut tx = store.write(Actor::system("test")).await.unwrap();
        let id = assets::create(&mut tx, &asset, &scheme).await.unwrap();
        let event = NewEvent {
            kind: EventKind::Transfer,
            occurred_on: time::macros::date!(2026 - 11 - 26),
            person: "事務局".into(),
            counterparty: "総務課".into(),
            method: String::new(),
            witness: String::new(),
            due_back: None,
            notes: String::new(),
        };
        assets::record_event(&mut tx, id, &event, Approval::NotRequired)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        db.drop_audit_triggers().await;
        db.execute(&format!("UPDATE assets SET category = 'エ' WHERE id = {id}"))
            .await;
        db.execute("UPDATE asset_events SET occurred_on = '令和8年' WHERE kind = 'transfer'")
            .await;
        match assets::get(&store, Viewer::everything(), id).await {
            Err(mamori_store::StoreError::Corrupt {
                table, row, column, ..
            }) => assert_eq!((table, row.as_str(), column), ("assets", &*id.to_string(), "category")),
            other => panic!("expected Corrupt, got {other:?}"),
        }
        match assets::events(&store, id).await {
            Err(mamori_store::StoreError::Corrupt { table, column, .. }) => {
                assert_eq!((table, column), ("asset_events", "occurred_on"))
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
        store.close().await;
    }
);

backend_test!(
    /// Migration 0008: the retention codes earlier versions stored become the words a
    /// register writes, which read back to the same meaning; other text is untouched.
    async fn retention_codes_become_the_words_registers_write(backend) {
        let db = TestDb::new(backend).await;
        let store = db.open().await;
        let scheme = classification::active(&store).await.unwrap();
        let written = [
            ("5y", "5年"),
            ("30y", "30年"),
            ("permanent", "永年"),
            ("under_1y", "1年未満"),
            ("term", "任期中"),
            ("contract", "契約終了まで"),
            ("5年", "5年"),
            ("事業完了後3年", "事業完了後3年"),
            ("y", "y"),
        ];
        let mut tx = store.write(Actor::system("test")).await.unwrap();
        let mut ids = Vec::new();
        for (before, _) in written {
            let mut asset = input("本会議録", "2");
            asset.retention = before.into();
            let asset = asset.check(&scheme, &Holders::default()).unwrap();
            ids.push(assets::create(&mut tx, &asset, &scheme).await.unwrap());
        }
        tx.commit().await.unwrap();
        let before: Vec<_> = {
            let mut readings = Vec::new();
            for id in &ids {
                let record = assets::get(&store, Viewer::everything(), *id).await.unwrap();
                readings.push(record.retention.unwrap().reading);
            }
            readings
        };
        let sql = match backend {
            mamori_store::Backend::Sqlite => {
                include_str!("../../migrations/sqlite/0008_retention.sql")
            }
            mamori_store::Backend::Postgres => {
                include_str!("../../migrations/postgres/0008_retention.sql")
            }
        };
        for statement in sql.split(";\n").filter(|s| s.contains("UPDATE")) {
            db.execute(statement).await;
        }
        for (i, (_, after)) in written.iter().enumerate() {
            let record = assets::get(&store, Viewer::everything(), ids[i]).await.unwrap();
            let retention = record.retention.unwrap();
            assert_eq!(retention.text, *after, "{backend:?}");
            assert_eq!(retention.reading, before[i], "same meaning: {after}");
        }
        store.close().await;
    }
);

backend_test!(async fn the_kept_totals_follow_every_change_to_the_register(backend) {
    // Totals by category and status (migration 0020) answer a list's count when only
    // those narrow it; adding any other filter counts the assets themselves. Both must
    // agree after registering, importing, recategorising, archiving and withdrawing.
    let db = TestDb::new(backend).await;
    let store = db.open().await;
    let scheme = classification::active(&store).await.unwrap();
    let holders = Holders::default();
    let rows: Vec<_> = (0..30)
        .map(|n| {
            let mut row = input(&format!("資産 第{n}号"), if n % 7 == 0 { "3A" } else { "2" });
            row.category = ["ア", "イ", "ウ"][n % 3].into();
            row.status = ["使用中", "保存", "廃棄"][n % 2].into();
            row.check(&scheme, &holders).unwrap()
        })
        .collect();
    let mut tx = store.write(Actor::system("test")).await.unwrap();
    let ids = assets::create_many(&mut tx, &rows, &scheme, "register.csv", "abc")
        .await
        .unwrap();
    let extra = assets::create(&mut tx, &rows[1], &scheme).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.write(Actor::system("test")).await.unwrap();
    let mut moved = rows[0].clone();
    moved.category = mamori_domain::asset::Category::SystemDocument;
    moved.status = Status::Disposed;
    assets::update(&mut tx, ids[0], &moved, &scheme, "分類の見直し")
        .await
        .unwrap();
    assets::withdraw(&mut tx, ids[4], "重複登録").await.unwrap();
    assets::withdraw(&mut tx, extra, "重複登録").await.unwrap();
    tx.commit().await.unwrap();

    let categories = [None]
        .into_iter()
        .chain(mamori_domain::asset::Category::ALL.iter().copied().map(Some));
    let mut checked = 0;
    for category in categories {
        let statuses = [None]
            .into_iter()
            .chain(Status::ALL.iter().copied().map(Some));
        for status in statuses {
            let kept = Filter {
                category,
                status,
                ..Filter::default()
            };
            // Every row above is 両方 (both forms): the same assets, counted one by one.
            let walked = Filter {
                form: Some(mamori_domain::asset::Form::Both),
                ..kept.clone()
            };
            for viewer in [Viewer::everything(), OTHER] {
                let total = assets::count(&store, viewer, &kept).await.unwrap();
                let counted = assets::count(&store, viewer, &walked).await.unwrap();
                assert_eq!(total, counted, "{backend:?} {category:?} {status:?}");
                checked += total;
            }
        }
    }
    assert!(checked > 0);
    let all = assets::count(&store, Viewer::everything(), &Filter::default()).await;
    assert_eq!(all.unwrap(), 29, "{backend:?}: 31 registered, 2 withdrawn");
});
