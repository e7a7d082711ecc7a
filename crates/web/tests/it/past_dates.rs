//! Dates that make sense (issue 13, item 7): a past date where the future is meant is
//! not refused and not taken silently — the page asks, with the date in the era it was
//! typed in and a box 「過去の日付のまま登録する」, and the API answers 422
//! `confirmation_needed` until the body carries `"confirm_past_dates": true`. Both
//! backends.

use mamori_domain::user::Role;
use mamori_domain::wareki::{DateStyle, Lang, format_date};
use mamori_testkit::{TestServer, assert_api_error, backend_test, fixtures_policies, location};
use serde_json::json;

const BOX: &str = "name=\"confirm_past_dates\"";

/// Today in Japan, as the message gives it in the era style and in the Western one.
fn today_ja() -> (String, String) {
    let today = mamori_app::today();
    (
        format_date(today, DateStyle::Wareki, Lang::Ja),
        format_date(today, DateStyle::Gregorian, Lang::Ja),
    )
}

backend_test!(async fn a_past_due_date_of_an_action_is_asked_about_then_kept(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
    let form = officer.page("/actions/new", 200).await;
    assert!(!form.contains(BOX), "the box is offered only after the warning");

    let fields = [
        ("title", "タブレットの紛失時の連絡手順を定める"),
        ("owner", "post:system_staff"),
        ("due_on", "平成31年4月1日"),
        ("due_kind", "working"),
    ];
    let asked = officer.post_form("/actions", &fields).await;
    assert_eq!(asked.status().as_u16(), 422);
    let page = asked.text().await.unwrap();
    let (era_today, _) = today_ja();
    let message = format!("平成31年4月1日は過去の日付です（今日は{era_today}）。");
    assert!(page.contains(&message), "{message} in {page}");
    assert!(page.contains(BOX) && page.contains("過去の日付のまま登録する"), "{page}");
    assert!(page.contains("value=\"平成31年4月1日\""), "the date is kept as typed");
    let listed = officer.json("/api/v1/actions").await;
    assert_eq!(listed, json!([]), "nothing was written");

    let mut confirmed = fields.to_vec();
    confirmed.push(("confirm_past_dates", "1"));
    let saved = officer.post_form("/actions", &confirmed).await;
    let path = location(&saved);
    let shown = officer.page(&path, 200).await;
    assert!(shown.contains("平成31年4月1日"), "{shown}");

    // Over the API: 422 naming the field, with the date as typed (Western here).
    let body = json!({"title": "宛先の二重確認", "owner": "post:system_staff", "due_on": "2019-04-01"});
    let refused = officer.post_json("/api/v1/actions", &body).await;
    let error = assert_api_error(refused, 422, "confirmation_needed").await;
    assert_eq!(error["fields"][0]["field"], "due_on");
    let (_, western_today) = today_ja();
    assert_eq!(
        error["fields"][0]["message"],
        format!("2019年4月1日は過去の日付です（今日は{western_today}）。日付に誤りがないか確かめてください。")
    );
    let mut body = body;
    body["confirm_past_dates"] = json!(true);
    let created = officer.post_json("/api/v1/actions", &body).await;
    assert_eq!(created.status().as_u16(), 201);
    let out: serde_json::Value = created.json().await.unwrap();
    assert_eq!(out["due_on"], "2019-04-01");
    // A future date needs nothing, and a date counted in days is never past.
    let future = json!({"title": "来年度の点検", "owner": "post:system_staff", "due_days": 5, "due_kind": "working"});
    assert_eq!(officer.post_json("/api/v1/actions", &future).await.status().as_u16(), 201);
    server.stop().await;
});

backend_test!(async fn the_question_is_in_english_for_an_english_reader(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
    let english = officer
        .client
        .post(server.url("/api/v1/actions"))
        .header("origin", &server.base)
        .header("accept-language", "en")
        .json(&json!({"title": "x", "owner": "post:system_staff", "due_on": "H31.4.1"}))
        .send()
        .await
        .unwrap();
    let error = assert_api_error(english, 422, "confirmation_needed").await;
    let today = format_date(mamori_app::today(), DateStyle::Wareki, Lang::En);
    assert_eq!(
        error["fields"][0]["message"],
        format!("1 April 2019 (Heisei 31) is in the past (today is {today}). Check that the date is right.")
    );
    server.stop().await;
});

