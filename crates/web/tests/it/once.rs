//! No double records (issue 11, item 7), through real HTTP on both backends: the list of
//! create and decide forms kept in step with the route table (each of them is submitted
//! twice at once in `once_forms`), two quick submissions of the new-risk form, a
//! submission that finds the first still running, and the API's `Idempotency-Key`.

use std::collections::BTreeSet;

use axum::http::Method;
use mamori_domain::user::Role;
use mamori_store::assets::Viewer;
use mamori_testkit::fixtures_once::{audit_since, filled, form_fields, last_audit_id, multipart};
use mamori_testkit::{TestServer, assert_api_error, backend_test, location};
use mamori_testkit::{fixtures_policies, fixtures_risks};
use reqwest::StatusCode;
use serde_json::json;

use super::once_forms_risks::risk_fields;

/// Every page route that creates or decides: its form carries the one-time token.
pub(super) const GUARDED: &[&str] = &[
    "/assets/new",
    "/assets/{id}",
    "/assets/{id}/events",
    "/assets/{id}/events/{eid}/decide",
    "/assets/import/confirm",
    "/assets/import/profiles",
    "/assets/imports/{id}/undo",
    "/assets/{id}/withdraw",
    "/assets/{id}/files",
    "/risks/{id}/files",
    "/files/{id}/revisions",
    "/files/{id}/remove",
    "/threats",
    "/risks",
    "/risks/{id}",
    "/risks/{id}/actions",
    "/risks/{id}/actions/{aid}/complete",
    "/risks/{id}/acceptances",
    "/risks/{id}/acceptances/{aid}/decide",
    "/risks/analyses",
    "/risks/matrix",
    "/users/new",
    "/users/{id}",
    "/account/tokens",
    "/policies/import/save",
    "/policies/{id}/versions/{vid}/send",
    "/policies/{id}/versions/{vid}/approve",
    "/policies/{id}/versions/{vid}/publish",
    "/policies/{id}/versions/{vid}/acknowledge",
    "/policies/{id}/reviews",
    "/policies/{id}/acknowledgements/remind",
    "/policies/{id}/versions/{vid}/withdraw",
    "/approvals/{id}/decide",
    "/approvals/absences",
    "/actions/{id}/files",
    "/exceptions/new",
    "/exceptions/{id}/revise",
    "/exceptions/{id}/end",
    "/retention/redactions",
    "/organisation/posts",
    "/organisation/posts/{id}/terms",
    "/awareness/new",
    "/awareness/{id}/read",
    "/awareness/{id}/remind",
    "/awareness/{id}/withdraw",
    "/awareness/{id}/files",
    "/training/courses/new",
    "/training/courses/{id}/sessions/new",
    "/training/sessions/{id}/declare",
    "/training/sessions/{id}/files",
    "/training/attendance/{id}/files",
    "/training/attendance/{id}/confirm",
    "/training/plan/ask",
    "/policies/{id}/pledges/paper",
    "/policies/{id}/versions/{vid}/plan/scenarios/{sid}",
    "/term-changes/new",
    "/incidents/new",
    "/incidents/{id}/notes",
    "/incidents/{id}/lessons",
    "/incidents/{id}/reports",
    "/incidents/duties",
    "/term-changes/{id}/people",
    "/term-changes/{id}/people/{pid}/marks",
    "/actions",
    "/actions/{id}/status",
    "/reviews/{kind}/{id}",
    "/continuity/services/new",
    "/continuity/roster",
    "/continuity/drills/{id}/findings",
];

