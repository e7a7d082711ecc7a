//! Policy texts as assemblies hold them and drafts on both backends: a Word file and a
//! page saved from a 例規集 system imported through the page and the API; the table of
//! contents and the lines outside the clauses shown in the preview; a draft withdrawn
//! (取下げ) with a reason; and drafts hidden from members on every page and API route.

use mamori_domain::user::Role;
use mamori_testkit::fixtures_policies::{
    self, approve_and_publish, ciso, import_text, published_seed, regulation_docx, reiki_page,
};
use mamori_testkit::{TestServer, Web, assert_api_error, backend_test, location};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Every clause reference of a clause tree in JSON, depth first.
fn refs(tree: &Value) -> Vec<String> {
    fn walk(clauses: &Value, out: &mut Vec<String>) {
        for clause in clauses.as_array().into_iter().flatten() {
            out.push(clause["ref"].as_str().unwrap().to_owned());
            walk(&clause["children"], out);
        }
    }
    let mut out = Vec::new();
    walk(&tree["clauses"], &mut out);
    walk(&tree["supplementary"], &mut out);
    out
}

const DOCX_REFS: [&str; 13] = [
    "1",
    "2",
    "2(1)",
    "2(2)",
    "2(2)ア",
    "2(2)イ",
    "3",
    "3-2",
    "附則",
    "附則1",
    "附則2",
    "附則#2",
    "附則#2-1",
];

const PAGE_REFS: [&str; 11] = [
    "第1章", "1", "2", "第2章", "3", "4", "4(1)", "4(2)", "5", "5-2", "附則",
];

/// Reads `file` through the API preview: its text and clause tree.
async fn api_preview(web: &Web<'_>, file: Vec<u8>) -> (String, Value) {
    let response = web
        .post_bytes("/api/v1/policies/import/preview", file)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    (
        body["text"].as_str().unwrap().to_owned(),
        body["tree"].clone(),
    )
}

backend_test!(async fn a_word_file_imports_through_the_page_and_the_api(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;

    // The API reads the numbers Word generates.
    let (text, tree) = api_preview(&officer, regulation_docx()).await;
    assert_eq!(refs(&tree), DOCX_REFS);
    assert_eq!(tree["title"], "○大川町議会タブレット端末管理要綱");
    assert_eq!(tree["approved_on"], "2025-03-01");
    assert!(text.contains("第２条\u{3000}この要綱において"));
    assert_eq!(tree["clauses"][1]["children"][0]["printed"], "（１）");
    assert_eq!(tree["clauses"][1]["children"][0]["label"], "(1)");

    // The page shows the same tree, numbers as printed, before anything is stored.
    let page = officer
        .post_multipart(
            "/policies/import",
            &[("kind", "other"), ("document", ""), ("text", "")],
            Some(("要綱.docx", &regulation_docx())),
        )
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("<span class=\"clause-label\">第２条</span>"));
    assert!(html.contains(
        "<span class=\"clause-label\">（１）</span> <span class=\"clause-inline\">端末　議会が貸与するタブレット端末をいう。</span>"
    ), "number and text on one line");
    assert!(html.contains("表題として読み取りました"));
    assert!(html.contains("決裁日・番号として読み取りました"));
    assert_eq!(fixtures_policies::documents_count(&server).await, 0);

    // Saved from the page: the text read from the Word file is what is stored.
    let saved = officer
        .post_form(
            "/policies/import/save",
            &[("kind", "other"), ("document", ""), ("source", &text), ("change_note", "")],
        )
        .await;
    let version_page = location(&saved);
    let detail = officer.json(&format!("/api/v1{version_page}")).await;
    assert_eq!(refs(&detail["tree"]), DOCX_REFS);
    let shown = officer.page(&version_page, 200).await;
    assert!(shown.contains("<h1>○大川町議会タブレット端末管理要綱</h1>"), "the marker ○ is kept");
    server.stop().await;
});

