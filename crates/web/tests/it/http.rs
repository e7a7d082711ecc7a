//! The web application over real HTTP, on a real SQLite file and a real PostgreSQL server.

use mamori_store::{audit, users};
use mamori_testkit::{TestServer, backends};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT_LANGUAGE, CONTENT_TYPE};
use serde_json::Value;

/// Fields to change, the field that must show the error, and the message.
type BadInput<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);

const PASSWORD: &str = "shinano no kuni wa";

fn setup_form<'a>(
    token: &'a str,
    organisation: &'a str,
    login: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("token", token),
        ("organisation", organisation),
        ("login", login),
        ("display_name", "佐久 花子"),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ]
}

mamori_testkit::backend_test!(async fn health_reports_the_schema_version(backend) {
        let server = TestServer::start(backend).await;
        let response = reqwest::get(server.url("/healthz")).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], "ok");
        assert_eq!(
            body["schema_version"],
            mamori_store::binary_schema_version()
        );
        assert_eq!(body["backend"], backend.name());
        server.stop().await;
});

mamori_testkit::backend_test!(async fn every_response_carries_the_security_headers(backend) {
        let server = TestServer::start(backend).await;
        for path in [
            "/",
            "/no/such/page",
            "/api/v1/eras",
            "/api/v1/nothing",
            "/static/mamori.css",
            "/healthz",
        ] {
            let response = reqwest::get(server.url(path)).await.unwrap();
            let headers = response.headers();
            let csp = headers["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
            assert!(
                csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
                "{path}"
            );
            assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
            assert!(headers.contains_key("referrer-policy"), "{path}");
            assert!(
                !headers.contains_key("strict-transport-security"),
                "{path}: no HSTS over plain HTTP"
            );
        }
        server.stop().await;

        let tls = TestServer::start_with(backend, Some("https://mamori.example.lg.jp")).await;
        let response = reqwest::get(tls.url("/")).await.unwrap();
        assert!(
            response.headers()["strict-transport-security"]
                .to_str()
                .unwrap()
                .starts_with("max-age="),
        );
        tls.stop().await;
});

#[tokio::test]
async fn pages_load_nothing_from_outside_the_binary() {
    let server = TestServer::start(backends()[0]).await;
    let token = server.setup_token().await;
    for path in [
        "/".to_owned(),
        "/preferences".to_owned(),
        format!("/setup?token={token}"),
        "/missing".to_owned(),
    ] {
        let html = reqwest::get(server.url(&path))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for attribute in ["src=\"", "href=\"", "action=\""] {
            for (i, _) in html.match_indices(attribute) {
                let value = &html[i + attribute.len()..];
                assert!(
                    value.starts_with('/') || value.starts_with('#'),
                    "{path}: {attribute}{} points outside",
                    &value[..value.find('"').unwrap_or(0)]
                );
            }
        }
        assert!(
            !html.contains("<script"),
            "{path}: every page works without JavaScript"
        );
        assert!(
            !html.contains("style=\""),
            "{path}: no inline styles under the CSP"
        );
    }
    server.stop().await;
}

mamori_testkit::backend_test!(async fn unknown_paths_get_a_404_in_the_callers_language(backend) {
        let server = TestServer::start(backend).await;
        let client = server.client();

        let page = client
            .get(server.url("/no/such/page"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::NOT_FOUND);
        let html = page.text().await.unwrap();
        assert!(html.contains("<html lang=\"ja\""));
        assert!(html.contains("ページが見つかりません"));

        let page = client
            .get(server.url("/no/such/page"))
            .header(ACCEPT_LANGUAGE, "en-GB,en;q=0.9")
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::NOT_FOUND);
        let html = page.text().await.unwrap();
        assert!(html.contains("<html lang=\"en\""));
        assert!(html.contains("Page not found"));

        let api = client
            .get(server.url("/api/v1/no-such-thing"))
            .header(ACCEPT_LANGUAGE, "en")
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), StatusCode::NOT_FOUND);
        assert!(
            api.headers()[CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let body: Value = api.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("not found")
        );

        let wrong_method = client
            .delete(server.url("/preferences"))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert!(
            wrong_method
                .text()
                .await
                .unwrap()
                .contains("この操作はできません")
        );
        server.stop().await;
});

