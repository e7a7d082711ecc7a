//! Sending for 決裁 to a chosen person with a note (issue 13, item 2), over real HTTP on
//! both backends: a policy draft saved, then sent from its page to one approver who
//! alone sees and decides it, sent back, seen by its author, and sent again; the API's
//! send and its refusals (the author, someone without the grant, a long note); a
//! take-out and a risk acceptance sent to the person chosen.

use mamori_domain::user::{OrgRole, Role};
use mamori_testkit::fixtures_approvals::waiting_for;
use mamori_testkit::fixtures_policies::{ciso, give_posts, seed};
use mamori_testkit::fixtures_start::{saved_draft, send_draft};
use mamori_testkit::{TestServer, assert_api_error, backend_test, fixtures_assets, fixtures_risks};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn version_id(page: &str) -> i64 {
    page.rsplit('/').next().unwrap().parse().unwrap()
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect()
}

backend_test!(async fn a_draft_sent_to_one_approver_reaches_only_them_and_comes_back(backend) {
    let server = TestServer::start(backend).await;
    let (officer_id, officer) = server.web_as("officer", Role::SecurityOfficer).await;
    let (gicho_id, gicho) = ciso(&server, "gicho").await;
    let (kacho_id, kacho) = server.web_as("kacho", Role::User).await;
    give_posts(&server, kacho_id, &[OrgRole::ChiefSecurityOfficer]).await;

    // Saved from the page: a draft, waiting for nobody yet.
    let version = saved_draft(&officer, &seed()).await;
    let vid = version_id(&version);
    assert!(waiting_for(&gicho, "policy_version", vid).await.is_none());
    assert!(waiting_for(&kacho, "policy_version", vid).await.is_none());
    // Its page offers to send it, to anyone who may approve or to one of them by name,
    // after the text.
    let page = officer.page(&version, 200).await;
    let form = page.find("name=\"decider\"").expect("the decider choice");
    assert!(page.find("本市議会が保有する情報資産").is_some_and(|text| text < form), "the form follows the text");
    assert!(page.contains("決裁権限のある方のいずれか"));
    assert!(page.contains(&format!("<option value=\"{gicho_id}\">gicho</option>")));
    assert!(page.contains(&format!("<option value=\"{kacho_id}\">kacho</option>")));
    assert!(!page.contains(&format!("<option value=\"{officer_id}\">")), "not the sender");
    let deciders = officer.json("/api/v1/approvals/deciders?register=policies").await;
    assert_eq!(ids(&deciders), vec![gicho_id, kacho_id], "by name");

    // Nobody chooses themselves: the page says so by the field, and nothing is sent.
    let own = send_draft(&officer, &version, &officer_id.to_string(), "").await;
    assert_eq!(own.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let own = own.text().await.unwrap();
    assert!(own.contains("決裁をお願いする方：自分自身を決裁者に選ぶことはできません。"), "{own}");
    assert!(own.contains("href=\"#decider\""), "the summary links to the field");
    assert!(own.contains("name=\"request_note\""), "the form is shown again");
    assert!(waiting_for(&gicho, "policy_version", vid).await.is_none());

    // Sent to the CISO with a note: on her home page and in her count, not on kacho's.
    let sent = send_draft(&officer, &version, &gicho_id.to_string(), "第4条の表現を改めました").await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let request = waiting_for(&gicho, "policy_version", vid).await.expect("waiting for gicho");
    assert_eq!(request["asked_kind"], "person");
    assert_eq!(request["asked_user"], gicho_id);
    assert_eq!(request["note"], "第4条の表現を改めました");
    assert!(waiting_for(&kacho, "policy_version", vid).await.is_none(), "not another approver's");
    let home = gicho.page("/", 200).await;
    assert!(home.contains("あなたの決裁待ち") && home.contains("佐久市議会情報セキュリティ基本方針"));
    let count = gicho.json("/api/v1/me/waiting").await;
    assert_eq!(count["approvals"], 1);
    assert!(count["unread_notices"].as_i64().unwrap() >= 1, "she is notified: {count}");
    assert!(!kacho.page("/", 200).await.contains("あなたの決裁待ち"));
    assert_eq!(kacho.json("/api/v1/me/waiting").await["approvals"], 0);
    // Kacho may approve policies, but this one was not sent to him.
    assert!(!kacho.page(&version, 200).await.contains("決裁する"));
    let refused = kacho
        .post_form(&format!("{version}/approve"), &[("approved_on", "令和8年3月18日")])
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    // Sent once: a second send waits for the first to be decided.
    let again = send_draft(&officer, &version, "", "").await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(again.text().await.unwrap().contains("すでに決裁に回っています"));

    // Sent back with a reason: the author's home page shows it with the reason.
    let id = request["id"].as_i64().unwrap();
    let back = json!({"decision": "return", "reason": "附則の施行日を確認してください"});
    let returned = gicho.post_json(&format!("/api/v1/approvals/{id}/decision"), &back).await;
    assert_eq!(returned.status(), StatusCode::OK);
    let home = officer.page("/", 200).await;
    assert!(home.contains("差し戻された・却下された申請"), "{home}");
    assert!(home.contains("附則の施行日を確認してください"));
    assert!(home.contains(&format!("href=\"{version}\"")));

    // Sent again, to kacho: the returned one leaves the author's home page.
    let resent = send_draft(&officer, &version, &kacho_id.to_string(), "確認しました").await;
    assert_eq!(resent.status(), StatusCode::SEE_OTHER);
    assert!(!officer.page("/", 200).await.contains("差し戻された・却下された申請"));
    let request = waiting_for(&kacho, "policy_version", vid).await.expect("waiting for kacho");
    assert!(waiting_for(&gicho, "policy_version", vid).await.is_none());
    let id = request["id"].as_i64().unwrap();
    let approved = kacho
        .post_json(&format!("/api/v1/approvals/{id}/decision"), &json!({"decision": "approve"}))
        .await;
    assert_eq!(approved.status(), StatusCode::OK);
    let detail = officer.json(&format!("/api/v1{version}")).await;
    assert_eq!(detail["version"]["status"], "approved");
    server.stop().await;
});

backend_test!(async fn the_api_sends_a_draft_and_refuses_the_author_and_non_approvers(backend) {
    let server = TestServer::start(backend).await;
    // The security officer who writes the draft also holds an approving post.
    let (officer_id, officer) = server.web_as("officer", Role::SecurityOfficer).await;
    give_posts(&server, officer_id, &[OrgRole::ChiefSecurityOfficer]).await;
    let (gicho_id, gicho) = ciso(&server, "gicho").await;
    let (member_id, _) = server.web_as("giin", Role::User).await;

    // Stored only, as asked; the default (no flag) still sends it, as before.
    let body = json!({"kind": "basic_policy", "text": seed(), "send_for_approval": false});
    let stored = officer.post_json("/api/v1/policies/import", &body).await;
    assert_eq!(stored.status(), StatusCode::CREATED);
    let stored: Value = stored.json().await.unwrap();
    let (document, vid) = (stored["document_id"].as_i64().unwrap(), stored["version_id"].as_i64().unwrap());
    assert!(waiting_for(&gicho, "policy_version", vid).await.is_none());
    let send = format!("/api/v1/policies/{document}/versions/{vid}/send");

    for (decider, note, field) in [
        (json!(officer_id), json!(""), "decider"),
        (json!(member_id), json!(""), "decider"),
        (json!(999_999), json!(""), "decider"),
        (json!(gicho_id), json!("あ".repeat(1001)), "request_note"),
    ] {
        let refused = officer.post_json(&send, &json!({"decider": decider, "request_note": note})).await;
        let error = assert_api_error(refused, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], field, "{decider}");
    }
    assert!(waiting_for(&gicho, "policy_version", vid).await.is_none(), "nothing half-sent");
    // The author is not offered as an approver of their own draft.
    let deciders = gicho.json("/api/v1/approvals/deciders?register=policies").await;
    assert_eq!(ids(&deciders), vec![officer_id]);
    let unknown = gicho.get("/api/v1/approvals/deciders?register=budget").await;
    assert_api_error(unknown, 422, "validation_failed").await;

    let sent = officer
        .post_json(&send, &json!({"decider": gicho_id, "request_note": "ご確認ください"}))
        .await;
    assert_eq!(sent.status(), StatusCode::CREATED);
    let sent: Value = sent.json().await.unwrap();
    let request = waiting_for(&gicho, "policy_version", vid).await.expect("waiting");
    assert_eq!(request["id"], sent["approval_request_id"]);
    assert_eq!(request["note"], "ご確認ください");
    assert_api_error(officer.post_json(&send, &json!({})).await, 409, "already_sent").await;
    server.stop().await;
});

