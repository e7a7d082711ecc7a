//! Printing on A4 in the real browser: the asset register (portrait and landscape), a
//! risk, an asset's labels and the public policy are printed to PDF with WebDriver's
//! Print Page command and read back with poppler's pdftotext and pdfinfo: the number
//! of sheets, the header on every sheet (assembly, title, today in 和暦), "page / pages"
//! at the foot, and none of the navigation, filters or buttons.

use std::process::Command;
use std::time::{Duration, Instant};

use mamori_app::i18n::Tr;
use mamori_domain::user::Role;
use mamori_domain::wareki::{self, DateStyle, Lang};
use mamori_testkit::fixtures_assets::asset;
use mamori_testkit::fixtures_policies::published_seed;
use mamori_testkit::fixtures_risks;
use mamori_testkit::fixtures_start::name_organisation;
use mamori_testkit::{PASSWORD, TestServer, backend_test};

use super::driver::Driver;

pub(super) const ASSEMBLY: &str = "佐久市議会";
pub(super) const PRINT_CSS: &str = "/static/print.css";
const LABELS_CSS: &str = "/static/labels.css";

/// A printed PDF as poppler reads it.
pub(super) struct Printed {
    /// Each sheet's text (pdftotext -layout; sheets end with a form feed).
    sheets: Vec<String>,
    /// Each sheet's size in points, width × height, rounded (A4: 595 × 842).
    sizes: Vec<(u32, u32)>,
}

impl Printed {
    fn read(pdf: &[u8], name: &str) -> Printed {
        let dir = tempfile::tempdir().unwrap();
        // A page's path names its file: "/risks/3" → "risks-3.pdf".
        let file: String = name
            .trim_matches('/')
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '-' })
            .collect();
        let file = format!("{}.pdf", if file.is_empty() { "home" } else { &file });
        let path = dir.path().join(&file);
        std::fs::write(&path, pdf).unwrap();
        if let Ok(keep) = std::env::var("MAMORI_TEST_KEEP_PDF") {
            // For a look at the sheets themselves (pdftoppm -png).
            std::fs::copy(&path, std::path::Path::new(&keep).join(&file)).unwrap();
        }
        let text = poppler("pdftotext", &["-layout", path.to_str().unwrap(), "-"]);
        let mut sheets: Vec<String> = text.split('\u{c}').map(str::to_owned).collect();
        // The text ends with a form feed: nothing follows the last sheet.
        assert_eq!(sheets.pop().as_deref(), Some(""), "{name}: {text}");
        let info = poppler(
            "pdfinfo",
            &["-f", "1", "-l", "9999", path.to_str().unwrap()],
        );
        let pages: usize = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name}: no page count in {info}"));
        let sizes: Vec<(u32, u32)> = info
            .lines()
            .filter(|l| l.starts_with("Page ") && l.contains(" size:"))
            .map(|l| {
                let numbers: Vec<f64> = l
                    .split_whitespace()
                    .filter_map(|w| w.parse::<f64>().ok())
                    .collect();
                // "Page    1 size: 595.92 x 842.88 pts (A4)": page, width, height.
                (numbers[1].round() as u32, numbers[2].round() as u32)
            })
            .collect();
        assert_eq!(
            sheets.len(),
            pages,
            "{name}: pdftotext and pdfinfo disagree"
        );
        assert_eq!(sizes.len(), pages, "{name}: {info}");
        Printed { sheets, sizes }
    }

    pub(super) fn all_text(&self) -> String {
        self.sheets.join("\n")
    }

    /// Every sheet is A4 the given way round.
    pub(super) fn assert_a4(&self, name: &str, landscape: bool) {
        let expected = if landscape { (842, 595) } else { (595, 842) };
        for (n, size) in self.sizes.iter().enumerate() {
            assert!(
                size.0.abs_diff(expected.0) <= 1 && size.1.abs_diff(expected.1) <= 1,
                "{name}: sheet {} is {size:?} points, not A4 {}",
                n + 1,
                if landscape { "landscape" } else { "portrait" }
            );
        }
    }

    /// Every sheet carries the header (assembly, title, date) and "n / pages".
    pub(super) fn assert_headed(&self, name: &str, title: &str, dates: &[String]) {
        let pages = self.sheets.len();
        for (n, sheet) in self.sheets.iter().enumerate() {
            let top: String = sheet.lines().take(3).collect::<Vec<_>>().join("\n");
            assert!(top.contains(ASSEMBLY), "{name} sheet {}: {top}", n + 1);
            assert!(top.contains(title), "{name} sheet {}: {top}", n + 1);
            assert!(
                dates.iter().any(|d| top.contains(d.as_str())),
                "{name} sheet {}: none of {dates:?} in {top}",
                n + 1
            );
            // pdftotext drops the spaces around the slash.
            let foot = format!("{}/{pages}", n + 1);
            let last = sheet.trim_end().lines().last().unwrap_or("");
            assert_eq!(last.replace(' ', ""), foot, "{name} sheet {}", n + 1);
        }
    }

    /// None of `words` is printed.
    pub(super) fn assert_without(&self, name: &str, words: &[&str]) {
        let text = self.all_text();
        for word in words {
            assert!(!text.contains(word), "{name} prints {word:?}: {text}");
        }
    }
}

