//! Term changes (改選, issue 17 item 7) through real HTTP on both backends: a member
//! leaving and one joining followed until every item is done, each item read from its
//! register (posts, account, assets, take-outs, pledge, policy, training), the
//! secretariat's lines and settings-aside, the leaving carried out once by an
//! administrator, and the daily sweep that carries it out on the day but never closes
//! the last administrator's account.

use mamori_domain::user::{Role, UserType};
use mamori_testkit::{TestServer, Web, assert_api_error, backend_test, fixtures_assets, location};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn day(offset: i64) -> String {
    mamori_app::date_text(mamori_app::today() + time::Duration::days(offset))
}

async fn member<'a>(server: &'a TestServer, login: &str) -> (i64, Web<'a>) {
    let id = server
        .add_account(login, Role::User, UserType::Member, false)
        .await;
    let client = server.sign_in(login).await;
    (id, Web { server, client })
}

async fn change(web: &Web<'_>, kind: &str, title: &str, on: &str) -> i64 {
    let response = web
        .post_json(
            "/api/v1/term-changes",
            &json!({"kind": kind, "title": title, "effective_on": on}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    body["id"].as_i64().unwrap()
}

/// The person named `name` on the change, and their items as (code, state).
fn person<'v>(detail: &'v Value, name: &str) -> &'v Value {
    detail["checklists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {detail}"))
}

fn state<'v>(person: &'v Value, item: &str) -> &'v str {
    person["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["item"] == item)
        .unwrap_or_else(|| panic!("{item} in {person}"))["state"]
        .as_str()
        .unwrap()
}

