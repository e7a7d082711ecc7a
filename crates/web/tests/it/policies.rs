//! Policy documents over real HTTP on both backends: import with preview, approval (決裁),
//! publication, the public page, comparison, clause pages, reviews, and bad input.

use mamori_domain::user::{OrgRole, Role};
use mamori_testkit::fixtures_policies::{self, Stored, ciso, give_posts, imported_seed, seed};
use mamori_testkit::{TestServer, Web, assert_api_error, backend_test, location};
use reqwest::StatusCode;
use serde_json::json;

/// Form fields, an uploaded file, the expected status and a part of the message.
type BadText = (
    Vec<(&'static str, &'static str)>,
    Option<Vec<u8>>,
    StatusCode,
    &'static str,
);

/// A multipart body as a browser sends the import form.
fn multipart(fields: &[(&str, &str)], file: Option<&[u8]>) -> (String, Vec<u8>) {
    let boundary = "----mamoriTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some(bytes) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"policy.txt\"\r\n\
                 Content-Type: text/plain\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn preview(web: &Web<'_>, fields: &[(&str, &str)], file: Option<&[u8]>) -> reqwest::Response {
    let (content_type, body) = multipart(fields, file);
    web.client
        .post(web.server.url("/policies/import"))
        .header("origin", &web.server.base)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Imports `text` through preview and save, and sends it for 決裁; returns the version
/// page's path.
async fn import(web: &Web<'_>, text: &str, document: &str) -> String {
    let shown = preview(
        web,
        &[
            ("kind", "basic_policy"),
            ("document", document),
            ("text", text),
        ],
        None,
    )
    .await;
    assert_eq!(shown.status(), StatusCode::OK);
    let saved = web
        .post_form(
            "/policies/import/save",
            &[
                ("kind", "basic_policy"),
                ("document", document),
                ("source", text),
                ("change_note", ""),
            ],
        )
        .await;
    let version = location(&saved);
    // Saved only; sent for 決裁 to any holder of an approving post from its page.
    let sent = web
        .post_form(
            &format!("{version}/send"),
            &[("decider", ""), ("request_note", "")],
        )
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER, "sent for 決裁");
    version
}

async fn documents(server: &TestServer) -> usize {
    mamori_store::policies::documents(&server.store)
        .await
        .unwrap()
        .len()
}

