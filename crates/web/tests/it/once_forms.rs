//! Every create and decide form of the route table (`once::GUARDED`), read from its
//! page as a browser shows it and submitted twice at once with the page's one-time
//! token, on both backends: one record each (one audit entry, or the entries one
//! submission writes), and both submissions get the same answer — the same redirect,
//! the same page — one of them marked as given again.

use std::collections::BTreeSet;

use mamori_domain::user::Role;
use mamori_store::assets::Viewer;
use mamori_testkit::fixtures_once::{
    audit_since, filled, form_fields, last_audit_id, multipart, once_token,
};
use mamori_testkit::{TestServer, Web, backend_test};
use mamori_testkit::{fixtures_assets, fixtures_policies, fixtures_risks};
use reqwest::StatusCode;

use super::once::GUARDED;
use super::once_forms_blocks as blocks;

/// What the first submission answers, and so what both get.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Answer {
    /// 303 to the same place.
    Redirect,
    /// A page (200) with the same content.
    Page,
    /// A page showing a secret once (201); the second is told it was done (409).
    ShownOnce,
}

/// Submits forms twice at once and notes which routes it covered.
pub(super) struct Twice<'s> {
    pub(super) server: &'s TestServer,
    covered: Vec<&'static str>,
}

/// One form to submit twice: who, from which page, to which action, changed how, and the
/// audit entries the one submission that runs must write.
pub(super) struct Form<'a> {
    pub(super) route: &'static str,
    pub(super) page: &'a str,
    pub(super) action: &'a str,
    pub(super) changes: &'a [(&'a str, &'a str)],
    pub(super) codes: &'a [&'a str],
}

impl<'s> Twice<'s> {
    /// Loads `page`, fills its form, posts it twice concurrently with the same token and
    /// checks one audit entry and the same answer; returns the Location or the page.
    pub(super) async fn submit(&mut self, web: &Web<'_>, form: Form<'_>, answer: Answer) -> String {
        let html = match form.page {
            "" => String::new(),
            page => web.page(page, 200).await,
        };
        self.post(web, &html, form, answer).await
    }

    /// As [`Twice::submit`], for a form on a page already in hand (`html`).
    async fn post(&mut self, web: &Web<'_>, html: &str, form: Form<'_>, answer: Answer) -> String {
        self.covered.push(form.route);
        let fields = filled(form_fields(html, form.action), form.changes);
        assert!(!once_token(&fields).is_empty(), "{}: a token", form.action);
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let before = last_audit_id(self.server).await;
        let (first, second) = tokio::join!(
            web.post_form(form.action, &pairs),
            web.post_form(form.action, &pairs)
        );
        let replayed = [&first, &second]
            .iter()
            .filter(|r| r.headers().get("idempotent-replayed").is_some())
            .count();
        assert_eq!(
            replayed, 1,
            "{}: one ran, one was given its answer",
            form.action
        );
        let mut statuses = [first.status().as_u16(), second.status().as_u16()];
        let locations = [
            first.headers().get("location").cloned(),
            second.headers().get("location").cloned(),
        ];
        let bodies = [first.text().await.unwrap(), second.text().await.unwrap()];
        let result = match answer {
            Answer::Redirect => {
                assert_eq!(statuses, [303, 303], "{}: {bodies:?}", form.action);
                assert_eq!(
                    locations[0], locations[1],
                    "{}: the same redirect",
                    form.action
                );
                locations[0].as_ref().unwrap().to_str().unwrap().to_owned()
            }
            Answer::Page => {
                assert_eq!(statuses, [200, 200], "{}", form.action);
                assert_eq!(bodies[0], bodies[1], "{}: the same page", form.action);
                bodies[0].clone()
            }
            Answer::ShownOnce => {
                statuses.sort();
                assert_eq!(statuses, [201, 409], "{}: {bodies:?}", form.action);
                bodies
                    .iter()
                    .find(|b| b.contains("already") || b.contains("すでに"))
                    .expect("told");
                String::new()
            }
        };
        let written: Vec<String> = audit_since(self.server, before)
            .await
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(written, form.codes, "{}: one record", form.action);
        result
    }
}

