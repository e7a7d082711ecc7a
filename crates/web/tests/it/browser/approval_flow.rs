//! The approval flow by clicking (issue 13, item 2), in a real browser on both backends:
//! a draft sent to a chosen approver with a note, returned with a reason, sent again and
//! approved after the text.

use std::time::{Duration, Instant};

use mamori_domain::user::Role;
use mamori_testkit::{PASSWORD, TestServer, backend_test};

use super::driver::Driver;

// The approval flow by clicking (issue 13, item 2): the security officer sends a saved
// draft to the CISO by name with a note; the CISO finds it on her home page (the
// count on ホーム says so), opens it and sends it back with a reason; the officer finds
// it returned on his home page with the reason.
backend_test!(
    async fn a_draft_is_sent_to_the_ciso_returned_resent_and_approved_by_clicking(backend) {
        let server = TestServer::start(backend).await;
        server.add_user("officer", Role::SecurityOfficer).await;
        let gicho = server.add_user("gicho", Role::User).await;
        mamori_testkit::fixtures_policies::give_posts(
            &server,
            gicho,
            &[mamori_domain::user::OrgRole::Ciso],
        )
        .await;
        let (_, editor) = server.web_as("kyoku", Role::SecurityOfficer).await;
        let draft = mamori_testkit::fixtures_start::saved_draft(
            &editor,
            &mamori_testkit::fixtures_policies::seed(),
        )
        .await;
        let browser = Driver::start().await;

        browser.sign_in(&server.base, "officer", PASSWORD).await;
        browser.goto(&server.url(&draft)).await;
        browser.wait_for_source("決裁に回す").await;
        browser
            .click(&format!("#decider option[value=\"{gicho}\"]"))
            .await;
        browser
            .type_into("#request_note", "第4条を改めました")
            .await;
        browser
            .click(&format!(
                "form[action=\"{draft}/send\"] button[type=submit]"
            ))
            .await;
        browser.wait_for_source("決裁待ち").await;
        browser.sign_out().await;

        browser.sign_in(&server.base, "gicho", PASSWORD).await;
        browser.wait_for_source("あなたの決裁待ち").await;
        assert!(
            browser.source().await.contains("対応待ち"),
            "the count on ホーム"
        );
        browser.click("a[href^=\"/approvals/\"]").await;
        browser.wait_for_source("第4条を改めました").await;
        browser.click("#decision-return").await;
        browser
            .type_into("#reason", "附則の施行日を確認してください")
            .await;
        browser
            .click("form[action$=\"/decide\"] button[type=submit]")
            .await;
        // Decided: the page comes back without the form.
        let deadline = Instant::now() + Duration::from_secs(10);
        while browser.source().await.contains("/decide\"") {
            assert!(Instant::now() < deadline, "still deciding");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        browser.sign_out().await;

        browser.sign_in(&server.base, "officer", PASSWORD).await;
        browser
            .wait_for_source("差し戻された・却下された申請")
            .await;
        assert!(
            browser
                .source()
                .await
                .contains("附則の施行日を確認してください")
        );

        // He sends it again to her; she approves it on the version page, after the text.
        browser.goto(&server.url(&draft)).await;
        browser.wait_for_source("決裁に回す").await;
        browser
            .click(&format!("#decider option[value=\"{gicho}\"]"))
            .await;
        browser
            .click(&format!("form[action=\"{draft}/send\"] button[type=submit]"))
            .await;
        browser.wait_for_source("決裁待ち").await;
        browser.sign_out().await;

        browser.sign_in(&server.base, "gicho", PASSWORD).await;
        browser.goto(&server.url(&draft)).await;
        browser.wait_for_source("approve-heading").await;
        let last_clause = browser.top_of_text("情報セキュリティ基本方針の見直し").await;
        let approve = browser.top_of("form[action$='/approve'] button[type=submit]").await;
        assert!(approve > last_clause, "the 決裁 button stands above the text");
        browser.click("form[action$='/approve'] button[type=submit]").await;
        // Approved: the version page comes back without the form, saying so.
        let deadline = Instant::now() + Duration::from_secs(10);
        while browser.source().await.contains("approve-heading") {
            assert!(Instant::now() < deadline, "still approving");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        browser.wait_for_source("：gicho）").await;
        browser.sign_out().await;

        // The officer finds the decision on his home page.
        browser.sign_in(&server.base, "officer", PASSWORD).await;
        browser.wait_for_source("の決裁が行われました").await;
        drop(browser);
        server.stop().await;
    }
);
