//! The organisation register through its pages and API on both backends: terms recorded
//! with 和暦 dates, a second CISO on the same day refused in Japanese with nothing
//! written, "who held the post on a day" answered by the page and the API, grants that
//! follow the post held today, the post's deputy deciding while the holder is absent,
//! and contact details kept by the secretariat or by the person themselves.

use mamori_domain::user::Role;
use mamori_testkit::{TestServer, assert_api_error, backend_test, location};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The id of the post carrying `role` in the API's roster.
fn post_id(roster: &Value, role: &str) -> i64 {
    roster["post_holders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == role)
        .unwrap_or_else(|| panic!("{role} in {roster}"))["id"]
        .as_i64()
        .unwrap()
}

fn holders(roster: &Value, role: &str) -> Vec<String> {
    roster["post_holders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == role)
        .unwrap()["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["holder_name"].as_str().unwrap().to_owned())
        .collect()
}

backend_test!(
    async fn who_held_the_post_on_a_day_is_answered_and_one_holder_posts_refuse_a_second(
        backend
    ) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("jimukyoku", Role::SecurityOfficer).await;
        let former = server.add_user("maegicho", Role::User).await;
        let chair = server.add_user("gicho", Role::User).await;
        let ciso = post_id(&officer.json("/api/v1/organisation").await, "ciso");

        // The former chair's term, typed on the page in 和暦.
        let saved = officer
            .post_form(
                &format!("/organisation/posts/{ciso}/terms"),
                &[
                    ("post_holder", &former.to_string()),
                    ("post_deputy", ""),
                    ("starts_on", "令和5年5月1日"),
                    ("ends_on", "令和8年4月30日"),
                    ("note", "前期"),
                ],
            )
            .await;
        assert_eq!(location(&saved), format!("/organisation/posts/{ciso}?saved=term"));

        // A second CISO overlapping it: 422 in Japanese, the form kept, nothing written.
        let terms_before = server.db.number("SELECT COUNT(*) FROM post_terms").await;
        let refused = officer
            .post_form(
                &format!("/organisation/posts/{ciso}/terms"),
                &[
                    ("post_holder", &chair.to_string()),
                    ("post_deputy", ""),
                    ("starts_on", "2026-04-30"),
                    ("ends_on", ""),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = refused.text().await.unwrap();
        assert!(page.contains("この役職は一人だけが就く役職で"), "{page}");
        assert!(page.contains("value=\"2026-04-30\""), "{page}");
        assert_eq!(
            server.db.number("SELECT COUNT(*) FROM post_terms").await,
            terms_before
        );

        // From the next day it is recorded, through the API.
        let created = officer
            .post_json(
                &format!("/api/v1/organisation/posts/{ciso}/terms"),
                &json!({"holder_id": chair, "starts_on": "令和8年5月1日", "note": "改選後"}),
            )
            .await;
        assert_eq!(created.status(), StatusCode::CREATED);

        let before = officer.json("/api/v1/organisation?on=令和8年4月15日").await;
        assert_eq!(before["on"], "2026-04-15");
        assert_eq!(holders(&before, "ciso"), ["maegicho"]);
        let after = officer.json("/api/v1/organisation?on=2026-05-01").await;
        assert_eq!(holders(&after, "ciso"), ["gicho"]);
        // The page says the same, and a day that does not read is a 422 in Japanese.
        let page = officer.page("/organisation?on=令和8年4月15日", 200).await;
        assert!(page.contains("令和8年4月15日時点の体制"), "{page}");
        assert!(page.contains("maegicho"), "{page}");
        assert!(!page.contains(">gicho<"), "{page}");
        let bad = officer.get("/organisation?on=4月31日").await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let bad = officer.get("/api/v1/organisation?on=そのうち").await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // The history lists both terms; every change is in the audit trail.
        let history = officer
            .json(&format!("/api/v1/organisation/posts/{ciso}"))
            .await;
        assert_eq!(history["terms"].as_array().unwrap().len(), 2);
        assert_eq!(history["terms"][0]["ends_on"], "2026-04-30");
        assert_eq!(
            server
                .db
                .number("SELECT COUNT(*) FROM audit_log WHERE action = 'organisation.term_add'")
                .await,
            2
        );
        // A change that would end a term before it begins, or make its holder their own
        // deputy, is refused in Japanese and changes nothing.
        let term = history["terms"][1]["id"].as_i64().unwrap();
        let changes = "SELECT COUNT(*) FROM audit_log WHERE action = 'organisation.term_change'";
        let early = officer
            .patch_json(
                &format!("/api/v1/organisation/terms/{term}"),
                &json!({"ends_on": "令和8年4月1日"}),
            )
            .await;
        let error = assert_api_error(early, 422, "validation_failed").await;
        assert!(error.to_string().contains("ends_on"), "{error}");
        let own = officer
            .patch_json(
                &format!("/api/v1/organisation/terms/{term}"),
                &json!({"deputy_id": chair}),
            )
            .await;
        let error = assert_api_error(own, 422, "validation_failed").await;
        assert!(error.to_string().contains("deputy"), "{error}");
        assert_eq!(server.db.number(changes).await, 0);
        let history = officer
            .json(&format!("/api/v1/organisation/posts/{ciso}"))
            .await;
        assert_eq!(history["terms"][1]["ends_on"], serde_json::Value::Null);
        assert_eq!(history["terms"][1]["deputy_id"], serde_json::Value::Null);
        // Members read the register; they do not keep it.
        let (_, member) = server.web_as("giin", Role::User).await;
        member.page("/organisation", 200).await;
        let denied = member
            .post_json(
                &format!("/api/v1/organisation/posts/{ciso}/terms"),
                &json!({"holder_id": chair, "starts_on": "2027-01-01"}),
            )
            .await;
        assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    }
);

backend_test!(
    async fn grants_follow_the_post_held_today_and_the_deputy_stands_in_while_absent(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("jimukyoku", Role::SecurityOfficer).await;
        let (chair, chair_web) = server.web_as("gicho", Role::User).await;
        let (vice, vice_web) = server.web_as("fukugicho", Role::User).await;
        let ciso = post_id(&officer.json("/api/v1/organisation").await, "ciso");

        // Not yet CISO: the risk register (read by the CISO's post) is refused.
        assert_eq!(chair_web.get("/risks").await.status(), StatusCode::FORBIDDEN);
        let created = officer
            .post_json(
                &format!("/api/v1/organisation/posts/{ciso}/terms"),
                &json!({"holder_id": chair, "deputy_id": vice, "starts_on": "2020-01-01"}),
            )
            .await;
        assert_eq!(created.status(), StatusCode::CREATED);
        let term = created.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        assert_eq!(chair_web.get("/risks").await.status(), StatusCode::OK);
        assert_eq!(vice_web.get("/risks").await.status(), StatusCode::FORBIDDEN);

        // An exception asked of the CISO: while the chair is marked absent (with someone
        // else as the absence's deputy), the post's deputy may decide it too.
        let today = mamori_app::date_text(mamori_app::today());
        let asked = officer
            .post_json(
                "/api/v1/exceptions",
                &json!({
                    "waived_rule": "USBメモリ等の外部記録媒体は使用しない",
                    "clause_ref": "6(4)",
                    "scope": "議会中継の録画データ",
                    "reason": "中継機器がネットワークに対応していない",
                    "measure": "暗号化USBを使い、使用後に消去する",
                    "starts_on": today,
                    "expires_on": mamori_app::date_text(mamori_app::today() + time::Duration::days(30)),
                }),
            )
            .await;
        assert_eq!(asked.status(), StatusCode::CREATED);
        let request = asked.json::<Value>().await.unwrap()["pending_request"]
            .as_i64()
            .unwrap();
        // Not absent yet: to the post's deputy the request is not theirs to see.
        let early = vice_web
            .post_json(
                &format!("/api/v1/approvals/{request}/decision"),
                &json!({"decision": "approve", "reason": ""}),
            )
            .await;
        assert_eq!(early.status(), StatusCode::NOT_FOUND);
        let absent = chair_web
            .post_json(
                "/api/v1/absences",
                &json!({"deputy": "jimukyoku", "starts_on": today, "ends_on": today, "note": ""}),
            )
            .await;
        assert_eq!(absent.status(), StatusCode::CREATED, "{}", absent.text().await.unwrap());
        let decided = vice_web
            .post_json(
                &format!("/api/v1/approvals/{request}/decision"),
                &json!({"decision": "approve", "reason": ""}),
            )
            .await;
        assert_eq!(decided.status(), StatusCode::OK, "{}", decided.text().await.unwrap());
        assert_eq!(
            server
                .db
                .number(&format!(
                    "SELECT COUNT(*) FROM approval_requests WHERE id = {request} \
                     AND decided_by = {vice} AND on_behalf_of = {chair}"
                ))
                .await,
            1
        );

        // The term ended yesterday: today the grant is gone.
        let ended = officer
            .patch_json(
                &format!("/api/v1/organisation/terms/{term}"),
                &json!({"ends_on": mamori_app::date_text(mamori_app::today().previous_day().unwrap())}),
            )
            .await;
        assert_eq!(ended.status(), StatusCode::OK);
        assert_eq!(chair_web.get("/risks").await.status(), StatusCode::FORBIDDEN);
    }
);

backend_test!(
    async fn contact_details_are_kept_by_the_secretariat_or_the_person_and_printed_in_order(
        backend
    ) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("jimukyoku", Role::SecurityOfficer).await;
        let (me, member) = server.web_as("giin", Role::User).await;
        let other = server.add_user("giin2", Role::User).await;

        // One's own: allowed, numbers kept as written; someone else's: refused.
        let saved = member
            .post_form(
                &format!("/organisation/people/{me}"),
                &[
                    ("phone", "0267-62-2111"),
                    ("extension", "内線 1234"),
                    ("mobile", "090-1234-5678"),
                    ("starts_on", "令和5年5月1日"),
                ],
            )
            .await;
        assert_eq!(location(&saved), format!("/organisation/people/{me}?saved=contact"));
        let refused = member
            .send_json(
                reqwest::Method::PUT,
                &format!("/api/v1/organisation/people/{other}"),
                &json!({"phone": "1", "starts_on": "2026-04-01"}),
            )
            .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        // Letters in a phone number: 422 in Japanese, nothing changed.
        let bad = officer
            .post_form(
                &format!("/organisation/people/{me}"),
                &[("phone", "call me"), ("starts_on", "2023-05-01")],
            )
            .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().await.unwrap().contains("電話番号には、数字"));

        // The member becomes a committee member: first on the list, with the numbers.
        let roster = officer.json("/api/v1/organisation").await;
        let committee = post_id(&roster, "committee_member");
        let created = officer
            .post_json(
                &format!("/api/v1/organisation/posts/{committee}/terms"),
                &json!({"holder_id": me, "starts_on": "2023-05-01"}),
            )
            .await;
        assert_eq!(created.status(), StatusCode::CREATED);
        let list = officer.json("/api/v1/organisation/contacts").await;
        assert_eq!(list["lines"][0]["holder"]["id"], me);
        assert_eq!(list["lines"][0]["holder"]["extension"], "内線 1234");
        assert_eq!(list["lines"][0]["holder"]["starts_on"], "2023-05-01");
        assert!(
            list["others"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["id"] == other)
        );
        let page = officer.page("/organisation/contacts", 200).await;
        assert!(page.contains("090-1234-5678"), "{page}");
        assert!(page.contains("緊急連絡網"), "{page}");

        // The assembly's own post: added, and refused without a name.
        let added = officer
            .post_form("/organisation/posts", &[("name", "議事係長"), ("body", "")])
            .await;
        assert_eq!(location(&added), "/organisation?saved=post");
        let empty = officer
            .post_form("/organisation/posts", &[("name", " "), ("body", "")])
            .await;
        assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let roster = officer.json("/api/v1/organisation").await;
        assert!(
            roster["post_holders"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "議事係長" && p["role"].is_null())
        );
    }
);
