//! The home page's starting points (issue 13, items 1 and 3), over real HTTP on both
//! backends: the getting-started checklist ticked step by step from the data, closed
//! and reopened (with its audit entries), never shown to members; and the count of what
//! waits for a person, in the navigation and in the API.

use mamori_domain::user::Role;
use mamori_testkit::fixtures_policies::{ciso, published_seed};
use mamori_testkit::fixtures_start::name_organisation;
use mamori_testkit::{TestServer, Web, assert_api_error, backend_test, fixtures_risks, location};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The checklist's heading (the link that reopens it names it too).
const HEADING: &str = "id=\"getting-started-heading\"";

/// The steps done, in the checklist's order.
async fn done(web: &Web<'_>) -> Vec<(String, bool)> {
    let list = web.json("/api/v1/getting-started").await;
    list["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["step"].as_str().unwrap().to_owned(),
                s["done"].as_bool().unwrap(),
            )
        })
        .collect()
}

async fn open_steps(web: &Web<'_>) -> Vec<String> {
    done(web)
        .await
        .into_iter()
        .filter(|(_, d)| !d)
        .map(|(s, _)| s)
        .collect()
}

backend_test!(async fn the_checklist_ticks_each_step_from_the_data(backend) {
    let server = TestServer::start(backend).await;
    let (_, admin) = server.web_as("admin", Role::Admin).await;
    let (_, officer) = server.web_as("jimukyoku", Role::SecurityOfficer).await;

    // A fresh installation: every step open, shown to the administrator with links.
    assert_eq!(
        open_steps(&admin).await,
        ["settings", "people", "basic_policy", "assets", "classification", "risks"]
    );
    let home = admin.page("/", 200).await;
    assert!(home.contains(HEADING) && home.contains("はじめに行うこと"));
    for link in ["/admin/security", "/users", "/policies", "/assets/import", "/settings/classification", "/risks"] {
        assert!(home.contains(&format!("<a href=\"{link}\">")), "{link}");
    }
    assert!(home.contains("この案内を閉じる"));
    assert_eq!(home.matches("未了").count(), 6);
    assert!(officer.page("/", 200).await.contains(HEADING), "the security officer sees it too");

    name_organisation(&server, "佐久市議会").await;
    assert!(!open_steps(&admin).await.contains(&"settings".to_owned()));
    // Users beyond the first administrator, but no CISO yet: still open.
    assert!(open_steps(&admin).await.contains(&"people".to_owned()));
    ciso(&server, "iincho").await;
    assert_eq!(open_steps(&admin).await, ["basic_policy", "assets", "classification", "risks"]);

    published_seed(&server).await;
    assert_eq!(open_steps(&admin).await, ["assets", "classification", "risks"]);

    // The scheme saved once: a level's definition reviewed and saved.
    let scheme = officer.json("/api/v1/classification").await;
    let level = &scheme["levels"][0];
    let path = format!("/api/v1/classification/levels/{}", level["id"]);
    let edit = json!({"definition": format!("{}（確認済み）", level["definition"].as_str().unwrap())});
    assert_eq!(officer.patch_json(&path, &edit).await.status(), StatusCode::OK);
    assert_eq!(open_steps(&admin).await, ["assets", "risks"]);

    let asset = fixtures_risks::asset(&officer, "議員用タブレット").await;
    assert_eq!(open_steps(&admin).await, ["risks"]);
    let threat = fixtures_risks::threat_id(&server, "不正アクセス").await;
    fixtures_risks::risk(&officer, "タブレットへの不正アクセス", threat, asset).await;
    assert!(open_steps(&admin).await.is_empty());
    let list = admin.json("/api/v1/getting-started").await;
    assert_eq!(list["all_done"], true);
    // Done: the home page no longer shows it, nor a link to reopen it.
    let home = admin.page("/", 200).await;
    assert!(!home.contains(HEADING) && !home.contains("再び表示する"));
    server.stop().await;
});

