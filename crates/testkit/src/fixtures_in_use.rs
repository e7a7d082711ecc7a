//! One assembly in use, for tests that walk every page (layout at tablet width,
//! accessibility): the published seed policy, every kind of person, assets with several
//! holders (one with a name of the full 200 characters), risks naming assets, corrective
//! actions, a review, an exception and approvals waiting, closed accounts past their
//! retention period (one proposed for removal).

use mamori_domain::user::Role;
use serde_json::json;

use crate::{TestServer, fixtures_assets, fixtures_cycle, fixtures_policies, fixtures_risks};

/// The people of [`assembly_in_use`], each with [`crate::PASSWORD`]: one login per
/// role, the CISO post held by a member.
pub const PEOPLE: [(&str, Role); 6] = [
    ("kanri", Role::Admin),
    ("officer", Role::SecurityOfficer),
    ("giin", Role::User),
    ("gicho", Role::User),
    ("kansa", Role::Auditor),
    ("itaku", Role::Contractor),
];

/// The name of the asset whose name is as long as a name may be (200 characters).
pub fn long_asset_name() -> String {
    let words = "議会だより編集用の写真及び原稿データ（本会議・委員会・全員協議会・議会報告会）";
    let name: String = words
        .chars()
        .cycle()
        .take(mamori_domain::asset::MAX_NAME)
        .collect();
    assert_eq!(name.chars().count(), 200);
    name
}

