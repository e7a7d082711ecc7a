//! Each kind of person signs in through the real login page and finds their own work on
//! the home page: a member what they hold and must read (and confirms the policy after its
//! text, by clicking), the CISO what waits for her 決裁, the security officer the queues,
//! the administrator the system status — and nobody else the installation's insides.

use mamori_domain::user::Role;
use mamori_testkit::fixtures_assets::asset;
use mamori_testkit::fixtures_cycle::action_owned;
use mamori_testkit::fixtures_policies::{import_text, published_seed, seed};
use mamori_testkit::{PASSWORD, TestServer, backend_test};

use super::driver::Driver;

/// Words of the installation's insides that only the administrator's home page shows.
const INTERNALS: [&str; 4] = ["データ構造の版", "内蔵データベース", "SQLite", "PostgreSQL"];

/// Whether the page shows the installation's insides anywhere.
fn shows_internals(source: &str) -> bool {
    INTERNALS.iter().any(|word| source.contains(word))
}

backend_test!(
    async fn each_person_finds_their_own_work_on_the_home_page(backend) {
        let server = TestServer::start(backend).await;
        let stored = published_seed(&server).await;
        let (_, officer) = server.web_as("kanri.tanaka", Role::SecurityOfficer).await;
        let member_id = server.add_user("giin.sato", Role::User).await;
        server.add_user("sysadmin", Role::Admin).await;
        asset(&server, "貸与タブレット（佐藤）", ["2", "2", "2"], Some(member_id)).await;
        action_owned(&officer, "パスワードの付箋を外す", &format!("user:{member_id}"), "2026-04-01")
            .await;
        // A revised draft of the basic policy waits for the CISO's 決裁.
        let revised = seed().replace("佐久市議会", "佐久市議会（改定案）");
        import_text(&officer, &revised, Some(stored.document)).await;
        let browser = Driver::start().await;

        // The member: the policy to read, the tablet they hold, their overdue action.
        browser.sign_in(&server.base, "giin.sato", PASSWORD).await;
        let home = browser.source().await;
        assert_eq!(browser.count("#ack-heading").await, 1, "{home}");
        assert!(home.contains("貸与タブレット（佐藤）"), "{home}");
        assert!(home.contains("パスワードの付箋を外す"), "{home}");
        assert_eq!(browser.count("#approvals-heading").await, 0, "{home}");
        assert_eq!(browser.count("#status-heading").await, 0, "{home}");
        assert!(!shows_internals(&home), "{home}");
        // They open the policy from the home page; the confirmation comes after the text.
        browser.click("section[aria-labelledby=ack-heading] li a").await;
        browser.wait_for_path(&stored.page()).await;
        let last_clause = browser.top_of_text("情報セキュリティ基本方針の見直し").await;
        let confirm = browser.top_of("form[action$='/acknowledge'] button").await;
        assert!(confirm > last_clause, "the confirmation stands above the text");
        browser.click("form[action$='/acknowledge'] button").await;
        browser.wait_for_source("notice-success").await;
        browser.goto(&server.url("/")).await;
        browser.wait_for_path("/").await;
        assert_eq!(browser.count("#ack-heading").await, 0, "still asked to confirm");
        browser.sign_out().await;

        // The CISO (a member holding the post): the draft waiting for her, no internals.
        browser.sign_in(&server.base, "gicho", PASSWORD).await;
        let home = browser.source().await;
        assert_eq!(browser.count("#approvals-heading").await, 1, "{home}");
        let waiting = browser.text("section[aria-labelledby=approvals-heading]").await;
        assert!(waiting.contains("情報セキュリティ基本方針"), "{waiting}");
        assert!(!shows_internals(&home), "{home}");
        browser.sign_out().await;

        // The security officer: the register queues (everyone's overdue actions).
        browser.sign_in(&server.base, "kanri.tanaka", PASSWORD).await;
        let home = browser.source().await;
        assert!(home.contains("パスワードの付箋を外す"), "{home}");
        assert_eq!(browser.count("#status-heading").await, 0, "{home}");
        assert!(!shows_internals(&home), "{home}");
        browser.sign_out().await;

        // The administrator: the system status.
        browser.sign_in(&server.base, "sysadmin", PASSWORD).await;
        assert_eq!(browser.count("#status-heading").await, 1);
        assert!(browser.source().await.contains("データ構造の版"));
        browser.sign_out().await;

        drop(browser);
        server.stop().await;
    }
);