/// Every other page POST, and why a second submission cannot make a second record.
const NOT_GUARDED: &[(&str, &str)] = &[
    (
        "/incidents/{id}/facts",
        "sets the facts; twice finds them set (no second entry)",
    ),
    (
        "/incidents/reports/{id}/withdraw",
        "withdraws once; a second is refused as withdrawn already",
    ),
    (
        "/incidents/duties/{id}",
        "changes a duty to the values sent; twice finds them so (no second entry)",
    ),
    (
        "/incidents/duties/{id}/retire",
        "retires once; a second is refused as retired already",
    ),
    (
        "/incidents/duties/threshold",
        "sets the people threshold; twice finds it set (no second entry)",
    ),
    (
        "/incidents/{id}/triage",
        "sets severity, category and owner; twice sets the same (no second entry)",
    ),
    (
        "/incidents/{id}/stage",
        "moves to a stage; twice finds it there (no second entry)",
    ),
    (
        "/incidents/{id}/close",
        "closes once; a second is refused as closed already",
    ),
    (
        "/incidents/{id}/reopen",
        "reopens once; a second is refused as not closed",
    ),
    (
        "/incidents/{id}/shares",
        "shares with one person once; a second is refused as shared already",
    ),
    (
        "/incidents/{id}/links",
        "links a record once; a second is refused as linked already",
    ),
    (
        "/incidents/{id}/links/remove",
        "removes a link once; a second finds no link to remove",
    ),
    (
        "/incidents/{id}/reassessments",
        "asks once; a second is refused while the first waits for the reassessment",
    ),
    (
        "/term-changes/{id}/people/{pid}/remove",
        "takes a person off a term change; a second finds nobody to take off (404)",
    ),
    (
        "/term-changes/{id}/people/{pid}/account",
        "links a new member's account; a second is refused as already linked",
    ),
    (
        "/term-changes/{id}/marks/{mid}",
        "sets a checklist item's state; twice sets the same (no second audit entry)",
    ),
    (
        "/term-changes/{id}/carry-out",
        "carries out the leaving once; a second is refused as carried out",
    ),
    (
        "/audit/anchor/check",
        "checks the trail against a typed anchor; writes nothing",
    ),
    (
        "/audit/anchor/recipients",
        "sets who is sent the daily anchor; twice sets the same (an unchanged setting writes no entry)",
    ),
    (
        "/audit/verify",
        "checks the audit chain; twice keeps two checks of the same trail and writes no entry",
    ),
    (
        "/notifications/{id}/read",
        "marks one notice read; twice marks nothing more",
    ),
    (
        "/notifications/read-all",
        "marks every notice read; twice marks nothing more",
    ),
    (
        "/notifications/mail/{id}/retry",
        "queues the same mail again; a sent mail is refused, so it is never sent twice",
    ),
    (
        "/account/notifications",
        "sets the mail address and choices; twice sets the same",
    ),
    (
        "/users/{id}/mail",
        "sets a user's mail address; twice sets the same",
    ),
    (
        "/assets/import/profiles/{id}/delete",
        "deletes a saved mapping; twice deletes nothing more",
    ),
    (
        "/setup",
        "no one is signed in; the setup token is itself one-time",
    ),
    (
        "/login",
        "signing in creates a session per sign-in, by design",
    ),
    ("/logout", "ends the session; twice ends nothing more"),
    (
        "/getting-started/dismiss",
        "closes the checklist; twice closes nothing more (no second audit entry)",
    ),
    (
        "/getting-started/reopen",
        "shows the checklist again; twice shows nothing more (no second audit entry)",
    ),
    (
        "/approvals/{id}/withdraw",
        "withdraws a waiting request; a second is refused as no longer waiting",
    ),
    (
        "/approvals/absences/{id}/cancel",
        "calls an absence off; a second is refused as already called off",
    ),
    (
        "/preferences",
        "sets the language and date style; twice sets the same",
    ),
    (
        "/login/mfa",
        "half-way through signing in; the code is one-time",
    ),
    (
        "/account/password",
        "sets the password; the current one is checked",
    ),
    (
        "/account/reading",
        "sets one's reading; twice sets the same",
    ),
    ("/account/mfa", "enrols once; a second enrolment is refused"),
    (
        "/account/mfa/disable",
        "turns MFA off; twice changes nothing",
    ),
    (
        "/account/sessions/{id}/end",
        "ends a session; an ended one is not found",
    ),
    (
        "/account/tokens/{id}/revoke",
        "revokes; a revoked token stays revoked",
    ),
    (
        "/admin/security/mfa-roles",
        "sets the roles; twice sets the same",
    ),
    (
        "/admin/security/lockouts/{id}/lift",
        "lifts a lockout; twice lifts nothing",
    ),
    (
        "/users/{id}/password",
        "sets a given password; twice sets the same",
    ),
    ("/users/{id}/mfa-reset", "clears MFA; twice clears nothing"),
    (
        "/assets/import",
        "stages the upload for its uploader (a second upload is a second staged copy, \
         expiring in a day); nothing enters the register or the audit trail",
    ),
    (
        "/assets/import/preview",
        "sets the staged file's mapping and checks its rows; twice sets the same",
    ),
    (
        "/policies/import",
        "parses the text for the preview; nothing is recorded",
    ),
    (
        "/threats/{id}",
        "saves the threat's fields; twice saves the same",
    ),
    (
        "/threats/{id}/retire",
        "retires; a retired threat stays retired",
    ),
    ("/threats/{id}/restore", "restores; twice restores nothing"),
    (
        "/settings/classification/activate",
        "switches the scheme; twice is unchanged",
    ),
    (
        "/settings/classification/levels/{id}",
        "saves a level; twice is unchanged",
    ),
    (
        "/admin/calendar",
        "a date holds one closed day; a second submission is refused",
    ),
    (
        "/admin/calendar/{date}/remove",
        "removes a closed day; twice removes nothing more",
    ),
    (
        "/admin/calendar/import",
        "replaces the years' national holidays with the list; twice gives the same days",
    ),
    (
        "/retention/periods",
        "sets the retention periods; twice sets the same (an unchanged setting writes no entry)",
    ),
    (
        "/organisation/terms/{id}",
        "ends a term or sets its deputy; twice sets the same (an unchanged term writes nothing)",
    ),
    (
        "/organisation/people/{id}",
        "sets contact details; twice sets the same (unchanged details write nothing)",
    ),
    (
        "/training/sessions/{id}/attendance",
        "sets the marks; twice sets the same (an unchanged mark writes no entry)",
    ),
    (
        "/training/sessions/{id}/import",
        "reads a sign-in sheet into the marks; twice sets the same (an unchanged mark writes no entry)",
    ),
    (
        "/training/sessions/{id}/cancel",
        "cancels a session; a second is refused as already cancelled",
    ),
    (
        "/training/plan",
        "saves the draft plan; twice saves the same (an unchanged text writes no entry)",
    ),
    (
        "/training/rules",
        "sets the training rule; twice sets the same (an unchanged rule writes no entry)",
    ),
    (
        "/reviews/{kind}/{id}/schedule",
        "sets the schedule; twice sets the same",
    ),
    (
        "/continuity/services/{id}",
        "saves a service; twice saves the same (an unchanged service writes no entry)",
    ),
    (
        "/continuity/roster/{id}/remove",
        "removes a roster entry; a second finds nothing to remove (404)",
    ),
    (
        "/continuity/drills/{id}",
        "saves a drill's record; twice saves the same (an unchanged record writes no entry)",
    ),
];

