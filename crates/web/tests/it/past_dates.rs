//! Dates that make sense (issue 13, item 7): a past date where the future is meant is
//! not refused and not taken silently — the page asks, with the date in the era it was
//! typed in and a box 「過去の日付のまま登録する」, and the API answers 422
//! `confirmation_needed` until the body carries `"confirm_past_dates": true`. Both
//! backends.

use mamori_domain::user::Role;
use mamori_domain::wareki::{DateStyle, Lang, format_date};
use mamori_testkit::{TestServer, assert_api_error, backend_test, location};
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
