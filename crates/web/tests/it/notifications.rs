//! Notifications over real HTTP with a real SMTP receiver, on both backends: a policy
//! reminder (督促) reaches the in-app list and the mailbox in Japanese, choices skip a
//! non-urgent kind, a mail server that is down loses nothing, failed mails are listed
//! and sent again, and mail addresses are checked.

use std::time::Duration;

use mamori_app::notifications::Backoff;
use mamori_app::notifications::{self, Notice, NoticeKind};
use mamori_domain::user::Role;
use mamori_store::audit::{self, AuditRecord};
use mamori_testkit::fixtures_notify::{
    FROM, MailingServer, mail_queue, quick_backoff, set_my_mail, signed_in, wait_for_queue,
};
use mamori_testkit::fixtures_policies::{Stored, published_seed};
use mamori_testkit::{TestServer, Web, assert_api_error, backend_test, location};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(20);

async fn entries(server: &TestServer, action: &str) -> Vec<AuditRecord> {
    audit::recent(&server.store, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .collect()
}

/// The officer (made by `published_seed`) reminds everyone who has not acknowledged.
async fn remind(officer: &Web<'_>, stored: &Stored) {
    let path = format!(
        "/api/v1/policies/{}/acknowledgements/remind",
        stored.document
    );
    let response = officer.post_json(&path, &json!({})).await;
    assert_eq!(response.status(), StatusCode::OK, "remind");
}

/// The title of the published seed, as the notice names it.
async fn policy_title(server: &TestServer, stored: &Stored) -> String {
    mamori_store::policies::published(&server.store, stored.document)
        .await
        .unwrap()
        .expect("published")
        .summary
        .title
}

backend_test!(async fn a_reminder_reaches_the_list_and_the_mailbox_in_japanese(backend) {
    let ms = MailingServer::start(backend, Backoff::default()).await;
    let server = &ms.server;
    let stored = published_seed(server).await;
    let title = policy_title(server, &stored).await;
    let (_, giin) = server.web_as("giin.sato", Role::User).await;
    set_my_mail(&giin, "sato.hanako@gikai.example.lg.jp").await;
    let officer = signed_in(server, "officer").await;
    remind(&officer, &stored).await;

    let mails = ms.smtp.wait_for(1, WAIT).await;
    assert_eq!(mails.len(), 1, "only the person with an address gets mail");
    let mail = &mails[0];
    assert_eq!(mail.rcpt_to, vec!["sato.hanako@gikai.example.lg.jp"]);
    assert_eq!(mail.mail_from, FROM);
    // On the wire everything is ASCII: an encoded-word subject, a base64 UTF-8 body.
    assert!(mail.data.is_ascii(), "{}", mail.data);
    assert!(mail.header("Subject").unwrap().contains("=?utf-8?b?"));
    assert_eq!(mail.header("Content-Transfer-Encoding").unwrap(), "base64");
    assert_eq!(
        mail.header("Content-Type").unwrap(),
        "text/plain; charset=utf-8"
    );
    assert_eq!(
        mail.subject(),
        format!("[mamori] 情報セキュリティポリシーの確認のお願い（{title}）")
    );
    let body = mail.body_text();
    assert!(
        body.starts_with(&format!(
            "「{title}」を読み、内容を確認したことを mamori で記録してください。"
        )),
        "{body}"
    );
    let link = format!("{}{}", server.base, stored.page());
    assert!(body.contains(&link), "{body}");
    // Nothing personal: not the login, the name nor the address, no policy text.
    for personal in ["giin.sato", "sato.hanako", "officer"] {
        assert!(!body.contains(personal) && !mail.subject().contains(personal));
    }
    assert!(body.lines().count() < 12, "a short mail: {body}");

    // The same notice is in the person's list, unread, and counted in the header.
    let list = giin.json("/api/v1/notifications").await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["unread"], 1);
    let item = &list["items"][0];
    assert_eq!(item["kind"], "policy_reminder");
    assert_eq!(item["title"], title.as_str());
    assert_eq!(item["link"], stored.page());
    assert!(item["read_at"].is_null());
    let home = giin.page("/", 200).await;
    assert!(home.contains("未読 1 件"), "the header counts it");
    assert!(home.contains(&format!("「{title}」を読み")), "the home page says it too");
    let page = giin.page("/notifications", 200).await;
    assert!(page.contains(&format!("href=\"{}\"", stored.page())));

    // Nobody marks another person's notice read.
    let id = item["id"].as_i64().unwrap();
    let other = officer
        .post_json(&format!("/api/v1/notifications/{id}/read"), &json!({}))
        .await;
    assert_api_error(other, 404, "not_found").await;
    let read = giin
        .post_json(&format!("/api/v1/notifications/{id}/read"), &json!({}))
        .await;
    assert_eq!(read.status(), StatusCode::OK);
    let read: Value = read.json().await.unwrap();
    assert!(read["read_at"].is_string());
    assert_eq!(giin.json("/api/v1/notifications/unread-count").await["unread"], 0);
    assert!(!giin.page("/", 200).await.contains("未読 1 件"));

    // Delivery and the notice are in the audit trail; the address is not.
    let sent = entries(server, "mail.sent").await;
    assert_eq!(sent.len(), 1);
    assert!(!sent[0].changes.contains("sato.hanako"));
    // (Saving and approving the seed told its approver and its author too.)
    let reminded: Vec<_> = entries(server, "notify.send")
        .await
        .into_iter()
        .filter(|e| e.changes.contains("policy_reminder"))
        .collect();
    assert_eq!(reminded.len(), 1);
    ms.stop().await;
});

