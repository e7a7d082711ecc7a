//! Classification settings (clause 6(2)) and asset labels over real HTTP, on SQLite and
//! PostgreSQL: reading levels and handling rules, editing a level, switching schemes
//! only while the register is empty, and printing labels without revealing assets.

use mamori_domain::classification::{Axis, LifecycleStep};
use mamori_domain::user::Role;
use mamori_store::{audit, classification};
use mamori_testkit::{TestServer, Web, backend_test, fixtures_assets, location};
use reqwest::header::{ACCEPT_LANGUAGE, CONTENT_TYPE};
use reqwest::{Response, StatusCode};
use serde_json::Value;

const SETTINGS: &str = "/settings/classification";

/// Fields to change, the field that must show the error, and the message.
type BadEdit<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);

async fn get(web: &Web<'_>, path: &str) -> (StatusCode, String) {
    let response = web.get(path).await;
    (response.status(), response.text().await.unwrap())
}

async fn scheme_id(server: &TestServer, key: &str) -> i64 {
    classification::schemes(&server.store)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.key == key)
        .unwrap_or_else(|| panic!("scheme {key}"))
        .id
}

async fn entries(server: &TestServer) -> u64 {
    audit::verify(&server.store).await.unwrap().entries
}

/// Registers an asset under the active scheme (the testkit's fixture).
async fn register(server: &TestServer, name: &str, codes: [&str; 3], holder: Option<i64>) -> i64 {
    fixtures_assets::asset(server, name, codes, holder).await.id
}

/// The edit form's fields for a level as stored, with `changes` applied, as a browser
/// posts them.
fn level_form(
    level: &mamori_domain::classification::Level,
    changes: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut form = vec![
        ("name".to_owned(), level.name.clone()),
        ("definition".to_owned(), level.definition.clone()),
    ];
    if level.takeout_requires_approval {
        form.push(("takeout_requires_approval".to_owned(), "1".to_owned()));
    }
    for step in LifecycleStep::ALL {
        form.push((
            format!("rule_{}", step.as_str()),
            level.rules.get(&step).cloned().unwrap_or_default(),
        ));
    }
    for (name, value) in changes {
        form.retain(|(k, _)| k != name);
        // An unticked checkbox is not sent at all.
        if !(*name == "takeout_requires_approval" && value.is_empty()) {
            form.push(((*name).to_owned(), (*value).to_owned()));
        }
    }
    form
}

async fn post_level(web: &Web<'_>, level_id: i64, form: &[(String, String)]) -> Response {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    web.post_form(&format!("{SETTINGS}/levels/{level_id}"), &form)
        .await
}

