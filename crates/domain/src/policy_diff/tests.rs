//! Tests of the clause-by-clause comparison of versions.

use super::*;
use crate::policy::ClauseKind;

/// (Same+Deleted, Same+Inserted)
fn reassemble(pieces: &[Piece]) -> (String, String) {
    let (mut old, mut new) = (String::new(), String::new());
    for piece in pieces {
        match piece {
            Piece::Same(s) => {
                old.push_str(s);
                new.push_str(s);
            }
            Piece::Deleted(s) => old.push_str(s),
            Piece::Inserted(s) => new.push_str(s),
        }
    }
    (old, new)
}

fn kind(piece: &Piece) -> u8 {
    match piece {
        Piece::Same(_) => 0,
        Piece::Inserted(_) => 1,
        Piece::Deleted(_) => 2,
    }
}

fn assert_well_formed(pieces: &[Piece], old: &str, new: &str) {
    let (o, n) = reassemble(pieces);
    assert_eq!(
        o, old,
        "Same+Deleted must give the old text; pieces {pieces:?}"
    );
    assert_eq!(
        n, new,
        "Same+Inserted must give the new text; pieces {pieces:?}"
    );
    for piece in pieces {
        let (Piece::Same(s) | Piece::Inserted(s) | Piece::Deleted(s)) = piece;
        assert!(!s.is_empty(), "empty piece in {pieces:?}");
    }
    for pair in pieces.windows(2) {
        assert_ne!(
            kind(&pair[0]),
            kind(&pair[1]),
            "adjacent pieces of one kind: {pair:?}"
        );
    }
}

fn changed_chars(pieces: &[Piece]) -> (usize, usize) {
    let (mut deleted, mut inserted) = (0, 0);
    for piece in pieces {
        match piece {
            Piece::Deleted(s) => deleted += s.chars().count(),
            Piece::Inserted(s) => inserted += s.chars().count(),
            Piece::Same(_) => {}
        }
    }
    (deleted, inserted)
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const ALPHABET: &[char] = &[
    '情', '報', '資', '産', 'の', '管', '理', 'を', '行', 'う', '職', '員', 'は', 'ア', '1', '（',
    '）', '、', '。', '。', '\n',
];

fn random_text(rng: &mut XorShift, len: usize) -> String {
    (0..len)
        .map(|_| ALPHABET[rng.below(ALPHABET.len())])
        .collect()
}

/// A few random edits: insert, delete or replace a stretch, or move a sentence.
fn mutate(rng: &mut XorShift, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(5) {
        let at = rng.below(chars.len() + 1);
        let len = 1 + rng.below(8);
        match rng.below(4) {
            0 => {
                let inserted: Vec<char> = random_text(rng, len).chars().collect();
                chars.splice(at..at, inserted);
            }
            1 => {
                let end = (at + len).min(chars.len());
                chars.drain(at..end);
            }
            2 => {
                let end = (at + len).min(chars.len());
                let inserted: Vec<char> = random_text(rng, len).chars().collect();
                chars.splice(at..end, inserted);
            }
            _ => {
                let end = (at + len * 3).min(chars.len());
                let moved: Vec<char> = chars.drain(at..end).collect();
                let to = rng.below(chars.len() + 1);
                chars.splice(to..to, moved);
            }
        }
    }
    chars.into_iter().collect()
}

#[test]
fn reassembly_holds_for_generated_pairs() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for round in 0..600 {
        let len = match round % 3 {
            0 => rng.below(10),
            1 => rng.below(80),
            _ => rng.below(600),
        };
        let old = random_text(&mut rng, len);
        let new = mutate(&mut rng, &old);
        let pieces = diff_text(&old, &new);
        assert_well_formed(&pieces, &old, &new);
        // And the other way round, and against unrelated text.
        assert_well_formed(&diff_text(&new, &old), &new, &old);
        let other = random_text(&mut rng, len);
        assert_well_formed(&diff_text(&old, &other), &old, &other);
    }
}

