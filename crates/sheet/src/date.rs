//! Excel serial dates to ISO 8601, by hand: pulling in chrono for one conversion is not
//! worth it, and Excel's calendar has a quirk that a general library would not model.

/// Serial of 9999-12-31, the last day Excel can show.
const LAST_SERIAL: i64 = 2_958_465;
/// Days from the 1900 system's epoch to the 1904 system's (1904-01-01 is serial 1462).
const EPOCH_1904_OFFSET: i64 = 1_462;

/// Converts an Excel serial date/time to "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS", or
/// "HH:MM:SS" for a time without a date (serial below 1). Seconds are rounded, since
/// Excel stores times as binary fractions of a day (13:00 is 0.54166…).
///
/// The 1900 system counts 1900-01-01 as 1 and, copying Lotus 1-2-3, has a fictitious
/// 1900-02-29 as 60; we return that date as Excel shows it, so a later date parser
/// rejects it rather than us shifting it silently. Out of range gives `None`.
pub(crate) fn excel_serial_to_iso(serial: f64, is_1904: bool) -> Option<String> {
    if !serial.is_finite() || serial < 0.0 {
        return None;
    }
    let mut days = serial.trunc() as i64;
    let mut secs = ((serial - serial.trunc()) * 86_400.0).round() as i64;
    if secs == 86_400 {
        days += 1;
        secs = 0;
    }
    let time = format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    if days == 0 {
        return Some(time);
    }
    let serial_1900 = if is_1904 {
        days + EPOCH_1904_OFFSET
    } else {
        days
    };
    let (y, m, d) = match serial_1900 {
        ..60 => civil_from_unix_days(serial_1900 - 25_568),
        60 => (1900, 2, 29),
        61..=LAST_SERIAL => civil_from_unix_days(serial_1900 - 25_569),
        _ => return None,
    };
    Some(if secs == 0 {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!("{y:04}-{m:02}-{d:02}T{time}")
    })
}

/// An Excel duration (`[h]:mm:ss` format) as hours:minutes:seconds, hours unbounded.
pub(crate) fn excel_duration(serial: f64) -> String {
    let secs = (serial * 86_400.0).round() as i64;
    let sign = if secs < 0 { "-" } else { "" };
    let secs = secs.abs();
    format!(
        "{sign}{}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (the era-based method
/// described by Howard Hinnant: 400-year eras of 146 097 days, years starting in March
/// so the leap day falls at the end).
fn civil_from_unix_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(serial: f64) -> String {
        excel_serial_to_iso(serial, false).unwrap()
    }

    #[test]
    fn known_serials_in_the_1900_system() {
        assert_eq!(iso(1.0), "1900-01-01");
        assert_eq!(iso(31.0), "1900-01-31");
        assert_eq!(iso(59.0), "1900-02-28");
        assert_eq!(iso(60.0), "1900-02-29"); // Excel's phantom day
        assert_eq!(iso(61.0), "1900-03-01");
        assert_eq!(iso(367.0), "1901-01-01");
        assert_eq!(iso(25_569.0), "1970-01-01");
        assert_eq!(iso(36_526.0), "2000-01-01");
        assert_eq!(iso(36_585.0), "2000-02-29");
        assert_eq!(iso(43_586.0), "2019-05-01"); // 令和元年
        assert_eq!(iso(45_000.0), "2023-03-15");
        assert_eq!(iso(46_022.0), "2025-12-31");
        assert_eq!(iso(2_958_465.0), "9999-12-31");
        assert_eq!(excel_serial_to_iso(2_958_466.0, false), None);
        assert_eq!(excel_serial_to_iso(-1.0, false), None);
        assert_eq!(excel_serial_to_iso(f64::NAN, false), None);
    }

    #[test]
    fn times_are_rounded_to_the_second() {
        assert_eq!(iso(45_000.5), "2023-03-15T12:00:00");
        assert_eq!(iso(45_000.0 + 13.0 / 24.0), "2023-03-15T13:00:00");
        assert_eq!(iso(45_000.999_999_9), "2023-03-16");
        assert_eq!(iso(0.75), "18:00:00");
        assert_eq!(iso(0.0), "00:00:00");
        assert_eq!(iso(45_000.0 + 86_399.0 / 86_400.0), "2023-03-15T23:59:59");
    }

    #[test]
    fn the_1904_system() {
        assert_eq!(excel_serial_to_iso(1.0, true).unwrap(), "1904-01-02");
        assert_eq!(excel_serial_to_iso(43_538.0, true).unwrap(), "2023-03-15");
    }

    #[test]
    fn durations() {
        assert_eq!(excel_duration(1.5), "36:00:00");
        assert_eq!(excel_duration(1.0 / 24.0 / 60.0), "0:01:00");
        assert_eq!(excel_duration(-0.25), "-6:00:00");
    }
}
