//! Plain words (issue 13): error summaries that name each field and link to it, a first
//! sign-in told apart from an administrator's reset, over real HTTP on both backends.

use mamori_app::i18n::JA;
use mamori_domain::user::Role;
use mamori_testkit::fixtures_words::add_new_account;
use mamori_testkit::{PASSWORD, TestServer, location};
use reqwest::StatusCode;

const NEW_PASSWORD: &str = "chikuma gawa no nagare";

mamori_testkit::backend_test!(async fn the_setup_error_summary_names_each_empty_field_and_links_to_it(backend) {
    let server = TestServer::start(backend).await;
    let token = server.setup_token().await;
    let web = server.web_anonymous();
    let form = [
        ("token", token.as_str()),
        ("organisation", ""),
        ("login", ""),
        ("display_name", ""),
        ("password", ""),
        ("password_confirm", ""),
    ];
    let response = web.post_form("/setup", &form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    let summary = &page[page.find("id=\"error-summary\"").expect("a summary")..];
    let summary = &summary[..summary.find("</ul>").unwrap()];
    for (field, label) in [
        ("organisation", "議会の名称"),
        ("display_name", "氏名"),
        ("login", "ログインID"),
        ("password", "パスワード"),
    ] {
        let line = format!("<a href=\"#{field}\">「{label}」を入力してください。</a>");
        assert!(summary.contains(&line), "{line} in {summary}");
        assert!(page.contains(&format!("id=\"{field}\"")), "the link's target {field}");
    }
    assert!(
        !summary.contains("<a href=\"#organisation\">入力してください"),
        "no line without its field's name"
    );
    // The message under the field itself stays short: its label is right above it.
    assert!(page.contains("id=\"organisation-error\">入力してください。</p>"), "{page}");

    // In English, the same summary in English words and punctuation.
    let response = server
        .client()
        .post(server.url("/setup"))
        .header("origin", &server.base)
        .header("accept-language", "en")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("<a href=\"#organisation\">Name of the assembly is required.</a>"),
        "{page}"
    );
    assert!(page.contains("<a href=\"#password\">Password is required.</a>"));

    // Any other problem is said after the field's name.
    let short = [
        ("token", token.as_str()),
        ("organisation", "佐久市議会"),
        ("login", "saku.admin"),
        ("display_name", "佐久 花子"),
        ("password", "short"),
        ("password_confirm", "short"),
    ];
    let response = web.post_form("/setup", &short).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains("<a href=\"#password\">パスワード："), "{page}");
    assert!(!page.contains("<a href=\"#organisation\">"), "only the refused field");
    server.stop().await;
});

/// Signs in with `password` in a new client, which then fetches the password page.
async fn password_page_after_sign_in(server: &TestServer, login: &str, password: &str) -> String {
    let client = server.client();
    let response = client
        .post(server.url("/login"))
        .form(&[("login", login), ("password", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/account/password", "asked to set a password");
    server.text(&client, "/account/password").await
}

mamori_testkit::backend_test!(async fn a_first_sign_in_says_it_is_the_first_and_a_reset_says_it_was_reset(backend) {
    let server = TestServer::start(backend).await;
    let (_, admin) = server.web_as("chief.admin", Role::Admin).await;
    let member = add_new_account(&server, "new.member", Role::User).await;

    let first = password_page_after_sign_in(&server, "new.member", PASSWORD).await;
    assert!(first.contains(&JA["account.first_sign_in"]), "{first}");
    assert!(!first.contains(&JA["account.must_change"]), "not told of a reset never made");

    // The administrator resets it: the next sign-in is told so, not that it is the first.
    let response = admin
        .post_form(
            &format!("/users/{member}/password"),
            &[("new_password", NEW_PASSWORD), ("new_password_confirm", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let reset = password_page_after_sign_in(&server, "new.member", NEW_PASSWORD).await;
    assert!(reset.contains(&JA["account.must_change"]), "{reset}");
    assert!(!reset.contains(&JA["account.first_sign_in"]));

    // Someone who came to change it on their own is told neither.
    let own = admin.page("/account/password", 200).await;
    assert!(!own.contains(&JA["account.first_sign_in"]));
    assert!(!own.contains(&JA["account.must_change"]));
    server.stop().await;
});