#[test]
fn every_page_post_of_the_route_table_is_guarded_or_named() {
    let page_posts: BTreeSet<&str> = mamori_web::routes()
        .into_iter()
        .filter(|(method, path, _)| *method == Method::POST && !path.starts_with("/api/"))
        .map(|(_, path, _)| path)
        .collect();
    let guarded: BTreeSet<&str> = GUARDED.iter().copied().collect();
    let exempt: BTreeSet<&str> = NOT_GUARDED.iter().map(|(path, _)| *path).collect();
    assert_eq!(guarded.len(), GUARDED.len(), "GUARDED names a route twice");
    assert!(
        guarded.is_disjoint(&exempt),
        "a route is both guarded and exempt"
    );
    let listed: BTreeSet<&str> = guarded.union(&exempt).copied().collect();
    let forgotten: Vec<&&str> = page_posts.difference(&listed).collect();
    assert!(
        forgotten.is_empty(),
        "page POST routes neither guarded by a one-time token nor named as exempt: \
         {forgotten:?} — add the token line to the form and the route to GUARDED"
    );
    let gone: Vec<&&str> = listed.difference(&page_posts).collect();
    assert!(
        gone.is_empty(),
        "listed but not in the route table: {gone:?}"
    );
}

backend_test!(
    /// The example: two quick submissions of the new-risk form make one risk. A
    /// form refused for its input frees its token: corrected, it is saved. A form loaded
    /// anew is a new submission.
    async fn two_quick_submissions_of_the_new_risk_form_make_one_risk(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let threat = fixtures_risks::threat_id(&server, "不正アクセス").await.to_string();
        let asset = fixtures_risks::asset(&officer, "議会ネットワーク構成図").await.to_string();
        let form = filled(form_fields(&officer.page("/risks/new", 200).await, "/risks"), &risk_fields(&threat, &asset));
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let first = officer.post_form("/risks", &pairs).await;
        let second = officer.post_form("/risks", &pairs).await;
        assert_eq!(location(&first), location(&second));
        assert!(second.headers().get("idempotent-replayed").is_some());
        assert_eq!(risk_count(&server).await, 1);

        // Refused (no title), then corrected with the same token: saved once.
        let form = filled(form_fields(&officer.page("/risks/new", 200).await, "/risks"), &risk_fields(&threat, &asset));
        let mut refused = form.clone();
        refused.retain(|(k, _)| k != "title");
        let pairs: Vec<(&str, &str)> = refused.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let response = officer.post_form("/risks", &pairs).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(risk_count(&server).await, 1);
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let saved = officer.post_form("/risks", &pairs).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        assert!(saved.headers().get("idempotent-replayed").is_none());
        assert_eq!(risk_count(&server).await, 2);

        // The same token from another user is that user's own submission.
        let (_, other) = server.web_as("fuku.kanri", Role::SecurityOfficer).await;
        let theirs = other.post_form("/risks", &pairs).await;
        assert_eq!(theirs.status(), StatusCode::SEE_OTHER);
        assert_ne!(location(&theirs), location(&saved));
        assert_eq!(risk_count(&server).await, 3);

        // Without a token (an old bookmark, a script) the form works as it always did;
        // a token that is not one is refused before anything runs.
        let mut untokened = form.clone();
        untokened.retain(|(k, _)| k != "once");
        let pairs: Vec<(&str, &str)> = untokened.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        for _ in 0..2 {
            assert_eq!(officer.post_form("/risks", &pairs).await.status(), StatusCode::SEE_OTHER);
        }
        assert_eq!(risk_count(&server).await, 5);
        let bad = filled(untokened, &[("once", "not a token")]);
        let pairs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let refused = officer.post_form("/risks", &pairs).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(risk_count(&server).await, 5);
        server.stop().await;
    }
);

