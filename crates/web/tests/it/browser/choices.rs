//! A risk's assets chosen on a tablet (issue 14, item 2), in Chromium on both backends:
//! check boxes of 44 px under a filter box that hides what does not match, instead of a
//! list that needed Ctrl-click.

use mamori_domain::user::Role;
use mamori_testkit::{PASSWORD, TestServer, backend_test, fixtures_assets, fixtures_risks};

use super::driver::Driver;

/// The labels of the asset choices a person sees now.
const VISIBLE_CHOICES: &str = "return [...document.querySelectorAll('#asset_choices li')]\
     .filter(li => !li.hidden && li.getBoundingClientRect().height > 0)\
     .map(li => li.textContent.trim());";

backend_test!(
    async fn a_risks_assets_are_chosen_by_touch_through_a_filter_and_check_boxes(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
        for name in ["議員用タブレット端末", "会議録の原稿", "ﾀﾌﾞﾚｯﾄ充電保管庫"] {
            fixtures_assets::asset(&server, name, ["2", "2", "2"], None).await;
        }
        let browser = Driver::start().await;
        browser.set_window_size(820, 1180).await;
        browser.sign_in(&server.base, "officer", PASSWORD).await;
        browser.goto(&server.url("/risks/new")).await;
        browser.wait_for_source("asset_choices").await;

        let all = browser.execute(VISIBLE_CHOICES).await;
        assert_eq!(all.as_array().map(Vec::len), Some(3), "{all}");
        let lowest = browser
            .execute(
                "return Math.min(...[...document.querySelectorAll('#asset_choices label')]\
                 .map(l => l.getBoundingClientRect().height));",
            )
            .await;
        assert!(lowest.as_f64().unwrap() >= 44.0, "a choice is {lowest} px high");

        // Typed in full-width katakana, the filter also finds the half-width name.
        browser.type_into("#asset_filter", "タブレット").await;
        let shown = browser.execute(VISIBLE_CHOICES).await;
        let shown: Vec<&str> = shown
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(shown.iter().all(|s| !s.contains("会議録")), "{shown:?}");
        assert!(
            browser.source().await.contains("2件を表示中（全3件、選択0件）"),
            "the count is said"
        );
        browser
            .click("#asset_choices li:not([hidden]) input[type=checkbox]")
            .await;
        // What was ticked stays in sight whatever is typed next.
        browser
            .execute("const f = document.querySelector('#asset_filter'); f.value = '会議録'; f.dispatchEvent(new Event('input'));")
            .await;
        let shown = browser.execute(VISIBLE_CHOICES).await;
        assert_eq!(shown.as_array().map(Vec::len), Some(2), "{shown}");
        assert!(browser.source().await.contains("選択1件"));

        // The rest of the form, and the risk names the ticked asset.
        let threat = fixtures_risks::threat_id(&server, "不正アクセス").await;
        browser.type_into("#title", "端末の紛失").await;
        browser
            .click(&format!("#threat option[value=\"{threat}\"]"))
            .await;
        for (field, value) in [("inherent_likelihood", "0"), ("inherent_impact", "0")] {
            browser
                .click(&format!("#{field} option[value=\"{value}\"]"))
                .await;
        }
        browser
            .click("form.form button[type=submit]:not([name])")
            .await;
        browser.wait_for_source("端末の紛失").await;
        let path = browser.path().await;
        assert!(path.starts_with("/risks/"), "saved: {path}");
        let risk = officer
            .json(&format!("/api/v1{}", path.split('?').next().unwrap()))
            .await;
        let assets = risk.to_string();
        assert!(assets.contains("タブレット"), "the risk names the ticked asset: {risk}");
        drop(browser);
        server.stop().await;
    }
);
