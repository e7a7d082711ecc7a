//! The office calendar through real HTTP on both backends: the seeded national
//! holidays, closed days kept by the administrator (page and API), the Cabinet Office
//! list imported, deadlines counted over 年末年始 and closed days, and the 年度.

use mamori_domain::user::Role;
use mamori_testkit::fixtures_cycle::cabinet_office_csv;
use mamori_testkit::{TestServer, assert_api_error, backend_test, location};
use serde_json::{Value, json};

async fn due(web: &mamori_testkit::Web<'_>, query: &str) -> String {
    let out: Value = web
        .json(&format!("/api/v1/calendar/deadline?{query}"))
        .await;
    out["due"].as_str().expect("due").to_owned()
}

backend_test!(
    async fn the_administrator_keeps_closed_days_and_deadlines_count_them(backend) {
        let server = TestServer::start(backend).await;
        let (_, admin) = server.web_as("kanri", Role::Admin).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;

        // National holidays ship with the data: 2026 has 18, among them 5/6 (振替休日).
        let year: Value = officer.json("/api/v1/calendar/holidays?year=2026").await;
        let days = year["days"].as_array().unwrap();
        assert_eq!(days.len(), 18, "{backend:?}");
        assert!(days.iter().any(|d| d["on"] == "2026-05-06" && d["name"] == "休日" && d["kind"] == "national"));
        assert_eq!(year["years"], json!([2027, 2026, 2025, 2024]));

        // 5 開庁日 from Friday 25 December skip the weekend and 年末年始.
        let working = "from=2026-12-25&days=5&kind=working";
        assert_eq!(due(&officer, working).await, "2027-01-07");
        assert_eq!(due(&officer, "from=2026-12-25&days=5&kind=calendar").await, "2026-12-30");
        assert_eq!(due(&officer, "from=令和8年4月28日&days=3&kind=working").await, "2026-05-07");

        // The assembly closes its office on 6 January for maintenance: one day later.
        let added = admin
            .post_form("/admin/calendar", &[("on", "令和9年1月6日"), ("name", "議会棟設備点検"), ("kind", "assembly")])
            .await;
        assert_eq!(added.status().as_u16(), 303);
        assert_eq!(location(&added), "/admin/calendar?year=2027#day-2027-01-06");
        let page = admin.page("/admin/calendar?year=2027", 200).await;
        assert!(page.contains("議会棟設備点検") && page.contains("令和9年1月6日"), "{page}");
        assert!(page.contains("令和9年度は令和9年4月1日から令和10年3月31日までです。"));
        assert_eq!(due(&officer, working).await, "2027-01-08");

        // The same date again, and nonsense: refused with the reasons, nothing written.
        let again = admin
            .post_form("/admin/calendar", &[("on", "2027-01-06"), ("name", "重複"), ("kind", "assembly")])
            .await;
        assert_eq!(again.status().as_u16(), 422);
        assert!(again.text().await.unwrap().contains("その日にはすでに閉庁日が登録されています。"));
        let bad = admin.post_json("/api/v1/calendar/holidays", &json!({"on": "2027-02-30", "name": ""})).await;
        let error = assert_api_error(bad, 422, "validation_failed").await;
        let fields: Vec<&str> = error["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["on", "name"]);

        // Only the administrator keeps the calendar; everyone signed in reads it.
        let refused = officer.post_form("/admin/calendar", &[("on", "2027-01-07"), ("name", "x")]).await;
        assert_eq!(refused.status().as_u16(), 403);
        assert_api_error(officer.post_json("/api/v1/calendar/holidays", &json!({"on": "2027-01-07", "name": "x"})).await, 403, "forbidden").await;
        officer.page("/admin/calendar", 403).await;

        // Over the API: add, remove, remove again.
        let created = admin.post_json("/api/v1/calendar/holidays", &json!({"on": "令和8年8月14日", "name": "夏季閉庁日"})).await;
        assert_eq!(created.status().as_u16(), 201);
        let body: Value = created.json().await.unwrap();
        assert_eq!((body["on"].as_str(), body["kind"].as_str()), (Some("2026-08-14"), Some("assembly")));
        let removed = admin.send_json(reqwest::Method::DELETE, "/api/v1/calendar/holidays/2026-08-14", &json!({})).await;
        assert_eq!(removed.status().as_u16(), 200);
        let removed = admin.send_json(reqwest::Method::DELETE, "/api/v1/calendar/holidays/2026-08-14", &json!({})).await;
        assert_api_error(removed, 404, "not_found").await;
        // And through the page.
        let gone = admin.post_form("/admin/calendar/2027-01-06/remove", &[]).await;
        assert_eq!(location(&gone), "/admin/calendar?year=2027");
        assert_eq!(due(&officer, working).await, "2027-01-07");

        // A deadline as typed wrongly says what is wrong with each part.
        let bad = officer.get("/api/v1/calendar/deadline?from=あした&days=-1&kind=weekly").await;
        let error = assert_api_error(bad, 422, "validation_failed").await;
        assert_eq!(error["fields"].as_array().unwrap().len(), 3);

        let audit = mamori_store::audit::recent(&server.store, 100).await.unwrap();
        for action in ["calendar.closed_day_add", "calendar.closed_day_remove"] {
            assert!(audit.iter().any(|e| e.action == action), "{action}");
        }
        server.stop().await;
    }
);

backend_test!(
    async fn the_cabinet_office_list_is_imported_from_the_page_and_the_api(backend) {
        let server = TestServer::start(backend).await;
        let (_, admin) = server.web_as("kanri", Role::Admin).await;
        // The 2027 list as published, but with 春分の日 on 3/20 (a made-up correction)
        // and without 3/22: the year's national days become the list's.
        let list = cabinet_office_csv(&[
            ("2027/1/1", "元日"),
            ("2027/1/11", "成人の日"),
            ("2027/3/20", "春分の日"),
        ]);
        let response = admin.post_multipart("/admin/calendar/import", &[], Some(("syukujitsu.csv", &list))).await;
        assert_eq!(response.status().as_u16(), 303, "{backend:?}");
        let page = admin.page(&location(&response), 200).await;
        assert!(page.contains("追加 1件、名称変更 0件、削除 15件、変更なし 2件"), "{page}");
        let year: Value = admin.json("/api/v1/calendar/holidays?year=2027").await;
        let on: Vec<&str> = year["days"].as_array().unwrap().iter().map(|d| d["on"].as_str().unwrap()).collect();
        assert_eq!(on, ["2027-01-01", "2027-01-11", "2027-03-20"]);

        // UTF-8 with a BOM through the API: the 2028 list is new.
        let mut utf8 = b"\xEF\xBB\xBF".to_vec();
        utf8.extend_from_slice("国民の祝日・休日月日,国民の祝日・休日名称\n2028/1/1,元日\n2028/1/10,成人の日\n".as_bytes());
        let imported = admin.post_bytes("/api/v1/calendar/holidays/import", utf8).await;
        assert_eq!(imported.status().as_u16(), 200);
        let counts: Value = imported.json().await.unwrap();
        assert_eq!(counts, json!({"added": 2, "renamed": 0, "removed": 0, "unchanged": 0}));

        // A file with a bad line names it and changes nothing.
        let broken = cabinet_office_csv(&[("2029/1/1", "元日"), ("2029/2/30", "存在しない日")]);
        let refused = admin.post_bytes("/api/v1/calendar/holidays/import", broken.clone()).await;
        let error = assert_api_error(refused, 422, "validation_failed").await;
        assert!(error["fields"][0]["message"].as_str().unwrap().contains("3行目"), "{error}");
        let page = admin.post_multipart("/admin/calendar/import", &[], Some(("syukujitsu.csv", &broken))).await;
        assert_eq!(page.status().as_u16(), 422);
        let year: Value = admin.json("/api/v1/calendar/holidays?year=2029").await;
        assert!(year["days"].as_array().unwrap().is_empty());
        let (_, member) = server.web_as("giin.sato", Role::User).await;
        assert_api_error(member.post_bytes("/api/v1/calendar/holidays/import", list).await, 403, "forbidden").await;
        server.stop().await;
    }
);

backend_test!(
    async fn the_fiscal_year_is_named_in_the_users_style(backend) {
        let server = TestServer::start(backend).await;
        let (_, member) = server.web_as("giin.sato", Role::User).await;
        let fy: Value = member.json("/api/v1/calendar/fiscal-year?name=R8年度").await;
        assert_eq!(fy, json!({"year": 2026, "start": "2026-04-01", "end": "2027-03-31", "label": "令和8年度"}));
        let fy: Value = member.json("/api/v1/calendar/fiscal-year?date=2019-04-30").await;
        assert_eq!((fy["year"].as_i64(), fy["label"].as_str()), (Some(2019), Some("令和元年度")));
        let fy: Value = member.json("/api/v1/calendar/fiscal-year?date=2027-03-31").await;
        assert_eq!(fy["year"], 2026);
        // Those who chose the Western calendar read 2026年度.
        let saved = member.post_form("/preferences", &[("lang", "ja"), ("date_style", "gregorian")]).await;
        assert!(saved.status().is_redirection(), "{}", saved.status());
        let fy: Value = member.json("/api/v1/calendar/fiscal-year?name=令和8年度").await;
        assert_eq!(fy["label"], "2026年度");
        let bad = member.get("/api/v1/calendar/fiscal-year?name=平成32年度").await;
        assert_api_error(bad, 422, "validation_failed").await;
        server.stop().await;
    }
);
