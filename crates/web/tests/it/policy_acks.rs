//! Acknowledging a published policy (clause 5: every user complies), the officer's
//! status page, reminders (督促), the CSV export, and the policy API, over real HTTP on
//! both backends. The policy is the real seed, imported through the API.

use mamori_domain::user::{Role, UserType};
use mamori_store::audit::{self, AuditRecord};
use mamori_store::policies;
use mamori_testkit::fixtures_policies::{approve_and_publish, ciso, imported_seed, seed};
use mamori_testkit::{TestServer, Web, assert_api_error, backend_test};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn get_text(web: &Web<'_>, path: &str) -> (StatusCode, String) {
    let response = web.get(path).await;
    (response.status(), response.text().await.unwrap())
}

async fn entries(server: &TestServer, action: &str) -> Vec<AuditRecord> {
    audit::recent(&server.store, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .collect()
}

/// A signed-in user of `role` whose user type is `user_type`.
async fn user_of_type<'a>(
    server: &'a TestServer,
    login: &str,
    role: Role,
    user_type: UserType,
) -> (i64, Web<'a>) {
    let (id, web) = server.web_as(login, role).await;
    let mut tx = server
        .store
        .write(mamori_store::Actor::system("test"))
        .await
        .unwrap();
    mamori_store::users::update(
        &server.store,
        &mut tx,
        id,
        mamori_store::users::UserChanges {
            user_type: Some(user_type),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (id, web)
}

/// The seed imported through the API by a security officer, approved (決裁) by the
/// CISO and published through the API.
struct Published<'a> {
    officer: Web<'a>,
    document: i64,
    version: i64,
    hash: String,
}

impl Published<'_> {
    fn version_path(&self) -> String {
        format!("/policies/{}/versions/{}", self.document, self.version)
    }
}

async fn import(officer: &Web<'_>, body: Value) -> Value {
    let response = officer.post_json("/api/v1/policies/import", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn publish_seed(server: &TestServer) -> Published<'_> {
    let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
    let (_, gicho) = ciso(server, "gicho").await;
    let stored = imported_seed(&officer).await;
    approve_and_publish(&officer, &gicho, &stored).await;
    let detail = officer.json(&stored.api()).await;
    assert_eq!(detail["version"]["status"], "published");
    Published {
        officer,
        document: stored.document,
        version: stored.version,
        hash: stored.hash,
    }
}

async fn pending(server: &TestServer, user: i64) -> Vec<i64> {
    policies::pending_for_user(&server.store, user)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, v)| v.id)
        .collect()
}

