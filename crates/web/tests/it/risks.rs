//! The risk register through real HTTP against the real router, on both backends:
//! registering and reassessing risks, treatment actions, acceptance by the CISO (never
//! the proposer), the heat maps, frozen analyses and their comparison, exports, the API,
//! and bad input that must leave nothing behind.

use mamori_domain::access::Register;
use mamori_domain::approval::{Asked, State};
use mamori_domain::record::{RecordKind, RecordRef};
use mamori_domain::user::Role;
use mamori_store::assets::Viewer;
use mamori_store::risks::{self, AcceptanceStatus};
use mamori_testkit::fixtures_approvals;
use mamori_testkit::fixtures_risks as fixtures;
use mamori_testkit::{TestServer, Web, backend_test};
use reqwest::StatusCode;

/// A user with `role` who also holds the CISO post (最高情報セキュリティ責任者).
async fn ciso<'a>(server: &'a TestServer, login: &str, role: Role) -> Web<'a> {
    let (id, web) = server.web_as(login, role).await;
    fixtures::hold_ciso_post(server, id).await;
    web
}

async fn threat_id(server: &TestServer, name: &str) -> String {
    fixtures::threat_id(server, name).await.to_string()
}

/// Registers an asset through its form and returns its id.
async fn add_asset(officer: &Web<'_>, name: &str) -> String {
    fixtures::asset(officer, name).await.to_string()
}

/// The form of a risk 高×大 (above tolerance) treated by reducing it to 低×大.
fn risk_form<'a>(title: &'a str, threat: &'a str, asset: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("threat", threat),
        ("asset_ids", asset),
        ("asset_ids_text", ""),
        ("asset_group", "議員用タブレット全台"),
        ("existing_measures", "画面ロック\nMDMによる遠隔消去"),
        ("inherent_likelihood", "2"),
        ("inherent_impact", "2"),
        ("treatment", "reduce"),
        ("residual_likelihood", "0"),
        ("residual_impact", "2"),
        ("owner", ""),
        ("review_due", "令和9年3月31日"),
    ]
}

fn with<'a>(
    mut form: Vec<(&'a str, &'a str)>,
    name: &'a str,
    value: &'a str,
) -> Vec<(&'a str, &'a str)> {
    for field in form.iter_mut() {
        if field.0 == name {
            field.1 = value;
        }
    }
    form
}

/// Registers a risk through the form and returns its id.
async fn register(client: &Web<'_>, form: &[(&str, &str)]) -> i64 {
    let response = client.post_form("/risks", form).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        response.text().await.unwrap()
    );
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    location
        .trim_start_matches("/risks/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn risk_count(server: &TestServer) -> usize {
    risks::risks(&server.store, Viewer::everything())
        .await
        .unwrap()
        .len()
}

