//! The API's own user routes: posts, password and second-factor resets, a corrupt row.

use super::*;

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
