//! API access over real HTTP, on both backends: sign-in and personal tokens, the security
//! settings, and one's own account (password, sessions).

use mamori_domain::user::Role;
use mamori_testkit::{PASSWORD, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::security::actions;

mamori_testkit::backend_test!(async fn the_api_signs_in_and_accepts_personal_tokens_everywhere(backend) {
        let server = TestServer::start(backend).await;
        server.add_user("member", Role::User).await;
        let client = server.client();
        let refused = client
            .post(server.url("/api/v1/session"))
            .json(&json!({"login": "member", "password": "wrong password"}))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["error"]["code"], "sign_in_failed");
        for bad in [
            "{",
            "[]",
            "{\"login\": 1, \"password\": 2}",
            "{\"login\": \"a\"}",
        ] {
            let response = client
                .post(server.url("/api/v1/session"))
                .header("content-type", "application/json")
                .body(bad)
                .send()
                .await
                .unwrap();
            assert!(
                response.status().is_client_error(),
                "{bad}: {}",
                response.status()
            );
        }

        let started = client
            .post(server.url("/api/v1/session"))
            .json(&json!({"login": "member", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(started.status(), StatusCode::OK);
        let body: Value = started.json().await.unwrap();
        assert_eq!(body["stage"], "active");
        let csrf = body["csrf_token"].as_str().unwrap().to_owned();
        let me: Value = client
            .get(server.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["login"], "member");

        // A cookie-authenticated JSON write needs the CSRF token when no origin headers come.
        let no_token = client
            .post(server.url("/api/v1/tokens"))
            .json(&json!({"name": "sync"}))
            .send()
            .await
            .unwrap();
        assert_eq!(no_token.status(), StatusCode::FORBIDDEN);
        let created = client
            .post(server.url("/api/v1/tokens"))
            .header("x-csrf-token", &csrf)
            .json(&json!({"name": "sync"}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), StatusCode::CREATED);
        let created: Value = created.json().await.unwrap();
        let token = created["token"].as_str().unwrap().to_owned();
        assert!(token.starts_with("mamori_"));

        // The bearer token works on every /api/v1 route, without cookies or CSRF headers.
        let bare = reqwest::Client::new();
        for path in ["/api/v1/me", "/api/v1/tokens", "/api/v1/eras", "/api/v1"] {
            let response = bare
                .get(server.url(path))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path}");
        }
        let second = bare
            .post(server.url("/api/v1/tokens"))
            .bearer_auth(&token)
            .json(&json!({"name": "made with a token"}))
            .send()
            .await
            .unwrap();
        assert_eq!(second.status(), StatusCode::CREATED);
        let listed: Value = bare
            .get(server.url("/api/v1/tokens"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 2);
        assert!(
            listed.to_string().find(&token).is_none(),
            "tokens are never listed"
        );

        let id = created["id"].as_i64().unwrap();
        let revoked = bare
            .delete(server.url(&format!("/api/v1/tokens/{id}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
        for bad in [token.as_str(), "mamori_0000", "garbage"] {
            let response = bare
                .get(server.url("/api/v1/me"))
                .bearer_auth(bad)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{bad}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], "invalid_token");
        }
        let ended = client
            .delete(server.url("/api/v1/session"))
            .header("x-csrf-token", &csrf)
            .send()
            .await
            .unwrap();
        assert_eq!(ended.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            client
                .get(server.url("/api/v1/me"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::UNAUTHORIZED
        );
        server.stop().await;
});

// ---------------------------------------------------------------- the settings over the API

mamori_testkit::backend_test!(
    async fn security_settings_are_read_and_saved_over_the_api(backend) {
        use mamori_testkit::assert_api_error;
        use mamori_testkit::fixtures_people::locked;
        let server = TestServer::start(backend).await;
        let (_, admin) = server.web_as("sec.admin", Role::Admin).await;
        let (_, officer) = server.web_as("sec.officer", Role::SecurityOfficer).await;
        let member = server.add_user("sec.member", Role::User).await;
        locked(&server, member, 5).await;

        let settings = admin.json("/api/v1/security").await;
        assert_eq!(settings["mfa_required_roles"], json!([]));
        assert_eq!(settings["lockouts"][0]["login"], "sec.member");
        assert_eq!(settings["lockouts"][0]["failures"], 5);
        assert!(settings["lockouts"][0]["locked_until"].is_string());

        let response = admin
            .send_json(
                reqwest::Method::PUT,
                "/api/v1/security",
                &json!({"mfa_required_roles": ["security_officer", "admin"]}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let saved: Value = response.json().await.unwrap();
        assert_eq!(saved["mfa_required_roles"], json!(["admin", "security_officer"]));
        assert!(actions(&server).await.contains(&"setting.update".to_owned()));
        // An unknown role is refused and nothing changes.
        let response = admin
            .send_json(
                reqwest::Method::PUT,
                "/api/v1/security",
                &json!({"mfa_required_roles": ["root"]}),
            )
            .await;
        let error = assert_api_error(response, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "roles");
        let settings = admin.json("/api/v1/security").await;
        assert_eq!(settings["mfa_required_roles"], json!(["admin", "security_officer"]));

        // Lifting a lock forgets the failures; an unknown user is a 404.
        let response = admin
            .post_json(&format!("/api/v1/security/lockouts/{member}/lift"), &json!({}))
            .await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert!(actions(&server).await.contains(&"auth.lockout_lifted".to_owned()));
        assert_eq!(admin.json("/api/v1/security").await["lockouts"], json!([]));
        let response = admin
            .post_json("/api/v1/security/lockouts/99999/lift", &json!({}))
            .await;
        assert_api_error(response, 404, "not_found").await;
        // Only administrators; the refusal is recorded.
        assert_api_error(officer.get("/api/v1/security").await, 403, "forbidden").await;
        assert!(actions(&server).await.contains(&"access.denied".to_owned()));
    }
);

// ---------------------------------------------------------------- one's account over the API

mamori_testkit::backend_test!(
    async fn a_user_changes_the_password_and_ends_sessions_over_the_api(backend) {
        use mamori_testkit::assert_api_error;
        let server = TestServer::start(backend).await;
        let (me, web) = server.web_as("self.service", Role::User).await;
        let other_device = server.sign_in("self.service").await;
        let (_, stranger) = server.web_as("someone.else", Role::User).await;

        // Both sessions are listed; the one asking is marked.
        let sessions = web.json("/api/v1/me/sessions").await;
        let sessions = sessions.as_array().unwrap();
        assert_eq!(sessions.len(), 2);
        assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
        let other = sessions.iter().find(|s| s["current"] == false).unwrap()["id"]
            .as_i64()
            .unwrap();
        // Nobody ends another person's session: it does not exist for them.
        let response = stranger
            .send_json(reqwest::Method::DELETE, &format!("/api/v1/me/sessions/{other}"), &json!({}))
            .await;
        assert_api_error(response, 404, "not_found").await;
        let response = web
            .send_json(reqwest::Method::DELETE, &format!("/api/v1/me/sessions/{other}"), &json!({}))
            .await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            other_device.get(server.url("/api/v1/me")).send().await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
        assert!(actions(&server).await.contains(&"session.end".to_owned()));

        // A wrong current password, a weak new one, the same one: refused, nothing written.
        for (body, field) in [
            (json!({"current_password": "wrong password!!", "new_password": "a brand new phrase"}), "current"),
            (json!({"current_password": PASSWORD, "new_password": "qwertyuiop"}), "password"),
            (json!({"current_password": PASSWORD, "new_password": PASSWORD}), "password"),
        ] {
            let response = web.post_json("/api/v1/me/password", &body).await;
            let error = assert_api_error(response, 422, "validation_failed").await;
            assert_eq!(error["fields"][0]["field"], field, "{body}");
        }
        assert!(!actions(&server).await.contains(&"user.password_change".to_owned()));
        let second = server.sign_in("self.service").await;
        let response = web
            .post_json(
                "/api/v1/me/password",
                &json!({"current_password": PASSWORD, "new_password": "a brand new phrase"}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert!(actions(&server).await.contains(&"user.password_change".to_owned()));
        // This session stays; the other one, opened with the old password, is ended.
        assert_eq!(web.json("/api/v1/me").await["id"], me);
        assert_eq!(
            second.get(server.url("/api/v1/me")).send().await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
);
