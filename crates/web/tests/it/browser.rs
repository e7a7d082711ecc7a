//! A real browser (Debian's headless Chromium, driven over WebDriver) signs in through
//! the real login page, enrols TOTP, signs out, and is refused a cross-site form POST.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mamori_domain::mfa::{self, TotpSecret};
use mamori_domain::user::Role;
use mamori_testkit::{PASSWORD, TestServer, backends};
use serde_json::{Value, json};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// A chromedriver process, stopped on drop.
struct Driver {
    child: Child,
    base: String,
    session: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Driver {
    async fn start() -> Driver {
        assert!(
            std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists(),
            "the browser test needs Debian's chromium and chromium-driver (./scripts/test installs them)"
        );
        let port = free_port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = http.get(format!("{base}/status")).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-quic".to_owned(),
            "--accept-lang=ja".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let created: Value = http
            .post(format!("{base}/session"))
            .json(&json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {"binary": CHROMIUM, "args": args}
            }}}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {created}"))
            .to_owned();
        Driver {
            child,
            base,
            session,
            http,
            _profile: profile,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let request = self.http.request(method, url);
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        let value: Value = request.send().await.unwrap().json().await.unwrap();
        assert!(value["value"]["error"].is_null(), "{path}: {value}");
        value["value"].clone()
    }

    async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    async fn find(&self, css: &str) -> String {
        let found = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        found
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/click"),
            Some(json!({})),
        )
        .await;
    }

    async fn text(&self, css: &str) -> String {
        let element = self.find(css).await;
        self.call(
            reqwest::Method::GET,
            &format!("/element/{element}/text"),
            None,
        )
        .await
        .as_str()
        .unwrap()
        .to_owned()
    }

    async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn path(&self) -> String {
        let url = self
            .call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap()
            .to_owned();
        let after_host = url.splitn(4, '/').nth(3).unwrap_or("");
        format!("/{after_host}")
    }

    /// Waits until the page's source contains `needle` (a page still loading on a busy
    /// machine), and fails showing the page it got.
    async fn wait_for_source(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let source = self.source().await;
            if source.contains(needle) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{needle} not on {}: {source}",
                self.path().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the page's path is `path` (form submissions navigate asynchronously).
    async fn wait_for_path(&self, path: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.path().await != path {
            assert!(
                Instant::now() < deadline,
                "still on {} instead of {path}",
                self.path().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

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

#[tokio::test]
async fn a_browser_signs_in_enrols_totp_signs_out_and_is_refused_a_cross_site_post() {
    for backend in backends() {
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
}

impl Driver {
    /// Signs in through the real page as `login` and waits for the home page.
    async fn sign_in(&self, server: &TestServer, login: &str) {
        self.goto(&server.url("/login")).await;
        self.wait_for_path("/login").await;
        self.type_into("#login", login).await;
        self.type_into("#password", PASSWORD).await;
        self.click("form.form button[type=submit]").await;
        self.wait_for_path("/").await;
    }

    async fn sign_out(&self) {
        self.click("form.sign-out button").await;
        self.wait_for_path("/login").await;
    }
}

/// The approval flow by clicking (issue 13, item 2): the security officer sends a saved
/// draft to the CISO by name with a note; the CISO finds it on her home page (the
/// count on ホーム says so), opens it and sends it back with a reason; the officer finds
/// it returned on his home page with the reason.
#[tokio::test]
async fn a_draft_is_sent_to_the_ciso_and_returned_by_clicking() {
    for backend in backends() {
        let server = TestServer::start(backend).await;
        server.add_user("officer", Role::SecurityOfficer).await;
        let gicho = server.add_user("gicho", Role::User).await;
        mamori_testkit::fixtures_policies::give_posts(
            &server,
            gicho,
            &[mamori_domain::user::OrgRole::Ciso],
        )
        .await;
        let (_, editor) = server.web_as("kyoku", Role::SecurityOfficer).await;
        let draft = mamori_testkit::fixtures_start::saved_draft(
            &editor,
            &mamori_testkit::fixtures_policies::seed(),
        )
        .await;
        let browser = Driver::start().await;

        browser.sign_in(&server, "officer").await;
        browser.goto(&server.url(&draft)).await;
        browser.wait_for_source("決裁に回す").await;
        browser
            .click(&format!("#decider option[value=\"{gicho}\"]"))
            .await;
        browser
            .type_into("#request_note", "第4条を改めました")
            .await;
        browser
            .click(&format!(
                "form[action=\"{draft}/send\"] button[type=submit]"
            ))
            .await;
        browser.wait_for_source("決裁待ち").await;
        browser.sign_out().await;

        browser.sign_in(&server, "gicho").await;
        browser.wait_for_source("あなたの決裁待ち").await;
        assert!(
            browser.source().await.contains("対応待ち"),
            "the count on ホーム"
        );
        browser.click("a[href^=\"/approvals/\"]").await;
        browser.wait_for_source("第4条を改めました").await;
        browser.click("#decision-return").await;
        browser
            .type_into("#reason", "附則の施行日を確認してください")
            .await;
        browser
            .click("form[action$=\"/decide\"] button[type=submit]")
            .await;
        // Decided: the page comes back without the form.
        let deadline = Instant::now() + Duration::from_secs(10);
        while browser.source().await.contains("/decide\"") {
            assert!(Instant::now() < deadline, "still deciding");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        browser.sign_out().await;

        browser.sign_in(&server, "officer").await;
        browser
            .wait_for_source("差し戻された・却下された申請")
            .await;
        assert!(
            browser
                .source()
                .await
                .contains("附則の施行日を確認してください")
        );
        drop(browser);
        server.stop().await;
    }
}
