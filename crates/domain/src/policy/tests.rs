//! Tests of the policy-text parser.

use super::*;
use std::collections::HashSet;
use time::macros::date;

/// The seed policy, in `shared/seeds/` beside the workspace (found from any checkout
/// nested below it, a worktree included).
fn seed() -> String {
    let file = "shared/seeds/000_eb89c773407ffd89.txt";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join(file))
        .find(|path| path.exists())
        .expect("the seed policy beside the workspace");
    std::fs::read_to_string(path).expect("the seed policy text is readable")
}

fn seed_policy() -> PolicyText {
    parse(&seed()).expect("the seed parses")
}

fn refs(clauses: &[Clause]) -> Vec<&str> {
    clauses.iter().map(|c| c.reference.as_str()).collect()
}

fn titles(clauses: &[Clause]) -> Vec<&str> {
    clauses
        .iter()
        .map(|c| c.title.as_deref().unwrap_or("<none>"))
        .collect()
}

fn clause<'a>(policy: &'a PolicyText, reference: &str) -> &'a Clause {
    policy
        .find(reference)
        .unwrap_or_else(|| panic!("no clause {reference}"))
}

/// Everything but what is kept as printed: the approval line, the labels' widths and the
/// unplaced lines' text.
fn assert_same_tree(actual: &PolicyText, expected: &PolicyText) {
    fn plain(clauses: &[Clause]) -> Vec<Clause> {
        clauses
            .iter()
            .map(|c| Clause {
                printed: None,
                children: plain(&c.children),
                ..c.clone()
            })
            .collect()
    }
    let fates = |p: &PolicyText| -> Vec<(usize, LineFate)> {
        p.unplaced.iter().map(|u| (u.line, u.fate)).collect()
    };
    assert_eq!(actual.title, expected.title);
    assert_eq!(actual.approved_on, expected.approved_on);
    assert_eq!(actual.preamble, expected.preamble);
    assert_eq!(plain(&actual.clauses), plain(&expected.clauses));
    assert_eq!(plain(&actual.supplementary), plain(&expected.supplementary));
    assert_eq!(actual.warnings, expected.warnings);
    assert_eq!(fates(actual), fates(expected));
}

// ------------------------------------------------------------------ the seed

#[test]
fn seed_title_and_approval() {
    let policy = seed_policy();
    // The regulation marker ○ is kept as printed; the document's name is without it.
    assert_eq!(policy.title, "○佐久市議会情報セキュリティ基本方針");
    assert_eq!(policy.name(), "佐久市議会情報セキュリティ基本方針");
    assert_eq!(policy.approved_on, Some(date!(2026 - 03 - 18)));
    assert_eq!(
        policy.approval_line.as_deref(),
        Some("令和8年 3月18日 決裁")
    );
    assert_eq!(policy.promulgation, None);
    assert_eq!(policy.preamble, "");
    assert!(policy.supplementary.is_empty());
}

#[test]
fn seed_has_eight_titled_top_level_clauses() {
    let policy = seed_policy();
    assert_eq!(
        refs(&policy.clauses),
        ["1", "2", "3", "4", "5", "6", "7", "8"]
    );
    assert_eq!(
        titles(&policy.clauses),
        [
            "目的",
            "定義",
            "対象とする脅威",
            "適用範囲",
            "利用者の遵守義務",
            "情報セキュリティ対策",
            "情報セキュリティ監査及び自己点検の実施",
            "情報セキュリティ基本方針の見直し",
        ]
    );
    assert!(
        policy
            .clauses
            .iter()
            .all(|c| c.kind == ClauseKind::Numbered)
    );
    assert!(clause(&policy, "1").text.starts_with("本基本方針は、"));
}

#[test]
fn seed_definitions_are_titled_items() {
    let policy = seed_policy();
    let definitions = clause(&policy, "2");
    assert_eq!(definitions.text, "");
    assert_eq!(
        refs(&definitions.children),
        [
            "2(1)", "2(2)", "2(3)", "2(4)", "2(5)", "2(6)", "2(7)", "2(8)"
        ]
    );
    assert_eq!(
        titles(&definitions.children),
        [
            "ネットワーク",
            "情報システム",
            "情報資産",
            "情報セキュリティ",
            "機密性",
            "完全性",
            "可用性",
            "委託事業者",
        ]
    );
    let first = &definitions.children[0];
    assert_eq!(first.kind, ClauseKind::Item);
    assert_eq!(first.label, "(1)");
    assert!(first.text.starts_with("コンピュータ等を相互に接続する"));
}

