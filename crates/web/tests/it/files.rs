//! The file store over real HTTP on both backends: attaching to assets and risks through
//! the pages and the API (Japanese names, revisions, expiry, removal with a reason), the
//! type read from the content whatever the name, the size limit enforced while the
//! upload arrives, a restricted asset's files hidden from those who may not see it, and
//! the record of who opened what.

use std::io::Write;

use mamori_domain::user::Role;
use mamori_testkit::fixtures_files::{audit_changes, pdf, shift_jis_csv};
use mamori_testkit::{
    TestServer, Web, assert_api_error, backend_test, fixtures_assets, fixtures_risks, location,
};
use serde_json::{Value, json};
use sqlx::Row;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A Word document as an archive: the parts Word writes, the text in word/document.xml.
fn docx(text: &str) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default();
    for (name, body) in [
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>".to_owned(),
        ),
        ("_rels/.rels", "<?xml version=\"1.0\"?><Relationships/>".to_owned()),
        (
            "word/document.xml",
            format!("<?xml version=\"1.0\"?><w:document><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"),
        ),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

/// Uploads through the API: fields and one file; the JSON answer and its status.
async fn api_upload(
    web: &Web<'_>,
    path: &str,
    purpose: &str,
    name: &str,
    bytes: &[u8],
) -> (u16, Value) {
    let response = web
        .post_multipart(path, &[("purpose", purpose)], Some((name, bytes)))
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn count(server: &TestServer, table: &str) -> i64 {
    let mut raw = server.db.raw().await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM {table}"
    )))
    .fetch_one(&mut raw)
    .await
    .unwrap()
    .get::<i64, _>("n")
}

async fn body_of(web: &Web<'_>, path: &str) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let response = web.get(path).await;
    assert_eq!(response.status().as_u16(), 200, "GET {path}");
    let headers = response.headers().clone();
    (headers, response.bytes().await.unwrap().to_vec())
}

