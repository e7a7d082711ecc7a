//! Search finds the same assets on both backends, whichever way the store answers: on
//! PostgreSQL a search alone is answered from its narrow table (migration 0019), a
//! search with other filters or another order through the assets table; SQLite reads
//! its full-text index. Each query is checked against the ids it must find.

use mamori_domain::asset::{AssetInput, Category, Holders};
use mamori_domain::user::{LoginId, Role, UserType};
use mamori_store::assets::{self, Filter, Sort, Viewer};
use mamori_store::{Actor, Store, classification, users};
use mamori_testkit::{TestDb, backend_test};

async fn add_member(store: &Store) -> i64 {
    let login = LoginId::parse("member1").unwrap();
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

fn input(name: &str, description: &str, category: &str, confidentiality: &str) -> AssetInput {
    AssetInput {
        name: name.into(),
        description: description.into(),
        category: category.into(),
        form: "電子".into(),
        holder_type: "議会事務局".into(),
        confidentiality: confidentiality.into(),
        integrity: "2".into(),
        availability: "1".into(),
        ..AssetInput::default()
    }
}

fn search(q: &str) -> Filter {
    Filter {
        q: q.into(),
        ..Filter::default()
    }
}

/// The ids a viewer finds, in every order and path the store has for the same filter.
async fn found(store: &Store, viewer: Viewer, filter: &Filter) -> Vec<i64> {
    let newest = assets::list(store, viewer, filter, Sort::Newest, 0, 50)
        .await
        .unwrap();
    let mut ids: Vec<i64> = newest.assets.iter().map(|a| a.id).collect();
    let oldest = assets::list(store, viewer, filter, Sort::Oldest, 0, 50)
        .await
        .unwrap();
    let mut oldest_ids: Vec<i64> = oldest.assets.iter().map(|a| a.id).collect();
    oldest_ids.reverse();
    assert_eq!(
        ids, oldest_ids,
        "{:?}: oldest first is newest first reversed",
        filter.q
    );
    let by_name = assets::list(store, viewer, filter, Sort::Name, 0, 50)
        .await
        .unwrap();
    let mut by_name_ids: Vec<i64> = by_name.assets.iter().map(|a| a.id).collect();
    by_name_ids.sort_unstable();
    let total = assets::count(store, viewer, filter).await.unwrap();
    for page_total in [newest.total, oldest.total, by_name.total, total] {
        assert_eq!(page_total, ids.len() as i64, "{:?}: totals", filter.q);
    }
    ids.sort_unstable();
    assert_eq!(ids, by_name_ids, "{:?}: sorted by name", filter.q);
    ids
}

backend_test!(async fn search_finds_the_same_assets_every_way(backend) {
    let db = TestDb::new(backend).await;
    let store = db.open().await;
    let member = add_member(&store).await;
    let scheme = classification::active(&store).await.unwrap();
    let holders = Holders::new([(member, "member1".into(), "議員 一郎".into())]);
    let mut secret = input("秘密会議録", "", "イ", "3A");
    secret.holder = "member1".into();
    let inputs = [
        input("会議録の保管", "議事・録音", "イ", "2"),
        // 会議 and 録 in two runs: not the word 会議録.
        input("会議・録画", "", "イ", "2"),
        // Full-width letters and digits, half-width kana: one form after NFKC.
        input("ＡＢＣ会議録２０２６", "ﾀﾌﾞﾚｯﾄ端末", "ウ", "2"),
        secret,
        input("録", "庁舎サーバ", "ア", "1"),
        // Every gram of 会議録 (会議, 議録), but not one after the other.
        input("議録会議", "", "ア", "1"),
    ];
    let mut tx = store.write(Actor::system("test")).await.unwrap();
    let mut id = Vec::new();
    for asset in inputs {
        let asset = asset.check(&scheme, &holders).unwrap();
        id.push(assets::create(&mut tx, &asset, &scheme).await.unwrap());
    }
    tx.commit().await.unwrap();

    let everyone = Viewer::everything();
    let other = Viewer {
        user_id: Some(member + 1000),
        sees_restricted: false,
    };
    let holder = Viewer {
        user_id: Some(member),
        sees_restricted: false,
    };
    let cases: &[(&str, &[usize])] = &[
        ("会議", &[0, 1, 2, 3, 5]),
        ("会議録", &[0, 2, 3]),
        ("議録", &[0, 2, 3, 5]),
        // One character: anywhere in a word, its end included.
        ("録", &[0, 1, 2, 3, 4, 5]),
        ("画", &[1]),
        ("abc", &[2]),
        ("ｂｃ会議録20", &[2]),
        ("タブレット", &[2]),
        ("タブレット 会議録", &[2]),
        ("会議録 録音", &[0]),
        ("議事録", &[]),
        ("録画 abc", &[]),
        ("ない言葉", &[]),
    ];
    for (q, want) in cases {
        let want_all: Vec<i64> = want.iter().map(|&i| id[i]).collect();
        let want_other: Vec<i64> = want_all.iter().copied().filter(|&i| i != id[3]).collect();
        let filter = search(q);
        assert_eq!(found(&store, everyone, &filter).await, want_all, "{backend:?} {q}");
        assert_eq!(found(&store, holder, &filter).await, want_all, "{backend:?} {q}");
        assert_eq!(found(&store, other, &filter).await, want_other, "{backend:?} {q}");
        // With another filter too: the search as one condition among others.
        let documents = Filter {
            category: Some(Category::Information),
            ..filter.clone()
        };
        let want_documents: Vec<i64> = want_other
            .iter()
            .copied()
            .filter(|&i| i == id[0] || i == id[1])
            .collect();
        assert_eq!(
            found(&store, other, &documents).await,
            want_documents,
            "{backend:?} {q} with a category"
        );
    }

    // Past the last page the total is still the whole count.
    let page = assets::list(&store, everyone, &search("会議"), Sort::Newest, 50, 50)
        .await
        .unwrap();
    assert!(page.assets.is_empty());
    assert_eq!(page.total, 5);
    let page = assets::list(&store, everyone, &search("会議"), Sort::Newest, 1, 2)
        .await
        .unwrap();
    assert_eq!(
        page.assets.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![id[3], id[2]]
    );
    assert_eq!(page.total, 5);

    // A change of the words, of the level or of the status is searched at once.
    let mut tx = store.write(Actor::system("test")).await.unwrap();
    let renamed = input("録画の会議録", "", "イ", "3A");
    let mut renamed = renamed;
    renamed.holder = "member1".into();
    let renamed = renamed.check(&scheme, &holders).unwrap();
    assets::update(&mut tx, id[1], &renamed, &scheme, "名称の誤り")
        .await
        .unwrap();
    assets::withdraw(&mut tx, id[0], "誤登録").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        found(&store, everyone, &search("会議録")).await,
        vec![id[1], id[2], id[3]]
    );
    assert_eq!(found(&store, other, &search("会議録")).await, vec![id[2]]);
    assert_eq!(found(&store, everyone, &search("録音")).await, Vec::<i64>::new());
});