backend_test!(
    async fn a_risk_is_treated_and_accepted_only_by_a_ciso_who_did_not_propose_it(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
        let ciso_officer = ciso(&server, "fuku.kanri", Role::SecurityOfficer).await;
        let gicho = ciso(&server, "gicho", Role::User).await;
        let threat = threat_id(&server, "情報資産の無断持ち出し").await;
        let asset = add_asset(&officer, "議員用タブレット1号機").await;

        let form = risk_form("タブレット紛失による会議資料の漏えい", &threat, &asset);
        let id = register(&officer, &form).await;
        let stored = risks::risk(&server.store, Viewer::everything(), id)
            .await
            .unwrap();
        assert_eq!((stored.inherent_level, stored.residual_level), (2, Some(1)));
        assert_eq!(stored.assets.len(), 1);
        let page = officer.page(&format!("/risks/{id}"), 200).await;
        for expected in [
            "タブレット紛失による会議資料の漏えい",
            "議員用タブレット1号機",
            "議員用タブレット全台",
            "低減",
            "第1版",
            "令和9年3月31日",
        ] {
            assert!(page.contains(expected), "{backend:?}: {expected}");
        }

        // An action already past its due date (和暦 input) shows as overdue.
        let added = officer.post_form(&format!("/risks/{id}/actions"),
            &[
                ("description", "紛失時の連絡手順を周知する"),
                ("owner", ""),
                ("due_on", "令和7年4月1日"),
                ("confirm_past_dates", "1"),
            ],
        )
        .await;
        assert_eq!(added.status(), StatusCode::SEE_OTHER);
        let page = officer.page(&format!("/risks/{id}"), 200).await;
        assert!(page.contains("紛失時の連絡手順を周知する") && page.contains("期限超過"));
        let missing_due = officer.post_form(&format!("/risks/{id}/actions"),
            &[("description", "期限なし"), ("owner", ""), ("due_on", "")],
        )
        .await;
        assert_eq!(missing_due.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(risks::actions(&server.store, id).await.unwrap().len(), 1);

        // The officer proposes an acceptance, and cannot decide it: not the CISO.
        let proposed = officer.post_form(&format!("/risks/{id}/acceptances"),
            &[
                ("reason", "予算措置が決まる令和9年度まで運用で対応する"),
                ("expires_on", "2099-03-31"),
            ],
        )
        .await;
        assert_eq!(proposed.status(), StatusCode::SEE_OTHER);
        let past = officer.post_form(&format!("/risks/{id}/acceptances"),
            &[("reason", "理由"), ("expires_on", "2020-01-01")],
        )
        .await;
        assert_eq!(past.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            past.text()
                .await
                .unwrap()
                .contains("2020年1月1日は過去の日付です")
        );
        let officers = risks::acceptances(&server.store, id).await.unwrap();
        assert_eq!(officers.len(), 1);
        let officers = officers[0].id;
        let decide = format!("/risks/{id}/acceptances/{officers}/decide");
        let refused = officer.post_form(&decide,
            &[("decision", "approve"), ("note", "")],
        )
        .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert!(
            refused
                .text()
                .await
                .unwrap()
                .contains("最高情報セキュリティ責任者")
        );

        // A CISO who proposed an acceptance cannot decide their own.
        let proposed = ciso_officer.post_form(&format!("/risks/{id}/acceptances"),
            &[("reason", "代替機の配備まで"), ("expires_on", "2099-12-31")],
        )
        .await;
        assert_eq!(proposed.status(), StatusCode::SEE_OTHER);
        let own = risks::acceptances(&server.store, id).await.unwrap()[0].id;
        assert_ne!(own, officers);
        let refused = ciso_officer.post_form(&format!("/risks/{id}/acceptances/{own}/decide"),
            &[("decision", "approve"), ("note", "")],
        )
        .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert!(
            refused
                .text()
                .await
                .unwrap()
                .contains("ご自身が申請したリスクの受容")
        );

        // The CISO (here a member, 議長) reads the risk, sees the decide buttons for the
        // officer's proposal only, and accepts it.
        let page = gicho.page(&format!("/risks/{id}"), 200).await;
        assert!(page.contains(&decide));
        let accepted = gicho.post_form(&decide,
            &[("decision", "approve"), ("note", "了承")],
        )
        .await;
        assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
        let decided = risks::acceptance(&server.store, officers).await.unwrap();
        assert_eq!(decided.status, AcceptanceStatus::Accepted);
        assert_eq!(decided.decided_by_name.as_deref(), Some("gicho"));
        let again = gicho.post_form(&decide,
            &[("decision", "reject"), ("note", "")],
        )
        .await;
        assert_eq!(again.status(), StatusCode::CONFLICT);
        let odd = gicho.post_form(&format!("/risks/{id}/acceptances/{own}/decide"),
            &[("decision", "maybe"), ("note", "")],
        )
        .await;
        assert_eq!(odd.status(), StatusCode::BAD_REQUEST);
        let denials = mamori_store::audit::recent(&server.store, 1000)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.action == "access.denied")
            .count();
        assert!(denials >= 2, "{backend:?}: refusals are recorded");

        // An accepted acceptance whose expiry has passed asks for a reassessment.
        assert!(
            !officer.page(&format!("/risks/{id}"), 200).await
                .contains("再評価が必要です")
        );
        let mut tx = server
            .store
            .write(mamori_store::Actor::system("test"))
            .await
            .unwrap();
        let lapsed =
            risks::propose_acceptance(&mut tx, id, "旧い受容", time::macros::date!(2024 - 03 - 31))
                .await
                .unwrap();
        tx.commit().await.unwrap();
        let lapsed = RecordRef::new(RecordKind::RiskAcceptance, lapsed);
        fixtures_approvals::open_request(&server.store, lapsed, id, Asked::Deciders(Register::Risks))
            .await;
        fixtures_approvals::decide_subject(&server.store, lapsed, State::Approved,
            time::macros::date!(2024 - 01 - 31)).await;
        let page = officer.page(&format!("/risks/{id}"), 200).await;
        assert!(page.contains("再評価が必要です"), "{backend:?}");

        // Completing the overdue action.
        let action = risks::actions(&server.store, id).await.unwrap()[0].id;
        let done = officer.post_form(&format!("/risks/{id}/actions/{action}/complete"),
            &[("done_on", "")],
        )
        .await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        assert!(
            risks::actions(&server.store, id).await.unwrap()[0]
                .done_on
                .is_some()
        );
        server.stop().await;
    }
);