fn lcs_len(a: &[u8], b: &[u8]) -> usize {
    let mut table = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            table[i][j] = if a[i] == b[j] {
                table[i + 1][j + 1] + 1
            } else {
                table[i + 1][j].max(table[i][j + 1])
            };
        }
    }
    table[0][0]
}

#[test]
fn sequence_diff_is_a_shortest_edit_script() {
    let mut rng = XorShift(42);
    for _ in 0..3000 {
        let alphabet = 1 + rng.below(4) as u8;
        let a: Vec<u8> = (0..rng.below(14))
            .map(|_| rng.below(alphabet as usize) as u8)
            .collect();
        let b: Vec<u8> = (0..rng.below(14))
            .map(|_| rng.below(alphabet as usize) as u8)
            .collect();
        let mut ops = Vec::new();
        diff_slices(&a, &b, &mut ops);
        // Applying the script to a gives b, and it keeps as much as the LCS.
        let (mut i, mut rebuilt, mut kept) = (0, Vec::new(), 0);
        for (op, count) in &ops {
            assert!(*count > 0);
            match op {
                Op::Equal => {
                    rebuilt.extend_from_slice(&a[i..i + count]);
                    i += count;
                    kept += count;
                }
                Op::Delete => i += count,
                Op::Insert => {
                    let start = rebuilt.len();
                    rebuilt.extend_from_slice(&b[start..start + count]);
                }
            }
        }
        assert_eq!(i, a.len(), "{a:?} {b:?} {ops:?}");
        assert_eq!(rebuilt, b, "{a:?} {b:?} {ops:?}");
        assert_eq!(kept, lcs_len(&a, &b), "not minimal: {a:?} {b:?} {ops:?}");
    }
}

#[test]
fn one_insertion_inside_a_sentence_is_highlighted_alone() {
    assert_eq!(
        diff_text("委託事業者を選定し", "委託事業者を慎重に選定し"),
        vec![
            Piece::Same("委託事業者を".into()),
            Piece::Inserted("慎重に".into()),
            Piece::Same("選定し".into()),
        ]
    );
}

#[test]
fn replacement_puts_deleted_before_inserted() {
    assert_eq!(
        diff_text("情報を年1回点検する。", "情報を年2回点検する。"),
        vec![
            Piece::Same("情報を年".into()),
            Piece::Deleted("1".into()),
            Piece::Inserted("2".into()),
            Piece::Same("回点検する。".into()),
        ]
    );
}

#[test]
fn unchanged_sentences_stay_whole_around_a_changed_one() {
    let old = "第一に、管理する。\n第二に、点検する。第三に、報告する。";
    let new = "第一に、管理する。\n第二に、毎月点検する。第三に、報告する。";
    assert_eq!(
        diff_text(old, new),
        vec![
            Piece::Same("第一に、管理する。\n第二に、".into()),
            Piece::Inserted("毎月".into()),
            Piece::Same("点検する。第三に、報告する。".into()),
        ]
    );
    // A removed and an added sentence.
    let pieces = diff_text("甲。乙。丙。", "甲。丙。丁。");
    assert_eq!(
        pieces,
        vec![
            Piece::Same("甲。".into()),
            Piece::Deleted("乙。".into()),
            Piece::Same("丙。".into()),
            Piece::Inserted("丁。".into()),
        ]
    );
}

#[test]
fn empty_and_identical_texts() {
    assert_eq!(diff_text("", ""), Vec::<Piece>::new());
    assert_eq!(
        diff_text("", "新設。"),
        vec![Piece::Inserted("新設。".into())]
    );
    assert_eq!(
        diff_text("廃止。", ""),
        vec![Piece::Deleted("廃止。".into())]
    );
    assert_eq!(
        diff_text("同じ。\n文。", "同じ。\n文。"),
        vec![Piece::Same("同じ。\n文。".into())]
    );
}

