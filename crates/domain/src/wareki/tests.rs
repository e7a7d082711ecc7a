//! Tests of the wareki module.
use super::*;
use time::macros::datetime;

fn parse(input: &str) -> Date {
    match parse_date_input(input) {
        Ok(date) => date,
        Err(e) => panic!("{input:?} should parse, got {e:?}"),
    }
}

fn ja(date: Date) -> String {
    format_date(date, DateStyle::Wareki, Lang::Ja)
}

fn en(date: Date) -> String {
    format_date(date, DateStyle::Wareki, Lang::En)
}

fn after(era: &'static str, last: Date) -> DateInputError {
    DateInputError::AfterEra { era, last }
}

fn before(era: &'static str, first: Date) -> DateInputError {
    DateInputError::BeforeEra { era, first }
}

fn no_such_day(year: &str, month: u32, day: u32) -> DateInputError {
    DateInputError::NoSuchDay {
        year: year.to_owned(),
        month,
        day,
    }
}

/// (date, Japanese era form, English era form, initial form) around every boundary.
const BOUNDARIES: [(Date, &str, &str, &str); 9] = [
    (
        date!(1873 - 01 - 01),
        "明治6年1月1日",
        "1 January 1873 (Meiji 6)",
        "M6.1.1",
    ),
    (
        date!(1912 - 07 - 29),
        "明治45年7月29日",
        "29 July 1912 (Meiji 45)",
        "M45.7.29",
    ),
    (
        date!(1912 - 07 - 30),
        "大正元年7月30日",
        "30 July 1912 (Taisho 1)",
        "T1.7.30",
    ),
    (
        date!(1926 - 12 - 24),
        "大正15年12月24日",
        "24 December 1926 (Taisho 15)",
        "T15.12.24",
    ),
    (
        date!(1926 - 12 - 25),
        "昭和元年12月25日",
        "25 December 1926 (Showa 1)",
        "S1.12.25",
    ),
    (
        date!(1989 - 01 - 07),
        "昭和64年1月7日",
        "7 January 1989 (Showa 64)",
        "S64.1.7",
    ),
    (
        date!(1989 - 01 - 08),
        "平成元年1月8日",
        "8 January 1989 (Heisei 1)",
        "H1.1.8",
    ),
    (
        date!(2019 - 04 - 30),
        "平成31年4月30日",
        "30 April 2019 (Heisei 31)",
        "H31.4.30",
    ),
    (
        date!(2019 - 05 - 01),
        "令和元年5月1日",
        "1 May 2019 (Reiwa 1)",
        "R1.5.1",
    ),
];

#[test]
fn eras_are_in_order_and_end_where_the_next_begins() {
    let initials: String = ERAS.iter().map(|e| e.initial).collect();
    assert_eq!(initials, "MTSHR");
    for pair in ERAS.windows(2) {
        assert!(pair[0].first_day < pair[1].first_day);
        assert_eq!(
            pair[0].last_day().and_then(Date::next_day),
            Some(pair[1].first_day)
        );
    }
    assert_eq!(ERAS[4].last_day(), None);
    assert_eq!(ERAS[3].last_day(), Some(date!(2019 - 04 - 30)));
}

#[test]
fn era_of_every_boundary() {
    let expected = [
        (date!(1873 - 01 - 01), "明治", 6),
        (date!(1912 - 07 - 29), "明治", 45),
        (date!(1912 - 07 - 30), "大正", 1),
        (date!(1926 - 12 - 24), "大正", 15),
        (date!(1926 - 12 - 25), "昭和", 1),
        (date!(1989 - 01 - 07), "昭和", 64),
        (date!(1989 - 01 - 08), "平成", 1),
        (date!(2019 - 04 - 30), "平成", 31),
        (date!(2019 - 05 - 01), "令和", 1),
        (date!(2026 - 03 - 18), "令和", 8),
    ];
    for (date, name, year) in expected {
        let (era, n) = era_of(date).unwrap();
        assert_eq!((era.name_ja, n), (name, year), "{date}");
    }
    assert_eq!(era_of(date!(1872 - 12 - 31)), None);
}

#[test]
fn formats_every_boundary_in_japanese_and_english() {
    for (date, ja_form, en_form, _) in BOUNDARIES {
        assert_eq!(ja(date), ja_form);
        assert_eq!(en(date), en_form);
    }
}