backend_test!(
    /// A double click: the browser gives up on the first request and sends the second.
    /// The first, if it reached the server, still runs to its end and the second gets its
    /// answer; if it did not, the second runs. Either way: one risk, one redirect.
    async fn a_first_request_abandoned_by_the_browser_still_makes_one_record(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let threat = fixtures_risks::threat_id(&server, "不正アクセス").await.to_string();
        let asset = fixtures_risks::asset(&officer, "議会ネットワーク構成図").await.to_string();
        let page = officer.page("/risks/new", 200).await;
        let form = filled(form_fields(&page, "/risks"), &risk_fields(&threat, &asset));
        let abandoned = officer
            .client
            .post(server.url("/risks"))
            .header("origin", &server.base)
            .form(&form)
            .timeout(std::time::Duration::from_millis(3))
            .send()
            .await;
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let second = officer.post_form("/risks", &pairs).await;
        let target = location(&second);
        assert!(target.starts_with("/risks/"), "{target}");
        if let Ok(first) = abandoned {
            assert_eq!(location(&first), target, "not abandoned after all: the same answer");
        }
        assert_eq!(risk_count(&server).await, 1);
        server.stop().await;
    }
);

async fn risk_count(server: &TestServer) -> usize {
    mamori_store::risks::risks(&server.store, Viewer::everything())
        .await
        .unwrap()
        .len()
}

