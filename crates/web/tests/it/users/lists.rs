//! The user list and form: pagination, escaped text, English.

use super::*;

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
