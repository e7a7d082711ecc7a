//! Pledges (誓約書, issue 17 item 6), over real HTTP on both backends: a pledge text is a
//! policy document of kind `pledge`, published through the versions workflow; a person
//! signs it in mamori (the acknowledgement, with the content hash) or the security
//! officer records a paper pledge (the day signed, and the scan in the file store).

use mamori_domain::user::Role;
use mamori_testkit::fixtures_files::pdf;
use mamori_testkit::fixtures_policies::{Stored, ciso, imported_seed, published_pledge};
use mamori_testkit::{TestServer, Web, assert_api_error, backend_test, location};
use reqwest::StatusCode;
use serde_json::Value;

async fn count(server: &TestServer, sql: &str) -> i64 {
    server.db.number(sql).await
}

async fn audit_count(server: &TestServer, action: &str) -> i64 {
    count(
        server,
        &format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"),
    )
    .await
}

/// The pledge imported by a new security officer, approved by a new CISO and published.
async fn setup(server: &TestServer) -> (Web<'_>, Stored) {
    let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
    let (_, gicho) = ciso(server, "gicho").await;
    let stored = published_pledge(&officer, &gicho).await;
    (officer, stored)
}

fn paper_path(stored: &Stored) -> String {
    format!("/policies/{}/pledges/paper", stored.document)
}

fn signatures_page(stored: &Stored) -> String {
    format!("/policies/{}/acknowledgements", stored.document)
}

/// The signature of `login` in the API's list.
async fn signature(officer: &Web<'_>, stored: &Stored, login: &str) -> Value {
    let list = officer
        .json(&format!("/api/v1/policies/{}/pledges", stored.document))
        .await;
    assert_eq!(list["version_id"], stored.version);
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["login"] == login)
        .cloned()
        .unwrap_or_else(|| panic!("{login} in {list}"))
}

backend_test!(
    async fn a_person_signs_in_mamori_and_the_home_prompt_goes(backend) {
        let server = TestServer::start(backend).await;
        let (officer, stored) = setup(&server).await;
        let (_, member) = server.web_as("giin.ichiro", Role::User).await;

        // The list names the kind; the home page asks for the signature, as a pledge.
        let list = member.page("/policies", 200).await;
        assert!(list.contains("<td>誓約書</td>"), "the kind in the list: {list}");
        let home = member.page("/", 200).await;
        assert!(home.contains("提出をお願いしている誓約書"), "{home}");
        assert!(home.contains(&stored.page()), "{home}");
        assert!(!home.contains("確認をお願いしているポリシー"));
        let page = member.page(&stored.page(), 200).await;
        assert!(page.contains("上記の内容を誓約します"), "{page}");
        assert!(page.contains("誓約書の提出をお願いします"));
        // A reminder asks for the signature in the pledge's words, not the policy's.
        let reminded = officer
            .post_json(
                &format!("/api/v1/policies/{}/acknowledgements/remind", stored.document),
                &serde_json::json!({}),
            )
            .await;
        assert_eq!(reminded.status(), StatusCode::OK);
        let kinds = "SELECT COUNT(*) FROM notifications WHERE kind = 'pledge_reminder'";
        assert_eq!(count(&server, kinds).await, 3);
        let notices = member.page("/notifications", 200).await;
        assert!(notices.contains("mamori で誓約してください"), "{notices}");

        let signed = member
            .post_form(
                &format!("{}/acknowledge", stored.page()),
                &[("content_hash", &stored.hash)],
            )
            .await;
        assert_eq!(location(&signed), stored.page());
        let page = member.page(&stored.page(), 200).await;
        assert!(page.contains("にこの版の誓約書に署名しました"), "{page}");
        assert!(!page.contains("上記の内容を誓約します"));
        let home = member.page("/", 200).await;
        assert!(!home.contains("提出をお願いしている誓約書"), "{home}");

        // The officer sees how: in mamori, with the content hash recorded.
        let row = signature(&officer, &stored, "giin.ichiro").await;
        assert_eq!(row["way"], "signed_in_app");
        assert!(row["recorded_at"].is_string() && row["signed_on"].is_null());
        let hash: i64 = count(
            &server,
            &format!(
                "SELECT COUNT(*) FROM policy_acknowledgements WHERE version_id = {} \
                 AND content_hash = '{}' AND way = 'signed_in_app'",
                stored.version, stored.hash
            ),
        )
        .await;
        assert_eq!(hash, 1);
        let status = officer.page(&signatures_page(&stored), 200).await;
        assert!(status.contains("誓約書の提出状況"), "{status}");
        assert!(status.contains("mamoriで署名"));
        assert!(status.contains("提出済み 1人 ／ 全3人"), "{status}");
        server.stop().await;
    }
);

