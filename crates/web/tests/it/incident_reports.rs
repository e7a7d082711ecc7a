//! Outside reports of incidents (issue 18 item 3) through real HTTP on both backends: a
//! leak of 150 people's data noticed on a Friday starts the clocks of the Commission's
//! preliminary and final reports, a working-day duty skips the weekend and a closed day;
//! an unlawful purpose asks for 60 days instead of 30; a report recorded with its
//! reference and the file sent, and withdrawn; overdue reports on the CISO's home page
//! and not on a member's; the reporter never sees clocks; bad input refused in Japanese
//! writing nothing; the duties kept by the security officer (edited, retired) and the
//! people threshold a setting.

use mamori_domain::user::{Role, UserType};
use mamori_testkit::fixtures_policies::ciso;
use mamori_testkit::{TestServer, Web, assert_api_error, backend_test};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::once_forms::{Answer, Form, Twice, Upload, id_after};

async fn count(server: &TestServer, sql: &str) -> i64 {
    server.db.number(sql).await
}

/// The clock of the duty to `stage` counted in `days`.
fn clock<'a>(reports: &'a Value, stage: &str, days: u64) -> &'a Value {
    reports["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["duty"]["stage"] == stage && c["duty"]["days"] == days)
        .unwrap_or_else(|| panic!("a {stage} clock of {days} days in {reports}"))
}

