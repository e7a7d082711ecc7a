//! Incidents (issue 18 items 1, 2 and 5) through real HTTP on both backends: a member
//! reports from the page and the security officer and the CSIRT are told at once; staff
//! enter a report taken by phone; triage, stages, notes, closing and reopening on an
//! append-only timeline; who sees what (the reporter their own progress only, nobody
//! else anything, a contractor once shared); bad input refused in Japanese writing
//! nothing.

use mamori_domain::user::{OrgRole, Role, UserType};
use mamori_testkit::fixtures_policies::give_posts;
use mamori_testkit::{TestServer, Web, assert_api_error, backend_test, location};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn count(server: &TestServer, sql: &str) -> i64 {
    server.db.number(sql).await
}

async fn person<'a>(
    server: &'a TestServer,
    login: &str,
    role: Role,
    kind: UserType,
) -> (i64, Web<'a>) {
    let id = server.add_account(login, role, kind, false).await;
    (
        id,
        Web {
            server,
            client: server.sign_in(login).await,
        },
    )
}

backend_test!(
    async fn a_member_reports_and_the_csirt_handles_it_to_the_end(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let (csirt_id, csirt) = person(&server, "csirt.ito", Role::User, UserType::Staff).await;
        give_posts(&server, csirt_id, &[OrgRole::CsirtMember]).await;
        let (member_id, member) = person(&server, "giin.sato", Role::User, UserType::Member).await;
        let (_, other) = person(&server, "giin.suzuki", Role::User, UserType::Member).await;
        let (_, auditor) = server.web_as("kansa", Role::Auditor).await;
        let (_, contractor) = server.web_as("hoshu.yamada", Role::Contractor).await;

        // A time in the future is refused in Japanese, and nothing is written.
        let refused = member
            .post_form(
                "/incidents/new",
                &[("title", "タブレットの紛失"), ("description", "電車に置き忘れた"),
                  ("noticed_at", "2099-01-01 10:00"), ("personal", "unknown")],
            )
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().await.unwrap().contains("気づいた日時が未来になっています"));
        assert_eq!(count(&server, "SELECT COUNT(*) FROM incidents").await, 0);

        // The member reports from the page; the officer and the CSIRT are told, urgently.
        let reported = member
            .post_form(
                "/incidents/new",
                &[("title", "議員用タブレットの紛失"),
                  ("description", "帰宅途中の電車内にタブレットを置き忘れました。"),
                  ("noticed_at", "令和8年12月1日 19時40分"), ("place", "しなの鉄道の車内"),
                  ("personal", "不明"), ("contact", "090-1234-5678")],
            )
            .await;
        assert_eq!(reported.status(), StatusCode::SEE_OTHER);
        let id: i64 = location(&reported)
            .trim_start_matches("/incidents/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let api = format!("/api/v1/incidents/{id}");
        let told = count(
            &server,
            "SELECT COUNT(*) FROM notifications WHERE kind = 'incident' AND urgent = 1",
        )
        .await;
        assert_eq!(told, 2, "the officer and the CSIRT member");
        for web in [&member, &officer] {
            let home = web.page("/", 200).await;
            assert!(home.contains("対応中のインシデント") && home.contains("議員用タブレットの紛失"));
        }
        assert!(!other.page("/", 200).await.contains("議員用タブレットの紛失"));
        let mine = member.json(&api).await;
        let year = mamori_domain::calendar::FiscalYear::of(mamori_app::today()).year();
        assert_eq!(mine["number"], format!("{year}-001"));
        assert_eq!((mine["view"].as_str(), mine["stage"].as_str()), (Some("own"), Some("reported")));
        assert_eq!(mine["timeline"], json!([]));
        assert_eq!(mine["noticed_at"], "2026-12-01T10:40:00Z");

        // Nobody else learns of it; the auditor sees it all; a contractor is refused.
        other.page(&format!("/incidents/{id}"), 404).await;
        assert_eq!(other.json("/api/v1/incidents").await["total"], 0);
        assert_eq!(auditor.json(&api).await["view"], "full");
        contractor.page(&format!("/incidents/{id}"), 403).await;

        // Staff enter a report taken by phone; a member may not report for others.
        let (_, staff) = person(&server, "jimu.kato", Role::User, UserType::Staff).await;
        let body = json!({"title": "不審なメール", "description": "添付ファイルを開いた",
            "noticed_at": "2026-12-02", "reporter": "giin.suzuki"});
        let phoned = staff.post_json("/api/v1/incidents", &body).await;
        assert_eq!(phoned.status(), StatusCode::CREATED);
        let phoned: Value = phoned.json().await.unwrap();
        assert_eq!((phoned["reporter"].as_str(), phoned["entered_by"].as_str()),
            (Some("giin.suzuki"), Some("jimu.kato")));
        assert_eq!(other.json("/api/v1/incidents").await["total"], 1);
        let response = member.post_json("/api/v1/incidents", &body).await;
        let error = assert_api_error(response, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "reporter");

        // Triage by the CSIRT member: a bad severity changes nothing; then the real one.
        let threats = officer.json("/api/v1/threats").await;
        let threat = threats["items"][0]["id"].as_i64().unwrap();
        let triage = format!("{api}/triage");
        let response = csirt
            .send_json(reqwest::Method::PUT, &triage, &json!({"severity": "extreme"}))
            .await;
        assert_api_error(response, 422, "validation_failed").await;
        let response = member
            .send_json(reqwest::Method::PUT, &triage, &json!({"severity": "high"}))
            .await;
        assert_api_error(response, 403, "forbidden").await;
        let response = csirt
            .send_json(
                reqwest::Method::PUT,
                &triage,
                &json!({"severity": "high", "threat_id": threat, "personal": "はい",
                        "people": "１２０人", "owner": "csirt.ito"}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let full: Value = response.json().await.unwrap();
        assert_eq!((full["severity"].as_str(), full["people"].as_i64()), (Some("high"), Some(120)));
        let kinds: Vec<&str> = full["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["reported", "severity", "category", "personal", "personal", "owner"]);
        let response = csirt
            .send_json(reqwest::Method::PUT, &format!("{api}/stage"), &json!({"stage": "investigation"}))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let response = csirt
            .send_json(reqwest::Method::PUT, &format!("{api}/stage"), &json!({"stage": "closed"}))
            .await;
        assert_api_error(response, 422, "validation_failed").await;
        let response = csirt.post_json(&format!("{api}/notes"), &json!({"text": "  "})).await;
        assert_api_error(response, 422, "validation_failed").await;
        let noted = csirt
            .post_form(&format!("/incidents/{id}/notes"), &[("text", "遠隔ロックを実施した。")])
            .await;
        assert_eq!(noted.status(), StatusCode::SEE_OTHER);

        // The reporter follows the stage, never the timeline.
        let mine = member.json(&api).await;
        assert_eq!((mine["stage"].as_str(), mine["severity"].is_null()), (Some("investigation"), true));
        let page = member.page(&format!("/incidents/{id}"), 200).await;
        assert!(page.contains("影響調査") && !page.contains("遠隔ロック"), "{page}");

        // Closing needs the cause; closed, it takes no triage; reopening needs a reason.
        let response = csirt
            .post_json(&format!("{api}/close"), &json!({"summary": "翌日発見", "cause": ""}))
            .await;
        assert_api_error(response, 422, "validation_failed").await;
        let response = csirt
            .post_json(&format!("{api}/close"),
                &json!({"summary": "翌日発見され、不正な利用はなかった。", "cause": "車内への置き忘れ"}))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let response = csirt
            .send_json(reqwest::Method::PUT, &triage, &json!({"severity": "low"}))
            .await;
        assert_api_error(response, 409, "invalid_state").await;
        let response = csirt.post_json(&format!("{api}/reopen"), &json!({"reason": ""})).await;
        assert_api_error(response, 422, "validation_failed").await;
        let response = csirt
            .post_json(&format!("{api}/reopen"), &json!({"reason": "同じ端末から不審な通信"}))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let reopened: Value = response.json().await.unwrap();
        assert_eq!(reopened["stage"], "first_response");

        // Shared with the contractor's engineer, who then sees it all (and nothing else).
        let response = officer
            .post_json(&format!("{api}/shares"), &json!({"login": "hoshu.yamada"}))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let response = officer
            .post_json(&format!("{api}/shares"), &json!({"login": "hoshu.yamada"}))
            .await;
        assert_api_error(response, 422, "validation_failed").await;
        let response = officer
            .post_json(&format!("{api}/shares"), &json!({"login": "nobody.here"}))
            .await;
        let error = assert_api_error(response, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "login");
        assert_eq!(contractor.json(&api).await["view"], "full");
        // Shared with the reporter too, the report shows them everything, in the list too.
        let response = officer
            .post_json(&format!("{api}/shares"), &json!({"login": "giin.sato"}))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let listed = member.json("/api/v1/incidents").await;
        let row = listed["items"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap();
        assert_eq!(row["view"], "full");
        let second = phoned["id"].as_i64().unwrap();
        contractor.page(&format!("/incidents/{second}"), 403).await;

        // A lost asset starts a report from its page, with the asset linked.
        let usb = mamori_testkit::fixtures_assets::asset(&server, "USBメモリ", ["2", "2", "2"], Some(member_id))
            .await
            .id;
        let asset_page = member.page(&format!("/assets/{usb}"), 200).await;
        let start = format!("/incidents/new?asset={usb}");
        assert!(asset_page.contains(&start), "{asset_page}");
        let form = member.page(&start, 200).await;
        assert!(form.contains("情報資産「USBメモリ」に結び付けられます"), "{form}");
        let lost = member
            .post_form(
                "/incidents/new",
                &[("title", "USBメモリの紛失"), ("description", "見当たりません"),
                  ("noticed_at", "2026-12-03"), ("asset", &usb.to_string())],
            )
            .await;
        assert_eq!(lost.status(), StatusCode::SEE_OTHER);
        let lost_id = location(&lost).trim_start_matches("/incidents/").split('?').next().unwrap().to_owned();
        assert_eq!(member.json(&format!("/api/v1/incidents/{lost_id}")).await["asset_id"], usb);

        // The timeline is append-only in the database itself.
        for sql in ["UPDATE incident_entries SET text = 'x'", "DELETE FROM incident_entries"] {
            assert!(server.db.try_execute(sql).await.is_err(), "{sql}");
        }
        assert_eq!(
            count(&server, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'incident.%'").await,
            10
        );
        server.stop().await;
    }
);
