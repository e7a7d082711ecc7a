//! Approval requests (決裁) over real HTTP on both backends: the inbox, sending back and
//! approving a policy draft through the block, a deputy deciding while the CISO is
//! away (and the record saying so), the committee deciding through its chair with the
//! minutes, absences (one's own and the administrator's for others), withdrawing, and
//! who may see what.

use mamori_domain::approval::Asked;
use mamori_domain::record::{RecordKind, RecordRef};
use mamori_domain::user::{OrgRole, Role};
use mamori_testkit::fixtures_approvals::waiting_for;
use mamori_testkit::fixtures_approvals::{hold_posts, open_request};
use mamori_testkit::fixtures_policies::{ciso, import_text, seed};
use mamori_testkit::{TestServer, assert_api_error, backend_test, fixtures_risks, location};
use reqwest::StatusCode;
use serde_json::{Value, json};

backend_test!(async fn a_policy_draft_is_sent_back_then_approved_through_the_inbox(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
    let (gicho_id, gicho) = ciso(&server, "gicho").await;
    let (_, member) = server.web_as("giin", Role::User).await;
    let first = import_text(&officer, &seed(), None).await;

    // The CISO finds the draft waiting; the officer finds it among their requests.
    let request = waiting_for(&gicho, "policy_version", first.version).await.expect("waiting");
    assert_eq!(request["state"], "pending");
    assert_eq!(request["asked_kind"], "deciders");
    assert_eq!(request["subject_link"], first.page());
    assert!(waiting_for(&member, "policy_version", first.version).await.is_none());
    let mine = officer.json("/api/v1/approvals").await;
    assert_eq!(mine["mine"][0]["id"], request["id"]);
    assert!(mine["waiting"].as_array().unwrap().is_empty());
    let id = request["id"].as_i64().unwrap();
    let decision = format!("/api/v1/approvals/{id}/decision");

    // Who holds no approving post is refused, and the requester too.
    let body = json!({"decision": "approve"});
    assert_api_error(member.post_json(&decision, &body).await, 403, "forbidden").await;
    assert_api_error(officer.post_json(&decision, &body).await, 403, "forbidden").await;

    // Sending back needs a reason; with one, the draft stays a draft, no longer waiting.
    let bare = json!({"decision": "return", "reason": " "});
    let error = assert_api_error(gicho.post_json(&decision, &bare).await, 422, "validation_failed").await;
    assert_eq!(error["fields"][0]["field"], "reason");
    let future = json!({"decision": "approve", "decided_on": "2999-01-01"});
    let error = assert_api_error(gicho.post_json(&decision, &future).await, 422, "validation_failed").await;
    assert_eq!(error["fields"][0]["field"], "decided_on");
    let back = json!({"decision": "return", "reason": "第3条の文言を例規集と揃えてください"});
    let returned = gicho.post_json(&decision, &back).await;
    assert_eq!(returned.status(), StatusCode::OK);
    let returned: Value = returned.json().await.unwrap();
    assert_eq!(returned["state"], "returned");
    assert_eq!(returned["decided_by"], gicho_id);
    assert_eq!(returned["reason"], "第3条の文言を例規集と揃えてください");
    let version = officer.json(&first.api()).await;
    assert_eq!(version["version"]["status"], "draft");
    assert_api_error(gicho.post_json(&decision, &body).await, 409, "already_decided").await;
    let old_route = gicho
        .post_json(&format!("{}/approve", first.api()), &json!({"approved_on": "2026-03-18"}))
        .await;
    assert_api_error(old_route, 409, "invalid_state").await;

    // The corrected text is a new draft, approved through the page's form.
    let corrected = seed().replace("委託事業者を選定し", "委託事業者を慎重に選定し");
    let second = import_text(&officer, &corrected, Some(first.document)).await;
    let request = waiting_for(&gicho, "policy_version", second.version).await.expect("waiting");
    let page = gicho.page(&format!("/approvals/{}", request["id"]), 200).await;
    assert!(page.contains("決裁を記録する") && page.contains(&second.page()));
    let refused = gicho
        .post_form(&format!("/approvals/{}/decide", request["id"]), &[("decision", "reject")])
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = refused.text().await.unwrap();
    assert!(text.contains("差戻し・却下の理由を入力してください。"), "{text}");
    let approved = gicho
        .post_form(
            &format!("/approvals/{}/decide", request["id"]),
            &[("decision", "approve"), ("reason", "議長決裁"), ("decided_on", "令和8年3月18日")],
        )
        .await;
    assert_eq!(approved.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&approved), format!("/approvals/{}", request["id"]));
    let version = officer.json(&second.api()).await;
    assert_eq!(version["version"]["status"], "approved");
    assert_eq!(version["version"]["approved_on"], "2026-03-18");
    assert_eq!(version["approver"], "gicho");

    // The version's approval history, oldest first; the audit trail has both decisions.
    let history = officer
        .json(&format!("/api/v1/approvals/history?kind=policy_version&id={}", second.version))
        .await;
    assert_eq!(history.as_array().unwrap().len(), 1);
    assert_eq!(history[0]["state"], "approved");
    let bad = officer.get("/api/v1/approvals/history?kind=minutes&id=x").await;
    let error = assert_api_error(bad, 422, "validation_failed").await;
    assert_eq!(error["fields"].as_array().unwrap().len(), 2);
    let decisions = mamori_store::audit::recent(&server.store, 1000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "approval.decide")
        .count();
    assert_eq!(decisions, 2, "{backend:?}");
    server.stop().await;
});

