//! Continuity (業務継続, issue 18 item 7; clauses 3 and 3(4)): the assembly's critical
//! services (重要業務) with their target recovery time (目標復旧時間) as people write it,
//! manual workarounds (代替手段), who covers whom (代替要員), and what a drill (訓練)
//! records. The form, the API and the command line read input through the checks here.

use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

use crate::field::FieldProblem;
use crate::risk_input::{line_field, long_field};
use crate::user::{OrgRole, Role, UserType};

pub const NAME_MAX: usize = 200;
pub const TEXT_MAX: usize = 4000;
/// A recovery time longer than this (90 days) is a typing mistake, not a target.
pub const RTO_MAX_HOURS: i64 = 24 * 90;
/// At most this many alternates per person or post covered.
pub const ALTERNATES_MAX: usize = 5;

/// Reads a target recovery time as people write it — "4時間", "1日", "３日以内", "半日",
/// "1週間", "2 hours", "1 day" — into hours. Full-width digits and spaces are read as
/// their ASCII forms; 以内・まで・程度 after the figure change nothing.
pub fn parse_rto(input: &str) -> Result<i64, FieldProblem> {
    let bad = || FieldProblem::new("rto", "continuity.error.rto");
    let text: String = input.nfkc().collect::<String>().trim().to_lowercase();
    if text.is_empty() {
        return Err(FieldProblem::new("rto", "field.error.required"));
    }
    let mut text = text.as_str();
    for tail in ["以内", "まで", "程度", "以下", "within"] {
        text = text.strip_suffix(tail).unwrap_or(text).trim();
    }
    let text = text.strip_prefix("within").unwrap_or(text).trim();
    if text == "半日" || text == "half a day" || text == "half day" {
        return Ok(12);
    }
    let digits_end = text
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit())
        .map_or(text.len(), |(i, _)| i);
    let (number, unit) = text.split_at(digits_end);
    let number: i64 = number.parse().map_err(|_| bad())?;
    let per_unit = match unit.trim() {
        "時間" | "h" | "hr" | "hrs" | "hour" | "hours" => 1,
        "日" | "d" | "day" | "days" => 24,
        "週間" | "週" | "w" | "week" | "weeks" => 24 * 7,
        _ => return Err(bad()),
    };
    let hours = number.checked_mul(per_unit).ok_or_else(bad)?;
    if hours < 1 {
        return Err(bad());
    }
    if hours > RTO_MAX_HOURS {
        return Err(FieldProblem::new("rto", "continuity.error.rto_too_long").with("max", 90));
    }
    Ok(hours)
}

/// Hours as a figure and unit for the page: whole days as days, else hours. Returns the
/// number and whether it counts days.
pub fn rto_parts(hours: i64) -> (i64, bool) {
    if hours >= 24 && hours % 24 == 0 {
        (hours / 24, true)
    } else {
        (hours, false)
    }
}

/// A critical service as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ServiceForm {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Its place in the order of recovery (1 first).
    pub priority: String,
    /// The target recovery time as written ("4時間", "1日").
    pub rto: String,
    /// The post responsible (an org_posts id), or blank.
    #[serde(default)]
    pub post_id: String,
    /// Manual workarounds, one per line.
    #[serde(default)]
    pub workarounds: String,
    /// Retired (no longer a critical service), for an edit.
    #[serde(default)]
    pub retired: bool,
}

/// A critical service that reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceInput {
    pub name: String,
    pub description: String,
    pub priority: i64,
    pub rto_hours: i64,
    pub post_id: Option<i64>,
    pub workarounds: Vec<String>,
    pub retired: bool,
}

impl ServiceForm {
    /// Every problem at once, or the service.
    pub fn check(&self) -> Result<ServiceInput, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let name = line_field("name", &self.name, NAME_MAX, true, &mut problems);
        let description = long_field(
            "description",
            &self.description,
            TEXT_MAX,
            false,
            &mut problems,
        );
        let priority = match self
            .priority
            .nfkc()
            .collect::<String>()
            .trim()
            .parse::<i64>()
        {
            Ok(p) if (1..=999).contains(&p) => p,
            _ => {
                problems.push(FieldProblem::new("priority", "continuity.error.priority"));
                0
            }
        };
        let rto_hours = parse_rto(&self.rto).unwrap_or_else(|p| {
            problems.push(p);
            0
        });
        let post_id = match self.post_id.trim() {
            "" => None,
            id => match id.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    problems.push(FieldProblem::new("post_id", "error.invalid_choice"));
                    None
                }
            },
        };
        let workarounds_text = long_field(
            "workarounds",
            &self.workarounds,
            TEXT_MAX,
            false,
            &mut problems,
        );
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(ServiceInput {
            name,
            description,
            priority,
            rto_hours,
            post_id,
            workarounds: lines(&workarounds_text),
            retired: self.retired,
        })
    }
}

/// A text area's lines, blank ones left out.
pub fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whom an entry of the roster covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Covered {
    Person(i64),
    Post(i64),
}

impl Covered {
    /// Reads `user:<id>` or `post:<id>`.
    pub fn parse(value: &str) -> Option<Covered> {
        let (kind, id) = value.trim().split_once(':')?;
        let id = id.parse().ok()?;
        match kind {
            "user" => Some(Covered::Person(id)),
            "post" => Some(Covered::Post(id)),
            _ => None,
        }
    }

