//! English complete: signed in with English chosen, every page each kind of person
//! reaches is free of Japanese characters and full-width punctuation, except what is
//! marked `lang="ja"` (user data in Japanese, the policy's own words, era names).

use mamori_domain::user::Role;
use mamori_testkit::fixtures_words::reachable_pages;
use mamori_testkit::{TestServer, fixtures_assets, fixtures_risks};

fn is_japanese(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
}

/// The text of `html` outside elements marked `lang="ja"`, tags and scripts left out.
pub(super) fn english_text(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    // The element marked Japanese that we are inside of, and how deep in its own name.
    let mut skipping: Option<(String, usize)> = None;
    while let Some(open) = rest.find('<') {
        if skipping.is_none() {
            text.push_str(&rest[..open]);
        }
        let tag_end = rest[open..].find('>').map_or(rest.len(), |e| open + e + 1);
        let tag = &rest[open..tag_end];
        let name: String = tag
            .trim_start_matches(['<', '/'])
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        let closing = tag.starts_with("</");
        let void =
            tag.ends_with("/>") || ["input", "br", "meta", "link", "img"].contains(&name.as_str());
        match &mut skipping {
            Some((skipped, depth)) if *skipped == name && !void => {
                if closing {
                    *depth -= 1;
                    if *depth == 0 {
                        skipping = None;
                    }
                } else {
                    *depth += 1;
                }
            }
            Some(_) => {}
            None if !closing && !void && tag.contains("lang=\"ja\"") && name != "html" => {
                skipping = Some((name, 1));
            }
            None => {}
        }
        text.push(' ');
        rest = &rest[tag_end..];
    }
    if skipping.is_none() {
        text.push_str(rest);
    }
    text
}

/// Each run of Japanese characters in `text`, with a few characters around it.
pub(super) fn japanese_in(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_japanese(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_japanese(chars[i]) {
            i += 1;
        }
        let context: String = chars[start.saturating_sub(12)..(i + 12).min(chars.len())]
            .iter()
            .collect();
        found.push(context.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    found
}

#[test]
fn the_scan_skips_only_what_is_marked_japanese() {
    let html = "<p>Asset <span lang=\"ja\">会議録<span>（令和7年）</span></span> held</p>";
    assert!(japanese_in(&english_text(html)).is_empty());
    let found = japanese_in(&english_text("<p>Scheme in use：3 levels</p>"));
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("in use：3 levels"), "{found:?}");
    assert_eq!(
        japanese_in(&english_text("<td>Approved（by the CISO）</td>")).len(),
        2
    );
}

mamori_testkit::backend_test!(async fn every_page_in_english_is_english(backend) {
    let server = TestServer::start(backend).await;
    let mut people = Vec::new();
    for (login, role) in [
        ("admin", Role::Admin),
        ("officer", Role::SecurityOfficer),
        ("member", Role::User),
        ("auditor", Role::Auditor),
        ("contractor", Role::Contractor),
    ] {
        let (id, web) = server.web_as(login, role).await;
        let response = web.post_form("/preferences", &[("lang", "en")]).await;
        assert_eq!(response.status().as_u16(), 303);
        people.push((login, id, web));
    }
    // Their data in plain ASCII, so that whatever Japanese remains is the interface's.
    let member = people[2].1;
    let asset =
        fixtures_assets::asset(&server, "Tablet for members", ["2", "2", "2"], Some(member)).await;
    // A risk on a built-in threat, scored with the default matrix.
    let threat = fixtures_risks::threat_id(&server, "不正アクセス").await.to_string();
    let asset = asset.id.to_string();
    let officer = &people[1].2;
    let risk = officer.post_form(
        "/risks",
        &[
            ("title", "Tablet left on a train"),
            ("threat", threat.as_str()),
            ("asset_ids", asset.as_str()),
            ("asset_group", ""),
            ("existing_measures", "Screen lock"),
            ("inherent_likelihood", "2"),
            ("inherent_impact", "2"),
            ("treatment", "reduce"),
            ("residual_likelihood", "0"),
            ("residual_impact", "2"),
            ("owner", ""),
            ("review_due", "2099-03-31"),
        ],
    )
    .await;
    let shown = officer.page(&mamori_testkit::location(&risk), 200).await;
    assert!(shown.contains("Unauthorised access"), "the built-in threat in English: {shown}");

    let mut failures = Vec::new();
    for (login, _, web) in &people {
        let pages = reachable_pages(&server, &web.client, 150).await;
        assert!(pages.len() >= 5, "{login} reaches {} pages", pages.len());
        for (path, html) in &pages {
            assert!(html.contains("<html lang=\"en\""), "{login} {path} is in English");
            for context in japanese_in(&english_text(html)) {
                failures.push(format!("«{context}» ({login} {path})"));
            }
        }
    }
    // One line per distinct text, with the first page it was seen on.
    failures.sort();
    failures.dedup_by(|a, b| a.split(" (").next() == b.split(" (").next());
    assert!(failures.is_empty(), "{} texts:\n{}", failures.len(), failures.join("\n"));
    server.stop().await;
});