#[test]
fn seed_threats_are_one_line_items_without_titles() {
    let policy = seed_policy();
    let threats = clause(&policy, "3");
    assert_eq!(
        refs(&threats.children),
        ["3(1)", "3(2)", "3(3)", "3(4)", "3(5)"]
    );
    let starts = [
        "不正アクセス",
        "情報資産の無断持ち出し",
        "地震",
        "大規模",
        "電力供給",
    ];
    for (item, start) in threats.children.iter().zip(starts) {
        assert!(
            item.text.starts_with(start),
            "{}: {}",
            item.reference,
            item.text
        );
        assert_eq!(item.title, None);
        assert!(item.children.is_empty());
    }
    assert!(threats.text.starts_with("情報資産に対する脅威として"));
}

#[test]
fn seed_scope_has_iroha_under_item_two() {
    let policy = seed_policy();
    let scope = clause(&policy, "4");
    assert_eq!(refs(&scope.children), ["4(1)", "4(2)"]);
    let assets = clause(&policy, "4(2)");
    assert_eq!(assets.title.as_deref(), Some("情報資産の範囲"));
    assert_eq!(refs(&assets.children), ["4(2)ア", "4(2)イ", "4(2)ウ"]);
    assert!(assets.children.iter().all(|c| c.kind == ClauseKind::Iroha));
    assert_eq!(assets.children[1].label, "イ");
    assert!(
        assets.children[0]
            .text
            .starts_with("ネットワーク及び情報システム並びに")
    );
}

#[test]
fn seed_measures_and_outsourcing_paragraphs() {
    let policy = seed_policy();
    let measures = clause(&policy, "6");
    let expected: Vec<String> = (1..=9).map(|n| format!("6({n})")).collect();
    assert_eq!(refs(&measures.children), expected);
    let outsourcing = clause(&policy, "6(8)");
    assert_eq!(
        outsourcing.title.as_deref(),
        Some("業務委託及び外部サービスの利用")
    );
    let paragraphs: Vec<&str> = outsourcing.text.split('\n').collect();
    assert_eq!(paragraphs.len(), 3);
    assert!(paragraphs[0].starts_with("業務委託"));
    assert!(paragraphs[1].starts_with("外部サービス"));
    assert!(paragraphs[2].starts_with("ソーシャルメディアサービス"));
    assert_eq!(policy.find("６（８）"), Some(outsourcing));
    assert_eq!(policy.find("6(10)"), None);
}

#[test]
fn seed_has_no_warnings_and_unique_references() {
    let policy = seed_policy();
    assert_eq!(policy.warnings, []);
    let all = policy.all_clauses();
    assert_eq!(all.len(), 8 + 8 + 5 + 2 + 3 + 9);
    let unique: HashSet<&str> = all.iter().map(|c| c.reference.as_str()).collect();
    assert_eq!(unique.len(), all.len());
}

#[test]
fn canonical_text_is_stable_and_follows_content() {
    let text = seed();
    let first = parse(&text).unwrap().canonical_text();
    assert_eq!(first, parse(&text).unwrap().canonical_text());
    assert!(first.starts_with("佐久市議会情報セキュリティ基本方針\n[1] 目的\n  本基本方針は"));
    assert!(first.contains("\n  [(8)] 業務委託及び外部サービスの利用\n"));
    let changed = text.replace("適宜見直しを行う。", "毎年見直しを行う。");
    assert_ne!(first, parse(&changed).unwrap().canonical_text());
}

// ------------------------------------------------------------------ 第N条 style

const STANDARDS: &str = "\
○議会情報セキュリティ対策基準
令和７年４月１日　訓令第５号

目次
　第1章　総則（第1条―第2条）
　第2章　運用（第3条）
　附則

第1章　総則

（目的）
第1条　この規程は、議会の情報セキュリティ対策の基準を定めることを目的とする。

（定義）
第2条　この規程において、次の各号に掲げる用語の意義は、当該各号に定めるところによる。
(1)　ネットワーク　コンピュータ等を相互に接続するための通信網をいう。
(2)　情報資産　次に掲げるものをいう。
ア　ネットワーク及び情報システム
イ　情報システムで取り扱う情報
2　前項の規定にかかわらず、議長が別に定めるものは情報資産に含めない。

