//! Fixtures of the plain-words tests: an account as an administrator makes it (its
//! password never changed since), which the store-level `add_user` does not give.

use crate::{PASSWORD, TestServer};
use mamori_domain::user::{Role, UserType};

/// A new account that must set its own password at its first sign-in (password
/// [`PASSWORD`], never changed: `password_changed_at` is empty), returning its id.
pub async fn add_new_account(server: &TestServer, login: &str, role: Role) -> i64 {
    server
        .add_account(login, role, UserType::Member, true)
        .await
}

/// An active account of an assembly member with `role`, password [`PASSWORD`], that
/// has already set its own password (unlike [`add_new_account`]), returning its id.
pub async fn add_member(server: &TestServer, login: &str, role: Role) -> i64 {
    let id = add_new_account(server, login, role).await;
    let hash = mamori_store::password::hash(PASSWORD).await.expect("hash");
    let mut tx = server
        .store
        .write(mamori_store::Actor::system("test"))
        .await
        .expect("write");
    mamori_store::users::set_password(&mut tx, id, &hash, false, "user.password_change")
        .await
        .expect("set password");
    tx.commit().await.expect("commit");
    id
}

/// Every page `client` reaches from the home page by following links on this site
/// (no API, downloads, static files or sign-out), breadth first, at most `limit`
/// pages: each path with its HTML.
pub async fn reachable_pages(
    server: &TestServer,
    client: &reqwest::Client,
    limit: usize,
) -> Vec<(String, String)> {
    let mut queue = std::collections::VecDeque::from([String::from("/")]);
    let mut seen = std::collections::BTreeSet::from([String::from("/")]);
    let mut pages = Vec::new();
    while let Some(path) = queue.pop_front() {
        if pages.len() >= limit {
            break;
        }
        let response = client.get(server.url(&path)).send().await.expect("GET");
        let html = response
            .headers()
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/html"));
        if !response.status().is_success() || !html {
            continue;
        }
        let body = response.text().await.expect("body");
        for link in links(&body) {
            if seen.insert(link.clone()) {
                queue.push_back(link);
            }
        }
        pages.push((path, body));
    }
    pages
}

/// The site-local links of a page worth walking, without their fragments.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|href| href.split('#').next().unwrap_or("").replace("&amp;", "&"))
        .filter(|href| href.starts_with('/') && !href.starts_with("//"))
        .filter(|href| {
            let skip = ["/api", "/static", "/logout", "/healthz"];
            !skip.iter().any(|s| href.starts_with(s))
                && ![".csv", ".xlsx", ".pdf", ".json", "/download", "/content"]
                    .iter()
                    .any(|s| href.contains(s))
        })
        .collect()
}
