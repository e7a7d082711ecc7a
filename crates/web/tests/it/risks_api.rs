//! The risk register over the API, on both backends: registering and listing, reassessing,
//! actions, acceptances and the CISO's decision, and freezing an analysis — the same use
//! cases and checks as the pages.

use mamori_domain::user::Role;
use mamori_store::assets::Viewer;
use mamori_store::risks::{self, AcceptanceStatus};
use mamori_testkit::fixtures_risks as fixtures;
use mamori_testkit::{TestServer, Web, assert_api_error, backend_test};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

async fn threat_id(server: &TestServer, name: &str) -> String {
    fixtures::threat_id(server, name).await.to_string()
}

async fn risk_count(server: &TestServer) -> usize {
    risks::risks(&server.store, Viewer::everything())
        .await
        .unwrap()
        .len()
}

backend_test!(
    async fn the_api_creates_and_lists_risks(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
        let (_, auditor) = server.web_as("kansa", Role::Auditor).await;
        let threat: i64 = threat_id(&server, "地震").await.parse().unwrap();
        let post = |client: &Web<'_>, body: serde_json::Value| {
            client
                .client.post(server.url("/api/v1/risks"))
                .header("origin", &server.base)
                .json(&body)
                .send()
        };

        let created = post(
            &officer,
            serde_json::json!({
                "title": "地震による議場システムの停止",
                "threat_id": threat,
                "asset_group": "議場システム一式",
                "existing_measures": "耐震固定",
                "likelihood": "高",
                "impact": 2,
                "treatment": "transfer",
                "residual_likelihood": 1,
                "residual_impact": "中",
                "review_due": "令和9年3月31日"
            }),
        )
        .await
        .unwrap();
        assert_eq!(created.status(), StatusCode::CREATED, "{backend:?}");
        let location = created.headers()["location"].to_str().unwrap().to_owned();
        let risk: serde_json::Value = created.json().await.unwrap();
        assert_eq!(risk["inherent"]["level_name"], "高");
        assert_eq!(risk["inherent"]["likelihood_name"], "高");
        assert_eq!(risk["residual"]["level_name"], "中");
        assert_eq!(risk["treatment"], "transfer");
        assert_eq!(risk["threat_family"], "disaster");
        assert_eq!(risk["matrix_version"], 1);
        assert_eq!(risk["review_due"], "2027-03-31");
        assert_eq!(location, format!("/api/v1/risks/{}", risk["id"]));

        let untreated = post(
            &officer,
            serde_json::json!({
                "title": "未対応", "threat_id": threat, "asset_group": "全体",
                "likelihood": 2, "impact": 2
            }),
        )
        .await
        .unwrap();
        assert_eq!(untreated.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let error: serde_json::Value = untreated.json().await.unwrap();
        assert_eq!(error["error"]["code"], "validation_failed");
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .contains("許容範囲を超えています")
        );
        for body in [
            serde_json::json!({"title": "x", "threat_id": threat, "asset_group": "g", "likelihood": "極高", "impact": 0}),
            serde_json::json!({"title": "x", "threat_id": threat, "asset_group": "g", "likelihood": 9, "impact": 0}),
            serde_json::json!({"title": "x", "threat_id": threat, "asset_group": "g", "likelihood": 0, "impact": 0, "asset_ids": [4242]}),
            serde_json::json!({"title": "x", "threat_id": threat, "likelihood": 0, "impact": 0, "colour": "red"}),
            serde_json::json!({"title": "x"}),
        ] {
            let response = post(&officer, body.clone()).await.unwrap();
            assert_eq!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}"
            );
        }
        let refused = post(&auditor, serde_json::json!({})).await.unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert_eq!(risk_count(&server).await, 1);

        let list: serde_json::Value = auditor.get("/api/v1/risks").await
            .json()
            .await
            .unwrap();
        assert_eq!(list["total"], 1);
        assert_eq!(list["items"][0]["title"], "地震による議場システムの停止");
        for (query, total) in [
            ("level=2", 1),
            ("level=0", 0),
            ("family=disaster", 1),
            ("which=residual&level=1", 1),
        ] {
            let page: serde_json::Value = auditor
                .client.get(server.url(&format!("/api/v1/risks?{query}")))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(page["total"], total, "{query}");
        }
        let one: serde_json::Value = auditor.get(&location).await
            .json()
            .await
            .unwrap();
        assert_eq!(one["asset_group"], "議場システム一式");
        let missing = auditor.get("/api/v1/risks/99999").await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        let bad = auditor.get("/api/v1/risks?page=0").await;
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
        server.stop().await;
    }
);