backend_test!(
    async fn an_asset_keeps_its_files_their_revisions_and_removals(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
        let (_, member) = server.web_as("sato.giin", Role::User).await;
        let asset = fixtures_risks::asset(&officer, "議員用タブレット端末").await;
        let first = pdf("Pledge 2025");
        let response = officer
            .post_multipart(
                &format!("/assets/{asset}/files"),
                &[("title", ""), ("purpose", "pledge"), ("expires_on", "令和8年3月31日")],
                Some(("誓約書（佐藤議員）.pdf", &first)),
            )
            .await;
        assert_eq!(location(&response), format!("/assets/{asset}#files"));

        // Everyone who reads the asset sees the file, flagged once its expiry has passed.
        let page = member.page(&format!("/assets/{asset}"), 200).await;
        assert!(page.contains("誓約書（佐藤議員）.pdf"), "{page}");
        assert!(page.contains("誓約書（スキャン）"));
        assert!(page.contains("有効期限切れ"));
        assert!(!page.contains("ファイルを添付する"), "no upload form for a reader");
        // Expired evidence waits on the home page of those who may replace it.
        let home = officer.page("/", 200).await;
        assert!(home.contains("有効期限の切れた証跡"), "{home}");
        assert!(home.contains("誓約書（佐藤議員）.pdf</a>（議員用タブレット端末）"), "{home}");
        assert!(!member.page("/", 200).await.contains("有効期限の切れた証跡"));
        let listed = member.json(&format!("/api/v1/assets/{asset}/files")).await;
        let file = &listed[0];
        let id = file["id"].as_i64().unwrap();
        assert_eq!(file["title"], "誓約書（佐藤議員）.pdf");
        assert_eq!(file["purpose"], "pledge");
        assert_eq!(file["expires_on"], "2026-03-31");
        assert_eq!(file["expired"], true);
        assert_eq!(file["latest"]["media_type"], "application/pdf");
        assert_eq!(file["latest"]["size"], first.len());
        assert_eq!(file["latest"]["sha256"], mamori_app::sha256_hex(&first));

        // The download is an attachment, never sniffed, named in Japanese for RFC 5987.
        let (headers, bytes) = body_of(&member, &format!("/files/{id}/download")).await;
        assert_eq!(bytes, first);
        assert_eq!(headers["content-type"], "application/pdf");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        let disposition = headers["content-disposition"].to_str().unwrap();
        assert!(disposition.starts_with("attachment; filename=\""), "{disposition}");
        assert!(
            disposition.contains("filename*=UTF-8''%E8%AA%93%E7%B4%84%E6%9B%B8"),
            "{disposition}"
        );

        // A new upload to the same attachment is its second revision; the first stays.
        let second = pdf("Pledge 2026");
        let response = officer
            .post_multipart(
                &format!("/files/{id}/revisions"),
                &[],
                Some(("誓約書（佐藤議員）令和8年度.pdf", &second)),
            )
            .await;
        assert_eq!(location(&response), format!("/files/{id}?saved=1"));
        let shown = officer.page(&format!("/files/{id}?saved=1"), 200).await;
        assert!(shown.contains("新しい版を登録しました"));
        let detail = member.json(&format!("/api/v1/files/{id}")).await;
        assert_eq!(detail["latest"]["revision"], 2);
        assert_eq!(detail["revisions"].as_array().unwrap().len(), 2);
        assert_eq!(detail["revisions"][1]["file_name"], "誓約書（佐藤議員）.pdf");
        let (_, old) = body_of(&member, &format!("/files/{id}/revisions/1/download")).await;
        assert_eq!(old, first);
        let (_, new) = body_of(&member, &format!("/api/v1/files/{id}/content")).await;
        assert_eq!(new, second);
        let refused = member
            .post_multipart(&format!("/files/{id}/revisions"), &[], Some(("x.pdf", &second)))
            .await;
        assert_eq!(refused.status().as_u16(), 403);

        // Removal needs a reason; the file leaves the record's list but not the store.
        let response = officer
            .post_form(&format!("/files/{id}/remove"), &[("reason", "  ")])
            .await;
        assert_eq!(response.status().as_u16(), 422);
        assert!(response.text().await.unwrap().contains("取り外す理由"));
        let response = officer
            .post_form(
                &format!("/files/{id}/remove"),
                &[("reason", "別の議員の誓約書を誤って添付したため")],
            )
            .await;
        assert_eq!(location(&response), format!("/assets/{asset}#files"));
        let page = member.page(&format!("/assets/{asset}"), 200).await;
        assert!(!page.contains("誓約書（佐藤議員）"), "removed files are not listed");
        member.page(&format!("/files/{id}"), 404).await;
        let page = officer.page(&format!("/assets/{asset}"), 200).await;
        assert!(page.contains("取り外し済み") && page.contains("誤って添付したため"));
        let again = officer
            .post_json(&format!("/api/v1/files/{id}/remove"), &json!({"reason": "重複"}))
            .await;
        assert_api_error(again, 409, "attachment_removed").await;
        assert_eq!(count(&server, "file_chunks").await, 2, "both revisions kept");

        // The audit trail names who attached, revised and removed what.
        let attached = audit_changes(&server, "file.attach", "asset", asset).await;
        assert_eq!(attached.len(), 1);
        assert_eq!(attached[0]["sha256"][1], mamori_app::sha256_hex(&first));
        assert_eq!(attached[0]["size"][1], first.len());
        assert_eq!(attached[0]["file_name"][1], "誓約書（佐藤議員）.pdf");
        let revised = audit_changes(&server, "file.revise", "asset", asset).await;
        assert_eq!(revised[0]["previous_sha256"][1], mamori_app::sha256_hex(&first));
        assert_eq!(revised[0]["sha256"][1], mamori_app::sha256_hex(&second));
        let removed = audit_changes(&server, "file.remove", "asset", asset).await;
        assert_eq!(removed[0]["reason"][1], "別の議員の誓約書を誤って添付したため");

        // A form without a file, or with a wrong kind and date, comes back as typed.
        let response = officer
            .post_multipart(
                &format!("/assets/{asset}/files"),
                &[("title", "研修資料"), ("purpose", "secret"), ("expires_on", "令和8年2月30日")],
                None,
            )
            .await;
        assert_eq!(response.status().as_u16(), 422);
        let page = response.text().await.unwrap();
        assert!(page.contains("ファイルを選んでください"), "{page}");
        assert!(page.contains("value=\"研修資料\""));
        assert!(page.contains("令和8年2月30日"));
        assert_eq!(count(&server, "attachments").await, 1);
    }
);

