//! User management by administrators, on the pages and over the API, on SQLite and
//! PostgreSQL.

use mamori_domain::user::{LoginId, OrgRole, Role, UserType};
use mamori_store::{Actor, audit, users};
use mamori_testkit::{PASSWORD, TestServer};
use reqwest::header::{ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};

/// Fields to change, the field that must show the error, and the message.
type BadInput<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);

/// A password that passes the rules, typed by the administrator.
const NEW_PASSWORD: &str = "chikuma river in spring";

/// Page POSTs come from this site, as a browser's would.
fn from_here(server: &TestServer, request: RequestBuilder) -> RequestBuilder {
    request.header("origin", &server.base)
}

async fn get_text(server: &TestServer, client: &Client, path: &str) -> (StatusCode, String) {
    let response = client.get(server.url(path)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

fn location(response: &Response) -> String {
    response.headers()[LOCATION].to_str().unwrap().to_owned()
}

/// An administrator signed in, and an API token of theirs.
async fn admin(server: &TestServer) -> (i64, Client, String) {
    let (id, client) = server.user_client("chief.admin", Role::Admin).await;
    let mut tx = server.store.write(Actor::system("test")).await.unwrap();
    let (_, token) = mamori_store::tokens::create(&mut tx, id, "test")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (id, client, token)
}

fn api(
    client: &Client,
    server: &TestServer,
    method: Method,
    path: &str,
    token: &str,
) -> RequestBuilder {
    client
        .request(method, server.url(path))
        .header(AUTHORIZATION, format!("Bearer {token}"))
}

/// Every user (active or not) and every audit entry: nothing may change on a refusal.
async fn counts(server: &TestServer) -> (i64, u64) {
    let (_, total) = users::list(&server.store, 1, 0).await.unwrap();
    let entries = audit::verify(&server.store).await.unwrap().entries;
    (total, entries)
}

async fn user_by_login(server: &TestServer, login: &str) -> users::User {
    users::find_by_login(&server.store, &LoginId::parse(login).unwrap())
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{login} exists"))
}

fn new_user_form<'a>(login: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("login", login),
        ("display_name", name),
        ("user_type", "member"),
        ("role", "user"),
        ("org_roles", "committee_member"),
        ("org_roles", "csirt_member"),
        ("password", NEW_PASSWORD),
        ("password_confirm", NEW_PASSWORD),
    ]
}

/// The edit form as the page would post it for `user`, with `overrides`.
fn edit_form<'a>(overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("display_name", "佐久 一郎"),
        ("user_type", "staff"),
        ("role", "user"),
        ("active", "1"),
    ];
    for (key, value) in overrides {
        form.retain(|(k, _)| k != key);
        form.push((key, value));
    }
    form
}

/// Signs in with `password` and returns where the sign-in sends the browser.
async fn sign_in_with(server: &TestServer, login: &str, password: &str) -> (StatusCode, String) {
    let response = server
        .client()
        .post(server.url("/login"))
        .form(&[("login", login), ("password", password)])
        .send()
        .await
        .unwrap();
    let status = response.status();
    let to = response
        .headers()
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, to)
}

