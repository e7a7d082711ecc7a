use time::macros::datetime;

use super::*;

fn report(noticed: &str, personal: &str) -> ReportForm {
    ReportForm {
        title: "タブレットの紛失".into(),
        description: "駅でタブレットを紛失しました。".into(),
        noticed_at: noticed.into(),
        place: "佐久平駅".into(),
        personal: personal.into(),
        contact: "090-1234-5678".into(),
    }
}

const NOW: OffsetDateTime = datetime!(2026-12-06 15:00 +9);

#[test]
fn a_report_reads_the_time_as_people_write_it_in_japan() {
    for (typed, expected) in [
        ("2026-12-06T14:30", datetime!(2026-12-06 14:30 +9)),
        ("令和8年12月6日 14時30分", datetime!(2026-12-06 14:30 +9)),
        ("2026-12-06", datetime!(2026-12-06 00:00 +9)),
    ] {
        let input = report(typed, "はい").check(NOW).unwrap();
        assert_eq!(input.noticed_at, expected, "{typed}");
        assert_eq!(input.personal, Personal::Yes);
    }
    assert_eq!(
        report("2026-12-06", "").check(NOW).unwrap().personal,
        Personal::Unknown
    );
}

#[test]
fn a_report_in_the_future_or_without_what_happened_is_refused() {
    let problems = report("2026-12-07 09:00", "たぶん").check(NOW).unwrap_err();
    let fields: Vec<_> = problems.iter().map(|p| (p.field, p.key)).collect();
    assert_eq!(
        fields,
        [
            ("noticed_at", "incident.error.future"),
            ("personal", "incident.error.personal")
        ]
    );
    let mut empty = report("", "no");
    empty.title = String::new();
    let fields: Vec<_> = empty
        .check(NOW)
        .unwrap_err()
        .iter()
        .map(|p| p.field)
        .collect();
    assert_eq!(fields, ["title", "noticed_at"]);
}

#[test]
fn triage_reads_people_as_written_and_refuses_what_contradicts() {
    let levels = vec!["low".to_owned(), "high".to_owned()];
    let form = |severity: &str, personal: &str, people: &str| TriageForm {
        severity: severity.into(),
        threat_id: String::new(),
        personal: personal.into(),
        people: people.into(),
        owner: String::new(),
    };
    let input = form("high", "はい", "１，２００人").check(&levels).unwrap();
    assert_eq!(input.people, Some(1200));
    assert_eq!(input.severity.as_deref(), Some("high"));
    let problems = form("extreme", "no", "3").check(&levels).unwrap_err();
    let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
    assert_eq!(fields, ["severity", "people"]);
    assert_eq!(
        form("", "yes", "たくさん").check(&levels).unwrap_err()[0].key,
        "incident.error.people"
    );
}

#[test]
fn the_reporter_sees_their_own_report_and_nobody_else_sees_any() {
    assert_eq!(sight(true, false, false), Some(Sight::Full));
    assert_eq!(sight(false, true, true), Some(Sight::Full));
    assert_eq!(sight(false, false, true), Some(Sight::Own));
    assert_eq!(sight(false, false, false), None);
    assert_eq!(number(2026, 3), "2026-003");
    assert!(!Stage::open_stages().contains(&Stage::Closed));
    assert!(check_closing("", "操作ミス").is_err());
}

#[test]
fn link_targets_are_read_as_typed() {
    assert_eq!(link_target("asset", "12"), Ok((LinkKind::Asset, 12)));
    assert_eq!(link_target("risk", "１２"), Ok((LinkKind::Risk, 12)));
    assert_eq!(link_target("threat", " #7 "), Ok((LinkKind::Threat, 7)));
    assert_eq!(link_target("asset", "No.３"), Ok((LinkKind::Asset, 3)));
    assert_eq!(
        link_target("policy", "1").unwrap_err().field,
        "kind".to_owned()
    );
    for bad in ["", "0", "-1", "十二", "12a"] {
        assert_eq!(
            link_target("asset", bad).unwrap_err().field,
            "target",
            "{bad}"
        );
    }
}
