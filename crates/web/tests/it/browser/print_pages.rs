//! Every list and record page the security officer opens prints on A4 with the header
//! and page numbers, and without what only serves on a screen: the words of the
//! navigation, header, footer, forms, buttons and pager — those the page's printable
//! content does not itself contain — appear nowhere on paper.

use mamori_domain::user::Role;
use mamori_domain::wareki::Lang;
use mamori_testkit::fixtures_assets::asset;
use mamori_testkit::fixtures_cycle::action_owned;
use mamori_testkit::fixtures_policies::published_seed;
use mamori_testkit::fixtures_risks;
use mamori_testkit::fixtures_start::name_organisation;
use mamori_testkit::{PASSWORD, TestServer, backend_test};

use super::driver::Driver;
use super::print::{ASSEMBLY, PRINT_CSS, print, today};

/// The texts of the page's screen-only parts that its printable content does not
/// contain; and the page's title as the header prints it.
const SCREEN_ONLY: &str = "
    const main = document.querySelector('main');
    const printable = main.cloneNode(true);
    printable.querySelectorAll(
        'form, nav, button, a.button, .actions, .no-print, :scope > p:has(+ h1)')
        .forEach(e => e.remove());
    const kept = printable.textContent.replace(/\\s+/g, '');
    const parts = document.querySelectorAll(
        '.skip-link, .site-nav a, .site-header .brand, .site-header .user-name, \
         .site-header button, .site-footer a, .site-footer button, main form label, \
         main form button, main nav a, main .actions a, main a.button, \
         main > p:has(+ h1) a');
    const words = [...parts].map(e => e.textContent.replace(/\\s+/g, ''))
        .filter(t => t.length >= 2 && !kept.includes(t));
    return {words: [...new Set(words)], title: document.documentElement.dataset.printTitle};
";

backend_test!(
    async fn every_list_and_record_page_prints_with_its_header_and_without_the_screen(backend) {
        let server = TestServer::start(backend).await;
        name_organisation(&server, ASSEMBLY).await;
        let policy = published_seed(&server).await;
        let (officer_id, officer) = server.web_as("kanri.tanaka", Role::SecurityOfficer).await;
        let held = asset(&server, "委員会会議録（令和8年度）", ["2", "2", "2"], None).await;
        let threat = fixtures_risks::threat_id(&server, "情報資産の無断持ち出し").await;
        let tablet = fixtures_risks::asset(&officer, "議員用タブレット").await;
        let risk =
            fixtures_risks::risk(&officer, "タブレットの紛失による情報漏えい", threat, tablet)
                .await;
        let owner = format!("user:{officer_id}");
        let action = action_owned(&officer, "パスワードの付箋を外す", &owner, "2026-04-01").await;
        let browser = Driver::start().await;
        browser.sign_in(&server.base, "kanri.tanaka", PASSWORD).await;

        let paths = [
            "/".to_owned(),
            "/approvals".to_owned(),
            "/policies".to_owned(),
            format!("/policies/{}", policy.document),
            policy.page(),
            "/assets".to_owned(),
            format!("/assets/{}", held.id),
            "/settings/classification".to_owned(),
            "/threats".to_owned(),
            "/risks".to_owned(),
            format!("/risks/{risk}"),
            "/risks/matrix".to_owned(),
            "/exceptions".to_owned(),
            "/actions".to_owned(),
            format!("/actions/{action}"),
            "/reviews".to_owned(),
            "/audit".to_owned(),
            "/notifications".to_owned(),
        ];
        let mut dates = vec![today(Lang::Ja)];
        for path in &paths {
            browser.goto(&server.url(path)).await;
            browser.wait_for_path(path).await;
            let found = browser.execute(SCREEN_ONLY).await;
            let title = found["title"].as_str().unwrap_or_default().to_owned();
            let words: Vec<String> = found["words"]
                .as_array()
                .unwrap_or_else(|| panic!("{path}: {found}"))
                .iter()
                .filter_map(|w| w.as_str().map(str::to_owned))
                .collect();
            assert!(words.len() >= 5, "{path}: only {words:?} are screen-only");
            let printed = print(&browser, PRINT_CSS, path).await;
            dates.push(today(Lang::Ja));
            printed.assert_a4(path, false);
            // The header's title as pdftotext reads it: its first line's worth.
            let title_start: String = title.chars().take(12).collect();
            printed.assert_headed(path, &title_start, &dates);
            let text: String = printed.all_text().split_whitespace().collect();
            for word in &words {
                assert!(!text.contains(word.as_str()), "{path} prints {word:?}: {text}");
            }
        }
    }
);
