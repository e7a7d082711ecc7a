//! Adding users on the page and over the API, and the input that is refused.

use super::*;

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