backend_test!(async fn the_seed_is_imported_approved_published_and_public(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
    let (_, gicho) = ciso(&server, "gicho").await;

    let fields = [("kind", "basic_policy"), ("document", ""), ("text", &seed())];
    let shown = preview(&officer, &fields, None).await;
    assert_eq!(shown.status(), StatusCode::OK);
    let html = shown.text().await.unwrap();
    assert!(html.contains("佐久市議会情報セキュリティ基本方針"));
    assert!(
        html.contains("令和8年3月18日"),
        "the approval date read from the text"
    );
    assert!(
        html.contains("id=\"c-6-8\"") && html.contains("id=\"c-4-2-ア\""),
        "clauses carry their references"
    );
    assert!(
        !html.contains("warnings-heading"),
        "the seed reads without warnings"
    );
    assert_eq!(documents(&server).await, 0, "a preview saves nothing");

    let version_path = import(&officer, &seed(), "").await;
    let page = officer.page(&version_path, 200).await;
    assert!(page.contains("下書き"));
    assert!(
        !page.contains("決裁する"),
        "the author cannot approve their own draft"
    );
    // The security officer holds no approving post: refused, and recorded.
    let own = officer
        .post_form(&format!("{version_path}/approve"), &[("approved_on", "令和8年3月18日")])
        .await;
    assert_eq!(own.status(), StatusCode::FORBIDDEN);

    let page = gicho.page(&version_path, 200).await;
    assert!(page.contains("決裁する") && page.contains("令和8年3月18日"), "the date the text names is offered");
    let bad_date = gicho
        .post_form(&format!("{version_path}/approve"), &[("approved_on", "令和8年2月30日")])
        .await;
    assert_eq!(bad_date.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad_date.text().await.unwrap();
    assert!(html.contains("error-summary") && html.contains("令和8年2月30日"), "the form is kept as typed");
    let approved = gicho
        .post_form(
            &format!("{version_path}/approve"),
            &[("approved_on", "R8.3.18"), ("note", "令和8年3月18日 議長決裁")],
        )
        .await;
    assert_eq!(location(&approved), version_path);
    let page = officer.page(&version_path, 200).await;
    assert!(page.contains("決裁済み") && page.contains("令和8年3月18日"));
    let again = gicho
        .post_form(&format!("{version_path}/approve"), &[("approved_on", "R8.3.18")])
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT, "approved once");
    assert!(again.text().await.unwrap().contains("下書きの版だけが決裁できます"));

    // Before publication the public address answers a page that says so, in the reader's
    // language, and the register does not link to it yet.
    let anonymous = server.web_anonymous();
    let none = anonymous.page("/public/policy", 200).await;
    assert!(none.contains("公開されている基本方針はまだありません"), "{none}");
    let none_en = anonymous
        .client
        .get(server.url("/public/policy"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(none_en.status(), StatusCode::OK);
    let none_en = none_en.text().await.unwrap();
    assert!(none_en.contains("No basic policy has been published yet."), "{none_en}");
    assert!(!officer.page("/policies", 200).await.contains("href=\"/public/policy\""));
    let published = officer.post_form(&format!("{version_path}/publish"), &[]).await;
    assert_eq!(location(&published), version_path);

    // Readable by anyone, signed in or not, laid out for print.
    let html = anonymous.page("/public/policy", 200).await;
    assert!(html.contains("<h1>○佐久市議会情報セキュリティ基本方針</h1>"), "the marker ○ as printed");
    assert!(html.contains("ソーシャルメディアサービスを利用する場合には"));
    assert!(
        !html.contains("sign-out") && !html.contains("site-nav"),
        "no application chrome"
    );
    assert!(html.contains("href=\"/static/print.css\" media=\"print\""), "{html}");
    let css = anonymous.page("/static/print.css", 200).await;
    assert!(css.contains("size: A4;"), "{css}");
    assert!(officer.page("/policies", 200).await.contains("href=\"/public/policy\""));

    let trail = mamori_store::audit::recent(&server.store, 100).await.unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    for action in [
        "policy.create",
        "policy.version_create",
        "policy.approve",
        "policy.publish",
        "access.denied",
    ] {
        assert!(actions.contains(&action), "{action}");
    }
    let approval = trail.iter().find(|e| e.action == "policy.approve").unwrap();
    assert!(
        format!("{approval:?}").contains("議長決裁"),
        "the note is kept with the decision"
    );
    server.stop().await;
});

backend_test!(async fn a_new_version_supersedes_the_old_and_versions_compare_clause_by_clause(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
    let (_, gicho) = ciso(&server, "gicho").await;
    let first = import(&officer, &seed(), "").await;
    let approve = [("approved_on", "令和8年3月18日")];
    let response = gicho.post_form(&format!("{first}/approve"), &approve).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "approve");
    let response = officer.post_form(&format!("{first}/publish"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "publish");
    let document = first.split('/').nth(2).unwrap().to_owned();
    let edited = seed()
        .replace("委託事業者を選定し", "委託事業者を慎重に選定し")
        .replace(
            "- (5) 電力供給の途絶、通信の途絶、水道供給の途絶等のインフラの障害からの波及等\n",
            "",
        );
    let edit_form = officer
        .page(&format!("/policies/import?document={document}"), 200)
        .await;
    assert!(
        edit_form.contains("委託事業者を選定し"),
        "editing starts from the current text"
    );
    let second = import(&officer, &edited, &document).await;
    assert_ne!(first, second);
    let second_id = second.rsplit('/').next().unwrap();
    let first_id = first.rsplit('/').next().unwrap();

    let compare = officer
        .page(
            &format!("/policies/{document}/compare?from={first_id}&to={second_id}"),
            200,
        )
        .await;
    assert!(
        compare.contains("<ins>慎重に</ins>"),
        "changed text is highlighted"
    );
    assert!(
        compare.contains("diff-removed"),
        "the removed item is shown"
    );
    assert!(
        compare.contains("追加 0件、削除 1件、変更 1件"),
        "{compare}"
    );

    let approve = [("approved_on", "令和8年11月25日")];
    gicho.post_form(&format!("{second}/approve"), &approve).await;
    officer.post_form(&format!("{second}/publish"), &[]).await;
    let detail = officer.json(&format!("/api/v1/policies/{document}")).await;
    let statuses: Vec<&str> = detail["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["published", "superseded"]);
    let public = server.web_anonymous().page("/public/policy", 200).await;
    assert!(public.contains("委託事業者を慎重に選定し"));

    let html = officer
        .page(&format!("/policies/{document}/clauses/6(8)"), 200)
        .await;
    assert!(html.contains("業務委託及び外部サービスの利用"));
    assert!(html.contains("関連付けられた記録はまだありません"));
    officer
        .page(&format!("/policies/{document}/clauses/99(9)"), 404)
        .await;
    server.stop().await;
});

backend_test!(async fn bad_texts_get_a_clear_message_and_save_nothing(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
    let cases: Vec<BadText> = vec![
        (
            vec![("text", "")],
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            "本文が空です",
        ),
        (
            vec![("text", "これは方針の説明文ですが、番号がありません。")],
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            "条項の番号",
        ),
        (
            vec![],
            Some(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "テキストファイルではありません",
        ),
        (
            vec![],
            Some(vec![0x82, 0xa0, 0xff, 0xfe, 0x81]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "文字コード",
        ),
    ];
    for (fields, file, status, message) in cases {
        let response = preview(&officer, &fields, file.as_deref()).await;
        assert_eq!(response.status(), status, "{message}");
        assert!(
            response.text().await.unwrap().contains(message),
            "{message}"
        );
    }
    // Shift_JIS, as Excel and Notepad on Japanese Windows save it, reads fine.
    let seed_text = seed();
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&seed_text);
    let response = preview(&officer, &[("kind", "basic_policy")], Some(&sjis)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("佐久市議会情報セキュリティ基本方針")
    );
    // Ten megabytes are refused before anything is read into a policy.
    let huge = "あ".repeat(10 * 1024 * 1024 / 3);
    let response = preview(&officer, &[("text", &huge)], None).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let empty = [("kind", "basic_policy"), ("document", ""), ("source", "")];
    let saved = officer.post_form("/policies/import/save", &empty).await;
    assert_eq!(saved.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = seed();
    let law = [("kind", "law"), ("document", ""), ("source", text.as_str())];
    let unknown_kind = officer.post_form("/policies/import/save", &law).await;
    assert_eq!(unknown_kind.status(), StatusCode::BAD_REQUEST);
    let long_note = "改".repeat(2001);
    let noted = [
        ("kind", "basic_policy"),
        ("document", ""),
        ("source", text.as_str()),
        ("change_note", long_note.as_str()),
    ];
    let too_long = officer.post_form("/policies/import/save", &noted).await;
    assert_eq!(too_long.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(documents(&server).await, 0);
    server.stop().await;
});

backend_test!(async fn reviews_are_recorded_and_roles_are_enforced(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
    let (_, member) = server.web_as("member", Role::User).await;
    let (_, contractor) = server.web_as("vendor", Role::Contractor).await;
    let (_, gicho) = ciso(&server, "gicho").await;
    let version = import(&officer, &seed(), "").await;
    let document = version.split('/').nth(2).unwrap().to_owned();
    let reviews = format!("/policies/{document}/reviews");
    // Members read published policies only: the draft is hidden until it is published.
    member.page(&format!("/policies/{document}"), 404).await;
    let stored = Stored {
        document: document.parse().unwrap(),
        version: version.split('/').nth(4).unwrap().parse().unwrap(),
        hash: String::new(),
    };
    fixtures_policies::approve_and_publish(&officer, &gicho, &stored).await;

    let bad = officer
        .post_form(
            &reviews,
            &[
                ("reviewed_on", "2026-02-30"),
                ("trigger", "audit_result"),
                ("analysis", ""),
                ("decision", "改定しない"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad.text().await.unwrap();
    assert!(
        html.contains("href=\"#reviewed_on\"") && html.contains("href=\"#analysis\""),
        "every refused field is named"
    );
    assert!(html.contains("改定しない"), "the form is kept as typed");
    let good = officer
        .post_form(
            &reviews,
            &[
                ("reviewed_on", "令和8年11月25日"),
                ("trigger", "self_inspection_result"),
                (
                    "analysis",
                    "自己点検の結果、SNSの運用手順に不足が見つかった。",
                ),
                ("decision", "6(8)の運用手順を改める。"),
                ("result_version", ""),
            ],
        )
        .await;
    assert_eq!(location(&good), format!("/policies/{document}#reviews"));
    let page = member.page(&format!("/policies/{document}"), 200).await;
    assert!(page.contains("自己点検の結果") && page.contains("令和8年11月25日"));
    assert!(
        !page.contains("見直しを記録する"),
        "members read, officers record"
    );

    let denied = member
        .post_form(&reviews, &[("reviewed_on", "令和8年11月25日")])
        .await;
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    assert_eq!(contractor.get("/policies").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(member.get("/policies/import").await.status(), StatusCode::FORBIDDEN);
    server.stop().await;
});

backend_test!(async fn the_api_approves_as_the_page_does(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
    let (_, member) = server.web_as("member", Role::User).await;
    let (chief_id, chief) = server.web_as("kyokucho", Role::SecurityOfficer).await;
    give_posts(&server, chief_id, &[OrgRole::ChiefSecurityOfficer]).await;
    let stored: Stored = imported_seed(&officer).await;
    let approve = format!("{}/approve", stored.api());
    let body = json!({"approved_on": "2026-03-18", "note": "議会運営委員会で了承"});

    // The version with its clause tree, for those who edit or approve; a member sees no
    // draft.
    assert_api_error(member.get(&stored.api()).await, 404, "not_found").await;
    let detail = officer.json(&stored.api()).await;
    assert_eq!(detail["version"]["status"], "draft");
    assert_eq!(detail["document_id"], stored.document);
    assert!(detail["tree"]["clauses"].as_array().is_some_and(|c| !c.is_empty()));
    assert!(detail["source_text"].as_str().unwrap().contains("基本方針"));
    let elsewhere = format!("/api/v1/policies/{}/versions/{}", stored.document + 1, stored.version);
    assert_api_error(member.get(&elsewhere).await, 404, "not_found").await;

    // Who holds no approving post is refused (403), whatever their role.
    assert_api_error(officer.post_json(&approve, &body).await, 403, "forbidden").await;
    assert_api_error(member.post_json(&approve, &body).await, 403, "forbidden").await;
    // Nobody approves their own draft, approver or not.
    let own: Stored = fixtures_policies::import_text(&chief, &seed(), None).await;
    let refused = chief
        .post_json(&format!("{}/approve", own.api()), &body)
        .await;
    let error = assert_api_error(refused, 409, "own_draft").await;
    assert!(error["message"].as_str().unwrap().contains("自分が作成した下書き"));
    // A date that does not exist names the field.
    let bad = json!({"approved_on": "令和8年2月30日"});
    let error = assert_api_error(chief.post_json(&approve, &bad).await, 422, "validation_failed").await;
    assert_eq!(error["fields"][0]["field"], "approved_on");

    let approved = chief.post_json(&approve, &body).await;
    assert_eq!(approved.status(), StatusCode::OK);
    let out: serde_json::Value = approved.json().await.unwrap();
    assert_eq!(out["status"], "approved");
    assert_eq!(out["approved_on"], "2026-03-18");
    let detail = officer.json(&stored.api()).await;
    assert_eq!(detail["approver"], "kyokucho");
    // Approved once: no longer a draft.
    assert_api_error(chief.post_json(&approve, &body).await, 409, "invalid_state").await;
    let publish = format!("{}/publish", stored.api());
    assert_api_error(member.post_json(&publish, &json!({})).await, 403, "forbidden").await;
    let published = officer.post_json(&publish, &json!({})).await;
    assert_eq!(published.status(), StatusCode::OK);
    assert_eq!(member.json(&stored.api()).await["version"]["status"], "published");
    assert_api_error(officer.post_json(&publish, &json!({})).await, 409, "invalid_state").await;
    server.stop().await;
});

backend_test!(async fn the_api_records_reviews(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
    let (_, member) = server.web_as("member", Role::User).await;
    let stored = imported_seed(&officer).await;
    let reviews = format!("/api/v1/policies/{}/reviews", stored.document);
    let body = json!({
        "reviewed_on": "令和8年11月25日",
        "trigger": "audit_result",
        "analysis": "内部監査で、委託先の管理に不足が見つかった。",
        "decision": "6(8)を改める。",
        "result_version_id": stored.version,
    });
    assert_api_error(member.post_json(&reviews, &body).await, 403, "forbidden").await;
    let bad = json!({
        "reviewed_on": "2026-02-30",
        "trigger": "whim",
        "analysis": "",
        "decision": "改定しない",
        "result_version_id": stored.version + 100,
    });
    let error = assert_api_error(officer.post_json(&reviews, &bad).await, 422, "validation_failed").await;
    let fields: Vec<&str> = error["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["reviewed_on", "trigger", "analysis"]);
    let stranger = json!({
        "reviewed_on": "2026-11-25",
        "trigger": "other",
        "analysis": "a",
        "decision": "b",
        "result_version_id": stored.version + 100,
    });
    let error = assert_api_error(officer.post_json(&reviews, &stranger).await, 422, "validation_failed").await;
    assert_eq!(error["fields"][0]["field"], "result_version");
    let created = officer.post_json(&reviews, &body).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let page = officer.page(&format!("/policies/{}", stored.document), 200).await;
    assert!(page.contains("委託先の管理に不足"));
    let missing = officer.post_json("/api/v1/policies/999/reviews", &body).await;
    assert_api_error(missing, 404, "not_found").await;
    server.stop().await;
});

backend_test!(async fn an_unreadable_row_is_a_corrupt_record_never_a_default(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
    let stored = imported_seed(&officer).await;
    officer.json("/api/v1/policies").await;
    // A status no version can have: once it read as a draft, now it is named.
    server
        .db
        .execute(&format!(
            "UPDATE policy_versions SET status = 'bogus' WHERE id = {}",
            stored.version
        ))
        .await;
    assert_api_error(officer.get("/api/v1/policies").await, 500, "corrupt_record").await;
    assert_api_error(officer.get(&stored.api()).await, 500, "corrupt_record").await;
    let page = officer.get(&stored.page()).await;
    assert_eq!(page.status(), StatusCode::INTERNAL_SERVER_ERROR);
    // A date that is not a date.
    server
        .db
        .execute(&format!(
            "UPDATE policy_versions SET status = 'approved' WHERE id = {}",
            stored.version
        ))
        .await;
    // The approval date is read from the version's approval request.
    server
        .db
        .execute(&format!(
            "UPDATE approval_requests SET state = 'approved', decided_on = '2026-02-30' \
             WHERE subject_kind = 'policy_version' AND subject_id = {}",
            stored.version
        ))
        .await;
    assert_api_error(officer.get(&stored.api()).await, 500, "corrupt_record").await;
    server.stop().await;
});
