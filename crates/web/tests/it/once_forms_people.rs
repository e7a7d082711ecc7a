//! The twice-at-once cases of people and the policy: users, personal tokens, and a
//! policy document from import through 決裁 and publication to acknowledgement. The
//! harness and the list of guarded routes are in `once_forms`.

use mamori_testkit::{Web, fixtures_policies};
use reqwest::StatusCode;

use super::once_forms::{Answer, Form, Twice, id_after};

const NEW_PASSWORD: &str = "correct horse battery staple 2026";

pub(super) async fn people(twice: &mut Twice<'_>, admin: &Web<'_>, member: &Web<'_>) {
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

pub(super) async fn policies(
    twice: &mut Twice<'_>,
    officer: &Web<'_>,
    gicho: &Web<'_>,
    member: &Web<'_>,
) {
    let text = fixtures_policies::seed();
    let fields = [
        ("kind", "basic_policy"),
        ("document", ""),
        ("change_note", ""),
        ("text", text.as_str()),
    ];
    let preview = officer
        .post_multipart("/policies/import", &fields, None)
        .await;
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
    let preview = officer
        .post_multipart("/policies/import", &fields, None)
        .await;
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
