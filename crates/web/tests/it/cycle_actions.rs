//! The corrective-actions register through real HTTP on both backends: recorded by the
//! security officer (a due date counted in 開庁日), seen by its owner (a person or the
//! holder of a post) and by oversight only, moved on by its owner, overdue on home
//! pages; risk actions live in it and the risk pages keep working.

use mamori_domain::user::{OrgRole, Role};
use mamori_testkit::fixtures_cycle::{a_risk, action, action_owned};
use mamori_testkit::{TestServer, assert_api_error, backend_test, fixtures_policies, location};
use serde_json::{Value, json};

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

backend_test!(
    async fn owners_see_and_move_on_their_own_actions(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let (sato_id, sato) = server.web_as("giin.sato", Role::User).await;
        let (_, suzuki) = server.web_as("giin.suzuki", Role::User).await;
        let (staff_id, staff) = server.web_as("joho.tanto", Role::User).await;
        fixtures_policies::give_posts(&server, staff_id, &[OrgRole::SystemStaff]).await;
        let (_, auditor) = server.web_as("kansa", Role::Auditor).await;

        // Due in 10 開庁日, for the 情報システム担当者 post.
        let post_action = action(
            &officer,
            json!({"title": "USBメモリの暗号化を徹底する", "owner": "post:system_staff", "due_days": 10, "due_kind": "working"}),
        )
        .await;
        assert_eq!((post_action["due_kind"].as_str(), post_action["due_days"].as_u64()), (Some("working"), Some(10)));
        assert_eq!(post_action["status"], "open");
        let post_id = post_action["id"].as_i64().unwrap();
        let past = mamori_app::date_text(mamori_app::today() - time::Duration::days(3));
        let sato_action = action_owned(&officer, "議員用タブレットの画面ロック設定", &format!("user:{sato_id}"), &past).await;

        // Need to know: each owner sees their own; oversight sees all.
        assert_eq!(ids(&staff.json("/api/v1/actions").await), [post_id]);
        assert_eq!(ids(&sato.json("/api/v1/actions").await), [sato_action]);
        assert!(ids(&suzuki.json("/api/v1/actions").await).is_empty());
        assert_eq!(ids(&auditor.json("/api/v1/actions").await).len(), 2);
        assert_eq!(ids(&officer.json("/api/v1/actions?overdue=true").await), [sato_action]);
        assert_eq!(ids(&auditor.json("/api/v1/actions?owner=post:system_staff").await), [post_id]);
        let by_person = format!("/api/v1/actions?owner=user:{sato_id}");
        assert_eq!(ids(&auditor.json(&by_person).await), [sato_action]);
        // A member's filter never widens what they see.
        assert!(ids(&suzuki.json(&by_person).await).is_empty());
        let by_post = officer.page("/actions?owner=post%3Asystem_staff", 200).await;
        assert!(by_post.contains("USBメモリ") && !by_post.contains("画面ロック設定"), "{by_post}");
        assert_api_error(officer.get("/api/v1/actions?owner=someone").await, 400, "invalid_filter").await;
        suzuki.page(&format!("/actions/{sato_action}"), 404).await;
        assert_api_error(suzuki.get(&format!("/api/v1/actions/{sato_action}")).await, 404, "not_found").await;
        let list = sato.page("/actions", 200).await;
        assert!(list.contains("議員用タブレットの画面ロック設定") && list.contains("期限切れ"), "{list}");
        assert!(!list.contains("USBメモリ"));

        // Overdue: on the owner's home page and the security officer's, nobody else's.
        for web in [&sato, &officer] {
            assert!(web.page("/", 200).await.contains(&format!("/actions/{sato_action}")));
        }
        assert!(!suzuki.page("/", 200).await.contains("/actions/"));

        // The auditor reads but does not move actions on; another member cannot at all.
        let done = json!({"status": "done", "note": "全台で設定済み"});
        assert_api_error(auditor.post_json(&format!("/api/v1/actions/{sato_action}/status"), &done).await, 403, "forbidden").await;
        assert_api_error(suzuki.post_json(&format!("/api/v1/actions/{sato_action}/status"), &done).await, 404, "not_found").await;

        // The owner starts and completes it from the page.
        let started = sato.post_form(&format!("/actions/{sato_action}/status"), &[("status", "in_progress"), ("done_on", ""), ("note", "")]).await;
        assert_eq!(location(&started), format!("/actions/{sato_action}"));
        let again = sato.post_json(&format!("/api/v1/actions/{sato_action}/status"), &json!({"status": "in_progress"})).await;
        assert_api_error(again, 409, "action_started").await;
        let finished = sato.post_json(&format!("/api/v1/actions/{sato_action}/status"), &done).await;
        assert_eq!(finished.status().as_u16(), 200);
        let finished: Value = finished.json().await.unwrap();
        assert_eq!((finished["status"].as_str(), finished["overdue"].as_bool()), (Some("done"), Some(false)));
        assert_eq!(finished["done_on"], mamori_app::date_text(mamori_app::today()));
        let closed = sato.post_json(&format!("/api/v1/actions/{sato_action}/status"), &json!({"status": "cancelled", "note": "重複"})).await;
        assert_api_error(closed, 409, "action_closed").await;
        assert!(!sato.page("/", 200).await.contains(&format!("/actions/{sato_action}")));

        // The post holder cancels theirs, with a reason (required).
        let no_reason = staff.post_json(&format!("/api/v1/actions/{post_id}/status"), &json!({"status": "cancelled"})).await;
        assert_api_error(no_reason, 422, "validation_failed").await;
        let cancelled = staff.post_json(&format!("/api/v1/actions/{post_id}/status"), &json!({"status": "cancelled", "note": "端末更新で不要になった"})).await;
        assert_eq!(cancelled.status().as_u16(), 200);
        let page = officer.page(&format!("/actions/{post_id}"), 200).await;
        assert!(page.contains("取りやめ") && page.contains("端末更新で不要になった"), "{page}");

        let audit = mamori_store::audit::recent(&server.store, 100).await.unwrap();
        assert_eq!(audit.iter().filter(|e| e.action == "action.status").count(), 3);
        assert_eq!(audit.iter().filter(|e| e.action == "action.create").count(), 2);
        server.stop().await;
    }
);

