//! Retention of personal information through its pages and API on both backends: the
//! secretariat sets the periods (a bad one refused in Japanese, nothing saved), sees a
//! closed account past its period, proposes its removal by the form and by the API; the
//! CISO approves it on the approval request's page, after which the account's mail is
//! gone and the audit page says why. Members are refused.

use mamori_app::i18n::JA;
use mamori_domain::user::Role;
use mamori_testkit::fixtures_once::{filled, form_fields};
use mamori_testkit::{
    TestServer, Web, assert_api_error, backend_test, fixtures_policies, location,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A new account closed on `closed_at` (RFC 3339), returning its id.
async fn closed_account(server: &TestServer, login: &str, closed_at: &str) -> i64 {
    let id = server.add_user(login, Role::User).await;
    server
        .db
        .execute(&format!(
            "UPDATE users SET active = 0, closed_at = '{closed_at}' WHERE id = {id}"
        ))
        .await;
    id
}

/// Closed long ago: past any retention period.
const LONG_AGO: &str = "2000-01-01T00:00:00Z";

fn period(overview: &Value, kind: &str) -> Value {
    overview["periods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == kind)
        .unwrap_or_else(|| panic!("{kind} in {overview}"))
        .clone()
}

async fn send_periods(web: &Web<'_>, body: &Value) -> reqwest::Response {
    web.send_json(reqwest::Method::PUT, "/api/v1/retention/periods", body)
        .await
}

backend_test!(
    async fn the_secretariat_sets_the_periods_and_a_bad_one_is_refused_with_nothing_saved(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;

        // Before anything is set, each kind shows its default.
        let page = officer.page("/retention", 200).await;
        assert!(page.contains("name=\"account\" type=\"text\" value=\"3\""), "{page}");
        assert!(page.contains("name=\"absence\" type=\"text\" value=\"1\""), "{page}");
        assert!(page.contains("設定していないため、初期値の3年を使っています。"), "{page}");

        // Typed as people type them: full-width digits and 年.
        let saved = officer
            .post_form("/retention/periods", &[("account", "５年"), ("absence", "2")])
            .await;
        assert_eq!(location(&saved), "/retention?saved=periods");
        let page = officer.page("/retention?saved=periods", 200).await;
        assert!(page.contains(&JA["retention.periods_saved"]), "{page}");
        assert!(page.contains("name=\"account\" type=\"text\" value=\"5\""), "{page}");
        assert!(page.contains("初期値は3年です。"), "{page}");

        // Out of range: 422, the message in Japanese under the field and in the summary,
        // the form kept as typed, and neither period saved.
        let refused = officer
            .post_form("/retention/periods", &[("account", "31"), ("absence", "1")])
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = refused.text().await.unwrap();
        assert!(page.contains("保存期間は1から30までの年数で入力してください。"), "{page}");
        assert!(page.contains("<a href=\"#account\">利用を終了したアカウント："), "{page}");
        assert!(page.contains("value=\"31\""), "{page}");
        let overview = officer.json("/api/v1/retention").await;
        assert_eq!(period(&overview, "account")["years"], 5);
        assert_eq!(period(&overview, "absence")["years"], 2);
        assert_eq!(period(&overview, "absence")["set"], true);

        // The API takes numbers and text alike, and refuses as the form does.
        let response = send_periods(&officer, &json!({"account": 4, "absence": "１年"})).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        assert_eq!(period(&body, "account")["years"], 4);
        assert_eq!(period(&body, "absence")["years"], 1);
        let error = assert_api_error(
            send_periods(&officer, &json!({"account": 0})).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(error["fields"][0]["field"], "account", "{error}");
        assert!(error["fields"][0]["message"].as_str().unwrap().contains("1から30まで"), "{error}");
        assert_api_error(
            send_periods(&officer, &json!({"incident": 1})).await,
            422,
            "invalid_json_data",
        )
        .await;
        assert_eq!(period(&officer.json("/api/v1/retention").await, "account")["years"], 4);

        // The auditor reads the periods without a form; a member is refused.
        let (_, auditor) = server.web_as("kansa", Role::Auditor).await;
        let page = auditor.page("/retention", 200).await;
        assert!(!page.contains("action=\"/retention/periods\""), "{page}");
        assert!(page.contains("4年"), "{page}");
        let (_, member) = server.web_as("giin.sato", Role::User).await;
        assert_eq!(member.get("/retention").await.status(), StatusCode::FORBIDDEN);
        let refused = member.post_form("/retention/periods", &[("account", "1")]).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert_api_error(send_periods(&member, &json!({"account": 1})).await, 403, "forbidden").await;
        assert!(!member.page("/", 200).await.contains("href=\"/retention\""));
        server.stop().await;
    }
);

backend_test!(
    async fn a_closed_account_past_its_period_is_proposed_and_removed_once_the_ciso_approves(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let (_, admin) = server.web_as("kanri", Role::Admin).await;
        let (_, ciso) = fixtures_policies::ciso(&server, "gicho").await;
        // Its mail address is set while in use (an audit entry names it), then it closes.
        let leaver = server.add_user("taishoku.yamada", Role::User).await;
        let set = admin
            .post_form(&format!("/users/{leaver}/mail"), &[("mail", "yamada@example.jp")])
            .await;
        assert_eq!(set.status(), StatusCode::SEE_OTHER);
        server
            .db
            .execute(&format!(
                "UPDATE users SET active = 0, closed_at = '{LONG_AGO}' WHERE id = {leaver}"
            ))
            .await;
        let now = mamori_app::timestamp_text(time::OffsetDateTime::now_utc());
        let recent = closed_account(&server, "tenshutsu.ito", &now).await;

        // The officer is told on the home page, and sees both with their dates.
        let home = officer.page("/", 200).await;
        assert!(home.contains("保存期間を過ぎた個人情報が1件あります（削除の提案）"), "{home}");
        assert!(home.contains("href=\"/retention\""), "{home}");
        let page = officer.page("/retention", 200).await;
        assert!(page.contains("taishoku.yamada") && page.contains("tenshutsu.ito"), "{page}");
        assert!(page.contains("平成12年1月1日"), "closed on, in 和暦: {page}");
        assert!(page.contains(&format!("value=\"account:{leaver}\"")), "{page}");
        assert!(!page.contains(&format!("value=\"account:{recent}\"")), "not due: no box");
        assert!(page.contains("保存期間中") && page.contains("保存期間経過"), "{page}");

        // Refused choices come back on the page, never as an error page.
        for (value, message) in [
            ("account:abc".to_owned(), "「account:abc」は、個人情報を保存している".to_owned()),
            (format!("account:{recent}"), "tenshutsu.itoの記録は、保存期間が".to_owned()),
            (String::new(), JA["retention.error.none_chosen"].clone()),
        ] {
            let form: Vec<(&str, &str)> = if value.is_empty() {
                Vec::new()
            } else {
                vec![("record", value.as_str())]
            };
            let response = officer.post_form("/retention/redactions", &form).await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{value}");
            let page = response.text().await.unwrap();
            assert!(page.contains(&message), "{value}: {page}");
            assert!(page.contains("<a href=\"#records\">"), "{value}: the summary links to it");
        }

        // Proposed by the form as the page gives it, with the box ticked.
        let page = officer.page("/retention", 200).await;
        let fields = filled(
            form_fields(&page, "/retention/redactions"),
            &[("record", &format!("account:{leaver}"))],
        );
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let target = location(&officer.post_form("/retention/redactions", &pairs).await);
        let id: i64 = target
            .strip_prefix("/retention/redactions/")
            .and_then(|rest| rest.strip_suffix("?saved=proposed"))
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("{target}"));
        let shown = officer.page(&target, 200).await;
        assert!(shown.contains(&JA["retention.proposed"]), "{shown}");
        assert!(shown.contains(&format!("個人情報の削除（第{id}号）")), "{shown}");
        let request = officer.json(&format!("/api/v1/retention/redactions/{id}")).await["pending_request"]
            .as_i64()
            .expect("a request waits");
        assert!(shown.contains(&format!("href=\"/approvals/{request}\"")), "{shown}");
        let page = officer.page("/retention", 200).await;
        assert!(page.contains(&format!("href=\"/retention/redactions/{id}\">削除を提案済み（第{id}号、決裁待ち）")), "{page}");
        assert!(!page.contains(&format!("value=\"account:{leaver}\"")), "proposed: no box");
        assert!(!officer.page("/", 200).await.contains("保存期間を過ぎた個人情報が"));
        let again = officer
            .post_form("/retention/redactions", &[("record", &format!("account:{leaver}"))])
            .await;
        assert_eq!(again.status(), StatusCode::CONFLICT);

        // A member may not look; the CISO decides on the request's own page.
        let (_, member) = server.web_as("giin.sato", Role::User).await;
        assert_eq!(member.get(&format!("/retention/redactions/{id}")).await.status(), StatusCode::FORBIDDEN);
        let decide = format!("/approvals/{request}/decide");
        let page = ciso.page(&format!("/approvals/{request}"), 200).await;
        assert!(page.contains("保存期間を過ぎた個人情報の削除（1件）"), "{page}");
        let fields = filled(form_fields(&page, &decide), &[("decision", "approve")]);
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(ciso.post_form(&decide, &pairs).await.status(), StatusCode::SEE_OTHER);

        // Carried out: the mail address is gone, the name stays.
        let gone = server
            .db
            .number(&format!(
                "SELECT COUNT(*) FROM users WHERE id = {leaver} AND mail IS NULL \
                 AND redacted_at IS NOT NULL AND display_name = 'taishoku.yamada'"
            ))
            .await;
        assert_eq!(gone, 1);
        let shown = officer.page(&format!("/retention/redactions/{id}"), 200).await;
        assert!(shown.contains("に削除済み"), "{shown}");
        let audit_link = format!("href=\"/audit?target_type=redaction&target_id={id}\"");
        assert!(shown.contains(&audit_link), "{shown}");
        let page = officer.page("/retention", 200).await;
        assert!(!page.contains("taishoku.yamada"), "no longer a record to keep: {page}");

        // The audit trail: the entry that set the address now says why it is empty, and
        // the redaction's own entries are one filter away.
        let (_, auditor) = server.web_as("kansa", Role::Auditor).await;
        let trail = auditor.page("/audit?target_type=user", 200).await;
        assert!(trail.contains("（保存期間経過により削除）"), "{trail}");
        assert!(!trail.contains("yamada@example.jp"), "{trail}");
        let entries = auditor
            .page(&format!("/audit?target_type=redaction&target_id={id}"), 200)
            .await;
        assert!(entries.contains("保存期間を過ぎた個人情報の削除"), "{entries}");
        assert!(entries.contains("個人情報の削除の提案"), "{entries}");
        let other = auditor
            .page(&format!("/audit?target_type=redaction&target_id={}", id + 1), 200)
            .await;
        assert!(other.contains(&JA["audit.no_entries"]), "another redaction's entries: {other}");
        server.stop().await;
    }
);

backend_test!(
    async fn the_api_proposes_a_removal_and_a_rejected_one_may_be_proposed_again(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let (_, ciso) = fixtures_policies::ciso(&server, "gicho").await;
        let leaver = closed_account(&server, "taishoku.kato", LONG_AGO).await;

        let overview = officer.json("/api/v1/retention").await;
        let record = &overview["records"][0];
        assert_eq!(record["kind"], "account", "{overview}");
        assert_eq!(record["id"], leaver);
        assert_eq!(record["closed_on"], "2000-01-01");
        assert_eq!(record["due_on"], "2003-01-01");
        assert_eq!(record["due"], true);
        assert_eq!(record["pending"], Value::Null);

        let asked = json!({"records": [{"kind": "account", "id": leaver}]});
        let response = officer.post_json("/api/v1/retention/redactions", &asked).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let named = response.headers()["location"].to_str().unwrap().to_owned();
        let created: Value = response.json().await.unwrap();
        let id = created["id"].as_i64().unwrap();
        assert_eq!(named, format!("/api/v1/retention/redactions/{id}"));
        assert_eq!(created["state"], "proposed");
        assert_eq!(created["records"], 1);
        assert_eq!(created["items"][0]["name"], "taishoku.kato");
        let request = created["pending_request"].as_i64().expect("a request waits");
        assert_eq!(officer.json("/api/v1/retention").await["records"][0]["pending"], id);

        // Refusals, each with its code; nobody else proposes.
        assert_api_error(
            officer.post_json("/api/v1/retention/redactions", &asked).await,
            409,
            "already_proposed",
        )
        .await;
        for body in [
            json!({"records": []}),
            json!({"records": [{"kind": "incident", "id": leaver}]}),
            json!({"records": [{"kind": "account", "id": 999_999}]}),
        ] {
            let error = assert_api_error(
                officer.post_json("/api/v1/retention/redactions", &body).await,
                422,
                "validation_failed",
            )
            .await;
            assert_eq!(error["fields"][0]["field"], "records", "{body}: {error}");
        }
        let (_, auditor) = server.web_as("kansa", Role::Auditor).await;
        assert_api_error(
            auditor.post_json("/api/v1/retention/redactions", &asked).await,
            403,
            "forbidden",
        )
        .await;
        assert_eq!(auditor.json(&format!("/api/v1/retention/redactions/{id}")).await["id"], id);
        let (_, member) = server.web_as("giin.sato", Role::User).await;
        assert_api_error(member.get("/api/v1/retention").await, 403, "forbidden").await;
        assert_api_error(officer.get("/api/v1/retention/redactions/999999").await, 404, "not_found")
            .await;

        // Rejected: dropped, and its record may be proposed again.
        let decided = ciso
            .post_json(
                &format!("/api/v1/approvals/{request}/decision"),
                &json!({"decision": "reject", "reason": "監査の終了まで残す"}),
            )
            .await;
        assert_eq!(decided.status(), StatusCode::OK);
        let dropped = officer.json(&format!("/api/v1/retention/redactions/{id}")).await;
        assert_eq!(dropped["state"], "dropped", "{dropped}");
        assert!(dropped["dropped_on"].is_string(), "{dropped}");
        assert_eq!(dropped["pending_request"], Value::Null);
        let page = officer.page(&format!("/retention/redactions/{id}"), 200).await;
        assert!(page.contains("監査の終了まで残す"), "the reason in the history: {page}");
        let again = officer.post_json("/api/v1/retention/redactions", &asked).await;
        assert_eq!(again.status(), StatusCode::CREATED);
        let mail_kept = server
            .db
            .number(&format!("SELECT COUNT(*) FROM users WHERE id = {leaver} AND redacted_at IS NULL"))
            .await;
        assert_eq!(mail_kept, 1, "nothing removed on a rejection");
        server.stop().await;
    }
);
