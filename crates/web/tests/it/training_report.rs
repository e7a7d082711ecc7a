//! The yearly training report (issue 17 item 8) through real HTTP on both backends: the
//! figures by user type, post, course and drill, an awareness notice's read rate, the
//! same figures in the page, the API and every sheet of the workbook; refused for a
//! member, and a bad 年度 refused in the reader's language.

use std::io::{Cursor, Read};

use mamori_domain::user::{OrgRole, Role, UserType};
use mamori_testkit::fixtures_policies::give_posts;
use mamori_testkit::{TestServer, Web, assert_api_error, backend_test};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn year() -> String {
    mamori_domain::calendar::FiscalYear::of(mamori_app::today())
        .year()
        .to_string()
}

/// Yesterday when it is in this 年度, else today: a day already come.
fn past_day() -> String {
    let today = mamori_app::today();
    let yesterday = today - time::Duration::days(1);
    let fy = mamori_domain::calendar::FiscalYear::of(today);
    mamori_app::date_text(if fy.contains(yesterday) {
        yesterday
    } else {
        today
    })
}

async fn created(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn course(officer: &Web<'_>, kind: &str, title: &str) -> i64 {
    let body = json!({"fiscal_year": year(), "kind": kind, "title": title});
    created(officer.post_json("/api/v1/training/courses", &body).await).await["id"]
        .as_i64()
        .unwrap()
}

async fn session(officer: &Web<'_>, course: i64, user_type: &str) -> i64 {
    let body = json!({
        "held_on": past_day(), "starts_at": "10:00", "ends_at": "11:30", "place": "議場",
        "audience": "user_type", "user_types": [user_type],
    });
    let path = format!("/api/v1/training/courses/{course}/sessions");
    created(officer.post_json(&path, &body).await).await["id"]
        .as_i64()
        .unwrap()
}

fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("{name} in the workbook"))
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// The non-empty cells of each row of the `n`th sheet (written as inline strings).
fn rows_of(bytes: &[u8], n: usize) -> Vec<Vec<String>> {
    let sheet = part(bytes, &format!("xl/worksheets/sheet{n}.xml"));
    let cell = regex_lite::Regex::new(r"<t(?: [^>]*)?>([^<]*)</t>").unwrap();
    sheet
        .split("<row ")
        .skip(1)
        .map(|row| cell.captures_iter(row).map(|c| c[1].to_owned()).collect())
        .collect()
}

fn row_starting<'a>(rows: &'a [Vec<String>], first: &str) -> &'a Vec<String> {
    rows.iter()
        .find(|r| r.first().map(String::as_str) == Some(first))
        .unwrap_or_else(|| panic!("a row for {first} in {rows:?}"))
}

