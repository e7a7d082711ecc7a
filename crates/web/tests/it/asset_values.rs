//! Registers as people write them, over real HTTP on both backends: a Shift_JIS register
//! with the retention periods (保存期間) real registers hold, imported with the text kept;
//! free retention text on the form and the API, with a proposed disposal date; and the
//! import template (.xlsx with drop-down lists and a guide, and CSV), which is refused
//! with its own message when sent back untouched.

use std::io::{Cursor, Read};

use mamori_app::i18n::{EN, JA};
use mamori_domain::asset::fiscal_year;
use mamori_domain::user::Role;
use mamori_store::assets::{Filter, Viewer};
use mamori_testkit::{TestServer, Web, backend_test, location};
use reqwest::StatusCode;

use crate::asset_files::{add_people, count, mapping_form, post, upload, visible};

/// A 25-row register saved by Excel as CSV (Shift_JIS) with the headers of a sample
/// register: No., 資産の種類, 所有者, 保存場所, levels with their scale in brackets.
const SJIS_REGISTER: &[u8] = include_bytes!("../data/values_register_sjis.csv");

/// Every asset's name with its 保存期間 as stored and the kind it was read as.
async fn retentions(server: &TestServer) -> Vec<(String, String, Option<String>)> {
    let mut out = Vec::new();
    mamori_store::assets::each_batch(
        &server.store,
        Viewer::everything(),
        &Filter::default(),
        |batch| {
            for a in batch {
                let retention = a.retention.clone().unwrap();
                out.push((
                    a.name.clone(),
                    retention.text,
                    retention.reading.map(|r| r.kind().to_owned()),
                ));
            }
            Ok(())
        },
    )
    .await
    .unwrap();
    out
}