async fn report_incident(web: &Web<'_>, title: &str) -> i64 {
    let body = json!({"title": title, "description": "名簿の入ったUSBメモリを紛失した",
        "noticed_at": "2026-11-27 10:00", "personal": "yes"});
    let response = web.post_json("/api/v1/incidents", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
}

backend_test!(
    async fn a_leak_starts_the_clocks_and_reports_stop_them(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let (_, admin) = server.web_as("kanri", Role::Admin).await;
        let (_, gicho) = ciso(&server, "gicho").await;
        server.add_account("giin.sato", Role::User, UserType::Member, false).await;
        let member = Web { server: &server, client: server.sign_in("giin.sato").await };

        // A member reports a leak noticed on Friday 27 November 2026; the officer triages:
        // 150 people, severity 高. Monday 30 November is a closed day of the office.
        let id = report_incident(&member, "住民名簿の入ったUSBメモリの紛失").await;
        let triage = json!({"severity": "high", "personal": "yes", "people": "150"});
        let response = officer
            .send_json(Method::PUT, &format!("/api/v1/incidents/{id}/triage"), &triage)
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let closed = json!({"on": "2026-11-30", "name": "臨時休庁日"});
        let response = admin.post_json("/api/v1/calendar/holidays", &closed).await;
        assert!(response.status().is_success(), "{}", response.status());

        let api = format!("/api/v1/incidents/{id}/reports");
        let reports = officer.json(&api).await;
        let preliminary = clock(&reports, "preliminary", 5);
        assert_eq!((preliminary["due"].as_str(), preliminary["state"].as_str()),
            (Some("2026-12-02"), Some("overdue")));
        assert_eq!(clock(&reports, "final", 30)["due"], "2026-12-27");
        assert_eq!(clock(&reports, "final", 60)["state"], "not_applicable");
        // 3 working days: not Saturday, Sunday nor the closed Monday.
        assert_eq!(clock(&reports, "other", 3)["due"], "2026-12-03");

        // The reporter's own view has no clocks, and the API says there is nothing.
        assert_api_error(member.get(&api).await, 404, "not_found").await;
        let own = member.page(&format!("/incidents/{id}"), 200).await;
        assert!(!own.contains("外部への報告"));
        let full = officer.page(&format!("/incidents/{id}"), 200).await;
        assert!(full.contains("外部への報告") && full.contains("個人情報保護委員会"));

        // Overdue on the CISO's home page, not on the member's.
        let home = gicho.page("/", 200).await;
        assert!(home.contains("期限を過ぎた外部への報告") && home.contains("住民名簿"), "{home}");
        assert!(!member.page("/", 200).await.contains("期限を過ぎた外部への報告"));

        // A bad date is refused in Japanese, and nothing is written.
        let duty = preliminary["duty"]["id"].as_i64().unwrap().to_string();
        let audit_before = count(&server, "SELECT COUNT(*) FROM audit_log").await;
        let refused = officer
            .post_multipart(
                &format!("/incidents/{id}/reports"),
                &[("duty", duty.as_str()), ("sent_on", "令和8年13月1日"), ("reference", "PPC-1")],
                Some(("速報.pdf", &mamori_testkit::fixtures_files::pdf("Report"))),
            )
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = refused.text().await.unwrap();
        assert!(page.contains("報告日") && page.contains("PPC-1"), "the form kept as typed");
        assert_eq!(count(&server, "SELECT COUNT(*) FROM incident_reports").await, 0);
        assert_eq!(count(&server, "SELECT COUNT(*) FROM attachments").await, 0);
        assert_eq!(count(&server, "SELECT COUNT(*) FROM audit_log").await, audit_before);

        // The preliminary report recorded with its reference number and the file sent.
        let pdf = mamori_testkit::fixtures_files::pdf("Preliminary");
        let response = officer
            .post_multipart(
                &api,
                &[("duty", duty.as_str()), ("sent_on", "令和8年12月1日"),
                  ("reference", "PPC-2026-0001"), ("note", "様式第1号により電子メールで報告")],
                Some(("速報.pdf", &pdf)),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let reports: Value = response.json().await.unwrap();
        let made = &reports["reports"][0];
        assert_eq!((made["recipient"].as_str(), made["reference"].as_str()),
            (Some("個人情報保護委員会"), Some("PPC-2026-0001")));
        let file = made["attachment_id"].as_i64().expect("the file sent");
        assert_eq!(officer.get(&format!("/api/v1/files/{file}")).await.status(), StatusCode::OK);
        assert_eq!(clock(&reports, "preliminary", 5)["state"], "on_time");
        let timeline = officer.json(&format!("/api/v1/incidents/{id}")).await["timeline"].clone();
        assert!(timeline.as_array().unwrap().iter().any(|e| e["kind"] == "outside_report"));
        let page = officer.page(&format!("/incidents/{id}"), 200).await;
        assert!(page.contains("PPC-2026-0001") && page.contains("期限内"));
        // The year's figures count the reports as they stand.
        let figures = officer.json("/api/v1/incidents/figures").await;
        assert_eq!(figures["reports_on_time"], 1, "{figures}");
        assert!(figures["reports_overdue"].as_u64().is_some(), "{figures}");

        // Withdrawn with a reason: kept, struck through, and the clock runs again.
        let report = made["id"].as_i64().unwrap();
        let withdraw = format!("/api/v1/incidents/reports/{report}/withdraw");
        let response = officer.post_json(&withdraw, &json!({"reason": ""})).await;
        assert_api_error(response, 422, "validation_failed").await;
        let response = officer
            .post_json(&withdraw, &json!({"reason": "別の報告と取り違えたため"}))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let reports: Value = response.json().await.unwrap();
        assert!(reports["reports"][0]["withdrawn_at"].is_string());
        assert_eq!(clock(&reports, "preliminary", 5)["state"], "overdue");
        let page = officer.page(&format!("/incidents/{id}"), 200).await;
        assert!(page.contains("<del>") && page.contains("別の報告と取り違えたため"));
        let again = officer.post_json(&withdraw, &json!({"reason": "二度目"})).await;
        assert_api_error(again, 409, "invalid_state").await;

        // The threshold is a setting: at 200, 150 people no longer call for the report.
        let settings = "/api/v1/incidents/report-settings";
        let response = officer
            .send_json(Method::PUT, settings, &json!({"people_threshold": 200}))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let reports = officer.json(&api).await;
        assert_eq!(clock(&reports, "final", 30)["state"], "not_applicable");
        assert_eq!(clock(&reports, "preliminary", 5)["state"], "not_applicable");
        server.stop().await;
    }
);

backend_test!(
    async fn an_unlawful_purpose_asks_for_60_days_and_duties_are_kept_by_the_officer(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        server.add_account("giin.sato", Role::User, UserType::Member, false).await;
        let member = Web { server: &server, client: server.sign_in("giin.sato").await };
        let id = report_incident(&officer, "不正アクセスによる名簿の流出").await;
        let triage = json!({"personal": "yes", "people": "3"});
        officer.send_json(Method::PUT, &format!("/api/v1/incidents/{id}/triage"), &triage).await;

        // The facts set from the page: each change a timeline entry, one audit entry.
        let response = officer
            .post_form(
                &format!("/incidents/{id}/facts"),
                &[("sensitive", "no"), ("intentional", "yes"), ("unauthorised", "yes"),
                  ("financial", "unknown")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            count(&server, "SELECT COUNT(*) FROM audit_log WHERE action = 'incident.facts'").await,
            1
        );
        let bad = officer
            .send_json(Method::PUT, &format!("/api/v1/incidents/{id}/facts"),
                &json!({"intentional": "maybe"}))
            .await;
        assert_api_error(bad, 422, "validation_failed").await;
        let reports = officer.json(&format!("/api/v1/incidents/{id}/reports")).await;
        assert_eq!(reports["facts"]["intentional"], "yes");
        let sixty = clock(&reports, "final", 60);
        assert_eq!((sixty["due"].as_str(), sixty["state"].as_str()), (Some("2027-01-26"), Some("due")));
        assert_eq!(clock(&reports, "final", 30)["state"], "not_applicable");
        assert_eq!(clock(&reports, "preliminary", 5)["due"], "2026-12-02");

        // A member may not see or keep the duties.
        member.page("/incidents/duties", 403).await;
        assert_api_error(member.get("/api/v1/incidents/duties").await, 403, "forbidden").await;

        // The officer edits the preliminary report to 3 days, then retires the 60-day one.
        let duties = officer.json("/api/v1/incidents/duties").await;
        let find = |stage: &str, days: u64| -> i64 {
            duties.as_array().unwrap().iter()
                .find(|d| d["stage"] == stage && d["days"] == days)
                .and_then(|d| d["id"].as_i64()).unwrap()
        };
        let (preliminary, sixty) = (find("preliminary", 5), find("final", 60));
        let edit = json!({"recipient_ja": "個人情報保護委員会", "recipient_en": "PPC",
            "stage": "preliminary", "triggers": ["people_over", "sensitive", "intentional",
            "financial"], "days": 3, "day_count": "calendar", "position": 10});
        let response = officer
            .send_json(Method::PUT, &format!("/api/v1/incidents/duties/{preliminary}"), &edit)
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let bad = json!({"recipient_ja": "", "stage": "weekly", "days": 0, "day_count": "calendar"});
        let response = officer.post_json("/api/v1/incidents/duties", &bad).await;
        let error = assert_api_error(response, 422, "validation_failed").await;
        assert!(error["fields"].as_array().unwrap().len() >= 3);
        let retired = officer
            .post_form(&format!("/incidents/duties/{sixty}/retire"), &[])
            .await;
        assert_eq!(retired.status(), StatusCode::SEE_OTHER);
        let again = officer
            .post_json(&format!("/api/v1/incidents/duties/{sixty}/retire"), &json!({}))
            .await;
        assert_api_error(again, 409, "invalid_state").await;
        let reports = officer.json(&format!("/api/v1/incidents/{id}/reports")).await;
        assert_eq!(clock(&reports, "preliminary", 3)["due"], "2026-11-30");
        assert!(!reports["clocks"].as_array().unwrap().iter().any(|c| c["duty"]["id"] == sixty));
        let trail = count(&server,
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('incident.duty_edit', 'incident.duty_retire')").await;
        assert_eq!(trail, 2);
        let page = officer.page("/incidents/duties", 200).await;
        assert!(page.contains("廃止") && page.contains("個人情報保護委員会"));
        // A bad threshold from the page: Japanese, kept as typed, nothing written.
        let response = officer
            .post_form("/incidents/duties/threshold", &[("people_threshold", "百")])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(response.text().await.unwrap().contains("人数は1以上の数字で入力してください"));
        server.stop().await;
    }
);

/// The forms that create (a duty, a report made with its file): submitted twice at
/// once, one record (`once_forms`).
pub(super) async fn once_forms(twice: &mut Twice<'_>, officer: &Web<'_>) {
    twice
        .submit(
            officer,
            Form {
                route: "/incidents/duties",
                page: "/incidents/duties",
                action: "/incidents/duties",
                changes: &[
                    ("recipient_ja", "警察署"),
                    ("triggers", "unauthorised"),
                    ("days", "7"),
                ],
                codes: &["incident.duty_add"],
            },
            Answer::Redirect,
        )
        .await;
    let id = report_incident(officer, "USBメモリの紛失（二重送信の確認）").await;
    let form = Upload {
        route: "/incidents/{id}/reports",
        fields: &[("recipient", "県市町村課"), ("sent_on", "2026-11-30")],
        codes: &["file.attach", "incident.report_sent"],
    };
    let page = format!("/incidents/{id}/reports/new");
    let shown = twice
        .upload_form(officer, form, &page, &format!("/incidents/{id}/reports"))
        .await;
    assert_eq!(id_after(&shown, "/incidents/"), id);
}

/// An overdue report is a digest item of its own, by incident and duty.
#[test]
fn an_overdue_report_is_in_the_digest_by_incident_and_duty() {
    use mamori_app::incidents::reports::{DutyRecord, Overdue};
    use mamori_domain::calendar::DayCount;
    use mamori_domain::incident_report::{ReportStage, Trigger};
    let today = mamori_app::today();
    let duty = DutyRecord {
        id: 3,
        recipient_ja: "個人情報保護委員会".into(),
        recipient_en: "PPC".into(),
        stage: ReportStage::Preliminary,
        triggers: vec![Trigger::PeopleOver],
        unless: Vec::new(),
        min_severity: None,
        days: 5,
        count: DayCount::Calendar,
        active: true,
        position: 10,
    };
    let waiting = mamori_app::home::Waiting {
        incident_reports_overdue: vec![Overdue {
            incident_id: 7,
            number: "2026-007".into(),
            title: "名簿の誤送信".into(),
            duty,
            due: today,
            days: 2,
        }],
        ..Default::default()
    };
    let items = mamori_app::reminders::items_of(&waiting, today);
    assert!(items.contains("incident_report:7:3"), "{items:?}");
}