第2章　運用

（監査）
第3条　議長は、毎年度情報セキュリティ監査を実施する。

附則
1　この規程は、令和７年４月１日から施行する。
2　この規程の施行前に定められた手順は、この規程に基づくものとみなす。
";

#[test]
fn article_style_metadata_and_contents() {
    let policy = parse(STANDARDS).unwrap();
    assert_eq!(policy.title, "○議会情報セキュリティ対策基準");
    assert_eq!(policy.promulgation.as_deref(), Some("訓令第5号"));
    assert_eq!(policy.approval_line, None);
    assert_eq!(policy.approved_on, Some(date!(2025 - 04 - 01)));
    assert_eq!(policy.preamble, "");
    assert_eq!(policy.warnings, []);
    // The contents are not clauses: two chapters and one 附則 only.
    assert_eq!(refs(&policy.clauses), ["第1章", "第2章"]);
    assert_eq!(titles(&policy.clauses), ["総則", "運用"]);
    assert_eq!(refs(&policy.supplementary), ["附則"]);
    let all: Vec<&str> = policy
        .all_clauses()
        .iter()
        .map(|c| c.reference.as_str())
        .collect();
    assert_eq!(
        all,
        [
            "第1章", "1", "2", "2(1)", "2(2)", "2(2)ア", "2(2)イ", "2-2", "第2章", "3", "附則",
            "附則1", "附則2",
        ]
    );
}

#[test]
fn article_style_articles_items_and_paragraphs() {
    let policy = parse(STANDARDS).unwrap();
    let purpose = clause(&policy, "1");
    assert_eq!(purpose.kind, ClauseKind::Article);
    assert_eq!(purpose.label, "第1条");
    assert_eq!(purpose.title.as_deref(), Some("目的"));
    assert_eq!(
        purpose.text,
        "この規程は、議会の情報セキュリティ対策の基準を定めることを目的とする。"
    );
    let definitions = clause(&policy, "2");
    assert_eq!(definitions.title.as_deref(), Some("定義"));
    assert!(definitions.text.starts_with("この規程において"));
    assert_eq!(refs(&definitions.children), ["2(1)", "2(2)", "2-2"]);
    let network = clause(&policy, "2(1)");
    assert_eq!(network.title, None);
    assert_eq!(
        network.text,
        "ネットワーク　コンピュータ等を相互に接続するための通信網をいう。"
    );
    let assets = clause(&policy, "2(2)");
    assert_eq!(assets.title, None);
    assert_eq!(assets.text, "情報資産　次に掲げるものをいう。");
    assert_eq!(refs(&assets.children), ["2(2)ア", "2(2)イ"]);
    assert_eq!(clause(&policy, "2(2)イ").text, "情報システムで取り扱う情報");
    let second = clause(&policy, "2-2");
    assert_eq!(second.kind, ClauseKind::Numbered);
    assert_eq!(second.label, "2");
    assert!(second.text.starts_with("前項の規定にかかわらず"));
    let audit = clause(&policy, "3");
    assert_eq!(audit.title.as_deref(), Some("監査"));
    assert_eq!(refs(&clause(&policy, "第2章").children), ["3"]);
}

#[test]
fn article_style_supplementary_provisions() {
    let policy = parse(STANDARDS).unwrap();
    let supplementary = &policy.supplementary[0];
    assert_eq!(supplementary.kind, ClauseKind::Supplementary);
    assert_eq!(supplementary.label, "附則");
    assert_eq!(supplementary.title, None);
    assert_eq!(refs(&supplementary.children), ["附則1", "附則2"]);
    let first = &supplementary.children[0];
    assert_eq!(first.kind, ClauseKind::Numbered);
    assert_eq!(first.title, None);
    assert_eq!(first.text, "この規程は、令和７年４月１日から施行する。");
}