backend_test!(async fn a_shift_jis_register_with_every_retention_form_imports_as_written(backend) {
    let server = TestServer::start(backend).await;
    add_people(&server).await;
    let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;

    let (status, page) = upload(&officer, "情報資産台帳（様式）.csv", SJIS_REGISTER).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {page}");
    let form = mapping_form(&page);
    let fields: Vec<&str> = form[1..].iter().map(|(_, f)| f.as_str()).collect();
    assert_eq!(
        fields,
        [
            // No. is read as an asset number; the preview finds it is the register's own.
            "number",
            "name",
            "category",
            "form",
            "holder_type",
            "holder",
            "location",
            "confidentiality",
            "integrity",
            "availability",
            "retention",
            "status",
            "notes"
        ],
        "headers 資産の種類, 所有者, 保存場所, 機密性(…) and メモ are recognised"
    );

    let (status, page) = post(&officer, "/assets/import/preview", &form).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {page}");
    assert!(page.contains("25件を登録する"), "{page}");
    // The two texts no reading fits are notes with their rows, not errors.
    assert!(!page.contains("id=\"import-errors\""), "{page}");
    let notes = page.split("id=\"import-notes\"").nth(1).unwrap();
    let notes = notes.split("</table>").next().unwrap();
    assert_eq!(notes.matches("<tr><td>").count(), 2, "{notes}");
    assert!(notes.contains("<tr><td>24</td><td>保存期間</td>") && notes.contains("事業完了後3年"));
    assert!(notes.contains("<tr><td>25</td><td>保存期間</td>") && notes.contains("必要な間"));
    assert_eq!(count(&server).await, 0, "a preview stores nothing");

    // None of its numbers is a registered asset: the register's own numbering, asked
    // about rather than refused row by row.
    assert!(page.contains("id=\"import-own-numbers\""), "{page}");
    assert!(page.contains("「No.」の列の番号（25行）"), "{page}");
    let (status, page) = post(&officer, "/assets/import/confirm", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "unanswered: {page}");
    assert_eq!(count(&server).await, 0);

    let mut answered = form.clone();
    answered.push(("own_numbers".to_owned(), "keep".to_owned()));
    let (status, page) = post(&officer, "/assets/import/confirm", &answered).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {page}");
    assert_eq!(count(&server).await, 25);

    let expected: [(&str, &str, Option<&str>); 25] = [
        ("本会議録（令和7年）", "永年", Some("permanent")),
        ("委員会会議録", "永久", Some("permanent")),
        ("議会例規集", "常用", Some("constant")),
        ("政務活動費収支報告書", "5年", Some("years")),
        ("請願・陳情文書", "10年間", Some("years")),
        ("議会だより原稿", "1年未満", Some("under_one_year")),
        ("議員名簿（連絡先）", "任期中", Some("term_of_office")),
        ("議員用タブレット端末", "貸与期間中", Some("loan_period")),
        ("会議録作成業務委託契約書", "契約期間中", Some("contract_period")),
        ("議会中継システム保守資料", "契約終了まで", Some("until_contract_end")),
        ("会議録検索システム設計書", "契約終了後5年", Some("years_after_contract")),
        ("議会ネットワーク構成図", "更新まで", Some("until_renewal")),
        ("議場音響設備", "廃棄まで", Some("until_disposal")),
        ("議長交際費執行伺", "随時", Some("as_needed")),
        ("傍聴者受付簿", "令和8年3月31日まで", Some("until")),
        ("視察受入資料", "R8.3.31", Some("until")),
        ("議会改革検討資料", "2031-03-31まで", Some("until")),
        ("本会議資料（令和7年）", "５年", Some("years")),
        ("議会史編さん資料", "十年", Some("years")),
        ("議会基本条例制定記録", "令和13年度末まで", Some("until")),
        ("一般質問通告書", "5年保存", Some("years")),
        ("出席簿", "永年保存", Some("permanent")),
        ("議会活性化事業の実績報告", "事業完了後3年", None),
        ("議会事務局 共有フォルダ", "必要な間", None),
        ("議員控室 鍵管理簿", "30年", Some("years")),
    ];
    let stored = retentions(&server).await;
    let stored: Vec<(&str, &str, Option<&str>)> = stored
        .iter()
        .map(|(n, t, k)| (n.as_str(), t.as_str(), k.as_deref()))
        .collect();
    assert_eq!(stored, expected, "{backend:?}: every text kept exactly");

    // The API gives the text as written and its reading.
    let list = officer.json("/api/v1/assets?per_page=100").await;
    let item = |name: &str| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .unwrap()
            .clone()
    };
    let tablet = item("会議録検索システム設計書");
    assert_eq!(tablet["retention"], "契約終了後5年");
    assert_eq!(tablet["retention_reading"]["kind"], "years_after_contract");
    assert_eq!(tablet["retention_reading"]["years"], 5);
    let reiwa = item("議会基本条例制定記録");
    assert_eq!(reiwa["retention_reading"]["until"], "2032-03-31");
    let kept = item("議会事務局 共有フォルダ");
    assert_eq!(kept["retention"], "必要な間");
    assert!(kept["retention_reading"].is_null());
    // The register's own numbers are kept in the notes, after any note of its own.
    assert_eq!(item("本会議録（令和7年）")["notes"], "No.: 1");
    assert_eq!(item("議会例規集")["notes"], "毎月更新\nNo.: 3");

    // The export writes the text as written, in both languages.
    for lang in ["ja", "en"] {
        let response = officer
            .client
            .get(officer.server.url("/assets/export.csv"))
            .header("accept-language", lang)
            .send()
            .await
            .unwrap();
        let text = response.text().await.unwrap();
        for (_, retention, _) in expected {
            assert!(text.contains(&format!(",{retention},")), "{lang}: {retention}");
        }
    }
    server.stop().await;
});

/// The new-asset form with `retention` and `disposal_due` as given.
fn asset_form<'a>(
    name: &'a str,
    retention: &'a str,
    disposal_due: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("publication", "no"),
        ("name", name),
        ("category", "information"),
        ("form", "paper"),
        ("holder_type", "secretariat"),
        ("segment", "none"),
        ("confidentiality", "2"),
        ("integrity", "2"),
        ("availability", "1"),
        ("retention", retention),
        ("disposal_due", disposal_due),
        ("status", "in_use"),
    ]
}