// ---------------------------------------------------------------- the API, as wide as the pages

backend_test!(
    async fn the_api_reassesses_treats_and_accepts_a_risk(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
        let (ciso_id, ciso) = server.web_as("gicho", Role::User).await;
        fixtures::hold_ciso_post(&server, ciso_id).await;
        let (_, auditor) = server.web_as("kansa", Role::Auditor).await;
        let threat = fixtures::threat_id(&server, "情報資産の無断持ち出し").await;
        let asset = fixtures::asset(&officer, "議員用タブレット1号機").await;
        let id = fixtures::risk(&officer, "タブレット紛失", threat, asset).await;
        let risk = format!("/api/v1/risks/{id}");

        // Reassessment: only the fields given change; the same checks as the form.
        let patched = officer
            .patch_json(&risk, &json!({"title": "タブレット紛失による漏えい", "likelihood": "中"}))
            .await;
        assert_eq!(patched.status(), StatusCode::OK);
        let body: Value = patched.json().await.unwrap();
        assert_eq!(body["title"], "タブレット紛失による漏えい");
        assert_eq!(body["inherent"]["likelihood"], 1);
        assert_eq!(body["assets"][0]["id"], asset);
        let refused = officer
            .patch_json(&risk, &json!({"likelihood": 2, "treatment": ""}))
            .await;
        let error = assert_api_error(refused, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "treatment");
        let unknown = officer.patch_json(&risk, &json!({"colour": "red"})).await;
        assert_eq!(unknown.status().as_u16(), 422);
        let denied = auditor.patch_json(&risk, &json!({"title": "x"})).await;
        assert_api_error(denied, 403, "forbidden").await;
        let missing = officer
            .patch_json("/api/v1/risks/4242", &json!({"title": "x"}))
            .await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);

        // Actions: added, refused without a due date, completed once.
        let added = officer
            .post_json(
                &format!("{risk}/actions"),
                &json!({"description": "紛失時の連絡手順を周知する", "due_on": "令和8年6月30日",
                    "confirm_past_dates": true}),
            )
            .await;
        assert_eq!(added.status(), StatusCode::CREATED);
        let action: Value = added.json().await.unwrap();
        assert_eq!(action["due_on"], "2026-06-30");
        assert!(action["done_on"].is_null());
        let no_due = officer
            .post_json(&format!("{risk}/actions"), &json!({"description": "期限なし", "due_on": ""}))
            .await;
        let error = assert_api_error(no_due, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "due_on");
        let complete = format!("{risk}/actions/{}/complete", action["id"]);
        let done = officer.post_json(&complete, &json!({"done_on": "2026-05-01"})).await;
        assert_eq!(done.status(), StatusCode::OK);
        let done: Value = done.json().await.unwrap();
        assert_eq!(done["done_on"], "2026-05-01");
        let again = officer.post_json(&complete, &json!({})).await;
        assert_api_error(again, 409, "already_done").await;
        assert_eq!(
            risks::actions(&server.store, id).await.unwrap().len(),
            1,
            "{backend:?}: nothing half-written"
        );

        // Acceptances: proposed by the officer, decided by the CISO, never by the
        // proposer; a decision is taken once.
        let proposals = format!("{risk}/acceptances");
        let past = officer
            .post_json(&proposals, &json!({"reason": "理由", "expires_on": "2020-01-01"}))
            .await;
        let error = assert_api_error(past, 422, "confirmation_needed").await;
        assert_eq!(error["fields"][0]["field"], "expires_on");
        let proposed = officer
            .post_json(&proposals, &json!({"reason": "予算措置まで運用で対応", "expires_on": "2099-03-31"}))
            .await;
        assert_eq!(proposed.status(), StatusCode::CREATED);
        let acceptance: Value = proposed.json().await.unwrap();
        assert_eq!(acceptance["status"], "pending");
        let decision = format!("{proposals}/{}/decision", acceptance["id"]);
        let not_ciso = officer.post_json(&decision, &json!({"decision": "approve"})).await;
        let error = assert_api_error(not_ciso, 403, "forbidden").await;
        assert!(error["message"].as_str().unwrap().contains("最高情報セキュリティ責任者"));
        let odd = ciso.post_json(&decision, &json!({"decision": "maybe"})).await;
        assert_eq!(odd.status(), StatusCode::BAD_REQUEST);
        let accepted = ciso
            .post_json(&decision, &json!({"decision": "approve", "note": "了承"}))
            .await;
        assert_eq!(accepted.status(), StatusCode::OK);
        let accepted: Value = accepted.json().await.unwrap();
        assert_eq!(accepted["status"], "accepted");
        assert_eq!(accepted["decided_by_name"], "gicho");
        let twice = ciso.post_json(&decision, &json!({"decision": "reject"})).await;
        assert_api_error(twice, 409, "already_decided").await;

        // The CISO's own proposal is not theirs to decide (here an officer holding the post).
        let (own_id, own) = server.web_as("fuku.kanri", Role::SecurityOfficer).await;
        fixtures::hold_ciso_post(&server, own_id).await;
        let proposed = own
            .post_json(&proposals, &json!({"reason": "代替機の配備まで", "expires_on": "2099-12-31"}))
            .await;
        let mine: Value = proposed.json().await.unwrap();
        let refused = own
            .post_json(&format!("{proposals}/{}/decision", mine["id"]), &json!({"decision": "approve"}))
            .await;
        let error = assert_api_error(refused, 403, "forbidden").await;
        assert!(error["message"].as_str().unwrap().contains("ご自身が申請したリスクの受容"));
        let pending = risks::acceptance(&server.store, mine["id"].as_i64().unwrap())
            .await
            .unwrap();
        assert_eq!(pending.status, AcceptanceStatus::Pending);
        server.stop().await;
    }
);