backend_test!(async fn the_checklist_is_closed_and_reopened_and_members_never_see_it(backend) {
    let server = TestServer::start(backend).await;
    let (_, admin) = server.web_as("admin", Role::Admin).await;
    let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
    let (_, member) = server.web_as("giin", Role::User).await;
    let (_, auditor) = server.web_as("kansa", Role::Auditor).await;

    for web in [&member, &auditor] {
        assert!(!web.page("/", 200).await.contains(HEADING));
        assert_api_error(web.get("/api/v1/getting-started").await, 403, "forbidden").await;
        let refused = web.post_form("/getting-started/dismiss", &[]).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    }

    // Closed from the page by the security officer: gone for the administrator too.
    let closed = officer.post_form("/getting-started/dismiss", &[]).await;
    assert_eq!(location(&closed), "/");
    let home = admin.page("/", 200).await;
    assert!(!home.contains(HEADING));
    assert!(home.contains("「はじめに行うこと」を再び表示する"), "it can be reopened");
    let list = admin.json("/api/v1/getting-started").await;
    assert_eq!(list["dismissed"], true);
    assert_eq!(list["all_done"], false);
    let trail = mamori_store::audit::recent(&server.store, 20).await.unwrap();
    let entry = trail.iter().find(|e| e.action == "setting.update").expect("audited");
    assert_eq!(entry.target_id.as_deref(), Some(mamori_app::home::DISMISSED));
    // Closing twice writes nothing more.
    let before = mamori_store::audit::recent(&server.store, 1).await.unwrap()[0].id;
    let again = officer.post_json("/api/v1/getting-started/dismiss", &json!({})).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(mamori_store::audit::recent(&server.store, 1).await.unwrap()[0].id, before);

    // Reopened, from the page or the API.
    let reopened = admin.post_form("/getting-started/reopen", &[]).await;
    assert_eq!(location(&reopened), "/#getting-started");
    assert!(admin.page("/", 200).await.contains(HEADING));
    let closed: Value = admin.post_json("/api/v1/getting-started/dismiss", &json!({})).await.json().await.unwrap();
    assert_eq!(closed["dismissed"], true);
    let open: Value = officer.post_json("/api/v1/getting-started/reopen", &json!({})).await.json().await.unwrap();
    assert_eq!(open["dismissed"], false);
    assert!(officer.page("/", 200).await.contains(HEADING));
    server.stop().await;
});

backend_test!(async fn the_navigation_counts_what_waits_for_the_person(backend) {
    let server = TestServer::start(backend).await;
    let (_, member) = server.web_as("giin", Role::User).await;
    let nothing = member.json("/api/v1/me/waiting").await;
    assert_eq!(nothing, json!({"approvals": 0, "actions": 0, "unread_notices": 0, "acknowledgements": 0, "total": 0}));
    assert!(!member.page("/", 200).await.contains("対応待ち"));

    // A published policy binds the member: one to acknowledge, and its notice unread.
    let stored = published_seed(&server).await;
    let count = member.json("/api/v1/me/waiting").await;
    assert_eq!(count["acknowledgements"], 1);
    let total = count["total"].as_i64().unwrap();
    assert_eq!(
        total,
        count["approvals"].as_i64().unwrap() + count["actions"].as_i64().unwrap()
            + count["unread_notices"].as_i64().unwrap() + 1
    );
    // Every page carries the badge on ホーム, with words for screen readers.
    for page in ["/", "/policies", "/preferences"] {
        let html = member.page(page, 200).await;
        assert!(html.contains(&format!("対応待ち {total}件")), "{page}");
    }
    // Read and acknowledged: nothing waits any more.
    member.post_form("/notifications/read-all", &[]).await;
    let acknowledged = member
        .post_json(&format!("{}/acknowledge", stored.api()), &json!({"content_hash": stored.hash}))
        .await;
    assert_eq!(acknowledged.status(), StatusCode::CREATED);
    assert_eq!(member.json("/api/v1/me/waiting").await["total"], 0);
    assert!(!member.page("/", 200).await.contains("対応待ち"));
    server.stop().await;
});