backend_test!(async fn a_mail_is_in_the_recipients_language(backend) {
    let ms = MailingServer::start(backend, Backoff::default()).await;
    let server = &ms.server;
    let stored = published_seed(server).await;
    let title = policy_title(server, &stored).await;
    let (_, staff) = server.web_as("staff.en", Role::User).await;
    let chosen = staff.post_form("/preferences", &[("lang", "en")]).await;
    assert_eq!(chosen.status(), StatusCode::SEE_OTHER);
    set_my_mail(&staff, "english.reader@gikai.example.lg.jp").await;
    let officer = signed_in(server, "officer").await;
    remind(&officer, &stored).await;
    let mails = ms.smtp.wait_for(1, WAIT).await;
    assert_eq!(
        mails[0].subject(),
        format!("[mamori] Please acknowledge the security policy ({title})")
    );
    let body = mails[0].body_text();
    assert!(body.starts_with(&format!("Please read \"{title}\"")), "{body}");
    assert!(body.contains("Sign in to mamori to see it:"), "{body}");
    assert!(!body.contains("ログイン"), "{body}");
    // The list reads in the reader's language too.
    let list = staff.json("/api/v1/notifications").await;
    assert!(list["items"][0]["text"].as_str().unwrap().starts_with("Please read"));
    ms.stop().await;
});