#[test]
fn contents_without_heading_line_and_sections() {
    let text = "\
情報セキュリティ規程
第一章 総則(第一条・第二条)
第1章 総則
第1節 通則
第一条 この規程は目的を定める。
第二条 この規程は用語を定める。
第2節 組織
第3条の2 組織を定める。
附則（令和8年3月18日訓令第3号）
第1条 この規程は公布の日から施行する。
2 経過措置を定める。
附則（令和9年4月1日訓令第1号）
この規程は令和9年4月1日から施行する。
";
    let policy = parse(text).unwrap();
    assert_eq!(policy.title, "情報セキュリティ規程");
    let all: Vec<&str> = policy
        .all_clauses()
        .iter()
        .map(|c| c.reference.as_str())
        .collect();
    assert_eq!(
        all,
        [
            "第1章",
            "第1章第1節",
            "1",
            "2",
            "第1章第2節",
            "3の2",
            "附則",
            "附則第1条",
            "附則第1条-2",
            "附則#2",
        ]
    );
    assert_eq!(clause(&policy, "第1章第1節").title.as_deref(), Some("通則"));
    assert_eq!(clause(&policy, "1").label, "第一条");
    assert_eq!(
        clause(&policy, "附則").title.as_deref(),
        Some("令和8年3月18日訓令第3号")
    );
    assert_eq!(
        clause(&policy, "附則#2").text,
        "この規程は令和9年4月1日から施行する。"
    );
    // 第3条の2 after 第2条 is out of sequence; nothing else is.
    let reasons: Vec<(usize, WarningReason)> =
        policy.warnings.iter().map(|w| (w.line, w.reason)).collect();
    assert_eq!(reasons, [(8, WarningReason::OutOfSequence)]);
}

// ------------------------------------------------------------------ variants

fn widen(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '0'..='9' | '(' | ')' => char::from_u32(u32::from(c) + 0xFEE0).unwrap(),
            ' ' => '\u{3000}',
            c => c,
        })
        .collect()
}

/// Splits "- (1) 不正…" into ("- ", "(1)", " 不正…") for numbering lines.
fn numbering(line: &str) -> Option<(&str, &str, &str)> {
    let (marker, rest) = match line.strip_prefix("- ") {
        Some(rest) => ("- ", rest),
        None => ("", line),
    };
    let first = rest.chars().next()?;
    let numbered = first == '(' || first.is_ascii_digit() || IROHA.contains(&first);
    let space = rest.find(' ')?;
    numbered.then(|| (marker, &rest[..space], &rest[space..]))
}

