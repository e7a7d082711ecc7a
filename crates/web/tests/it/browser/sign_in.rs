//! A real browser signs in through the real login page, enrols TOTP, signs out, and is
//! refused a cross-site form POST.

use std::time::{Duration, Instant};

use mamori_domain::mfa::{self, TotpSecret};
use mamori_domain::user::Role;
use mamori_testkit::{PASSWORD, TestServer, backend_test};

use super::driver::Driver;

fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A page on another origin that posts a form to mamori as soon as it loads.
async fn attacker_site(target: String) -> String {
    let page = format!(
        "<!doctype html><html><body>\
         <form id=f method=post action=\"{target}/account/tokens\">\
         <input name=name value=stolen></form>\
         <script>document.getElementById('f').submit()</script></body></html>"
    );
    let app = axum::Router::new().route(
        "/",
        axum::routing::get(move || {
            let page = page.clone();
            async move { axum::response::Html(page) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{address}/")
}

backend_test!(
    async fn a_browser_signs_in_enrols_totp_signs_out_and_is_refused_a_cross_site_post(backend) {
        let server = TestServer::start(backend).await;
        let user_id = server.add_user("member", Role::User).await;
        let browser = Driver::start().await;

        // Sign in through the real page.
        browser.goto(&server.url("/account")).await;
        browser.wait_for_path("/login?next=/account").await;
        browser.type_into("#login", "member").await;
        browser.type_into("#password", PASSWORD).await;
        browser.click("form.form button[type=submit]").await;
        browser.wait_for_path("/account").await;
        assert!(browser.source().await.contains("アカウント"));

        // Enrol TOTP: the QR code is on the page; the key is typed as a person would.
        browser.goto(&server.url("/account/mfa")).await;
        browser.wait_for_source("<svg").await;
        let secret = TotpSecret::from_base32(&browser.text("#totp-secret").await).unwrap();
        browser
            .type_into("#code", &mfa::code_at(&secret, now_unix()))
            .await;
        browser.click("form.form button[type=submit]").await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while !browser.source().await.contains("recovery-codes") {
            assert!(Instant::now() < deadline, "no recovery codes shown");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        // Sign out with the header button.
        browser.click("form.sign-out button").await;
        browser.wait_for_path("/login").await;
        browser.goto(&server.url("/account")).await;
        browser.wait_for_path("/login?next=/account").await;

        // Sign in again: password, then the code from the app.
        browser.type_into("#login", "member").await;
        browser.type_into("#password", PASSWORD).await;
        browser.click("form.form button[type=submit]").await;
        browser.wait_for_path("/login/mfa").await;
        browser
            .type_into("#code", &mfa::code_at(&secret, now_unix() + 30))
            .await;
        browser.click("form.form button[type=submit]").await;
        browser.wait_for_path("/").await;

        // Another site (another port: same site, other origin) posts a form to mamori
        // with the browser's session cookie; mamori refuses it.
        let attacker = attacker_site(server.base.clone()).await;
        browser.goto(&attacker).await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while !browser.source().await.contains("別のサイトから送信された") {
            assert!(
                Instant::now() < deadline,
                "no refusal page: {}",
                browser.source().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(
            mamori_store::tokens::list_for_user(&server.store, user_id)
                .await
                .unwrap()
                .is_empty()
        );
        let trail = mamori_store::audit::recent(&server.store, 100)
            .await
            .unwrap();
        assert!(trail.iter().any(|e| e.action == "access.csrf_refused"));
        drop(browser);
        server.stop().await;
    }
);