backend_test!(async fn choices_skip_a_non_urgent_kind_but_not_an_urgent_one(backend) {
    let ms = MailingServer::start(backend, Backoff::default()).await;
    let server = &ms.server;
    let stored = published_seed(server).await;
    let (quiet_id, quiet) = server.web_as("giin.quiet", Role::User).await;
    let (_, keen) = server.web_as("giin.keen", Role::User).await;
    set_my_mail(&keen, "keen@gikai.example.lg.jp").await;
    // The quiet member keeps an address but no reminders, on the settings page.
    let saved = quiet
        .post_form(
            "/account/notifications",
            &[("mail", "quiet@gikai.example.lg.jp"), ("wanted", "approval_requested")],
        )
        .await;
    assert_eq!(location(&saved), "/account/notifications?saved=1");
    let settings = quiet.json("/api/v1/me/notification-settings").await;
    assert_eq!(settings["mail"], "quiet@gikai.example.lg.jp");
    let kinds = settings["kinds"].as_array().unwrap();
    let wants = |kind: &str| kinds.iter().find(|k| k["kind"] == kind).unwrap()["mail"].clone();
    assert_eq!(wants("policy_reminder"), false);
    assert_eq!(wants("approval_requested"), true);
    assert_eq!(entries(server, "notify.preferences").await.len(), 1);

    let officer = signed_in(server, "officer").await;
    remind(&officer, &stored).await;
    let mails = ms.smtp.wait_for(1, WAIT).await;
    assert_eq!(mails[0].rcpt_to, vec!["keen@gikai.example.lg.jp"]);
    // The quiet member still has the notice in mamori, and no mail waits for them.
    assert_eq!(quiet.json("/api/v1/notifications").await["total"], 1);
    let queue = mail_queue(&officer).await;
    assert_eq!(queue["waiting_total"], 0, "{queue}");

    // An urgent notice is mailed whatever was chosen.
    let mut tx = server
        .store
        .write(mamori_store::Actor::system("test"))
        .await
        .unwrap();
    let notified = notifications::notify(
        &mut tx,
        Notice {
            recipients: vec![quiet_id, quiet_id],
            kind: NoticeKind::PolicyReminder,
            title: "情報セキュリティ基本方針".to_owned(),
            link: stored.page(),
            urgent: true,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!((notified.notices, notified.mails), (1, 1));
    let mails = ms.smtp.wait_for(2, WAIT).await;
    assert_eq!(mails[1].rcpt_to, vec!["quiet@gikai.example.lg.jp"]);
    // Had the reminder gone to the quiet member too, it would have come before this one.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(ms.smtp.messages().len(), 2);
    assert!(mails[1].subject().starts_with("[mamori]【至急】"), "{}", mails[1].subject());
    ms.stop().await;
});

backend_test!(async fn a_mail_server_that_is_down_loses_nothing(backend) {
    let mut ms = MailingServer::start(backend, quick_backoff(100)).await;
    ms.smtp.stop().await;
    let server = &ms.server;
    let stored = published_seed(server).await;
    let (_, giin) = server.web_as("giin.retry", Role::User).await;
    set_my_mail(&giin, "retry@gikai.example.lg.jp").await;
    let officer = signed_in(server, "officer").await;
    remind(&officer, &stored).await;

    // The attempt fails: the mail stays queued with the error and a later attempt.
    let queue = wait_for_queue(&officer, |q| {
        q["waiting"][0]["attempts"].as_i64().unwrap_or(0) >= 2
    })
    .await;
    assert_eq!(queue["waiting_total"], 1);
    let waiting = &queue["waiting"][0];
    assert_eq!(waiting["address"], "retry@gikai.example.lg.jp");
    assert!(waiting["last_error"].as_str().is_some_and(|e| !e.is_empty()), "{queue}");
    assert_eq!(queue["failed_total"], 0);
    assert!(ms.smtp.messages().is_empty());

    // The server comes back on the same port: the next attempt delivers.
    ms.smtp.restart().await;
    let mails = ms.smtp.wait_for(1, WAIT).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt_to, vec!["retry@gikai.example.lg.jp"]);
    let queue = wait_for_queue(&officer, |q| q["waiting_total"] == 0).await;
    assert_eq!(queue["failed_total"], 0);
    let sent = entries(server, "mail.sent").await;
    assert_eq!(sent.len(), 1);
    ms.stop().await;
});

backend_test!(async fn an_address_the_server_refuses_is_given_up_at_once(backend) {
    let ms = MailingServer::start(backend, quick_backoff(100)).await;
    let server = &ms.server;
    ms.smtp.refuse("moved.away@gikai.example.lg.jp");
    let stored = published_seed(server).await;
    let (_, moved) = server.web_as("giin.moved", Role::User).await;
    let (_, staying) = server.web_as("giin.staying", Role::User).await;
    set_my_mail(&moved, "moved.away@gikai.example.lg.jp").await;
    set_my_mail(&staying, "staying@gikai.example.lg.jp").await;
    let officer = signed_in(server, "officer").await;
    remind(&officer, &stored).await;
    // A permanent refusal is not retried a hundred times, and does not hold up others.
    let queue = wait_for_queue(&officer, |q| q["failed_total"] == 1).await;
    assert_eq!(queue["failed"][0]["attempts"], 1);
    assert!(queue["failed"][0]["last_error"].as_str().unwrap().contains("550"), "{queue}");
    let mails = ms.smtp.wait_for(1, WAIT).await;
    assert_eq!(mails[0].rcpt_to, vec!["staying@gikai.example.lg.jp"]);
    ms.stop().await;
});

backend_test!(async fn failed_mails_are_listed_for_the_officer_and_sent_again(backend) {
    let mut ms = MailingServer::start(backend, quick_backoff(1)).await;
    ms.smtp.stop().await;
    let server = &ms.server;
    let stored = published_seed(server).await;
    let (_, giin) = server.web_as("giin.failed", Role::User).await;
    set_my_mail(&giin, "failed@gikai.example.lg.jp").await;
    let officer = signed_in(server, "officer").await;
    remind(&officer, &stored).await;

    let queue = wait_for_queue(&officer, |q| q["failed_total"] == 1).await;
    let failed = &queue["failed"][0];
    assert_eq!(failed["state"], "failed");
    assert_eq!(failed["login"], "giin.failed");
    assert_eq!(queue["configured"], true);
    let id = failed["id"].as_i64().unwrap();
    assert_eq!(entries(server, "mail.failed").await.len(), 1);
    let page = officer.page("/notifications/mail", 200).await;
    assert!(page.contains("送信失敗") && page.contains("failed@gikai.example.lg.jp"));
    assert!(page.contains(&format!("/notifications/mail/{id}/retry")));
    // Only those who follow notices up see the queue.
    let denied = giin.get("/notifications/mail").await;
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    let denied = giin
        .post_json(&format!("/api/v1/notifications/mail/{id}/retry"), &json!({}))
        .await;
    assert_api_error(denied, 403, "forbidden").await;

    ms.smtp.restart().await;
    let retried = officer
        .post_form(&format!("/notifications/mail/{id}/retry"), &[])
        .await;
    assert_eq!(location(&retried), "/notifications/mail?retried=1");
    let mails = ms.smtp.wait_for(1, WAIT).await;
    assert_eq!(mails[0].rcpt_to, vec!["failed@gikai.example.lg.jp"]);
    wait_for_queue(&officer, |q| q["failed_total"] == 0 && q["waiting_total"] == 0).await;
    assert_eq!(entries(server, "mail.retry").await.len(), 1);
    let again = officer
        .post_json(&format!("/api/v1/notifications/mail/{id}/retry"), &json!({}))
        .await;
    assert_api_error(again, 409, "already_sent").await;
    ms.stop().await;
});

backend_test!(async fn without_a_mail_server_mails_wait_in_the_queue(backend) {
    let server = TestServer::start(backend).await;
    let stored = published_seed(&server).await;
    let (_, giin) = server.web_as("giin.waiting", Role::User).await;
    set_my_mail(&giin, "waiting@gikai.example.lg.jp").await;
    let officer = signed_in(&server, "officer").await;
    remind(&officer, &stored).await;
    let queue = mail_queue(&officer).await;
    assert_eq!(queue["configured"], false);
    assert_eq!(queue["waiting_total"], 1);
    assert_eq!(queue["waiting"][0]["attempts"], 0);
    let page = officer.page("/notifications/mail", 200).await;
    assert!(page.contains("id=\"mail-not-configured\""));
    assert!(page.contains("waiting@gikai.example.lg.jp"));
    server.stop().await;
});

backend_test!(async fn mail_addresses_are_checked_where_they_are_typed(backend) {
    let server = TestServer::start(backend).await;
    let (member_id, member) = server.web_as("giin.mail", Role::User).await;
    let (_, admin) = server.web_as("kanri", Role::Admin).await;
    let bad = member.send_json(Method::PUT, "/api/v1/me/notification-settings", &json!({"mail": "taro@localhost"})).await;
    let error = assert_api_error(bad, 422, "validation_failed").await;
    assert!(error.to_string().contains("mail"), "{error}");
    let bad = member.send_json(Method::PUT, "/api/v1/me/notification-settings", &json!({"mail_kinds": ["gossip"]})).await;
    assert_api_error(bad, 422, "validation_failed").await;
    // The form keeps what was typed and says what is wrong.
    let refused = member
        .post_form("/account/notifications", &[("mail", "taro at gikai")])
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains("value=\"taro at gikai\""));
    assert!(html.contains("メールアドレスの形式が正しくありません"));
    assert!(member.json("/api/v1/me/notification-settings").await["mail"].is_null());

    // An administrator sets a user's address on the user page and through the API.
    let path = format!("/users/{member_id}/mail");
    let refused = admin.post_form(&path, &[("mail", "giin@@gikai.lg.jp")]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("value=\"giin@@gikai.lg.jp\""));
    let saved = admin.post_form(&path, &[("mail", "Giin.Mail@Gikai.Example.LG.JP")]).await;
    assert_eq!(location(&saved), format!("/users/{member_id}?saved=mail"));
    let page = admin.page(&format!("/users/{member_id}"), 200).await;
    assert!(page.contains("value=\"Giin.Mail@gikai.example.lg.jp\""), "the domain is lower-cased");
    let api = format!("/api/v1/users/{member_id}/mail");
    let changed = admin.send_json(Method::PUT, &api, &json!({"mail": ""})).await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert!(changed.json::<Value>().await.unwrap()["mail"].is_null());
    let denied = member.send_json(Method::PUT, &api, &json!({"mail": "x@gikai.lg.jp"})).await;
    assert_api_error(denied, 403, "forbidden").await;
    assert_eq!(entries(&server, "user.mail").await.len(), 2);
    server.stop().await;
});