fn details<'v>(person: &'v Value, item: &str) -> Vec<&'v str> {
    person["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["item"] == item)
        .unwrap()["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect()
}

backend_test!(
    async fn a_member_leaving_and_one_joining_are_followed_until_every_item_is_done(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let (_, admin) = server.web_as("kanri", Role::Admin).await;
        let (sato, sato_web) = member(&server, "giin.sato").await;

        // What the member leaving holds: a post since April, a tablet, a take-out.
        let roster = officer.json("/api/v1/organisation").await;
        let post = roster["post_holders"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["role"] == "committee_member")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let term = officer
            .post_json(
                &format!("/api/v1/organisation/posts/{post}/terms"),
                &json!({"holder_id": sato, "starts_on": "令和8年4月1日"}),
            )
            .await;
        assert_eq!(term.status(), StatusCode::CREATED);
        let tablet = fixtures_assets::asset(&server, "議員用タブレット", ["2", "2", "2"], Some(sato))
            .await
            .id;
        let events = format!("/api/v1/assets/{tablet}/events");
        let taken = sato_web
            .post_json(
                &events,
                &json!({"kind": "take_out", "occurred_on": day(0), "person": "giin.sato",
                    "counterparty": "自宅", "due_back": day(3)}),
            )
            .await;
        assert_eq!(taken.status(), StatusCode::CREATED);

        // The change, refused whole when its day does not read.
        let bad = officer
            .post_json(
                "/api/v1/term-changes",
                &json!({"kind": "resignation", "title": "辞職", "effective_on": "そのうち"}),
            )
            .await;
        let error = assert_api_error(bad, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "effective_on");
        assert_eq!(server.db.number("SELECT COUNT(*) FROM term_changes").await, 0);
        let id = change(&officer, "resignation", "佐藤議員の辞職と補欠選挙", &day(0)).await;
        let page = format!("/term-changes/{id}");
        let api = format!("/api/v1/term-changes/{id}");

        // People: the member leaving from the page (twice is refused in Japanese), the
        // new member by name until an account is made; someone leaving needs an account.
        let added = officer
            .post_form(
                &format!("{page}/people"),
                &[("direction", "leaving"), ("login", "giin.sato")],
            )
            .await;
        assert_eq!(added.status(), StatusCode::SEE_OTHER);
        let again = officer
            .post_form(
                &format!("{page}/people"),
                &[("direction", "leaving"), ("login", "giin.sato")],
            )
            .await;
        assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.text().await.unwrap().contains("すでにこの改選の対象者です"));
        let joined = officer
            .post_json(
                &format!("{api}/people"),
                &json!({"direction": "joining", "name": "新井 一郎", "reading": "あらい いちろう"}),
            )
            .await;
        assert_eq!(joined.status(), StatusCode::CREATED);
        let nameless = officer
            .post_json(&format!("{api}/people"), &json!({"direction": "leaving", "name": "誰か"}))
            .await;
        let error = assert_api_error(nameless, 422, "validation_failed").await;
        assert_eq!(error["fields"][0]["field"], "login");

        // Each item as its register shows it.
        let detail = officer.json(&api).await;
        let leaving = person(&detail, "giin.sato");
        for item in ["posts_ended", "account_closed", "assets_handed_over", "take_outs_returned"] {
            assert_eq!(state(leaving, item), "open", "{item}");
        }
        assert_eq!(details(leaving, "posts_ended"), ["post"]);
        assert_eq!(details(leaving, "assets_handed_over"), ["asset"]);
        assert_eq!(details(leaving, "take_outs_returned"), ["take_out"]);
        let joining = person(&detail, "新井 一郎");
        assert_eq!(details(joining, "account_opened"), ["no_account"]);
        let arai_person = joining["id"].as_i64().unwrap();
        let home = officer.page("/", 200).await;
        assert!(home.contains("改選のチェックリスト") && home.contains("佐藤議員の辞職と補欠選挙"));

        // Members and the security officer may not carry it out; the administrator may,
        // once: the post ends yesterday, the account closes and its session with it.
        sato_web.page("/term-changes", 403).await;
        let response = officer.post_json(&format!("{api}/carry-out"), &json!({})).await;
        assert_api_error(response, 403, "forbidden").await;
        let response = admin.post_json(&format!("{api}/carry-out"), &json!({})).await;
        assert_eq!(response.status(), StatusCode::OK);
        let done: Value = response.json().await.unwrap();
        assert_eq!(done, json!({"terms_ended": 1, "accounts_closed": 1}));
        let response = admin.post_json(&format!("{api}/carry-out"), &json!({})).await;
        assert_api_error(response, 409, "invalid_state").await;
        assert_eq!(sato_web.get("/api/v1/term-changes").await.status(), StatusCode::UNAUTHORIZED);
        let ended = format!(
            "SELECT COUNT(*) FROM post_terms WHERE holder_id = {sato} AND ends_on = '{}'",
            day(-1)
        );
        assert_eq!(server.db.number(&ended).await, 1);
        let response = officer
            .send_json(
                reqwest::Method::PUT,
                &format!("{api}/people/1/account"),
                &json!({"login": "giin.sato"}),
            )
            .await;
        assert_api_error(response, 409, "invalid_state").await;
        let removed = officer.post_form(&format!("{page}/people/1/remove"), &[]).await;
        assert_eq!(removed.status(), StatusCode::CONFLICT);

        // The tablet comes back and is wiped and disposed of; a line of the secretariat's
        // own is added and done; an item of the other direction cannot be set aside.
        for event in [
            json!({"kind": "return", "occurred_on": day(0), "person": "giin.sato"}),
            json!({"kind": "disposal", "occurred_on": day(0), "person": "事務局",
                "method": "初期化の上で廃棄"}),
        ] {
            let response = admin.post_json(&events, &event).await;
            assert_eq!(response.status(), StatusCode::CREATED, "{event}");
        }
        let sato_person = person(&officer.json(&api).await, "giin.sato")["id"].as_i64().unwrap();
        let marks = format!("{api}/people/{sato_person}/marks");
        let response = officer
            .post_json(&marks, &json!({"item": "pledge_signed", "note": "退任のため"}))
            .await;
        assert_api_error(response, 422, "validation_failed").await;
        let response = officer
            .post_json(&marks, &json!({"label": "会議システムのアカウント停止"}))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let detail: Value = response.json().await.unwrap();
        let line = person(&detail, "giin.sato")["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["item"] == "line")
            .unwrap()["mark_id"]
            .as_i64()
            .unwrap();
        let response = officer
            .send_json(
                reqwest::Method::PUT,
                &format!("{api}/marks/{line}"),
                &json!({"state": "set_aside"}),
            )
            .await;
        assert_api_error(response, 422, "validation_failed").await;
        let response = officer
            .send_json(
                reqwest::Method::PUT,
                &format!("{api}/marks/{line}"),
                &json!({"state": "done", "note": "12月4日に停止を確認"}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let detail: Value = response.json().await.unwrap();
        assert_eq!(person(&detail, "giin.sato")["done"], true, "{detail}");

        // The new member's account is made and linked from the page: service starts on
        // the day. No post (set aside), no pledge published (set aside from the page), no
        // policy to acknowledge, and the first training attended.
        let arai = server
            .add_account("giin.arai", Role::User, UserType::Member, false)
            .await;
        let linked = officer
            .post_form(
                &format!("{page}/people/{arai_person}/account"),
                &[("login", "giin.arai")],
            )
            .await;
        assert_eq!(linked.status(), StatusCode::SEE_OTHER);
        assert!(location(&linked).starts_with(&format!("{page}?saved=linked")));
        let started = format!(
            "SELECT COUNT(*) FROM users WHERE id = {arai} AND starts_on = '{}'",
            day(0)
        );
        assert_eq!(server.db.number(&started).await, 1);
        let detail = officer.json(&api).await;
        let joining = person(&detail, "giin.arai");
        assert_eq!(state(joining, "account_opened"), "done");
        assert_eq!(state(joining, "policy_acknowledged"), "done");
        assert_eq!(details(joining, "pledge_signed"), ["no_pledge_published"]);
        let response = officer
            .post_json(
                &format!("{api}/people/{arai_person}/marks"),
                &json!({"item": "posts_given", "note": "役職に就かない議員のため"}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let aside = officer
            .post_form(
                &format!("{page}/people/{arai_person}/marks"),
                &[("item", "pledge_signed"), ("note", "誓約書は紙で提出済み")],
            )
            .await;
        assert_eq!(aside.status(), StatusCode::SEE_OTHER);
        let year = mamori_domain::calendar::FiscalYear::of(mamori_app::today())
            .year()
            .to_string();
        let course = officer
            .post_json(
                "/api/v1/training/courses",
                &json!({"fiscal_year": year, "kind": "members", "title": "新任議員研修"}),
            )
            .await;
        let course: Value = course.json().await.unwrap();
        let session = officer
            .post_json(
                &format!("/api/v1/training/courses/{}/sessions", course["id"]),
                &json!({"held_on": day(0), "starts_at": "10:00", "ends_at": "11:00",
                    "place": "議会会議室", "audience": "everyone"}),
            )
            .await;
        let session: Value = session.json().await.unwrap();
        let marked = officer
            .post_json(
                &format!("/api/v1/training/sessions/{}/attendance", session["id"]),
                &json!({"marks": [{"login": "giin.arai", "status": "present"}]}),
            )
            .await;
        assert_eq!(marked.status(), StatusCode::OK);

        let detail = officer.json(&api).await;
        let joining = person(&detail, "giin.arai");
        assert_eq!(state(joining, "posts_given"), "set_aside");
        assert_eq!(state(joining, "pledge_signed"), "set_aside");
        assert_eq!(state(joining, "first_training"), "done");
        assert_eq!((detail["people"].as_i64(), detail["people_done"].as_i64()), (Some(2), Some(2)));
        let page_html = officer.page(&page, 200).await;
        assert!(page_html.contains("2人中2人が完了"), "{page_html}");
        let home = officer.page("/", 200).await;
        assert!(!home.contains("改選のチェックリスト"));
        let list = officer.json("/api/v1/term-changes").await;
        assert_eq!(list["items"][0]["people_done"], 2);
        assert_eq!(
            server
                .db
                .number("SELECT COUNT(*) FROM audit_log WHERE action = 'term_change.carry_out'")
                .await,
            1
        );
        server.stop().await;
    }
);

backend_test!(
    async fn the_daily_sweep_carries_out_on_the_day_but_never_closes_the_last_administrator(
        backend
    ) {
        let server = TestServer::start(backend).await;
        let (_, admin) = server.web_as("kanri", Role::Admin).await;
        let (_, _member) = member(&server, "giin.suzuki").await;
        let app = &server.state.app;

        // The only administrator leaving: the sweep leaves that change as it is.
        let first = change(&admin, "other", "事務局の異動", &day(0)).await;
        let added = admin
            .post_json(
                &format!("/api/v1/term-changes/{first}/people"),
                &json!({"direction": "leaving", "login": "kanri"}),
            )
            .await;
        assert_eq!(added.status(), StatusCode::CREATED);
        // A member resigning today, and a change whose day is still to come.
        let second = change(&admin, "resignation", "鈴木議員の辞職", &day(0)).await;
        let later = change(&admin, "general_election", "一般選挙", &day(30)).await;
        for id in [second, later] {
            let added = admin
                .post_json(
                    &format!("/api/v1/term-changes/{id}/people"),
                    &json!({"direction": "leaving", "login": "giin.suzuki"}),
                )
                .await;
            assert_eq!(added.status(), StatusCode::CREATED);
        }

        let carried = mamori_app::term_changes::carry_out_due(app, mamori_app::today())
            .await
            .unwrap();
        assert_eq!(carried, 1);
        let active = |login: &str| format!("SELECT active FROM users WHERE login = '{login}'");
        assert_eq!(server.db.number(&active("kanri")).await, 1);
        assert_eq!(server.db.number(&active("giin.suzuki")).await, 0);
        let first_page = admin.page(&format!("/term-changes/{first}"), 200).await;
        assert!(first_page.contains("退任処理を実施する"), "{first_page}");
        let refused = admin
            .post_json(&format!("/api/v1/term-changes/{first}/carry-out"), &json!({}))
            .await;
        let error = assert_api_error(refused, 422, "validation_failed").await;
        assert!(error.to_string().contains("最後の管理者"), "{error}");
        let second_page = admin.page(&format!("/term-changes/{second}"), 200).await;
        assert!(second_page.contains("mamori による自動実施"), "{second_page}");
        let later_page = admin.page(&format!("/term-changes/{later}"), 200).await;
        assert!(later_page.contains("朝に mamori が自動で実施します"), "{later_page}");
        let early = admin
            .post_json(&format!("/api/v1/term-changes/{later}/carry-out"), &json!({}))
            .await;
        assert_api_error(early, 409, "invalid_state").await;
        // Again the same day: nothing more.
        let carried = mamori_app::term_changes::carry_out_due(app, mamori_app::today())
            .await
            .unwrap();
        assert_eq!(carried, 0);
        assert_eq!(
            server
                .db
                .number("SELECT COUNT(*) FROM audit_log WHERE action = 'term_change.carry_out'")
                .await,
            1
        );
        server.stop().await;
    }
);