/// The new-asset form as the page posts it, in use, disposed of on `disposal_due`.
fn asset_form(disposal_due: &str) -> Vec<(&'static str, String)> {
    [
        ("publication", "no"),
        ("name", "議員用タブレット（令和元年度購入分）"),
        ("description", "本会議で使う貸与タブレット"),
        ("category", "information"),
        ("form", "electronic"),
        ("holder_type", "secretariat"),
        ("holder", ""),
        ("location", "議会事務局"),
        ("segment", "internet"),
        ("confidentiality", "2"),
        ("integrity", "2"),
        ("availability", "2"),
        ("retention", ""),
        ("status", "in_use"),
        ("tags", ""),
        ("clauses", ""),
        ("notes", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .chain([("disposal_due", disposal_due.to_owned())])
    .collect()
}

fn pairs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

backend_test!(async fn a_past_disposal_date_of_an_asset_in_use_is_asked_about(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
    let form = asset_form("平成31年4月1日");
    let asked = officer.post_form("/assets/new", &pairs(&form)).await;
    assert_eq!(asked.status().as_u16(), 422, "{:?}", asked.headers().get("location"));
    let page = asked.text().await.unwrap();
    let (era_today, _) = today_ja();
    assert!(
        page.contains(&format!("平成31年4月1日は過去の日付です（今日は{era_today}）。")),
        "{page}"
    );
    assert!(page.contains(BOX), "{page}");
    assert_eq!(officer.json("/api/v1/assets").await["total"], 0, "nothing was written");

    let mut confirmed = form.clone();
    confirmed.push(("confirm_past_dates", "1".to_owned()));
    let saved = officer.post_form("/assets/new", &pairs(&confirmed)).await;
    let path = location(&saved);
    let id = path.trim_start_matches("/assets/").split('?').next().unwrap().to_owned();
    assert!(officer.page(&path, 200).await.contains("平成31年4月1日"));

    // Editing something else does not ask again about the date already kept.
    let mut edit = form.clone();
    edit.retain(|(k, _)| *k != "location");
    edit.push(("location", "議長室".to_owned()));
    let edited = officer.post_form(&format!("/assets/{id}"), &pairs(&edit)).await;
    assert_eq!(edited.status().as_u16(), 303, "{}", edited.text().await.unwrap());

    // A disposed-of or archived asset may well have a past disposal date.
    let mut disposed = asset_form("2019-04-01");
    disposed.retain(|(k, _)| *k != "status");
    disposed.push(("status", "disposed".to_owned()));
    assert_eq!(officer.post_form("/assets/new", &pairs(&disposed)).await.status().as_u16(), 303);

    // The API: a changed past date on an asset in use is 422, then kept when confirmed.
    let api_path = format!("/api/v1/assets/{id}");
    let refused = officer.patch_json(&api_path, &json!({"disposal_due": "2020-03-31"})).await;
    let error = assert_api_error(refused, 422, "confirmation_needed").await;
    assert_eq!(error["fields"][0]["field"], "disposal_due");
    let message = error["fields"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("2020年3月31日は過去の日付です"), "{message}");
    let kept = officer
        .patch_json(&api_path, &json!({"disposal_due": "2020-03-31", "confirm_past_dates": true}))
        .await;
    assert_eq!(kept.status().as_u16(), 200);
    assert_eq!(officer.json(&api_path).await["disposal_due"], "2020-03-31");

    let body = json!({"name": "旧サーバ", "category": "information", "form": "electronic",
        "holder_type": "secretariat", "confidentiality": "2", "integrity": "2",
        "availability": "2", "disposal_due": "R2.3.31"});
    let refused = officer.post_json("/api/v1/assets", &body).await;
    let error = assert_api_error(refused, 422, "confirmation_needed").await;
    assert!(error["fields"][0]["message"].as_str().unwrap().starts_with("令和2年3月31日は過去の日付です"));
    let mut body = body;
    body["confirm_past_dates"] = json!(true);
    assert_eq!(officer.post_json("/api/v1/assets", &body).await.status().as_u16(), 201);
    server.stop().await;
});

backend_test!(async fn an_imported_past_disposal_date_is_kept_and_shown_as_a_warning(backend) {
    use crate::asset_files::{mapping_form, post, upload};
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("kanri", Role::SecurityOfficer).await;
    let csv = "資産名,分類,形態,保有者区分,機密性,完全性,可用性,廃棄予定日,状態\r\n\
        旧庁内サーバ,ア,電子,議会事務局,2,2,2,平成31年4月1日,使用中\r\n\
        旧会議録,イ,紙,議会事務局,2,2,1,2019/4/1,廃棄済み\r\n";
    let (status, page) = upload(&officer, "台帳.csv", csv.as_bytes()).await;
    assert_eq!(status.as_u16(), 200, "{page}");
    let form = mapping_form(&page);
    let (status, page) = post(&officer, "/assets/import/preview", &form).await;
    assert_eq!(status.as_u16(), 200, "{page}");
    let (era_today, _) = today_ja();
    let warning = format!("廃棄予定日平成31年4月1日は過去の日付です（今日は{era_today}）。");
    assert!(page.contains(&warning), "{warning} in {page}");
    assert_eq!(page.matches("は過去の日付です").count(), 1, "only the asset in use: {page}");
    let (status, page) = post(&officer, "/assets/import/confirm", &form).await;
    assert_eq!(status.as_u16(), 200, "{page}");
    let assets = officer.json("/api/v1/assets?status=in_use").await;
    let server_row = assets["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "旧庁内サーバ")
        .expect("imported, not refused");
    assert_eq!(server_row["disposal_due"], "2019-04-01", "kept as the file says");
    server.stop().await;
});

backend_test!(async fn a_past_due_back_date_of_a_take_out_is_asked_about(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
    let saved = officer.post_form("/assets/new", &pairs(&asset_form(""))).await;
    let path = location(&saved).split('?').next().unwrap().to_owned();
    let events = format!("{path}/events");
    let today = mamori_app::date_text(mamori_app::today());
    let takeout = [
        ("kind", "take_out"),
        ("occurred_on", today.as_str()),
        ("person", "議員 一郎"),
        ("counterparty", "自宅"),
        ("due_back", "R8.4.1"),
    ];
    let asked = officer.post_form(&events, &takeout).await;
    assert_eq!(asked.status().as_u16(), 422);
    let page = asked.text().await.unwrap();
    let (era_today, _) = today_ja();
    assert!(page.contains(&format!("令和8年4月1日は過去の日付です（今日は{era_today}）。")), "{page}");
    assert!(page.contains(BOX) && page.contains("value=\"R8.4.1\""), "{page}");

    let mut confirmed = takeout.to_vec();
    confirmed.push(("confirm_past_dates", "1"));
    let kept = officer.post_form(&events, &confirmed).await;
    assert_eq!(kept.status().as_u16(), 303);
    assert!(officer.page(&path, 200).await.contains("令和8年4月1日"));

    let api = format!("/api/v1{events}");
    let body = json!({"kind": "take_out", "occurred_on": today, "person": "議員 一郎",
        "due_back": "2026-04-01"});
    let error = assert_api_error(officer.post_json(&api, &body).await, 422, "confirmation_needed").await;
    assert_eq!(error["fields"][0]["field"], "due_back");
    let mut body = body;
    body["confirm_past_dates"] = json!(true);
    assert_eq!(officer.post_json(&api, &body).await.status().as_u16(), 201);
    server.stop().await;
});

backend_test!(async fn a_past_date_of_a_review_planned_once_is_asked_about(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
    let saved = officer.post_form("/assets/new", &pairs(&asset_form(""))).await;
    let id = location(&saved)
        .trim_start_matches("/assets/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let page = format!("/reviews/asset/{id}");
    let schedule = [("rule", "once"), ("on", "令和元年5月1日"), ("reviewer", "post:ciso")];
    let asked = officer.post_form(&format!("{page}/schedule"), &schedule).await;
    assert_eq!(asked.status().as_u16(), 422);
    let body = asked.text().await.unwrap();
    let (era_today, _) = today_ja();
    assert!(body.contains(&format!("令和元年5月1日は過去の日付です（今日は{era_today}）。")), "{body}");
    assert!(body.contains(BOX), "{body}");
    let mut confirmed = schedule.to_vec();
    confirmed.push(("confirm_past_dates", "1"));
    let kept = officer.post_form(&format!("{page}/schedule"), &confirmed).await;
    assert_eq!(location(&kept), page);

    let api = format!("/api/v1/reviews/asset/{id}/schedule");
    let body = json!({"rule": "once", "on": "2019-05-01", "reviewer": "post:ciso"});
    let refused = officer.send_json(reqwest::Method::PUT, &api, &body).await;
    let error = assert_api_error(refused, 422, "confirmation_needed").await;
    assert_eq!(error["fields"][0]["field"], "on");
    let mut body = body;
    body["confirm_past_dates"] = json!(true);
    let set = officer.send_json(reqwest::Method::PUT, &api, &body).await;
    assert_eq!(set.status().as_u16(), 200);
    // A yearly rule has no date to ask about.
    let yearly = json!({"rule": "fiscal_yearly", "month_day": "3/31", "reviewer": "post:ciso"});
    assert_eq!(officer.send_json(reqwest::Method::PUT, &api, &yearly).await.status().as_u16(), 200);
    server.stop().await;
});

backend_test!(async fn a_past_due_date_of_a_risk_treatment_action_is_asked_about(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
    let risk = mamori_testkit::fixtures_cycle::a_risk(&server, &officer, "タブレットの紛失").await;
    let path = format!("/risks/{risk}/actions");
    let fields = [("description", "紛失時の連絡手順を周知する"), ("owner", ""), ("due_on", "2025-04-01")];
    let asked = officer.post_form(&path, &fields).await;
    assert_eq!(asked.status().as_u16(), 422);
    let page = asked.text().await.unwrap();
    let (_, western_today) = today_ja();
    assert!(page.contains(&format!("2025年4月1日は過去の日付です（今日は{western_today}）。")), "{page}");
    assert!(page.contains(BOX), "{page}");
    let mut confirmed = fields.to_vec();
    confirmed.push(("confirm_past_dates", "1"));
    assert_eq!(location(&officer.post_form(&path, &confirmed).await), format!("/risks/{risk}#actions"));

    let api = format!("/api/v1/risks/{risk}/actions");
    let body = json!({"description": "点検", "due_on": "令和7年4月1日"});
    let error = assert_api_error(officer.post_json(&api, &body).await, 422, "confirmation_needed").await;
    assert!(error["fields"][0]["message"].as_str().unwrap().starts_with("令和7年4月1日は過去の日付です"));
    let mut body = body;
    body["confirm_past_dates"] = json!(true);
    assert_eq!(officer.post_json(&api, &body).await.status().as_u16(), 201);
    server.stop().await;
});

backend_test!(async fn a_past_review_date_of_a_risk_is_asked_about_when_it_is_new(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
    let risk = mamori_testkit::fixtures_cycle::a_risk(&server, &officer, "誤送信").await;
    let api = format!("/api/v1/risks/{risk}");
    let refused = officer.patch_json(&api, &json!({"review_due": "令和2年3月31日"})).await;
    let error = assert_api_error(refused, 422, "confirmation_needed").await;
    assert_eq!(error["fields"][0]["field"], "review_due");
    let (era_today, _) = today_ja();
    assert_eq!(
        error["fields"][0]["message"],
        format!("令和2年3月31日は過去の日付です（今日は{era_today}）。日付に誤りがないか確かめてください。")
    );
    let kept = officer
        .patch_json(&api, &json!({"review_due": "令和2年3月31日", "confirm_past_dates": true}))
        .await;
    assert_eq!(kept.status().as_u16(), 200);
    assert_eq!(officer.json(&api).await["review_due"], "2020-03-31");
    // The stored date is not asked about again when something else changes.
    let retitled = officer.patch_json(&api, &json!({"title": "会議録原稿の誤送信"})).await;
    assert_eq!(retitled.status().as_u16(), 200);

    // The page: the form asks, with the box, then keeps it.
    let edit = officer.page(&format!("/risks/{risk}/edit"), 200).await;
    assert!(!edit.contains(BOX));
    let form = mamori_testkit::fixtures_once::form_fields(&edit, &format!("/risks/{risk}"));
    let mut typed: Vec<(String, String)> = form
        .into_iter()
        .filter(|(k, _)| k != "review_due")
        .collect();
    typed.push(("review_due".into(), "2021-03-31".into()));
    let pairs: Vec<(&str, &str)> = typed.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let asked = officer.post_form(&format!("/risks/{risk}"), &pairs).await;
    assert_eq!(asked.status().as_u16(), 422);
    let page = asked.text().await.unwrap();
    assert!(page.contains("2021年3月31日は過去の日付です") && page.contains(BOX), "{page}");
    let mut confirmed = pairs.clone();
    confirmed.push(("confirm_past_dates", "1"));
    let saved = officer.post_form(&format!("/risks/{risk}"), &confirmed).await;
    assert_eq!(location(&saved), format!("/risks/{risk}?saved=1"));
    server.stop().await;
});

/// A day `days` from today in Japan, as ISO 8601 and in the era style.
fn days_from_today(days: i64) -> (String, String) {
    let day = mamori_app::today() + time::Duration::days(days);
    (
        mamori_app::date_text(day),
        format_date(day, DateStyle::Wareki, Lang::Ja),
    )
}

backend_test!(async fn a_past_end_of_an_emergency_exception_is_asked_about(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
    fixtures_policies::ciso(&server, "gicho").await;
    // Taken in an emergency ten days ago and over two days ago: reported afterwards.
    let (started, _) = days_from_today(-10);
    let (ended, ended_era) = days_from_today(-2);
    let form = officer.page("/exceptions/new", 200).await;
    assert!(!form.contains(BOX), "the box is offered only after the warning");
    let fields = [
        ("waived_rule", "USBメモリ等の外部記録媒体は使用しない"),
        ("scope", "災害時の議会中継データの移送"),
        ("reason", "ネットワークが停止し、ほかに移す手段がなかったため"),
        ("measure", "暗号化USBを使い、移送後に消去を確認した"),
        ("starts_on", started.as_str()),
        ("expires_on", ended_era.as_str()),
        ("emergency", "on"),
    ];
    let asked = officer.post_form("/exceptions/new", &fields).await;
    assert_eq!(asked.status().as_u16(), 422);
    let page = asked.text().await.unwrap();
    let (era_today, _) = today_ja();
    let message = format!("{ended_era}は過去の日付です（今日は{era_today}）。");
    assert!(page.contains(&message), "{message} in {page}");
    assert!(page.contains(BOX), "{page}");
    assert!(page.contains(&format!("value=\"{ended_era}\"")), "kept as typed");
    assert_eq!(officer.json("/api/v1/exceptions").await["total"], 0, "nothing written");

    let mut confirmed = fields.to_vec();
    confirmed.push(("confirm_past_dates", "1"));
    let saved = officer.post_form("/exceptions/new", &confirmed).await;
    let path = location(&saved);
    assert!(path.starts_with("/exceptions/") && path.ends_with("?saved=asked"), "{path}");
    let id = path.trim_start_matches("/exceptions/").split('?').next().unwrap();
    let stored = officer.json(&format!("/api/v1/exceptions/{id}")).await;
    assert_eq!(stored["expires_on"], ended.as_str(), "{stored}");

    // Over the API: 422 naming the field, then kept with the flag.
    let body = json!({
        "waived_rule": "私物端末を業務に使用しない",
        "scope": "停電時の連絡",
        "reason": "庁舎の電話が使えなかったため",
        "measure": "通話記録を残し、終了後に端末から消去した",
        "starts_on": started,
        "expires_on": ended,
        "emergency": true,
    });
    let refused = officer.post_json("/api/v1/exceptions", &body).await;
    let error = assert_api_error(refused, 422, "confirmation_needed").await;
    assert_eq!(error["fields"][0]["field"], "expires_on");
    let mut body = body;
    body["confirm_past_dates"] = json!(true);
    assert_eq!(officer.post_json("/api/v1/exceptions", &body).await.status().as_u16(), 201);
    // An exception asked for ahead of time that ends before it starts is still refused.
    let (soon, _) = days_from_today(5);
    let backwards = json!({
        "waived_rule": "規則", "scope": "範囲", "reason": "理由", "measure": "措置",
        "starts_on": soon, "expires_on": ended, "confirm_past_dates": true,
    });
    let error = assert_api_error(officer.post_json("/api/v1/exceptions", &backwards).await, 422, "validation_failed").await;
    assert_eq!(error["fields"][0]["field"], "expires_on");
    server.stop().await;
});

backend_test!(async fn a_past_expiry_of_a_risk_acceptance_is_asked_about(backend) {
    let server = TestServer::start(backend).await;
    let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
    let (_, ciso) = fixtures_policies::ciso(&server, "gicho").await;
    let risk = mamori_testkit::fixtures_cycle::a_risk(&server, &officer, "委託先からの漏えい").await;
    let path = format!("/risks/{risk}/acceptances");
    let fields = [("reason", "令和7年度は紙で決裁済みのため記録する"), ("expires_on", "令和8年3月31日")];
    let asked = officer.post_form(&path, &fields).await;
    assert_eq!(asked.status().as_u16(), 422);
    let page = asked.text().await.unwrap();
    let (era_today, western_today) = today_ja();
    assert!(page.contains(&format!("令和8年3月31日は過去の日付です（今日は{era_today}）。")), "{page}");
    assert!(page.contains(BOX), "{page}");
    let stored = || mamori_store::risks::acceptances(&server.store, risk);
    assert!(stored().await.unwrap().is_empty(), "nothing written");
    let mut confirmed = fields.to_vec();
    confirmed.push(("confirm_past_dates", "1"));
    assert_eq!(location(&officer.post_form(&path, &confirmed).await), format!("/risks/{risk}#acceptances"));

    // The API: asked in the way the date was typed, then kept with the flag.
    let api = format!("/api/v1/risks/{risk}/acceptances");
    let body = json!({"reason": "予算措置まで", "expires_on": "2026-03-31"});
    let error = assert_api_error(officer.post_json(&api, &body).await, 422, "confirmation_needed").await;
    assert_eq!(error["fields"][0]["field"], "expires_on");
    assert_eq!(
        error["fields"][0]["message"],
        format!("2026年3月31日は過去の日付です（今日は{western_today}）。日付に誤りがないか確かめてください。")
    );
    let mut body = body;
    body["confirm_past_dates"] = json!(true);
    let kept = officer.post_json(&api, &body).await;
    assert_eq!(kept.status().as_u16(), 201);
    let kept: serde_json::Value = kept.json().await.unwrap();
    assert_eq!(stored().await.unwrap().len(), 2);
    // Today is the last day an acceptance holds, not a past date.
    let (today, _) = days_from_today(0);
    let body = json!({"reason": "本日限り", "expires_on": today});
    assert_eq!(officer.post_json(&api, &body).await.status().as_u16(), 201);

    // The CISO may decide an acceptance whose expiry was confirmed as past when proposed:
    // it is on record as lapsed, and the risk asks to be reassessed.
    let decided = ciso
        .post_json(&format!("{api}/{}/decision", kept["id"]), &json!({"decision": "approve"}))
        .await;
    assert_eq!(decided.status().as_u16(), 200, "{}", decided.text().await.unwrap());
    let shown = ciso.page(&format!("/risks/{risk}"), 200).await;
    assert!(shown.contains("有効期限切れ（再評価が必要です）"), "{shown}");
    server.stop().await;
});
