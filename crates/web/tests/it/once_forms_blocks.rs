//! The twice-at-once cases of the blocks every register shares (issue 12): approval
//! requests and absences, corrective actions and reviews, attachments, exceptions, the
//! proposal to remove personal information past its retention period. The
//! harness and the list of guarded routes are in `once_forms`.

use mamori_testkit::Web;
use mamori_testkit::{fixtures_cycle, fixtures_policies, fixtures_risks};
use reqwest::StatusCode;

use super::once_forms::{Answer, Form, Twice, first_id_in_action, id_after};

pub(super) async fn approvals(twice: &mut Twice<'_>, officer: &Web<'_>, gicho: &Web<'_>) {
    let today = mamori_app::today();
    let (from, to) = (
        mamori_app::date_text(today),
        mamori_app::date_text(today + time::Duration::days(7)),
    );
    twice
        .submit(
            gicho,
            Form {
                route: "/approvals/absences",
                page: "/approvals/absences",
                action: "/approvals/absences",
                changes: &[
                    ("deputy", "anzen.tanaka"),
                    ("starts_on", &from),
                    ("ends_on", &to),
                    ("note", "県外出張"),
                ],
                codes: &["approval.absence"],
            },
            Answer::Redirect,
        )
        .await;
    let draft = fixtures_policies::import_text(officer, &fixtures_policies::seed(), None).await;
    let lists = gicho.json("/api/v1/approvals").await;
    let request = lists["waiting"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["subject_id"] == draft.version)
        .expect("the draft waits")["id"]
        .clone();
    let page = format!("/approvals/{request}");
    twice
        .submit(
            gicho,
            Form {
                route: "/approvals/{id}/decide",
                page: &page,
                action: &format!("{page}/decide"),
                changes: &[("decision", "approve"), ("reason", "議長決裁")],
                codes: &["approval.decide", "policy.approve", "notify.send"],
            },
            Answer::Redirect,
        )
        .await;
}

pub(super) async fn cycle(twice: &mut Twice<'_>, officer: &Web<'_>, member_id: i64) {
    let owner = format!("user:{member_id}");
    let action = twice
        .submit(
            officer,
            Form {
                route: "/actions",
                page: "/actions/new",
                action: "/actions",
                changes: &[
                    ("title", "会議資料の持ち出し記録の徹底"),
                    ("owner", &owner),
                    ("due_on", "令和9年2月26日"),
                ],
                codes: &["action.create"],
            },
            Answer::Redirect,
        )
        .await;
    twice
        .submit(
            officer,
            Form {
                route: "/actions/{id}/status",
                page: &action,
                action: &format!("{action}/status"),
                changes: &[("status", "done"), ("note", "記録簿を配布した")],
                codes: &["action.status"],
            },
            Answer::Redirect,
        )
        .await;
    let risk = fixtures_cycle::a_risk(twice.server, officer, "委員会資料の誤配布").await;
    let reviews = format!("/reviews/risk/{risk}");
    twice
        .submit(
            officer,
            Form {
                route: "/reviews/{kind}/{id}",
                page: &reviews,
                action: &reviews,
                changes: &[
                    ("reviewed_on", "令和8年11月30日"),
                    ("outcome", "配布手順は有効"),
                ],
                codes: &["review.record"],
            },
            Answer::Redirect,
        )
        .await;
}

