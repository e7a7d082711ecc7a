//! Training and drills (issue 17 items 3-4) through real HTTP on both backends: a course
//! and a session for members, the invitation on their home page, attendance from the page
//! and from sign-in sheets (CSV and xlsx, refused whole when a name is unknown), an
//! outside course declared and confirmed, the rule as data, coverage, and the plan
//! decided by the committee's chair.

use mamori_domain::user::{OrgRole, Role, UserType};
use mamori_testkit::fixtures_policies::give_posts;
use mamori_testkit::{TestServer, Web, assert_api_error, backend_test, location};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn day(offset: i64) -> String {
    mamori_app::date_text(mamori_app::today() + time::Duration::days(offset))
}

/// A day in this 年度 at least `offset` days from today when the 年度 allows, else today.
fn this_year_day(offset: i64) -> String {
    let today = mamori_app::today();
    let fy = mamori_domain::calendar::FiscalYear::of(today);
    let wanted = today + time::Duration::days(offset);
    mamori_app::date_text(if fy.contains(wanted) { wanted } else { today })
}

fn year() -> String {
    mamori_domain::calendar::FiscalYear::of(mamori_app::today())
        .year()
        .to_string()
}

async fn course(officer: &Web<'_>, kind: &str, title: &str) -> i64 {
    let response = officer
        .post_json(
            "/api/v1/training/courses",
            &json!({"fiscal_year": year(), "kind": kind, "title": title}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    body["id"].as_i64().unwrap()
}

async fn session(officer: &Web<'_>, course: i64, held_on: &str, audience: Value) -> Value {
    let mut body = json!({
        "held_on": held_on, "starts_at": "13時30分", "ends_at": "15:00", "place": "第1委員会室",
    });
    for (k, v) in audience.as_object().unwrap() {
        body[k] = v.clone();
    }
    let response = officer
        .post_json(
            &format!("/api/v1/training/courses/{course}/sessions"),
            &body,
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn coverage_of(officer: &Web<'_>, login: &str) -> Value {
    let rows = officer
        .json(&format!("/api/v1/training/coverage?year={}", year()))
        .await;
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["login"] == login)
        .unwrap_or_else(|| panic!("{login} in {rows}"))
        .clone()
}

async fn standing(officer: &Web<'_>, login: &str) -> String {
    coverage_of(officer, login).await["standing"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn attendance_rows(server: &TestServer) -> i64 {
    server
        .db
        .number("SELECT COUNT(*) FROM training_attendance")
        .await
}

backend_test!(
    async fn members_are_invited_recorded_from_the_page_and_a_sign_in_sheet(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let (_, member) = server.web_as("giin.sato", Role::User).await;
        for login in ["giin.sato", "giin.suzuki", "giin.takahashi"] {
            if login != "giin.sato" {
                server.add_account(login, Role::User, UserType::Member, false).await;
            }
        }
        server
            .db
            .execute("UPDATE users SET user_type = 'member' WHERE login LIKE 'giin.%'")
            .await;
        server
            .db
            .execute("UPDATE users SET display_name = '佐藤 一郎' WHERE login = 'giin.sato'")
            .await;
        server
            .db
            .execute("UPDATE users SET display_name = '鈴木 花子' WHERE login = 'giin.suzuki'")
            .await;
        let (_, staff) = server.web_as("jimu.ito", Role::User).await;

        let members_course = course(&officer, "members", "議員向け情報セキュリティ研修").await;
        let held = this_year_day(14);
        let planned = session(
            &officer,
            members_course,
            &held,
            json!({"audience": "user_type", "user_types": ["member"]}),
        )
        .await;
        assert_eq!(planned["invited"], 3, "{planned}");
        assert_eq!(planned["starts_at"], "13:30");
        let id = planned["id"].as_i64().unwrap();

        // The member is told and sees the session on their home page; staff are not invited.
        let home = member.page("/", 200).await;
        assert!(home.contains(&format!("/training/sessions/{id}")), "{home}");
        assert!(home.contains("議員向け情報セキュリティ研修"));
        member.page(&format!("/training/sessions/{id}"), 200).await;
        staff.page(&format!("/training/sessions/{id}"), 404).await;
        assert_eq!(standing(&officer, "giin.sato").await, "due");

        // The organiser records one mark from the page.
        let saved = officer
            .post_form(
                &format!("/training/sessions/{id}/attendance"),
                &[("mark:giin.sato", "present"), ("mark:giin.suzuki", "")],
            )
            .await;
        assert_eq!(location(&saved), format!("/training/sessions/{id}?saved=recorded"));
        assert_eq!(standing(&officer, "giin.sato").await, "met");
        let home = member.page("/", 200).await;
        assert!(home.contains("受講済み"), "{home}");

        // A sheet naming someone unknown is refused whole, with the line, in Japanese.
        let sheet = "氏名,出欠\n鈴木 花子,○\n山田 太郎,出席\n";
        let refused = officer
            .post_multipart(
                &format!("/training/sessions/{id}/import"),
                &[],
                Some(("出席簿.csv", sheet.as_bytes())),
            )
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = refused.text().await.unwrap();
        assert!(page.contains("3行目：「山田 太郎」という利用者は見つかりません。"), "{page}");
        assert_eq!(attendance_rows(&server).await, 1);

        // A mark that cannot be read is asked about, not guessed.
        let unreadable = officer
            .post_bytes(
                &format!("/api/v1/training/sessions/{id}/attendance/import"),
                "氏名,出欠\n鈴木花子,遅刻\n".as_bytes().to_vec(),
            )
            .await;
        let error = assert_api_error(unreadable, 422, "validation_failed").await;
        assert!(error.to_string().contains("遅刻"), "{error}");

        // An xlsx sheet by login, full-width spaces and an excused mark.
        let xlsx = mamori_app::sheets::write_table(
            mamori_app::sheets::Format::Xlsx,
            "出席簿",
            vec!["ログインID".into(), "出欠".into()],
            vec![
                vec!["giin.suzuki".into(), "公欠".into()],
                vec!["giin.takahashi".into(), "×".into()],
            ],
        )
        .await
        .unwrap();
        let imported = officer
            .post_bytes(&format!("/api/v1/training/sessions/{id}/attendance/import"), xlsx)
            .await;
        assert_eq!(imported.status(), StatusCode::OK);
        let imported: Value = imported.json().await.unwrap();
        assert_eq!(imported["recorded"], 2);
        let detail = officer.json(&format!("/api/v1/training/sessions/{id}")).await;
        let marks: Vec<(&str, &str)> = detail["participants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["login"].as_str().unwrap(), p["status"].as_str().unwrap_or("")))
            .collect();
        assert_eq!(
            marks,
            [("giin.sato", "present"), ("giin.suzuki", "excused"), ("giin.takahashi", "absent")]
        );
        assert_eq!(standing(&officer, "giin.suzuki").await, "due");

        // Members may not record, import or see everyone's coverage.
        let denied = member
            .post_json(
                &format!("/api/v1/training/sessions/{id}/attendance"),
                &json!({"marks": [{"login": "giin.sato", "status": "present"}]}),
            )
            .await;
        assert_api_error(denied, 403, "forbidden").await;
        member
            .page(&format!("/training/coverage?year={}", year()), 403)
            .await;
        server.stop().await;
    }
);

backend_test!(
    async fn an_outside_course_counts_once_confirmed_and_bad_input_is_refused(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let (_, staff) = server.web_as("jimu.ito", Role::User).await;
        let outside = course(&officer, "outside", "県主催の情報セキュリティ研修").await;

        // Bad input: the end before the start, a day of another 年度, a time unread.
        let response = officer
            .post_json(
                &format!("/api/v1/training/courses/{outside}/sessions"),
                &json!({"held_on": day(0), "starts_at": "15:00", "ends_at": "13:00",
                        "place": "長野県庁", "audience": "everyone"}),
            )
            .await;
        let error = assert_api_error(response, 422, "validation_failed").await;
        assert!(error.to_string().contains("終了時刻は開始時刻より後にしてください。"), "{error}");
        let response = officer
            .post_json(
                &format!("/api/v1/training/courses/{outside}/sessions"),
                &json!({"held_on": day(400), "starts_at": "午後", "ends_at": "15:00",
                        "place": "長野県庁", "audience": "everyone"}),
            )
            .await;
        let error = assert_api_error(response, 422, "validation_failed").await;
        let text = error.to_string();
        assert!(text.contains("13:30 や 13時30分"), "{text}");
        assert_eq!(
            server.db.number("SELECT COUNT(*) FROM training_sessions").await,
            0
        );

        let planned = session(&officer, outside, &day(0), json!({"audience": "everyone"})).await;
        let id = planned["id"].as_i64().unwrap();

        // The person declares; it does not count until confirmed.
        let declared = staff
            .post_json(
                &format!("/api/v1/training/sessions/{id}/declare"),
                &json!({"note": "修了証 第123号"}),
            )
            .await;
        assert_eq!(declared.status(), StatusCode::CREATED);
        let declared: Value = declared.json().await.unwrap();
        assert_eq!(declared["way"], "declared");
        let attendance = declared["id"].as_i64().unwrap();
        assert_eq!(standing(&officer, "jimu.ito").await, "due");
        let again = staff
            .post_json(&format!("/api/v1/training/sessions/{id}/declare"), &json!({}))
            .await;
        assert_api_error(again, 409, "already_recorded").await;

        // The proof is theirs to attach; another person does not see the declaration.
        let proof = staff
            .post_multipart(
                &format!("/training/attendance/{attendance}/files"),
                &[("purpose", "evidence")],
                Some(("修了証.pdf", &mamori_testkit::fixtures_files::pdf("修了証"))),
            )
            .await;
        assert_eq!(proof.status(), StatusCode::SEE_OTHER, "{}", proof.text().await.unwrap());
        let (_, other) = server.web_as("jimu.kato", Role::User).await;
        other
            .page(&format!("/training/attendance/{attendance}"), 404)
            .await;
        let denied = staff
            .post_json(&format!("/api/v1/training/attendance/{attendance}/confirm"), &json!({}))
            .await;
        assert_api_error(denied, 403, "forbidden").await;

        let confirmed = officer
            .post_json(&format!("/api/v1/training/attendance/{attendance}/confirm"), &json!({}))
            .await;
        assert_eq!(confirmed.status(), StatusCode::OK);
        // The outside course meets the yearly rule; as a person who started today they
        // still owe the new-staff course (the default rule does not count outside ones).
        let row = coverage_of(&officer, "jimu.ito").await;
        assert_eq!((row["yearly"].as_str(), row["new_person"].as_str()), (Some("met"), Some("due")), "{row}");
        let twice = officer
            .post_json(&format!("/api/v1/training/attendance/{attendance}/confirm"), &json!({}))
            .await;
        assert_api_error(twice, 409, "invalid_state").await;

        // A cancelled session takes nothing more.
        let cancelled = officer
            .post_json(&format!("/api/v1/training/sessions/{id}/cancel"), &json!({}))
            .await;
        assert_eq!(cancelled.status(), StatusCode::OK);
        let late = officer
            .post_json(
                &format!("/api/v1/training/sessions/{id}/attendance"),
                &json!({"marks": [{"login": "jimu.kato", "status": "present"}]}),
            )
            .await;
        assert_api_error(late, 409, "invalid_state").await;
        server.stop().await;
    }
);

backend_test!(
    async fn the_rule_is_data_and_the_plan_is_decided_by_the_committee(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let (chair_id, chair) = server.web_as("iincho", Role::User).await;
        give_posts(&server, chair_id, &[OrgRole::CommitteeChair]).await;

        // The rule: defaults read back; a bad number of days is refused and nothing changes.
        let rules = officer.json("/api/v1/training/rules").await;
        assert_eq!(rules["within_days"], 90);
        let mut changed = rules.clone();
        changed["within_days"] = json!(0);
        let refused = officer
            .send_json(reqwest::Method::PUT, "/api/v1/training/rules", &changed)
            .await;
        assert_api_error(refused, 422, "validation_failed").await;
        changed["within_days"] = json!(30);
        changed["new_kinds"] = json!(["new_staff"]);
        let saved = officer
            .send_json(reqwest::Method::PUT, "/api/v1/training/rules", &changed)
            .await;
        assert_eq!(saved.status(), StatusCode::OK);
        assert_eq!(officer.json("/api/v1/training/rules").await["within_days"], 30);
        let page = officer
            .post_form("/training/rules", &[("within_days", "３０日")])
            .await;
        assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = page.text().await.unwrap();
        assert!(page.contains("一つ以上選んでください。"), "{page}");
        assert_eq!(
            server
                .db
                .number("SELECT COUNT(*) FROM audit_log WHERE action = 'training.rules'")
                .await,
            1
        );

        // A person who started 40 days ago without new-staff training is overdue.
        let new_id = server.add_user("shinnin.mori", Role::User).await;
        server
            .db
            .execute(&format!(
                "UPDATE users SET starts_on = '{}' WHERE id = {new_id}",
                day(-40)
            ))
            .await;
        let rows = officer
            .json(&format!("/api/v1/training/coverage?year={}&user_type=staff", year()))
            .await;
        let row = rows
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["login"] == "shinnin.mori")
            .unwrap()
            .clone();
        if mamori_domain::calendar::FiscalYear::of(mamori_app::today())
            .contains(mamori_app::today() - time::Duration::days(40))
        {
            assert_eq!(row["new_person"], "overdue", "{row}");
            assert_eq!(row["standing"], "overdue");
            let home = officer.page("/", 200).await;
            assert!(home.contains("期限を過ぎた人 1 人"), "{home}");
        }

        // The plan: a draft, asked of the committee, decided by its chair, then fixed.
        let plan = json!({"year": year(), "summary": "全員研修を年1回、緊急時対応訓練を秋に行う。"});
        let saved = officer
            .send_json(reqwest::Method::PUT, "/api/v1/training/plan", &plan)
            .await;
        assert_eq!(saved.status(), StatusCode::OK);
        let asked = officer
            .post_json("/api/v1/training/plan/ask", &json!({"year": year()}))
            .await;
        let asked: Value = asked.json().await.unwrap();
        assert_eq!(asked["status"], "asked", "{asked}");
        let request = asked["pending_request"].as_i64().unwrap();
        let busy = officer
            .send_json(reqwest::Method::PUT, "/api/v1/training/plan", &plan)
            .await;
        assert_api_error(busy, 409, "invalid_state").await;
        let decided = chair
            .post_json(
                &format!("/api/v1/approvals/{request}/decision"),
                &json!({"decision": "approve", "reason": "", "minute_ref": "第2回委員会"}),
            )
            .await;
        assert_eq!(decided.status(), StatusCode::OK, "{}", decided.text().await.unwrap());
        let plan = officer
            .json(&format!("/api/v1/training/plan?year={}", year()))
            .await;
        assert_eq!(plan["status"], "approved", "{plan}");
        let page = officer
            .page(&format!("/training/plan?year={}", year()), 200)
            .await;
        assert!(page.contains("決定済み"), "{page}");
        server.stop().await;
    }
);