#[test]
fn parses_every_boundary_in_name_and_initial_forms() {
    for (date, ja_form, _, initial_form) in BOUNDARIES {
        assert_eq!(parse(ja_form), date, "{ja_form}");
        assert_eq!(parse(initial_form), date, "{initial_form}");
        assert_eq!(parse(&initial_form.to_lowercase()), date, "{initial_form}");
    }
}

#[test]
fn first_year_is_gannen_in_japanese_and_1_in_english() {
    assert_eq!(ja(date!(2019 - 12 - 31)), "令和元年12月31日");
    assert_eq!(ja(date!(2020 - 01 - 01)), "令和2年1月1日");
    assert_eq!(en(date!(2019 - 12 - 31)), "31 December 2019 (Reiwa 1)");
    assert_eq!(ja(date!(1989 - 12 - 31)), "平成元年12月31日");
}

#[test]
fn formats_all_four_combinations() {
    let d = date!(2026 - 03 - 18);
    assert_eq!(
        format_date(d, DateStyle::Wareki, Lang::Ja),
        "令和8年3月18日"
    );
    assert_eq!(
        format_date(d, DateStyle::Gregorian, Lang::Ja),
        "2026年3月18日"
    );
    assert_eq!(
        format_date(d, DateStyle::Wareki, Lang::En),
        "18 March 2026 (Reiwa 8)"
    );
    assert_eq!(
        format_date(d, DateStyle::Gregorian, Lang::En),
        "18 March 2026"
    );
    assert_eq!(DateStyle::default(), DateStyle::Wareki);
}

#[test]
fn english_month_names() {
    let names: Vec<String> = (1..=12)
        .map(|m| {
            let month = Month::try_from(m).unwrap();
            let date = Date::from_calendar_date(2026, month, 1).unwrap();
            format_date(date, DateStyle::Gregorian, Lang::En)
        })
        .collect();
    assert_eq!(names[0], "1 January 2026");
    assert_eq!(names[4], "1 May 2026");
    assert_eq!(names[8], "1 September 2026");
    assert_eq!(names[11], "1 December 2026");
}

#[test]
fn dates_before_earliest_fall_back_to_gregorian() {
    let d = date!(1872 - 12 - 31);
    assert_eq!(
        format_date(d, DateStyle::Wareki, Lang::Ja),
        "1872年12月31日"
    );
    assert_eq!(
        format_date(d, DateStyle::Wareki, Lang::En),
        "31 December 1872"
    );
    assert_eq!(
        format_date(d, DateStyle::Gregorian, Lang::Ja),
        "1872年12月31日"
    );
}

#[test]
fn datetime_is_shown_in_japan_time() {
    let at = datetime!(2026-03-17 15:30 UTC);
    assert_eq!(
        format_datetime(at, DateStyle::Wareki, Lang::Ja),
        "令和8年3月18日 00:30"
    );
    assert_eq!(
        format_datetime(at, DateStyle::Gregorian, Lang::Ja),
        "2026年3月18日 00:30"
    );
    assert_eq!(
        format_datetime(at, DateStyle::Wareki, Lang::En),
        "18 March 2026 (Reiwa 8) 00:30"
    );
    let afternoon = datetime!(2026-03-18 05:05 UTC);
    assert_eq!(
        format_datetime(afternoon, DateStyle::Wareki, Lang::Ja),
        "令和8年3月18日 14:05"
    );
    // The same instant given in another offset is shown the same way.
    let in_new_york = datetime!(2026-03-17 11:30 -4);
    assert_eq!(
        format_datetime(in_new_york, DateStyle::Gregorian, Lang::En),
        "18 March 2026 00:30"
    );
    // Crossing an era boundary in Japan time: 2019-04-30 15:00 UTC is 令和 in Japan.
    let new_era = datetime!(2019-04-30 15:00 UTC);
    assert_eq!(
        format_datetime(new_era, DateStyle::Wareki, Lang::Ja),
        "令和元年5月1日 00:00"
    );
}

#[test]
fn datetime_at_the_end_of_time_does_not_panic() {
    let at = datetime!(9999-12-31 23:59 UTC);
    assert_eq!(
        format_datetime(at, DateStyle::Gregorian, Lang::Ja),
        "9999年12月31日 23:59"
    );
}