backend_test!(async fn a_take_out_and_an_acceptance_go_to_the_person_chosen(backend) {
    let server = TestServer::start(backend).await;
    let (officer_id, officer) = server.web_as("officer", Role::SecurityOfficer).await;
    let (kanri_id, kanri) = server.web_as("kanri", Role::SecurityOfficer).await;
    let (member_id, member) = server.web_as("giin", Role::User).await;

    // A take-out of a 3C asset needs approval: the member chooses who decides.
    let asset = fixtures_assets::asset(&server, "議員用タブレット", ["3C", "2", "2"], Some(member_id)).await;
    let path = format!("/assets/{}", asset.id);
    let page = member.page(&path, 200).await;
    assert!(page.contains("承認が必要な持ち出しの決裁"));
    assert!(page.contains(&format!("<option value=\"{kanri_id}\">kanri</option>")));
    assert!(page.contains(&format!("<option value=\"{officer_id}\">officer</option>")));
    let takeout = |decider: String| {
        vec![
            ("kind", "take_out".to_owned()),
            ("occurred_on", "2099-04-01".to_owned()),
            ("person", "議員 一郎".to_owned()),
            ("counterparty", "自宅".to_owned()),
            ("due_back", "2099-04-02".to_owned()),
            ("decider", decider),
            ("request_note", "委員会視察で使います".to_owned()),
        ]
    };
    // A level whose take-outs need no approval asks nobody.
    let plain = fixtures_assets::asset(&server, "会議次第", ["1", "2", "2"], Some(member_id)).await;
    let plain_page = member.page(&format!("/assets/{}", plain.id), 200).await;
    assert!(plain_page.contains("name=\"notes\""), "the member records take-outs");
    assert!(!plain_page.contains("name=\"decider\""), "no approval needed");
    let events = format!("{path}/events");
    let own = takeout(member_id.to_string());
    let own: Vec<(&str, &str)> = own.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = member.post_form(&events, &own).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("決裁をお願いする方"));
    let recorded = member.json(&format!("/api/v1{path}/events")).await;
    assert!(recorded.as_array().unwrap().is_empty(), "nothing half-written");
    let chosen = takeout(kanri_id.to_string());
    let chosen: Vec<(&str, &str)> = chosen.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(member.post_form(&events, &chosen).await.status(), StatusCode::SEE_OTHER);
    let event = member.json(&format!("/api/v1{path}/events")).await[0]["id"].as_i64().unwrap();
    let request = waiting_for(&kanri, "asset_takeout", event).await.expect("waiting for kanri");
    assert_eq!(request["note"], "委員会視察で使います");
    assert!(waiting_for(&officer, "asset_takeout", event).await.is_none(), "not the other officer's");
    // Rejected with a reason: the member's home page says so, with the reason.
    let id = request["id"].as_i64().unwrap();
    let reject = json!({"decision": "reject", "reason": "視察の日程が確認できません"});
    let decided = kanri.post_json(&format!("/api/v1/approvals/{id}/decision"), &reject).await;
    assert_eq!(decided.status(), StatusCode::OK);
    let home = member.page("/", 200).await;
    assert!(home.contains("差し戻された・却下された申請") && home.contains("視察の日程が確認できません"));
    assert!(home.contains(&format!("href=\"{path}#events\"")));

    // A risk acceptance goes to the CISO chosen, not to the other one.
    let (gicho_id, gicho) = server.web_as("gicho", Role::User).await;
    fixtures_risks::hold_ciso_post(&server, gicho_id).await;
    let (fuku_id, fuku) = server.web_as("fukugicho", Role::User).await;
    fixtures_risks::hold_ciso_post(&server, fuku_id).await;
    let threat = fixtures_risks::threat_id(&server, "不正アクセス").await;
    let asset = fixtures_risks::asset(&officer, "議会サーバー").await;
    let risk = fixtures_risks::risk(&officer, "サーバーへの不正アクセス", threat, asset).await;
    let acceptances = format!("/api/v1/risks/{risk}/acceptances");
    let proposal = |decider: i64| json!({
        "reason": "機器更新まで運用で対応する", "expires_on": "2099-03-31",
        "decider": decider, "request_note": "更新予算は来年度要求します"
    });
    let refused = officer.post_json(&acceptances, &proposal(kanri_id)).await;
    let error = assert_api_error(refused, 422, "validation_failed").await;
    assert_eq!(error["fields"][0]["field"], "decider", "kanri is no CISO");
    let proposed = officer.post_json(&acceptances, &proposal(fuku_id)).await;
    assert_eq!(proposed.status(), StatusCode::CREATED);
    let acceptance = proposed.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let request = waiting_for(&fuku, "risk_acceptance", acceptance).await.expect("waiting for fukugicho");
    assert_eq!(request["note"], "更新予算は来年度要求します");
    assert!(waiting_for(&gicho, "risk_acceptance", acceptance).await.is_none());
    server.stop().await;
});