impl Twice<'_> {
    /// An upload form (multipart, its token in the action's query) read from `page` and
    /// posted twice at once: one attachment, the same redirect.
    pub(super) async fn upload(
        &mut self,
        web: &Web<'_>,
        route: &'static str,
        page: &str,
        path: &str,
    ) -> String {
        self.covered.push(route);
        let html = web.page(page, 200).await;
        let start = html
            .find(&format!("action=\"{path}?once="))
            .unwrap_or_else(|| panic!("no upload form to {path} on {page}"))
            + "action=\"".len();
        let action = html[start..].split('"').next().unwrap().to_owned();
        let document = mamori_testkit::fixtures_files::pdf("Twice");
        let (content_type, body) = multipart(
            &[("purpose", "evidence")],
            Some(("file", "証跡.pdf", &document)),
        );
        let send = || {
            web.client
                .post(web.server.url(&action))
                .header("origin", &web.server.base)
                .header("content-type", content_type.clone())
                .body(body.clone())
                .send()
        };
        let before = last_audit_id(self.server).await;
        let (first, second) = tokio::join!(send(), send());
        let (first, second) = (first.unwrap(), second.unwrap());
        let replayed = [&first, &second]
            .iter()
            .filter(|r| r.headers().get("idempotent-replayed").is_some())
            .count();
        assert_eq!(replayed, 1, "{route}: one ran, one was given its answer");
        assert_eq!(
            [first.status().as_u16(), second.status().as_u16()],
            [303, 303]
        );
        assert_eq!(first.headers()["location"], second.headers()["location"]);
        let written: Vec<String> = audit_since(self.server, before)
            .await
            .into_iter()
            .map(|e| e.action)
            .collect();
        let expected = if route == "/files/{id}/revisions" {
            "file.revise"
        } else {
            "file.attach"
        };
        assert_eq!(written, [expected], "{route}: one record");
        first.headers()["location"].to_str().unwrap().to_owned()
    }
}

