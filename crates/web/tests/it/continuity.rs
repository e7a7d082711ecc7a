//! Continuity (issue 18 item 7) through real HTTP on both backends: the five default
//! services; services added with recovery times as people write them, a bad one refused
//! in Japanese writing nothing; an asset linked; the roster with training status from a
//! real drill session; a drill's record with a scenario of the published response plan
//! and a finding that becomes a corrective action linked back; who may read and edit.

use mamori_domain::user::{Role, UserType};
use mamori_testkit::fixtures_policies::{ciso, published_response_plan};
use mamori_testkit::fixtures_risks::asset;
use mamori_testkit::{TestServer, Web, assert_api_error, backend_test, location};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn year() -> String {
    mamori_domain::calendar::FiscalYear::of(mamori_app::today())
        .year()
        .to_string()
}

async fn count(server: &TestServer, sql: &str) -> i64 {
    server.db.number(sql).await
}

fn id_in(response: &reqwest::Response, prefix: &str) -> i64 {
    location(response)
        .trim_start_matches(prefix)
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn service_named<'a>(overview: &'a Value, name: &str) -> &'a Value {
    overview["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name_ja"] == name)
        .unwrap_or_else(|| panic!("{name} in {overview}"))
}

backend_test!(
    async fn services_are_kept_with_recovery_times_as_written(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;

        // The five defaults, in Japanese and English.
        let overview = officer.json("/api/v1/continuity").await;
        assert_eq!(overview["services"].as_array().unwrap().len(), 5, "{overview}");
        let minutes = service_named(&overview, "会議録の作成").await;
        assert_eq!(minutes["name_en"], "Preparing the minutes");
        assert_eq!(minutes["rto_hours"], 168);
        assert!(minutes["warnings"].as_array().unwrap().contains(&json!("no_alternate")));
        let page = officer.page("/continuity", 200).await;
        assert!(page.contains("本会議・委員会の運営"), "{page}");
        assert!(page.contains("代替要員が決まっていない重要業務が5件あります"));
        let home = officer.page("/", 200).await;
        assert!(home.contains("代替要員が決まっていない重要業務が5件あります"), "{home}");

        // A recovery time that cannot be read: 422 in Japanese, nothing written.
        let before = count(&server, "SELECT COUNT(*) FROM continuity_services").await;
        let refused = officer
            .post_form(
                "/continuity/services/new",
                &[("name", "委員会資料の配付"), ("priority", "6"), ("rto", "なるべく早く")],
            )
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let text = refused.text().await.unwrap();
        assert!(text.contains("目標復旧時間は「4時間」「1日」「3日以内」「半日」"), "{text}");
        let refused = officer
            .post_json(
                "/api/v1/continuity/services",
                &json!({"name": "x", "priority": "1", "rto": "someday"}),
            )
            .await;
        assert_api_error(refused, 422, "validation_failed").await;
        assert_eq!(
            count(&server, "SELECT COUNT(*) FROM continuity_services").await,
            before
        );

        // 半日 from the page, with an asset it depends on; ３日以内 through the API.
        let tablet = asset(&officer, "議員用タブレット").await;
        let added = officer
            .post_form(
                "/continuity/services/new",
                &[("name", "委員会資料の配付"), ("priority", "6"), ("rto", "半日"),
                  ("workarounds", "紙で配付する\nファクスで送る"),
                  ("assets", &tablet.to_string())],
            )
            .await;
        let id = id_in(&added, "/continuity/services/");
        let shown = officer.page(&format!("/continuity/services/{id}"), 200).await;
        assert!(shown.contains("12時間"), "{shown}");
        assert!(shown.contains("議員用タブレット"));
        let api = officer.json(&format!("/api/v1/continuity/services/{id}")).await;
        assert_eq!(api["rto_hours"], 12);
        assert_eq!(api["rto_text"], "半日");
        assert_eq!(api["asset_ids"], json!([tablet]));
        assert_eq!(api["name_en"], "委員会資料の配付", "kept as written");
        assert_eq!(api["workarounds_ja"], json!(["紙で配付する", "ファクスで送る"]));
        let posted = officer
            .post_json(
                "/api/v1/continuity/services",
                &json!({"name": "政務活動費の受付", "priority": "7", "rto": "３日以内"}),
            )
            .await;
        assert_eq!(posted.status(), StatusCode::CREATED);
        let posted: Value = posted.json().await.unwrap();
        assert_eq!(posted["rto_hours"], 72);

        // An edit of a default service from the Japanese page keeps its English words
        // where the Japanese were not changed.
        let broadcast = service_named(&overview, "議会中継").await["id"].as_i64().unwrap();
        let edited = officer
            .send_json(
                reqwest::Method::PUT,
                &format!("/api/v1/continuity/services/{broadcast}"),
                &json!({"name": "議会中継", "priority": "5", "rto": "1日",
                        "description": "本会議のインターネット中継・録画配信",
                        "workarounds": "中継できないことをホームページで知らせる\n録画を後日配信する\n傍聴席を開放する"}),
            )
            .await;
        assert_eq!(edited.status(), StatusCode::OK);
        let edited: Value = edited.json().await.unwrap();
        assert_eq!(edited["rto_hours"], 24);
        assert_eq!(edited["name_en"], "Broadcasting sittings");
        assert_eq!(
            count(
                &server,
                "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'continuity.service_%'"
            )
            .await,
            3
        );
        server.stop().await;
    }
);

