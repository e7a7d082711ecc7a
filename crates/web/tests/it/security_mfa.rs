//! Two-factor authentication over real HTTP, on both backends: enrolment, sign-in, reuse
//! and recovery codes, a role that requires it, and the API session's second step.

use mamori_domain::mfa::{self, TotpSecret};
use mamori_domain::user::Role;
use mamori_testkit::{PASSWORD, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::security::{actions, csrf_of, post_login, text_after};

fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Enrols TOTP through the pages; returns the secret and the recovery codes.
async fn enrol(server: &TestServer, client: &reqwest::Client) -> (TotpSecret, Vec<String>) {
    let page = server.text(client, "/account/mfa").await;
    assert!(
        page.contains("<svg"),
        "the QR code is drawn by mamori itself"
    );
    assert!(
        !page.contains("src=\"http") && !page.contains("href=\"http"),
        "nothing from outside"
    );
    let secret_text = text_after(&page, "id=\"totp-secret\">").to_owned();
    let secret = TotpSecret::from_base32(&secret_text).unwrap();
    let wrong = client
        .post(server.url("/account/mfa"))
        .form(&[
            ("csrf", csrf_of(&page)),
            ("secret", secret_text.clone()),
            ("code", "000000".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let done = client
        .post(server.url("/account/mfa"))
        .form(&[
            ("csrf", csrf_of(&page)),
            ("secret", secret_text),
            ("code", mfa::code_at(&secret, now_unix())),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    let html = done.text().await.unwrap();
    let list = text_after(&html, "id=\"recovery-codes\">");
    assert!(list.is_empty());
    let codes: Vec<String> = html
        .split("<li>")
        .skip(1)
        .filter_map(|part| part.split("</li>").next())
        .filter(|code| code.len() == 11 && code.contains('-'))
        .map(str::to_owned)
        .collect();
    assert_eq!(codes.len(), 10, "{html}");
    (secret, codes)
}

mamori_testkit::backend_test!(async fn totp_enrolment_sign_in_reuse_and_recovery_codes(backend) {
        let server = TestServer::start(backend).await;
        let (_, client) = server.user_client("member", Role::User).await;
        let (secret, codes) = enrol(&server, &client).await;
        assert!(actions(&server).await.contains(&"mfa.enable".to_owned()));

        // The password alone now stops half-way.
        let c = server.client();
        let step = post_login(&server, &c, "member", PASSWORD).await;
        assert_eq!(step.headers()["location"], "/login/mfa");
        assert_eq!(
            c.get(server.url("/account"))
                .send()
                .await
                .unwrap()
                .headers()["location"],
            "/login/mfa"
        );
        let page = server.text(&c, "/login/mfa").await;
        let csrf = csrf_of(&page);
        let wrong = c
            .post(server.url("/login/mfa"))
            .form(&[("csrf", csrf.as_str()), ("code", "12345")])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        // The enrolment used the current step; the next one is fresh.
        let code = mfa::code_at(&secret, now_unix() + 30);
        let ok = c
            .post(server.url("/login/mfa"))
            .form(&[("csrf", csrf.as_str()), ("code", code.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            c.get(server.url("/account")).send().await.unwrap().status(),
            StatusCode::OK
        );

        // The same code never works twice.
        let again = server.client();
        post_login(&server, &again, "member", PASSWORD).await;
        let page = server.text(&again, "/login/mfa").await;
        let reused = again
            .post(server.url("/login/mfa"))
            .form(&[("csrf", csrf_of(&page)), ("code", code)])
            .send()
            .await
            .unwrap();
        assert_eq!(reused.status(), StatusCode::UNAUTHORIZED);
        assert!(
            reused
                .text()
                .await
                .unwrap()
                .contains("すでに使われています")
        );

        // A recovery code works once.
        for (attempt, expected) in [(1, StatusCode::SEE_OTHER), (2, StatusCode::UNAUTHORIZED)] {
            let r = server.client();
            post_login(&server, &r, "member", PASSWORD).await;
            let page = server.text(&r, "/login/mfa").await;
            let used = r
                .post(server.url("/login/mfa"))
                .form(&[("csrf", csrf_of(&page)), ("code", codes[0].to_uppercase())])
                .send()
                .await
                .unwrap();
            assert_eq!(used.status(), expected, "recovery code, attempt {attempt}");
        }
        let trail = actions(&server).await;
        assert!(
            trail.contains(&"auth.mfa_passed".to_owned())
                && trail.contains(&"auth.mfa_failed".to_owned())
        );
        server.stop().await;
});

mamori_testkit::backend_test!(async fn an_administrator_can_require_mfa_for_a_role(backend) {
        let server = TestServer::start(backend).await;
        let (_, admin) = server.user_client("admin", Role::Admin).await;
        server.add_user("officer", Role::SecurityOfficer).await;
        let page = server.text(&admin, "/admin/security").await;
        let saved = admin
            .post(server.url("/admin/security/mfa-roles"))
            .form(&[
                ("csrf", csrf_of(&page).as_str()),
                ("roles", "security_officer"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let bad = admin
            .post(server.url("/admin/security/mfa-roles"))
            .form(&[("csrf", csrf_of(&page).as_str()), ("roles", "root")])
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

        let officer = server.client();
        let signed = post_login(&server, &officer, "officer", PASSWORD).await;
        assert_eq!(signed.headers()["location"], "/account/mfa");
        assert_eq!(
            officer.get(server.url("/")).send().await.unwrap().headers()["location"],
            "/account/mfa"
        );
        enrol(&server, &officer).await;
        assert_eq!(
            officer.get(server.url("/")).send().await.unwrap().status(),
            StatusCode::OK
        );
        server.stop().await;
});

mamori_testkit::backend_test!(async fn the_api_session_asks_for_the_second_factor(backend) {
        let server = TestServer::start(backend).await;
        let (_, client) = server.user_client("member", Role::User).await;
        let (secret, _) = enrol(&server, &client).await;
        let api = server.client();
        let without = api
            .post(server.url("/api/v1/session"))
            .json(&json!({"login": "member", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(without.status(), StatusCode::UNAUTHORIZED);
        let body: Value = without.json().await.unwrap();
        assert_eq!(body["error"]["code"], "totp_required");
        assert_eq!(
            api.get(server.url("/api/v1/me"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::UNAUTHORIZED
        );
        let with = api
            .post(server.url("/api/v1/session"))
            .json(&json!({"login": "member", "password": PASSWORD, "totp": mfa::code_at(&secret, now_unix() + 30)}))
            .send()
            .await
            .unwrap();
        assert_eq!(with.status(), StatusCode::OK);
        assert_eq!(
            api.get(server.url("/api/v1/me"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );
        server.stop().await;
});