backend_test!(
    async fn the_officer_records_a_paper_pledge_with_its_scan_once(backend) {
        let server = TestServer::start(backend).await;
        let (officer, stored) = setup(&server).await;
        let (_, staff) = server.web_as("jimu.hanako", Role::User).await;
        let (_, other) = server.web_as("jimu.jiro", Role::User).await;

        let page = officer.page(&signatures_page(&stored), 200).await;
        assert!(page.contains("紙で提出された誓約書を登録する"), "{page}");
        assert!(page.contains("value=\"jimu.hanako\""));
        let scan = pdf("Pledge");
        let recorded = officer
            .post_multipart(
                &paper_path(&stored),
                &[("user", "jimu.hanako"), ("signed_on", "令和8年4月1日")],
                Some(("誓約書.pdf", &scan)),
            )
            .await;
        assert_eq!(
            location(&recorded),
            format!("{}?paper=1", signatures_page(&stored))
        );
        let page = officer
            .page(&format!("{}?paper=1", signatures_page(&stored)), 200)
            .await;
        assert!(page.contains("紙で提出された誓約書を登録しました"), "{page}");
        assert!(page.contains("紙で提出") && page.contains("令和8年4月1日"));

        let row = signature(&officer, &stored, "jimu.hanako").await;
        assert_eq!(row["way"], "paper");
        assert_eq!(row["signed_on"], "2026-04-01");
        let attachment = row["attachment_id"].as_i64().expect("the scan");
        assert!(page.contains(&format!("href=\"/files/{attachment}\"")));
        let download = officer
            .get(&format!("/files/{attachment}/download"))
            .await;
        assert_eq!(download.status(), StatusCode::OK);
        assert_eq!(download.bytes().await.unwrap().as_ref(), scan.as_slice());
        // The file page leads back to the signature, which leads to the signatures page.
        let file_page = officer.page(&format!("/files/{attachment}"), 200).await;
        assert!(file_page.contains("href=\"/pledges/"), "{file_page}");
        let signature_id: i64 = count(
            &server,
            &format!("SELECT id FROM policy_acknowledgements WHERE attachment_id = {attachment}"),
        )
        .await;
        let shown = officer.page(&format!("/pledges/{signature_id}"), 200).await;
        assert!(
            shown.contains(&format!("action=\"{}", paper_path(&stored))),
            "the signature is shown on its signatures page: {shown}"
        );
        // The scan is for those who follow signatures, not for other users.
        let peek = other.get(&format!("/files/{attachment}/download")).await;
        assert_eq!(peek.status(), StatusCode::FORBIDDEN);
        for action in ["policy.pledge_paper", "file.attach", "policy.pledge_scan"] {
            assert_eq!(audit_count(&server, action).await, 1, "{action}");
        }
        // Signed on paper: no longer asked on the home page.
        let home = staff.page("/", 200).await;
        assert!(!home.contains("提出をお願いしている誓約書"), "{home}");
        let mine = staff.page(&stored.page(), 200).await;
        assert!(mine.contains("令和8年4月1日 付けの紙の誓約書で提出済みです"), "{mine}");
        assert!(!mine.contains("上記の内容を誓約します"));

        // Twice for the same person and version: refused, in Japanese, nothing written.
        let rows = count(&server, "SELECT COUNT(*) FROM policy_acknowledgements").await;
        let twice = officer
            .post_multipart(
                &paper_path(&stored),
                &[("user", "jimu.hanako"), ("signed_on", "2026-04-02")],
                Some(("誓約書.pdf", &scan)),
            )
            .await;
        assert_eq!(twice.status(), StatusCode::CONFLICT);
        let html = twice.text().await.unwrap();
        assert!(html.contains("この版の誓約書をすでに提出しています"), "{html}");
        let api = format!("/api/v1{}", paper_path(&stored));
        let again = officer
            .post_multipart(
                &api,
                &[("user", "jimu.hanako"), ("signed_on", "2026-04-02")],
                None,
            )
            .await;
        assert_api_error(again, 409, "already_signed").await;
        assert_eq!(
            count(&server, "SELECT COUNT(*) FROM policy_acknowledgements").await,
            rows
        );
        assert_eq!(audit_count(&server, "policy.pledge_paper").await, 1);
        assert_eq!(audit_count(&server, "file.attach").await, 1);

        // Through the API, without a scan, for someone else.
        let done = officer
            .post_multipart(
                &api,
                &[("user", "jimu.jiro"), ("signed_on", "R8.4.3")],
                None,
            )
            .await;
        assert_eq!(done.status(), StatusCode::CREATED);
        let body: Value = done.json().await.unwrap();
        assert_eq!(body["signed_on"], "2026-04-03");
        assert!(body["attachment_id"].is_null());
        assert_eq!(signature(&officer, &stored, "jimu.jiro").await["way"], "paper");

        // In English, the same page speaks of signatures.
        let english = officer.post_form("/preferences", &[("lang", "en")]).await;
        assert_eq!(english.status(), StatusCode::SEE_OTHER);
        let page = officer.page(&signatures_page(&stored), 200).await;
        for words in ["Pledge signatures", "Signed on paper", "Open the scan", "2 of 4 signed"] {
            assert!(page.contains(words), "{words}: {page}");
        }

        // Only a pledge takes paper pledges.
        let (_, gicho) = ciso(&server, "gicho2").await;
        let policy = imported_seed(&officer).await;
        mamori_testkit::fixtures_policies::approve_and_publish(&officer, &gicho, &policy).await;
        let refused = officer
            .post_multipart(
                &format!("/api/v1/policies/{}/pledges/paper", policy.document),
                &[("user", "gicho"), ("signed_on", "2026-04-01")],
                None,
            )
            .await;
        assert_api_error(refused, 409, "not_a_pledge").await;
        server.stop().await;
    }
);