/// Fills a fresh server with the records an assembly in its first year has.
pub async fn assembly_in_use(server: &TestServer) {
    // The officer and the CISO (gicho) who published it.
    let policy = fixtures_policies::published_seed(server).await;
    let gicho = id_of(server, "gicho").await;
    server.add_user("kanri", Role::Admin).await;
    let giin = crate::fixtures_words::add_member(server, "giin", Role::User).await;
    server.add_user("kansa", Role::Auditor).await;
    let itaku = server.add_user("itaku", Role::Contractor).await;
    let officer_id = id_of(server, "officer").await;
    crate::fixtures_start::name_organisation(server, "みどり市議会").await;

    let long =
        fixtures_assets::asset(server, &long_asset_name(), ["2", "2", "2"], Some(giin)).await;
    fixtures_assets::asset(server, "議員用タブレット端末", ["2", "2", "2"], Some(giin)).await;
    fixtures_assets::asset(server, "会議録の原稿", ["2", "2", "1"], Some(officer_id)).await;
    fixtures_assets::asset(
        server,
        "会議録検索システムの保守記録",
        ["2", "1", "1"],
        Some(itaku),
    )
    .await;
    fixtures_assets::classified_asset(server, "議員の個人番号を含む報酬支給資料", giin).await;
    fixtures_assets::asset(server, "傍聴者受付簿", ["3B", "2", "1"], None).await;

    let officer = server.web(&server.sign_in("officer").await);
    let threat = fixtures_risks::threat_id(server, "不正アクセス").await;
    let tablet = fixtures_risks::asset(&officer, "議会用ファイルサーバ").await;
    fixtures_risks::risk(
        &officer,
        "タブレット端末の紛失による情報漏えい",
        threat,
        tablet,
    )
    .await;
    fixtures_risks::risk(&officer, "議会だより原稿の誤送信", threat, long.id).await;

    fixtures_cycle::action_owned(
        &officer,
        "画面ロックの設定を全台で確認する",
        &format!("user:{giin}"),
        "2026-04-30",
    )
    .await;
    fixtures_cycle::action(
        &officer,
        json!({"title": "持出し記録簿の様式を改める", "owner": "post:chief_security_officer",
               "due_on": mamori_app::date_text(mamori_app::today() + time::Duration::days(30))}),
    )
    .await;

    let document = policy.document;
    let review = officer
        .post_json(
            &format!("/api/v1/policies/{document}/reviews"),
            &json!({"reviewed_on": mamori_app::date_text(mamori_app::today()), "trigger": "other",
                    "analysis": "運用状況に問題はない", "decision": "改定しない"}),
        )
        .await;
    assert_eq!(review.status().as_u16(), 201, "the review");

    let exception = officer
        .post_json(
            "/api/v1/exceptions",
            &json!({
                "waived_rule": "USBメモリ等の外部記録媒体は使用しない",
                "clause_ref": "6(4)",
                "scope": "議会中継システムの録画データ移送",
                "reason": "中継業者の機器がネットワーク接続に対応していないため",
                "measure": "暗号化USBを事務局で管理し、使用後に消去を確認する",
                "starts_on": mamori_app::date_text(mamori_app::today()),
                "expires_on": mamori_app::date_text(mamori_app::today() + time::Duration::days(60)),
            }),
        )
        .await;
    assert_eq!(exception.status().as_u16(), 201, "the exception");

    // An exception the CISO sent back: its sender revises it.
    let returned = officer
        .post_json(
            "/api/v1/exceptions",
            &json!({
                "waived_rule": "私物端末は業務に使用しない",
                "clause_ref": "6(3)",
                "scope": "委員会視察時の写真撮影",
                "reason": "公用カメラの台数が足りないため",
                "measure": "撮影後すぐに公用端末へ移し、私物端末から消去する",
                "starts_on": mamori_app::date_text(mamori_app::today() + time::Duration::days(7)),
                "expires_on": mamori_app::date_text(mamori_app::today() + time::Duration::days(30)),
            }),
        )
        .await;
    assert_eq!(returned.status().as_u16(), 201, "the second exception");
    let request = returned
        .json::<serde_json::Value>()
        .await
        .expect("exception")["pending_request"]
        .as_i64()
        .expect("its request");
    let ciso = server.web(&server.sign_in("gicho").await);
    let sent_back = ciso
        .post_json(
            &format!("/api/v1/approvals/{request}/decision"),
            &json!({"decision": "return", "reason": "撮影する場所を具体的に書いてください"}),
        )
        .await;
    assert_eq!(sent_back.status().as_u16(), 200, "sent back");

    // Evidence on an asset, and two frozen analyses of the register to compare.
    let file = officer
        .post_multipart(
            &format!("/api/v1/assets/{}/files", long.id),
            &[("purpose", "evidence")],
            Some(("点検記録.pdf", &crate::fixtures_files::pdf("tenken"))),
        )
        .await;
    assert_eq!(file.status().as_u16(), 201, "the file");
    for (title, on) in [
        ("令和8年度 第1回リスク分析", "令和8年4月1日"),
        ("令和8年度 第2回リスク分析", "令和8年10月1日"),
    ] {
        let frozen = officer
            .post_form("/risks/analyses", &[("title", title), ("analysed_on", on)])
            .await;
        assert_eq!(frozen.status().as_u16(), 303, "an analysis");
    }

    // Two accounts closed long ago, past their retention period: one proposed for the
    // removal of its personal information (a 決裁 waiting for the CISO), one not yet.
    let mut closed = Vec::new();
    for login in ["taishoku.yamada", "taishoku.kato"] {
        let id = server.add_user(login, Role::User).await;
        server
            .db
            .execute(&format!(
                "UPDATE users SET active = 0, closed_at = '2000-01-01T00:00:00Z' WHERE id = {id}"
            ))
            .await;
        closed.push(id);
    }
    let proposed = officer
        .post_json(
            "/api/v1/retention/redactions",
            &json!({"records": [{"kind": "account", "id": closed[0]}]}),
        )
        .await;
    assert_eq!(proposed.status().as_u16(), 201, "the proposed removal");

    // An amendment of the policy sent to the CISO by name: a 決裁 waiting for her.
    let draft = crate::fixtures_start::saved_draft(
        &officer,
        &fixtures_policies::seed().replace("基本方針", "基本方針（改定案）"),
    )
    .await;
    let sent = crate::fixtures_start::send_draft(
        &officer,
        &draft,
        &gicho.to_string(),
        "第4条を改めました",
    )
    .await;
    assert_eq!(sent.status().as_u16(), 303, "sent for 決裁");

    awareness_and_training(server, &officer).await;

    // The pledge (誓約書), one member's paper pledge kept with its scan.
    let pledge = fixtures_policies::published_pledge(&officer, &ciso).await;
    let paper = officer
        .post_multipart(
            &format!("/api/v1/policies/{}/pledges/paper", pledge.document),
            &[("user", "giin"), ("signed_on", "令和8年4月1日")],
            Some(("誓約書.pdf", &crate::fixtures_files::pdf("seiyaku"))),
        )
        .await;
    assert_eq!(paper.status().as_u16(), 201, "the paper pledge");

    // The emergency response plan (緊急時対応計画), published with its five scenarios,
    // and its next version drafted (whose scenarios can be edited).
    let plan = fixtures_policies::published_response_plan(&officer, &ciso).await;
    fixtures_policies::import_as(
        &officer,
        "response_plan",
        &format!(
            "{}第3条 この計画は、毎年度見直す。\n",
            fixtures_policies::RESPONSE_PLAN_TEXT
        ),
        Some(plan.document),
    )
    .await;

    // The coming general election: the member stands down, a new member is named.
    let day = mamori_app::date_text(mamori_app::today() + time::Duration::days(90));
    let change = officer
        .post_json(
            "/api/v1/term-changes",
            &json!({"kind": "general_election", "title": "一般選挙", "effective_on": day}),
        )
        .await;
    assert_eq!(change.status().as_u16(), 201, "the term change");
    let change = change.json::<serde_json::Value>().await.expect("change")["id"].clone();
    for person in [
        json!({"direction": "leaving", "login": "giin"}),
        json!({"direction": "joining", "name": "新井 一郎", "reading": "あらい いちろう"}),
    ] {
        let added = officer
            .post_json(&format!("/api/v1/term-changes/{change}/people"), &person)
            .await;
        assert_eq!(added.status().as_u16(), 201, "a person of the term change");
    }

    // A member's lost tablet, reported and being handled.
    let giin = server.web(&server.sign_in("giin").await);
    let reported = giin
        .post_json(
            "/api/v1/incidents",
            &json!({"title": "議員用タブレットの紛失",
                    "description": "帰宅途中の電車内に置き忘れました。",
                    "noticed_at": mamori_app::date_text(mamori_app::today()),
                    "personal": "unknown", "contact": "090-1234-5678"}),
        )
        .await;
    assert_eq!(reported.status().as_u16(), 201, "the incident");
    let incident = reported
        .json::<serde_json::Value>()
        .await
        .expect("incident")["id"]
        .clone();
    let noted = officer
        .post_json(
            &format!("/api/v1/incidents/{incident}/notes"),
            &json!({"text": "遠隔ロックを実施した。"}),
        )
        .await;
    assert_eq!(noted.status().as_u16(), 201, "the incident's note");
    // Personal information of 120 people: the Commission's reports apply; the
    // preliminary one is recorded with its reference number and the form sent.
    let triaged = officer
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/incidents/{incident}/triage"),
            &json!({"personal": "yes", "people": "120"}),
        )
        .await;
    assert_eq!(triaged.status().as_u16(), 200, "the incident's triage");
    let today = mamori_app::date_text(mamori_app::today());
    let sent = officer
        .post_multipart(
            &format!("/api/v1/incidents/{incident}/reports"),
            &[
                ("recipient", "個人情報保護委員会"),
                ("sent_on", today.as_str()),
                ("reference", "PPC-2026-0001"),
            ],
            Some(("速報.pdf", &crate::fixtures_files::pdf("Preliminary"))),
        )
        .await;
    assert_eq!(sent.status().as_u16(), 201, "the incident's outside report");
    continuity(&officer, officer_id).await;
}

