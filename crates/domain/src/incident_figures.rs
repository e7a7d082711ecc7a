//! The year's incident figures for the annual report (issue 18 item 8): how many by
//! family of clause 3, by severity and by stage, how soon the handlers first acted on a
//! report, and how long incidents took from being noticed to being closed.

use time::OffsetDateTime;

use crate::incident::{Personal, Stage};
use crate::risk::ThreatFamily;

/// What the figures read of one incident.
#[derive(Debug, Clone)]
pub struct Handled {
    pub family: Option<ThreatFamily>,
    pub severity: Option<String>,
    pub stage: Stage,
    pub personal: Personal,
    pub people: Option<i64>,
    pub noticed_at: OffsetDateTime,
    pub reported_at: OffsetDateTime,
    /// The first thing a handler recorded after the report (a stage, a note, triage).
    pub first_response_at: Option<OffsetDateTime>,
    pub closed_at: Option<OffsetDateTime>,
}

/// Durations in hours: how many were measured, the median and the longest.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Durations {
    pub count: usize,
    pub median_hours: Option<f64>,
    pub longest_hours: Option<f64>,
}

impl Durations {
    fn of(mut hours: Vec<f64>) -> Durations {
        hours.sort_by(f64::total_cmp);
        let count = hours.len();
        let median_hours = match count {
            0 => None,
            n if n % 2 == 1 => Some(hours[n / 2]),
            n => Some((hours[n / 2 - 1] + hours[n / 2]) / 2.0),
        };
        Durations {
            count,
            median_hours,
            longest_hours: hours.last().copied(),
        }
    }
}

/// A year's figures. Every family, severity and stage is listed, with zero where none.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub total: usize,
    /// Each family of clause 3, then None: not yet categorised.
    pub by_family: Vec<(Option<ThreatFamily>, usize)>,
    /// Each severity code in the given order, then None: not yet assessed.
    pub by_severity: Vec<(Option<String>, usize)>,
    pub by_stage: Vec<(Stage, usize)>,
    /// Incidents where personal information is or may be involved, and the people.
    pub personal: usize,
    pub people: i64,
    /// From the report to the handlers' first action.
    pub first_response: Durations,
    /// From being noticed to being closed (closed incidents only).
    pub to_close: Durations,
}

fn hours(from: OffsetDateTime, to: OffsetDateTime) -> f64 {
    ((to - from).whole_seconds().max(0) as f64) / 3600.0
}

/// The figures of `rows`, with the severity levels as data (lowest first).
pub fn figures(rows: &[Handled], severities: &[String]) -> Figures {
    let count = |pick: &dyn Fn(&Handled) -> bool| rows.iter().filter(|r| pick(r)).count();
    let families = ThreatFamily::ALL.into_iter().map(Some).chain([None]);
    let levels = severities.iter().cloned().map(Some).chain([None]);
    Figures {
        total: rows.len(),
        by_family: families
            .map(|f| (f, count(&|r: &Handled| r.family == f)))
            .collect(),
        by_severity: levels
            .map(|s| {
                let n = count(&|r: &Handled| r.severity == s);
                (s, n)
            })
            .collect(),
        by_stage: Stage::ALL
            .iter()
            .map(|&s| (s, count(&|r: &Handled| r.stage == s)))
            .collect(),
        personal: count(&|r: &Handled| r.personal != Personal::No),
        people: rows
            .iter()
            .filter(|r| r.personal != Personal::No)
            .filter_map(|r| r.people)
            .sum(),
        first_response: Durations::of(
            rows.iter()
                .filter_map(|r| r.first_response_at.map(|at| hours(r.reported_at, at)))
                .collect(),
        ),
        to_close: Durations::of(
            rows.iter()
                .filter(|r| r.stage == Stage::Closed)
                .filter_map(|r| r.closed_at.map(|at| hours(r.noticed_at, at)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn handled(family: Option<ThreatFamily>, severity: Option<&str>, stage: Stage) -> Handled {
        Handled {
            family,
            severity: severity.map(str::to_owned),
            stage,
            personal: Personal::No,
            people: None,
            noticed_at: datetime!(2026-05-01 09:00 UTC),
            reported_at: datetime!(2026-05-01 10:00 UTC),
            first_response_at: None,
            closed_at: None,
        }
    }

    #[test]
    fn counts_every_family_severity_and_stage_with_zeros() {
        let levels = ["low".to_owned(), "high".to_owned()];
        let mut lost = handled(
            Some(ThreatFamily::Unintentional),
            Some("high"),
            Stage::Closed,
        );
        lost.personal = Personal::Yes;
        lost.people = Some(120);
        lost.first_response_at = Some(datetime!(2026-05-01 10:30 UTC));
        lost.closed_at = Some(datetime!(2026-05-03 09:00 UTC));
        let mut open = handled(None, None, Stage::Investigation);
        open.personal = Personal::Unknown;
        open.first_response_at = Some(datetime!(2026-05-01 12:00 UTC));
        let f = figures(&[lost, open], &levels);
        assert_eq!(f.total, 2);
        assert_eq!(f.by_family.len(), 6);
        assert_eq!(f.by_family[1], (Some(ThreatFamily::Unintentional), 1));
        assert_eq!(f.by_family[5], (None, 1));
        assert_eq!(f.by_family[0].1, 0);
        assert_eq!(
            f.by_severity,
            vec![
                (Some("low".to_owned()), 0),
                (Some("high".to_owned()), 1),
                (None, 1)
            ]
        );
        assert_eq!(f.by_stage.len(), Stage::ALL.len());
        assert_eq!(f.personal, 2);
        assert_eq!(f.people, 120);
        // Half an hour and two hours: the median is their mean.
        assert_eq!(f.first_response.count, 2);
        assert_eq!(f.first_response.median_hours, Some(1.25));
        assert_eq!(f.first_response.longest_hours, Some(2.0));
        // Closed two days after it was noticed; the open one is not measured.
        assert_eq!(f.to_close.count, 1);
        assert_eq!(f.to_close.median_hours, Some(48.0));
    }

    #[test]
    fn an_empty_year_has_zeros_and_no_durations() {
        let f = figures(&[], &[]);
        assert_eq!(f.total, 0);
        assert_eq!(f.first_response, Durations::default());
        assert!(f.by_family.iter().all(|(_, n)| *n == 0));
    }
}
