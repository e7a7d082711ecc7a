//! Tests of tables of contents (目次) as published 例規 print them, of the lines left
//! out of the clause tree, and of labels shown as printed.

use super::*;

fn all_refs(policy: &PolicyText) -> Vec<&str> {
    policy
        .all_clauses()
        .iter()
        .map(|c| c.reference.as_str())
        .collect()
}

fn fates(policy: &PolicyText) -> Vec<(usize, LineFate)> {
    policy.unplaced.iter().map(|u| (u.line, u.fate)).collect()
}

/// A 町 regulation: 第N章 / 第N節 / 第N条, the contents with ranges in three dashes, a
/// list of two articles, a single article, and a 附則 entry; half-width parentheses.
const TOWN: &str = "\
○大川町議会情報セキュリティ規程
令和6年12月20日議会訓令第2号
目次
　第1章　総則(第1条―第3条)
　第2章　管理体制
　　第1節　組織(第4条-第6条)
　　第2節　責任者(第7条～第8条)
　第3章　雑則(第9条・第10条)
　第4章　罰則(第11条)
　附則

　　　第1章　総則
(目的)
第1条　この規程は、議会の情報セキュリティに関し必要な事項を定める。
(定義)
第2条　この規程において用語の意義は、次のとおりとする。
(1)　情報資産　議会が保有する情報をいう。
(2)　端末　議員に貸与する機器をいう。
(適用)
第3条　この規程は、議員及び職員に適用する。
　　　第2章　管理体制
　　　　第1節　組織
第4条　議長は、最高情報セキュリティ責任者とする。
第5条　事務局長は、統括情報セキュリティ責任者とする。
第6条　各課長は、情報セキュリティ責任者とする。
　　　　第2節　責任者
第7条　責任者は、情報資産を管理する。
第8条　責任者は、事故を報告する。
　　　第3章　雑則
第9条　この規程の実施に関し必要な事項は、議長が定める。
第10条　議長は、毎年度この規程を見直す。
　　　第4章　罰則
第11条　この規程に違反した者は、議長が処分する。
附　則
この規程は、令和7年4月1日から施行する。
附　則(令和7年訓令第1号)
この規程は、公布の日から施行する。
";

#[test]
fn town_regulation_contents_with_ranges() {
    let policy = parse(TOWN).unwrap();
    assert_eq!(policy.title, "○大川町議会情報セキュリティ規程");
    assert_eq!(policy.name(), "大川町議会情報セキュリティ規程");
    assert_eq!(policy.promulgation.as_deref(), Some("議会訓令第2号"));
    assert_eq!(
        policy.contents,
        [
            "第1章　総則(第1条―第3条)",
            "第2章　管理体制",
            "第1節　組織(第4条-第6条)",
            "第2節　責任者(第7条～第8条)",
            "第3章　雑則(第9条・第10条)",
            "第4章　罰則(第11条)",
            "附則",
        ]
    );
    // No empty 第2章 first, the body is not under the contents' 附則, and the real
    // 附則 (two of them) come after the body.
    assert_eq!(
        all_refs(&policy),
        [
            "第1章",
            "1",
            "2",
            "2(1)",
            "2(2)",
            "3",
            "第2章",
            "第2章第1節",
            "4",
            "5",
            "6",
            "第2章第2節",
            "7",
            "8",
            "第3章",
            "9",
            "10",
            "第4章",
            "11",
            "附則",
            "附則#2",
        ]
    );
    assert_eq!(policy.clauses[0].title.as_deref(), Some("総則"));
    assert_eq!(policy.find("1").unwrap().title.as_deref(), Some("目的"));
    assert_eq!(
        policy.supplementary[1].title.as_deref(),
        Some("令和7年訓令第1号")
    );
    assert_eq!(
        policy.supplementary[1].text,
        "この規程は、公布の日から施行する。"
    );
    assert_eq!(policy.warnings, []);
    assert_eq!(
        fates(&policy),
        [
            (1, LineFate::Title),
            (2, LineFate::Metadata),
            (3, LineFate::Contents),
            (4, LineFate::Contents),
            (5, LineFate::Contents),
            (6, LineFate::Contents),
            (7, LineFate::Contents),
            (8, LineFate::Contents),
            (9, LineFate::Contents),
            (10, LineFate::Contents),
        ]
    );
}

/// "目次" with its entries on the following lines, without parentheses or ranges, the
/// chapters repeated in the body; the first entry on the same line as "目次" is read too.
const PLAIN_CONTENTS: &str = "\
議会情報資産管理要綱

目次
第1章 総則
第2章 情報資産の管理
附則

第1章 総則
第1条 この要綱は、情報資産の管理について定める。
第2章 情報資産の管理
第2条 情報資産は、分類して管理する。
2 分類は、機密性により行う。
附則
この要綱は、令和8年4月1日から施行する。
";

