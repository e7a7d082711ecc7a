//! Sign-in, sessions, lockout, a reset password and CSRF over real HTTP, on both backends.
//! Two-factor authentication is in `security_mfa`, API access in `security_api`.

use mamori_domain::user::Role;
use mamori_store::audit;
use mamori_testkit::{PASSWORD, TestServer};
use reqwest::StatusCode;

pub(super) async fn actions(server: &TestServer) -> Vec<String> {
    audit::recent(&server.store, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

pub(super) async fn post_login(
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
pub(super) fn text_after<'a>(html: &'a str, start: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in page"))
        + start.len();
    &html[from..from + html[from..].find('<').unwrap()]
}

pub(super) fn csrf_of(html: &str) -> String {
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