backend_test!(
    async fn the_type_comes_from_the_content_and_equal_content_is_stored_once(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
        let (_, member) = server.web_as("sato.giin", Role::User).await;
        let (_, auditor) = server.web_as("kansa", Role::Auditor).await;
        let threat = fixtures_risks::threat_id(&server, "地震").await;
        let asset = fixtures_risks::asset(&officer, "サーバ室").await;
        let risk = fixtures_risks::risk(&officer, "サーバ室の浸水", threat, asset).await;
        let path = format!("/api/v1/risks/{risk}/files");
        let report = pdf("Flood drill");
        for (name, bytes, expected) in [
            ("研修記録.pdf", shift_jis_csv(), "text/csv"),
            ("readme.txt", report.clone(), "application/pdf"),
            ("手順書.bin", docx("浸水時の手順"), DOCX),
            (
                "page.html",
                b"<html><script>alert(1)</script></html>".to_vec(),
                "text/plain",
            ),
            ("写し.pdf", report.clone(), "application/pdf"),
        ] {
            let (status, body) = api_upload(&officer, &path, "evidence", name, &bytes).await;
            assert_eq!(status, 201, "{name}: {body}");
            assert_eq!(body["latest"]["media_type"], expected, "{name}");
            assert_eq!(body["latest"]["file_name"], name);
            assert_eq!(body["record_kind"], "risk");
        }
        assert_eq!(count(&server, "attachments").await, 5);
        assert_eq!(count(&server, "file_blobs").await, 4, "the copy is stored once");

        // Uploaded HTML downloads as text, as an attachment: it never runs as our page.
        let listed = auditor.json(&path).await;
        let html = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["title"] == "page.html")
            .unwrap();
        let (headers, _) = body_of(&auditor, html["latest"]["content_url"].as_str().unwrap()).await;
        assert_eq!(headers["content-type"], "text/plain");
        assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment"));

        // Risks are not for members: neither their files.
        assert_api_error(member.get(&path).await, 403, "forbidden").await;
        let id = html["id"].as_i64().unwrap();
        assert_api_error(member.get(&format!("/api/v1/files/{id}")).await, 403, "forbidden")
            .await;
        assert_eq!(member.get(&format!("/files/{id}/download")).await.status().as_u16(), 403);

        let (status, body) = api_upload(&officer, &path, "secret", "x.pdf", &report).await;
        assert_eq!(status, 422);
        assert_eq!(body["error"]["code"], "validation_failed");
        let response = officer
            .post_multipart(&path, &[("purpose", "evidence")], None)
            .await;
        let error = assert_api_error(response, 422, "validation_failed").await;
        assert!(error["message"].as_str().unwrap().contains("ファイル"));
        let response = auditor
            .post_multipart(&path, &[("purpose", "evidence")], Some(("x.pdf", &report)))
            .await;
        assert_api_error(response, 403, "forbidden").await;
        assert_eq!(count(&server, "attachments").await, 5);
    }
);