backend_test!(
    /// A second submission that finds the first still running waits for it, and after
    /// the bounded wait is told so (409), without running.
    async fn a_submission_still_running_holds_the_next_one_off(backend) {
        let server = TestServer::start_configured(backend, |config| {
            config.once_wait = std::time::Duration::from_millis(300);
        })
        .await;
        let (id, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        server
            .db
            .execute(&format!(
                "INSERT INTO once_tokens (user_id, token, path, kind, state, created_at) \
                 VALUES ({id}, 'still-running', '/threats', 'form', 'running', '{}')",
                mamori_store::now_text()
            ))
            .await;
        let before = last_audit_id(&server).await;
        let started = std::time::Instant::now();
        let response = officer
            .post_form(
                "/threats",
                &[("once", "still-running"), ("family", "intentional"), ("name", "なりすまし"), ("description", "")],
            )
            .await;
        assert!(started.elapsed() >= std::time::Duration::from_millis(300), "it waited");
        assert_eq!(response.status(), StatusCode::CONFLICT);
        let html = response.text().await.unwrap();
        assert!(html.contains("まだ処理中です"), "{html}");
        assert!(audit_since(&server, before).await.is_empty(), "nothing ran");

        // A day later the token is forgotten: the next claim purges it and runs.
        let yesterday = mamori_store::timestamp_text(time::OffsetDateTime::now_utc() - time::Duration::hours(25));
        server
            .db
            .execute(&format!("UPDATE once_tokens SET created_at = '{yesterday}'"))
            .await;
        let response = officer
            .post_form(
                "/threats",
                &[("once", "still-running"), ("family", "intentional"), ("name", "なりすまし"), ("description", "")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        server.stop().await;
    }
);

backend_test!(
    /// API creates honour `Idempotency-Key`: the same key twice (at once) makes one
    /// record and the same answer; on another path it is refused; a refused request
    /// frees its key; a malformed key is refused before anything runs.
    async fn api_creates_honour_the_idempotency_key(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let body = json!({"family": "intentional", "name": "標的型メール", "description": "添付ファイル"});
        let send = |key: &'static str, path: &'static str, body: serde_json::Value| {
            let officer = &officer;
            async move {
                officer
                    .client
                    .post(officer.server.url(path))
                    .header("origin", &officer.server.base)
                    .header("idempotency-key", key)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let key = "5f0c6a8e-2b1d-4c7e-9a3f-1e2d3c4b5a69";
        let (first, second) = tokio::join!(
            send(key, "/api/v1/threats", body.clone()),
            send(key, "/api/v1/threats", body.clone())
        );
        assert_eq!(first.status(), StatusCode::CREATED);
        assert_eq!(second.status(), StatusCode::CREATED);
        let replayed = [&first, &second].iter().filter(|r| r.headers().get("idempotent-replayed").is_some()).count();
        assert_eq!(replayed, 1);
        let (first, second): (serde_json::Value, serde_json::Value) =
            (first.json().await.unwrap(), second.json().await.unwrap());
        assert_eq!(first, second, "the same body");
        assert_eq!(threats_named(&server, "標的型メール").await, 1);

        let elsewhere = send(key, "/api/v1/risk-analyses", json!({"title": "x", "analysed_on": "2026-04-01"})).await;
        let error = assert_api_error(elsewhere, 422, "idempotency_key_reused").await;
        assert!(error["message"].as_str().unwrap().contains("/api/v1/threats"));

        // Refused (no name): the key is free again, and the corrected request runs, once.
        let flood = |name: &str| json!({"family": "disaster", "name": name, "description": ""});
        let refused = send("threat-2", "/api/v1/threats", flood("")).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let created = send("threat-2", "/api/v1/threats", flood("豪雨による浸水")).await;
        assert_eq!(created.status(), StatusCode::CREATED);
        assert!(created.headers().get("idempotent-replayed").is_none());
        let again = send("threat-2", "/api/v1/threats", flood("豪雨による浸水")).await;
        assert_eq!(again.status(), StatusCode::CREATED);
        assert!(again.headers().get("idempotent-replayed").is_some());
        assert_eq!(threats_named(&server, "豪雨による浸水").await, 1);

        let before = last_audit_id(&server).await;
        let malformed = send("two words", "/api/v1/threats", body).await;
        let error = assert_api_error(malformed, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "idempotency_key");
        assert!(audit_since(&server, before).await.is_empty());
        server.stop().await;
    }
);

backend_test!(
    /// An API decision sent twice with its key: the first answer twice, one decision —
    /// where without the key the second would be refused as already decided.
    async fn an_api_decision_retried_with_its_key_is_taken_once(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let (_, gicho) = fixtures_policies::ciso(&server, "gicho").await;
        let stored = fixtures_policies::imported_seed(&officer).await;
        let approve = format!("{}/approve", stored.api());
        let send = || {
            gicho
                .client
                .post(server.url(&approve))
                .header("origin", &server.base)
                .header("idempotency-key", "approve-r8-0318")
                .json(&json!({"approved_on": "令和8年3月18日"}))
                .send()
        };
        let before = last_audit_id(&server).await;
        let (first, second) = tokio::join!(send(), send());
        let (first, second) = (first.unwrap(), second.unwrap());
        assert_eq!((first.status(), second.status()), (StatusCode::OK, StatusCode::OK));
        let (first, second): (serde_json::Value, serde_json::Value) =
            (first.json().await.unwrap(), second.json().await.unwrap());
        assert_eq!(first, second);
        let written: Vec<String> =
            audit_since(&server, before).await.into_iter().map(|e| e.action).collect();
        assert_eq!(written, ["approval.decide", "policy.approve", "notify.send"]);
        let unkeyed = gicho
            .post_json(&approve, &json!({"approved_on": "令和8年3月18日"}))
            .await;
        assert_eq!(unkeyed.status(), StatusCode::CONFLICT, "already decided");
        server.stop().await;
    }
);

backend_test!(
    /// A script signed in with an API token: a new token's answer (its secret) is never
    /// kept, so its retry is told the token was made; a create retried with its key
    /// makes one record.
    async fn a_script_with_a_bearer_token_retries_safely(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let post = |key: &'static str, path: &'static str, body: serde_json::Value| {
            officer
                .client
                .post(server.url(path))
                .header("origin", &server.base)
                .header("idempotency-key", key)
                .json(&body)
                .send()
        };
        let made = post("token-1", "/api/v1/tokens", json!({"name": "集計スクリプト"}))
            .await
            .unwrap();
        assert_eq!(made.status(), StatusCode::CREATED);
        let secret = made.json::<serde_json::Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let retried = post("token-1", "/api/v1/tokens", json!({"name": "集計スクリプト"}))
            .await
            .unwrap();
        assert!(retried.headers().get("idempotent-replayed").is_some());
        let error = assert_api_error(retried, 409, "already_processed").await;
        assert!(!error.to_string().contains(&secret), "the secret is not kept");
        let tokens = officer.json("/api/v1/tokens").await;
        assert_eq!(tokens.as_array().map_or(0, Vec::len), 1, "{tokens}");
        let mut raw = server.db.raw().await;
        let (kept, with_secret): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COUNT(CASE WHEN body LIKE '%' || $1 || '%' THEN 1 END) \
             FROM once_tokens WHERE token = 'token-1'",
        )
        .bind(&secret)
        .fetch_one(&mut raw)
        .await
        .unwrap();
        assert_eq!((kept, with_secret), (1, 0), "the claim is kept, the secret is not");

        let script = reqwest::Client::new();
        let send = || {
            script
                .post(server.url("/api/v1/threats"))
                .bearer_auth(&secret)
                .header("idempotency-key", "nightly-2026-12-02")
                .json(&json!({"family": "disaster", "name": "落雷による停電", "description": ""}))
                .send()
        };
        let (first, second) = tokio::join!(send(), send());
        let (first, second) = (first.unwrap(), second.unwrap());
        assert_eq!((first.status(), second.status()), (StatusCode::CREATED, StatusCode::CREATED));
        assert_eq!(threats_named(&server, "落雷による停電").await, 1);
        server.stop().await;
    }
);

async fn threats_named(server: &TestServer, name: &str) -> usize {
    mamori_store::risks::threats(&server.store)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.name == name)
        .count()
}

backend_test!(
    /// The OpenAPI document names the header on the API's POSTs.
    async fn the_openapi_document_names_the_idempotency_key(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let doc = officer.json("/api/openapi.json").await;
        let parameters = &doc["paths"]["/api/v1/risks"]["post"]["parameters"];
        let named = parameters
            .as_array()
            .expect("parameters")
            .iter()
            .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header");
        assert!(named, "{parameters}");
        assert!(doc["info"]["description"].as_str().unwrap().contains("Idempotency-Key"));
        server.stop().await;
    }
);

backend_test!(
    /// An upload form's multipart body is not read for the token: it comes in the
    /// action's query string (`?once=`), and a second upload with it gets the first
    /// answer — here the same mapping page, naming the same staged file.
    async fn an_upload_takes_its_token_from_the_query_string(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let csv = "資産名,分類,形態,保有者区分,機密性,完全性,可用性\r\n\
                   本会議録（令和8年）,イ,紙,議会事務局,2,2,1\r\n";
        let upload = || {
            let (content_type, body) =
                multipart(&[("csrf", "")], Some(("file", "台帳.csv", csv.as_bytes())));
            officer
                .client
                .post(server.url("/assets/import?once=upload-1"))
                .header("origin", &server.base)
                .header("content-type", content_type)
                .body(body)
                .send()
        };
        let first = upload().await.unwrap();
        assert_eq!(first.status(), StatusCode::OK);
        assert!(first.headers().get("idempotent-replayed").is_none());
        let first = first.text().await.unwrap();
        let second = upload().await.unwrap();
        assert_eq!(second.status(), StatusCode::OK);
        assert!(second.headers().get("idempotent-replayed").is_some());
        assert_eq!(second.text().await.unwrap(), first, "the first answer, staged once");
        assert!(first.contains("本会議録（令和8年）"), "{first}");
        server.stop().await;
    }
);
