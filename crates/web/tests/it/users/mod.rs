//! User management by administrators, on the pages and over the API, on SQLite and
//! PostgreSQL. The helpers every part shares are here; the tests are in the parts:
//! adding users, changing them, lists and who may see them, the API's own routes.

mod adding;
mod api;
mod changes;
mod lists;

use mamori_domain::user::{LoginId, OrgRole, Role, UserType};
use mamori_store::{Actor, audit, users};
use mamori_testkit::{PASSWORD, TestServer};
use reqwest::header::{ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};

/// Fields to change, the field that must show the error, and the message.
type BadInput<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);

/// A password that passes the rules, typed by the administrator.
const NEW_PASSWORD: &str = "chikuma river in spring";

/// Page POSTs come from this site, as a browser's would.
fn from_here(server: &TestServer, request: RequestBuilder) -> RequestBuilder {
    request.header("origin", &server.base)
}

async fn get_text(server: &TestServer, client: &Client, path: &str) -> (StatusCode, String) {
    let response = client.get(server.url(path)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

fn location(response: &Response) -> String {
    response.headers()[LOCATION].to_str().unwrap().to_owned()
}

/// An administrator signed in, and an API token of theirs.
async fn admin(server: &TestServer) -> (i64, Client, String) {
    let (id, client) = server.user_client("chief.admin", Role::Admin).await;
    let mut tx = server.store.write(Actor::system("test")).await.unwrap();
    let (_, token) = mamori_store::tokens::create(&mut tx, id, "test")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (id, client, token)
}

fn api(
    client: &Client,
    server: &TestServer,
    method: Method,
    path: &str,
    token: &str,
) -> RequestBuilder {
    client
        .request(method, server.url(path))
        .header(AUTHORIZATION, format!("Bearer {token}"))
}

/// Every user (active or not) and every audit entry: nothing may change on a refusal.
async fn counts(server: &TestServer) -> (i64, u64) {
    let (_, total) = users::list(&server.store, 1, 0).await.unwrap();
    let entries = audit::verify(&server.store).await.unwrap().entries;
    (total, entries)
}

async fn user_by_login(server: &TestServer, login: &str) -> users::User {
    users::find_by_login(&server.store, &LoginId::parse(login).unwrap())
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{login} exists"))
}

fn new_user_form<'a>(login: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("login", login),
        ("display_name", name),
        ("user_type", "member"),
        ("role", "user"),
        ("org_roles", "committee_member"),
        ("org_roles", "csirt_member"),
        ("password", NEW_PASSWORD),
        ("password_confirm", NEW_PASSWORD),
    ]
}

/// The edit form as the page would post it for `user`, with `overrides`.
fn edit_form<'a>(overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("display_name", "佐久 一郎"),
        ("user_type", "staff"),
        ("role", "user"),
        ("active", "1"),
    ];
    for (key, value) in overrides {
        form.retain(|(k, _)| k != key);
        form.push((key, value));
    }
    form
}

/// Signs in with `password` and returns where the sign-in sends the browser.
async fn sign_in_with(server: &TestServer, login: &str, password: &str) -> (StatusCode, String) {
    let response = server
        .client()
        .post(server.url("/login"))
        .form(&[("login", login), ("password", password)])
        .send()
        .await
        .unwrap();
    let status = response.status();
    let to = response
        .headers()
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, to)
}
