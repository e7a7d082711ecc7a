//! Sign-in, sessions, lockout, MFA, CSRF and API access over real HTTP, on both backends.

use mamori_domain::mfa::{self, TotpSecret};
use mamori_domain::user::Role;
use mamori_store::audit;
use mamori_testkit::{PASSWORD, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

async fn actions(server: &TestServer) -> Vec<String> {
    audit::recent(&server.store, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

async fn post_login(
    server: &TestServer,
    client: &reqwest::Client,
    login: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(server.url("/login"))
        .form(&[("login", login), ("password", password)])
        .send()
        .await
        .unwrap()
}

/// The text between `start` and the next `<` in `html`.
fn text_after<'a>(html: &'a str, start: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in page"))
        + start.len();
    &html[from..from + html[from..].find('<').unwrap()]
}

fn csrf_of(html: &str) -> String {
    text_after(html, "name=\"csrf\" value=\"")
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

mamori_testkit::backend_test!(async fn failed_sign_ins_reveal_nothing_and_lock_the_login_after_five(backend) {
        let server = TestServer::start(backend).await;
        let (_, admin) = server.user_client("admin", Role::Admin).await;
        let member = server.add_user("member", Role::User).await;
        let client = server.client();

        let unknown = post_login(&server, &client, "nobody", "whatever at all").await;
        let unknown_status = unknown.status();
        let unknown_page = unknown.text().await.unwrap();
        let wrong = post_login(&server, &client, "member", "not the password").await;
        assert_eq!(unknown_status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            wrong.status(),
            unknown_status,
            "same answer for an unknown login"
        );
        let wrong_page = wrong.text().await.unwrap();
        let message = "ログインできませんでした。";
        assert!(unknown_page.contains(message) && wrong_page.contains(message));
        assert!(
            !wrong_page.contains("not the password"),
            "the password is not echoed"
        );

        for _ in 0..4 {
            post_login(&server, &client, "member", "not the password").await;
        }
        assert!(actions(&server).await.contains(&"auth.lockout".to_owned()));
        let locked = post_login(&server, &client, "member", PASSWORD).await;
        assert_eq!(
            locked.status(),
            StatusCode::UNAUTHORIZED,
            "locked: even the right password fails"
        );
        assert!(
            locked.text().await.unwrap().contains(message),
            "and it looks the same"
        );

        let page = server.text(&admin, "/admin/security").await;
        assert!(page.contains("member"), "the administrator sees the lock");
        let lifted = admin
            .post(server.url(&format!("/admin/security/lockouts/{member}/lift")))
            .form(&[("csrf", csrf_of(&page))])
            .send()
            .await
            .unwrap();
        assert_eq!(lifted.status(), StatusCode::SEE_OTHER);
        assert!(
            actions(&server)
                .await
                .contains(&"auth.lockout_lifted".to_owned())
        );
        assert_eq!(
            post_login(&server, &client, "member", PASSWORD)
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            audit::verify(&server.store).await.unwrap().first_break,
            None
        );
        server.stop().await;
});

mamori_testkit::backend_test!(async fn sign_in_attempts_are_limited_per_client_address(backend) {
        let server = TestServer::start_configured(backend, |c| c.sign_in_rate = 3).await;
        server.add_user("member", Role::User).await;
        let client = server.client();
        for login in ["a1", "a2", "a3"] {
            assert_eq!(
                post_login(&server, &client, login, "x").await.status(),
                StatusCode::UNAUTHORIZED
            );
        }
        // Whatever login is tried next, this address must wait.
        let limited = post_login(&server, &client, "member", PASSWORD).await;
        assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(limited.text().await.unwrap().contains("試行が多すぎます"));
        server.stop().await;
});

mamori_testkit::backend_test!(async fn sessions_rotate_expire_and_end_on_the_server(backend) {
        let server = TestServer::start(backend).await;
        server.add_user("member", Role::User).await;
        let first = post_login(&server, &server.client(), "member", PASSWORD).await;
        let cookie = first.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
        assert!(!cookie.contains("Secure"), "plain HTTP here");
        let second = post_login(&server, &server.client(), "member", PASSWORD).await;
        assert_ne!(
            cookie,
            second.headers()["set-cookie"].to_str().unwrap(),
            "a new id at every sign-in"
        );

        // Two devices; the first ends the second's session.
        let a = server.sign_in("member").await;
        let b = server.sign_in("member").await;
        let page = server.text(&a, "/account/sessions").await;
        assert!(page.contains("この端末"));
        let sessions = mamori_store::sessions::list_for_user(&server.store, 1)
            .await
            .unwrap();
        assert_eq!(sessions.len(), 4);
        let b_id = sessions.iter().map(|s| s.id).max().unwrap();
        let ended = a
            .post(server.url(&format!("/account/sessions/{b_id}/end")))
            .form(&[("csrf", csrf_of(&page))])
            .send()
            .await
            .unwrap();
        assert_eq!(ended.status(), StatusCode::SEE_OTHER);
        let b_home = b.get(server.url("/account")).send().await.unwrap();
        assert_eq!(b_home.status(), StatusCode::SEE_OTHER);
        assert!(
            b_home.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/login")
        );
        assert_eq!(
            a.get(server.url("/account")).send().await.unwrap().status(),
            StatusCode::OK
        );

        // Idle and absolute timeouts, by ageing the stored times.
        for column in ["last_seen_at", "created_at"] {
            let c = server.sign_in("member").await;
            assert_eq!(
                c.get(server.url("/account")).send().await.unwrap().status(),
                StatusCode::OK
            );
            server
                .db
                .execute(&format!(
                    "UPDATE sessions SET {column} = '2020-01-01T00:00:00Z'"
                ))
                .await;
            let expired = c.get(server.url("/account")).send().await.unwrap();
            assert_eq!(expired.status(), StatusCode::SEE_OTHER, "{column}");
        }

        // Sign-out ends the session on the server: the old cookie no longer works.
        let d = server.sign_in("member").await;
        let page = server.text(&d, "/account").await;
        let out = d
            .post(server.url("/logout"))
            .form(&[("csrf", csrf_of(&page))])
            .send()
            .await
            .unwrap();
        assert!(
            out.headers()["set-cookie"]
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
        let replay = server
            .client()
            .get(server.url("/account"))
            .header("cookie", cookie.split(';').next().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(replay.status(), StatusCode::SEE_OTHER);
        assert!(actions(&server).await.contains(&"auth.sign_out".to_owned()));
        server.stop().await;
});

mamori_testkit::backend_test!(async fn a_reset_password_must_be_changed_before_anything_else(backend) {
        let server = TestServer::start(backend).await;
        let id = server.add_user("member", Role::User).await;
        let hash = mamori_store::password::hash(PASSWORD).await.unwrap();
        let mut tx = server
            .store
            .write(mamori_store::Actor::system("test"))
            .await
            .unwrap();
        mamori_store::users::set_password(&mut tx, id, &hash, true, "user.password_reset")
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let client = server.client();
        let signed = post_login(&server, &client, "member", PASSWORD).await;
        assert_eq!(signed.headers()["location"], "/account/password");
        let elsewhere = client
            .get(server.url("/account/tokens"))
            .send()
            .await
            .unwrap();
        assert_eq!(elsewhere.headers()["location"], "/account/password");
        let page = server.text(&client, "/account/password").await;
        assert!(page.contains("パスワードをリセットしました"));
        let csrf = csrf_of(&page);
        let short = client
            .post(server.url("/account/password"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("current", PASSWORD),
                ("password", "short"),
                ("password_confirm", "short"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let new_password = "a brand new passphrase";
        let changed = client
            .post(server.url("/account/password"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("current", PASSWORD),
                ("password", new_password),
                ("password_confirm", new_password),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(changed.status(), StatusCode::SEE_OTHER);
        assert_eq!(changed.headers()["location"], "/");
        assert_eq!(
            client
                .get(server.url("/account/tokens"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );
        assert_eq!(
            post_login(&server, &server.client(), "member", new_password)
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
        assert!(
            actions(&server)
                .await
                .contains(&"user.password_change".to_owned())
        );
        server.stop().await;
});

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

mamori_testkit::backend_test!(async fn cross_site_posts_are_refused_and_recorded(backend) {
        let server = TestServer::start(backend).await;
        let (_, client) = server.user_client("member", Role::User).await;
        let page = server.text(&client, "/account/tokens").await;
        let csrf = csrf_of(&page);
        let post = |name: &'static str| {
            client
                .post(server.url("/account/tokens"))
                .form(&[("name", name)])
        };

        let cross_site = post("x")
            .header("sec-fetch-site", "cross-site")
            .send()
            .await
            .unwrap();
        assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
        let same_site = post("x")
            .header("sec-fetch-site", "same-site")
            .send()
            .await
            .unwrap();
        assert_eq!(
            same_site.status(),
            StatusCode::FORBIDDEN,
            "another port or subdomain is not this origin"
        );
        let foreign_origin = post("x")
            .header("origin", "http://evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(foreign_origin.status(), StatusCode::FORBIDDEN);
        let bare = post("x").send().await.unwrap();
        assert_eq!(
            bare.status(),
            StatusCode::FORBIDDEN,
            "no headers and no token"
        );
        let forged = client
            .post(server.url("/account/tokens"))
            .form(&[("name", "x"), ("csrf", "0".repeat(64).as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        assert!(
            forged
                .text()
                .await
                .unwrap()
                .contains("別のサイトから送信された")
        );
        assert!(
            mamori_store::tokens::list_for_user(&server.store, 1)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            actions(&server)
                .await
                .iter()
                .filter(|a| *a == "access.csrf_refused")
                .count(),
            5
        );

        let with_token = client
            .post(server.url("/account/tokens"))
            .form(&[("name", "with the form token"), ("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(with_token.status(), StatusCode::CREATED);
        let same_origin = post("same origin")
            .header("sec-fetch-site", "same-origin")
            .send()
            .await
            .unwrap();
        assert_eq!(same_origin.status(), StatusCode::CREATED);
        let origin = post("origin")
            .header("origin", &server.base)
            .send()
            .await
            .unwrap();
        assert_eq!(origin.status(), StatusCode::CREATED);
        server.stop().await;
});

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
