//! The threat catalogue of clause 3 and the risk matrix over real HTTP, on SQLite and
//! PostgreSQL: the seeded catalogue, the officer's edits with their audit trail, refused
//! input that writes nothing, the matrix as versioned data, and what the officer's home
//! page asks them to follow up.

use mamori_domain::risk::{Matrix, Score, ThreatFamily};
use mamori_domain::user::{OrgRole, Role};
use mamori_store::audit::{self, AuditFilter};
use mamori_store::{Actor, risks};
use mamori_testkit::{TestServer, Web, assert_api_error, backend_test};
use mamori_web::pages::risks::matrix_form::{MatrixForm, resized};
use reqwest::header::{ACCEPT_LANGUAGE, LOCATION};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

/// A posted form as the testkit client takes it.
fn strs(form: &[(String, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn pairs(form: &[(&str, &str)]) -> Vec<(String, String)> {
    form.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

async fn get(client: &Web<'_>, path: &str) -> (StatusCode, String) {
    let response = client.get(path).await;
    (response.status(), response.text().await.unwrap())
}

fn location(response: &Response) -> String {
    response.headers()[LOCATION].to_str().unwrap().to_owned()
}

async fn entries(server: &TestServer) -> u64 {
    audit::verify(&server.store).await.unwrap().entries
}

async fn threat_id(server: &TestServer, name: &str) -> i64 {
    risks::threats(&server.store)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("threat {name}"))
        .id
}

/// The actions recorded against threat `id`, oldest first.
async fn threat_actions(server: &TestServer, id: i64) -> Vec<String> {
    let filter = AuditFilter {
        target_type: Some("threat".to_owned()),
        ..AuditFilter::default()
    };
    let (records, _) = audit::search(&server.store, &filter, 1000, 0)
        .await
        .unwrap();
    let mut actions: Vec<String> = records
        .into_iter()
        .filter(|r| r.target_id.as_deref() == Some(id.to_string().as_str()))
        .map(|r| r.action)
        .collect();
    actions.reverse();
    actions
}

/// The part of the catalogue page between the heading of `family` and the next one.
fn family_section<'a>(page: &'a str, family: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"family-{family}\""))
        .unwrap_or_else(|| panic!("section {family}"));
    let rest = &page[start..];
    let end = rest.find("</section>").unwrap();
    &rest[..end]
}

