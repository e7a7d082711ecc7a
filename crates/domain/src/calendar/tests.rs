//! The calendar at its edges: the 年度 boundary, 平成/令和, 年末年始.

use time::macros::date;

use super::*;
use crate::wareki::{DateStyle, Lang};

fn holiday(on: time::Date, name: &str) -> ClosedDay {
    ClosedDay {
        on,
        name: name.into(),
        kind: ClosedKind::National,
    }
}

/// 2019's long Golden Week (the enthronement) and 2026–27's holidays near the tests.
fn calendar() -> WorkCalendar {
    WorkCalendar::new([
        holiday(date!(2019 - 04 - 29), "昭和の日"),
        holiday(date!(2019 - 04 - 30), "休日"),
        holiday(date!(2019 - 05 - 01), "休日（祝日扱い）"),
        holiday(date!(2019 - 05 - 02), "休日"),
        holiday(date!(2019 - 05 - 03), "憲法記念日"),
        holiday(date!(2019 - 05 - 04), "みどりの日"),
        holiday(date!(2019 - 05 - 05), "こどもの日"),
        holiday(date!(2019 - 05 - 06), "休日"),
        holiday(date!(2027 - 01 - 01), "元日"),
        holiday(date!(2027 - 01 - 11), "成人の日"),
    ])
}

#[test]
fn the_fiscal_year_turns_on_the_first_of_april() {
    assert_eq!(FiscalYear::of(date!(2027 - 03 - 31)).year(), 2026);
    assert_eq!(FiscalYear::of(date!(2027 - 04 - 01)).year(), 2027);
    let fy = FiscalYear::new(2026).unwrap();
    assert_eq!(fy.start(), date!(2026 - 04 - 01));
    assert_eq!(fy.end(), date!(2027 - 03 - 31));
    assert_eq!(fy.next().start(), date!(2027 - 04 - 01));
    assert_eq!(fy.previous().end(), date!(2026 - 03 - 31));
    assert!(fy.contains(date!(2027 - 01 - 15)));
    assert!(!fy.contains(date!(2026 - 03 - 31)));
    assert_eq!(fy.to_string(), "FY2026");
}

#[test]
fn fiscal_years_are_named_in_the_users_style() {
    let fy = FiscalYear::new(2026).unwrap();
    assert_eq!(fy.label(DateStyle::Wareki, Lang::Ja), "令和8年度");
    assert_eq!(fy.label(DateStyle::Gregorian, Lang::Ja), "2026年度");
    assert_eq!(fy.label(DateStyle::Gregorian, Lang::En), "FY2026");
    assert_eq!(fy.label(DateStyle::Wareki, Lang::En), "FY2026 (Reiwa 8)");
}

#[test]
fn the_year_of_the_era_change_is_reiwa_1_and_1988_stays_showa() {
    let fy2019 = FiscalYear::of(date!(2019 - 04 - 30));
    assert_eq!(fy2019, FiscalYear::of(date!(2019 - 05 - 01)));
    assert_eq!(fy2019.label(DateStyle::Wareki, Lang::Ja), "令和元年度");
    assert_eq!(
        FiscalYear::new(2018)
            .unwrap()
            .label(DateStyle::Wareki, Lang::Ja),
        "平成30年度"
    );
    assert_eq!(
        FiscalYear::new(1988)
            .unwrap()
            .label(DateStyle::Wareki, Lang::Ja),
        "昭和63年度"
    );
    assert_eq!(
        FiscalYear::new(1989)
            .unwrap()
            .label(DateStyle::Wareki, Lang::Ja),
        "平成元年度"
    );
}

#[test]
fn fiscal_years_are_read_as_people_write_them() {
    let fy = |s| FiscalYear::parse(s).map(FiscalYear::year);
    assert_eq!(fy("令和8年度"), Ok(2026));
    assert_eq!(fy("R8年度"), Ok(2026));
    assert_eq!(fy("ｒ８年度"), Ok(2026));
    assert_eq!(fy("2026年度"), Ok(2026));
    assert_eq!(fy("２０２６年度"), Ok(2026));
    assert_eq!(fy("FY2026"), Ok(2026));
    assert_eq!(fy("fy 2026"), Ok(2026));
    assert_eq!(fy("令和元年度"), Ok(2019));
    assert_eq!(
        fy("平成31年度"),
        Ok(2019),
        "平成31年度 is the name budgets of 2019 were made under"
    );
    assert_eq!(fy("平成32年度"), Err(FiscalYearError::AfterEra));
    assert_eq!(fy("令和0年度"), Err(FiscalYearError::Unrecognised));
    assert_eq!(fy("令和8年"), Err(FiscalYearError::Unrecognised));
    assert_eq!(fy("FY26"), Err(FiscalYearError::Unrecognised));
    assert_eq!(fy("1800年度"), Err(FiscalYearError::OutOfRange));
    assert_eq!(fy("  "), Err(FiscalYearError::Empty));
}

#[test]
fn the_year_end_break_runs_from_29_december_to_3_january() {
    assert!(!is_year_end_break(date!(2026 - 12 - 28)));
    assert!(is_year_end_break(date!(2026 - 12 - 29)));
    assert!(is_year_end_break(date!(2027 - 01 - 03)));
    assert!(!is_year_end_break(date!(2027 - 01 - 04)));
}