#[test]
fn parses_gregorian_forms() {
    let d = date!(2026 - 03 - 18);
    for input in [
        "2026-03-18",
        "2026/3/18",
        "2026.3.18",
        "2026/03/18",
        "2026年3月18日",
        "2026年 3月18日",
        "2026 年 3 月 18 日",
        "20260318",
        "  2026-03-18  ",
        "\u{3000}2026-03-18\u{3000}",
    ] {
        assert_eq!(parse(input), d, "{input:?}");
    }
    assert_eq!(parse("2026-3-8"), date!(2026 - 03 - 08));
}

#[test]
fn parses_era_name_forms() {
    let d = date!(2026 - 03 - 18);
    for input in [
        "令和8年3月18日",
        "令和 8年 3月18日",
        "令和08年03月18日",
        "令和8.3.18",
    ] {
        assert_eq!(parse(input), d, "{input:?}");
    }
    assert_eq!(parse("令和元年5月1日"), date!(2019 - 05 - 01));
    assert_eq!(parse("平成元年1月8日"), date!(1989 - 01 - 08));
    assert_eq!(parse("昭和50年10月10日"), date!(1975 - 10 - 10));
    assert_eq!(parse("大正10年4月1日"), date!(1921 - 04 - 01));
    assert_eq!(parse("明治30年2月3日"), date!(1897 - 02 - 03));
}

#[test]
fn parses_era_initial_forms() {
    let d = date!(2026 - 03 - 18);
    for input in ["R8.3.18", "r8/3/18", "R8-3-18", "R08.03.18", "R 8.3.18"] {
        assert_eq!(parse(input), d, "{input:?}");
    }
    assert_eq!(parse("H31.4.30"), date!(2019 - 04 - 30));
    assert_eq!(parse("S64.1.7"), date!(1989 - 01 - 07));
    assert_eq!(parse("R元.5.1"), date!(2019 - 05 - 01));
    assert_eq!(parse("t2.1.1"), date!(1913 - 01 - 01));
    assert_eq!(parse("m6.1.1"), date!(1873 - 01 - 01));
}

#[test]
fn parses_full_width_forms() {
    let d = date!(2026 - 03 - 18);
    for input in [
        "２０２６／３／１８",
        "２０２６－０３－１８",
        "２０２６．３．１８",
        "２０２６０３１８",
        "２０２６年３月１８日",
        "令和８年３月１８日",
        "Ｒ８．３．１８",
        "ｒ８／３／１８",
        "\u{3000}令和８年\u{3000}３月１８日\u{3000}",
        "２０２６ー３ー１８",
    ] {
        assert_eq!(parse(input), d, "{input:?}");
    }
}

#[test]
fn parses_square_era_symbols() {
    assert_eq!(parse("㋿8年3月18日"), date!(2026 - 03 - 18));
    assert_eq!(parse("㍻31年4月30日"), date!(2019 - 04 - 30));
    assert_eq!(parse("㍼64年1月7日"), date!(1989 - 01 - 07));
}

#[test]
fn refuses_empty_input() {
    for input in ["", "   ", "\u{3000}", " \t\u{3000} "] {
        assert_eq!(
            parse_date_input(input),
            Err(DateInputError::Empty),
            "{input:?}"
        );
    }
}

#[test]
fn refuses_unrecognised_input() {
    for input in [
        "tomorrow",
        "2026-13",
        "R8.3",
        "2026-03",
        "2026/03-18",
        "R8.3/18",
        "26/3/18",
        "2026-003-18",
        "2026 03 18",
        "2026031",
        "202603180",
        "令和8年3月",
        "令和8年3月18",
        "令和元年",
        "令8.3.18",
        "X8.3.18",
        "2026-03-18T10:00",
        "18 March 2026",
        "元.5.1",
        "2026年3月18日です",
        "令和令和8年3月18日",
    ] {
        assert_eq!(
            parse_date_input(input),
            Err(DateInputError::Unrecognised),
            "{input:?}"
        );
    }
}

#[test]
fn refuses_era_year_zero() {
    for input in ["令和0年5月1日", "R0.5.1", "平成00年1月8日"] {
        assert_eq!(
            parse_date_input(input),
            Err(DateInputError::Unrecognised),
            "{input:?}"
        );
    }
}

