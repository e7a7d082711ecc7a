//! Fixtures of the cycle blocks: a risk to attach actions and reviews to, corrective
//! actions recorded through the API, and the Cabinet Office holiday list as published.

use serde_json::{Value, json};

use crate::{TestServer, Web, fixtures_risks};

/// A risk registered by `officer` (a security officer); its id.
pub async fn a_risk(server: &TestServer, officer: &Web<'_>, title: &str) -> i64 {
    let threat = fixtures_risks::threat_id(server, "不正アクセス").await;
    let asset = fixtures_risks::asset(officer, &format!("{title}の対象資産")).await;
    fixtures_risks::risk(officer, title, threat, asset).await
}

/// A corrective action recorded through the API by `officer`; the action as answered.
pub async fn action(officer: &Web<'_>, body: Value) -> Value {
    let response = officer.post_json("/api/v1/actions", &body).await;
    let status = response.status().as_u16();
    let out: Value = response.json().await.expect("action body");
    assert_eq!(status, 201, "create action: {out}");
    out
}

/// A corrective action owned by `owner` (`user:<id>` or `post:<post>`), due on `due_on`
/// (kept even when past: tests of overdue actions record them so).
pub async fn action_owned(officer: &Web<'_>, title: &str, owner: &str, due_on: &str) -> i64 {
    action(
        officer,
        json!({"title": title, "owner": owner, "due_on": due_on, "confirm_past_dates": true}),
    )
    .await["id"]
        .as_i64()
        .expect("id")
}

/// The holiday list as the Cabinet Office publishes it: a header line, then
/// `yyyy/m/d,名称` lines, CRLF, in Shift_JIS.
pub fn cabinet_office_csv(days: &[(&str, &str)]) -> Vec<u8> {
    let mut text = String::from("国民の祝日・休日月日,国民の祝日・休日名称\r\n");
    for (on, name) in days {
        text.push_str(&format!("{on},{name}\r\n"));
    }
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
    assert!(!unmappable, "the list is all Shift_JIS");
    bytes.into_owned()
}
