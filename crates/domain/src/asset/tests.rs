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
    assert_eq!(asset.retention, Some(Retention::Years(5)));
    assert_eq!(asset.tags, vec!["会議録", "本会議"]);
    assert_eq!(asset.clauses, vec!["6(2)", "2(3)"]);
    assert_eq!(Category::parse("ｱ"), Some(Category::Infrastructure));
    assert_eq!(Segment::parse("LGWAN接続系"), Some(Segment::Lgwan));
}

#[test]
fn retention_forms() {
    for (text, want) in [
        ("永年", Retention::Permanent),
        ("３０年", Retention::Years(30)),
        ("10y", Retention::Years(10)),
        ("任期中", Retention::TermOfOffice),
        ("契約終了まで", Retention::UntilContractEnd),
        ("1年未満", Retention::UnderOneYear),
    ] {
        assert_eq!(Retention::parse(text), Some(want), "{text}");
        assert_eq!(Retention::parse(&want.code()), Some(want));
        assert_eq!(Retention::parse(&want.japanese()), Some(want));
    }
    assert_eq!(Retention::parse("0年"), None);
    assert_eq!(Retention::parse("100年"), None);
    assert_eq!(Retention::parse("しばらく"), None);
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
    assert_eq!(header_field("何か"), None);
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
