//! Emergency response plans (緊急時対応計画, issue 18 item 6), over real HTTP on both
//! backends: a plan is a policy document of kind `response_plan` whose versions keep
//! structured scenarios (one per family of clause 3 to start with); a draft's scenarios
//! are edited, the plan approved and published through the policy flow; whom to call is
//! read from the contact tree when printed and when the self-contained file is saved.

use mamori_domain::user::Role;
use mamori_testkit::fixtures_policies::{
    RESPONSE_PLAN_TEXT, Stored, approve_and_publish, ciso, draft_response_plan, import_as,
};
use mamori_testkit::{TestServer, Web, assert_api_error, backend_test, location};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const FAMILIES: [&str; 5] = [
    "cyber_attack",
    "loss_theft",
    "disaster",
    "pandemic",
    "outage",
];

async fn audit_count(server: &TestServer, action: &str) -> i64 {
    server
        .db
        .number(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"
        ))
        .await
}

async fn scenarios(web: &Web<'_>, stored: &Stored) -> Value {
    web.json(&format!("{}/scenarios", stored.api())).await
}

fn scenario_path(stored: &Stored, sid: i64) -> String {
    format!("{}/plan/scenarios/{sid}", stored.page())
}

/// Every `src=` and `href=` target of `html`.
fn targets(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["src=", "href="] {
        for (at, _) in html.match_indices(attr) {
            let rest = &html[at + attr.len()..];
            let quote = rest.chars().next().unwrap_or(' ');
            let value: String = if quote == '"' || quote == '\'' {
                rest[1..].chars().take_while(|c| *c != quote).collect()
            } else {
                rest.chars()
                    .take_while(|c| !c.is_whitespace() && *c != '>')
                    .collect()
            };
            out.push(value);
        }
    }
    out
}

backend_test!(
    async fn a_draft_starts_with_one_scenario_per_family_and_is_edited_by_the_editor_only(
        backend
    ) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let (_, member) = server.web_as("giin.ichiro", Role::User).await;
        let stored = draft_response_plan(&officer).await;

        // Five scenarios, one per family of clause 3, each with first actions; written
        // with their audit entries.
        let plan = scenarios(&officer, &stored).await;
        assert_eq!(plan["editable"], true);
        let list = plan["scenarios"].as_array().unwrap();
        let families: Vec<&str> = list.iter().map(|s| s["family"].as_str().unwrap()).collect();
        assert_eq!(families, FAMILIES);
        assert!(list.iter().all(|s| !s["actions"].as_array().unwrap().is_empty()));
        assert_eq!(audit_count(&server, "response_plan.scenario_add").await, 5);
        let sid = list[2]["id"].as_i64().unwrap();
        let page = officer.page(&format!("{}/plan", stored.page()), 200).await;
        assert!(page.contains("地震・火災・風水害などの災害"), "{page}");
        assert!(page.contains(&scenario_path(&stored, sid)), "an edit link");
        let version = officer.page(&stored.page(), 200).await;
        assert!(version.contains(&format!("{}/plan", stored.page())), "linked");

        // Edited from its page: the new words are kept, with one audit entry.
        let form = officer.page(&scenario_path(&stored, sid), 200).await;
        assert!(form.contains("class=\"choice\""), "{form}");
        let roster = officer.json("/api/v1/organisation").await;
        let ciso_post = roster["post_holders"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["role"] == "ciso")
            .unwrap()["id"]
            .to_string();
        let saved = officer
            .post_form(
                &scenario_path(&stored, sid),
                &[
                    ("family", "disaster"),
                    ("title", "大規模地震"),
                    ("actions", "身の安全を確保する\n\n安否を報告する\n"),
                    ("calls", &ciso_post),
                    ("reports", "議長へ：当日中に"),
                ],
            )
            .await;
        assert_eq!(
            location(&saved),
            format!("{}/plan#s{sid}", stored.page())
        );
        let after = scenarios(&officer, &stored).await;
        let edited = &after["scenarios"][2];
        assert_eq!(edited["title"], "大規模地震");
        assert_eq!(edited["actions"], json!(["身の安全を確保する", "安否を報告する"]));
        assert_eq!(edited["reports"], json!(["議長へ：当日中に"]));
        assert_eq!(edited["calls"][0]["role"], "ciso");
        assert_eq!(audit_count(&server, "response_plan.scenario_edit").await, 1);

        // Bad input: 422 in Japanese naming each field, nothing written.
        let bad = officer
            .send_json(
                Method::PUT,
                &format!("{}/scenarios/{sid}", stored.api()),
                &json!({"family": "meteor", "title": " ", "actions": ["長".repeat(201)]}),
            )
            .await;
        let error = assert_api_error(bad, 422, "validation_failed").await;
        let text = error.to_string();
        assert!(text.contains("想定する事態の区分を一覧から選んでください"), "{text}");
        assert!(text.contains("シナリオの名称を入力してください"), "{text}");
        assert!(text.contains("1行目が長すぎます"), "{text}");
        let refused = officer
            .post_form(
                &scenario_path(&stored, sid),
                &[("family", "disaster"), ("title", ""), ("actions", "報告")],
            )
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = refused.text().await.unwrap();
        assert!(body.contains("シナリオの名称を入力してください"), "{body}");
        assert!(body.contains("id=\"error-summary\""));
        let unknown_post = officer
            .send_json(
                Method::PUT,
                &format!("{}/scenarios/{sid}", stored.api()),
                &json!({"family": "disaster", "title": "地震", "actions": ["逃げる"], "calls": [999999]}),
            )
            .await;
        assert_api_error(unknown_post, 422, "validation_failed").await;
        assert_eq!(scenarios(&officer, &stored).await, after, "nothing written");
        assert_eq!(audit_count(&server, "response_plan.scenario_edit").await, 1);

        // A member reads nothing of a draft and edits nothing.
        let put = member
            .send_json(
                Method::PUT,
                &format!("{}/scenarios/{sid}", stored.api()),
                &json!({"family": "disaster", "title": "x", "actions": ["x"]}),
            )
            .await;
        assert_eq!(put.status(), StatusCode::FORBIDDEN);
        let post = member
            .post_form(&scenario_path(&stored, sid), &[("title", "x")])
            .await;
        assert_eq!(post.status(), StatusCode::FORBIDDEN);
        member.page(&scenario_path(&stored, sid), 403).await;
        member.page(&format!("{}/plan", stored.page()), 404).await;
        assert_eq!(scenarios(&officer, &stored).await, after, "nothing written");
        server.stop().await;
    }
);

