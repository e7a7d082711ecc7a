//! The risk matrix over real HTTP, on SQLite and PostgreSQL: versioned data on the page
//! and over the API, refused matrices that write nothing, and what the officer's and the
//! CISO's home pages ask them to follow up. The threat catalogue is in `threats`.

use mamori_domain::risk::{Matrix, Score};
use mamori_domain::user::{OrgRole, Role};
use mamori_store::audit::{self, AuditFilter};
use mamori_store::{Actor, risks};
use mamori_testkit::{TestServer, assert_api_error, backend_test};
use mamori_web::pages::risks::matrix_form::{MatrixForm, resized};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::threats::{entries, get, location, strs, threat_id};

/// The fields a browser posts for `matrix`, with `changes` applied.
fn matrix_form(matrix: &Matrix, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut form = MatrixForm::from_matrix(matrix).fields();
    for (name, value) in changes {
        let slot = form
            .iter_mut()
            .find(|(k, _)| k == name)
            .unwrap_or_else(|| panic!("field {name}"));
        slot.1 = (*value).to_owned();
    }
    form
}

backend_test!(
    async fn the_matrix_is_versioned_data(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server
            .web_as("anzen.tanaka", Role::SecurityOfficer)
            .await;
        let (_, auditor) = server.web_as("kansa.ito", Role::Auditor).await;
        let (_, user) = server.web_as("giin.sato", Role::User).await;

        // The default 3×3, readable without colour: each cell names its level.
        let (status, page) = get(&auditor, "/risks/matrix").await;
        assert_eq!(status, StatusCode::OK, "{backend:?}");
        for text in [
            "第1版",
            "発生可能性",
            "影響度",
            "発生可能性：</span>高</th>",
            "許容できない",
            "評価したときの版のまま",
            "/risks/matrix/colours.css",
        ] {
            assert!(page.contains(text), "{text}");
        }
        assert!(!page.contains("/risks/matrix/edit"));
        let active = risks::active_matrix(&server.store).await.unwrap();
        assert_eq!(active.version, 1);
        let (status, css) = get(&auditor, "/risks/matrix/colours.css").await;
        assert_eq!(status, StatusCode::OK);
        assert!(css.contains(&format!(
            ".risk-m{}-l2 {{ background-color: #f3b3b3",
            active.id
        )));
        let (status, _) = get(&user, "/risks/matrix").await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // Step one: choose the sizes; the grid is redrawn.
        let (status, page) = get(&officer,
            "/risks/matrix/edit?likelihood=4&impact=5",
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("name=\"cell_3_4\""));
        assert!(!page.contains("name=\"cell_4_0\""));
        assert!(page.contains("甚大"));
        assert!(page.contains("type=\"color\""));
        assert!(page.contains("評価したときの版のまま"));
        let (status, page) = get(&officer, "/risks/matrix/edit?likelihood=9").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("2〜5にしてください"));
        let (status, _) = get(&user, "/risks/matrix/edit").await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // Step two: save a 4×5 matrix as version 2.
        let mut bigger = resized(&Matrix::default_3x3(), 4, 5, 3);
        bigger.likelihood[3] = "ほぼ確実".into();
        bigger.levels[2].colour = "#e06666".into();
        let response = officer.post_form("/risks/matrix",
            &strs(&matrix_form(&bigger, &[])),
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), "/risks/matrix?saved=matrix");
        let active = risks::active_matrix(&server.store).await.unwrap();
        assert_eq!(active.version, 2);
        assert_eq!(active.matrix, bigger);
        let (_, page) = get(&auditor, "/risks/matrix?saved=matrix").await;
        assert!(page.contains("第2版"));
        assert!(page.contains("</span>ほぼ確実</th>"));
        assert!(page.contains("甚大"));
        assert!(
            page.contains("/risks/matrix?id="),
            "the history links the first version"
        );
        // The first version stays readable.
        let (status, page) = get(&auditor, "/risks/matrix?id=1").await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("過去の版"));
        let (status, _) = get(&auditor, "/risks/matrix?id=abc").await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let response = auditor.get("/api/v1/risk-matrix").await;
        assert_eq!(response.status(), StatusCode::OK);
        let api: Value = response.json().await.unwrap();
        assert_eq!(api["version"], 2);
        assert_eq!(api["likelihood"].as_array().unwrap().len(), 4);
        assert_eq!(api["impact"].as_array().unwrap().len(), 5);
        assert_eq!(api["grid"].as_array().unwrap().len(), 4);
        assert_eq!(api["grid"][3].as_array().unwrap().len(), 5);
        assert_eq!(api["levels"][2]["band"], "unacceptable");
        assert_eq!(api["levels"][2]["colour"], "#e06666");
        let response = user.get("/api/v1/risk-matrix").await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);

        // The same matrix again makes no new version.
        let before = entries(&server).await;
        let response = officer.post_form("/risks/matrix",
            &strs(&matrix_form(&bigger, &[])),
        )
        .await;
        assert_eq!(location(&response), "/risks/matrix?saved=unchanged");
        assert_eq!(entries(&server).await, before);
        let (records, _) = audit::search(
            &server.store,
            &AuditFilter {
                action: Some("risk.matrix_update".to_owned()),
                ..AuditFilter::default()
            },
            10,
            0,
        )
        .await
        .unwrap();
        assert_eq!(records.len(), 1);
        let response = user.post_form("/risks/matrix", &strs(&matrix_form(&bigger, &[]))).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        server.stop().await;
    }
);

