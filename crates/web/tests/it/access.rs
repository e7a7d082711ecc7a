//! Walks every route of the router for a signed-out visitor and for each role, and
//! compares what happens with the table in `access.toml`.

use std::collections::BTreeMap;

use mamori_domain::user::Role;
use mamori_testkit::{TestServer, backends};
use reqwest::{Method, StatusCode};

const PRINCIPALS: [&str; 6] = [
    "anonymous",
    "admin",
    "security_officer",
    "user",
    "auditor",
    "contractor",
];

#[derive(serde::Deserialize)]
struct Table {
    route: Vec<Row>,
}

#[derive(serde::Deserialize)]
struct Row {
    method: String,
    path: String,
    #[serde(flatten)]
    outcomes: BTreeMap<String, String>,
}

impl Row {
    fn expected(&self, principal: &str) -> Option<&str> {
        let specific = self.outcomes.get(principal);
        let signed_in = (principal != "anonymous")
            .then(|| self.outcomes.get("signed_in"))
            .flatten();
        specific
            .or(signed_in)
            .or(self.outcomes.get("all"))
            .map(String::as_str)
    }
}

fn table() -> Table {
    toml::from_str(include_str!("access.toml")).expect("access.toml is valid")
}

#[test]
fn every_route_has_an_entry_for_everyone() {
    let table = table();
    let routed: Vec<(String, String)> = mamori_web::routes()
        .into_iter()
        .map(|(m, p, _)| (m.to_string(), p.to_owned()))
        .collect();
    for (method, path) in &routed {
        let row = table
            .route
            .iter()
            .find(|r| &r.method == method && &r.path == path)
            .unwrap_or_else(|| panic!("{method} {path} has no entry in access.toml"));
        for principal in PRINCIPALS {
            let expected = row
                .expected(principal)
                .unwrap_or_else(|| panic!("{method} {path}: no outcome for {principal}"));
            assert!(
                ["allowed", "login", "denied"].contains(&expected),
                "{method} {path}: unknown outcome {expected}"
            );
        }
    }
    for row in &table.route {
        assert!(
            routed
                .iter()
                .any(|(m, p)| m == &row.method && p == &row.path),
            "access.toml lists {} {}, which the router does not have",
            row.method,
            row.path
        );
    }
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_table_says() {
    let table = table();
    for backend in backends() {
        let server = TestServer::start(backend).await;
        // {id} in a path is 1: the fixture user, its session and its API token, made
        // first so they get that id — always somebody else's record for the callers.
        let fixture = server.add_user("fixture.user", Role::User).await;
        let _fixture_client = server.sign_in("fixture.user").await;
        let mut tx = server
            .store
            .write(mamori_store::Actor::system("test"))
            .await
            .unwrap();
        let (token_id, _) = mamori_store::tokens::create(&mut tx, fixture, "fixture")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!((fixture, token_id), (1, 1));
        let mut clients = vec![("anonymous", server.client())];
        for (name, role) in [
            ("admin", Role::Admin),
            ("security_officer", Role::SecurityOfficer),
            ("user", Role::User),
            ("auditor", Role::Auditor),
            ("contractor", Role::Contractor),
        ] {
            let (_, client) = server.user_client(name, role).await;
            clients.push((name, client));
        }
        // Signing out ends the session the other calls ride on: walk it last.
        let mut routes = mamori_web::routes();
        routes.sort_by_key(|(method, path, _)| match (method.as_str(), *path) {
            ("DELETE", "/api/v1/session") => 1,
            (_, "/logout") => 2,
            _ => 0,
        });
        let mut failures = Vec::new();
        for (method, path, _) in &routes {
            let row = table
                .route
                .iter()
                .find(|r| r.method == method.as_str() && r.path == *path)
                .expect("checked by every_route_has_an_entry_for_everyone");
            let url = server.url(
                &path
                    .replace("{id}", &fixture.to_string())
                    .replace("{vid}", "1")
                    .replace("{reference}", "1"),
            );
            for (principal, client) in &clients {
                let expected = row.expected(principal).unwrap_or("missing");
                let denials_before = denials(&server).await;
                let request = client.request(
                    Method::from_bytes(method.as_str().as_bytes()).unwrap(),
                    &url,
                );
                let request = if *method == Method::GET {
                    request
                } else {
                    request
                        .header("origin", &server.base)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body("")
                };
                let response = request.send().await.unwrap();
                let status = response.status();
                let to_login = status == StatusCode::SEE_OTHER
                    && response.headers()["location"]
                        .to_str()
                        .unwrap()
                        .starts_with("/login");
                let actual = if status == StatusCode::FORBIDDEN {
                    "denied"
                } else if status == StatusCode::UNAUTHORIZED || to_login {
                    "login"
                } else {
                    "allowed"
                };
                if status.is_server_error() {
                    failures.push(format!("{method} {path} as {principal}: {status}"));
                }
                if actual != expected {
                    failures.push(format!(
                        "{method} {path} as {principal}: expected {expected}, got {actual} ({status})"
                    ));
                }
                if actual == "denied" && denials(&server).await <= denials_before {
                    failures.push(format!(
                        "{method} {path} as {principal}: denial not audited"
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{backend:?}:\n{}", failures.join("\n"));
        server.stop().await;
    }
}

async fn denials(server: &TestServer) -> usize {
    mamori_store::audit::recent(&server.store, 100_000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "access.denied")
        .count()
}
