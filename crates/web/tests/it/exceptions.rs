//! Exceptions (例外措置, issue 12 item 5) through real HTTP on both backends: asked by a
//! manager, permitted by the CISO through the approval block (never by the one who
//! asked), flagged once expired, ended with a note; sent back, corrected and asked
//! again; an emergency reported afterwards; refused input and refused people.

use mamori_domain::user::{OrgRole, Role};
use mamori_testkit::fixtures_people::user_with_posts;
use mamori_testkit::{TestServer, assert_api_error, backend_test, location};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn day(offset: i64) -> String {
    mamori_app::date_text(mamori_app::today() + time::Duration::days(offset))
}

fn asked(starts: i64, expires: i64) -> Value {
    json!({
        "waived_rule": "USBメモリ等の外部記録媒体は使用しない",
        "clause_ref": "6(4)",
        "scope": "議会中継システムの録画データ移送",
        "reason": "中継業者の機器がネットワーク接続に対応していないため",
        "measure": "暗号化USBを事務局で管理し、使用後に消去を確認する",
        "starts_on": day(starts),
        "expires_on": day(expires),
    })
}

async fn ask(web: &mamori_testkit::Web<'_>, body: &Value) -> Value {
    let response = web.post_json("/api/v1/exceptions", body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let named = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(named.starts_with("/api/v1/exceptions/"), "{named}");
    response.json().await.unwrap()
}

async fn decide(web: &mamori_testkit::Web<'_>, request: i64, decision: &str, reason: &str) -> u16 {
    web.post_json(
        &format!("/api/v1/approvals/{request}/decision"),
        &json!({ "decision": decision, "reason": reason }),
    )
    .await
    .status()
    .as_u16()
}

backend_test!(
    async fn an_exception_is_permitted_by_the_ciso_flagged_when_expired_and_ended(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
        user_with_posts(&server, "gicho", Role::User, &[OrgRole::Ciso]).await;
        let ciso = server.web(&server.sign_in("gicho").await);

        let exception = ask(&officer, &asked(0, 60)).await;
        assert_eq!(exception["standing"], "requested");
        assert_eq!(exception["approval"], "pending");
        let id = exception["id"].as_i64().unwrap();
        let request = exception["pending_request"].as_i64().unwrap();

        // Nobody permits their own exception, even one who keeps the register.
        assert_eq!(decide(&officer, request, "approve", "").await, 403);
        assert_eq!(decide(&ciso, request, "approve", "代替措置を確認").await, 200);
        let seen = officer.json(&format!("/api/v1/exceptions/{id}")).await;
        assert_eq!(seen["standing"], "in_effect");
        assert_eq!(seen["pending_request"], Value::Null);

        // Its time runs out: the register flags it, first in the list and on the page.
        server
            .db
            .execute(&format!(
                "UPDATE exceptions SET starts_on = '{}', expires_on = '{}' WHERE id = {id}",
                day(-90),
                day(-1)
            ))
            .await;
        let list = officer.json("/api/v1/exceptions").await;
        assert_eq!(list["items"][0]["id"], id);
        assert_eq!(list["items"][0]["standing"], "expired");
        let page = officer.page(&format!("/exceptions/{id}"), 200).await;
        assert!(page.contains("期限切れ"), "{page}");

        // Closing it needs a note saying how the rule is kept again.
        let empty = officer
            .post_json(&format!("/api/v1/exceptions/{id}/end"), &json!({ "note": "" }))
            .await;
        assert_api_error(empty, 422, "validation_failed").await;
        let ended = officer
            .post_json(
                &format!("/api/v1/exceptions/{id}/end"),
                &json!({ "note": "中継業者の機器更新によりネットワーク転送へ移行した" }),
            )
            .await;
        assert_eq!(ended.status(), StatusCode::OK);
        let ended: Value = ended.json().await.unwrap();
        assert_eq!(ended["standing"], "ended");
        let again = officer
            .post_json(&format!("/api/v1/exceptions/{id}/end"), &json!({ "note": "再度" }))
            .await;
        assert_api_error(again, 409, "invalid_state").await;

        let audit = officer.page("/audit", 200).await;
        assert!(audit.contains("例外措置の申請"), "{audit}");
        assert!(audit.contains("例外措置の終了"), "{audit}");
    }
);

backend_test!(
    async fn an_exception_sent_back_is_corrected_and_asked_again(backend) {
        let server = TestServer::start(backend).await;
        user_with_posts(&server, "kanri", Role::User, &[OrgRole::SecurityManager]).await;
        let manager = server.web(&server.sign_in("kanri").await);
        user_with_posts(&server, "gicho", Role::User, &[OrgRole::Ciso]).await;
        let ciso = server.web(&server.sign_in("gicho").await);

        let exception = ask(&manager, &asked(7, 400)).await;
        let id = exception["id"].as_i64().unwrap();
        let first = exception["pending_request"].as_i64().unwrap();
        // Sending back needs a reason.
        assert_eq!(decide(&ciso, first, "return", "").await, 422);
        assert_eq!(
            decide(&ciso, first, "return", "期間を年度末までにしてください").await,
            200
        );
        let seen = manager.json(&format!("/api/v1/exceptions/{id}")).await;
        assert_eq!(seen["standing"], "returned");

        let mut corrected = asked(7, 100);
        corrected["measure"] = json!("暗号化USBを事務局で管理し、使用の都度記録する");
        let response = manager
            .post_json(&format!("/api/v1/exceptions/{id}/revise"), &corrected)
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let revised: Value = response.json().await.unwrap();
        assert_eq!(revised["standing"], "requested");
        assert_eq!(revised["approval_requests"].as_array().unwrap().len(), 2);
        let second = revised["pending_request"].as_i64().unwrap();
        assert_ne!(second, first);

        // Only one sent back can be corrected.
        let twice = manager
            .post_json(&format!("/api/v1/exceptions/{id}/revise"), &corrected)
            .await;
        assert_api_error(twice, 409, "invalid_state").await;

        assert_eq!(decide(&ciso, second, "approve", "").await, 200);
        let seen = ciso.json(&format!("/api/v1/exceptions/{id}")).await;
        assert_eq!(seen["standing"], "permitted");
        let page = ciso.page(&format!("/exceptions/{id}"), 200).await;
        assert!(page.contains("期間を年度末までにしてください"), "{page}");
    }
);

backend_test!(
    async fn an_emergency_is_reported_afterwards_and_input_is_checked(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;

        // No expiry, a start in the past outside an emergency: each field says why.
        let mut no_end = asked(-3, 30);
        no_end["expires_on"] = json!("");
        let refused = officer.post_json("/api/v1/exceptions", &no_end).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = refused.json().await.unwrap();
        let fields: Vec<&str> = body["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&"expires_on"), "{body}");
        assert!(fields.contains(&"starts_on"), "{body}");
        assert_eq!(
            officer.json("/api/v1/exceptions").await["total"],
            0,
            "nothing stored"
        );

        let mut emergency = asked(-3, 30);
        emergency["emergency"] = json!(true);
        let taken = ask(&officer, &emergency).await;
        assert_eq!(taken["standing"], "emergency_unconfirmed");

        let unknown = officer
            .post_json("/api/v1/exceptions", &json!({ "waived_rule": "x", "colour": "red" }))
            .await;
        assert_eq!(unknown.status().as_u16(), 422);
    }
);

backend_test!(
    async fn members_and_contractors_see_no_exceptions_and_pages_work(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
        let (_, member) = server.web_as("giin", Role::User).await;
        let (_, contractor) = server.web_as("itaku", Role::Contractor).await;
        for web in [&member, &contractor] {
            assert_api_error(web.get("/api/v1/exceptions").await, 403, "forbidden").await;
            let post = web.post_json("/api/v1/exceptions", &asked(0, 30)).await;
            assert_api_error(post, 403, "forbidden").await;
        }

        // The page form: kept as typed when refused, then asked.
        officer.page("/exceptions/new", 200).await;
        let refused = officer
            .post_form(
                "/exceptions/new",
                &[("waived_rule", "持出し禁止の適用除外"), ("scope", ""), ("expires_on", "")],
            )
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = refused.text().await.unwrap();
        assert!(page.contains("持出し禁止の適用除外"));
        let starts = day(0);
        let expires = day(30);
        let created = officer
            .post_form(
                "/exceptions/new",
                &[
                    ("waived_rule", "持出し禁止の適用除外"),
                    ("scope", "委員会視察時の資料"),
                    ("reason", "視察先での説明に必要"),
                    ("measure", "暗号化した端末で持ち出し、帰庁後に消去"),
                    ("starts_on", starts.as_str()),
                    ("expires_on", expires.as_str()),
                ],
            )
            .await;
        assert_eq!(created.status(), StatusCode::SEE_OTHER);
        let shown = officer.page(&location(&created), 200).await;
        assert!(shown.contains("決裁待ち"), "{shown}");
        let list = officer.page("/exceptions", 200).await;
        assert!(list.contains("委員会視察時の資料"));
        let member_id = {
            let page = member.get("/exceptions").await;
            page.status().as_u16()
        };
        assert_eq!(member_id, 403);
    }
);

backend_test!(
    async fn the_request_reaches_the_ciso_and_the_decision_the_one_who_asked(backend) {
        use mamori_testkit::fixtures_notify::{MailingServer, quick_backoff, set_my_mail};
        let ms = MailingServer::start(backend, quick_backoff(3)).await;
        let server = &ms.server;
        let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
        user_with_posts(server, "gicho", Role::User, &[OrgRole::Ciso]).await;
        let ciso = server.web(&server.sign_in("gicho").await);
        set_my_mail(&ciso, "gicho@gikai.example.lg.jp").await;

        let exception = ask(&officer, &asked(0, 60)).await;
        let request = exception["pending_request"].as_i64().unwrap();
        let link = format!("/approvals/{request}");

        // In the CISO's list and home page, and by mail: a number and a link, not the
        // rule set aside nor the systems it covers.
        let notices = ciso.json("/api/v1/notifications").await;
        let notice = &notices["items"][0];
        assert_eq!(notice["kind"], "approval_requested");
        assert_eq!(notice["link"], link.as_str());
        let home = ciso.page("/", 200).await;
        assert!(home.contains(&link), "{home}");
        let mails = ms.smtp.wait_for(1, std::time::Duration::from_secs(20)).await;
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].rcpt_to, vec!["gicho@gikai.example.lg.jp"]);
        let (subject, body) = (mails[0].subject(), mails[0].body_text());
        assert!(subject.contains("決裁の依頼"), "{subject}");
        assert!(body.contains(&link), "{body}");
        for secret in ["USBメモリ", "議会中継システム", "中継業者"] {
            assert!(!subject.contains(secret) && !body.contains(secret), "{body}");
        }
        // The one who asked is not told of their own request.
        assert_eq!(officer.json("/api/v1/notifications").await["total"], 0);

        assert_eq!(decide(&ciso, request, "approve", "").await, 200);
        let told = officer.json("/api/v1/notifications").await;
        assert_eq!(told["items"][0]["kind"], "approval_decided");
        assert_eq!(told["items"][0]["link"], link.as_str());
        ms.stop().await;
    }
);