backend_test!(async fn the_list_marks_read_and_prints_for_handing_out(backend) {
    let server = TestServer::start(backend).await;
    let stored = published_seed(&server).await;
    let (_, giin) = server.web_as("giin.paper", Role::User).await;
    let officer = signed_in(&server, "officer").await;
    remind(&officer, &stored).await;
    remind(&officer, &stored).await;
    let title = policy_title(&server, &stored).await;

    // A member without mail prints their own list; the officer prints everyone's.
    let own = giin.page("/notifications/print", 200).await;
    assert_eq!(own.matches(&format!("「{title}」を読み")).count(), 2);
    assert!(own.contains(&format!("{}{}", server.base, stored.page())));
    assert!(!own.contains("利用者ごと"));
    let all = officer.page("/notifications/print", 200).await;
    assert!(all.contains("利用者ごとの未読のお知らせ"));
    assert!(all.contains("giin.paper（giin.paper）様"), "{all}");

    let list = giin.json("/api/v1/notifications").await;
    assert_eq!(list["unread"], 2);
    let first = list["items"][1]["id"].as_i64().unwrap();
    let read = giin.post_form(&format!("/notifications/{first}/read"), &[]).await;
    assert_eq!(location(&read), "/notifications");
    let unread = giin.json("/api/v1/notifications?unread=true").await;
    assert_eq!(unread["total"], 1);
    let all_read = giin.post_form("/notifications/read-all", &[]).await;
    assert_eq!(location(&all_read), "/notifications?marked=1");
    assert!(giin.page("/notifications?marked=1", 200).await.contains("1 件を既読にしました。"));
    assert_eq!(giin.json("/api/v1/notifications/unread-count").await["unread"], 0);
    assert!(giin.page("/notifications/print", 200).await.contains("未読のお知らせはありません。"));
    server.stop().await;
});

