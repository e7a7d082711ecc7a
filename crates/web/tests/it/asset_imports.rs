//! The register's round trip over real HTTP on both backends: an export edited in a
//! spreadsheet updates exactly what changed, the same file twice changes nothing,
//! possible duplicates wait for a choice, an import is undone whole (and refused after
//! a later change), a single asset is withdrawn, and a staged file expires and belongs
//! to its uploader.

use mamori_app::i18n::JA;
use mamori_domain::user::Role;
use mamori_store::assets::{Filter, Viewer};
use mamori_testkit::{TestServer, Web, backend_test, location};
use reqwest::StatusCode;

use super::asset_files::{
    REGISTER, add_people, audit_entries, count, export, import, mapping_form, multipart, post, set,
    snapshot, upload, visible,
};

/// A register as a person edits it in Excel: the header row and each row's cells.
struct Sheet {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// The register's export, read back from the xlsx.
async fn exported(web: &Web<'_>) -> Sheet {
    let (status, _, bytes) = export(web, "/assets/export.xlsx", "ja").await;
    assert_eq!(status, StatusCode::OK);
    let table = mamori_sheet::read(&bytes, 1000).unwrap();
    Sheet {
        headers: table.headers,
        rows: table.rows.iter().map(|r| r.cells.to_vec()).collect(),
    }
}

/// A real workbook, as Excel saves it after an edit.
fn workbook(table: &Sheet) -> Vec<u8> {
    mamori_sheet::write_xlsx("台帳", &table.headers, table.rows.iter().cloned()).unwrap()
}

fn column(table: &Sheet, header: &str) -> usize {
    table.headers.iter().position(|h| h == header).unwrap()
}

/// Upload and preview with the guessed mapping: (status, page, form to confirm with).
async fn preview(
    web: &Web<'_>,
    name: &str,
    bytes: &[u8],
) -> (StatusCode, String, Vec<(String, String)>) {
    let (status, page) = upload(web, name, bytes).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let form = mapping_form(&page);
    let (status, page) = post(web, "/assets/import/preview", &form).await;
    (status, page, form)
}

/// The id of the newest import record, from the list page.
async fn newest_import(web: &Web<'_>) -> i64 {
    let page = web.page("/assets/imports", 200).await;
    let id = regex_lite::Regex::new(r#"href="/assets/imports/(\d+)""#)
        .unwrap()
        .captures(&page)
        .unwrap_or_else(|| panic!("no import in {page}"))[1]
        .to_owned();
    id.parse().unwrap()
}

async fn asset_id(server: &TestServer, name: &str) -> i64 {
    let page = mamori_store::assets::list(
        &server.store,
        Viewer::everything(),
        &Filter::default(),
        mamori_store::assets::Sort::Oldest,
        0,
        100,
    )
    .await
    .unwrap();
    page.assets.iter().find(|a| a.name == name).unwrap().id
}

backend_test!(async fn an_edited_export_changes_one_field_and_the_same_file_twice_nothing(backend) {
    let server = TestServer::start(backend).await;
    add_people(&server).await;
    let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
    import(&officer, "register.csv", REGISTER.as_bytes()).await;
    let before = snapshot(&server).await;
    let mut table = exported(&officer).await;
    assert_eq!(table.headers[0], "資産番号");
    let location = column(&table, "保管場所");
    let tablet = table
        .rows
        .iter()
        .position(|r| r[1] == "議員用タブレット端末")
        .unwrap();
    assert_eq!(table.rows[tablet][location], "議員控室");
    table.rows[tablet][location] = "議員控室 ロッカー".into();
    let edited = workbook(&table);

    let (status, page, form) = preview(&officer, "台帳（編集後）.xlsx", &edited).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {page}");
    assert!(page.contains("保管場所：議員控室 → 議員控室 ロッカー"), "{page}");
    let counts = page.split("id=\"import-counts\"").nth(1).unwrap();
    assert!(counts.contains("<dt>更新</dt><dd>1</dd>"), "{counts}");
    assert!(counts.contains("<dt>変更なし</dt><dd>4</dd>"), "{counts}");
    assert!(counts.contains("<dt>新規</dt><dd>0</dd>"), "{counts}");
    let (status, page) = post(&officer, "/assets/import/confirm", &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("新規登録0件、更新1件、変更なし4件"), "{page}");

    // Exactly one field of one asset changed, and the change is audited as an edit is.
    let after = snapshot(&server).await;
    let differing: Vec<usize> = (0..5).filter(|i| before[*i] != after[*i]).collect();
    assert_eq!(differing, vec![tablet]);
    assert_eq!(
        after[tablet],
        before[tablet].replace("\"議員控室\"", "\"議員控室 ロッカー\"")
    );
    let updates = audit_entries(&server, "asset.update").await;
    assert_eq!(updates.len(), 1, "{updates:?}");
    assert_eq!(updates[0]["location"], serde_json::json!(["議員控室", "議員控室 ロッカー"]));
    assert_eq!(updates[0].as_object().unwrap().len(), 1, "one field: {updates:?}");
    let imports = audit_entries(&server, "asset.import").await;
    assert_eq!(imports.len(), 2);
    assert!(imports.iter().any(|e| e["updated"][1] == 1), "{imports:?}");
    assert_eq!(count(&server).await, 5, "nothing doubled");

    // The same file again: every row unchanged, nothing written, and the page says so.
    let audit_before = mamori_store::audit::recent(&server.store, 10_000).await.unwrap().len();
    let (status, page, form) = preview(&officer, "台帳（編集後）.xlsx", &edited).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&JA["asset.import.nothing_lead"].replace("{count}", "5")), "{page}");
    let (status, page) = post(&officer, "/assets/import/confirm", &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("全5行は台帳と同じ内容でした。何も変更していません。"), "{page}");
    assert_eq!(snapshot(&server).await, after);
    let audit_after = mamori_store::audit::recent(&server.store, 10_000).await.unwrap().len();
    assert_eq!(audit_after, audit_before, "nothing written, not even an audit entry");
    // The staged file is gone once used: sending the form again is refused.
    let (status, _) = post(&officer, "/assets/import/confirm", &form).await;
    assert_eq!(status, StatusCode::GONE);
    server.stop().await;
});