#[test]
fn sentences_split_after_maru_and_newline() {
    assert_eq!(sentences("甲。乙\n丙"), vec!["甲。", "乙\n", "丙"]);
    assert_eq!(sentences("。。"), vec!["。", "。"]);
    assert_eq!(sentences(""), Vec::<&str>::new());
}

/// About 20,000 characters of policy-like prose, with distinct sentences.
fn long_text() -> String {
    let mut rng = XorShift(7);
    let mut text = String::new();
    let mut n = 0;
    while text.chars().count() < 20_000 {
        n += 1;
        text.push_str(&format!("第{n}項 "));
        text.push_str(&random_text(&mut rng, 30).replace(['。', '\n'], "の"));
        text.push_str(if n % 5 == 0 { "。\n" } else { "。" });
    }
    text
}

#[test]
fn long_texts_with_few_changes_diff_correctly() {
    let old = long_text();
    let mut chars: Vec<char> = old.chars().collect();
    chars[1_000] = '★';
    chars[9_000] = '☆';
    chars.splice(15_000..15_000, "慎重に".chars());
    chars.drain(18_000..18_005);
    let new: String = chars.into_iter().collect();
    let pieces = diff_text(&old, &new);
    assert_well_formed(&pieces, &old, &new);
    let (deleted, inserted) = changed_chars(&pieces);
    assert!(deleted <= 7, "deleted {deleted} characters");
    assert!(inserted <= 5, "inserted {inserted} characters");
    assert!(
        pieces
            .iter()
            .any(|p| *p == Piece::Inserted("慎重に".into())),
        "{pieces:?}"
    );
}

#[test]
fn huge_changed_stretch_is_shown_deleted_and_inserted_whole() {
    // One "sentence" each, no common ends, 2,500 × 2,500 characters with much in common.
    let old = "あい".repeat(1_250);
    let new = "いあ".repeat(1_250);
    assert_eq!(
        diff_text(&old, &new),
        vec![Piece::Deleted(old.clone()), Piece::Inserted(new.clone())]
    );
    // Below the bound the same kind of text is diffed character by character.
    let old = "あい".repeat(500);
    let new = "いあ".repeat(500);
    let pieces = diff_text(&old, &new);
    assert_well_formed(&pieces, &old, &new);
    assert_eq!(changed_chars(&pieces), (1, 1));
}

// ------------------------------------------------------------ compare()

fn clause(reference: &str, title: Option<&str>, text: &str, children: Vec<Clause>) -> Clause {
    // "1(2)" is labelled "(2)", "1" and "附則1" as themselves.
    let label = match reference.rfind('(') {
        Some(i) if reference.ends_with(')') => &reference[i..],
        _ => reference,
    };
    let kind = if label.starts_with('(') {
        ClauseKind::Item
    } else if label.starts_with("附則") {
        ClauseKind::Supplementary
    } else {
        ClauseKind::Numbered
    };
    Clause {
        reference: reference.into(),
        kind,
        label: label.into(),
        printed: None,
        title: title.map(Into::into),
        text: text.into(),
        children,
    }
}

fn document(title: &str, clauses: Vec<Clause>, supplementary: Vec<Clause>) -> PolicyText {
    PolicyText {
        title: title.into(),
        approved_on: None,
        approval_line: None,
        promulgation: None,
        preamble: String::new(),
        clauses,
        supplementary,
        warnings: Vec::new(),
        contents: Vec::new(),
        unplaced: Vec::new(),
    }
}

fn older() -> PolicyText {
    document(
        "情報セキュリティ基本方針",
        vec![
            clause(
                "1",
                Some("目的"),
                "この方針は、情報資産を守るために定める。",
                vec![
                    clause("1(1)", None, "委託事業者を選定し、契約を結ぶ。", vec![]),
                    clause("1(2)", None, "紙の文書は施錠して保管する。", vec![]),
                ],
            ),
            clause(
                "2",
                Some("対象"),
                "議会の情報資産を対象とする。",
                vec![clause("2(1)", None, "議員を含む。", vec![])],
            ),
        ],
        vec![clause(
            "附則1",
            None,
            "この方針は、令和6年4月1日から施行する。",
            vec![],
        )],
    )
}

