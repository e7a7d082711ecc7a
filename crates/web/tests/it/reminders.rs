//! The due-work digest end to end, through a real SMTP receiver: a person with overdue
//! work is told once (a count and a link, never the record), not again the same day nor
//! for the same work within a week, again when something new arrives; a person with
//! nothing waiting is told nothing. Training: one's own due or overdue training, a new
//! overdue person for the organisers and a session within a week are told once, and
//! again only when the situation changes.

use std::time::Duration;

use mamori_app::Acting;
use mamori_app::reminders::{items_of, send_digests};
use mamori_domain::training::Coverage;
use mamori_domain::user::Role;
use mamori_testkit::backend_test;
use mamori_testkit::fixtures_cycle::action_owned;
use mamori_testkit::fixtures_notify::{MailingServer, quick_backoff, set_my_mail};

backend_test!(
    async fn a_person_is_told_what_waits_once_and_again_only_when_it_changes(backend) {
        let mailing = MailingServer::start(backend, quick_backoff(3)).await;
        let server = &mailing.server;
        let app = &server.state.app;
        let (_, officer) = server.web_as("kanri.tanaka", Role::SecurityOfficer).await;
        let (member_id, member) = server.web_as("giin.sato", Role::User).await;
        let (_, idle) = server.web_as("giin.suzuki", Role::User).await;
        set_my_mail(&member, "giin.sato@gikai.example.lg.jp").await;
        set_my_mail(&idle, "giin.suzuki@gikai.example.lg.jp").await;
        // Training waits for everyone who just started; this test is about other work, so
        // the rule binds nobody here (training's keys are tested below).
        server.db.execute("UPDATE training_rules SET user_types = 'other'").await;
        let owner = format!("user:{member_id}");
        action_owned(&officer, "机上の付箋を外す", &owner, "2026-04-01").await;
        let today = mamori_app::today();

        // The member and the security officer (who follows everyone's actions) are told;
        // the member with nothing waiting is not.
        let sweep = send_digests(app, today).await.expect("sweep");
        assert_eq!((sweep.checked, sweep.told), (3, 2));
        let mails = mailing.smtp.wait_for(1, Duration::from_secs(20)).await;
        assert_eq!(mails.len(), 1, "only the member has a mail address that wants it");
        let mail = &mails[0];
        assert!(mail.subject().contains("1件"), "{}", mail.subject());
        let body = mail.body_text();
        assert!(body.contains(&format!("{}/", server.base)), "{body}");
        assert!(!body.contains("付箋"), "a record's title left mamori: {body}");
        let notices = member.page("/notifications", 200).await;
        assert!(notices.contains("あなたの対応を待っている案件が1件"), "{notices}");

        // Again today, tomorrow with the same work: nothing.
        let again = send_digests(app, today).await.unwrap();
        assert_eq!(again.told, 0);
        let tomorrow = today + time::Duration::days(1);
        assert_eq!(send_digests(app, tomorrow).await.unwrap().told, 0);

        // Something new the day after: told, with the new count.
        action_owned(&officer, "USBメモリを返却する", &owner, "2026-04-02").await;
        let later = today + time::Duration::days(2);
        assert_eq!(send_digests(app, later).await.unwrap().told, 2);
        let mails = mailing.smtp.wait_for(2, Duration::from_secs(20)).await;
        assert!(mails[1].subject().contains("2件"), "{}", mails[1].subject());

        // The same work a week on: told again.
        let week = later + time::Duration::days(7);
        assert_eq!(send_digests(app, week).await.unwrap().told, 2);
        assert_eq!(send_digests(app, week).await.unwrap().told, 0);

        let trail = mamori_store::audit::recent(&server.store, 200).await.unwrap();
        assert_eq!(
            trail.iter().filter(|e| e.action == "reminder.digests").count(),
            3,
            "one entry per sweep that told someone"
        );
        mailing.stop().await;
    }
);

/// The digest keys of one person on `day`.
async fn keys_of(server: &mamori_testkit::TestServer, id: i64, day: time::Date) -> Vec<String> {
    let app = &server.state.app;
    let user = mamori_store::users::get(&server.store, id).await.unwrap();
    let acting = Acting::user(app, user, None, day).await.unwrap();
    let waiting = mamori_app::home::waiting(app, &acting, day).await.unwrap();
    items_of(&waiting, day).into_iter().collect()
}

