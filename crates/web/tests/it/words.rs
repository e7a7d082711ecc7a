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
    assert_eq!(
        location(&response),
        "/account/password",
        "asked to set a password"
    );
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

mamori_testkit::backend_test!(async fn the_glossary_lists_the_terms_in_both_languages_as_a_page_and_as_data(backend) {
    let server = TestServer::start(backend).await;
    let (_, member) = server.web_as("giin", Role::User).await;

    // Every page links to it, and it is open before sign-in too.
    let home = member.page("/", 200).await;
    assert!(home.contains("<a href=\"/help/glossary\">用語集</a>"), "{home}");
    let page = server.web_anonymous().page("/help/glossary", 200).await;
    for (term, english) in [
        ("資産の種別", "Asset type"),
        ("分類", "Classification"),
        ("権限", "Permission"),
        ("役職", "Post"),
        ("利用者", "User"),
        ("差戻し", "Send back"),
        ("リスク受容", "Risk acceptance"),
    ] {
        assert!(page.contains(&format!("<th scope=\"row\" lang=\"ja\">{term}</th>")), "{term}");
        assert!(page.contains(&format!("<td lang=\"en\">{english}</td>")), "{english}");
    }
    assert!(page.contains("議員が職務上作成し"), "the definition in Japanese");

    // The words the pages use are the glossary's words.
    let data = member.json("/api/v1/glossary").await;
    let items = data["items"].as_array().unwrap();
    let term = |code: &str| {
        items
            .iter()
            .find(|t| t["code"] == code)
            .unwrap_or_else(|| panic!("{code} in the glossary"))
            .clone()
    };
    assert_eq!(term("asset_type")["ja"], JA["asset.field.category"]);
    assert_eq!(term("asset_type")["clause"], "4(2)");
    assert_eq!(term("permission")["ja"], JA["users.role"]);
    assert_eq!(term("post")["ja"], JA["users.org_roles"]);
    assert_eq!(term("classification")["en"], "Classification");
    assert!(term("user")["clause"].is_string());
    assert!(term("send_back")["clause"].is_null());
    let doc = member.json("/api/openapi.json").await;
    assert!(doc["paths"]["/api/v1/glossary"]["get"].is_object(), "documented");

    // In English: the definitions in English, the Japanese terms kept and marked as such.
    member
        .post_form("/preferences", &[("lang", "en"), ("back", "/help/glossary")])
        .await;
    let page = member.page("/help/glossary", 200).await;
    assert!(page.contains("<h1>Glossary</h1>"), "{page}");
    assert!(page.contains("every document (drawings and electronic records included)"));
    assert!(!page.contains("議員が職務上作成し"));
    assert!(page.contains("<th scope=\"row\" lang=\"ja\">資産の種別</th>"));
    server.stop().await;
});

mamori_testkit::backend_test!(async fn the_preferences_page_says_truly_where_the_choice_is_kept(backend) {
    let server = TestServer::start(backend).await;
    let (_, member) = server.web_as("giin", Role::User).await;
    let signed_in = member.page("/preferences", 200).await;
    assert!(signed_in.contains(&JA["preferences.scope_account"]));
    assert!(!signed_in.contains(&JA["preferences.scope_browser"]));
    let anonymous = server.web_anonymous().page("/preferences", 200).await;
    assert!(anonymous.contains(&JA["preferences.scope_browser"]));

    // What the page says is what happens: chosen while signed in, the language follows
    // the account into a new browser.
    let response = member.post_form("/preferences", &[("lang", "en")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let other_browser = server.sign_in("giin").await;
    let page = server.text(&other_browser, "/preferences").await;
    assert!(page.contains("<html lang=\"en\""), "{page}");
    assert!(!page.contains('（'), "{page}");
    server.stop().await;
});
