//! The due-work digest end to end, through a real SMTP receiver: a person with overdue
//! work is told once (a count and a link, never the record), not again the same day nor
//! for the same work within a week, again when something new arrives; a person with
//! nothing waiting is told nothing.

use std::time::Duration;

use mamori_app::reminders::send_digests;
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