backend_test!(
    async fn the_published_plan_prints_whom_to_call_and_saves_as_one_file(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let (gicho_id, gicho) = ciso(&server, "gicho").await;
        let (_, member) = server.web_as("giin.ichiro", Role::User).await;
        // The CISO is reachable by phone: the contact tree keeps the number.
        let contact = officer
            .send_json(
                Method::PUT,
                &format!("/api/v1/organisation/people/{gicho_id}"),
                &json!({"phone": "0267-62-2111", "mobile": "090-1234-5678", "starts_on": "2023-05-01"}),
            )
            .await;
        assert_eq!(contact.status(), StatusCode::OK, "contact details");

        let stored = draft_response_plan(&officer).await;
        let first = scenarios(&officer, &stored).await["scenarios"][0].clone();
        let sid = first["id"].as_i64().unwrap();
        let mut edited = json!({
            "family": "cyber_attack",
            "title": "ランサムウェアに感染したとき",
            "actions": first["actions"],
            "calls": first["calls"].as_array().unwrap().iter().map(|c| c["post_id"].clone()).collect::<Vec<_>>(),
            "reports": first["reports"],
        });
        let put = officer
            .send_json(Method::PUT, &format!("{}/scenarios/{sid}", stored.api()), &edited)
            .await;
        assert_eq!(put.status(), StatusCode::OK);
        approve_and_publish(&officer, &gicho, &stored).await;

        // Published: read by members, no longer edited (a new version is drafted).
        let plan = scenarios(&member, &stored).await;
        assert_eq!(plan["status"], "published");
        assert_eq!(plan["editable"], false);
        let calls = &plan["scenarios"][0]["calls"];
        let ciso_call = calls
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["role"] == "ciso")
            .unwrap_or_else(|| panic!("the CISO is called: {calls}"));
        assert_eq!(ciso_call["holders"][0]["user_id"], gicho_id);
        assert_eq!(ciso_call["holders"][0]["phone"], "0267-62-2111");
        edited["title"] = json!("変えてはならない");
        let refused = officer
            .send_json(Method::PUT, &format!("{}/scenarios/{sid}", stored.api()), &edited)
            .await;
        assert_api_error(refused, 409, "not_draft").await;

        // The print view: one sheet per scenario, the holder and the numbers, the card.
        let print = member
            .page(&format!("{}/plan/print", stored.page()), 200)
            .await;
        assert_eq!(print.matches("class=\"plan-sheet\"").count(), 5);
        assert!(print.contains("ランサムウェアに感染したとき"));
        assert!(print.contains("0267-62-2111") && print.contains("tel:0267622111"), "{print}");
        assert!(print.contains("class=\"plan-card\""));
        let page = member.page(&format!("{}/plan", stored.page()), 200).await;
        assert!(page.contains(&format!("/policies/{}/plan/download", stored.document)));

        // The whole plan as one file: an attachment, nothing loaded from anywhere.
        let file = member
            .get(&format!("/policies/{}/plan/download", stored.document))
            .await;
        assert_eq!(file.status(), StatusCode::OK);
        let disposition = file.headers()["content-disposition"].to_str().unwrap().to_owned();
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        let html = file.text().await.unwrap();
        assert!(html.contains("<style>") && !html.contains("<script") && !html.contains("<link"));
        assert!(html.contains("この計画は、情報セキュリティ基本方針第6条第7号"), "the text");
        assert!(html.contains("ランサムウェアに感染したとき") && html.contains("0267-62-2111"));
        let targets = targets(&html);
        assert!(!targets.is_empty(), "the file links its sections");
        for target in &targets {
            assert!(
                target.starts_with('#') || target.starts_with("tel:"),
                "only anchors and tel: in the file: {target}"
            );
        }
        assert!(!html.contains("url("), "no url() in the styles");
        let api_file = member
            .get(&format!("/api/v1/policies/{}/plan/download", stored.document))
            .await;
        assert_eq!(api_file.status(), StatusCode::OK);

        // A new version starts with the scenarios of the published one.
        let next = import_as(
            &officer,
            "response_plan",
            &format!("{RESPONSE_PLAN_TEXT}第3条 この計画は、毎年度見直す。\n"),
            Some(stored.document),
        )
        .await;
        let copied = scenarios(&officer, &next).await;
        assert_eq!(copied["editable"], true);
        assert_eq!(copied["scenarios"][0]["title"], "ランサムウェアに感染したとき");
        assert_eq!(copied["scenarios"].as_array().unwrap().len(), 5);

        // A document of another kind has no scenarios.
        let pledge = import_as(&officer, "pledge", "誓約書\n\n1 遵守します。\n", None).await;
        let other = officer.get(&format!("{}/scenarios", pledge.api())).await;
        assert_api_error(other, 409, "not_a_response_plan").await;
        server.stop().await;
    }
);

