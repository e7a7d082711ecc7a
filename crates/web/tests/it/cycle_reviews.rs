//! Recurring reviews through real HTTP on both backends: a policy document gets a
//! yearly schedule, its clause-8 review moves it on, a schedule set on a risk and its
//! review recorded, the due list and the home pages.

use mamori_domain::calendar::FiscalYear;
use mamori_domain::user::{OrgRole, Role};
use mamori_testkit::fixtures_cycle::a_risk;
use mamori_testkit::{TestServer, assert_api_error, backend_test, fixtures_policies, location};
use serde_json::{Value, json};

backend_test!(
    async fn a_policy_is_reviewed_every_fiscal_year_through_the_review_block(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let stored = fixtures_policies::imported_seed(&officer).await;
        let doc = stored.document;
        let today = mamori_app::today();
        let this_year = FiscalYear::of(today);

        let history: Value = officer.json(&format!("/api/v1/reviews/policy_document/{doc}")).await;
        let schedule = &history["schedule"];
        assert_eq!((schedule["rule"].as_str(), schedule["month"].as_u64(), schedule["day"].as_u64()), (Some("fiscal_yearly"), Some(3), Some(31)));
        assert_eq!(schedule["reviewer"], "post:chief_security_officer");
        assert_eq!(schedule["next_due_on"], mamori_app::date_text(this_year.end()));
        let page = officer.page(&format!("/policies/{doc}"), 200).await;
        assert!(page.contains("次回の見直し期限") && page.contains("統括情報セキュリティ責任者"), "{page}");

        // The clause-8 review, through the policy's own API, answers this 年度's review.
        let reviewed_on = mamori_app::date_text(today);
        let review = json!({"reviewed_on": reviewed_on, "trigger": "other", "analysis": "運用状況に問題はない", "decision": "改定しない"});
        let recorded = officer.post_json(&format!("/api/v1/policies/{doc}/reviews"), &review).await;
        assert_eq!(recorded.status().as_u16(), 201, "{backend:?}");
        let history: Value = officer.json(&format!("/api/v1/reviews/policy_document/{doc}")).await;
        assert_eq!(history["schedule"]["next_due_on"], mamori_app::date_text(this_year.next().end()));
        let reviews = history["reviews"].as_array().unwrap();
        assert_eq!(reviews.len(), 1);
        assert_eq!((reviews[0]["outcome"].as_str(), reviews[0]["note"].as_str()), (Some("改定しない"), Some("運用状況に問題はない")));
        assert_eq!(reviews[0]["due_on"], mamori_app::date_text(this_year.end()));
        // The policy page still lists it as before.
        let page = officer.page(&format!("/policies/{doc}"), 200).await;
        assert!(page.contains("運用状況に問題はない"));

        // The block refuses to record a policy review without its trigger and version.
        let generic = officer
            .post_json(&format!("/api/v1/reviews/policy_document/{doc}"), &json!({"reviewed_on": reviewed_on, "outcome": "x"}))
            .await;
        assert_api_error(generic, 409, "policy_review_form").await;

        // A one-off review today, by the post: due now, so listed.
        let (chief_id, chief) = server.web_as("tokatsu", Role::User).await;
        fixtures_policies::give_posts(&server, chief_id, &[OrgRole::ChiefSecurityOfficer]).await;
        let set = officer
            .send_json(reqwest::Method::PUT, &format!("/api/v1/reviews/policy_document/{doc}/schedule"), &json!({"rule": "once", "on": reviewed_on, "reviewer": "post:chief_security_officer"}))
            .await;
        assert_eq!(set.status().as_u16(), 200);
        let due: Value = officer.json("/api/v1/reviews").await;
        assert!(due.as_array().unwrap().iter().any(|s| s["subject_id"] == doc && s["state"] == "due_soon"), "{due}");
        let page = officer.page("/reviews", 200).await;
        assert!(page.contains("期限間近"), "{page}");
        // On the home page of the post holder and of the security officer.
        for web in [&chief, &officer] {
            let home = web.page("/", 200).await;
            assert!(home.contains(&format!("/reviews/policy_document/{doc}")), "{home}");
        }
        let (_, member) = server.web_as("giin.sato", Role::User).await;
        assert!(!member.page("/", 200).await.contains("/reviews/policy_document/"));

        // Only the register's editors set schedules; bad input is named.
        let refused = member
            .send_json(reqwest::Method::PUT, &format!("/api/v1/reviews/policy_document/{doc}/schedule"), &json!({"rule": "once", "reviewer": "post:ciso"}))
            .await;
        assert_api_error(refused, 403, "forbidden").await;
        let bad = officer
            .send_json(reqwest::Method::PUT, &format!("/api/v1/reviews/policy_document/{doc}/schedule"), &json!({"rule": "every_months", "months": 0, "reviewer": "user:999"}))
            .await;
        let error = assert_api_error(bad, 422, "validation_failed").await;
        let fields: Vec<&str> = error["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["months", "reviewer"]);
        server.stop().await;
    }
);

backend_test!(
    async fn a_risk_gets_a_schedule_and_a_review_from_the_pages(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let risk = a_risk(&server, &officer, "庁内LANへの不正アクセス").await;
        let path = format!("/reviews/risk/{risk}");
        let page = officer.page(&path, 200).await;
        assert!(page.contains("見直しの予定は設定されていません。"), "{page}");

        let set = officer
            .post_form(&format!("{path}/schedule"), &[("rule", "every_months"), ("months", "6"), ("reviewer", "post:security_manager"), ("month_day", ""), ("on", "")])
            .await;
        assert_eq!(location(&set), path);
        let history: Value = officer.json(&format!("/api/v1{path}")).await;
        let first_due = history["schedule"]["next_due_on"].as_str().unwrap().to_owned();
        assert_eq!(history["schedule"]["months"], 6);

        // A review dated in the future is refused with the form kept.
        let tomorrow = mamori_app::date_text(mamori_app::today() + time::Duration::days(1));
        let refused = officer.post_form(&path, &[("reviewed_on", &tomorrow), ("outcome", "対策は有効"), ("note", "")]).await;
        assert_eq!(refused.status().as_u16(), 422);
        let body = refused.text().await.unwrap();
        assert!(body.contains("見直した日に未来の日付は入力できません。") && body.contains("対策は有効"));

        let today = mamori_app::date_text(mamori_app::today());
        let recorded = officer.post_form(&path, &[("reviewed_on", &today), ("outcome", "対策は有効"), ("note", "MDMの運用を確認")]).await;
        assert_eq!(location(&recorded), format!("{path}#history"));
        let history: Value = officer.json(&format!("/api/v1{path}")).await;
        assert_eq!(history["reviews"][0]["due_on"].as_str(), Some(first_due.as_str()));
        let next = mamori_domain::review::add_months(mamori_app::today(), 6);
        assert_eq!(history["schedule"]["next_due_on"], mamori_app::date_text(next));

        // Risks are read by those who keep them: a member cannot see the risk's reviews.
        let (_, member) = server.web_as("giin.sato", Role::User).await;
        member.page(&path, 404).await;
        let audit = mamori_store::audit::recent(&server.store, 50).await.unwrap();
        assert!(audit.iter().any(|e| e.action == "review.record" && e.target_type == "risk"));
        assert!(audit.iter().any(|e| e.action == "review.schedule_set"));
        server.stop().await;
    }
);