backend_test!(
    async fn bad_input_is_refused_with_a_message_and_nothing_is_written(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
        let threat = threat_id(&server, "機器故障").await;
        let asset = add_asset(&officer, "議会事務局ファイルサーバ").await;
        let base = risk_form("サーバの故障による会議録の消失", &threat, &asset);

        // Above tolerance without a treatment: the domain's rule, in Japanese.
        let untreated = with(base.clone(), "treatment", "");
        let response = officer.post_form("/risks", &untreated).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend:?}"
        );
        let body = response.text().await.unwrap();
        assert!(
            body.contains("このリスクは許容範囲を超えています（リスクレベル「高」）"),
            "{body}"
        );
        assert!(
            body.contains("サーバの故障による会議録の消失"),
            "the form keeps what was typed"
        );
        assert_eq!(risk_count(&server).await, 0);

        let retired = threat_id(&server, "落雷").await;
        let mut tx = server
            .store
            .write(mamori_store::Actor::system("test"))
            .await
            .unwrap();
        risks::set_retired(&mut tx, retired.parse().unwrap(), true)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
            (with(base.clone(), "title", "　"), "入力してください"),
            (
                with(base.clone(), "threat", "99999"),
                "選んだ脅威が見つかりません",
            ),
            (with(base.clone(), "threat", &retired), "廃止されているため"),
            (
                with(base.clone(), "asset_ids_text", "99999"),
                "資産番号 99999 の情報資産が見つかりません",
            ),
            (
                with(base.clone(), "asset_ids_text", "十二"),
                "数字で入力してください",
            ),
            (
                with(with(base.clone(), "asset_ids", ""), "asset_group", ""),
                "対象の情報資産を選ぶか",
            ),
            (
                with(base.clone(), "inherent_likelihood", "7"),
                "選択肢から選んでください",
            ),
            (
                with(base.clone(), "treatment", "ignore"),
                "対応方針は選択肢から選んでください",
            ),
            (
                with(base.clone(), "residual_impact", ""),
                "両方を選んでください",
            ),
            (
                with(base.clone(), "owner", "99999"),
                "担当者が見つかりません",
            ),
            (
                with(base.clone(), "review_due", "令和99年13月1日"),
                "見直し期限",
            ),
        ];
        for (form, message) in cases {
            let response = officer.post_form("/risks", &form).await;
            assert_eq!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{backend:?} {message}"
            );
            let body = response.text().await.unwrap();
            assert!(body.contains(message), "{backend:?}: {message} in\n{body}");
        }
        // Not a form at all, and filters that make no sense: 4xx, never 500.
        let garbage = officer
            .client.post(server.url("/risks"))
            .header("origin", &server.base)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(garbage.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        for path in [
            "/risks?likelihood=9",
            "/risks?family=weather",
            "/risks?which=both",
            "/risks/export.csv?level=x",
        ] {
            let response = officer.get(path).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        }
        assert_eq!(risk_count(&server).await, 0);

        // In English, the same refusal in English.
        let response = officer
            .client.post(server.url("/risks"))
            .header("origin", &server.base)
            .header("accept-language", "en")
            .form(&untreated)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("This risk is above tolerance")
        );
        server.stop().await;
    }
);

