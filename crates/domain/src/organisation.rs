//! The organisation register (clause 6(1)): bodies (the information security committee,
//! the CSIRT, the secretariat's sections), the posts in them, and who held each post from
//! when to when, with a deputy (代理者). A post with a role code ([`OrgRole`]) carries the
//! grants of that role on the days it is held; a post the assembly adds only says whom to
//! call. Terms are never deleted: "who was CISO on 令和8年5月1日" stays answerable.

use serde::Serialize;
use time::Date;

use crate::field::FieldProblem;
use crate::risk_input::{date_field, line_field};

/// Longest name of a body or post, or note on a term.
pub const NAME_MAX: usize = 100;
/// Longest note on a term ("4月1日付人事異動").
pub const NOTE_MAX: usize = 300;
/// Longest phone number or extension as written ("0267-62-2111（内線 1234）").
pub const PHONE_MAX: usize = 40;

/// What kind of body a post belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    /// 情報セキュリティ委員会
    Committee,
    /// CSIRT (情報セキュリティインシデント対応チーム)
    Csirt,
    /// A section of the secretariat (議会事務局 › 議事係…).
    Section,
    Other,
}

impl BodyKind {
    pub const ALL: [BodyKind; 4] = [
        BodyKind::Committee,
        BodyKind::Csirt,
        BodyKind::Section,
        BodyKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BodyKind::Committee => "committee",
            BodyKind::Csirt => "csirt",
            BodyKind::Section => "section",
            BodyKind::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Option<BodyKind> {
        BodyKind::ALL.into_iter().find(|k| k.as_str() == value)
    }
}

/// A term as typed: who, from when, until when (blank: still held), the deputy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TermForm {
    pub holder_id: Option<i64>,
    pub deputy_id: Option<i64>,
    pub starts_on: String,
    pub ends_on: String,
    pub note: String,
}

/// A term that reads, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermInput {
    pub holder_id: i64,
    pub deputy_id: Option<i64>,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub note: String,
}

/// A term already on record, as far as the overlap rule needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldTerm {
    pub id: i64,
    pub holder_id: i64,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
}

impl HeldTerm {
    /// Whether it is in force on `day` (both ends inclusive).
    pub fn covers(&self, day: Date) -> bool {
        self.starts_on <= day && self.ends_on.is_none_or(|end| day <= end)
    }

    fn overlaps(&self, starts_on: Date, ends_on: Option<Date>) -> bool {
        let before_other_ends = ends_on.is_none_or(|end| self.starts_on <= end);
        let after_other_starts = self.ends_on.is_none_or(|end| starts_on <= end);
        before_other_ends && after_other_starts
    }
}

/// Reads a term and checks it against the post's other terms (`others`, without the
/// term being changed): a post held by one person at a time (CISO, …) cannot have two
/// holders on one day, and nobody holds one post twice on one day.
pub fn check_term(
    form: &TermForm,
    single_holder: bool,
    others: &[HeldTerm],
) -> Result<TermInput, Vec<FieldProblem>> {
    let mut list = Vec::new();
    let holder_id = form.holder_id;
    if holder_id.is_none() {
        list.push(FieldProblem::new(
            "post_holder",
            "organisation.error.no_holder",
        ));
    }
    let starts_on = date_field("starts_on", &form.starts_on, true, &mut list);
    let ends_on = date_field("ends_on", &form.ends_on, false, &mut list);
    let note = line_field("note", &form.note, NOTE_MAX, false, &mut list);
    if let (Some(start), Some(end)) = (starts_on, ends_on)
        && end < start
    {
        list.push(FieldProblem::new(
            "ends_on",
            "organisation.error.ends_before_start",
        ));
    }
    if form.deputy_id.is_some() && form.deputy_id == holder_id {
        list.push(FieldProblem::new(
            "post_deputy",
            "organisation.error.deputy_is_holder",
        ));
    }
    if let (Some(holder), Some(start)) = (holder_id, starts_on)
        && list.is_empty()
    {
        let clash = others
            .iter()
            .filter(|t| single_holder || t.holder_id == holder)
            .find(|t| t.overlaps(start, ends_on));
        if let Some(t) = clash {
            let key = if t.holder_id == holder {
                "organisation.error.held_already"
            } else {
                "organisation.error.single_holder"
            };
            list.push(FieldProblem::new("starts_on", key).with("term", t.id));
        }
    }
    if !list.is_empty() {
        return Err(list);
    }
    Ok(TermInput {
        holder_id: holder_id.unwrap_or_default(),
        deputy_id: form.deputy_id,
        starts_on: starts_on.unwrap_or(time::Date::MIN),
        ends_on,
        note,
    })
}

/// Reads the last day of a term being ended: not before it began.
pub fn check_end(starts_on: Date, ends_on: &str) -> Result<Date, Vec<FieldProblem>> {
    let mut list = Vec::new();
    let end = date_field("ends_on", ends_on, true, &mut list);
    match end {
        Some(end) if end < starts_on => Err(vec![FieldProblem::new(
            "ends_on",
            "organisation.error.ends_before_start",
        )]),
        Some(end) => Ok(end),
        None => Err(list),
    }
}

