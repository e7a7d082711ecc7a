//! Policy documents over real HTTP on both backends: import with preview, approval (決裁),
//! publication, the public page, comparison, clause pages, reviews, and bad input.

use mamori_domain::user::{OrgRole, Role};
use mamori_testkit::{TestServer, backends};
use reqwest::StatusCode;

/// Form fields, an uploaded file, the expected status and a part of the message.
type BadText = (
    Vec<(&'static str, &'static str)>,
    Option<Vec<u8>>,
    StatusCode,
    &'static str,
);

fn seed() -> String {
    std::fs::read_to_string(
        mamori_testkit::workspace_root().join("../shared/seeds/000_eb89c773407ffd89.txt"),
    )
    .expect("the seed policy")
}

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

async fn preview(
    server: &TestServer,
    client: &reqwest::Client,
    fields: &[(&str, &str)],
    file: Option<&[u8]>,
) -> reqwest::Response {
    let (content_type, body) = multipart(fields, file);
    client
        .post(server.url("/policies/import"))
        .header("origin", &server.base)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Imports `text` through preview and save; returns the version page's path.
async fn import(
    server: &TestServer,
    client: &reqwest::Client,
    text: &str,
    document: &str,
) -> String {
    let shown = preview(
        server,
        client,
        &[
            ("kind", "basic_policy"),
            ("document", document),
            ("text", text),
        ],
        None,
    )
    .await;
    assert_eq!(shown.status(), StatusCode::OK);
    let saved = client
        .post(server.url("/policies/import/save"))
        .header("origin", &server.base)
        .form(&[
            ("kind", "basic_policy"),
            ("document", document),
            ("source", text),
            ("change_note", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    saved.headers()["location"].to_str().unwrap().to_owned()
}

async fn documents(server: &TestServer) -> usize {
    mamori_store::policies::documents(&server.store)
        .await
        .unwrap()
        .len()
}

async fn ciso(server: &TestServer) -> reqwest::Client {
    let (id, client) = server.user_client("gicho", Role::User).await;
    let mut tx = server
        .store
        .write(mamori_store::Actor::system("test"))
        .await
        .unwrap();
    mamori_store::users::set_org_roles(&mut tx, id, &[OrgRole::Ciso])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    client
}

#[tokio::test]
async fn the_seed_is_imported_approved_published_and_public() {
    for backend in backends() {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.user_client("officer", Role::SecurityOfficer).await;
        let gicho = ciso(&server).await;

        let shown = preview(
            &server,
            &officer,
            &[
                ("kind", "basic_policy"),
                ("document", ""),
                ("text", &seed()),
            ],
            None,
        )
        .await;
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

        let version_path = import(&server, &officer, &seed(), "").await;
        let page = server.text(&officer, &version_path).await;
        assert!(page.contains("下書き"));
        assert!(
            !page.contains("決裁する"),
            "the author cannot approve their own draft"
        );
        let own = officer
            .post(server.url(&format!("{version_path}/approve")))
            .header("origin", &server.base)
            .form(&[("approved_on", "令和8年3月18日")])
            .send()
            .await
            .unwrap();
        assert_eq!(own.status(), StatusCode::CONFLICT);

        let bad_date = gicho
            .post(server.url(&format!("{version_path}/approve")))
            .header("origin", &server.base)
            .form(&[("approved_on", "令和8年2月30日")])
            .send()
            .await
            .unwrap();
        assert_eq!(bad_date.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let approved = gicho
            .post(server.url(&format!("{version_path}/approve")))
            .header("origin", &server.base)
            .form(&[("approved_on", "R8.3.18")])
            .send()
            .await
            .unwrap();
        assert_eq!(approved.status(), StatusCode::SEE_OTHER);
        let page = server.text(&officer, &version_path).await;
        assert!(page.contains("決裁済み") && page.contains("令和8年3月18日"));

        assert_eq!(
            reqwest::get(server.url("/public/policy"))
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND
        );
        let published = officer
            .post(server.url(&format!("{version_path}/publish")))
            .header("origin", &server.base)
            .send()
            .await
            .unwrap();
        assert_eq!(published.status(), StatusCode::SEE_OTHER);

        // Readable by anyone, signed in or not, laid out for print.
        let public = reqwest::get(server.url("/public/policy")).await.unwrap();
        assert_eq!(public.status(), StatusCode::OK);
        let html = public.text().await.unwrap();
        assert!(html.contains("<h1>佐久市議会情報セキュリティ基本方針</h1>"));
        assert!(html.contains("ソーシャルメディアサービスを利用する場合には"));
        assert!(
            !html.contains("sign-out") && !html.contains("site-nav"),
            "no application chrome"
        );
        let css = reqwest::get(server.url("/static/mamori.css"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(css.contains("@page { size: A4"));

        let trail: Vec<String> = mamori_store::audit::recent(&server.store, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        for action in [
            "policy.create",
            "policy.version_create",
            "policy.approve",
            "policy.publish",
        ] {
            assert!(trail.contains(&action.to_owned()), "{action}");
        }
        server.stop().await;
    }
}

#[tokio::test]
async fn a_new_version_supersedes_the_old_and_versions_compare_clause_by_clause() {
    for backend in backends() {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.user_client("officer", Role::SecurityOfficer).await;
        let gicho = ciso(&server).await;
        let first = import(&server, &officer, &seed(), "").await;
        for step in ["approve", "publish"] {
            let client = if step == "approve" { &gicho } else { &officer };
            let response = client
                .post(server.url(&format!("{first}/{step}")))
                .header("origin", &server.base)
                .form(&[("approved_on", "令和8年3月18日")])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{step}");
        }
        let document = first.split('/').nth(2).unwrap().to_owned();
        let edited = seed()
            .replace("委託事業者を選定し", "委託事業者を慎重に選定し")
            .replace(
                "- (5) 電力供給の途絶、通信の途絶、水道供給の途絶等のインフラの障害からの波及等\n",
                "",
            );
        let edit_form = server
            .text(&officer, &format!("/policies/import?document={document}"))
            .await;
        assert!(
            edit_form.contains("委託事業者を選定し"),
            "editing starts from the current text"
        );
        let second = import(&server, &officer, &edited, &document).await;
        assert_ne!(first, second);
        let second_id = second.rsplit('/').next().unwrap();
        let first_id = first.rsplit('/').next().unwrap();

        let compare = server
            .text(
                &officer,
                &format!("/policies/{document}/compare?from={first_id}&to={second_id}"),
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

        for step in ["approve", "publish"] {
            let client = if step == "approve" { &gicho } else { &officer };
            client
                .post(server.url(&format!("{second}/{step}")))
                .header("origin", &server.base)
                .form(&[("approved_on", "令和8年11月25日")])
                .send()
                .await
                .unwrap();
        }
        let versions = mamori_store::policies::versions(&server.store, document.parse().unwrap())
            .await
            .unwrap();
        let statuses: Vec<&str> = versions.iter().map(|v| v.status.as_str()).collect();
        assert_eq!(statuses, ["published", "superseded"]);
        let public = reqwest::get(server.url("/public/policy"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(public.contains("委託事業者を慎重に選定し"));

        let clause = officer
            .get(server.url(&format!("/policies/{document}/clauses/6(8)")))
            .send()
            .await
            .unwrap();
        assert_eq!(clause.status(), StatusCode::OK);
        let html = clause.text().await.unwrap();
        assert!(html.contains("業務委託及び外部サービスの利用"));
        assert!(html.contains("関連付けられた記録はまだありません"));
        let missing = officer
            .get(server.url(&format!("/policies/{document}/clauses/99(9)")))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        server.stop().await;
    }
}

#[tokio::test]
async fn bad_texts_get_a_clear_message_and_save_nothing() {
    for backend in backends() {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.user_client("officer", Role::SecurityOfficer).await;
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
            let response = preview(&server, &officer, &fields, file.as_deref()).await;
            assert_eq!(response.status(), status, "{message}");
            assert!(
                response.text().await.unwrap().contains(message),
                "{message}"
            );
        }
        // Shift_JIS, as Excel and Notepad on Japanese Windows save it, reads fine.
        let seed_text = seed();
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&seed_text);
        let response = preview(&server, &officer, &[("kind", "basic_policy")], Some(&sjis)).await;
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
        let response = preview(&server, &officer, &[("text", &huge)], None).await;
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let saved = officer
            .post(server.url("/policies/import/save"))
            .header("origin", &server.base)
            .form(&[("kind", "basic_policy"), ("document", ""), ("source", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let unknown_kind = officer
            .post(server.url("/policies/import/save"))
            .header("origin", &server.base)
            .form(&[
                ("kind", "law"),
                ("document", ""),
                ("source", seed().as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(unknown_kind.status(), StatusCode::BAD_REQUEST);
        assert_eq!(documents(&server).await, 0);
        server.stop().await;
    }
}

#[tokio::test]
async fn reviews_are_recorded_and_roles_are_enforced() {
    for backend in backends() {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.user_client("officer", Role::SecurityOfficer).await;
        let (_, member) = server.user_client("member", Role::User).await;
        let (_, contractor) = server.user_client("vendor", Role::Contractor).await;
        let version = import(&server, &officer, &seed(), "").await;
        let document = version.split('/').nth(2).unwrap().to_owned();

        let bad = officer
            .post(server.url(&format!("/policies/{document}/reviews")))
            .header("origin", &server.base)
            .form(&[
                ("reviewed_on", "2026-02-30"),
                ("trigger", "audit_result"),
                ("analysis", ""),
                ("decision", "改定しない"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let good = officer
            .post(server.url(&format!("/policies/{document}/reviews")))
            .header("origin", &server.base)
            .form(&[
                ("reviewed_on", "令和8年11月25日"),
                ("trigger", "self_inspection_result"),
                (
                    "analysis",
                    "自己点検の結果、SNSの運用手順に不足が見つかった。",
                ),
                ("decision", "6(8)の運用手順を改める。"),
                ("result_version", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(good.status(), StatusCode::SEE_OTHER);
        let page = server.text(&member, &format!("/policies/{document}")).await;
        assert!(page.contains("自己点検の結果") && page.contains("令和8年11月25日"));
        assert!(
            !page.contains("見直しを記録する"),
            "members read, officers record"
        );

        let denied = member
            .post(server.url(&format!("/policies/{document}/reviews")))
            .header("origin", &server.base)
            .form(&[("reviewed_on", "令和8年11月25日")])
            .send()
            .await
            .unwrap();
        assert_eq!(denied.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            contractor
                .get(server.url("/policies"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            member
                .get(server.url("/policies/import"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::FORBIDDEN
        );
        server.stop().await;
    }
}
