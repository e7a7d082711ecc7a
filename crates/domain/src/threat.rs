//! The threat catalogue's input check (clause 3): a threat as typed, and the rule that
//! no two threats of one family share a name. Pure: the catalogue is handed in.

use crate::field::FieldProblem;
use crate::risk::{ThreatFamily, check_threat_name};
use crate::search::normalise;
use crate::text::TextProblem;

/// Longest name of a threat, in characters.
pub const NAME_MAX: usize = 100;
/// Longest description of a threat, in characters (a line break counts as one).
pub const DESCRIPTION_MAX: usize = 2000;

/// A threat as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreatForm {
    pub family: String,
    pub name: String,
    pub description: String,
}

/// A threat as checked, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedThreat {
    pub family: ThreatFamily,
    pub name: String,
    pub description: String,
}

/// A threat of the catalogue as the name rule needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownThreat<'a> {
    pub id: i64,
    pub family: ThreatFamily,
    pub name: &'a str,
    pub retired: bool,
}

/// A description: several lines, at most [`DESCRIPTION_MAX`] characters once trimmed,
/// no control characters other than line breaks and tabs (a NUL would break exports,
/// and PostgreSQL refuses it). Browsers send line breaks as CRLF: stored as LF.
fn check_description(value: &str) -> Result<String, FieldProblem> {
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(FieldProblem::new(
            "description",
            "threat.error.control_chars_multiline",
        ));
    }
    let text = value.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    if text.chars().count() > DESCRIPTION_MAX {
        return Err(FieldProblem::text(
            "description",
            TextProblem::TooLong {
                max: DESCRIPTION_MAX,
            },
        ));
    }
    Ok(text.to_owned())
}

impl ThreatForm {
    /// Checks every field at once, so that each can show its own message.
    pub fn check(&self) -> Result<CheckedThreat, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let family = ThreatFamily::parse(self.family.trim());
        if family.is_none() {
            problems.push(FieldProblem::new("family", "threat.error.family"));
        }
        let name = check_threat_name(&self.name)
            .map_err(|p| problems.push(FieldProblem::text("name", p)))
            .ok();
        let description = check_description(&self.description)
            .map_err(|p| problems.push(p))
            .ok();
        match (family, name, description) {
            (Some(family), Some(name), Some(description)) if problems.is_empty() => {
                Ok(CheckedThreat {
                    family,
                    name,
                    description,
                })
            }
            _ => Err(problems),
        }
    }
}

/// Another threat of the same family already has this name (retired ones included:
/// bringing one back is better than a second with the same name).
pub fn name_taken(
    threats: &[KnownThreat],
    except: Option<i64>,
    checked: &CheckedThreat,
) -> Option<FieldProblem> {
    let wanted = normalise(&checked.name);
    let clash = threats.iter().find(|t| {
        Some(t.id) != except && t.family == checked.family && normalise(t.name) == wanted
    })?;
    Some(
        FieldProblem::new(
            "name",
            if clash.retired {
                "threat.error.duplicate_retired"
            } else {
                "threat.error.duplicate"
            },
        )
        .with("name", clash.name),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(family: &str, name: &str, description: &str) -> ThreatForm {
        ThreatForm {
            family: family.into(),
            name: name.into(),
            description: description.into(),
        }
    }

    #[test]
    fn a_threat_is_checked_field_by_field() {
        let checked = form("intentional", "　標的型メール ", "添付ファイル\r\nURL")
            .check()
            .unwrap();
        assert_eq!(checked.family, ThreatFamily::Intentional);
        assert_eq!(checked.name, "標的型メール");
        assert_eq!(checked.description, "添付ファイル\nURL");
        let problems = form("alien", " ", &"あ".repeat(DESCRIPTION_MAX + 1))
            .check()
            .unwrap_err();
        let found: Vec<(&str, &str)> = problems.iter().map(|p| (p.field, p.key)).collect();
        assert_eq!(
            found,
            vec![
                ("family", "threat.error.family"),
                ("name", "field.error.required"),
                ("description", "field.error.too_long"),
            ]
        );
        let problems = form("disaster", &"あ".repeat(NAME_MAX + 1), "a\u{0}b")
            .check()
            .unwrap_err();
        let found: Vec<(&str, &str)> = problems.iter().map(|p| (p.field, p.key)).collect();
        assert_eq!(
            found,
            vec![
                ("name", "field.error.too_long"),
                ("description", "threat.error.control_chars_multiline"),
            ]
        );
        assert!(form("disaster", "地震\t", "").check().is_ok());
        assert!(form("disaster", "地\n震", "").check().is_err());
    }

    #[test]
    fn names_are_unique_within_a_family() {
        let all = vec![
            KnownThreat {
                id: 1,
                family: ThreatFamily::Disaster,
                name: "地震",
                retired: false,
            },
            KnownThreat {
                id: 2,
                family: ThreatFamily::Disaster,
                name: "落雷",
                retired: true,
            },
        ];
        let checked = |family, name: &str| CheckedThreat {
            family,
            name: name.into(),
            description: String::new(),
        };
        assert_eq!(
            name_taken(&all, None, &checked(ThreatFamily::Disaster, "地震"))
                .unwrap()
                .key,
            "threat.error.duplicate"
        );
        assert_eq!(
            name_taken(&all, None, &checked(ThreatFamily::Disaster, "落雷"))
                .unwrap()
                .key,
            "threat.error.duplicate_retired"
        );
        assert!(name_taken(&all, Some(1), &checked(ThreatFamily::Disaster, "地震")).is_none());
        assert!(name_taken(&all, None, &checked(ThreatFamily::Intentional, "地震")).is_none());
    }
}
