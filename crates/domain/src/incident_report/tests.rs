use time::macros::date;

use super::*;

fn facts() -> Facts {
    Facts {
        personal: Personal::Yes,
        people: Some(150),
        threshold: DEFAULT_PEOPLE_THRESHOLD,
        sensitive: Personal::No,
        intentional: Personal::Unknown,
        unauthorised: Personal::No,
        financial: Personal::No,
        severity_rank: None,
    }
}

fn duty(id: i64, triggers: &[Trigger], unless: &[Trigger], days: u32, count: DayCount) -> Duty {
    Duty {
        id,
        triggers: triggers.to_vec(),
        unless: unless.to_vec(),
        min_rank: Some(3),
        days,
        count,
        active: true,
    }
}

/// The seeded defaults: PPC 速報 5 days, 確報 30 days unless intentional, 確報 60 days
/// when intentional, and a severity ≥ 高 report in 3 開庁日.
fn defaults() -> Vec<Duty> {
    use Trigger::*;
    vec![
        duty(
            1,
            &[PeopleOver, Sensitive, Intentional, Financial],
            &[],
            5,
            DayCount::Calendar,
        ),
        duty(
            2,
            &[PeopleOver, Sensitive, Financial],
            &[Intentional],
            30,
            DayCount::Calendar,
        ),
        duty(3, &[Intentional], &[], 60, DayCount::Calendar),
        duty(4, &[Severity], &[], 3, DayCount::Working),
    ]
}

// 2026-12-04 is a Friday.
const FRIDAY: Date = date!(2026 - 12 - 04);

#[test]
fn a_leak_of_150_people_starts_the_preliminary_and_the_30_day_final_clocks() {
    let calendar = WorkCalendar::new([]);
    let clocks = clocks(&defaults(), &facts(), FRIDAY, &[], FRIDAY, &calendar);
    let states: Vec<(i64, Option<Date>, ClockState)> =
        clocks.iter().map(|c| (c.duty_id, c.due, c.state)).collect();
    assert_eq!(
        states,
        [
            (
                1,
                Some(date!(2026 - 12 - 09)),
                ClockState::DueIn { days: 5 }
            ),
            (
                2,
                Some(date!(2027 - 01 - 03)),
                ClockState::DueIn { days: 30 }
            ),
            (3, None, ClockState::NotApplicable),
            (4, None, ClockState::NotApplicable),
        ]
    );
}

#[test]
fn an_unlawful_purpose_asks_for_60_days_instead_of_30() {
    let mut facts = facts();
    facts.people = Some(3);
    facts.intentional = Personal::Yes;
    let calendar = WorkCalendar::new([]);
    let clocks = clocks(&defaults(), &facts, FRIDAY, &[], FRIDAY, &calendar);
    let applying: Vec<(i64, Option<Date>)> = clocks
        .iter()
        .filter(|c| c.state != ClockState::NotApplicable)
        .map(|c| (c.duty_id, c.due))
        .collect();
    assert_eq!(
        applying,
        [
            (1, Some(date!(2026 - 12 - 09))),
            (3, Some(date!(2027 - 02 - 02)))
        ]
    );
}

#[test]
fn the_facts_about_personal_information_count_only_when_it_is_involved() {
    let mut facts = facts();
    facts.personal = Personal::Unknown;
    facts.intentional = Personal::Yes;
    assert!(!defaults().iter().any(|d| d.applies(&facts)));
    facts.people = Some(100);
    facts.personal = Personal::Yes;
    facts.intentional = Personal::No;
    assert!(!defaults()[0].applies(&facts), "100 is not more than 100");
    facts.threshold = 50;
    assert!(defaults()[0].applies(&facts), "the threshold is a setting");
}

#[test]
fn working_days_skip_the_weekend_and_closed_days() {
    let mut facts = facts();
    facts.severity_rank = Some(3);
    let closed = crate::calendar::ClosedDay {
        on: date!(2026 - 12 - 07),
        name: "臨時休庁".to_owned(),
        kind: crate::calendar::ClosedKind::Assembly,
    };
    let calendar = WorkCalendar::new([closed]);
    let clocks = clocks(&defaults(), &facts, FRIDAY, &[], FRIDAY, &calendar);
    // Saturday, Sunday and the closed Monday do not count: Tue, Wed, Thu.
    assert_eq!(clocks[3].due, Some(date!(2026 - 12 - 10)));
    facts.severity_rank = Some(2);
    assert!(!defaults()[3].applies(&facts), "中 is below 高");
}