backend_test!(async fn a_saved_reiki_page_imports_without_its_navigation(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;

    let (text, tree) = api_preview(&officer, reiki_page()).await;
    assert_eq!(refs(&tree), PAGE_REFS);
    assert_eq!(
        tree["contents"],
        json!(["第1章　総則（第1条・第2条）", "第2章　公開の手続（第3条―第5条）", "附則"])
    );
    for chrome in ["本文へ移動", "トップ", "目次へ戻る", "ダミー", "スクリプト", "コメント", "Copyright"] {
        assert!(!text.contains(chrome), "{chrome} is not part of the regulation");
    }
    let fates: Vec<(u64, &str)> = tree["unplaced"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["line"].as_u64().unwrap(), u["fate"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fates,
        [
            (1, "title"),
            (2, "metadata"),
            (3, "contents"),
            (4, "contents"),
            (5, "contents"),
            (6, "contents"),
        ]
    );

    let page = officer
        .post_multipart(
            "/policies/import",
            &[("kind", "other"), ("document", ""), ("text", "")],
            Some(("reiki.html", &reiki_page())),
        )
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("<h2 id=\"contents-heading\">目次</h2>"));
    assert!(html.contains("<li>第2章　公開の手続（第3条―第5条）</li>"));
    assert!(html.contains("<td>3</td><td>目次</td><td>目次として読み取りました</td>"));
    assert!(!html.contains("目次へ戻る") && !html.contains("スクリプトの中の文"));

    let imported = officer
        .post_json(
            "/api/v1/policies/import",
            &json!({"kind": "other", "text": text}),
        )
        .await;
    assert_eq!(imported.status(), StatusCode::CREATED);
    let out: Value = imported.json().await.unwrap();
    assert_eq!(out["clauses"], PAGE_REFS.len());
    assert_eq!(out["contents"].as_array().unwrap().len(), 3);
    assert_eq!(out["unplaced"][2], json!({"line": 3, "text": "目次", "fate": "contents"}));

    // Not a Word file, not a page: refused, and said why.
    let broken = officer
        .post_bytes("/api/v1/policies/import/preview", b"PK\x03\x04broken".to_vec())
        .await;
    assert_api_error(broken, 422, "invalid_policy_text").await;
    server.stop().await;
});

backend_test!(async fn a_draft_is_withdrawn_with_a_reason_but_an_approved_one_is_not(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
    let (_, gicho) = ciso(&server, "gicho").await;
    let (_, member) = server.web_as("member", Role::User).await;
    let first = fixtures_policies::imported_seed(&officer).await;

    // The page: a reason is required, then the draft is withdrawn and says why.
    let page = officer.page(&first.page(), 200).await;
    assert!(page.contains(&format!("action=\"{}/withdraw\"", first.page())));
    let refused = officer.post_form(&format!("{}/withdraw", first.page()), &[("reason", " ")]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("取下げの理由"));
    let done = officer
        .post_form(&format!("{}/withdraw", first.page()), &[("reason", "誤って取り込んだため")])
        .await;
    assert_eq!(location(&done), first.page());
    let page = officer.page(&first.page(), 200).await;
    assert!(page.contains("取下げ") && page.contains("誤って取り込んだため"));
    assert!(!page.contains("/withdraw\""), "no second withdrawal offered");
    let document = officer.page(&format!("/policies/{}", first.document), 200).await;
    assert!(document.contains("<td>取下げ</td>"), "listed as withdrawn");
    let detail = officer.json(&first.api()).await;
    assert_eq!(detail["version"]["status"], "withdrawn");
    assert_eq!(detail["version"]["withdrawal_reason"], "誤って取り込んだため");

    // A withdrawn version is never approved nor published.
    let approve = gicho
        .post_json(&format!("{}/approve", first.api()), &json!({"approved_on": "R8.3.18"}))
        .await;
    assert_api_error(approve, 409, "invalid_state").await;
    let publish = officer.post_json(&format!("{}/publish", first.api()), &json!({})).await;
    assert_api_error(publish, 409, "invalid_state").await;

    // The API, on a second draft; a member may not.
    let second = import_text(&officer, &fixtures_policies::seed(), Some(first.document)).await;
    let denied = member
        .post_json(&format!("{}/withdraw", second.api()), &json!({"reason": "不要"}))
        .await;
    assert_api_error(denied, 403, "forbidden").await;
    let empty = officer.post_json(&format!("{}/withdraw", second.api()), &json!({"reason": ""})).await;
    let error = assert_api_error(empty, 422, "validation_failed").await;
    assert!(error["fields"].to_string().contains("reason"));
    let withdrawn = officer
        .post_json(&format!("{}/withdraw", second.api()), &json!({"reason": "重複して取り込んだため"}))
        .await;
    assert_eq!(withdrawn.status(), StatusCode::OK);
    let body: Value = withdrawn.json().await.unwrap();
    assert_eq!(body["status"], "withdrawn");

    // An approved version keeps its record: refused on the page and the API.
    let third = import_text(&officer, &fixtures_policies::seed(), Some(first.document)).await;
    let approved = gicho
        .post_json(&format!("{}/approve", third.api()), &json!({"approved_on": "R8.3.18"}))
        .await;
    assert_eq!(approved.status(), StatusCode::OK);
    let refused = officer
        .post_json(&format!("{}/withdraw", third.api()), &json!({"reason": "誤り"}))
        .await;
    assert_api_error(refused, 409, "invalid_state").await;
    let refused = officer
        .post_form(&format!("{}/withdraw", third.page()), &[("reason", "誤り")])
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(refused.text().await.unwrap().contains("取り下げられるのは、決裁前の下書きだけです"));
    let status = officer.json(&third.api()).await;
    assert_eq!(status["version"]["status"], "approved");

    // Each withdrawal is in the audit trail with its reason.
    let trail = mamori_store::audit::recent(&server.store, 100).await.unwrap();
    let withdrawals: Vec<_> = trail.iter().filter(|e| e.action == "policy.withdraw").collect();
    assert_eq!(withdrawals.len(), 2);
    assert!(withdrawals.iter().any(|e| e.changes.contains("誤って取り込んだため")
        && e.target_id.as_deref() == Some(first.version.to_string().as_str())));
    server.stop().await;
});

