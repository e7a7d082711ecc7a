use time::macros::{date, time};

use super::*;

fn rules() -> Rules {
    Rules {
        yearly: Rule {
            user_types: vec![UserType::Member, UserType::Staff],
            course_kinds: vec![
                CourseKind::Everyone,
                CourseKind::Members,
                CourseKind::Outside,
            ],
        },
        new_people: Rule {
            user_types: vec![UserType::Staff],
            course_kinds: vec![CourseKind::NewStaff],
        },
        within_days: 30,
    }
}

const FY: i32 = 2026;

fn fy() -> FiscalYear {
    FiscalYear::new(FY).unwrap()
}

#[test]
fn times_are_read_as_people_write_them() {
    assert_eq!(parse_time("9:00"), Some(time!(9:00)));
    assert_eq!(parse_time("１３：３０"), Some(time!(13:30)));
    assert_eq!(parse_time("13時30分"), Some(time!(13:30)));
    assert_eq!(parse_time("14時"), Some(time!(14:00)));
    assert_eq!(parse_time("25:00"), None);
    assert_eq!(parse_time("午後"), None);
    assert_eq!(time_text(time!(9:05)), "09:05");
}

#[test]
fn sign_in_marks_are_read_or_left_to_ask() {
    assert_eq!(Attendance::from_sheet("○"), Some(Attendance::Present));
    assert_eq!(Attendance::from_sheet(" 出席 "), Some(Attendance::Present));
    assert_eq!(Attendance::from_sheet("×"), Some(Attendance::Absent));
    assert_eq!(Attendance::from_sheet("公欠"), Some(Attendance::Excused));
    assert_eq!(Attendance::from_sheet("Present"), Some(Attendance::Present));
    assert_eq!(Attendance::from_sheet("遅刻"), None);
}

#[test]
fn a_session_reads_its_day_times_and_audience() {
    let form = SessionForm {
        held_on: "令和8年6月10日".into(),
        starts_at: "13時30分".into(),
        ends_at: "15:00".into(),
        place: "第1委員会室".into(),
        audience: crate::awareness::NoticeForm {
            audience: "user_type".into(),
            user_types: vec!["member".into()],
            ..Default::default()
        },
        ..SessionForm::default()
    };
    let input = form.check().unwrap();
    assert_eq!(input.held_on, date!(2026 - 06 - 10));
    assert_eq!(input.audience, Audience::UserTypes(vec![UserType::Member]));
    let mut bad = form.clone();
    bad.ends_at = "13:00".into();
    bad.place = String::new();
    let fields: Vec<_> = bad.check().unwrap_err().iter().map(|p| p.field).collect();
    assert_eq!(fields, ["ends_at", "place"]);
}

#[test]
fn a_course_needs_a_year_a_kind_and_a_title() {
    let form = CourseForm {
        fiscal_year: "令和8年度".into(),
        kind: "members".into(),
        title: "議員向け情報セキュリティ研修".into(),
        description: String::new(),
    };
    assert_eq!(form.check().unwrap().fiscal_year, fy());
    let fields: Vec<_> = CourseForm::default()
        .check()
        .unwrap_err()
        .iter()
        .map(|p| p.field)
        .collect();
    assert_eq!(fields, ["fiscal_year", "kind", "title"]);
}

#[test]
fn the_rules_read_their_days_and_refuse_an_empty_choice() {
    let form = RulesForm {
        yearly_user_types: vec!["member".into(), "staff".into()],
        yearly_kinds: vec!["everyone".into()],
        new_user_types: vec!["staff".into()],
        new_kinds: vec!["new_staff".into()],
        within_days: "３０日".into(),
    };
    assert_eq!(form.check().unwrap().within_days, 30);
    let mut bad = form.clone();
    bad.yearly_kinds.clear();
    bad.new_user_types = vec!["contractor".into()];
    bad.within_days = "0".into();
    let fields: Vec<_> = bad.check().unwrap_err().iter().map(|p| p.field).collect();
    assert_eq!(
        fields,
        [
            "yearly_kinds",
            "new_user_types",
            "new_user_types",
            "within_days"
        ]
    );
}

#[test]
fn the_yearly_rule_is_met_by_a_counting_course_in_the_year() {
    let staff = Trainee {
        user_type: UserType::Staff,
        starts_on: date!(2020 - 04 - 01),
    };
    let in_year = Attended {
        on: date!(2026 - 07 - 01),
        kind: CourseKind::Everyone,
    };
    let last_year = Attended {
        on: date!(2026 - 03 - 31),
        kind: CourseKind::Everyone,
    };
    let other_kind = Attended {
        on: date!(2026 - 07 - 01),
        kind: CourseKind::Drill,
    };
    let today = date!(2026 - 12 - 04);
    assert_eq!(
        standing(&rules(), fy(), staff, &[in_year], today).yearly,
        Coverage::Met
    );
    assert_eq!(
        standing(&rules(), fy(), staff, &[last_year, other_kind], today).yearly,
        Coverage::Due
    );
    assert_eq!(
        standing(&rules(), fy(), staff, &[], date!(2027 - 04 - 01)).yearly,
        Coverage::Overdue
    );
    let other = Trainee {
        user_type: UserType::Other,
        ..staff
    };
    assert_eq!(
        standing(&rules(), fy(), other, &[], today).overall(),
        Coverage::NotBound
    );
}

#[test]
fn a_new_person_is_due_within_the_window_from_their_start() {
    let new = Trainee {
        user_type: UserType::Staff,
        starts_on: date!(2026 - 10 - 01),
    };
    let s = standing(&rules(), fy(), new, &[], date!(2026 - 10 - 31));
    assert_eq!(s.new_person, Coverage::Due);
    assert_eq!(s.new_person_due, Some(date!(2026 - 10 - 31)));
    let s = standing(&rules(), fy(), new, &[], date!(2026 - 11 - 01));
    assert_eq!(s.new_person, Coverage::Overdue);
    assert_eq!(s.overall(), Coverage::Overdue);
    let late = Attended {
        on: date!(2026 - 11 - 02),
        kind: CourseKind::NewStaff,
    };
    let s = standing(&rules(), fy(), new, &[late], date!(2026 - 12 - 01));
    assert_eq!(s.new_person, Coverage::Overdue, "attended after the window");
    let in_time = Attended {
        on: date!(2026 - 10 - 20),
        kind: CourseKind::NewStaff,
    };
    let s = standing(&rules(), fy(), new, &[in_time], date!(2026 - 12 - 01));
    assert_eq!(s.new_person, Coverage::Met);
    assert_eq!(
        s.yearly,
        Coverage::Due,
        "a new-staff course does not count for the year here"
    );
}

#[test]
fn only_present_and_confirmed_attendance_counts() {
    assert!(counts(Attendance::Present, Way::Recorded, false));
    assert!(!counts(Attendance::Present, Way::Declared, false));
    assert!(counts(Attendance::Present, Way::Declared, true));
    assert!(!counts(Attendance::Excused, Way::Imported, true));
}