backend_test!(async fn a_person_chooses_only_the_kinds_that_concern_them(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
    let (member_id, member) = server.web_as("giin.sato", Role::User).await;
    let offered = |settings: Value| -> Vec<String> {
        settings["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kind"].as_str().unwrap().to_owned())
            .collect()
    };
    // A broken audit trail is always mailed: nobody chooses it. The day's anchor is for
    // the people chosen to keep it, and the member is not (yet).
    let kinds = offered(member.json("/api/v1/me/notification-settings").await);
    assert!(kinds.contains(&"policy_reminder".to_owned()), "{kinds:?}");
    assert!(!kinds.iter().any(|k| k.starts_with("audit_")), "{kinds:?}");
    let page = member.page("/account/notifications", 200).await;
    assert!(!page.contains("value=\"audit_anchor\""), "{page}");
    assert!(!page.contains("value=\"audit_broken\""), "{page}");

    // Saving the page then leaves the anchor as it was: once chosen, they get it.
    let saved = member
        .post_form("/account/notifications", &[("mail", ""), ("wanted", "policy_reminder")])
        .await;
    assert_eq!(location(&saved), "/account/notifications?saved=1");
    let chosen = officer
        .send_json(
            Method::PUT,
            "/api/v1/audit/anchor/recipients",
            &json!({"recipients": [member_id]}),
        )
        .await;
    assert_eq!(chosen.status(), StatusCode::OK);
    let settings = member.json("/api/v1/me/notification-settings").await;
    let anchor = settings["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "audit_anchor")
        .cloned();
    assert_eq!(anchor.map(|k| k["mail"].clone()), Some(json!(true)), "{settings}");
    assert!(!offered(settings).contains(&"audit_broken".to_owned()));
    let page = member.page("/account/notifications", 200).await;
    assert!(page.contains("value=\"audit_anchor\""), "{page}");
});