#[test]
fn five_working_days_from_christmas_skip_the_year_end_break() {
    let cal = calendar();
    let due = |from, days, kind| Deadline { from, days, kind }.due(&cal);
    // 12/25 (Fri) → 12/28 (Mon) 1, 12/29–1/3 closed, 1/4 2, 1/5 3, 1/6 4, 1/7 5.
    assert_eq!(
        due(date!(2026 - 12 - 25), 5, DayCount::Working),
        date!(2027 - 01 - 07)
    );
    assert_eq!(
        due(date!(2026 - 12 - 25), 5, DayCount::Calendar),
        date!(2026 - 12 - 30)
    );
}

#[test]
fn working_days_across_heisei_and_reiwa_skip_the_ten_day_holiday() {
    let cal = calendar();
    // 2019-04-26 (Fri, 平成): the next working day is 2019-05-07 (Tue, 令和).
    let d = Deadline {
        from: date!(2019 - 04 - 26),
        days: 1,
        kind: DayCount::Working,
    };
    assert_eq!(d.due(&cal), date!(2019 - 05 - 07));
    assert!(!cal.is_working_day(date!(2019 - 04 - 30)));
    assert!(!cal.is_working_day(date!(2019 - 05 - 01)));
    assert_eq!(
        cal.closed_day(date!(2019 - 05 - 01)),
        Some("休日（祝日扱い）")
    );
    let calendar_days = Deadline {
        kind: DayCount::Calendar,
        ..d
    };
    assert_eq!(calendar_days.due(&cal), date!(2019 - 04 - 27));
}

#[test]
fn working_days_cross_the_fiscal_year_boundary() {
    let cal = WorkCalendar::default();
    // 2027-03-30 (Tue) + 3 working days: 3/31 (Wed), 4/1 (Thu), 4/2 (Fri).
    let d = Deadline {
        from: date!(2027 - 03 - 30),
        days: 3,
        kind: DayCount::Working,
    };
    assert_eq!(d.due(&cal), date!(2027 - 04 - 02));
    assert_eq!(FiscalYear::of(d.due(&cal)).year(), 2027);
    // Zero working days from a Saturday is the Monday after.
    let zero = Deadline {
        from: date!(2026 - 04 - 04),
        days: 0,
        kind: DayCount::Working,
    };
    assert_eq!(zero.due(&cal), date!(2026 - 04 - 06));
}

#[test]
fn a_deadline_as_typed_says_what_is_wrong() {
    let ok = DeadlineInput {
        from: "令和8年12月25日".into(),
        days: "5".into(),
        kind: "working".into(),
    }
    .check()
    .unwrap();
    assert_eq!(
        (ok.from, ok.days, ok.kind),
        (date!(2026 - 12 - 25), 5, DayCount::Working)
    );
    let bad = DeadlineInput {
        from: "あした".into(),
        days: "-1".into(),
        kind: "weekly".into(),
    }
    .check()
    .unwrap_err();
    let fields: Vec<_> = bad.iter().map(|p| p.field).collect();
    assert_eq!(fields, ["from", "days", "kind"]);
}

#[test]
fn the_cabinet_office_list_is_read_in_shift_jis_and_utf8() {
    let text =
        "国民の祝日・休日月日,国民の祝日・休日名称\r\n2026/1/1,元日\r\n2026/1/12,成人の日\r\n";
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(text);
    let read = parse_holiday_csv(&sjis).unwrap();
    assert_eq!(
        read,
        vec![
            CsvHoliday {
                on: date!(2026 - 01 - 01),
                name: "元日".into()
            },
            CsvHoliday {
                on: date!(2026 - 01 - 12),
                name: "成人の日".into()
            },
        ]
    );
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    assert_eq!(parse_holiday_csv(&bom).unwrap(), read);
}

#[test]
fn a_bad_holiday_list_names_its_lines() {
    let text = "国民の祝日・休日月日,国民の祝日・休日名称\n2026/2/30,ない日\n2026/3/20\n2026/3/20,春分の日\n";
    let problems = parse_holiday_csv(text.as_bytes()).unwrap_err();
    let lines: Vec<_> = problems.iter().map(|p| p.params[0].1.as_str()).collect();
    assert_eq!(lines, ["2", "3"]);
    assert_eq!(
        parse_holiday_csv("日付,名前\n".as_bytes()).unwrap_err()[0].key,
        "calendar.error.csv_header"
    );
    assert_eq!(
        parse_holiday_csv("国民の祝日・休日月日,国民の祝日・休日名称\n".as_bytes()).unwrap_err()[0]
            .key,
        "calendar.error.csv_empty"
    );
}

#[test]
fn a_closed_day_as_typed() {
    let day = HolidayInput {
        on: "2026-08-14".into(),
        name: "議会事務局 夏季閉庁日".into(),
        kind: String::new(),
    }
    .check()
    .unwrap();
    assert_eq!(day.kind, ClosedKind::Assembly);
    let bad = HolidayInput::default().check().unwrap_err();
    assert_eq!(
        bad.iter().map(|p| p.field).collect::<Vec<_>>(),
        ["on", "name"]
    );
}