backend_test!(
    async fn an_upload_over_the_limit_is_refused_while_it_arrives(backend) {
        let server =
            TestServer::start_configured(backend, |c| c.max_file_bytes = 1024 * 1024).await;
        let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
        let asset = fixtures_risks::asset(&officer, "議会ネットワーク構成図").await;
        let path = format!("/api/v1/assets/{asset}/files");
        let big = vec![b'x'; 3 * 1024 * 1024];
        let response = officer
            .post_multipart(&path, &[("purpose", "evidence")], Some(("構成図.pdf", &big)))
            .await;
        let error = assert_api_error(response, 413, "payload_too_large").await;
        assert!(error["message"].as_str().unwrap().contains("1 MB"), "{error}");
        let response = officer
            .post_multipart(
                &format!("/assets/{asset}/files"),
                &[("purpose", "evidence")],
                Some(("構成図.pdf", &big)),
            )
            .await;
        assert_eq!(response.status().as_u16(), 413);
        assert!(response.text().await.unwrap().contains("1 MB"));
        // Nothing was written, and nothing is left in the spool.
        assert_eq!(count(&server, "attachments").await, 0);
        assert_eq!(count(&server, "file_blobs").await, 0);
        let spool = server.state.config.upload_dir();
        let left = std::fs::read_dir(&spool).map(|d| d.count()).unwrap_or(0);
        assert_eq!(left, 0, "spool files left in {}", spool.display());
        // A file of exactly the limit is accepted.
        let exact = vec![b'y'; 1024 * 1024];
        let (status, body) = api_upload(&officer, &path, "evidence", "ちょうど.txt", &exact).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["latest"]["size"], 1024 * 1024);
    }
);

backend_test!(
    async fn a_restricted_assets_files_are_hidden_and_every_opening_is_recorded(backend) {
        let server = TestServer::start(backend).await;
        let (holder_id, holder) = server.web_as("sato.giin", Role::User).await;
        let (_, other) = server.web_as("suzuki.giin", Role::User).await;
        let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
        let (_, auditor) = server.web_as("kansa", Role::Auditor).await;
        let asset = fixtures_assets::classified_asset(&server, "請願者名簿", holder_id)
            .await
            .id;
        let open = fixtures_assets::asset(&server, "議会だより原稿", ["2", "2", "2"], None)
            .await
            .id;
        let (status, body) = api_upload(
            &officer,
            &format!("/api/v1/assets/{asset}/files"),
            "evidence",
            "名簿.csv",
            "氏名,住所\r\n佐藤 一郎,佐久市\r\n".as_bytes(),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let id = body["id"].as_i64().unwrap();

        // Someone who may not see the asset learns nothing of it or its files.
        for path in [
            format!("/assets/{asset}"),
            format!("/api/v1/assets/{asset}/files"),
            format!("/files/{id}"),
            format!("/files/{id}/download"),
            format!("/files/{id}/revisions/1/download"),
            format!("/api/v1/files/{id}"),
            format!("/api/v1/files/{id}/content"),
        ] {
            assert_eq!(other.get(&path).await.status().as_u16(), 404, "{path}");
        }

        // Its holder opens it three ways; each opening is recorded.
        holder.page(&format!("/assets/{asset}"), 200).await;
        holder.json(&format!("/api/v1/assets/{asset}")).await;
        let (_, bytes) = body_of(&holder, &format!("/files/{id}/download")).await;
        assert!(bytes.starts_with("氏名".as_bytes()));
        other.page(&format!("/assets/{open}"), 200).await;

        let views = auditor
            .json(&format!("/api/v1/audit/views?record_kind=asset&record_id={asset}"))
            .await;
        assert_eq!(views["total"], 3, "{views}");
        let mut via: Vec<&str> = views["views"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                assert_eq!(v["login"], "sato.giin");
                v["via"].as_str().unwrap()
            })
            .collect();
        via.sort();
        assert_eq!(via, ["api", "page", &format!("page:file:{id}/1")]);
        let opened = auditor.json(&format!("/api/v1/audit/views?record_kind=asset&record_id={open}")).await;
        assert_eq!(opened["total"], 0, "an ordinary asset's opening is not recorded");
        let by_person = auditor.json("/api/v1/audit/views?login=sato.giin").await;
        assert_eq!(by_person["total"], 3);
        let by_other = auditor.json("/api/v1/audit/views?login=suzuki.giin").await;
        assert_eq!(by_other["total"], 0);
        let later = auditor.json("/api/v1/audit/views?from=2099-01-01").await;
        assert_eq!(later["total"], 0);
        let today = auditor
            .json(&format!("/api/v1/audit/views?from={}", mamori_app::today()))
            .await;
        assert_eq!(today["total"], 3);
        let page = auditor
            .page(&format!("/audit/views?record_kind=asset&record_id={asset}"), 200)
            .await;
        assert!(page.contains("sato.giin") && page.contains("3件"), "{page}");
        let bad = auditor.get("/api/v1/audit/views?record_kind=asset").await;
        assert_api_error(bad, 400, "invalid_filter").await;
        assert_api_error(holder.get("/api/v1/audit/views").await, 403, "forbidden").await;
        assert_eq!(holder.get("/audit/views").await.status().as_u16(), 403);
    }
);