backend_test!(async fn members_and_staff_acknowledge_the_published_version(backend) {
        let server = TestServer::start(backend).await;
        let p = publish_seed(&server).await;
        let ack_path = format!("{}/acknowledge", p.version_path());
        let api_ack = format!("/api/v1{ack_path}");
        let (member_id, member) =
            user_of_type(&server, "giin.ichiro", Role::User, UserType::Member).await;
        let (staff_id, staff) =
            user_of_type(&server, "jimu.hanako", Role::User, UserType::Staff).await;
        let (contractor_id, contractor) =
            user_of_type(&server, "itaku.jiro", Role::User, UserType::Contractor).await;

        assert_eq!(pending(&server, member_id).await, vec![p.version]);
        assert_eq!(pending(&server, staff_id).await, vec![p.version]);
        assert!(
            pending(&server, contractor_id).await.is_empty(),
            "contractors are not asked"
        );

        // officer, gicho, the member and the staff user are bound; the contractor is not.
        let (status, html) = get_text(&p.officer,
            &format!("/policies/{}/acknowledgements", p.document),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("確認済み 0人 ／ 全4人"), "{html}");
        assert!(html.contains("data-login=\"giin.ichiro\" data-state=\"pending\""));
        assert!(!html.contains("itaku.jiro"));
        assert!(html.contains("まだ督促していません"));

        let (_, page) = get_text(&member, &p.version_path()).await;
        assert!(
            page.contains("内容を確認し、遵守します"),
            "the member is asked"
        );

        // A text that changed under the reader is not acknowledged.
        let wrong = member.post_form(&ack_path, &[("content_hash", "0000")]).await;
        assert_eq!(wrong.status(), StatusCode::CONFLICT);
        let html = wrong.text().await.unwrap();
        assert!(
            html.contains("現在登録されている版の内容が一致しません"),
            "{html}"
        );
        assert_eq!(pending(&server, member_id).await, vec![p.version]);

        let done = member.post_form(&ack_path, &[("content_hash", &p.hash)]).await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        assert_eq!(done.headers()["location"], p.version_path().as_str());
        assert!(pending(&server, member_id).await.is_empty());
        let (_, page) = get_text(&member, &p.version_path()).await;
        assert!(page.contains("にこの版の内容を確認しました"));
        assert!(!page.contains("内容を確認し、遵守します"));

        let twice = member.post_form(&ack_path, &[("content_hash", &p.hash)]).await;
        assert_eq!(twice.status(), StatusCode::CONFLICT);
        assert!(twice.text().await.unwrap().contains("すでに確認済みです"));

        // The API, for the staff user.
        let wrong = staff.post_json(&api_ack, &json!({"content_hash": "x"})).await;
        assert_eq!(wrong.status(), StatusCode::CONFLICT);
        assert_eq!(
            wrong.json::<Value>().await.unwrap()["error"]["code"],
            "content_changed"
        );
        let done = staff.post_json(&api_ack, &json!({"content_hash": p.hash})).await;
        assert_eq!(done.status(), StatusCode::CREATED);
        let body: Value = done.json().await.unwrap();
        assert_eq!(body["version_id"], p.version);
        assert_eq!(body["user_id"], staff_id);
        assert!(body["acknowledged_at"].is_string());
        let twice = staff.post_json(&api_ack, &json!({"content_hash": p.hash})).await;
        assert_eq!(twice.status(), StatusCode::CONFLICT);
        assert_eq!(
            twice.json::<Value>().await.unwrap()["error"]["code"],
            "already_acknowledged"
        );
        assert!(pending(&server, staff_id).await.is_empty());

        // A contractor is not bound: refused, and the refusal is recorded.
        let denials = entries(&server, "access.denied").await.len();
        let refused = contractor.post_form(&ack_path,
            &[("content_hash", &p.hash)],
        )
        .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let refused = contractor.post_json(&api_ack,
            &json!({"content_hash": p.hash}),
        )
        .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert_eq!(entries(&server, "access.denied").await.len(), denials + 2);

        // Only the published version can be acknowledged.
        let draft = import(&p.officer, json!({"kind": "basic_policy", "text": seed(), "document_id": p.document, "change_note": "見直し"}),
        )
        .await;
        let draft_id = draft["version_id"].as_i64().unwrap();
        let on_draft = member.post_json(&format!(
                "/api/v1/policies/{}/versions/{draft_id}/acknowledge",
                p.document
            ),
            &json!({"content_hash": p.hash}),
        )
        .await;
        assert_eq!(on_draft.status(), StatusCode::CONFLICT);
        assert_eq!(
            on_draft.json::<Value>().await.unwrap()["error"]["code"],
            "not_published"
        );
        // Another document's id in the path does not reach the version.
        let elsewhere = member.post_json(&format!(
                "/api/v1/policies/{}/versions/{}/acknowledge",
                p.document + 1,
                p.version
            ),
            &json!({"content_hash": p.hash}),
        )
        .await;
        assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND);

        let (_, html) = get_text(&p.officer,
            &format!("/policies/{}/acknowledgements", p.document),
        )
        .await;
        assert!(html.contains("確認済み 2人 ／ 全4人"), "{html}");
        assert!(html.contains("data-login=\"giin.ichiro\" data-state=\"done\""));
        assert!(html.contains("data-login=\"officer\" data-state=\"pending\""));
        let acknowledged = entries(&server, "policy.acknowledge").await;
        assert_eq!(acknowledged.len(), 2);
        assert!(
            acknowledged
                .iter()
                .all(|e| e.target_id.as_deref() == Some(&*p.version.to_string()))
        );
        server.stop().await;
});

