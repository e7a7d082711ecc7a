//! The twice-at-once cases of the asset register: registration, events and their
//! decisions, the import's confirmation, withdrawal. The harness and the list of
//! guarded routes are in `once_forms`.

use mamori_store::assets::Viewer;
use mamori_testkit::fixtures_once::{form_fields, multipart};
use mamori_testkit::{TestServer, Web, fixtures_assets};
use reqwest::StatusCode;

use super::once_forms::{Answer, Form, Twice, first_id_in_action, id_after};

pub(super) async fn assets(
    twice: &mut Twice<'_>,
    officer: &Web<'_>,
    member: &Web<'_>,
    member_id: i64,
) {
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
