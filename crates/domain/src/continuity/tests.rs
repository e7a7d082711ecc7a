use super::*;

#[test]
fn recovery_times_are_read_as_people_write_them() {
    for (typed, hours) in [
        ("4時間", 4),
        ("1日", 24),
        ("３日以内", 72),
        ("半日", 12),
        ("半日以内", 12),
        ("2 hours", 2),
        ("1 day", 24),
        ("1週間", 168),
        (" ２４時間程度 ", 24),
        ("3 Days", 72),
        ("within 2 days", 48),
        ("12h", 12),
    ] {
        assert_eq!(parse_rto(typed), Ok(hours), "{typed}");
    }
}

#[test]
fn recovery_times_that_cannot_be_read_are_refused() {
    for typed in ["すぐ", "0時間", "1ヶ月", "三日", "-1日", "1.5日", "4"] {
        let problem = parse_rto(typed).unwrap_err();
        assert_eq!(problem.key, "continuity.error.rto", "{typed}");
    }
    assert_eq!(parse_rto("").unwrap_err().key, "field.error.required");
    assert_eq!(
        parse_rto("100日").unwrap_err().key,
        "continuity.error.rto_too_long"
    );
    assert_eq!(
        parse_rto("99999999999999999999日").unwrap_err().key,
        "continuity.error.rto"
    );
}

#[test]
fn whole_days_show_as_days() {
    assert_eq!(rto_parts(72), (3, true));
    assert_eq!(rto_parts(12), (12, false));
    assert_eq!(rto_parts(36), (36, false));
}

#[test]
fn a_service_reports_every_problem_at_once() {
    let form = ServiceForm {
        name: " ".into(),
        priority: "x".into(),
        rto: "いつか".into(),
        ..ServiceForm::default()
    };
    let fields: Vec<&str> = form.check().unwrap_err().iter().map(|p| p.field).collect();
    assert_eq!(fields, ["name", "priority", "rto"]);
    let ok = ServiceForm {
        name: "会議録の作成".into(),
        priority: "２".into(),
        rto: "３日以内".into(),
        workarounds: "手書きで記録する\n\n録音から起こす\n".into(),
        ..ServiceForm::default()
    }
    .check()
    .unwrap();
    assert_eq!((ok.priority, ok.rto_hours), (2, 72));
    assert_eq!(ok.workarounds, ["手書きで記録する", "録音から起こす"]);
}

#[test]
fn a_roster_entry_needs_someone_else_to_cover() {
    let ok = check_cover("user:3", "", &[Some(4), None, Some(5)], "").unwrap();
    assert_eq!(ok.covered, Covered::Person(3));
    assert_eq!(ok.alternates, [4, 5]);
    let key = |r: Result<CoverInput, Vec<FieldProblem>>| r.unwrap_err()[0].key;
    assert_eq!(
        key(check_cover("user:3", "", &[Some(3)], "")),
        "continuity.error.self"
    );
    assert_eq!(
        key(check_cover("user:3", "", &[None], "")),
        "continuity.error.no_alternate"
    );
    assert_eq!(
        key(check_cover("user:3", "", &[Some(4), Some(4)], "")),
        "continuity.error.twice"
    );
    assert_eq!(
        key(check_cover("nobody", "", &[Some(4)], "")),
        "continuity.error.covered"
    );
    assert_eq!(
        check_cover("post:2", "7", &[Some(4)], "")
            .unwrap()
            .service_id,
        Some(7)
    );
}

#[test]
fn alternates_are_flagged() {
    assert_eq!(alternate_warnings(4, true, &[3]), []);
    assert_eq!(alternate_warnings(3, true, &[3]), [Warning::SamePerson]);
    assert_eq!(alternate_warnings(4, false, &[]), [Warning::Inactive]);
}

#[test]
fn members_read_only_through_the_ciso_post() {
    assert!(may_read(true, Role::User, UserType::Staff, &[]));
    assert!(!may_read(true, Role::User, UserType::Member, &[]));
    assert!(may_read(
        true,
        Role::User,
        UserType::Member,
        &[OrgRole::Ciso]
    ));
    assert!(!may_read(false, Role::User, UserType::Staff, &[]));
}

#[test]
fn a_drill_chooses_from_what_is_offered() {
    let form = DrillForm {
        scenario_id: Some(9),
        services: vec![1, 1, 2],
        ..DrillForm::default()
    };
    assert!(form.check(&[1], &[1, 2]).is_err());
    let ok = form.check(&[9], &[1, 2]).unwrap();
    assert_eq!(ok.services, [1, 2]);
}