/// Attaching to an asset and a risk, a new revision, and a removal.
pub(super) async fn files(twice: &mut Twice<'_>, officer: &Web<'_>) {
    let asset = fixtures_risks::asset(officer, "議場の録画データ").await;
    let threat = fixtures_risks::threat_id(twice.server, "地震").await;
    let risk = fixtures_risks::risk(officer, "録画データの消失", threat, asset).await;
    let asset_page = format!("/assets/{asset}");
    twice
        .upload(
            officer,
            "/assets/{id}/files",
            &asset_page,
            &format!("/assets/{asset}/files"),
        )
        .await;
    let risk_page = format!("/risks/{risk}");
    twice
        .upload(
            officer,
            "/risks/{id}/files",
            &risk_page,
            &format!("/risks/{risk}/files"),
        )
        .await;
    // Evidence of a corrective action.
    let created = officer
        .post_form(
            "/actions",
            &[
                ("title", "録画データの二重化"),
                ("owner", "post:system_staff"),
                ("due_on", "令和9年3月31日"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let action_page = mamori_testkit::location(&created);
    let action_id = id_after(&action_page, "/actions/");
    twice
        .upload(
            officer,
            "/actions/{id}/files",
            &format!("/actions/{action_id}"),
            &format!("/actions/{action_id}/files"),
        )
        .await;
    let html = officer.page(&asset_page, 200).await;
    let id = first_id_in_action(
        &html.replace("href=\"/files/", "action=\"/files/"),
        "/files/",
    );
    let file_page = format!("/files/{id}");
    twice
        .upload(
            officer,
            "/files/{id}/revisions",
            &file_page,
            &format!("/files/{id}/revisions"),
        )
        .await;
    let action = format!("/files/{id}/remove");
    twice
        .submit(
            officer,
            Form {
                route: "/files/{id}/remove",
                page: &file_page,
                action: &action,
                changes: &[("reason", "録画の保存先を変えたため")],
                codes: &["file.remove"],
            },
            Answer::Redirect,
        )
        .await;
}

pub(super) async fn exceptions(twice: &mut Twice<'_>, officer: &Web<'_>, gicho: &Web<'_>) {
    let today = mamori_app::today();
    let (starts, expires) = (
        mamori_app::date_text(today),
        mamori_app::date_text(today + time::Duration::days(90)),
    );
    let fields = [
        ("waived_rule", "執務室外への端末持出しの禁止"),
        ("scope", "災害時の議会BCP用端末"),
        ("reason", "避難所から議会運営を続けるため"),
        ("measure", "端末を暗号化し、持出し簿に記録する"),
        ("starts_on", starts.as_str()),
        ("expires_on", expires.as_str()),
    ];
    let shown = twice
        .submit(
            officer,
            Form {
                route: "/exceptions/new",
                page: "/exceptions/new",
                action: "/exceptions/new",
                changes: &fields,
                codes: &["exception.create", "approval.request", "notify.send"],
            },
            Answer::Redirect,
        )
        .await;
    let id = id_after(&shown, "/exceptions/");
    let decide = |decision: &'static str| async move {
        let detail = officer.json(&format!("/api/v1/exceptions/{id}")).await;
        let request = detail["pending_request"].as_i64().expect("a request waits");
        let response = gicho
            .post_json(
                &format!("/api/v1/approvals/{request}/decision"),
                &serde_json::json!({ "decision": decision, "reason": "期間を見直してください" }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    };
    decide("return").await;
    let revise = format!("/exceptions/{id}/revise");
    twice
        .submit(
            officer,
            Form {
                route: "/exceptions/{id}/revise",
                page: &revise,
                action: &revise,
                changes: &[(
                    "expires_on",
                    &mamori_app::date_text(today + time::Duration::days(60)),
                )],
                codes: &["exception.revise", "approval.request", "notify.send"],
            },
            Answer::Redirect,
        )
        .await;
    decide("approve").await;
    let page = format!("/exceptions/{id}");
    twice
        .submit(
            officer,
            Form {
                route: "/exceptions/{id}/end",
                page: &page,
                action: &format!("{page}/end"),
                changes: &[("note", "災害対応の終了により通常の運用に戻した")],
                codes: &["exception.end"],
            },
            Answer::Redirect,
        )
        .await;
}

pub(super) async fn retention(twice: &mut Twice<'_>, officer: &Web<'_>) {
    // An account closed long ago: past any retention period.
    let closed = twice
        .server
        .add_user("taishoku.suzuki", mamori_domain::user::Role::User)
        .await;
    twice
        .server
        .db
        .execute(&format!(
            "UPDATE users SET active = 0, closed_at = '2000-01-01T00:00:00Z' WHERE id = {closed}"
        ))
        .await;
    let record = format!("account:{closed}");
    let shown = twice
        .submit(
            officer,
            Form {
                route: "/retention/redactions",
                page: "/retention",
                action: "/retention/redactions",
                changes: &[("record", &record)],
                codes: &["retention.propose", "approval.request", "notify.send"],
            },
            Answer::Redirect,
        )
        .await;
    assert!(shown.starts_with("/retention/redactions/"), "{shown}");
}

pub(super) async fn organisation(twice: &mut Twice<'_>, officer: &Web<'_>, member_id: i64) {
    let shown = twice
        .submit(
            officer,
            Form {
                route: "/organisation/posts",
                page: "/organisation",
                action: "/organisation/posts",
                changes: &[("name", "議事係長")],
                codes: &["organisation.post_add"],
            },
            Answer::Redirect,
        )
        .await;
    assert_eq!(shown, "/organisation?saved=post");
    let roster = officer.json("/api/v1/organisation").await;
    let post = roster["post_holders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "committee_member")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let page = format!("/organisation/posts/{post}");
    let action = format!("{page}/terms");
    let holder = member_id.to_string();
    twice
        .submit(
            officer,
            Form {
                route: "/organisation/posts/{id}/terms",
                page: &page,
                action: &action,
                changes: &[("post_holder", &holder), ("starts_on", "令和8年4月1日")],
                codes: &["organisation.term_add"],
            },
            Answer::Redirect,
        )
        .await;
}

pub(super) async fn awareness(twice: &mut Twice<'_>, officer: &Web<'_>) {
    let shown = twice
        .submit(
            officer,
            Form {
                route: "/awareness/new",
                page: "/awareness/new",
                action: "/awareness/new",
                changes: &[
                    ("title", "不審なメールに注意してください"),
                    ("body", "添付ファイルを開かないでください。"),
                    ("audience", "everyone"),
                ],
                codes: &["awareness.post", "notify.send"],
            },
            Answer::Redirect,
        )
        .await;
    let id = id_after(&shown, "/awareness/");
    let page = format!("/awareness/{id}");
    // The officer is addressed too (everyone): their reading is recorded once.
    twice
        .submit(
            officer,
            Form {
                route: "/awareness/{id}/read",
                page: &page,
                action: &format!("{page}/read"),
                changes: &[],
                codes: &["awareness.read"],
            },
            Answer::Redirect,
        )
        .await;
    twice
        .submit(
            officer,
            Form {
                route: "/awareness/{id}/remind",
                page: &page,
                action: &format!("{page}/remind"),
                changes: &[],
                codes: &["awareness.remind", "notify.send"],
            },
            Answer::Redirect,
        )
        .await;
    twice
        .upload(
            officer,
            "/awareness/{id}/files",
            &page,
            &format!("{page}/files"),
        )
        .await;
    twice
        .submit(
            officer,
            Form {
                route: "/awareness/{id}/withdraw",
                page: &page,
                action: &format!("{page}/withdraw"),
                changes: &[("reason", "内容を改めて掲示するため")],
                codes: &["awareness.withdraw"],
            },
            Answer::Redirect,
        )
        .await;
}

pub(super) async fn training(
    twice: &mut Twice<'_>,
    officer: &Web<'_>,
    member: &Web<'_>,
    member_id: i64,
) {
    let today = mamori_app::today();
    let year = mamori_domain::calendar::FiscalYear::of(today)
        .year()
        .to_string();
    let course = twice
        .submit(
            officer,
            Form {
                route: "/training/courses/new",
                page: &format!("/training/courses/new?year={year}"),
                action: "/training/courses/new",
                changes: &[
                    ("kind", "outside"),
                    ("title", "県主催の情報セキュリティ研修"),
                ],
                codes: &["training.course_create"],
            },
            Answer::Redirect,
        )
        .await;
    let course = id_after(&course, "/training/courses/");
    let session = twice
        .submit(
            officer,
            Form {
                route: "/training/courses/{id}/sessions/new",
                page: &format!("/training/courses/{course}/sessions/new"),
                action: &format!("/training/courses/{course}/sessions/new"),
                changes: &[
                    ("held_on", &mamori_app::date_text(today)),
                    ("starts_at", "13:30"),
                    ("ends_at", "15:00"),
                    ("place", "長野県庁"),
                    ("audience", "everyone"),
                ],
                codes: &["training.session_create", "notify.send"],
            },
            Answer::Redirect,
        )
        .await;
    let session = id_after(&session, "/training/sessions/");
    let page = format!("/training/sessions/{session}");
    twice
        .upload(
            officer,
            "/training/sessions/{id}/files",
            &page,
            &format!("{page}/files"),
        )
        .await;
    let declared = twice
        .submit(
            member,
            Form {
                route: "/training/sessions/{id}/declare",
                page: &page,
                action: &format!("{page}/declare"),
                changes: &[("note", "修了証 第123号")],
                codes: &["training.declare"],
            },
            Answer::Redirect,
        )
        .await;
    let attendance = id_after(&declared, "/training/attendance/");
    let record = format!("/training/attendance/{attendance}");
    twice
        .upload(
            member,
            "/training/attendance/{id}/files",
            &record,
            &format!("{record}/files"),
        )
        .await;
    twice
        .submit(
            officer,
            Form {
                route: "/training/attendance/{id}/confirm",
                page: &record,
                action: &format!("{record}/confirm"),
                changes: &[],
                codes: &["training.confirm"],
            },
            Answer::Redirect,
        )
        .await;
    fixtures_policies::give_posts(
        twice.server,
        member_id,
        &[mamori_domain::user::OrgRole::CommitteeChair],
    )
    .await;
    let saved = officer
        .post_form(
            "/training/plan",
            &[
                ("year", year.as_str()),
                ("summary", "全員研修を年1回、緊急時対応訓練を秋に行う。"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    twice
        .submit(
            officer,
            Form {
                route: "/training/plan/ask",
                page: &format!("/training/plan?year={year}"),
                action: "/training/plan/ask",
                changes: &[],
                codes: &["training.plan_status", "approval.request", "notify.send"],
            },
            Answer::Redirect,
        )
        .await;
}

/// A paper pledge (誓約書) recorded with its scan: one signature, one file.
pub(super) async fn pledges(twice: &mut Twice<'_>, officer: &Web<'_>, gicho: &Web<'_>) {
    let stored = mamori_testkit::fixtures_policies::published_pledge(officer, gicho).await;
    let page = format!("/policies/{}/acknowledgements", stored.document);
    let form = super::once_forms::Upload {
        route: "/policies/{id}/pledges/paper",
        fields: &[("user", "giin.sato"), ("signed_on", "令和8年4月1日")],
        codes: &["policy.pledge_paper", "file.attach", "policy.pledge_scan"],
    };
    let path = format!("/policies/{}/pledges/paper", stored.document);
    twice.upload_form(officer, form, &page, &path).await;
}

/// A scenario of a draft emergency response plan rewritten: one audit entry.
pub(super) async fn response_plan(twice: &mut Twice<'_>, officer: &Web<'_>) {
    let stored = fixtures_policies::draft_response_plan(officer).await;
    let plan = officer.json(&format!("{}/scenarios", stored.api())).await;
    let sid = plan["scenarios"][0]["id"].as_i64().expect("a scenario");
    let path = format!("{}/plan/scenarios/{sid}", stored.page());
    twice
        .submit(
            officer,
            Form {
                route: "/policies/{id}/versions/{vid}/plan/scenarios/{sid}",
                page: &path,
                action: &path,
                changes: &[("title", "サイバー攻撃を受けたとき")],
                codes: &["response_plan.scenario_edit"],
            },
            Answer::Redirect,
        )
        .await;
}

pub(super) async fn term_changes(twice: &mut Twice<'_>, officer: &Web<'_>) {
    let shown = twice
        .submit(
            officer,
            Form {
                route: "/term-changes/new",
                page: "/term-changes/new",
                action: "/term-changes/new",
                changes: &[
                    ("kind", "resignation"),
                    ("title", "佐藤議員の辞職"),
                    ("effective_on", "令和9年5月1日"),
                ],
                codes: &["term_change.create"],
            },
            Answer::Redirect,
        )
        .await;
    let id = id_after(&shown, "/term-changes/");
    let page = format!("/term-changes/{id}");
    // Adding the same member twice at once: one of them on the change.
    let added = twice
        .submit(
            officer,
            Form {
                route: "/term-changes/{id}/people",
                page: &page,
                action: &format!("{page}/people"),
                changes: &[("direction", "leaving"), ("login", "giin.sato")],
                codes: &["term_change.person_add"],
            },
            Answer::Redirect,
        )
        .await;
    let person = added
        .rsplit("#person-")
        .next()
        .and_then(|p| p.parse::<i64>().ok())
        .expect("the redirect names the person");
    twice
        .submit(
            officer,
            Form {
                route: "/term-changes/{id}/people/{pid}/marks",
                page: &page,
                action: &format!("{page}/people/{person}/marks"),
                changes: &[("note", "保有する情報資産はありません")],
                codes: &["term_change.mark_add"],
            },
            Answer::Redirect,
        )
        .await;
}

pub(super) async fn incidents(twice: &mut Twice<'_>, officer: &Web<'_>) {
    let shown = twice
        .submit(
            officer,
            Form {
                route: "/incidents/new",
                page: "/incidents/new",
                action: "/incidents/new",
                changes: &[
                    ("title", "USBメモリの紛失"),
                    ("description", "会議室で使ったUSBメモリが見当たりません。"),
                    ("noticed_at", "2026-12-01 10:00"),
                ],
                codes: &["incident.report", "notify.send"],
            },
            Answer::Redirect,
        )
        .await;
    let id = id_after(&shown, "/incidents/");
    let page = format!("/incidents/{id}");
    twice
        .submit(
            officer,
            Form {
                route: "/incidents/{id}/notes",
                page: &page,
                action: &format!("{page}/notes"),
                changes: &[("text", "会議室を捜索した。")],
                codes: &["incident.note"],
            },
            Answer::Redirect,
        )
        .await;
    twice
        .submit(
            officer,
            Form {
                route: "/incidents/{id}/lessons",
                page: &page,
                action: &format!("{page}/lessons"),
                changes: &[
                    ("lesson_title", "USBメモリの持出し手順を見直す"),
                    ("lesson_owner", "post:system_staff"),
                    ("lesson_due_days", "20"),
                ],
                codes: &["action.create", "incident.lesson"],
            },
            Answer::Redirect,
        )
        .await;
}

pub(super) async fn continuity(twice: &mut Twice<'_>, officer: &Web<'_>) {
    let shown = twice
        .submit(
            officer,
            Form {
                route: "/continuity/services/new",
                page: "/continuity/services/new",
                action: "/continuity/services/new",
                changes: &[
                    ("name", "委員会資料の配付"),
                    ("priority", "6"),
                    ("rto", "半日"),
                ],
                codes: &["continuity.service_create"],
            },
            Answer::Redirect,
        )
        .await;
    id_after(&shown, "/continuity/services/");
    let post = twice
        .server
        .db
        .number("SELECT id FROM org_posts WHERE role_code = 'security_manager'")
        .await
        .to_string();
    twice
        .submit(
            officer,
            Form {
                route: "/continuity/roster",
                page: "/continuity/roster",
                action: "/continuity/roster",
                changes: &[
                    ("covered", &format!("post:{post}")),
                    ("alternate_1", "anzen.tanaka"),
                ],
                codes: &["continuity.cover_add"],
            },
            Answer::Redirect,
        )
        .await;
    let year = mamori_domain::calendar::FiscalYear::of(mamori_app::today())
        .year()
        .to_string();
    let course = officer
        .post_json(
            "/api/v1/training/courses",
            &serde_json::json!({"fiscal_year": year, "kind": "drill", "title": "緊急時対応訓練"}),
        )
        .await;
    assert_eq!(course.status(), StatusCode::CREATED);
    let course = course.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let session = officer
        .post_json(
            &format!("/api/v1/training/courses/{course}/sessions"),
            &serde_json::json!({"held_on": mamori_app::date_text(mamori_app::today()),
                "starts_at": "10:00", "ends_at": "11:00", "place": "議会事務局",
                "audience": "everyone"}),
        )
        .await;
    assert_eq!(session.status(), StatusCode::CREATED);
    let session = session.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let owner = twice
        .server
        .db
        .number("SELECT id FROM users WHERE login = 'anzen.tanaka'")
        .await;
    let due = mamori_app::date_text(mamori_app::today() + time::Duration::days(30));
    twice
        .submit(
            officer,
            Form {
                route: "/continuity/drills/{id}/findings",
                page: &format!("/training/sessions/{session}"),
                action: &format!("/continuity/drills/{session}/findings"),
                changes: &[
                    ("title", "代替会場の鍵の保管場所を決める"),
                    ("owner", &format!("user:{owner}")),
                    ("due_on", &due),
                ],
                codes: &["action.create"],
            },
            Answer::Redirect,
        )
        .await;
}