async fn drill_session(officer: &Web<'_>) -> i64 {
    let course = officer
        .post_json(
            "/api/v1/training/courses",
            &json!({"fiscal_year": year(), "kind": "drill", "title": "緊急時対応訓練（停電）"}),
        )
        .await;
    assert_eq!(course.status(), StatusCode::CREATED);
    let course = course.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let session = officer
        .post_json(
            &format!("/api/v1/training/courses/{course}/sessions"),
            &json!({"held_on": mamori_app::date_text(mamori_app::today()),
                    "starts_at": "10:00", "ends_at": "11:00", "place": "議会事務局",
                    "audience": "everyone"}),
        )
        .await;
    assert_eq!(session.status(), StatusCode::CREATED);
    session.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
}

backend_test!(
    async fn the_roster_shows_training_and_a_drill_becomes_findings(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let (_, gicho) = ciso(&server, "gicho").await;
        let (sato, staff) = server.web_as("jimu.sato", Role::User).await;
        let (_, _) = server.web_as("jimu.suzuki", Role::User).await;
        let (_, auditor) = server.web_as("kansa", Role::Auditor).await;
        server
            .add_account("giin.ito", Role::User, UserType::Member, false)
            .await;
        let member = Web {
            server: &server,
            client: server.sign_in("giin.ito").await,
        };
        let plan = published_response_plan(&officer, &gicho).await;
        let _ = plan;

        // A drill held today; sato attended.
        let session = drill_session(&officer).await;
        let marked = officer
            .post_form(
                &format!("/training/sessions/{session}/attendance"),
                &[("mark:jimu.sato", "present")],
            )
            .await;
        assert_eq!(marked.status(), StatusCode::SEE_OTHER);

        // The roster: contacting members is covered by sato then suzuki.
        let overview = officer.json("/api/v1/continuity").await;
        let contact = service_named(&overview, "議員への連絡").await["id"].as_i64().unwrap();
        let covered = format!("user:{}", server.add_user("jimu.kato", Role::User).await);
        let refused = officer
            .post_form(
                "/continuity/roster",
                &[("covered", &covered), ("service", &contact.to_string()),
                  ("alternate_1", "jimu.sato"), ("alternate_2", "jimu.sato")],
            )
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().await.unwrap().contains("同じ人を2回選んでいます"));
        assert_eq!(count(&server, "SELECT COUNT(*) FROM continuity_covers").await, 0);
        let added = officer
            .post_form(
                "/continuity/roster",
                &[("covered", &covered), ("service", &contact.to_string()),
                  ("alternate_1", "jimu.sato"), ("alternate_2", "jimu.suzuki"),
                  ("note", "平日昼間は佐藤")],
            )
            .await;
        assert_eq!(location(&added), "/continuity?saved=cover");
        let roster = officer.json("/api/v1/continuity/roster").await;
        let alternates = roster[0]["alternates"].as_array().unwrap();
        assert_eq!(alternates[0]["login"], "jimu.sato");
        assert_eq!(alternates[0]["drilled"], true, "{roster}");
        assert_eq!(alternates[1]["drilled"], false);
        let overview = officer.json("/api/v1/continuity").await;
        let contact_row = service_named(&overview, "議員への連絡").await;
        assert!(contact_row["warnings"].as_array().unwrap().is_empty(), "{contact_row}");
        let page = staff.page("/continuity", 200).await;
        assert!(page.contains("訓練参加済み"), "{page}");
        assert!(page.contains("代替要員が決まっていない重要業務が4件あります"));

        // The drill's record: a scenario of the published plan and the service it tried.
        let drill = officer.json(&format!("/api/v1/continuity/drills/{session}")).await;
        let scenario = drill["scenarios"][4]["id"].as_i64().unwrap();
        let bad = officer
            .send_json(
                reqwest::Method::PUT,
                &format!("/api/v1/continuity/drills/{session}"),
                &json!({"scenario_id": 999_999, "service_ids": [contact]}),
            )
            .await;
        assert_api_error(bad, 422, "validation_failed").await;
        let saved = officer
            .post_form(
                &format!("/continuity/drills/{session}"),
                &[("scenario_id", &scenario.to_string()), ("services", &contact.to_string()),
                  ("went_well", "連絡網で30分以内に全議員に連絡できた"),
                  ("went_badly", "代替会場の鍵の場所が分からなかった")],
            )
            .await;
        assert_eq!(location(&saved), format!("/training/sessions/{session}?saved=drill"));
        let finding = officer
            .post_json(
                &format!("/api/v1/continuity/drills/{session}/findings"),
                &json!({"title": "代替会場の鍵の保管場所を決める", "owner": format!("user:{sato}"),
                        "due_on": mamori_app::date_text(mamori_app::today() + time::Duration::days(30))}),
            )
            .await;
        assert_eq!(finding.status(), StatusCode::CREATED);
        let action = finding.json::<Value>().await.unwrap()["action_id"].as_i64().unwrap();
        let action_json = officer.json(&format!("/api/v1/actions/{action}")).await;
        assert_eq!(
            action_json["source"],
            format!("training_session:{session}"),
            "{action_json}"
        );
        let page = officer.page(&format!("/training/sessions/{session}"), 200).await;
        assert!(page.contains("代替会場の鍵の保管場所を決める"), "{page}");
        assert!(page.contains("連絡網で30分以内に全議員に連絡できた"));
        let overview = officer.json(&format!("/api/v1/continuity?year={}", year())).await;
        assert_eq!(overview["drills"][0]["findings"], 1, "{overview}");
        assert_eq!(overview["drills"][0]["scenario_id"], scenario);
        officer.page(&format!("/continuity?year={}", year()), 200).await;
        officer.page("/continuity/print", 200).await;

        // A member does not see the plan; the auditor reads it and cannot change it.
        member.page("/continuity", 403).await;
        assert_api_error(member.send_json(reqwest::Method::GET, "/api/v1/continuity", &json!({})).await, 403, "forbidden").await;
        let home = member.page("/", 200).await;
        assert!(!home.contains("href=\"/continuity\""));
        auditor.page("/continuity", 200).await;
        auditor.page("/continuity/roster", 200).await;
        let denied = auditor
            .post_json(
                "/api/v1/continuity/services",
                &json!({"name": "x", "priority": "1", "rto": "1日"}),
            )
            .await;
        assert_api_error(denied, 403, "forbidden").await;
        let denied = auditor
            .post_form(&format!("/continuity/drills/{session}"), &[("went_well", "x")])
            .await;
        assert_eq!(denied.status(), StatusCode::FORBIDDEN);
        // Staff read the workarounds but do not keep the plan.
        staff.page("/continuity/roster", 200).await;
        let denied = staff
            .post_form(
                "/continuity/roster",
                &[("covered", &covered), ("alternate_1", "jimu.suzuki")],
            )
            .await;
        assert_eq!(denied.status(), StatusCode::FORBIDDEN);

        // Removing an entry is audited.
        let cover = roster[0]["id"].as_i64().unwrap();
        let removed = officer
            .send_json(
                reqwest::Method::DELETE,
                &format!("/api/v1/continuity/roster/{cover}"),
                &json!({}),
            )
            .await;
        assert_eq!(removed.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            count(
                &server,
                "SELECT COUNT(*) FROM audit_log WHERE action IN ('continuity.cover_add', \
                 'continuity.cover_remove', 'continuity.drill_save')"
            )
            .await,
            3
        );
        server.stop().await;
    }
);