backend_test!(async fn members_see_published_versions_only(backend) {
    let server = TestServer::start(backend).await;
    let published = published_seed(&server).await;
    let (_, officer) = server.web_as("officer2", Role::SecurityOfficer).await;
    let (_, gicho) = ciso(&server, "gicho2").await;
    let (_, member) = server.web_as("member", Role::User).await;
    let (_, auditor) = server.web_as("auditor", Role::Auditor).await;
    let draft = import_text(&officer, &fixtures_policies::seed(), Some(published.document)).await;
    let secret = import_text(&officer, "○未公開の下書き規程\n1 目的\n本文。\n", None).await;

    for reader in [&member, &auditor] {
        // Not found wherever a draft would show, pages and API alike.
        for path in [
            draft.page(),
            draft.api(),
            format!("/policies/{}", secret.document),
            format!("/api/v1/policies/{}", secret.document),
            format!("/policies/{}/clauses/1", secret.document),
            format!("/policies/{}/compare?from={}&to={}", published.document, published.version, draft.version),
            format!("/api/v1/policies/{}?version=2", published.document),
        ] {
            let response = reader.get(&path).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        }
        // Lists name the published document only, and its published version only.
        let list = reader.page("/policies", 200).await;
        assert!(list.contains("佐久市議会情報セキュリティ基本方針"));
        assert!(!list.contains("未公開の下書き規程"));
        let api: Value = reader.json("/api/v1/policies").await;
        let titles = api["items"].to_string();
        assert!(titles.contains("佐久市議会") && !titles.contains("未公開"));
        let document = reader.json(&format!("/api/v1/policies/{}", published.document)).await;
        let versions: Vec<i64> = document["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_i64().unwrap())
            .collect();
        assert_eq!(versions, [published.version]);
        let page = reader.page(&format!("/policies/{}", published.document), 200).await;
        assert!(!page.contains(&draft.page()));
        reader.page(&published.page(), 200).await;
    }

    // Those who edit or approve see the drafts.
    officer.page(&draft.page(), 200).await;
    gicho.page(&draft.page(), 200).await;
    let all = officer.json(&format!("/api/v1/policies/{}", published.document)).await;
    assert_eq!(all["versions"].as_array().unwrap().len(), 2);
    approve_and_publish(&officer, &gicho, &draft).await;
    member.page(&draft.page(), 200).await;
    server.stop().await;
});