backend_test!(
    async fn the_seeded_catalogue_follows_clause_3(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server
            .web_as("anzen.tanaka", Role::SecurityOfficer)
            .await;
        let (_, auditor) = server.web_as("kansa.ito", Role::Auditor).await;
        let (_, admin) = server.web_as("jimu.admin", Role::Admin).await;
        let (_, user) = server.web_as("giin.sato", Role::User).await;
        let (_, contractor) = server.web_as("itaku.kato", Role::Contractor).await;

        let (status, page) = get(&officer, "/threats").await;
        assert_eq!(status, StatusCode::OK, "{backend:?}");
        let intentional = family_section(&page, "intentional");
        assert!(intentional.contains("基本方針 3(1)"), "{intentional}");
        assert!(intentional.contains("内部不正"));
        assert!(intentional.contains("不正アクセス"));
        assert!(!intentional.contains("水道供給の途絶"));
        let infrastructure = family_section(&page, "infrastructure");
        assert!(infrastructure.contains("基本方針 3(5)"));
        assert!(infrastructure.contains("水道供給の途絶"));
        assert!(infrastructure.contains("電力供給の途絶"));
        assert!(family_section(&page, "disaster").contains("落雷"));
        let unintentional = family_section(&page, "unintentional");
        assert!(unintentional.contains("機器故障"));
        // The assembly's additions sit under 3(2), marked as not the policy's words; with
        // no policy published, the family's text is the model's, said so.
        let lost = &unintentional[unintentional.find("紛失・盗難").expect("紛失・盗難")..];
        assert!(lost[..lost.find("</th>").unwrap()].contains("議会が追加した脅威"), "{lost}");
        assert!(!intentional.contains("議会が追加した脅威"));
        assert!(unintentional.contains("誤送信・誤送付") && unintentional.contains("誤廃棄"));
        assert!(intentional.contains("雛形の文言"), "{intentional}");
        assert!(family_section(&page, "pandemic").contains("要員不足"));
        // The officer gets the forms, and the links to the matrix and the register.
        assert!(page.contains("action=\"/threats\""));
        assert!(page.contains("href=\"/risks/matrix\""));
        assert!(page.contains("href=\"/threats\""), "navigation entry");

        // Readers read without edit controls; others are refused.
        for client in [&auditor, &admin] {
            let (status, page) = get(client, "/threats").await;
            assert_eq!(status, StatusCode::OK);
            assert!(page.contains("内部不正"));
            assert!(!page.contains("action=\"/threats\""));
            assert!(!page.contains("/retire\""));
        }
        for client in [&user, &contractor] {
            let (status, _) = get(client, "/threats").await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            let response = client.get("/api/v1/threats").await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN);
        }

        // The same over the API.
        let list: Value = auditor.get("/api/v1/threats").await
            .json()
            .await
            .unwrap();
        let items = list["items"].as_array().unwrap();
        assert_eq!(
            list["total"].as_u64().unwrap() as usize,
            mamori_domain::threat::seed_catalogue().len()
        );
        let insider = items.iter().find(|t| t["name"] == "内部不正").unwrap();
        assert_eq!(insider["family"], "intentional");
        assert_eq!(insider["clause"], "3(1)");
        assert_eq!(insider["retired"], false);
        assert_eq!((insider["origin"].as_str(), insider["name_en"].as_str()),
            (Some("policy"), Some("Insider wrongdoing")));
        let lost = items.iter().find(|t| t["name"] == "紛失・盗難").unwrap();
        assert_eq!((lost["family"].as_str(), lost["origin"].as_str()),
            (Some("unintentional"), Some("addition")));
        let water = items
            .iter()
            .find(|t| t["name"] == "水道供給の途絶")
            .unwrap();
        assert_eq!(water["clause"], "3(5)");
        let doc: Value = server
            .client()
            .get(server.url("/api/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(doc["paths"]["/api/v1/threats"]["post"].is_object());
        assert!(doc["paths"]["/api/v1/threats/{id}"]["patch"].is_object());
        assert!(doc["paths"]["/api/v1/risk-matrix"]["get"].is_object());
        server.stop().await;
    }
);

backend_test!(
    async fn the_officer_adds_edits_retires_and_restores_a_threat(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server
            .web_as("anzen.tanaka", Role::SecurityOfficer)
            .await;
        let (_, user) = server.web_as("giin.sato", Role::User).await;

        let form = pairs(&[
            ("family", "intentional"),
            ("name", "　標的型メール "),
            (
                "description",
                "添付ファイルやURLで\r\nマルウェアに感染させる。",
            ),
        ]);
        let response = officer.post_form("/threats", &strs(&form)).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{backend:?}");
        let id = threat_id(&server, "標的型メール").await;
        assert_eq!(
            location(&response),
            format!("/threats?saved=created#threat-{id}")
        );
        let stored = risks::threat(&server.store, id).await.unwrap();
        assert_eq!(stored.family, ThreatFamily::Intentional);
        assert_eq!(stored.clause_ref, "3(1)");
        assert_eq!(
            stored.description,
            "添付ファイルやURLで\nマルウェアに感染させる。"
        );
        let (_, page) = get(&officer, "/threats?saved=created").await;
        assert!(page.contains("脅威を追加しました。"));
        assert!(family_section(&page, "intentional").contains("標的型メール"));

        // The same name again in the family is refused.
        let response = officer.post_form("/threats", &strs(&form)).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("すでに登録されています")
        );

        // Edit: the form shows the threat, saving changes name and family.
        let (status, page) = get(&officer, &format!("/threats/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("value=\"標的型メール\""));
        assert!(page.contains("<option value=\"intentional\" selected>"));
        let edited = pairs(&[
            ("family", "unintentional"),
            ("name", "標的型メールの開封"),
            ("description", "職員が不審なメールを開く。"),
        ]);
        let response = officer.post_form(&format!("/threats/{id}"), &strs(&edited)).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            location(&response),
            format!("/threats?saved=updated#threat-{id}")
        );
        let stored = risks::threat(&server.store, id).await.unwrap();
        assert_eq!(stored.name, "標的型メールの開封");
        assert_eq!(stored.clause_ref, "3(2)");
        // Saving it unchanged writes nothing.
        let before = entries(&server).await;
        let response = officer.post_form(&format!("/threats/{id}"), &strs(&edited)).await;
        assert!(location(&response).contains("saved=unchanged"));
        assert_eq!(entries(&server).await, before);

        // Retire: kept, marked 「廃止」, and it can come back.
        let response = officer.post_form(&format!("/threats/{id}/retire"), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(location(&response).contains("saved=retired"));
        assert!(
            risks::threat(&server.store, id)
                .await
                .unwrap()
                .retired_at
                .is_some()
        );
        let (_, page) = get(&officer, "/threats").await;
        let section = family_section(&page, "unintentional");
        let row = &section[section.find(&format!("id=\"threat-{id}\"")).unwrap()..];
        let row = &row[..row.find("</tr>").unwrap()];
        assert!(row.contains("廃止"), "{row}");
        assert!(row.contains(&format!("/threats/{id}/restore")));
        // Retiring twice changes nothing.
        let before = entries(&server).await;
        let response = officer.post_form(&format!("/threats/{id}/retire"), &[]).await;
        assert!(location(&response).contains("saved=unchanged"));
        assert_eq!(entries(&server).await, before);
        let response = officer.post_form(&format!("/threats/{id}/restore"), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(
            risks::threat(&server.store, id)
                .await
                .unwrap()
                .retired_at
                .is_none()
        );

        assert_eq!(
            threat_actions(&server, id).await,
            vec![
                "threat.create",
                "threat.update",
                "threat.retire",
                "threat.restore"
            ]
        );
        // The edit page shows that history.
        let (_, page) = get(&officer, &format!("/threats/{id}")).await;
        assert!(page.contains("脅威の廃止"));
        assert!(page.contains("脅威の追加"));

        // A plain user may do none of it, and nothing is written.
        let before = entries(&server).await;
        for (path, form) in [
            ("/threats".to_owned(), form.clone()),
            (format!("/threats/{id}"), edited.clone()),
            (format!("/threats/{id}/retire"), Vec::new()),
        ] {
            let response = user.post_form(&path, &strs(&form)).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        }
        let (status, _) = get(&user, &format!("/threats/{id}")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(threat_actions(&server, id).await.len(), 4);
        // Only the refusals were recorded.
        let (denials, _) = audit::search(
            &server.store,
            &AuditFilter {
                action: Some("access.denied".to_owned()),
                ..AuditFilter::default()
            },
            100,
            0,
        )
        .await
        .unwrap();
        assert_eq!(entries(&server).await, before + 4);
        assert!(denials.len() >= 4);

        // Over the API: create, change, retire in one PATCH, bring back.
        let response = officer.post_json("/api/v1/threats", &json!({"family": "disaster", "name": "豪雨による浸水", "description": ""})).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let created: Value = response.json().await.unwrap();
        let api_id = created["id"].as_i64().unwrap();
        assert_eq!(created["clause"], "3(3)");
        let response = officer.patch_json(&format!("/api/v1/threats/{api_id}"), &json!({"name": "豪雨・浸水", "retired": true})).await;
        assert_eq!(response.status(), StatusCode::OK);
        let patched: Value = response.json().await.unwrap();
        assert_eq!(patched["name"], "豪雨・浸水");
        assert_eq!(patched["family"], "disaster");
        assert_eq!(patched["retired"], true);
        let response = officer.patch_json(&format!("/api/v1/threats/{api_id}"), &json!({"retired": false})).await;
        assert_eq!(response.json::<Value>().await.unwrap()["retired"], false);
        assert_eq!(
            threat_actions(&server, api_id).await,
            vec![
                "threat.create",
                "threat.update",
                "threat.retire",
                "threat.restore"
            ]
        );
        let response = user.patch_json(&format!("/api/v1/threats/{api_id}"), &json!({"retired": true})).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        server.stop().await;
    }
);

backend_test!(
    async fn bad_threats_are_refused_with_a_clear_message_and_nothing_written(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server
            .web_as("anzen.tanaka", Role::SecurityOfficer)
            .await;
        let seeded = risks::threats(&server.store).await.unwrap().len();
        let before = entries(&server).await;
        let long = "あ".repeat(101);
        let cases: [(&str, &str, &str); 4] = [
            ("intentional", "", "入力してください。"),
            ("intentional", &long, "100文字以内で入力してください。"),
            ("intentional", "内部\u{7}不正", "制御文字は使えません。"),
            ("alien", "宇宙からの攻撃", "種類を選択してください。"),
        ];
        for (family, name, message) in cases {
            let form = pairs(&[("family", family), ("name", name), ("description", "")]);
            let response = officer.post_form("/threats", &strs(&form)).await;
            assert_eq!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{backend:?} {name}"
            );
            let page = response.text().await.unwrap();
            assert!(page.contains(message), "{name}: {message}");
            assert!(page.contains("入力内容を確認してください"));
            // The form comes back as typed.
            if family == "alien" {
                assert!(page.contains("value=\"宇宙からの攻撃\""));
            }
        }
        // A description with a NUL, and one too long.
        let form = pairs(&[
            ("family", "disaster"),
            ("name", "噴火"),
            ("description", "火山灰\u{0}"),
        ]);
        let response = officer.post_form("/threats", &strs(&form)).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let long_description = "い".repeat(2001);
        let form = pairs(&[
            ("family", "disaster"),
            ("name", "噴火"),
            ("description", &long_description),
        ]);
        let response = officer.post_form("/threats", &strs(&form)).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(response.text().await.unwrap().contains("2000文字以内"));
        // Editing refuses the same way.
        let id = threat_id(&server, "地震").await;
        let form = pairs(&[("family", "disaster"), ("name", ""), ("description", "")]);
        let response = officer.post_form(&format!("/threats/{id}"), &strs(&form)).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // The API answers 422 in the caller's language.
        let response = officer.post_json("/api/v1/threats", &json!({"family": "alien", "name": ""})).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "validation_failed");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("種類を選択してください。"), "{message}");
        assert!(message.contains("入力してください。"), "{message}");
        let response = officer
            .client.post(server.url("/api/v1/threats"))
            .header(ACCEPT_LANGUAGE, "en")
            .header("origin", &server.base)
            .json(&json!({"family": "intentional", "name": "x", "colour": "red"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let response = officer
            .client.patch(server.url(&format!("/api/v1/threats/{id}")))
            .header(ACCEPT_LANGUAGE, "en")
            .header("origin", &server.base)
            .json(&json!({"name": "a\nb"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = response.json().await.unwrap();
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("Threat:"),
            "{body}"
        );
        let response = officer.patch_json("/api/v1/threats/99999", &json!({"retired": true})).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);

        assert_eq!(risks::threats(&server.store).await.unwrap().len(), seeded);
        assert_eq!(risks::threat(&server.store, id).await.unwrap().name, "地震");
        assert_eq!(entries(&server).await, before);
        server.stop().await;
    }
);

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
    async fn the_api_retires_and_restores_threats(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
        let (_, auditor) = server.web_as("kansa", Role::Auditor).await;
        let id = threat_id(&server, "地震").await;
        let retire = format!("/api/v1/threats/{id}/retire");
        let restore = format!("/api/v1/threats/{id}/restore");
        let denied = auditor.post_json(&retire, &json!({})).await;
        assert_api_error(denied, 403, "forbidden").await;
        let retired = officer.post_json(&retire, &json!({})).await;
        assert_eq!(retired.status(), StatusCode::OK);
        let body: Value = retired.json().await.unwrap();
        assert_eq!(body["retired"], true);
        // Retiring again changes nothing and writes nothing.
        let again = officer.post_json(&retire, &json!({})).await;
        assert_eq!(again.status(), StatusCode::OK);
        assert_eq!(
            threat_actions(&server, id).await,
            vec!["threat.retire".to_owned()],
            "{backend:?}"
        );
        let restored = officer.post_json(&restore, &json!({})).await;
        let body: Value = restored.json().await.unwrap();
        assert_eq!(body["retired"], false);
        assert!(auditor.json(&format!("/api/v1/threats/{id}")).await["retired_at"].is_null());
        let missing = officer.post_json("/api/v1/threats/4242/retire", &json!({})).await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        server.stop().await;
    }
);

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
