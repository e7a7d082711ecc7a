//! The asset input rules, read as registers write them.

use super::*;

fn scheme() -> Scheme {
    let mut scheme = crate::classification_presets::all()
        .into_iter()
        .find(|s| s.key == "guideline_2024")
        .unwrap();
    for (i, level) in scheme.levels.iter_mut().enumerate() {
        level.id = i as i64 + 1;
    }
    scheme
}

fn input() -> AssetInput {
    AssetInput {
        name: "本会議録(令和7年)".into(),
        category: "イ".into(),
        form: "紙".into(),
        holder_type: "議会事務局".into(),
        confidentiality: "機密性2".into(),
        integrity: "2".into(),
        availability: "1".into(),
        retention: "5年".into(),
        tags: "会議録、 本会議,会議録".into(),
        clauses: "６（２）, 2(3)".into(),
        ..AssetInput::default()
    }
}

#[test]
fn reads_values_as_registers_write_them() {
    let asset = input().check(&scheme(), &Holders::default()).unwrap();
    assert_eq!(asset.category, Category::Information);
    assert_eq!(asset.form, Form::Paper);
    assert_eq!(asset.holder_type, HolderType::Secretariat);
    assert_eq!(asset.segment, Segment::None);
    assert_eq!(asset.status, Status::InUse);
    assert_eq!(
        asset.retention,
        Some(Retention {
            text: "5年".into(),
            reading: Some(RetentionReading::Years { years: 5 })
        })
    );
    assert_eq!(asset.tags, vec!["会議録", "本会議"]);
    assert_eq!(asset.clauses, vec!["6(2)", "2(3)"]);
    assert_eq!(Category::parse("ｱ"), Some(Category::Infrastructure));
    assert_eq!(Segment::parse("LGWAN接続系"), Some(Segment::Lgwan));
}

fn date(y: i32, m: u8, d: u8) -> Date {
    Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap()
}

#[test]
fn retention_readings_as_registers_write_them() {
    use RetentionReading as R;
    let years = |years| R::Years { years };
    let after = |years| R::YearsAfterContract { years };
    let until = |y, m, d| R::Until {
        date: date(y, m, d),
    };
    let table: &[(&str, Option<RetentionReading>)] = &[
        ("永年", Some(R::Permanent)),
        ("永久", Some(R::Permanent)),
        ("永年保存", Some(R::Permanent)),
        ("無期限", Some(R::Permanent)),
        ("3年保管", Some(years(3))),
        ("常用", Some(R::Constant)),
        ("5年", Some(years(5))),
        ("５年", Some(years(5))),
        ("5年間", Some(years(5))),
        ("３０年", Some(years(30))),
        ("10年保存", Some(years(10))),
        (" 3 年 ", Some(years(3))),
        ("十年", Some(years(10))),
        ("三年", Some(years(3))),
        ("十五年間", Some(years(15))),
        ("二十年", Some(years(20))),
        ("九十九年", Some(years(99))),
        ("1年未満", Some(R::UnderOneYear)),
        ("１年未満", Some(R::UnderOneYear)),
        ("一年未満", Some(R::UnderOneYear)),
        ("任期中", Some(R::TermOfOffice)),
        ("任期満了まで", Some(R::TermOfOffice)),
        ("貸与期間中", Some(R::LoanPeriod)),
        ("契約期間中", Some(R::ContractPeriod)),
        ("契約終了まで", Some(R::UntilContractEnd)),
        ("契約終了後5年", Some(after(5))),
        ("契約終了後５年間", Some(after(5))),
        ("契約終了後 十年", Some(after(10))),
        ("更新まで", Some(R::UntilRenewal)),
        ("次回更新まで", Some(R::UntilRenewal)),
        ("廃棄まで", Some(R::UntilDisposal)),
        ("随時", Some(R::AsNeeded)),
        ("令和8年3月31日まで", Some(until(2026, 3, 31))),
        ("令和８年３月３１日迄", Some(until(2026, 3, 31))),
        ("R8.3.31", Some(until(2026, 3, 31))),
        ("R8.3.31まで", Some(until(2026, 3, 31))),
        ("2031-03-31まで", Some(until(2031, 3, 31))),
        ("2031/3/31", Some(until(2031, 3, 31))),
        ("令和13年度末まで", Some(until(2032, 3, 31))),
        ("2030年度末", Some(until(2031, 3, 31))),
        ("令和9年3月末まで", Some(until(2027, 3, 31))),
        ("2028年2月末", Some(until(2028, 2, 29))),
        ("令和8年12月末まで", Some(until(2026, 12, 31))),
        ("5年（法定）", Some(years(5))),
        ("永年(条例第3条)", Some(R::Permanent)),
        // Codes stored by earlier versions read as what they meant.
        ("5y", Some(years(5))),
        ("5 years", Some(years(5))),
        ("permanent", Some(R::Permanent)),
        ("under_1y", Some(R::UnderOneYear)),
        ("term", Some(R::TermOfOffice)),
        ("contract", Some(R::UntilContractEnd)),
        // Kept as written, not understood.
        ("しばらく", None),
        ("必要な間", None),
        ("0年", None),
        ("100年", None),
        ("十一十年", None),
        ("令和8年", None),
        ("2026-02-30まで", None),
        ("5年以上", None),
        ("（法定）", None),
        ("事業完了後5年（監査対応）", None),
    ];
    for (text, want) in table {
        assert_eq!(RetentionReading::parse(text), *want, "{text}");
        let kept = Retention::new(text).unwrap();
        assert_eq!(kept.text, text.trim(), "kept as written");
        assert_eq!(kept.reading, *want);
    }
    assert_eq!(Retention::new("  "), None);
}