/// How to reach a person, as typed; each kept as written (numbers are written many ways).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactForm {
    pub phone: String,
    pub extension: String,
    pub mobile: String,
    /// The day service began (for a member, the start of the term of office).
    pub starts_on: String,
}

/// Contact details that read; empty fields are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub phone: Option<String>,
    pub extension: Option<String>,
    pub mobile: Option<String>,
}

/// Reads contact details and the start date.
pub fn check_contact(form: &ContactForm) -> Result<(Contact, Date), Vec<FieldProblem>> {
    let mut list = Vec::new();
    let phone = |field: &'static str, text: &str, list: &mut Vec<FieldProblem>| {
        let value = line_field(field, text, PHONE_MAX, false, list);
        if value
            .chars()
            .any(|c| !(c.is_ascii_digit() || "0123456789-‐－ー()（）+＋ 　内線#＃".contains(c)))
        {
            list.push(FieldProblem::new(field, "organisation.error.phone"));
        }
        (!value.is_empty()).then_some(value)
    };
    let contact = Contact {
        phone: phone("phone", &form.phone, &mut list),
        extension: phone("extension", &form.extension, &mut list),
        mobile: phone("mobile", &form.mobile, &mut list),
    };
    let starts_on = date_field("starts_on", &form.starts_on, true, &mut list);
    match starts_on {
        Some(day) if list.is_empty() => Ok((contact, day)),
        _ => Err(list),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn term(id: i64, holder_id: i64, starts_on: Date, ends_on: Option<Date>) -> HeldTerm {
        HeldTerm {
            id,
            holder_id,
            starts_on,
            ends_on,
        }
    }

    fn form(holder: i64, starts: &str, ends: &str) -> TermForm {
        TermForm {
            holder_id: Some(holder),
            starts_on: starts.into(),
            ends_on: ends.into(),
            ..TermForm::default()
        }
    }

    #[test]
    fn a_term_reads_dates_in_wareki_and_ends_inclusive() {
        let t = check_term(&form(1, "令和8年4月1日", "2027-03-31"), true, &[]).unwrap();
        assert_eq!(t.starts_on, date!(2026 - 04 - 01));
        assert_eq!(t.ends_on, Some(date!(2027 - 03 - 31)));
        let held = term(9, 1, t.starts_on, t.ends_on);
        assert!(held.covers(date!(2027 - 03 - 31)));
        assert!(!held.covers(date!(2027 - 04 - 01)));
    }

    #[test]
    fn one_holder_posts_refuse_a_second_holder_on_the_same_day_only() {
        let ciso = [term(
            3,
            1,
            date!(2025 - 05 - 01),
            Some(date!(2026 - 04 - 30)),
        )];
        let clash = check_term(&form(2, "2026-04-30", ""), true, &ciso).unwrap_err();
        assert_eq!(clash[0].key, "organisation.error.single_holder");
        assert!(check_term(&form(2, "2026-05-01", ""), true, &ciso).is_ok());
        // Committee members are many at once, but not the same person twice.
        assert!(check_term(&form(2, "2026-04-01", ""), false, &ciso).is_ok());
        let twice = check_term(&form(1, "2026-01-01", "2026-01-31"), false, &ciso).unwrap_err();
        assert_eq!(twice[0].key, "organisation.error.held_already");
    }

    #[test]
    fn bad_terms_name_their_fields() {
        let mut bad = form(1, "2026-05-01", "2026-04-30");
        bad.deputy_id = Some(1);
        let problems = check_term(&bad, false, &[]).unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["ends_on", "post_deputy"]);
        let none = TermForm::default();
        let fields: Vec<_> = check_term(&none, false, &[])
            .unwrap_err()
            .iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["post_holder", "starts_on"]);
        assert!(check_end(date!(2026 - 05 - 01), "2026-04-30").is_err());
        assert_eq!(
            check_end(date!(2026 - 05 - 01), "令和8年5月1日").unwrap(),
            date!(2026 - 05 - 01)
        );
    }

    #[test]
    fn contacts_are_kept_as_written_and_letters_are_refused() {
        let (c, day) = check_contact(&ContactForm {
            phone: "0267-62-2111".into(),
            extension: "内線 1234".into(),
            mobile: "".into(),
            starts_on: "令和7年5月1日".into(),
        })
        .unwrap();
        assert_eq!(c.extension.as_deref(), Some("内線 1234"));
        assert_eq!(c.mobile, None);
        assert_eq!(day, date!(2025 - 05 - 01));
        let bad = check_contact(&ContactForm {
            phone: "call me".into(),
            starts_on: "2025-05-01".into(),
            ..ContactForm::default()
        })
        .unwrap_err();
        assert_eq!(bad[0].key, "organisation.error.phone");
    }
}
