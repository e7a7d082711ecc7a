//! Every UI string exists in Japanese and in English, and every key the code or the
//! templates use is in both files.

use std::collections::BTreeSet;
use std::path::Path;

use mamori_app::i18n::{EN, JA};
use mamori_domain::asset::{NoProposal, RetentionReading};
use mamori_domain::password::PasswordProblem;
use mamori_domain::text::TextProblem;
use mamori_domain::user::LoginProblem;
use mamori_domain::wareki::parse_date_input;

#[test]
fn japanese_and_english_have_the_same_keys() {
    let ja: BTreeSet<&String> = JA.keys().collect();
    let en: BTreeSet<&String> = EN.keys().collect();
    let only_ja: Vec<_> = ja.difference(&en).collect();
    let only_en: Vec<_> = en.difference(&ja).collect();
    assert!(only_ja.is_empty(), "missing in en.toml: {only_ja:?}");
    assert!(only_en.is_empty(), "missing in ja.toml: {only_en:?}");
    for (key, text) in JA.iter().chain(EN.iter()) {
        assert!(!text.trim().is_empty(), "{key} is empty");
    }
}

#[test]
fn placeholders_match_between_languages() {
    let placeholders = |text: &str| -> BTreeSet<String> {
        regex_lite::Regex::new(r"\{([a-z_]+)\}")
            .unwrap()
            .captures_iter(text)
            .map(|c| c[1].to_owned())
            .collect()
    };
    for (key, ja) in JA.iter() {
        assert_eq!(placeholders(ja), placeholders(&EN[key]), "{key}");
    }
}

fn files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn every_key_used_in_templates_and_code_exists() {
    let root = mamori_testkit::workspace_root();
    let mut files = Vec::new();
    files_under(&root.join("crates/web/templates"), &mut files);
    files_under(&root.join("crates/web/src"), &mut files);
    files_under(&root.join("crates/cli/src"), &mut files);
    // t("key"), f("key", …), and "key" literals passed to AppError::new / refuse.
    let call = regex_lite::Regex::new(r#"\b(?:t|f)\(\s*"([a-z0-9_]+(?:\.[a-z0-9_]+)+)""#).unwrap();
    let literal = regex_lite::Regex::new(r#""((?:error|setup|cli|password|date|field|login|form|nav|home|preferences|layout|auth|mfa|account|users|security|audit|tokens|sessions)\.[a-z0-9_.]+)""#).unwrap();
    let mut used = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // Audit action names and template paths look like keys but are not UI text.
        let text: String = text
            .lines()
            .filter(|line| !line.contains("AuditEntry::new(") && !line.contains("template(path"))
            .collect::<Vec<_>>()
            .join("\n");
        for capture in call
            .captures_iter(&text)
            .chain(literal.captures_iter(&text))
        {
            if !mamori_store::audit::ACTIONS.contains(&&capture[1]) {
                used.insert((capture[1].to_owned(), file.display().to_string()));
            }
        }
    }
    assert!(used.len() > 40, "the scan found the keys ({})", used.len());
    for (key, file) in &used {
        assert!(
            JA.contains_key(key),
            "{key} (used in {file}) is missing in ja.toml"
        );
        assert!(
            EN.contains_key(key),
            "{key} (used in {file}) is missing in en.toml"
        );
    }
    // Every audit action has a label.
    for action in mamori_store::audit::ACTIONS {
        let key = format!("audit.action.{action}");
        assert!(JA.contains_key(&key) && EN.contains_key(&key), "{key}");
    }
    // The navigation and every error page title.
    for item in mamori_web::http::layout::NAV {
        assert!(
            JA.contains_key(item.key) && EN.contains_key(item.key),
            "{}",
            item.key
        );
    }
    for status in [
        400, 401, 403, 404, 405, 408, 409, 410, 413, 415, 422, 429, 500, 503,
    ] {
        let key = format!("error.title.{status}");
        assert!(JA.contains_key(&key) && EN.contains_key(&key), "{key}");
    }
}

#[test]
fn every_domain_problem_has_a_message() {
    let mut keys: Vec<&str> = vec![
        TextProblem::Empty.message_key(),
        TextProblem::TooLong { max: 1 }.message_key(),
        TextProblem::ControlCharacters.message_key(),
        LoginProblem::Empty.message_key(),
        LoginProblem::TooLong { max: 1 }.message_key(),
        LoginProblem::BadCharacters.message_key(),
        PasswordProblem::TooShort.message_key(),
        PasswordProblem::TooLong.message_key(),
        PasswordProblem::SameAsLogin.message_key(),
        PasswordProblem::Common.message_key(),
    ];
    let date_errors: Vec<_> = [
        "",
        "tomorrow",
        "2026-13-01",
        "2026-02-30",
        "令和元年4月30日",
        "平成31年5月1日",
        "1872-12-31",
    ]
    .iter()
    .map(|input| parse_date_input(input).unwrap_err())
    .collect();
    keys.extend(date_errors.iter().map(|e| e.message_key()));
    for key in keys {
        assert!(JA.contains_key(key), "{key} missing in ja.toml");
        assert!(EN.contains_key(key), "{key} missing in en.toml");
    }
    // Every reading of a 保存期間 and every reason a disposal date cannot be proposed.
    let start = time::macros::date!(2026 - 12 - 02);
    for text in [
        "永年",
        "常用",
        "5年",
        "1年未満",
        "任期中",
        "貸与期間中",
        "契約期間中",
        "契約終了まで",
        "契約終了後5年",
        "更新まで",
        "廃棄まで",
        "随時",
        "2031-03-31まで",
    ] {
        let reading = RetentionReading::parse(text).unwrap();
        let mut keys = vec![reading.message_key()];
        keys.extend(
            reading
                .proposed_disposal(start)
                .err()
                .map(NoProposal::message_key),
        );
        for key in keys {
            assert!(
                JA.contains_key(key) && EN.contains_key(key),
                "{key} ({text})"
            );
        }
    }
    // Each error's parameters appear in its message.
    for error in &date_errors {
        for (name, _) in error.params() {
            assert!(
                JA[error.message_key()].contains(&format!("{{{name}}}")),
                "{name} in {}",
                error.message_key()
            );
        }
    }
}