#[test]
fn full_width_numbering_and_indentation_give_the_same_tree() {
    let plain = seed();
    let wide: String = plain
        .lines()
        .map(|line| {
            if let Some((marker, label, rest)) = numbering(line) {
                format!(
                    "\u{3000}\u{3000}{marker}{}{}",
                    widen(label),
                    widen(&rest[..1])
                ) + &rest[1..]
            } else if line.starts_with("令和") {
                format!(" {}", widen(line))
            } else if line.is_empty() {
                "\u{3000}".to_owned()
            } else {
                format!("\u{3000}{line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(wide.contains("\u{3000}\u{3000}（８）\u{3000}業務委託"));
    assert!(wide.contains("令和８年\u{3000}３月１８日\u{3000}決裁"));
    let policy = parse(&wide).unwrap();
    assert_same_tree(&policy, &seed_policy());
    // Displayed as printed, referenced half-width.
    let item = clause(&policy, "6(8)");
    assert_eq!(item.label, "(8)");
    assert_eq!(item.shown_label(), "（８）");
    assert_eq!(clause(&policy, "6").shown_label(), "６");
    assert_eq!(clause(&seed_policy(), "6(8)").shown_label(), "(8)");
    assert_eq!(
        policy.approval_line.as_deref(),
        Some("令和８年\u{3000}３月１８日\u{3000}決裁")
    );
}

#[test]
fn list_markers_give_the_same_tree() {
    let plain = seed();
    let marked: String = plain
        .lines()
        .map(|line| match numbering(line) {
            Some(("- ", label, rest)) => format!("・{label}{rest}"),
            Some((_, label, rest)) => format!("- {label}{rest}"),
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(marked.contains("\n・(1) 不正アクセス"));
    assert!(marked.contains("\n- (8) 業務委託"));
    assert_same_tree(&parse(&marked).unwrap(), &seed_policy());
}

#[test]
fn crlf_and_bom_give_the_same_tree() {
    let plain = seed();
    let crlf = plain.replace('\n', "\r\n");
    assert_eq!(parse(&crlf).unwrap(), seed_policy());
    let with_bom = format!("\u{FEFF}{plain}");
    assert_eq!(parse(&with_bom).unwrap(), seed_policy());
    let decoded = decode(with_bom.as_bytes()).unwrap();
    assert_eq!(decoded, plain);
    assert_eq!(
        parse(&decode(crlf.as_bytes()).unwrap()).unwrap(),
        seed_policy()
    );
}

#[test]
fn shift_jis_bytes_give_the_same_tree() {
    let plain = seed();
    let (bytes, _, had_errors) = encoding_rs::SHIFT_JIS.encode(&plain);
    assert!(!had_errors);
    assert!(std::str::from_utf8(&bytes).is_err());
    let decoded = decode(&bytes).unwrap();
    assert_eq!(decoded, plain);
    assert_eq!(parse(&decoded).unwrap(), seed_policy());
}

#[test]
fn utf16_with_bom_is_read() {
    let plain = seed();
    let mut bytes = vec![0xFF, 0xFE];
    for unit in plain.encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    assert_eq!(decode(&bytes).unwrap(), plain);
}

// ------------------------------------------------------------------ bad input

#[test]
fn empty_input_is_refused() {
    assert_eq!(parse(""), Err(PolicyProblem::Empty));
    assert_eq!(parse(" \n\u{3000}\r\n\t"), Err(PolicyProblem::Empty));
    assert_eq!(parse("\u{FEFF}"), Err(PolicyProblem::Empty));
    assert_eq!(decode(b""), Err(PolicyProblem::Empty));
    assert_eq!(decode(b"\xEF\xBB\xBF \r\n"), Err(PolicyProblem::Empty));
}

#[test]
fn too_large_input_is_refused() {
    let big = format!("1 目的\n{}", "あ".repeat(MAX_BYTES / 3 + 1));
    assert!(big.len() > MAX_BYTES);
    assert_eq!(parse(&big), Err(PolicyProblem::TooLarge));
    assert_eq!(decode(big.as_bytes()), Err(PolicyProblem::TooLarge));
    let just_fits = vec![b'a'; MAX_BYTES];
    assert!(decode(&just_fits).is_ok());
}

#[test]
fn binary_input_is_refused() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";
    assert_eq!(decode(png), Err(PolicyProblem::Binary));
    let controls = b"1 abc\x01\x02\x03 def";
    assert_eq!(decode(controls), Err(PolicyProblem::Binary));
}

#[test]
fn undecodable_input_is_refused() {
    // 0xFF is neither UTF-8 nor a Shift_JIS byte; 0x82 0x20 is a broken pair.
    assert_eq!(decode(b"1 abc \xFF"), Err(PolicyProblem::Undecodable));
    assert_eq!(decode(b"1 \x82 abc"), Err(PolicyProblem::Undecodable));
    // A BOM promises UTF-8.
    assert_eq!(
        decode(b"\xEF\xBB\xBF1 \x82\xA0"),
        Err(PolicyProblem::Undecodable)
    );
    // Already damaged by an earlier conversion.
    assert_eq!(
        decode("1 目的\u{FFFD}".as_bytes()),
        Err(PolicyProblem::Undecodable)
    );
}

#[test]
fn prose_without_numbering_is_refused() {
    let prose =
        "情報セキュリティについて\n\n本市議会は情報資産を適切に管理する。\n（注）番号はない。\n";
    assert_eq!(parse(prose), Err(PolicyProblem::NoClauses));
    assert_eq!(
        decode(prose.as_bytes()).map(|t| parse(&t)),
        Ok(Err(PolicyProblem::NoClauses))
    );
}

#[test]
fn problems_have_keys_and_messages() {
    let all = [
        PolicyProblem::Empty,
        PolicyProblem::TooLarge,
        PolicyProblem::Binary,
        PolicyProblem::Undecodable,
        PolicyProblem::NoClauses,
    ];
    let keys: Vec<&str> = all.iter().map(PolicyProblem::message_key).collect();
    assert_eq!(
        keys,
        [
            "policy.error.empty",
            "policy.error.too_large",
            "policy.error.binary",
            "policy.error.undecodable",
            "policy.error.no_clauses",
        ]
    );
    assert!(all.iter().all(|p| !p.to_string().is_empty()));
}

// ------------------------------------------------------------------ warnings

#[test]
fn number_out_of_sequence_is_kept_with_a_warning() {
    let policy = parse("○方針\n1 目的\n(1) 一つ目\n(3) 三つ目\n(4) 四つ目\n").unwrap();
    assert_eq!(refs(&policy.clauses[0].children), ["1(1)", "1(3)", "1(4)"]);
    assert_eq!(
        policy.warnings,
        [ParseWarning {
            line: 4,
            text: "(3) 三つ目".to_owned(),
            attached_to: Some("1(3)".to_owned()),
            reason: WarningReason::OutOfSequence,
        }]
    );
}

#[test]
fn text_before_the_first_clause_is_kept_in_the_preamble() {
    let text = "○方針\n令和8年3月18日決定\n\n　この方針は前文である。\n二行目。\n1 目的\n本文。\n";
    let policy = parse(text).unwrap();
    assert_eq!(policy.title, "○方針");
    assert_eq!(policy.approval_line.as_deref(), Some("令和8年3月18日決定"));
    assert_eq!(policy.approved_on, Some(date!(2026 - 03 - 18)));
    assert_eq!(policy.preamble, "この方針は前文である。\n二行目。");
    let lines: Vec<(usize, WarningReason, Option<&str>)> = policy
        .warnings
        .iter()
        .map(|w| (w.line, w.reason, w.attached_to.as_deref()))
        .collect();
    assert_eq!(
        lines,
        [
            (4, WarningReason::BeforeFirstClause, None),
            (5, WarningReason::BeforeFirstClause, None),
        ]
    );
    assert_eq!(clause(&policy, "1").text, "本文。");
}

#[test]
fn first_line_is_the_title_without_a_circle() {
    let policy = parse("\n議会情報セキュリティ方針\n前文。\n1 目的\n本文。\n").unwrap();
    assert_eq!(policy.title, "議会情報セキュリティ方針");
    assert_eq!(policy.preamble, "前文。");
}

#[test]
fn broken_numbering_is_kept_with_the_nearest_clause() {
    let text =
        "○方針\n1 目的\n本文。\n(x) 何か\n（注）補足する。\n2 範囲\n(1) 議員\n1. 壊れた番号\n";
    let policy = parse(text).unwrap();
    assert_eq!(
        clause(&policy, "1").text,
        "本文。\n(x) 何か\n（注）補足する。"
    );
    assert_eq!(clause(&policy, "2(1)").text, "1. 壊れた番号");
    assert_eq!(clause(&policy, "2(1)").title.as_deref(), Some("議員"));
    assert_eq!(
        policy.warnings,
        [
            ParseWarning {
                line: 4,
                text: "(x) 何か".to_owned(),
                attached_to: Some("1".to_owned()),
                reason: WarningReason::Unrecognised,
            },
            ParseWarning {
                line: 8,
                text: "1. 壊れた番号".to_owned(),
                attached_to: Some("2(1)".to_owned()),
                reason: WarningReason::Unrecognised,
            },
        ]
    );
}

#[test]
fn repeated_references_get_a_suffix() {
    let policy = parse("1 目的\n本文。\n1 目的再び\n本文。\n").unwrap();
    assert_eq!(refs(&policy.clauses), ["1", "1#2"]);
    assert_eq!(policy.warnings.len(), 1);
    assert_eq!(policy.warnings[0].reason, WarningReason::OutOfSequence);
    assert_eq!(
        policy.find("1#2").unwrap().title.as_deref(),
        Some("目的再び")
    );
}

#[test]
fn paren_iroha_nests_under_iroha() {
    let text = "1 対策\n(1) 物理\nア 入退室\n(ア) 記録する。\n(イ) 確認する。\nイ 機器\n";
    let policy = parse(text).unwrap();
    let all: Vec<(&str, ClauseKind)> = policy
        .all_clauses()
        .iter()
        .map(|c| (c.reference.as_str(), c.kind))
        .collect();
    assert_eq!(
        all,
        [
            ("1", ClauseKind::Numbered),
            ("1(1)", ClauseKind::Item),
            ("1(1)ア", ClauseKind::Iroha),
            ("1(1)ア(ア)", ClauseKind::ParenIroha),
            ("1(1)ア(イ)", ClauseKind::ParenIroha),
            ("1(1)イ", ClauseKind::Iroha),
        ]
    );
    assert_eq!(clause(&policy, "1(1)ア").title.as_deref(), Some("入退室"));
    assert_eq!(clause(&policy, "1(1)ア(ア)").label, "(ア)");
    assert_eq!(policy.warnings, []);
}