backend_test!(
    async fn actions_are_recorded_from_the_page_and_refused_when_wrong(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let (member_id, member) = server.web_as("giin.sato", Role::User).await;
        let risk = a_risk(&server, &officer, "会議録原稿の誤送信").await;
        let form = officer.page(&format!("/actions/new?source=risk:{risk}"), 200).await;
        assert!(form.contains("開庁日") && form.contains("リスク #"), "{form}");

        // Everything wrong at once: every field is named, the form kept.
        let refused = officer
            .post_form("/actions", &[("title", ""), ("owner", "user:999999"), ("due_on", "令和9年1月29日"), ("due_days", "5"), ("due_kind", "working"), ("source", &format!("risk:{risk}"))])
            .await;
        assert_eq!(refused.status().as_u16(), 422);
        let body = refused.text().await.unwrap();
        assert!(body.contains("件名") && body.contains("担当する役職または利用者を選んでください。") && body.contains("どちらか一方だけ"), "{body}");

        let owner = format!("user:{member_id}");
        let saved = officer
            .post_form("/actions", &[("title", "送信前の宛先確認を徹底する"), ("description", "二人で確認する"), ("owner", &owner), ("due_on", "令和9年1月29日"), ("due_days", ""), ("due_kind", "working"), ("source", &format!("risk:{risk}"))])
            .await;
        let path = location(&saved);
        let id: i64 = path.trim_start_matches("/actions/").parse().unwrap();
        let page = member.page(&path, 200).await;
        assert!(page.contains("令和9年1月29日") && page.contains("送信前の宛先確認を徹底する"), "{page}");
        // The member may not read risks: the source is named, not linked.
        assert!(!page.contains(&format!("href=\"/risks/{risk}\"")));
        assert!(officer.page(&path, 200).await.contains(&format!("href=\"/risks/{risk}\"")));
        let out: Value = officer.json(&format!("/api/v1/actions/{id}")).await;
        assert_eq!(out["source"], format!("risk:{risk}"));

        // Members do not record actions; an unknown source is refused.
        assert_api_error(member.post_json("/api/v1/actions", &json!({"title": "x", "owner": owner, "due_on": "2027-01-01"})).await, 403, "forbidden").await;
        member.page("/actions/new", 403).await;
        let unknown = officer.post_json("/api/v1/actions", &json!({"title": "x", "owner": owner, "due_on": "2027-01-01", "source": "risk:999999"})).await;
        let error = assert_api_error(unknown, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "source");
        let filtered = officer.page("/actions?status=open&overdue=", 200).await;
        assert!(filtered.contains("送信前の宛先確認を徹底する"));
        officer.page("/actions?status=someday", 400).await;
        server.stop().await;
    }
);