backend_test!(
    async fn invalid_matrices_are_refused_and_nothing_written(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server
            .web_as("anzen.tanaka", Role::SecurityOfficer)
            .await;
        let before = entries(&server).await;
        let m = Matrix::default_3x3();
        let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
            (
                vec![("level_0_colour_text", "red")],
                "表示色は #cfe8cf のように",
            ),
            (
                vec![("likelihood_1", "低")],
                "同じ尺度の中ですでに使われています",
            ),
            (
                vec![("cell_0_0", "7")],
                "登録したリスクレベルのどれかを選んでください",
            ),
            (vec![("likelihood_count", "6")], "2〜5にしてください"),
            (vec![("level_count", "0")], "1〜5個にしてください"),
            (vec![("impact_2", "")], "入力してください。"),
            (
                vec![("level_1_band", "maybe")],
                "許容範囲を選択してください。",
            ),
            (
                vec![("level_2_band", "acceptable")],
                "軽いものから順に並べてください",
            ),
        ];
        for (changes, message) in cases {
            let response = officer.post_form("/risks/matrix",
                &strs(&matrix_form(&m, &changes)),
            )
            .await;
            assert_eq!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{backend:?} {changes:?}"
            );
            let page = response.text().await.unwrap();
            assert!(page.contains(message), "{changes:?}: {message}");
            // The form comes back as typed.
            if changes[0].0 == "level_0_colour_text" {
                assert!(page.contains("value=\"red\""));
            }
        }
        // An empty form is refused too.
        let response = officer.post_form("/risks/matrix", &[]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            risks::active_matrix(&server.store).await.unwrap().version,
            1
        );
        assert_eq!(entries(&server).await, before);
        server.stop().await;
    }
);