#[test]
fn contents_without_parentheses_end_where_the_body_repeats_them() {
    let policy = parse(PLAIN_CONTENTS).unwrap();
    assert_eq!(policy.title, "議会情報資産管理要綱");
    assert_eq!(
        policy.contents,
        ["第1章 総則", "第2章 情報資産の管理", "附則"]
    );
    assert_eq!(
        all_refs(&policy),
        ["第1章", "1", "第2章", "2", "2-2", "附則"]
    );
    assert_eq!(policy.supplementary.len(), 1);
    assert_eq!(
        fates(&policy),
        [
            (1, LineFate::Title),
            (3, LineFate::Contents),
            (4, LineFate::Contents),
            (5, LineFate::Contents),
            (6, LineFate::Contents),
        ]
    );

    // The same with the first entry on the "目次" line and no spaces after the labels.
    let same_line = PLAIN_CONTENTS
        .replace("目次\n第1章 総則\n", "目次　第1章総則\n")
        .replace(
            "第2章 情報資産の管理\n附則\n\n",
            "第2章情報資産の管理\n附則\n\n",
        );
    let policy = parse(&same_line).unwrap();
    assert_eq!(
        policy.contents,
        ["第1章総則", "第2章情報資産の管理", "附則"]
    );
    assert_eq!(
        all_refs(&policy),
        ["第1章", "1", "第2章", "2", "2-2", "附則"]
    );
}

/// Full-width everything: numbers, parentheses, spaces; 章 / 節 / 款 entries nested by
/// indentation, a 附則 entry; the body in the same style.
const WIDE: &str = "\
○議会ネットワーク運用規則
令和８年３月１８日　決裁
目　次
　第１章　総則（第１条・第２条）
　第２章　運用
　　第１節　端末
　　　第１款　貸与（第３条）
　　　第２款　返却（第４条～第５条）
　附　則

第１章　総則
（目的）
第１条　この規則は、ネットワークの運用について定める。
（用語）
第２条　この規則で使用する用語は、次のとおりとする。
（１）　端末　議員に貸与する機器
（２）　回線　議会の通信回線
ア　有線
イ　無線
第２章　運用
第１節　端末
第１款　貸与
第３条　端末は、議長が貸与する。
第２款　返却
第４条　端末は、任期の満了時に返却する。
第５条　返却された端末は、初期化する。
附　則
この規則は、令和８年４月１日から施行する。
";

#[test]
fn full_width_contents_with_subsections() {
    let policy = parse(WIDE).unwrap();
    assert_eq!(policy.title, "○議会ネットワーク運用規則");
    assert_eq!(policy.contents.len(), 6);
    assert_eq!(policy.contents[0], "第１章　総則（第１条・第２条）");
    assert_eq!(policy.contents[5], "附　則");
    assert_eq!(
        all_refs(&policy),
        [
            "第1章",
            "1",
            "2",
            "2(1)",
            "2(2)",
            "2(2)ア",
            "2(2)イ",
            "第2章",
            "第2章第1節",
            "第2章第1節第1款",
            "3",
            "第2章第1節第2款",
            "4",
            "5",
            "附則",
        ]
    );
    let subsection = policy.find("第2章第1節第1款").unwrap();
    assert_eq!(subsection.kind, ClauseKind::Subsection);
    assert_eq!(subsection.title.as_deref(), Some("貸与"));
    assert_eq!(subsection.shown_label(), "第１款");
    // Displayed as printed, referenced half-width.
    let item = policy.find("2(1)").unwrap();
    assert_eq!(item.label, "(1)");
    assert_eq!(item.shown_label(), "（１）");
    assert_eq!(policy.find("１").unwrap().shown_label(), "第１条");
    assert_eq!(policy.warnings, []);
    let contents_lines: Vec<usize> = policy
        .unplaced
        .iter()
        .filter(|u| u.fate == LineFate::Contents)
        .map(|u| u.line)
        .collect();
    assert_eq!(contents_lines, (3..=9).collect::<Vec<_>>());
}

#[test]
fn every_line_outside_the_tree_is_listed_with_its_fate() {
    let text = "\
規程
令和8年3月18日決定
前文の一行目。
前文の二行目。
目次
第1章 総則(第1条)
第1章 総則
第1条 本文。
";
    let policy = parse(text).unwrap();
    let listed: Vec<(usize, &str, LineFate)> = policy
        .unplaced
        .iter()
        .map(|u| (u.line, u.text.as_str(), u.fate))
        .collect();
    assert_eq!(
        listed,
        [
            (1, "規程", LineFate::Title),
            (2, "令和8年3月18日決定", LineFate::Metadata),
            (3, "前文の一行目。", LineFate::Preamble),
            (4, "前文の二行目。", LineFate::Preamble),
            (5, "目次", LineFate::Contents),
            (6, "第1章 総則(第1条)", LineFate::Contents),
        ]
    );
    // Every non-blank line is either in the tree or listed.
    let placed = policy.canonical_text();
    for (no, line) in text.lines().enumerate() {
        let listed = policy.unplaced.iter().any(|u| u.line == no + 1);
        let body = line.split_once(' ').map_or(line, |(_, rest)| rest);
        assert!(listed || placed.contains(body), "line {} dropped", no + 1);
    }
    // Warnings show the text they speak of.
    assert!(
        policy
            .warnings
            .iter()
            .all(|w| !w.text.is_empty() && text.contains(&w.text))
    );
}

#[test]
fn a_contents_line_among_the_clauses_is_text_and_a_chapter_sentence_is_not_a_heading() {
    let text = "\
1 目的
目次
第2章に定める事項を含む。
";
    let policy = parse(text).unwrap();
    assert_eq!(all_refs(&policy), ["1"]);
    assert_eq!(policy.clauses[0].text, "目次\n第2章に定める事項を含む。");
    assert!(policy.contents.is_empty());
}
