//! Awareness notices (注意喚起, issue 17 item 5) through real HTTP on both backends:
//! posted to each kind of audience (fixed on the day), read once, the read rate and the
//! unread list, a reminder that reaches only those who have not read it, the readers'
//! file, the home page until read, withdrawal, refused input and refused people.

use mamori_domain::user::{OrgRole, Role, UserType};
use mamori_testkit::fixtures_notify::set_my_mail;
use mamori_testkit::fixtures_people::user_with_posts;
use mamori_testkit::{TestServer, Web, assert_api_error, backend_test, location};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn day(offset: i64) -> String {
    mamori_app::date_text(mamori_app::today() + time::Duration::days(offset))
}

fn notice(audience: &str) -> Value {
    json!({
        "title": "不審なメールに注意してください",
        "body": "議会事務局を名乗るメールが届いています。\n添付ファイルを開かないでください。",
        "audience": audience,
        "due_on": day(7),
    })
}

async fn post(officer: &Web<'_>, body: &Value) -> Value {
    let response = officer.post_json("/api/v1/awareness", body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let named = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(named.starts_with("/api/v1/awareness/"), "{named}");
    response.json().await.unwrap()
}

async fn count(server: &TestServer, sql: &str) -> i64 {
    server.db.number(sql).await
}

/// A member, two staff (one a CSIRT member), a closed account and a contractor.
async fn people(server: &TestServer) -> (i64, i64, i64) {
    let member = server
        .add_account("giin.sato", Role::User, UserType::Member, false)
        .await;
    let staff = server.add_user("jimu.suzuki", Role::User).await;
    let csirt = user_with_posts(server, "csirt.ito", Role::User, &[OrgRole::CsirtMember]).await;
    let closed = server.add_user("taishoku.kato", Role::User).await;
    server
        .db
        .execute(&format!("UPDATE users SET active = 0 WHERE id = {closed}"))
        .await;
    server.add_user("itaku.yamada", Role::Contractor).await;
    (member, staff, csirt)
}

backend_test!(
    async fn each_audience_kind_is_resolved_when_posted_and_kept(backend) {
        let server = TestServer::start(backend).await;
        let (officer_id, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let (member, staff, csirt) = people(&server).await;

        // Everyone: active accounts but contractors, the officer included.
        let all = post(&officer, &notice("everyone")).await;
        assert_eq!(all["audience_size"], 4, "{all}");
        assert_eq!(all["read_percent"], 0);
        let readers: Vec<&str> = all["readers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["login"].as_str().unwrap())
            .collect();
        assert!(!readers.contains(&"itaku.yamada") && !readers.contains(&"taishoku.kato"));

        let mut by_type = notice("user_type");
        by_type["user_types"] = json!(["member"]);
        let members = post(&officer, &by_type).await;
        assert_eq!(members["audience_size"], 1);
        assert_eq!(members["readers"][0]["login"], "giin.sato");

        let mut by_post = notice("post");
        by_post["posts"] = json!(["csirt_member"]);
        let posts = post(&officer, &by_post).await;
        assert_eq!(posts["audience_size"], 1);
        assert_eq!(posts["readers"][0]["login"], "csirt.ito");

        let mut named = notice("users");
        named["users"] = json!(["jimu.suzuki", "giin.sato"]);
        let named = post(&officer, &named).await;
        assert_eq!(named["audience_size"], 2);

        // Each is told: one notification per person addressed, with the notice's link.
        let id = all["id"].as_i64().unwrap();
        for user in [member, staff, csirt, officer_id] {
            assert_eq!(
                count(&server, &format!(
                    "SELECT COUNT(*) FROM notifications WHERE user_id = {user} \
                     AND kind = 'awareness' AND link = '/awareness/{id}'"
                ))
                .await,
                1
            );
        }

        // A later account does not join a notice already posted.
        server
            .add_account("giin.new", Role::User, UserType::Member, false)
            .await;
        let again = officer.json(&format!("/api/v1/awareness/{}", members["id"])).await;
        assert_eq!(again["audience_size"], 1);
        let page = officer.page(&format!("/awareness/{}", members["id"]), 200).await;
        assert!(page.contains("掲示した時点の利用者で確定"), "{page}");

        // The member sees the notices addressed to them, not the others.
        let client = server.sign_in("giin.sato").await;
        let giin = server.web(&client);
        let mine = giin.json("/api/v1/awareness").await;
        assert_eq!(mine["total"], 3, "{mine}");
        assert_eq!(
            giin.get(&format!("/awareness/{}", posts["id"])).await.status(),
            StatusCode::NOT_FOUND
        );
        let audit = officer.page("/audit", 200).await;
        assert!(audit.contains("注意喚起の掲示"), "{audit}");
        server.stop().await;
    }
);

backend_test!(
    async fn reading_is_recorded_once_and_counted_in_the_rate(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let (member, _, _) = people(&server).await;
        let mut named = notice("users");
        named["users"] = json!(["giin.sato", "jimu.suzuki", "csirt.ito"]);
        let posted = post(&officer, &named).await;
        let id = posted["id"].as_i64().unwrap();

        // The home page lists it, flagged with its deadline, until it is read.
        let client = server.sign_in("giin.sato").await;
        let giin = server.web(&client);
        let home = giin.page("/", 200).await;
        assert!(home.contains("未読の注意喚起") && home.contains(&format!("/awareness/{id}")), "{home}");
        let page = giin.page(&format!("/awareness/{id}"), 200).await;
        assert!(page.contains("既読にする") && page.contains("添付ファイルを開かないでください。"));
        assert!(!page.contains("未読の方"), "a reader sees no figures");

        // The form sent twice records one reading, at its first time.
        let first = giin.post_form(&format!("/awareness/{id}/read"), &[]).await;
        assert_eq!(first.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&first), format!("/awareness/{id}?saved=read"));
        let read_at = count(&server, &format!(
            "SELECT COUNT(*) FROM awareness_recipients WHERE notice_id = {id} \
             AND user_id = {member} AND read_at IS NOT NULL"
        ))
        .await;
        assert_eq!(read_at, 1);
        let again = giin.post_json(&format!("/api/v1/awareness/{id}/read"), &json!({})).await;
        assert_eq!(again.status(), StatusCode::OK);
        let again: Value = again.json().await.unwrap();
        assert_eq!(again["my_standing"], "read");
        assert_eq!(
            count(&server, &format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'awareness.read' AND target_id = '{id}'"
            ))
            .await,
            1
        );
        let home = giin.page("/", 200).await;
        assert!(!home.contains("未読の注意喚起"), "gone from the home page once read");
        // Reading it settles the in-app notices that pointed to it.
        assert!(!home.contains(&format!("/awareness/{id}\"")), "{home}");

        // One of three: 33 %, and the two others are listed as unread.
        let seen = officer.json(&format!("/api/v1/awareness/{id}")).await;
        assert_eq!((seen["read_count"].clone(), seen["read_percent"].clone()), (json!(1), json!(33)));
        let unread: Vec<&str> = seen["readers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["standing"] != "read")
            .map(|r| r["login"].as_str().unwrap())
            .collect();
        assert_eq!(unread, ["csirt.ito", "jimu.suzuki"]);
        let page = officer.page(&format!("/awareness/{id}"), 200).await;
        assert!(page.contains("1人／3人（33%）"), "{page}");

        // Someone not addressed cannot mark it read.
        let (_, auditor) = server.web_as("kansa", Role::Auditor).await;
        let refused = auditor.post_json(&format!("/api/v1/awareness/{id}/read"), &json!({})).await;
        assert_api_error(refused, 404, "not_found").await;
        server.stop().await;
    }
);

backend_test!(
    async fn a_reminder_reaches_only_those_who_have_not_read(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let (member, staff, _) = people(&server).await;
        let mut named = notice("users");
        named["users"] = json!(["giin.sato", "jimu.suzuki"]);
        let id = post(&officer, &named).await["id"].as_i64().unwrap();
        let giin = server.web(&server.sign_in("giin.sato").await);
        set_my_mail(&giin, "giin.sato@gikai.example.jp").await;
        let jimu = server.web(&server.sign_in("jimu.suzuki").await);
        set_my_mail(&jimu, "jimu.suzuki@gikai.example.jp").await;
        giin.post_json(&format!("/api/v1/awareness/{id}/read"), &json!({})).await;

        let notices = |user: i64| {
            format!("SELECT COUNT(*) FROM notifications WHERE user_id = {user} AND kind = 'awareness'")
        };
        let mails = |user: i64| format!("SELECT COUNT(*) FROM mail_queue WHERE user_id = {user}");
        let before = (
            count(&server, &notices(member)).await,
            count(&server, &notices(staff)).await,
            count(&server, &mails(member)).await,
            count(&server, &mails(staff)).await,
        );
        let reminded = officer.post_form(&format!("/awareness/{id}/remind"), &[]).await;
        assert_eq!(reminded.status(), StatusCode::SEE_OTHER);
        assert_eq!(count(&server, &notices(member)).await, before.0);
        assert_eq!(count(&server, &notices(staff)).await, before.1 + 1);
        assert_eq!(count(&server, &mails(member)).await, before.2);
        assert_eq!(count(&server, &mails(staff)).await, before.3 + 1);
        let seen = officer.json(&format!("/api/v1/awareness/{id}")).await;
        let staff_row = seen["readers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["login"] == "jimu.suzuki")
            .unwrap()
            .clone();
        assert_eq!(staff_row["reminders"], 1);

        // Once everyone has read it there is nobody to remind.
        jimu.post_json(&format!("/api/v1/awareness/{id}/read"), &json!({})).await;
        let none = officer.post_json(&format!("/api/v1/awareness/{id}/remind"), &json!({})).await;
        assert_api_error(none, 409, "invalid_state").await;

        // Readers and non-readers as CSV, with a BOM for Excel.
        let csv = officer.get(&format!("/awareness/{id}/readers.csv")).await;
        assert_eq!(csv.status(), StatusCode::OK);
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let bytes = csv.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("ログインID,氏名,区分,状況,既読にした日時"), "{text}");
        let jimu_line = lines
            .iter()
            .find(|l| l.starts_with("jimu.suzuki,jimu.suzuki,議会事務局職員,既読,"))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(jimu_line.contains(",1,"), "reminded once: {jimu_line}");
        assert_eq!(lines.len(), 3, "{text}");
        let xlsx = officer
            .get(&format!("/api/v1/awareness/{id}/readers?format=xlsx"))
            .await;
        assert_eq!(xlsx.status(), StatusCode::OK);
        assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
        // The member may not see who has read it.
        assert_eq!(
            giin.get(&format!("/awareness/{id}/readers.csv")).await.status(),
            StatusCode::FORBIDDEN
        );
        server.stop().await;
    }
);

backend_test!(
    async fn a_withdrawn_notice_is_kept_with_its_reason_and_leaves_home_pages(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        people(&server).await;
        let id = post(&officer, &notice("everyone")).await["id"].as_i64().unwrap();
        let giin = server.web(&server.sign_in("giin.sato").await);
        assert!(giin.page("/", 200).await.contains(&format!("/awareness/{id}")));

        // A reason is required; nothing is written without one.
        let empty = officer.post_form(&format!("/awareness/{id}/withdraw"), &[("reason", "")]).await;
        assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.text().await.unwrap().contains("取り下げの理由"));
        let withdrawn = officer
            .post_form(
                &format!("/awareness/{id}/withdraw"),
                &[("reason", "対象者の指定を誤ったため。改めて掲示します。")],
            )
            .await;
        assert_eq!(withdrawn.status(), StatusCode::SEE_OTHER);
        let seen = officer.json(&format!("/api/v1/awareness/{id}")).await;
        assert!(seen["withdrawn_at"].is_string());
        assert_eq!(seen["withdraw_reason"], "対象者の指定を誤ったため。改めて掲示します。");
        assert!(!giin.page("/", 200).await.contains("未読の注意喚起"));
        let page = giin.page(&format!("/awareness/{id}"), 200).await;
        assert!(page.contains("取り下げ済み") && !page.contains("既読にする"), "{page}");
        let twice = officer
            .post_json(&format!("/api/v1/awareness/{id}/withdraw"), &json!({ "reason": "再度" }))
            .await;
        assert_api_error(twice, 409, "invalid_state").await;
        let read = giin.post_json(&format!("/api/v1/awareness/{id}/read"), &json!({})).await;
        assert_api_error(read, 409, "invalid_state").await;
        assert_eq!(
            count(&server, "SELECT COUNT(*) FROM audit_log WHERE action = 'awareness.withdraw'").await,
            1
        );
        server.stop().await;
    }
);

backend_test!(
    async fn bad_input_is_told_in_japanese_and_nothing_is_written(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        people(&server).await;
        let page = officer
            .post_form(
                "/awareness/new",
                &[
                    ("title", ""),
                    ("body", "本文だけ"),
                    ("audience", "user_type"),
                    ("due_on", "令和2年1月1日"),
                ],
            )
            .await;
        assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = page.text().await.unwrap();
        assert!(html.contains("対象を1つ以上選んでください。"), "{html}");
        assert!(html.contains("期限が過去の日付です。"), "{html}");
        assert!(html.contains("本文だけ"), "the form is kept as typed");

        let mut unknown = notice("users");
        unknown["users"] = json!(["giin.sato", "nobody.here", "itaku.yamada"]);
        let refused = officer.post_json("/api/v1/awareness", &unknown).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = refused.json().await.unwrap();
        let text = body.to_string();
        assert!(text.contains("nobody.here") && text.contains("itaku.yamada"), "{text}");
        assert!(!text.contains("giin.sato,"), "{text}");

        let mut wareki = notice("everyone");
        wareki["due_on"] = json!("明日");
        let refused = officer.post_json("/api/v1/awareness", &wareki).await;
        assert_api_error(refused, 422, "validation_failed").await;
        assert_eq!(count(&server, "SELECT COUNT(*) FROM awareness_notices").await, 0);
        assert_eq!(count(&server, "SELECT COUNT(*) FROM awareness_recipients").await, 0);
        assert_eq!(
            count(&server, "SELECT COUNT(*) FROM notifications WHERE kind = 'awareness'").await,
            0
        );

        // A deadline in 和暦 is accepted.
        let mut fine = notice("everyone");
        let due = mamori_app::today() + time::Duration::days(10);
        fine["due_on"] = json!(mamori_domain::wareki::format_date(
            due,
            mamori_domain::wareki::DateStyle::Wareki,
            mamori_domain::wareki::Lang::Ja
        ));
        let posted = post(&officer, &fine).await;
        assert_eq!(posted["due_on"], mamori_app::date_text(due));
        server.stop().await;
    }
);

backend_test!(
    async fn only_the_secretariat_posts_and_contractors_see_nothing(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let (_, member) = server.web_as("giin.sato", Role::User).await;
        let (_, auditor) = server.web_as("kansa", Role::Auditor).await;
        let (_, contractor) = server.web_as("itaku", Role::Contractor).await;
        let denied = member.post_json("/api/v1/awareness", &notice("everyone")).await;
        assert_api_error(denied, 403, "forbidden").await;
        assert_eq!(member.get("/awareness/new").await.status(), StatusCode::FORBIDDEN);
        assert_eq!(contractor.get("/awareness").await.status(), StatusCode::FORBIDDEN);
        let id = post(&officer, &notice("everyone")).await["id"].as_i64().unwrap();
        // The auditor sees every notice and its readers, but posts and reminds nothing.
        let seen = auditor.json(&format!("/api/v1/awareness/{id}")).await;
        assert_eq!(seen["audience_size"], 3);
        let remind = auditor.post_json(&format!("/api/v1/awareness/{id}/remind"), &json!({})).await;
        assert_api_error(remind, 403, "forbidden").await;
        // The overdue flag: past the deadline, still unread.
        server
            .db
            .execute(&format!("UPDATE awareness_notices SET due_on = '{}' WHERE id = {id}", day(-1)))
            .await;
        let mine = member.json(&format!("/api/v1/awareness/{id}")).await;
        assert_eq!(mine["my_standing"], "overdue");
        let home = member.page("/", 200).await;
        assert!(home.contains("期限超過（未読）"), "{home}");
        server.stop().await;
    }
);
