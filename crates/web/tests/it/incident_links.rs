//! Incidents' links, lessons and figures (issue 18 items 4 and 8) through real HTTP on
//! both backends: an incident linked to an asset, a threat and a risk; a risk asked to
//! be reassessed (once at a time, answered by the reassessment); a new risk opened from
//! the incident and linked in the same write; lessons as corrective actions; the list
//! filtered and searched in Japanese a page at a time; the year's figures and export
//! (personal information only when asked for, and audited); nobody else sees any of it.

use std::io::Read;

use mamori_domain::user::{OrgRole, Role, UserType};
use mamori_testkit::fixtures_policies::give_posts;
use mamori_testkit::fixtures_risks::{asset, risk, threat_id};
use mamori_testkit::{TestServer, Web, assert_api_error, backend_test};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn person<'a>(server: &'a TestServer, login: &str, kind: UserType) -> (i64, Web<'a>) {
    let id = server.add_account(login, Role::User, kind, false).await;
    (
        id,
        Web {
            server,
            client: server.sign_in(login).await,
        },
    )
}

/// Reports an incident through the API as `web`; its id.
async fn report(web: &Web<'_>, title: &str, description: &str, noticed: &str) -> i64 {
    let response = web
        .post_json(
            "/api/v1/incidents",
            &json!({"title": title, "description": description, "noticed_at": noticed,
                "personal": "yes", "contact": "内線123"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    body["id"].as_i64().unwrap()
}

/// The text of every cell of a workbook's sheets.
fn workbook_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut all = String::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        if file.name().unwrap().ends_with(".xml") {
            file.read_to_string(&mut all).unwrap();
        }
    }
    all
}

backend_test!(
    async fn an_incident_is_linked_teaches_lessons_and_asks_for_a_reassessment(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let (csirt_id, csirt) = person(&server, "csirt.ito", UserType::Staff).await;
        give_posts(&server, csirt_id, &[OrgRole::CsirtMember]).await;
        let (_, member) = person(&server, "giin.sato", UserType::Member).await;
        let tablet = asset(&officer, "議員用タブレット（12号機）").await;
        let threat = threat_id(&server, "不正アクセス").await;
        let lost = risk(&officer, "タブレット紛失による情報漏えい", threat, tablet).await;
        let id = report(&member, "タブレットの紛失", "電車に置き忘れた", "2026-12-01").await;
        let page = format!("/incidents/{id}");
        let api = format!("/api/v1/incidents/{id}");

        // The CSIRT member links the asset (by its number as typed) and the threat; a
        // risk is beyond them (they do not read the risk register).
        let typed = format!("＃{}", tablet).replace('＃', "#");
        let linked = csirt
            .post_form(&format!("{page}/links"), &[("kind", "asset"), ("target", &typed)])
            .await;
        assert_eq!(linked.status(), StatusCode::SEE_OTHER);
        let threat_text = threat.to_string();
        let response = csirt
            .post_json(&format!("{api}/links"), &json!({"kind": "threat", "target": threat_text}))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let response = csirt
            .post_json(&format!("{api}/links"), &json!({"kind": "risk", "target": lost.to_string()}))
            .await;
        let error = assert_api_error(response, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "target");
        // Twice is refused; an unknown number is refused in Japanese; nothing is written.
        let again = csirt
            .post_form(&format!("{page}/links"), &[("kind", "asset"), ("target", &tablet.to_string())])
            .await;
        assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.text().await.unwrap().contains("すでに関連付けています"));
        let unknown = csirt
            .post_form(&format!("{page}/links"), &[("kind", "asset"), ("target", "99999")])
            .await;
        assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(unknown.text().await.unwrap().contains("その番号の記録は見つかりません"));
        assert_eq!(server.db.number("SELECT COUNT(*) FROM incident_links").await, 2);

        // The officer links the risk and asks for its reassessment; a second request
        // waits for the first; the risk page and the officer are told.
        let response = officer
            .post_json(&format!("{api}/links"), &json!({"kind": "risk", "target": lost.to_string()}))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let ask = json!({"risk": lost.to_string(), "reason": "同じ手口の紛失が続いたため"});
        let response = csirt.post_json(&format!("{api}/reassessments"), &ask).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let response = csirt.post_json(&format!("{api}/reassessments"), &ask).await;
        let error = assert_api_error(response, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "reason");
        let told = server
            .db
            .number("SELECT COUNT(*) FROM notifications WHERE kind = 'risk_reassessment'")
            .await;
        assert_eq!(told, 1);
        let risk_page = officer.page(&format!("/risks/{lost}"), 200).await;
        assert!(risk_page.contains("関連するインシデント") && risk_page.contains("再評価を依頼"));
        let links = csirt.json(&format!("{api}/links")).await;
        let kinds: Vec<&str> = links.as_array().unwrap().iter().map(|l| l["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["asset", "risk", "threat"]);
        let risk_link = &links[1];
        assert_eq!((risk_link["name"].clone(), risk_link["reassessed"].clone()), (Value::Null, json!(false)),
            "the CSIRT member may not see the risk's title");
        assert_eq!(officer.json(&format!("{api}/links")).await[1]["name"], "タブレット紛失による情報漏えい");

        // The reassessment answers the request.
        let edit = officer.page(&format!("/risks/{lost}/edit"), 200).await;
        assert!(edit.contains("タブレット紛失による情報漏えい"));
        let threat_s = threat.to_string();
        let tablet_s = tablet.to_string();
        let reassessed = officer
            .post_form(&format!("/risks/{lost}"), &[("title", "タブレット紛失による情報漏えい"),
                ("threat", &threat_s), ("asset_ids", &tablet_s), ("asset_ids_text", ""),
                ("asset_group", ""), ("existing_measures", "画面ロック、遠隔消去"),
                ("inherent_likelihood", "2"), ("inherent_impact", "2"), ("treatment", "reduce"),
                ("residual_likelihood", "1"), ("residual_impact", "2"), ("owner", ""),
                ("review_due", "令和9年3月31日")])
            .await;
        assert_eq!(reassessed.status(), StatusCode::SEE_OTHER);
        assert_eq!(officer.json(&format!("{api}/links")).await[1]["reassessed"], true);

        // A new risk opened from the incident starts from it and is linked in one write.
        let form = officer.page(&format!("/risks/new?incident={id}"), 200).await;
        assert!(form.contains("インシデントから登録します") && form.contains("タブレットの紛失"));
        let opened = officer
            .post_json("/api/v1/risks", &json!({"title": "置き忘れによる会議資料の漏えい",
                "threat_id": threat, "asset_ids": [tablet], "likelihood": 0, "impact": 0,
                "incident_id": id}))
            .await;
        assert_eq!(opened.status(), StatusCode::CREATED);
        let links = officer.json(&format!("{api}/links")).await;
        assert_eq!(links.as_array().unwrap().len(), 4);
        // Only one who registers risks opens one.
        let refused = csirt
            .post_json("/api/v1/risks", &json!({"title": "x", "threat_id": threat,
                "likelihood": 0, "impact": 0, "asset_group": "全台", "incident_id": id}))
            .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);

        // Lessons: corrective actions with the incident as source, on the page and API.
        let lesson = csirt
            .post_form(&format!("{page}/lessons"), &[("lesson_title", "持出し手順の見直し"),
                ("lesson_owner", "post:system_staff"), ("lesson_due_days", "20"),
                ("lesson_due_kind", "working")])
            .await;
        assert_eq!(lesson.status(), StatusCode::SEE_OTHER);
        let bad = csirt
            .post_form(&format!("{page}/lessons"), &[("lesson_title", ""),
                ("lesson_owner", ""), ("lesson_due_days", "")])
            .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let response = csirt
            .post_json(&format!("{api}/lessons"), &json!({"title": "画面ロックを5分に統一",
                "owner": "post:system_staff", "due_days": 10, "due_kind": "calendar"}))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let lessons: Value = response.json().await.unwrap();
        assert_eq!(lessons.as_array().unwrap().len(), 2);
        assert_eq!(lessons[0]["source"], format!("incident:{id}"));
        let shown = csirt.page(&page, 200).await;
        assert!(shown.contains("持出し手順の見直し") && shown.contains("議員用タブレット（12号機）"));
        let timeline = officer.json(&api).await["timeline"].clone();
        let kinds: Vec<&str> = timeline.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        for kind in ["linked", "reassessment", "lesson"] {
            assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
        }

        // The reporter sees none of it; the asset page names the incident only to those
        // who see every incident.
        assert!(!member.page(&page, 200).await.contains("持出し手順の見直し"));
        member.page(&format!("{api}/links"), 404).await;
        member.page(&format!("{api}/lessons"), 404).await;
        assert!(officer.page(&format!("/assets/{tablet}"), 200).await.contains("タブレットの紛失"));
        assert!(!member.page(&format!("/assets/{tablet}"), 200).await.contains("関連するインシデント"));

        // Unlinking the asset; a second time finds nothing.
        let body = json!({"kind": "asset", "target": tablet.to_string()});
        let response = csirt.post_json(&format!("{api}/links/remove"), &body).await;
        assert_eq!(response.status(), StatusCode::OK);
        let response = csirt.post_json(&format!("{api}/links/remove"), &body).await;
        assert_api_error(response, 422, "validation_failed").await;
        // A risk that is not linked cannot be asked about; a closed incident takes no
        // more lessons.
        let response = csirt
            .post_json(&format!("{api}/reassessments"), &json!({"risk": "99999", "reason": "x"}))
            .await;
        let error = assert_api_error(response, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "target");
        let closed = csirt
            .post_json(&format!("{api}/close"), &json!({"summary": "発見された", "cause": "置き忘れ"}))
            .await;
        assert_eq!(closed.status(), StatusCode::OK);
        let response = csirt
            .post_json(&format!("{api}/lessons"), &json!({"title": "遅すぎる教訓",
                "owner": "post:system_staff", "due_days": 10, "due_kind": "calendar"}))
            .await;
        assert_api_error(response, 409, "invalid_state").await;
        assert_eq!(csirt.json(&format!("{api}/lessons")).await.as_array().unwrap().len(), 2);
        // Every change is in the audit trail.
        for action in ["incident.link", "incident.unlink", "incident.reassessment", "incident.lesson"] {
            let n = server
                .db
                .number(&format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"))
                .await;
            assert!(n >= 1, "{action}");
        }
    }
);

backend_test!(
    async fn the_list_searches_pages_and_counts_the_year(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let (_, member) = person(&server, "giin.sato", UserType::Member).await;
        let (_, other) = person(&server, "giin.suzuki", UserType::Member).await;
        let (_, auditor) = server.web_as("kansa", Role::Auditor).await;
        let first = report(&member, "ＵＳＢメモリの紛失", "議事録の写しを入れていた", "2026-05-01").await;
        report(&other, "不審なメールの添付ファイルを開いた", "請求書を装ったメール", "2026-06-01").await;
        for n in 0..3 {
            report(&officer, &format!("ネットワーク障害 {n}"), "庁舎の回線が止まった", "2026-07-01").await;
        }

        // Japanese search without spaces, half- and full-width alike; counted exactly.
        let found = officer.json("/api/v1/incidents?q=usbメモリ").await;
        assert_eq!(found["total"], 1);
        assert_eq!(found["items"][0]["id"], first);
        assert_eq!(officer.json("/api/v1/incidents?q=議事録").await["total"], 1);
        assert_eq!(officer.json("/api/v1/incidents?q=障害").await["total"], 3);
        assert_eq!(officer.json("/api/v1/incidents?q=存在しない言葉").await["total"], 0);
        // A page at a time, the total kept.
        let paged = officer.json("/api/v1/incidents?per_page=2&page=2").await;
        assert_eq!((paged["total"].as_i64(), paged["items"].as_array().unwrap().len()), (Some(5), 2));
        // Search and filters never widen what a person sees.
        assert_eq!(member.json("/api/v1/incidents?q=メール").await["total"], 0);
        assert_eq!(member.json("/api/v1/incidents?q=メモリ").await["total"], 1);
        let year = mamori_domain::calendar::FiscalYear::of(mamori_app::today()).year();
        assert_eq!(officer.json(&format!("/api/v1/incidents?year={year}&stage=open")).await["total"], 5);
        assert_eq!(officer.json("/api/v1/incidents?stage=closed").await["total"], 0);
        // A filter that cannot be read is refused, naming it.
        let response = officer.get("/api/v1/incidents?stage=someday").await;
        let error = assert_api_error(response, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "stage");
        officer.page("/incidents?year=いつか", 400).await;
        let listed = officer.page("/incidents?q=メール", 200).await;
        assert!(listed.contains("不審なメール") && !listed.contains("ネットワーク障害"));

        // The year's figures: for those who see every incident.
        let figures = auditor.json(&format!("/api/v1/incidents/figures?year={year}")).await;
        assert_eq!(figures["total"], 5);
        assert_eq!(figures["personal"], 5);
        let unset = figures["by_family"].as_array().unwrap().last().unwrap().clone();
        assert_eq!((unset["code"].clone(), unset["count"].clone()), (Value::Null, json!(5)));
        member.page("/api/v1/incidents/figures", 403).await;
        let page = officer.page("/incidents/figures", 200).await;
        assert!(page.contains("インシデントの年度集計") && page.contains("初動までの時間"));

        // The export leaves personal information out unless asked for, and says which.
        let plain = officer.get(&format!("/api/v1/incidents/export?year={year}")).await;
        assert_eq!(plain.status(), StatusCode::OK);
        let text = workbook_text(&plain.bytes().await.unwrap());
        assert!(text.contains("ＵＳＢメモリの紛失") && !text.contains("内線123"));
        let full = officer.get("/incidents/figures.xlsx?personal=1").await;
        assert_eq!(full.status(), StatusCode::OK);
        assert!(workbook_text(&full.bytes().await.unwrap()).contains("内線123"));
        let audited = server
            .db
            .number("SELECT COUNT(*) FROM audit_log WHERE action = 'incident.export'")
            .await;
        assert_eq!(audited, 2);
        member.page("/incidents/figures.xlsx", 403).await;
    }
);