backend_test!(
    async fn training_due_overdue_and_soon_is_told_once_per_situation(backend) {
        let server = mamori_testkit::TestServer::start(backend).await;
        let app = &server.state.app;
        let (officer_id, officer) = server.web_as("kanri.tanaka", Role::SecurityOfficer).await;
        let staff_id = server.add_user("jimu.ito", Role::User).await;
        // Both started long ago: only the yearly rule binds them, and it is due.
        server.db.execute("UPDATE users SET starts_on = '2020-04-01'").await;
        let today = mamori_app::today();
        let fy = mamori_domain::calendar::FiscalYear::of(today);
        let yearly = format!("training_yearly:{}:due", fy.year());
        // Due yearly training is told only in the 年度's last 30 days.
        let near_end = fy.end() - time::Duration::days(10);
        assert_eq!(keys_of(&server, staff_id, near_end).await, std::slice::from_ref(&yearly));
        let told_now = mamori_app::reminders::yearly_training_told(Coverage::Due, today);
        assert_eq!(told_now, today + time::Duration::days(30) >= fy.end());
        let yearly_now: Vec<String> = if told_now { vec![yearly.clone()] } else { Vec::new() };
        assert_eq!(keys_of(&server, staff_id, today).await, yearly_now);
        assert_eq!(send_digests(app, near_end).await.unwrap().told, 2);
        let day_after = near_end + time::Duration::days(1);
        assert_eq!(send_digests(app, day_after).await.unwrap().told, 0, "the same situation");
        server.db.execute("DELETE FROM reminder_digests").await;
        let tomorrow = today + time::Duration::days(1);
        if told_now {
            assert_eq!(send_digests(app, today).await.unwrap().told, 2);
        }

        // Someone who started 100 days ago without new-staff training is overdue: they are
        // told, and so is the organiser (one more overdue person); the other staff is not.
        let late = today - time::Duration::days(100);
        if !fy.contains(late) {
            return server.stop().await;
        }
        let new_id = server.add_user("shinnin.mori", Role::User).await;
        server
            .db
            .execute(&format!(
                "UPDATE users SET starts_on = '{}' WHERE id = {new_id}",
                mamori_app::date_text(late)
            ))
            .await;
        let officer_keys = keys_of(&server, officer_id, tomorrow).await;
        assert!(officer_keys.contains(&format!("training_overdue:{new_id}")), "{officer_keys:?}");
        let new_keys = keys_of(&server, new_id, tomorrow).await;
        let due = mamori_app::date_text(late + time::Duration::days(90));
        assert!(new_keys.contains(&format!("training_new:{due}:overdue")), "{new_keys:?}");
        let later = today + time::Duration::days(2);
        assert_eq!(send_digests(app, later).await.unwrap().told, 2);
        assert_eq!(keys_of(&server, staff_id, later).await, yearly_now);

        // A session for the staff in three days: a new key for each person invited.
        let soon = today + time::Duration::days(3);
        if !fy.contains(soon) {
            return server.stop().await;
        }
        let course = officer
            .post_json(
                "/api/v1/training/courses",
                &serde_json::json!({"fiscal_year": fy.year().to_string(), "kind": "drill",
                                    "title": "緊急時対応訓練"}),
            )
            .await;
        let course: serde_json::Value = course.json().await.unwrap();
        let session = officer
            .post_json(
                &format!("/api/v1/training/courses/{}/sessions", course["id"]),
                &serde_json::json!({"held_on": mamori_app::date_text(soon), "starts_at": "10:00",
                                    "ends_at": "11:00", "place": "議場", "audience": "user_type",
                                    "user_types": ["staff"]}),
            )
            .await;
        let session: serde_json::Value = session.json().await.unwrap();
        let key = format!("training_session:{}", session["id"]);
        assert!(keys_of(&server, staff_id, later).await.contains(&key));
        // A week before it is too early to be told.
        let before = today - time::Duration::days(5);
        assert!(!keys_of(&server, staff_id, before).await.contains(&key));
        let next = today + time::Duration::days(3);
        assert_eq!(send_digests(app, next).await.unwrap().told, 3);
        server.stop().await;
    }
);
