//! The asset register through real HTTP against the real router, on both backends:
//! registering, the publication proviso, hostile input, classification changes with
//! reasons, take-out approval, disposal, search and the visibility of the most
//! confidential assets.

use mamori_domain::user::Role;
use mamori_testkit::{TestServer, Web, backend_test, location};
use reqwest::StatusCode;

fn asset_form<'a>(
    name: &'a str,
    confidentiality: &'a str,
    holder: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("publication", "no"),
        ("name", name),
        ("description", "令和7年の本会議の議事録（紙・電子）"),
        ("category", "information"),
        ("form", "both"),
        ("holder_type", "secretariat"),
        ("holder", holder),
        ("location", "議会事務局書庫A"),
        ("segment", "lgwan"),
        ("confidentiality", confidentiality),
        ("integrity", "2"),
        ("availability", "1"),
        ("retention", "永年"),
        ("status", "in_use"),
        ("tags", "会議録、本会議"),
        ("clauses", "6(2)"),
        ("notes", ""),
    ]
}

/// Registers through the form and returns the new asset's id.
async fn register(web: &Web<'_>, form: &[(&str, &str)]) -> i64 {
    let response = web.post_form("/assets/new", form).await;
    location(&response)
        .trim_start_matches("/assets/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn api_total(web: &Web<'_>, query: &str) -> u64 {
    web.json(&format!("/api/v1/assets?{query}")).await["total"]
        .as_u64()
        .unwrap()
}

backend_test!(async fn register_search_and_keep_the_most_confidential_hidden(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
    let (member_id, member) = server.web_as("member", Role::User).await;
    let (_, other) = server.web_as("other", Role::User).await;
    let (_, auditor) = server.web_as("auditor", Role::Auditor).await;
    let (_, admin) = server.web_as("admin", Role::Admin).await;

    let minutes = register(&officer,
        &asset_form("本会議会議録（令和7年）", "2", ""),
    )
    .await;
    let member_id = member_id.to_string();
    let secret = register(&officer,
        &asset_form("非公開の協議メモ", "3A", &member_id),
    )
    .await;

    let page = officer.page(&format!("/assets/{minutes}"), 200).await;
    assert!(page.contains("自治体機密性2・完全性2・可用性1"), "{page}");
    assert!(page.contains("この資産に適用される取扱制限"));
    assert!(page.contains("暗号化"), "the send rule of level 2 is shown");

    // Search: two characters, and half-width kana typed by the user.
    for (client, q, want) in [
        (&officer, "議事", 2),
        (&officer, "ｶｲｷﾞ", 0),
        (&officer, "会議録", 1),
    ] {
        let total = api_total(client, &format!("q={}", urlencode(q))).await;
        assert_eq!(total, want, "{backend:?} q={q}");
    }
    // The 3A asset exists only for its holder, the officer and the auditor.
    assert_eq!(api_total(&officer, "").await, 2);
    assert_eq!(api_total(&auditor, "").await, 2);
    assert_eq!(api_total(&member, "").await, 2);
    assert_eq!(api_total(&other, "").await, 1);
    assert_eq!(api_total(&admin, "").await, 1);
    assert_eq!(api_total(&other, "q=%E5%8D%94%E8%AD%B0").await, 0);
    let list = other.page("/assets", 200).await;
    assert!(!list.contains("非公開の協議メモ"));
    assert!(list.contains("全1件"), "the count leaves it out too");
    for path in [
        format!("/assets/{secret}"),
        format!("/api/v1/assets/{secret}"),
    ] {
        let response = other.get(&path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let response = admin.get(&format!("/assets/{secret}/edit")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // Filters and a bad filter value.
    assert_eq!(api_total(&officer, "confidentiality=3A").await, 1);
    assert_eq!(
        api_total(
            &officer,
            "category=%E3%82%A4&segment=lgwan&tag=%E4%BC%9A%E8%AD%B0%E9%8C%B2"
        )
        .await,
        2
    );
    let response = officer.get("/api/v1/assets?confidentiality=9").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = officer
        .client
        .get(server.url("/assets?sort=sideways"))
        .header("accept-language", "ja")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("絞り込みの条件"));
    server.stop().await;
});

fn urlencode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

backend_test!(async fn bad_input_is_refused_in_the_users_language_and_nothing_is_written(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;

    // Clause 2(3): a publicly sold publication is not an information asset.
    let mut form = asset_form("官報 令和8年3月号", "1", "");
    form[0] = ("publication", "gazette");
    let response = officer.post_form("/assets/new", &form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.unwrap();
    assert!(body.contains("「情報資産」の定義のただし書により情報資産に含まれない"), "{body}");
    assert!(body.contains("基本方針 2(3)ただし書"), "the hint cites the clause: {body}");

    // Unknown level, bad date, unknown category, 100 KB text, control characters.
    let long = "あ".repeat(100_000);
    let mut form = asset_form("x", "3", "");
    form.push(("disposal_due", "令和8年13月1日"));
    form[3] = ("category", "エ");
    form[2] = ("description", &long);
    form[7] = ("location", "棚\u{7}A");
    let response = officer.post_form("/assets/new", &form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.unwrap();
    for expected in [
        "使用中の分類基準にない区分",
        "3A / 3B / 3C / 2 / 1",
        "資産の種別：選択肢にない値",
        "説明：",
    ] {
        assert!(body.contains(expected), "{expected}");
    }
    assert!(body.contains("value=\"x\""), "the form is kept as typed");
    assert!(
        body.contains("value=\"x\" maxlength=\"200\" required"),
        "the shared field macro writes the field's attributes: {body}"
    );

    // Hostile text is stored and shown harmlessly.
    let hostile = "<script>alert('x')</script>'; DROP TABLE assets; --";
    let id = register(&officer, &asset_form(hostile, "1", "")).await;
    let page = officer.page(&format!("/assets/{id}"), 200).await;
    assert!(!page.contains("<script>alert"));
    assert!(page.contains("&lt;script&gt;") || page.contains("&#60;script&#62;"));

    // The API: malformed JSON, wrong types, unknown fields, invalid values.
    let api = |body: &'static str| {
        officer
            .client
            .post(server.url("/api/v1/assets"))
            .header("content-type", "application/json")
            .header("origin", &server.base)
            .header("accept-language", "en")
            .body(body)
            .send()
    };
    assert_eq!(
        api("{not json").await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        api(r#"{"name": 5}"#).await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        api(r#"{"name":"a","category":"イ","form":"紙","holder_type":"議員","confidentiality":"2","integrity":"2","availability":"1","colour":"red"}"#)
            .await
            .unwrap()
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let response = api(r#"{"name":"a","category":"イ","form":"紙","holder_type":"議員","confidentiality":"4","integrity":"2","availability":"1"}"#)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "validation_failed");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Confidentiality")
    );
    let response = api(r#"{"name":"議員用タブレット 12号機","category":"ア","form":"電子","holder_type":"議員","segment":"LGWAN接続系","confidentiality":"機密性2","integrity":"2","availability":"2","retention":"任期中"}"#)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["category"], "infrastructure");
    assert_eq!(body["segment"], "lgwan");
    // The retention period as written, and what it was read as.
    assert_eq!(body["retention"], "任期中");
    assert_eq!(body["retention_reading"]["kind"], "term_of_office");
    // Only the two good assets exist.
    assert_eq!(officer.json("/api/v1/assets").await["total"], 2);
    server.stop().await;
});

backend_test!(
    /// A refused API input names its field as people call it (`field.label.*`), in
    /// Japanese by default and in English when asked.
    async fn an_api_refusal_names_the_field_in_the_callers_language(backend) {
        let server = TestServer::start(backend).await;
        let (_, admin) = server.web_as("admin", Role::Admin).await;
        let body = serde_json::json!({"name": "", "category": "ア", "form": "電子",
            "holder_type": "議会事務局", "confidentiality": "2", "integrity": "2",
            "availability": "2"});
        let response = admin.post_json("/api/v1/assets", &body).await;
        let error = mamori_testkit::assert_api_error(response, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "name");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains("名称："), "{message}");
        assert!(!message.contains("name："), "{message}");

        let response = admin
            .client
            .post(server.url("/api/v1/assets"))
            .header("origin", &server.base)
            .header("accept-language", "en")
            .json(&body)
            .send()
            .await
            .unwrap();
        let error = mamori_testkit::assert_api_error(response, 422, "validation_failed").await;
        let message = error["message"].as_str().unwrap();
        assert!(message.contains("Name: "), "{message}");
        assert!(!message.contains('：'), "no Japanese punctuation in English: {message}");
        // Nothing was written.
        assert_eq!(admin.json("/api/v1/assets").await["total"], 0);
        server.stop().await;
    }
);

backend_test!(async fn classification_changes_take_outs_and_disposal_are_recorded(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
    let (_, admin) = server.web_as("admin", Role::Admin).await;
    let (member_id, member) = server.web_as("member", Role::User).await;
    let member_id = member_id.to_string();
    let id = register(&admin,
        &asset_form("政務活動費収支報告書", "2", &member_id),
    )
    .await;
    let path = format!("/assets/{id}");

    // A change of classification needs a reason, and keeps it.
    let mut form = asset_form("政務活動費収支報告書", "3C", &member_id);
    let response = admin.post_form(&path, &form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("理由を入力してください")
    );
    form.push(("reason", "個人の口座情報を含むため"));
    let response = admin.post_form(&path, &form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = officer.page(&path, 200).await;
    assert!(page.contains("個人の口座情報を含むため"));
    assert!(page.contains("自治体機密性3C"));
    // Disposal is not done by editing the status.
    let mut disposed = form.clone();
    disposed.retain(|(k, _)| *k != "status");
    disposed.push(("status", "disposed"));
    let response = admin.post_form(&path, &disposed).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The holder asks to take it out; 3C needs approval.
    let events = format!("{path}/events");
    let takeout = [
        ("kind", "take_out"),
        ("occurred_on", "令和8年11月26日"),
        ("person", "議員 一郎"),
        ("counterparty", "自宅"),
        ("due_back", "2026-11-27"),
        // Recorded after the fact: the due-back date is already past.
        ("confirm_past_dates", "1"),
    ];
    let response = member.post_form(&events, &takeout).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = member.page(&path, 200).await;
    assert!(page.contains("承認待ち"));
    // A holder may not record a disposal.
    let response = member.post_form(&events,
        &[
            ("kind", "disposal"),
            ("occurred_on", "2026-11-26"),
            ("person", "x"),
            ("method", "裁断"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Publication is refused above the lowest level.
    let response = admin.post_form(&events,
        &[
            ("kind", "publication"),
            ("occurred_on", "2026-11-26"),
            ("person", "事務局"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("公表できるのは"));

    // The officer approves; the home page listed it first, among their 決裁.
    let home = officer.page("/", 200).await;
    assert!(home.contains("あなたの決裁待ち"), "{home}");
    assert!(home.contains("/approvals/"), "{home}");
    let event_id = first_pending_event(&officer, &path).await;
    let decide = format!("{path}/events/{event_id}/decide");
    // A decision must be one of the two, and its note one clean line; neither
    // refusal decides anything.
    let response = officer.post_form(&decide, &[("decision", "maybe")]).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("承認か却下か"));
    let response = officer.post_form(&decide,
        &[("decision", "approve"), ("note", "翌日\u{7}返却")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(member.page(&path, 200).await.contains("承認待ち"));
    let response = officer.post_form(&decide,
        &[("decision", "approve"), ("note", "翌日返却")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = officer.post_form(&decide, &[("decision", "approve")]).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let page = member.page(&path, 200).await;
    assert!(page.contains("承認済み"));

    // The officer cannot approve a take-out the officer recorded.
    let response = officer.post_form(&events, &takeout).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // No decide form is offered for it; the next event id is the officer's own.
    let page = officer.page(&path, 200).await;
    assert!(
        !page.contains("/decide"),
        "no decide form for one's own request"
    );
    let own = event_id + 1;
    let response = officer.post_form(&format!("{path}/events/{own}/decide"),
        &[("decision", "approve")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // Disposal needs a method; then the asset is disposed and stays listed.
    let disposal = [
        ("kind", "disposal"),
        ("occurred_on", "2026-11-26"),
        ("person", "事務局 花子"),
        ("witness", "議会事務局長"),
    ];
    let response = admin.post_form(&events, &disposal).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("方法"));
    let mut disposal = disposal.to_vec();
    disposal.push(("method", "溶解処理"));
    let response = admin.post_form(&events, &disposal).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = officer.page(&path, 200).await;
    assert!(
        page.contains("廃棄済み") && page.contains("溶解処理") && page.contains("議会事務局長")
    );
    let list = officer.page("/assets?status=disposed", 200).await;
    assert!(list.contains("政務活動費収支報告書"));
    let response = admin.post_form(&events, &takeout).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Every step is in the audit trail.
    let audit = officer.json("/api/v1/audit?per_page=200").await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "asset.create",
        "asset.classify",
        "asset.event",
        "asset.event_decide",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    server.stop().await;
});

/// The id of the first pending take-out on an asset's page, from its decide form.
async fn first_pending_event(web: &Web<'_>, path: &str) -> i64 {
    let page = web.page(path, 200).await;
    let marker = format!("{path}/events/");
    let start = page.find(&marker).expect("a decide form") + marker.len();
    page[start..].split('/').next().unwrap().parse().unwrap()
}

backend_test!(
    /// Every action of the asset pages through the API, on the same use cases: update,
    /// reclassification with a reason, each kind of lifecycle record and its decision.
    async fn the_api_updates_reclassifies_records_and_decides(backend) {
        use mamori_testkit::assert_api_error;
        use serde_json::json;
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
        let (_, admin) = server.web_as("admin", Role::Admin).await;
        let (member_id, member) = server.web_as("member", Role::User).await;
        let body = json!({"name": "議員用タブレット 3号機", "category": "ア", "form": "電子",
            "holder_type": "議員", "holder": member_id.to_string(), "confidentiality": "2",
            "integrity": "2", "availability": "2"});
        let response = admin.post_json("/api/v1/assets", &body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let id = response.json::<serde_json::Value>().await.unwrap()["id"]
            .as_i64()
            .unwrap();
        let path = format!("/api/v1/assets/{id}");

        // PATCH changes only what it names; a level change without a reason is refused.
        let response = admin.patch_json(&path, &json!({"location": "議員控室"})).await;
        assert_eq!(response.status(), StatusCode::OK);
        let asset: serde_json::Value = response.json().await.unwrap();
        assert_eq!(asset["location"], "議員控室");
        assert_eq!(asset["name"], "議員用タブレット 3号機");
        let response = admin.patch_json(&path, &json!({"confidentiality": "3C"})).await;
        let error = assert_api_error(response, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "reason");
        let response = admin.patch_json(&path, &json!({"colour": "red"})).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let response = member.patch_json(&path, &json!({"location": "x"})).await;
        assert_api_error(response, 403, "forbidden").await;

        // Reclassification: the reason is required and kept.
        let classify = format!("{path}/classification");
        let levels = json!({"confidentiality": "3C", "integrity": "2", "availability": "2",
            "reason": ""});
        let response = admin.post_json(&classify, &levels).await;
        assert_api_error(response, 422, "validation_failed").await;
        let mut levels = levels;
        levels["reason"] = json!("議員の個人情報を保存するため");
        let response = admin.post_json(&classify, &levels).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.json::<serde_json::Value>().await.unwrap()["confidentiality"], "3C");
        let page = admin.page(&format!("/assets/{id}"), 200).await;
        assert!(page.contains("議員の個人情報を保存するため"));

        // The holder takes it out; 3C waits for approval.
        let events = format!("{path}/events");
        let takeout = json!({"kind": "take_out", "occurred_on": "令和8年11月26日",
            "person": "議員 一郎", "counterparty": "自宅", "due_back": "2026-11-27",
            "confirm_past_dates": true});
        let response = member.post_json(&events, &takeout).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let event: serde_json::Value = response.json().await.unwrap();
        assert_eq!(event["approval"], "pending");
        assert_eq!(event["occurred_on"], "2026-11-26");
        let response = member
            .post_json(&events, &json!({"kind": "disposal", "occurred_on": "2026-11-26",
                "person": "x", "method": "裁断"}))
            .await;
        let error = assert_api_error(response, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "kind");

        // Decisions: only a decider, never their own, once.
        let decision = format!("{events}/{}/decision", event["id"]);
        let response = admin.post_json(&decision, &json!({"decision": "approve"})).await;
        assert_api_error(response, 403, "forbidden").await;
        let response = officer.post_json(&decision, &json!({"decision": "maybe"})).await;
        assert_api_error(response, 400, "invalid_decision").await;
        let response = officer
            .post_json(&decision, &json!({"decision": "approve", "note": "翌日返却"}))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.json::<serde_json::Value>().await.unwrap()["approval"], "approved");
        let response = officer.post_json(&decision, &json!({"decision": "reject"})).await;
        assert_api_error(response, 409, "already_decided").await;
        let response = officer.post_json(&events, &takeout).await;
        let own: serde_json::Value = response.json().await.unwrap();
        let response = officer
            .post_json(&format!("{events}/{}/decision", own["id"]), &json!({"decision": "approve"}))
            .await;
        assert_api_error(response, 403, "forbidden").await;

        // Every other kind the page offers, then disposal (which needs a method).
        for kind in ["return", "lending", "lending_return", "transfer", "provision"] {
            let response = admin
                .post_json(&events, &json!({"kind": kind, "occurred_on": "2026-11-27",
                    "person": "事務局 花子"}))
                .await;
            assert_eq!(response.status(), StatusCode::CREATED, "{kind}");
        }
        let response = admin
            .post_json(&events, &json!({"kind": "publication", "occurred_on": "2026-11-27",
                "person": "事務局"}))
            .await;
        assert_api_error(response, 422, "validation_failed").await;
        let disposal = json!({"kind": "disposal", "occurred_on": "2026-11-28",
            "person": "事務局 花子", "witness": "議会事務局長"});
        let response = admin.post_json(&events, &disposal).await;
        assert_api_error(response, 422, "validation_failed").await;
        let mut disposal = disposal;
        disposal["method"] = json!("溶解処理");
        let response = admin.post_json(&events, &disposal).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let list = member.json(&events).await;
        assert_eq!(list.as_array().unwrap().len(), 8);
        assert_eq!(list[0]["kind"], "disposal");
        assert_eq!(member.json(&path).await["status"], "disposed");
        server.stop().await;
    }
);