#[test]
fn disposal_is_proposed_only_where_a_date_follows() {
    use RetentionReading as R;
    // Registered in 令和8年度 (2026-04-01 … 2027-03-31): five years count from
    // 2027-04-01 and end on 2032-03-31.
    for start in [date(2026, 4, 1), date(2026, 12, 2), date(2027, 3, 31)] {
        assert_eq!(
            R::Years { years: 5 }.proposed_disposal(start),
            Ok(date(2032, 3, 31)),
            "{start}"
        );
    }
    assert_eq!(
        R::Years { years: 1 }.proposed_disposal(date(2026, 3, 31)),
        Ok(date(2027, 3, 31))
    );
    let due = date(2031, 3, 31);
    assert_eq!(
        R::Until { date: due }.proposed_disposal(date(2026, 1, 1)),
        Ok(due)
    );
    assert_eq!(
        R::Permanent.proposed_disposal(date(2026, 1, 1)),
        Err(NoProposal::KeptWithoutEnd)
    );
    assert_eq!(
        R::YearsAfterContract { years: 5 }.proposed_disposal(date(2026, 1, 1)),
        Err(NoProposal::EndsWithEvent)
    );
    assert_eq!(
        R::AsNeeded.proposed_disposal(date(2026, 1, 1)),
        Err(NoProposal::WhenNoLongerNeeded)
    );
    assert_eq!(fiscal_year(date(2027, 3, 31)), 2026);
    assert_eq!(fiscal_year(date(2027, 4, 1)), 2027);
}

#[test]
fn retention_text_is_kept_when_not_recognised_and_checked_as_a_line() {
    let mut input = input();
    input.retention = "事業完了後5年（監査対応）".into();
    let asset = input.check(&scheme(), &Holders::default()).unwrap();
    let retention = asset.retention.unwrap();
    assert_eq!(retention.text, "事業完了後5年（監査対応）");
    assert_eq!(retention.reading, None);
    input.retention = "a\nb".into();
    let problems = input.check(&scheme(), &Holders::default()).unwrap_err();
    assert_eq!(problems[0].field, "retention");
    input.retention = "年".repeat(MAX_RETENTION + 1);
    let problems = input.check(&scheme(), &Holders::default()).unwrap_err();
    assert_eq!(problems[0].field, "retention");
}

#[test]
fn publications_are_refused_with_a_reason() {
    let mut input = input();
    input.publication = "官報".into();
    let problems = input.check(&scheme(), &Holders::default()).unwrap_err();
    assert_eq!(problems[0].key, "asset.error.publication");
    input.publication = "no".into();
    assert!(input.check(&scheme(), &Holders::default()).is_ok());
}

#[test]
fn every_problem_is_reported_at_once() {
    let input = AssetInput {
        name: "x".repeat(MAX_NAME + 1),
        category: "エ".into(),
        confidentiality: "3".into(),
        holder: "nobody".into(),
        disposal_due: "2026-13-40".into(),
        notes: "a\u{7}b".into(),
        ..AssetInput::default()
    };
    let problems = input.check(&scheme(), &Holders::default()).unwrap_err();
    let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
    for field in [
        "name",
        "category",
        "form",
        "holder_type",
        "holder",
        "confidentiality",
        "integrity",
        "disposal_due",
        "notes",
    ] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let level = problems
        .iter()
        .find(|p| p.field == "confidentiality")
        .unwrap();
    assert_eq!(level.params[0].1, "3A / 3B / 3C / 2 / 1");
}

#[test]
fn holders_by_id_login_or_unique_name() {
    let holders = Holders::new([
        (1, "sato".into(), "佐藤 一郎".into()),
        (2, "suzuki".into(), "鈴木 花子".into()),
        (3, "suzuki2".into(), "鈴木　花子".into()),
    ]);
    assert_eq!(holders.find("1"), Some(1));
    assert_eq!(holders.find("SATO"), Some(1));
    assert_eq!(holders.find("佐藤一郎"), Some(1));
    assert_eq!(holders.find("鈴木 花子"), None);
    assert_eq!(holders.find("suzuki2"), Some(3));
}

