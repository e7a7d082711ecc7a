//! `/metrics` (issue 16, item 6) over real HTTP on both backends: off by default, only
//! for the configured addresses, and then counting requests by route template, with the
//! mail queue, the files being parsed and the backup's age.

use mamori_domain::address::parse_allow_list;
use mamori_domain::user::Role;
use mamori_store::notifications::{NewMail, queue_mail};
use mamori_testkit::{TestServer, backend_test};
use reqwest::StatusCode;

async fn metrics(server: &TestServer) -> (StatusCode, String) {
    let response = reqwest::get(server.url("/metrics")).await.unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

/// The value of the series that starts with `series`.
fn value(text: &str, series: &str) -> Option<String> {
    text.lines()
        .find(|line| line.starts_with(series) && !line.starts_with('#'))
        .map(|line| line.rsplit(' ').next().unwrap().to_owned())
}

backend_test!(async fn metrics_are_off_unless_this_address_is_allowed(backend) {
    let off = TestServer::start(backend).await;
    assert_eq!(metrics(&off).await.0, StatusCode::NOT_FOUND);
    off.stop().await;
    let elsewhere = TestServer::start_configured(backend, |c| {
        c.metrics_allow = parse_allow_list("10.0.0.0/8, fd00::/8").unwrap();
    })
    .await;
    let (status, text) = metrics(&elsewhere).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!text.contains("mamori_"), "{text}");
    elsewhere.stop().await;
});

backend_test!(async fn metrics_count_requests_by_route_and_show_the_queues(backend) {
    let server = TestServer::start_configured(backend, |c| {
        c.metrics_allow = parse_allow_list("192.0.2.0/24 127.0.0.0/8").unwrap();
    })
    .await;
    for _ in 0..2 {
        reqwest::get(server.url("/healthz")).await.unwrap();
    }
    let (user_id, web) = server.web_as("jimu.sato", Role::User).await;
    assert_eq!(web.get("/api/v1/assets/98765").await.status(), 404);
    assert_eq!(web.get("/no/such/page").await.status(), 404);
    let mut tx = server
        .store
        .write(mamori_store::Actor::system("test"))
        .await
        .unwrap();
    queue_mail(
        &mut tx,
        NewMail {
            notification_id: None,
            user_id,
            address: "sato@gikai.example.jp",
            lang: mamori_domain::wareki::Lang::Ja,
            subject: "件名",
            body: "本文",
            link: "/",
        },
    )
    .await
    .unwrap();
    tx.audit(mamori_store::AuditEntry::new("notification.mail_queued", "mail"))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let (status, text) = metrics(&server).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        value(&text, "mamori_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}"),
        Some("2".into()),
        "{text}"
    );
    // The route's template, never the id asked for.
    assert!(text.contains("route=\"/api/v1/assets/{id}\",status=\"404\""), "{text}");
    assert!(!text.contains("98765"));
    assert!(text.contains("route=\"unmatched\",status=\"404\""), "{text}");
    let count: u64 = value(&text, "mamori_http_request_duration_seconds_count")
        .unwrap()
        .parse()
        .unwrap();
    assert!(count >= 4, "{text}");
    assert_eq!(
        value(&text, "mamori_http_request_duration_seconds_bucket{le=\"+Inf\"}"),
        Some(count.to_string())
    );
    assert_eq!(value(&text, "mamori_mail_queued "), Some("1".into()));
    assert_eq!(value(&text, "mamori_mail_failed "), Some("0".into()));
    assert_eq!(value(&text, "mamori_imports_parsing "), Some("0".into()));
    assert_eq!(value(&text, "mamori_imports_parallel "), Some("2".into()));
    assert_eq!(value(&text, "mamori_backup_age_seconds "), Some("NaN".into()));

    let data_dir = server.db.data_dir().to_owned();
    mamori_app::backups::run_daily(&server.state.app, &data_dir, &mamori_app::backups::BackupPolicy::new(14))
        .await
        .unwrap();
    let (_, text) = metrics(&server).await;
    let age: i64 = value(&text, "mamori_backup_age_seconds ")
        .unwrap()
        .parse()
        .unwrap();
    assert!((0..60).contains(&age), "{text}");
    // The earlier read of /metrics is counted too.
    assert!(text.contains("route=\"/metrics\",status=\"200\"} 1"), "{text}");
    server.stop().await;
});

// Behind a trusted reverse proxy the client is the address it forwarded for: the allow
// list and the sign-in record see that address; from any other peer the header is
// ignored.
backend_test!(async fn a_trusted_proxy_names_the_client_and_nobody_else_can(backend) {
    let forwarded = |server: &TestServer, path: &str, client: &str| {
        reqwest::Client::new()
            .get(server.url(path))
            .header("X-Forwarded-For", client)
            .send()
    };
    let behind_proxy = TestServer::start_configured(backend, |c| {
        c.trusted_proxies = parse_allow_list("127.0.0.1").unwrap();
        c.metrics_allow = parse_allow_list("192.0.2.7").unwrap();
    })
    .await;
    let response = forwarded(&behind_proxy, "/metrics", "192.0.2.7").await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // A client that writes the header itself is the proxy's rightmost entry.
    let spoofed = forwarded(&behind_proxy, "/metrics", "192.0.2.7, 198.51.100.1")
        .await
        .unwrap();
    assert_eq!(spoofed.status(), StatusCode::NOT_FOUND);
    assert_eq!(metrics(&behind_proxy).await.0, StatusCode::NOT_FOUND);

    behind_proxy.add_user("jimu.sato", Role::User).await;
    let client = behind_proxy.client();
    let signed_in = client
        .post(behind_proxy.url("/api/v1/session"))
        .header("X-Forwarded-For", "203.0.113.40")
        .json(&serde_json::json!({"login": "jimu.sato", "password": mamori_testkit::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::OK);
    let sessions: serde_json::Value = client
        .get(behind_proxy.url("/api/v1/me/sessions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(sessions[0]["client_addr"], "203.0.113.40", "{sessions}");
    behind_proxy.stop().await;

    let direct = TestServer::start_configured(backend, |c| {
        c.metrics_allow = parse_allow_list("192.0.2.7").unwrap();
    })
    .await;
    let response = forwarded(&direct, "/metrics", "192.0.2.7").await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    direct.stop().await;
});