async fn register(web: &Web<'_>, form: &[(&str, &str)]) -> i64 {
    let response = web.post_form("/assets/new", form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    location(&response)
        .trim_start_matches("/assets/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// The value of the disposal date input on a form page.
fn disposal_value(page: &str) -> String {
    regex_lite::Regex::new(r#"id="disposal_due" name="disposal_due" type="text" value="([^"]*)""#)
        .unwrap()
        .captures(page)
        .unwrap_or_else(|| panic!("no disposal_due in:\n{page}"))[1]
        .to_owned()
}

backend_test!(async fn the_form_and_the_api_keep_free_retention_text_and_propose_dates(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;

    // Saved as written, recognised or not; the page says which.
    let id = register(&officer, &asset_form("保守契約書", "契約終了後5年", "")).await;
    let page = officer.page(&format!("/assets/{id}"), 200).await;
    assert!(page.contains("契約終了後5年"), "{page}");
    let proposal = JA["asset.retention.proposal_shown"].split('{').next().unwrap();
    assert!(!page.contains(proposal), "an event has no date to offer");
    let id = register(&officer, &asset_form("出席簿", "R13.3.31まで", "")).await;
    let page = officer.page(&format!("/assets/{id}"), 200).await;
    assert!(page.contains(proposal) && page.contains("令和13年3月31日"), "{page}");
    let stored = officer.json(&format!("/api/v1/assets/{id}")).await;
    assert!(stored["disposal_due"].is_null(), "offered, not stored");
    let id = register(&officer, &asset_form("実績報告", "事業完了後3年", "")).await;
    let page = officer.page(&format!("/assets/{id}"), 200).await;
    let shown = JA["asset.retention.shown_as_written"].replace("{text}", "事業完了後3年");
    assert!(page.contains(&shown), "{page}");
    let page = officer.page(&format!("/assets/{id}/edit"), 200).await;
    assert!(page.contains("id=\"retention-note\""), "the edit form notes it");
    assert!(page.contains("value=\"事業完了後3年\""));

    // Proposing fills the disposal date and saves nothing.
    let mut form = asset_form("会議録", "5年", "");
    form.push(("propose", "1"));
    let response = officer.post_form("/assets/new", &form).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    let fy = fiscal_year(mamori_app::today());
    assert_eq!(disposal_value(&page), format!("{}-03-31", fy + 6), "{page}");
    assert!(page.contains("id=\"retention-note\""));
    assert_eq!(crate::asset_files::count(&server).await, 3, "nothing saved");

    // A date the person typed stays theirs; an event has no date; text is kept.
    let mut form = asset_form("会議録", "5年", "2040-03-31");
    form.push(("propose", "1"));
    let page = officer.post_form("/assets/new", &form).await.text().await.unwrap();
    assert_eq!(disposal_value(&page), "2040-03-31");
    let mut form = asset_form("端末", "貸与期間中", "");
    form.push(("propose", "1"));
    let page = officer.post_form("/assets/new", &form).await.text().await.unwrap();
    assert_eq!(disposal_value(&page), "");
    assert!(page.contains(visible(&JA["asset.retention.no_proposal.event"].replace("{text}", "貸与期間中"))));

    // On an existing asset a date reading is proposed; still nothing is saved.
    let mut form = asset_form("実績報告", "R13.3.31まで", "");
    form.push(("propose", "1"));
    let response = officer.post_form(&format!("/assets/{id}"), &form).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(disposal_value(&response.text().await.unwrap()), "2031-03-31");
    let stored = officer.json(&format!("/api/v1/assets/{id}")).await;
    assert_eq!(stored["retention"], "事業完了後3年");
    assert!(stored["disposal_due"].is_null());

    // The API takes free text too, on create and on change.
    let body = serde_json::json!({"name": "議会ネットワーク構成図", "category": "ウ",
        "form": "電子", "holder_type": "議会事務局", "confidentiality": "3B",
        "integrity": "2", "availability": "2", "retention": "更新まで"});
    let response = officer.post_json("/api/v1/assets", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: serde_json::Value = response.json().await.unwrap();
    assert_eq!(created["retention"], "更新まで");
    assert_eq!(created["retention_reading"]["kind"], "until_renewal");
    let path = format!("/api/v1/assets/{}", created["id"]);
    let changed: serde_json::Value = officer
        .patch_json(&path, &serde_json::json!({"retention": "機器更新後1年"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(changed["retention"], "機器更新後1年");
    assert!(changed["retention_reading"].is_null());
    let changed: serde_json::Value = officer
        .patch_json(&path, &serde_json::json!({"retention": "令和13年3月31日まで"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(changed["retention_reading"]["kind"], "until");
    assert_eq!(changed["retention_reading"]["until"], "2031-03-31");
    // Too long is a field problem, not a 500.
    let response = officer
        .patch_json(&path, &serde_json::json!({"retention": "年".repeat(101)}))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    server.stop().await;
});

async fn download(web: &Web<'_>, path: &str, lang: &str) -> (StatusCode, String, Vec<u8>) {
    let response = web
        .client
        .get(web.server.url(path))
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        response.status(),
        content_type,
        response.bytes().await.unwrap().to_vec(),
    )
}

fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

backend_test!(async fn the_template_downloads_with_lists_a_guide_and_an_example(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
    let (_, member) = server.web_as("giin", Role::User).await;

    let page = officer.page("/assets/import", 200).await;
    assert!(page.contains("href=\"/assets/import/template.xlsx\""));
    assert!(page.contains("href=\"/assets/import/template.csv\""));
    assert!(page.contains(visible(&JA["asset.template.lead"])));

    for path in ["/assets/import/template.xlsx", "/api/v1/assets/import/template.xlsx"] {
        let (status, content_type, bytes) = download(&officer, path, "ja").await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(content_type.contains("spreadsheetml"), "{content_type}");
        let table = mamori_sheet::read(&bytes, 10).unwrap();
        assert_eq!(table.headers[0], "資産名");
        assert_eq!(table.headers[2], "資産の種別");
        assert_eq!(table.rows.len(), 1, "one example row");
        assert_eq!(table.rows[0].cells[0], JA["asset.template.example_name"]);
        let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
        assert!(sheet.contains("<dataValidations count=\"9\">"), "{sheet}");
        for list in [
            "\"あり,なし\"",
            "\"ア,イ,ウ\"",
            "\"電子,紙,両方\"",
            "\"議員,議会事務局\"",
            "\"基幹系,LGWAN接続系,インターネット接続系,なし\"",
            "\"使用中,保存,廃棄済み\"",
            "\"3A,3B,3C,2,1\"",
            "\"2,1\"",
        ] {
            assert!(sheet.contains(&format!("<formula1>{list}</formula1>")), "{list}");
        }
        let workbook = part(&bytes, "xl/workbook.xml");
        assert!(workbook.contains(&JA["asset.template.guide_name"]));
        let guide = part(&bytes, "xl/sharedStrings.xml");
        assert!(guide.contains(&JA["asset.template.about_retention"]));
        assert!(guide.contains(&JA["asset.template.required"]));
    }

    // English page, English template: codes in the lists and the example.
    let (status, _, bytes) = download(&officer, "/assets/import/template.xlsx", "en").await;
    assert_eq!(status, StatusCode::OK);
    let table = mamori_sheet::read(&bytes, 10).unwrap();
    assert_eq!(table.headers[0], EN["asset.field.name"]);
    assert_eq!(table.rows[0].cells[0], EN["asset.template.example_name"]);
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<formula1>\"infrastructure,information,system_document\"</formula1>"));
    assert!(part(&bytes, "xl/workbook.xml").contains(&EN["asset.template.guide_name"]));

    // CSV: the BOM, the headers and the example row; nothing else fits in a CSV.
    for path in ["/assets/import/template.csv", "/api/v1/assets/import/template.csv"] {
        let (status, content_type, bytes) = download(&officer, path, "ja").await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(content_type.starts_with("text/csv"));
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let table = mamori_sheet::read(&bytes, 10).unwrap();
        assert_eq!(table.rows.len(), 1);
        assert_eq!(table.rows[0].cells[0], JA["asset.template.example_name"]);
    }

    // Only those who may import get it.
    let (status, _, _) = download(&member, "/assets/import/template.xlsx", "ja").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    server.stop().await;
});

backend_test!(async fn the_untouched_template_is_refused_with_its_own_message(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
    for (path, lang) in [
        ("/assets/import/template.xlsx", "ja"),
        ("/assets/import/template.csv", "ja"),
        ("/assets/import/template.xlsx", "en"),
    ] {
        let (_, _, bytes) = download(&officer, path, lang).await;
        let (status, page) = upload(&officer, "template", &bytes).await;
        assert_eq!(status, StatusCode::OK, "{path}: {page}");
        let form = mapping_form(&page);
        let (status, page) = post(&officer, "/assets/import/preview", &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path} {lang}: {page}");
        assert!(
            page.contains(visible(&JA["asset.import.error.template_only"])),
            "{path} {lang}: {page}"
        );
        let (status, _) = post(&officer, "/assets/import/confirm", &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(count(&server).await, 0);
    server.stop().await;
});

backend_test!(async fn the_api_reads_a_retention_period_and_proposes_without_storing(backend) {
    let server = TestServer::start(backend).await;
    let (_, member) = server.web_as("giin", Role::User).await;
    let proposal = |query: &str| {
        let web = &member;
        let path = format!("/api/v1/assets/retention-proposal?{query}");
        async move { web.get(&path).await }
    };

    let body: serde_json::Value = proposal("text=%EF%BC%95%E5%B9%B4&start=2026-12-02")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["text"], "５年");
    assert_eq!(body["reading"]["kind"], "years");
    assert_eq!(body["start"], "2026-12-02");
    assert_eq!(body["proposed_disposal"], "2032-03-31");
    assert!(body["no_proposal"].is_null());

    // 和暦 start; a date reading; the reasons there is no date.
    let body: serde_json::Value = proposal("text=R13.3.31%E3%81%BE%E3%81%A7&start=R8.4.1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["proposed_disposal"], "2031-03-31");
    for (text, code) in [
        ("%E9%9A%8F%E6%99%82", "when_no_longer_needed"),
        ("%E6%B0%B8%E5%B9%B4", "kept_without_end"),
        ("%E6%9B%B4%E6%96%B0%E3%81%BE%E3%81%A7", "ends_with_event"),
        ("%E3%81%97%E3%81%B0%E3%82%89%E3%81%8F", "not_recognised"),
        ("", "blank"),
    ] {
        let body: serde_json::Value = proposal(&format!("text={text}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(body["no_proposal"]["code"], code, "{text}");
        assert!(body["proposed_disposal"].is_null());
        assert_eq!(
            body["start"],
            mamori_app::date_text(mamori_app::today()),
            "today by default"
        );
    }
    let body: serde_json::Value = proposal("text=%E3%81%97%E3%81%B0%E3%82%89%E3%81%8F")
        .await
        .json()
        .await
        .unwrap();
    assert!(body["reading"].is_null());
    assert!(body["no_proposal"]["message"].as_str().unwrap().contains("しばらく"));

    // Bad input is a 422 naming the field.
    let response = proposal("text=5%E5%B9%B4&start=2026-13-40").await;
    mamori_testkit::assert_api_error(response, 422, "validation_failed").await;
    let response = proposal(&format!("text={}", "a".repeat(101))).await;
    mamori_testkit::assert_api_error(response, 422, "validation_failed").await;
    assert_eq!(count(&server).await, 0, "nothing stored");
    server.stop().await;
});