#[test]
fn headers_are_recognised() {
    assert_eq!(header_field("資産名"), Some("name"));
    assert_eq!(header_field(" 機密性 "), Some("confidentiality"));
    assert_eq!(header_field("※保存期間"), Some("retention"));
    assert_eq!(header_field("category"), Some("category"));
    assert_eq!(header_field("Retention Period"), Some("retention"));
    assert_eq!(header_field("何か"), None);
    assert_eq!(header_field("（高・中・低）"), None);
    assert_eq!(header_field(""), None);
}

/// Header rows as sample registers of assemblies and the 総務省 guideline's forms write
/// them, each with the fields it must map to (None: a column the import leaves alone).
#[test]
fn header_rows_of_sample_registers() {
    let rows: &[&[(&str, Option<&str>)]] = &[
        &[
            ("No.", Some("number")),
            ("資産名", Some("name")),
            ("資産の種類", Some("category")),
            ("所有者", Some("holder")),
            ("保存場所", Some("location")),
            ("機密性（高・中・低）", Some("confidentiality")),
            ("完全性（高・中・低）", Some("integrity")),
            ("可用性（高・中・低）", Some("availability")),
            ("保存期間", Some("retention")),
            ("備考", Some("notes")),
        ],
        &[
            ("資産ID", Some("number")),
            ("名称", Some("name")),
            ("種別", Some("category")),
            ("管理者", Some("holder")),
            ("保管場所", Some("location")),
            ("機密性(A/B/C)", Some("confidentiality")),
            ("完全性(A/B/C)", Some("integrity")),
            ("可用性(A/B/C)", Some("availability")),
            ("保存年限", Some("retention")),
            ("メモ", Some("notes")),
        ],
        &[
            ("管理番号", Some("number")),
            ("情報資産名", Some("name")),
            ("形態\n(紙/電子)", Some("form")),
            ("保有者", Some("holder")),
            ("設置場所", Some("location")),
            ("ネットワーク区分", Some("segment")),
            ("機密性【必須】", Some("confidentiality")),
            ("完全性［1～2］", Some("integrity")),
            ("可用性 ( 1 / 2 )", Some("availability")),
            ("保存期間※", Some("retention")),
            ("廃棄予定日", Some("disposal_due")),
            ("作成年月日", None),
        ],
        &[
            ("番号", Some("number")),
            ("ＮＯ．", Some("number")),
            ("* 資産名", Some("name")),
            ("状態", Some("status")),
            ("備考（任意）", Some("notes")),
            ("担当課", None),
            // Too vague to guess: 種類 of what?
            ("種類", None),
        ],
    ];
    for row in rows {
        for (header, want) in *row {
            assert_eq!(header_field(header), *want, "{header}");
        }
    }
}

#[test]
fn changes_keep_disposal_on_record_and_ask_why() {
    let scheme = scheme();
    let before = input().check(&scheme, &Holders::default()).unwrap();
    let mut after = before.clone();
    after.confidentiality = scheme.find_level(Axis::Confidentiality, "3B").unwrap().id;
    assert_eq!(
        check_change(&before, &after, " ").unwrap_err().key,
        "asset.error.reason_required"
    );
    assert!(check_change(&before, &after, "個人番号を含むため").is_ok());
    let mut disposed = before.clone();
    disposed.status = Status::Disposed;
    assert_eq!(
        check_change(&before, &disposed, "").unwrap_err().key,
        "asset.error.dispose_by_record"
    );
    assert_eq!(
        check_change(&disposed, &before, "").unwrap_err().key,
        "asset.error.disposed_stays"
    );
}

#[test]
fn lifecycle_rules() {
    let scheme = scheme();
    let c = |code: &str| scheme.find_level(Axis::Confidentiality, code).unwrap().id;
    assert_eq!(
        check_event(EventKind::TakeOut, Status::InUse, c("2"), &scheme, ""),
        Ok(Approval::Pending)
    );
    assert_eq!(
        check_event(EventKind::TakeOut, Status::InUse, c("1"), &scheme, ""),
        Ok(Approval::NotRequired)
    );
    assert_eq!(
        check_event(EventKind::Publication, Status::InUse, c("2"), &scheme, ""),
        Err(EventRefusal::NotPublishable)
    );
    assert_eq!(
        check_event(EventKind::Disposal, Status::InUse, c("1"), &scheme, " "),
        Err(EventRefusal::DisposalNeedsMethod)
    );
    assert_eq!(
        check_event(EventKind::Lending, Status::Disposed, c("1"), &scheme, ""),
        Err(EventRefusal::AlreadyDisposed)
    );
}

#[test]
fn personal_information_is_read_from_the_words_registers_use() {
    for yes in ["yes", "あり", "有", "○", "含む", "ｙｅｓ", " はい "] {
        assert_eq!(super::personal_info(yes), Some(true), "{yes}");
    }
    for no in ["", "no", "なし", "無", "×", "-", "含まない"] {
        assert_eq!(super::personal_info(no), Some(false), "{no}");
    }
    assert_eq!(super::personal_info("たぶん"), None);
    assert_eq!(super::header_field("個人情報の有無"), Some("personal_info"));
    assert_eq!(
        super::header_field("個人情報（有・無）"),
        Some("personal_info")
    );
}