backend_test!(async fn reminders_and_the_csv_export(backend) {
        let server = TestServer::start(backend).await;
        let p = publish_seed(&server).await;
        let (_, member) = user_of_type(&server, "giin.ichiro", Role::User, UserType::Member).await;
        let (_, auditor) = server.web_as("kansa", Role::Auditor).await;
        let (_, admin) = server.web_as("kanri", Role::Admin).await;
        let status_path = format!("/policies/{}/acknowledgements", p.document);
        let remind_path = format!("{status_path}/remind");
        let csv_path = format!("{status_path}.csv");
        // Bound: officer, gicho, the member, the auditor and the administrator (all staff
        // but the member).
        let bound = 5;

        let reminded = p.officer.post_form(&remind_path, &[]).await;
        assert_eq!(reminded.status(), StatusCode::SEE_OTHER);
        let location = reminded.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(location, format!("{status_path}?reminded={bound}"));
        let (_, html) = get_text(&p.officer, &location).await;
        assert!(
            html.contains(&format!("未確認の利用者 {bound}人への督促を記録しました")),
            "{html}"
        );
        assert!(!html.contains("まだ督促していません"));
        let recorded = entries(&server, "policy.remind").await;
        assert_eq!(recorded.len(), 1);
        assert_eq!(
            recorded[0].target_id.as_deref(),
            Some(&*p.version.to_string())
        );
        assert!(recorded[0].changes.contains(&format!("{bound}")));
        assert!(
            policies::last_reminder(&server.store, p.version)
                .await
                .unwrap()
                .is_some()
        );

        // The auditor reads the status but does not remind; others see neither.
        let (status, html) = get_text(&auditor, &status_path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !html.contains("/remind\""),
            "no reminder button for the auditor"
        );
        let denials = entries(&server, "access.denied").await.len();
        for (client, path, is_post) in [
            (&auditor, &remind_path, true),
            (&member, &remind_path, true),
            (&admin, &remind_path, true),
            (&member, &csv_path, false),
            (&admin, &csv_path, false),
            (&member, &status_path, false),
        ] {
            let response = if is_post {
                client.post_form(path, &[]).await
            } else {
                client.get(path).await
            };
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        }
        assert_eq!(entries(&server, "access.denied").await.len(), denials + 6);
        assert_eq!(entries(&server, "policy.remind").await.len(), 1);

        // The export, for Excel, recorded in the audit trail.
        let member_ack = member.post_form(&format!("{}/acknowledge", p.version_path()),
            &[("content_hash", &p.hash)],
        )
        .await;
        assert_eq!(member_ack.status(), StatusCode::SEE_OTHER);
        let response = p.officer.get(&csv_path).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"],
            "text/csv; charset=utf-8"
        );
        assert!(
            response.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment;")
        );
        let bytes = response.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with BOM");
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines[0], "文書,版,ログインID,氏名,区分,状態,確認日時");
        assert_eq!(lines.len(), 1 + bound);
        let member_line = lines.iter().find(|l| l.contains(",giin.ichiro,")).unwrap();
        assert!(member_line.starts_with("佐久市議会情報セキュリティ基本方針,1,"));
        assert!(member_line.contains(",議員,確認済み,20"), "{member_line}");
        let officer_line = lines.iter().find(|l| l.contains(",officer,")).unwrap();
        assert!(
            officer_line.ends_with(",議会事務局職員,未確認,"),
            "{officer_line}"
        );
        let exports = entries(&server, "policy.ack_export").await;
        assert_eq!(exports.len(), 1);
        assert_eq!(exports[0].target_type, "policy_document");
        assert_eq!(
            exports[0].target_id.as_deref(),
            Some(&*p.document.to_string())
        );
        let response = auditor.get(&csv_path).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(entries(&server, "policy.ack_export").await.len(), 2);

        // Everyone has acknowledged: nothing to remind, and nothing is recorded.
        for row in policies::acknowledgements(&server.store, p.version)
            .await
            .unwrap()
        {
            if row.acknowledged_at.is_none() {
                let mut tx = server
                    .store
                    .write(mamori_store::Actor::system("test"))
                    .await
                    .unwrap();
                policies::acknowledge(&mut tx, p.version, row.user_id, &p.hash)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            }
        }
        let (_, html) = get_text(&p.officer, &status_path).await;
        assert!(html.contains(&format!("確認済み {bound}人 ／ 全{bound}人")));
        assert!(html.contains("全員、この版の内容を確認済みです"));
        let nothing = p.officer.post_form(&remind_path, &[]).await;
        assert_eq!(nothing.status(), StatusCode::CONFLICT);
        assert!(
            nothing
                .text()
                .await
                .unwrap()
                .contains("督促は記録しませんでした")
        );
        assert_eq!(entries(&server, "policy.remind").await.len(), 1);
        server.stop().await;
});