backend_test!(
    async fn the_officer_and_the_ciso_see_what_is_overdue_on_their_home_page(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server
            .web_as("anzen.tanaka", Role::SecurityOfficer)
            .await;
        let (chair_id, chair) = server.web_as("gicho.suzuki", Role::User).await;
        let (_, member) = server.web_as("giin.sato", Role::User).await;
        let (_, auditor) = server.web_as("kansa.ito", Role::Auditor).await;
        let mut tx = server.store.write(Actor::system("test")).await.unwrap();
        mamori_store::users::set_org_roles(&mut tx, chair_id, &[OrgRole::Ciso])
            .await
            .unwrap();
        tx.commit().await.unwrap();

        // Nothing to follow up yet.
        let (_, page) = get(&officer, "/").await;
        assert!(
            !page.contains("リスク対応で確認が必要なこと"),
            "{backend:?}"
        );

        let threat = threat_id(&server, "内部不正").await;
        let matrix = risks::active_matrix(&server.store).await.unwrap();
        let today = time::OffsetDateTime::now_utc()
            .to_offset(mamori_domain::wareki::JST)
            .date();
        let mut tx = server.store.write(Actor::system("test")).await.unwrap();
        let input = risks::RiskInput {
            title: "議員用タブレットからの情報漏えい".into(),
            threat_id: threat,
            asset_ids: Vec::new(),
            asset_group: "議員用タブレット".into(),
            existing_measures: String::new(),
            inherent: Score {
                likelihood: 2,
                impact: 2,
            },
            treatment: Some(mamori_domain::risk::Treatment::Reduce),
            residual: None,
            owner_id: None,
            review_due: None,
        };
        let risk_id = risks::create_risk(&mut tx, &input, &matrix).await.unwrap();
        risks::add_action(
            &mut tx,
            risk_id,
            "端末管理ソフトの導入",
            None,
            today - time::Duration::days(3),
        )
        .await
        .unwrap();
        risks::add_action(
            &mut tx,
            risk_id,
            "来年度の研修計画",
            None,
            today + time::Duration::days(60),
        )
        .await
        .unwrap();
        let acceptance = risks::propose_acceptance(
            &mut tx,
            risk_id,
            "予算措置まで受容する",
            today + time::Duration::days(90),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // The proposal's approval request, as the use case opens it with the proposal.
        mamori_testkit::fixtures_approvals::open_request(
            &server.store,
            mamori_domain::record::RecordRef::new(
                mamori_domain::record::RecordKind::RiskAcceptance,
                acceptance,
            ),
            risk_id,
            mamori_domain::approval::Asked::Deciders(mamori_domain::access::Register::Risks),
        )
        .await;

        for client in [&officer, &chair] {
            let (status, page) = get(client, "/").await;
            assert_eq!(status, StatusCode::OK);
            assert!(page.contains("リスク対応で確認が必要なこと"));
            assert!(page.contains("期限を過ぎた対応策"));
            assert!(page.contains("端末管理ソフトの導入"));
            assert!(!page.contains("来年度の研修計画"), "not yet due");
            assert!(page.contains(&format!("href=\"/risks/{risk_id}\"")));
            assert!(page.contains("議員用タブレットからの情報漏えい"));
            assert!(page.contains("CISOの決定待ち"));
        }
        for client in [&member, &auditor] {
            let (_, page) = get(client, "/").await;
            assert!(!page.contains("端末管理ソフトの導入"));
            assert!(!page.contains("リスク対応で確認が必要なこと"));
        }
        server.stop().await;
    }
);

// ---------------------------------------------------------------- the API, as wide as the pages

backend_test!(
    async fn the_api_makes_a_new_matrix_version(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
        let (_, auditor) = server.web_as("kansa", Role::Auditor).await;
        let mut matrix = serde_json::to_value(Matrix::default_3x3()).unwrap();
        let same = officer.send_json(reqwest::Method::PUT, "/api/v1/risk-matrix", &matrix).await;
        assert_eq!(same.status(), StatusCode::OK, "unchanged");
        matrix["likelihood"] = json!(["まれ", "時々", "頻繁"]);
        let denied = auditor.send_json(reqwest::Method::PUT, "/api/v1/risk-matrix", &matrix).await;
        assert_api_error(denied, 403, "forbidden").await;
        let saved = officer.send_json(reqwest::Method::PUT, "/api/v1/risk-matrix", &matrix).await;
        assert_eq!(saved.status(), StatusCode::CREATED);
        let body: Value = saved.json().await.unwrap();
        assert_eq!(body["version"], 2);
        assert_eq!(body["likelihood"][2], "頻繁");
        assert_eq!(auditor.json("/api/v1/risk-matrix").await["version"], 2);
        matrix["grid"] = json!([[0, 0], [0, 1]]);
        let bad = officer.send_json(reqwest::Method::PUT, "/api/v1/risk-matrix", &matrix).await;
        let error = assert_api_error(bad, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "matrix");
        matrix["levels"][0]["band"] = json!("fine");
        let bad = officer.send_json(reqwest::Method::PUT, "/api/v1/risk-matrix", &matrix).await;
        assert_api_error(bad, 422, "validation_failed").await;
        assert_eq!(risks::active_matrix(&server.store).await.unwrap().version, 2);
        server.stop().await;
    }
);