#[test]
fn refuses_years_after_9999_and_long_input() {
    assert_eq!(parse("9999-12-31"), date!(9999 - 12 - 31));
    assert_eq!(parse("R7981.12.31"), date!(9999 - 12 - 31));
    for input in ["10000-01-01", "100000101", "10000年1月1日", "R7982.1.1"] {
        assert_eq!(
            parse_date_input(input),
            Err(DateInputError::Unrecognised),
            "{input:?}"
        );
    }
    // 64 characters after trimming are read; 65 are not.
    let fits = format!("2026{}-03-18", " ".repeat(MAX_INPUT_CHARS - 10));
    assert_eq!(fits.chars().count(), MAX_INPUT_CHARS);
    assert_eq!(parse(&fits), date!(2026 - 03 - 18));
    let too_long = format!("2026{}-03-18", " ".repeat(MAX_INPUT_CHARS - 9));
    assert_eq!(
        parse_date_input(&too_long),
        Err(DateInputError::Unrecognised)
    );
    assert_eq!(
        parse_date_input(&"1".repeat(10_000)),
        Err(DateInputError::Unrecognised)
    );
}

#[test]
fn refuses_days_the_month_does_not_have() {
    assert_eq!(
        parse_date_input("2026-02-30"),
        Err(no_such_day("2026", 2, 30))
    );
    assert_eq!(
        parse_date_input("2026-04-31"),
        Err(no_such_day("2026", 4, 31))
    );
    assert_eq!(
        parse_date_input("2025-02-29"),
        Err(no_such_day("2025", 2, 29))
    );
    assert_eq!(
        parse_date_input("2026-03-00"),
        Err(no_such_day("2026", 3, 0))
    );
    assert_eq!(
        parse_date_input("2026年1月32日"),
        Err(no_such_day("2026", 1, 32))
    );
    assert_eq!(
        parse_date_input("20260230"),
        Err(no_such_day("2026", 2, 30))
    );
    assert_eq!(
        parse_date_input("令和8年2月30日"),
        Err(no_such_day("令和8", 2, 30))
    );
    assert_eq!(
        parse_date_input("R元.2.30"),
        Err(no_such_day("令和元", 2, 30))
    );
}

#[test]
fn refuses_months_outside_1_to_12() {
    assert_eq!(
        parse_date_input("2026-13-01"),
        Err(DateInputError::NoSuchMonth { month: 13 })
    );
    assert_eq!(
        parse_date_input("2026-00-01"),
        Err(DateInputError::NoSuchMonth { month: 0 })
    );
    assert_eq!(
        parse_date_input("令和8年13月1日"),
        Err(DateInputError::NoSuchMonth { month: 13 })
    );
}

#[test]
fn leap_years() {
    assert_eq!(parse("2024-02-29"), date!(2024 - 02 - 29));
    assert_eq!(parse("2000-02-29"), date!(2000 - 02 - 29));
    assert_eq!(parse("令和6年2月29日"), date!(2024 - 02 - 29));
    assert_eq!(parse("H12.2.29"), date!(2000 - 02 - 29));
    assert_eq!(
        parse_date_input("2100-02-29"),
        Err(no_such_day("2100", 2, 29))
    );
    assert_eq!(
        parse_date_input("1900-02-29"),
        Err(no_such_day("1900", 2, 29))
    );
    assert_eq!(
        parse_date_input("令和7年2月29日"),
        Err(no_such_day("令和7", 2, 29))
    );
}

#[test]
fn refuses_era_dates_before_the_era_began() {
    let reiwa = before("令和", date!(2019 - 05 - 01));
    assert_eq!(parse_date_input("令和元年4月30日"), Err(reiwa.clone()));
    assert_eq!(parse_date_input("R1.4.30"), Err(reiwa.clone()));
    assert_eq!(parse_date_input("R元.1.1"), Err(reiwa));
    let heisei = before("平成", date!(1989 - 01 - 08));
    assert_eq!(parse_date_input("平成元年1月7日"), Err(heisei.clone()));
    assert_eq!(parse_date_input("H1.1.7"), Err(heisei));
    assert_eq!(
        parse_date_input("昭和元年12月24日"),
        Err(before("昭和", date!(1926 - 12 - 25)))
    );
    assert_eq!(
        parse_date_input("大正元年7月29日"),
        Err(before("大正", date!(1912 - 07 - 30)))
    );
}

