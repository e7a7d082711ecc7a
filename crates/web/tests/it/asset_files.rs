//! The asset register as a file, over real HTTP on both backends: upload, column mapping,
//! preview and confirmation; row errors that stop the whole import; broken files; exports
//! that respect need-to-know; and exports that import again to the same register.

use mamori_app::i18n::JA;
use mamori_domain::user::Role;
use mamori_store::assets::{Filter, Viewer};
use mamori_testkit::{TestServer, Web, backend_test, backends};
use reqwest::StatusCode;

/// A register as an assembly keeps it in Excel, with the words registers use.
pub(crate) const REGISTER: &str = "\
資産名,分類,形態,保有者区分,保有者,管理責任者,保管場所,ネットワーク,機密性,完全性,可用性,保存期間,廃棄予定日,状態,タグ,備考,関連条項\r
本会議録（令和7年）,イ,紙,議会事務局,,,議会事務局 書庫,なし,2,2,1,永年,,使用中,会議録、本会議,,2(3)\r
議員用タブレット端末,ア,電子,議員,sato.giin,system_staff,議員控室,インターネット接続系,2,2,2,任期中,,使用中,貸与端末,\"退任時にデータを消去して返却する。\n受領書と誓約書あり。\",6(4)\r
議会ネットワーク構成図,ウ,電子,議会事務局,jimu.kyoku,,サーバ室,LGWAN接続系,3B,2,2,10年,,使用中,,,6(3)\r
政務活動費収支報告書,イ,両方,議員,佐藤 議員,,議会事務局 キャビネット,なし,機密性2,1,1,5年,令和13年3月31日,保存,政務活動費,,\r
請願者名簿（個人番号を含む）,イ,紙,議会事務局,jimu.kyoku,security_manager,金庫,基幹系,3A,2,1,5年,2031-03-31,保存,請願、個人情報,施錠して保管,6(2)\r
";
const RESTRICTED_NAME: &str = "請願者名簿（個人番号を含む）";

/// Hostile text that must come back exactly as typed, and never run or render.
const HOSTILE: &str = "\
資産名,分類,形態,保有者区分,機密性,完全性,可用性,説明,備考\r
=cmd|' /C calc'!A0,イ,電子,議会事務局,2,2,1,<script>alert(1)</script>,-5 から始まる備考\r
<script>alert(2)</script>,イ,紙,議会事務局,1,1,1,\"引用符 \"\" と, カンマ\",@SUM(A1)\r
";