/// Prints the page on A4 as the print dialog would by default (portrait; a page's own
/// @page size wins), once `stylesheet` has arrived: the browser fetches a stylesheet
/// for another medium last, and a busy machine may ask to print before.
pub(super) async fn print(browser: &Driver, stylesheet: &str, name: &str) -> Printed {
    let deadline = Instant::now() + Duration::from_secs(10);
    let loaded = format!(
        "return [...document.styleSheets].some(s => (s.href || '').endsWith({}));",
        serde_json::to_string(stylesheet).unwrap()
    );
    while browser.execute(&loaded).await != serde_json::Value::Bool(true) {
        assert!(
            Instant::now() < deadline,
            "{name}: {stylesheet} did not load"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Printed::read(&browser.print_pdf("portrait").await, name)
}

fn poppler(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("{tool} ({e}): the print test needs poppler-utils (./scripts/test installs it)")
    });
    assert!(output.status.success(), "{tool}: {output:?}");
    String::from_utf8(output.stdout).expect("UTF-8 text")
}

/// Today as the header prints it, read before and after printing (midnight may pass).
pub(super) fn today(lang: Lang) -> String {
    wareki::format_date(mamori_app::today(), DateStyle::Wareki, lang)
}

/// The texts of the screen's furniture that must not reach paper, in Japanese.
fn screen_only(ja: &Tr) -> Vec<&'static str> {
    [
        "nav.home",
        "nav.preferences",
        "nav.calendar",
        "nav.account",
        "layout.skip_to_content",
        "login.sign_out",
        "layout.glossary",
        "asset.search",
        "asset.apply_filters",
        "asset.clear_filters",
        "asset.next",
        "asset.export_csv",
        "print.portrait",
        "print.landscape",
        "print.button",
        "print.view_landscape",
    ]
    .into_iter()
    .map(|key| ja.t(key))
    .chain(["English"])
    .collect()
}

