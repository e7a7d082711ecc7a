//! Crash safety: the server is killed with SIGKILL while eight clients write at once; after
//! a restart every write it acknowledged is there with its audit entry, and the audit
//! chain holds — on SQLite and on PostgreSQL.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};

use super::*;

const WRITERS: usize = 8;
/// How long the clients write before the kill: long enough for a few hundred writes.
const WRITING: Duration = Duration::from_millis(1500);

/// A client with its own cookie jar, signed in as `login`.
async fn signed_in(base: &str, login: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("HTTP client");
    let started = client
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"login": login, "password": PASSWORD}))
        .send()
        .await
        .expect("sign in");
    assert_eq!(started.status(), 200, "{:?}", started.text().await);
    client
}

/// Creates assets until the server stops answering; returns those acknowledged (2xx with
/// an id), by id.
async fn write_until_refused(
    client: reqwest::Client,
    base: String,
    writer: usize,
    killed: Arc<AtomicBool>,
) -> BTreeMap<i64, String> {
    let mut acknowledged = BTreeMap::new();
    for n in 0.. {
        let name = format!("書き込み{writer}-{n}");
        let body = json!({"name": name, "category": "ア", "form": "電子",
            "holder_type": "議会事務局", "confidentiality": "2", "integrity": "2",
            "availability": "2"});
        let sent = client
            .post(format!("{base}/api/v1/assets"))
            .header("origin", &base)
            .json(&body)
            .send()
            .await;
        let Ok(response) = sent else { break };
        if !response.status().is_success() {
            assert!(
                killed.load(Ordering::SeqCst),
                "refused: {}",
                response.status()
            );
            break;
        }
        let Ok(created) = response.json::<Value>().await else {
            break;
        };
        let id = created["id"].as_i64().expect("the new asset's id");
        acknowledged.insert(id, name);
    }
    acknowledged
}

#[test]
fn every_acknowledged_write_survives_sigkill_and_the_chain_holds() {
    for backend in backends() {
        let site = Site::new(backend);
        site.add_user("kanri.crash", "security_officer").success();
        let mut server = site.serve(&[]);
        server.wait_healthy(backend);
        let base = server.base.clone();

        let killed = Arc::new(AtomicBool::new(false));
        let acknowledged = block_on(async {
            let mut writers = Vec::new();
            for writer in 0..WRITERS {
                let client = signed_in(&base, "kanri.crash").await;
                writers.push(tokio::spawn(write_until_refused(
                    client,
                    base.clone(),
                    writer,
                    Arc::clone(&killed),
                )));
            }
            tokio::time::sleep(WRITING).await;
            killed.store(true, Ordering::SeqCst);
            let sent = Command::new("kill")
                .args(["-KILL", &server.child.id().to_string()])
                .status()
                .expect("run kill");
            assert!(sent.success(), "kill -KILL");
            let mut all = BTreeMap::new();
            for writer in writers {
                all.extend(writer.await.expect("writer"));
            }
            all
        });
        let status = server.child.wait_for(STOP_TIMEOUT).expect("killed");
        assert_eq!(
            status.code(),
            None,
            "{backend:?}: ended by the signal, {status}"
        );
        assert!(
            acknowledged.len() >= WRITERS * 5,
            "{backend:?}: only {} writes before the kill",
            acknowledged.len()
        );
        drop(server);

        // Restarted: every acknowledged asset is there as written, with its entry.
        let mut again = site.serve(&[]);
        again.wait_healthy(backend);
        let (found, entries) = block_on(async {
            let client = signed_in(&again.base, "kanri.crash").await;
            let mut found = 0;
            for (id, name) in &acknowledged {
                let asset: Value = client
                    .get(again.url(&format!("/api/v1/assets/{id}")))
                    .send()
                    .await
                    .expect("GET asset")
                    .json()
                    .await
                    .expect("asset JSON");
                assert_eq!(asset["name"], name.as_str(), "{backend:?}: asset {id}");
                found += 1;
            }
            // Each acknowledged asset's creation entry, read back through the API.
            let mut entries = std::collections::BTreeSet::new();
            for page in 1.. {
                let listed: Value = client
                    .get(again.url(&format!(
                        "/api/v1/audit?action=asset.create&per_page=200&page={page}"
                    )))
                    .send()
                    .await
                    .expect("GET audit")
                    .json()
                    .await
                    .expect("audit JSON");
                let items = listed["items"].as_array().expect("items").clone();
                if items.is_empty() {
                    break;
                }
                entries.extend(
                    items
                        .iter()
                        .filter_map(|e| e["target_id"].as_str()?.parse::<i64>().ok()),
                );
            }
            (found, entries)
        });
        assert_eq!(found, acknowledged.len());
        let without: Vec<&i64> = acknowledged
            .keys()
            .filter(|id| !entries.contains(id))
            .collect();
        assert!(
            without.is_empty(),
            "{backend:?}: no audit entry for {without:?}"
        );
        eprintln!("{backend:?}: {found} acknowledged writes found after SIGKILL");
        again.stop_cleanly("TERM");
        // The whole chain, checked by the real command.
        assert!(site.audit_entries() > acknowledged.len() as u64);
    }
}
