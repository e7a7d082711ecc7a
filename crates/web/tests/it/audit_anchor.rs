//! The anchor of the audit trail outside the database, end to end on both backends: the
//! security officer chooses who is sent it, the daily check mails it to them through a
//! real SMTP receiver (and, when it finds a break, tells them and every security officer
//! urgently), and an anchor typed on the page or sent to the API is checked.

use std::time::Duration;

use mamori_app::audit_anchor::daily_check;
use mamori_domain::user::Role;
use mamori_testkit::fixtures_notify::{MailingServer, quick_backoff, set_my_mail};
use mamori_testkit::{assert_api_error, backend_test};
use reqwest::{Method, StatusCode};
use serde_json::json;

const RECIPIENTS: &str = "/api/v1/audit/anchor/recipients";

backend_test!(
    async fn the_daily_anchor_reaches_the_chosen_people_and_a_break_everyone_told(backend) {
        let mailing = MailingServer::start(backend, quick_backoff(3)).await;
        let server = &mailing.server;
        let app = &server.state.app;
        let (_, officer) = server.web_as("kanri.tanaka", Role::SecurityOfficer).await;
        let (chair_id, chair) = server.web_as("gicho.yamada", Role::User).await;
        let (_, auditor) = server.web_as("kansa.ito", Role::Auditor).await;
        set_my_mail(&officer, "kanri.tanaka@gikai.example.lg.jp").await;
        set_my_mail(&chair, "gicho.yamada@gikai.example.lg.jp").await;

        // The chair is chosen; the auditor reads the choice but may not change it; an
        // unknown person is refused by name of the field, in Japanese.
        let chosen = officer
            .send_json(Method::PUT, RECIPIENTS, &json!({"recipients": [chair_id]}))
            .await;
        assert_eq!(chosen.status(), StatusCode::OK);
        // The same choice sent twice changes nothing, and is no error.
        let again = officer
            .send_json(Method::PUT, RECIPIENTS, &json!({"recipients": [chair_id, chair_id]}))
            .await;
        assert_eq!(again.status(), StatusCode::OK);
        let people: serde_json::Value = auditor.json(RECIPIENTS).await;
        let marked: Vec<i64> = people
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["chosen"] == true)
            .map(|p| p["id"].as_i64().unwrap())
            .collect();
        assert_eq!(marked, vec![chair_id], "{people}");
        let refused = auditor
            .send_json(Method::PUT, RECIPIENTS, &json!({"recipients": []}))
            .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let unknown = officer
            .send_json(Method::PUT, RECIPIENTS, &json!({"recipients": [chair_id, 999_999]}))
            .await;
        let error = assert_api_error(unknown, 422, "validation_failed").await;
        assert!(error.to_string().contains("999999"), "{error}");
        // The page refuses the same way and keeps the saved choice.
        let refused = officer
            .post_form("/audit/anchor/recipients", &[("recipients", "999999")])
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.text().await.unwrap();
        assert!(html.contains("ID 999999") && html.contains("error-summary"), "{html}");
        let page = officer.page("/audit/anchor", 200).await;
        assert!(page.contains(&format!("value=\"{chair_id}\" checked")), "{page}");

        let trail = mamori_store::audit::recent(&server.store, 200).await.unwrap();
        assert!(trail.iter().any(|e| e.action == "setting.update"
            && e.target_id.as_deref() == Some("audit.anchor_recipients")));

        // The day's check sends the anchor to the chair alone.
        let today = mamori_app::today();
        let check = daily_check(app, today).await.unwrap().expect("checked");
        let anchor = format!("{}:{}", check.up_to_id, check.up_to_hash);
        let mails = mailing.smtp.wait_for(1, Duration::from_secs(20)).await;
        assert_eq!(mails.len(), 1, "the chair only");
        assert_eq!(mails[0].rcpt_to, vec!["gicho.yamada@gikai.example.lg.jp"]);
        assert!(mails[0].subject().contains("監査記録の控え"), "{}", mails[0].subject());
        assert!(mails[0].body_text().contains(&anchor), "{}", mails[0].body_text());
        assert!(chair.page("/notifications", 200).await.contains(&anchor));

        // An entry altered: the next day's check tells the chair and the security officer
        // at once, urgently, whatever they chose to be mailed.
        server.db.drop_audit_triggers().await;
        server
            .db
            .execute(&format!(
                "UPDATE audit_log SET target_id = 'someone.else' WHERE id = {}",
                check.up_to_id
            ))
            .await;
        let tomorrow = today.next_day().unwrap();
        let broken = daily_check(app, tomorrow).await.unwrap().expect("checked");
        assert!(broken.first_break.is_some());
        let mails = mailing.smtp.wait_for(3, Duration::from_secs(20)).await;
        let urgent: Vec<_> = mails[1..].iter().collect();
        assert_eq!(urgent.len(), 2, "the chair and the security officer");
        for mail in &urgent {
            assert!(mail.subject().contains("監査記録に異常があります"), "{}", mail.subject());
        }
        let told: Vec<String> = urgent.iter().flat_map(|m| m.rcpt_to.clone()).collect();
        assert!(told.contains(&"kanri.tanaka@gikai.example.lg.jp".to_owned()), "{told:?}");

        let trail = mamori_store::audit::recent(&server.store, 200).await.unwrap();
        assert_eq!(
            trail.iter().filter(|e| e.action == "audit.anchor_notice").count(),
            2,
            "one entry per sending"
        );
        mailing.stop().await;
    }
);