backend_test!(
    async fn the_yearly_report_counts_coverage_drills_and_notices_in_page_api_and_workbook(
        backend
    ) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let ito = server.add_user("jimu.ito", Role::User).await;
        let kato = server.add_user("jimu.kato", Role::User).await;
        server.add_account("giin.suzuki", Role::User, UserType::Member, false).await;
        let (_, member) = server.web_as("giin.sato", Role::User).await;
        server
            .db
            .execute("UPDATE users SET user_type = 'member' WHERE login LIKE 'giin.%'")
            .await;
        // Everyone started years ago: only the yearly rule binds them.
        server.db.execute("UPDATE users SET starts_on = '2020-04-01'").await;
        server
            .db
            .execute("UPDATE users SET display_name = '伊藤 次郎' WHERE login = 'jimu.ito'")
            .await;
        server
            .db
            .execute("UPDATE users SET display_name = '加藤 三郎' WHERE login = 'jimu.kato'")
            .await;
        give_posts(&server, ito, &[OrgRole::SecurityManager]).await;
        give_posts(&server, kato, &[OrgRole::CommitteeMember]).await;

        // A drill for the three staff: two present, one excused.
        let drill = course(&officer, "drill", "標的型メール対応訓練").await;
        let drill_session = session(&officer, drill, "staff").await;
        let marks = json!({"marks": [
            {"login": "anzen.tanaka", "status": "present"},
            {"login": "jimu.ito", "status": "present"},
            {"login": "jimu.kato", "status": "excused"},
        ]});
        let recorded = officer
            .post_json(&format!("/api/v1/training/sessions/{drill_session}/attendance"), &marks)
            .await;
        assert_eq!(recorded.status(), StatusCode::OK);
        // A members' session, cancelled: not held, nothing counted.
        let members = course(&officer, "members", "議員研修").await;
        let cancelled = session(&officer, members, "member").await;
        let response = officer
            .post_json(&format!("/api/v1/training/sessions/{cancelled}/cancel"), &json!({}))
            .await;
        assert_eq!(response.status(), StatusCode::OK);

        // A notice to the two members, read by one of them.
        let notice = created(
            officer
                .post_json(
                    "/api/v1/awareness",
                    &json!({"title": "USBメモリの持ち出しについて", "body": "持ち出しは届出が必要です。",
                            "audience": "user_type", "user_types": ["member"]}),
                )
                .await,
        )
        .await;
        let notice = notice["id"].as_i64().unwrap();
        let read = member
            .post_json(&format!("/api/v1/awareness/{notice}/read"), &json!({}))
            .await;
        assert!(read.status().is_success(), "{}", read.status());

        // The API: the figures themselves.
        let report = officer
            .json(&format!("/api/v1/training/report?year={}", year()))
            .await;
        let of_type = |code: &str| {
            report["user_types"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["user_type"] == code)
                .unwrap_or_else(|| panic!("{code} in {report}"))
                .clone()
        };
        let staff = of_type("staff");
        assert_eq!(
            (&staff["people"], &staff["bound"], &staff["met"], &staff["not_met"], &staff["rate"]),
            (&json!(3), &json!(3), &json!(2), &json!(1), &json!(66)),
            "{staff}"
        );
        let members_line = of_type("member");
        assert_eq!((&members_line["bound"], &members_line["met"]), (&json!(2), &json!(0)));
        let posts = report["posts"].as_array().unwrap();
        let post = |role: &str| posts.iter().find(|p| p["role"] == role).unwrap().clone();
        assert_eq!(post("security_manager")["holders"][0]["standing"], "met", "{report}");
        assert_eq!(post("security_manager")["trained"], 1);
        assert_eq!(post("committee_member")["holders"][0]["standing"], "due");
        let courses = report["courses"].as_array().unwrap();
        let drill_line = courses.iter().find(|c| c["course_id"] == drill).unwrap();
        assert_eq!(drill_line["held"], 1);
        assert_eq!(
            drill_line["attendance"],
            json!({"invited": 3, "present": 2, "absent": 0, "excused": 1, "rate": 66})
        );
        let members_line = courses.iter().find(|c| c["course_id"] == members).unwrap();
        assert_eq!(members_line["held"], 0, "a cancelled session is not held");
        assert_eq!(members_line["attendance"]["invited"], 0);
        let drills = report["drills"].as_array().unwrap();
        assert_eq!(drills.len(), 1, "{report}");
        assert_eq!(drills[0]["session_id"], drill_session);
        assert_eq!(drills[0]["held_on"], past_day());
        assert_eq!(drills[0]["attendance"]["present"], 2);
        assert_eq!(
            report["notices"],
            json!([{"notice_id": notice, "title": "USBメモリの持ち出しについて",
                    "posted_on": mamori_app::date_text(mamori_app::today()),
                    "withdrawn": false, "audience": 2, "read": 1, "read_rate": 50}])
        );

        // The page: linked from the overview, the same figures, ready for A4.
        let overview = officer.page(&format!("/training?year={}", year()), 200).await;
        assert!(overview.contains(&format!("href=\"/training/report?year={}\"", year())));
        let page = officer.page(&format!("/training/report?year={}", year()), 200).await;
        for text in [
            "利用者の区分ごとの受講状況",
            "<td>66%</td>",
            "標的型メール対応訓練",
            "伊藤 次郎",
            "加藤 三郎",
            "USBメモリの持ち出しについて",
            "<td>50%</td>",
            "data-print-button",
            "/training/report.xlsx?year=",
        ] {
            assert!(page.contains(text), "{text} in {page}");
        }
        let english = officer
            .client
            .get(server.url(&format!("/training/report?year={}", year())))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap();
        let english = english.text().await.unwrap();
        assert!(english.contains("Coverage by user type"), "{english}");
        assert!(english.contains("Emergency drills held"));

        // The workbook: a sheet per section, headed, with the figures.
        let response = officer
            .get(&format!("/training/report.xlsx?year={}", year()))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(content_type.contains("spreadsheetml"), "{content_type}");
        let bytes = response.bytes().await.unwrap().to_vec();
        let workbook = part(&bytes, "xl/workbook.xml");
        for name in ["区分別", "役職別", "研修別", "緊急時対応訓練", "注意喚起"] {
            assert!(workbook.contains(&format!("name=\"{name}\"")), "{name} in {workbook}");
        }
        let table = mamori_sheet::read(&bytes, 10).unwrap();
        assert_eq!(table.headers[0], "利用者の区分");
        let types = rows_of(&bytes, 1);
        assert_eq!(row_starting(&types, "議会事務局職員"), &["議会事務局職員", "3", "3", "2", "1", "66%"]);
        assert_eq!(row_starting(&types, "合計"), &["合計", "5", "5", "2", "3", "40%"]);
        let holders = rows_of(&bytes, 2);
        assert_eq!(row_starting(&holders, "情報セキュリティ管理者")[1], "伊藤 次郎", "{holders:?}");
        let courses = rows_of(&bytes, 3);
        assert_eq!(
            row_starting(&courses, "標的型メール対応訓練"),
            &["標的型メール対応訓練", "緊急時対応訓練", "1", "3", "2", "0", "1", "66%"]
        );
        let drills = rows_of(&bytes, 4);
        assert_eq!(drills.len(), 2, "a header and one drill: {drills:?}");
        assert_eq!(drills[1][0], past_day());
        let notices = rows_of(&bytes, 5);
        assert_eq!(notices[1][1..5], ["USBメモリの持ち出しについて", "2", "1", "50%"]);
        assert_eq!(
            server
                .db
                .number("SELECT COUNT(*) FROM audit_log WHERE action = 'training.report_export'")
                .await,
            1,
            "the workbook names people: its export is in the trail"
        );

        // A member sees none of it; the auditor sees it all.
        member
            .page(&format!("/training/report?year={}", year()), 403)
            .await;
        let denied = member.get(&format!("/api/v1/training/report?year={}", year())).await;
        assert_api_error(denied, 403, "forbidden").await;
        let denied = member.get(&format!("/training/report.xlsx?year={}", year())).await;
        assert_eq!(denied.status(), StatusCode::FORBIDDEN);
        let (_, auditor) = server.web_as("kansa", Role::Auditor).await;
        auditor
            .page(&format!("/training/report?year={}", year()), 200)
            .await;
        server.stop().await;
    }
);

backend_test!(
    async fn a_bad_year_is_refused_in_the_readers_language(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        for year in ["abc", "20255"] {
            let page = officer.get(&format!("/training/report?year={year}")).await;
            assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY, "{year}");
            let page = page.text().await.unwrap();
            assert!(page.contains("年度"), "{year}: {page}");
            let file = officer.get(&format!("/training/report.xlsx?year={year}")).await;
            assert_eq!(file.status(), StatusCode::UNPROCESSABLE_ENTITY, "{year}");
            let api = officer
                .client
                .get(server.url(&format!("/api/v1/training/report?year={year}")))
                .header("accept-language", "en")
                .send()
                .await
                .unwrap();
            let error = assert_api_error(api, 422, "validation_failed").await;
            assert!(error.to_string().contains("fiscal year"), "{year}: {error}");
        }
        // An empty 年度 is a report of zeros, not an error.
        let report = officer.json("/api/v1/training/report?year=2020").await;
        assert_eq!(report["fiscal_year"], 2020);
        assert_eq!(report["drills"], json!([]));
        assert_eq!(report["notices"], json!([]));
        server.stop().await;
    }
);