backend_test!(async fn without_a_published_version_the_status_is_a_message(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
        let imported = import(&officer, json!({"kind": "procedures", "text": seed()}),
        )
        .await;
        let document = imported["document_id"].as_i64().unwrap();
        let status_path = format!("/policies/{document}/acknowledgements");
        let (status, html) = get_text(&officer, &status_path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("公開中の版がありません"), "{html}");
        let csv = officer.get(&format!("{status_path}.csv")).await;
        assert_eq!(csv.status(), StatusCode::NOT_FOUND);
        let remind = officer.post_form(&format!("{status_path}/remind"), &[]).await;
        assert_eq!(remind.status(), StatusCode::CONFLICT);
        assert!(entries(&server, "policy.remind").await.is_empty());
        assert!(entries(&server, "policy.ack_export").await.is_empty());
        let (status, _) = get_text(&officer, "/policies/999/acknowledgements").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        server.stop().await;
});

fn find_ref<'a>(clauses: &'a Value, reference: &str) -> Option<&'a Value> {
    clauses.as_array()?.iter().find_map(|c| {
        if c["ref"] == reference {
            Some(c)
        } else {
            find_ref(&c["children"], reference)
        }
    })
}

fn every_clause_has_a_ref(clauses: &Value) -> bool {
    clauses.as_array().is_some_and(|all| {
        all.iter()
            .all(|c| c["ref"].is_string() && every_clause_has_a_ref(&c["children"]))
    })
}