backend_test!(
    async fn the_api_freezes_an_analysis(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
        let (_, auditor) = server.web_as("kansa", Role::Auditor).await;
        let threat = fixtures::threat_id(&server, "情報資産の無断持ち出し").await;
        let asset = fixtures::asset(&officer, "会議録").await;
        fixtures::risk(&officer, "会議録の漏えい", threat, asset).await;
        let frozen = officer
            .post_json("/api/v1/risk-analyses", &json!({"title": "令和8年度", "analysed_on": "令和8年4月1日"}))
            .await;
        assert_eq!(frozen.status(), StatusCode::CREATED);
        assert!(location_header(&frozen).starts_with("/api/v1/risk-analyses/"));
        let body: Value = frozen.json().await.unwrap();
        assert_eq!(body["analysed_on"], "2026-04-01");
        assert_eq!(body["risks"][0]["title"], "会議録の漏えい");
        let bad = officer
            .post_json("/api/v1/risk-analyses", &json!({"title": "", "analysed_on": "いつか"}))
            .await;
        let error = assert_api_error(bad, 422, "validation_failed").await;
        assert_eq!(error["fields"].as_array().unwrap().len(), 2);
        let denied = auditor
            .post_json("/api/v1/risk-analyses", &json!({"title": "x", "analysed_on": "2026-04-01"}))
            .await;
        assert_api_error(denied, 403, "forbidden").await;
        let list = auditor.json("/api/v1/risk-analyses").await;
        assert_eq!(list["total"], 1);
        assert!(list["per_page"].is_u64());
        server.stop().await;
    }
);

fn location_header(response: &Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}
