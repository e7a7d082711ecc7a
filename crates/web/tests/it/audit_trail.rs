//! The audit-trail viewer: the page, its CSV export and `GET /api/v1/audit`, on SQLite
//! and PostgreSQL.

use mamori_domain::user::Role;
use mamori_domain::wareki::{self, DateStyle, JST, Lang};
use mamori_store::{Actor, AuditEntry, audit};
use mamori_testkit::TestServer;
use reqwest::StatusCode;
use reqwest::header::ACCEPT_LANGUAGE;
use serde_json::Value;

fn today_jst() -> time::Date {
    time::OffsetDateTime::now_utc().to_offset(JST).date()
}

/// A sign-in with a login that does not exist: recorded as `auth.sign_in_failed` with
/// the typed login as its target.
async fn fail_sign_in(server: &TestServer, typed: &str) {
    let response = server
        .client()
        .post(server.url("/login"))
        .form(&[("login", typed), ("password", "wrong password here")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{typed}");
}

async fn get_text(client: &reqwest::Client, url: &str) -> (StatusCode, String) {
    let response = client.get(url).send().await.unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

async fn get_json(client: &reqwest::Client, url: &str) -> (StatusCode, Value) {
    let response = client.get(url).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn count_action(server: &TestServer, action: &str) -> usize {
    audit::recent(&server.store, 100_000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == action)
        .count()
}

mamori_testkit::backend_test!(async fn officers_and_auditors_see_the_trail_with_the_chain_intact(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server
            .user_client("sec.officer", Role::SecurityOfficer)
            .await;
        let (_, auditor) = server.user_client("kansa.iin", Role::Auditor).await;
        fail_sign_in(&server, "no.such.person").await;
        // The daily job (or a person) has checked the chain; the page shows that check.
        mamori_store::audit_checks::run(&server.store, true, "test")
            .await
            .unwrap();

        for client in [&officer, &auditor] {
            let (status, html) = get_text(client, &server.url("/audit")).await;
            assert_eq!(status, StatusCode::OK, "{backend:?}");
            assert!(html.contains(r#"data-chain="intact""#), "{backend:?}");
            assert!(html.contains("改ざんはありませんでした"), "{backend:?}");
            // The chain status comes before the filters and the list.
            assert!(
                html.find("chain-status").unwrap() < html.find("<form method=\"get\"").unwrap()
            );
            assert!(html.contains("ログイン失敗"), "{backend:?}");
            assert!(html.contains("no.such.person"), "{backend:?}");
            assert!(html.contains("sec.officer"), "{backend:?}");
            assert!(html.contains("127.0.0.1"), "{backend:?}");
            // Changes read as "field: before → after".
            assert!(html.contains("stage: active"), "{backend:?}");
            assert!(
                html.contains("<th scope=\"col\">変更内容</th>"),
                "{backend:?}"
            );
            // The action list, with groups.
            assert!(html.contains(r#"<option value="auth.">ログイン関係（すべて）</option>"#));
            assert!(html.contains(r#"<option value="auth.sign_in_failed">ログイン失敗</option>"#));
        }

        let response = officer
            .get(server.url("/audit"))
            .header(ACCEPT_LANGUAGE, "en")
            .send()
            .await
            .unwrap();
        let html = response.text().await.unwrap();
        // The user's own language wins once set; without one, the browser's.
        assert!(html.contains("Last full check"), "{backend:?}");
        assert!(html.contains("Sign-in failed"), "{backend:?}");
        server.stop().await;
});

mamori_testkit::backend_test!(async fn filters_narrow_the_list(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server
            .user_client("sec.officer", Role::SecurityOfficer)
            .await;
        let (_, _auditor) = server.user_client("Kansa.Iin", Role::Auditor).await;
        fail_sign_in(&server, "ghost.one").await;
        fail_sign_in(&server, "ghost_two").await;

        let api = |query: &str| server.url(&format!("/api/v1/audit?{query}"));
        let (_, all) = get_json(&officer, &api("per_page=200")).await;
        let total = all["total"].as_u64().unwrap();
        assert!(total >= 6, "{backend:?}: {all}");

        // Actor: part of the login, ignoring case.
        let (status, body) = get_json(&officer, &api("actor=KANSA")).await;
        assert_eq!(status, StatusCode::OK);
        let items = body["items"].as_array().unwrap();
        assert!(!items.is_empty(), "{backend:?}");
        assert!(
            items.iter().all(|i| i["actor_label"] == "kansa.iin"),
            "{body}"
        );
        // LIKE wildcards are taken literally.
        let (_, body) = get_json(&officer, &api("actor=%25")).await;
        assert_eq!(body["total"], 0, "{backend:?}: {body}");

        // Action: exact, or a group.
        let (_, exact) = get_json(&officer, &api("action=auth.sign_in_failed")).await;
        assert_eq!(exact["total"], 2, "{backend:?}: {exact}");
        let (_, group) = get_json(&officer, &api("action=auth.")).await;
        let group_items = group["items"].as_array().unwrap();
        assert!(group["total"].as_u64().unwrap() > 2, "{backend:?}");
        assert!(
            group_items
                .iter()
                .all(|i| i["action"].as_str().unwrap().starts_with("auth.")),
            "{group}"
        );
        let (_, targets) = get_json(&officer, &api("target_type=login")).await;
        assert_eq!(targets["total"], 2, "{backend:?}");

        // Dates are Japan days; 和暦 works as well as ISO.
        let today = today_jst();
        let reiwa = wareki::format_date(today, DateStyle::Wareki, Lang::Ja);
        assert!(reiwa.starts_with("令和"));
        let yesterday = today.previous_day().unwrap();
        let encoded = |text: &str| {
            serde_urlencoded::to_string([("x", text)])
                .unwrap()
                .trim_start_matches("x=")
                .to_owned()
        };
        let (_, body) = get_json(
            &officer,
            &api(&format!("from={}&to={}", encoded(&reiwa), encoded(&reiwa))),
        )
        .await;
        assert_eq!(body["total"].as_u64(), Some(total), "{backend:?}: {body}");
        let (_, body) = get_json(&officer, &api(&format!("to={yesterday}"))).await;
        assert_eq!(body["total"], 0, "{backend:?}");
        let (_, body) = get_json(
            &officer,
            &api(&format!("from={}", today.next_day().unwrap())),
        )
        .await;
        assert_eq!(body["total"], 0, "{backend:?}");

        // The page: the same filters, and links that keep them.
        let (status, html) = get_text(
            &officer,
            &server.url(&format!(
                "/audit?actor=ghost&action=auth.sign_in_failed&from={}",
                encoded(&reiwa)
            )),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(r#"<option value="auth.sign_in_failed" selected>"#));
        assert!(html.contains(&format!(r#"value="{reiwa}""#)), "{backend:?}");
        // Anonymous sign-ins are not by "ghost": the typed login is the target, not the actor.
        assert!(html.contains("条件に合う記録はありません"), "{backend:?}");
        let (_, html) = get_text(
            &officer,
            &server.url(&format!(
                "/audit?action=auth.sign_in_failed&from={}",
                encoded(&reiwa)
            )),
        )
        .await;
        assert!(
            html.contains("ghost.one") && html.contains("ghost_two"),
            "{backend:?}"
        );
        assert!(!html.contains(">sec.officer</td>"), "{backend:?}");
        assert!(
            html.contains("/audit.csv?action=auth.sign_in_failed&amp;from=")
                || html.contains("/audit.csv?action=auth.sign_in_failed&#38;from="),
            "{backend:?}: the CSV link keeps the filter"
        );
        let (_, html) = get_text(&officer, &server.url(&format!("/audit?to={yesterday}"))).await;
        assert!(html.contains("条件に合う記録はありません"), "{backend:?}");
        server.stop().await;
});

mamori_testkit::backend_test!(async fn the_list_is_paged_by_a_hundred_and_links_keep_the_filters(backend) {
        let server = TestServer::start(backend).await;
        let (_, auditor) = server.user_client("kansa.iin", Role::Auditor).await;
        let mut tx = server
            .store
            .write(Actor::system("batch.job"))
            .await
            .unwrap();
        for n in 0..130 {
            tx.audit(
                AuditEntry::new("setting.update", "setting")
                    .target("retention")
                    .change("days", n, n + 1),
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();

        let (status, html) = get_text(&auditor, &server.url("/audit?actor=batch")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            html.matches(">batch.job</td>").count(),
            100,
            "{backend:?}"
        );
        assert!(html.contains("130件のうち 1〜100件目"), "{backend:?}");
        assert!(html.contains("days: 129 → 130"), "{backend:?}");
        assert!(
            html.contains(r#"href="/audit?actor=batch&amp;page=2""#)
                || html.contains(r#"href="/audit?actor=batch&#38;page=2""#),
            "{backend:?}"
        );
        assert!(!html.contains(r#"rel="prev""#));

        let (_, html) = get_text(&auditor, &server.url("/audit?actor=batch&page=2")).await;
        assert_eq!(
            html.matches(">batch.job</td>").count(),
            30,
            "{backend:?}"
        );
        assert!(
            html.contains(r#"href="/audit?actor=batch" rel="prev""#),
            "{backend:?}"
        );
        assert!(!html.contains(r#"rel="next""#));
        assert!(html.contains("days: 0 → 1"), "{backend:?}");

        let (status, _) = get_text(&auditor, &server.url("/audit?page=abc")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        server.stop().await;
});

mamori_testkit::backend_test!(async fn an_invalid_date_is_refused_at_its_field_and_the_form_kept(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server
            .user_client("sec.officer", Role::SecurityOfficer)
            .await;

        let (status, html) = get_text(
            &officer,
            &server.url("/audit?actor=tanaka&from=2026-02-30&to=%E4%BB%A4%E5%92%8C8%E5%B9%B413%E6%9C%881%E6%97%A5"),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}");
        assert!(
            html.contains("2026年2月30日という日付はありません"),
            "{html}"
        );
        assert!(html.contains("13月という月はありません"), "{backend:?}");
        assert!(html.contains(r#"id="from-error""#) && html.contains(r#"id="to-error""#));
        assert!(
            html.contains(r#"value="2026-02-30""#),
            "the typed text is kept"
        );
        assert!(
            html.contains(r#"value="令和8年13月1日""#),
            "the typed text is kept"
        );
        assert!(html.contains(r#"value="tanaka""#));
        assert!(html.contains(r#"aria-invalid="true""#));
        assert!(
            html.contains(r##"href="#from""##),
            "the summary links to the field"
        );
        // No list for filters that could not be read, but the chain status still shows.
        assert!(!html.contains("<table"));
        assert!(html.contains(r#"data-chain="unchecked""#));

        let (status, html) = get_text(
            &officer,
            &server.url("/audit?from=2026-03-19&to=2026-03-18"),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("終了日には、開始日と同じ日かそれより後の日付"),
            "{backend:?}"
        );

        // CSV: the same message, as an error page; nothing is exported or recorded.
        let (status, html) = get_text(&officer, &server.url("/audit.csv?from=tomorrow")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("期間の開始日：日付として読み取れません"),
            "{backend:?}"
        );
        assert_eq!(count_action(&server, "audit.export").await, 0);

        // The API: 422 JSON naming the parameter, in the caller's language.
        let (status, body) = get_json(&officer, &server.url("/api/v1/audit?from=tomorrow")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"]["code"], "invalid_date");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with("from：") && message.contains("日付として読み取れません"),
            "{message}"
        );
        server.stop().await;
});

mamori_testkit::backend_test!(async fn csv_export_is_ready_for_excel_and_recorded(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server
            .user_client("sec.officer", Role::SecurityOfficer)
            .await;
        fail_sign_in(&server, "tricky, \"quoted\"\nlogin").await;
        fail_sign_in(&server, "=1+1").await;

        let response = officer
            .get(server.url("/audit.csv?action=auth.sign_in_failed"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{backend:?}");
        assert_eq!(
            response.headers()["content-type"],
            "text/csv; charset=utf-8"
        );
        let today = today_jst();
        assert_eq!(
            response.headers()["content-disposition"],
            format!(
                "attachment; filename=\"audit-{:04}{:02}{:02}.csv\"",
                today.year(),
                u8::from(today.month()),
                today.day()
            )
            .as_str()
        );
        let bytes = response.bytes().await.unwrap();
        assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM for Excel");
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        assert!(
            text.starts_with(
                "記録番号,日時（日本時間）,操作者,接続元,操作,操作コード,対象の種類,対象のID,変更内容\r\n"
            ),
            "{text}"
        );
        assert!(text.ends_with("\r\n"));
        assert!(
            text.contains(",\"tricky, \"\"quoted\"\"\nlogin\","),
            "comma, quote and line break quoted: {text}"
        );
        assert!(text.contains(",'=1+1,"), "formula neutralised: {text}");
        assert!(!text.contains(",=1+1"));
        assert!(text.contains("ログイン失敗,auth.sign_in_failed"), "{text}");
        // Two entries, oldest first; every record line ends with CRLF.
        let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[1].contains("tricky") && lines[2].contains("=1+1"));

        // The export is in the trail, with its filter.
        let (_, body) = get_json(&officer, &server.url("/api/v1/audit?action=audit.export")).await;
        assert_eq!(body["total"], 1, "{backend:?}: {body}");
        let entry = &body["items"][0];
        assert_eq!(entry["actor_label"], "sec.officer");
        assert_eq!(entry["target_type"], "audit_log");
        assert_eq!(
            entry["changes"]["action"],
            serde_json::json!([null, "auth.sign_in_failed"])
        );

        // In English, the header is English; every matching entry is exported.
        let response = officer
            .get(server.url("/audit.csv"))
            .header(ACCEPT_LANGUAGE, "en")
            .send()
            .await
            .unwrap();
        let text = response.text().await.unwrap();
        assert!(
            text.trim_start_matches('\u{feff}').starts_with(
                "Entry no.,Date and time (Japan),Actor,Client address,Action,Action code,Target type,Target ID,Changes\r\n"
            ),
            "{text}"
        );
        assert!(text.contains("Audit trail exported,audit.export"), "{text}");
        assert_eq!(count_action(&server, "audit.export").await, 2);

        // The page shows the export with its filter.
        let (_, html) = get_text(&officer, &server.url("/audit?action=audit.export")).await;
        assert!(html.contains("監査記録の書き出し"));
        assert!(html.contains("操作: auth.sign_in_failed"), "{backend:?}");
        server.stop().await;
});

mamori_testkit::backend_test!(async fn a_large_export_streams_every_entry_in_order(backend) {
        let server = TestServer::start(backend).await;
        let (_, auditor) = server.user_client("kansa.iin", Role::Auditor).await;
        let mut tx = server
            .store
            .write(Actor::system("batch.job"))
            .await
            .unwrap();
        for n in 0..4500 {
            tx.audit(AuditEntry::new("setting.update", "setting").target(n))
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();

        let text = server.text(&auditor, "/audit.csv?actor=batch.job").await;
        let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 4501, "{backend:?}");
        let targets: Vec<&str> = lines[1..]
            .iter()
            .map(|l| l.split(',').nth(7).unwrap())
            .collect();
        let expected: Vec<String> = (0..4500).map(|n| n.to_string()).collect();
        assert_eq!(targets, expected, "{backend:?}");
        server.stop().await;
});

mamori_testkit::backend_test!(async fn other_roles_are_refused_and_the_refusal_recorded(backend) {
        let server = TestServer::start(backend).await;
        for (login, role) in [
            ("admin.one", Role::Admin),
            ("staff.one", Role::User),
            ("vendor.one", Role::Contractor),
        ] {
            let (_, client) = server.user_client(login, role).await;
            for path in [
                "/audit",
                "/audit.csv",
                "/api/v1/audit",
                "/audit?from=nonsense",
            ] {
                let before = count_action(&server, "access.denied").await;
                let response = client.get(server.url(path)).send().await.unwrap();
                assert_eq!(
                    response.status(),
                    StatusCode::FORBIDDEN,
                    "{backend:?} {login} {path}"
                );
                assert_eq!(
                    count_action(&server, "access.denied").await,
                    before + 1,
                    "{backend:?} {login} {path}"
                );
            }
            let denials: Vec<_> = audit::recent(&server.store, 1000)
                .await
                .unwrap()
                .into_iter()
                .filter(|e| e.action == "access.denied" && e.actor_label == login)
                .collect();
            assert!(
                denials
                    .iter()
                    .any(|e| e.target_id.as_deref() == Some("audit.view"))
            );
            assert!(
                denials
                    .iter()
                    .any(|e| e.target_id.as_deref() == Some("audit.export"))
            );
        }
        assert_eq!(count_action(&server, "audit.export").await, 0);

        let anonymous = server.client();
        let response = anonymous.get(server.url("/audit")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(
            response.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/login?next=")
        );
        let response = anonymous
            .get(server.url("/api/v1/audit"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

        // An officer sees the refusals, with what was refused named.
        let (_, officer) = server
            .user_client("sec.officer", Role::SecurityOfficer)
            .await;
        let (_, html) = get_text(&officer, &server.url("/audit?action=access.denied")).await;
        assert!(html.contains("画面・機能：監査記録の閲覧"), "{backend:?}");
        server.stop().await;
});

mamori_testkit::backend_test!(async fn the_api_returns_pages_of_entries(backend) {
        let server = TestServer::start(backend).await;
        let (_, auditor) = server.user_client("kansa.iin", Role::Auditor).await;
        for n in 0..3 {
            fail_sign_in(&server, &format!("nobody{n}")).await;
        }
        let (status, body) = get_json(
            &auditor,
            &server.url("/api/v1/audit?action=auth.sign_in_failed&per_page=2&page=2"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
        let mut keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["items", "page", "per_page", "total"]);
        assert_eq!(body["total"], 3);
        assert_eq!(body["page"], 2);
        assert_eq!(body["per_page"], 2);
        let items = body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        // Newest first: the oldest is on the last page.
        assert_eq!(items[0]["target_id"], "nobody0");
        assert_eq!(items[0]["target_type"], "login");
        assert_eq!(items[0]["actor_label"], "anonymous");
        assert_eq!(items[0]["action_label"], "ログイン失敗");
        assert!(items[0]["at"].as_str().unwrap().ends_with('Z'));

        let (_, body) = get_json(&auditor, &server.url("/api/v1/audit")).await;
        assert_eq!(body["per_page"], 50);
        assert_eq!(body["page"], 1);
        let first = &body["items"][0];
        assert!(first["id"].as_i64().unwrap() > body["items"][1]["id"].as_i64().unwrap());

        let response = auditor
            .get(server.url("/api/v1/audit?action=nothing.such"))
            .header(ACCEPT_LANGUAGE, "en")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_action");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("There is no action \"nothing.such\""),
            "{body}"
        );
        let (status, body) = get_json(&auditor, &server.url("/api/v1/audit?per_page=500")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["code"], "invalid_pagination");
        // An exact instant is accepted as well as a day.
        let (status, body) = get_json(
            &auditor,
            &server.url("/api/v1/audit?from=2000-01-01T00:00:00%2B09:00&to=2999-01-01"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["total"].as_u64().unwrap() >= 3);

        // It is in the API description.
        let doc: Value = reqwest::get(server.url("/api/openapi.json"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(doc["paths"]["/api/v1/audit"]["get"].is_object());
        assert!(doc["components"]["schemas"]["AuditEntryOut"].is_object());
        server.stop().await;
});

mamori_testkit::backend_test!(async fn a_broken_chain_is_the_first_thing_shown(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server
            .user_client("sec.officer", Role::SecurityOfficer)
            .await;
        fail_sign_in(&server, "someone").await;
        let target = audit::recent(&server.store, 1).await.unwrap()[0].id;
        server.db.drop_audit_triggers().await;
        server
            .db
            .execute(&format!(
                "UPDATE audit_log SET target_id = 'someone.else' WHERE id = {target}"
            ))
            .await;
        mamori_store::audit_checks::run(&server.store, false, "test")
            .await
            .unwrap();
        let (status, html) = get_text(&officer, &server.url("/audit")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(r#"data-chain="broken""#), "{backend:?}");
        assert!(html.contains(r#"role="alert""#));
        assert!(
            html.contains(&format!("記録番号 {target} の内容が書き換えられています")),
            "{backend:?}"
        );
        server.stop().await;
});

mamori_testkit::backend_test!(
    async fn the_api_exports_the_same_csv_and_records_it(backend) {
        use mamori_testkit::assert_api_error;
        let server = TestServer::start(backend).await;
        let (_, auditor) = server.web_as("csv.auditor", Role::Auditor).await;
        let (_, admin) = server.web_as("csv.admin", Role::Admin).await;

        let response = auditor
            .get("/api/v1/audit/export.csv?action=auth.&from=2026-03-18T10:00:00%2B09:00")
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let bytes = response.bytes().await.unwrap();
        assert!(bytes.starts_with("\u{feff}".as_bytes()), "a BOM for Excel");
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        assert!(text.contains("auth.sign_in"), "{text}");
        assert!(!text.contains("user.create"), "the filter holds: {text}");
        assert_eq!(count_action(&server, "audit.export").await, 1);

        // A filter the API cannot use is a 422 naming the parameter; nothing is recorded.
        let response = auditor.get("/api/v1/audit/export.csv?from=2026-02-30").await;
        let error = assert_api_error(response, 422, "invalid_date").await;
        assert!(error["message"].as_str().unwrap().contains("from"), "{error}");
        assert_eq!(count_action(&server, "audit.export").await, 1);
        // Administrators do not read the trail.
        assert_api_error(admin.get("/api/v1/audit/export.csv").await, 403, "forbidden").await;
        assert_eq!(count_action(&server, "audit.export").await, 1);
    }
);