backend_test!(async fn the_api_lists_shows_and_refuses_bad_text(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
        let (_, reader) = server.web_as("reader", Role::User).await;
        let (_, contractor) = server.web_as("vendor", Role::Contractor).await;
        let imported = import(&officer, json!({"kind": "basic_policy", "text": seed()}),
        )
        .await;
        let document = imported["document_id"].as_i64().unwrap();
        assert!(imported["clauses"].as_u64().unwrap() > 8);

        // A member sees no draft; the security officer lists it.
        let hidden: Value = reader.get("/api/v1/policies").await.json().await.unwrap();
        assert_eq!(hidden["total"], 0, "a draft is hidden from members");
        let hidden = reader.get(&format!("/api/v1/policies/{document}")).await;
        assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
        let list: Value = officer.get("/api/v1/policies").await
            .json()
            .await
            .unwrap();
        assert_eq!(list["total"], 1);
        let item = &list["items"][0];
        assert_eq!(item["id"], document);
        assert_eq!(item["kind"], "basic_policy");
        assert_eq!(item["title"], "佐久市議会情報セキュリティ基本方針");
        assert_eq!(item["latest_version"], 1);
        assert_eq!(item["latest_status"], "draft");
        assert!(item["published_version_id"].is_null());

        let shown: Value = officer.get(&format!("/api/v1/policies/{document}")).await
            .json()
            .await
            .unwrap();
        assert_eq!(shown["version"]["number"], 1);
        assert_eq!(shown["versions"].as_array().unwrap().len(), 1);
        let clauses = &shown["tree"]["clauses"];
        assert!(every_clause_has_a_ref(clauses));
        assert!(find_ref(clauses, "6(8)").is_some(), "{clauses}");
        assert_eq!(find_ref(clauses, "4(2)ア").unwrap()["label"], "ア");
        for (query, expected) in [
            ("?version=1", StatusCode::OK),
            ("?version=2", StatusCode::NOT_FOUND),
            ("?version=abc", StatusCode::BAD_REQUEST),
        ] {
            let response = officer.get(&format!("/api/v1/policies/{document}{query}")).await;
            assert_eq!(response.status(), expected, "{query}");
        }
        let missing = reader.get("/api/v1/policies/999").await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);

        // Text that is not a policy: refused in the caller's language, nothing written.
        let audit_before = audit::recent(&server.store, 10_000).await.unwrap().len();
        for (text, key) in [
            ("", "policy.error.empty"),
            (
                "この文章には条項の番号がありません。\nただの説明文です。",
                "policy.error.no_clauses",
            ),
        ] {
            let response = officer
                .client
                .post(server.url("/api/v1/policies/import"))
                .header("origin", &server.base)
                .header("accept-language", "en")
                .json(&json!({"kind": "basic_policy", "text": text}))
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{text}"
            );
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], "invalid_policy_text");
            assert_eq!(body["error"]["message"], mamori_app::i18n::EN[key].as_str());
        }
        let japanese = officer.post_json("/api/v1/policies/import",
            &json!({"kind": "basic_policy", "text": ""}),
        )
        .await;
        let body: Value = japanese.json().await.unwrap();
        assert_eq!(
            body["error"]["message"],
            mamori_app::i18n::JA["policy.error.empty"].as_str()
        );
        let bad_kind = officer.post_json("/api/v1/policies/import",
            &json!({"kind": "law", "text": seed()}),
        )
        .await;
        assert_eq!(bad_kind.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let unknown = officer.post_json("/api/v1/policies/999/versions/1/publish",
            &json!({}),
        )
        .await;
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
        assert_eq!(policies::documents(&server.store).await.unwrap().len(), 1);
        assert_eq!(
            policies::versions(&server.store, document)
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            audit::recent(&server.store, 10_000).await.unwrap().len(),
            audit_before
        );

        // Only an approved version is published.
        let version = imported["version_id"].as_i64().unwrap();
        let draft = officer.post_json(&format!("/api/v1/policies/{document}/versions/{version}/publish"),
            &json!({}),
        )
        .await;
        assert_eq!(draft.status(), StatusCode::CONFLICT);
        let body: Value = draft.json().await.unwrap();
        assert_eq!(
            body["error"]["message"],
            mamori_app::i18n::JA["policy.error.not_approved"].as_str()
        );

        // Contractors read nothing here; only the officer imports and publishes.
        let denials = entries(&server, "access.denied").await.len();
        let list = contractor.get("/api/v1/policies").await;
        assert_eq!(list.status(), StatusCode::FORBIDDEN);
        let import_by_reader = reader.post_json("/api/v1/policies/import",
            &json!({"kind": "basic_policy", "text": seed()}),
        )
        .await;
        assert_eq!(import_by_reader.status(), StatusCode::FORBIDDEN);
        let publish_by_reader = reader.post_json(&format!("/api/v1/policies/{document}/versions/{version}/publish"),
            &json!({}),
        )
        .await;
        assert_eq!(publish_by_reader.status(), StatusCode::FORBIDDEN);
        assert_eq!(entries(&server, "access.denied").await.len(), denials + 3);

        // The description lists the new operations.
        let openapi: Value = reqwest::get(server.url("/api/openapi.json"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for path in [
            "/api/v1/policies",
            "/api/v1/policies/{id}",
            "/api/v1/policies/import",
            "/api/v1/policies/{id}/versions/{vid}/publish",
            "/api/v1/policies/{id}/versions/{vid}/acknowledge",
            "/api/v1/policies/{id}/versions/{vid}",
            "/api/v1/policies/{id}/versions/{vid}/approve",
            "/api/v1/policies/{id}/reviews",
            "/api/v1/policies/{id}/acknowledgements",
            "/api/v1/policies/{id}/acknowledgements/remind",
        ] {
            assert!(openapi["paths"][path].is_object(), "{path}");
        }
        server.stop().await;
});

backend_test!(async fn the_api_follows_acknowledgements_and_reminds(backend) {
    let server = TestServer::start(backend).await;
    let p = publish_seed(&server).await;
    let (_, member) = user_of_type(&server, "giin.ichiro", Role::User, UserType::Member).await;
    let (_, auditor) = server.web_as("kansa", Role::Auditor).await;
    let list = format!("/api/v1/policies/{}/acknowledgements", p.document);
    let remind = format!("{list}/remind");

    // Bound: officer, gicho, the member and the auditor, pending first.
    let page = auditor.json(&list).await;
    assert_eq!(page["total"], 4);
    assert_eq!(page["page"], 1);
    assert_eq!(page["per_page"], 50);
    assert_eq!(page["version_id"], p.version);
    assert_eq!(page["acknowledged"], 0);
    assert!(page["last_reminder"].is_null());
    let acked = member
        .post_json(
            &format!("/api/v1{}/acknowledge", p.version_path()),
            &json!({"content_hash": p.hash}),
        )
        .await;
    assert_eq!(acked.status(), StatusCode::CREATED);
    let page = auditor.json(&format!("{list}?per_page=1&page=4")).await;
    assert_eq!(page["items"][0]["login"], "giin.ichiro", "the acknowledged come last");
    assert!(page["items"][0]["acknowledged_at"].is_string());
    assert_eq!(page["items"][0]["user_type"], "member");
    assert_eq!(page["acknowledged"], 1);

    let denials = entries(&server, "access.denied").await.len();
    assert_api_error(member.get(&list).await, 403, "forbidden").await;
    assert_api_error(auditor.post_json(&remind, &json!({})).await, 403, "forbidden").await;
    assert_eq!(entries(&server, "access.denied").await.len(), denials + 2);

    let reminded = p.officer.post_json(&remind, &json!({})).await;
    assert_eq!(reminded.status(), StatusCode::OK);
    let out: Value = reminded.json().await.unwrap();
    assert_eq!(out["recipients"], 3);
    assert_eq!(out["version_id"], p.version);
    assert!(auditor.json(&list).await["last_reminder"].is_string());
    assert_eq!(entries(&server, "policy.remind").await.len(), 1);

    // A document with nothing published: an empty list, and nothing to remind of.
    let draft = import(&p.officer, json!({"kind": "procedures", "text": seed()})).await;
    let other = draft["document_id"].as_i64().unwrap();
    let empty = auditor.json(&format!("/api/v1/policies/{other}/acknowledgements")).await;
    assert_eq!(empty["total"], 0);
    assert!(empty["version_id"].is_null());
    let nothing = p
        .officer
        .post_json(&format!("/api/v1/policies/{other}/acknowledgements/remind"), &json!({}))
        .await;
    assert_api_error(nothing, 409, "not_published").await;
    assert_api_error(auditor.get("/api/v1/policies/999/acknowledgements").await, 404, "not_found").await;
    server.stop().await;
});