fn newer() -> PolicyText {
    document(
        "情報セキュリティ基本方針",
        vec![
            clause(
                "1",
                Some("目的"),
                "この方針は、情報資産を守るために定める。",
                vec![
                    clause(
                        "1(1)",
                        None,
                        "委託事業者を慎重に選定し、契約を結ぶ。",
                        vec![],
                    ),
                    clause(
                        "1(3)",
                        Some("クラウド"),
                        "クラウドサービスは承認を得て使う。",
                        vec![],
                    ),
                ],
            ),
            clause(
                "2",
                Some("対象"),
                "議会の情報資産を対象とする。",
                vec![clause("2(1)", None, "議員を含む。", vec![])],
            ),
        ],
        vec![clause(
            "附則1",
            None,
            "この方針は、令和6年4月1日から施行する。",
            vec![],
        )],
    )
}

fn changed_label<'a>(diff: &'a VersionDiff, reference: &str) -> &'a str {
    &diff
        .clauses
        .iter()
        .find(|c| c.reference == reference)
        .unwrap()
        .label
}

fn summary(diff: &VersionDiff) -> Vec<(&str, Change, usize)> {
    diff.clauses
        .iter()
        .map(|c| (c.reference.as_str(), c.change.clone(), c.depth))
        .collect()
}

#[test]
fn compare_finds_added_removed_changed_and_unchanged_clauses() {
    let diff = compare(&older(), &newer());
    assert_eq!((diff.added, diff.removed, diff.changed), (1, 1, 1));
    // The removed 1(2) comes right after 1(1), which preceded it in the older version.
    assert_eq!(
        summary(&diff),
        vec![
            ("1", Change::Unchanged, 0),
            ("1(1)", Change::Changed, 1),
            ("1(2)", Change::Removed, 1),
            ("1(3)", Change::Added, 1),
            ("2", Change::Unchanged, 0),
            ("2(1)", Change::Unchanged, 1),
            ("附則1", Change::Unchanged, 0),
        ]
    );
    let by_ref = |r: &str| diff.clauses.iter().find(|c| c.reference == r).unwrap();

    let unchanged = by_ref("1");
    assert_eq!(
        unchanged.text,
        vec![Piece::Same(
            "この方針は、情報資産を守るために定める。".into()
        )]
    );
    assert_eq!(unchanged.title, vec![Piece::Same("目的".into())]);
    assert_eq!(unchanged.label, "1");
    assert_eq!(changed_label(&diff, "1(1)"), "(1)");

    let changed = by_ref("1(1)");
    assert_eq!(
        changed.text,
        vec![
            Piece::Same("委託事業者を".into()),
            Piece::Inserted("慎重に".into()),
            Piece::Same("選定し、契約を結ぶ。".into()),
        ]
    );
    assert_eq!(changed.title, Vec::<Piece>::new());

    let removed = by_ref("1(2)");
    assert_eq!(
        removed.text,
        vec![Piece::Deleted("紙の文書は施錠して保管する。".into())]
    );
    assert_eq!(removed.title, Vec::<Piece>::new());

    let added = by_ref("1(3)");
    assert_eq!(
        added.text,
        vec![Piece::Inserted("クラウドサービスは承認を得て使う。".into())]
    );
    assert_eq!(added.title, vec![Piece::Inserted("クラウド".into())]);

    assert_eq!(
        diff.title,
        vec![Piece::Same("情報セキュリティ基本方針".into())]
    );
}

#[test]
fn compare_the_other_way_round_swaps_added_and_removed() {
    let diff = compare(&newer(), &older());
    assert_eq!((diff.added, diff.removed, diff.changed), (1, 1, 1));
    // Now 1(3) is removed; its predecessor in the (now older) version is 1(1).
    assert_eq!(
        summary(&diff)[..4],
        [
            ("1", Change::Unchanged, 0),
            ("1(1)", Change::Changed, 1),
            ("1(3)", Change::Removed, 1),
            ("1(2)", Change::Added, 1),
        ]
    );
}

