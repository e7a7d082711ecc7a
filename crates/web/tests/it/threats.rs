//! The threat catalogue of clause 3 over real HTTP, on SQLite and PostgreSQL: the seeded
//! catalogue, the officer's edits with their audit trail, refused input that writes
//! nothing, and the API's retire and restore. The risk matrix is in `threats_matrix`.

use mamori_domain::risk::ThreatFamily;
use mamori_domain::user::Role;
use mamori_store::audit::{self, AuditFilter};
use mamori_store::risks;
use mamori_testkit::{TestServer, Web, assert_api_error, backend_test};
use reqwest::header::{ACCEPT_LANGUAGE, LOCATION};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

/// A posted form as the testkit client takes it.
pub(super) fn strs(form: &[(String, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn pairs(form: &[(&str, &str)]) -> Vec<(String, String)> {
    form.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

pub(super) async fn get(client: &Web<'_>, path: &str) -> (StatusCode, String) {
    let response = client.get(path).await;
    (response.status(), response.text().await.unwrap())
}

pub(super) fn location(response: &Response) -> String {
    response.headers()[LOCATION].to_str().unwrap().to_owned()
}

pub(super) async fn entries(server: &TestServer) -> u64 {
    audit::verify(&server.store).await.unwrap().entries
}

pub(super) async fn threat_id(server: &TestServer, name: &str) -> i64 {
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