/// The id after `prefix` in a redirect such as `/risks/12?saved=1`.
pub(super) fn id_after(location: &str, prefix: &str) -> i64 {
    location
        .strip_prefix(prefix)
        .and_then(|rest| rest.split(['?', '#', '/']).next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no id after {prefix} in {location}"))
}

/// The id in the first form action of `html` that starts with `prefix` (`…/events/`).
pub(super) fn first_id_in_action(html: &str, prefix: &str) -> i64 {
    let start = html
        .find(&format!("action=\"{prefix}"))
        .unwrap_or_else(|| panic!("no {prefix}"))
        + 8
        + prefix.len();
    html[start..]
        .split(['/', '"'])
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

backend_test!(
    /// Every create and decide form, twice at once: one record each, the same answer.
    async fn every_create_form_submitted_twice_at_once_writes_one_record(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("anzen.tanaka", Role::SecurityOfficer).await;
        let (_, admin) = server.web_as("kanri", Role::Admin).await;
        let (member_id, member) = server.web_as("giin.sato", Role::User).await;
        let (_, gicho) = fixtures_policies::ciso(&server, "gicho").await;
        let mut twice = Twice { server: &server, covered: Vec::new() };

        assets(&mut twice, &officer, &member, member_id).await;
        risks(&mut twice, &officer, &gicho).await;
        people(&mut twice, &admin, &member).await;
        policies(&mut twice, &officer, &gicho, &member).await;
        blocks::approvals(&mut twice, &officer, &gicho).await;
        blocks::cycle(&mut twice, &officer, member_id).await;
        blocks::files(&mut twice, &officer).await;
        blocks::exceptions(&mut twice, &officer, &gicho).await;

        let covered: BTreeSet<&str> = twice.covered.iter().copied().collect();
        let guarded: BTreeSet<&str> = GUARDED.iter().copied().collect();
        assert_eq!(covered, guarded, "every guarded form is submitted twice here");
        server.stop().await;
    }
);

async fn assets(twice: &mut Twice<'_>, officer: &Web<'_>, member: &Web<'_>, member_id: i64) {
    let created = twice
        .submit(
            officer,
            Form {
                route: "/assets/new",
                page: "/assets/new",
                action: "/assets/new",
                changes: &[
                    ("name", "本会議録（令和8年）"),
                    ("category", "information"),
                    ("form", "paper"),
                    ("holder_type", "secretariat"),
                    ("location", "議会事務局書庫"),
                    ("confidentiality", "2"),
                    ("integrity", "2"),
                    ("availability", "1"),
                    ("retention", "永年"),
                    ("status", "in_use"),
                ],
                codes: &["asset.create"],
            },
            Answer::Redirect,
        )
        .await;
    let id = id_after(&created, "/assets/");
    let path = format!("/assets/{id}");
    twice
        .submit(
            officer,
            Form {
                route: "/assets/{id}",
                page: &format!("{path}/edit"),
                action: &path,
                changes: &[("location", "議会事務局書庫B")],
                codes: &["asset.update"],
            },
            Answer::Redirect,
        )
        .await;
    // A take-out of 3C information needs the officer's approval.
    let held = fixtures_assets::asset(
        twice.server,
        "政務活動費収支報告書",
        ["3C", "2", "1"],
        Some(member_id),
    )
    .await;
    let held_path = format!("/assets/{}", held.id);
    let events = format!("{held_path}/events");
    twice
        .submit(
            member,
            Form {
                route: "/assets/{id}/events",
                page: &held_path,
                action: &events,
                changes: &[
                    ("kind", "take_out"),
                    ("occurred_on", "令和8年11月26日"),
                    ("person", "議員 一郎"),
                    ("counterparty", "自宅"),
                    ("due_back", "2026-11-27"),
                    ("confirm_past_dates", "1"),
                ],
                // The take-out needs approval: its request is opened with it.
                codes: &["asset.event", "approval.request", "notify.send"],
            },
            Answer::Redirect,
        )
        .await;
    let page = officer.page(&held_path, 200).await;
    let event = first_id_in_action(&page, &format!("{events}/"));
    twice
        .post(
            officer,
            &page,
            Form {
                route: "/assets/{id}/events/{eid}/decide",
                page: "",
                action: &format!("{events}/{event}/decide"),
                changes: &[("decision", "approve"), ("note", "翌日返却")],
                // The decision is the take-out's approval request's; the asset's history
                // records it too.
                codes: &["approval.decide", "asset.event_decide", "notify.send"],
            },
            Answer::Redirect,
        )
        .await;
    import_confirm(twice, officer).await;
    withdraw(twice, officer, id).await;
}

/// Upload, mapping, preview as the pages give them; then the confirmation twice.
async fn import_confirm(twice: &mut Twice<'_>, officer: &Web<'_>) {
    let csv = "資産名,分類,形態,保有者区分,機密性,完全性,可用性\r\n\
               委員会記録（令和8年）,イ,紙,議会事務局,2,2,1\r\n\
               請願文書表（令和8年）,イ,電子,議会事務局,1,1,1\r\n";
    let (content_type, body) =
        multipart(&[("csrf", "")], Some(("file", "台帳.csv", csv.as_bytes())));
    let mapping = officer
        .client
        .post(officer.server.url("/assets/import"))
        .header("origin", &officer.server.base)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(mapping.status(), StatusCode::OK);
    let mapping = mapping.text().await.unwrap();
    let fields = form_fields(&mapping, "/assets/import/preview");
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let preview = officer.post_form("/assets/import/preview", &pairs).await;
    assert_eq!(preview.status(), StatusCode::OK);
    let preview = preview.text().await.unwrap();
    // The mapping saved as a profile for the next file with these headers.
    twice
        .post(
            officer,
            &preview,
            Form {
                route: "/assets/import/profiles",
                page: "",
                action: "/assets/import/profiles",
                changes: &[("name", "事務局の台帳")],
                codes: &["asset.import.profile_save"],
            },
            Answer::Redirect,
        )
        .await;
    let before = count_assets(twice.server).await;
    let done = twice
        .post(
            officer,
            &preview,
            Form {
                route: "/assets/import/confirm",
                page: "",
                action: "/assets/import/confirm",
                changes: &[],
                codes: &["asset.create", "asset.create", "asset.import"],
            },
            Answer::Page,
        )
        .await;
    assert!(done.contains("委員会記録") || done.contains('2'), "{done}");
    assert_eq!(
        count_assets(twice.server).await,
        before + 2,
        "the file's two rows, once"
    );
    // Undone as a whole from its record, once.
    let record = regex_lite::Regex::new(r#"href="/assets/imports/(\d+)""#)
        .unwrap()
        .captures(&done)
        .expect("a link to the import's record")[1]
        .to_owned();
    let record = format!("/assets/imports/{record}");
    twice
        .submit(
            officer,
            Form {
                route: "/assets/imports/{id}/undo",
                page: &record,
                action: &format!("{record}/undo"),
                changes: &[("reason", "別の台帳を取り込んでいたため")],
                codes: &["asset.withdraw", "asset.withdraw", "asset.import.undo"],
            },
            Answer::Redirect,
        )
        .await;
    assert_eq!(count_assets(twice.server).await, before);
}

/// A single asset registered by mistake, withdrawn (取消) once.
async fn withdraw(twice: &mut Twice<'_>, officer: &Web<'_>, id: i64) {
    let path = format!("/assets/{id}/withdraw");
    twice
        .submit(
            officer,
            Form {
                route: "/assets/{id}/withdraw",
                page: &path,
                action: &path,
                changes: &[("reason", "同じ資産を二重に登録したため")],
                codes: &["asset.withdraw"],
            },
            Answer::Redirect,
        )
        .await;
}

async fn count_assets(server: &TestServer) -> i64 {
    mamori_store::assets::count(&server.store, Viewer::everything(), &Default::default())
        .await
        .unwrap()
}

async fn risks(twice: &mut Twice<'_>, officer: &Web<'_>, gicho: &Web<'_>) {
    twice
        .submit(
            officer,
            Form {
                route: "/threats",
                page: "/threats",
                action: "/threats",
                changes: &[
                    ("family", "intentional"),
                    ("name", "標的型メール"),
                    ("description", "添付ファイルでマルウェアに感染させる。"),
                ],
                codes: &["threat.create"],
            },
            Answer::Redirect,
        )
        .await;
    let threat = fixtures_risks::threat_id(twice.server, "標的型メール")
        .await
        .to_string();
    let asset = fixtures_risks::asset(officer, "議員用タブレット端末")
        .await
        .to_string();
    let created = twice
        .submit(
            officer,
            Form {
                route: "/risks",
                page: "/risks/new",
                action: "/risks",
                changes: &risk_fields(&threat, &asset),
                codes: &["risk.create"],
            },
            Answer::Redirect,
        )
        .await;
    let id = id_after(&created, "/risks/");
    let path = format!("/risks/{id}");
    twice
        .submit(
            officer,
            Form {
                route: "/risks/{id}",
                page: &format!("{path}/edit"),
                action: &path,
                changes: &[("existing_measures", "画面ロック\nMDMによる遠隔消去")],
                codes: &["risk.update"],
            },
            Answer::Redirect,
        )
        .await;
    let actions = format!("{path}/actions");
    twice
        .submit(
            officer,
            Form {
                route: "/risks/{id}/actions",
                page: &path,
                action: &actions,
                changes: &[
                    ("description", "紛失時の連絡手順を周知する"),
                    ("due_on", "令和9年4月1日"),
                ],
                codes: &["risk.action_add"],
            },
            Answer::Redirect,
        )
        .await;
    let page = officer.page(&path, 200).await;
    let action = first_id_in_action(&page, &format!("{actions}/"));
    twice
        .post(
            officer,
            &page,
            Form {
                route: "/risks/{id}/actions/{aid}/complete",
                page: "",
                action: &format!("{actions}/{action}/complete"),
                changes: &[],
                codes: &["risk.action_done"],
            },
            Answer::Redirect,
        )
        .await;
    let acceptances = format!("{path}/acceptances");
    twice
        .submit(
            officer,
            Form {
                route: "/risks/{id}/acceptances",
                page: &path,
                action: &acceptances,
                changes: &[
                    ("reason", "予算措置が決まるまで運用で対応する"),
                    ("expires_on", "2099-03-31"),
                ],
                codes: &["risk.accept_propose", "approval.request", "notify.send"],
            },
            Answer::Redirect,
        )
        .await;
    let page = gicho.page(&path, 200).await;
    let acceptance = first_id_in_action(&page, &format!("{acceptances}/"));
    twice
        .post(
            gicho,
            &page,
            Form {
                route: "/risks/{id}/acceptances/{aid}/decide",
                page: "",
                action: &format!("{acceptances}/{acceptance}/decide"),
                changes: &[("decision", "approve"), ("note", "令和9年度予算で対応")],
                codes: &["approval.decide", "risk.accept_decide", "notify.send"],
            },
            Answer::Redirect,
        )
        .await;
    twice
        .submit(
            officer,
            Form {
                route: "/risks/analyses",
                page: "/risks/analyses",
                action: "/risks/analyses",
                changes: &[
                    ("title", "令和8年度 第1回リスク分析"),
                    ("analysed_on", "令和8年4月1日"),
                ],
                codes: &["risk.analysis_freeze"],
            },
            Answer::Redirect,
        )
        .await;
    twice
        .submit(
            officer,
            Form {
                route: "/risks/matrix",
                page: "/risks/matrix/edit",
                action: "/risks/matrix",
                changes: &[("likelihood_0", "まれ")],
                codes: &["risk.matrix_update"],
            },
            Answer::Redirect,
        )
        .await;
}

pub(super) fn risk_fields<'a>(threat: &'a str, asset: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", "タブレットの紛失による情報漏えい"),
        ("threat", threat),
        ("asset_ids", asset),
        ("asset_group", "議員用タブレット全台"),
        ("existing_measures", "画面ロック"),
        ("inherent_likelihood", "2"),
        ("inherent_impact", "2"),
        ("treatment", "reduce"),
        ("residual_likelihood", "0"),
        ("residual_impact", "2"),
        ("review_due", "令和9年3月31日"),
    ]
}

const NEW_PASSWORD: &str = "correct horse battery staple 2026";

async fn people(twice: &mut Twice<'_>, admin: &Web<'_>, member: &Web<'_>) {
    let created = twice
        .submit(
            admin,
            Form {
                route: "/users/new",
                page: "/users/new",
                action: "/users/new",
                changes: &[
                    ("login", "yamada.taro"),
                    ("display_name", "山田 太郎"),
                    ("user_type", "member"),
                    ("role", "user"),
                    ("password", NEW_PASSWORD),
                    ("password_confirm", NEW_PASSWORD),
                ],
                codes: &["user.create"],
            },
            Answer::Redirect,
        )
        .await;
    let id = id_after(&created, "/users/");
    let path = format!("/users/{id}");
    twice
        .submit(
            admin,
            Form {
                route: "/users/{id}",
                page: &path,
                action: &path,
                changes: &[("display_name", "山田 太朗")],
                codes: &["user.update"],
            },
            Answer::Redirect,
        )
        .await;
    twice
        .submit(
            member,
            Form {
                route: "/account/tokens",
                page: "/account/tokens",
                action: "/account/tokens",
                changes: &[("name", "集計スクリプト")],
                codes: &["token.create"],
            },
            Answer::ShownOnce,
        )
        .await;
}

async fn policies(twice: &mut Twice<'_>, officer: &Web<'_>, gicho: &Web<'_>, member: &Web<'_>) {
    let text = fixtures_policies::seed();
    let fields = [
        ("kind", "basic_policy"),
        ("document", ""),
        ("change_note", ""),
        ("text", text.as_str()),
    ];
    let (content_type, body) = multipart(&fields, None);
    let preview = officer
        .client
        .post(officer.server.url("/policies/import"))
        .header("origin", &officer.server.base)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(preview.status(), StatusCode::OK);
    let preview = preview.text().await.unwrap();
    let saved = twice
        .post(
            officer,
            &preview,
            Form {
                route: "/policies/import/save",
                page: "",
                action: "/policies/import/save",
                changes: &[],
                // Saved only: the draft is sent for 決裁 from its page.
                codes: &["policy.create", "policy.version_create"],
            },
            Answer::Redirect,
        )
        .await;
    let document = id_after(&saved, "/policies/");
    let version = saved.clone();
    for (web, route, step, codes, changes) in [
        (
            officer,
            "/policies/{id}/versions/{vid}/send",
            "send",
            &["approval.request", "notify.send"][..],
            &[("request_note", "第4条の表現を改めました")][..],
        ),
        (
            gicho,
            "/policies/{id}/versions/{vid}/approve",
            "approve",
            &["approval.decide", "policy.approve", "notify.send"][..],
            &[("approved_on", "令和8年3月18日")][..],
        ),
        (
            officer,
            "/policies/{id}/versions/{vid}/publish",
            "publish",
            &["policy.publish"][..],
            &[][..],
        ),
        (
            member,
            "/policies/{id}/versions/{vid}/acknowledge",
            "acknowledge",
            &["policy.acknowledge"][..],
            &[][..],
        ),
    ] {
        twice
            .submit(
                web,
                Form {
                    route,
                    page: &version,
                    action: &format!("{version}/{step}"),
                    changes,
                    codes,
                },
                Answer::Redirect,
            )
            .await;
    }
    let document_path = format!("/policies/{document}");
    twice
        .submit(
            officer,
            Form {
                route: "/policies/{id}/reviews",
                page: &document_path,
                action: &format!("{document_path}/reviews"),
                changes: &[
                    ("reviewed_on", "令和8年10月1日"),
                    ("trigger", "audit_result"),
                    ("analysis", "監査の指摘は運用で対応できる"),
                    ("decision", "改定しない"),
                ],
                codes: &["policy.review"],
            },
            Answer::Redirect,
        )
        .await;
    let status = format!("{document_path}/acknowledgements");
    twice
        .submit(
            officer,
            Form {
                route: "/policies/{id}/acknowledgements/remind",
                page: &status,
                action: &format!("{status}/remind"),
                changes: &[],
                codes: &["policy.remind", "notify.send"],
            },
            Answer::Redirect,
        )
        .await;
    // A second draft of the same document, withdrawn (取下げ) twice at once.
    let amended = format!("{text}\n（見直し案）\n");
    let document_id = document.to_string();
    let fields = [
        ("kind", "basic_policy"),
        ("document", document_id.as_str()),
        ("change_note", "見直し案"),
        ("text", amended.as_str()),
    ];
    let (content_type, body) = multipart(&fields, None);
    let preview = officer
        .client
        .post(officer.server.url("/policies/import"))
        .header("origin", &officer.server.base)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(preview.status(), StatusCode::OK);
    let preview = preview.text().await.unwrap();
    let draft = twice
        .post(
            officer,
            &preview,
            Form {
                route: "/policies/import/save",
                page: "",
                action: "/policies/import/save",
                changes: &[],
                codes: &["policy.version_create"],
            },
            Answer::Redirect,
        )
        .await;
    twice
        .submit(
            officer,
            Form {
                route: "/policies/{id}/versions/{vid}/withdraw",
                page: &draft,
                action: &format!("{draft}/withdraw"),
                changes: &[("reason", "条文の整理が不十分なため取り下げる")],
                // Never sent: there is no 決裁 to withdraw with it.
                codes: &["policy.withdraw"],
            },
            Answer::Redirect,
        )
        .await;
}