backend_test!(
    async fn an_anchor_typed_on_the_page_or_sent_to_the_api_is_checked(backend) {
        let server = mamori_testkit::TestServer::start(backend).await;
        let (_, officer) = server.web_as("kanri.tanaka", Role::SecurityOfficer).await;
        let (_, auditor) = server.web_as("kansa.ito", Role::Auditor).await;
        let head = officer.json("/api/v1/audit/anchor").await;
        let anchor = head["anchor"].as_str().unwrap().to_owned();
        let page = auditor.page("/audit/anchor", 200).await;
        assert!(page.contains("mamori audit verify --anchor"), "the text to keep: {page}");

        // Typed as printed (hash in groups of eight) on the page: it holds.
        let (id, hash) = anchor.split_once(':').unwrap();
        let grouped: Vec<String> = hash
            .as_bytes()
            .chunks(8)
            .map(|c| String::from_utf8(c.to_vec()).unwrap())
            .collect();
        let typed = format!("{id}:{}", grouped.join(" "));
        let found = auditor.post_form("/audit/anchor/check", &[("anchor", &typed)]).await;
        assert_eq!(found.status(), StatusCode::OK);
        let html = found.text().await.unwrap();
        assert!(html.contains(r#"data-anchor-holds="true""#), "{html}");
        assert!(html.contains("改ざんされていません"), "{html}");

        // Malformed: 422, the form kept as typed, the message naming the form.
        let bad = auditor.post_form("/audit/anchor/check", &[("anchor", "12345")]).await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = bad.text().await.unwrap();
        assert!(html.contains("記録番号:ハッシュ値") && html.contains(r#"value="12345""#), "{html}");
        let bad = auditor
            .post_json("/api/v1/audit/anchor/check", &json!({"anchor": "12345"}))
            .await;
        assert_api_error(bad, 422, "validation_failed").await;

        // The newest entries cut off: the API says so, in the caller's language.
        server.db.drop_audit_triggers().await;
        let newest: i64 = id.parse().unwrap();
        server
            .db
            .execute(&format!("DELETE FROM audit_log WHERE id >= {}", newest - 1))
            .await;
        let cut = auditor
            .client
            .post(server.url("/api/v1/audit/anchor/check"))
            .header("origin", &server.base)
            .header("accept-language", "en")
            .json(&json!({ "anchor": anchor }))
            .send()
            .await
            .unwrap();
        assert_eq!(cut.status(), StatusCode::OK);
        let cut: serde_json::Value = cut.json().await.unwrap();
        assert_eq!(cut["holds"], false, "{cut}");
        assert!(cut["message"].as_str().unwrap().is_ascii(), "{cut}");
        server.stop().await;
    }
);