backend_test!(
    async fn the_register_a_risk_labels_and_the_policy_print_on_a4(backend) {
        let server = TestServer::start(backend).await;
        name_organisation(&server, ASSEMBLY).await;
        published_seed(&server).await;
        let (_, officer) = server.web_as("kanri.tanaka", Role::SecurityOfficer).await;
        // A register longer than a sheet, with one name of 200 characters.
        let mut ids = Vec::new();
        for n in 1..=60 {
            let name = format!("議会資料{n:03} 委員会会議録");
            ids.push(asset(&server, &name, ["2", "2", "2"], None).await.id);
        }
        let long_name = format!("長い名称の資産{}", "あ".repeat(193));
        let long = asset(&server, &long_name, ["2", "2", "2"], None).await;
        let threat = fixtures_risks::threat_id(&server, "情報資産の無断持ち出し").await;
        let tablet = fixtures_risks::asset(&officer, "議員用タブレット").await;
        let risk = fixtures_risks::risk(&officer, "タブレットの紛失による情報漏えい", threat, tablet)
            .await;
        let ja = Tr::new(Lang::Ja);
        let hidden = screen_only(&ja);
        let browser = Driver::start().await;
        browser.sign_in(&server.base, "kanri.tanaka", PASSWORD).await;
        let mut dates = vec![today(Lang::Ja)];

        // The register, portrait: the header and the table's header row on every sheet.
        browser.goto(&server.url("/assets?sort=oldest&print=portrait")).await;
        browser.wait_for_source("data-print-orientation").await;
        let portrait = print(&browser, PRINT_CSS, "register-portrait").await;
        dates.push(today(Lang::Ja));
        portrait.assert_a4("register", false);
        assert!(portrait.sheets.len() >= 2, "{}", portrait.all_text());
        portrait.assert_headed("register", ja.t("asset.title"), &dates);
        portrait.assert_without("register", &hidden);
        for sheet in &portrait.sheets {
            assert!(sheet.contains(ja.t("asset.field.location")), "{sheet}");
        }
        assert!(portrait.sheets[0].contains("議会資料001"));
        let text = portrait.all_text();
        for n in 1..=60 {
            assert!(text.contains(&format!("議会資料{n:03}")), "asset {n} missing: {text}");
        }
        // The long name wraps within its column: all of it is printed.
        let a_count = text.matches('あ').count();
        assert!(a_count >= 193, "{a_count} of the long name's characters printed");

        // Landscape from the register's own link, whatever the print dialog says: wide
        // enough for a row on one line, which portrait is not.
        browser.goto(&server.url("/assets?sort=oldest")).await;
        browser.click("p.actions a[href$='print=landscape']").await;
        browser.wait_for_source("data-print-orientation=\"landscape\"").await;
        // The print button shows where scripts run (hidden without them: Ctrl+P then).
        let hidden_button = "return document.querySelector('[data-print-button]').hidden;";
        let deadline = Instant::now() + Duration::from_secs(10);
        while browser.execute(hidden_button).await != serde_json::Value::Bool(false) {
            assert!(Instant::now() < deadline, "the print button stays hidden");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let landscape = print(&browser, PRINT_CSS, "register-landscape").await;
        landscape.assert_a4("register (landscape)", true);
        let one_line = |printed: &Printed| {
            printed
                .all_text()
                .lines()
                .any(|l| l.contains("議会資料001") && l.contains(ja.t("asset.status.in_use")))
        };
        assert!(one_line(&landscape), "{}", landscape.all_text());
        assert!(!one_line(&portrait), "{}", portrait.all_text());
        landscape.assert_headed("register (landscape)", ja.t("asset.title"), &dates);
        landscape.assert_without("register (landscape)", &hidden);

        // A risk: its facts and measures, none of its forms.
        browser.goto(&server.url(&format!("/risks/{risk}"))).await;
        browser.wait_for_source("id=\"acceptances\"").await;
        let printed = print(&browser, PRINT_CSS, "risk").await;
        printed.assert_a4("risk", false);
        assert_eq!(printed.sheets.len(), 1, "{}", printed.all_text());
        printed.assert_headed("risk", "タブレットの紛失による情報漏えい", &dates);
        printed.assert_without("risk", &hidden);
        printed.assert_without(
            "risk",
            &[
                ja.t("risk.back_to_list"),
                ja.t("risk.edit"),
                ja.t("risk.add_action"),
                ja.t("risk.propose"),
                ja.t("file.upload_title"),
            ],
        );
        let text = printed.all_text();
        assert!(text.contains("画面ロック") && text.contains("議員用タブレット"), "{text}");

        // An asset's record: the header keeps the first 80 characters of its long name on
        // the sheet, the record all of them.
        browser.goto(&server.url(&format!("/assets/{}", long.id))).await;
        browser.wait_for_source("id=\"events\"").await;
        let record = print(&browser, PRINT_CSS, "asset").await;
        record.assert_a4("asset", false);
        let header_part = format!("長い名称の資産{}", "あ".repeat(15));
        record.assert_headed("asset", &header_part, &dates);
        record.assert_without("asset", &hidden);
        record.assert_without("asset", &[ja.t("asset.back_to_list"), ja.t("asset.record_title")]);
        let a_count = record.all_text().matches('あ').count();
        assert!(a_count >= 193 + 73, "{a_count}: {}", record.all_text());

        // Labels: one sheet per 12 labels, exactly where the sheet's labels are; no
        // header or page number, which would print onto the labels.
        let first_fourteen: Vec<String> = ids[..14].iter().map(i64::to_string).collect();
        browser
            .goto(&server.url(&format!("/assets/labels?layout=12&ids={}", first_fourteen.join(","))))
            .await;
        browser.wait_for_source("label-sheets").await;
        let labels = print(&browser, LABELS_CSS, "labels").await;
        labels.assert_a4("labels", false);
        assert_eq!(labels.sheets.len(), 2, "{}", labels.all_text());
        assert_eq!(labels.sheets[0].matches(ASSEMBLY).count(), 12, "{}", labels.sheets[0]);
        assert_eq!(labels.sheets[1].matches(ASSEMBLY).count(), 2, "{}", labels.sheets[1]);
        assert!(labels.sheets[1].contains("議会資料014"));
        labels.assert_without(
            "labels",
            &[ja.t("asset.labels.title"), ja.t("asset.labels.print"), "1/2"],
        );

        // The public policy: its own layout, the same header and page numbers.
        browser.goto(&server.url("/public/policy")).await;
        browser.wait_for_source("public-document").await;
        let policy = print(&browser, PRINT_CSS, "policy").await;
        policy.assert_a4("policy", false);
        assert!(policy.sheets.len() >= 2, "{}", policy.all_text());
        policy.assert_headed("policy", "佐久市議会情報セキュリティ基本方針", &dates);
        assert!(policy.all_text().contains("情報セキュリティ基本方針の見直し"));

        // In English the header's date reads in English.
        browser.goto(&server.url(&format!("/risks/{risk}"))).await;
        browser.click("form.language-switch button").await;
        browser.wait_for_source("<html lang=\"en\"").await;
        let english = print(&browser, PRINT_CSS, "risk-english").await;
        english.assert_headed(
            "risk (English)",
            "タブレットの紛失による情報漏えい",
            &[today(Lang::En)],
        );
        assert!(english.all_text().contains("(Reiwa "), "{}", english.all_text());
    }
);

/// The attribute print.css reads, as the page carries it.
fn print_title(html: &str) -> &str {
    let start = html.find("data-print-title=\"").expect("a print title") + 18;
    let end = start + html[start..].find('"').expect("a closed attribute");
    &html[start..end]
}

backend_test!(
    async fn the_printed_title_is_the_page_title_escaped_once_and_kept_to_three_lines(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("kanri.tanaka", Role::SecurityOfficer).await;
        let marked = asset(&server, "\"A&B\" <議事録>", ["2", "2", "2"], None).await;
        let html = officer.page(&format!("/assets/{}", marked.id), 200).await;
        let escaped = "&#34;A&#38;B&#34; &#60;議事録&#62;";
        assert_eq!(print_title(&html), escaped, "{html}");
        assert!(html.contains(&format!("<title>{escaped} | ")), "{html}");

        // A name of 200 characters would fill the sheet's top margin and run into the
        // page: the header has its first 80, the window's title all of it.
        let long_name = format!("長い名称の資産{}", "あ".repeat(193));
        let long = asset(&server, &long_name, ["2", "2", "2"], None).await;
        let html = officer.page(&format!("/assets/{}", long.id), 200).await;
        let shown = print_title(&html);
        assert_eq!(shown.chars().count(), 83, "{shown}");
        assert!(shown.starts_with("長い名称の資産あ") && shown.ends_with("あ..."), "{shown}");
        assert!(html.contains(&format!("<title>{long_name} | ")), "{html}");
        server.stop().await;
    }
);

backend_test!(
    async fn a_print_view_in_an_unknown_orientation_is_refused_in_the_readers_language(backend) {
        let server = TestServer::start(backend).await;
        let (_, officer) = server.web_as("kanri.tanaka", Role::SecurityOfficer).await;
        let ja = Tr::new(Lang::Ja);
        let refused = officer.page("/assets?print=a3", 400).await;
        assert!(refused.contains(ja.t("print.error.orientation")), "{refused}");
        let fine = officer.page("/assets?print=landscape&q=%E8%AD%B0%E4%BA%8B", 200).await;
        assert!(fine.contains("data-print-orientation=\"landscape\""), "{fine}");
        // The way back keeps the filters and leaves the print view.
        assert!(fine.contains("href=\"/assets?q=%E8%AD%B0%E4%BA%8B\""), "{fine}");
        let response = officer.post_form("/preferences", &[("lang", "en")]).await;
        assert_eq!(response.status().as_u16(), 303);
        let en = Tr::new(Lang::En);
        let refused = officer.page("/assets?print=sideways", 400).await;
        assert!(refused.contains(en.t("print.error.orientation")), "{refused}");
        server.stop().await;
    }
);