backend_test!(
    async fn an_asset_holding_personal_information_records_who_opened_it(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
        let (_, member) = server.web_as("suzuki.giin", Role::User).await;
        let (_, auditor) = server.web_as("kansa", Role::Auditor).await;
        let created = officer
            .post_json(
                "/api/v1/assets",
                &json!({
                    "name": "政務活動費収支報告書（令和7年度）",
                    "category": "information",
                    "form": "paper",
                    "holder_type": "secretariat",
                    "confidentiality": "2",
                    "integrity": "2",
                    "availability": "1",
                    "personal_info": "あり",
                }),
            )
            .await;
        assert_eq!(created.status().as_u16(), 201);
        let created: Value = created.json().await.unwrap();
        assert_eq!(created["holds_personal_info"], true);
        let id = created["id"].as_i64().unwrap();
        let bad = officer
            .patch_json(&format!("/api/v1/assets/{id}"), &json!({"personal_info": "たぶん"}))
            .await;
        let error = assert_api_error(bad, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "personal_info");

        // Not restricted, so a member reads it; each opening is recorded.
        let page = member.page(&format!("/assets/{id}"), 200).await;
        assert!(page.contains("個人情報の有無"), "{page}");
        member.json(&format!("/api/v1/assets/{id}")).await;
        let views = auditor
            .json(&format!("/api/v1/audit/views?record_kind=asset&record_id={id}"))
            .await;
        assert_eq!(views["total"], 2, "{views}");
        assert_eq!(views["views"][0]["login"], "suzuki.giin");

        // The export writes the column, and the form offers the choice.
        let csv = officer.get("/assets/export.csv").await.text().await.unwrap();
        let mut lines = csv.trim_start_matches('\u{feff}').lines();
        let header = lines.next().unwrap();
        assert!(header.ends_with("個人情報の有無"), "{header}");
        assert!(lines.next().unwrap().ends_with(",あり"));
        let form = officer.page(&format!("/assets/{id}/edit"), 200).await;
        assert!(form.contains("<option value=\"yes\" selected>"), "{form}");

        // Marked as holding none, opening it is no longer recorded.
        let changed = officer
            .patch_json(&format!("/api/v1/assets/{id}"), &json!({"personal_info": "なし"}))
            .await;
        assert_eq!(changed.status().as_u16(), 200);
        member.page(&format!("/assets/{id}"), 200).await;
        let views = auditor
            .json(&format!("/api/v1/audit/views?record_kind=asset&record_id={id}"))
            .await;
        assert_eq!(views["total"], 2);
        let changes = audit_changes(&server, "asset.update", "asset", id).await;
        assert_eq!(changes.last().unwrap()["holds_personal_info"], json!([true, false]));
    }
);
