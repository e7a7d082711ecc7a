//! The twice-at-once cases of the threat and risk registers: threats, the matrix, risks,
//! their treatment actions and acceptances. The harness and the list of guarded routes
//! are in `once_forms`.

use mamori_testkit::{Web, fixtures_risks};

use super::once_forms::{Answer, Form, Twice, first_id_in_action, id_after};

pub(super) async fn risks(twice: &mut Twice<'_>, officer: &Web<'_>, gicho: &Web<'_>) {
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