#[test]
fn reports_are_on_time_or_late_and_missing_ones_overdue() {
    let calendar = WorkCalendar::new([]);
    let sent = [
        Sent {
            duty_id: Some(1),
            sent_on: date!(2026 - 12 - 11),
        },
        Sent {
            duty_id: Some(1),
            sent_on: date!(2026 - 12 - 08),
        },
        Sent {
            duty_id: None,
            sent_on: date!(2026 - 12 - 08),
        },
    ];
    let today = date!(2027 - 01 - 05);
    let clocks = clocks(&defaults(), &facts(), FRIDAY, &sent, today, &calendar);
    assert_eq!(
        clocks[0].state,
        ClockState::OnTime {
            sent_on: date!(2026 - 12 - 08)
        },
        "the first report counts"
    );
    assert_eq!(clocks[1].state, ClockState::Overdue { days: 2 });
    let late = [Sent {
        duty_id: Some(1),
        sent_on: date!(2026 - 12 - 11),
    }];
    let clocks = super::clocks(&defaults(), &facts(), FRIDAY, &late, today, &calendar);
    assert_eq!(
        clocks[0].state,
        ClockState::Late {
            sent_on: date!(2026 - 12 - 11),
            days: 2
        }
    );
}

#[test]
fn a_retired_duty_stays_where_a_report_was_made_for_it() {
    let calendar = WorkCalendar::new([]);
    let mut duties = defaults();
    duties[0].active = false;
    duties[1].active = false;
    let sent = [Sent {
        duty_id: Some(1),
        sent_on: date!(2026 - 12 - 07),
    }];
    let clocks = clocks(&duties, &facts(), FRIDAY, &sent, FRIDAY, &calendar);
    let ids: Vec<i64> = clocks.iter().map(|c| c.duty_id).collect();
    assert_eq!(ids, [1, 3, 4], "retired 2 had no report and is gone");
}

#[test]
fn forms_are_checked() {
    let form = DutyForm {
        recipient_ja: "個人情報保護委員会".into(),
        stage: "final".into(),
        triggers: vec!["intentional".into(), "people_over".into()],
        unless: vec!["intentional".into()],
        days: "0".into(),
        day_count: "weekly".into(),
        ..DutyForm::default()
    };
    let fields: Vec<&str> = form
        .check(&[])
        .unwrap_err()
        .iter()
        .map(|p| p.field)
        .collect();
    assert_eq!(fields, ["unless", "days", "day_count"]);
    let form = DutyForm {
        recipient_ja: "県".into(),
        stage: "other".into(),
        triggers: vec!["severity".into()],
        days: "3".into(),
        day_count: "working".into(),
        ..DutyForm::default()
    };
    assert_eq!(
        form.check(&["high".into()]).unwrap_err()[0].field,
        "min_severity"
    );
    let ok = DutyForm {
        min_severity: "high".into(),
        ..form
    };
    let input = ok.check(&["high".into()]).unwrap();
    assert_eq!((input.recipient_en.as_str(), input.days), ("県", 3));

    let sent = SentForm {
        sent_on: "令和8年13月1日".into(),
        ..SentForm::default()
    };
    let fields: Vec<&str> = sent
        .check(FRIDAY, FRIDAY)
        .unwrap_err()
        .iter()
        .map(|p| p.field)
        .collect();
    assert_eq!(fields, ["recipient", "sent_on"]);
    let sent = SentForm {
        duty: "1".into(),
        sent_on: "令和8年12月4日".into(),
        reference: "PPC-123".into(),
        ..SentForm::default()
    };
    assert_eq!(sent.check(FRIDAY, FRIDAY).unwrap().sent_on, FRIDAY);
    assert!(check_threshold("0").is_err());
    assert_eq!(check_threshold(" 100 "), Ok(100));
    let facts = FactsForm {
        sensitive: "はい".into(),
        intentional: "maybe".into(),
        ..FactsForm::default()
    };
    assert_eq!(facts.check().unwrap_err()[0].field, "intentional");
}