#[test]
fn removed_clauses_without_predecessor_come_first_and_keep_their_order() {
    let old = document(
        "方針",
        vec![
            clause(
                "1",
                None,
                "甲。",
                vec![clause("1(1)", None, "乙。", vec![])],
            ),
            clause("2", Some("旧題"), "丙。", vec![]),
            clause("3", None, "丁。", vec![]),
            clause("4", None, "戊。", vec![]),
        ],
        vec![],
    );
    let new = document(
        "改定方針",
        vec![
            clause("2", Some("新題"), "丙。", vec![]),
            clause("5", None, "己。", vec![]),
        ],
        vec![],
    );
    let diff = compare(&old, &new);
    assert_eq!(
        summary(&diff),
        vec![
            ("1", Change::Removed, 0),
            ("1(1)", Change::Removed, 1),
            ("2", Change::Changed, 0),
            ("3", Change::Removed, 0),
            ("4", Change::Removed, 0),
            ("5", Change::Added, 0),
        ]
    );
    assert_eq!((diff.added, diff.removed, diff.changed), (1, 4, 1));
    let changed = &diff.clauses[2];
    assert_eq!(
        changed.title,
        vec![
            Piece::Deleted("旧".into()),
            Piece::Inserted("新".into()),
            Piece::Same("題".into())
        ]
    );
    assert_eq!(changed.text, vec![Piece::Same("丙。".into())]);
    assert_eq!(
        diff.title,
        vec![Piece::Inserted("改定".into()), Piece::Same("方針".into())]
    );
}

#[test]
fn identical_documents_are_all_unchanged() {
    let diff = compare(&older(), &older());
    assert_eq!((diff.added, diff.removed, diff.changed), (0, 0, 0));
    assert_eq!(diff.clauses.len(), 6);
    for c in &diff.clauses {
        assert_eq!(c.change, Change::Unchanged, "{c:?}");
        assert_eq!(c.text.len(), 1, "{c:?}");
        assert!(matches!(&c.text[0], Piece::Same(_)), "{c:?}");
    }
    assert_eq!(
        diff.clauses.iter().map(|c| c.depth).collect::<Vec<_>>(),
        vec![0, 1, 1, 0, 1, 0]
    );
}

#[test]
fn empty_documents_compare_to_nothing() {
    let empty = document("", vec![], vec![]);
    let diff = compare(&empty, &empty);
    assert_eq!(diff.clauses, vec![]);
    assert_eq!(diff.title, vec![]);
    let diff = compare(&empty, &older());
    assert_eq!((diff.added, diff.removed, diff.changed), (6, 0, 0));
    let diff = compare(&older(), &empty);
    assert_eq!((diff.added, diff.removed, diff.changed), (0, 6, 0));
    assert_eq!(
        diff.clauses
            .iter()
            .map(|c| c.reference.as_str())
            .collect::<Vec<_>>(),
        ["1", "1(1)", "1(2)", "2", "2(1)", "附則1"]
    );
}

#[test]
fn repeated_references_are_matched_occurrence_by_occurrence() {
    let old = document(
        "方針",
        vec![clause("1", None, "本則。", vec![])],
        vec![clause("1", None, "附則。", vec![])],
    );
    let new = document(
        "方針",
        vec![clause("1", None, "本則。", vec![])],
        vec![clause("1", None, "改正附則。", vec![])],
    );
    let diff = compare(&old, &new);
    assert_eq!(
        summary(&diff),
        vec![("1", Change::Unchanged, 0), ("1", Change::Changed, 0)]
    );
    assert_eq!(
        diff.clauses[1].text,
        vec![Piece::Inserted("改正".into()), Piece::Same("附則。".into())]
    );
}
