//! A WebDriver client for Debian's headless Chromium: just the calls the browser tests
//! make (go to, find, type, click, read the page, wait).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// WebDriver's key codes for the keys a keyboard-only person uses.
pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";
pub const SHIFT: &str = "\u{E008}";
pub const SPACE: &str = "\u{E00D}";

/// A chromedriver process, stopped on drop.
pub struct Driver {
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
    pub async fn start() -> Driver {
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

    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
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

    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    pub async fn find(&self, css: &str) -> String {
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

    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/click"),
            Some(json!({})),
        )
        .await;
    }

    pub async fn text(&self, css: &str) -> String {
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

    pub async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn path(&self) -> String {
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
    pub async fn wait_for_source(&self, needle: &str) {
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
    pub async fn wait_for_path(&self, path: &str) {
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

    /// Runs `script` in the page (its `return` value comes back).
    pub async fn execute(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// Runs `script` in the page and waits for it to call its last argument (the
    /// callback WebDriver passes); what it passes comes back.
    pub async fn execute_async(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// Sets the browser window's outer size in CSS pixels (a tablet held upright is
    /// 820 wide); the page's own width is what `window.innerWidth` then says.
    pub async fn set_window_size(&self, width: u32, height: u32) {
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .await;
    }

    /// Presses `keys` one after the other, as a keyboard would (WebDriver key codes such
    /// as [`TAB`] or plain characters), with `modifier` (e.g. [`SHIFT`]) held when given.
    pub async fn press(&self, keys: &[&str], modifier: Option<&str>) {
        let mut actions = Vec::new();
        if let Some(held) = modifier {
            actions.push(json!({"type": "keyDown", "value": held}));
        }
        for key in keys {
            actions.push(json!({"type": "keyDown", "value": key}));
            actions.push(json!({"type": "keyUp", "value": key}));
        }
        if let Some(held) = modifier {
            actions.push(json!({"type": "keyUp", "value": held}));
        }
        self.call(
            reqwest::Method::POST,
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        )
        .await;
    }

    /// Types `text` with key events into whatever has the focus.
    pub async fn type_keys(&self, text: &str) {
        let keys: Vec<String> = text.chars().map(String::from).collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        self.press(&keys, None).await;
    }

    /// How many elements match `css` (0 when none: no waiting, no failure).
    pub async fn count(&self, css: &str) -> usize {
        self.call(
            reqwest::Method::POST,
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        )
        .await
        .as_array()
        .map_or(0, Vec::len)
    }

    /// Prints the page with WebDriver's Print Page command on A4 (21.0 × 29.7 cm) in
    /// `orientation` ("portrait" or "landscape"), at 100% and with the page's own
    /// margins and page sizes: the PDF's bytes.
    pub async fn print_pdf(&self, orientation: &str) -> Vec<u8> {
        use base64::Engine as _;
        let encoded = self
            .call(
                reqwest::Method::POST,
                "/print",
                Some(json!({
                    "orientation": orientation,
                    "page": {"width": 21.0, "height": 29.7},
                    "scale": 1.0,
                    "shrinkToFit": false,
                })),
            )
            .await;
        base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().expect("a base64 PDF"))
            .expect("the PDF decodes")
    }

    /// Signs in through the login page and waits for the home page.
    pub async fn sign_in(&self, base: &str, login: &str, password: &str) {
        self.goto(&format!("{base}/login")).await;
        // Under load the form may not be there the moment navigation returns.
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.count("#login").await == 0 {
            assert!(
                Instant::now() < deadline,
                "no sign-in form: {}",
                self.source().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.type_into("#login", login).await;
        self.type_into("#password", password).await;
        self.click("form.form button[type=submit]").await;
        self.wait_for_path("/").await;
    }

    /// Signs out with the header button.
    pub async fn sign_out(&self) {
        self.click("form.sign-out button").await;
        self.wait_for_path("/login").await;
    }

    /// The vertical position of the first element matching `css` in the page.
    pub async fn top_of(&self, css: &str) -> f64 {
        let script = format!(
            "const e = document.querySelector({}); \
             return e ? e.getBoundingClientRect().top + window.scrollY : null;",
            serde_json::to_string(css).unwrap()
        );
        self.execute(&script)
            .await
            .as_f64()
            .unwrap_or_else(|| panic!("{css} is not on the page"))
    }

    /// The vertical position of the last innermost element whose text holds `needle`.
    pub async fn top_of_text(&self, needle: &str) -> f64 {
        let script = format!(
            "const all = [...document.querySelectorAll('main *')] \
             .filter(e => e.children.length === 0 && e.textContent.includes({})); \
             const e = all[all.length - 1]; \
             return e ? e.getBoundingClientRect().top + window.scrollY : null;",
            serde_json::to_string(needle).unwrap()
        );
        self.execute(&script)
            .await
            .as_f64()
            .unwrap_or_else(|| panic!("{needle} is not on the page"))
    }
}