backend_test!(async fn a_deputy_decides_while_the_ciso_is_away_and_the_record_says_so(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
    let (gicho_id, gicho) = ciso(&server, "gicho").await;
    let (deputy_id, deputy) = server.web_as("fukugicho", Role::User).await;
    let threat = fixtures_risks::threat_id(&server, "不正アクセス").await;
    let asset = fixtures_risks::asset(&officer, "議員用タブレット").await;
    let risk = fixtures_risks::risk(&officer, "タブレットへの不正アクセス", threat, asset).await;
    let propose = |reason: &'static str| {
        let officer = &officer;
        async move {
            let response = officer
                .post_json(&format!("/api/v1/risks/{risk}/acceptances"),
                    &json!({"reason": reason, "expires_on": "2099-03-31"}))
                .await;
            assert_eq!(response.status(), StatusCode::CREATED);
            response.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
        }
    };
    let acceptance = propose("予算措置まで運用で対応").await;
    let request = waiting_for(&gicho, "risk_acceptance", acceptance).await.expect("waiting");
    let decision = format!("/api/v1/approvals/{}/decision", request["id"]);

    // While the CISO is present, the would-be deputy (who reads no risks) does not even
    // learn that the request exists.
    assert!(waiting_for(&deputy, "risk_acceptance", acceptance).await.is_none());
    let approve = json!({"decision": "approve", "reason": "了承"});
    assert_api_error(deputy.post_json(&decision, &approve).await, 404, "not_found").await;

    // The CISO records an absence on the page; the form refuses themselves as deputy.
    let today = mamori_app::date_text(mamori_app::today());
    let in_a_week = mamori_app::date_text(mamori_app::today() + time::Duration::days(7));
    let own = gicho
        .post_form("/approvals/absences",
            &[("deputy", "gicho"), ("starts_on", &today), ("ends_on", &in_a_week)])
        .await;
    assert_eq!(own.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(own.text().await.unwrap().contains("自分自身を代理決裁者にすることはできません。"));
    let saved = gicho
        .post_form("/approvals/absences",
            &[("deputy", "fukugicho"), ("starts_on", &today), ("ends_on", &in_a_week),
              ("note", "海外視察")])
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let listed = deputy.json("/api/v1/absences").await;
    assert_eq!(listed[0]["user_id"], gicho_id);
    assert_eq!(listed[0]["deputy_id"], deputy_id);

    // Now the deputy sees it, decides it, and the record names whom they stood in for.
    let seen = waiting_for(&deputy, "risk_acceptance", acceptance).await.expect("deputy");
    assert_eq!(seen["as_deputy"], true);
    let page = deputy.page(&format!("/approvals/{}", request["id"]), 200).await;
    assert!(page.contains("代理決裁者として決裁します"), "{page}");
    let decided = deputy.post_json(&decision, &approve).await;
    assert_eq!(decided.status(), StatusCode::OK);
    let decided: Value = decided.json().await.unwrap();
    assert_eq!(decided["decided_by"], deputy_id);
    assert_eq!(decided["on_behalf_of"], gicho_id);
    let risk_page = officer.page(&format!("/risks/{risk}"), 200).await;
    assert!(risk_page.contains(&format!("href=\"/approvals/{}\"", request["id"])));
    let stored = mamori_store::risks::acceptance(&server.store, acceptance).await.unwrap();
    assert_eq!(stored.status, mamori_store::risks::AcceptanceStatus::Accepted);
    assert_eq!(stored.decided_by_name.as_deref(), Some("fukugicho"));

    // Called off, the absence no longer lets the deputy decide the next one.
    let absence = deputy.json("/api/v1/absences").await[0]["id"].as_i64().unwrap();
    let cancel = format!("/api/v1/absences/{absence}/cancellation");
    assert_eq!(deputy.post_json(&cancel, &json!({})).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(gicho.post_json(&cancel, &json!({})).await.status(), StatusCode::OK);
    assert_api_error(gicho.post_json(&cancel, &json!({})).await, 409, "already_cancelled").await;
    let next = propose("更新時期まで").await;
    assert!(waiting_for(&deputy, "risk_acceptance", next).await.is_none());
    assert!(waiting_for(&gicho, "risk_acceptance", next).await.is_some());

    // The home page lists what waits for the CISO.
    let home = gicho.page("/", 200).await;
    assert!(home.contains("あなたの決裁待ち") && home.contains("タブレットへの不正アクセス"));
    server.stop().await;
});

backend_test!(async fn the_requester_withdraws_a_take_out_and_others_see_nothing_of_it(backend) {
    let server = TestServer::start(backend).await;
    let (member_id, member) = server.web_as("giin", Role::User).await;
    let (_, other) = server.web_as("giin2", Role::User).await;
    let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
    let (_, contractor) = server.web_as("itaku", Role::Contractor).await;
    let asset =
        mamori_testkit::fixtures_assets::classified_asset(&server, "政務活動費収支報告書", member_id)
            .await;
    let events = format!("/api/v1/assets/{}/events", asset.id);
    let takeout = json!({"kind": "take_out", "occurred_on": "2026-11-26",
        "person": "議員 一郎", "counterparty": "自宅"});
    let response = member.post_json(&events, &takeout).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let event: Value = response.json().await.unwrap();
    let lists = member.json("/api/v1/approvals").await;
    let request = lists["mine"][0].clone();
    assert_eq!(request["subject_id"], event["id"]);
    assert_eq!(request["due_on"], "2026-11-26");
    assert_eq!(request["may_withdraw"], true);
    let id = request["id"].as_i64().unwrap();

    // Oversight sees it waiting; a contractor is refused; another member sees nothing.
    assert!(waiting_for(&officer, "asset_takeout", event["id"].as_i64().unwrap()).await.is_some());
    assert_api_error(contractor.get("/api/v1/approvals").await, 403, "forbidden").await;
    assert_eq!(other.get(&format!("/api/v1/approvals/{id}")).await.status(), StatusCode::NOT_FOUND);
    let withdrawal = format!("/api/v1/approvals/{id}/withdrawal");
    assert_eq!(other.post_json(&withdrawal, &json!({})).await.status(), StatusCode::NOT_FOUND);
    let response = officer.post_json(&withdrawal, &json!({})).await;
    assert_api_error(response, 403, "forbidden").await;

    // The requester withdraws it on the page: the take-out reads withdrawn, nobody decides.
    let response = member.post_form(&format!("/approvals/{id}/withdraw"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let listed = member.json(&events).await;
    assert_eq!(listed[0]["approval"], "withdrawn", "{listed}");
    assert_api_error(member.post_json(&withdrawal, &json!({})).await, 409, "already_decided").await;
    let decide = format!("/api/v1/approvals/{id}/decision");
    let response = officer.post_json(&decide, &json!({"decision": "approve"})).await;
    assert_api_error(response, 409, "already_decided").await;
    let page = member.page("/approvals", 200).await;
    assert!(page.contains("取下げ") && page.contains("政務活動費収支報告書"));
    let asset_page = member.page(&format!("/assets/{}", asset.id), 200).await;
    assert!(asset_page.contains(&format!("href=\"/approvals/{id}\"")), "the take-out links its request");
    server.stop().await;
});

backend_test!(async fn the_committee_decides_through_its_chair_with_the_minutes(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
    let (chair_id, chair) = server.web_as("iincho", Role::User).await;
    let (member_id, member) = server.web_as("iin", Role::User).await;
    hold_posts(&server.store, chair_id, &[OrgRole::CommitteeChair]).await;
    hold_posts(&server.store, member_id, &[OrgRole::CommitteeMember]).await;
    let draft = import_text(&officer, &seed(), None).await;
    let subject = RecordRef::new(RecordKind::PolicyVersion, draft.version);
    let id = open_request(&server.store, subject, draft.document, Asked::Committee).await;

    let seen = waiting_for(&chair, "policy_version", draft.version).await.expect("the chair");
    assert_eq!(seen["id"], id);
    assert_eq!(seen["asked_kind"], "committee");
    assert!(waiting_for(&member, "policy_version", draft.version).await.is_none());
    let page = chair.page(&format!("/approvals/{id}"), 200).await;
    assert!(page.contains("name=\"minute_ref\""), "the committee's form asks for the minutes");

    let decision = format!("/api/v1/approvals/{id}/decision");
    let bare = json!({"decision": "approve"});
    let error = assert_api_error(chair.post_json(&decision, &bare).await, 422, "validation_failed").await;
    assert_eq!(error["fields"][0]["field"], "minute_ref");
    assert_api_error(member.post_json(&decision, &bare).await, 403, "forbidden").await;
    let minuted = json!({"decision": "approve", "minute_ref": "令和8年度第1回委員会 議事録第2号"});
    let decided = chair.post_json(&decision, &minuted).await;
    assert_eq!(decided.status(), StatusCode::OK);
    let decided: Value = decided.json().await.unwrap();
    assert_eq!(decided["minute_ref"], "令和8年度第1回委員会 議事録第2号");
    assert_eq!(decided["decided_by"], chair_id);
    let version = officer.json(&draft.api()).await;
    assert_eq!(version["version"]["status"], "approved");
    // The version's page links its approvals; the one it was saved with still waits.
    let page = officer.page(&draft.page(), 200).await;
    assert!(page.contains(&format!("/approvals/{id}")));
    server.stop().await;
});

backend_test!(async fn the_administrator_marks_someone_absent_and_nobody_else_may(backend) {
    let server = TestServer::start(backend).await;
    let (_, admin) = server.web_as("kanri", Role::Admin).await;
    let (gicho_id, gicho) = ciso(&server, "gicho").await;
    let (_, member) = server.web_as("giin", Role::User).await;
    server.web_as("fukugicho", Role::User).await;
    let today = mamori_app::date_text(mamori_app::today());
    let body = json!({"user_id": gicho_id, "deputy": "fukugicho", "starts_on": today,
        "ends_on": "2099-12-31", "note": "入院のため"});
    assert_api_error(member.post_json("/api/v1/absences", &body).await, 403, "forbidden").await;
    let bad = json!({"user_id": gicho_id, "deputy": "nobody", "starts_on": "2026-13-01",
        "ends_on": today});
    let error = assert_api_error(admin.post_json("/api/v1/absences", &bad).await, 422, "validation_failed").await;
    let fields: Vec<&str> = error["fields"].as_array().unwrap().iter()
        .map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["deputy", "starts_on"]);
    let created = admin.post_json("/api/v1/absences", &body).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["user_id"], gicho_id);
    assert_eq!(created["ends_on"], "2099-12-31");
    let listed = admin.json(&format!("/api/v1/absences?user_id={gicho_id}")).await;
    assert_eq!(listed[0]["id"], created["id"]);
    let others = member.get(&format!("/api/v1/absences?user_id={gicho_id}")).await;
    assert_api_error(others, 403, "forbidden").await;
    // On the page too, the administrator names whose absence it is; nobody else may.
    let for_gicho = [("user", "gicho"), ("deputy", "fukugicho"), ("starts_on", today.as_str()),
        ("ends_on", "2099-06-30")];
    let for_nobody = [("user", "nobody"), ("deputy", "fukugicho"), ("starts_on", today.as_str()),
        ("ends_on", "2099-06-30")];
    let refused = member.post_form("/approvals/absences", &for_gicho).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let unknown = admin.post_form("/approvals/absences", &for_nobody).await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.text().await.unwrap().contains("このログインIDに該当する有効な利用者がいません。"));
    let saved = admin.post_form("/approvals/absences", &for_gicho).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let overview = admin.page("/approvals/absences", 200).await;
    assert_eq!(overview.matches("/cancel\"").count(), 2, "the administrator may call both off");
    // The absent person finds it on their account page, and may call it off.
    let account = gicho.page("/account", 200).await;
    assert!(account.contains("不在と代理決裁者") && account.contains("fukugicho"), "{account}");
    let cancel = format!("/approvals/absences/{}/cancel", created["id"]);
    assert_eq!(gicho.post_form(&cancel, &[]).await.status(), StatusCode::SEE_OTHER);
    let page = gicho.page("/approvals/absences", 200).await;
    assert!(page.contains("取消し済み"));
    let trail: Vec<String> = mamori_store::audit::recent(&server.store, 100).await.unwrap()
        .into_iter().map(|e| e.action).collect();
    assert!(trail.contains(&"approval.absence".to_owned()));
    assert!(trail.contains(&"approval.absence_cancel".to_owned()));
    server.stop().await;
});