/// The users the register names, made the same way on every server.
pub(crate) async fn add_people(server: &TestServer) {
    let sato = server.add_user("sato.giin", Role::User).await;
    server.add_user("jimu.kyoku", Role::User).await;
    // Display names are what registers often write instead of login ids.
    let mut tx = server
        .store
        .write(mamori_store::Actor::system("test"))
        .await
        .unwrap();
    mamori_store::users::update(
        &server.store,
        &mut tx,
        sato,
        mamori_store::users::UserChanges {
            display_name: Some("佐藤 議員".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// A multipart body with one file, as a browser sends the upload form.
pub(crate) fn multipart(file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----mamoriAssetBoundary3f9a1c";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub(crate) async fn upload(web: &Web<'_>, file_name: &str, bytes: &[u8]) -> (StatusCode, String) {
    let (content_type, body) = multipart(file_name, bytes);
    let response = web
        .client
        .post(web.server.url("/assets/import"))
        .header("origin", &web.server.base)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

/// Posts the mapping form (names and values as the page gave them).
pub(crate) async fn post(
    web: &Web<'_>,
    path: &str,
    form: &[(String, String)],
) -> (StatusCode, String) {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = web.post_form(path, &form).await;
    (response.status(), response.text().await.unwrap())
}

/// The token and the selected field of every column, as the mapping page sends them.
pub(crate) fn mapping_form(page: &str) -> Vec<(String, String)> {
    let token = regex_lite::Regex::new(r#"name="token" value="([0-9a-f]{64})""#)
        .unwrap()
        .captures(page)
        .unwrap_or_else(|| panic!("no token in:\n{page}"))[1]
        .to_owned();
    let select =
        regex_lite::Regex::new(r#"(?s)<select id="(col\d+)" name="col\d+">(.*?)</select>"#)
            .unwrap();
    let selected = regex_lite::Regex::new(r#"<option value="([a-z_]*)" selected>"#).unwrap();
    let mut form = vec![("token".to_owned(), token)];
    for columns in select.captures_iter(page) {
        let field = selected
            .captures(&columns[2])
            .map(|c| c[1].to_owned())
            .unwrap_or_default();
        form.push((columns[1].to_owned(), field));
    }
    form
}

pub(crate) fn set(form: &mut [(String, String)], name: &str, value: &str) {
    let slot = form.iter_mut().find(|(n, _)| n == name).unwrap();
    slot.1 = value.to_owned();
}

/// Upload, keep the guessed mapping, preview, confirm: the number of assets imported.
pub(crate) async fn import(web: &Web<'_>, name: &str, bytes: &[u8]) {
    let (status, page) = upload(web, name, bytes).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let form = mapping_form(&page);
    let (status, page) = post(web, "/assets/import/preview", &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("/assets/import/confirm"), "{page}");
    let (status, page) = post(web, "/assets/import/confirm", &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(&JA["asset.import.done_title"]), "{page}");
}

pub(crate) async fn count(server: &TestServer) -> i64 {
    mamori_store::assets::count(&server.store, Viewer::everything(), &Filter::default())
        .await
        .unwrap()
}

pub(crate) async fn audit_entries(server: &TestServer, action: &str) -> Vec<serde_json::Value> {
    mamori_store::audit::recent(&server.store, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .map(|e| serde_json::from_str(&e.changes).unwrap())
        .collect()
}

/// The register as comparable text: holders by login, levels by code, in id order.
pub(crate) async fn snapshot(server: &TestServer) -> Vec<String> {
    let scheme = mamori_store::classification::active(&server.store)
        .await
        .unwrap();
    let (users, _) = mamori_store::users::list(&server.store, 1000, 0)
        .await
        .unwrap();
    let login =
        |id: Option<i64>| id.map(|id| users.iter().find(|u| u.id == id).unwrap().login.clone());
    let code = |id: i64| scheme.level(id).unwrap().code.clone();
    let mut out = Vec::new();
    mamori_store::assets::each_batch(
        &server.store,
        Viewer::everything(),
        &Filter::default(),
        |batch| {
            for a in batch {
                // Debug stops at 12-tuples: two of them, on one line.
                out.push(format!(
                    "{:?}, {:?}",
                    (
                        &a.name,
                        &a.description,
                        a.category,
                        a.form,
                        a.holder_type,
                        login(a.holder_id),
                        a.managing_role,
                        &a.location,
                        a.segment,
                    ),
                    (
                        [
                            code(a.confidentiality_id),
                            code(a.integrity_id),
                            code(a.availability_id)
                        ],
                        a.restricted,
                        a.retention,
                        &a.disposal_due,
                        a.status,
                        &a.tags,
                        &a.notes,
                        &a.clauses,
                    )
                ));
            }
            Ok(())
        },
    )
    .await
    .unwrap();
    out
}

pub(crate) async fn export(
    web: &Web<'_>,
    path: &str,
    lang: &str,
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let response = web
        .client
        .get(web.server.url(path))
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    let headers = response.headers().clone();
    (
        response.status(),
        headers,
        response.bytes().await.unwrap().to_vec(),
    )
}

/// A message as it appears in a page: the part before any quote, which HTML escapes.
pub(crate) fn visible(message: &str) -> &str {
    message.split(['"', '\'', '{']).next().unwrap()
}

backend_test!(async fn a_shift_jis_csv_with_japanese_headers_is_imported_in_one_go(backend) {
    let server = TestServer::start(backend).await;
    add_people(&server).await;
    let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
    let (_, admin) = server.web_as("admin", Role::Admin).await;
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(REGISTER);
    assert!(!unmappable);

    let (status, page) = upload(&officer, "情報資産台帳.csv", &bytes).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {page}");
    assert!(page.contains("議員用タブレット端末"), "samples are shown");
    let form = mapping_form(&page);
    assert_eq!(form[1], ("col0".to_owned(), "name".to_owned()));
    assert_eq!(form[9], ("col8".to_owned(), "confidentiality".to_owned()));
    assert_eq!(form.len(), 1 + 17, "every column has a select");

    // Someone else cannot use this upload, not even another editor.
    let (status, page) = post(&admin, "/assets/import/preview", &form).await;
    assert_eq!(status, StatusCode::GONE, "{backend:?}");
    assert!(page.contains(visible(&JA["asset.import.error.expired"])));

    let (status, page) = post(&officer, "/assets/import/preview", &form).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {page}");
    assert!(page.contains("5件を登録する"), "{page}");
    assert_eq!(count(&server).await, 0, "a preview stores nothing");

    let (status, page) = post(&officer, "/assets/import/confirm", &form).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {page}");
    assert!(page.contains(&JA["asset.import.done_title"]));
    assert_eq!(count(&server).await, 5);

    // One audit entry for the whole file, naming it and its SHA-256.
    let entries = audit_entries(&server, "asset.import").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["source"][1], "情報資産台帳.csv");
    assert_eq!(entries[0]["sha256"][1], mamori_store::sha256_hex(&bytes));
    assert_eq!(entries[0]["count"][1], 5);

    let rows = snapshot(&server).await;
    assert!(rows[1].contains("Some(\"sato.giin\")") && rows[1].contains("TermOfOffice"));
    assert!(rows[1].contains("退任時にデータを消去して返却する。\\n受領書と誓約書あり。"));
    assert!(
        rows[3].contains("Some(\"sato.giin\")"),
        "holder by display name"
    );
    assert!(
        rows[3].contains("Some(2031-03-31)"),
        "和暦 date: {}",
        rows[3]
    );
    assert!(
        rows[4].contains("\"3A\"") && rows[4].contains(", true,"),
        "restricted"
    );
    assert!(
        rows[4].contains("[\"請願\", \"個人情報\"]")
            || rows[4].contains("[\"個人情報\", \"請願\"]")
    );

    // A confirmed upload is gone: confirming again imports nothing twice.
    let (status, _) = post(&officer, "/assets/import/confirm", &form).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(count(&server).await, 5);
    server.stop().await;
});

backend_test!(async fn an_xlsx_register_is_imported(backend) {
    let server = TestServer::start(backend).await;
    add_people(&server).await;
    let (_, admin) = server.web_as("admin", Role::Admin).await;
    let headers: Vec<String> = [
        "情報資産名",
        "区分",
        "媒体",
        "保有区分",
        "機密性",
        "完全性",
        "可用性",
        "保存年限",
        "何かの列",
    ]
    .map(String::from)
    .to_vec();
    let rows = vec![
        [
            "委員会記録（令和7年度）",
            "イ",
            "紙",
            "議会事務局",
            "2",
            "2",
            "1",
            "30年",
            "無視される",
        ],
        [
            "議会サーバ",
            "ア",
            "電子",
            "議会事務局",
            "3C",
            "2",
            "2",
            "",
            "",
        ],
        [
            "議会棟 平面図",
            "ウ",
            "紙・電子",
            "職員",
            "機密性1",
            "1",
            "1",
            "永年",
            "",
        ],
    ]
    .into_iter()
    .map(|r| r.map(String::from).to_vec());
    let xlsx = mamori_sheet::write_xlsx("台帳", &headers, rows).unwrap();

    let (status, page) = upload(&admin, "台帳.xlsx", &xlsx).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {page}");
    let form = mapping_form(&page);
    assert_eq!(
        form[9],
        ("col8".to_owned(), String::new()),
        "unknown header ignored"
    );
    import(&admin, "台帳.xlsx", &xlsx).await;
    assert_eq!(count(&server).await, 3);
    let rows = snapshot(&server).await;
    assert!(rows[0].contains("Years { years: 30 }") && rows[0].contains("Information"));
    assert!(rows[2].contains("SystemDocument") && rows[2].contains("Both"));
    server.stop().await;
});

backend_test!(async fn row_errors_are_listed_and_nothing_is_imported(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
    let csv = "\
資産名,分類,形態,保有者区分,機密性,完全性,可用性,廃棄予定日,市販の刊行物\r
会議録,イ,紙,議会事務局,2,2,1,,\r
旧基準の区分,イ,紙,議会事務局,3,2,1,,\r
日付の誤り,イ,紙,議会事務局,2,2,1,2026-02-30,\r
官報（令和7年）,イ,紙,議会事務局,1,1,1,,官報\r
,イ,紙,議会事務局,1,1,1,,\r
";
    let (status, page) = upload(&officer, "errors.csv", csv.as_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let mut form = mapping_form(&page);
    // 「市販の刊行物」 is not a header mamori knows: the person maps it by hand.
    assert_eq!(form[9].1, "");
    set(&mut form, "col8", "publication");

    let (status, page) = post(&officer, "/assets/import/preview", &form).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {page}"
    );
    let errors = page
        .split("id=\"import-errors\"")
        .nth(1)
        .expect("an error table")
        .split("</table>")
        .next()
        .unwrap();
    // Row, field, the value as typed, and the message.
    for (line, field, value, message) in [
        (
            "3",
            "機密性",
            "3",
            visible(&JA["asset.error.unknown_level"]),
        ),
        ("4", "廃棄予定日", "2026-02-30", ""),
        (
            "5",
            "市販の刊行物か",
            "官報",
            visible(&JA["asset.error.publication"]),
        ),
        ("6", "資産名", "", visible(&JA["field.error.required"])),
    ] {
        let row = format!("<tr><td>{line}</td><td>{field}</td><td>{value}</td><td>{message}");
        assert!(errors.contains(&row), "{row} in {errors}");
    }
    assert!(
        !errors.contains("<tr><td>2</td>"),
        "the good row has no error"
    );
    assert!(
        !page.contains("action=\"/assets/import/confirm\""),
        "no Confirm button"
    );

    // Confirming anyway is refused the same way, and writes nothing.
    let (status, _) = post(&officer, "/assets/import/confirm", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&server).await, 0);
    assert!(audit_entries(&server, "asset.import").await.is_empty());

    // Two columns for one field is a mapping problem, not a guess.
    set(&mut form, "col8", "name");
    let (status, page) = post(&officer, "/assets/import/preview", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(visible(&JA["asset.import.error.duplicate_field"])));
    set(&mut form, "col8", "no_such_field");
    let (status, _) = post(&officer, "/assets/import/preview", &form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // With the bad rows fixed in the file, the same person imports all five.
    let fixed = csv
        .replace(",3,2,1,", ",3B,2,1,")
        .replace("2026-02-30", "2026-02-28")
        .replace(",官報\r", ",\r")
        .replace("\r\n,イ", "\r\n名称のあった行,イ");
    import(&officer, "fixed.csv", fixed.as_bytes()).await;
    assert_eq!(count(&server).await, 5);
    server.stop().await;
});

#[tokio::test]
async fn broken_files_are_refused_in_japanese_and_nothing_is_written() {
    let good = mamori_sheet::write_xlsx(
        "台帳",
        &["資産名".to_owned()],
        (0..200).map(|i| vec![format!("資産{i}")]),
    )
    .unwrap();
    let mut ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    ole.resize(4096, 0);
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend((0..=255u8).cycle().take(2000));
    let mut wrong_encoding = b"\xEF\xBB\xBF\xe8\xb3\x87\xe7\x94\xa3\xe5\x90\x8d\r\n".to_vec();
    wrong_encoding.extend_from_slice(b"\x82\xa0\x80\xff\xfe\r\n");
    let many_rows = format!("資産名\r\n{}", "行\r\n".repeat(100_001));
    let long_cell = format!("資産名\r\n{}\r\n", "長".repeat(100_001));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("photo.xlsx", png, "sheet.error.not_a_spreadsheet"),
        (
            "cut.xlsx",
            good[..good.len() / 2].to_vec(),
            "sheet.error.broken_xlsx",
        ),
        ("old.xls", ole, "sheet.error.xls"),
        (
            "quote.csv",
            "資産名,分類\r\n\"閉じていない,イ\r\n".as_bytes().to_vec(),
            "sheet.error.csv",
        ),
        ("empty.csv", Vec::new(), "sheet.error.empty"),
        ("euc.csv", wrong_encoding, "sheet.error.encoding"),
        (
            "many.csv",
            many_rows.into_bytes(),
            "sheet.error.too_many_rows",
        ),
        (
            "long.csv",
            long_cell.into_bytes(),
            "sheet.error.cell_too_long",
        ),
    ];
    for backend in backends() {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
        for (name, bytes, key) in &cases {
            let (status, page) = upload(&officer, name, bytes).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{backend:?} {name}: {page}"
            );
            assert!(
                page.contains(visible(&JA[*key])),
                "{backend:?} {name}: expected {key} in:\n{page}"
            );
            assert!(page.contains("lang=\"ja\""));
        }
        // Larger than the 2 MiB of ordinary forms: the upload route has its own limit.
        let big = format!(
            "資産名,分類,形態,保有者区分,機密性,完全性,可用性,説明\r\n{}",
            "委員会資料,イ,紙,議会事務局,2,2,1,審査資料と議事の記録をまとめたもの。\r\n"
                .repeat(40_000)
        );
        assert!(big.len() > 3 * 1024 * 1024);
        let (status, page) = upload(&officer, "big.csv", big.as_bytes()).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}: {page}");
        assert!(page.contains("40,000"), "the row count is shown");
        // No file chosen at all.
        let boundary = "----mamoriEmpty";
        let response = officer
            .client
            .post(server.url("/assets/import"))
            .header("origin", &server.base)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n\r\n--{boundary}--\r\n"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains(&JA["asset.import.error.no_file"])
        );
        // Not multipart at all.
        let response = officer
            .client
            .post(server.url("/assets/import"))
            .header("origin", &server.base)
            .form(&[("file", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);

        assert_eq!(count(&server).await, 0);
        assert!(audit_entries(&server, "asset.import").await.is_empty());
        server.stop().await;
    }
}

backend_test!(async fn hostile_text_is_kept_as_text_and_oversized_cells_refused(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
    let (status, page) = upload(&officer, "<i>x<i>.csv", HOSTILE.as_bytes()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !page.contains("<script>alert"),
        "escaped on the mapping page"
    );
    assert!(page.contains("&#60;script&#62;alert(2)"));
    assert!(!page.contains("<i>x<i>"), "the file name is escaped too");
    assert!(page.contains("&#60;i&#62;x&#60;i&#62;.csv"));
    let form = mapping_form(&page);
    let (status, page) = post(&officer, "/assets/import/preview", &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains("<script>alert"), "escaped on the preview");
    let (status, _) = post(&officer, "/assets/import/confirm", &form).await;
    assert_eq!(status, StatusCode::OK);
    let rows = snapshot(&server).await;
    assert!(rows[0].starts_with("(\"=cmd|' /C calc'!A0\", \"<script>alert(1)</script>\""));
    assert!(rows[0].contains("\"-5 から始まる備考\""));
    assert!(rows[1].contains("引用符 \\\" と, カンマ") && rows[1].contains("\"@SUM(A1)\""));

    // The CSV export guards formulas, and the register page never runs the script.
    let (status, _, csv) = export(&officer, "/assets/export.csv", "ja").await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains("'=cmd|' /C calc'!A0"), "{csv}");
    assert!(csv.contains("'-5 から始まる備考") && csv.contains("'@SUM(A1)"));

    // A 100 KB cell: read, but no field of an asset is that long.
    let long = format!(
        "資産名,分類,形態,保有者区分,機密性,完全性,可用性,説明\r\n{},イ,紙,議会事務局,2,2,1,{}\r\n",
        "名".repeat(34_000),
        "説".repeat(34_000)
    );
    assert!(long.len() > 200_000);
    let (status, page) = upload(&officer, "long.csv", long.as_bytes()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.len() < 100_000, "samples are shortened");
    let form = mapping_form(&page);
    let (status, page) = post(&officer, "/assets/import/preview", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("<tr><td>2</td><td>資産名</td>"));
    assert!(page.contains("<tr><td>2</td><td>説明</td>"));
    assert!(page.contains(&JA["field.error.too_long"].replace("{max}", "200")));
    assert!(page.contains(&JA["field.error.too_long"].replace("{max}", "10000")));
    assert_eq!(count(&server).await, 2);
    server.stop().await;
});

backend_test!(async fn exports_keep_restricted_assets_from_those_who_may_not_know_them(backend) {
    let server = TestServer::start(backend).await;
    add_people(&server).await;
    let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
    import(&officer, "register.csv", REGISTER.as_bytes()).await;
    let (_, user) = server.web_as("ippan", Role::User).await;
    let (_, auditor) = server.web_as("kansa", Role::Auditor).await;
    let holder = Web {
        server: &server,
        client: server.sign_in("jimu.kyoku").await,
    };

    for path in ["/assets/export.csv", "/assets/export.xlsx"] {
        let (status, _, bytes) = export(&user, path, "ja").await;
        assert_eq!(status, StatusCode::OK, "{backend:?} {path}");
        let table = mamori_sheet::read(&bytes, 1000).unwrap();
        assert_eq!(table.headers[0], "資産番号", "the asset number comes first");
        let names: Vec<&str> = table.rows.iter().map(|r| &r.cells[1]).collect();
        assert_eq!(names.len(), 4, "{backend:?} {path}: {names:?}");
        assert!(!names.contains(&RESTRICTED_NAME), "{path}");
        for client in [&officer, &auditor, &holder] {
            let (_, _, bytes) = export(client, path, "ja").await;
            let table = mamori_sheet::read(&bytes, 1000).unwrap();
            assert!(
                table.rows.iter().any(|r| &r.cells[1] == RESTRICTED_NAME),
                "{path}"
            );
        }
    }
    // Every export is in the audit trail, with what it covered.
    let exports = audit_entries(&server, "asset.export").await;
    assert_eq!(exports.len(), 8);
    assert_eq!(exports.last().unwrap()["count"][1], 4, "the user's first");
    assert_eq!(exports.last().unwrap()["format"][1], "csv");

    // The list page's filters apply; a wrong one is refused before anything leaves.
    let (status, headers, bytes) = export(
        &officer,
        "/assets/export.csv?category=ア&status=in_use",
        "en",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"assets-2"),
        "{disposition}"
    );
    assert!(disposition.contains("filename*=UTF-8''asset-register-"));
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.starts_with("\u{feff}Asset No.,Name,Description,Asset type,"),
        "{text}"
    );
    let table = mamori_sheet::read(text.as_bytes(), 1000).unwrap();
    assert_eq!(table.rows.len(), 1, "{text}");
    assert!(text.contains("議員用タブレット端末,,infrastructure,electronic,member,sato.giin"));
    let (status, _, _) = export(
        &officer,
        "/assets/export.xlsx?confidentiality=9Z",
        "ja",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(audit_entries(&server, "asset.export").await.len(), 9);
    server.stop().await;
});

backend_test!(async fn every_export_imports_again_to_the_same_register(backend) {
    let source = TestServer::start(backend).await;
    add_people(&source).await;
    let (_, officer) = source.web_as("kanri", Role::SecurityOfficer).await;
    import(&officer, "register.csv", REGISTER.as_bytes()).await;
    import(&officer, "hostile.csv", HOSTILE.as_bytes()).await;
    let expected = snapshot(&source).await;
    assert_eq!(expected.len(), 7);

    for (path, lang) in [
        ("/assets/export.xlsx", "ja"),
        ("/assets/export.csv", "ja"),
        ("/assets/export.xlsx", "en"),
        ("/assets/export.csv", "en"),
    ] {
        let (status, _, bytes) = export(&officer, path, lang).await;
        assert_eq!(status, StatusCode::OK);
        let table = mamori_sheet::read(&bytes, 1000).unwrap();
        let (number, name) = if lang == "ja" {
            ("資産番号", "資産名")
        } else {
            ("Asset No.", "Name")
        };
        assert_eq!((&*table.headers[0], &*table.headers[1]), (number, name));
        if lang == "ja" {
            let tablet = &table.rows[1].cells;
            for word in [
                "ア",
                "電子",
                "議員",
                "sato.giin",
                "インターネット接続系",
                "任期中",
                "使用中",
            ] {
                assert!(tablet.iter().any(|c| c == word), "{word} in {tablet:?}");
            }
        }

        let target = TestServer::start(backend).await;
        add_people(&target).await;
        let (_, admin) = target.web_as("admin", Role::Admin).await;
        // The numbers are the source's: another mamori registers the rows as new.
        let name = format!("export-{lang}{}", &path[14..]);
        let (status, page) = upload(&admin, &name, &bytes).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let mut form = mapping_form(&page);
        assert_eq!(form[1], ("col0".to_owned(), "number".to_owned()));
        set(&mut form, "col0", "");
        let (status, page) = post(&admin, "/assets/import/confirm", &form).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page.contains(&JA["asset.import.done_title"]), "{page}");
        assert_eq!(
            snapshot(&target).await,
            expected,
            "{backend:?} {lang} {path}"
        );
        target.stop().await;
    }
    source.stop().await;
});

backend_test!(
    /// The export through the API: the same file as the page's, the list's filters, a
    /// bad filter as a JSON error, and never an asset the caller may not know of.
    async fn the_api_exports_the_register_as_the_page_does(backend) {
        let server = TestServer::start(backend).await;
        add_people(&server).await;
        let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
        import(&officer, "register.csv", REGISTER.as_bytes()).await;
        let (_, user) = server.web_as("ippan", Role::User).await;
        let (status, headers, bytes) = export(&officer, "/api/v1/assets/export.csv", "ja").await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers["content-type"].to_str().unwrap().starts_with("text/csv"));
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains(RESTRICTED_NAME));
        assert!(text.contains("議員用タブレット端末") && text.contains("本会議録（令和7年）"));
        let (status, _, bytes) = export(&user, "/api/v1/assets/export.csv?category=ア", "ja").await;
        assert_eq!(status, StatusCode::OK);
        let text = String::from_utf8(bytes).unwrap();
        assert!(!text.contains(RESTRICTED_NAME));
        assert!(text.contains("議員用タブレット端末"), "the one tablet");
        assert!(!text.contains("本会議録（令和7年）"), "filtered out");
        let (status, _, bytes) = export(&user, "/api/v1/assets/export.xlsx", "en").await;
        assert_eq!(status, StatusCode::OK);
        assert!(bytes.starts_with(b"PK"), "an xlsx is a zip");
        let response = user.get("/api/v1/assets/export.csv?confidentiality=9").await;
        mamori_testkit::assert_api_error(response, 400, "invalid_filter").await;
        assert_eq!(audit_entries(&server, "asset.export").await.len(), 3);
        server.stop().await;
    }
);