backend_test!(
    async fn the_heat_maps_count_and_link_and_the_list_filters_by_cell(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
        let threat = threat_id(&server, "不正アクセス").await;
        let asset = add_asset(&officer, "議会ホームページ").await;
        register(&officer,
            &risk_form("ホームページの改ざん", &threat, &asset),
        )
        .await;
        register(&officer,
            &risk_form("議会中継の停止", &threat, &asset),
        )
        .await;
        let low = with(
            with(
                risk_form("掲示物の誤記", &threat, &asset),
                "inherent_likelihood",
                "0",
            ),
            "inherent_impact",
            "0",
        );
        let low = with(with(low, "residual_likelihood", ""), "residual_impact", "");
        register(&officer, &with(low, "treatment", "")).await;

        let page = officer.page("/risks", 200).await;
        assert!(page.contains("<svg"), "{backend:?}");
        assert!(page.contains("<desc id=\"heatmap-inherent-desc\">"));
        assert!(page.contains("高 2件"), "counts as text");
        assert!(page.contains("低 1件"));
        assert!(page.contains("中 2件"), "the residual map");
        assert!(page.contains("href=\"/risks?likelihood=2&amp;impact=2&amp;which=inherent\""));
        assert!(page.contains("href=\"/risks?likelihood=0&amp;impact=2&amp;which=residual\""));
        assert!(
            page.contains("class=\"visually-hidden\""),
            "a table for those who do not see it"
        );
        assert!(page.contains("1件は残留リスクが未評価"));
        assert!(!page.contains("style="), "no inline style under the CSP");
        for link in [
            "/risks/export.xlsx",
            "/risks/export.csv",
            "/risks/matrix",
            "/threats",
            "/risks/analyses",
        ] {
            assert!(page.contains(&format!("href=\"{link}")), "{link}");
        }

        let cell = officer.page("/risks?likelihood=2&impact=2&which=inherent", 200).await;
        assert!(cell.contains("ホームページの改ざん") && cell.contains("議会中継の停止"));
        assert!(!cell.contains("掲示物の誤記"));
        let residual = officer.page("/risks?likelihood=0&impact=2&which=residual", 200).await;
        assert!(residual.contains("ホームページの改ざん") && !residual.contains("掲示物の誤記"));
        let untreated = officer.page("/risks?treatment=none", 200).await;
        assert!(untreated.contains("掲示物の誤記") && !untreated.contains("ホームページの改ざん"));
        let family = officer.page("/risks?family=disaster", 200).await;
        assert!(family.contains("条件に合うリスクはありません"));
        server.stop().await;
    }
);