#[test]
fn refuses_era_dates_after_the_era_ended() {
    let heisei = after("平成", date!(2019 - 04 - 30));
    assert_eq!(parse_date_input("平成31年5月1日"), Err(heisei.clone()));
    assert_eq!(parse_date_input("H31.5.1"), Err(heisei.clone()));
    assert_eq!(parse_date_input("平成32年1月1日"), Err(heisei.clone()));
    assert_eq!(parse_date_input("平成100年1月1日"), Err(heisei));
    let showa = after("昭和", date!(1989 - 01 - 07));
    assert_eq!(parse_date_input("昭和64年1月8日"), Err(showa.clone()));
    assert_eq!(parse_date_input("S65.1.1"), Err(showa));
    let taisho = after("大正", date!(1926 - 12 - 24));
    assert_eq!(parse_date_input("大正16年"), Err(taisho.clone()));
    assert_eq!(parse_date_input("大正16年1月1日"), Err(taisho.clone()));
    assert_eq!(parse_date_input("大正15年12月25日"), Err(taisho));
    assert_eq!(
        parse_date_input("明治45年7月30日"),
        Err(after("明治", date!(1912 - 07 - 29)))
    );
}

#[test]
fn refuses_dates_before_earliest() {
    for input in [
        "1872-12-31",
        "18721231",
        "1000年1月1日",
        "0000-01-01",
        "明治5年12月2日",
        "明治5年12月31日",
        "M5.12.31",
        "明治元年10月23日",
        "明治5年",
    ] {
        assert_eq!(
            parse_date_input(input),
            Err(DateInputError::TooEarly),
            "{input:?}"
        );
    }
    assert_eq!(parse("1873-01-01"), EARLIEST);
    assert_eq!(parse("明治6年1月1日"), EARLIEST);
}

#[test]
fn message_keys_are_distinct_and_params_are_named() {
    let errors = [
        DateInputError::Empty,
        DateInputError::Unrecognised,
        DateInputError::NoSuchMonth { month: 13 },
        no_such_day("2026", 2, 30),
        before("令和", date!(2019 - 05 - 01)),
        after("平成", date!(2019 - 04 - 30)),
        DateInputError::TooEarly,
    ];
    let keys: Vec<&str> = errors.iter().map(DateInputError::message_key).collect();
    assert_eq!(
        keys,
        [
            "date.error.empty",
            "date.error.unrecognised",
            "date.error.no_such_month",
            "date.error.no_such_day",
            "date.error.before_era",
            "date.error.after_era",
            "date.error.too_early",
        ]
    );
    assert!(errors[0].params().is_empty());
    assert!(errors[1].params().is_empty());
    assert_eq!(errors[2].params(), [("month", "13".to_owned())]);
    assert_eq!(
        errors[3].params(),
        [
            ("year", "2026".to_owned()),
            ("month", "2".to_owned()),
            ("day", "30".to_owned()),
        ]
    );
    assert_eq!(
        errors[4].params(),
        [
            ("era", "令和".to_owned()),
            ("first", "2019-05-01".to_owned())
        ]
    );
    assert_eq!(
        errors[5].params(),
        [
            ("era", "平成".to_owned()),
            ("last", "2019-04-30".to_owned())
        ]
    );
    assert_eq!(errors[6].params(), [("earliest", "1873-01-01".to_owned())]);
    assert_eq!(errors[4].to_string(), "the 令和 era began on 2019-05-01");
    assert_eq!(
        errors[6].to_string(),
        "dates before 1873-01-01 are not supported"
    );
}

#[test]
fn every_day_round_trips_through_both_japanese_styles() {
    let mut date = EARLIEST;
    let last = date!(2100 - 12 - 31);
    let mut days = 0;
    while date <= last {
        let wareki = format_date(date, DateStyle::Wareki, Lang::Ja);
        assert_eq!(parse_date_input(&wareki), Ok(date), "{wareki}");
        let gregorian = format_date(date, DateStyle::Gregorian, Lang::Ja);
        assert_eq!(parse_date_input(&gregorian), Ok(date), "{gregorian}");
        days += 1;
        date = date.next_day().unwrap();
    }
    assert_eq!(days, 83_275);
}

#[test]
fn a_typed_date_keeps_whether_it_was_written_with_an_era() {
    for (input, written) in [
        ("平成31年4月1日", Written::Era),
        ("H31.4.1", Written::Era),
        ("㍻31年4月1日", Written::Era),
        ("2019-04-01", Written::Western),
        ("２０１９年４月１日", Written::Western),
        ("20190401", Written::Western),
    ] {
        let typed = parse_typed_date(input).unwrap();
        assert_eq!(typed.date, time::macros::date!(2019 - 04 - 01), "{input}");
        assert_eq!(typed.written, written, "{input}");
    }
    assert_eq!(parse_typed_date("R8"), Err(DateInputError::Unrecognised));
}
