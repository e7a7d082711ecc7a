//! ふりがな (issue 13, item 9): an optional reading on the user form, the account page
//! and the API, kana only and kept in hiragana; user lists and person choices in
//! 五十音順, people without a reading last by name. Both backends.

use mamori_domain::user::Role;
use mamori_testkit::{TestServer, assert_api_error, backend_test, location};
use serde_json::json;

const PASSWORD: &str = "chikuma river in spring";

/// The new-user form as the page posts it.
fn new_user<'a>(login: &'a str, name: &'a str, reading: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("login", login),
        ("display_name", name),
        ("reading", reading),
        ("user_type", "staff"),
        ("role", "user"),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ]
}

/// Where each of `needles` first appears in `haystack`, which must hold them all.
fn positions(haystack: &str, needles: &[&str]) -> Vec<usize> {
    needles
        .iter()
        .map(|n| haystack.find(n).unwrap_or_else(|| panic!("{n} missing")))
        .collect()
}

backend_test!(async fn the_user_form_keeps_a_reading_in_hiragana_and_refuses_kanji(backend) {
    let server = TestServer::start(backend).await;
    let (_, admin) = server.web_as("chief.admin", Role::Admin).await;
    let form = admin.page("/users/new", 200).await;
    assert!(form.contains("<label for=\"reading\">ふりがな</label>"), "{form}");

    let refused = admin
        .post_form("/users/new", &new_user("sato", "佐藤 花子", "佐藤"))
        .await;
    assert_eq!(refused.status().as_u16(), 422);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("<a href=\"#reading\">ふりがな：ふりがなはひらがなかカタカナで入力してください（「佐」は使えません）。</a>"),
        "the summary names the field and links to it: {page}"
    );
    assert!(page.contains("value=\"佐藤\""), "the typed text is kept");
    let (_, total) = mamori_store::users::list(&server.store, 1, 0).await.unwrap();
    assert_eq!(total, 1, "nothing was written");

    let created = admin
        .post_form("/users/new", &new_user("sato", "佐藤 花子", "ｻﾄｳ ﾊﾅｺ"))
        .await;
    let to = location(&created);
    let user = admin.page(&to, 200).await;
    assert!(user.contains("value=\"さとう　はなこ\""), "{user}");

    // The edit form removes it with an empty field.
    let id = to.trim_start_matches("/users/").split('?').next().unwrap().to_owned();
    let edited = admin
        .post_form(
            &format!("/users/{id}"),
            &[
                ("display_name", "佐藤 花子"),
                ("reading", ""),
                ("user_type", "staff"),
                ("role", "user"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(location(&edited), format!("/users/{id}?saved=updated"));
    let stored = mamori_store::users::get(&server.store, id.parse().unwrap()).await.unwrap();
    assert_eq!(stored.reading, None);
    let trail = mamori_store::audit::recent(&server.store, 1).await.unwrap();
    assert!(trail[0].changes.contains("reading"), "{}", trail[0].changes);
    server.stop().await;
});

backend_test!(async fn lists_and_person_choices_are_in_gojuon_order_with_no_reading_last(backend) {
    let server = TestServer::start(backend).await;
    let (_, admin) = server.web_as("chief.admin", Role::Admin).await;
    for (login, name, reading) in [
        ("watanabe", "渡辺 誠", "わたなべ まこと"),
        ("abe", "阿部 敦", "アベ アツシ"),
        ("kato", "加藤 恵", "ｶﾄｳ ﾒｸﾞﾐ"),
        ("gamou", "蒲生 学", "がもう まなぶ"),
        ("zz.nobody", "上田 一", ""),
    ] {
        let response = admin.post_form("/users/new", &new_user(login, name, reading)).await;
        assert_eq!(response.status().as_u16(), 303, "{login}");
    }
    // Without a reading, by name: the test kit names chief.admin by its login, which
    // comes before 上田 in code-point order.
    let expected = ["阿部 敦", "加藤 恵", "蒲生 学", "渡辺 誠", "chief.admin", "上田 一"];
    let page = admin.page("/users", 200).await;
    let list = &page[page.find("<tbody>").expect("the table")..];
    let at = positions(list, &expected);
    assert!(at.windows(2).all(|w| w[0] < w[1]), "list order {at:?}");
    assert!(list.contains("あべ　あつし"), "the reading is shown under the name");

    let api = admin.json("/api/v1/users").await;
    let names: Vec<&str> = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["display_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, expected);
    assert_eq!(api["items"][1]["reading"], "かとう　めぐみ");
    assert!(api["items"][5]["reading"].is_null());

    // A person choice (the holder of an asset) is in the same order.
    let form = admin.page("/assets/new", 200).await;
    let holders = &form[form.find("id=\"holder\"").expect("holder select")..];
    let at = positions(holders, &expected);
    assert!(at.windows(2).all(|w| w[0] < w[1]), "holder order {at:?}");
    server.stop().await;
});

backend_test!(async fn the_api_sets_changes_and_refuses_a_reading(backend) {
    let server = TestServer::start(backend).await;
    let (_, admin) = server.web_as("chief.admin", Role::Admin).await;
    let body = json!({
        "login": "ueda", "display_name": "上田 一", "reading": "ウエダ ハジメ",
        "role": "user", "user_type": "member", "password": PASSWORD,
    });
    let created = admin.post_json("/api/v1/users", &body).await;
    assert_eq!(created.status().as_u16(), 201);
    let user: serde_json::Value = created.json().await.unwrap();
    assert_eq!(user["reading"], "うえだ　はじめ");
    let path = format!("/api/v1/users/{}", user["id"]);

    let refused = admin.patch_json(&path, &json!({"reading": "Ueda"})).await;
    let error = assert_api_error(refused, 422, "validation_failed").await;
    assert_eq!(error["fields"][0]["field"], "reading");
    assert_eq!(admin.json(&path).await["reading"], "うえだ　はじめ", "unchanged");

    let too_long = "あ".repeat(101);
    let refused = admin.patch_json(&path, &json!({"reading": too_long})).await;
    let error = assert_api_error(refused, 422, "validation_failed").await;
    assert_eq!(error["fields"][0]["field"], "reading");
    let message = error["fields"][0]["message"].as_str().unwrap();
    assert!(message.contains("100文字以内"), "{message}");

    let removed = admin.patch_json(&path, &json!({"reading": ""})).await;
    assert_eq!(removed.status().as_u16(), 200);
    assert!(admin.json(&path).await["reading"].is_null());
    server.stop().await;
});

backend_test!(async fn a_member_sets_their_own_reading_on_the_account_page_and_the_api(backend) {
    let server = TestServer::start(backend).await;
    let (id, member) = server.web_as("suzuki", Role::User).await;
    let page = member.page("/account", 200).await;
    assert!(page.contains("action=\"/account/reading\""), "{page}");

    let refused = member.post_form("/account/reading", &[("reading", "鈴木")]).await;
    assert_eq!(refused.status().as_u16(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains("「鈴」は使えません"), "{page}");
    assert!(page.contains("href=\"#reading\""), "the summary links to the field");

    let saved = member.post_form("/account/reading", &[("reading", "スズキ")]).await;
    assert_eq!(location(&saved), "/account?saved=reading");
    let page = member.page("/account?saved=reading", 200).await;
    assert!(page.contains("ふりがなを保存しました。") && page.contains("すずき"), "{page}");
    assert_eq!(member.json("/api/v1/me").await["reading"], "すずき");

    let put = |reading: &'static str| {
        let body = json!({ "reading": reading });
        let member = &member;
        async move { member.send_json(reqwest::Method::PUT, "/api/v1/me/reading", &body).await }
    };
    let unchanged: serde_json::Value = put("すずき").await.json().await.unwrap();
    assert_eq!(unchanged, json!({"reading": "すずき", "changed": false}));
    assert_api_error(put("suzuki").await, 422, "validation_failed").await;
    let changed: serde_json::Value = put("ｽｽﾞｷ ｲﾁﾛｳ").await.json().await.unwrap();
    assert_eq!(changed, json!({"reading": "すずき　いちろう", "changed": true}));
    let stored = mamori_store::users::get(&server.store, id).await.unwrap();
    assert_eq!(stored.reading.as_deref(), Some("すずき　いちろう"));
    server.stop().await;
});