    pub fn code(self) -> String {
        match self {
            Covered::Person(id) => format!("user:{id}"),
            Covered::Post(id) => format!("post:{id}"),
        }
    }
}

/// An entry of the roster as checked: whom it covers, optionally for one service, and
/// the alternates in order (user ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverInput {
    pub covered: Covered,
    pub service_id: Option<i64>,
    pub alternates: Vec<i64>,
    pub note: String,
}

/// Checks a roster entry: someone covered, one to five alternates, none twice, and no
/// one covering themselves.
pub fn check_cover(
    covered: &str,
    service: &str,
    alternates: &[Option<i64>],
    note: &str,
) -> Result<CoverInput, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let covered = Covered::parse(covered);
    if covered.is_none() {
        problems.push(FieldProblem::new("covered", "continuity.error.covered"));
    }
    let service_id = match service.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                problems.push(FieldProblem::new("service", "error.invalid_choice"));
                None
            }
        },
    };
    let chosen: Vec<i64> = alternates.iter().flatten().copied().collect();
    let mut unique = chosen.clone();
    unique.sort_unstable();
    unique.dedup();
    if chosen.is_empty() {
        problems.push(FieldProblem::new(
            "alternates",
            "continuity.error.no_alternate",
        ));
    } else if unique.len() != chosen.len() {
        problems.push(FieldProblem::new("alternates", "continuity.error.twice"));
    } else if chosen.len() > ALTERNATES_MAX {
        problems.push(
            FieldProblem::new("alternates", "continuity.error.too_many")
                .with("max", ALTERNATES_MAX),
        );
    }
    if let Some(Covered::Person(p)) = covered
        && chosen.contains(&p)
    {
        problems.push(FieldProblem::new("alternates", "continuity.error.self"));
    }
    let note = long_field("note", note, TEXT_MAX, false, &mut problems);
    match covered {
        Some(covered) if problems.is_empty() => Ok(CoverInput {
            covered,
            service_id,
            alternates: chosen,
            note,
        }),
        _ => Err(problems),
    }
}

/// What a roster shows a reader of an alternate or a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Warning {
    /// A critical service no roster entry covers.
    NoAlternate,
    /// An alternate is the person covered, or holds the post covered.
    SamePerson,
    /// An alternate's account is no longer in use.
    Inactive,
}

impl Warning {
    pub fn label_key(self) -> &'static str {
        match self {
            Warning::NoAlternate => "continuity.warning.no_alternate",
            Warning::SamePerson => "continuity.warning.same_person",
            Warning::Inactive => "continuity.warning.inactive",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Warning::NoAlternate => "no_alternate",
            Warning::SamePerson => "same_person",
            Warning::Inactive => "inactive",
        }
    }
}

/// The warnings of one alternate: `covering` are the people covered (the person, or the
/// post's holders today).
pub fn alternate_warnings(alternate: i64, active: bool, covering: &[i64]) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if covering.contains(&alternate) {
        warnings.push(Warning::SamePerson);
    }
    if !active {
        warnings.push(Warning::Inactive);
    }
    warnings
}

/// Who reads the continuity plan: the register's grant, and of the members only those
/// who hold a post it names (the 議長 as CISO) — the secretariat's staff must know the
/// workarounds, a member's tablet need not show the roster.
pub fn may_read(granted: bool, role: Role, user_type: UserType, posts: &[OrgRole]) -> bool {
    granted
        && (user_type != UserType::Member || role != Role::User || posts.contains(&OrgRole::Ciso))
}

/// A drill's record as typed: the scenario of the published plan, the services it
/// exercised, what went well and what did not.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DrillForm {
    #[serde(default)]
    pub scenario_id: Option<i64>,
    #[serde(default)]
    pub services: Vec<i64>,
    #[serde(default)]
    pub went_well: String,
    #[serde(default)]
    pub went_badly: String,
}

/// A drill's record that reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillInput {
    pub scenario_id: Option<i64>,
    pub services: Vec<i64>,
    pub went_well: String,
    pub went_badly: String,
}

impl DrillForm {
    /// `scenarios`, `services`: the ids one may choose from.
    pub fn check(
        &self,
        scenarios: &[i64],
        services: &[i64],
    ) -> Result<DrillInput, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        if self.scenario_id.is_some_and(|s| !scenarios.contains(&s)) {
            problems.push(FieldProblem::new("scenario_id", "error.invalid_choice"));
        }
        let mut chosen = self.services.clone();
        chosen.sort_unstable();
        chosen.dedup();
        if chosen.iter().any(|s| !services.contains(s)) {
            problems.push(FieldProblem::new("services", "error.invalid_choice"));
        }
        let went_well = long_field("went_well", &self.went_well, TEXT_MAX, false, &mut problems);
        let went_badly = long_field(
            "went_badly",
            &self.went_badly,
            TEXT_MAX,
            false,
            &mut problems,
        );
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(DrillInput {
            scenario_id: self.scenario_id,
            services: chosen,
            went_well,
            went_badly,
        })
    }
}

#[cfg(test)]
mod tests;