backend_test!(
    async fn analyses_are_frozen_and_compared_around_a_reassessment(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
        let (_, auditor) = server.web_as("kansa", Role::Auditor).await;
        let threat = threat_id(&server, "操作・設定ミス").await;
        let asset = add_asset(&officer, "議案データ").await;
        let form = risk_form("誤送信による議案の漏えい", &threat, &asset);
        let id = register(&officer, &form).await;

        let frozen = officer.post_form("/risks/analyses",
            &[
                ("title", "令和8年度 第1回リスク分析"),
                ("analysed_on", "令和8年4月1日"),
            ],
        )
        .await;
        assert_eq!(frozen.status(), StatusCode::SEE_OTHER);
        let first = frozen.headers()["location"].to_str().unwrap().to_owned();
        let first_id = first
            .trim_start_matches("/risks/analyses/")
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        let refused = officer.post_form("/risks/analyses",
            &[("title", ""), ("analysed_on", "")],
        )
        .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // A new version of the matrix never rescores silently: the risk says which version
        // it was scored with until it is reassessed.
        let mut tx = server
            .store
            .write(mamori_store::Actor::system("test"))
            .await
            .unwrap();
        let mut matrix = mamori_domain::risk::Matrix::default_3x3();
        matrix.levels[0].colour = "#e0f0e0".into();
        risks::save_matrix(&mut tx, &matrix).await.unwrap();
        tx.commit().await.unwrap();
        let note =
            "この評価は第1版のマトリクスによるものです。再評価すると現在の第2版で採点し直します。";
        assert!(
            auditor.page(&format!("/risks/{id}"), 200).await
                .contains(note)
        );
        let edit = officer.page(&format!("/risks/{id}/edit"), 200).await;
        assert!(edit.contains("現在の第2版で評価し直します"));

        // Reassessed: likelihood down to 低 (低×大 = 中).
        let reassessed = officer.post_form(&format!("/risks/{id}"),
            &with(form.clone(), "inherent_likelihood", "0"),
        )
        .await;
        assert_eq!(reassessed.status(), StatusCode::SEE_OTHER);
        let page = auditor.page(&format!("/risks/{id}"), 200).await;
        assert!(!page.contains(note) && page.contains("第2版"));
        register(&officer,
            &risk_form("新たなリスク", &threat, &asset),
        )
        .await;
        let frozen = officer.post_form("/risks/analyses",
            &[
                ("title", "令和8年度 第2回リスク分析"),
                ("analysed_on", "2026-10-01"),
            ],
        )
        .await;
        assert_eq!(frozen.status(), StatusCode::SEE_OTHER);
        let second_id = frozen.headers()["location"]
            .to_str()
            .unwrap()
            .trim_start_matches("/risks/analyses/")
            .split('?')
            .next()
            .unwrap()
            .to_owned();

        let list = auditor.page("/risks/analyses", 200).await;
        assert!(
            list.contains("令和8年度 第1回リスク分析")
                && list.contains("令和8年度 第2回リスク分析")
        );
        let shown = auditor.page(&first, 200).await;
        assert!(shown.contains("誤送信による議案の漏えい") && shown.contains("令和8年4月1日"));
        let compared = auditor
            .page(
                &format!("/risks/analyses/compare?from={first_id}&to={second_id}"),
                200,
            )
            .await;
        assert!(
            compared.contains("<strong>低下</strong>"),
            "{backend:?}\n{compared}"
        );
        assert!(compared.contains("<strong>新規</strong>"));
        assert!(!compared.contains("<strong>上昇</strong>"));
        assert!(compared.contains("新たなリスク"));
        let bad = auditor.get("/risks/analyses/compare").await;
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
        let missing = auditor
            .client.get(server.url(&format!("/risks/analyses/compare?from={first_id}&to=99999")))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);

        // The same over the API.
        let analyses: serde_json::Value = auditor.get("/api/v1/risk-analyses").await
            .json()
            .await
            .unwrap();
        assert_eq!(analyses["total"], 2);
        let detail: serde_json::Value = auditor
            .client.get(server.url(&format!("/api/v1/risk-analyses/{first_id}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(detail["risks"][0]["level_name"], "高");
        assert_eq!(detail["analysed_on"], "2026-04-01");
        server.stop().await;
    }
);

backend_test!(
    async fn exports_carry_the_register_and_are_audited(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
        let (_, user) = server.web_as("ippan", Role::User).await;
        let (_, contractor) = server.web_as("itaku", Role::Contractor).await;
        let threat = threat_id(&server, "ウイルス攻撃").await;
        let asset = add_asset(&officer, "事務局PC").await;
        register(&officer,
            &risk_form("ランサムウェアによる議事録の暗号化", &threat, &asset),
        )
        .await;

        let xlsx = officer.get("/risks/export.xlsx").await;
        assert_eq!(xlsx.status(), StatusCode::OK);
        let table = mamori_sheet::read(&xlsx.bytes().await.unwrap(), 100).unwrap();
        assert_eq!(table.headers[0], "リスク番号");
        assert!(table.headers.contains(&"残留リスクレベル".to_owned()));
        assert_eq!(table.headers.last().unwrap(), "マトリクス版");
        let row = table.rows[0].cells.to_vec();
        assert!(row.contains(&"ランサムウェアによる議事録の暗号化".to_owned()));
        assert!(row.contains(&"意図的な要因".to_owned()) && row.contains(&"低減".to_owned()));
        assert!(row.contains(&"事務局PC、議員用タブレット全台".to_owned()));

        let csv = officer
            .client.get(server.url("/risks/export.csv"))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status(), StatusCode::OK);
        let bytes = csv.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(text.starts_with("Risk number,Risk,Threat"), "{text}");
        assert!(text.contains("ランサムウェアによる議事録の暗号化"));
        let exports = mamori_store::audit::recent(&server.store, 1000)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.action == "risk.export")
            .count();
        assert_eq!(exports, 2, "{backend:?}");

        // Members and contractors do not read the register.
        for client in [&user, &contractor] {
            for path in [
                "/risks",
                "/risks/export.csv",
                "/risks/1",
                "/risks/analyses",
                "/api/v1/risks",
            ] {
                let response = client.get(path).await;
                assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
            }
            let response = client.post_form("/risks", &[("title", "x")]).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN);
        }
        server.stop().await;
    }
);

// ---------------------------------------------------------------- the CISO post

backend_test!(
    async fn a_member_holding_the_ciso_post_sees_the_register_in_the_navigation(backend) {
        let server = TestServer::start(backend).await;
        let (gicho_id, gicho) = server.web_as("gicho", Role::User).await;
        let (_, member) = server.web_as("giin", Role::User).await;
        // Without the post, a member neither sees nor opens the register.
        assert!(!gicho.page("/", 200).await.contains("href=\"/risks\""));
        assert_eq!(gicho.get("/risks").await.status(), StatusCode::FORBIDDEN);
        fixtures::hold_ciso_post(&server, gicho_id).await;
        let home = gicho.page("/", 200).await;
        assert!(home.contains("href=\"/risks\""), "{backend:?}: the nav link");
        gicho.page("/risks", 200).await;
        gicho.json("/api/v1/risks").await;
        // The post reads and decides; it does not keep the register.
        assert_eq!(gicho.get("/risks/new").await.status(), StatusCode::FORBIDDEN);
        assert!(!member.page("/", 200).await.contains("href=\"/risks\""));
        server.stop().await;
    }
);
