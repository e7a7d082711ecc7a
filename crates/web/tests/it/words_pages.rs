//! Pages a member and a secretariat staff member reach hold no implementation words
//! (SHA-256, SQLite, JSON, API, ID, hash …) outside a `<details>` disclosure: the test
//! walks every link from their home page on both backends.

use mamori_domain::user::Role;
use mamori_testkit::fixtures_words::{add_member, reachable_pages};
use mamori_testkit::{TestServer, fixtures_assets, fixtures_policies};

/// Words that belong to the implementation, not to the people who use mamori.
const IMPLEMENTATION_WORDS: [&str; 10] = [
    "SHA-256",
    "SQLite",
    "PostgreSQL",
    "スキーマ",
    "データ構造の版",
    "JSON",
    "API",
    "ID",
    "hash",
    "ハッシュ",
];

/// The text a person reads: tags, scripts and `<details>` disclosures taken out.
fn visible_text(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    let mut depth = 0usize;
    while let Some(open) = rest.find('<') {
        if depth == 0 {
            text.push_str(&rest[..open]);
        }
        let tag_end = rest[open..].find('>').map_or(rest.len(), |e| open + e + 1);
        let tag = &rest[open..tag_end];
        if tag.starts_with("<details") {
            depth += 1;
        } else if tag.starts_with("</details") {
            depth = depth.saturating_sub(1);
        }
        text.push(' ');
        rest = &rest[tag_end..];
    }
    if depth == 0 {
        text.push_str(rest);
    }
    text
}

/// Where `word` stands alone in `text` (not inside a longer word such as ログインID).
fn finds(text: &str, word: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let needle = word.to_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find(&needle).map(|i| i + from) {
        let before = lower[..at].chars().next_back();
        let after = lower[at + needle.len()..].chars().next();
        let part_of_word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        // ID and API stand alone only between non-letters, kana and kanji included.
        let short = word.len() <= 3;
        let joined = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        let alone = if short {
            !joined(before) && !joined(after)
        } else {
            !part_of_word(before) && !part_of_word(after)
        };
        if alone {
            let start = lower[..at]
                .char_indices()
                .rev()
                .nth(20)
                .map_or(0, |(i, _)| i);
            let end = lower[at..]
                .char_indices()
                .nth(30)
                .map_or(lower.len(), |(i, _)| at + i);
            return Some(
                lower[start..end]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        }
        from = at + needle.len();
    }
    None
}

#[test]
fn the_scan_sees_words_but_not_inside_details_nor_longer_words() {
    let html = "<p>内容の指紋（SHA-256）</p><details><summary>詳細</summary>hash abc</details>";
    let text = visible_text(html);
    assert!(finds(&text, "SHA-256").is_some());
    assert!(finds(&text, "hash").is_none(), "{text}");
    assert!(finds("ログインIDを入力", "ID").is_none());
    assert!(finds("利用者 ID: 3", "ID").is_some());
    assert!(finds("Rapid change", "API").is_none());
}

mamori_testkit::backend_test!(async fn member_and_staff_pages_hold_no_implementation_words(backend) {
    let server = TestServer::start(backend).await;
    // An installation in use: its administrator exists (before that, home explains setup).
    server.add_user("kanri", Role::Admin).await;
    fixtures_policies::published_seed(&server).await;
    let member = add_member(&server, "giin", Role::User).await;
    fixtures_assets::asset(&server, "議員用タブレット端末", ["2", "2", "2"], Some(member)).await;
    let (staff, _) = server.web_as("jimu", Role::User).await;
    fixtures_assets::asset(&server, "会議録の原稿", ["2", "2", "1"], Some(staff)).await;

    let mut failures = Vec::new();
    for login in ["giin", "jimu"] {
        let client = server.sign_in(login).await;
        let pages = reachable_pages(&server, &client, 150).await;
        assert!(pages.len() >= 8, "{login} reaches only {} pages", pages.len());
        assert!(pages.iter().any(|(p, _)| p.starts_with("/policies/")), "{login}");
        for (path, html) in &pages {
            let text = visible_text(html);
            for word in IMPLEMENTATION_WORDS {
                if let Some(context) = finds(&text, word) {
                    failures.push(format!("{login} {path}: {word} in «{context}»"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    server.stop().await;
});