mamori_testkit::backend_test!(async fn first_run_setup_creates_the_organisation_and_first_administrator(backend) {
        let server = TestServer::start(backend).await;
        let client = server.client();
        let home = server.text(&client, "/").await;
        assert!(home.contains("初期設定が済んでいません"));

        // Without the token, or with a wrong one, the page refuses.
        for path in ["/setup", "/setup?token=", "/setup?token=0123"] {
            let response = client.get(server.url(path)).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        }
        let token = server.setup_token().await;
        let response = client
            .post(server.url("/setup"))
            .form(&setup_form("wrong-token", "佐久市議会", "saku.admin"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(!users::active_admin_exists(&server.store).await.unwrap());

        let form = client
            .get(server.url(&format!("/setup?token={token}")))
            .send()
            .await
            .unwrap();
        assert_eq!(form.status(), StatusCode::OK);
        let html = form.text().await.unwrap();
        for field in [
            "organisation",
            "login",
            "display_name",
            "password",
            "password_confirm",
        ] {
            assert!(
                html.contains(&format!("<label for=\"{field}\"")),
                "{field} has a label"
            );
        }

        let response = client
            .post(server.url("/setup"))
            .form(&setup_form(&token, "佐久市議会", "saku.admin"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("佐久市議会の管理者「saku.admin」を登録しました")
        );

        let login = mamori_domain::user::LoginId::parse("saku.admin").unwrap();
        let admin = users::find_by_login(&server.store, &login)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(admin.role, mamori_domain::user::Role::Admin);
        assert_eq!(admin.display_name, "佐久 花子");
        let hash = users::password_hash(&server.store, admin.id)
            .await
            .unwrap()
            .unwrap();
        assert!(mamori_store::password::verify(PASSWORD, &hash).await);
        assert_eq!(
            mamori_store::settings::get(&server.store, mamori_store::settings::ORGANISATION_NAME)
                .await
                .unwrap()
                .as_deref(),
            Some("佐久市議会")
        );
        let trail = audit::recent(&server.store, 10).await.unwrap();
        let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "setup.complete",
                "user.create",
                "setting.update",
                "setup.reference_data"
            ]
        );
        // Setup's own entries carry the browser's address; the installation's reference
        // data was stored by mamori itself at start.
        assert!(
            trail
                .iter()
                .filter(|e| e.action != "setup.reference_data")
                .all(|e| e.client_addr.as_deref() == Some("127.0.0.1"))
        );
        assert_eq!(
            audit::verify(&server.store).await.unwrap().first_break,
            None
        );

        // The token worked once; setup is closed for good.
        let again = client
            .post(server.url("/setup"))
            .form(&setup_form(&token, "別の議会", "second.admin"))
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::GONE);
        assert_eq!(users::count(&server.store).await.unwrap(), 1);
        assert!(server.state.open_setup().await.unwrap().is_none());

        // From now on the home page is for signed-in users.
        let home = client.get(server.url("/")).send().await.unwrap();
        assert_eq!(home.status(), StatusCode::SEE_OTHER);
        assert_eq!(home.headers()["location"], "/login");
        let signed_in = client
            .post(server.url("/login"))
            .form(&[
                ("login", "SAKU.admin"),
                ("password", PASSWORD),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
        let home = server.text(&client, "/").await;
        assert!(home.contains("<h1>佐久市議会</h1>"), "{home}");
        assert!(
            home.contains("佐久 花子"),
            "the signed-in user's name is shown"
        );
        assert!(!home.contains("初期設定が済んでいません"));
        server.stop().await;
});

mamori_testkit::backend_test!(async fn setup_refuses_bad_input_keeps_the_form_and_writes_nothing(backend) {
        let server = TestServer::start(backend).await;
        let client = server.client();
        let token = server.setup_token().await;
        let long_name = "議".repeat(101);
        let cases: Vec<BadInput> = vec![
            (
                vec![("organisation", "")],
                "organisation",
                "入力してください。",
            ),
            (
                vec![("organisation", "\u{3000} ")],
                "organisation",
                "入力してください。",
            ),
            (
                vec![("organisation", &long_name)],
                "organisation",
                "100文字以内で入力してください。",
            ),
            (
                vec![("organisation", "佐久\n市議会")],
                "organisation",
                "制御文字は使えません",
            ),
            (vec![("login", "山田")], "login", "半角英数字"),
            (vec![("login", "")], "login", "入力してください。"),
            (
                vec![("password", "short"), ("password_confirm", "short")],
                "password",
                "10文字以上",
            ),
            (
                vec![
                    ("password", "password123"),
                    ("password_confirm", "password123"),
                ],
                "password",
                "よく使われて",
            ),
            (
                vec![
                    ("password", "saku.admin"),
                    ("password_confirm", "saku.admin"),
                ],
                "password",
                "ログインIDと同じ",
            ),
            (
                vec![("password_confirm", "something else")],
                "password_confirm",
                "一致しません",
            ),
        ];
        for (overrides, field, message) in cases {
            let mut form = setup_form(&token, "佐久市議会 <script>alert(1)</script>", "saku.admin");
            for (key, value) in &overrides {
                form.retain(|(k, _)| k != key);
                form.push((key, value));
            }
            let response = client
                .post(server.url("/setup"))
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{overrides:?}"
            );
            let html = response.text().await.unwrap();
            assert!(
                html.contains(&format!("id=\"{field}-error\"")),
                "{overrides:?}: error shown at {field}"
            );
            assert!(html.contains(message), "{overrides:?}: {message}");
            assert!(html.contains("aria-invalid=\"true\""));
            assert!(!html.contains(PASSWORD), "passwords are never echoed");
            assert!(
                !html.contains("<script>alert(1)</script>"),
                "typed text is escaped"
            );
            if field != "organisation" {
                assert!(
                    html.contains("佐久市議会 &#60;script&#62;")
                        || html.contains("佐久市議会 &lt;script&gt;"),
                    "the form keeps what was typed"
                );
            }
        }
        assert_eq!(users::count(&server.store).await.unwrap(), 0);
        assert_eq!(
            audit::verify(&server.store).await.unwrap().entries,
            mamori_store::INSTALL_AUDIT_ENTRIES
        );

        // Malformed bodies get a 4xx, never a 500.
        let garbage = client
            .post(server.url("/setup"))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(vec![0xff, 0xfe, b'=', b'%', b'z'])
            .send()
            .await
            .unwrap();
        assert!(garbage.status().is_client_error(), "{}", garbage.status());
        let json = client
            .post(server.url("/setup"))
            .header(CONTENT_TYPE, "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(json.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let huge = client
            .post(server.url("/setup"))
            .form(&[
                ("token", token.as_str()),
                ("organisation", &"あ".repeat(3 * 1024 * 1024)),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert!(
            huge.text()
                .await
                .unwrap()
                .contains("送信された内容が大きすぎます")
        );
        assert_eq!(users::count(&server.store).await.unwrap(), 0);
        server.stop().await;
});

mamori_testkit::backend_test!(async fn two_setups_racing_create_one_administrator(backend) {
        let server = TestServer::start(backend).await;
        let token = server.setup_token().await;
        let mut attempts = Vec::new();
        for n in 0..4 {
            let client = server.client();
            let url = server.url("/setup");
            let token = token.clone();
            attempts.push(tokio::spawn(async move {
                let login = format!("admin{n}");
                client
                    .post(url)
                    .form(&setup_form(&token, "佐久市議会", &login))
                    .send()
                    .await
                    .unwrap()
                    .status()
            }));
        }
        let mut statuses = Vec::new();
        for attempt in attempts {
            statuses.push(attempt.await.unwrap());
        }
        assert_eq!(
            statuses.iter().filter(|s| **s == StatusCode::OK).count(),
            1,
            "{statuses:?}"
        );
        assert!(
            statuses
                .iter()
                .all(|s| *s == StatusCode::OK || *s == StatusCode::GONE),
            "{statuses:?}"
        );
        assert_eq!(users::count(&server.store).await.unwrap(), 1);
        server.stop().await;
});

mamori_testkit::backend_test!(async fn language_and_date_style_are_chosen_and_remembered(backend) {
        let server = TestServer::start(backend).await;
        let client = server.client();
        let page = server.text(&client, "/preferences").await;
        assert!(page.contains("<html lang=\"ja\""));
        assert!(
            page.contains("令和"),
            "the wareki example shows today's era"
        );

        let saved = client
            .post(server.url("/preferences"))
            .form(&[("lang", "en"), ("date_style", "gregorian")])
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        assert_eq!(saved.headers()["location"], "/preferences?saved=1");
        let cookies: Vec<&str> = saved
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert!(
            cookies
                .iter()
                .all(|c| c.contains("HttpOnly") && c.contains("SameSite=Lax"))
        );
        assert!(
            cookies.iter().all(|c| !c.contains("Secure")),
            "not over plain HTTP"
        );

        let page = server.text(&client, "/preferences?saved=1").await;
        assert!(page.contains("<html lang=\"en\""));
        assert!(page.contains("Display settings saved."));
        assert!(page.contains("value=\"gregorian\" checked"));

        // The footer switch returns to the page it was used on, and only to this site.
        let back = client
            .post(server.url("/preferences"))
            .form(&[("lang", "ja"), ("back", "/no/such/page")])
            .send()
            .await
            .unwrap();
        assert_eq!(back.headers()["location"], "/no/such/page");
        let elsewhere = client
            .post(server.url("/preferences"))
            .form(&[("lang", "ja"), ("back", "//evil.example/")])
            .send()
            .await
            .unwrap();
        assert_eq!(elsewhere.headers()["location"], "/");

        let bad = client
            .post(server.url("/preferences"))
            .form(&[("lang", "fr")])
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
        assert!(bad.text().await.unwrap().contains("選択肢にない値"));
        server.stop().await;
});

mamori_testkit::backend_test!(async fn lists_are_paginated_with_the_standard_envelope(backend) {
        let server = TestServer::start(backend).await;
        let client = server.client();
        let all: Value = client
            .get(server.url("/api/v1/eras"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(all["total"], 5);
        assert_eq!(all["page"], 1);
        assert_eq!(all["per_page"], 50);
        assert_eq!(all["items"][0]["name_ja"], "明治");
        assert_eq!(all["items"][4]["name_ja"], "令和");
        assert_eq!(all["items"][4]["first_day"], "2019-05-01");
        assert_eq!(all["items"][3]["last_day"], "2019-04-30");
        assert!(all["items"][4]["last_day"].is_null());

        let second: Value = client
            .get(server.url("/api/v1/eras?page=2&per_page=2"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let names: Vec<&str> = second["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name_ja"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["昭和", "平成"]);
        assert_eq!(second["total"], 5);

        for query in [
            "page=0",
            "page=abc",
            "per_page=201",
            "per_page=-1",
            "page=1&page=2",
        ] {
            let response = client
                .get(server.url(&format!("/api/v1/eras?{query}")))
                .header(ACCEPT_LANGUAGE, "en")
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
            let body: Value = response.json().await.unwrap();
            assert!(body["error"]["code"].is_string(), "{query}");
            assert!(
                !body["error"]["message"].as_str().unwrap().is_empty(),
                "{query}"
            );
        }
        server.stop().await;
});

mamori_testkit::backend_test!(async fn typed_dates_are_read_as_the_forms_read_them(backend) {
        let server = TestServer::start(backend).await;
        let client = server.client();
        for typed in [
            "2026-03-18",
            "2026/3/18",
            "令和8年3月18日",
            "R8.3.18",
            "２０２６／３／１８",
            "令和８年３月１８日",
        ] {
            let response = client
                .get(server.url("/api/v1/dates/parse"))
                .query(&[("text", typed)])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{typed}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["date"], "2026-03-18", "{typed}");
            assert_eq!(body["wareki_ja"], "令和8年3月18日");
        }
        for (typed, ja, en) in [
            ("令和元年4月30日", "令和は2019-05-01から始まります", "Reiwa"),
            (
                "2026-02-30",
                "2026年2月30日という日付はありません",
                "no such date",
            ),
            (
                "tomorrow",
                "日付として読み取れません",
                "cannot be read as a date",
            ),
        ] {
            let response = client
                .get(server.url("/api/v1/dates/parse"))
                .query(&[("text", typed)])
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{typed}"
            );
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], "invalid_date");
            assert!(
                body["error"]["message"].as_str().unwrap().contains(ja),
                "{typed}: {body}"
            );
            let english: Value = client
                .get(server.url("/api/v1/dates/parse"))
                .query(&[("text", typed)])
                .header(ACCEPT_LANGUAGE, "en-US")
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let message = english["error"]["message"].as_str().unwrap();
            assert!(
                message.contains(en) || message.contains("令和"),
                "{typed}: {message}"
            );
        }
        server.stop().await;
});

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let server = TestServer::start(backends()[0]).await;
    let doc: Value = reqwest::get(server.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let documented: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    // Every /api/v1 route of the router must be documented.
    let routed: Vec<(String, String)> = mamori_web::routes()
        .into_iter()
        .map(|(method, path, _)| (method.as_str().to_lowercase(), path.to_owned()))
        .filter(|(_, path)| path.starts_with("/api/v1") || path == "/healthz")
        .collect();
    assert!(routed.len() >= 4);
    for (method, path) in routed {
        let operation = &doc["paths"][&path][&method];
        assert!(
            operation.is_object(),
            "{method} {path} is not in the OpenAPI document"
        );
    }
    // And nothing is documented that the router does not serve.
    let served: Vec<String> = mamori_web::routes()
        .into_iter()
        .map(|(_, p, _)| p.to_owned())
        .collect();
    for path in documented {
        assert!(served.contains(path), "{path} is documented but not routed");
    }
    server.stop().await;
}

mamori_testkit::backend_test!(async fn the_daily_backup_is_written_and_shown_on_the_home_page(backend) {
        let server = TestServer::start(backend).await;
        let data_dir = server.db.data_dir().to_owned();
        let first = mamori_app::backups::run_daily(&server.state.app, &data_dir, &mamori_app::backups::BackupPolicy::new(14))
            .await
            .unwrap();
        assert!(first.is_some());
        // Not due again within the day.
        assert!(
            mamori_app::backups::run_daily(&server.state.app, &data_dir, &mamori_app::backups::BackupPolicy::new(14))
                .await
                .unwrap()
                .is_none()
        );
        let home = reqwest::get(server.url("/"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!home.contains("まだありません"));
        assert!(home.contains("令和"), "the backup time is shown in wareki");
        assert_eq!(
            audit::recent(&server.store, 1).await.unwrap()[0].action,
            "backup.create"
        );
        server.stop().await;
});