backend_test!(async fn a_classification_change_by_import_needs_and_records_a_reason(backend) {
    let server = TestServer::start(backend).await;
    add_people(&server).await;
    let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
    import(&officer, "register.csv", REGISTER.as_bytes()).await;
    let mut table = exported(&officer).await;
    let confidentiality = column(&table, "機密性");
    assert_eq!(table.rows[0][confidentiality], "2");
    table.rows[0][confidentiality] = "3B".into();
    let (status, page, mut form) = preview(&officer, "reclassify.xlsx", &workbook(&table)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("機密性：2 → 3B"), "{page}");
    assert!(page.contains("name=\"reason\""), "the batch reason is asked");
    let (status, _) = post(&officer, "/assets/import/confirm", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "no reason, no import");
    assert!(audit_entries(&server, "asset.classify").await.is_empty());
    form.push(("reason".into(), "個人情報を含むことが分かったため".into()));
    let (status, page) = post(&officer, "/assets/import/confirm", &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let classified = audit_entries(&server, "asset.classify").await;
    assert_eq!(classified.len(), 1);
    assert_eq!(classified[0]["reason"][1], "個人情報を含むことが分かったため");
    let id = asset_id(&server, "本会議録（令和7年）").await;
    let history = mamori_store::assets::classifications(&server.store, id).await.unwrap();
    assert_eq!(history.len(), 2, "the history keeps both");
    assert_eq!(history[0].reason, "個人情報を含むことが分かったため");
    server.stop().await;
});

backend_test!(async fn a_possible_duplicate_waits_for_a_choice(backend) {
    let server = TestServer::start(backend).await;
    add_people(&server).await;
    let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
    import(&officer, "register.csv", REGISTER.as_bytes()).await;
    // No numbers: the first row has the name and holder of a registered asset.
    let csv = "\
資産名,分類,形態,保有者区分,保有者,保管場所,機密性,完全性,可用性\r
議員用タブレット端末,ア,電子,議員,sato.giin,議員控室 ロッカー,2,2,2\r
議会だより原稿,イ,電子,議会事務局,,,1,1,1\r
";
    let existing = asset_id(&server, "議員用タブレット端末").await;
    let (status, page, mut form) = preview(&officer, "追加分.csv", csv.as_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let choices = page.split("id=\"import-duplicates\"").nth(1).expect("a choice");
    assert!(choices.contains("2行目「議員用タブレット端末」"), "{choices}");
    assert!(choices.contains(&format!("href=\"/assets/{existing}\"")));
    // Without a choice nothing is imported.
    let (status, _) = post(&officer, "/assets/import/confirm", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&server).await, 5);
    // A choice that is not one is refused as such.
    form.push(("dup2".into(), "merge".into()));
    let (status, _) = post(&officer, "/assets/import/confirm", &form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // "Update that asset": the row updates it; the other row is new.
    set(&mut form, "dup2", "update");
    let (status, page) = post(&officer, "/assets/import/confirm", &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("新規登録1件、更新1件"), "{page}");
    assert_eq!(count(&server).await, 6);
    // Audited as a form's registration and edit are: one entry each, naming the import.
    let created = audit_entries(&server, "asset.create").await;
    assert_eq!(created.len(), 6, "five from the register, one now: {created:?}");
    assert!(created.iter().any(|e| e["name"][1] == "議会だより原稿" && e["import"][1].is_i64()));
    assert_eq!(audit_entries(&server, "asset.update").await.len(), 1);
    let tablet = mamori_store::assets::get(&server.store, Viewer::everything(), existing)
        .await
        .unwrap();
    assert_eq!(tablet.location, "議員控室 ロッカー");

    // The same rows with "skip": the duplicate is left out, the rest is unchanged...
    let (_, _, mut form) = preview(&officer, "追加分.csv", csv.as_bytes()).await;
    form.push(("dup3".into(), "create".into()));
    form.push(("dup2".into(), "skip".into()));
    let (status, page) = post(&officer, "/assets/import/confirm", &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // ...and "create anyway" registers a second asset of the same name.
    assert!(page.contains("新規登録1件"), "{page}");
    assert_eq!(count(&server).await, 7);
    server.stop().await;
});

backend_test!(async fn an_import_is_undone_whole_and_refused_after_a_later_change(backend) {
    let server = TestServer::start(backend).await;
    add_people(&server).await;
    let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
    import(&officer, "register.csv", REGISTER.as_bytes()).await;
    let first = newest_import(&officer).await;
    let original = snapshot(&server).await;
    let mut table = exported(&officer).await;
    let notes = column(&table, "備考");
    table.rows[0][notes] = "書庫の棚番号 A-3".into();
    let mut added = table.rows[0].clone();
    added[0] = String::new();
    added[1] = "委員会記録（令和7年）".into();
    table.rows.push(added);
    let (status, page, form) = preview(&officer, "追加と修正.xlsx", &workbook(&table)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (status, page) = post(&officer, "/assets/import/confirm", &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("新規登録1件、更新1件"), "{page}");
    let second = newest_import(&officer).await;
    assert_ne!(first, second);
    assert_eq!(count(&server).await, 6);

    // The record lists what it did; a reason is required to undo it.
    let page = officer.page(&format!("/assets/imports/{second}"), 200).await;
    assert!(page.contains("委員会記録（令和7年）") && page.contains("追加と修正.xlsx"));
    let path = format!("/assets/imports/{second}/undo");
    let response = officer.post_form(&path, &[("reason", "  ")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = officer
        .post_form(&path, &[("reason", "別の版のファイルを取り込んだため")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // The new asset is withdrawn (gone from the count), the update reversed.
    assert_eq!(count(&server).await, 5);
    assert_eq!(snapshot(&server).await, original);
    let withdrawn = mamori_store::assets::count(
        &server.store,
        Viewer::everything(),
        &Filter {
            status: Some(mamori_domain::asset::Status::Withdrawn),
            ..Filter::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(withdrawn, 1);
    assert_eq!(audit_entries(&server, "asset.withdraw").await.len(), 1);
    assert_eq!(audit_entries(&server, "asset.import.undo").await.len(), 1);
    let page = officer.page(&format!("/assets/imports/{second}"), 200).await;
    assert!(page.contains("別の版のファイルを取り込んだため"), "{page}");
    let response = officer.post_form(&path, &[("reason", "もう一度")]).await;
    assert_eq!(response.status(), StatusCode::CONFLICT, "undone once only");

    // A later edit of one of its assets: undoing the first import would lose it.
    let edited = asset_id(&server, "議会ネットワーク構成図").await;
    let response = officer
        .patch_json(
            &format!("/api/v1/assets/{edited}"),
            &serde_json::json!({"location": "サーバ室 ラック2"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    let response = officer
        .post_form(&format!("/assets/imports/{first}/undo"), &[("reason", "誤り")])
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let page = response.text().await.unwrap();
    assert!(page.contains(&format!("{edited}「議会ネットワーク構成図」")), "{page}");
    assert_eq!(count(&server).await, 5, "nothing was undone");
    server.stop().await;
});

backend_test!(async fn a_withdrawn_asset_leaves_lists_counts_and_exports(backend) {
    let server = TestServer::start(backend).await;
    add_people(&server).await;
    let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
    import(&officer, "register.csv", REGISTER.as_bytes()).await;
    let id = asset_id(&server, "議会ネットワーク構成図").await;
    let page = officer.page(&format!("/assets/{id}"), 200).await;
    assert!(page.contains(&format!("href=\"/assets/{id}/withdraw\"")));
    officer.page(&format!("/assets/{id}/withdraw"), 200).await;
    let path = format!("/assets/{id}/withdraw");
    let response = officer.post_form(&path, &[("reason", "")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&server).await, 5);
    let response = officer
        .post_form(&path, &[("reason", "同じ資産を二重に登録したため")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(count(&server).await, 4);
    let list = officer.page("/assets", 200).await;
    assert!(!list.contains("議会ネットワーク構成図"), "gone from the list");
    // A search counts it out too (SQLite counts a bare search in its full-text table).
    let found = officer.json("/api/v1/assets?q=%E6%A7%8B%E6%88%90%E5%9B%B3").await;
    assert_eq!(found["total"], 0, "{found}");
    let list = officer.page("/assets?status=withdrawn", 200).await;
    assert!(list.contains("議会ネットワーク構成図"), "listed under the filter");
    let (_, _, csv) = export(&officer, "/assets/export.csv", "ja").await;
    assert!(!String::from_utf8(csv).unwrap().contains("議会ネットワーク構成図"));
    let page = officer.page(&format!("/assets/{id}"), 200).await;
    assert!(page.contains("id=\"withdrawn-note\""), "its page says so");
    assert!(!page.contains(&format!("href=\"/assets/{id}/edit\"")));
    let entries = audit_entries(&server, "asset.withdraw").await;
    assert_eq!(entries[0]["reason"][1], "同じ資産を二重に登録したため");
    assert_eq!(entries[0]["status"], serde_json::json!(["in_use", "withdrawn"]));
    let response = officer.post_form(&path, &[("reason", "再度")]).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    // A file cannot withdraw: that is the action's, with its reason.
    let csv = format!(
        "資産番号,資産名,分類,形態,保有者区分,機密性,完全性,可用性,状態\r\n{},本会議録（令和7年）,イ,紙,議会事務局,2,2,1,取消済み\r\n",
        asset_id(&server, "本会議録（令和7年）").await
    );
    let (status, page, _) = preview(&officer, "取消.csv", csv.as_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(visible(&JA["asset.error.withdraw_by_action"])));
    // A row naming the withdrawn asset's number is an error, not an update.
    // (An edited export: the other row's number is registered, so the column is mamori's.)
    let other = asset_id(&server, "本会議録（令和7年）").await;
    let csv = format!(
        "資産番号,資産名,分類,形態,保有者区分,機密性,完全性,可用性\r\n{other},本会議録（令和7年）,イ,紙,議会事務局,2,2,1\r\n{id},構成図,ウ,電子,議会事務局,3B,2,2\r\n"
    );
    let (status, page, _) = preview(&officer, "番号.csv", csv.as_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(visible(&JA["asset.import.error.unknown_number"])));
    server.stop().await;
});

backend_test!(async fn a_staged_file_expires_after_a_day_and_is_its_uploaders(backend) {
    let server = TestServer::start(backend).await;
    add_people(&server).await;
    let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
    let (_, admin) = server.web_as("admin", Role::Admin).await;
    let (status, page) = upload(&officer, "register.csv", REGISTER.as_bytes()).await;
    assert_eq!(status, StatusCode::OK);
    let form = mapping_form(&page);
    let token = form[0].1.clone();
    // Another editor cannot open it, not even a page of its preview.
    let (status, page) = post(&admin, "/assets/import/preview", &form).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(page.contains(visible(&JA["asset.import.error.expired"])));
    let response = admin
        .get(&format!("/assets/import/preview?token={token}&page=1"))
        .await;
    assert_eq!(response.status(), StatusCode::GONE);
    // Held in the database, not in the server: a day later it is refused...
    server
        .db
        .execute("UPDATE asset_import_stagings SET created_at = '2026-01-01T00:00:00Z'")
        .await;
    let (status, page) = post(&officer, "/assets/import/confirm", &form).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(page.contains(visible(&JA["asset.import.error.expired"])));
    assert_eq!(count(&server).await, 0);
    // ...and purged by the next upload.
    let (status, page) = upload(&officer, "again.csv", REGISTER.as_bytes()).await;
    assert_eq!(status, StatusCode::OK);
    let mut conn = server.db.raw().await;
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM asset_import_staged_rows")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(left, 5, "only the new file's rows");
    let again = post(&officer, "/assets/import/preview", &mapping_form(&page)).await;
    assert_eq!(again.0, StatusCode::OK, "the new file is there");
    // Three waiting files per person: a fourth upload drops the oldest.
    let again_form = mapping_form(&page);
    for name in ["b.csv", "c.csv", "d.csv"] {
        let (status, _) = upload(&officer, name, REGISTER.as_bytes()).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, _) = post(&officer, "/assets/import/preview", &again_form).await;
    assert_eq!(status, StatusCode::GONE, "the oldest of four was dropped");
    let staged: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM asset_import_stagings")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(staged, 3);
    server.stop().await;
});

backend_test!(
    /// Every step over the API, on the same use cases: upload, mapping, a paged preview,
    /// confirm (refused with the rows named, then imported), the record, undo, withdraw.
    async fn the_api_imports_step_by_step(backend) {
        let server = TestServer::start(backend).await;
        add_people(&server).await;
        let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
        let (_, user) = server.web_as("ippan", Role::User).await;
        let send = |web: &Web<'_>, name: &str, bytes: &[u8]| {
            let (content_type, body) = multipart(name, bytes);
            web.client
                .post(web.server.url("/api/v1/assets/imports"))
                .header("origin", &web.server.base)
                .header("content-type", content_type)
                .body(body)
                .send()
        };
        let response = send(&user, "register.csv", REGISTER.as_bytes()).await.unwrap();
        mamori_testkit::assert_api_error(response, 403, "forbidden").await;
        let response = send(&officer, "register.csv", REGISTER.as_bytes()).await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let staged: serde_json::Value = response.json().await.unwrap();
        let token = staged["token"].as_str().unwrap().to_owned();
        assert_eq!(staged["rows"], 5);
        assert_eq!(staged["mapping"][0], "name");
        let base = format!("/api/v1/assets/imports/staged/{token}");

        // Leave 機密性 unmapped: every row is refused, named by row.
        let mut columns: Vec<serde_json::Value> =
            staged["mapping"].as_array().unwrap().clone();
        columns[8] = serde_json::Value::Null;
        let response = officer
            .send_json(
                reqwest::Method::PUT,
                &format!("{base}/mapping"),
                &serde_json::json!({ "columns": columns }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let preview = officer.json(&format!("{base}/preview?limit=2")).await;
        assert_eq!(preview["counts"]["error_rows"], 5);
        assert_eq!(preview["rows"].as_array().unwrap().len(), 2, "a page");
        assert_eq!(preview["rows"][0]["errors"][0]["field"], "confidentiality");
        let response = officer
            .post_json(&format!("{base}/confirm"), &serde_json::json!({}))
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let refused: serde_json::Value = response.json().await.unwrap();
        assert_eq!(refused["error"]["code"], "validation_failed", "{refused}");
        assert_eq!(count(&server).await, 0);

        columns[8] = "confidentiality".into();
        officer
            .send_json(
                reqwest::Method::PUT,
                &format!("{base}/mapping"),
                &serde_json::json!({ "columns": columns }),
            )
            .await;
        let preview = officer.json(&format!("{base}/preview")).await;
        assert_eq!(preview["ready"], true, "{preview}");
        assert_eq!(preview["counts"]["new"], 5);
        assert!(preview["own_numbers"].is_null(), "no number column to ask about");
        // An answer that is none of the choices is refused, and imports nothing.
        let response = officer
            .post_json(
                &format!("{base}/confirm"),
                &serde_json::json!({ "own_numbers": "guess" }),
            )
            .await;
        mamori_testkit::assert_api_error(response, 400, "invalid_choice").await;
        assert_eq!(count(&server).await, 0);
        let response = officer
            .post_json(&format!("{base}/confirm"), &serde_json::json!({}))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let done: serde_json::Value = response.json().await.unwrap();
        assert_eq!(done["result"], "imported");
        assert_eq!(done["created"], 5);
        let id = done["import_id"].as_i64().unwrap();
        let response = officer
            .post_json(&format!("{base}/confirm"), &serde_json::json!({}))
            .await;
        mamori_testkit::assert_api_error(response, 410, "import_expired").await;
        assert_eq!(count(&server).await, 5, "a staged file imports once");

        let list = officer.json("/api/v1/assets/imports").await;
        assert_eq!(list["total"], 1);
        let record = officer.json(&format!("/api/v1/assets/imports/{id}")).await;
        assert_eq!(record["assets"].as_array().unwrap().len(), 5);
        let first = record["assets"][0]["asset_id"].as_i64().unwrap();

        // Withdraw one asset, then undo the import: refused, that asset changed since.
        let response = officer
            .post_json(
                &format!("/api/v1/assets/{first}/withdraw"),
                &serde_json::json!({ "reason": "" }),
            )
            .await;
        mamori_testkit::assert_api_error(response, 422, "validation_failed").await;
        let response = officer
            .post_json(
                &format!("/api/v1/assets/{first}/withdraw"),
                &serde_json::json!({ "reason": "二重登録" }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(count(&server).await, 4);
        let response = officer
            .post_json(
                &format!("/api/v1/assets/imports/{id}/undo"),
                &serde_json::json!({ "reason": "誤った取り込み" }),
            )
            .await;
        mamori_testkit::assert_api_error(response, 409, "changed_since_import").await;
        assert_eq!(count(&server).await, 4);
        server.stop().await;
    }
);

/// The value-mapping selects of a preview page: (index, field, value as written).
fn value_rows(page: &str) -> Vec<(String, String, String)> {
    let field = regex_lite::Regex::new(r#"name="vf(\d+)" value="([a-z_]+)""#).unwrap();
    let value = regex_lite::Regex::new(r#"name="vv(\d+)" value="([^"]*)""#).unwrap();
    field
        .captures_iter(page)
        .zip(value.captures_iter(page))
        .map(|(f, v)| {
            assert_eq!(f[1], v[1]);
            (f[1].to_owned(), f[2].to_owned(), v[2].to_owned())
        })
        .collect()
}

/// A register in the common sample format: levels written 高/中/低.
const HIGH_MIDDLE_LOW: &str = "\
資産名,分類,形態,保有者区分,機密性,完全性,可用性\r
議員名簿（連絡先入り）,イ,電子,議会事務局,高,高,中\r
会議録（公開分）,イ,紙,議会事務局,低,中,低\r
議会だより原稿,その他,電子,議会事務局,中,低,低\r
";

backend_test!(async fn high_middle_low_levels_are_mapped_by_the_person_and_remembered(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
    let (status, page, mut form) =
        preview(&officer, "高中低台帳.csv", HIGH_MIDDLE_LOW.as_bytes()).await;
    // Nothing is guessed: every row is refused until the values are explained.
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    let section = page.split("id=\"import-values\"").nth(1).expect("a value step");
    assert!(section.contains("<td>高</td><td>1</td>"), "{section}");
    let rows = value_rows(&page);
    let listed: Vec<(&str, &str)> = rows.iter().map(|(_, f, v)| (f.as_str(), v.as_str())).collect();
    assert_eq!(
        listed,
        vec![
            ("category", "その他"),
            ("confidentiality", "高"),
            ("confidentiality", "低"),
            ("confidentiality", "中"),
            ("integrity", "高"),
            ("integrity", "中"),
            ("integrity", "低"),
            ("availability", "中"),
            ("availability", "低"),
        ]
    );
    // "Leave empty" is offered only where a field may be empty (not for a level).
    assert!(!section.contains("value=\"empty\""), "{section}");
    let meaning = |field: &str, value: &str| match (field, value) {
        ("category", _) => "refuse",
        ("confidentiality", "高") => "value:3B",
        ("confidentiality", "中") | ("integrity", "高") | ("availability", "中") => "value:2",
        _ => "value:1",
    };
    for (n, field, value) in &rows {
        form.push((format!("vf{n}"), field.clone()));
        form.push((format!("vv{n}"), value.clone()));
        form.push((format!("vm{n}"), meaning(field, value).to_owned()));
    }
    // The refused value keeps its rows out, said as such.
    let (status, page) = post(&officer, "/assets/import/preview", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("<tr><td>4</td><td>資産の種別</td><td>その他</td>"), "{page}");
    assert!(page.contains("「その他」の行は取り込まないと指定されています。"));
    // A meaning the field does not have is refused, not stored.
    let bad: Vec<(String, String)> = form
        .iter()
        .map(|(k, v)| (k.clone(), if v == "refuse" { "value:9Z".into() } else { v.clone() }))
        .collect();
    let (status, _) = post(&officer, "/assets/import/preview", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // その他 means イ: all three rows are assets now.
    let fixed: Vec<(String, String)> = form
        .iter()
        .map(|(k, v)| (k.clone(), if v == "refuse" { "value:information".into() } else { v.clone() }))
        .collect();
    let (status, page) = post(&officer, "/assets/import/preview", &fixed).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // Saved under a name for the next file with these headers.
    let token = form[0].1.clone();
    let response = officer
        .post_form("/assets/import/profiles", &[("token", &token), ("name", "高中低の台帳")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // Back on the preview, which says the mapping was saved.
    let saved = officer.page(&location(&response), 200).await;
    assert!(saved.contains("id=\"import-notice\""), "{saved}");
    assert!(saved.contains(visible(&JA["asset.import.profile_saved"])));
    let (status, page) = post(&officer, "/assets/import/confirm", &form[..1]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let rows = snapshot(&server).await;
    assert!(rows[0].contains("[\"3B\", \"2\", \"2\"]"), "{}", rows[0]);
    assert!(rows[1].contains("[\"1\", \"1\", \"1\"]"), "{}", rows[1]);
    assert!(rows[2].contains("Information") && rows[2].contains("[\"2\", \"1\", \"1\"]"));

    // The next file with the same headers: the mapping is offered again, applied.
    let next = "\
資産名,分類,形態,保有者区分,機密性,完全性,可用性\r
委員会資料,その他,紙,議会事務局,中,中,中\r
";
    let (status, page) = upload(&officer, "翌年度.csv", next.as_bytes()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"profile-applied\"") && page.contains("高中低の台帳"));
    let form = mapping_form(&page);
    let (status, page) = post(&officer, "/assets/import/preview", &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (status, page) = post(&officer, "/assets/import/confirm", &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(count(&server).await, 4);
    let profiles = officer.json("/api/v1/assets/import-profiles").await;
    assert_eq!(profiles[0]["name"], "高中低の台帳");
    let id = profiles[0]["id"].as_i64().unwrap();
    // Listed on the import page, and deleted from there.
    let page = officer.page("/assets/import", 200).await;
    assert!(page.contains(&format!("/assets/import/profiles/{id}/delete")));
    let response = officer
        .post_form(&format!("/assets/import/profiles/{id}/delete"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let profiles = officer.json("/api/v1/assets/import-profiles").await;
    assert_eq!(profiles, serde_json::json!([]));
    let (_, page) = upload(&officer, "翌年度.csv", next.as_bytes()).await;
    assert!(!page.contains("id=\"profile-applied\""));
    server.stop().await;
});