backend_test!(async fn members_read_each_level_and_its_handling_rules(backend) {
    let server = TestServer::start(backend).await;
    let (_, user) = server.web_as("giin.sato", Role::User).await;
    let (_, admin) = server.web_as("jimu.admin", Role::Admin).await;
    let (_, auditor) = server.web_as("kansa.ito", Role::Auditor).await;
    let (_, contractor) = server.web_as("itaku.kato", Role::Contractor).await;

    let (status, page) = get(&user, SETTINGS).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}");
    for text in [
        "総務省ガイドライン（令和6年10月改定）",
        "自治体機密性3A",
        "自治体機密性1",
        "完全性2",
        "可用性1",
        "取扱制限",
        "作成",
        "提供・公表",
        "廃棄",
        // A rule of the secret levels, and take-out approval.
        "復元できない方法（裁断・溶解、記録媒体の物理破壊又はデータ消去）",
        "事前の承認が必要",
        "公表できる（機密性が最も低い区分）",
        "機密性の区分で決まる",
        "1件もない間だけ",
        "href=\"/settings/classification\"",
    ] {
        assert!(page.contains(text), "{backend:?}: the page shows {text}");
    }
    // Members read; they get no edit controls.
    assert!(!page.contains("/settings/classification/levels/"));
    assert!(!page.contains("/settings/classification/activate"));
    let (status, page) = get(&auditor, SETTINGS).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("/settings/classification/levels/"));
    let (_, page) = get(&admin, SETTINGS).await;
    assert!(page.contains("/settings/classification/levels/"));
    assert!(page.contains("action=\"/settings/classification/activate\""));
    assert!(page.contains("総務省ガイドライン（令和5年3月版まで）"));
    let (status, _) = get(&contractor, SETTINGS).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The same over the API.
    let response = user
        .client
        .get(server.url("/api/v1/classification"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let scheme: Value = response.json().await.unwrap();
    assert_eq!(scheme["key"], "guideline_2024");
    let levels = scheme["levels"].as_array().unwrap();
    assert_eq!(levels.len(), 9);
    assert_eq!(levels[0]["name"], "自治体機密性3A");
    assert_eq!(levels[0]["axis"], "confidentiality");
    assert_eq!(levels[0]["takeout_requires_approval"], true);
    assert!(
        levels[0]["rules"]["dispose"]
            .as_str()
            .unwrap()
            .contains("復元できない方法")
    );
    assert_eq!(levels[8]["axis"], "availability");
    let response = contractor
        .client
        .get(server.url("/api/v1/classification"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let doc: Value = server
        .client()
        .get(server.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/classification"]["get"].is_object());
    server.stop().await;
});

backend_test!(async fn an_editor_changes_a_level_and_the_audit_trail_keeps_it(backend) {
    let server = TestServer::start(backend).await;
    let (_, admin) = server.web_as("jimu.admin", Role::Admin).await;
    let (_, officer) = server
        .web_as("sekinin.ogawa", Role::SecurityOfficer)
        .await;
    let (_, user) = server.web_as("giin.sato", Role::User).await;
    let scheme = classification::active(&server.store).await.unwrap();
    let level = scheme
        .find_level(Axis::Confidentiality, "2")
        .unwrap()
        .clone();
    let edit_path = format!("{SETTINGS}/levels/{}", level.id);

    let (status, page) = get(&admin, &edit_path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("value=\"自治体機密性2\""));
    assert!(page.contains("宛先を確認して送信する。"));
    let (status, _) = get(&officer, &edit_path).await;
    assert_eq!(status, StatusCode::OK);

    // A member may neither open the form nor post it.
    let (status, _) = get(&user, &edit_path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let before = entries(&server).await;
    let form = level_form(&level, &[("name", "乗っ取られた名称")]);
    let response = post_level(&user, level.id, &form).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let stored = classification::active(&server.store).await.unwrap();
    assert_eq!(stored.level(level.id).unwrap(), &level);
    // Only the denial was recorded.
    assert_eq!(entries(&server).await, before + 1);
    let trail = audit::recent(&server.store, 1).await.unwrap();
    assert_eq!(trail[0].action, "access.denied");

    let new_rule = "庁外へ送るときは暗号化し、パスワードは別の経路で伝える。";
    let form = level_form(
        &level,
        &[
            ("name", "自治体機密性2（庁内限り）"),
            ("rule_send", new_rule),
        ],
    );
    let response = post_level(&admin, level.id, &form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{backend:?}");
    assert_eq!(
        location(&response),
        format!("{SETTINGS}?saved=level#level-{}", level.id)
    );
    let (_, page) = get(&user, &format!("{SETTINGS}?saved=level")).await;
    assert!(page.contains("自治体機密性2（庁内限り）"));
    assert!(page.contains(new_rule));
    assert!(page.contains("区分の変更を保存しました"));

    let stored = classification::active(&server.store).await.unwrap();
    let changed = stored.level(level.id).unwrap();
    assert_eq!(changed.name, "自治体機密性2（庁内限り）");
    assert_eq!(changed.rules[&LifecycleStep::Send], new_rule);
    assert_eq!(changed.definition, level.definition);
    assert_eq!(changed.code, "2");

    let entry = &audit::recent(&server.store, 1).await.unwrap()[0];
    assert_eq!(entry.action, "classification.level_update");
    assert_eq!(
        entry.target_id.as_deref(),
        Some(level.id.to_string().as_str())
    );
    let changes: Value = serde_json::from_str(&entry.changes).unwrap();
    assert_eq!(
        changes["name"],
        serde_json::json!(["自治体機密性2", "自治体機密性2（庁内限り）"])
    );
    assert_eq!(changes["rule.send"][1], new_rule);
    assert!(changes.get("definition").is_none());

    // Saving the same again writes nothing.
    let before = entries(&server).await;
    let same = level_form(changed, &[]);
    let response = post_level(&admin, level.id, &same).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).contains("saved=unchanged"));
    assert_eq!(entries(&server).await, before);

    // Take-out approval can be turned off (an unticked box is simply absent).
    let form = level_form(changed, &[("takeout_requires_approval", "")]);
    let response = post_level(&officer, level.id, &form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let stored = classification::active(&server.store).await.unwrap();
    assert!(!stored.level(level.id).unwrap().takeout_requires_approval);

    // A level of the scheme not in use may be edited too.
    let legacy =
        classification::scheme(&server.store, scheme_id(&server, "guideline_legacy").await)
            .await
            .unwrap();
    let three = legacy.find_level(Axis::Confidentiality, "3").unwrap();
    let form = level_form(three, &[("rule_carry", "持ち出しは禁止する。")]);
    let response = post_level(&admin, three.id, &form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let legacy = classification::scheme(&server.store, legacy.id)
        .await
        .unwrap();
    assert_eq!(
        legacy.level(three.id).unwrap().rules[&LifecycleStep::Carry],
        "持ち出しは禁止する。"
    );

    // A level that does not exist.
    let (status, _) = get(&admin, &format!("{SETTINGS}/levels/99999")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(&admin, &format!("{SETTINGS}/levels/abc")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    server.stop().await;
});

backend_test!(async fn bad_edits_are_refused_in_japanese_and_change_nothing(backend) {
    let server = TestServer::start(backend).await;
    let (_, admin) = server.web_as("jimu.admin", Role::Admin).await;
    let scheme = classification::active(&server.store).await.unwrap();
    let level = scheme.find_level(Axis::Integrity, "2").unwrap().clone();
    let before = entries(&server).await;
    let long_definition = "改".repeat(3000);
    let long_name = "長".repeat(61);
    let typed_rule = "入力途中の取扱い（送信前に確認）";
    let cases: Vec<BadEdit> = vec![
        (vec![("name", "")], "name", "入力してください。"),
        (vec![("name", "\u{3000} ")], "name", "入力してください。"),
        (
            vec![("definition", long_definition.as_str())],
            "definition",
            "2000文字以内で入力してください。",
        ),
        (
            vec![("name", "完全性\u{7}2")],
            "name",
            "改行やタブなどの制御文字は使えません。",
        ),
        (
            vec![("rule_send", "送信\u{0}する")],
            "rule_send",
            "改行とタブ以外の制御文字は使えません",
        ),
        (
            vec![("name", "完全性１")],
            "name",
            "同じ観点に「完全性１」という名称（または区分コード）の区分がすでにあります。",
        ),
        (
            vec![("name", long_name.as_str())],
            "name",
            "60文字以内で入力してください。",
        ),
    ];
    for (changes, field, message) in cases {
        let mut changes = changes.clone();
        changes.push(("rule_use", typed_rule));
        let form = level_form(&level, &changes);
        let response = post_level(&admin, level.id, &form).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend:?} {changes:?}"
        );
        let page = response.text().await.unwrap();
        assert!(page.contains(message), "{backend:?}: {message} in the page");
        assert!(page.contains(&format!("id=\"{field}-error\"")), "{field}");
        assert!(page.contains(&format!("href=\"#{field}\"")));
        // The form comes back as typed.
        assert!(page.contains(typed_rule));
        if field == "definition" {
            assert!(page.contains(&long_definition));
        }
    }
    let stored = classification::active(&server.store).await.unwrap();
    assert_eq!(stored.level(level.id).unwrap(), &level);
    assert_eq!(entries(&server).await, before);

    // A form that is not a form.
    let response = admin
        .client
        .post(server.url(&format!("{SETTINGS}/levels/{}", level.id)))
        .header("origin", &server.base)
        .header(CONTENT_TYPE, "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(entries(&server).await, before);
    server.stop().await;
});

backend_test!(async fn the_scheme_switches_only_while_the_register_is_empty(backend) {
    let server = TestServer::start(backend).await;
    let (_, admin) = server.web_as("jimu.admin", Role::Admin).await;
    let (_, user) = server.web_as("giin.sato", Role::User).await;
    let legacy = scheme_id(&server, "guideline_legacy").await;
    let current = scheme_id(&server, "guideline_2024").await;
    let legacy_text = legacy.to_string();
    let current_text = current.to_string();

    // A member cannot switch.
    let response = user.post_form(&format!("{SETTINGS}/activate"),
        &[("scheme_id", &legacy_text)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        classification::active(&server.store).await.unwrap().id,
        current
    );

    // Nothing is registered yet: the switch is made and recorded.
    let response = admin.post_form(&format!("{SETTINGS}/activate"),
        &[("scheme_id", &legacy_text)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{backend:?}");
    assert_eq!(location(&response), format!("{SETTINGS}?saved=activated"));
    let entry = &audit::recent(&server.store, 1).await.unwrap()[0];
    assert_eq!(entry.action, "classification.activate");
    let (_, page) = get(&user, SETTINGS).await;
    let active_part = page.split("id=\"others-heading\"").next().unwrap();
    assert!(active_part.contains("総務省ガイドライン（令和5年3月版まで）"));
    assert!(active_part.contains("機密性3"));
    assert!(!active_part.contains("自治体機密性3A"));
    let scheme: Value = user
        .client
        .get(server.url("/api/v1/classification"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(scheme["key"], "guideline_legacy");
    assert_eq!(scheme["levels"][0]["name"], "機密性3");

    // Choosing the scheme already in use changes nothing.
    let before = entries(&server).await;
    let response = admin.post_form(&format!("{SETTINGS}/activate"),
        &[("scheme_id", &legacy_text)],
    )
    .await;
    assert!(location(&response).contains("saved=unchanged"));
    assert_eq!(entries(&server).await, before);

    // Once an asset is classified, switching back is refused and nothing changes.
    register(&server, "常任委員会資料", ["2", "1", "1"], None).await;
    let before = entries(&server).await;
    let response = admin.post_form(&format!("{SETTINGS}/activate"),
        &[("scheme_id", &current_text)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::CONFLICT, "{backend:?}");
    let page = response.text().await.unwrap();
    assert!(page.contains("分類された情報資産が1件あるため、分類基準を切り替えられません"));
    assert!(page.contains("分類基準を切り替えられませんでした"));
    assert_eq!(
        classification::active(&server.store).await.unwrap().id,
        legacy
    );
    assert_eq!(entries(&server).await, before);

    // Bad choices.
    let response = admin.post_form(&format!("{SETTINGS}/activate"), &[]).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("切り替える分類基準を選んでください。")
    );
    let response = admin.post_form(&format!("{SETTINGS}/activate"),
        &[("scheme_id", "99999")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    server.stop().await;
});

backend_test!(async fn labels_carry_the_classification_line_on_the_chosen_sheet(backend) {
    let server = TestServer::start(backend).await;
    let (_, user) = server.web_as("giin.sato", Role::User).await;
    let mut tx = server.store.write(mamori_store::Actor::system("test")).await.unwrap();
    mamori_store::settings::set(
        &mut tx,
        mamori_store::settings::ORGANISATION_NAME,
        "佐久市議会",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let minutes = register(&server, "本会議録（令和7年）", ["2", "2", "1"], None).await;
    let tablet = register(&server, "議員用タブレット 01", ["3C", "2", "2"], None).await;

    let (status, page) = get(
        &user,
        &format!("/assets/labels?ids={minutes},{tablet}&layout=24&start=3&copies=2"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}");
    for text in [
        "自治体機密性2・完全性2・可用性1",
        "自治体機密性3C・完全性2・可用性2",
        "本会議録（令和7年）",
        &format!("資産番号 {minutes}"),
        &format!("資産番号 {tablet}"),
        "佐久市議会",
        "class=\"label-sheets layout-24\"",
        "<option value=\"24\" selected>",
        "/static/labels.css",
        "/static/labels.js",
    ] {
        assert!(page.contains(text), "{backend:?}: {text} on the label page");
    }
    // Two used positions skipped, two copies of each: 4 labels and 20 blanks on one sheet.
    assert_eq!(page.matches("<div class=\"label\">").count(), 4);
    assert_eq!(page.matches("label label-empty").count(), 20);
    assert_eq!(page.matches("class=\"sheet\"").count(), 1);
    // The Content-Security-Policy allows no inline script or style.
    for inline in ["<style", " style=", "<script>", "onclick"] {
        assert!(!page.contains(inline), "no {inline}");
    }

    // The default sheet is 12 labels.
    let (_, page) = get(&user, &format!("/assets/labels?ids={minutes}")).await;
    assert!(page.contains("class=\"label-sheets layout-12\""));
    assert_eq!(page.matches("label label-empty").count(), 11);

    let response = server
        .client()
        .get(server.url("/static/labels.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    let css = response.text().await.unwrap();
    assert!(css.contains("@page { size: A4; margin: 0; }"));
    assert!(css.contains("repeat(3, 70mm)"));
    let response = server
        .client()
        .get(server.url("/static/labels.js"))
        .send()
        .await
        .unwrap();
    assert!(
        response.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(response.text().await.unwrap().contains("window.print()"));

    // Bad requests are refused with a message in the user's language.
    let many = (1..=201)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    for (query, message) in [
        ("", "資産番号を指定してください"),
        ("?ids=abc", "「abc」は資産番号として読み取れません"),
        ("?ids=1,-2", "「-2」は資産番号として読み取れません"),
        (&format!("?ids={many}") as &str, "200件まで"),
        (&format!("?ids={minutes}&layout=99"), "12面・24面・10面"),
        (&format!("?ids={minutes}&start=13"), "1から12までの整数"),
        (
            &format!("?ids={minutes}&layout=24&copies=241"),
            "1から240までの整数",
        ),
    ] {
        let (status, page) = get(&user, &format!("/assets/labels{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{backend:?} {query}");
        assert!(page.contains(message), "{query}: {message}");
    }
    let response = user
        .client
        .get(server.url("/assets/labels?ids=abc"))
        .header(ACCEPT_LANGUAGE, "en")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("is not an asset number")
    );
    server.stop().await;
});

backend_test!(async fn a_restricted_asset_is_not_found_on_labels_for_those_who_may_not_know_it(backend) {
    let server = TestServer::start(backend).await;
    let (_, user) = server.web_as("giin.sato", Role::User).await;
    let (holder_id, holder) = server.web_as("giin.suzuki", Role::User).await;
    let (_, officer) = server
        .web_as("sekinin.ogawa", Role::SecurityOfficer)
        .await;
    let open = register(&server, "委員会日程表", ["1", "1", "1"], None).await;
    let secret = register(
        &server,
        "懲罰動議に関する調査記録",
        ["3A", "2", "2"],
        Some(holder_id),
    )
    .await;

    let (status, page) = get(&user, &format!("/assets/labels?ids={open}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("自治体機密性1・完全性1・可用性1"));
    for ids in [
        format!("{secret}"),
        format!("{open},{secret}"),
        "99999".to_owned(),
    ] {
        let (status, page) = get(&user, &format!("/assets/labels?ids={ids}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?} {ids}");
        assert!(!page.contains("懲罰動議"));
        assert!(!page.contains("委員会日程表"));
    }
    for client in [&officer, &holder] {
        let (status, page) = get(
            client,
            &format!("/assets/labels?ids={open},{secret}"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{backend:?}");
        assert!(page.contains("懲罰動議に関する調査記録"));
        assert!(page.contains("自治体機密性3A・完全性2・可用性2"));
    }
    server.stop().await;
});

backend_test!(
    /// The scheme's settings through the API, on the settings pages' use cases: a level
    /// edit (only the fields sent change, each refused field named), and switching the
    /// scheme only while no asset is classified under the one in use.
    async fn the_api_edits_a_level_and_switches_schemes(backend) {
        use mamori_testkit::{assert_api_error, fixtures_assets};
        use serde_json::json;
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
        let (_, member) = server.web_as("member", Role::User).await;
        let scheme = officer.json("/api/v1/classification").await;
        let two = scheme["levels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["axis"] == "confidentiality" && l["code"] == "2")
            .unwrap()
            .clone();
        let path = format!("/api/v1/classification/levels/{}", two["id"]);

        let edit = json!({"definition": "庁内限りの情報", "rules": {"send": "暗号化して送る"}});
        let response = officer.patch_json(&path, &edit).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.json::<Value>().await.unwrap()["changed"], true);
        let response = officer.patch_json(&path, &edit).await;
        assert_eq!(response.json::<Value>().await.unwrap()["changed"], false);
        let level = officer.json("/api/v1/classification").await["levels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == two["id"])
            .unwrap()
            .clone();
        assert_eq!(level["definition"], "庁内限りの情報");
        assert_eq!(level["name"], two["name"], "what was not sent is kept");

        let response = officer
            .patch_json(&path, &json!({"name": "3a", "rules": {"dispose": "あ".repeat(2001)}}))
            .await;
        let error = assert_api_error(response, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "rule_dispose");
        let response = officer.patch_json(&path, &json!({"name": "自治体機密性1"})).await;
        let error = assert_api_error(response, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "name");
        let response = officer.patch_json(&path, &json!({"rules": {"teleport": "x"}})).await;
        assert_api_error(response, 422, "invalid_json_data").await;
        let response = member.patch_json(&path, &json!({"name": "x"})).await;
        assert_api_error(response, 403, "forbidden").await;
        let response = officer
            .patch_json("/api/v1/classification/levels/999999", &json!({"name": "x"}))
            .await;
        assert_api_error(response, 404, "not_found").await;

        // Switching: refused while an asset is classified under the scheme in use.
        let legacy = scheme_id(&server, "guideline_legacy").await;
        let current = scheme_id(&server, "guideline_2024").await;
        let asset = fixtures_assets::asset(&server, "会議録", ["2", "2", "1"], None).await;
        let response = officer
            .post_json("/api/v1/classification/activate", &json!({"scheme_id": legacy}))
            .await;
        let error = assert_api_error(response, 409, "assets_classified").await;
        assert!(error["message"].as_str().unwrap().contains('1'));
        let response = officer
            .post_json("/api/v1/classification/activate", &json!({"scheme_id": current}))
            .await;
        assert_eq!(response.json::<Value>().await.unwrap()["changed"], false);
        let response = member
            .post_json("/api/v1/classification/activate", &json!({"scheme_id": legacy}))
            .await;
        assert_api_error(response, 403, "forbidden").await;
        let response = officer
            .post_json("/api/v1/classification/activate", &json!({"scheme_id": 999_999}))
            .await;
        assert_api_error(response, 404, "not_found").await;
        assert!(asset.id > 0);
        server.stop().await;
    }
);