/// Continuity: an alternate for the officer, and an emergency drill held today with its
/// record (a scenario of the published plan) and one finding.
async fn continuity(officer: &crate::Web<'_>, officer_id: i64) {
    let overview = officer.json("/api/v1/continuity").await;
    let service = overview["services"][0]["id"].clone();
    let cover = officer
        .post_json(
            "/api/v1/continuity/roster",
            &json!({"covered": format!("user:{officer_id}"), "service_id": service,
                    "alternates": ["kanri"], "note": "平日昼間"}),
        )
        .await;
    assert_eq!(cover.status().as_u16(), 201, "the roster entry");
    let today = mamori_app::today();
    let year = mamori_domain::calendar::FiscalYear::of(today)
        .year()
        .to_string();
    let course = officer
        .post_json(
            "/api/v1/training/courses",
            &json!({"fiscal_year": year, "kind": "drill", "title": "緊急時対応訓練（停電）"}),
        )
        .await;
    assert_eq!(course.status().as_u16(), 201, "the drill course");
    let course = course.json::<serde_json::Value>().await.expect("course")["id"].clone();
    let session = officer
        .post_json(
            &format!("/api/v1/training/courses/{course}/sessions"),
            &json!({"held_on": mamori_app::date_text(today), "starts_at": "10:00",
                    "ends_at": "11:00", "place": "議会事務局", "audience": "everyone"}),
        )
        .await;
    assert_eq!(session.status().as_u16(), 201, "the drill session");
    let session = session.json::<serde_json::Value>().await.expect("session")["id"].clone();
    let drill = officer
        .json(&format!("/api/v1/continuity/drills/{session}"))
        .await;
    let saved = officer
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/continuity/drills/{session}"),
            &json!({"scenario_id": drill["scenarios"][0]["id"], "service_ids": [service],
                    "went_well": "連絡網で全員に連絡できた",
                    "went_badly": "代替会場の鍵の場所が分からなかった"}),
        )
        .await;
    assert_eq!(saved.status().as_u16(), 200, "the drill record");
    let due = mamori_app::date_text(today + time::Duration::days(30));
    let finding = officer
        .post_json(
            &format!("/api/v1/continuity/drills/{session}/findings"),
            &json!({"title": "代替会場の鍵の保管場所を決める",
                    "owner": format!("user:{officer_id}"), "due_on": due}),
        )
        .await;
    assert_eq!(finding.status().as_u16(), 201, "the drill's finding");
}