backend_test!(
    async fn a_bad_date_or_file_is_refused_in_japanese_and_nothing_is_written(backend) {
        let server = TestServer::start(backend).await;
        let (officer, stored) = setup(&server).await;
        server.add_user("jimu.hanako", Role::User).await;
        let rows = count(&server, "SELECT COUNT(*) FROM policy_acknowledgements").await;
        let entries = count(&server, "SELECT COUNT(*) FROM audit_log").await;

        let bad = officer
            .post_multipart(
                &paper_path(&stored),
                &[("user", "jimu.hanako"), ("signed_on", "令和8年2月30日")],
                Some(("誓約書.pdf", &pdf("Pledge"))),
            )
            .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = bad.text().await.unwrap();
        assert!(html.contains("令和8年2月30日という日付はありません"), "{html}");
        assert!(html.contains("value=\"令和8年2月30日\""), "kept as typed: {html}");

        let unreadable = officer
            .post_multipart(
                &paper_path(&stored),
                &[("user", ""), ("signed_on", "きのう")],
                None,
            )
            .await;
        assert_eq!(unreadable.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = unreadable.text().await.unwrap();
        assert!(html.contains("日付として読み取れません"), "{html}");
        assert!(html.contains("提出した人を選んでください"), "{html}");

        let future = officer
            .post_multipart(
                &format!("/api/v1{}", paper_path(&stored)),
                &[("user", "jimu.hanako"), ("signed_on", "2999-01-01")],
                None,
            )
            .await;
        let error = assert_api_error(future, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "signed_on");
        let message = error["fields"][0]["message"].as_str().unwrap();
        assert!(message.contains("今日までの日付"), "{error}");

        let not_a_scan = officer
            .post_multipart(
                &paper_path(&stored),
                &[("user", "jimu.hanako"), ("signed_on", "2026-04-01")],
                Some(("memo.txt", "署名しました".as_bytes())),
            )
            .await;
        assert_eq!(not_a_scan.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(not_a_scan.text().await.unwrap().contains("PDFファイル又は画像ファイル"));

        let nobody = officer
            .post_multipart(
                &format!("/api/v1{}", paper_path(&stored)),
                &[("user", "itaku.nobody"), ("signed_on", "2026-04-01")],
                None,
            )
            .await;
        let error = assert_api_error(nobody, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "user");

        assert_eq!(
            count(&server, "SELECT COUNT(*) FROM policy_acknowledgements").await,
            rows
        );
        assert_eq!(count(&server, "SELECT COUNT(*) FROM attachments").await, 0);
        assert_eq!(count(&server, "SELECT COUNT(*) FROM audit_log").await, entries);
        server.stop().await;
    }
);

backend_test!(
    async fn a_member_cannot_record_paper_pledges(backend) {
        let server = TestServer::start(backend).await;
        let (_, stored) = setup(&server).await;
        let (_, member) = server.web_as("giin.ichiro", Role::User).await;
        let denied = audit_count(&server, "access.denied").await;
        let rows = count(&server, "SELECT COUNT(*) FROM policy_acknowledgements").await;

        let page = member
            .post_multipart(
                &paper_path(&stored),
                &[("user", "giin.ichiro"), ("signed_on", "2026-04-01")],
                Some(("誓約書.pdf", &pdf("Pledge"))),
            )
            .await;
        assert_eq!(page.status(), StatusCode::FORBIDDEN);
        let api = member
            .post_multipart(
                &format!("/api/v1{}", paper_path(&stored)),
                &[("user", "giin.ichiro"), ("signed_on", "2026-04-01")],
                None,
            )
            .await;
        assert_api_error(api, 403, "forbidden").await;
        let list = member
            .get(&format!("/api/v1/policies/{}/pledges", stored.document))
            .await;
        assert_eq!(list.status(), StatusCode::FORBIDDEN);

        assert_eq!(audit_count(&server, "access.denied").await, denied + 3);
        assert_eq!(
            count(&server, "SELECT COUNT(*) FROM policy_acknowledgements").await,
            rows
        );
        server.stop().await;
    }
);
