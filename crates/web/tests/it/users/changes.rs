//! Changing users: edits with their before and after, deactivation, what an
//! administrator may not do to themself, resets, and who may change users at all.

use super::*;

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