backend_test!(
    async fn risk_actions_live_in_the_register_and_the_risk_pages_keep_working(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let risk = a_risk(&server, &officer, "議員用タブレットの紛失").await;
        let added = officer
            .post_json(&format!("/api/v1/risks/{risk}/actions"), &json!({"description": "紛失時の連絡手順の周知", "due_on": "2026-01-31", "confirm_past_dates": true}))
            .await;
        assert_eq!(added.status().as_u16(), 201);
        let added: Value = added.json().await.unwrap();
        let aid = added["id"].as_i64().unwrap();

        let register: Value = officer.json(&format!("/api/v1/actions/{aid}")).await;
        assert_eq!(register["title"], "紛失時の連絡手順の周知");
        assert_eq!(register["source"], format!("risk:{risk}"));
        assert_eq!(register["owner"], Value::Null);
        assert_eq!(register["overdue"], true);
        let page = officer.page(&format!("/actions/{aid}"), 200).await;
        assert!(page.contains("担当者未定"), "{page}");

        let completed = officer.post_json(&format!("/api/v1/risks/{risk}/actions/{aid}/complete"), &json!({})).await;
        assert_eq!(completed.status().as_u16(), 200);
        let register: Value = officer.json(&format!("/api/v1/actions/{aid}")).await;
        assert_eq!(register["status"], "done");
        let risk_page = officer.page(&format!("/risks/{risk}"), 200).await;
        assert!(risk_page.contains("紛失時の連絡手順の周知"));
        let again = officer.post_json(&format!("/api/v1/risks/{risk}/actions/{aid}/complete"), &json!({})).await;
        assert_api_error(again, 409, "already_done").await;

        // One cancelled in the register is closed on the risk page too: no button, and
        // completing it from the risk is refused.
        let second = officer
            .post_json(&format!("/api/v1/risks/{risk}/actions"), &json!({"description": "端末の棚卸し", "due_on": "2027-03-31"}))
            .await;
        let second = second.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let cancel = json!({"status": "cancelled", "note": "MDM導入で代替"});
        assert_eq!(officer.post_json(&format!("/api/v1/actions/{second}/status"), &cancel).await.status().as_u16(), 200);
        let risk_page = officer.page(&format!("/risks/{risk}"), 200).await;
        assert!(risk_page.contains("取りやめ") && risk_page.contains(&format!("href=\"/actions/{second}\"")));
        assert!(!risk_page.contains(&format!("/actions/{second}/complete")));
        let refused = officer.post_json(&format!("/api/v1/risks/{risk}/actions/{second}/complete"), &json!({})).await;
        assert_api_error(refused, 409, "already_done").await;

        // Times are shown in Japan time: the API's UTC instant, nine hours on.
        let out: Value = officer.json(&format!("/api/v1/actions/{second}")).await;
        let at = time::OffsetDateTime::parse(out["created_at"].as_str().unwrap(), &time::format_description::well_known::Rfc3339).unwrap();
        assert_eq!(at.offset(), time::UtcOffset::UTC);
        let shown = mamori_domain::wareki::format_datetime(at, mamori_domain::wareki::DateStyle::Wareki, mamori_domain::wareki::Lang::Ja);
        let jst = at.to_offset(mamori_domain::wareki::JST);
        assert!(shown.ends_with(&format!("{:02}:{:02}", jst.hour(), jst.minute())));
        assert!(officer.page(&format!("/actions/{second}"), 200).await.contains(&shown));
        server.stop().await;
    }
);