mamori_testkit::backend_test!(async fn an_administrator_adds_a_user_on_the_page_who_must_change_the_password(backend) {
        let server = TestServer::start(backend).await;
        let (_, admin, _) = admin(&server).await;

        let (status, html) = get_text(&server, &admin, "/users/new").await;
        assert_eq!(status, StatusCode::OK);
        for field in ["login", "display_name", "password", "password_confirm"] {
            assert!(html.contains(&format!("<label for=\"{field}\"")), "{field}");
        }
        assert!(html.contains("name=\"csrf\" value=\""));
        assert!(html.contains("議会事務局職員") && html.contains("CSIRT要員"));
        assert!(html.contains("情報セキュリティ委員会委員"));
        assert!(
            html.contains("value=\"user\" checked"),
            "the least privilege is the default"
        );

        let response = server.web(&admin).post_form("/users/new",
            &new_user_form("Yamada.Taro", "山田 太郎"),
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let user = user_by_login(&server, "yamada.taro").await;
        assert_eq!(
            location(&response),
            format!("/users/{}?saved=created", user.id)
        );
        assert_eq!(user.display_name, "山田 太郎");
        assert_eq!(user.role, Role::User);
        assert_eq!(user.user_type, UserType::Member);
        assert!(user.active && user.must_change_password);
        assert_eq!(
            users::org_roles(&server.store, user.id).await.unwrap(),
            vec![OrgRole::CommitteeMember, OrgRole::CsirtMember]
        );
        let trail = audit::recent(&server.store, 2).await.unwrap();
        assert_eq!(trail[1].action, "user.create");
        assert_eq!(trail[1].actor_label, "chief.admin");
        assert_eq!(trail[0].action, "user.update");
        assert!(trail[0].changes.contains("csirt_member"));

        let (_, page) = get_text(&server, &admin, &location(&response)).await;
        assert!(
            page.contains("利用者「yamada.taro」を登録しました"),
            "{page}"
        );
        let (_, list) = get_text(&server, &admin, "/users").await;
        for text in [
            "yamada.taro",
            "山田 太郎",
            "議員",
            "<td>一般</td>",
            "情報セキュリティ委員会委員、CSIRT要員",
            "有効",
            "未設定",
        ] {
            assert!(list.contains(text), "the list shows {text}");
        }
        assert!(list.contains(&format!("href=\"/users/{}\"", user.id)));
        assert!(list.contains("href=\"/users/new\""));

        // The new user signs in and is sent to change the password first.
        let (status, to) = sign_in_with(&server, "yamada.taro", NEW_PASSWORD).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(to, "/account/password");
        server.stop().await;
});

mamori_testkit::backend_test!(async fn an_administrator_adds_a_user_over_the_api(backend) {
        let server = TestServer::start(backend).await;
        let (_, _, token) = admin(&server).await;
        let client = server.client();
        let body = json!({
            "login": "sato.hanako",
            "display_name": "佐藤 花子",
            "role": "auditor",
            "user_type": "contractor",
            "org_roles": ["system_staff"],
            "password": NEW_PASSWORD,
        });
        let response = api(&client, &server, Method::POST, "/api/v1/users", &token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let id = user_by_login(&server, "sato.hanako").await.id;
        assert_eq!(location(&response), format!("/api/v1/users/{id}"));
        let created: Value = response.json().await.unwrap();
        assert_eq!(created["login"], "sato.hanako");
        assert_eq!(created["role"], "auditor");
        assert_eq!(created["user_type"], "contractor");
        assert_eq!(created["org_roles"], json!(["system_staff"]));
        assert_eq!(created["active"], true);
        assert_eq!(created["must_change_password"], true);
        assert_eq!(created["mfa_enabled"], false);
        assert!(created.get("password").is_none() && created.get("password_hash").is_none());

        let fetched: Value = api(
            &client,
            &server,
            Method::GET,
            &format!("/api/v1/users/{id}"),
            &token,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        assert_eq!(fetched, created);
        let missing = api(&client, &server, Method::GET, "/api/v1/users/99999", &token)
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);

        let (status, to) = sign_in_with(&server, "sato.hanako", NEW_PASSWORD).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(to, "/account/password");

        // The same login again (in another case) is a conflict and writes nothing.
        let before = counts(&server).await;
        let again = api(&client, &server, Method::POST, "/api/v1/users", &token)
            .header(ACCEPT_LANGUAGE, "en")
            .json(&json!({
                "login": "SATO.Hanako",
                "display_name": "別人",
                "role": "user",
                "user_type": "staff",
                "password": NEW_PASSWORD,
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::CONFLICT);
        let error: Value = again.json().await.unwrap();
        assert_eq!(error["error"]["code"], "conflict");
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .contains("login ID"),
            "{error}"
        );
        assert_eq!(counts(&server).await, before);
        server.stop().await;
});

mamori_testkit::backend_test!(async fn a_duplicate_login_is_refused_and_the_form_is_kept(backend) {
        let server = TestServer::start(backend).await;
        let (_, admin, _) = admin(&server).await;
        server.add_user("taken.user", Role::User).await;
        let before = counts(&server).await;
        let response = server.web(&admin).post_form("/users/new",
            &new_user_form("TAKEN.user", "別の 利用者"),
        )
        .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(html.contains("id=\"login-error\""));
        assert!(html.contains("このログインIDはすでに使われています。"));
        assert!(
            html.contains("href=\"#login\""),
            "the summary links the field"
        );
        assert!(html.contains("value=\"別の 利用者\""), "typed text is kept");
        assert!(html.contains("value=\"TAKEN.user\""));
        assert!(
            html.contains("value=\"csirt_member\" checked"),
            "checked boxes stay checked"
        );
        assert!(!html.contains(NEW_PASSWORD), "passwords are never echoed");
        assert_eq!(counts(&server).await, before);
        server.stop().await;
});

mamori_testkit::backend_test!(async fn bad_input_is_refused_with_a_clear_message_and_writes_nothing(backend) {
        let server = TestServer::start(backend).await;
        let (_, admin, token) = admin(&server).await;
        let target = server.add_user("target.user", Role::User).await;
        let before = counts(&server).await;

        let long_name = "議".repeat(101);
        let cases: Vec<BadInput> = vec![
            (
                vec![("display_name", "")],
                "display_name",
                "入力してください。",
            ),
            (
                vec![("display_name", &long_name)],
                "display_name",
                "100文字以内で入力してください。",
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
                vec![("password_confirm", "something else")],
                "password_confirm",
                "一致しません",
            ),
            (vec![("role", "root")], "role", "「root」は選べません"),
            (vec![("role", "")], "role", "選択してください。"),
            (vec![("org_roles", "chairman")], "org_roles", "「chairman」"),
        ];
        for (overrides, field, message) in cases {
            let mut form = new_user_form("new.user", "<script>alert(1)</script>");
            for (key, value) in &overrides {
                form.retain(|(k, _)| k != key);
                form.push((key, value));
            }
            let response = server.web(&admin).post_form("/users/new", &form).await;
            assert_eq!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{overrides:?}"
            );
            let html = response.text().await.unwrap();
            assert!(
                html.contains(&format!("id=\"{field}-error\"")),
                "{overrides:?}: error at {field}"
            );
            assert!(html.contains(message), "{overrides:?}: {message}");
            assert!(html.contains("aria-invalid=\"true\""), "{overrides:?}");
            assert!(!html.contains("<script>alert(1)</script>"));
            assert!(!html.contains(NEW_PASSWORD));
        }

        // Editing: an empty or over-long name, an unknown choice.
        for (overrides, field, message) in [
            (
                vec![("display_name", " ")],
                "display_name",
                "入力してください。",
            ),
            (
                vec![("display_name", long_name.as_str())],
                "display_name",
                "100文字以内",
            ),
            (
                vec![("user_type", "mayor")],
                "user_type",
                "「mayor」は選べません",
            ),
            (vec![("active", "")], "active", "選択してください。"),
        ] {
            let response = server.web(&admin).post_form(&format!("/users/{target}"),
                &edit_form(&overrides),
            )
            .await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let html = response.text().await.unwrap();
            assert!(html.contains(&format!("id=\"{field}-error\"")), "{field}");
            assert!(html.contains(message), "{message}");
        }
        // A form with nothing in it changes nothing.
        let empty = server.web(&admin).post_form(&format!("/users/{target}"), &[]).await;
        assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let empty = server.web(&admin).post_form("/users/new", &[]).await;
        assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let reset = server.web(&admin).post_form(&format!("/users/{target}/password"),
            &[("new_password", "short"), ("new_password_confirm", "short")],
        )
        .await;
        assert_eq!(reset.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            reset
                .text()
                .await
                .unwrap()
                .contains("id=\"new_password-error\"")
        );

        // The API: our own messages for values, ApiJson's for shapes.
        let client = server.client();
        let valid = json!({
            "login": "api.user",
            "display_name": "API 利用者",
            "role": "user",
            "user_type": "staff",
            "password": NEW_PASSWORD,
        });
        let with = |key: &str, value: Value| {
            let mut body = valid.clone();
            body[key] = value;
            body
        };
        for (body, status, code, ja, en) in [
            (
                with("role", json!("root")),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "権限：「root」は選べません",
                "Permission: “root” is not one of the choices",
            ),
            (
                with("display_name", json!("")),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "氏名：入力してください。",
                "Full name: Enter a value.",
            ),
            (
                with("login", json!("a b")),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "ログインID：",
                "Login ID:",
            ),
            (
                with("password", json!("qwertyuiop")),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "よく使われて",
                "commonly used",
            ),
            (
                with("org_roles", json!(["ciso", "mayor"])),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "「mayor」",
                "“mayor”",
            ),
            (
                with("display_name", json!(42)),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_json_data",
                "JSONの内容が正しくありません",
                "",
            ),
            (
                with("org_roles", json!("ciso")),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_json_data",
                "JSONの内容が正しくありません",
                "",
            ),
            (
                with("is_admin", json!(true)),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_json_data",
                "is_admin",
                "is_admin",
            ),
        ] {
            for (lang, expected) in [("ja", ja), ("en", en)] {
                let response = api(&client, &server, Method::POST, "/api/v1/users", &token)
                    .header(ACCEPT_LANGUAGE, lang)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), status, "{body}");
                let error: Value = response.json().await.unwrap();
                assert_eq!(error["error"]["code"], code, "{body}");
                let message = error["error"]["message"].as_str().unwrap();
                assert!(message.contains(expected), "{lang} {body}: {message}");
            }
        }
        let malformed = api(&client, &server, Method::POST, "/api/v1/users", &token)
            .header(CONTENT_TYPE, "application/json")
            .body("{\"login\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
        let error: Value = malformed.json().await.unwrap();
        assert_eq!(error["error"]["code"], "malformed_json");
        let not_json = api(&client, &server, Method::POST, "/api/v1/users", &token)
            .form(&[("login", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(not_json.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        for body in [
            json!({"display_name": ""}),
            json!({"active": "no"}),
            json!({"role": "superuser"}),
            json!({"nickname": "x"}),
        ] {
            let response = api(
                &client,
                &server,
                Method::PATCH,
                &format!("/api/v1/users/{target}"),
                &token,
            )
            .json(&body)
            .send()
            .await
            .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}"
            );
        }
        let page = api(
            &client,
            &server,
            Method::GET,
            "/api/v1/users?page=abc",
            &token,
        )
        .send()
        .await
        .unwrap();
        assert_eq!(page.status(), StatusCode::BAD_REQUEST);
        assert_eq!(counts(&server).await, before, "nothing was written");
        server.stop().await;
});

mamori_testkit::backend_test!(async fn editing_records_each_change_before_and_after(backend) {
        let server = TestServer::start(backend).await;
        let (_, admin, token) = admin(&server).await;
        let target = server.add_user("kimura.jiro", Role::User).await;

        let (status, html) = get_text(&server, &admin, &format!("/users/{target}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("value=\"kimura.jiro\"") || html.contains("kimura.jiro"));
        assert!(html.contains(&format!("action=\"/users/{target}/password\"")));

        let response = server.web(&admin).post_form(&format!("/users/{target}"),
            &edit_form(&[
                ("display_name", "木村 次郎"),
                ("user_type", "member"),
                ("role", "auditor"),
                ("org_roles", "ciso"),
            ]),
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            location(&response),
            format!("/users/{target}?saved=updated")
        );
        let user = users::get(&server.store, target).await.unwrap();
        assert_eq!(user.display_name, "木村 次郎");
        assert_eq!(user.role, Role::Auditor);
        assert_eq!(user.user_type, UserType::Member);
        let entry = &audit::recent(&server.store, 1).await.unwrap()[0];
        assert_eq!(entry.action, "user.update");
        assert_eq!(
            entry.target_id.as_deref(),
            Some(target.to_string().as_str())
        );
        let changes: Value = serde_json::from_str(&entry.changes).unwrap();
        assert_eq!(changes["display_name"], json!(["kimura.jiro", "木村 次郎"]));
        assert_eq!(changes["role"], json!(["user", "auditor"]));
        assert_eq!(changes["user_type"], json!(["staff", "member"]));
        assert_eq!(changes["org_roles"], json!([[], ["ciso"]]));
        let (_, page) = get_text(&server, &admin, &location(&response)).await;
        assert!(page.contains("変更を保存しました"));

        // Posting the same values again writes nothing.
        let before = counts(&server).await;
        let response = server.web(&admin).post_form(&format!("/users/{target}"),
            &edit_form(&[
                ("display_name", "木村 次郎"),
                ("user_type", "member"),
                ("role", "auditor"),
                ("org_roles", "ciso"),
            ]),
        )
        .await;
        assert_eq!(
            location(&response),
            format!("/users/{target}?saved=unchanged")
        );
        assert_eq!(counts(&server).await, before);

        // The API changes only the fields it is given.
        let client = server.client();
        let response = api(
            &client,
            &server,
            Method::PATCH,
            &format!("/api/v1/users/{target}"),
            &token,
        )
        .json(&json!({"role": "security_officer", "org_roles": []}))
        .send()
        .await
        .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["role"], "security_officer");
        assert_eq!(body["org_roles"], json!([]));
        assert_eq!(body["display_name"], "木村 次郎");
        let changes: Value =
            serde_json::from_str(&audit::recent(&server.store, 1).await.unwrap()[0].changes)
                .unwrap();
        assert_eq!(
            changes,
            json!({"role": ["auditor", "security_officer"], "org_roles": [["ciso"], []]})
        );
        server.stop().await;
});

mamori_testkit::backend_test!(async fn deactivation_ends_the_users_sessions_and_blocks_sign_in(backend) {
        let server = TestServer::start(backend).await;
        let (_, admin, token) = admin(&server).await;
        let (member, member_client) = server.user_client("member.one", Role::User).await;
        let (status, _) = get_text(&server, &member_client, "/").await;
        assert_eq!(status, StatusCode::OK);

        let response = server.web(&admin).post_form(&format!("/users/{member}"),
            &edit_form(&[("display_name", "member.one"), ("active", "0")]),
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(!users::get(&server.store, member).await.unwrap().active);
        let entry = &audit::recent(&server.store, 1).await.unwrap()[0];
        let changes: Value = serde_json::from_str(&entry.changes).unwrap();
        assert_eq!(changes["active"], json!([true, false]));

        let home = member_client.get(server.url("/")).send().await.unwrap();
        assert_eq!(home.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&home), "/login");
        let (status, _) = sign_in_with(&server, "member.one", PASSWORD).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "an inactive user cannot sign in"
        );
        let (_, list) = get_text(&server, &admin, "/users").await;
        assert!(list.contains("無効"));

        // Reactivated, they can sign in again; deactivated over the API, out again.
        let response = server.web(&admin).post_form(&format!("/users/{member}"),
            &edit_form(&[("display_name", "member.one"), ("active", "1")]),
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let again = server.sign_in("member.one").await;
        let (status, _) = get_text(&server, &again, "/").await;
        assert_eq!(status, StatusCode::OK);
        let client = server.client();
        let response = api(
            &client,
            &server,
            Method::PATCH,
            &format!("/api/v1/users/{member}"),
            &token,
        )
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.json::<Value>().await.unwrap()["active"], false);
        let home = again.get(server.url("/")).send().await.unwrap();
        assert_eq!(location(&home), "/login");
        server.stop().await;
});

mamori_testkit::backend_test!(async fn an_administrator_cannot_deactivate_or_demote_themself(backend) {
        let server = TestServer::start(backend).await;
        let (me, admin, token) = admin(&server).await;
        let before = counts(&server).await;

        let (_, html) = get_text(&server, &admin, &format!("/users/{me}")).await;
        assert!(html.contains("これはあなた自身のアカウントです"));
        for (overrides, field, message) in [
            (
                vec![("active", "0"), ("role", "admin")],
                "active",
                "自分のアカウントは無効にできません",
            ),
            (
                vec![("role", "user")],
                "role",
                "自分の「システム管理」の権限は外せません",
            ),
        ] {
            let mut form = edit_form(&overrides);
            form.retain(|(k, _)| *k != "display_name");
            form.push(("display_name", "chief.admin"));
            let response = server.web(&admin).post_form(&format!("/users/{me}"), &form).await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let html = response.text().await.unwrap();
            assert!(html.contains(&format!("id=\"{field}-error\"")), "{field}");
            assert!(html.contains(message), "{message}");
        }
        let response = server.web(&admin).post_form(&format!("/users/{me}/password"),
            &[
                ("new_password", NEW_PASSWORD),
                ("new_password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("「アカウント」のページ")
        );

        let client = server.client();
        for body in [json!({"active": false}), json!({"role": "auditor"})] {
            let response = api(
                &client,
                &server,
                Method::PATCH,
                &format!("/api/v1/users/{me}"),
                &token,
            )
            .header(ACCEPT_LANGUAGE, "en")
            .json(&body)
            .send()
            .await
            .unwrap();
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let error: Value = response.json().await.unwrap();
            assert_eq!(error["error"]["code"], "validation_failed");
            assert!(
                error["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("your own"),
                "{error}"
            );
        }
        let me_now = users::get(&server.store, me).await.unwrap();
        assert!(me_now.active && me_now.role == Role::Admin);
        assert_eq!(counts(&server).await, before);

        // The last active administrator is kept even when the actor is not one of them.
        let refused = mamori_app::users::update_user(
            &server.state.app,
            &mamori_app::Acting::system("test"),
            me,
            mamori_domain::user_input::UserEditInput {
                active: Some("0".into()),
                ..Default::default()
            },
        )
        .await;
        let Err(mamori_app::Failure::Invalid(refused)) = refused else {
            panic!("the last administrator was deactivated: {refused:?}")
        };
        assert_eq!(refused[0].key, "users.error.last_admin");
        // With a second administrator, the first may be demoted by the other.
        let (_, other_admin) = server.user_client("deputy.admin", Role::Admin).await;
        let response = server.web(&other_admin).post_form(&format!("/users/{me}"),
            &edit_form(&[("display_name", "chief.admin"), ("role", "auditor")]),
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            users::get(&server.store, me).await.unwrap().role,
            Role::Auditor
        );
        server.stop().await;
});

mamori_testkit::backend_test!(async fn an_administrator_resets_a_password_and_a_lost_second_factor(backend) {
        let server = TestServer::start(backend).await;
        let (_, admin, _) = admin(&server).await;
        let (member, member_client) = server.user_client("forgetful", Role::User).await;

        let mismatch = server.web(&admin).post_form(&format!("/users/{member}/password"),
            &[
                ("new_password", NEW_PASSWORD),
                ("new_password_confirm", "something else entirely"),
            ],
        )
        .await;
        assert_eq!(mismatch.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = mismatch.text().await.unwrap();
        assert!(html.contains("id=\"new_password_confirm-error\""));
        assert!(!html.contains(NEW_PASSWORD));

        let response = server.web(&admin).post_form(&format!("/users/{member}/password"),
            &[
                ("new_password", NEW_PASSWORD),
                ("new_password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            location(&response),
            format!("/users/{member}?saved=password")
        );
        let entry = &audit::recent(&server.store, 1).await.unwrap()[0];
        assert_eq!(entry.action, "user.password_reset");
        assert!(!entry.changes.contains(NEW_PASSWORD));
        assert!(
            users::get(&server.store, member)
                .await
                .unwrap()
                .must_change_password
        );
        let home = member_client.get(server.url("/")).send().await.unwrap();
        assert_eq!(location(&home), "/login", "the old sessions ended");
        let (status, _) = sign_in_with(&server, "forgetful", PASSWORD).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "the old password is gone");
        let (status, to) = sign_in_with(&server, "forgetful", NEW_PASSWORD).await;
        assert_eq!(
            (status, to.as_str()),
            (StatusCode::SEE_OTHER, "/account/password")
        );

        // The second factor: on, then reset by the administrator after confirming.
        let mut tx = server.store.write(Actor::system("test")).await.unwrap();
        users::enable_totp(&mut tx, member, "JBSWY3DPEHPK3PXP", 1, &[])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let (_, list) = get_text(&server, &admin, "/users").await;
        assert!(list.contains("設定済み"));
        let unconfirmed =
            server.web(&admin).post_form(&format!("/users/{member}/mfa-reset"), &[]).await;
        assert_eq!(unconfirmed.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            unconfirmed
                .text()
                .await
                .unwrap()
                .contains("チェックを入れてください")
        );
        assert!(
            users::totp_state(&server.store, member)
                .await
                .unwrap()
                .0
                .is_some()
        );
        let response = server.web(&admin).post_form(&format!("/users/{member}/mfa-reset"),
            &[("mfa_confirm", "1")],
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), format!("/users/{member}?saved=mfa"));
        assert!(
            users::totp_state(&server.store, member)
                .await
                .unwrap()
                .0
                .is_none()
        );
        let entry = &audit::recent(&server.store, 1).await.unwrap()[0];
        assert_eq!(entry.action, "mfa.disable");
        assert_eq!(entry.actor_label, "chief.admin");
        let (_, page) = get_text(&server, &admin, &location(&response)).await;
        assert!(page.contains("二要素認証を解除しました"));
        assert!(page.contains("この利用者は二要素認証を設定していません。"));
        server.stop().await;
});

mamori_testkit::backend_test!(async fn only_administrators_manage_users_and_refusals_are_recorded(backend) {
        let server = TestServer::start(backend).await;
        let (_, _, _) = admin(&server).await;
        let target = server.add_user("target.user", Role::User).await;
        let new_user = json!({
            "login": "sneaky",
            "display_name": "Sneaky",
            "role": "admin",
            "user_type": "other",
            "password": NEW_PASSWORD,
        });
        for (login, role) in [
            ("officer", Role::SecurityOfficer),
            ("plain", Role::User),
            ("auditor", Role::Auditor),
            ("vendor", Role::Contractor),
        ] {
            let (_, client) = server.user_client(login, role).await;
            let mut tx = server.store.write(Actor::system("test")).await.unwrap();
            let id = user_by_login(&server, login).await.id;
            let (_, token) = mamori_store::tokens::create(&mut tx, id, "t")
                .await
                .unwrap();
            tx.commit().await.unwrap();
            let calls: Vec<RequestBuilder> = vec![
                client.get(server.url("/users")),
                client.get(server.url("/users/new")),
                from_here(&server, client.post(server.url("/users/new")))
                    .form(&new_user_form("sneaky", "Sneaky")),
                client.get(server.url(&format!("/users/{target}"))),
                from_here(
                    &server,
                    client.post(server.url(&format!("/users/{target}"))),
                )
                .form(&edit_form(&[("role", "admin")])),
                from_here(
                    &server,
                    client.post(server.url(&format!("/users/{target}/password"))),
                )
                .form(&[
                    ("new_password", NEW_PASSWORD),
                    ("new_password_confirm", NEW_PASSWORD),
                ]),
                from_here(
                    &server,
                    client.post(server.url(&format!("/users/{target}/mfa-reset"))),
                )
                .form(&[("mfa_confirm", "1")]),
                api(&client, &server, Method::GET, "/api/v1/users", &token),
                api(&client, &server, Method::POST, "/api/v1/users", &token).json(&new_user),
                // Even a body that is not JSON learns nothing before the role check.
                api(&client, &server, Method::POST, "/api/v1/users", &token).body("{"),
                api(
                    &client,
                    &server,
                    Method::GET,
                    &format!("/api/v1/users/{target}"),
                    &token,
                ),
                api(
                    &client,
                    &server,
                    Method::PATCH,
                    &format!("/api/v1/users/{target}"),
                    &token,
                )
                .json(&json!({"role": "admin"})),
            ];
            for call in calls {
                let request = call.build().unwrap();
                let what = format!("{login}: {} {}", request.method(), request.url().path());
                let denials_before = denials(&server).await;
                let users_before = counts(&server).await.0;
                let response = client.execute(request).await.unwrap();
                assert_eq!(response.status(), StatusCode::FORBIDDEN, "{what}");
                assert_eq!(
                    denials(&server).await,
                    denials_before + 1,
                    "{what}: recorded"
                );
                assert_eq!(counts(&server).await.0, users_before, "{what}");
            }
        }
        let target_now = users::get(&server.store, target).await.unwrap();
        assert_eq!(target_now.role, Role::User);
        assert!(!target_now.must_change_password);
        let denied = audit::recent(&server.store, 1).await.unwrap();
        assert_eq!(denied[0].action, "access.denied");
        assert_eq!(denied[0].target_id.as_deref(), Some("users.update"));
        server.stop().await;
});

async fn denials(server: &TestServer) -> usize {
    audit::recent(&server.store, 100_000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "access.denied")
        .count()
}

mamori_testkit::backend_test!(async fn lists_are_paginated(backend) {
        let server = TestServer::start(backend).await;
        let (_, admin, token) = admin(&server).await;
        // 55 more users, with one hash: hashing each would only slow the test.
        let hash = mamori_store::password::hash(PASSWORD).await.unwrap();
        let mut tx = server.store.write(Actor::system("test")).await.unwrap();
        for n in 0..55 {
            let login = LoginId::parse(&format!("member{n:02}")).unwrap();
            users::create(
                &mut tx,
                users::NewUser {
                    login: &login,
                    display_name: &format!("議員 {n}"),
                    reading: None,
                    role: Role::User,
                    user_type: UserType::Member,
                    password_hash: &hash,
                    must_change_password: false,
                },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();

        let client = server.client();
        let first: Value = api(&client, &server, Method::GET, "/api/v1/users", &token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(first["total"], 56);
        assert_eq!(first["page"], 1);
        assert_eq!(first["per_page"], 50);
        assert_eq!(first["items"].as_array().unwrap().len(), 50);
        assert_eq!(first["items"][0]["login"], "chief.admin");
        let third: Value = api(
            &client,
            &server,
            Method::GET,
            "/api/v1/users?page=3&per_page=20",
            &token,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        assert_eq!(third["items"].as_array().unwrap().len(), 16);
        assert_eq!(
            (third["page"].as_u64(), third["per_page"].as_u64()),
            (Some(3), Some(20))
        );
        let past: Value = api(
            &client,
            &server,
            Method::GET,
            "/api/v1/users?page=9",
            &token,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        assert_eq!(past["items"], json!([]));
        assert_eq!(past["total"], 56);

        let (_, page_one) = get_text(&server, &admin, "/users").await;
        assert_eq!(
            page_one.matches("<tr>").count(),
            51,
            "a header and 50 users"
        );
        assert!(page_one.contains("全56人のうち 1〜50人目"));
        assert!(page_one.contains("href=\"/users?page=2\""));
        let (_, page_two) = get_text(&server, &admin, "/users?page=2").await;
        assert_eq!(page_two.matches("<tr>").count(), 7);
        assert!(page_two.contains("href=\"/users?page=1\""));
        assert!(page_two.contains("member54"));
        let (status, _) = get_text(&server, &admin, "/users?page=0").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        server.stop().await;
});

mamori_testkit::backend_test!(async fn hostile_text_is_escaped_in_the_list_and_the_form(backend) {
        let server = TestServer::start(backend).await;
        let (_, admin, token) = admin(&server).await;
        let client = server.client();
        let response = api(&client, &server, Method::POST, "/api/v1/users", &token)
            .json(&json!({
                "login": "mallory",
                "display_name": "<script>alert(1)</script>\"><img src=x>",
                "role": "user",
                "user_type": "other",
                "password": NEW_PASSWORD,
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let id = response.json::<Value>().await.unwrap()["id"]
            .as_i64()
            .unwrap();
        for path in ["/users".to_owned(), format!("/users/{id}")] {
            let (status, html) = get_text(&server, &admin, &path).await;
            assert_eq!(status, StatusCode::OK);
            assert!(!html.contains("<script"), "{path}");
            assert!(!html.contains("<img src=x>"), "{path}");
            assert!(
                html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"),
                "{path}"
            );
        }
        server.stop().await;
});

mamori_testkit::backend_test!(async fn the_pages_read_in_english_too(backend) {
        let server = TestServer::start(backend).await;
        let (_, admin, _) = admin(&server).await;
        let target = server.add_user("english.user", Role::Auditor).await;
        for (path, texts) in [
            (
                "/users".to_owned(),
                vec![
                    "Users",
                    "Add a user",
                    "Audit (read only)",
                    "Secretariat staff",
                    "Active",
                    "Off",
                ],
            ),
            (
                format!("/users/{target}"),
                vec![
                    "Posts",
                    "Chief information security officer (CISO)",
                    "Reset the password",
                    "Inactive (cannot sign in)",
                ],
            ),
            (
                "/users/new".to_owned(),
                vec!["Add a user", "Initial password", "Assembly member"],
            ),
        ] {
            let html = admin
                .get(server.url(&path))
                .header(ACCEPT_LANGUAGE, "en")
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(html.contains("<html lang=\"en\""), "{path}");
            for text in texts {
                assert!(html.contains(text), "{path}: {text}");
            }
        }
        server.stop().await;
});

// ---------------------------------------------------------------- API parity: posts, resets

mamori_testkit::backend_test!(
    async fn posts_are_set_over_the_api_and_decide_access(backend) {
        use mamori_testkit::assert_api_error;
        let server = TestServer::start(backend).await;
        let (_, admin) = server.web_as("posts.admin", Role::Admin).await;
        let (member_id, member) = server.web_as("posts.member", Role::User).await;
        let path = format!("/api/v1/users/{member_id}/posts");
        // A member without a post does not read the risk register.
        member.page("/risks", 403).await;

        let response = admin
            .send_json(Method::PUT, &path, &json!({"posts": ["ciso", "csirt_member"]}))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let user: Value = response.json().await.unwrap();
        assert_eq!(user["org_roles"], json!(["ciso", "csirt_member"]));
        let entry = &audit::recent(&server.store, 1).await.unwrap()[0];
        assert_eq!(entry.action, "user.update");
        assert!(entry.changes.contains("org_roles"), "{}", entry.changes);
        // The post is held from today: the CISO reads the risk register at once.
        member.page("/risks", 200).await;
        // The same set again changes nothing and records nothing.
        let before = audit::recent(&server.store, 1).await.unwrap()[0].id;
        let response = admin
            .send_json(Method::PUT, &path, &json!({"posts": ["csirt_member", "ciso"]}))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(audit::recent(&server.store, 1).await.unwrap()[0].id, before);

        // An unknown post is refused, naming the field; nothing is written.
        let response = admin
            .send_json(Method::PUT, &path, &json!({"posts": ["mayor"]}))
            .await;
        let error = assert_api_error(response, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "org_roles");
        assert!(error["message"].as_str().unwrap().contains("mayor"));
        let response = admin
            .send_json(Method::PUT, &path, &json!({"posts": "ciso"}))
            .await;
        assert_api_error(response, 422, "invalid_json_data").await;
        assert_eq!(
            users::org_roles(&server.store, member_id).await.unwrap(),
            vec![OrgRole::Ciso, OrgRole::CsirtMember]
        );
        // Taking the posts away takes the access with them.
        let response = admin
            .send_json(Method::PUT, &path, &json!({"posts": []}))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        member.page("/risks", 403).await;
        // Only administrators set posts; no such user is a 404.
        let response = member
            .send_json(Method::PUT, &path, &json!({"posts": ["ciso"]}))
            .await;
        assert_api_error(response, 403, "forbidden").await;
        let response = admin
            .send_json(Method::PUT, "/api/v1/users/99999/posts", &json!({"posts": []}))
            .await;
        assert_api_error(response, 404, "not_found").await;
    }
);

mamori_testkit::backend_test!(
    async fn passwords_and_second_factors_are_reset_over_the_api(backend) {
        use mamori_testkit::assert_api_error;
        use mamori_testkit::fixtures_people::with_mfa;
        let server = TestServer::start(backend).await;
        let (admin_id, admin) = server.web_as("reset.admin", Role::Admin).await;
        let (member_id, member) = server.web_as("reset.member", Role::User).await;
        let reset = format!("/api/v1/users/{member_id}/password-reset");

        // Refusals write nothing: a weak password, one's own account, a stranger.
        let response = admin
            .post_json(&reset, &json!({"new_password": "qwertyuiop"}))
            .await;
        let error = assert_api_error(response, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "new_password");
        let response = admin
            .post_json(
                &format!("/api/v1/users/{admin_id}/password-reset"),
                &json!({"new_password": NEW_PASSWORD}),
            )
            .await;
        assert_api_error(response, 422, "validation_failed").await;
        let response = member
            .post_json(&reset, &json!({"new_password": NEW_PASSWORD}))
            .await;
        assert_api_error(response, 403, "forbidden").await;
        assert!(!users::get(&server.store, member_id).await.unwrap().must_change_password);

        let response = admin
            .post_json(&reset, &json!({"new_password": NEW_PASSWORD}))
            .await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        let user = users::get(&server.store, member_id).await.unwrap();
        assert!(user.must_change_password);
        // The member's session ended with the old password.
        assert_eq!(member.get("/api/v1/users").await.status(), StatusCode::UNAUTHORIZED);
        let (status, _) = sign_in_with(&server, "reset.member", NEW_PASSWORD).await;
        assert_eq!(status, StatusCode::SEE_OTHER);

        // The second factor: refused while there is none, then turned off.
        let mfa = format!("/api/v1/users/{member_id}/mfa-reset");
        let response = admin.post_json(&mfa, &json!({})).await;
        let error = assert_api_error(response, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "mfa_confirm");
        with_mfa(&server, member_id).await;
        let response = admin.post_json(&mfa, &json!({})).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert!(users::totp_state(&server.store, member_id).await.unwrap().0.is_none());
        assert_eq!(audit::recent(&server.store, 1).await.unwrap()[0].action, "mfa.disable");
        with_mfa(&server, admin_id).await;
        let response = admin
            .post_json(&format!("/api/v1/users/{admin_id}/mfa-reset"), &json!({}))
            .await;
        assert_api_error(response, 422, "validation_failed").await;
        assert!(users::totp_state(&server.store, admin_id).await.unwrap().0.is_some());
    }
);

mamori_testkit::backend_test!(
    async fn a_corrupt_account_is_a_500_with_a_stable_code_not_a_guess(backend) {
        use mamori_testkit::assert_api_error;
        let server = TestServer::start(backend).await;
        let (_, admin) = server.web_as("corrupt.admin", Role::Admin).await;
        let member = server.add_user("corrupt.member", Role::User).await;
        server
            .db
            .execute(&format!("UPDATE users SET role = 'overlord' WHERE id = {member}"))
            .await;
        let response = admin.get(&format!("/api/v1/users/{member}")).await;
        assert_api_error(response, 500, "corrupt_record").await;
        let page = admin.get(&format!("/users/{member}")).await;
        assert_eq!(page.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
);