/// An awareness notice to everyone; the year's training: a members' course with a
/// session and its attendance, an outside course a member declared, and the plan waiting
/// for the committee.
async fn awareness_and_training(server: &TestServer, officer: &crate::Web<'_>) {
    let notice = officer
        .post_json(
            "/api/v1/awareness",
            &json!({"title": "不審なメールに注意してください",
                    "body": "議会事務局を名乗るメールの添付ファイルは開かないでください。",
                    "audience": "everyone"}),
        )
        .await;
    assert_eq!(notice.status().as_u16(), 201, "the notice");
    let today = mamori_app::today();
    let year = mamori_domain::calendar::FiscalYear::of(today)
        .year()
        .to_string();
    let mut sessions = Vec::new();
    for (kind, title) in [
        ("members", "議員向け情報セキュリティ研修"),
        ("outside", "県主催の情報セキュリティ研修"),
    ] {
        let course = officer
            .post_json(
                "/api/v1/training/courses",
                &json!({"fiscal_year": year, "kind": kind, "title": title}),
            )
            .await;
        assert_eq!(course.status().as_u16(), 201, "the course");
        let course = course.json::<serde_json::Value>().await.expect("course")["id"].clone();
        let session = officer
            .post_json(
                &format!("/api/v1/training/courses/{course}/sessions"),
                &json!({"held_on": mamori_app::date_text(today), "starts_at": "13:30",
                        "ends_at": "15:00", "place": "第1委員会室", "audience": "everyone"}),
            )
            .await;
        assert_eq!(session.status().as_u16(), 201, "the session");
        sessions.push(session.json::<serde_json::Value>().await.expect("session")["id"].clone());
    }
    let marked = officer
        .post_json(
            &format!("/api/v1/training/sessions/{}/attendance", sessions[0]),
            &json!({"marks": [{"login": "giin", "status": "present"},
                              {"login": "gicho", "status": "excused"}]}),
        )
        .await;
    assert_eq!(marked.status().as_u16(), 200, "the attendance");
    let giin = server.web(&server.sign_in("giin").await);
    let declared = giin
        .post_json(
            &format!("/api/v1/training/sessions/{}/declare", sessions[1]),
            &json!({"note": "修了証 第123号"}),
        )
        .await;
    assert_eq!(declared.status().as_u16(), 201, "the declaration");
    let plan = officer
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/training/plan",
            &json!({"year": year, "summary": "全員研修を年1回、緊急時対応訓練を秋に行う。"}),
        )
        .await;
    assert_eq!(plan.status().as_u16(), 200, "the plan");
    let asked = officer
        .post_json("/api/v1/training/plan/ask", &json!({"year": year}))
        .await;
    assert_eq!(asked.status().as_u16(), 200, "the plan asked");
}

async fn id_of(server: &TestServer, login: &str) -> i64 {
    let login = mamori_domain::user::LoginId::parse(login).expect("login");
    mamori_store::users::find_by_login(&server.store, &login)
        .await
        .expect("users")
        .expect("the user")
        .id
}
