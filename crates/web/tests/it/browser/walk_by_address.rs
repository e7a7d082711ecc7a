//! The pages of the route table that no link of the assembly in use leads to, reached as
//! a person gets there: first-run setup on a new installation, the second step of
//! signing in, an import's preview and its record, and the comparisons of two policy
//! versions and of two frozen analyses.
//! The walk checks each of them like every other page.

use mamori_domain::user::Role;
use mamori_testkit::fixtures_people::with_mfa;
use mamori_testkit::{PASSWORD, TestServer, Web};
use serde_json::Value;

use super::driver::Driver;

/// A small register as the secretariat keeps it: enough for a preview and a record.
const REGISTER: &str = "\
資産名,分類,形態,保有者区分,機密性,完全性,可用性,保存期間\r
委員会記録（令和8年）,イ,紙,議会事務局,2,2,1,10年\r
事務局共用パソコン,ア,電子,議会事務局,2,2,2,更新まで\r
";

/// Visits each page with `check` (which returns its problems); returns the paths seen
/// and the problems found, each named by its page.
pub(super) async fn walk_by_address<F, Fut>(
    server: &TestServer,
    browser: &Driver,
    check: F,
) -> (Vec<String>, Vec<String>)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Vec<String>>,
{
    let mut seen = Vec::new();
    let mut failures = Vec::new();
    let mut visit = async |who: &str, path: String| {
        failures.extend(
            check()
                .await
                .into_iter()
                .map(|p| format!("{who} {path}: {p}")),
        );
        seen.push(path);
    };

    // First-run setup, on an installation of its own that nobody has set up yet.
    let fresh = TestServer::start(server.db.backend).await;
    let token = fresh.setup_token().await;
    browser
        .goto(&fresh.url(&format!("/setup?token={token}")))
        .await;
    browser.wait_for_source("name=\"token\"").await;
    visit("(new installation)", "/setup".to_owned()).await;
    fresh.stop().await;

    // The officer: an import staged (its preview), then confirmed (its record); the
    // basic policy's versions compared.
    let officer = server.sign_in("officer").await;
    let staged: Value = Web {
        server,
        client: officer.clone(),
    }
    .post_multipart(
        "/api/v1/assets/imports",
        &[],
        Some(("台帳.csv", REGISTER.as_bytes())),
    )
    .await
    .json()
    .await
    .expect("staged");
    let token = staged["token"].as_str().expect("a staged token").to_owned();
    browser.sign_in(&server.base, "officer", PASSWORD).await;
    let preview = format!("/assets/import/preview?token={token}");
    browser.goto(&server.url(&preview)).await;
    browser.wait_for_source("/assets/import/confirm").await;
    visit("officer", preview).await;
    let done: Value = officer
        .post(server.url(&format!("/api/v1/assets/imports/staged/{token}/confirm")))
        .header("origin", &server.base)
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("confirm")
        .json()
        .await
        .expect("confirmed");
    let import_id = done["import_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{done}"));
    for path in [
        "/assets/imports".to_owned(),
        format!("/assets/imports/{import_id}"),
    ] {
        browser.goto(&server.url(&path)).await;
        visit("officer", path).await;
    }
    let policies: Value = officer
        .get(server.url("/api/v1/policies"))
        .send()
        .await
        .expect("policies")
        .json()
        .await
        .expect("policies JSON");
    let policy = policies["items"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{policies}"));
    let compare = format!("/policies/{policy}/compare");
    browser.goto(&server.url(&compare)).await;
    visit("officer", compare).await;
    // Two frozen analyses compared, through the form that leads there.
    browser.goto(&server.url("/risks/analyses")).await;
    browser
        .click("form[action=\"/risks/analyses/compare\"] button")
        .await;
    browser.wait_for_source("<h1").await;
    let compared = browser.path().await;
    assert!(
        compared.starts_with("/risks/analyses/compare?"),
        "{compared}"
    );
    visit("officer", compared).await;
    browser.goto(&server.url("/")).await;
    browser.sign_out().await;

    // The second step of signing in, for someone with a second factor.
    let id = server.add_user("walk.mfa", Role::User).await;
    with_mfa(server, id).await;
    browser.goto(&server.url("/login")).await;
    browser.type_into("#login", "walk.mfa").await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("form.form button[type=submit]").await;
    browser.wait_for_path("/login/mfa").await;
    visit("walk.mfa", "/login/mfa".to_owned()).await;
    browser.call(reqwest::Method::DELETE, "/cookie", None).await;
    (seen, failures)
}