backend_test!(
    async fn the_plan_pages_in_english_mark_the_plans_japanese(backend) {
        use crate::words_english::{english_text, japanese_in};
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
        let english = officer.post_form("/preferences", &[("lang", "en")]).await;
        assert_eq!(english.status(), StatusCode::SEE_OTHER);
        let stored = draft_response_plan(&officer).await;
        let sid = scenarios(&officer, &stored).await["scenarios"][0]["id"]
            .as_i64()
            .unwrap();
        let refused = officer
            .post_form(
                &scenario_path(&stored, sid),
                &[("family", "outage"), ("title", ""), ("actions", "停電を確かめる")],
            )
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let refused = refused.text().await.unwrap();
        assert!(refused.contains("Enter the name of the scenario."), "{refused}");
        let mut pages = vec![("refused form".to_owned(), refused)];
        for path in [
            format!("{}/plan", stored.page()),
            format!("{}/plan/print", stored.page()),
            scenario_path(&stored, sid),
        ] {
            let html = officer.page(&path, 200).await;
            pages.push((path, html));
        }
        for (path, html) in &pages {
            assert!(html.contains("<html lang=\"en\""), "{path} in English");
            // The plan's own words are there, marked: the scan below has something to skip.
            assert!(html.contains(" lang=\"ja\""), "{path}: the plan's Japanese");
            let found = japanese_in(&english_text(html));
            assert!(found.is_empty(), "{path}: unmarked Japanese {found:?}");
        }
        server.stop().await;
    }
);
